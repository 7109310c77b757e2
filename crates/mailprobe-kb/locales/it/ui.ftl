# Testi dei rapporti e segnaposto del motore, tutti con il prefisso ui-. Stessi id del file inglese.

ui-findings = Diagnosi
ui-no-findings = Nessun problema: ogni passaggio è riuscito.
ui-what-happened = Cosa è successo
ui-evidence = Evidenze
ui-why = Perché
ui-what-to-do = Cosa fare
ui-steps = Passaggi
ui-for-audience = Per { $audience }
ui-finding-count = { $count ->
        [one] Una diagnosi
       *[other] { $count } diagnosi
    }
ui-result-ok = Il percorso funziona: la posta si può inviare così.
ui-result-problem = È stato trovato un problema: vedi le diagnosi qui sopra.

ui-transcript = Trascrizione
ui-transcript-smtp = SMTP: { $endpoint }
ui-transcript-imap = IMAP: { $endpoint }
ui-transcript-mode-check = Verifica con l'altra modalità di cifratura: { $endpoint }
ui-transcript-client-tls-check = Verifica come client TLS più vecchio: { $endpoint }

ui-step-ok = ok
ui-step-failed = non riuscito

ui-severity-error = errore
ui-severity-warning = avviso
ui-severity-info = informazione

ui-stage-resolve = Ricerca DNS
ui-stage-connect = Connessione
ui-stage-tls = Cifratura (TLS)
ui-stage-banner = Saluto
ui-stage-ehlo = Presentazione (EHLO)
ui-stage-auth = Accesso
ui-stage-mail_from = Mittente (MAIL FROM)
ui-stage-rcpt_to = Destinatario (RCPT TO)
ui-stage-data = Messaggio (DATA)
ui-stage-capability = Funzioni
ui-stage-quit = Congedo

ui-audience-outlook-macos = Outlook per Mac
ui-audience-outlook-windows = Outlook per Windows
ui-audience-device = dispositivo o applicazione
ui-audience-developer = sviluppatori
ui-audience-m365-admin = amministratore di Microsoft 365
ui-audience-google-account = account Google
ui-audience-network-admin = amministratore di rete o del server

ui-security-starttls = STARTTLS
ui-security-tls = SSL/TLS
ui-security-none = nessuna cifratura

# Segnaposto per i dati che le evidenze non riportano.
ui-unknown = sconosciuto
ui-none = nessuno
ui-not-given = ?
ui-placeholder-address = <indirizzo>
ui-placeholder-server = il server

# La sezione TLS di un rapporto (--tls-scan, --verbose).
ui-tls = TLS
ui-tls-versions = Versioni accettate dal server
ui-tls-accepted = accettata
ui-tls-refused = rifiutata
ui-tls-no-answer = nessuna risposta
ui-tls-chain = Catena di certificati, come inviata dal server
ui-tls-key = chiave { $key }, firmata con { $algorithm }
ui-tls-valid = valido dal { $from } al { $to }
ui-tls-names = nomi: { $names }
ui-tls-verified = Attendibile: la catena arriva a una radice attendibile e riporta il nome { $host }.
ui-tls-not-verified = Non attendibile: { $reason }
ui-tls-name-ok = Il certificato riporta il nome { $host }.
ui-tls-name-bad = Il certificato non riporta il nome { $host } (riporta: { $names }).
ui-tls-days-left = Valido per altri { $days } giorni.
ui-tls-expires-soon = Scade tra { $days } giorni: rinnovalo presto.
ui-tls-expired = Scaduto da { $days } giorni.
ui-tls-not-yet-valid = Non ancora valido: la validità inizia il { $from } (controlla l'orologio di questo computer).
ui-tls-issuer-not-sent = Il server non ha inviato il certificato di { $issuer }: una radice che il client deve già considerare attendibile, oppure un certificato intermedio che il server dovrebbe inviare.
ui-tls-out-of-order = I certificati non sono nell'ordine di emissione.

# La ricerca del server in un rapporto di diagnose (diagnose INDIRIZZO).
ui-discovery = Come è stato trovato il server
