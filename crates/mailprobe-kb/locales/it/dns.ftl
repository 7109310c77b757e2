# Testi di `mailprobe dns`, `mailprobe advise` e della ricerca del provider (crates/mailprobe/src/
# dns.rs, advise.rs, diagnose.rs). dns-f-<id del problema con - al posto di . e _>-title /
# -summary / -cause-* / -fix-* sono i problemi che questi comandi ricavano dal DNS.

## dns: titoli e sezioni

dns-title = Controlli DNS di { $domain }
dns-title-ip = Controlli DNS di { $domain } per l'IP { $ip }
dns-heading-mx = Server di posta (MX)
dns-heading-spf = SPF
dns-heading-dmarc = DMARC
dns-heading-blocklists = Blocklist ({ $ip })
dns-heading-reverse = DNS inverso ({ $ip })
dns-lookup-failed = La ricerca non è riuscita: { $status }
dns-status-found = record trovati
dns-status-no_data = nessun record di questo tipo
dns-status-nx_domain = il nome non esiste
dns-status-refused = il server DNS ha rifiutato di rispondere
dns-status-server_failure = errore del server DNS
dns-status-timed_out = nessuna risposta in tempo
dns-status-error = errore DNS
dns-mx-none = Nessun record MX: nessuno riceve la posta di questo dominio.
dns-mx-provider = Provider: { $provider } (invio client: { $server })
dns-mx-unknown-provider = Provider: non è tra quelli che mailprobe conosce.
dns-mx-m365-endpoint = Endpoint MX di Microsoft 365, per l'invio diretto e l'inoltro tramite connettore (porta 25, senza accesso): { $host }
dns-spf-none = Nessun record SPF.
dns-spf-record = Record: { $record }
dns-spf-multiple = { $count } record SPF: un dominio deve pubblicarne esattamente uno.
dns-spf-result = Risultato per { $ip }: { $result }
dns-spf-match = Deciso da: { $mechanism } nel record di { $domain }
dns-spf-through = raggiunto tramite: { $chain }
dns-spf-nomatch = Nessun meccanismo corrisponde.
dns-spf-chain = Record valutati:
dns-spf-chain-domain = { $domain }
dns-spf-chain-include = include → { $domain }
dns-spf-chain-redirect = redirect → { $domain }
dns-spf-lookups = Ricerche DNS: { $count } delle { $limit } consentite
dns-spf-no-ip = Indicare con --ip l'indirizzo da cui invia il dispositivo per valutare il record per quell'indirizzo.
dns-spf-trace-incomplete = Non è stato possibile ricostruire tutto il percorso; il risultato è quello calcolato da mail-auth.
dns-spf-permerror-too_many_lookups = più di 10 ricerche DNS (include, a, mx, ptr, exists, redirect)
dns-spf-permerror-loop = un include o un redirect riporta a un record già in valutazione
dns-spf-permerror-syntax = un record contiene un errore di sintassi
dns-spf-permerror-include_without_spf = un include indica un dominio senza record SPF
dns-spf-permerror-redirect_without_spf = un redirect indica un dominio senza record SPF
dns-spf-permerror-too_many_mx = un meccanismo mx ha trovato più di 10 server di posta
dns-spf-permerror-unknown = non è stato possibile risalire al motivo
dns-spf-reason = Motivo: { $reason }
dns-dmarc-none = Nessun record DMARC.
dns-dmarc-record = { $name }: { $record }
dns-dmarc-policy = Criterio: { $policy }
dns-dmarc-policy-none = none (solo rapporti, nessuna azione sulla posta che non supera il controllo)
dns-dmarc-policy-quarantine = quarantine (la posta che non supera il controllo va nella posta indesiderata)
dns-dmarc-policy-reject = reject (la posta che non supera il controllo viene rifiutata)
dns-dmarc-invalid = Il record non è un DMARC valido (deve iniziare con v=DMARC1 e contenere p=).
dns-bl-listed = in elenco
dns-bl-policy = in un elenco di criteri
dns-bl-not_listed = non in elenco
dns-bl-not_answered = nessuna risposta
dns-bl-delist = Rimozione: { $url }
dns-dnsbl-meaning-sbl = Spamhaus SBL: fonte nota di spam o di servizi per lo spam
dns-dnsbl-meaning-css = Spamhaus CSS: posta di bassa reputazione, di solito spam inviato di recente da questo IP
dns-dnsbl-meaning-xbl = Spamhaus XBL: da questo IP ha inviato una macchina compromessa o infetta (malware, proxy aperto)
dns-dnsbl-meaning-drop = Spamhaus DROP: una rete gestita da spammer o criminali
dns-dnsbl-meaning-pbl-isp = Spamhaus PBL (indicato dal provider): un intervallo di utenti finali che non dovrebbe consegnare direttamente ai server di posta
dns-dnsbl-meaning-pbl-spamhaus = Spamhaus PBL (indicato da Spamhaus): un intervallo di utenti finali o dinamico che non dovrebbe consegnare direttamente ai server di posta
dns-dnsbl-meaning-typo = Spamhaus ha risposto 127.255.255.252: il nome dell'elenco è scritto male
dns-dnsbl-meaning-public-resolver = Spamhaus ha risposto 127.255.255.254: non risponde alle richieste che arrivano da resolver pubblici o aperti; dell'IP non si sa nulla
dns-dnsbl-meaning-rate-limited = Spamhaus ha risposto 127.255.255.255: troppe richieste da questo resolver; dell'IP non si sa nulla
dns-dnsbl-meaning-spamcop = SpamCop: di recente è stato segnalato spam da questo IP
dns-dnsbl-meaning-barracuda = Barracuda: cattiva reputazione di invio
dns-dnsbl-meaning-psbl = PSBL: lo spam di questo IP è arrivato a indirizzi trappola
dns-dnsbl-meaning-listed = in elenco (codice senza un significato noto)
dns-dnsbl-meaning-not-a-listing = una risposta che non è un inserimento in elenco (un carattere jolly o una pagina di ricerca del provider)
dns-reverse-names = Nome: { $names }
dns-reverse-confirmed = Il nome rimanda all'IP (verificato in avanti).
dns-reverse-not-confirmed = Il nome non rimanda all'IP.
dns-reverse-none = Nessun record PTR.
dns-result-ok = Esito: nel DNS non risulta nulla che non va.
dns-result-problem = Esito: il DNS mostra un problema (vedere sotto).
dns-findings = Che cosa significa
dns-no-findings = Nessun problema trovato.

## dns: problemi

dns-f-spf-ip-not-authorized-title = { $ip } non è autorizzato dal record SPF di { $domain } ({ $result })
dns-f-spf-ip-not-authorized-summary = Valutato per { $ip }, il record SPF di { $domain } finisce con { $result } su { $mechanism }: chi riceve considera la posta da questo indirizzo come non inviata da { $domain } e può rifiutarla o metterla nella posta indesiderata.
dns-f-spf-ip-not-authorized-cause-new-ip = Il dispositivo o il server invia da un indirizzo che il record non elenca, per esempio dopo un cambio di rete o di provider internet.
dns-f-spf-ip-not-authorized-cause-other-server = La posta esce da un server o da un servizio che non è mai stato aggiunto al record.
dns-f-spf-ip-not-authorized-cause-stale = Il record è stato scritto per una configurazione precedente e non aggiornato quando è cambiato il modo di inviare.
dns-f-spf-ip-not-authorized-fix-add-ip = Aggiungere ip4:{ $ip } al record, lasciando tutto il resto: { $suggested }
dns-f-spf-ip-not-authorized-fix-provider = Se il dispositivo invia tramite il provider con un accesso (invio client), la posta la inviano i server del provider e non questo IP: allora nel record serve l'include del provider (Microsoft 365: include:spf.protection.outlook.com), non questo indirizzo.
dns-f-spf-ip-not-authorized-fix-one-record = Tenere un solo record v=spf1 per il dominio e al massimo 10 ricerche in tutto; ricontrollare con mailprobe dns { $domain } --ip { $ip }.

dns-f-spf-permerror-title = Il record SPF di { $domain } è rotto: { $reason }
dns-f-spf-permerror-summary = La valutazione del record SPF di { $domain } termina con un errore permanente ({ $reason }). Chi riceve non può sapere quali server possono inviare per il dominio e spesso lo tratta come un esito negativo.
dns-f-spf-permerror-cause-lookups = Il record richiama troppi altri record (ogni include, a, mx, ptr, exists e redirect costa una ricerca DNS; il limite è 10).
dns-f-spf-permerror-cause-loop = Un include o un redirect riporta, direttamente o no, a un record già in valutazione.
dns-f-spf-permerror-cause-syntax = Un errore di battitura in un record: un indirizzo o una maschera sbagliati, un meccanismo sconosciuto, due punti mancanti.
dns-f-spf-permerror-cause-missing = Un include o un redirect indica un dominio che non pubblica alcun record SPF.
dns-f-spf-permerror-fix-flatten = Togliere gli include di servizi non più usati e sostituire quelli di server fissi con i loro indirizzi ip4:/ip6:, finché le ricerche sono 10 o meno.
dns-f-spf-permerror-fix-loop = Togliere l'include o il redirect che riporta a { $domain }.
dns-f-spf-permerror-fix-syntax = Controllare ogni termine del record secondo la RFC 7208 (ip4:INDIRIZZO/MASCHERA, include:DOMINIO, ~all o -all alla fine).
dns-f-spf-permerror-fix-check = Ricontrollare con mailprobe dns { $domain } --ip IP dopo la modifica (le cache DNS possono impiegare il TTL del record per dimenticare quello vecchio).

dns-f-spf-multiple-records-title = { $domain } pubblica { $count } record SPF
dns-f-spf-multiple-records-summary = Un dominio deve pubblicare esattamente un record v=spf1; con più record chi riceve restituisce un errore permanente, qualunque record avrebbe corrisposto.
dns-f-spf-multiple-records-cause-added = È stato aggiunto un secondo record (per un nuovo servizio) invece di unire i suoi termini a quello esistente.
dns-f-spf-multiple-records-fix-merge = Unire i record in uno solo: un unico v=spf1, tutti i meccanismi, un solo all alla fine.

dns-f-spf-none-title = { $domain } non ha un record SPF
dns-f-spf-none-summary = Senza SPF chi riceve non può verificare quali server possono inviare per { $domain }; la sua posta viene più facilmente segnata come indesiderata o rifiutata.
dns-f-spf-none-cause-never = Il record non è mai stato pubblicato, oppure è andato perso spostando la zona DNS.
dns-f-spf-none-fix-publish = Pubblicare un record TXT su { $domain } che elenchi tutti i mittenti, per esempio: { $suggested }

dns-f-spf-neutral-title = L'SPF non dice nulla su { $ip }
dns-f-spf-neutral-summary = Il record SPF di { $domain } né autorizza né rifiuta { $ip } (esito { $result }): chi riceve tratta la posta come se l'SPF non ci fosse.
dns-f-spf-neutral-cause-open = Il record finisce con ?all, oppure nessun meccanismo corrisponde.
dns-f-spf-neutral-fix-add = Aggiungere l'indirizzo da cui invia il dispositivo (ip4:{ $ip }) e chiudere il record con ~all o -all.

dns-f-spf-temperror-title = Il record SPF di { $domain } ora non si può valutare
dns-f-spf-temperror-summary = Una ricerca DNS necessaria per valutare il record SPF non è riuscita ({ $result }); chi riceve rimanderebbe la posta e riproverebbe più tardi.
dns-f-spf-temperror-cause-dns = Un server DNS del dominio o di un dominio incluso non ha risposto o ha rifiutato.
dns-f-spf-temperror-fix-retry = Riprovare fra qualche minuto; se continua, controllare i server DNS di { $domain } e dei domini che include.

dns-f-ip-blocklisted-title = { $ip } è in una blocklist: { $lists }
dns-f-ip-blocklisted-summary = { $lists } elencano { $ip } ({ $meanings }). Microsoft 365, Gmail e quasi tutti i destinatari rifiutano o filtrano la posta da indirizzi in elenco: l'invio diretto e l'inoltro da questo IP non funzionano finché non viene rimosso.
dns-f-ip-blocklisted-cause-spam = Da questo indirizzo è partito spam: una cassetta postale o una password compromesse, un modulo o un'applicazione usati in modo improprio.
dns-f-ip-blocklisted-cause-malware = Una macchina dietro questo indirizzo è infetta (malware, botnet) e invia spam da sola.
dns-f-ip-blocklisted-cause-shared = L'indirizzo è condiviso con altri (NAT di un provider o hosting) e lo spam lo ha inviato qualcun altro.
dns-f-ip-blocklisted-fix-find = Prima trovare e fermare la fonte: cambiare le password delle cassette postali che inviano da qui, controllare dispositivi e server contro il malware, chiudere gli open relay.
dns-f-ip-blocklisted-fix-delist = Poi chiedere a ciascun elenco di rimuovere l'indirizzo: { $delist }
dns-f-ip-blocklisted-fix-submission = Nel frattempo inviare tramite il provider con un accesso (invio client: smtp.office365.com porta 587): la posta esce allora dai server del provider, non da questo indirizzo.

dns-f-ip-dynamic-range-title = { $ip } è in un intervallo di utenti finali (Spamhaus PBL)
dns-f-ip-dynamic-range-summary = { $ip } è in un intervallo che il suo proprietario dichiara non adatto a consegnare direttamente ai server di posta ({ $meanings }). Non conta per la posta inviata al provider con un accesso, ma l'invio diretto e l'inoltro da qui verranno probabilmente rifiutati.
dns-f-ip-dynamic-range-cause-consumer = La connessione è una linea domestica o dinamica, non una linea aziendale con indirizzo statico.
dns-f-ip-dynamic-range-fix-submission = Inviare tramite il provider con un accesso (invio client) invece che direttamente all'endpoint MX.
dns-f-ip-dynamic-range-fix-static = Per l'invio diretto o l'inoltro, chiedere al provider internet un indirizzo statico e di togliere l'intervallo dalla PBL.

dns-f-dnsbl-not-answered-title = Alcune blocklist non hanno risposto: { $lists }
dns-f-dnsbl-not-answered-summary = { $lists } non hanno dato una risposta utilizzabile su { $ip }: da loro non si sa nulla, l'indirizzo potrebbe essere in elenco oppure no.
dns-f-dnsbl-not-answered-cause-public = Spamhaus non risponde alle richieste che passano da resolver pubblici (8.8.8.8, 1.1.1.1 e simili) e lo segnala con 127.255.255.254.
dns-f-dnsbl-not-answered-cause-registration = Alcuni elenchi (Barracuda) rispondono solo ai server DNS registrati presso di loro e rifiutano gli altri.
dns-f-dnsbl-not-answered-fix-own-resolver = Ripetere il controllo con un resolver della propria rete (--dns-server), oppure cercare l'indirizzo sul sito dell'elenco.

dns-f-dmarc-missing-title = { $domain } non ha un record DMARC
dns-f-dmarc-missing-summary = Senza DMARC chi riceve applica un proprio criterio alla posta che non supera SPF e DKIM, e nessuno manda a { $domain } rapporti su chi invia a suo nome.
dns-f-dmarc-missing-cause-never = Il record non è mai stato pubblicato.
dns-f-dmarc-missing-fix-publish = Pubblicare un record TXT su _dmarc.{ $domain }, cominciando con il solo monitoraggio: v=DMARC1; p=none; rua=mailto:dmarc-reports@{ $domain }

dns-f-dns-no-mx-title = { $domain } non ha record MX
dns-f-dns-no-mx-summary = Nessun server riceve la posta di { $domain }; le risposte ai messaggi inviati da lì tornano indietro, e chi riceve diffida dei mittenti il cui dominio non accetta posta.
dns-f-dns-no-mx-cause-missing = I record MX non sono mai stati pubblicati o sono andati persi spostando la zona DNS.
dns-f-dns-no-mx-fix-publish = Pubblicare i record MX indicati dal provider di posta (Microsoft 365: l'interfaccia di amministrazione li mostra in Impostazioni > Domini).

dns-f-dns-no-such-host-title = Il dominio { $domain } non esiste
dns-f-dns-no-such-host-summary = Il DNS dice che { $domain } non esiste (NXDOMAIN): non si può inviare né ricevere posta con questo dominio.
dns-f-dns-no-such-host-cause-typo = Il dominio è scritto male.
dns-f-dns-no-such-host-cause-expired = La registrazione del dominio è scaduta o il suo DNS è stato rimosso.
dns-f-dns-no-such-host-fix-check = Controllare come è scritto, poi la registrazione del dominio e l'hosting DNS.

dns-f-ip-no-reverse-dns-title = { $ip } non ha un nome DNS inverso corrispondente
dns-f-ip-no-reverse-dns-summary = { $detail } Molti destinatari diffidano dei server il cui indirizzo non ha un nome che rimandi a esso, o li rifiutano.
dns-f-ip-no-reverse-dns-cause-isp = Il DNS inverso lo imposta chi possiede l'indirizzo (il provider internet), non la propria zona DNS.
dns-f-ip-no-reverse-dns-fix-isp = Chiedere al provider internet di impostare per { $ip } un record PTR verso un nome che a sua volta risolva in { $ip }; per un dispositivo che invia tramite un provider con un accesso non conta.

dns-f-relay-connector-ip-changed-title = Il dispositivo invia da { $ip }, ma il record SPF indica { $old_ips }
dns-f-relay-connector-ip-changed-summary = Il record SPF di { $domain } elenca l'indirizzo statico { $old_ips } per i suoi dispositivi, e { $ip } non c'è. Se il dispositivo inoltra tramite un connettore di Microsoft 365 che lo riconosce dall'indirizzo, molto probabilmente anche il connettore indica ancora quello vecchio: la posta verso destinatari esterni allora non parte (5.7.64 TenantAttribution) o finisce nella posta indesiderata.
dns-f-relay-connector-ip-changed-cause-isp = Un cambio di rete o di provider internet ha cambiato l'indirizzo statico da cui invia il dispositivo.
dns-f-relay-connector-ip-changed-fix-connector = Nell'interfaccia di amministrazione di Exchange, Flusso di posta > Connettori, modificare il connettore dai server di posta dell'organizzazione e sostituire il vecchio indirizzo con { $ip }.
dns-f-relay-connector-ip-changed-fix-spf = Aggiornare allo stesso modo il record SPF: { $suggested }

## ricerca del provider (diagnose INDIRIZZO, diagnose --provider auto)

dns-discovery-found = Ricerca: { $server } per { $domain }, da { $source }
dns-discovery-none = La ricerca non ha trovato alcun server per { $domain }.
dns-discovery-source-table = la tabella dei provider incorporata
dns-discovery-source-srv = i record SRV (RFC 6186)
dns-discovery-source-autoconfig = il file autoconfig
dns-discovery-source-mx = i record MX
dns-discovery-differs = Le impostazioni date differiscono da quanto trovato per { $domain }: è stato chiesto { $configured }, la ricerca indica { $discovered }.
dns-discovery-insecure = Il file autoconfig è arrivato in HTTP non cifrato: chiunque lungo il percorso avrebbe potuto modificarlo.

## advise

advise-title = Come il dispositivo dovrebbe inviare tramite { $provider }
advise-inputs = Indicazioni date: TLS fino a { $tls }; può accedere: { $login }; destinatari esterni: { $external }; IP statico: { $static }
advise-yes = sì
advise-no = no
advise-unknown = non indicato
advise-mode-submission = invio client SMTP AUTH
advise-mode-legacy = invio client SMTP AUTH tramite l'endpoint per TLS legacy
advise-mode-direct-send = invio diretto
advise-mode-relay = inoltro SMTP tramite connettore
advise-mode-none = nessuna modalità di Microsoft 365, allo stato attuale
advise-recommended = Consigliato: { $mode }
advise-why-submission = Il dispositivo può accedere e usa TLS 1.2: l'invio client è l'opzione consigliata da Microsoft e raggiunge destinatari dentro e fuori l'organizzazione.
advise-why-direct-send = Il dispositivo scrive solo a persone dell'organizzazione e non accede: l'invio diretto consegna all'endpoint MX dell'organizzazione senza accesso.
advise-why-relay = Il dispositivo deve raggiungere destinatari esterni ma non può usare l'invio client ({ $blocker }); un connettore che lo riconosce dall'IP statico gli permette di inoltrare a chiunque senza accesso, con TLS facoltativo.
advise-why-legacy = Il dispositivo può accedere ma usa solo TLS { $tls }, deve raggiungere destinatari esterni e non ha un IP statico che un connettore possa riconoscere: resta l'endpoint per TLS legacy, attivato esplicitamente.
advise-why-none = Il dispositivo deve raggiungere destinatari esterni, non può usare l'invio client ({ $blocker }) e non ha un IP statico per un connettore.
advise-blocker-tls = usa solo TLS { $tls }, e smtp.office365.com richiede TLS 1.2
advise-blocker-login = non può accedere con una cassetta postale
advise-heading-settings = Impostazioni del dispositivo
advise-setting-server = Server / smart host: { $value }
advise-setting-port = Porta: { $value }
advise-setting-tls = TLS / STARTTLS: { $value }
advise-setting-credentials = Nome utente e password: { $value }
advise-setting-from = Indirizzo mittente: { $value }
advise-setting-recipients = Destinatari: { $value }
advise-port-submission = 587 (consigliata) o 25
advise-port-25 = 25
advise-tls-required = attivato (STARTTLS), TLS 1.2 o successivo
advise-tls-legacy = attivato (STARTTLS); TLS 1.0 e 1.1 accettati solo dopo il consenso esplicito indicato sotto
advise-tls-optional = facoltativo; attivarlo se il dispositivo lo offre
advise-credentials-mailbox = indirizzo e password della cassetta postale di Microsoft 365 con licenza con cui accede il dispositivo
advise-credentials-none = nessuno: lasciarli vuoti, il dispositivo non accede
advise-from-mailbox = lo stesso indirizzo della cassetta postale (un altro indirizzo richiede l'autorizzazione Invia come, altrimenti il server risponde 5.7.60)
advise-from-domain = qualsiasi indirizzo dei domini dell'organizzazione ({ $domain })
advise-recipients-all = dentro e fuori l'organizzazione
advise-recipients-internal = solo cassette postali dell'organizzazione (i destinatari esterni vengono rifiutati)
advise-heading-dns = Record DNS da aggiungere o controllare
advise-dns-spf = TXT su { $domain }: { $value }
advise-dns-spf-why-ip = perché chi riceve, anche Microsoft 365, accetti la posta dall'IP statico del dispositivo invece di segnarla come indesiderata
advise-dns-spf-why-provider = perché la posta che Microsoft 365 invia per il dominio superi il controllo SPF
advise-dns-mx = Endpoint MX del dominio, il server da inserire nel dispositivo: { $host }
advise-dns-mx-guess = { $host } è la forma abituale; il nome esatto è nel record MX del dominio (interfaccia di amministrazione di Microsoft 365 > Impostazioni > Domini)
advise-heading-admin = Passaggi per l'amministratore
advise-step-smtp-auth = In PowerShell di Exchange Online verificare che SMTP AUTH sia attivo per la cassetta postale: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled; se risulta True, eseguire Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
advise-step-mfa = Se la cassetta postale è soggetta ad autenticazione a più fattori, alle impostazioni predefinite per la sicurezza o a un criterio di accesso condizionale contro l'autenticazione legacy, una password inviata via SMTP non funziona mai: escludere la cassetta postale consapevolmente, capendo il rischio, oppure scegliere l'inoltro.
advise-step-send-as = Se il dispositivo deve inviare da un indirizzo diverso da quello di accesso, dare all'account di accesso l'autorizzazione Invia come su quell'indirizzo (Add-RecipientPermission -Identity INDIRIZZO-MITTENTE -Trustee { $user } -AccessRights SendAs); altrimenti usare l'inoltro tramite connettore.
advise-step-owa = Accedere a Outlook sul web con le credenziali del dispositivo e inviare un messaggio di prova, per essere sicuri che la cassetta postale non sia bloccata.
advise-step-legacy-optin = Acconsentire al TLS legacy per SMTP AUTH: Set-TransportConfig -AllowLegacyTLSClients $true (oppure interfaccia di amministrazione di Exchange > Impostazioni > Flusso di posta > "Attiva l'uso dei client TLS legacy"), poi indirizzare il dispositivo a smtp-legacy.office365.com.
advise-step-mx = Trovare l'endpoint MX del dominio (interfaccia di amministrazione di Microsoft 365 > Impostazioni > Domini > il dominio > Record DNS): termina con mail.protection.outlook.com. Non inserire mai un indirizzo IP al suo posto: potrebbe smettere di funzionare in qualsiasi momento.
advise-step-port25 = Verificare che la rete e il provider internet lascino uscire il dispositivo sulla porta 25 (da un computer della stessa rete: telnet { $host } 25).
advise-step-no-connector = L'invio diretto non richiede connettori; se ne esiste uno per la posta dai server dell'organizzazione, il dispositivo sta in realtà inoltrando.
advise-step-connector = Interfaccia di amministrazione di Exchange > Flusso di posta > Connettori > Aggiungi un connettore: da "Server di posta elettronica dell'organizzazione" a "Office 365", riconoscendo la posta dall'indirizzo IP del mittente { $ip }.
advise-step-accepted-domain = L'indirizzo mittente deve appartenere a uno dei domini accettati dell'organizzazione.
advise-step-spf = Aggiungere l'IP statico del dispositivo al record SPF del dominio (vedere i record DNS sopra).
advise-step-ip-change = Se il provider internet cambia l'IP, aggiornare subito il connettore e il record SPF, altrimenti la posta verso l'esterno si ferma (5.7.64 TenantAttribution).
advise-step-test = Verificare il risultato con: { $command }
advise-heading-caveats = Avvertenze
advise-caveat-legacy = L'endpoint legacy è un consenso esplicito per dispositivi vecchi con TLS più debole, e Microsoft potrebbe dismetterlo: pianificare un aggiornamento del firmware che porti TLS 1.2, oppure un IP statico e un connettore.
advise-caveat-no-static-direct = Senza un IP statico il dispositivo non può comparire nel record SPF e la sua posta può finire nella posta indesiderata; con un IP statico, aggiungerlo al record SPF.
advise-caveat-direct-internal = L'invio diretto non può raggiungere destinatari esterni, per come è fatto.
advise-caveat-mx-long = Se l'endpoint MX è troppo lungo per il campo delle impostazioni del dispositivo, usare l'invio client (smtp.office365.com) invece di un indirizzo IP.
advise-heading-alternatives = Le altre modalità
advise-alt-possible = { $mode }: possibile, { $why }
advise-alt-impossible = { $mode }: non possibile qui: { $why }
advise-altwhy-submission-ok = ed è l'opzione consigliata quando il dispositivo può accedere con TLS 1.2
advise-altwhy-needs-login = richiede che il dispositivo acceda con una cassetta postale
advise-altwhy-needs-tls12 = smtp.office365.com richiede TLS 1.2, e il dispositivo usa solo TLS { $tls }
advise-altwhy-internal-only = raggiunge solo destinatari interni all'organizzazione
advise-altwhy-needs-static = un connettore riconosce il dispositivo da un IP statico, che non ha
advise-altwhy-relay-ok = ma richiede un connettore e un IP statico da mantenere
advise-altwhy-direct-ok = per i destinatari interni, senza accesso
advise-altwhy-legacy-ok = come consenso esplicito con TLS più debole (vedere le avvertenze)
advise-altwhy-legacy-not-needed = ma non serve: il dispositivo usa TLS 1.2
advise-other-provider = { $provider } non ha modalità per dispositivi come quelle di Microsoft 365: dispositivi e applicazioni usano l'invio client con le credenziali dell'account.
advise-other-login = Accesso: { $login }
advise-login-password = la password dell'account
advise-login-app-password = una password per le app (la password normale dell'account viene rifiutata)
advise-login-oauth = OAuth 2.0 (accesso con il provider); molti dispositivi non lo supportano, allora una password per le app dove il provider la offre
advise-login-oauth-or-app-password = OAuth 2.0, oppure una password per le app quando è attiva la verifica in due passaggi
advise-login-pec = la password della casella PEC (la posta certificata si invia solo tramite il provider PEC)

dns-f-advise-no-mode-fits-title = Nessuna modalità di invio di Microsoft 365 va bene per questo dispositivo così com'è
dns-f-advise-no-mode-fits-summary = Il dispositivo deve scrivere a destinatari esterni, non può usare l'invio client ({ $blocker }) e non ha un IP statico che un connettore possa riconoscere.
dns-f-advise-no-mode-fits-cause-device = Firmware vecchio senza TLS 1.2, oppure nessun campo per nome utente e password.
dns-f-advise-no-mode-fits-cause-network = Un IP dinamico del provider internet.
dns-f-advise-no-mode-fits-fix-static = Chiedere al provider internet un IP statico e inoltrare tramite un connettore.
dns-f-advise-no-mode-fits-fix-firmware = Aggiornare il firmware del dispositivo perché usi TLS 1.2 e possa accedere (invio client).
dns-f-advise-no-mode-fits-fix-internal = Se basta scrivere ai colleghi, usare l'invio diretto.
