# Testi delle diagnosi di data/findings.toml, in italiano. Stessi id e stessi segnaposto del file
# inglese: il test di completezza lo verifica. Scrivere in italiano corrente, non tradurre parola
# per parola; le risposte del server si citano con { $reply_line }.

## auth.credentials_rejected

auth-credentials-rejected-title = Il server ha rifiutato l'accesso
auth-credentials-rejected-summary = { $host } non ha accettato il nome utente e la password ricevuti. La sua risposta: { $reply_line }
auth-credentials-rejected-cause-gmail-2sv = Sull'account Google è attiva la verifica in due passaggi: i programmi di posta che accedono con una password devono allora usare una password per le app, non quella normale dell'account.
auth-credentials-rejected-cause-gmail-basic = Google non permette più ai programmi di posta di accedere con la semplice password dell'account: serve OAuth 2.0 ("Accedi con Google") oppure una password per le app.
auth-credentials-rejected-cause-m365-policy = Microsoft 365 risponde allo stesso modo anche quando la password è giusta ma l'accesso con password via SMTP è bloccato: SMTP AUTH disattivato per la casella o per l'organizzazione, autenticazione a più fattori, impostazioni predefinite per la sicurezza oppure un criterio di accesso condizionale contro l'autenticazione legacy.
auth-credentials-rejected-cause-password = La password è sbagliata: digitata male, cambiata di recente altrove oppure scaduta.
auth-credentials-rejected-cause-username = Il nome utente non è quello che il server si aspetta: quasi tutti i provider vogliono l'indirizzo email completo, non solo la parte prima della @.
auth-credentials-rejected-cause-stale = Il programma di posta conserva tra le credenziali salvate una password o un token vecchio e continua a inviarlo.
auth-credentials-rejected-cause-locked = L'account è bloccato o sospeso, per esempio dopo troppi tentativi falliti o per attività sospette.
auth-credentials-rejected-fix-gmail-app-password = Nell'account Google, alla voce Sicurezza, attiva la verifica in due passaggi se è spenta, crea una password per le app (myaccount.google.com/apppasswords) e inserisci quelle 16 lettere nel programma di posta al posto della password.
auth-credentials-rejected-fix-gmail-oauth = Meglio ancora, lascia che il programma acceda tramite Google: rimuovi l'account e aggiungilo di nuovo scegliendo "Google" invece di un generico account IMAP/SMTP, così userà OAuth 2.0.
auth-credentials-rejected-fix-retype = Digita di nuovo la password a mano e usa come nome utente l'indirizzo email completo.
auth-credentials-rejected-fix-webmail = Accedi alla webmail del provider con esattamente lo stesso nome utente e la stessa password: se non funziona nemmeno lì, reimposta la password; se funziona, l'account è a posto e il problema è il modo in cui il programma accede.
auth-credentials-rejected-fix-m365-smtp-auth = Controlla in PowerShell di Exchange Online che SMTP AUTH sia consentito per questa casella: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled. Se risulta True, esegui Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
auth-credentials-rejected-fix-m365-mfa = Se la casella è soggetta ad autenticazione a più fattori, alle impostazioni predefinite per la sicurezza o a un criterio di accesso condizionale che blocca l'autenticazione legacy, una password inviata via SMTP non funzionerà mai: escludi questa casella consapevolmente, oppure passa il dispositivo a OAuth o a un connettore di inoltro SMTP.
auth-credentials-rejected-fix-keychain = Chiudi Outlook, apri Accesso Portachiavi, elimina le voci salvate per { $host } e per l'account, poi riapri Outlook e inserisci la password quando la chiede.
auth-credentials-rejected-fix-credential-manager = Chiudi Outlook, apri Pannello di controllo > Gestione credenziali > Credenziali di Windows, rimuovi le voci per { $host } e per l'account, poi riapri Outlook e accedi di nuovo.

## auth.app_password_required

auth-app-password-required-title = Google chiede una password per le app, non la password dell'account
auth-app-password-required-summary = L'account ha la verifica in due passaggi, quindi { $host } non accetta la password normale da un programma di posta. La sua risposta: { $reply_line }
auth-app-password-required-cause-2sv = La verifica in due passaggi è attiva e il secondo fattore non si può digitare in un programma di posta: Google chiede invece una password per le app dedicata (o un accesso OAuth).
auth-app-password-required-cause-revoked = Era in uso una password per le app che ora non esiste più: Google le revoca tutte quando si cambia la password dell'account.
auth-app-password-required-fix-create = Vai su myaccount.google.com/apppasswords, crea una password per le app con il nome del programma o del dispositivo e inseriscila dove il programma di posta chiede la password.
auth-app-password-required-fix-oauth = Se il programma sa accedere con Google (OAuth 2.0), preferisci questa strada: aggiungi l'account come account "Google" e non come generico IMAP/SMTP, e la password per le app non serve.
auth-app-password-required-fix-outlook-macos = Strumenti > Account, seleziona l'account e sostituisci la password con la password per le app (oppure rimuovi l'account e aggiungilo di nuovo come Google).
auth-app-password-required-fix-outlook-windows = File > Impostazioni account > Impostazioni account, seleziona l'account, scegli Cambia e inserisci come password la password per le app.

## auth.oauth_challenge_failed

auth-oauth-challenge-failed-title = L'accesso OAuth non è riuscito: il server ha risposto 334 invece di 235
auth-oauth-challenge-failed-summary = Dopo l'invio del token, { $host } ha risposto con una richiesta 334 che contiene un errore, mentre ci si aspettava 235 (accesso riuscito). È l'errore "Expected: 235, actual: 334" dei programmi di posta. Stato dell'errore: { $status }; ambito richiesto dal server: { $scope }.
auth-oauth-challenge-failed-cause-token = Il token di accesso è scaduto o è stato revocato e il programma non ne ha ottenuto uno nuovo.
auth-oauth-challenge-failed-cause-scope = Il token è stato concesso senza il permesso di usare la posta via SMTP e IMAP, oppure per un account diverso da quello che sta accedendo.
auth-oauth-challenge-failed-cause-old-client = Il programma o il sistema operativo è troppo vecchio per completare il flusso OAuth attuale e invia quello che ha.
auth-oauth-challenge-failed-cause-clock = L'orologio del computer è sbagliato di qualche minuto, così i token appena emessi sembrano scaduti o non ancora validi.
auth-oauth-challenge-failed-fix-readd = Rimuovi l'account dal programma di posta e aggiungilo di nuovo scegliendo il provider (per esempio "Google"), così l'accesso e il consenso nel browser vengono ripetuti.
auth-oauth-challenge-failed-fix-update = Installa gli aggiornamenti in sospeso del sistema operativo e del programma di posta: le versioni attuali gestiscono correttamente l'accesso.
auth-oauth-challenge-failed-fix-clear-macos = In Accesso Portachiavi elimina le voci che riguardano il provider, { $host } o Outlook, poi accedi di nuovo.
auth-oauth-challenge-failed-fix-clear-windows = In Gestione credenziali rimuovi le voci salvate per { $host } e per il provider, poi accedi di nuovo.
auth-oauth-challenge-failed-fix-clock = Imposta data e ora del computer in modo automatico.
auth-oauth-challenge-failed-fix-developer = Dopo un 334 di questo tipo invia una riga vuota, leggi l'errore finale, poi rinnova il token di accesso e controllane l'ambito prima di riprovare.

## oauth.wrong_scope

oauth-wrong-scope-title = Il token OAuth non vale per la posta
oauth-wrong-scope-summary = { $host } ha rifiutato il token con stato { $status }: non è accettato per inviare posta. Il server si aspetta un token per l'ambito { $scope }.
oauth-wrong-scope-cause-scope = Il token è stato chiesto senza l'ambito della posta (per Gmail, https://mail.google.com/); un token per il profilo, per i contatti o solo per l'API di Gmail non apre SMTP né IMAP.
oauth-wrong-scope-cause-account = Il token appartiene a un account diverso dal nome utente inviato insieme a esso.
oauth-wrong-scope-cause-not-mail = Il token è di un altro servizio o di un'altra applicazione e non è mai stato pensato per accedere alla posta.
oauth-wrong-scope-fix-scope = Chiedi l'ambito { $scope } quando domandi il consenso all'utente, poi ottieni un nuovo token di accesso.
oauth-wrong-scope-fix-user = Come nome utente in XOAUTH2 o OAUTHBEARER invia esattamente l'indirizzo dell'account che ha dato il consenso.
oauth-wrong-scope-fix-readd = In un programma di posta: rimuovi l'account e aggiungilo di nuovo, accettando tutti i permessi che la pagina di accesso chiede.

## oauth.token_invalid

oauth-token-invalid-title = Il token OAuth non è valido o è scaduto
oauth-token-invalid-summary = { $host } non ha accettato il token (stato { $status }): è scaduto, revocato oppure non è un token di accesso valido.
oauth-token-invalid-cause-expired = I token di accesso durano circa un'ora; questo è scaduto e non è stato rinnovato.
oauth-token-invalid-cause-revoked = Il token è stato revocato: la password è cambiata, l'accesso dell'app è stato tolto dall'account oppure un amministratore ha chiuso le sessioni.
oauth-token-invalid-cause-wrong-token = Quello inviato non è un token di accesso: è un ID token o un refresh token, oppure un token troncato durante la copia.
oauth-token-invalid-cause-clock = L'orologio del computer è sbagliato, quindi un token nuovo risulta scaduto o non ancora valido.
oauth-token-invalid-fix-refresh = Usa il refresh token per ottenere un nuovo token di accesso e riprova; se anche il rinnovo viene rifiutato, chiedi all'utente di accedere di nuovo.
oauth-token-invalid-fix-access-token = Verifica che venga inviato proprio il token di accesso, intero, dopo "Bearer ".
oauth-token-invalid-fix-signin = In un programma di posta: elimina l'accesso salvato (Portachiavi sul Mac, Gestione credenziali su Windows) e accedi di nuovo all'account.
oauth-token-invalid-fix-clock = Controlla che data e ora del computer siano impostate automaticamente.

## auth.smtp_auth_disabled

auth-smtp-auth-disabled-title = SMTP AUTH è disattivato in Microsoft 365
auth-smtp-auth-disabled-summary = Microsoft 365 non consente l'accesso con password via SMTP { $disabled_for ->
        [Tenant] per questa organizzazione (l'intero tenant)
        [tenant] per questa organizzazione (l'intero tenant)
       *[other] per questa casella di posta
    }, perciò { $host } rifiuta qualsiasi accesso, con la password giusta o no. La sua risposta: { $reply_line }
auth-smtp-auth-disabled-cause-tenant = Un amministratore ha disattivato SMTP AUTH per tutta l'organizzazione, che è anche l'impostazione dei tenant più recenti.
auth-smtp-auth-disabled-cause-mailbox = SMTP AUTH è disattivato sulla casella stessa (SmtpClientAuthenticationDisabled vale True), e questa impostazione prevale su quella dell'organizzazione.
auth-smtp-auth-disabled-fix-check = Guarda l'impostazione della casella in PowerShell di Exchange Online: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled
auth-smtp-auth-disabled-fix-mailbox = Consentilo solo per questa casella (prevale sull'impostazione dell'organizzazione): Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-tenant = Oppure consentilo per tutta l'organizzazione, aprendolo così a ogni casella: Set-TransportConfig -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-alternatives = Se l'accesso con password deve restare spento, fai accedere il dispositivo o l'applicazione con OAuth, oppure invia senza accesso tramite un connettore di inoltro SMTP o l'invio diretto.

## auth.not_authenticated

auth-not-authenticated-title = Il server vuole un accesso prima di accettare la posta
auth-not-authenticated-summary = { $host } non accetta posta da un client che non si è autenticato. La sua risposta: { $reply_line }
auth-not-authenticated-cause-no-login = Il programma di posta o il dispositivo è impostato per inviare senza autenticazione (l'opzione "il server della posta in uscita richiede l'autenticazione" non è selezionata).
auth-not-authenticated-cause-no-field = Il dispositivo non ha dove inserire nome utente e password, quindi su questo server non potrà mai autenticarsi.
auth-not-authenticated-cause-m365-endpoint = Il dispositivo invia a smtp.office365.com, che serve solo caselle che si autenticano; per inviare senza accesso occorre l'endpoint MX dell'organizzazione (invio diretto) o un connettore di inoltro.
auth-not-authenticated-cause-skipped = L'accesso è stato saltato perché il server non lo offriva su questa connessione, per esempio prima di STARTTLS.
auth-not-authenticated-fix-enable = Attiva l'autenticazione per il server della posta in uscita, con l'indirizzo completo della casella come nome utente e la sua password.
auth-not-authenticated-fix-mailprobe = Esegui di nuovo mailprobe con --user e una password, per verificare l'accesso stesso.
auth-not-authenticated-fix-m365-other-modes = Se il dispositivo non può autenticarsi, indirizzalo all'endpoint MX dell'organizzazione (nome che termina in mail.protection.outlook.com, porta 25) per l'invio diretto, oppure configura un connettore per l'inoltro SMTP.
auth-not-authenticated-fix-relay = Sul tuo server, se il dispositivo non può autenticarsi, consenti l'inoltro senza accesso al suo indirizzo IP fisso.

## auth.mechanism_unsupported

auth-mechanism-unsupported-title = Il server non offre il metodo di accesso necessario
auth-mechanism-unsupported-summary = L'accesso richiede { $mechanism }, ma { $host } offre soltanto: { $offered }.
auth-mechanism-unsupported-cause-client-setting = Il programma è impostato su un metodo di accesso che questo server non ha (per esempio OAuth, NTLM o CRAM-MD5 dove si accetta solo la password).
auth-mechanism-unsupported-cause-port = Questa porta serve alla consegna tra server (di solito la 25) e non offre alcun accesso; le porte di invio (587, 465) sì.
auth-mechanism-unsupported-cause-server = Sul server l'accesso è disattivato, oppure manca proprio questo metodo.
auth-mechanism-unsupported-fix-choose = Imposta nel programma un metodo di autenticazione tra quelli offerti ({ $offered }); per una normale password, "Password" o "Password normale".
auth-mechanism-unsupported-fix-port = Usa la porta di invio, la 587 con STARTTLS o la 465 con SSL/TLS, dove l'accesso è disponibile.
auth-mechanism-unsupported-fix-server = Sul tuo server abilita il metodo (con Postfix e Dovecot: smtpd_sasl_auth_enable e auth_mechanisms di Dovecot).

## sender.send_as_denied

sender-send-as-denied-title = L'account autenticato non può inviare come questo mittente
sender-send-as-denied-summary = L'accesso è riuscito, ma { $host } ha rifiutato l'indirizzo del mittente: la casella che si è autenticata non ha il diritto di inviare a suo nome. La sua risposta: { $reply_line }
sender-send-as-denied-cause-different-from = Il dispositivo o l'applicazione si autentica con una casella ma invia da un altro indirizzo (una casella condivisa, un indirizzo "scanner@", un indirizzo no-reply).
sender-send-as-denied-cause-permission = Manca l'autorizzazione "Invia come" per quell'indirizzo, oppure è stata concessa da meno di un'ora e non è ancora attiva.
sender-send-as-denied-fix-same-address = Nel dispositivo o nell'applicazione imposta come mittente (From) l'indirizzo della casella con cui si autentica.
sender-send-as-denied-fix-grant = Oppure concedi alla casella autenticata l'autorizzazione Invia come sull'altro indirizzo: Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs
sender-send-as-denied-fix-relay = Se deve inviare da molti indirizzi, usa l'inoltro SMTP tramite un connettore invece di autenticarti con una sola casella.

## sender.not_owned

sender-not-owned-title = L'indirizzo del mittente non appartiene all'utente autenticato
sender-not-owned-summary = { $host } ha rifiutato il mittente della busta: l'utente che si è autenticato non possiede quell'indirizzo. Postfix fa questo controllo quando riceve il destinatario, quindi il rifiuto può arrivare a RCPT TO. La sua risposta: { $reply_line }
sender-not-owned-cause-alias = Il programma invia da un indirizzo (un alias, l'indirizzo di un collega, un vecchio indirizzo) che non è collegato all'accesso.
sender-not-owned-cause-map = L'elenco del server che stabilisce quale accesso può usare quale mittente (smtpd_sender_login_maps di Postfix) non contiene questa coppia.
sender-not-owned-fix-own-address = Invia dall'indirizzo che appartiene all'account con cui accedi.
sender-not-owned-fix-login-as-owner = Oppure accedi come proprietario dell'indirizzo del mittente.
sender-not-owned-fix-map = Sul server aggiungi l'indirizzo alla voce di quell'utente in smtpd_sender_login_maps (usata da reject_sender_login_mismatch) e ricarica Postfix.

## smtp.relay_denied

smtp-relay-denied-title = Il server ha rifiutato di inoltrare a questo destinatario
smtp-relay-denied-summary = { $host } ha accettato il mittente ma non inoltra il messaggio a un destinatario esterno: lo fa solo per i client autenticati o per quelli della sua rete fidata. La sua risposta: { $reply_line }
smtp-relay-denied-cause-no-login = Il programma non si è autenticato, quindi il server lo tratta come un estraneo.
smtp-relay-denied-cause-wrong-server = Il programma sta parlando con un server che non è il suo server di posta in uscita, per esempio il server di posta in arrivo (MX) del dominio sulla porta 25.
smtp-relay-denied-cause-network = Il dispositivo conta sul fatto che il suo indirizzo IP sia fidato, ma l'indirizzo non è (o non è più) nell'elenco del server.
smtp-relay-denied-fix-login = Attiva l'autenticazione per il server della posta in uscita con l'indirizzo e la password della casella.
smtp-relay-denied-fix-server = Usa il server di posta in uscita indicato dal provider, sulla porta 587 con STARTTLS o sulla 465 con SSL/TLS.
smtp-relay-denied-fix-allow = Se il dispositivo non può autenticarsi, aggiungi il suo indirizzo IP fisso alle reti fidate del server (mynetworks di Postfix) o al connettore di inoltro.

## tls.required_first

tls-required-first-title = Il server vuole la cifratura prima di tutto
tls-required-first-summary = { $host } non prosegue su una connessione in chiaro: il client deve prima attivare TLS (STARTTLS). La sua risposta: { $reply_line }
tls-required-first-cause-no-encryption = Nel programma o nel dispositivo il server in uscita è impostato senza cifratura.
tls-required-first-cause-stripped = Qualcosa sulla rete ha nascosto l'offerta di STARTTLS del server, e il programma ha creduto che la cifratura non fosse disponibile.
tls-required-first-fix-starttls = Imposta la cifratura su { $protocol ->
        [IMAP] STARTTLS con la porta 143, oppure su SSL/TLS con la porta 993
       *[other] STARTTLS con la porta 587, oppure su SSL/TLS con la porta 465
    }.
tls-required-first-fix-mailprobe = Esegui di nuovo mailprobe con --security starttls per verificare il percorso cifrato.
tls-required-first-fix-middlebox = Se la cifratura è già attiva, cerca un firewall o una "protezione posta" dell'antivirus che ispeziona SMTP e disattiva quell'ispezione.

## tls.starttls_not_offered

tls-starttls-not-offered-title = Il server non offre STARTTLS
tls-starttls-not-offered-summary = È stato chiesto STARTTLS, ma { $host } sulla porta { $port } non lo elenca tra le sue funzioni (offre: { $offered }).
tls-starttls-not-offered-cause-middlebox = Un firewall, un antivirus o un apparato del provider tra te e il server toglie STARTTLS dall'elenco; le parole chiave trasformate in X (come XXXXXXXA) lo tradiscono.
tls-starttls-not-offered-cause-server = Il server non ha TLS configurato su questa porta.
tls-starttls-not-offered-cause-wrong-host = Non stai parlando con il server che credi: al suo posto risponde un captive portal o il provider che intercetta la porta.
tls-starttls-not-offered-fix-implicit = Prova SSL/TLS fin dal primo byte sulla porta 465, che un apparato intermedio non può togliere.
tls-starttls-not-offered-fix-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì STARTTLS compare, la colpa è della rete locale.
tls-starttls-not-offered-fix-inspection = Disattiva l'ispezione SMTP sul firewall o la scansione della posta dell'antivirus per questo server.
tls-starttls-not-offered-fix-server = Sul tuo server installa un certificato e abilita TLS (con Postfix: smtpd_tls_cert_file, smtpd_tls_key_file e smtpd_tls_security_level = may).

## tls.mode_mismatch

tls-mode-mismatch-title = Modalità di cifratura sbagliata per questa porta
tls-mode-mismatch-summary = La porta { $asked_port } di { $host } non parla { $asked_security }: un secondo tentativo con { $working_security } sulla porta { $working_port } ha ricevuto il saluto del server.
tls-mode-mismatch-cause-pair = L'impostazione di cifratura non corrisponde alla porta: la 465 vuole SSL/TLS fin dal primo byte, mentre la 587 e la 25 partono in chiaro e passano alla cifratura con STARTTLS.
tls-mode-mismatch-cause-autoconfig = La configurazione automatica o un vecchio profilo ha abbinato la porta alla cifratura sbagliata.
tls-mode-mismatch-fix-use-working = Usa la porta { $working_port } con { $working_security }.
tls-mode-mismatch-fix-outlook-windows = File > Impostazioni account > Impostazioni account > Cambia > Altre impostazioni > Impostazioni avanzate; imposta la porta del server in uscita su { $working_port } e il tipo di connessione crittografata su { $working_security }.
tls-mode-mismatch-fix-outlook-macos = Strumenti > Account, seleziona l'account; imposta la porta del server in uscita su { $working_port } e spunta l'uso di SSL solo per SSL/TLS (porta 465), non per STARTTLS.
tls-mode-mismatch-fix-device = Imposta la porta SMTP su { $working_port } e la sicurezza su { $working_security } (nei menu può chiamarsi "SSL", "TLS" o "STARTTLS").

## tls.version_too_old

tls-version-too-old-title = Il server ha rifiutato la vecchia versione di TLS del client
tls-version-too-old-summary = { $host } richiede TLS 1.2 o successivo e ha rifiutato un client che non va oltre { $client_tls_max }.
tls-version-too-old-cause-firmware = Il firmware del dispositivo o l'applicazione conosce solo TLS 1.0 o 1.1.
tls-version-too-old-cause-library = Il sistema operativo o il framework sotto l'applicazione dispone di TLS 1.2 ma non lo ha attivo (succede con le impostazioni predefinite di Windows e .NET meno recenti).
tls-version-too-old-fix-update = Aggiorna il firmware del dispositivo o l'applicazione a una versione con TLS 1.2; se non ce n'è, chiedi al produttore.
tls-version-too-old-fix-developer = Nella tua applicazione consenti esplicitamente TLS 1.2 e 1.3, oppure eseguila su un runtime che li usa già di default.
tls-version-too-old-fix-m365-legacy = Come soluzione temporanea in Microsoft 365, consenti i client TLS legacy (Set-TransportConfig -AllowLegacyTLSClients $true) e indirizza il dispositivo a smtp-legacy.office365.com.
tls-version-too-old-fix-optional-tls = Oppure invia lungo un percorso in cui TLS è facoltativo (invio diretto o connettore di inoltro sulla porta 25, oppure un relay locale che prosegue con un TLS attuale).

## tls.cert_untrusted

tls-cert-untrusted-title = Il certificato del server non è attendibile
tls-cert-untrusted-summary = Il certificato presentato da { $server_name } non risale a un'autorità di certificazione di cui questo computer si fida (emesso da: { $issuer }).
tls-cert-untrusted-cause-interception-provider = I certificati di questo provider provengono da autorità pubbliche riconosciute da ogni sistema, quindi uno non attendibile significa quasi sempre che qualcosa dalla tua parte intercetta TLS: la scansione delle connessioni cifrate dell'antivirus, un proxy aziendale o un firewall che ispeziona il traffico.
tls-cert-untrusted-cause-private-ca = Il server usa un certificato autofirmato o emesso da un'autorità di certificazione privata (aziendale).
tls-cert-untrusted-cause-chain = Il server non invia i certificati intermedi che collegano il suo certificato a una radice attendibile.
tls-cert-untrusted-cause-interception = Qualcosa tra te e il server (antivirus, proxy, firewall) intercetta TLS e presenta un proprio certificato.
tls-cert-untrusted-cause-old-roots = L'elenco delle autorità attendibili del computer o del dispositivo non è aggiornato.
tls-cert-untrusted-fix-issuer = Leggi chi ha emesso il certificato (nelle evidenze): se compare il nome del tuo antivirus, del firewall o della tua azienda, disattivane la scansione della posta cifrata oppure escludi { $host }.
tls-cert-untrusted-fix-ca-file = Se il server usa l'autorità di certificazione della tua organizzazione, passala a mailprobe con --ca-file FILE e installala nell'archivio dei certificati attendibili del programma di posta o del dispositivo.
tls-cert-untrusted-fix-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì il certificato risulta attendibile, è la rete locale a intercettare.
tls-cert-untrusted-fix-chain = Sul server invia la catena completa (il certificato seguito dagli intermedi), per esempio fullchain.pem di Let's Encrypt invece di cert.pem.
tls-cert-untrusted-fix-update = Aggiorna il sistema operativo o il firmware del dispositivo, così le sue autorità attendibili sono attuali.

## tls.cert_hostname_mismatch

tls-cert-hostname-mismatch-title = Il certificato è intestato a un altro nome di server
tls-cert-hostname-mismatch-summary = Il certificato presentato da { $host } non è emesso per { $server_name }; riporta i nomi: { $names }.
tls-cert-hostname-mismatch-cause-alias = Il programma usa un nome che porta al server ma non compare nel suo certificato: un alias, un vecchio nome o un indirizzo IP.
tls-cert-hostname-mismatch-cause-interception = Qualcosa tra te e il server presenta un proprio certificato intestato a un altro nome.
tls-cert-hostname-mismatch-cause-server = Il server presenta il certificato sbagliato, per esempio quello di un altro sito che ospita.
tls-cert-hostname-mismatch-fix-name = Nel programma imposta come nome del server uno di quelli scritti nel certificato ({ $names }), mai un indirizzo IP.
tls-cert-hostname-mismatch-fix-issuer = Se quei nomi non hanno niente a che fare con il tuo provider, verifica se un antivirus, un proxy o un firewall intercetta il traffico, come per un certificato non attendibile.
tls-cert-hostname-mismatch-fix-server = Sul server installa un certificato che copra il nome usato dai client.

## tls.cert_expired

tls-cert-expired-title = Il certificato del server è scaduto o non ancora valido
tls-cert-expired-summary = Secondo l'orologio di questo computer, il certificato di { $server_name } è scaduto o non ancora valido (validità: da { $not_before } a { $not_after }).
tls-cert-expired-cause-renewal = Il certificato del server è davvero scaduto: il rinnovo non è riuscito, oppure è stato rinnovato ma il server di posta non è stato ricaricato.
tls-cert-expired-cause-clock = La data di questo computer è sbagliata (molto probabile se il certificato risulta "non ancora valido").
tls-cert-expired-cause-interception = Un antivirus o un proxy che ispeziona il traffico presenta un proprio certificato, scaduto.
tls-cert-expired-fix-clock = Controlla data, ora e fuso orario di questo computer e impostali in modo che si aggiornino da soli.
tls-cert-expired-fix-renew = Sul server rinnova il certificato e ricarica i servizi di posta (Postfix e Dovecot lo leggono solo all'avvio o al ricaricamento).
tls-cert-expired-fix-no-bypass = Non disattivare il controllo dei certificati per aggirare il problema: esporresti la password a chiunque stia nel mezzo.

## tls.handshake_failed

tls-handshake-failed-title = La negoziazione TLS non è riuscita
tls-handshake-failed-summary = Non è stato possibile stabilire la cifratura con { $host } sulla porta { $port }; le evidenze mostrano come si è interrotta la negoziazione.
tls-handshake-failed-cause-mode = La porta si aspetta l'altra modalità di cifratura ({ $protocol ->
        [IMAP] SSL/TLS sulla 993, STARTTLS sulla 143
       *[other] SSL/TLS sulla 465, STARTTLS sulla 587
    }).
tls-handshake-failed-cause-versions = Client e server non hanno in comune nessuna versione di TLS o nessun cifrario, di solito perché uno dei due è vecchio.
tls-handshake-failed-cause-middlebox = Qualcosa sulla rete disturba le connessioni cifrate.
tls-handshake-failed-cause-server = La configurazione TLS del server è guasta (chiave mancante, certificato illeggibile).
tls-handshake-failed-fix-pair = Controlla la coppia porta e cifratura: { $protocol ->
        [IMAP] 993 con SSL/TLS oppure 143 con STARTTLS
       *[other] 587 con STARTTLS oppure 465 con SSL/TLS
    }.
tls-handshake-failed-fix-network = Prova da un'altra rete per escludere un'intercettazione.
tls-handshake-failed-fix-update = Aggiorna il programma di posta, il firmware del dispositivo o il sistema operativo.
tls-handshake-failed-fix-server-log = Sul server guarda il log della posta all'ora del tentativo: spiega perché la negoziazione è stata rifiutata.

## connect.refused

connect-refused-title = La connessione è stata rifiutata
connect-refused-summary = Nessuno ha accettato la connessione a { $host } sulla porta { $port }: ogni indirizzo l'ha rifiutata ({ $addresses }).
connect-refused-cause-port = Il server non è in ascolto su questa porta; { $protocol ->
        [IMAP] IMAP di solito è sulla 993 o sulla 143
       *[other] l'invio della posta di solito avviene sulla 587 o sulla 465
    }.
connect-refused-cause-down = Il servizio di posta sul server è fermo.
connect-refused-cause-firewall = Un firewall rifiuta attivamente le connessioni verso questa porta.
connect-refused-fix-port = Controlla la porta: { $protocol ->
        [IMAP] per IMAP, 993 con SSL/TLS o 143 con STARTTLS
       *[other] per l'invio, 587 con STARTTLS o 465 con SSL/TLS
    }.
connect-refused-fix-host = Confronta il nome del server con le istruzioni del provider.
connect-refused-fix-service = Sul server verifica che il servizio di posta sia avviato e in ascolto sulla porta (per esempio con ss -ltnp).

## connect.timeout

connect-timeout-title = La connessione è scaduta senza risposta
connect-timeout-summary = Nessuna risposta da { $host } sulla porta { $port }: i tentativi di connessione non hanno ricevuto alcun riscontro.
connect-timeout-cause-blocked = Un firewall scarta il traffico in silenzio: molti provider domestici bloccano la porta 25 e le reti aziendali spesso la 465 e la 587.
connect-timeout-cause-down = Il server è spento o isolato da internet.
connect-timeout-cause-dns = Il nome punta a un vecchio indirizzo dove non risponde più nessuno.
connect-timeout-fix-other-port = Prova la porta 587 (STARTTLS) o la 465 (SSL/TLS) invece della 25.
connect-timeout-fix-other-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì si connette, è la rete locale a bloccare la porta.
connect-timeout-fix-firewall = Consenti sul firewall le connessioni TCP in uscita verso { $host } sulla porta { $port }.

## connect.unreachable

connect-unreachable-title = Il server non è raggiungibile da questa rete
connect-unreachable-summary = Non esiste un percorso di rete verso { $host } ({ $addresses }).
connect-unreachable-cause-offline = Questo computer non ha una connessione a internet funzionante, oppure una VPN è caduta.
connect-unreachable-cause-ipv6 = Il nome ha indirizzi IPv6 ma questa rete non ha connettività IPv6.
connect-unreachable-cause-vpn = Una VPN o una regola di instradamento manda il traffico nel vuoto.
connect-unreachable-fix-connection = Verifica che il computer sia in linea, poi collega o scollega la VPN e riprova.
connect-unreachable-fix-ipv6 = Se hanno fallito solo gli indirizzi IPv6, il problema è l'IPv6 della rete, non il server di posta.
connect-unreachable-fix-routing = Controlla gli instradamenti e la configurazione della VPN verso { $host }.

## connect.failed

connect-failed-title = La connessione non è riuscita
connect-failed-summary = La connessione a { $host } sulla porta { $port } non è riuscita: { $detail }
connect-failed-cause-local-block = Un software di sicurezza o un criterio su questo computer impedisce al programma di connettersi.
connect-failed-cause-local-config = La configurazione di rete locale è guasta (nessun indirizzo di origine utilizzabile).
connect-failed-fix-security-software = Verifica che il firewall o l'antivirus di questo computer lasci connettere il programma di posta.
connect-failed-fix-retry = Riprova, e da un'altra rete se continua a fallire.

## banner.timeout

banner-timeout-title = Il server non ha inviato il saluto
banner-timeout-summary = La connessione a { $host } sulla porta { $port } si è aperta, ma entro { $seconds } secondi non è arrivato alcun saluto.
banner-timeout-cause-implicit-tls = La porta vuole SSL/TLS fin dal primo byte (come la 465 e la 993) e aspetta che il client avvii la cifratura, mentre il client aspetta un saluto in chiaro.
banner-timeout-cause-slow = Il server è sovraccarico o volutamente lento (verifiche sul tuo indirizzo, ritardi contro lo spam).
banner-timeout-cause-middlebox = Un apparato di rete accetta la connessione ma non lascia passare nulla.
banner-timeout-fix-tls = Prova SSL/TLS su questa porta, oppure { $protocol ->
        [IMAP] la porta 143
       *[other] la porta 587
    } con STARTTLS.
banner-timeout-fix-retry = Attendi qualche minuto e riprova.
banner-timeout-fix-network = Prova da un'altra rete per escludere un apparato intermedio.

## banner.not_smtp

banner-not-smtp-title = Ha risposto qualcosa che non è un server di posta
banner-not-smtp-summary = Su { $host } porta { $port }, dall'altra parte { $looks_like ->
        [tls] è partita una negoziazione TLS: questa porta vuole SSL/TLS fin dal primo byte
        [http] ha risposto un server web
        [imap] ha salutato un server IMAP (posta in arrivo)
        [pop3] ha salutato un server POP3 (posta in arrivo)
        [ssh] ha salutato un server SSH
       *[other] sono arrivati byte che non sono il saluto di un server di posta
    }.
banner-not-smtp-cause-tls-port = La porta vuole SSL/TLS fin dal primo byte.
banner-not-smtp-cause-other-service = La porta appartiene a un altro servizio: una porta della posta in arrivo (993, 143, 995) impostata come server in uscita, oppure una porta web.
banner-not-smtp-cause-intercepted = Al posto del server risponde un proxy o un captive portal.
banner-not-smtp-fix-ports = Controlla le porte: per inviare si usano la 587 (STARTTLS) o la 465 (SSL/TLS); la 993 e la 143 sono IMAP, per ricevere.
banner-not-smtp-fix-tls = Se dall'altra parte è partito TLS, imposta la cifratura su SSL/TLS per questa porta.
banner-not-smtp-fix-network = Prova da un'altra rete, nel caso in cui qualcosa nel mezzo risponda al posto del server.

## session.dropped

session-dropped-title = Il server ha interrotto la connessione
session-dropped-summary = { $host } { $reason ->
        [reset] ha azzerato la connessione
       *[other] ha chiuso la connessione
    } senza un messaggio di errore.
session-dropped-cause-blocked = Il server blocca il tuo indirizzo senza dirlo: una blocklist, oppure un blocco temporaneo dopo accessi falliti.
session-dropped-cause-mode = La porta si aspetta l'altra modalità di cifratura e riattacca davanti a ciò che non capisce.
session-dropped-cause-middlebox = Un firewall o un proxy taglia la connessione.
session-dropped-fix-wait = Aspetta un quarto d'ora (i blocchi temporanei scadono) e riprova una volta sola, con la password giusta.
session-dropped-fix-mode = Controlla la coppia porta e cifratura: { $protocol ->
        [IMAP] 993 con SSL/TLS, 143 con STARTTLS
       *[other] 587 con STARTTLS, 465 con SSL/TLS
    }.
session-dropped-fix-logs = Sul server guarda il log della posta e gli elenchi di blocco (come fail2ban) per il tuo indirizzo.

## session.no_reply

session-no-reply-title = Il server ha smesso di rispondere
session-no-reply-summary = { $host } ha smesso di rispondere: entro { $seconds } secondi non è arrivato nulla (in attesa di: { $waiting_for }).
session-no-reply-cause-slow = Il server è lento: sovraccarico, oppure impegnato in controlli come la scansione del messaggio.
session-no-reply-cause-network = La rete perde pacchetti a metà sessione (spesso quelli grandi, dopo l'avvio della cifratura).
session-no-reply-cause-tarpit = Il server rallenta di proposito i client dopo degli errori.
session-no-reply-fix-timeout = Riprova con un --timeout più lungo.
session-no-reply-fix-network = Prova da un'altra rete.
session-no-reply-fix-logs = Sul server controlla il log della posta per questa sessione.

## dns.no_such_host

dns-no-such-host-title = Il nome del server non esiste
dns-no-such-host-summary = Il nome { $host } { $failure ->
        [no_addresses] esiste ma non ha alcun indirizzo
       *[other] non esiste nel DNS
    }: { $detail }
dns-no-such-host-cause-typo = Il nome del server è scritto male.
dns-no-such-host-cause-domain = È stato inserito il dominio invece del nome del server (esempio.it invece di smtp.esempio.it), oppure il provider ha cambiato i nomi dei suoi server.
dns-no-such-host-cause-local-dns = Il server DNS in uso (quello del router, dell'azienda, della VPN) non conosce il nome.
dns-no-such-host-fix-spelling = Controlla come è scritto il nome del server.
dns-no-such-host-fix-provider-name = Copia il nome esatto del server in uscita dalle istruzioni del provider (per esempio smtp.gmail.com o smtp.office365.com).
dns-no-such-host-fix-resolver = Prova un altro server DNS con --dns-server per capire se la colpa è del DNS locale.

## dns.timeout

dns-timeout-title = La ricerca DNS non ha avuto risposta
dns-timeout-summary = La ricerca di { $host } nel DNS non ha ricevuto risposta in tempo.
dns-timeout-cause-resolver = Il server DNS in uso è spento o irraggiungibile.
dns-timeout-cause-blocked = Un firewall o una VPN blocca le interrogazioni DNS.
dns-timeout-fix-connection = Verifica che il computer sia in linea.
dns-timeout-fix-resolver = Prova un altro server DNS con --dns-server.
dns-timeout-fix-firewall = Lascia passare le interrogazioni DNS (porta 53) verso il resolver.

## dns.failed

dns-failed-title = La ricerca DNS non è riuscita
dns-failed-summary = La ricerca di { $host } non è riuscita: { $detail }
dns-failed-cause-servfail = Il server DNS non è riuscito a ottenere una risposta, spesso perché il DNS del dominio (o il suo DNSSEC) è guasto.
dns-failed-cause-refused = Il server DNS si rifiuta di rispondere a questo computer, oppure non ne è configurato nessuno.
dns-failed-fix-resolver = Prova un altro server DNS con --dns-server.
dns-failed-fix-domain = Se gestisci il dominio, controlla i suoi name server e le firme DNSSEC.

## smtp.rejected

smtp-rejected-title = Il server ha rifiutato un passaggio della sessione
smtp-rejected-summary = { $host } ha risposto con un errore che mailprobe non sa ancora spiegare: { $reply_line }
smtp-rejected-cause-policy = Una regola del server ha rifiutato questo passaggio; le sue parole, nelle evidenze, di solito la nominano.
smtp-rejected-cause-temporary = Un codice che inizia con 4 indica una condizione temporanea (server occupato, greylisting, limite di invio): lo stesso tentativo potrebbe riuscire più tardi.
smtp-rejected-fix-read = Leggi le parole del server nelle evidenze e cerca i codici che contengono.
smtp-rejected-fix-retry = Con un codice che inizia con 4, riprova tra qualche minuto.
smtp-rejected-fix-report = Invia le righe delle evidenze all'amministratore o al provider del server: permettono di ritrovare il rifiuto nei loro log.

## imap.rejected

imap-rejected-title = Il server IMAP ha rifiutato un comando
imap-rejected-summary = Il server IMAP { $host } ha detto di no: { $reply_line }
imap-rejected-cause-disabled = L'accesso IMAP è disattivato per questo account (in Gmail: Impostazioni > Inoltro e POP/IMAP).
imap-rejected-cause-policy = Un criterio dell'account o del server rifiuta questo comando.
imap-rejected-fix-enable = Attiva l'accesso IMAP nelle impostazioni della casella (Gmail: Impostazioni > Visualizza tutte le impostazioni > Inoltro e POP/IMAP > Attiva IMAP) e riprova.
imap-rejected-fix-read = Leggi le parole del server nelle evidenze: spesso indicano il motivo preciso.

## ambiguous

ambiguous-title = Più cause spiegano le evidenze allo stesso modo
ambiguous-summary = Le evidenze si adattano ugualmente bene a { $count } diagnosi: { $titles }. Sono elencate qui sotto, le più comuni per prime, invece di sceglierne una a caso.
ambiguous-cause-same-evidence = Problemi diversi possono fallire nello stesso modo, e ciò che è stato registrato non basta a distinguerli.
ambiguous-fix-in-order = Esamina le diagnosi qui sotto nell'ordine: prova la prima soluzione di ciascuna, poi esegui di nuovo mailprobe.
ambiguous-fix-more-evidence = Esegui di nuovo mailprobe da un'altra rete, oppure con --verbose, per raccogliere evidenze che li distinguano.
