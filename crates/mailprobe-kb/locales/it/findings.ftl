# Testi delle diagnosi di data/findings.toml, in italiano. Stessi id e stessi segnaposto del file
# inglese: il test di completezza lo verifica. Scrivere in italiano corrente, non tradurre parola
# per parola; le risposte del server si citano con { $reply_line }.

## auth.credentials_rejected

auth-credentials-rejected-title = Il server ha rifiutato l'accesso
auth-credentials-rejected-summary = { $observation ->
    [client_error] Il programma segnala che il server non ha accettato l'accesso (“{ $message }”), senza riportare la risposta del server.
   *[other] { $host } non ha accettato il nome utente e la password ricevuti. La sua risposta: { $reply_line }
}
auth-credentials-rejected-cause-gmail-2sv = Sull'account Google è attiva la verifica in due passaggi: i programmi di posta che accedono con una password devono allora usare una password per le app, non quella normale dell'account.
auth-credentials-rejected-cause-gmail-basic = Google non permette più ai programmi di posta di accedere con la semplice password dell'account: serve OAuth 2.0 ("Accedi con Google") oppure una password per le app.
auth-credentials-rejected-cause-m365-policy = Microsoft 365 risponde allo stesso modo anche quando la password è giusta ma l'accesso con password via SMTP è bloccato: SMTP AUTH disattivato per la casella o per l'organizzazione, autenticazione a più fattori, impostazioni predefinite per la sicurezza oppure un criterio di accesso condizionale contro l'autenticazione legacy.
auth-credentials-rejected-cause-password = La password è sbagliata: digitata male, cambiata di recente altrove oppure scaduta.
auth-credentials-rejected-cause-username = Il nome utente non è quello che il server si aspetta: quasi tutti i provider vogliono l'indirizzo email completo, non solo la parte prima della @.
auth-credentials-rejected-cause-stale = Il programma di posta conserva tra le credenziali salvate una password o un token vecchio e continua a inviarlo.
auth-credentials-rejected-cause-locked = L'account è bloccato o sospeso, per esempio dopo troppi tentativi falliti o per attività sospette.
auth-credentials-rejected-cause-unsaid = Il messaggio non dice quale di queste sia la causa: il server può rifiutare anche una password giusta, per esempio quando l'accesso è consentito solo con OAuth o con una password per le app.
auth-credentials-rejected-fix-debug = Attiva nel programma la stampa del dialogo SMTP (PHPMailer: SMTPDebug = 2; curl: -v) e incolla la risposta del server ad AUTH in mailprobe explain: la risposta indica la causa.
auth-credentials-rejected-fix-gmail-app-password = Nell'account Google, alla voce Sicurezza, attiva la verifica in due passaggi se è spenta, crea una password per le app (myaccount.google.com/apppasswords) e inserisci quelle 16 lettere nel programma di posta al posto della password.
auth-credentials-rejected-fix-gmail-oauth = Meglio ancora, lascia che il programma acceda tramite Google: rimuovi l'account e aggiungilo di nuovo scegliendo "Google" invece di un generico account IMAP/SMTP, così userà OAuth 2.0.
auth-credentials-rejected-fix-retype = Digita di nuovo la password a mano e usa come nome utente l'indirizzo email completo.
auth-credentials-rejected-fix-webmail = Accedi alla webmail del provider con esattamente lo stesso nome utente e la stessa password: se non funziona nemmeno lì, reimposta la password; se funziona, l'account è a posto e il problema è il modo in cui il programma accede.
auth-credentials-rejected-fix-m365-smtp-auth = Controlla in PowerShell di Exchange Online che SMTP AUTH sia consentito per questa casella: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled. Se risulta True, esegui Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
auth-credentials-rejected-fix-m365-mfa = Se la casella è soggetta ad autenticazione a più fattori, alle impostazioni predefinite per la sicurezza o a un criterio di accesso condizionale che blocca l'autenticazione legacy, una password inviata via SMTP non funzionerà mai: escludi questa casella consapevolmente, oppure passa il dispositivo a OAuth o a un connettore di inoltro SMTP.
auth-credentials-rejected-fix-keychain = Chiudi Outlook, apri Accesso Portachiavi, elimina le voci salvate per { $host } e per l'account, poi riapri Outlook e inserisci la password quando la chiede.
auth-credentials-rejected-fix-credential-manager = Chiudi Outlook, apri Pannello di controllo > Gestione credenziali > Credenziali di Windows, rimuovi le voci per { $host } e per l'account, poi riapri Outlook e accedi di nuovo.
auth-credentials-rejected-cause-outlook-basic = Gli account Outlook.com, Hotmail e Live non accettano più alcuna password dai programmi di posta: serve l'accesso moderno (OAuth).
auth-credentials-rejected-fix-outlook-oauth = Rimuovi l'account dal programma di posta e aggiungilo di nuovo come account Outlook.com o Microsoft, così accede dalla pagina di Microsoft.
auth-credentials-rejected-fix-keychain-gmail = Chiudi Outlook, apri Accesso Portachiavi, elimina le voci per Google, smtp.gmail.com, imap.gmail.com e Outlook, poi riapri Outlook e aggiungi di nuovo l'account scegliendo Google.
auth-credentials-rejected-fix-credential-manager-gmail = Chiudi Outlook, apri Pannello di controllo > Gestione credenziali > Credenziali di Windows, rimuovi le voci per imap.gmail.com, smtp.gmail.com e ogni token di Google o di Outlook, poi riavvia e accedi di nuovo.

## auth.app_password_required

auth-app-password-required-title = { $provider ->
    [gmail] Google chiede una password per le app, non la password dell'account
   *[other] Il provider chiede una password per le app, non la password dell'account
}
auth-app-password-required-summary = { $provider ->
    [gmail] { $observation ->
        [client_error] { $host } ha rifiutato la password. Google non accetta più la password normale dell'account dai programmi di posta: se non è stata digitata male, al programma serve una password per le app (o un accesso OAuth). La sua risposta: { $reply_line }
        [reply] { $code ->
            [535] { $host } ha rifiutato la password. Google non accetta più la password normale dell'account dai programmi di posta: se non è stata digitata male, al programma serve una password per le app (o un accesso OAuth). La sua risposta: { $reply_line }
           *[other] Con la verifica in due passaggi attiva, { $host } non accetta la password normale dell'account da un programma di posta. La sua risposta: { $reply_line }
        }
       *[other] Con la verifica in due passaggi attiva, { $host } non accetta la password normale dell'account da un programma di posta. La sua risposta: { $reply_line }
    }
   *[other] { $observation ->
        [reply] { $code ->
            [535] { $host } ha rifiutato la password. Molti provider (Google, Yahoo, AOL, iCloud, e Zoho o Outlook.com con la verifica in due passaggi attiva) non accettano più la password normale dell'account dai programmi di posta: se non è stata digitata male, al programma serve una password per le app (o un accesso OAuth). La sua risposta: { $reply_line }
           *[other] Con la verifica in due passaggi attiva, { $host } non accetta la password normale dell'account da un programma di posta: chiede una password per le app. La sua risposta: { $reply_line }
        }
       *[other] { $host } ha rifiutato la password. Molti provider (Google, Yahoo, AOL, iCloud, e Zoho o Outlook.com con la verifica in due passaggi attiva) non accettano più la password normale dell'account dai programmi di posta: se non è stata digitata male, al programma serve una password per le app (o un accesso OAuth). La sua risposta: { $reply_line }
    }
}
auth-app-password-required-cause-2sv = La verifica in due passaggi è attiva e il secondo fattore non si può digitare in un programma di posta: Google chiede invece una password per le app dedicata (o un accesso OAuth).
auth-app-password-required-cause-other-providers = Yahoo, AOL e iCloud accettano dai programmi di posta solo password per le app, Zoho e Outlook.com lo fanno quando è attiva la verifica in due passaggi: la password normale dell'account viene rifiutata anche se è giusta.
auth-app-password-required-cause-revoked = Era in uso una password per le app che ora non esiste più: Google le revoca tutte quando si cambia la password dell'account.
auth-app-password-required-fix-create = Vai su myaccount.google.com/apppasswords, crea una password per le app con il nome del programma o del dispositivo e inseriscila dove il programma di posta chiede la password.
auth-app-password-required-fix-create-other = Crea una password per le app nella pagina di sicurezza dell'account del provider e inseriscila dove il programma chiede la password: Yahoo e AOL: Sicurezza account > Genera password per app; iCloud: account.apple.com > Accesso e sicurezza > Password specifiche per le app; Zoho: accounts.zoho.com > Sicurezza > Password per le app; Outlook.com: account.microsoft.com > Sicurezza > Opzioni di sicurezza avanzate > Password per le app.
auth-app-password-required-fix-oauth = Se il programma sa accedere con Google (OAuth 2.0), preferisci questa strada: aggiungi l'account come account "Google" e non come generico IMAP/SMTP, e la password per le app non serve.
auth-app-password-required-fix-outlook-macos = Strumenti > Account, seleziona l'account e sostituisci la password con la password per le app (oppure rimuovi l'account e aggiungilo di nuovo come Google).
auth-app-password-required-fix-outlook-windows = File > Impostazioni account > Impostazioni account, seleziona l'account, scegli Cambia e inserisci come password la password per le app.
auth-app-password-required-fix-developer = Nel tuo codice leggi la password per le app dalla configurazione (mai la password dell'account), oppure passa a XOAUTH2 con un token per https://mail.google.com/.

## auth.web_login_required

auth-web-login-required-title = Google chiede prima un accesso dal browser
auth-web-login-required-summary = { $host } ha rifiutato l'accesso finché il titolare dell'account non lo conferma da un browser. La sua risposta: { $reply_line }
auth-web-login-required-cause-suspicious = Google ha trattenuto l'accesso perché insolito (computer, rete o paese nuovi) e aspetta che il titolare confermi di essere stato lui.
auth-web-login-required-cause-account-action = L'account richiede prima un intervento del titolare: un cambio di password, un numero di telefono da verificare o dei termini da accettare.
auth-web-login-required-cause-password-signin = Il programma accede con la password dell'account, che Google accetta sempre meno dai programmi di posta.
auth-web-login-required-fix-browser = Dallo stesso computer e dalla stessa rete del programma di posta, entra in Gmail con un browser e completa ciò che Google chiede; poi riprova a inviare.
auth-web-login-required-fix-security-activity = Apri myaccount.google.com > Sicurezza > Attività di sicurezza recenti e conferma che l'accesso bloccato era tuo.
auth-web-login-required-fix-oauth = Poi configura l'account con OAuth 2.0: in Outlook rimuovilo e aggiungilo di nuovo scegliendo "Google" e non "Altro account", così l'accesso avviene nella pagina di Google.
auth-web-login-required-fix-app-password = Se il programma non supporta OAuth, attiva la verifica in due passaggi e usa una password per le app (myaccount.google.com/apppasswords) al posto della password dell'account.
auth-web-login-required-fix-network = Se il programma gira su un server o dietro una VPN, accedi una volta da quella stessa rete, altrimenti Google continuerà a considerare strano quell'indirizzo.

## imap.disabled

imap-disabled-title = L'IMAP è disattivato per questa casella
imap-disabled-summary = Il server ha negato l'accesso IMAP a questo account: è spenta la lettura della posta via IMAP, non è sbagliata la password.
imap-disabled-cause-gmail-setting = In Gmail l'accesso IMAP è un'impostazione del singolo account, ed è disattivata.
imap-disabled-cause-gmail-admin = In un'organizzazione Google Workspace l'amministratore può vietare l'IMAP a tutti, qualunque cosa dica l'impostazione personale.
imap-disabled-cause-m365-mailbox = In Microsoft 365 l'IMAP è spento sulla casella (ImapEnabled è False), oppure l'organizzazione non lo consente affatto.
imap-disabled-cause-wizard = La procedura guidata di Outlook verifica insieme ricezione e invio, quindi con l'IMAP spento può non riuscire ad aggiungere l'account anche se serve solo inviare.
imap-disabled-fix-gmail-enable = In Gmail apri Impostazioni > Visualizza tutte le impostazioni > Inoltro e POP/IMAP, scegli "Abilita IMAP" nella sezione Accesso IMAP, salva e attendi un minuto prima di riprovare.
imap-disabled-fix-gmail-admin = Se l'opzione manca o è grigia, chiedi all'amministratore di Workspace di consentire l'accesso POP e IMAP (Console di amministrazione > App > Google Workspace > Gmail > Accesso utenti finali).
imap-disabled-fix-m365 = Attiva l'IMAP sulla casella da PowerShell di Exchange Online: Set-CASMailbox -Identity { $user } -ImapEnabled $true
imap-disabled-fix-server = Sul tuo server, verifica che il servizio IMAP sia attivo per questo account (per Dovecot: protocols contiene imap e nessun campo della userdb lo disattiva).
imap-disabled-fix-retry = Poi rimuovi e aggiungi di nuovo l'account, in modo che il programma ricontrolli entrambe le direzioni.

## auth.oauth_challenge_failed

auth-oauth-challenge-failed-title = L'accesso OAuth non è riuscito: il server ha risposto 334 invece di 235
auth-oauth-challenge-failed-summary = { $observation ->
    [client_error] Il programma si aspettava 235 (accesso riuscito) e ha ricevuto invece una richiesta 334 (“{ $message }”). Quella richiesta contiene l'errore OAuth del server, ma il messaggio non lo riporta, quindi qui non si può sapere quale errore sia.
   *[other] Dopo l'invio del token, { $host } ha risposto con una richiesta 334 che contiene un errore, mentre ci si aspettava 235 (accesso riuscito). È l'errore "Expected: 235, actual: 334" dei programmi di posta. Stato dell'errore: { $status }; ambito richiesto dal server: { $scope }.
}
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
auth-oauth-challenge-failed-fix-description = Outlook, quando ce l'ha, mostra la richiesta dopo "description:": incolla il messaggio intero, compresa quella parte, in mailprobe explain per sapere se il token è scaduto, è stato rifiutato o non ha l'ambito della posta.

## client.outlook_4af4

client-outlook-4af4-title = Errore 4af4 di Outlook: l'invio si è fermato durante l'accesso o la preparazione della connessione
client-outlook-4af4-summary = Outlook ha segnalato: { $message } (codice { $client_code }). È un codice riassuntivo di Outlook, non del server: va letto insieme alla risposta del server presente nelle prove, come 334 o 535.
client-outlook-4af4-cause-google-auth = Google ora vuole OAuth 2.0 ("Accedi con Google") oppure, con la verifica in due passaggi attiva, una password per le app; un Outlook che accede ancora alla vecchia maniera riceve 334 o 535 invece di 235.
client-outlook-4af4-cause-modern-auth = Microsoft ora richiede l'autenticazione moderna (OAuth) per questo tipo di account; un Outlook che invia ancora una password viene respinto.
client-outlook-4af4-cause-outdated = Il sistema operativo o Outlook non sono aggiornati e le loro librerie di sicurezza più vecchie non completano l'accesso o la cifratura richiesti oggi.
client-outlook-4af4-cause-port = Porta e cifratura in uscita non corrispondono: la 587 vuole STARTTLS, la 465 vuole SSL/TLS; ogni altra combinazione fallisce durante l'accesso.
client-outlook-4af4-cause-imap = In Gmail l'IMAP è disattivato e la verifica dell'account di Outlook fallisce anche solo per inviare.
client-outlook-4af4-cause-tokens = In Portachiavi (Mac) o in Gestione credenziali (Windows) sono salvati token di accesso vecchi o rovinati, che continuano a essere inviati.
client-outlook-4af4-cause-interception = Un antivirus, un firewall o un proxy aziendale ispeziona il traffico cifrato e interrompe la negoziazione sulla porta 587.
client-outlook-4af4-cause-clock = L'orologio del computer sbaglia di più di circa cinque minuti, e i token appena emessi sembrano non validi.
client-outlook-4af4-cause-profile = Il profilo di Outlook o le sue impostazioni in cache sono danneggiati e continuano a riprovare un metodo superato.
client-outlook-4af4-fix-update-macos = Installa tutti gli aggiornamenti in sospeso: Impostazioni di Sistema > Generali > Aggiornamento software per macOS, e Microsoft AutoUpdate (o l'App Store) per Outlook. Nei casi segnalati, il solo aggiornamento di macOS ha fatto ripartire l'invio.
client-outlook-4af4-fix-update-windows = Esegui Windows Update, poi in Outlook scegli File > Account di Office > Opzioni di aggiornamento > Aggiorna ora.
client-outlook-4af4-fix-gmail-imap = In Gmail apri Impostazioni > Visualizza tutte le impostazioni > Inoltro e POP/IMAP, verifica che sia scelto "Abilita IMAP" e salva.
client-outlook-4af4-fix-gmail-settings = Confronta le impostazioni con quelle di Google: in entrata imap.gmail.com, porta 993, SSL/TLS; in uscita smtp.gmail.com, porta 587, STARTTLS (va bene anche la 465 con SSL/TLS); per entrambi serve l'autenticazione.
client-outlook-4af4-fix-settings = Confronta le impostazioni con quelle del provider: per Microsoft, in uscita smtp.office365.com (account di lavoro) o smtp-mail.outlook.com (Outlook.com), porta 587, STARTTLS.
client-outlook-4af4-fix-readd-macos = In Outlook scegli Strumenti > Account, seleziona l'account, rimuovilo con il pulsante meno, poi aggiungilo con il più scegliendo il provider (Google per Gmail) e completa l'accesso nel browser.
client-outlook-4af4-fix-readd-windows = Rimuovi l'account (File > Impostazioni account > Gestisci profili), oppure crea un nuovo profilo da Pannello di controllo > Posta > Mostra profili > Aggiungi, e aggiungi di nuovo l'account scegliendo il provider (Google per Gmail).
client-outlook-4af4-fix-keychain = Chiudi Outlook, apri Accesso Portachiavi ed elimina le voci per Google, smtp.gmail.com, imap.gmail.com e Outlook (o per i server del tuo provider), poi riapri Outlook e accedi di nuovo.
client-outlook-4af4-fix-credential-manager = Chiudi Outlook, apri Pannello di controllo > Gestione credenziali > Credenziali di Windows e rimuovi le voci per imap.gmail.com, smtp.gmail.com e i token di Google o di Outlook (o per i server del tuo provider), poi riavvia.
client-outlook-4af4-fix-app-password = Se la verifica in due passaggi è attiva e Outlook non mostra mai la pagina di accesso di Google, crea una password per le app (myaccount.google.com/apppasswords), chiamala "Outlook" e usala come password; revocala se sospetti un uso improprio.
client-outlook-4af4-fix-ssl-scanning = Disattiva per una prova la scansione HTTPS/SSL dell'antivirus o del firewall; se aiuta, lasciala attiva ma escludi dall'ispezione smtp.gmail.com:587 e imap.gmail.com:993 (o i server del tuo provider).
client-outlook-4af4-fix-clock = Imposta data e ora in modo che si aggiornino automaticamente.
client-outlook-4af4-fix-logging-windows = Se fallisce ancora, attiva File > Opzioni > Avanzate > "Abilita registrazione (risoluzione dei problemi)", riavvia Outlook, prova una volta, disattiva la registrazione e cerca nel log EHLO, STARTTLS, AUTH XOAUTH2 e la risposta 334 o 535.
client-outlook-4af4-fix-logging-macos = Se fallisce ancora, attiva la registrazione in Outlook > Preferenze > Generali, riproduci l'errore e cerca nel log il punto in cui si fermano STARTTLS o AUTH XOAUTH2.

## oauth.wrong_scope

oauth-wrong-scope-title = Il token OAuth non vale per la posta
oauth-wrong-scope-summary = { $observation ->
    [client_error] Il token non vale per la posta su { $host }: il server ha risposto all'accesso con lo stato OAuth 400, la sua risposta a un token senza l'ambito della posta (o di un altro account).
   *[other] Il token non vale per la posta su { $host }: non gli è stato concesso l'ambito che il server richiede ({ $scope }).
}
oauth-wrong-scope-cause-scope = Il token è stato chiesto senza l'ambito della posta (per Gmail, https://mail.google.com/); un token per il profilo, per i contatti o solo per l'API di Gmail non apre SMTP né IMAP.
oauth-wrong-scope-cause-account = Il token appartiene a un account diverso dal nome utente inviato insieme a esso.
oauth-wrong-scope-cause-not-mail = Il token è di un altro servizio o di un'altra applicazione e non è mai stato pensato per accedere alla posta.
oauth-wrong-scope-fix-scope = { $observation ->
    [client_error] Chiedi l'ambito della posta del fornitore (per Gmail, https://mail.google.com/) quando domandi il consenso all'utente, poi ottieni un nuovo token di accesso.
   *[other] Chiedi l'ambito { $scope } quando domandi il consenso all'utente, poi ottieni un nuovo token di accesso.
}
oauth-wrong-scope-fix-user = Come nome utente in XOAUTH2 o OAUTHBEARER invia esattamente l'indirizzo dell'account che ha dato il consenso.
oauth-wrong-scope-fix-readd = In un programma di posta: rimuovi l'account e aggiungilo di nuovo, accettando tutti i permessi che la pagina di accesso chiede.

## oauth.wrong_audience

oauth-wrong-audience-title = Il token OAuth è stato emesso per un altro servizio, non per la posta
oauth-wrong-audience-summary = Il token è destinato a { $audience } (il suo pubblico, "audience"), mentre { $host } accetta solo token per { $expected_audience }. Un token vale solo per il servizio per cui è stato chiesto: Exchange Online rifiuta un token destinato ad altro, anche se autentico.
oauth-wrong-audience-cause-graph = Il token è stato chiesto per Microsoft Graph (https://graph.microsoft.com, con ambiti come Mail.Send) invece che per Exchange Online (https://outlook.office.com/SMTP.Send). Il Mail.Send di Graph invia tramite l'API Graph, mai via SMTP o IMAP.
oauth-wrong-audience-cause-default-scope = Il programma ha chiesto l'ambito .default o un ambito senza il prefisso della risorsa, e la piattaforma di identità ha scelto Microsoft Graph come risorsa.
oauth-wrong-audience-cause-reused = Un token ottenuto per un'altra parte del programma (l'API Graph, un ID token per l'accesso) è stato riutilizzato per la posta.
oauth-wrong-audience-fix-scope = Chiedi il token con l'ambito completo di Exchange Online: https://outlook.office.com/SMTP.Send per SMTP (https://outlook.office.com/IMAP.AccessAsUser.All per IMAP), più offline_access; mai un Mail.Send senza prefisso né un ambito di Graph.
oauth-wrong-audience-fix-app-only = Per un token solo applicazione (client credentials), chiedi https://outlook.office365.com/.default e assegna all'applicazione il permesso SMTP.SendAsApp di Office 365 Exchange Online, non un permesso di Microsoft Graph.
oauth-wrong-audience-fix-permission = In Microsoft Entra ID, tra le autorizzazioni API dell'app, aggiungi il permesso delegato SMTP.Send (IMAP.AccessAsUser.All per IMAP) e concedi il consenso amministratore; l'ambito che il programma chiede deve comunque nominare https://outlook.office.com.
oauth-wrong-audience-fix-mailprobe = Per provare l'account con un token del tipo giusto, accedi con `mailprobe auth login --provider microsoft`, che chiede https://outlook.office.com/SMTP.Send, poi ripeti la diagnosi.

## oauth.wrong_account

oauth-wrong-account-title = Il token OAuth appartiene a un altro account
oauth-wrong-account-summary = { $host } ha riconosciuto il token come autentico ma non per questa casella: l'account che ha concesso il token e il nome utente inviato insieme non coincidono.
oauth-wrong-account-cause-user-field = Il nome utente nella stringa XOAUTH2 o OAUTHBEARER non è l'indirizzo dell'account che ha fatto l'accesso (un alias, un vecchio indirizzo, un errore di battitura).
oauth-wrong-account-cause-signed-in-other = Durante il consenso il browser era già collegato a un altro account Google o Microsoft, ed è quello ad aver concesso il token.
oauth-wrong-account-cause-shared-mailbox = Il token è di un utente che vuole aprire un'altra casella (condivisa) senza averne il permesso.
oauth-wrong-account-fix-same-address = Invia come nome utente esattamente l'indirizzo principale dell'account che ha concesso il token (leggilo dai dati del token o dall'endpoint userinfo).
oauth-wrong-account-fix-signin-again = Accedi di nuovo scegliendo l'account giusto nella pagina di consenso (prima esci dagli altri account nel browser).
oauth-wrong-account-fix-m365-permission = Per aprire una casella condivisa con il token di un altro utente, concedigli l'accesso completo (Add-MailboxPermission) e usa come nome utente l'indirizzo della casella condivisa.

## oauth.token_invalid

oauth-token-invalid-title = Il token OAuth non è valido o è scaduto
oauth-token-invalid-summary = { $observation ->
    [client_error] Il server non ha accettato il token OAuth (“{ $message }”): è scaduto, revocato o non è un token di accesso valido.
   *[other] { $host } non ha accettato il token (stato { $status }): è scaduto, revocato oppure non è un token di accesso valido.
}
oauth-token-invalid-cause-expired = I token di accesso durano circa un'ora; questo è scaduto e non è stato rinnovato.
oauth-token-invalid-cause-revoked = Il token è stato revocato: la password è cambiata, l'accesso dell'app è stato tolto dall'account oppure un amministratore ha chiuso le sessioni.
oauth-token-invalid-cause-wrong-token = Quello inviato non è un token di accesso: è un ID token o un refresh token, oppure un token troncato durante la copia.
oauth-token-invalid-cause-clock = L'orologio del computer è sbagliato, quindi un token nuovo risulta scaduto o non ancora valido.
oauth-token-invalid-fix-refresh = Usa il refresh token per ottenere un nuovo token di accesso e riprova; se anche il rinnovo viene rifiutato, chiedi all'utente di accedere di nuovo.
oauth-token-invalid-fix-access-token = Verifica che venga inviato proprio il token di accesso, intero, dopo "Bearer ".
oauth-token-invalid-fix-signin = In un programma di posta: elimina l'accesso salvato (Portachiavi sul Mac, Gestione credenziali su Windows) e accedi di nuovo all'account.
oauth-token-invalid-fix-clock = Controlla che data e ora del computer siano impostate automaticamente.

## oauth.token_expired

oauth-token-expired-title = Il token di accesso OAuth è scaduto
oauth-token-expired-summary = L'accesso ha usato un token non più valido, e il server l'ha rifiutato.
oauth-token-expired-cause-lifetime = I token di accesso durano poco (circa un'ora per Google e Microsoft); questo è stato usato dopo, senza essere rinnovato.
oauth-token-expired-cause-stored = Un programma di posta conserva un token scaduto in Portachiavi (Mac) o in Gestione credenziali (Windows) e non lo sostituisce mai.
oauth-token-expired-cause-clock = L'orologio del computer è sbagliato, quindi un token valido viene giudicato scaduto.
oauth-token-expired-fix-refresh = Ottieni un nuovo token di accesso con il refresh token prima di ogni sessione, o quando il server ne rifiuta uno, e riprova una volta.
oauth-token-expired-fix-clear-macos = Chiudi Outlook, elimina da Accesso Portachiavi le voci del provider, dei suoi server di posta e di Outlook, poi accedi di nuovo.
oauth-token-expired-fix-clear-windows = Chiudi Outlook, rimuovi le voci del provider e di Outlook da Gestione credenziali > Credenziali di Windows, poi accedi di nuovo.
oauth-token-expired-fix-device = Su un dispositivo o un'applicazione, accedi di nuovo all'account dalle sue impostazioni, così ottiene un token nuovo.
oauth-token-expired-fix-clock = Imposta data e ora del computer in modo che si aggiornino automaticamente.

## oauth.refresh_failed

oauth-refresh-failed-title = Il refresh token OAuth non funziona più
oauth-refresh-failed-summary = Non è stato possibile ottenere un nuovo token di accesso: { $reply_line }. Finché qualcuno non accede di nuovo, non se ne possono avere altri.
oauth-refresh-failed-cause-revoked = Il refresh token è stato revocato: la password è stata cambiata, l'utente è uscito da tutti i dispositivi, oppure un amministratore ha revocato le sessioni.
oauth-refresh-failed-cause-consent = Il consenso è stato ritirato: l'accesso dell'app è stato tolto dalla pagina di sicurezza dell'account (Google: App di terze parti con accesso all'account; Microsoft: App personali), e questo revoca i suoi refresh token.
oauth-refresh-failed-cause-google-unused = Un refresh token di Google non usato da sei mesi scade, e lo stesso accade a quelli oltre il limite di refresh token per account e app (i più vecchi vengono scartati).
oauth-refresh-failed-cause-google-testing = Per un progetto Google Cloud la cui schermata di consenso OAuth è ancora "In test", i refresh token smettono di funzionare dopo sette giorni.
oauth-refresh-failed-cause-microsoft-inactive = I refresh token di Microsoft scadono dopo un lungo periodo senza uso (90 giorni in modo predefinito) o quando un criterio impone un nuovo accesso.
oauth-refresh-failed-cause-client = Il client secret dell'applicazione è cambiato o scaduto, oppure il refresh token appartiene a un altro client id.
oauth-refresh-failed-fix-signin = Accedi di nuovo e concedi ancora il consenso: così si ottiene un nuovo refresh token{ $evidence ->
        [live] {" "}(per l'accesso di mailprobe: `mailprobe auth login` con lo stesso provider, poi ripeti la diagnosi).
       *[other] .
    }
oauth-refresh-failed-fix-google-access = Se l'app non compare più nell'elenco delle app con accesso all'account (myaccount.google.com, Sicurezza, App di terze parti con accesso all'account), il suo accesso è stato tolto: accedere di nuovo lo ripristina.
oauth-refresh-failed-fix-store = Salva il refresh token ogni volta che il server ne manda uno nuovo e, quando un rinnovo viene rifiutato con invalid_grant, chiedi all'utente di accedere invece di riprovare.
oauth-refresh-failed-fix-google-publish = Nella Google Cloud Console porta la schermata di consenso OAuth da "In test" a "In produzione", così i refresh token non scadono più dopo una settimana.
oauth-refresh-failed-fix-m365-consent = In Microsoft Entra ID controlla il client secret dell'applicazione e il consenso concesso (Applicazioni aziendali > l'app > Autorizzazioni), e rinnova ciò che è scaduto.

## auth.smtp_auth_disabled

auth-smtp-auth-disabled-title = SMTP AUTH è disattivato in Microsoft 365
auth-smtp-auth-disabled-summary = Microsoft 365 non consente l'accesso con password via SMTP { $disabled_for ->
        [Tenant] per questa organizzazione (l'intero tenant)
        [tenant] per questa organizzazione (l'intero tenant)
        [Mailbox] per questa casella di posta
        [mailbox] per questa casella di posta
       *[other] per questa casella di posta o per l'intera organizzazione
    }, perciò { $host } rifiuta qualsiasi accesso, con la password giusta o no. La sua risposta: { $reply_line }
auth-smtp-auth-disabled-cause-tenant = Un amministratore ha disattivato SMTP AUTH per tutta l'organizzazione, che è anche l'impostazione dei tenant più recenti.
auth-smtp-auth-disabled-cause-mailbox = SMTP AUTH è disattivato sulla casella stessa (SmtpClientAuthenticationDisabled vale True), e questa impostazione prevale su quella dell'organizzazione.
auth-smtp-auth-disabled-fix-check = Guarda l'impostazione della casella in PowerShell di Exchange Online: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled
auth-smtp-auth-disabled-fix-mailbox = Consentilo solo per questa casella (prevale sull'impostazione dell'organizzazione): Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-tenant = Oppure consentilo per tutta l'organizzazione, aprendolo così a ogni casella: Set-TransportConfig -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-alternatives = Se l'accesso con password deve restare spento, fai accedere il dispositivo o l'applicazione con OAuth, oppure invia senza accesso tramite un connettore di inoltro SMTP o l'invio diretto.
auth-smtp-auth-disabled-cause-default = Microsoft disattiva SMTP AUTH in modo predefinito nei tenant più recenti, e le impostazioni predefinite per la sicurezza lo tengono spento.
auth-smtp-auth-disabled-cause-2026 = Dalla fine di dicembre 2026 Microsoft disattiva in modo predefinito l'autenticazione di base per l'invio client SMTP AUTH nei tenant esistenti. Un amministratore per ora può riattivarla; i tenant creati dopo quella data non la hanno mai, e Microsoft annuncerà la data della rimozione definitiva nella seconda metà del 2027 (dopo, la risposta è 550 5.7.30). Un dispositivo che accede con una password smette di inviare da quella data, a meno che non passi a OAuth 2.0, a un connettore relay, o a un relay locale che accede con OAuth al suo posto.

## auth.basic_auth_disabled

auth-basic-auth-disabled-title = L'accesso con password (autenticazione di base) è disattivato
auth-basic-auth-disabled-summary = Microsoft ha rifiutato la password in sé, non il suo valore: per questo account l'autenticazione di base è disattivata, quindi nessuna password, nemmeno una password per le app, funziona via SMTP.
auth-basic-auth-disabled-cause-outlook = Per gli account personali Outlook.com, Hotmail e Live, Microsoft ha chiuso nel settembre 2024 l'accesso con password dai programmi di posta: ora funziona solo l'autenticazione moderna (OAuth).
auth-basic-auth-disabled-cause-m365-policy = In un'organizzazione Microsoft 365, un criterio di autenticazione o le impostazioni predefinite per la sicurezza bloccano l'autenticazione di base per SMTP, qualunque cosa dica l'impostazione SMTP AUTH della casella.
auth-basic-auth-disabled-cause-m365-2026 = Microsoft disattiva in modo predefinito l'autenticazione di base per l'invio client SMTP AUTH nei tenant esistenti alla fine di dicembre 2026 (i tenant creati dopo non la hanno mai; Microsoft annuncerà la data della rimozione definitiva nella seconda metà del 2027, dopo la quale la risposta è 550 5.7.30 Basic authentication is not supported for Client Submission). Per ora un amministratore può ancora riattivarla, ma un dispositivo che conosce solo una password ha bisogno di OAuth 2.0, di un connettore relay o di un relay locale che acceda con OAuth al suo posto.
auth-basic-auth-disabled-cause-app-password = Le password per le app passano dalla stessa autenticazione di base, quindi vengono rifiutate anch'esse.
auth-basic-auth-disabled-fix-outlook-readd = Nel programma di posta rimuovi l'account e aggiungilo di nuovo come account Microsoft o Outlook.com (non "Altro" o IMAP/SMTP), così accede dalla pagina di Microsoft; i programmi vecchi che non lo permettono vanno aggiornati o sostituiti.
auth-basic-auth-disabled-fix-developer = Nel tuo codice accedi con OAuth 2.0 (XOAUTH2) usando un token per l'ambito https://outlook.office.com/SMTP.Send, oppure invia tramite Microsoft Graph.
auth-basic-auth-disabled-fix-m365-policy = Se l'organizzazione deve tenere un dispositivo che conosce solo la password, consenti l'autenticazione di base per SMTP soltanto in un criterio di autenticazione dedicato, assegnato a quella casella (Set-AuthenticationPolicy -AllowBasicAuthSmtp, poi Set-User -AuthenticationPolicy), dopo aver verificato le impostazioni predefinite per la sicurezza.
auth-basic-auth-disabled-fix-device = Un dispositivo che conosce solo le password non dovrebbe accedere direttamente a Microsoft 365: invia tramite mailprobe relay nella tua rete (il dispositivo mantiene la sua password, il relay accede con OAuth 2.0; mailprobe advise mostra le impostazioni), tramite un connettore di inoltro SMTP, o con l'invio diretto verso destinatari interni.

## auth.mfa_or_security_defaults

auth-mfa-or-security-defaults-title = L'autenticazione a più fattori o le impostazioni predefinite per la sicurezza bloccano l'accesso con password
auth-mfa-or-security-defaults-summary = Microsoft 365 ha rifiutato l'accesso perché l'account deve superare l'autenticazione a più fattori, cosa che un dispositivo che invia posta via SMTP non può fare.
auth-mfa-or-security-defaults-cause-security-defaults = In Microsoft Entra ID sono attive le impostazioni predefinite per la sicurezza: impongono l'MFA e bloccano l'autenticazione legacy, SMTP AUTH compreso, per tutti.
auth-mfa-or-security-defaults-cause-per-user-mfa = Sulla casella usata dal dispositivo è imposta l'autenticazione a più fattori per utente.
auth-mfa-or-security-defaults-cause-app-password = Una password per le app non serve finché le impostazioni predefinite per la sicurezza sono attive: bloccano il protocollo legacy in quanto tale.
auth-mfa-or-security-defaults-fix-per-user-mfa = Se il blocco è l'MFA per utente: nell'interfaccia di amministrazione di Microsoft 365 scegli Utenti > Utenti attivi > Autenticazione a più fattori, seleziona la casella usata dal dispositivo e disattiva l'MFA per quella.
auth-mfa-or-security-defaults-fix-security-defaults = Se il blocco sono le impostazioni predefinite per la sicurezza: accedi al portale di Azure come amministratore della sicurezza o dell'accesso condizionale, apri Microsoft Entra ID > Proprietà > Gestisci le impostazioni predefinite per la sicurezza, impostale su No e salva. Attenzione: così si toglie la protezione MFA a tutti gli account; fallo solo se ne comprendi il rischio, meglio ancora sostituendole con criteri di accesso condizionale che escludano solo questa casella.
auth-mfa-or-security-defaults-fix-alternatives = Meglio ancora, mantieni l'MFA e fai inviare il dispositivo senza accesso con password: un connettore di inoltro SMTP, l'invio diretto per i destinatari interni, oppure OAuth se il dispositivo lo supporta.

## auth.conditional_access_blocks_legacy

auth-conditional-access-blocks-legacy-title = Un criterio di accesso condizionale blocca questo accesso
auth-conditional-access-blocks-legacy-summary = Microsoft 365 ha confrontato l'accesso con password con i criteri di accesso condizionale dell'organizzazione, e uno di questi non l'ha lasciato passare.
auth-conditional-access-blocks-legacy-cause-policy = Un criterio di accesso condizionale blocca l'autenticazione legacy, e SMTP AUTH con password conta come autenticazione legacy.
auth-conditional-access-blocks-legacy-cause-location = Un criterio consente gli accessi solo da posizioni note, da dispositivi conformi o con MFA, e il dispositivo non soddisfa nessuna di queste condizioni.
auth-conditional-access-blocks-legacy-fix-sign-in-logs = Trova il criterio: in Microsoft Entra ID > Monitoraggio > Log di accesso filtra per la casella e per l'app client "Authenticated SMTP", e apri la scheda Accesso condizionale dell'accesso non riuscito.
auth-conditional-access-blocks-legacy-fix-exclude = Nel portale di Azure, come amministratore della sicurezza o dell'accesso condizionale, apri Microsoft Entra ID > Sicurezza > Accesso condizionale, modifica il criterio che blocca l'autenticazione legacy, aggiungi la casella del dispositivo in Utenti e gruppi > Escludi e salva.
auth-conditional-access-blocks-legacy-fix-alternatives = Se nessuna eccezione è accettabile, fai inviare il dispositivo tramite un connettore di inoltro SMTP o con l'invio diretto, che non richiedono l'accesso.

## auth.federated_sts_unreachable

auth-federated-sts-unreachable-title = Microsoft non ha raggiunto il tuo server di federazione per verificare la password
auth-federated-sts-unreachable-summary = L'account è federato: Microsoft 365 verifica la password con il server di accesso della tua organizzazione (come AD FS), e quel server non era raggiungibile. La sua risposta: { $reply_line }
auth-federated-sts-unreachable-cause-down = Il server di federazione locale (AD FS o un altro servizio token di sicurezza) o il suo proxy è fermo o in errore.
auth-federated-sts-unreachable-cause-network = Il server di federazione non è raggiungibile da Internet: un firewall, un cambio nel DNS o un certificato scaduto sul suo indirizzo pubblico.
auth-federated-sts-unreachable-fix-check = Da fuori della tua rete, apri l'indirizzo pubblico del server di federazione (per AD FS: https://<nome del tuo STS>/adfs/ls/IdpInitiatedSignon.aspx) e risolvi ciò che gli impedisce di rispondere.
auth-federated-sts-unreachable-fix-settings = Verifica quale indirizzo usa Microsoft per la federazione del dominio (Get-MgDomainFederationConfiguration) e che sia il server che ti aspetti.
auth-federated-sts-unreachable-fix-cloud-account = Per i dispositivi, valuta una casella solo cloud (non federata), oppure il passaggio del dominio alla sincronizzazione dell'hash delle password, così l'invio non dipende dal server di federazione.

## auth.federated_sts_not_https

auth-federated-sts-not-https-title = L'indirizzo del tuo server di federazione non offre una connessione HTTPS utilizzabile
auth-federated-sts-not-https-summary = L'account è federato e Microsoft 365 non è riuscito ad aprire la connessione sicura di cui ha bisogno verso il server di accesso della tua organizzazione. La sua risposta: { $reply_line }
auth-federated-sts-not-https-cause-tls = Il server di federazione offre solo TLS 1.0 o 1.1, che Microsoft ha smesso di usare nel 2022: serve TLS 1.2.
auth-federated-sts-not-https-cause-url = L'indirizzo di federazione configurato per il dominio è http:// oppure punta a un host senza un certificato valido.
auth-federated-sts-not-https-fix-tls12 = Abilita TLS 1.2 sui server di federazione e sui loro proxy (su Windows Server: le impostazioni SCHANNEL per TLS 1.2 e la crittografia forte di .NET), poi riavvia il servizio.
auth-federated-sts-not-https-fix-url = Controlla le impostazioni di federazione del dominio (Get-MgDomainFederationConfiguration): gli indirizzi di accesso devono iniziare con https:// e corrispondere al certificato del server.
auth-federated-sts-not-https-fix-cloud-account = Per i dispositivi, una casella solo cloud evita del tutto il server di federazione.

## auth.too_many_attempts

auth-too-many-attempts-title = Troppi tentativi di accesso: per un po' il server rifiuta gli accessi
auth-too-many-attempts-summary = { $host } ha contato troppi accessi in poco tempo e per ora ne rifiuta di nuovi. La sua risposta: { $reply_line }
auth-too-many-attempts-cause-retries = Un programma continua a riprovare con una password sbagliata o superata, e ogni errore si somma.
auth-too-many-attempts-cause-devices = Più dispositivi o script usano lo stesso account e ognuno accede ancora e ancora.
auth-too-many-attempts-cause-shared-ip = Altri utenti dietro lo stesso indirizzo pubblico (un ufficio, un hosting) sbagliano anch'essi l'accesso, e il limite vale per l'indirizzo.
auth-too-many-attempts-fix-stop = Ferma tutti i programmi e i dispositivi che usano questo account, così gli errori smettono di accumularsi.
auth-too-many-attempts-fix-wait = Aspetta: questi blocchi si sciolgono da soli, di solito entro pochi minuti o un'ora.
auth-too-many-attempts-fix-password = Correggi la password in ogni programma prima di riattivarlo, poi riavviali uno alla volta.
auth-too-many-attempts-fix-developer = Nel tuo codice mantieni una sola connessione autenticata e invia molti messaggi attraverso di essa, e dopo ogni 4xx temporaneo aspetta sempre più a lungo invece di riconnetterti in ciclo.
auth-too-many-attempts-fix-ban = Sul tuo server cerca il tuo indirizzo nelle liste di esclusione (come fail2ban) e nel log della posta, e rimuovi il blocco una volta risolta la causa.

## auth.temporary_failure

auth-temporary-failure-title = Il server non è riuscito a verificare la password in questo momento
auth-temporary-failure-summary = { $host } non ha rifiutato la password: non è riuscito a verificarla, perché il suo servizio di accesso non ha risposto. La sua risposta: { $reply_line }
auth-temporary-failure-cause-backend = Il server di posta affida le password a un servizio separato (Dovecot, LDAP, Active Directory) e ha perso la connessione con esso, oppure quel servizio è fermo.
auth-temporary-failure-cause-slow = Il servizio di accesso è sovraccarico o rallenta di proposito dopo molti tentativi falliti, e il server di posta ha smesso di aspettare.
auth-temporary-failure-cause-provider = Il sistema di accesso del provider ha un breve disservizio.
auth-temporary-failure-fix-retry = Riprova tra qualche minuto senza cambiare la password: non è stata giudicata sbagliata.
auth-temporary-failure-fix-backend = Sul tuo server controlla che il servizio di autenticazione sia attivo e raggiungibile dal server di posta (per Postfix con Dovecot: il socket di autenticazione in smtpd_sasl_path, `doveadm auth test utente`), e leggi il suo log dello stesso minuto.
auth-temporary-failure-fix-status = Se continua, guarda la pagina sullo stato dei servizi del provider, o chiedi a chi gestisce il server.

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

## direct_send.wrong_endpoint

direct-send-wrong-endpoint-title = L'invio diretto punta al server dell'invio client
direct-send-wrong-endpoint-summary = Il dispositivo è impostato per inviare senza accesso, ma si collega a smtp.office365.com, che accetta posta solo da client che accedono. A un dispositivo così Microsoft risponde "Client was not authenticated to send anonymous mail during MAIL FROM".
direct-send-wrong-endpoint-cause-submission-host = smtp.office365.com serve solo l'invio client SMTP; invio diretto e inoltro vanno all'endpoint MX dell'organizzazione.
direct-send-wrong-endpoint-cause-old-setting = Il dispositivo era configurato per l'invio client e gli è stato tolto solo l'accesso.
direct-send-wrong-endpoint-fix-mx = Imposta come server SMTP del dispositivo l'endpoint MX dell'organizzazione, un nome che termina con mail.protection.outlook.com (come contoso-com.mail.protection.outlook.com), porta 25.
direct-send-wrong-endpoint-fix-find-mx = Trovi quel nome nel record MX del dominio (nslookup -type=mx contoso.com), oppure nell'interfaccia di amministrazione di Microsoft 365 sotto Impostazioni > Domini > il dominio > Record DNS.
direct-send-wrong-endpoint-fix-or-submission = Oppure tieni smtp.office365.com e dai al dispositivo indirizzo e password di una casella, così usa l'invio client.

## auth.requires_tls

auth-requires-tls-title = Il server permette l'accesso solo dopo STARTTLS
auth-requires-tls-summary = { $host } offre STARTTLS ma nessun metodo di accesso sulla connessione non cifrata: elenca AUTH solo quando la connessione è cifrata.
auth-requires-tls-cause-plain = Il programma di posta o il dispositivo è impostato senza cifratura (o "SSL/TLS: nessuna") su una porta che vuole prima STARTTLS.
auth-requires-tls-cause-stripped = Qualcosa sulla rete ha nascosto STARTTLS al client, che così non è mai passato alla cifratura.
auth-requires-tls-fix-starttls = Imposta la cifratura del server in uscita su STARTTLS (a volte indicata come "TLS" o "Usa TLS se disponibile"), mantieni la porta { $port } e riprova.
auth-requires-tls-fix-developer = Nel codice, chiama STARTTLS prima di AUTH: ad esempio starttls() di smtplib, requireTLS: true di nodemailer, SMTPSecure = 'tls' di PHPMailer, o EnableSsl = true di .NET sulla porta 587.

## auth.mechanism_unsupported

auth-mechanism-unsupported-title = Il server non offre il metodo di accesso necessario
auth-mechanism-unsupported-summary = { $observation ->
    [client_error] Il programma non ha trovato un metodo di accesso utilizzabile con { $host } (“{ $message }”).
    [reply] { $host } ha rifiutato il metodo di accesso. La sua risposta: { $reply_line }
    [imap_no] { $host } ha rifiutato il metodo di accesso. La sua risposta: { $reply_line }
   *[other] { $mechanism ->
        [AUTH] { $host } non offre alcun accesso (AUTH) su questa connessione: un programma impostato per accedere con nome utente e password qui fallisce. I server che ricevono posta per i propri domini (server MX, porta 25) non lo offrono mai.
       *[other] L'accesso richiede { $mechanism }, ma { $host } offre soltanto: { $offered }.
    }
}
auth-mechanism-unsupported-cause-before-tls = Molti server elencano AUTH solo dopo che la connessione è cifrata: un programma che prova ad accedere prima di STARTTLS (smtplib di Python senza starttls(), un'impostazione senza cifratura) non trova AUTH.
auth-mechanism-unsupported-cause-client-setting = Il programma è impostato su un metodo di accesso che questo server non ha (per esempio OAuth, NTLM o CRAM-MD5 dove si accetta solo la password).
auth-mechanism-unsupported-cause-port = Questa porta serve alla consegna tra server (di solito la 25) e non offre alcun accesso; le porte di invio (587, 465) sì.
auth-mechanism-unsupported-cause-server = Sul server l'accesso è disattivato, oppure manca proprio questo metodo.
auth-mechanism-unsupported-fix-starttls-first = Avvia TLS prima dell'accesso: con smtplib di Python chiama starttls() e poi ehlo() prima di login(); con net/smtp di Go usa la porta 587, dove SendMail avvia TLS per primo quando il server lo offre.
auth-mechanism-unsupported-fix-choose = { $mechanism ->
    [AUTH] Indica nel programma il server di invio del provider (porta 587 o 465), che offre l'accesso, oppure disattiva l'accesso nel programma dove questo server accetta posta senza.
   *[other] Imposta nel programma un metodo di autenticazione tra quelli offerti ({ $offered }); per una normale password, "Password" o "Password normale".
}
auth-mechanism-unsupported-fix-port = Usa la porta di invio, la 587 con STARTTLS o la 465 con SSL/TLS, dove l'accesso è disponibile.
auth-mechanism-unsupported-fix-server = Sul tuo server abilita il metodo (con Postfix e Dovecot: smtpd_sasl_auth_enable e auth_mechanisms di Dovecot).

## auth.never_completed

auth-never-completed-title = L'accesso non si è mai concluso: il server continuava a chiedere
auth-never-completed-summary = { $observation ->
    [client_error] Il programma ha inviato le credenziali e il server ha continuato a chiederne altre (un altro challenge 334) invece di accettare o rifiutare l'accesso (“{ $message }”).
   *[other] mailprobe ha inviato ogni passo di AUTH { $mechanism } e { $host } ha risposto con un'altra richiesta 334 invece di accettare o rifiutare l'accesso: { $challenge }
}
auth-never-completed-cause-server = La configurazione di autenticazione del server è rotta, oppure si aspetta il dialogo di un meccanismo diverso da quello che ha offerto.
auth-never-completed-cause-middlebox = Qualcosa tra te e il server (un proxy, un apparato di sicurezza) risponde ad AUTH da sé e non inoltra mai l'accesso.
auth-never-completed-fix-other-mechanism = Prova l'altro meccanismo con password (--auth login o --auth plain); nei programmi di posta l'impostazione si chiama spesso "metodo di autenticazione".
auth-never-completed-fix-server-log = Sul server, leggi il log di autenticazione all'ora del tentativo (Postfix e Dovecot: le righe SASL) e prova l'accesso con swaks --auth-user.

## auth.xoauth2_not_offered

auth-abandoned-at-prompt-title = Il programma ha rinunciato all'accesso alla richiesta del server
auth-abandoned-at-prompt-summary = Dopo AUTH { $mechanism }, { $host } ha chiesto “{ $challenge }” e il programma ha risposto con { $next } invece del nome utente o della password: ha interrotto l'accesso lì.
auth-abandoned-at-prompt-cause-prompt = La richiesta non è formulata come di consueto: le richieste di LOGIN sono di norma “Username:” e “Password:”, e alcune stampanti, scanner e programmi datati rinunciano davanti a qualsiasi altro testo. Di solito la causa è un piccolo relay o un server SMTP personalizzato.
auth-abandoned-at-prompt-cause-no-credentials = Il dispositivo o il programma non ha nome utente o password per questo server, quindi non aveva nulla da inviare.
auth-abandoned-at-prompt-fix-credentials = Verifica che nelle impostazioni della posta in uscita del dispositivo (scansione verso e-mail, SMTP) ci siano nome utente e password, poi riprova.
auth-abandoned-at-prompt-fix-server-prompts = Se gestisci il server o il relay, usa per LOGIN le richieste standard “Username:” e “Password:” (in base64 VXNlcm5hbWU6 e UGFzc3dvcmQ6), oppure offri AUTH PLAIN, che non ha richieste.
auth-abandoned-at-prompt-fix-relay = Oppure fai inviare il dispositivo senza accesso, tramite un relay che lo accetta in base al suo indirizzo (mailprobe relay, o un connettore di relay).

auth-xoauth2-not-offered-title = Il server non ha offerto l'accesso OAuth (XOAUTH2)
auth-xoauth2-not-offered-summary = { $observation ->
    [client_error] Il programma voleva accedere con OAuth, ma il server non lo offre (“{ $message }”).
   *[other] Questo provider di solito offre { $mechanism }, ma { $host } ha offerto soltanto: { $offered }. Qualcosa ha risposto al suo posto, oppure l'elenco è stato letto nel momento sbagliato.
}
auth-xoauth2-not-offered-cause-middlebox = Un firewall, un antivirus o un proxy risponde al posto del provider e offre solo i meccanismi che conosce.
auth-xoauth2-not-offered-cause-wrong-server = Il programma non sta parlando con il server di invio del provider: un nome host sbagliato, o un fornitore di connettività che dirotta la porta.
auth-xoauth2-not-offered-cause-before-tls = Il programma ha letto i meccanismi prima di STARTTLS, quando i provider ne elencano meno, e un client vecchio non li rilegge dopo.
auth-xoauth2-not-offered-fix-settings = Controlla il server in uscita: smtp.gmail.com per Gmail, smtp.office365.com per Microsoft 365, smtp-mail.outlook.com per Outlook.com, porta 587 con STARTTLS.
auth-xoauth2-not-offered-fix-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì compare XOAUTH2, la colpa è della rete locale.
auth-xoauth2-not-offered-fix-inspection = Disattiva l'ispezione della posta o di SMTP sul firewall o sull'antivirus per i server del provider.
auth-xoauth2-not-offered-fix-update = Aggiorna il programma di posta: le versioni attuali rileggono i meccanismi dopo STARTTLS.

## sender.send_as_denied

sender-send-as-denied-title = L'account autenticato non può inviare come questo mittente
sender-send-as-denied-summary = L'accesso è riuscito, ma { $host } ha rifiutato l'indirizzo del mittente: la casella che si è autenticata non ha il diritto di inviare a suo nome. La sua risposta: { $reply_line }
sender-send-as-denied-cause-different-from = Il dispositivo o l'applicazione si autentica con una casella ma invia da un altro indirizzo (una casella condivisa, un indirizzo "scanner@", un indirizzo no-reply).
sender-send-as-denied-cause-permission = Manca l'autorizzazione "Invia come" per quell'indirizzo, oppure è stata concessa da meno di un'ora e non è ancora attiva.
sender-send-as-denied-fix-same-address = Nel dispositivo o nell'applicazione imposta come mittente (From) l'indirizzo della casella con cui si autentica.
sender-send-as-denied-fix-grant = Oppure concedi alla casella autenticata l'autorizzazione Invia come sull'altro indirizzo: Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs
sender-send-as-denied-fix-relay = Se deve inviare da molti indirizzi, usa l'inoltro SMTP tramite un connettore invece di autenticarti con una sola casella.
sender-send-as-denied-fix-outlook-alias = Con Outlook.com invia solo dall'indirizzo dell'account o da un alias aggiunto allo stesso account (account.microsoft.com > Le tue info > Informazioni account > Modifica alias dell'account).

## sender.send_as_needed

sender-send-as-needed-title = L'indirizzo del mittente non è la casella con cui si accede
sender-send-as-needed-summary = Il dispositivo accede come { $user } ma invia come { $from }. Con Microsoft funziona solo se { $user } ha l'autorizzazione "Invia come" su { $from }; altrimenti il server rifiuterà il messaggio con 5.7.60.
sender-send-as-needed-cause-different = Il dispositivo o l'applicazione ha campi separati per l'accesso e per il mittente, e contengono indirizzi diversi (un indirizzo condiviso "scanner@", un indirizzo no-reply).
sender-send-as-needed-cause-permission = L'invio client SMTP spedisce solo come la casella che ha fatto l'accesso, o come un indirizzo su cui ha ricevuto esplicitamente "Invia come".
sender-send-as-needed-fix-same-address = La soluzione più semplice: imposta come mittente { $user }, la casella con cui il dispositivo accede.
sender-send-as-needed-fix-check = Oppure assicurati che l'autorizzazione esista: Get-RecipientPermission -Identity { $from } deve elencare { $user } con SendAs; concedila con Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs (può servire fino a un'ora).
sender-send-as-needed-fix-outlook = Outlook.com invia solo dall'indirizzo dell'account o dai suoi alias: aggiungi { $from } come alias dell'account, oppure invia da { $user }.
sender-send-as-needed-fix-relay = Se il dispositivo deve inviare da molti indirizzi diversi, usa un connettore di inoltro SMTP invece dell'invio client: l'inoltro non lega il mittente a una sola casella.

## sender.not_owned

sender-not-owned-title = L'indirizzo del mittente non appartiene all'utente autenticato
sender-not-owned-summary = { $host } ha rifiutato il mittente della busta: l'utente che si è autenticato non possiede quell'indirizzo. Postfix fa questo controllo quando riceve il destinatario, quindi il rifiuto può arrivare a RCPT TO. La sua risposta: { $reply_line }
sender-not-owned-cause-alias = Il programma invia da un indirizzo (un alias, l'indirizzo di un collega, un vecchio indirizzo) che non è collegato all'accesso.
sender-not-owned-cause-map = L'elenco del server che stabilisce quale accesso può usare quale mittente (smtpd_sender_login_maps di Postfix) non contiene questa coppia.
sender-not-owned-fix-own-address = Invia dall'indirizzo che appartiene all'account con cui accedi.
sender-not-owned-fix-login-as-owner = Oppure accedi come proprietario dell'indirizzo del mittente.
sender-not-owned-fix-map = Sul server aggiungi l'indirizzo alla voce di quell'utente in smtpd_sender_login_maps (usata da reject_sender_login_mismatch) e ricarica Postfix.

## sender.blocked_outbound

sender-blocked-outbound-title = Alla casella è impedito l'invio
sender-blocked-outbound-summary = { $host } non invia più nulla da questa casella: è stata limitata per invio di posta indesiderata. La sua risposta: { $reply_line }
sender-blocked-outbound-cause-m365-restricted = La protezione dalla posta indesiderata in uscita di Microsoft 365 ha messo la casella nell'elenco delle entità con restrizioni, dopo messaggi che sembravano spam.
sender-blocked-outbound-cause-outlook = Outlook.com ha sospeso l'invio per l'account finché non viene verificato, dopo un'attività che sembrava spam.
sender-blocked-outbound-cause-compromised = La password dell'account è stata rubata e usata per inviare spam: il blocco ne è spesso il primo segnale.
sender-blocked-outbound-cause-bulk = Un dispositivo o uno script ha inviato una raffica di messaggi (avvisi, report, un invio massivo) superando i limiti in uscita.
sender-blocked-outbound-fix-secure = Prima metti al sicuro l'account: cambia la password, controlla accessi e regole della posta in arrivo per qualcosa di sconosciuto, e attiva l'MFA dove il dispositivo non ha bisogno della password.
sender-blocked-outbound-fix-restricted-entities = Poi sbloccala: nel portale di Microsoft Defender apri Posta elettronica e collaborazione > Revisione > Entità con restrizioni (security.microsoft.com/restrictedentities), seleziona la casella e scegli Sblocca; può servire fino a un'ora.
sender-blocked-outbound-fix-outlook = Accedi a outlook.live.com da un browser e segui i passaggi di verifica che Microsoft mostra per l'account.
sender-blocked-outbound-fix-volume = Per i dispositivi che inviano molti messaggi, distribuiscili nel tempo o inviali tramite un connettore di inoltro SMTP pensato per quei volumi.

## quota.sending_limit

quota-sending-limit-title = L'account ha raggiunto il suo limite di invio
quota-sending-limit-summary = Per ora { $host } non accetta altri messaggi da questo account: ne ha già inviati quanti il limite consente. La sua risposta: { $reply_line }
quota-sending-limit-cause-gmail = Gmail limita quanti messaggi e destinatari un account può inviare al giorno (circa 500 per gli account personali, 2.000 per Google Workspace), contando sulle ultime 24 ore.
quota-sending-limit-cause-m365 = Microsoft limita ogni casella, tra l'altro, a 10.000 destinatari al giorno e 30 messaggi al minuto; i limiti di Outlook.com sono più bassi.
quota-sending-limit-cause-loop = Un dispositivo o uno script è bloccato in un ciclo, oppure una risposta automatica o un inoltro continua a inviare.
quota-sending-limit-fix-wait = Aspetta: il limite si azzera nell'arco delle prossime 24 ore, e per questo non serve cambiare nulla.
quota-sending-limit-fix-loop = Guarda nella cartella Posta inviata dell'account se c'è una raffica di messaggi uguali, e ferma ciò che li ha inviati.
quota-sending-limit-fix-bulk = Per newsletter e grandi volumi usa un servizio di invio massivo invece di una casella personale.
quota-sending-limit-fix-gmail-relay = Per dispositivi e applicazioni in Google Workspace, il servizio di inoltro SMTP (smtp-relay.gmail.com) ha limiti più alti di un singolo account.
quota-sending-limit-fix-m365-relay = Per dispositivi e applicazioni, un connettore di inoltro SMTP non è legato ai limiti di una singola casella.

## smtp.relay_denied

smtp-relay-denied-title = Il server ha rifiutato di inoltrare a questo destinatario
smtp-relay-denied-summary = { $host } ha accettato il mittente ma non inoltra il messaggio a un destinatario esterno: lo fa solo per i client autenticati o per quelli della sua rete fidata. La sua risposta: { $reply_line }
smtp-relay-denied-cause-no-login = Il programma non si è autenticato, quindi il server lo tratta come un estraneo.
smtp-relay-denied-cause-wrong-server = Il programma sta parlando con un server che non è il suo server di posta in uscita, per esempio il server di posta in arrivo (MX) del dominio sulla porta 25.
smtp-relay-denied-cause-network = Il dispositivo conta sul fatto che il suo indirizzo IP sia fidato, ma l'indirizzo non è (o non è più) nell'elenco del server.
smtp-relay-denied-fix-login = Attiva l'autenticazione per il server della posta in uscita con l'indirizzo e la password della casella.
smtp-relay-denied-fix-server = Usa il server di posta in uscita indicato dal provider, sulla porta 587 con STARTTLS o sulla 465 con SSL/TLS.
smtp-relay-denied-fix-allow = Se il dispositivo non può autenticarsi, aggiungi il suo indirizzo IP fisso alle reti fidate del server (mynetworks di Postfix) o al connettore di inoltro.

## direct_send.external_recipient

direct-send-external-recipient-title = L'invio diretto non raggiunge destinatari esterni all'organizzazione
direct-send-external-recipient-summary = Il dispositivo invia senza accesso all'endpoint MX dell'organizzazione, e Microsoft 365 consegna questa posta solo alle caselle dell'organizzazione. Il destinatario è esterno. La sua risposta: { $reply_line }
direct-send-external-recipient-cause-design = È il funzionamento dell'invio diretto: senza accesso e senza connettore, Microsoft 365 fa da server di posta dei destinatari, non da inoltro verso Internet.
direct-send-external-recipient-cause-no-connector = Se il dispositivo doveva usare l'inoltro SMTP, il connettore che gli permetterebbe di inviare all'esterno manca o non lo riconosce.
direct-send-external-recipient-fix-internal = Con l'invio diretto, invia solo a indirizzi dei domini dell'organizzazione.
direct-send-external-recipient-fix-submission = Per raggiungere destinatari esterni, passa il dispositivo all'invio client: smtp.office365.com, porta 587, STARTTLS, con indirizzo e password di una casella.
direct-send-external-recipient-fix-relay = Oppure configura l'inoltro SMTP: un connettore in ingresso dalla tua organizzazione che riconosca l'indirizzo IP pubblico statico del dispositivo (o il certificato), con quell'indirizzo nel record SPF del dominio.

## relay.connector_ip_changed

relay-connector-ip-changed-title = { $observation ->
    [dns_evidence] Il dispositivo invia da { $ip }, ma il record SPF indica { $old_ips }
   *[other] Il connettore di inoltro non riconosce più il dispositivo
}
relay-connector-ip-changed-summary = { $observation ->
    [dns_evidence] Il record SPF di { $domain } elenca l'indirizzo statico { $old_ips } per i suoi dispositivi, e { $ip } non c'è. Se il dispositivo inoltra tramite un connettore di Microsoft 365 che lo riconosce dall'indirizzo, molto probabilmente anche il connettore indica ancora quello vecchio: la posta verso destinatari esterni allora non parte (5.7.64 TenantAttribution) o finisce nella posta indesiderata.
   *[other] Microsoft 365 si è rifiutato di consegnare il messaggio a un destinatario esterno: il connettore di inoltro che dovrebbe garantire per il dispositivo non lo ha riconosciuto, e il messaggio è stato trattato come invio diretto. La sua risposta: { $reply_line }
}
relay-connector-ip-changed-cause-ip = L'indirizzo IP pubblico dell'ufficio è cambiato (nuovo fornitore di connettività, nuovo router, indirizzo dinamico) e il connettore riporta ancora quello vecchio.
relay-connector-ip-changed-cause-certificate = Il connettore identifica il mittente tramite certificato, e il dispositivo o il server ora ne presenta uno diverso.
relay-connector-ip-changed-fix-public-ip = Scopri da quale indirizzo pubblico invia ora il dispositivo (per esempio da un computer della stessa rete, con un servizio "qual è il mio IP").
relay-connector-ip-changed-fix-connector = Nell'interfaccia di amministrazione di Exchange apri Flusso di posta > Connettori, modifica il connettore dal server di posta della tua organizzazione e sostituisci il vecchio indirizzo IP (o il nome del certificato) con quello nuovo.
relay-connector-ip-changed-fix-spf = { $observation ->
    [dns_evidence] Aggiorna allo stesso modo il record SPF, aggiungendo il nuovo indirizzo (e togliendo il vecchio quando più nulla invia da lì): { $suggested }
   *[other] Aggiorna anche il record SPF del dominio con il nuovo indirizzo, altrimenti la posta inoltrata finirà nella posta indesiderata.
}
relay-connector-ip-changed-fix-static = Chiedi al fornitore di connettività un indirizzo IP statico: l'inoltro dipende dal fatto che non cambi.

## relay.tenant_attribution

relay-tenant-attribution-title = Microsoft 365 non ha collegato il messaggio inoltrato alla tua organizzazione
relay-tenant-attribution-summary = Microsoft 365 non ha riconosciuto il server mittente come appartenente a nessuna organizzazione, e quindi ha rifiutato l'inoltro (TenantAttribution). La sua risposta: { $reply_line }
relay-tenant-attribution-cause-ip = L'indirizzo IP pubblico statico del dispositivo o del server è cambiato, e il connettore in ingresso riporta ancora quello vecchio.
relay-tenant-attribution-cause-certificate = Il connettore verifica un certificato, e il dispositivo o il server ora presenta un certificato o un nome diverso.
relay-tenant-attribution-cause-no-connector = Per questo mittente non esiste alcun connettore in ingresso, oppure è stato disattivato.
relay-tenant-attribution-fix-public-ip = Verifica da quale indirizzo IP pubblico invia oggi il dispositivo.
relay-tenant-attribution-fix-connector = Aggiorna il connettore in ingresso (interfaccia di amministrazione di Exchange > Flusso di posta > Connettori) con il nuovo indirizzo IP o i dati del nuovo certificato, e verifica che sia attivo.
relay-tenant-attribution-fix-spf = Inserisci lo stesso indirizzo nel record SPF del dominio.
relay-tenant-attribution-fix-submission = Se l'indirizzo non può restare statico, passa il dispositivo all'invio client (smtp.office365.com, porta 587, con accesso).

## relay.wrong_region

relay-wrong-region-title = Il messaggio è arrivato nella regione sbagliata di Microsoft 365
relay-wrong-region-summary = Microsoft 365 ha ricevuto il messaggio in una regione che non ospita la tua organizzazione, perché non è riuscito a capire quale organizzazione lo inviasse. La sua risposta: { $reply_line }
relay-wrong-region-cause-attribution = Il connettore che identifica il dispositivo (per indirizzo IP o certificato) non corrisponde più, quindi il messaggio non viene attribuito al tuo tenant.
relay-wrong-region-cause-endpoint = Il dispositivo invia a un endpoint MX che non è quello della tua organizzazione (copiato da un altro tenant o da una vecchia configurazione).
relay-wrong-region-fix-mx = Imposta come server del dispositivo l'endpoint MX della tua organizzazione (il nome a cui punta il record MX del dominio, che termina con mail.protection.outlook.com).
relay-wrong-region-fix-connector = Aggiorna il connettore in ingresso con l'indirizzo IP o il certificato attuali del dispositivo.
relay-wrong-region-fix-retry = Il codice inizia con 4, quindi il dispositivo potrebbe riprovare da solo; continuerà a fallire finché l'attribuzione non sarà corretta.

## recipient.unknown

recipient-unknown-title = L'indirizzo del destinatario non esiste
recipient-unknown-summary = Il server del destinatario dice che non esiste alcuna casella con questo indirizzo. La sua risposta: { $reply_line }
recipient-unknown-cause-typo = L'indirizzo contiene un errore di battitura, uno spazio di troppo o un dominio sbagliato.
recipient-unknown-cause-gone = La casella esisteva ma è stata eliminata o disattivata (qualcuno che se n'è andato, un indirizzo rinominato).
recipient-unknown-cause-directory = All'interno di un'organizzazione: l'indirizzo manca dalla directory che il server consulta, oppure è un contatto e non una casella.
recipient-unknown-fix-check = Controlla l'indirizzo lettera per lettera, compresa la parte dopo la @.
recipient-unknown-fix-other-way = Conferma l'indirizzo attuale con il destinatario attraverso un altro canale.
recipient-unknown-fix-m365-dbeb = Se l'indirizzo dovrebbe esistere nella tua organizzazione, verifica che in Exchange Online sia una casella, un gruppo o un utente di posta; il blocco perimetrale basato sulla directory (DBEB) respinge tutto ciò che la directory non conosce.

## mailbox.full

mailbox-full-title = La casella del destinatario è piena
mailbox-full-summary = Il server del destinatario non accetta il messaggio perché il destinatario ha esaurito lo spazio. La sua risposta: { $reply_line }
mailbox-full-cause-storage = La casella del destinatario ha raggiunto la sua quota di spazio (in Google la quota è condivisa con Drive e Foto).
mailbox-full-cause-flood = La casella viene inondata di messaggi (un ciclo, un invio massivo) e il server per ora ne rifiuta altri.
mailbox-full-fix-tell = Avvisa il destinatario, attraverso un altro canale, che la sua casella è piena.
mailbox-full-fix-retry = Un codice che inizia con 4 significa che il server accetterà più avanti: il messaggio si può reinviare quando si libera spazio.
mailbox-full-fix-own = Se la casella piena è quella del tuo dispositivo, svuotane la cartella Posta inviata: i dispositivi che conservano una copia di ogni scansione la riempiono.

## recipient.greylisted

recipient-greylisted-title = Il server del destinatario applica il greylisting: rimanda il primo tentativo
recipient-greylisted-summary = Il server del destinatario ha rimandato il messaggio di proposito: rifiuta il primo tentativo di un mittente che non conosce e accetta lo stesso messaggio quando viene reinviato qualche minuto dopo. La sua risposta: { $reply_line }
recipient-greylisted-cause-first-attempt = Greylisting: il server ricorda chi ha provato a inviare (indirizzo, IP di invio, destinatario) e accetta il messaggio solo a un tentativo successivo, perché i programmi di spam raramente riprovano.
recipient-greylisted-cause-no-retry = Il programma che ha inviato non riprova dopo un rifiuto temporaneo (un codice che inizia con 4), così un rinvio diventa un messaggio perso.
recipient-greylisted-fix-retry = Reinvia dopo qualche minuto (di solito da cinque a quindici): lo stesso messaggio viene allora accettato. Un server di posta con una coda lo fa da solo.
recipient-greylisted-fix-queue = In un programma che invia direttamente, tratta una risposta che inizia con 4 come "riprova più tardi": affida la posta a un MTA locale o a una coda che riprova, invece di fallire subito.
recipient-greylisted-fix-whitelist = Se gestisci il server del destinatario (Postgrey, rspamd, milter-greylist), aggiungi il server o la rete di invio alla whitelist del greylisting.

## recipient.restricted

recipient-restricted-title = Il destinatario accetta posta solo da alcuni mittenti
recipient-restricted-summary = L'organizzazione del destinatario ha rifiutato questo mittente per questo destinatario: il gruppo o la casella accetta posta solo da mittenti interni a quell'organizzazione, oppure solo da un elenco di mittenti. Accedere di nuovo non cambia nulla. La sua risposta: { $reply_line }
recipient-restricted-cause-internal-only = Il gruppo o la casella è impostato per accettare posta solo dall'interno della propria organizzazione (mittenti "autenticati", nelle parole di Exchange): la posta di qualsiasi altra organizzazione viene rifiutata, qualunque sia l'accesso del mittente.
recipient-restricted-cause-allowed-list = Il gruppo accetta posta solo dai mittenti del suo elenco consentito, e questo mittente non c'è.
recipient-restricted-cause-blocked-list = Il filtro di posta dell'organizzazione destinataria (Mimecast, Trend Micro, Barracuda, Sophos e simili) ha il tuo indirizzo, il tuo dominio o il tuo server di invio nell'elenco dei mittenti bloccati, oppure rifiuta la posta dalla tua rete per una sua regola.
recipient-restricted-fix-ask = Chiedi al destinatario (o al proprietario del gruppo) di consentire al tuo indirizzo di scrivergli, oppure scrivi all'indirizzo personale di una persona invece che al gruppo.
recipient-restricted-fix-admin = Se il destinatario è nella tua organizzazione: nell'interfaccia di amministrazione di Exchange apri il gruppo o la casella, Impostazioni o Gestione recapito, e consenti i mittenti esterni all'organizzazione o aggiungi questo mittente (PowerShell: Set-DistributionGroup -Identity GRUPPO -RequireSenderAuthenticationEnabled $false).

## server.service_unavailable

server-service-unavailable-title = Il servizio di posta del server in questo momento non accetta posta
server-service-unavailable-summary = Il server ha risposto che il suo servizio di posta non è disponibile: al momento non accetta messaggi da nessuno, qualunque siano le impostazioni del mittente. La sua risposta: { $reply_line }
server-service-unavailable-cause-maintenance = Il servizio di posta del server è fermo, si sta riavviando o è in manutenzione (in Exchange, un componente di trasporto rimasto nello stato "Draining" o "Inactive" dopo un aggiornamento).
server-service-unavailable-cause-overload = Il server è sovraccarico o si sta spegnendo e per ora rifiuta nuove sessioni.
server-service-unavailable-fix-retry = Riprova più tardi: un codice che inizia con 4 indica un rifiuto temporaneo, e un server di posta riprova da solo.
server-service-unavailable-fix-admin = Se il rifiuto continua, l'amministratore del server deve controllare il servizio di posta (i suoi log; in Exchange, Get-ServerComponentState per HubTransport e FrontendTransport).

## server.insufficient_resources

server-exchange-proxy-failed-title = Exchange non è riuscito a passare la sessione al proprio server di posta
server-exchange-proxy-failed-summary = Il server Exchange che ha risposto ha accettato la connessione ma non è riuscito a passarla al server che consegna la posta (il suo front end non raggiunge il servizio di trasporto). Il mittente, la password e il messaggio non c'entrano. La sua risposta: { $reply_line }
server-exchange-proxy-failed-cause-dns = Il server Exchange risolve male i propri nomi: la scheda di rete punta a un server DNS che non conosce il dominio interno, oppure una voce del file hosts è vecchia.
server-exchange-proxy-failed-cause-transport = Il servizio Microsoft Exchange Transport sul server delle cassette postali è fermo, in avvio o rifiuta le sessioni.
server-exchange-proxy-failed-cause-connector = È stato modificato un connettore di ricezione (binding o intervalli di indirizzi remoti) e la sessione inoltrata dal front end viene rifiutata.
server-exchange-proxy-failed-fix-retry = Riprova più tardi: una risposta 4xx è temporanea e un server di posta ritenta da solo.
server-exchange-proxy-failed-fix-dns = Sul server Exchange, verifica che la scheda di rete usi i server DNS interni (i domain controller) e che il nome del server si risolva nel suo indirizzo (nslookup del nome, Get-TransportService | Format-List *DNS*).
server-exchange-proxy-failed-fix-services = Verifica che i servizi Microsoft Exchange Transport e Frontend Transport siano avviati e che i connettori di ricezione predefiniti abbiano ancora i binding originali (Get-ReceiveConnector), poi leggi il log di protocollo del front end per lo stesso minuto.

server-insufficient-resources-title = Il server del destinatario è a corto di spazio su disco o di memoria
server-insufficient-resources-summary = Il server ha rifiutato il messaggio perché gli mancano risorse proprie (spazio su disco per la coda, memoria), non per colpa del mittente o del destinatario. La sua risposta: { $reply_line }
server-insufficient-resources-cause-disk = Il disco che contiene la coda di posta del server è (quasi) pieno.
server-insufficient-resources-cause-back-pressure = Il server si protegge sotto carico: la back pressure di Exchange rifiuta la posta quando lo spazio su disco o la memoria libera scendono sotto le sue soglie.
server-insufficient-resources-fix-retry = Riprova più tardi: un codice che inizia con 4 significa che il server accetterà quando si sarà ripreso.
server-insufficient-resources-fix-admin = L'amministratore del server deve liberare spazio su disco o memoria (in Exchange, il disco del database della coda; vedi gli eventi di back pressure nel registro applicazioni).

## message.too_large

message-too-large-title = Il messaggio è troppo grande per il server
message-too-large-summary = { $host } ha rifiutato il messaggio per le sue dimensioni. La sua risposta: { $reply_line }
message-too-large-cause-gmail = Gmail accetta messaggi fino a 25 MB, contati dopo la codifica: un allegato di circa 18 MB basta già a raggiungerli.
message-too-large-cause-m365 = I limiti predefiniti di Microsoft 365 sono 35 MB in invio e 36 MB in ricezione per messaggio (un amministratore può alzarli fino a 150 MB), contati dopo la codifica.
message-too-large-cause-attachment = Gli allegati crescono di circa un terzo quando vengono codificati per la posta, quindi un file vicino al limite lo supera.
message-too-large-cause-scan = Uno scanner impostato ad alta risoluzione o a colori produce PDF molto grandi.
message-too-large-fix-smaller = Invia meno allegati o allegati più piccoli, oppure comprimili.
message-too-large-fix-link = Per i file grandi condividi un collegamento (OneDrive, Google Drive, un file server) invece di allegarli.
message-too-large-fix-scanner = Sullo scanner abbassa la risoluzione (200-300 dpi bastano per i documenti), usa il bianco e nero o dividi il lavoro.
message-too-large-fix-m365-limit = Alza il limite della casella se serve davvero: Set-Mailbox -Identity { $user } -MaxSendSize 50MB (fino a 150MB).
message-too-large-fix-server-limit = Sul tuo server, alza il limite di dimensione se necessario (Postfix: message_size_limit; e la quota della casella).

## spf.ip_not_authorized

spf-ip-not-authorized-title = { $observation ->
    [dns_evidence] { $ip } non è autorizzato dal record SPF di { $domain } ({ $result })
   *[other] L'indirizzo IP di invio non è nel record SPF del dominio
}
spf-ip-not-authorized-summary = { $observation ->
    [dns_evidence] Valutato per { $ip }, il record SPF di { $domain } finisce con { $result } su { $mechanism }: chi riceve considera la posta da questo indirizzo come non inviata da { $domain } e { $result ->
            [softfail] quasi sempre la mette nella posta indesiderata
           *[other] la rifiuta o la mette nella posta indesiderata
        }.
   *[other] Il server del destinatario ha controllato il record SPF del dominio mittente, e l'indirizzo da cui è partita la posta non vi compare. La sua risposta: { $reply_line }
}
spf-ip-not-authorized-cause-missing = Il dispositivo o il server invia direttamente dalla tua rete, e il record SPF del dominio non ha mai elencato il tuo indirizzo IP pubblico.
spf-ip-not-authorized-cause-changed = La rete o il fornitore di connettività ha cambiato l'indirizzo statico, e il record SPF riporta ancora quello vecchio.
spf-ip-not-authorized-cause-other-server = La posta esce da un server o da un servizio che non è mai stato aggiunto al record.
spf-ip-not-authorized-cause-dynamic = La connessione ha un indirizzo dinamico, che non si può elencare in modo affidabile.
spf-ip-not-authorized-fix-add = { $observation ->
    [dns_evidence] Aggiungi l'indirizzo al record presso il tuo provider DNS, lasciando tutto il resto com'è: { $suggested }
   *[other] Aggiungi l'indirizzo IP pubblico al record TXT SPF del dominio (per esempio v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com -all) presso il tuo provider DNS.
}
spf-ip-not-authorized-fix-m365 = Per l'invio diretto e l'inoltro SMTP con Microsoft 365, l'SPF deve contenere sia include:spf.protection.outlook.com sia l'indirizzo IP statico da cui invia il dispositivo.
spf-ip-not-authorized-fix-submission = Se non puoi inviare da un indirizzo statico, usa l'invio client (con accesso al server di invio del provider), i cui server sono già coperti dall'SPF.
spf-ip-not-authorized-fix-check = Ricontrolla dopo aver modificato il record: mailprobe dns { $domain } --ip { $ip } (le cache DNS possono tenere il record vecchio per tutto il suo TTL).

## spf.fail

spf-fail-title = Il server del destinatario ha rifiutato la posta perché non ha superato l'autenticazione del mittente
spf-fail-summary = Il server del destinatario ha verificato chi può inviare per il dominio mittente (SPF, DKIM, DMARC), e questo messaggio non ha superato la verifica. La sua risposta: { $reply_line }
spf-fail-cause-spf = Il record SPF del dominio mittente non copre il server da cui è partito questo messaggio.
spf-fail-cause-dkim = Il messaggio non ha una firma DKIM valida per il dominio del mittente, quindi nient'altro può garantire per lui.
spf-fail-cause-dmarc = Il dominio pubblica un criterio DMARC che chiede di rifiutare la posta che non supera l'allineamento né di SPF né di DKIM.
spf-fail-fix-check = Consulta i record SPF, DKIM e DMARC del dominio mittente (mailprobe dns DOMINIO, o un qualunque verificatore SPF) e confrontali con il server che ha inviato il messaggio.
spf-fail-fix-submission = Invia tramite il provider del dominio stesso (invio client con accesso), i cui server sono già coperti dai record, invece che direttamente da un dispositivo.
spf-fail-fix-dkim = Attiva la firma DKIM per il dominio presso il suo provider di posta e pubblica le chiavi nel DNS.
spf-fail-fix-m365 = In Microsoft 365 attiva DKIM per il dominio (portale di Microsoft Defender > Impostazioni di autenticazione della posta elettronica > DKIM) e assicurati che l'SPF includa spf.protection.outlook.com.
spf-fail-fix-gmail-guidelines = Gmail richiede a ogni mittente di autenticarsi con SPF o DKIM, e a chi invia grandi volumi entrambi più DMARC: vedi le linee guida di Google per i mittenti.

## ip.blocklisted

ip-blocklisted-title = { $observation ->
    [dns_evidence] { $ip } è in una blocklist: { $lists }
   *[other] L'indirizzo IP di invio è in una blocklist
}
ip-blocklisted-summary = { $observation ->
    [dns_evidence] In elenco: { $answers }. Microsoft 365, Gmail e quasi tutti i destinatari rifiutano o filtrano la posta da indirizzi in elenco: la posta inviata direttamente da questo indirizzo (invio diretto, inoltro, un server tuo) non passa finché non viene rimosso.
   *[other] Il server del destinatario ha rifiutato la connessione o il messaggio per l'indirizzo di provenienza, che una blocklist indica come fonte di spam. La sua risposta: { $reply_line }
}
ip-blocklisted-cause-m365-banned = Microsoft 365 tiene un proprio elenco di indirizzi di invio esclusi (codici da 5.7.606 a 5.7.649), dopo che ne è partito dello spam.
ip-blocklisted-cause-listed = Una blocklist pubblica (Spamhaus, Barracuda, SpamCop...) elenca l'indirizzo dopo aver visto spam o trappole antispam partire da lì.
ip-blocklisted-cause-dynamic = L'indirizzo appartiene a un intervallo domestico o mobile che le liste segnano come "non destinato a inviare posta direttamente".
ip-blocklisted-cause-infected = Un computer o un dispositivo della tua rete è infetto e invia spam dallo stesso indirizzo pubblico.
ip-blocklisted-cause-shared = L'indirizzo è condiviso con altri (il NAT di un provider, una piattaforma di hosting) e lo spam lo ha inviato qualcun altro.
ip-blocklisted-fix-lookup = Cerca l'indirizzo con un verificatore di blocklist (MXToolbox, o la pagina di ricerca della lista stessa) per vedere quali liste lo riportano e perché.
ip-blocklisted-fix-clean = Trova e ferma la fonte dello spam nella tua rete prima di chiedere la rimozione, altrimenti l'indirizzo verrà inserito di nuovo.
ip-blocklisted-fix-m365-delist = Per l'elenco di Microsoft, chiedi la rimozione su sender.office.com e segui i passaggi indicati.
ip-blocklisted-fix-delist = { $observation ->
    [dns_evidence] Poi chiedi a ciascun elenco di rimuovere l'indirizzo: { $delist }
   *[other] Poi segui la procedura di rimozione di ogni lista che riporta l'indirizzo.
}
ip-blocklisted-fix-submission = Nel frattempo, o per sempre se l'indirizzo è dinamico, invia tramite il server di invio del provider con accesso invece che direttamente.

## rate.throttled

rate-throttled-title = Il server sta rallentando questo mittente
rate-throttled-summary = { $host } limita la velocità con cui questo mittente può connettersi o inviare, e per ora ha rifiutato. La sua risposta: { $reply_line }
rate-throttled-cause-too-fast = Sono stati inviati troppi messaggi in poco tempo da questo indirizzo o account.
rate-throttled-cause-connections = Ci sono troppe connessioni aperte insieme (più dispositivi, o un programma che ne apre una per messaggio).
rate-throttled-cause-reputation = Il destinatario vede posta insolita o indesiderata da questo indirizzo e la rallenta (Gmail lo chiama "tasso insolito").
rate-throttled-fix-wait = Aspetta e riprova più tardi: un codice che inizia con 4 significa che il rifiuto è temporaneo.
rate-throttled-fix-slow-down = Invia meno messaggi al minuto, riusa una sola connessione per molti messaggi e, dopo ogni rifiuto temporaneo, aspetta sempre più a lungo.
rate-throttled-fix-one-connection = Assicurati che un solo dispositivo o programma alla volta invii con questo account o da questo indirizzo.
rate-throttled-fix-gmail-guidelines = Verifica che la posta rispetti le linee guida di Gmail per i mittenti (SPF o DKIM, poche segnalazioni di spam), che decidono con che velocità Gmail la lascia entrare.

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

## tls.required_by_receiver

tls-required-by-receiver-title = Il dominio del destinatario accetta posta solo su connessione cifrata
tls-required-by-receiver-summary = { $host } richiede TLS per questo destinatario, e il messaggio stava per viaggiare in chiaro. La sua risposta: { $reply_line }
tls-required-by-receiver-cause-policy = Il dominio del destinatario, o un connettore davanti a esso, impone TLS per ogni messaggio in arrivo.
tls-required-by-receiver-cause-plain-hop = Il dispositivo o l'inoltro invia sulla porta 25 senza STARTTLS (cifratura spenta nelle impostazioni, o nessun supporto TLS).
tls-required-by-receiver-cause-stripped = Qualcosa nella rete ha tolto l'offerta di STARTTLS, e il mittente ha proseguito in chiaro.
tls-required-by-receiver-fix-enable = Attiva TLS/STARTTLS nelle impostazioni di posta del dispositivo o dell'applicazione; se non supporta TLS 1.2, aggiornane il firmware.
tls-required-by-receiver-fix-relay = Su un server di inoltro che gestisci, rendi il TLS in uscita almeno opportunistico (Postfix: smtp_tls_security_level = may) e controlla il suo archivio di certificati.
tls-required-by-receiver-fix-m365-connector = Se un connettore di Microsoft 365 richiede TLS da questo dispositivo, fai usare TLS 1.2 al dispositivo oppure allenta per lui il requisito TLS del connettore.
tls-required-by-receiver-fix-middlebox = Verifica che nessuna "ispezione SMTP" del firewall tolga STARTTLS in uscita.

## tls.starttls_not_offered

tls-starttls-not-offered-title = Il server non offre STARTTLS
tls-starttls-not-offered-summary = { $observation ->
    [client_error] Il programma era impostato per usare STARTTLS, ma { $host } non lo elenca tra le sue estensioni, quindi si è fermato prima di inviare qualcosa di riservato (“{ $message }”).
    [reply] { $host } non offre la cifratura su questa connessione. La sua risposta: { $reply_line }
    [imap_no] { $host } non offre la cifratura su questa connessione. La sua risposta: { $reply_line }
   *[other] È stato chiesto STARTTLS, ma { $host } sulla porta { $port } non lo elenca tra le sue funzioni (offre: { $offered }).
}
tls-starttls-not-offered-cause-middlebox = Un firewall, un antivirus o un apparato del provider tra te e il server toglie STARTTLS dall'elenco; le parole chiave trasformate in X (come XXXXXXXA) lo tradiscono.
tls-starttls-not-offered-cause-server = Il server non ha TLS configurato su questa porta.
tls-starttls-not-offered-cause-wrong-host = Non stai parlando con il server che credi: al suo posto risponde un captive portal o il provider che intercetta la porta.
tls-starttls-not-offered-fix-implicit = Prova SSL/TLS fin dal primo byte sulla porta 465, che un apparato intermedio non può togliere.
tls-starttls-not-offered-fix-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì STARTTLS compare, la colpa è della rete locale.
tls-starttls-not-offered-fix-inspection = Disattiva l'ispezione SMTP sul firewall o la scansione della posta dell'antivirus per questo server.
tls-starttls-not-offered-fix-server = Sul tuo server installa un certificato e abilita TLS (con Postfix: smtpd_tls_cert_file, smtpd_tls_key_file e smtpd_tls_security_level = may).

## tls.starttls_stripped

tls-starttls-stripped-title = Qualcosa nella rete ha nascosto lo STARTTLS del server
tls-starttls-stripped-summary = { $host } sulla porta { $port } dovrebbe offrire STARTTLS, ma la risposta arrivata non lo contiene (offre: { $offered }; parole chiave nascoste dietro delle X: { $masked }). Qualcosa tra te e il server l'ha tolto.
tls-starttls-stripped-cause-firewall = L'ispezione SMTP o ESMTP di un firewall (Cisco ASA e altri) sostituisce STARTTLS nella risposta del server, per continuare a leggere la posta.
tls-starttls-stripped-cause-antivirus = Lo "scudo posta" di un antivirus si mette tra il programma e il server e non fa passare STARTTLS.
tls-starttls-stripped-cause-isp = Il fornitore di connettività, o la rete di un albergo o per ospiti, intercetta le porte della posta e risponde con un proprio server.
tls-starttls-stripped-fix-inspection = Disattiva l'ispezione SMTP/ESMTP sul firewall (su un Cisco ASA: no inspect esmtp) oppure escludine il server di posta.
tls-starttls-stripped-fix-antivirus = Disattiva la scansione della posta in uscita dell'antivirus, oppure escludine questo server.
tls-starttls-stripped-fix-other-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì compare STARTTLS, la colpa è della rete locale.
tls-starttls-stripped-fix-implicit = Usa SSL/TLS fin dal primo byte (la porta 465, dove il server la offre): un dispositivo intermedio non può togliere ciò che è cifrato dall'inizio.

## tls.unavailable

tls-unavailable-title = Il server offre STARTTLS ma non riesce ad avviarlo
tls-unavailable-summary = { $host } elencava STARTTLS ma si è rifiutato di iniziare la cifratura quando gli è stato chiesto. La sua risposta: { $reply_line }
tls-unavailable-cause-server-config = La configurazione TLS del server è guasta: un certificato o una chiave mancanti o illeggibili, permessi sbagliati, o un percorso errato nella configurazione.
tls-unavailable-cause-temporary = Un problema temporaneo sul server (un ricaricamento in corso, entropia insufficiente, troppe sessioni TLS).
tls-unavailable-fix-retry = Riprova tra qualche minuto: un codice che inizia con 4 può essere temporaneo.
tls-unavailable-fix-implicit = Prova SSL/TLS sulla porta 465 se il server la offre: potrebbe usare una configurazione funzionante.
tls-unavailable-fix-server = Sul server, leggi il log della posta all'ora del tentativo (Postfix scrive "cannot load certificate" o simili), correggi percorsi e permessi di certificato e chiave, e ricarica.

## tls.mode_mismatch

tls-mode-mismatch-title = Modalità di cifratura sbagliata per questa porta
tls-mode-mismatch-summary = { $evidence ->
    [live] La porta { $asked_port } di { $host } non parla { $asked_security }: un secondo tentativo con { $working_security } sulla porta { $working_port } ha ricevuto il saluto del server.
   *[other] { $observation ->
        [client_error] { $client_code ->
            [timeout] Il programma ha smesso di aspettare prima che il server dicesse qualcosa, su una connessione aperta senza cifratura. Su una porta che vuole SSL/TLS fin dal primo byte (la 465) i due lati si aspettano a vicenda finché il tempo scade; System.Net.Mail.SmtpClient di .NET comincia sempre così (parla solo SMTP in chiaro, poi protetto con STARTTLS). Una porta bloccata o un server muto finiscono allo stesso modo, per questo sono elencati anche loro.
           *[other] Il programma e il server non sono d'accordo sul tipo di crittografia per questa porta: uno si aspetta SSL/TLS fin dal primo byte, l'altro testo in chiaro poi protetto con STARTTLS (l'errore del programma, come "wrong version number", mostra che ha ricevuto testo in chiaro dove si aspettava TLS).
        }
       *[other] Il programma e il server non sono d'accordo sul tipo di crittografia per questa porta: uno si aspetta SSL/TLS fin dal primo byte, l'altro testo in chiaro poi protetto con STARTTLS (l'errore del programma, come "wrong version number", mostra che ha ricevuto testo in chiaro dove si aspettava TLS).
    }
}
tls-mode-mismatch-cause-pair = { $protocol ->
    [IMAP] L'impostazione di cifratura non corrisponde alla porta: la 993 vuole SSL/TLS fin dal primo byte, mentre la 143 parte in chiaro e passa alla cifratura con STARTTLS.
   *[other] L'impostazione di cifratura non corrisponde alla porta: la 465 vuole SSL/TLS fin dal primo byte, mentre la 587 e la 25 partono in chiaro e passano alla cifratura con STARTTLS.
}
tls-mode-mismatch-cause-autoconfig = La configurazione automatica o un vecchio profilo ha abbinato la porta alla cifratura sbagliata.
tls-mode-mismatch-fix-use-working = { $evidence ->
    [live] Usa la porta { $working_port } con { $working_security }.
   *[other] Usa una coppia coerente: porta 465 con SSL/TLS, oppure porta 587 con STARTTLS.
}
tls-mode-mismatch-fix-outlook-windows = { $evidence ->
    [live] File > Impostazioni account > Impostazioni account > Cambia > Altre impostazioni > Impostazioni avanzate; imposta la porta del server { $protocol ->
        [IMAP] in entrata
       *[other] in uscita
    } su { $working_port } e il tipo di connessione crittografata su { $working_security }.
   *[other] File > Impostazioni account > Impostazioni account > Cambia > Altre impostazioni > Impostazioni avanzate; imposta porta del server in uscita e tipo di connessione crittografata come coppia coerente: 465 con SSL/TLS, oppure 587 con STARTTLS.
}
tls-mode-mismatch-fix-outlook-macos = { $evidence ->
    [live] Strumenti > Account, seleziona l'account; imposta la porta del server { $protocol ->
        [IMAP] in entrata
       *[other] in uscita
    } su { $working_port } e spunta l'uso di SSL solo per SSL/TLS (porta 465), non per STARTTLS.
   *[other] Strumenti > Account, seleziona l'account; usa la porta 465 con l'uso di SSL spuntato, oppure la porta 587 senza (STARTTLS).
}
tls-mode-mismatch-fix-device = { $evidence ->
    [live] Imposta la porta { $protocol ->
        [IMAP] IMAP
       *[other] SMTP
    } su { $working_port } e la sicurezza su { $working_security } (nei menu può chiamarsi "SSL", "TLS" o "STARTTLS").
   *[other] Imposta porta SMTP e sicurezza come coppia coerente: 465 con SSL/TLS (può chiamarsi "SSL"), oppure 587 con STARTTLS (può chiamarsi "TLS").
}

## tls.version_too_old

tls-version-too-old-title = Il server ha rifiutato la vecchia versione di TLS del client
tls-version-too-old-summary = { $host } accetta solo TLS 1.2 o successivo e ha rifiutato un client che proponeva una versione più vecchia (le prove mostrano quale).
tls-version-too-old-cause-firmware = Il firmware del dispositivo o l'applicazione conosce solo TLS 1.0 o 1.1.
tls-version-too-old-cause-library = Il sistema operativo o il framework sotto l'applicazione dispone di TLS 1.2 ma non lo ha attivo (succede con le impostazioni predefinite di Windows e .NET meno recenti).
tls-version-too-old-fix-update = Aggiorna il firmware del dispositivo o l'applicazione a una versione con TLS 1.2; se non ce n'è, chiedi al produttore.
tls-version-too-old-fix-developer = Nella tua applicazione consenti esplicitamente TLS 1.2 e 1.3, oppure eseguila su un runtime che li usa già di default.
tls-version-too-old-fix-m365-legacy = Come soluzione temporanea in Microsoft 365, consenti i client TLS legacy (Set-TransportConfig -AllowLegacyTLSClients $true) e indirizza il dispositivo a smtp-legacy.office365.com.
tls-version-too-old-fix-optional-tls = Oppure invia lungo un percorso in cui TLS è facoltativo (invio diretto o connettore di inoltro sulla porta 25, oppure un relay locale che prosegue con un TLS attuale).

## tls.client_too_old

tls-client-too-old-title = Il programma di posta o il sistema è troppo vecchio per la cifratura richiesta dal server
tls-client-too-old-summary = { $observation ->
    [tls_failed] Il client non è riuscito a concordare una connessione sicura con il server: { $detail }. Le sue librerie di sicurezza sono troppo vecchie per ciò che il server richiede (TLS 1.2 o successivo).
    [client_error] Il client non è riuscito a concordare una connessione sicura con il server: { $message }. Le sue librerie di sicurezza sono troppo vecchie per ciò che il server richiede (TLS 1.2 o successivo).
   *[other] Il server ha rifiutato la cifratura della connessione perché troppo debole: le librerie di sicurezza del client sono troppo vecchie per ciò che il server richiede (TLS 1.2 o successivo, cifrari robusti). La sua risposta: { $reply_line }
}
tls-client-too-old-cause-os = Il sistema operativo non è aggiornato, e il programma di posta si affida alle sue librerie di cifratura.
tls-client-too-old-cause-outlook = Una vecchia versione di Outlook non usa in modo predefinito TLS 1.2 né l'accesso moderno.
tls-client-too-old-cause-framework = L'applicazione gira su un framework con impostazioni predefinite vecchie (.NET o Java datati) che non offre TLS 1.2 se non glielo si chiede.
tls-client-too-old-fix-macos = Aggiorna macOS (Impostazioni di Sistema > Generali > Aggiornamento software) e Outlook (Microsoft AutoUpdate).
tls-client-too-old-fix-windows = Esegui Windows Update e aggiorna Office (File > Account di Office > Opzioni di aggiornamento > Aggiorna ora).
tls-client-too-old-fix-developer = Abilita esplicitamente TLS 1.2 e 1.3 (per .NET Framework: SecurityProtocolType.Tls12 e l'impostazione di registro SchUseStrongCrypto), oppure passa a un runtime attuale.
tls-client-too-old-fix-device = Aggiorna il firmware del dispositivo; se nessun aggiornamento porta TLS 1.2, invia tramite un inoltro locale che prosegua con un TLS attuale.

## tls.intercepted

tls-intercepted-title = La connessione viene intercettata: il certificato non è quello del server di posta
tls-intercepted-summary = Il certificato presentato per { $server_name } non è quello del server di posta (emittente: { $issuer }): un software o un dispositivo tra te e il server decifra e ricifra il traffico.
tls-intercepted-cause-antivirus = Un antivirus con "scansione HTTPS", "scansione SSL" o uno "scudo posta" rifirma le connessioni cifrate con un proprio certificato (Avast, AVG, Kaspersky, ESET, Bitdefender e altri).
tls-intercepted-cause-proxy = Un proxy o un firewall aziendale esegue l'ispezione TLS ("break and inspect").
tls-intercepted-cause-portal = La rete di un albergo, per ospiti o con portale di accesso risponde al posto del server.
tls-intercepted-fix-issuer = L'emittente indicato sopra dice quale prodotto lo fa: aprine le impostazioni e cerca la scansione delle connessioni cifrate o della posta.
tls-intercepted-fix-exception-gmail = Disattiva quella scansione per una prova; se l'invio allora funziona, lasciala attiva ma aggiungi eccezioni per smtp.gmail.com:587 e imap.gmail.com:993.
tls-intercepted-fix-exception-m365 = Disattiva quella scansione per una prova; se l'invio allora funziona, lasciala attiva ma aggiungi eccezioni per smtp.office365.com:587 (smtp-mail.outlook.com:587 per Outlook.com) e outlook.office365.com:993.
tls-intercepted-fix-exception = Disattiva quella scansione per una prova; se l'invio allora funziona, aggiungi un'eccezione per { $host } sulla porta { $port }.
tls-intercepted-fix-other-network = Prova da un'altra rete, per esempio l'hotspot del telefono: lì compare il vero certificato del provider.
tls-intercepted-fix-openssl = Per vedere tu stesso il certificato: openssl s_client -starttls smtp -connect { $host }:{ $port } -crlf -quiet (oppure -connect host:465 o host:993 per le porte SSL/TLS) e leggi la riga dell'emittente.

## tls.cert_untrusted

tls-cert-untrusted-title = Il certificato del server non è attendibile
tls-cert-untrusted-summary = { $observation ->
    [client_error] Il programma non è riuscito ad avviare una connessione cifrata con { $host } e non ha detto perché; il motivo più probabile è un certificato del server di cui non si fida (autofirmato, o di un'autorità privata). Il suo messaggio: { $reply_line }
   *[other] { $self_signed ->
        [yes] Il certificato presentato da { $server_name } è autofirmato (indica sé stesso, { $issuer }, come emittente): nessuna autorità di cui questo computer si fida lo garantisce.
       *[other] Il certificato presentato da { $server_name } non risale a un'autorità di certificazione di cui questo computer si fida (emesso da: { $issuer }).
    }
}
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
tls-cert-hostname-mismatch-summary = { $observation ->
    [client_error] Il certificato del server non è emesso per il nome a cui il programma si è collegato (“{ $message }”).
   *[other] Il certificato presentato da { $host } non è emesso per { $server_name }; riporta i nomi: { $names }.
}
tls-cert-hostname-mismatch-cause-alias = Il programma usa un nome che porta al server ma non compare nel suo certificato: un alias, un vecchio nome o un indirizzo IP.
tls-cert-hostname-mismatch-cause-interception = Qualcosa tra te e il server presenta un proprio certificato intestato a un altro nome.
tls-cert-hostname-mismatch-cause-server = Il server presenta il certificato sbagliato, per esempio quello di un altro sito che ospita.
tls-cert-hostname-mismatch-fix-name = { $observation ->
    [client_error] Nel programma imposta come nome del server un nome scritto nel certificato del server (il messaggio lo mostra), mai un indirizzo IP.
   *[other] Nel programma imposta come nome del server uno di quelli scritti nel certificato ({ $names }), mai un indirizzo IP.
}
tls-cert-hostname-mismatch-fix-issuer = Se quei nomi non hanno niente a che fare con il tuo provider, verifica se un antivirus, un proxy o un firewall intercetta il traffico, come per un certificato non attendibile.
tls-cert-hostname-mismatch-fix-server = Sul server installa un certificato che copra il nome usato dai client.

## tls.local_ca_bundle_missing

tls-local-ca-bundle-missing-title = Il server di invio non può verificare alcun certificato: manca l'elenco delle autorità
tls-local-ca-bundle-missing-summary = { $observation ->
    [client_error] { $client_code ->
        [77] Il programma non è riuscito a leggere il file delle autorità di certificazione fidate che è impostato a usare, quindi non può verificare il certificato di nessun server: { $reply_line }
       *[other] { $no_roots ->
            [x509] Il programma non ha alcun elenco di autorità di certificazione attendibili, quindi non può verificare il certificato di nessun server: { $reply_line }
           *[other] Il log del server di posta dice che ha stabilito TLS senza poter verificare il certificato dell'altro server ("Untrusted"). Se lo scrive anche per i grandi provider, i cui certificati sono riconosciuti da ogni sistema, il server di invio non ha un elenco di autorità attendibili con cui verificare. La sua riga: { $reply_line }
        }
    }
   *[other] { $no_roots ->
        [x509] Il programma non ha alcun elenco di autorità di certificazione attendibili, quindi non può verificare il certificato di nessun server: { $reply_line }
       *[other] Il log del server di posta dice che ha stabilito TLS senza poter verificare il certificato dell'altro server ("Untrusted"). Se lo scrive anche per i grandi provider, i cui certificati sono riconosciuti da ogni sistema, il server di invio non ha un elenco di autorità attendibili con cui verificare. La sua riga: { $reply_line }
    }
}
tls-local-ca-bundle-missing-cause-path = Il file o la cartella delle autorità che il programma è impostato a usare (--cacert o CURL_CA_BUNDLE di curl, l'impostazione della libreria, un percorso di un'altra distribuzione) non esiste in quel punto o non è leggibile.
tls-local-ca-bundle-missing-cause-cafile = smtp_tls_CAfile e smtp_tls_CApath di Postfix non sono impostati (o smtp_tls_CApath indica una cartella vuota), quindi nessun certificato può essere verificato.
tls-local-ca-bundle-missing-cause-chroot = Il client smtp gira in chroot (la colonna chroot di master.cf) e il percorso delle autorità non è dentro il chroot.
tls-local-ca-bundle-missing-cause-peer = Se solo una destinazione risulta "Untrusted", quel server usa un certificato autofirmato o di un'autorità privata, e dalla tua parte non si può correggere.
tls-local-ca-bundle-missing-cause-image = Il programma gira in un'immagine container (o in un sistema minimo) senza certificati CA installati: un'immagine costruita FROM scratch o una base ridotta senza il pacchetto ca-certificates.
tls-local-ca-bundle-missing-fix-cafile = Imposta smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt (o l'elenco del tuo sistema) in main.cf, poi esegui postfix reload; il log dovrebbe allora scrivere "Trusted" o "Verified" per i grandi provider.
tls-local-ca-bundle-missing-fix-check = Controlla che il file esista dove il client smtp può leggerlo (dentro il chroot se il client è in chroot) e che il pacchetto ca-certificates sia installato e aggiornato.
tls-local-ca-bundle-missing-fix-image = Installa i certificati CA dove gira il programma (Debian/Ubuntu: apt-get install ca-certificates; Alpine: apk add ca-certificates; FROM scratch: copia /etc/ssl/certs/ca-certificates.crt nell'immagine), poi riavvialo.

## tls.cert_invalid

tls-cert-invalid-title = Il certificato del server è stato rifiutato perché inutilizzabile
tls-cert-invalid-summary = Il certificato di { $server_name } non è utilizzabile: { $detail }.
tls-cert-invalid-cause-revoked = Il certificato è stato revocato dalla sua autorità.
tls-cert-invalid-cause-malformed = Il certificato è malformato o non adatto a un server (uso della chiave sbagliato, un certificato di CA usato come certificato del server, un algoritmo che il client non accetta più).
tls-cert-invalid-cause-interception = Un antivirus o un proxy che ispeziona il traffico presenta un certificato fatto da sé.
tls-cert-invalid-fix-detail = Leggi il motivo nelle prove e chi ha emesso il certificato: se è il tuo antivirus o firewall, disattiva la sua scansione della posta cifrata.
tls-cert-invalid-fix-reissue = Sul server, emetti un vero certificato per server (ad esempio da Let's Encrypt) e ricarica i servizi di posta.

## tls.cert_is_ca

tls-cert-is-ca-title = Il certificato del server è marcato come autorità di certificazione
tls-cert-is-ca-summary = Il certificato di { $server_name } ({ $subject }) dichiara CA:TRUE. La maggior parte dei programmi di posta lo accetta una volta reso attendibile, ma i client più rigorosi (programmi basati su rustls, alcuni apparecchi) rifiutano un certificato di CA come certificato di un server.
tls-cert-is-ca-cause-openssl-default = È stato creato con "openssl req -x509", le cui impostazioni predefinite (OpenSSL 3) lo marcano come CA.
tls-cert-is-ca-fix-reissue = Crea un nuovo certificato con -addext basicConstraints=critical,CA:FALSE (o fattelo rilasciare da una vera autorità come Let's Encrypt), installalo e ricarica i servizi di posta.

## tls.cert_chain_too_large

tls-cert-chain-too-large-title = La catena di certificati del server è troppo grande
tls-cert-chain-too-large-summary = Durante l'handshake TLS sulla porta { $port }, { $host } ha inviato un messaggio di certificati più grande di 64 KB; i client TLS rifiutano messaggi così grandi, quindi la cifratura non si può stabilire.
tls-cert-chain-too-large-cause-extra-certs = Il server è configurato per inviare molti più certificati di quanti ne servano alla catena (un intero bundle di CA invece del suo certificato e degli intermedi).
tls-cert-chain-too-large-cause-huge-cert = Un certificato della catena è insolitamente grande (migliaia di nomi, grandi dati incorporati).
tls-cert-chain-too-large-fix-trim = Sul server, invia solo il certificato del server e gli intermedi che portano alla radice, non un intero bundle di CA; openssl s_client -showcerts elenca cosa invia ora.
tls-cert-chain-too-large-fix-other-server = Finché non è corretto, usa un altro server o un'altra porta del provider, se c'è.

## tls.cert_expired

tls-cert-expired-title = Il certificato del server è scaduto o non ancora valido
tls-cert-expired-summary = Secondo l'orologio di questo computer, il certificato di { $server_name } è scaduto o non ancora valido (validità: da { $not_before } a { $not_after }).
tls-cert-expired-cause-renewal = Il certificato del server è davvero scaduto: il rinnovo non è riuscito, oppure è stato rinnovato ma il server di posta non è stato ricaricato.
tls-cert-expired-cause-clock = La data di questo computer è sbagliata (molto probabile se il certificato risulta "non ancora valido").
tls-cert-expired-cause-interception = Un antivirus o un proxy che ispeziona il traffico presenta un proprio certificato, scaduto.
tls-cert-expired-fix-clock = Controlla data, ora e fuso orario di questo computer e impostali in modo che si aggiornino da soli.
tls-cert-expired-fix-renew = Sul server rinnova il certificato e ricarica i servizi di posta (Postfix e Dovecot lo leggono solo all'avvio o al ricaricamento).
tls-cert-expired-fix-no-bypass = Non disattivare il controllo dei certificati per aggirare il problema: esporresti la password a chiunque stia nel mezzo.

## clock.skew

clock-skew-title = L'orologio di questo computer è sbagliato
clock-skew-summary = Data e ora di questo computer differiscono da quelle del server di più di qualche minuto. Così i certificati sembrano scaduti o non ancora validi, e i token di accesso vengono rifiutati.
clock-skew-cause-not-synced = L'impostazione automatica di data e ora è spenta, oppure non raggiunge un server dell'ora.
clock-skew-cause-time-zone = Il fuso orario è sbagliato, quindi l'orologio sbaglia di ore intere anche se l'ora locale sembra giusta.
clock-skew-cause-battery = Su un dispositivo o un computer vecchio, la batteria dell'orologio scarica azzera la data a ogni riavvio.
clock-skew-fix-macos = Su un Mac apri Impostazioni di Sistema > Generali > Data e ora e attiva "Imposta data e ora automaticamente", con il fuso orario giusto.
clock-skew-fix-windows = Su Windows apri Impostazioni > Data/ora e lingua > Data e ora, attiva "Imposta l'ora automaticamente" e "Imposta automaticamente il fuso orario", poi premi "Sincronizza ora".
clock-skew-fix-device = Su un dispositivo, imposta un server dell'ora NTP nelle impostazioni di rete (per esempio pool.ntp.org o l'indirizzo del router) e il fuso orario giusto.
clock-skew-fix-retry = Poi accedi di nuovo: i token emessi mentre l'orologio era sbagliato potrebbero andare sostituiti.

## clock.drift

clock-drift-title = L'orologio di questo computer è { $clock ->
        [ahead] avanti
       *[behind] indietro
    } di { $skew_seconds } secondi
clock-drift-summary = Rispetto a { $reference }, l'orologio di questo computer è { $clock ->
        [ahead] avanti
       *[behind] indietro
    } di { $skew_seconds } secondi. I token di accesso tollerano cinque minuti, quindi per ora non fallisce nulla, ma se l'orologio si sposta ancora i token sembreranno scaduti o non ancora validi.
clock-drift-cause-not-synced = La data e l'ora automatiche sono disattivate, quindi l'orologio si sposta un po' ogni giorno.
clock-drift-cause-ntp-blocked = Il computer non raggiunge il suo server dell'ora (un firewall blocca NTP sulla porta UDP 123), quindi non si corregge più da solo.
clock-drift-cause-suspended = Una macchina virtuale o un portatile è stato messo in pausa o in sospensione e al risveglio l'orologio non è stato corretto.
clock-drift-fix-linux = Su Linux, controlla con `timedatectl` che "System clock synchronized" dica yes, e attiva la sincronizzazione con `timedatectl set-ntp true` (oppure avvia chrony o systemd-timesyncd).

## tls.server_refused_handshake

tls-server-refused-handshake-title = Il server ha rifiutato l'handshake TLS di un client aggiornato
tls-server-refused-handshake-summary = { $host } sulla porta { $port } parla TLS (ha risposto con un avviso TLS, quindi la modalità di cifratura è giusta) ma ha rifiutato un client TLS 1.2/1.3: { $detail }.
tls-server-refused-handshake-cause-config = La configurazione TLS del server è rotta: il suo certificato o la sua chiave non si possono usare con i cifrari che ammette, oppure l'elenco di cifrari o protocolli non ha nulla in comune con i client attuali.
tls-server-refused-handshake-cause-outdated = Il server è vecchio e conosce solo cifrari che i client attuali non offrono più (RC4, 3DES, senza forward secrecy).
tls-server-refused-handshake-cause-middlebox = Un firewall o un proxy nel mezzo interrompe l'handshake.
tls-server-refused-handshake-fix-server-log = Sul server, leggi il log della posta all'ora del tentativo (Postfix: "SSL_accept error", "no shared cipher"; Exim: "gnutls_handshake"), controlla certificato, chiave e impostazioni dei cifrari, e prova con openssl s_client.
tls-server-refused-handshake-fix-report = Se il server non lo gestisci tu, manda questo rapporto a chi lo gestisce: un programma di posta non può risolverlo da solo.

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

## connect.port_blocked

connect-port-blocked-title = Qualcosa nella rete blocca la porta della posta
connect-port-blocked-summary = { $provider ->
    [gmail] La connessione a { $host } sulla porta { $port } non è mai passata. Questo server risponde su quella porta da Internet, quindi il blocco è lungo il percorso: il tuo computer, la tua rete o il tuo fornitore di connettività.
    [m365] La connessione a { $host } sulla porta { $port } non è mai passata. Questo server risponde su quella porta da Internet, quindi il blocco è lungo il percorso: il tuo computer, la tua rete o il tuo fornitore di connettività.
    [outlook] La connessione a { $host } sulla porta { $port } non è mai passata. Questo server risponde su quella porta da Internet, quindi il blocco è lungo il percorso: il tuo computer, la tua rete o il tuo fornitore di connettività.
   *[other] { $port ->
        [25] La connessione a { $host } sulla porta { $port } non è mai andata a buon fine. La 25 è la porta che le reti bloccano più spesso (server nel cloud e connessioni domestiche), quindi la causa più probabile è un blocco lungo il percorso; un server spento o non più a questo indirizzo finisce allo stesso modo.
       *[other] La connessione a { $host } sulla porta { $port } non è mai passata. Questo server risponde su quella porta da Internet, quindi il blocco è lungo il percorso: il tuo computer, la tua rete o il tuo fornitore di connettività.
    }
}
connect-port-blocked-cause-firewall = Un firewall (sul computer, sul router o nella rete aziendale) non lascia passare le connessioni in uscita verso questa porta.
connect-port-blocked-cause-isp-25 = Molti fornitori di connettività domestica e mobile bloccano la porta 25 in uscita contro lo spam; le porte di invio 587 e 465 di solito sono aperte.
connect-port-blocked-cause-antivirus = Un antivirus o una suite di sicurezza blocca o trattiene le connessioni di posta dei programmi di cui non si fida.
connect-port-blocked-cause-settings = Il nome del server o la porta nelle impostazioni sono sbagliati, e la connessione non arriva da nessuna parte.
connect-port-blocked-fix-other-network = Prova da un'altra rete, per esempio l'hotspot del telefono: se lì si connette, è la rete locale a bloccare la porta.
connect-port-blocked-fix-open-gmail = Apri in uscita il TCP verso smtp.gmail.com sulla porta 587 (o 465) e verso imap.gmail.com sulla porta 993.
connect-port-blocked-fix-open-m365 = Apri in uscita il TCP verso smtp.office365.com sulla porta 587 (porta 25 per l'endpoint mail.protection.outlook.com dell'organizzazione con invio diretto o inoltro) e verso outlook.office365.com sulla porta 993.
connect-port-blocked-fix-open = Apri nel firewall il TCP in uscita verso { $host } sulla porta { $port }.
connect-port-blocked-fix-submission = Se la porta 25 è bloccata dal fornitore di connettività, usa una porta di invio: la 587 con STARTTLS o la 465 con SSL/TLS, con accesso.
connect-port-blocked-fix-antivirus = Controlla se l'antivirus o il firewall di questo computer indica il programma di posta come bloccato, e consentilo.

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
connect-failed-summary = { $observation ->
    [reply] Un server di posta non è riuscito ad aprire una connessione verso il server successivo: { $reply_line }
    [client_error] Il programma non è riuscito ad aprire la sessione SMTP (“{ $message }”) e non dice quale passaggio è fallito: trovare il server, connettersi alla porta o la negoziazione TLS che segue.
   *[other] La connessione a { $host } sulla porta { $port } non è riuscita: { $detail }
}
connect-failed-cause-unsaid = Il nome del server è sbagliato, la porta è chiusa o bloccata lungo il percorso (molti servizi di hosting bloccano in uscita le porte 25, 465 e 587), oppure la negoziazione TLS è fallita subito dopo la connessione (per esempio con un certificato di cui il programma non si fida).
connect-failed-cause-local-block = Un software di sicurezza o un criterio su questo computer impedisce al programma di connettersi.
connect-failed-cause-local-config = La configurazione di rete locale è guasta (nessun indirizzo di origine utilizzabile).
connect-failed-fix-debug = Attiva nel programma il debug della connessione (PHPMailer: SMTPDebug = 3) per vedere il passaggio che fallisce, oppure esegui mailprobe diagnose con lo stesso server e la stessa porta dalla stessa macchina.
connect-failed-fix-security-software = Verifica che il firewall o l'antivirus di questo computer lasci connettere il programma di posta.
connect-failed-fix-retry = Riprova, e da un'altra rete se continua a fallire.

## banner.timeout

banner-timeout-title = Il server non ha inviato il saluto
banner-timeout-summary = { $observation ->
    [client_error] Il programma è andato in timeout senza una parola da { $host }: nessun saluto, nessuna risposta ({ $message }).
   *[other] La connessione a { $host } sulla porta { $port } si è aperta, ma entro { $seconds } secondi non è arrivato alcun saluto.
}
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
banner-not-smtp-summary = { $observation ->
    [client_error] Il programma ha ricevuto una risposta che non è una risposta SMTP (“{ $message }”): ha risposto qualcosa che non è un server di posta, oppure sono arrivati byte cifrati dove ci si aspettava testo in chiaro.
   *[other] Su { $host } porta { $port }, dall'altra parte { $looks_like ->
            [tls] è partita una negoziazione TLS: questa porta vuole SSL/TLS fin dal primo byte
            [http] ha risposto un server web
            [imap] ha salutato un server IMAP (posta in arrivo)
            [pop3] ha salutato un server POP3 (posta in arrivo)
            [ssh] ha salutato un server SSH
           *[other] sono arrivati byte che non sono il saluto di un server di posta
        }.
}
banner-not-smtp-cause-tls-port = La porta vuole SSL/TLS fin dal primo byte.
banner-not-smtp-cause-other-service = La porta appartiene a un altro servizio: una porta della posta in arrivo (993, 143, 995) impostata come server in uscita, oppure una porta web.
banner-not-smtp-cause-intercepted = Al posto del server risponde un proxy o un captive portal.
banner-not-smtp-fix-ports = Controlla le porte: per inviare si usano la 587 (STARTTLS) o la 465 (SSL/TLS); la 993 e la 143 sono IMAP, per ricevere.
banner-not-smtp-fix-tls = Se dall'altra parte è partito TLS, imposta la cifratura su SSL/TLS per questa porta.
banner-not-smtp-fix-network = Prova da un'altra rete, nel caso in cui qualcosa nel mezzo risponda al posto del server.

## ehlo.rejected

ehlo-rejected-title = Il server ha rifiutato il nome con cui il client si è presentato
ehlo-rejected-summary = { $host } non ha accettato il saluto EHLO/HELO del client. La sua risposta: { $reply_line }
ehlo-rejected-cause-name = Il client si presenta con un nome che il server non accetta: "localhost", il solo nome del computer, un indirizzo senza parentesi quadre, o un nome con caratteri non validi.
ehlo-rejected-cause-policy = Il server richiede un nome completo che si risolva nel DNS, come fanno in molti sulla porta 25.
ehlo-rejected-cause-nat = Il nome appartiene alla rete locale, e il server non può verificarlo dall'esterno.
ehlo-rejected-fix-device = Nelle impostazioni di posta del dispositivo, imposta il nome host o il "dominio SMTP" a un nome completo, come stampante.contoso.com.
ehlo-rejected-fix-developer = Nel tuo codice passa un nome completo per l'EHLO (Python smtplib: local_hostname; nodemailer: name; PHPMailer: Helo).
ehlo-rejected-fix-server = Sul tuo server, allenta il controllo per l'invio autenticato (in Postfix reject_non_fqdn_helo_hostname e reject_invalid_helo_hostname valgono per la porta 25; tienili fuori dalla porta di invio).

## session.dropped

session-dropped-title = Il server ha interrotto la connessione
session-dropped-summary = { $observation ->
    [client_error] La connessione si è interrotta a metà sessione, senza un messaggio di errore del server (“{ $message }”).
    [reply] La connessione verso il server successivo si è interrotta prima che il messaggio passasse (un tempo scaduto o una connessione caduta): { $reply_line }
   *[other] { $host } { $reason ->
            [reset] ha azzerato la connessione
           *[other] ha chiuso la connessione
        } senza un messaggio di errore.
}
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
session-no-reply-summary = { $observation ->
    [client_error] La connessione si è aperta, ma il server ha smesso di rispondere (“{ $message }”).
   *[other] { $host } ha smesso di rispondere: entro { $seconds } secondi non è arrivato nulla (in attesa di: { $waiting_for }).
}
session-no-reply-cause-slow = Il server è lento: sovraccarico, oppure impegnato in controlli come la scansione del messaggio.
session-no-reply-cause-network = La rete perde pacchetti a metà sessione (spesso quelli grandi, dopo l'avvio della cifratura).
session-no-reply-cause-tarpit = Il server rallenta di proposito i client dopo degli errori.
session-no-reply-fix-timeout = Riprova con un --timeout più lungo.
session-no-reply-fix-network = Prova da un'altra rete.
session-no-reply-fix-logs = Sul server controlla il log della posta per questa sessione.

## m365.mode_detected

m365-mode-detected-title = { $mode ->
        [submission] Modalità di invio di Microsoft 365: invio client SMTP (con accesso)
        [direct_send] Modalità di invio di Microsoft 365: invio diretto
       *[other] Modalità di invio di Microsoft 365: inoltro SMTP tramite connettore
    }
m365-mode-detected-summary = { $mode ->
        [submission] Il dispositivo accede a una casella di Microsoft 365 su smtp.office365.com e invia come quella casella. Può raggiungere destinatari dentro e fuori l'organizzazione.
        [direct_send] Il dispositivo invia senza accesso all'endpoint MX dell'organizzazione (un nome che termina con mail.protection.outlook.com). Può raggiungere solo destinatari interni all'organizzazione.
       *[other] Il dispositivo invia senza accesso all'endpoint MX dell'organizzazione, e un connettore lo riconosce dal suo indirizzo IP statico o dal certificato. Può raggiungere destinatari dentro e fuori l'organizzazione.
    }
m365-mode-detected-cause-how = { $mode_source ->
        [context] La modalità è indicata nelle impostazioni passate a mailprobe.
       *[other] La modalità è stata dedotta dal nome del server, { $host }; un endpoint MX significa invio diretto, a meno che un connettore riconosca il dispositivo, nel qual caso è inoltro.
    }
m365-mode-detected-fix-settings = { $mode ->
        [submission] Impostazioni per questa modalità: server smtp.office365.com, porta 587 (o 25), STARTTLS attivo, TLS 1.2 o successivo, e indirizzo completo e password della casella; SMTP AUTH deve essere consentito per quella casella.
        [direct_send] Impostazioni per questa modalità: l'endpoint MX dell'organizzazione (dal suo record MX, mai un indirizzo IP), porta 25, TLS facoltativo, nessun accesso; un indirizzo IP statico nel record SPF del dominio tiene la posta fuori dalla posta indesiderata.
       *[other] Impostazioni per questa modalità: l'endpoint MX dell'organizzazione, porta 25, un connettore in ingresso che riporti l'indirizzo IP pubblico statico del dispositivo (o il certificato), e quell'indirizzo nel record SPF del dominio.
    }
m365-mode-detected-fix-limits = { $mode ->
        [submission] Limiti di questa modalità: invia solo come la casella che accede (o con "Invia come"), conta sui limiti di invio di quella casella e smette di funzionare se le impostazioni predefinite per la sicurezza, l'MFA o un criterio bloccano l'accesso con password.
        [direct_send] Limiti di questa modalità: nessun destinatario esterno, e la posta può finire nello spam se l'SPF non copre l'indirizzo di invio.
       *[other] Limiti di questa modalità: dipende dal fatto che l'indirizzo IP statico o il certificato non cambino; quando cambiano, connettore e SPF vanno aggiornati.
    }
m365-mode-detected-fix-other-modes = Se questa modalità non fa ciò che serve al dispositivo, esistono le altre due: invio client (con accesso, verso chiunque), invio diretto (senza accesso, solo destinatari interni), inoltro SMTP (senza accesso, con connettore, verso chiunque).

## direct_send.ip_instead_of_mx

direct-send-ip-instead-of-mx-title = { $observation ->
    [tls_failed] Il nome del certificato non corrisponde perché è stato scritto un indirizzo IP al posto dell'endpoint MX
   *[other] L'endpoint MX è stato sostituito da un indirizzo IP
}
direct-send-ip-instead-of-mx-summary = { $observation ->
    [tls_failed] Il dispositivo si connette a { $host }, un indirizzo IP, dove va il nome dell'endpoint MX dell'organizzazione. Il server lì presenta il certificato di Microsoft 365, per { $names }: non supera il controllo del nome solo perché è stato scritto un indirizzo, non perché qualcuno intercetta la connessione. Inoltre Microsoft cambia quegli indirizzi senza preavviso.
   *[other] Il dispositivo invia a { $host }, un indirizzo IP, invece che al nome dell'endpoint MX dell'organizzazione. Oggi può funzionare, ma Microsoft cambia quegli indirizzi senza preavviso e a quel punto l'invio si fermerà.
}
direct-send-ip-instead-of-mx-cause-short-field = Il nome dell'endpoint MX era troppo lungo per il campo server del dispositivo, e al suo posto è stato scritto l'indirizzo.
direct-send-ip-instead-of-mx-cause-changes = Gli indirizzi dietro mail.protection.outlook.com ruotano e cambiano da regione a regione; resta valido solo il nome.
direct-send-ip-instead-of-mx-fix-name = Inserisci il nome dell'endpoint MX (che termina con mail.protection.outlook.com) se il campo lo consente.
direct-send-ip-instead-of-mx-fix-submission = Se il nome non ci sta, usa invece l'invio client: il suo nome di server, smtp.office365.com, è corto.
direct-send-ip-instead-of-mx-fix-no-bypass = Non disattivare il controllo del certificato del dispositivo per aggirare il problema: con il nome dell'endpoint MX inserito, il controllo va a buon fine.

## advise.no_mode_fits

advise-no-mode-fits-title = Nessuna modalità di invio di Microsoft 365 va bene per questo dispositivo così com'è
advise-no-mode-fits-summary = Il dispositivo non può accedere con una cassetta postale, quindi l'invio client è escluso, anche tramite l'endpoint legacy; { $external ->
        [yes] deve scrivere
       *[other] potrebbe dover scrivere (non è stato detto se deve)
    } a destinatari esterni all'organizzazione, che l'invio diretto non raggiunge; e non ha { $static_ip ->
        [no] un IP statico
       *[other] un IP statico indicato
    } da cui un connettore possa riconoscerlo.
advise-no-mode-fits-cause-device = Firmware vecchio: nessun campo per nome utente e password, oppure niente TLS 1.2.
advise-no-mode-fits-cause-network = La connessione a internet ha un indirizzo IP dinamico.
advise-no-mode-fits-fix-static = Chiedi al provider internet un indirizzo IP statico, poi inoltra tramite un connettore che lo riconosca.
advise-no-mode-fits-fix-firmware = Aggiorna il firmware del dispositivo perché possa accedere con TLS 1.2 (invio client).
advise-no-mode-fits-fix-internal = Se basta scrivere ai colleghi, usa l'invio diretto: non richiede né accesso né IP statico.
advise-no-mode-fits-fix-relay = Lascia il dispositivo com'è e invia tramite mailprobe relay su un computer della tua rete: il dispositivo invia al relay senza la password di una cassetta postale (anche in TLS 1.0), e il relay accede a Microsoft 365 con OAuth 2.0 (mailprobe advise ne mostra le impostazioni; mailprobe relay check lo verifica).

## dns.no_such_host

dns-no-such-host-title = { $observation ->
    [dns_evidence] Il dominio { $domain } non esiste
   *[other] Il nome del server non esiste
}
dns-no-such-host-summary = { $observation ->
    [dns_evidence] Il DNS dice che { $domain } non esiste (NXDOMAIN): con questo dominio non si può né inviare né ricevere posta.
    [resolve_failed] Il nome { $host } { $failure ->
            [no_addresses] esiste ma non ha alcun indirizzo
           *[other] non esiste nel DNS
        }: { $detail }
   *[other] Un server di posta ha risposto che un dominio di questo messaggio non esiste, quindi non ha potuto instradare la posta. La sua risposta: { $reply_line }
}
dns-no-such-host-cause-typo = Il nome del server è scritto male.
dns-no-such-host-cause-domain = È stato inserito il dominio invece del nome del server (esempio.it invece di smtp.esempio.it), oppure il provider ha cambiato i nomi dei suoi server.
dns-no-such-host-cause-domain-typo = Il dominio è scritto male.
dns-no-such-host-cause-expired = La registrazione del dominio è scaduta, oppure il suo DNS è stato rimosso.
dns-no-such-host-cause-local-dns = Il server DNS in uso (quello del router, dell'azienda, della VPN) non conosce il nome.
dns-no-such-host-fix-spelling = Controlla come è scritto il nome del server.
dns-no-such-host-fix-provider-name = Copia il nome esatto del server in uscita dalle istruzioni del provider (per esempio smtp.gmail.com o smtp.office365.com).
dns-no-such-host-fix-registration = Controlla come è scritto il dominio, poi la sua registrazione e l'hosting del suo DNS.
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
dns-failed-summary = { $observation ->
    [resolve_failed] La ricerca di { $host } non è riuscita: { $detail }
    [client_error] Il programma riferisce che una ricerca DNS non è riuscita (“{ $message }”).
   *[other] Un server di posta non è riuscito a cercare nel DNS un nome che gli serviva, quindi non ha potuto consegnare. La sua risposta: { $reply_line }
}
dns-failed-cause-servfail = Il server DNS non è riuscito a ottenere una risposta, spesso perché il DNS del dominio (o il suo DNSSEC) è guasto.
dns-failed-cause-refused = Il server DNS si rifiuta di rispondere a questo computer, oppure non ne è configurato nessuno.
dns-failed-fix-resolver = Prova un altro server DNS con --dns-server.
dns-failed-fix-domain = Se gestisci il dominio, controlla i suoi name server e le firme DNSSEC.

## Il DNS del dominio di posta e dell'IP di invio (mailprobe dns)

## spf.multiple_records

spf-multiple-records-title = { $domain } pubblica { $count } record SPF
spf-multiple-records-summary = Un dominio deve pubblicare esattamente un record v=spf1. Con { $count } record chi riceve restituisce un errore permanente, qualunque record avrebbe corrisposto, e tratta la posta come se non superasse l'SPF: { $records }
spf-multiple-records-cause-added = È stato aggiunto un secondo record per un nuovo servizio, invece di unire i suoi termini a quello esistente.
spf-multiple-records-fix-merge = Unisci i record in uno solo: un unico v=spf1, tutti i meccanismi di entrambi e un solo all alla fine.
spf-multiple-records-fix-check = Ricontrolla dopo aver unito i record: mailprobe dns { $domain }

## spf.permerror

spf-permerror-title = Il record SPF di { $domain } è rotto: { $reason ->
        [too_many_lookups] più di 10 ricerche DNS
        [too_many_mx] troppi server di posta dietro un mx
        [loop] un include o un redirect gira in tondo
        [syntax] un errore di sintassi
        [include_without_spf] un include senza SPF
        [redirect_without_spf] un redirect senza SPF
       *[other] un errore permanente
    }
spf-permerror-summary = La valutazione del record SPF di { $domain } per { $ip } termina con un errore permanente, dopo { $lookups } delle { $lookup_limit } ricerche DNS consentite. Chi riceve non può allora sapere quali server possono inviare per il dominio, e spesso tratta la sua posta come se non superasse l'SPF.
spf-permerror-cause-reason = { $reason ->
        [too_many_lookups] Il record richiama troppi altri record: ogni include, a, mx, ptr, exists e redirect costa una ricerca DNS, e la RFC 7208 ne consente 10.
        [too_many_mx] Un meccanismo mx indica un dominio con più di 10 server di posta, più di quanti l'SPF possa cercare.
        [loop] Un include o un redirect riporta, direttamente o no, a un record già in valutazione.
        [syntax] Un record contiene un errore di battitura: un indirizzo o una maschera sbagliati, un meccanismo sconosciuto, due punti mancanti.
        [include_without_spf] Un include indica un dominio che non pubblica alcun record SPF.
        [redirect_without_spf] Un redirect indica un dominio che non pubblica alcun record SPF.
       *[other] L'analisi non è riuscita a dire quale: di solito sono troppe ricerche, un giro chiuso, un errore di sintassi o l'include di un dominio senza SPF.
    }
spf-permerror-cause-edited = Il record, o uno di quelli che include, è stato modificato a mano di recente, oppure un servizio incluso ha cambiato il proprio record.
spf-permerror-fix-reason = { $reason ->
        [too_many_lookups] Togli gli include dei servizi non più usati e sostituisci quelli dei server fissi con i loro indirizzi ip4:/ip6:, finché restano 10 ricerche o meno.
        [too_many_mx] Sostituisci il meccanismo mx con gli indirizzi ip4:/ip6: dei server che inviano davvero.
        [loop] Togli l'include o il redirect che riporta a { $domain }.
        [syntax] Controlla ogni termine secondo la RFC 7208: ip4:INDIRIZZO/MASCHERA, include:DOMINIO e ~all o -all alla fine.
        [include_without_spf] Correggi o togli l'include che indica un dominio senza SPF (un nome scritto male, o un servizio che non esiste più).
        [redirect_without_spf] Correggi o togli il redirect che indica un dominio senza SPF.
       *[other] Controlla ogni termine del record e dei record che include, a cominciare dagli include.
    }
spf-permerror-fix-check = Ricontrolla dopo aver modificato il record: mailprobe dns { $domain } --ip { $ip } (le cache DNS possono tenere il record vecchio per tutto il suo TTL).

## spf.temperror

spf-temperror-title = Il record SPF di { $domain } ora non si può valutare
spf-temperror-summary = Una ricerca DNS necessaria per valutare il record per { $ip } non è riuscita (esito { $result }): chi riceve rimanderebbe la posta e riproverebbe più tardi.
spf-temperror-cause-dns = Un server DNS del dominio, o di un dominio incluso dal suo record, non ha risposto o ha rifiutato.
spf-temperror-fix-retry = Riprova fra qualche minuto.
spf-temperror-fix-servers = Se continua, controlla i server DNS di { $domain } e dei domini che il suo record include.

## spf.neutral

spf-neutral-title = Il record SPF di { $domain } non dice nulla su { $ip }
spf-neutral-summary = Il record né autorizza né rifiuta { $ip } (esito { $result }, su { $mechanism }): chi riceve tratta la posta come se l'SPF non ci fosse, e una parte maggiore finisce nella posta indesiderata.
spf-neutral-cause-open = Il record finisce con ?all, oppure nessuno dei suoi meccanismi corrisponde a questo indirizzo e alla fine manca un all.
spf-neutral-fix-add = Aggiungi l'indirizzo da cui invia il dispositivo ({ $suggested }), poi chiudi il record con ~all o -all al posto di ?all.

## spf.none

spf-none-title = { $domain } non ha un record SPF
spf-none-summary = Senza SPF chi riceve non può verificare quali server possono inviare per { $domain }: la sua posta viene più facilmente segnata come indesiderata o rifiutata.
spf-none-cause-never = Il record non è mai stato pubblicato, oppure è andato perso spostando la zona DNS.
spf-none-fix-publish = Pubblica su { $domain } un solo record TXT che elenchi tutti i server che inviano per il dominio, per esempio: { $suggested }

## ip.dynamic_range

ip-dynamic-range-title = { $observation ->
    [dns_evidence] { $ip } è in un intervallo per utenti finali, non per server di posta
   *[other] Il destinatario rifiuta la posta inviata direttamente da un indirizzo per utenti finali
}
ip-dynamic-range-summary = { $observation ->
    [dns_evidence] Lo dicono gli elenchi di criteri: { $answers }. Non conta per la posta consegnata a un provider con un accesso, ma la posta inviata direttamente da questo indirizzo (invio diretto, inoltro) verrà probabilmente rifiutata.
   *[other] Il server destinatario ha rifiutato la posta perché l'indirizzo di invio appartiene a un intervallo domestico o dinamico. La sua risposta: { $reply_line }
}
ip-dynamic-range-cause-consumer = La connessione è una linea domestica o dinamica, non una linea aziendale con indirizzo statico.
ip-dynamic-range-fix-submission = Invia tramite il provider con un accesso (invio client) invece che direttamente all'endpoint MX.
ip-dynamic-range-fix-static = Per l'invio diretto o l'inoltro, chiedi al provider internet un indirizzo statico e di togliere l'intervallo dall'elenco.

## ip.no_reverse_dns

ip-no-reverse-dns-title = { $observation ->
    [dns_evidence] { $ip } non ha un nome DNS inverso corrispondente
   *[other] Il destinatario rifiuta la posta da un indirizzo senza un nome DNS inverso corrispondente
}
ip-no-reverse-dns-summary = { $observation ->
    [dns_evidence] { $check ->
            [ptr_none] { $ip } non ha un record PTR: nessun nome rimanda a esso.
           *[other] { $ip } ha il nome { $names }, ma quel nome non risolve di nuovo in { $ip }.
        } Molti destinatari diffidano della posta dei server il cui indirizzo non ha un nome così, o la rifiutano.
   *[other] Il server destinatario ha rifiutato la posta perché l'indirizzo di invio non ha un record PTR, o il suo nome non risolve di nuovo in esso. La sua risposta: { $reply_line }
}
ip-no-reverse-dns-cause-owner = Il DNS inverso lo imposta chi possiede l'indirizzo (il provider internet), non la tua zona DNS.
ip-no-reverse-dns-fix-ptr = { $observation ->
    [dns_evidence] Chiedi al provider internet di impostare per { $ip } un record PTR verso un nome che a sua volta risolva in { $ip }.
   *[other] Chiedi al provider internet dell'indirizzo di invio di impostare un record PTR verso un nome che a sua volta risolva in quell'indirizzo (verifica con: mailprobe dns DOMINIO --ip INDIRIZZO).
}
ip-no-reverse-dns-fix-submission = Per un dispositivo che invia tramite un provider con un accesso non conta: la posta la consegnano i server del provider.

## dns.no_mx

dns-no-mx-title = { $domain } non ha record MX
dns-no-mx-summary = Nessun server riceve la posta di { $domain }: le risposte ai suoi messaggi tornano indietro, e chi riceve diffida dei mittenti il cui dominio non accetta posta.
dns-no-mx-cause-missing = I record MX non sono mai stati pubblicati, oppure sono andati persi spostando la zona DNS.
dns-no-mx-fix-publish = Pubblica i record MX indicati dal tuo provider di posta (Microsoft 365 li mostra nell'interfaccia di amministrazione, in Impostazioni > Domini).

## dnsbl.not_answered

dnsbl-not-answered-title = Alcune blocklist non hanno risposto: { $lists }
dnsbl-not-answered-summary = Nessuna risposta utilizzabile su { $ip } ({ $answers }): da questi elenchi non si sa nulla, e l'indirizzo potrebbe esservi oppure no.
dnsbl-not-answered-cause-public = Spamhaus non risponde alle richieste che arrivano da resolver pubblici (8.8.8.8, 1.1.1.1 e simili) e lo segnala con 127.255.255.254.
dnsbl-not-answered-cause-registration = Alcuni elenchi (Barracuda) rispondono solo ai server DNS registrati presso di loro e rifiutano gli altri.
dnsbl-not-answered-fix-own-resolver = Ripeti il controllo con un resolver della tua rete (--dns-server), oppure cerca l'indirizzo sul sito dell'elenco.

## dmarc.missing

dmarc-missing-title = { $domain } non ha un record DMARC
dmarc-missing-summary = Senza DMARC chi riceve applica un proprio criterio alla posta che non supera SPF e DKIM, e nessuno manda a { $domain } rapporti su chi invia a suo nome.
dmarc-missing-cause-never = Il record non è mai stato pubblicato.
dmarc-missing-fix-publish = Pubblica un record TXT su _dmarc.{ $domain }, cominciando con il solo monitoraggio: v=DMARC1; p=none; rua=mailto:dmarc-reports@{ $domain }

## smtp.bad_sequence

smtp-bad-sequence-title = I comandi sono arrivati nell'ordine sbagliato
smtp-bad-sequence-summary = { $host } ha rifiutato un comando perché è arrivato nel momento sbagliato della sessione. La sua risposta: { $reply_line }
smtp-bad-sequence-cause-order = Il client ha inviato un comando prima di quello da cui dipende: MAIL prima di EHLO o dell'accesso, RCPT prima di MAIL, DATA prima di un destinatario accettato.
smtp-bad-sequence-cause-after-failure = Un comando precedente è fallito e il client è andato avanti come se fosse riuscito; il vero errore è il primo.
smtp-bad-sequence-cause-pipelining = Il client invia comandi senza aspettare le risposte (pipelining) dove il server non lo consente, per esempio subito dopo STARTTLS, oppure accede due volte.
smtp-bad-sequence-fix-first-error = Cerca nelle prove il primo rifiuto e risolvi quello: gli errori "bad sequence" successivi ne sono una conseguenza.
smtp-bad-sequence-fix-developer = Nel tuo codice segui l'ordine EHLO, STARTTLS, di nuovo EHLO, AUTH, MAIL FROM, RCPT TO, DATA, e fermati al primo errore.
smtp-bad-sequence-fix-update = Aggiorna il firmware del dispositivo o l'applicazione; se il problema resta, manda la trascrizione al produttore.

## smtp.syntax_error

smtp-syntax-error-title = Il server non ha capito un comando o un indirizzo
smtp-syntax-error-summary = { $host } ha rifiutato un comando perché malformato. La sua risposta: { $reply_line }
smtp-syntax-error-cause-address = Un indirizzo è malformato: spazi, la @ o il dominio mancanti, un nome visualizzato dove va solo l'indirizzo, o le parentesi angolari mancanti.
smtp-syntax-error-cause-command = Il client ha inviato un comando che il server non conosce o non consente in quel punto.
smtp-syntax-error-cause-line = Una riga era troppo lunga o conteneva caratteri che il server rifiuta.
smtp-syntax-error-fix-address = Controlla gli indirizzi del mittente e del destinatario nelle impostazioni: solo l'indirizzo semplice, come nome@esempio.it.
smtp-syntax-error-fix-developer = Nel tuo codice invia MAIL FROM:<indirizzo> e RCPT TO:<indirizzo> con le parentesi angolari e nient'altro, e tieni le righe sotto i 998 caratteri.
smtp-syntax-error-fix-update = Aggiorna il firmware del dispositivo o l'applicazione.

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

## account.sandbox_restricted

account-sandbox-restricted-title = L'account di invio è ancora in modalità di prova (sandbox)
account-sandbox-restricted-summary = Il servizio di invio ha rifiutato il messaggio perché l'account può spedire solo da e verso indirizzi verificati: { $reply_line }
account-sandbox-restricted-cause-sandbox = I nuovi account Amazon SES e i domini sandbox di Mailgun consegnano solo a destinatari verificati o autorizzati nell'account, finché il servizio non li passa in produzione.
account-sandbox-restricted-cause-unverified = L'indirizzo del mittente o il suo dominio non è ancora stato verificato nel servizio di invio.
account-sandbox-restricted-fix-verify = Nella console del servizio, verifica l'indirizzo del mittente (o l'intero dominio) e, finché sei in sandbox, ogni destinatario di prova.
account-sandbox-restricted-fix-production = Chiedi al servizio di uscire dalla sandbox (Amazon SES: richiedi l'accesso in produzione; Mailgun: aggiungi e verifica un tuo dominio al posto di quello sandbox).

## client.sasl_mechanisms_missing

client-sasl-mechanisms-missing-title = Il programma che invia non ha alcun metodo di accesso installato
client-sasl-mechanisms-missing-summary = Il client non ha potuto scegliere alcun meccanismo SASL, quindi non ha neppure tentato l'accesso: { $reply_line }
client-sasl-mechanisms-missing-cause-plugins = I plugin Cyrus SASL non sono installati (su Debian e Ubuntu il pacchetto libsasl2-modules), quindi Postfix, mutt o fetchmail non conoscono alcun meccanismo.
client-sasl-mechanisms-missing-cause-filter = Un filtro dei meccanismi (smtp_sasl_mechanism_filter, smtp_sasl_security_options = noplaintext) esclude gli unici meccanismi offerti dal server.
client-sasl-mechanisms-missing-fix-install = Installa i plugin SASL (apt install libsasl2-modules, o cyrus-sasl-plain su RHEL) e riavvia Postfix.
client-sasl-mechanisms-missing-fix-filter = Controlla smtp_sasl_security_options e smtp_sasl_mechanism_filter: con TLS attivo, smtp_sasl_security_options = noanonymous ammette PLAIN e LOGIN.

## relay.loops_back

relay-loops-back-title = Il server successivo è questo stesso server
relay-loops-back-summary = Il server di invio ha scoperto che l'host a cui passare il messaggio è sé stesso e si è fermato per evitare un ciclo: { $reply_line }
relay-loops-back-cause-smarthost = Lo smarthost (relayhost) è impostato sul nome o sull'indirizzo di questo server, spesso per un errore nella sintassi della porta.
relay-loops-back-cause-mx = Il record MX del dominio destinatario punta a questo server, ma il server non considera il dominio come proprio.
relay-loops-back-cause-local-domain = Il dominio dovrebbe essere consegnato localmente ma manca dai domini locali del server.
relay-loops-back-fix-relayhost = Controlla lo smarthost (relayhost di Postfix, dc_smarthost di Exim): deve indicare il server del provider, con la porta scritta come la vuole l'MTA.
relay-loops-back-fix-local-domains = Se il dominio è di questo server, aggiungilo ai domini locali (mydestination di Postfix, local_domains di Exim); altrimenti correggi il record MX del dominio.

## sender.domain_unresolvable

sender-domain-unresolvable-title = Il dominio dell'indirizzo del mittente non esiste nel DNS
sender-domain-unresolvable-summary = Il server ha rifiutato il mittente perché il suo dominio non si risolve: { $reply_line }
sender-domain-unresolvable-cause-local-name = Il programma invia da un nome locale della macchina (root@server.localdomain, user@nosuch.host) invece che da un dominio reale.
sender-domain-unresolvable-cause-typo = Il dominio dell'indirizzo del mittente è scritto male o è scaduto.
sender-domain-unresolvable-fix-from = Invia da un indirizzo di un dominio reale e registrato.
sender-domain-unresolvable-fix-myorigin = Su un server, imposta il dominio usato dalla posta in uscita (myorigin di Postfix, qualify_domain di Exim) su un dominio reale.

## client.relay_host_not_configured

client-credentials-missing-title = Il programma non ha nome utente o password per accedere
client-credentials-missing-summary = { $observation ->
    [client_error] Il programma è impostato per accedere ma nelle sue impostazioni non ha trovato nome utente o password, quindi si è fermato prima di inviare qualsiasi cosa (“{ $message }”).
   *[other] Il programma è impostato per accedere ma nelle sue impostazioni non ha trovato nome utente o password, quindi si è fermato prima di inviare qualsiasi cosa: { $reply_line }
}
client-credentials-missing-cause-empty = L'impostazione del nome utente o della password SMTP è vuota: per esempio una variabile d'ambiente (SMTP_USER, SMTP_PASS) non impostata dove gira il programma, o un modulo di impostazioni salvato senza password.
client-credentials-missing-cause-not-loaded = Le impostazioni sono state compilate ma il programma gira ancora con quelle vecchie e vuote, oppure le legge da un altro file o container.
client-credentials-missing-fix-fill = Inserisci nome utente e password SMTP (o la chiave API) nelle impostazioni del programma e riavvialo; verifica che le variabili arrivino al processo (environment di docker-compose, file .env).
client-credentials-missing-fix-no-auth = Se il server accetta posta senza accesso (un relay che si fida del tuo indirizzo), disattiva invece l'autenticazione nel programma.

client-local-mta-unusable-title = Il comando di posta locale manca o non funziona
client-local-mta-unusable-summary = { $observation ->
    [client_error] Il programma consegna la posta a un comando locale (sendmail, mail) invece che a un server SMTP, e quel comando non è riuscito: “{ $message }”.
   *[other] Il programma consegna la posta a un comando locale (sendmail, mail) invece che a un server SMTP, e quel comando non è riuscito: { $reply_line }
}
client-local-mta-unusable-cause-missing = Non è installato alcun server di posta, oppure il percorso che il programma chiama (/usr/sbin/sendmail, /bin/mail) non esiste su questo sistema o in questo container.
client-local-mta-unusable-cause-not-running = Un server di posta locale (per esempio Postfix) è installato ma il suo servizio non è avviato, quindi nessuno preleva il messaggio.
client-local-mta-unusable-cause-minimal = Il sendmail installato è una versione minima (BusyBox, ssmtp, msmtp) senza configurazione o che non accetta le opzioni passate dal programma.
client-local-mta-unusable-fix-smtp = Imposta il programma perché invii direttamente via SMTP (server, porta, cifratura, nome utente e password), oppure installa un client compatibile con sendmail come msmtp o nullmailer e puntalo al tuo server SMTP.
client-local-mta-unusable-fix-admin = Sul server verifica che il servizio di posta sia avviato (systemctl status postfix; postfix check) e che il comando chiamato dal programma esista e accetti le sue opzioni.

client-relay-host-not-configured-title = Il programma di posta punta ancora a un server segnaposto
client-relay-host-not-configured-summary = Il programma ha cercato di raggiungere un server che è solo la sua impostazione di esempio: { $reply_line }
client-relay-host-not-configured-cause-placeholder = ssmtp e strumenti simili arrivano con "mailhub" (o "mail") come nome del server; non è mai stato sostituito con il vero server in uscita.
client-relay-host-not-configured-fix-set = Imposta il vero server in uscita e la porta (in ssmtp: mailhub=smtp.example.com:587 in /etc/ssmtp/ssmtp.conf, con UseSTARTTLS=YES e le credenziali).

## client.smtp_url_invalid

client-smtp-url-invalid-title = L'indirizzo SMTP del programma (URL o DSN) è malformato
client-smtp-url-invalid-summary = { $observation ->
    [client_error] Il programma non è riuscito a leggere l'indirizzo del server che gli è stato dato, quindi non si è mai collegato: “{ $message }”.
   *[other] Il programma non è riuscito a leggere l'indirizzo del server che gli è stato dato, quindi non si è mai collegato: { $reply_line }
}
client-smtp-url-invalid-cause-encoding = La password o il nome utente dentro l'URL contengono caratteri che in un URL hanno un significato (@ : / ? # % +) e non sono stati codificati con il percento.
client-smtp-url-invalid-cause-format = L'URL o il DSN non è nella forma che il programma si aspetta: schema mancante o sbagliato (smtp://, smtps://), uno spazio o una virgoletta di troppo, una porta che non è un numero, un host vuoto.
client-smtp-url-invalid-cause-helo = Il programma costruisce l'URL dalle sue impostazioni e una di esse non può stare in un URL, come un nome HELO con spazi o altri caratteri che un nome host non può avere.
client-smtp-url-invalid-fix-encode = Codifica con il percento nome utente e password nell'URL (@ diventa %40, : diventa %3A, / diventa %2F, # diventa %23, % diventa %25), oppure usa una password per app senza caratteri speciali.
client-smtp-url-invalid-fix-format = Scrivi l'indirizzo nella forma documentata dal programma (per esempio smtp://utente:password@smtp.example.com:587), senza virgolette né spazi, e verifica che l'impostazione del nome HELO/EHLO contenga un semplice nome host.

## client.address_invalid

client-address-invalid-title = Il programma non riesce a leggere l'indirizzo del mittente o del destinatario
client-address-invalid-summary = { $observation ->
    [client_error] Il programma ha rifiutato un indirizzo delle sue stesse impostazioni prima di inviare qualsiasi cosa: “{ $message }”.
   *[other] Il programma ha rifiutato un indirizzo delle sue stesse impostazioni prima di inviare qualsiasi cosa: { $reply_line }
}
client-address-invalid-cause-display-name = L'impostazione del mittente contiene un nome visualizzato con caratteri che vanno messi tra virgolette (una virgola, un punto, parentesi), o un nome e un indirizzo scritti in una forma che il programma non accetta.
client-address-invalid-cause-typo = L'indirizzo è scritto male: due @, un dominio ripetuto, uno spazio, il dominio mancante.
client-address-invalid-cause-empty = L'impostazione dell'indirizzo è vuota, quindi il programma costruisce un'intestazione che non riesce a leggere.
client-address-invalid-fix-check = Metti un indirizzo semplice (nome@example.com) nelle impostazioni del mittente e dei destinatari; se serve un nome visualizzato, usa il campo apposito del programma o scrivilo tra virgolette: "Nome, Ufficio" <nome@example.com>.

## tls.server_weak_dh

tls-server-weak-dh-title = Il TLS del server usa una chiave Diffie-Hellman troppo piccola per i client attuali
tls-server-weak-dh-summary = { $observation ->
    [tls_failed] La connessione cifrata non è riuscita perché il server offre solo una chiave Diffie-Hellman debole, che le librerie TLS aggiornate rifiutano: “{ $detail }”.
    [client_error] La connessione cifrata non è riuscita perché il server offre solo una chiave Diffie-Hellman debole, che le librerie TLS aggiornate rifiutano: “{ $message }”.
   *[other] La connessione cifrata non è riuscita perché il server offre solo una chiave Diffie-Hellman debole, che le librerie TLS aggiornate rifiutano: { $reply_line }
}
tls-server-weak-dh-cause-old-params = Il server è stato configurato con parametri DH da 1024 bit (o meno), oppure offre solo cifrari DHE senza ECDHE; OpenSSL 1.1 e successivi rifiutano queste chiavi, qualunque siano le impostazioni del client.
tls-server-weak-dh-fix-server = Sul server, genera parametri DH da 2048 bit (openssl dhparam -out dh2048.pem 2048; Postfix: smtpd_tls_dh1024_param_file) o preferisci i cifrari ECDHE, poi ricaricalo.
tls-server-weak-dh-fix-provider = Se non gestisci tu il server, segnalalo al suo amministratore o fornitore; abbassare il livello di sicurezza del client nasconde solo la debolezza.

## sender.not_fully_qualified

sender-not-fully-qualified-title = L'indirizzo del mittente non ha un dominio
sender-not-fully-qualified-summary = Il server ha rifiutato il mittente perché non è un indirizzo completo con dominio (per esempio un semplice nome utente o root@localhost): { $reply_line }
sender-not-fully-qualified-cause-local = Il programma o la macchina inviano come utente locale (root, www-data, pi) senza dominio, o con il nome della macchina (localhost, un nome host che non è un dominio), perché nessun indirizzo mittente è stato impostato.
sender-not-fully-qualified-cause-username = Il programma usa il nome utente SMTP come indirizzo del mittente, e il nome utente non è un indirizzo e-mail.
sender-not-fully-qualified-fix-from = Imposta l'indirizzo del mittente (From) nelle impostazioni del programma a un indirizzo completo dell'account con cui accedi, per esempio avvisi@example.com.
sender-not-fully-qualified-fix-system = Sulla macchina, dai alla posta locale un dominio vero: in Postfix myorigin = example.com (o smtp_generic_maps per riscrivere root@localhost), in ssmtp rewriteDomain, in msmtp from / maildomain, in Sendmail il masquerading.

## message.headers_invalid

message-headers-invalid-title = Il server ha rifiutato il messaggio per le sue intestazioni
message-headers-invalid-summary = { $observation ->
    [client_error] Il server di destinazione ha rifiutato il messaggio stesso perché le sue intestazioni violano le regole di RFC 5322 (un'intestazione mancante, doppia o malformata): “{ $message }”.
   *[other] Il server di destinazione ha rifiutato il messaggio stesso perché le sue intestazioni violano le regole di RFC 5322 (un'intestazione mancante, doppia o malformata): { $reply_line }
}
message-headers-invalid-cause-program = Il programma o lo script che costruisce il messaggio scrive da sé le intestazioni e le sbaglia: manca From, Date o Message-ID, o un'intestazione non è leggibile.
message-headers-invalid-cause-from = L'impostazione From contiene più indirizzi, un nome visualizzato con una virgola non tra virgolette, o un indirizzo senza dominio valido.
message-headers-invalid-cause-duplicate = Un'intestazione è scritta due volte (From, Subject, MIME-Version, Content-Type): il programma ne aggiunge una che la sua libreria di posta scrive già.
message-headers-invalid-fix-library = Lascia che sia la libreria di posta a costruire le intestazioni invece di scriverle come testo: un solo From con un solo indirizzo (Nome <utente@example.com>, nomi con virgole tra virgolette), lascia che aggiunga Date e Message-ID, non aggiungere intestazioni che scrive già, codifica il testo non ASCII.
message-headers-invalid-fix-device = Su un dispositivo o apparato, compila i campi nome e indirizzo del mittente e aggiorna il firmware; lo stesso messaggio viene rifiutato ovunque lo si invii, quindi cambiare server non serve.

## message.encoding_invalid

message-encoding-invalid-title = Il server ha rifiutato le terminazioni di riga o la codifica del messaggio
message-encoding-invalid-summary = { $observation ->
    [client_error] Il server di destinazione ha rifiutato il messaggio per come è scritto in trasmissione (terminazioni di riga, lunghezza delle righe o dati a 8 bit): “{ $message }”.
   *[other] Il server di destinazione ha rifiutato il messaggio per come è scritto in trasmissione (terminazioni di riga, lunghezza delle righe o dati a 8 bit): { $reply_line }
}
message-encoding-invalid-cause-line-endings = Il messaggio ha terminazioni di riga LF (o CR) isolate invece di CRLF: uno script che passa testo Unix a SMTP, codice SMTP scritto a mano o un firmware vecchio. Dopo le correzioni per lo SMTP smuggling del 2023-2024 molti server le rifiutano (Postfix 3.9, il 5.6.11 di Exchange Online).
message-encoding-invalid-cause-long-lines = Una riga supera i 998 caratteri ammessi da SMTP: un corpo HTML o un'intestazione scritti su una sola riga senza codifica.
message-encoding-invalid-cause-8bit = Byte a 8 bit (lettere accentate) sono nelle intestazioni, o in un corpo dichiarato a 7 bit, su un percorso che non accetta 8BITMIME.
message-encoding-invalid-fix-library = Fai codificare al programma il corpo (quoted-printable o base64), andare a capo nelle righe lunghe, chiudere ogni riga con CRLF e codificare il testo non ASCII delle intestazioni (RFC 2047); una libreria di posta attuale lo fa quando costruisce il messaggio per parti.
message-encoding-invalid-fix-update = Aggiorna il programma, il firmware del dispositivo o la libreria che invia il messaggio; per il rifiuto dei line feed isolati di Exchange Online il lato ricevente può in alternativa attivare BDAT (CHUNKING).

## message.mail_loop

message-mail-loop-title = Il messaggio gira in un ciclo
message-mail-loop-summary = { $observation ->
    [client_error] Il messaggio è stato rifiutato perché è passato per troppi server o è già stato consegnato a questo indirizzo: sta girando in un ciclo: “{ $message }”.
   *[other] Il messaggio è stato rifiutato perché è passato per troppi server o è già stato consegnato a questo indirizzo: sta girando in un ciclo: { $reply_line }
}
message-mail-loop-cause-forwarding = Due caselle o alias si inoltrano la posta a vicenda, o una regola di inoltro rimanda il messaggio al sistema da cui è arrivato.
message-mail-loop-cause-connector = Un server o un connettore rimanda il dominio da dove il messaggio è venuto: un connettore ibrido o smart host rivolto nel verso sbagliato, o un dominio il cui MX punta a un server che non lo tratta come proprio.
message-mail-loop-fix-headers = Leggi le intestazioni Received del messaggio restituito: i nomi host che si ripetono mostrano dove gira; togli o correggi lì la regola di inoltro o l'alias.
message-mail-loop-fix-server = Sul server, rendi il dominio locale (autorevole) dove punta il suo MX, o correggi il connettore o il transport che lo rimanda indietro.

## recipient.domain_invalid

recipient-domain-invalid-title = Il dominio del destinatario non può ricevere posta
recipient-domain-invalid-summary = { $observation ->
    [resolve_failed] Il messaggio non è stato consegnato perché il dominio del destinatario non si trova nel DNS: la ricerca dei suoi server di posta (MX) non è riuscita ({ $detail }).
    [client_error] Il server ha rifiutato il destinatario perché il dominio dopo la @ non può ricevere posta (non esiste, non ha un MX funzionante, o rifiuta tutta la posta): “{ $message }”.
   *[other] Il server ha rifiutato il destinatario perché il dominio dopo la @ non può ricevere posta (non esiste, non ha un MX funzionante, o rifiuta tutta la posta): { $reply_line }
}
recipient-domain-invalid-cause-typo = Il dominio dell'indirizzo del destinatario è scritto male (gmial.com, una lettera in meno o in più, uno spazio), o non è un dominio completo (printer, server.lan).
recipient-domain-invalid-cause-dns = Il dominio esiste ma i suoi record di posta sono rotti o dicono che non riceve posta: un MX che punta a un host senza indirizzo o a un indirizzo privato, un MX nullo, un dominio scaduto.
recipient-domain-invalid-cause-placeholder = L'indirizzo è un segnaposto di un esempio o di una prova (example.com, test.local), rimasto nelle impostazioni.
recipient-domain-invalid-fix-check = Controlla l'indirizzo del destinatario, soprattutto la parte dopo la @; se è giusto, il proprietario del dominio deve riparare i suoi record MX (nslookup -type=mx dominio li mostra).

## address.non_ascii

address-non-ascii-title = Un indirizzo contiene caratteri che questo percorso di posta non può trasportare
address-non-ascii-summary = { $observation ->
    [client_error] Un indirizzo del mittente o del destinatario contiene caratteri non ASCII, e la sessione (o un server più avanti) non supporta gli indirizzi internazionali (SMTPUTF8): “{ $message }”.
   *[other] Un indirizzo del mittente o del destinatario contiene caratteri non ASCII, e la sessione (o un server più avanti) non supporta gli indirizzi internazionali (SMTPUTF8): { $reply_line }
}
address-non-ascii-cause-invisible = L'indirizzo contiene un carattere che sembra testo normale ma non lo è: una lettera accentata, uno spazio unificatore o a larghezza zero incollato insieme, virgolette tipografiche.
address-non-ascii-cause-idn = L'indirizzo è davvero internazionale (ü, é, alfabeti non latini) e il programma o un server lungo il percorso non parla SMTPUTF8.
address-non-ascii-fix-retype = Riscrivi a mano l'indirizzo in lettere semplici e controlla che non abbia spazi o caratteri simili ad altri.
address-non-ascii-fix-smtputf8 = Se l'indirizzo è davvero internazionale, invia con un programma e server che supportano SMTPUTF8, o usa la forma ASCII (punycode) del dominio.

## client.auth_setting_invalid

client-auth-setting-invalid-title = L'impostazione di autenticazione del programma ha un valore che non conosce
client-auth-setting-invalid-summary = { $observation ->
    [client_error] Il programma si è fermato prima di collegarsi perché l'impostazione del tipo di autenticazione non è tra quelle che conosce: “{ $message }”.
   *[other] Il programma si è fermato prima di collegarsi perché l'impostazione del tipo di autenticazione non è tra quelle che conosce: { $reply_line }
}
client-auth-setting-invalid-cause-value = Il tipo di autenticazione ha un valore che la libreria di posta non accetta: false o una stringa vuota dove l'impostazione andrebbe tolta, o un meccanismo scritto male (logon, Plain Text).
client-auth-setting-invalid-fix-value = Imposta il tipo di autenticazione sul meccanismo che il server offre (login o plain; in GitLab e Rails smtp_authentication "login"), o togli del tutto l'impostazione per un server che non richiede accesso.

## client.sender_missing

client-sender-missing-title = Il programma non ha un indirizzo mittente da cui inviare
client-sender-missing-summary = { $observation ->
    [client_error] Il programma si è rifiutato di inviare perché il messaggio non ha mittente (né indirizzo From né mittente della busta): “{ $message }”.
   *[other] Il programma si è rifiutato di inviare perché il messaggio non ha mittente (né indirizzo From né mittente della busta): { $reply_line }
}
client-sender-missing-cause-setting = L'impostazione del mittente o del mittente predefinito è vuota (MAIL_FROM_ADDRESS in Laravel, DEFAULT_FROM_EMAIL in Django, from in msmtp, sendmail_from in php.ini), oppure il codice costruisce il messaggio senza From.
client-sender-missing-fix-set = Imposta l'indirizzo del mittente nelle impostazioni del programma (o nel codice) su un indirizzo con cui l'account che usi può inviare, poi riavvia il programma.

## client.recipients_missing

client-recipients-missing-title = Il messaggio non ha destinatari
client-recipients-missing-summary = { $observation ->
    [client_error] Il programma si è rifiutato di inviare perché il messaggio non ha alcun destinatario: “{ $message }”.
   *[other] Il programma si è rifiutato di inviare perché il messaggio non ha alcun destinatario: { $reply_line }
}
client-recipients-missing-cause-empty = L'elenco dei destinatari è vuoto: una variabile o un'impostazione non compilata (un indirizzo per gli avvisi mai inserito), o una ricerca che non ha trovato indirizzi.
client-recipients-missing-fix-set = Inserisci almeno un destinatario (l'indirizzo per avvisi o notifiche nelle impostazioni del programma) e controlla la parte di codice che costruisce l'elenco.

## client.tls_support_missing

client-tls-support-missing-title = Il programma è installato senza supporto TLS
client-tls-support-missing-summary = { $observation ->
    [client_error] Il programma non può cifrare la connessione, perché esso (o il suo ambiente) è stato compilato o installato senza supporto TLS: “{ $message }”.
   *[other] Il programma non può cifrare la connessione, perché esso (o il suo ambiente) è stato compilato o installato senza supporto TLS: { $reply_line }
}
client-tls-support-missing-cause-build = All'ambiente manca la sua libreria TLS: PHP senza l'estensione openssl, Python o Ruby compilati senza OpenSSL, un programma Rust compilato senza una funzionalità TLS.
client-tls-support-missing-fix-install = Installa o abilita il supporto TLS (per PHP: il pacchetto php-openssl o extension=openssl in php.ini; per Python o Ruby: installa i file di sviluppo di OpenSSL e reinstalla; per un programma Rust: una build con la funzionalità TLS), poi riavvia il programma.

## forwarding.external_blocked

forwarding-external-blocked-title = L'organizzazione non permette di inoltrare la posta a indirizzi esterni
forwarding-external-blocked-summary = { $observation ->
    [client_error] Microsoft 365 ha rifiutato di inoltrare il messaggio a un indirizzo esterno, perché il criterio in uscita dell'organizzazione blocca l'inoltro automatico: “{ $message }”.
   *[other] Microsoft 365 ha rifiutato di inoltrare il messaggio a un indirizzo esterno, perché il criterio in uscita dell'organizzazione blocca l'inoltro automatico: { $reply_line }
}
forwarding-external-blocked-cause-policy = Una regola della casella, un'impostazione di inoltro di Outlook o un reindirizzamento invia il messaggio a un indirizzo esterno all'organizzazione, e il controllo dell'inoltro automatico del criterio anti-spam in uscita è Off (o Automatico, che Microsoft tratta come Off).
forwarding-external-blocked-fix-policy = Nel portale Microsoft Defender, Email e collaborazione > Criteri > Anti-spam > criterio in uscita: imposta "Regole di inoltro automatico" su On per gli utenti che possono inoltrare (meglio un criterio a parte per loro che quello predefinito).
forwarding-external-blocked-fix-user = Senza un amministratore: togli la regola di inoltro e fai scaricare la posta dalla casella esterna, oppure inoltra i messaggi a mano.

## tls.pinned_fingerprint_mismatch

tls-pinned-fingerprint-mismatch-title = Il certificato del server non corrisponde più all'impronta fissata nel programma
tls-pinned-fingerprint-mismatch-summary = { $observation ->
    [client_error] Il programma si fida di una sola impronta di certificato per questo server, e ora il server mostra un altro certificato: “{ $message }”.
   *[other] Il programma si fida di una sola impronta di certificato per questo server, e ora il server mostra un altro certificato: { $reply_line }
}
tls-pinned-fingerprint-mismatch-cause-renewed = Il certificato del server è stato rinnovato (i certificati Let's Encrypt cambiano ogni 60-90 giorni), quindi l'impronta fissata è scaduta.
tls-pinned-fingerprint-mismatch-cause-intercepted = Qualcosa tra te e il server presenta un proprio certificato (un antivirus o un firewall che ispeziona il TLS).
tls-pinned-fingerprint-mismatch-fix-trust-file = Fidati delle autorità di certificazione invece che di un'impronta (msmtp: tls_trust_file /etc/ssl/certs/ca-certificates.crt e togli tls_fingerprint); se devi fissarla, leggi la nuova impronta con msmtp --serverinfo --tls --tls-certcheck=off e confrontala prima con quella pubblicata dal provider.

## ip.blocklist_query_refused

ip-blocklist-query-refused-title = Il controllo blocklist del destinatario è fallito, e ti ha rifiutato per questo
ip-blocklist-query-refused-summary = Il server destinatario dice che il tuo indirizzo è bloccato, ma dalla blocklist ha ricevuto un codice di errore, non un'iscrizione: { $reply_line }
ip-blocklist-query-refused-cause-open-resolver = Spamhaus non risponde alle interrogazioni che passano da resolver DNS pubblici (Google, Cloudflare) o senza chiave; restituisce un codice di errore (127.255.255.254) che il server destinatario tratta per sbaglio come "in lista".
ip-blocklist-query-refused-fix-tell-receiver = Avvisa il postmaster del dominio destinatario: il suo server deve interrogare Spamhaus con un proprio resolver o con una chiave Data Query Service. Il tuo indirizzo non è in lista.
ip-blocklist-query-refused-fix-own-server = Se è il tuo server a rifiutare così la posta, smetti di usare un resolver pubblico per le blocklist (usa un resolver locale come unbound) o una chiave DQS di Spamhaus.

## direct_send.rejected

direct-send-rejected-title = L'organizzazione Microsoft 365 rifiuta il direct send
direct-send-rejected-summary = Microsoft 365 ha rifiutato posta anonima che usa il dominio dell'organizzazione: { $reply_line }
direct-send-rejected-cause-reject-direct-send = Il tenant ha attivato RejectDirectSend, quindi la posta dei suoi domini che arriva senza autenticazione né un connettore corrispondente viene rifiutata.
direct-send-rejected-cause-no-connector = Il dispositivo o l'applicazione invia da un indirizzo non coperto da alcun connettore partner o locale.
direct-send-rejected-fix-connector = Crea un connettore in ingresso (Flusso di posta > Connettori) per l'IP pubblico o il certificato del dispositivo, così la sua posta viene attribuita all'organizzazione.
direct-send-rejected-fix-submission = Oppure invia con accesso tramite smtp.office365.com sulla porta 587 (client submission), con OAuth 2.0 dove possibile.
direct-send-rejected-fix-relay = Per una stampante o uno scanner che non sa autenticarsi, un relay locale (mailprobe relay, o un connettore relay SMTP) può autenticarsi al suo posto.

## message.rejected_as_spam

message-rejected-as-spam-title = Il messaggio è stato rifiutato come spam o per il suo contenuto
message-rejected-as-spam-summary = Un server ha rifiutato il messaggio in sé, non l'accesso né gli indirizzi. La sua risposta: { $reply_line }
message-rejected-as-spam-cause-content = Qualcosa nel messaggio sembra spam al filtro: link, allegati, parole, o un'intestazione malformata (ad esempio caratteri non ASCII in un nome non codificato).
message-rejected-as-spam-cause-compromised = L'account o il dispositivo ha inviato spam (una password rubata) e ora il provider filtra tutto ciò che spedisce.
message-rejected-as-spam-cause-reputation = L'indirizzo o il dominio di invio ha una cattiva reputazione presso il destinatario.
message-rejected-as-spam-fix-content = Invia un breve messaggio di prova in testo semplice allo stesso destinatario: se passa, cambia il contenuto (link, allegati, oggetto) di quello rifiutato.
message-rejected-as-spam-fix-account = Cambia la password dell'account e controlla la posta inviata e le regole di inoltro per messaggi che non hai scritto.
message-rejected-as-spam-fix-provider = Chiedi al provider (quello il cui codice è nella risposta) quale regola ha rifiutato il messaggio; riporta la risposta intera con il suo codice di riferimento.

## client.unexplained_error

client-software-bug-title = Il programma di posta ha frainteso una risposta normale del server
client-software-bug-summary = Il programma si è fermato su una risposta che è SMTP ordinario (“{ $quoted }”): il server ha fatto ciò che il protocollo chiede e il programma non l'ha capita. È un difetto del programma, di solito di una sua versione.
client-software-bug-cause-version = Un bug di questa versione del programma di posta o della libreria che usa per SMTP: gestisce male una risposta che gli altri programmi accettano (un saluto su più righe, le richieste del LOGIN).
client-software-bug-cause-update = Un aggiornamento ha cambiato il modo in cui il programma legge le risposte del server: con la versione precedente l'invio funzionava.
client-software-bug-fix-update = Aggiorna il programma (e la sua libreria di posta) all'ultima versione: difetti come questo di solito vengono corretti pochi giorni dopo la segnalazione.
client-software-bug-fix-rollback = Se è cominciato subito dopo un aggiornamento e una versione corretta non c'è ancora, torna alla versione precedente finché non esce.
client-software-bug-fix-report = Segnalalo a chi sviluppa il programma con questo messaggio e il log del programma; intanto un altro programma di posta, o mailprobe diagnose con le stesse impostazioni, mostra che server e account funzionano.
client-unexplained-error-title = Il programma di posta ha segnalato un errore che mailprobe non sa ancora spiegare
client-unexplained-error-summary = La sessione è fallita dal lato del programma con un messaggio per cui mailprobe non ha una regola: { $reply_line }
client-unexplained-error-cause-program = Il programma si è fermato per un motivo suo (un'impostazione, un controllo che esegue, un limite), oppure riporta un problema del server con parole che mailprobe non conosce ancora.
client-unexplained-error-fix-search = Cerca il messaggio esatto insieme al nome del programma; il log del programma, con l'opzione di debug o dettagliata attiva, di solito mostra il passo fallito.
client-unexplained-error-fix-probe = Esegui mailprobe diagnose con lo stesso server, porta, cifratura e accesso: mostra quale passo fallisce e perché.

## message.too_many_recipients

message-too-many-recipients-title = Il messaggio ha più destinatari di quanti il server ne accetti in una volta
message-too-many-recipients-summary = Il server ha accettato i primi destinatari e per ora ha rifiutato gli altri di questo messaggio. La sua risposta: { $reply_line }
message-too-many-recipients-cause-per-message = I server limitano i destinatari di un singolo messaggio (100 è comune; Microsoft 365 ne accetta fino a 1000 per messaggio, meno per alcuni account); quelli oltre il limite vanno in un altro messaggio.
message-too-many-recipients-fix-split = Invia a meno destinatari per messaggio (un relay o un server di posta lo fa da solo, riprovando con gli altri), o usa una lista di distribuzione.

## oauth.client_rejected

oauth-client-rejected-title = Il servizio di accesso ha rifiutato le credenziali dell'applicazione
oauth-client-rejected-summary = Non è stato emesso alcun token perché l'endpoint dei token non ha accettato l'applicazione (il suo id o il suo segreto): { $reply_line }
oauth-client-rejected-cause-secret = Il segreto client è sbagliato o è scaduto (i segreti di Microsoft Entra scadono al massimo dopo due anni; AADSTS7000215 è un segreto non valido, AADSTS7000222 uno scaduto).
oauth-client-rejected-cause-app = L'id dell'applicazione non esiste in questo tenant, o è stata eliminata (AADSTS700016), o non può usare questo tipo di concessione.
oauth-client-rejected-fix-secret = In Microsoft Entra (o nella console Google Cloud), crea un nuovo segreto client per l'applicazione e mettilo nel file che il relay o il programma legge; controlla il tenant nell'URL del token.
oauth-client-rejected-fix-consent = Controlla che l'applicazione esista nel tenant giusto e abbia il consenso amministratore per il permesso di posta (SMTP.SendAsApp per l'invio solo applicazione tramite Microsoft 365).

## auth.basic_auth_retiring

auth-basic-auth-retiring-title = Questo accesso usa una password, che Microsoft 365 disattiva alla fine di dicembre 2026
auth-basic-auth-retiring-summary = Microsoft 365 ha accettato un accesso con password (AUTH { $mechanism }). Alla fine di dicembre 2026 Microsoft disattiva in modo predefinito l'autenticazione di base per SMTP AUTH nei tenant esistenti; da allora questo accesso fallisce (535 5.7.139), a meno che passi a OAuth 2.0 o smetta di autenticarsi.
auth-basic-auth-retiring-cause-date = Il calendario di Microsoft (gennaio 2026): l'autenticazione di base per l'invio client SMTP AUTH resta com'è fino a dicembre 2026, viene disattivata in modo predefinito nei tenant esistenti alla fine di dicembre 2026 (per ora un amministratore può riattivarla) e non è disponibile nei tenant creati dopo. Microsoft annuncerà la data della rimozione definitiva nella seconda metà del 2027; dopo, la risposta è 550 5.7.30 Basic authentication is not supported for Client Submission.
auth-basic-auth-retiring-cause-devices = Stampanti, scanner e applicazioni datate spesso sanno inviare solo un nome utente e una password: sono loro a smettere di inviare.
auth-basic-auth-retiring-fix-oauth = Se il programma sa accedere con OAuth 2.0 (autenticazione moderna, XOAUTH2), passalo a quello adesso: account, server e porta restano gli stessi.
auth-basic-auth-retiring-fix-device = Se il dispositivo conosce solo le password, fallo inviare senza accedere a Microsoft 365: tramite mailprobe relay nella tua rete (il dispositivo tiene la sua password, il relay accede con OAuth 2.0; mailprobe advise mostra le impostazioni), tramite un connettore relay SMTP, oppure con l'invio diretto solo per destinatari interni.
auth-basic-auth-retiring-fix-admin = Prima della data, elenca ogni dispositivo e account che accede ancora con una password (il report dei client SMTP AUTH nell'interfaccia di amministrazione di Exchange, oppure mailprobe scan sul tuo inventario) e spostali uno per uno; riattivare l'autenticazione di base dopo la data fa solo guadagnare tempo fino alla rimozione definitiva.
