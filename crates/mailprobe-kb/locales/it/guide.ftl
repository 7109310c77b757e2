# Testi di `mailprobe guide`: i percorsi di data/playbooks.toml (guide-PERCORSO-*), i loro passi
# (guide-step-PASSO-title / -what / -how-DESTINATARIO, un'istruzione per riga) e l'interfaccia
# della guida (guide-ui-*, guide-md-*). I testi dei percorsi e dei passi possono usare
# { $address }, { $tenant_mx }, { $host } e { $port }.

## Percorsi

guide-outlook-gmail-macos-title = Outlook per Mac non invia tramite Gmail
guide-outlook-gmail-macos-intro = Per Outlook su Mac quando i messaggi Gmail restano nella Posta in uscita, spesso con l'errore 4af4 o con il server che risponde 334 o 535 invece di 235 (accesso riuscito). Prima di cominciare tieni a portata di mano l'indirizzo Gmail e verifica se il tuo account Google ha la verifica in due passaggi. Poi chiudi Outlook e, se puoi, riavvia il Mac, così nessun processo tiene bloccati i file del profilo.
guide-outlook-gmail-macos-test = Per provare dopo ogni passo: manda a te stesso un messaggio con oggetto "Test SMTP 587". Deve uscire dalla Posta in uscita e comparire in Posta inviata, e in Gmail sotto Inviati.

guide-outlook-gmail-windows-title = Outlook per Windows non invia tramite Gmail
guide-outlook-gmail-windows-intro = Per Outlook su Windows quando i messaggi Gmail restano nella Posta in uscita, spesso con l'errore 4af4 o con il server che risponde 334 o 535 invece di 235 (accesso riuscito). Prima di cominciare tieni a portata di mano l'indirizzo Gmail e verifica se il tuo account Google ha la verifica in due passaggi. Poi chiudi Outlook e, se puoi, riavvia il PC, così nessun processo tiene bloccati i file del profilo.
guide-outlook-gmail-windows-test = Per provare dopo ogni passo: manda a te stesso un messaggio con oggetto "Test SMTP 587". Deve uscire dalla Posta in uscita e comparire in Posta inviata, e in Gmail sotto Inviati.

guide-m365-submission-title = Una stampante, uno scanner o un'app non invia tramite Microsoft 365 (con accesso SMTP AUTH)
guide-m365-submission-intro = Per un dispositivo o un'applicazione che accede a una cassetta postale di Microsoft 365 con indirizzo e password e invia tramite smtp.office365.com. È il metodo consigliato: raggiunge chiunque, dentro e fuori dall'organizzazione. I dispositivi mostrano di rado un errore utile, perciò i controlli partono da un computer della stessa rete.
guide-m365-submission-test = Per provare dopo ogni passo: invia una scansione o un messaggio di prova dal dispositivo a te stesso e a un indirizzo esterno all'organizzazione, e controlla che arrivino entrambi.

guide-m365-direct-send-title = Una stampante, uno scanner o un'app non invia con l'invio diretto a Microsoft 365
guide-m365-direct-send-intro = Per un dispositivo o un'applicazione che consegna senza accesso direttamente all'endpoint MX di Microsoft 365 dell'organizzazione (un nome che finisce in mail.protection.outlook.com) sulla porta 25, senza alcun connettore. L'invio diretto raggiunge solo le cassette postali della tua organizzazione.
guide-m365-direct-send-test = Per provare dopo ogni passo: invia dal dispositivo a una cassetta postale della tua organizzazione.

guide-m365-relay-title = Una stampante, uno scanner o un'app non invia tramite un connettore di inoltro di Microsoft 365
guide-m365-relay-intro = Per un dispositivo o un'applicazione che invia senza accesso all'endpoint MX di Microsoft 365 dell'organizzazione sulla porta 25, dove un connettore riconosce la tua rete dall'indirizzo IP statico o da un certificato e inoltra la posta a chiunque, destinatari esterni compresi.
guide-m365-relay-test = Per provare dopo ogni passo: invia dal dispositivo a una cassetta postale della tua organizzazione e a un indirizzo esterno.

## Passi: Outlook con Gmail

guide-step-update-os-outlook-title = Aggiorna il sistema operativo e Outlook
guide-step-update-os-outlook-what = Le librerie di sicurezza vecchie, nel sistema o in Outlook, non riescono a completare l'accesso attuale di Google (OAuth 2.0) o la sua cifratura. Nei casi segnalati è bastato installare gli aggiornamenti perché l'invio ripartisse (per esempio passando a macOS Sonoma).
guide-step-update-os-outlook-how-outlook-macos =
    Menu Apple > Impostazioni di Sistema > Generali > Aggiornamento software: installa tutto quello che propone.
    Aggiorna Outlook con Microsoft AutoUpdate (in Outlook: Aiuto > Controlla aggiornamenti), oppure dal Mac App Store se l'hai installato da lì.
guide-step-update-os-outlook-how-outlook-windows =
    Start > Impostazioni > Windows Update: installa gli aggiornamenti in sospeso.
    In Outlook: File > Account di Office > Opzioni di aggiornamento > Aggiorna adesso.

guide-step-gmail-enable-imap-title = Attiva IMAP in Gmail
guide-step-gmail-enable-imap-what = La configurazione dell'account in Outlook prova insieme la ricezione (IMAP) e l'invio: se IMAP è spento in Gmail, l'aggiunta o la verifica dell'account possono fallire. IMAP tiene inoltre allineati cartelle, etichette e stato di lettura, cosa che POP non fa.
guide-step-gmail-enable-imap-how-google-account =
    In Gmail dal browser: icona a ingranaggio > Visualizza tutte le impostazioni > Inoltro e POP/IMAP.
    Nella sezione Accesso IMAP scegli Abilita IMAP, poi Salva modifiche in fondo alla pagina.
    Lascia passare qualche secondo perché la modifica arrivi ai server di Google, poi riprova.

guide-step-gmail-server-settings-title = Usa i parametri dei server Google: SMTP 587 con STARTTLS, IMAP 993 con SSL/TLS
guide-step-gmail-server-settings-what = Gmail riceve la posta in uscita su smtp.gmail.com alla porta 587 con STARTTLS (va bene anche la 465 con SSL/TLS) e fornisce quella in arrivo su imap.gmail.com alla porta 993 con SSL/TLS; entrambi richiedono l'accesso. Altre coppie di porta e cifratura falliscono, spesso travestite da errore di accesso. Se Outlook usa la 465, passa alla 587 con STARTTLS.
guide-step-gmail-server-settings-how-outlook-macos =
    Strumenti > Account, seleziona l'account Gmail e confronta i suoi server con questi valori.
    In entrata: imap.gmail.com, porta 993, SSL attivo. In uscita: smtp.gmail.com, porta 587, STARTTLS, accesso con lo stesso account.
guide-step-gmail-server-settings-how-outlook-windows =
    File > Impostazioni account > Impostazioni account, seleziona l'account Gmail, Cambia > Altre impostazioni > Impostazioni avanzate.
    In entrata (IMAP): imap.gmail.com, 993, SSL/TLS. In uscita (SMTP): smtp.gmail.com, 587, STARTTLS.
    Controlla che siano spuntate le opzioni secondo cui il server richiede una connessione crittografata.

guide-step-outlook-modern-auth-title = Aggiungi di nuovo l'account scegliendo "Google" (OAuth 2.0), oppure usa una password per l'app
guide-step-outlook-modern-auth-what = Google non accetta più dai programmi di posta la semplice password dell'account. Se rimuovi l'account e lo aggiungi di nuovo scegliendo Google (non "Altro" o IMAP), Outlook accede dalla pagina di Google stessa (OAuth 2.0) e ottiene token nuovi. Solo se quella pagina di Google non compare mai e l'account ha la verifica in due passaggi, accedi con una password per l'app al posto della password normale.
guide-step-outlook-modern-auth-how-outlook-macos =
    Outlook > Strumenti > Account, seleziona l'account Gmail, fai clic su − e conferma.
    Fai clic su + > Nuovo account, scrivi l'indirizzo e scegli Google; accedi nella finestra del browser e consenti l'accesso a Outlook.
guide-step-outlook-modern-auth-how-outlook-windows =
    File > Impostazioni account > Gestisci profili: rimuovi l'account Gmail.
    Aggiungilo di nuovo scegliendo Google quando richiesto; accedi nella pagina che si apre e consenti l'accesso a Outlook.
guide-step-outlook-modern-auth-how-google-account =
    Solo se la pagina di accesso di Google non compare: Account Google > Sicurezza > Verifica in due passaggi > Password per le app (myaccount.google.com/apppasswords).
    Creane una chiamata "Outlook" e inseriscila dove Outlook chiede la password.
    Non darla a nessuno; se pensi che altri la conoscano, revocala e creane una nuova.

guide-step-stored-credentials-title = Cancella le password e i token salvati per Gmail
guide-step-stored-credentials-what = Outlook conserva password e token OAuth di Gmail nell'archivio delle credenziali del sistema. Uno scaduto o rovinato continua a essere inviato e rifiutato (334 o 535) finché non lo cancelli. Dopo la pulizia riavvia Outlook e accedi di nuovo scegliendo Google.
guide-step-stored-credentials-how-outlook-macos =
    Apri Accesso Portachiavi (Applicazioni > Utility) e cerca una alla volta le voci Google, smtp.gmail.com, imap.gmail.com e Outlook.
    Elimina quello che trovi, riavvia Outlook e aggiungi di nuovo l'account scegliendo Google.
guide-step-stored-credentials-how-outlook-windows =
    Pannello di controllo > Gestione credenziali > Credenziali Windows: elimina le voci di imap.gmail.com e smtp.gmail.com e i token di Google o Outlook, poi riavvia.
    Se non basta, crea un profilo nuovo: Pannello di controllo > Posta (Microsoft Outlook) > Mostra profili > Aggiungi, e configura lì l'account scegliendo Google.

guide-step-security-software-title = Escludi antivirus, firewall, proxy o VPN
guide-step-security-software-what = I programmi di sicurezza con "scansione HTTPS" (o "scansione SSL") e i proxy aziendali che ispezionano TLS sostituiscono il certificato di Google con il proprio o nascondono STARTTLS, e l'handshake sulla porta 587 si rompe. Spegni la scansione per un momento e riprova, oppure prova da un'altra rete, come l'hotspot del telefono: se lì funziona, la causa è la rete di sempre. Le porte 587 (SMTP) e 993 (IMAP) devono essere aperte verso l'esterno.
guide-step-security-software-how-network-admin =
    Escludi smtp.gmail.com:587 e imap.gmail.com:993 dall'ispezione TLS.
    Verifica che nessun criterio di gruppo (GPO) o profilo MDM imponga versioni TLS vecchie o blocchi l'accesso dal browser con cui Outlook ottiene il token.

guide-step-clock-title = Lascia che il computer regoli l'orologio da solo
guide-step-clock-what = Token di accesso e certificati vengono verificati rispetto all'ora. Un orologio sbagliato di più di cinque minuti circa fa rifiutare l'accesso da Google (334 o 535) e può far sembrare scaduto un certificato valido.
guide-step-clock-how-outlook-macos = Impostazioni di Sistema > Generali > Data e ora: attiva "Imposta data e ora automaticamente" e controlla il fuso orario.
guide-step-clock-how-outlook-windows = Impostazioni > Data/ora e lingua > Data e ora: attiva "Imposta automaticamente l'ora" e "Imposta automaticamente il fuso orario", poi Sincronizza ora.

guide-step-outlook-logs-title = Attiva i log di Outlook e guarda dove si ferma
guide-step-outlook-logs-what = Se finora nulla ha aiutato, il log di Outlook mostra il punto esatto in cui la conversazione con il server fallisce, ed è ciò che serve all'assistenza. Cerca EHLO, STARTTLS, AUTH XOAUTH2 e le risposte 334 o 535: se STARTTLS non parte mai o AUTH XOAUTH2 non compare, sospetta la rete o un Outlook non aggiornato. Puoi incollare quelle righe in mailprobe explain.
guide-step-outlook-logs-how-outlook-macos = Outlook > Impostazioni (Preferenze) > Generale: attiva la registrazione, fai ripetere l'errore e poi apri il log.
guide-step-outlook-logs-how-outlook-windows = File > Opzioni > Avanzate: spunta "Abilita registrazione (risoluzione dei problemi)", riavvia Outlook e prova a inviare; poi togli la spunta e leggi i file di log (nella cartella Outlook Logging sotto %TEMP%).

## Passi: dispositivi con Microsoft 365

guide-step-m365-device-settings-title = Controlla le impostazioni di posta del dispositivo
guide-step-m365-device-settings-what = Per inviare con accesso (invio client, SMTP AUTH) il dispositivo ha bisogno dei valori qui sotto. Se la sua configurazione non ha un campo per la password, il dispositivo non accede affatto e questo metodo non può funzionare: usa invece l'invio diretto o un connettore di inoltro.
guide-step-m365-device-settings-how-device =
    Server (smart host): smtp.office365.com
    Porta: 587 (consigliata) o 25
    TLS o STARTTLS: attivo
    Nome utente e password: indirizzo e password della cassetta postale Microsoft 365 usata dal dispositivo ({ $address })

guide-step-m365-send-as-title = Invia dall'indirizzo con cui il dispositivo accede
guide-step-m365-send-as-what = L'indirizzo del mittente (From) deve essere la cassetta postale con cui il dispositivo accede. Per inviare come un altro indirizzo (per esempio accedendo come vendite@ ma inviando come un singolo venditore) la cassetta di accesso deve avere l'autorizzazione Invia come su quell'indirizzo; senza, Microsoft 365 risponde 5.7.60 (nessuna autorizzazione a inviare come questo mittente). Se quell'autorizzazione non si può dare, usa invece un connettore di inoltro.
guide-step-m365-send-as-how-device = Imposta come mittente del dispositivo { $address }, lo stesso del nome utente.
guide-step-m365-send-as-how-m365-admin = Oppure concedi l'autorizzazione: interfaccia di amministrazione di Exchange > Destinatari > Cassette postali, apri la cassetta del mittente > Delega > Invia come, e aggiungi { $address } (in PowerShell: Add-RecipientPermission -Identity <mittente> -Trustee { $address } -AccessRights SendAs).

guide-step-m365-web-sign-in-title = Prova la cassetta postale in Outlook sul web
guide-step-m365-web-sign-in-what = Accedi a outlook.office.com con nome utente e password del dispositivo e invia un messaggio di prova. Se fallisce anche lì, la password è sbagliata o l'account è bloccato. Una cassetta bloccata per invio di posta indesiderata viene rifiutata (550 5.1.8) finché un amministratore non la sblocca.
guide-step-m365-web-sign-in-how-m365-admin = Sblocca la cassetta nel portale Utenti con restrizioni (portale Microsoft Defender > Posta elettronica e collaborazione > Revisione > Entità con restrizioni).

guide-step-network-reach-title = Verifica che la rete lasci uscire la connessione
guide-step-network-reach-what = Da un computer della stessa rete del dispositivo, { $host } deve rispondere sulla porta { $port } con una riga che comincia con 220 (quella di Microsoft finisce con "Microsoft ESMTP MAIL Service ready"). Il controllo automatico di mailprobe fa proprio questo; a mano, con il client Telnet: telnet { $host } { $port }. Se non risponde nulla, un firewall o il fornitore di connettività blocca la porta { $port }. { $port ->
        [25] Molti fornitori bloccano la porta 25: se non si può aprire, fai accedere il dispositivo tramite smtp.office365.com sulla porta 587.
       *[other] Falla aprire in uscita, o chiedi a chi gestisce il firewall.
    }
guide-step-network-reach-how-network-admin = Consenti le connessioni TCP in uscita dalla rete del dispositivo verso { $host } sulla porta { $port } (firewall, router, fornitore di connettività).

guide-step-m365-tls12-title = Verifica che il dispositivo parli TLS 1.2
guide-step-m365-tls12-what = smtp.office365.com rifiuta gli accessi con TLS 1.0 e 1.1: il dispositivo deve parlare TLS 1.2 o successivo. Aggiornare il firmware, o l'applicazione, è la strada più sicura; il produttore può confermare se il dispositivo supporta TLS 1.2.
guide-step-m365-tls12-how-device = Installa il firmware o la versione dell'applicazione più recente; chiedi al produttore se il dispositivo supporta TLS 1.2.
guide-step-m365-tls12-how-m365-admin =
    Solo se il dispositivo non si può aggiornare: consenti i client TLS legacy con Set-TransportConfig -AllowLegacyTLSClients $true, oppure nell'interfaccia di amministrazione di Exchange > Impostazioni > Flusso di posta, sotto Sicurezza, attiva l'uso dei client TLS legacy e salva.
    Poi imposta sul dispositivo smtp-legacy.office365.com al posto di smtp.office365.com.
    Oppure sposta il dispositivo sull'invio diretto o su un connettore di inoltro, dove TLS è facoltativo.
    Oppure lascia il dispositivo com'è e invia tramite mailprobe relay nella tua rete, che accetta TLS 1.0 dal dispositivo e parla TLS 1.2 con Microsoft 365 (un passo successivo).

guide-step-m365-smtp-auth-title = Attiva SMTP AUTH per la cassetta postale del dispositivo
guide-step-m365-smtp-auth-what = L'accesso dai dispositivi (SMTP autenticato, "SMTP AUTH") si può spegnere per una sola cassetta o per tutta l'organizzazione; allora l'accesso fallisce con 535 5.7.3 o 5.7.57 anche con la password giusta. La cassetta deve anche avere una licenza.
guide-step-m365-smtp-auth-how-m365-admin =
    In PowerShell di Exchange Online: Get-CASMailbox -Identity { $address } | Format-List SmtpClientAuthenticationDisabled
    Se risponde True: Set-CASMailbox -Identity { $address } -SmtpClientAuthenticationDisabled $false

guide-step-m365-mfa-title = Disattiva l'autenticazione a più fattori per la cassetta del dispositivo
guide-step-m365-mfa-what = Un dispositivo non sa rispondere a un secondo fattore di accesso, quindi una cassetta con l'autenticazione a più fattori (MFA) non può accedere da lì.
guide-step-m365-mfa-how-m365-admin = Interfaccia di amministrazione di Microsoft 365 > Utenti > Utenti attivi > Autenticazione a più fattori: seleziona la cassetta del dispositivo e disattiva l'MFA.

guide-step-m365-security-defaults-title = Impostazioni predefinite per la sicurezza (solo se ne conosci il rischio)
guide-step-m365-security-defaults-what = Le impostazioni predefinite per la sicurezza di Microsoft Entra bloccano l'accesso di base usato dai dispositivi. Spegnerle indebolisce la protezione di tutta l'organizzazione: fallo solo se accetti quel rischio e, dove hai l'accesso condizionale, preferisci il passo successivo, che esclude solo questa cassetta.
guide-step-m365-security-defaults-how-m365-admin = Accedi al portale di Azure come amministratore della sicurezza o dell'accesso condizionale > Microsoft Entra ID > Proprietà > Gestisci le impostazioni predefinite per la sicurezza: imposta "Abilita le impostazioni predefinite per la sicurezza" su No e salva.

guide-step-m365-conditional-access-title = Escludi la cassetta dai criteri che bloccano l'autenticazione legacy
guide-step-m365-conditional-access-what = Un criterio di accesso condizionale che blocca l'autenticazione legacy blocca anche l'accesso del dispositivo.
guide-step-m365-conditional-access-how-m365-admin = Portale di Azure > Microsoft Entra ID > Sicurezza > Accesso condizionale: in ogni criterio che blocca l'autenticazione legacy aggiungi la cassetta del dispositivo in Utenti e gruppi > Escludi, e salva.

guide-step-m365-federation-title = Accesso federato: i server di federazione devono essere raggiungibili in HTTPS
guide-step-m365-federation-what = Solo per le organizzazioni che accedono tramite server di federazione propri (per esempio AD FS): Microsoft 365 verifica allora la password con quei server. 535 5.7.139 significa che non è riuscito a raggiungerli, o a raggiungerli in modo sicuro: devono rispondere in HTTPS con TLS 1.2.
guide-step-m365-federation-how-m365-admin = Verifica che il servizio di federazione (STS) risponda da Internet in HTTPS e supporti TLS 1.2.

guide-step-m365-admin-diagnostic-title = Esegui la diagnostica di Microsoft
guide-step-m365-admin-diagnostic-what = L'interfaccia di amministrazione di Microsoft 365 offre una diagnostica automatica per i dispositivi e le applicazioni che inviano posta. Serve un account amministratore.
guide-step-m365-admin-diagnostic-how-m365-admin = Nell'interfaccia di amministrazione di Microsoft 365 apri la diagnostica per la configurazione di applicazioni o dispositivi che inviano posta (Guida e supporto) e scegli se si tratta di una nuova configurazione o di risolvere una esistente.

guide-step-m365-direct-send-settings-title = Controlla le impostazioni del dispositivo per l'invio diretto
guide-step-m365-direct-send-settings-what = L'invio diretto consegna senza accesso all'endpoint MX dell'organizzazione, il cui nome finisce in mail.protection.outlook.com: per il tuo dominio con ogni probabilità { $tenant_mx } (il nome esatto è nel record MX del dominio). smtp.office365.com non accetta posta in questo modo e risponde che il client non è autenticato per inviare posta anonima durante MAIL FROM. Non mettere mai un indirizzo IP al posto del nome, neanche se il nome è troppo lungo per il campo del dispositivo: l'indirizzo può cambiare e la posta si fermerebbe. Se il nome non ci sta, fai accedere il dispositivo tramite smtp.office365.com.
guide-step-m365-direct-send-settings-how-device =
    Server (smart host): { $tenant_mx }
    Porta: 25; nessun nome utente né password
    Mittente (From): un indirizzo del tuo dominio, per esempio { $address }

guide-step-ip-blocklist-title = Verifica che l'indirizzo IP pubblico non sia in una blocklist
guide-step-ip-blocklist-what = Un motivo frequente per cui un dispositivo smette all'improvviso di inviare: è uscita posta indesiderata dalla rete e i sistemi antispam hanno messo il suo IP pubblico in una blocklist, che usa anche Microsoft 365. Cerca l'indirizzo con un servizio esterno (MXToolbox, WhatIsMyIPAddress) e chiedi a chi l'ha inserito di toglierlo.
guide-step-ip-blocklist-how-network-admin = Trova l'indirizzo IP pubblico della rete, cercalo con un servizio di verifica delle blocklist e segui la procedura di rimozione di ciascuna; una cassetta bloccata per spam si sblocca nel portale Utenti con restrizioni.

guide-step-m365-direct-send-recipients-title = Invia solo alla tua organizzazione
guide-step-m365-direct-send-recipients-what = L'invio diretto consegna solo alle cassette postali della tua organizzazione ospitate in Microsoft 365; i destinatari esterni vengono rifiutati per come è fatto. Per raggiungere indirizzi esterni fai accedere il dispositivo (invio client) o usa un connettore di inoltro.

guide-step-spf-static-ip-title = Invia da un indirizzo IP statico presente nel record SPF
guide-step-spf-static-ip-what = Perché la posta del dispositivo non finisca tra la posta indesiderata, invia da un indirizzo IP pubblico fisso e inseriscilo nel record SPF del dominio; un connettore di inoltro ne ha comunque bisogno. Una nuova rete o un nuovo fornitore di connettività cambiano l'indirizzo: aggiorna allora il record SPF. Senza un IP statico, fai accedere il dispositivo tramite smtp.office365.com.
guide-step-spf-static-ip-how-network-admin = Aggiungi l'indirizzo statico al record TXT SPF del dominio (per esempio ip4:203.0.113.10) e correggilo ogni volta che l'indirizzo cambia.

guide-step-m365-relay-settings-title = Controlla le impostazioni del dispositivo e il connettore
guide-step-m365-relay-settings-what = Con l'inoltro il dispositivo invia senza accesso all'endpoint MX dell'organizzazione ({ $tenant_mx }, un nome che finisce in mail.protection.outlook.com) sulla porta 25, e un connettore di Microsoft 365 per la posta della tua organizzazione lo riconosce dall'indirizzo IP pubblico statico o da un certificato.
guide-step-m365-relay-settings-how-device = Server: { $tenant_mx }; porta 25; TLS se il dispositivo lo offre; nessun nome utente né password; mittente: un indirizzo del tuo dominio, per esempio { $address }.
guide-step-m365-relay-settings-how-m365-admin = Interfaccia di amministrazione di Exchange > Flusso di posta > Connettori: deve esserci un connettore da "Server di posta elettronica dell'organizzazione" a "Office 365" che riconosca la rete del dispositivo dall'indirizzo IP o dal certificato.

guide-step-m365-relay-connector-title = Aggiorna il connettore dopo un cambio di indirizzo IP o di certificato
guide-step-m365-relay-connector-what = Quando l'indirizzo IP pubblico o il certificato cambiano (nuovo fornitore di connettività, nuovo router, certificato rinnovato), il connettore non riconosce più il dispositivo: i destinatari esterni smettono di ricevere la sua posta e Microsoft 365 può rispondere 5.7.64 TenantAttribution (inoltro negato) o 4.4.62 (posta inviata all'area di Office 365 sbagliata).
guide-step-m365-relay-connector-how-m365-admin = Interfaccia di amministrazione di Exchange > Flusso di posta > Connettori: modifica il connettore in ingresso con il nuovo indirizzo IP o il nuovo certificato, e aggiorna di conseguenza il record SPF.

guide-step-m365-mailprobe-relay-title = Oppure lascia il dispositivo com'è: mailprobe relay nella tua rete
guide-step-m365-mailprobe-relay-what = Quando il dispositivo non sa accedere con OAuth 2.0 né parlare TLS 1.2, un relay su un computer della tua rete gli permette di continuare a inviare: dalla fine di dicembre 2026 Microsoft 365 disattiva per impostazione predefinita l'autenticazione di base per SMTP AUTH, e la password di una cassetta postale inviata da un dispositivo smette di funzionare. Il dispositivo invia al relay come fa oggi (anche in TLS 1.0, con una password propria del relay oppure riconosciuto dal suo indirizzo); il relay conserva ogni messaggio e lo invia a smtp.office365.com in TLS 1.2, accedendo come applicazione con OAuth 2.0 (SMTP.SendAsApp). Raggiunge i destinatari interni ed esterni all'organizzazione, e non richiede né un indirizzo IP statico né un connettore.
guide-step-m365-mailprobe-relay-how-device =
    Server (smart host): l'indirizzo, nella tua rete, del computer su cui gira il relay, per esempio 192.168.1.10; porta 25 (o 587).
    TLS: STARTTLS se il dispositivo lo offre; un dispositivo che parla solo TLS 1.0 o 1.1 richiede legacy_tls = true sul listener del relay; nella rete locale funziona anche senza TLS.
    Nome utente e password: il nome del dispositivo e la password stampata da mailprobe relay add-device; nessuno, se il relay riconosce il dispositivo dal suo indirizzo.
    Mittente (From): { $address }, o un altro indirizzo che il relay consente al dispositivo; a un dispositivo che non può impostarlo si assegna rewrite_sender nelle impostazioni del relay.
guide-step-m365-mailprobe-relay-how-m365-admin =
    In Microsoft Entra, Registrazioni app: registra un'applicazione, assegnale l'autorizzazione applicativa SMTP.SendAsApp di Office 365 Exchange Online, concedi il consenso amministratore e crea un segreto client o carica un certificato.
    In Exchange Online PowerShell: New-ServicePrincipal -AppId CLIENT-ID -ObjectId ENTERPRISE-APP-OBJECT-ID, poi Add-MailboxPermission -Identity { $address } -User SERVICE-PRINCIPAL-ID -AccessRights FullAccess
    Lascia attivo SMTP AUTH per quella cassetta postale (lo usa anche OAuth): Set-CASMailbox -Identity { $address } -SmtpClientAuthenticationDisabled $false
guide-step-m365-mailprobe-relay-how-network-admin =
    Su un computer Linux della rete installa mailprobe con il relay (README, "Keep printers sending: mailprobe relay") e copia packaging/relay.toml in /etc/mailprobe-relay/relay.toml: inserisci il tenant, l'id dell'applicazione, la cassetta postale { $address } e l'indirizzo del relay nella rete.
    Per ogni dispositivo che accede: mailprobe relay add-device NOME, e incolla in relay.toml le righe che stampa.
    Controlla tutto prima di indirizzarvi i dispositivi: mailprobe relay check --config /etc/mailprobe-relay/relay.toml
    Avvialo: systemctl enable --now mailprobe-relay; cosa è in attesa, e perché: mailprobe relay queue

## L'interfaccia della guida

guide-ui-welcome = mailprobe guide: scopriamo passo per passo perché la posta non parte, e sistemiamolo.
guide-ui-how-to-answer = Rispondi a ogni domanda e premi Invio. Per fermarti quando vuoi premi Ctrl-D: avrai comunque un riepilogo.
guide-ui-ask-sender = Che cosa invia la posta?
guide-ui-sender-outlook-macos = Outlook su Mac
guide-ui-sender-outlook-windows = Outlook su Windows
guide-ui-sender-device = Una stampante, uno scanner o un'applicazione
guide-ui-ask-provider = Tramite quale servizio di posta invia?
guide-ui-provider-gmail = Gmail (Google)
guide-ui-provider-m365 = Microsoft 365 (Office 365, Exchange Online)
guide-ui-provider-other = Un altro
guide-ui-ask-number = Scrivi un numero da 1 a { $max }.
guide-ui-ask-address = Da quale indirizzo email invia?
guide-ui-bad-address = Non sembra un indirizzo email (nome@dominio): scrivilo di nuovo.
guide-ui-modes-explained = Un dispositivo invia tramite Microsoft 365 in uno di tre modi. Invio client: accede a una cassetta postale e può scrivere a chiunque (consigliato). Invio diretto: senza accesso, solo a persone della tua organizzazione. Inoltro: senza accesso, a chiunque, tramite un connettore che riconosce il tuo indirizzo IP statico.
guide-ui-ask-can-sign-in = Nella configurazione della posta il dispositivo chiede nome utente e password di una cassetta postale Microsoft 365?
guide-ui-ask-outside = Deve inviare a persone esterne alla tua organizzazione?
guide-ui-ask-old-tls = È un dispositivo datato che forse parla solo TLS 1.0 o 1.1 (il produttore non dichiara il supporto di TLS 1.2)? Nel dubbio rispondi s.
guide-ui-ask-outside-address = Un indirizzo esterno all'organizzazione da usare per la prova (non viene inviato nulla; Invio per saltare):
guide-ui-yes-no = [s/n]
guide-ui-answer-yes-no = Rispondi s (sì) oppure n (no).
guide-ui-chosen = Percorso: { $title } ({ $id })
guide-ui-no-playbook = Per questa combinazione non c'è ancora una guida passo per passo; mailprobe può comunque controllare il server e dirti che cosa trova.
guide-ui-ask-server = Tramite quale server invia (il server SMTP in uscita nelle sue impostazioni)?
guide-ui-checks-heading = Controlli automatici
guide-ui-checks-what = Ora mailprobe fa ciò che fa il mittente: { $targets }.
guide-ui-checks-from-here = I controlli partono da questo computer: per un dispositivo, esegui la guida da un computer della stessa rete del dispositivo.
guide-ui-ask-password = Password usata per accedere come { $address }{ $provider ->
        [gmail] {" "}(con la verifica in due passaggi, la password per l'app).
       *[other] .
    } Non viene mostrata né conservata. Premi solo Invio per controllare senza accedere:
guide-ui-checking = Controllo in corso, ci vuole qualche secondo…
guide-ui-checks-could-not-run = Non è stato possibile eseguire i controlli: { $error }
guide-ui-checks-skipped = Controlli automatici saltati.
guide-ui-checks-ok = I controlli non hanno trovato problemi: da questo computer il server accetta la connessione, la cifratura e l'accesso. La causa sta quindi con ogni probabilità nelle impostazioni del programma o del dispositivo che invia, che i passi seguenti ripercorrono.
guide-ui-checks-ok-envelope = I controlli non hanno trovato problemi: da questo computer il server accetta la connessione, la cifratura, il mittente e il destinatario. La causa sta quindi con ogni probabilità nelle impostazioni del dispositivo, che i passi seguenti ripercorrono.
guide-ui-checks-ok-no-sign-in = I controlli non hanno trovato problemi di connessione né di cifratura (l'accesso non è stato provato).
guide-ui-checks-found = Che cosa hanno trovato i controlli:
guide-ui-finding-see = { $count ->
        [one] → Se ne occupa il passo { $steps }.
       *[other] → Se ne occupano i passi { $steps }.
    }
guide-ui-fallback-fixes = Che cosa fare:
guide-ui-steps-heading = Ora { $total ->
        [one] un passo
       *[other] { $total } passi
    }, in ordine. Dopo ciascuno riprova a inviare e dimmi se funziona.
guide-ui-step-heading = Passo { $n } di { $total }: { $title }
guide-ui-step-found = → È quello che ha trovato il controllo automatico: { $title } [{ $id }]
guide-ui-how-for = Come fare ({ $audience }):
guide-ui-ask-works = L'invio funziona adesso? [s/n/salta]
guide-ui-answer-works = Rispondi s (funziona), n (ancora no) oppure salta (passo non fatto).
guide-ui-works = L'invio funziona: ottimo. Ci fermiamo qui.
guide-ui-input-ended = (Nessun'altra risposta: ci fermiamo qui.)
guide-ui-summary-heading = Riepilogo
guide-ui-summary-guide = Percorso: { $title } ({ $id })
guide-ui-summary-checked = Controllato automaticamente: { $targets }
guide-ui-summary-not-checked = Controllato automaticamente: niente.
guide-ui-summary-found = Trovato: { $findings }
guide-ui-summary-found-nothing = Trovato: nessun problema.
guide-ui-summary-steps = Passi:
guide-ui-summary-step-helped = { $n }. { $title }: fatto, e dopo l'invio funziona
guide-ui-summary-step-done = { $n }. { $title }: fatto, non ha risolto
guide-ui-summary-step-skipped = { $n }. { $title }: saltato
guide-ui-summary-no-steps = Passi: nessuno eseguito.
guide-ui-summary-works = Esito: l'invio ora funziona (dopo il passo { $n }).
guide-ui-summary-still-broken = Esito: non funziona ancora dopo tutti i passi. Dai all'assistenza le righe qui sotto.
guide-ui-summary-unknown = Esito: non ancora confermato (la guida si è fermata prima della fine).
guide-ui-summary-helpdesk = Per l'assistenza:
guide-ui-check-smtp = SMTP { $host } porta { $port } con { $security }
guide-ui-check-imap = IMAP { $host } porta { $port } con { $security }
guide-ui-check-sign-in = accesso come { $address }
guide-ui-check-old-tls = di nuovo come client limitato a TLS 1.0

guide-md-checks = Controlli automatici
guide-md-checks-intro = Da eseguire sul computer con il problema o, per un dispositivo, su un computer della stessa rete. mailprobe chiede la password senza mostrarla.
guide-md-old-tls = Se il dispositivo è datato (solo TLS 1.0 o 1.1), controlla anche come un client di quel tipo:
guide-md-steps = Passi
guide-md-done = Fatto
guide-md-works = Dopo questo passo l'invio funziona
guide-md-findings = Risolve ciò che mailprobe segnala come: { $ids }
guide-md-interactive = Per farti guidare in modo interattivo: { $command }
