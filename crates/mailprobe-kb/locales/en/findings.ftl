# Texts of the findings in data/findings.toml. Ids: <finding id with - for . and _>-title,
# -summary, and the causes and fixes the catalogue names. Keep one idea per line; quote the
# server through { $reply_line } rather than paraphrasing it.

## auth.credentials_rejected

auth-credentials-rejected-title = The server rejected the login
auth-credentials-rejected-summary = { $host } refused the user name and password it was given. Its answer: { $reply_line }
auth-credentials-rejected-cause-gmail-2sv = 2-Step Verification is on for this Google account, and mail programs that sign in with a password must then use an app password, not the account's normal password.
auth-credentials-rejected-cause-gmail-basic = Google no longer lets mail programs sign in with the plain account password: they must use OAuth 2.0 ("Sign in with Google") or an app password.
auth-credentials-rejected-cause-m365-policy = Microsoft 365 gives the same answer when the password is right but password sign-in over SMTP is blocked: SMTP AUTH turned off for the mailbox or the organization, multi-factor authentication, security defaults, or a Conditional Access policy against legacy authentication.
auth-credentials-rejected-cause-password = The password is wrong: mistyped, changed recently somewhere else, or expired.
auth-credentials-rejected-cause-username = The user name is not what the server expects; most providers want the full email address, not just the part before the @.
auth-credentials-rejected-cause-stale = The mail program keeps an old password or token in its saved credentials and keeps sending it.
auth-credentials-rejected-cause-locked = The account is locked or suspended, for example after too many failed attempts or suspicious activity.
auth-credentials-rejected-fix-gmail-app-password = In your Google account, under Security, turn on 2-Step Verification if it is off, create an app password (myaccount.google.com/apppasswords) and enter those 16 letters in the mail program instead of your password.
auth-credentials-rejected-fix-gmail-oauth = Better still, let the program sign in with Google itself: remove the account and add it again choosing "Google" rather than a generic IMAP/SMTP account, so it uses OAuth 2.0.
auth-credentials-rejected-fix-retype = Type the password again by hand, and use the full email address as the user name.
auth-credentials-rejected-fix-webmail = Sign in to the provider's webmail with exactly the same user name and password: if that fails too, reset the password; if it works, the account is fine and the problem is how the program signs in.
auth-credentials-rejected-fix-m365-smtp-auth = Check that SMTP AUTH is allowed for this mailbox in Exchange Online PowerShell: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled. If it says True, run Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
auth-credentials-rejected-fix-m365-mfa = If the mailbox is covered by multi-factor authentication, security defaults, or a Conditional Access policy that blocks legacy authentication, a password sent over SMTP will never work: exclude this mailbox on purpose, or switch the device to OAuth or to an SMTP relay connector.
auth-credentials-rejected-fix-keychain = Quit Outlook, open Keychain Access, delete the saved entries for { $host } and for the account, then start Outlook and enter the password when asked.
auth-credentials-rejected-fix-credential-manager = Close Outlook, open Control Panel > Credential Manager > Windows Credentials, remove the entries for { $host } and for the account, then start Outlook and sign in again.

## auth.app_password_required

auth-app-password-required-title = Google wants an app password, not your account password
auth-app-password-required-summary = The account has 2-Step Verification, so { $host } will not take its normal password from a mail program. Its answer: { $reply_line }
auth-app-password-required-cause-2sv = 2-Step Verification is on, and a second factor cannot be typed into a mail program: Google asks for a separate app password (or an OAuth sign-in) instead.
auth-app-password-required-cause-revoked = An app password was in use but no longer exists: Google revokes all app passwords when the account password is changed.
auth-app-password-required-fix-create = Go to myaccount.google.com/apppasswords, create an app password named after the program or device, and enter it where the mail program asks for the password.
auth-app-password-required-fix-oauth = If the program can sign in with Google (OAuth 2.0), prefer that: add the account as a "Google" account rather than as a generic IMAP/SMTP one, and no app password is needed.
auth-app-password-required-fix-outlook-macos = Tools > Accounts, select the account, and replace the password with the app password (or remove the account and add it again as Google).
auth-app-password-required-fix-outlook-windows = File > Account Settings > Account Settings, select the account, choose Change, and enter the app password as the password.

## auth.oauth_challenge_failed

auth-oauth-challenge-failed-title = The OAuth sign-in failed: the server answered 334 instead of 235
auth-oauth-challenge-failed-summary = After the token was sent, { $host } answered with a 334 challenge carrying an error, where 235 (signed in) was expected. This is the "Expected: 235, actual: 334" error of mail programs. Error status: { $status }; scope the server expects: { $scope }.
auth-oauth-challenge-failed-cause-token = The access token has expired or was revoked, and the program did not get a fresh one.
auth-oauth-challenge-failed-cause-scope = The token was granted without permission to use mail over SMTP and IMAP, or for a different account than the one signing in.
auth-oauth-challenge-failed-cause-old-client = The program or the operating system is too old to complete the current OAuth flow, and sends what it has left.
auth-oauth-challenge-failed-cause-clock = The computer's clock is several minutes off, so freshly issued tokens look expired or not yet valid.
auth-oauth-challenge-failed-fix-readd = Remove the account from the mail program and add it again, choosing the provider (for example "Google") so that the browser sign-in and consent run again.
auth-oauth-challenge-failed-fix-update = Install the pending updates of the operating system and of the mail program: current versions handle the sign-in flow correctly.
auth-oauth-challenge-failed-fix-clear-macos = In Keychain Access, delete the entries that mention the provider, { $host } or Outlook, then sign in again.
auth-oauth-challenge-failed-fix-clear-windows = In Credential Manager, remove the saved entries for { $host } and the provider, then sign in again.
auth-oauth-challenge-failed-fix-clock = Set the computer's date and time to be set automatically.
auth-oauth-challenge-failed-fix-developer = After such a 334 send an empty line, read the final error, then refresh the access token and check its scope before retrying.

## oauth.wrong_scope

oauth-wrong-scope-title = The OAuth token is not valid for mail
oauth-wrong-scope-summary = { $host } refused the token with status { $status }: it is not accepted for sending mail. The server expects a token for the scope { $scope }.
oauth-wrong-scope-cause-scope = The token was requested without the mail scope (for Gmail, https://mail.google.com/); a token for profile, contacts, or only the Gmail API does not open SMTP or IMAP.
oauth-wrong-scope-cause-account = The token belongs to a different account than the user name sent with it.
oauth-wrong-scope-cause-not-mail = The token is for another service or application and was never meant for mail sign-in.
oauth-wrong-scope-fix-scope = Request the scope { $scope } when asking the user for consent, then get a new access token.
oauth-wrong-scope-fix-user = Send, as the user name in XOAUTH2 or OAUTHBEARER, exactly the address of the account that granted consent.
oauth-wrong-scope-fix-readd = In a mail program: remove the account and add it again, accepting every permission the sign-in page asks for.

## oauth.token_invalid

oauth-token-invalid-title = The OAuth token is invalid or expired
oauth-token-invalid-summary = { $host } did not accept the token (status { $status }): it is expired, revoked, or not a valid access token.
oauth-token-invalid-cause-expired = Access tokens live for about an hour; this one has run out and was not refreshed.
oauth-token-invalid-cause-revoked = The token was revoked: the password was changed, the app's access was removed from the account, or an administrator ended the sessions.
oauth-token-invalid-cause-wrong-token = What was sent is not an access token: an ID token or a refresh token, or a token cut short when it was copied.
oauth-token-invalid-cause-clock = The computer's clock is wrong, so a new token is judged expired or not yet valid.
oauth-token-invalid-fix-refresh = Use the refresh token to get a new access token and try again; if the refresh is refused too, ask the user to sign in again.
oauth-token-invalid-fix-access-token = Check that the access token itself is sent, whole, after "Bearer ".
oauth-token-invalid-fix-signin = In a mail program: remove the saved sign-in (Keychain on a Mac, Credential Manager on Windows) and sign in to the account again.
oauth-token-invalid-fix-clock = Make sure the computer's date and time are set automatically.

## auth.smtp_auth_disabled

auth-smtp-auth-disabled-title = SMTP AUTH is turned off in Microsoft 365
auth-smtp-auth-disabled-summary = Microsoft 365 does not allow password sign-in over SMTP { $disabled_for ->
        [Tenant] for this organization (the whole tenant)
        [tenant] for this organization (the whole tenant)
       *[other] for this mailbox
    }, so { $host } refuses any login, right password or not. Its answer: { $reply_line }
auth-smtp-auth-disabled-cause-tenant = An administrator turned SMTP AUTH off for the whole organization, which is also the setting of newer tenants.
auth-smtp-auth-disabled-cause-mailbox = SMTP AUTH is turned off on the mailbox itself (SmtpClientAuthenticationDisabled is True), which wins over the organization's setting.
auth-smtp-auth-disabled-fix-check = See the mailbox setting in Exchange Online PowerShell: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled
auth-smtp-auth-disabled-fix-mailbox = Allow it for this mailbox only (this overrides the organization setting): Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-tenant = Or allow it for the whole organization, which opens it to every mailbox: Set-TransportConfig -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-alternatives = If password sign-in must stay off, have the device or application sign in with OAuth, or send without signing in through an SMTP relay connector or direct send.

## auth.not_authenticated

auth-not-authenticated-title = The server wants a login before it accepts mail
auth-not-authenticated-summary = { $host } does not take mail from a client that has not signed in. Its answer: { $reply_line }
auth-not-authenticated-cause-no-login = The mail program or device is set to send without authentication ("my outgoing server requires authentication" is unticked).
auth-not-authenticated-cause-no-field = The device has no place for a user name and password, so it can never sign in on this server.
auth-not-authenticated-cause-m365-endpoint = The device sends to smtp.office365.com, which only serves mailboxes that sign in; sending without a login needs the organization's MX endpoint (direct send) or a relay connector.
auth-not-authenticated-cause-skipped = The login was skipped because the server did not offer it on this connection, for example before STARTTLS.
auth-not-authenticated-fix-enable = Turn on authentication for the outgoing server, with the mailbox's full address as user name and its password.
auth-not-authenticated-fix-mailprobe = Run mailprobe again with --user and a password, to check the login itself.
auth-not-authenticated-fix-m365-other-modes = If the device cannot sign in, point it at the organization's MX endpoint (name ending in mail.protection.outlook.com, port 25) for direct send, or set up a connector for SMTP relay.
auth-not-authenticated-fix-relay = On your own server, allow the device's fixed IP address to relay without a login, if it cannot sign in.

## auth.mechanism_unsupported

auth-mechanism-unsupported-title = The server does not offer the sign-in method needed
auth-mechanism-unsupported-summary = The login needs { $mechanism }, but { $host } offers only: { $offered }.
auth-mechanism-unsupported-cause-client-setting = The program is set to a sign-in method this server does not have (for example OAuth, NTLM or CRAM-MD5 where only a password is accepted).
auth-mechanism-unsupported-cause-port = This port is for server-to-server delivery (usually 25) and offers no sign-in at all; submission ports (587, 465) do.
auth-mechanism-unsupported-cause-server = The server has sign-in turned off, or not this method.
auth-mechanism-unsupported-fix-choose = Set the program's authentication method to one the server offers ({ $offered }); for a normal password, "Password" or "Normal password".
auth-mechanism-unsupported-fix-port = Use the submission port, 587 with STARTTLS or 465 with SSL/TLS, where sign-in is offered.
auth-mechanism-unsupported-fix-server = On your own server, enable the method (for Postfix with Dovecot: smtpd_sasl_auth_enable and Dovecot's auth_mechanisms).

## sender.send_as_denied

sender-send-as-denied-title = The signed-in account may not send as this sender
sender-send-as-denied-summary = The login worked, but { $host } refused the From address: the mailbox that signed in has no right to send as it. Its answer: { $reply_line }
sender-send-as-denied-cause-different-from = The device or application signs in with one mailbox but sends from another address (a shared mailbox, a "scanner@" address, a no-reply address).
sender-send-as-denied-cause-permission = The "Send As" permission for that address is missing, or was granted less than an hour ago and has not taken effect yet.
sender-send-as-denied-fix-same-address = Set the sender (From) address in the device or application to the address of the mailbox it signs in with.
sender-send-as-denied-fix-grant = Or grant the signed-in mailbox the Send As permission on the other address: Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs
sender-send-as-denied-fix-relay = If it must send from many addresses, use SMTP relay through a connector instead of signing in to one mailbox.

## sender.not_owned

sender-not-owned-title = The sender address does not belong to the signed-in user
sender-not-owned-summary = { $host } refused the envelope sender: the user who signed in does not own that address. Postfix checks this when the recipient is given, so the refusal can come at RCPT TO. Its answer: { $reply_line }
sender-not-owned-cause-alias = The program sends from an address (an alias, a colleague's address, an old address) that is not linked to the login.
sender-not-owned-cause-map = The server's list of which login may use which sender address (Postfix smtpd_sender_login_maps) does not include this pair.
sender-not-owned-fix-own-address = Send from the address that belongs to the account you sign in with.
sender-not-owned-fix-login-as-owner = Or sign in as the owner of the sender address.
sender-not-owned-fix-map = On the server, add the address to that user's entry in smtpd_sender_login_maps (used by reject_sender_login_mismatch) and reload Postfix.

## smtp.relay_denied

smtp-relay-denied-title = The server refused to relay to this recipient
smtp-relay-denied-summary = { $host } took the sender but will not pass the message on to an outside recipient: it only relays for clients that signed in or are on its trusted network. Its answer: { $reply_line }
smtp-relay-denied-cause-no-login = The program did not sign in, so the server treats it as a stranger.
smtp-relay-denied-cause-wrong-server = The program is talking to a server that is not its outgoing server, such as the domain's incoming (MX) server on port 25.
smtp-relay-denied-cause-network = The device relies on its IP address being trusted, and its address is not (or is no longer) on the server's list.
smtp-relay-denied-fix-login = Turn on authentication for the outgoing server with the mailbox's address and password.
smtp-relay-denied-fix-server = Use the outgoing (submission) server your provider gives, on port 587 with STARTTLS or 465 with SSL/TLS.
smtp-relay-denied-fix-allow = If the device cannot sign in, add its fixed IP address to the server's trusted networks (Postfix mynetworks) or to the relay connector.

## tls.required_first

tls-required-first-title = The server wants encryption before anything else
tls-required-first-summary = { $host } will not go on over an unencrypted connection: the client has to switch on TLS (STARTTLS) first. Its answer: { $reply_line }
tls-required-first-cause-no-encryption = The outgoing server is set to no encryption in the program or device.
tls-required-first-cause-stripped = Something on the network hid the server's offer of STARTTLS, so the program believed encryption was not available.
tls-required-first-fix-starttls = Set encryption to { $protocol ->
        [IMAP] STARTTLS on port 143, or SSL/TLS on port 993
       *[other] STARTTLS on port 587, or SSL/TLS on port 465
    }.
tls-required-first-fix-mailprobe = Run mailprobe again with --security starttls to check the encrypted path.
tls-required-first-fix-middlebox = If the encryption setting is already on, look for a firewall or antivirus "mail protection" that inspects SMTP and turn that inspection off.

## tls.starttls_not_offered

tls-starttls-not-offered-title = The server does not offer STARTTLS
tls-starttls-not-offered-summary = STARTTLS was asked for, but { $host } on port { $port } does not list it among what it can do (it offers: { $offered }).
tls-starttls-not-offered-cause-middlebox = A firewall, antivirus or ISP device between you and the server removes STARTTLS from the list; keywords turned into X's (such as XXXXXXXA) give it away.
tls-starttls-not-offered-cause-server = The server has no TLS set up on this port.
tls-starttls-not-offered-cause-wrong-host = You are not talking to the server you think: a captive portal or an ISP intercepting the port answers instead.
tls-starttls-not-offered-fix-implicit = Try SSL/TLS from the first byte on port 465, which a middlebox cannot strip.
tls-starttls-not-offered-fix-network = Try from another network, such as a phone hotspot: if STARTTLS appears there, the local network is at fault.
tls-starttls-not-offered-fix-inspection = Turn off SMTP inspection on the firewall or the antivirus mail scanning for this server.
tls-starttls-not-offered-fix-server = On your own server, install a certificate and enable TLS (for Postfix: smtpd_tls_cert_file, smtpd_tls_key_file and smtpd_tls_security_level = may).

## tls.mode_mismatch

tls-mode-mismatch-title = Wrong encryption mode for this port
tls-mode-mismatch-summary = Port { $asked_port } on { $host } does not speak { $asked_security }: a second attempt with { $working_security } on port { $working_port } got the server's greeting.
tls-mode-mismatch-cause-pair = The encryption setting does not match the port: 465 expects SSL/TLS from the first byte, while 587 and 25 start unencrypted and switch with STARTTLS.
tls-mode-mismatch-cause-autoconfig = Automatic setup or an old profile paired the port with the wrong encryption.
tls-mode-mismatch-fix-use-working = Use port { $working_port } with { $working_security }.
tls-mode-mismatch-fix-outlook-windows = File > Account Settings > Account Settings > Change > More Settings > Advanced; set the outgoing server port to { $working_port } and the encrypted connection type to { $working_security }.
tls-mode-mismatch-fix-outlook-macos = Tools > Accounts, select the account; set the outgoing server port to { $working_port } and tick "Use SSL to connect" only for SSL/TLS (port 465), not for STARTTLS.
tls-mode-mismatch-fix-device = Set the SMTP port to { $working_port } and the security to { $working_security } (it may be called "SSL", "TLS" or "STARTTLS" in its menus).

## tls.version_too_old

tls-version-too-old-title = The server refused the client's old TLS version
tls-version-too-old-summary = { $host } requires TLS 1.2 or newer and refused a client that can go no higher than { $client_tls_max }.
tls-version-too-old-cause-firmware = The device's firmware or the application only knows TLS 1.0 or 1.1.
tls-version-too-old-cause-library = The operating system or framework under the application has TLS 1.2 available but not turned on (older Windows and .NET defaults, for example).
tls-version-too-old-fix-update = Update the device's firmware or the application to a version with TLS 1.2; ask the manufacturer if none is listed.
tls-version-too-old-fix-developer = In your own application, allow TLS 1.2 and 1.3 explicitly, or run it on a runtime that uses them by default.
tls-version-too-old-fix-m365-legacy = As a stopgap in Microsoft 365, allow legacy TLS clients (Set-TransportConfig -AllowLegacyTLSClients $true) and point the device at smtp-legacy.office365.com.
tls-version-too-old-fix-optional-tls = Or send through a path where TLS is optional (direct send or a relay connector on port 25, or a local relay that speaks current TLS onward).

## tls.cert_untrusted

tls-cert-untrusted-title = The server's certificate is not trusted
tls-cert-untrusted-summary = The certificate that { $server_name } presented does not lead to a certificate authority this computer trusts (issued by: { $issuer }).
tls-cert-untrusted-cause-interception-provider = This provider's certificates come from public authorities every system trusts, so an untrusted one almost always means something on your side is intercepting TLS: antivirus scanning of encrypted connections, a company proxy, or a firewall doing inspection.
tls-cert-untrusted-cause-private-ca = The server uses a self-signed certificate or one from a private (company) certificate authority.
tls-cert-untrusted-cause-chain = The server does not send the intermediate certificates that link its certificate to a trusted root.
tls-cert-untrusted-cause-interception = Something between you and the server (antivirus, proxy, firewall) intercepts TLS and presents its own certificate.
tls-cert-untrusted-cause-old-roots = The computer's or device's list of trusted authorities is out of date.
tls-cert-untrusted-fix-issuer = Read who issued the certificate (in the evidence): if it names your antivirus, firewall or company, turn off its scanning of encrypted mail or exempt { $host } from it.
tls-cert-untrusted-fix-ca-file = If the server uses your organization's own certificate authority, give it to mailprobe with --ca-file FILE, and install it in the mail program's or device's trust store.
tls-cert-untrusted-fix-network = Try from another network, such as a phone hotspot: if the certificate is trusted there, the local network is intercepting.
tls-cert-untrusted-fix-chain = On the server, send the full chain (the certificate followed by its intermediates), for example Let's Encrypt's fullchain.pem rather than cert.pem.
tls-cert-untrusted-fix-update = Update the operating system or the device firmware so its trusted authorities are current.

## tls.cert_hostname_mismatch

tls-cert-hostname-mismatch-title = The certificate is for a different server name
tls-cert-hostname-mismatch-summary = The certificate presented at { $host } is not issued for { $server_name }; it names: { $names }.
tls-cert-hostname-mismatch-cause-alias = The program uses a name that points at the server but is not on its certificate: an alias, an old name, or an IP address.
tls-cert-hostname-mismatch-cause-interception = Something between you and the server presents its own certificate for another name.
tls-cert-hostname-mismatch-cause-server = The server serves the wrong certificate, for example one of another site it hosts.
tls-cert-hostname-mismatch-fix-name = Set the server name in the program to one of the names on the certificate ({ $names }), never an IP address.
tls-cert-hostname-mismatch-fix-issuer = If those names look unrelated to your provider, check for interception by antivirus, proxy or firewall, as for an untrusted certificate.
tls-cert-hostname-mismatch-fix-server = On the server, install a certificate that covers the name clients use.

## tls.cert_expired

tls-cert-expired-title = The server's certificate is expired or not yet valid
tls-cert-expired-summary = By this computer's clock, the certificate of { $server_name } is expired or not yet valid (validity: { $not_before } to { $not_after }).
tls-cert-expired-cause-renewal = The server's certificate really expired: renewal failed, or it was renewed but the mail server was not reloaded.
tls-cert-expired-cause-clock = This computer's date is wrong (very likely when the certificate is "not yet valid").
tls-cert-expired-cause-interception = An inspecting antivirus or proxy presents its own, expired certificate.
tls-cert-expired-fix-clock = Check this computer's date, time and time zone, and set them to update automatically.
tls-cert-expired-fix-renew = On the server, renew the certificate and reload the mail services (Postfix and Dovecot read it only at start or reload).
tls-cert-expired-fix-no-bypass = Do not turn off certificate checking to get around it: that exposes the password to whoever is in the middle.

## tls.handshake_failed

tls-handshake-failed-title = The TLS handshake failed
tls-handshake-failed-summary = Encryption with { $host } on port { $port } could not be set up; the evidence shows how the handshake ended.
tls-handshake-failed-cause-mode = The port expects the other encryption mode ({ $protocol ->
        [IMAP] SSL/TLS on 993, STARTTLS on 143
       *[other] SSL/TLS on 465, STARTTLS on 587
    }).
tls-handshake-failed-cause-versions = Client and server share no TLS version or cipher, usually because one of them is old.
tls-handshake-failed-cause-middlebox = Something on the network interferes with encrypted connections.
tls-handshake-failed-cause-server = The server's TLS set-up is broken (missing key, unreadable certificate).
tls-handshake-failed-fix-pair = Check the port and encryption pair: { $protocol ->
        [IMAP] 993 with SSL/TLS, or 143 with STARTTLS
       *[other] 587 with STARTTLS, or 465 with SSL/TLS
    }.
tls-handshake-failed-fix-network = Try from another network to rule out interception.
tls-handshake-failed-fix-update = Update the mail program, device firmware or operating system.
tls-handshake-failed-fix-server-log = On the server, look at the mail log at the time of the attempt: it says why the handshake was refused.

## connect.refused

connect-refused-title = The connection was refused
connect-refused-summary = Nothing accepted the connection to { $host } on port { $port }: every address refused it ({ $addresses }).
connect-refused-cause-port = The server does not listen on this port; { $protocol ->
        [IMAP] IMAP is usually on 993 or 143
       *[other] mail submission is usually on 587 or 465
    }.
connect-refused-cause-down = The mail service on the server is stopped.
connect-refused-cause-firewall = A firewall actively rejects connections to this port.
connect-refused-fix-port = Check the port: { $protocol ->
        [IMAP] 993 with SSL/TLS or 143 with STARTTLS for IMAP
       *[other] 587 with STARTTLS or 465 with SSL/TLS for sending
    }.
connect-refused-fix-host = Check the server name against the provider's instructions.
connect-refused-fix-service = On the server, check that the mail service is running and listening on the port (for example with ss -ltnp).

## connect.timeout

connect-timeout-title = The connection timed out
connect-timeout-summary = No answer from { $host } on port { $port }: the connection attempts got no reply at all.
connect-timeout-cause-blocked = A firewall silently drops the traffic: many home ISPs block port 25, and company networks often block 465 and 587.
connect-timeout-cause-down = The server is down or cut off from the internet.
connect-timeout-cause-dns = The name points to an old address where nothing answers any more.
connect-timeout-fix-other-port = Try port 587 (STARTTLS) or 465 (SSL/TLS) instead of 25.
connect-timeout-fix-other-network = Try from another network, such as a phone hotspot: if it connects there, the local network blocks the port.
connect-timeout-fix-firewall = Allow outgoing TCP connections to { $host } on port { $port } on the firewall.

## connect.unreachable

connect-unreachable-title = The server cannot be reached from this network
connect-unreachable-summary = There is no network route to { $host } ({ $addresses }).
connect-unreachable-cause-offline = This computer has no working internet connection, or a VPN is down.
connect-unreachable-cause-ipv6 = The name has IPv6 addresses but this network has no IPv6 connectivity.
connect-unreachable-cause-vpn = A VPN or routing rule sends the traffic nowhere.
connect-unreachable-fix-connection = Check that this computer is online, and connect or disconnect the VPN and try again.
connect-unreachable-fix-ipv6 = If only IPv6 addresses failed, the problem is the network's IPv6, not the mail server.
connect-unreachable-fix-routing = Check the routes and the VPN configuration towards { $host }.

## connect.failed

connect-failed-title = The connection failed
connect-failed-summary = The connection to { $host } on port { $port } failed: { $detail }
connect-failed-cause-local-block = Security software or a policy on this computer stops the program from connecting.
connect-failed-cause-local-config = The local network configuration is broken (no usable source address).
connect-failed-fix-security-software = Check that the firewall or antivirus on this computer lets the mail program connect.
connect-failed-fix-retry = Try again, and from another network if it keeps failing.

## banner.timeout

banner-timeout-title = The server sent no greeting
banner-timeout-summary = The connection to { $host } on port { $port } opened, but no greeting came within { $seconds } seconds.
banner-timeout-cause-implicit-tls = The port expects SSL/TLS from the first byte (as 465 and 993 do) and waits for the client to start encryption, while the client waits for a plain greeting.
banner-timeout-cause-slow = The server is overloaded or slow on purpose (lookups of your address, delays against spammers).
banner-timeout-cause-middlebox = A device on the network accepts the connection but passes nothing through.
banner-timeout-fix-tls = Try SSL/TLS on this port, or { $protocol ->
        [IMAP] port 143
       *[other] port 587
    } with STARTTLS.
banner-timeout-fix-retry = Wait a few minutes and try again.
banner-timeout-fix-network = Try from another network to rule out a device in between.

## banner.not_smtp

banner-not-smtp-title = Something other than a mail server answered
banner-not-smtp-summary = On { $host } port { $port }, the other side { $looks_like ->
        [tls] started a TLS handshake, which means this port expects SSL/TLS from the first byte
        [http] answered like a web server
        [imap] greeted like an IMAP (incoming mail) server
        [pop3] greeted like a POP3 (incoming mail) server
        [ssh] greeted like an SSH server
       *[other] sent bytes that are not a mail server's greeting
    }.
banner-not-smtp-cause-tls-port = The port expects SSL/TLS from the first byte.
banner-not-smtp-cause-other-service = The port belongs to another service: an incoming-mail port (993, 143, 995) set as the outgoing server, or a web port.
banner-not-smtp-cause-intercepted = A proxy or captive portal answers in the server's place.
banner-not-smtp-fix-ports = Check the ports: sending uses 587 (STARTTLS) or 465 (SSL/TLS); 993 and 143 are IMAP, for receiving.
banner-not-smtp-fix-tls = If the other side started TLS, set the encryption to SSL/TLS for this port.
banner-not-smtp-fix-network = Try from another network in case something in between answers instead of the server.

## session.dropped

session-dropped-title = The server dropped the connection
session-dropped-summary = { $host } { $reason ->
        [reset] reset the connection
       *[other] closed the connection
    } without an error message.
session-dropped-cause-blocked = The server blocks your address without saying so: a blocklist, or a temporary ban after failed logins.
session-dropped-cause-mode = The port expects the other encryption mode and hangs up on what it does not understand.
session-dropped-cause-middlebox = A firewall or proxy cuts the connection.
session-dropped-fix-wait = Wait a quarter of an hour (temporary bans expire) and try once, with the right password.
session-dropped-fix-mode = Check the port and encryption pair: { $protocol ->
        [IMAP] 993 with SSL/TLS, 143 with STARTTLS
       *[other] 587 with STARTTLS, 465 with SSL/TLS
    }.
session-dropped-fix-logs = On the server, look at the mail log and the ban lists (such as fail2ban) for your address.

## session.no_reply

session-no-reply-title = The server stopped answering
session-no-reply-summary = { $host } stopped answering: nothing came within { $seconds } seconds (waiting for: { $waiting_for }).
session-no-reply-cause-slow = The server is slow: overloaded, or busy with checks such as scanning the message.
session-no-reply-cause-network = The network loses packets in the middle of the session (often large ones, after encryption starts).
session-no-reply-cause-tarpit = The server slows down clients on purpose after errors.
session-no-reply-fix-timeout = Try again with a longer --timeout.
session-no-reply-fix-network = Try from another network.
session-no-reply-fix-logs = On the server, check the mail log for the session.

## dns.no_such_host

dns-no-such-host-title = The server name does not exist
dns-no-such-host-summary = The name { $host } { $failure ->
        [no_addresses] exists but has no address
       *[other] does not exist in DNS
    }: { $detail }
dns-no-such-host-cause-typo = The server name is misspelled.
dns-no-such-host-cause-domain = The domain was entered instead of the server's name (example.com instead of smtp.example.com), or the provider changed its server names.
dns-no-such-host-cause-local-dns = The DNS server in use (the router's, the company's, the VPN's) does not know the name.
dns-no-such-host-fix-spelling = Check the spelling of the server name.
dns-no-such-host-fix-provider-name = Copy the exact outgoing server name from the provider's instructions (for example smtp.gmail.com or smtp.office365.com).
dns-no-such-host-fix-resolver = Try another DNS server with --dns-server to see whether the local DNS is at fault.

## dns.timeout

dns-timeout-title = The DNS lookup got no answer
dns-timeout-summary = Looking up { $host } in DNS got no answer in time.
dns-timeout-cause-resolver = The DNS server in use is down or unreachable.
dns-timeout-cause-blocked = A firewall or VPN blocks DNS queries.
dns-timeout-fix-connection = Check that this computer is online.
dns-timeout-fix-resolver = Try another DNS server with --dns-server.
dns-timeout-fix-firewall = Let DNS queries (port 53) through to the resolver.

## dns.failed

dns-failed-title = The DNS lookup failed
dns-failed-summary = Looking up { $host } failed: { $detail }
dns-failed-cause-servfail = The DNS server could not get an answer, often because the domain's DNS (or its DNSSEC) is broken.
dns-failed-cause-refused = The DNS server refuses to answer this computer, or none is configured.
dns-failed-fix-resolver = Try another DNS server with --dns-server.
dns-failed-fix-domain = If you run the domain, check its name servers and DNSSEC signatures.

## smtp.rejected

smtp-rejected-title = The server refused a step of the session
smtp-rejected-summary = { $host } answered with an error mailprobe does not have an explanation for yet: { $reply_line }
smtp-rejected-cause-policy = A rule on the server refused this step; its own words, in the evidence, usually name the rule.
smtp-rejected-cause-temporary = A code starting with 4 means a temporary condition (too busy, greylisting, a rate limit): the same attempt may work later.
smtp-rejected-fix-read = Read the server's words in the evidence and look up the codes they carry.
smtp-rejected-fix-retry = For a code starting with 4, try again in a few minutes.
smtp-rejected-fix-report = Send the evidence lines to the server's administrator or provider: they identify the refusal in their logs.

## imap.rejected

imap-rejected-title = The IMAP server refused a command
imap-rejected-summary = The IMAP server { $host } said no: { $reply_line }
imap-rejected-cause-disabled = IMAP access is turned off for this account (in Gmail: Settings > Forwarding and POP/IMAP).
imap-rejected-cause-policy = A policy on the account or the server refuses this command.
imap-rejected-fix-enable = Turn IMAP access on in the mailbox settings (Gmail: Settings > See all settings > Forwarding and POP/IMAP > Enable IMAP), then try again.
imap-rejected-fix-read = Read the server's words in the evidence; they often name the exact reason.

## ambiguous

ambiguous-title = Several causes fit the evidence equally well
ambiguous-summary = The evidence fits { $count } findings equally well: { $titles }. They are listed below, most common first, rather than picking one.
ambiguous-cause-same-evidence = Different problems can fail in the same way, and what was recorded does not tell them apart.
ambiguous-fix-in-order = Go through the findings below in order: try the first fix of each one, then run mailprobe again.
ambiguous-fix-more-evidence = Run mailprobe again from another network, or with --verbose, to gather evidence that separates them.
