# Texts of `mailprobe dns`, `mailprobe advise` and provider discovery (crates/mailprobe/src/dns.rs,
# advise.rs, discovery in diagnose.rs). dns-f-<finding id with - for . and _>-title / -summary /
# -cause-* / -fix-* are the findings these commands make from DNS evidence.

## dns: headings and sections

dns-title = DNS checks of { $domain }
dns-title-ip = DNS checks of { $domain } for the IP { $ip }
dns-heading-mx = Mail servers (MX)
dns-heading-spf = SPF
dns-heading-dmarc = DMARC
dns-heading-blocklists = Blocklists ({ $ip })
dns-heading-reverse = Reverse DNS ({ $ip })
dns-lookup-failed = The lookup failed: { $status }
dns-status-found = records found
dns-status-no_data = no record of this type
dns-status-nx_domain = the name does not exist
dns-status-refused = the DNS server refused to answer
dns-status-server_failure = the DNS server failed
dns-status-timed_out = no answer in time
dns-status-error = DNS error
dns-mx-none = No MX record: nobody receives mail for this domain.
dns-mx-provider = Provider: { $provider } (client submission: { $server })
dns-mx-unknown-provider = Provider: not one of the providers mailprobe knows.
dns-mx-m365-endpoint = Microsoft 365 MX endpoint, for direct send and relay through a connector (port 25, no login): { $host }
dns-spf-none = No SPF record.
dns-spf-record = Record: { $record }
dns-spf-multiple = { $count } SPF records: a domain must publish exactly one.
dns-spf-result = Result for { $ip }: { $result }
dns-spf-match = Decided by: { $mechanism } in the record of { $domain }
dns-spf-through = reached through: { $chain }
dns-spf-nomatch = No mechanism matched.
dns-spf-chain = Records evaluated:
dns-spf-chain-domain = { $domain }
dns-spf-chain-include = include → { $domain }
dns-spf-chain-redirect = redirect → { $domain }
dns-spf-lookups = DNS lookups: { $count } of the { $limit } allowed
dns-spf-no-ip = Give --ip with the address the device sends from to evaluate this record for it.
dns-spf-trace-incomplete = The path could not be traced in full; the result is the one mail-auth computed.
dns-spf-permerror-too_many_lookups = more than 10 DNS lookups (include, a, mx, ptr, exists, redirect)
dns-spf-permerror-loop = an include or redirect leads back to a record already being evaluated
dns-spf-permerror-syntax = a record has a syntax error
dns-spf-permerror-include_without_spf = an include names a domain without an SPF record
dns-spf-permerror-redirect_without_spf = a redirect names a domain without an SPF record
dns-spf-permerror-too_many_mx = an mx mechanism found more than 10 mail servers
dns-spf-permerror-unknown = the reason could not be traced
dns-spf-reason = Why: { $reason }
dns-dmarc-none = No DMARC record.
dns-dmarc-record = { $name }: { $record }
dns-dmarc-policy = Policy: { $policy }
dns-dmarc-policy-none = none (only reports, no action on failing mail)
dns-dmarc-policy-quarantine = quarantine (failing mail goes to spam)
dns-dmarc-policy-reject = reject (failing mail is refused)
dns-dmarc-invalid = The record is not valid DMARC (it must start with v=DMARC1 and have p=).
dns-bl-listed = listed
dns-bl-policy = in a policy list
dns-bl-not_listed = not listed
dns-bl-not_answered = not answered
dns-bl-delist = Removal: { $url }
dns-dnsbl-meaning-sbl = Spamhaus SBL: a known source of spam, or spam services
dns-dnsbl-meaning-css = Spamhaus CSS: low-reputation mail, typically spam sent through this IP recently
dns-dnsbl-meaning-xbl = Spamhaus XBL: a hijacked or infected machine (malware, open proxy) was seen sending from this IP
dns-dnsbl-meaning-drop = Spamhaus DROP: a network run by spammers or criminals
dns-dnsbl-meaning-pbl-isp = Spamhaus PBL (set by the ISP): an end-user range that should not send straight to mail servers
dns-dnsbl-meaning-pbl-spamhaus = Spamhaus PBL (set by Spamhaus): an end-user or dynamic range that should not send straight to mail servers
dns-dnsbl-meaning-typo = Spamhaus answered 127.255.255.252: the list name is mistyped
dns-dnsbl-meaning-public-resolver = Spamhaus answered 127.255.255.254: it does not answer queries from public or open resolvers; nothing is known about the IP
dns-dnsbl-meaning-rate-limited = Spamhaus answered 127.255.255.255: too many queries from this resolver; nothing is known about the IP
dns-dnsbl-meaning-spamcop = SpamCop: spam from this IP was reported recently
dns-dnsbl-meaning-barracuda = Barracuda: poor sending reputation
dns-dnsbl-meaning-psbl = PSBL: spam from this IP reached spam traps
dns-dnsbl-meaning-listed = listed (code without a known meaning)
dns-dnsbl-meaning-not-a-listing = an answer that is not a listing (a wildcard or an ISP search page)
dns-reverse-names = Name: { $names }
dns-reverse-confirmed = The name points back to the IP (forward-confirmed).
dns-reverse-not-confirmed = The name does not point back to the IP.
dns-reverse-none = No PTR record.
dns-result-ok = Result: nothing wrong found in DNS.
dns-result-problem = Result: DNS shows a problem (see the findings).
dns-findings = What it means
dns-no-findings = No problems found.

## dns: findings

dns-f-spf-ip-not-authorized-title = { $ip } is not authorized by { $domain }'s SPF record ({ $result })
dns-f-spf-ip-not-authorized-summary = Evaluated for { $ip }, the SPF record of { $domain } ends in { $result } at { $mechanism }: receivers treat mail from this address as not sent by { $domain } and may reject it or file it as spam.
dns-f-spf-ip-not-authorized-cause-new-ip = The device or server sends from an address the record does not list, for example after a change of network or internet provider.
dns-f-spf-ip-not-authorized-cause-other-server = Mail leaves through a server or service that was never added to the record.
dns-f-spf-ip-not-authorized-cause-stale = The record was written for an earlier set-up and not updated when the way mail is sent changed.
dns-f-spf-ip-not-authorized-fix-add-ip = Add ip4:{ $ip } to the record, keeping everything else: { $suggested }
dns-f-spf-ip-not-authorized-fix-provider = If the device sends through your provider with a login (client submission), the provider's servers send the mail, not this IP: then the record needs the provider's include (Microsoft 365: include:spf.protection.outlook.com), not this address.
dns-f-spf-ip-not-authorized-fix-one-record = Keep a single v=spf1 record for the domain and at most 10 lookups in total; check again with mailprobe dns { $domain } --ip { $ip }.

dns-f-spf-permerror-title = The SPF record of { $domain } is broken: { $reason }
dns-f-spf-permerror-summary = Evaluating the SPF record of { $domain } ends in a permanent error ({ $reason }). Receivers then cannot tell which servers may send for the domain; many treat it as a failure.
dns-f-spf-permerror-cause-lookups = The record pulls in too many other records (each include, a, mx, ptr, exists and redirect costs a DNS lookup; the limit is 10).
dns-f-spf-permerror-cause-loop = An include or redirect points back, directly or not, to a record already being evaluated.
dns-f-spf-permerror-cause-syntax = A typo in a record: a wrong address or mask, an unknown mechanism, a missing colon.
dns-f-spf-permerror-cause-missing = An include or redirect names a domain that publishes no SPF record.
dns-f-spf-permerror-fix-flatten = Remove includes of services no longer used, and replace includes of fixed servers with their ip4:/ip6: addresses, until the lookups are 10 or fewer.
dns-f-spf-permerror-fix-loop = Remove the include or redirect that leads back to { $domain }.
dns-f-spf-permerror-fix-syntax = Check every term of the record against RFC 7208 (ip4:ADDRESS/MASK, include:DOMAIN, ~all or -all at the end).
dns-f-spf-permerror-fix-check = Check again with mailprobe dns { $domain } --ip IP once the record is changed (DNS caches may take the record's TTL to forget the old one).

dns-f-spf-multiple-records-title = { $domain } publishes { $count } SPF records
dns-f-spf-multiple-records-summary = A domain must publish exactly one v=spf1 record; with more, receivers return a permanent error, whichever record would have matched.
dns-f-spf-multiple-records-cause-added = A second record was added (for a new service) instead of merging its terms into the existing one.
dns-f-spf-multiple-records-fix-merge = Merge the records into one: a single v=spf1, all mechanisms, one all at the end.

dns-f-spf-none-title = { $domain } has no SPF record
dns-f-spf-none-summary = Without SPF, receivers cannot check which servers may send for { $domain }; mail from it is more likely to be marked as spam or refused.
dns-f-spf-none-cause-never = The record was never published, or was lost in a move of the DNS zone.
dns-f-spf-none-fix-publish = Publish one TXT record at { $domain } listing every sender, for example: { $suggested }

dns-f-spf-neutral-title = SPF says nothing about { $ip }
dns-f-spf-neutral-summary = The SPF record of { $domain } neither authorizes nor refuses { $ip } (result { $result }): receivers treat the mail as they would without SPF.
dns-f-spf-neutral-cause-open = The record ends with ?all, or lists no mechanism that matches.
dns-f-spf-neutral-fix-add = Add the address the device sends from (ip4:{ $ip }) and end the record with ~all or -all.

dns-f-spf-temperror-title = The SPF record of { $domain } could not be evaluated now
dns-f-spf-temperror-summary = A DNS lookup needed to evaluate the SPF record failed ({ $result }); receivers would defer the mail and try later.
dns-f-spf-temperror-cause-dns = A DNS server of the domain or of an included domain did not answer, or refused.
dns-f-spf-temperror-fix-retry = Try again in a few minutes; if it persists, check the DNS servers of { $domain } and of the domains it includes.

dns-f-ip-blocklisted-title = { $ip } is on a blocklist: { $lists }
dns-f-ip-blocklisted-summary = { $lists } list { $ip } ({ $meanings }). Microsoft 365, Gmail and most receivers refuse or filter mail from listed addresses, so direct send and relay from this IP fail until it is removed.
dns-f-ip-blocklisted-cause-spam = Spam was sent from this address: a compromised mailbox or password, a misused form or application.
dns-f-ip-blocklisted-cause-malware = A machine behind this address is infected (malware, a botnet) and sends spam on its own.
dns-f-ip-blocklisted-cause-shared = The address is shared with others (a provider's NAT or hosting) and someone else sent the spam.
dns-f-ip-blocklisted-fix-find = Find and stop the source first: change passwords of mailboxes that send from here, check devices and servers for malware, close open relays.
dns-f-ip-blocklisted-fix-delist = Then ask each list to remove the address: { $delist }
dns-f-ip-blocklisted-fix-submission = Until then, send through the provider with a login (client submission: smtp.office365.com port 587): the mail then leaves from the provider's servers, not from this address.

dns-f-ip-dynamic-range-title = { $ip } is in an end-user range (Spamhaus PBL)
dns-f-ip-dynamic-range-summary = { $ip } is in a range its owner says should not deliver mail straight to mail servers ({ $meanings }). That does not matter for mail submitted to a provider with a login, but direct send and relay from it are likely to be refused.
dns-f-ip-dynamic-range-cause-consumer = The connection is a consumer or dynamic line, not a business line with a static address.
dns-f-ip-dynamic-range-fix-submission = Send through the provider with a login (client submission) instead of straight to the MX endpoint.
dns-f-ip-dynamic-range-fix-static = For direct send or relay, get a static address from the internet provider and ask it to remove the range from the PBL.

dns-f-dnsbl-not-answered-title = Some blocklists did not answer: { $lists }
dns-f-dnsbl-not-answered-summary = { $lists } gave no usable answer about { $ip }, so nothing is known from them: the address may or may not be listed.
dns-f-dnsbl-not-answered-cause-public = Spamhaus does not answer queries that come through public resolvers (8.8.8.8, 1.1.1.1 and similar) and says so with 127.255.255.254.
dns-f-dnsbl-not-answered-cause-registration = Some lists (Barracuda) answer only DNS servers registered with them, and refuse the others.
dns-f-dnsbl-not-answered-fix-own-resolver = Run the check with a resolver of your own network (--dns-server), or look the address up on the list's web site.

dns-f-dmarc-missing-title = { $domain } has no DMARC record
dns-f-dmarc-missing-summary = Without DMARC, receivers apply their own policy to mail that fails SPF and DKIM, and nobody sends { $domain } reports about who sends in its name.
dns-f-dmarc-missing-cause-never = The record was never published.
dns-f-dmarc-missing-fix-publish = Publish a TXT record at _dmarc.{ $domain }, starting with monitoring only: v=DMARC1; p=none; rua=mailto:dmarc-reports@{ $domain }

dns-f-dns-no-mx-title = { $domain } has no MX record
dns-f-dns-no-mx-summary = No mail server receives mail for { $domain }; replies to messages sent from it bounce, and receivers distrust senders whose domain takes no mail.
dns-f-dns-no-mx-cause-missing = The MX records were never published or were lost when the DNS zone moved.
dns-f-dns-no-mx-fix-publish = Publish the MX records your mail provider gives (Microsoft 365: the admin center shows them under Settings > Domains).

dns-f-dns-no-such-host-title = The domain { $domain } does not exist
dns-f-dns-no-such-host-summary = The DNS says { $domain } does not exist (NXDOMAIN): nothing can be sent from it or to it.
dns-f-dns-no-such-host-cause-typo = The domain is mistyped.
dns-f-dns-no-such-host-cause-expired = The domain's registration expired or its DNS was removed.
dns-f-dns-no-such-host-fix-check = Check the spelling, then the domain's registration and DNS hosting.

dns-f-ip-no-reverse-dns-title = { $ip } has no matching reverse DNS name
dns-f-ip-no-reverse-dns-summary = { $detail } Many receivers distrust or refuse servers whose address has no name pointing back to it.
dns-f-ip-no-reverse-dns-cause-isp = Reverse DNS is set by whoever owns the address (the internet provider), not in your own DNS zone.
dns-f-ip-no-reverse-dns-fix-isp = Ask the internet provider to set a PTR record for { $ip } to a name that itself resolves to { $ip }; for a device that sends through a provider with a login this does not matter.

dns-f-relay-connector-ip-changed-title = The device sends from { $ip }, but the SPF record names { $old_ips }
dns-f-relay-connector-ip-changed-summary = The SPF record of { $domain } lists the static address { $old_ips } for its devices, and { $ip } is not among them. If the device relays through a Microsoft 365 connector that recognizes it by address, the connector most likely still names the old one too: mail to outside recipients then fails (5.7.64 TenantAttribution) or is marked as spam.
dns-f-relay-connector-ip-changed-cause-isp = A change of network or internet provider changed the static address the device sends from.
dns-f-relay-connector-ip-changed-fix-connector = In the Exchange admin center, Mail flow > Connectors, edit the connector from your organization's mail servers and replace the old address with { $ip }.
dns-f-relay-connector-ip-changed-fix-spf = Update the SPF record the same way: { $suggested }

## discovery (diagnose ADDRESS, diagnose --provider auto)

dns-discovery-found = Discovery: { $server } for { $domain }, from { $source }
dns-discovery-none = Discovery found no server for { $domain }.
dns-discovery-source-table = the built-in provider table
dns-discovery-source-srv = SRV records (RFC 6186)
dns-discovery-source-autoconfig = the autoconfig file
dns-discovery-source-mx = the MX records
dns-discovery-differs = Your settings differ from what discovery found for { $domain }: you asked for { $configured }, discovery says { $discovered }.
dns-discovery-insecure = The autoconfig file came over plain HTTP: anyone on the path could have changed it.

## advise

advise-title = How the device should send through { $provider }
advise-inputs = What was said: TLS up to { $tls }; can sign in: { $login }; outside recipients: { $external }; static IP: { $static }
advise-yes = yes
advise-no = no
advise-unknown = not said
advise-mode-submission = SMTP AUTH client submission
advise-mode-legacy = SMTP AUTH client submission through the legacy TLS endpoint
advise-mode-direct-send = direct send
advise-mode-relay = SMTP relay through a connector
advise-mode-none = no Microsoft 365 mode, as things are
advise-recommended = Recommended: { $mode }
advise-why-submission = The device can sign in and speaks TLS 1.2: client submission is Microsoft's recommended option and reaches recipients inside and outside the organization.
advise-why-direct-send = The device only mails people of the organization and does not sign in: direct send delivers to the organization's own MX endpoint without a login.
advise-why-relay = The device must reach outside recipients but cannot use client submission ({ $blocker }); a connector that recognizes its static IP lets it relay to anyone without a login, TLS optional.
advise-why-legacy = The device can sign in but speaks only TLS { $tls }, must reach outside recipients, and has no static IP a connector could recognize: the legacy TLS endpoint, opted into explicitly, is what remains.
advise-why-none = The device must reach outside recipients, cannot use client submission ({ $blocker }), and has no static IP for a connector.
advise-blocker-tls = it speaks only TLS { $tls }, and smtp.office365.com requires TLS 1.2
advise-blocker-login = it cannot sign in with a mailbox
advise-heading-settings = Device settings
advise-setting-server = Server / smart host: { $value }
advise-setting-port = Port: { $value }
advise-setting-tls = TLS / STARTTLS: { $value }
advise-setting-credentials = User name and password: { $value }
advise-setting-from = From address: { $value }
advise-setting-recipients = Recipients: { $value }
advise-port-submission = 587 (recommended) or 25
advise-port-25 = 25
advise-tls-required = on (STARTTLS), TLS 1.2 or newer
advise-tls-legacy = on (STARTTLS); TLS 1.0 and 1.1 accepted only after the opt-in below
advise-tls-optional = optional; turn it on if the device offers it
advise-credentials-mailbox = the address and password of the licensed Microsoft 365 mailbox the device signs in with
advise-credentials-none = none: leave them empty, the device does not sign in
advise-from-mailbox = the same mailbox address (another address needs Send As permission, or the server answers 5.7.60)
advise-from-domain = any address of your organization's domains ({ $domain })
advise-recipients-all = inside and outside the organization
advise-recipients-internal = only mailboxes of your organization (outside recipients are refused)
advise-heading-dns = DNS records to add or check
advise-dns-spf = TXT at { $domain }: { $value }
advise-dns-spf-why-ip = so that receivers, Microsoft 365 too, accept mail from the device's static IP instead of marking it as spam
advise-dns-spf-why-provider = so that mail Microsoft 365 sends for the domain passes SPF
advise-dns-mx = MX endpoint of the domain, the server to enter in the device: { $host }
advise-dns-mx-guess = { $host } is the usual form; the exact name is the domain's MX record (Microsoft 365 admin center > Settings > Domains)
advise-heading-admin = Admin steps
advise-step-smtp-auth = In Exchange Online PowerShell, check that SMTP AUTH is on for the mailbox: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled; if it says True, run Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
advise-step-mfa = If multi-factor authentication, security defaults or a Conditional Access policy against legacy authentication covers this mailbox, a password sent over SMTP never works: exclude the mailbox knowingly, understanding the risk, or choose relay instead.
advise-step-send-as = If the device must send from another address than its login, give the login Send As on it (Add-RecipientPermission -Identity FROM-ADDRESS -Trustee { $user } -AccessRights SendAs); otherwise use relay through a connector.
advise-step-owa = Sign in to Outlook on the web with the device's credentials and send a test message, to be sure the mailbox is not blocked.
advise-step-legacy-optin = Opt in to legacy TLS for SMTP AUTH: Set-TransportConfig -AllowLegacyTLSClients $true (or Exchange admin center > Settings > Mail flow > "Turn on use of legacy TLS clients"), then point the device at smtp-legacy.office365.com.
advise-step-mx = Find the MX endpoint of the domain (Microsoft 365 admin center > Settings > Domains > the domain > DNS records): it ends in mail.protection.outlook.com. Never enter an IP address in its place: it may stop working at any time.
advise-step-port25 = Make sure the network and the internet provider let the device connect out on port 25 (from a computer on the same network: telnet { $host } 25).
advise-step-no-connector = Direct send needs no connector; if one exists for mail from your organization's servers, the device is relaying instead.
advise-step-connector = Exchange admin center > Mail flow > Connectors > Add a connector: from "Your organization's email server" to "Office 365", recognizing mail by the sender's IP address { $ip }.
advise-step-accepted-domain = The From address must belong to one of the organization's accepted domains.
advise-step-spf = Add the device's static IP to the domain's SPF record (see the DNS records above).
advise-step-ip-change = If the internet provider ever changes the IP, update the connector and the SPF record at once, or mail to outside recipients stops (5.7.64 TenantAttribution).
advise-step-test = Check the result with: { $command }
advise-heading-caveats = Caveats
advise-caveat-legacy = The legacy endpoint is an opt-in for old devices with weaker TLS, and Microsoft may retire it: plan a firmware update that brings TLS 1.2, or a static IP and a connector.
advise-caveat-no-static-direct = Without a static IP the device cannot be listed in SPF, and its mail may be marked as spam; with one, add it to the SPF record.
advise-caveat-direct-internal = Direct send cannot reach outside recipients, by design.
advise-caveat-mx-long = If the MX endpoint is too long for the device's settings field, use client submission (smtp.office365.com) rather than an IP address.
advise-heading-alternatives = The other modes
advise-alt-possible = { $mode }: possible, { $why }
advise-alt-impossible = { $mode }: not possible here: { $why }
advise-altwhy-submission-ok = and the recommended option whenever the device can sign in with TLS 1.2
advise-altwhy-needs-login = it needs the device to sign in with a mailbox
advise-altwhy-needs-tls12 = smtp.office365.com requires TLS 1.2, and the device speaks only TLS { $tls }
advise-altwhy-internal-only = it reaches only recipients inside the organization
advise-altwhy-needs-static = a connector recognizes the device by a static IP, which it does not have
advise-altwhy-relay-ok = but it needs a connector and a static IP to maintain
advise-altwhy-direct-ok = for internal recipients, without a login
advise-altwhy-legacy-ok = as an explicit opt-in with weaker TLS (see the caveats)
advise-altwhy-legacy-not-needed = but not needed: the device speaks TLS 1.2
advise-other-provider = { $provider } has no device modes like Microsoft 365's: devices and applications use client submission with the account's credentials.
advise-other-login = Sign-in: { $login }
advise-login-password = the account's password
advise-login-app-password = an app password (the account's normal password is refused)
advise-login-oauth = OAuth 2.0 (sign in with the provider); many devices cannot, then an app password where the provider offers one
advise-login-oauth-or-app-password = OAuth 2.0, or an app password when 2-Step Verification is on
advise-login-pec = the PEC mailbox's own password (certified mail is sent only through the PEC provider)

dns-f-advise-no-mode-fits-title = No Microsoft 365 sending mode fits this device as it is
dns-f-advise-no-mode-fits-summary = The device must mail outside recipients, cannot use client submission ({ $blocker }), and has no static IP that a connector could recognize.
dns-f-advise-no-mode-fits-cause-device = Old firmware without TLS 1.2, or no field for a user name and password.
dns-f-advise-no-mode-fits-cause-network = A dynamic IP from the internet provider.
dns-f-advise-no-mode-fits-fix-static = Get a static IP from the internet provider and relay through a connector.
dns-f-advise-no-mode-fits-fix-firmware = Update the device's firmware so that it speaks TLS 1.2 and can sign in (client submission).
dns-f-advise-no-mode-fits-fix-internal = If mailing colleagues is enough, use direct send.
