# Testi dei rapporti e segnaposto del motore. Stessi id del file inglese.

report-findings = Diagnosi
report-no-findings = Nessun problema: ogni passaggio è riuscito.
report-what-happened = Cosa è successo
report-evidence = Evidenze
report-why = Perché
report-what-to-do = Cosa fare
report-steps = Passaggi
report-for-audience = Per { $audience }
report-finding-count = { $count ->
        [one] Una diagnosi
       *[other] { $count } diagnosi
    }

step-ok = ok
step-failed = non riuscito

severity-error = errore
severity-warning = avviso
severity-info = informazione

stage-resolve = Ricerca DNS
stage-connect = Connessione
stage-tls = Cifratura (TLS)
stage-banner = Saluto
stage-ehlo = Presentazione (EHLO)
stage-auth = Accesso
stage-mail_from = Mittente (MAIL FROM)
stage-rcpt_to = Destinatario (RCPT TO)
stage-data = Messaggio (DATA)
stage-capability = Funzioni
stage-quit = Congedo

audience-outlook-macos = Outlook per Mac
audience-outlook-windows = Outlook per Windows
audience-device = il dispositivo o l'applicazione
audience-developer = gli sviluppatori
audience-m365-admin = l'amministratore di Microsoft 365
audience-google-account = il tuo account Google
audience-network-admin = l'amministratore di rete o del server

security-starttls = STARTTLS
security-tls = SSL/TLS
security-none = nessuna cifratura

# Segnaposto per i dati che le evidenze non riportano.
unknown = sconosciuto
none = nessuno
not-given = ?
placeholder-address = <indirizzo>
