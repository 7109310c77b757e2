# Texts of the findings in data/findings.toml. Ids: <finding id with - for . and _>-title,
# -summary, and the causes and fixes the catalogue names. Keep one idea per line; quote the
# server through { $reply_line } rather than paraphrasing it.

## auth.credentials_rejected

auth-credentials-rejected-title = The server rejected the login
auth-credentials-rejected-summary = { $observation ->
    [client_error] The program reports that the server did not accept the sign-in (“{ $message }”), without the server's own reply.
   *[other] { $host } refused the user name and password it was given. Its answer: { $reply_line }
}
auth-credentials-rejected-cause-gmail-2sv = 2-Step Verification is on for this Google account, and mail programs that sign in with a password must then use an app password, not the account's normal password.
auth-credentials-rejected-cause-gmail-basic = Google no longer lets mail programs sign in with the plain account password: they must use OAuth 2.0 ("Sign in with Google") or an app password.
auth-credentials-rejected-cause-m365-policy = Microsoft 365 gives the same answer when the password is right but password sign-in over SMTP is blocked: SMTP AUTH turned off for the mailbox or the organization, multi-factor authentication, security defaults, or a Conditional Access policy against legacy authentication.
auth-credentials-rejected-cause-password = The password is wrong: mistyped, changed recently somewhere else, or expired.
auth-credentials-rejected-cause-username = The user name is not what the server expects; most providers want the full email address, not just the part before the @.
auth-credentials-rejected-cause-stale = The mail program keeps an old password or token in its saved credentials and keeps sending it.
auth-credentials-rejected-cause-locked = The account is locked or suspended, for example after too many failed attempts or suspicious activity.
auth-credentials-rejected-cause-unsaid = The message does not say which of these it is: the server may also refuse a right password, for instance when sign-in is allowed only with OAuth or with an app password.
auth-credentials-rejected-fix-debug = Turn on the program's SMTP conversation output (PHPMailer: SMTPDebug = 2; curl: -v) and paste the server's reply to AUTH into mailprobe explain: the reply tells which cause it is.
auth-credentials-rejected-fix-gmail-app-password = In your Google account, under Security, turn on 2-Step Verification if it is off, create an app password (myaccount.google.com/apppasswords) and enter those 16 letters in the mail program instead of your password.
auth-credentials-rejected-fix-gmail-oauth = Better still, let the program sign in with Google itself: remove the account and add it again choosing "Google" rather than a generic IMAP/SMTP account, so it uses OAuth 2.0.
auth-credentials-rejected-fix-retype = Type the password again by hand, and use the full email address as the user name.
auth-credentials-rejected-fix-webmail = Sign in to the provider's webmail with exactly the same user name and password: if that fails too, reset the password; if it works, the account is fine and the problem is how the program signs in.
auth-credentials-rejected-fix-m365-smtp-auth = Check that SMTP AUTH is allowed for this mailbox in Exchange Online PowerShell: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled. If it says True, run Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false.
auth-credentials-rejected-fix-m365-mfa = If the mailbox is covered by multi-factor authentication, security defaults, or a Conditional Access policy that blocks legacy authentication, a password sent over SMTP will never work: exclude this mailbox on purpose, or switch the device to OAuth or to an SMTP relay connector.
auth-credentials-rejected-fix-keychain = Quit Outlook, open Keychain Access, delete the saved entries for { $host } and for the account, then start Outlook and enter the password when asked.
auth-credentials-rejected-fix-credential-manager = Close Outlook, open Control Panel > Credential Manager > Windows Credentials, remove the entries for { $host } and for the account, then start Outlook and sign in again.
auth-credentials-rejected-cause-outlook-basic = Outlook.com, Hotmail and Live accounts no longer accept a password from mail programs at all: they need modern sign-in (OAuth).
auth-credentials-rejected-fix-outlook-oauth = Remove the account from the mail program and add it again as an Outlook.com or Microsoft account, so it signs in through Microsoft's page.
auth-credentials-rejected-fix-keychain-gmail = Quit Outlook, open Keychain Access, delete the entries for Google, smtp.gmail.com, imap.gmail.com and Outlook, then start Outlook and add the account again choosing Google.
auth-credentials-rejected-fix-credential-manager-gmail = Close Outlook, open Control Panel > Credential Manager > Windows Credentials, remove the entries for imap.gmail.com, smtp.gmail.com and any Google or Outlook token, then restart and sign in again.

## auth.app_password_required

auth-app-password-required-title = { $provider ->
    [gmail] Google wants an app password, not your account password
   *[other] The provider wants an app password, not your account password
}
auth-app-password-required-summary = { $provider ->
    [gmail] { $observation ->
        [client_error] { $host } refused the password. Google no longer takes an account's normal password from mail programs: unless it was mistyped, the program needs an app password (or an OAuth sign-in) instead. Its answer: { $reply_line }
        [reply] { $code ->
            [535] { $host } refused the password. Google no longer takes an account's normal password from mail programs: unless it was mistyped, the program needs an app password (or an OAuth sign-in) instead. Its answer: { $reply_line }
           *[other] With 2-Step Verification on, { $host } does not take the account's normal password from a mail program. Its answer: { $reply_line }
        }
       *[other] With 2-Step Verification on, { $host } does not take the account's normal password from a mail program. Its answer: { $reply_line }
    }
   *[other] { $observation ->
        [reply] { $code ->
            [535] { $host } refused the password. Many providers (Google, Yahoo, AOL, iCloud, and Zoho or Outlook.com with two-step verification on) no longer take an account's normal password from mail programs: unless it was mistyped, the program needs an app password (or an OAuth sign-in) instead. Its answer: { $reply_line }
           *[other] With two-step verification on, { $host } does not take the account's normal password from a mail program: it wants an app password. Its answer: { $reply_line }
        }
       *[other] { $host } refused the password. Many providers (Google, Yahoo, AOL, iCloud, and Zoho or Outlook.com with two-step verification on) no longer take an account's normal password from mail programs: unless it was mistyped, the program needs an app password (or an OAuth sign-in) instead. Its answer: { $reply_line }
    }
}
auth-app-password-required-cause-2sv = 2-Step Verification is on, and a second factor cannot be typed into a mail program: Google asks for a separate app password (or an OAuth sign-in) instead.
auth-app-password-required-cause-other-providers = Yahoo, AOL and iCloud take only app passwords from mail programs, and Zoho and Outlook.com do once two-step verification is on: the account's normal password is refused even when it is right.
auth-app-password-required-cause-revoked = An app password was in use but no longer exists: Google revokes all app passwords when the account password is changed.
auth-app-password-required-fix-create = Go to myaccount.google.com/apppasswords, create an app password named after the program or device, and enter it where the mail program asks for the password.
auth-app-password-required-fix-create-other = Create an app password on the provider's account security page and enter it where the program asks for the password: Yahoo and AOL: Account Security > Generate app password; iCloud: account.apple.com > Sign-In and Security > App-Specific Passwords; Zoho: accounts.zoho.com > Security > App Passwords; Outlook.com: account.microsoft.com > Security > Advanced security options > App passwords.
auth-app-password-required-fix-oauth = If the program can sign in with Google (OAuth 2.0), prefer that: add the account as a "Google" account rather than as a generic IMAP/SMTP one, and no app password is needed.
auth-app-password-required-fix-outlook-macos = Tools > Accounts, select the account, and replace the password with the app password (or remove the account and add it again as Google).
auth-app-password-required-fix-outlook-windows = File > Account Settings > Account Settings, select the account, choose Change, and enter the app password as the password.
auth-app-password-required-fix-developer = In your own code, either read the app password from configuration (never the account password), or switch to XOAUTH2 with a token for https://mail.google.com/.

## auth.web_login_required

auth-web-login-required-title = Google wants a sign-in in a web browser first
auth-web-login-required-summary = { $host } refused the sign-in until the account owner confirms it in a web browser. Its answer: { $reply_line }
auth-web-login-required-cause-suspicious = Google held the sign-in as unusual (a new computer, network or country) and waits for the owner to confirm it was them.
auth-web-login-required-cause-account-action = The account needs the owner's attention first: a password change it asks for, a phone number to verify, or terms to accept.
auth-web-login-required-cause-password-signin = The program signs in with the account password, which Google accepts less and less from mail programs.
auth-web-login-required-fix-browser = On the same computer and network as the mail program, sign in to Gmail in a web browser and complete whatever Google asks there, then try sending again.
auth-web-login-required-fix-security-activity = Open myaccount.google.com > Security > Recent security activity and confirm the blocked sign-in as yours.
auth-web-login-required-fix-oauth = Then set the account up with OAuth 2.0: in Outlook, remove it and add it again choosing "Google", not "Other account", so the sign-in happens in Google's own page.
auth-web-login-required-fix-app-password = If the program cannot do OAuth, turn on 2-Step Verification and use an app password (myaccount.google.com/apppasswords) instead of the account password.
auth-web-login-required-fix-network = If the program runs on a server or behind a VPN, sign in once from that same network, or Google will keep treating its address as strange.

## imap.disabled

imap-disabled-title = IMAP is turned off for this mailbox
imap-disabled-summary = The server refused IMAP access for this account: reading mail over IMAP is switched off, not the password.
imap-disabled-cause-gmail-setting = In Gmail, IMAP access is a per-account setting, and it is off.
imap-disabled-cause-gmail-admin = In a Google Workspace organization, the administrator can forbid IMAP for all users, whatever their own setting says.
imap-disabled-cause-m365-mailbox = In Microsoft 365, IMAP is switched off on the mailbox (ImapEnabled is False), or the organization allows no IMAP at all.
imap-disabled-cause-wizard = Outlook's account wizard tests receiving and sending together, so with IMAP off it can fail to add the account even though only sending was wanted.
imap-disabled-fix-gmail-enable = In Gmail, open Settings > See all settings > Forwarding and POP/IMAP, choose "Enable IMAP" under IMAP access, save, and wait a minute before trying again.
imap-disabled-fix-gmail-admin = If the setting is missing or greyed out, ask the Workspace administrator to allow POP and IMAP access (Admin console > Apps > Google Workspace > Gmail > End User Access).
imap-disabled-fix-m365 = Turn IMAP on for the mailbox in Exchange Online PowerShell: Set-CASMailbox -Identity { $user } -ImapEnabled $true
imap-disabled-fix-server = On your own server, check that the IMAP service is enabled for this account (for Dovecot: protocols includes imap and no userdb field disables it).
imap-disabled-fix-retry = Then remove and add the account again, so the program tests both directions afresh.

## auth.oauth_challenge_failed

auth-oauth-challenge-failed-title = The OAuth sign-in failed: the server answered 334 instead of 235
auth-oauth-challenge-failed-summary = { $observation ->
    [client_error] The program expected 235 (signed in) and got a 334 challenge instead (“{ $message }”). That challenge carries the server's OAuth error, but the message does not include it, so which error it is cannot be read here.
   *[other] After the token was sent, { $host } answered with a 334 challenge carrying an error, where 235 (signed in) was expected. This is the "Expected: 235, actual: 334" error of mail programs. Error status: { $status }; scope the server expects: { $scope }.
}
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
auth-oauth-challenge-failed-fix-description = Outlook shows the challenge after "description:" when it has one: paste the whole message, with that part, into mailprobe explain to learn whether the token expired, was refused, or lacks the mail scope.

## client.outlook_4af4

client-outlook-4af4-title = Outlook error 4af4: sending failed while signing in or setting up the connection
client-outlook-4af4-summary = Outlook reported: { $message } (code { $client_code }). This code is Outlook's own summary, not the server's: read it together with any server reply in the evidence, such as 334 or 535.
client-outlook-4af4-cause-google-auth = Google now wants OAuth 2.0 ("Sign in with Google") or, with 2-Step Verification on, an app password; an Outlook that still signs in the old way gets 334 or 535 instead of 235.
client-outlook-4af4-cause-modern-auth = Microsoft now wants modern authentication (OAuth) for this kind of account; an Outlook that still sends a password gets refused.
client-outlook-4af4-cause-outdated = The operating system or Outlook is out of date, and its older security libraries do not finish the current sign-in or encryption handshake.
client-outlook-4af4-cause-port = The outgoing port and encryption do not match: 587 needs STARTTLS, 465 needs SSL/TLS; any other pairing fails during sign-in.
client-outlook-4af4-cause-imap = IMAP is turned off in Gmail, and Outlook's account check fails even for sending.
client-outlook-4af4-cause-tokens = Old or damaged sign-in tokens are stored in Keychain (Mac) or Credential Manager (Windows) and keep being sent.
client-outlook-4af4-cause-interception = An antivirus, firewall or company proxy inspects encrypted traffic and breaks the handshake on port 587.
client-outlook-4af4-cause-clock = The computer's clock is more than about five minutes off, which makes fresh sign-in tokens look invalid.
client-outlook-4af4-cause-profile = The Outlook profile or its cached settings are damaged and keep retrying an outdated method.
client-outlook-4af4-fix-update-macos = Install every pending update: System Settings > General > Software Update for macOS, and Microsoft AutoUpdate (or the App Store) for Outlook. In the reported cases, updating macOS alone brought sending back.
client-outlook-4af4-fix-update-windows = Run Windows Update, then in Outlook choose File > Office Account > Update Options > Update Now.
client-outlook-4af4-fix-gmail-imap = In Gmail, open Settings > See all settings > Forwarding and POP/IMAP and make sure "Enable IMAP" is chosen; save.
client-outlook-4af4-fix-gmail-settings = Check the server settings against Google's: incoming imap.gmail.com, port 993, SSL/TLS; outgoing smtp.gmail.com, port 587, STARTTLS (465 with SSL/TLS also works); both require sign-in.
client-outlook-4af4-fix-settings = Check the server settings against the provider's: for Microsoft, outgoing smtp.office365.com (work accounts) or smtp-mail.outlook.com (Outlook.com), port 587, STARTTLS.
client-outlook-4af4-fix-readd-macos = In Outlook choose Tools > Accounts, select the account, remove it with the minus button, then add it with plus choosing the provider (Google for Gmail) and finish the sign-in in the browser.
client-outlook-4af4-fix-readd-windows = Remove the account (File > Account Settings > Manage Profiles), or create a new profile in Control Panel > Mail > Show Profiles > Add, and add the account again choosing the provider (Google for Gmail).
client-outlook-4af4-fix-keychain = Quit Outlook, open Keychain Access and delete the entries for Google, smtp.gmail.com, imap.gmail.com and Outlook (or for your provider's servers), then start Outlook and sign in again.
client-outlook-4af4-fix-credential-manager = Close Outlook, open Control Panel > Credential Manager > Windows Credentials and remove the entries for imap.gmail.com, smtp.gmail.com and the Google or Outlook tokens (or your provider's servers), then restart.
client-outlook-4af4-fix-app-password = If 2-Step Verification is on and Outlook never shows Google's sign-in page, create an app password (myaccount.google.com/apppasswords), name it "Outlook", and use it as the password; revoke it if you ever suspect misuse.
client-outlook-4af4-fix-ssl-scanning = Turn off the HTTPS/SSL scanning of the antivirus or firewall for a test; if that helps, keep it on but exempt smtp.gmail.com:587 and imap.gmail.com:993 (or your provider's servers) from inspection.
client-outlook-4af4-fix-clock = Set the date and time to update automatically.
client-outlook-4af4-fix-logging-windows = If it still fails, turn on File > Options > Advanced > "Enable troubleshooting logging", restart Outlook, try once, turn logging off, and look in the log for EHLO, STARTTLS, AUTH XOAUTH2 and the 334 or 535 reply.
client-outlook-4af4-fix-logging-macos = If it still fails, turn on logging in Outlook > Preferences > General, reproduce the error, and look in the log for where the STARTTLS or AUTH XOAUTH2 step stops.

## oauth.wrong_scope

oauth-wrong-scope-title = The OAuth token is not valid for mail
oauth-wrong-scope-summary = { $observation ->
    [client_error] The token is not valid for mail at { $host }: the server answered the sign-in with OAuth status 400, its answer for a token without the mail scope (or of another account).
   *[other] The token is not valid for mail at { $host }: it was not granted the scope the server needs ({ $scope }).
}
oauth-wrong-scope-cause-scope = The token was requested without the mail scope (for Gmail, https://mail.google.com/); a token for profile, contacts, or only the Gmail API does not open SMTP or IMAP.
oauth-wrong-scope-cause-account = The token belongs to a different account than the user name sent with it.
oauth-wrong-scope-cause-not-mail = The token is for another service or application and was never meant for mail sign-in.
oauth-wrong-scope-fix-scope = { $observation ->
    [client_error] Request the provider's mail scope (for Gmail, https://mail.google.com/) when asking the user for consent, then get a new access token.
   *[other] Request the scope { $scope } when asking the user for consent, then get a new access token.
}
oauth-wrong-scope-fix-user = Send, as the user name in XOAUTH2 or OAUTHBEARER, exactly the address of the account that granted consent.
oauth-wrong-scope-fix-readd = In a mail program: remove the account and add it again, accepting every permission the sign-in page asks for.

## oauth.wrong_audience

oauth-wrong-audience-title = The OAuth token was issued for another service, not for mail
oauth-wrong-audience-summary = The token is for { $audience } (its audience), while { $host } accepts only tokens for { $expected_audience }. A token is bound to the service it was requested for: Exchange Online refuses a token for any other, even a genuine one.
oauth-wrong-audience-cause-graph = The token was requested for Microsoft Graph (https://graph.microsoft.com, scopes such as Mail.Send) instead of Exchange Online (https://outlook.office.com/SMTP.Send). Graph's Mail.Send sends through the Graph API, never through SMTP or IMAP.
oauth-wrong-audience-cause-default-scope = The program asked for the .default scope or a scope without a resource prefix, and the identity platform picked Microsoft Graph as the resource.
oauth-wrong-audience-cause-reused = A token obtained for another part of the program (the Graph API, an ID token for sign-in) was reused for mail.
oauth-wrong-audience-fix-scope = Request the token with the full Exchange Online scope: https://outlook.office.com/SMTP.Send for SMTP (https://outlook.office.com/IMAP.AccessAsUser.All for IMAP), plus offline_access; never a bare Mail.Send or a Graph scope.
oauth-wrong-audience-fix-app-only = For an app-only token (client credentials), request https://outlook.office365.com/.default and give the application the SMTP.SendAsApp permission of Office 365 Exchange Online, not a Microsoft Graph permission.
oauth-wrong-audience-fix-permission = In Microsoft Entra ID, under the app's API permissions, add the delegated SMTP.Send permission (IMAP.AccessAsUser.All for IMAP) and grant admin consent; the scope the program requests must still name https://outlook.office.com.
oauth-wrong-audience-fix-mailprobe = To check the account with a token of the right kind, sign in with `mailprobe auth login --provider microsoft`, which asks for https://outlook.office.com/SMTP.Send, then run the diagnosis again.

## oauth.wrong_account

oauth-wrong-account-title = The OAuth token belongs to a different account
oauth-wrong-account-summary = { $host } accepted the token as genuine but not for this mailbox: the account that granted the token and the user name sent with it do not match.
oauth-wrong-account-cause-user-field = The user name in the XOAUTH2 or OAUTHBEARER string is not the address of the account that signed in (an alias, an old address, or a typo).
oauth-wrong-account-cause-signed-in-other = During consent, the browser was already signed in to another Google or Microsoft account, and that one granted the token.
oauth-wrong-account-cause-shared-mailbox = The token is for a user who wants to open another mailbox (a shared one) without the permission to do it.
oauth-wrong-account-fix-same-address = Send, as the user name, exactly the primary address of the account that granted the token (read it from the token's claims or the userinfo endpoint).
oauth-wrong-account-fix-signin-again = Sign in again, choosing the right account on the consent page (sign out of other accounts in the browser first).
oauth-wrong-account-fix-m365-permission = To open a shared mailbox with another user's token, give that user Full Access to it (Add-MailboxPermission), and use the shared mailbox's address as the user name.

## oauth.token_invalid

oauth-token-invalid-title = The OAuth token is invalid or expired
oauth-token-invalid-summary = { $observation ->
    [client_error] The server did not accept the OAuth token (“{ $message }”): it is expired, revoked, or not a valid access token.
   *[other] { $host } did not accept the token (status { $status }): it is expired, revoked, or not a valid access token.
}
oauth-token-invalid-cause-expired = Access tokens live for about an hour; this one has run out and was not refreshed.
oauth-token-invalid-cause-revoked = The token was revoked: the password was changed, the app's access was removed from the account, or an administrator ended the sessions.
oauth-token-invalid-cause-wrong-token = What was sent is not an access token: an ID token or a refresh token, or a token cut short when it was copied.
oauth-token-invalid-cause-clock = The computer's clock is wrong, so a new token is judged expired or not yet valid.
oauth-token-invalid-fix-refresh = Use the refresh token to get a new access token and try again; if the refresh is refused too, ask the user to sign in again.
oauth-token-invalid-fix-access-token = Check that the access token itself is sent, whole, after "Bearer ".
oauth-token-invalid-fix-signin = In a mail program: remove the saved sign-in (Keychain on a Mac, Credential Manager on Windows) and sign in to the account again.
oauth-token-invalid-fix-clock = Make sure the computer's date and time are set automatically.

## oauth.token_expired

oauth-token-expired-title = The OAuth access token has expired
oauth-token-expired-summary = The sign-in used an access token that is no longer valid, so the server refused it.
oauth-token-expired-cause-lifetime = Access tokens are short-lived (about an hour for Google and Microsoft); this one was used after that without being refreshed.
oauth-token-expired-cause-stored = A mail program keeps an expired token in Keychain (Mac) or Credential Manager (Windows) and never replaces it.
oauth-token-expired-cause-clock = The computer's clock is wrong, so a valid token is judged expired.
oauth-token-expired-fix-refresh = Get a new access token with the refresh token before each session, or when the server refuses one, and retry once.
oauth-token-expired-fix-clear-macos = Quit Outlook, delete the Keychain Access entries for the provider, its mail servers and Outlook, then sign in again.
oauth-token-expired-fix-clear-windows = Close Outlook, remove the provider's and Outlook's entries in Credential Manager > Windows Credentials, then sign in again.
oauth-token-expired-fix-device = On a device or application, sign in to the account again in its settings so it obtains a fresh token.
oauth-token-expired-fix-clock = Set the computer's date and time to update automatically.

## oauth.refresh_failed

oauth-refresh-failed-title = The OAuth refresh token no longer works
oauth-refresh-failed-summary = Getting a new access token failed: { $reply_line }. Until someone signs in again, no new token can be had.
oauth-refresh-failed-cause-revoked = The refresh token was revoked: the password was changed, the user signed out everywhere, or an administrator revoked the sessions.
oauth-refresh-failed-cause-consent = The consent was withdrawn: the app's access was removed from the account's security page (Google: Third-party apps with account access; Microsoft: My Apps), which revokes its refresh tokens.
oauth-refresh-failed-cause-google-unused = A Google refresh token that has not been used for six months expires, and so does one beyond the limit of refresh tokens per account and app (the oldest are dropped).
oauth-refresh-failed-cause-google-testing = For a Google Cloud project whose OAuth consent screen is still in "Testing", refresh tokens stop working after seven days.
oauth-refresh-failed-cause-microsoft-inactive = Microsoft refresh tokens expire after a long time unused (90 days by default) or when a policy demands a new sign-in.
oauth-refresh-failed-cause-client = The application's client secret changed or expired, or the refresh token belongs to another client id.
oauth-refresh-failed-fix-signin = Sign in again and grant the consent once more: that gives a new refresh token{ $evidence ->
        [live] {" "}(for mailprobe's own sign-in: `mailprobe auth login` with the same provider, then run the diagnosis again).
       *[other] .
    }
oauth-refresh-failed-fix-google-access = If the app is missing from the account's list of apps with access (myaccount.google.com, Security, Third-party apps with account access), its access was removed: signing in again restores it.
oauth-refresh-failed-fix-store = Store the refresh token every time the server sends a new one, and when a refresh is refused with invalid_grant, ask the user to sign in rather than retrying.
oauth-refresh-failed-fix-google-publish = In Google Cloud Console, move the OAuth consent screen from "Testing" to "In production" so refresh tokens no longer expire after a week.
oauth-refresh-failed-fix-m365-consent = In Microsoft Entra ID, check the application's client secret and the consent it was granted (Enterprise applications > the app > Permissions), and renew what has expired.

## auth.smtp_auth_disabled

auth-smtp-auth-disabled-title = SMTP AUTH is turned off in Microsoft 365
auth-smtp-auth-disabled-summary = Microsoft 365 does not allow password sign-in over SMTP { $disabled_for ->
        [Tenant] for this organization (the whole tenant)
        [tenant] for this organization (the whole tenant)
        [Mailbox] for this mailbox
        [mailbox] for this mailbox
       *[other] for this mailbox or for the whole organization
    }, so { $host } refuses any login, right password or not. Its answer: { $reply_line }
auth-smtp-auth-disabled-cause-tenant = An administrator turned SMTP AUTH off for the whole organization, which is also the setting of newer tenants.
auth-smtp-auth-disabled-cause-mailbox = SMTP AUTH is turned off on the mailbox itself (SmtpClientAuthenticationDisabled is True), which wins over the organization's setting.
auth-smtp-auth-disabled-fix-check = See the mailbox setting in Exchange Online PowerShell: Get-CASMailbox -Identity { $user } | Format-List SmtpClientAuthenticationDisabled
auth-smtp-auth-disabled-fix-mailbox = Allow it for this mailbox only (this overrides the organization setting): Set-CASMailbox -Identity { $user } -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-tenant = Or allow it for the whole organization, which opens it to every mailbox: Set-TransportConfig -SmtpClientAuthenticationDisabled $false
auth-smtp-auth-disabled-fix-alternatives = If password sign-in must stay off, have the device or application sign in with OAuth, or send without signing in through an SMTP relay connector or direct send.
auth-smtp-auth-disabled-cause-default = Microsoft turns SMTP AUTH off by default in newer tenants, and security defaults keep it off.
auth-smtp-auth-disabled-cause-2026 = From the end of December 2026 Microsoft turns Basic authentication for SMTP AUTH client submission off by default in existing tenants. An administrator can turn it back on for now; tenants created after that date never have it, and Microsoft will announce the date of its final removal in the second half of 2027 (after it the reply is 550 5.7.30). A device that signs in with a password stops sending on that date unless it moves to OAuth 2.0, to a relay connector, or to a local relay that signs in with OAuth on its behalf.

## auth.basic_auth_disabled

auth-basic-auth-disabled-title = Password sign-in (basic authentication) is switched off
auth-basic-auth-disabled-summary = Microsoft refused the password itself, not its value: basic authentication is disabled for this account, so no password, not even an app password, will work over SMTP.
auth-basic-auth-disabled-cause-outlook = For personal Outlook.com, Hotmail and Live accounts Microsoft ended password sign-in for mail programs in September 2024: only modern authentication (OAuth) works now.
auth-basic-auth-disabled-cause-m365-policy = In a Microsoft 365 organization, an authentication policy or security defaults block basic authentication for SMTP, whatever the mailbox's SMTP AUTH setting says.
auth-basic-auth-disabled-cause-m365-2026 = Microsoft turns Basic authentication for SMTP AUTH client submission off by default for existing tenants at the end of December 2026 (tenants created later never have it; Microsoft will announce the date of the final removal in the second half of 2027, after which the reply is 550 5.7.30 Basic authentication is not supported for Client Submission). An administrator can still turn it back on for now, but a device that only knows a password needs OAuth 2.0, a relay connector, or a local relay that signs in with OAuth for it.
auth-basic-auth-disabled-cause-app-password = App passwords go through the same basic-authentication path, so they are refused too.
auth-basic-auth-disabled-fix-outlook-readd = In the mail program, remove the account and add it again as a Microsoft or Outlook.com account (not "Other" or IMAP/SMTP) so it signs in through Microsoft's page; older programs that cannot do this need replacing or updating.
auth-basic-auth-disabled-fix-developer = In your own code, sign in with OAuth 2.0 (XOAUTH2) using a token for the scope https://outlook.office.com/SMTP.Send, or send through Microsoft Graph.
auth-basic-auth-disabled-fix-m365-policy = If the organization must keep a password-only device, allow basic authentication for SMTP only in a dedicated authentication policy assigned to that mailbox (Set-AuthenticationPolicy -AllowBasicAuthSmtp, then Set-User -AuthenticationPolicy), after checking security defaults.
auth-basic-auth-disabled-fix-device = A device that only knows passwords should not sign in to Microsoft 365 itself: send through mailprobe relay on your network (the device keeps its password, the relay signs in with OAuth 2.0; mailprobe advise shows the settings), through an SMTP relay connector, or by direct send to internal recipients.

## auth.mfa_or_security_defaults

auth-mfa-or-security-defaults-title = Multi-factor authentication or security defaults block the password sign-in
auth-mfa-or-security-defaults-summary = Microsoft 365 refused the sign-in because the account must pass multi-factor authentication, which a device sending mail over SMTP cannot do.
auth-mfa-or-security-defaults-cause-security-defaults = Security defaults are on in Microsoft Entra ID: they require MFA and block legacy authentication, including SMTP AUTH, for everyone.
auth-mfa-or-security-defaults-cause-per-user-mfa = Per-user multi-factor authentication is enforced on the mailbox the device uses.
auth-mfa-or-security-defaults-cause-app-password = An app password does not help while security defaults are on: they block the legacy protocol itself.
auth-mfa-or-security-defaults-fix-per-user-mfa = If per-user MFA is the block: in the Microsoft 365 admin center choose Users > Active users > Multi-factor authentication, select the mailbox the device uses and disable MFA for it.
auth-mfa-or-security-defaults-fix-security-defaults = If security defaults are the block: sign in to the Azure portal as a Security or Conditional Access administrator, open Microsoft Entra ID > Properties > Manage security defaults, set them to No and save. Warning: this removes MFA protection from every account; do it only if you understand that risk, preferably replacing it with Conditional Access policies that exclude just this mailbox.
auth-mfa-or-security-defaults-fix-alternatives = Better, keep MFA and let the device send without a password sign-in: an SMTP relay connector, direct send for internal recipients, or OAuth if the device supports it.

## auth.conditional_access_blocks_legacy

auth-conditional-access-blocks-legacy-title = A Conditional Access policy blocks this sign-in
auth-conditional-access-blocks-legacy-summary = Microsoft 365 checked the password sign-in against the organization's Conditional Access policies, and a policy did not let it through.
auth-conditional-access-blocks-legacy-cause-policy = A Conditional Access policy blocks legacy authentication, and SMTP AUTH with a password counts as legacy authentication.
auth-conditional-access-blocks-legacy-cause-location = A policy allows sign-ins only from named locations, compliant devices or with MFA, and the device meets none of these.
auth-conditional-access-blocks-legacy-fix-sign-in-logs = Find the policy: in Microsoft Entra ID > Monitoring > Sign-in logs, filter on the mailbox and the client app "Authenticated SMTP", and open the failed sign-in's Conditional Access tab.
auth-conditional-access-blocks-legacy-fix-exclude = In the Azure portal, as a Security or Conditional Access administrator, open Microsoft Entra ID > Security > Conditional Access, edit the policy that blocks legacy authentication, add the device's mailbox under Users and groups > Exclude, and save.
auth-conditional-access-blocks-legacy-fix-alternatives = If no exception is acceptable, have the device send through an SMTP relay connector or by direct send, which need no sign-in.

## auth.federated_sts_unreachable

auth-federated-sts-unreachable-title = Microsoft could not reach your federation server to check the password
auth-federated-sts-unreachable-summary = The account is federated: Microsoft 365 checks its password with your organization's own sign-in server (such as AD FS), and that server could not be reached. Its answer: { $reply_line }
auth-federated-sts-unreachable-cause-down = The on-premises federation server (AD FS or another security token service) or its proxy is stopped or failing.
auth-federated-sts-unreachable-cause-network = The federation server cannot be reached from the internet: a firewall, a DNS change, or an expired certificate on its public endpoint.
auth-federated-sts-unreachable-fix-check = From outside your network, open the federation server's public address (for AD FS: https://<your STS name>/adfs/ls/IdpInitiatedSignon.aspx) and fix whatever stops it answering.
auth-federated-sts-unreachable-fix-settings = Check which address Microsoft uses for the domain's federation (Get-MgDomainFederationConfiguration) and that it is the server you expect.
auth-federated-sts-unreachable-fix-cloud-account = For devices, consider a cloud-only mailbox (not federated), or moving the domain to password hash synchronization, so sending does not depend on the federation server.

## auth.federated_sts_not_https

auth-federated-sts-not-https-title = Your federation server's address does not offer a usable HTTPS connection
auth-federated-sts-not-https-summary = The account is federated, and Microsoft 365 could not open the secure connection it needs to your organization's sign-in server. Its answer: { $reply_line }
auth-federated-sts-not-https-cause-tls = The federation server only offers TLS 1.0 or 1.1, which Microsoft stopped using in 2022: it needs TLS 1.2.
auth-federated-sts-not-https-cause-url = The federation address configured for the domain is http:// or points at a host without a valid certificate.
auth-federated-sts-not-https-fix-tls12 = Enable TLS 1.2 on the federation servers and their proxies (Windows Server: the SCHANNEL TLS 1.2 settings and .NET strong crypto), then restart the service.
auth-federated-sts-not-https-fix-url = Check the domain's federation settings (Get-MgDomainFederationConfiguration): the sign-in addresses must start with https:// and match the server's certificate.
auth-federated-sts-not-https-fix-cloud-account = For devices, a cloud-only mailbox avoids the federation server altogether.

## auth.too_many_attempts

auth-too-many-attempts-title = Too many sign-in attempts: the server is refusing logins for a while
auth-too-many-attempts-summary = { $host } counted too many sign-ins in a short time and refuses new ones for now. Its answer: { $reply_line }
auth-too-many-attempts-cause-retries = A program keeps retrying with a wrong or outdated password, and every failure counts.
auth-too-many-attempts-cause-devices = Several devices or scripts use the same account and each one signs in again and again.
auth-too-many-attempts-cause-shared-ip = Other users behind the same public address (an office, a hosting provider) fail their sign-ins too, and the limit applies to the address.
auth-too-many-attempts-fix-stop = Stop every program and device that uses this account, so the failures stop adding up.
auth-too-many-attempts-fix-wait = Wait: these blocks lift by themselves, usually within minutes to an hour.
auth-too-many-attempts-fix-password = Fix the password in each program before turning it back on, then start them one at a time.
auth-too-many-attempts-fix-developer = In your code, keep one signed-in connection and send many messages through it, and back off (wait longer after each temporary 4xx) instead of reconnecting in a loop.
auth-too-many-attempts-fix-ban = On your own server, look for your address in the ban lists (such as fail2ban) and in the mail log, and lift the ban once the cause is fixed.

## auth.temporary_failure

auth-temporary-failure-title = The server could not check the password right now
auth-temporary-failure-summary = { $host } did not reject the password: it could not check it, because its own sign-in service did not answer. Its answer: { $reply_line }
auth-temporary-failure-cause-backend = The mail server hands passwords to a separate service (Dovecot, LDAP, Active Directory) and lost its connection to it, or that service is down.
auth-temporary-failure-cause-slow = The sign-in service is overloaded or deliberately slow after many failed attempts, and the mail server gave up waiting.
auth-temporary-failure-cause-provider = The provider has a short outage of its sign-in system.
auth-temporary-failure-fix-retry = Try again in a few minutes without changing the password: it has not been judged wrong.
auth-temporary-failure-fix-backend = On your own server, check that the authentication service is running and reachable from the mail server (for Postfix with Dovecot: the auth socket in smtpd_sasl_path, `doveadm auth test user`), and read its log for the same minute.
auth-temporary-failure-fix-status = If it lasts, look at the provider's service status page, or ask whoever runs the server.

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

## direct_send.wrong_endpoint

direct-send-wrong-endpoint-title = Direct send is pointed at the client submission server
direct-send-wrong-endpoint-summary = The device is set up to send without signing in, but it connects to smtp.office365.com, which takes mail only from clients that sign in. Microsoft answers such a device with "Client was not authenticated to send anonymous mail during MAIL FROM".
direct-send-wrong-endpoint-cause-submission-host = smtp.office365.com serves SMTP client submission only; direct send and relay go to the organization's MX endpoint.
direct-send-wrong-endpoint-cause-old-setting = The device was once set up for client submission and only the sign-in was removed.
direct-send-wrong-endpoint-fix-mx = Set the device's SMTP server to the organization's MX endpoint, a name ending in mail.protection.outlook.com (such as contoso-com.mail.protection.outlook.com), port 25.
direct-send-wrong-endpoint-fix-find-mx = Find that name in the domain's MX record (nslookup -type=mx contoso.com), or in the Microsoft 365 admin center under Settings > Domains > the domain > DNS records.
direct-send-wrong-endpoint-fix-or-submission = Or keep smtp.office365.com and give the device a mailbox's address and password, so it uses client submission.

## auth.requires_tls

auth-requires-tls-title = The server offers sign-in only after STARTTLS
auth-requires-tls-summary = { $host } offers STARTTLS but no sign-in method on the unencrypted connection: it lists AUTH only once the connection is encrypted.
auth-requires-tls-cause-plain = The mail program or device is set to no encryption (or "SSL/TLS: none") on a port that wants STARTTLS first.
auth-requires-tls-cause-stripped = Something on the network removed STARTTLS from the client's view, so it never switched to encryption.
auth-requires-tls-fix-starttls = Set the outgoing server's encryption to STARTTLS (sometimes shown as "TLS" or "Use TLS if available"), keep port { $port }, and try again.
auth-requires-tls-fix-developer = In code, call STARTTLS before AUTH: for example smtplib's starttls(), nodemailer's requireTLS: true, PHPMailer's SMTPSecure = 'tls', or .NET's EnableSsl = true on port 587.

## auth.mechanism_unsupported

auth-mechanism-unsupported-title = The server does not offer the sign-in method needed
auth-mechanism-unsupported-summary = { $observation ->
    [client_error] The program found no sign-in method it could use with { $host } (“{ $message }”).
    [reply] { $host } refused the sign-in method. Its answer: { $reply_line }
    [imap_no] { $host } refused the sign-in method. Its answer: { $reply_line }
   *[other] { $mechanism ->
        [AUTH] { $host } offers no sign-in (AUTH) on this connection: a program set to sign in with a user name and password fails here. Servers that take mail for their own domains (MX servers, port 25) never offer it.
       *[other] The login needs { $mechanism }, but { $host } offers only: { $offered }.
    }
}
auth-mechanism-unsupported-cause-before-tls = Many servers list AUTH only once the connection is encrypted: a program that tries to sign in before STARTTLS (Python's smtplib without starttls(), a setting with no encryption) finds no AUTH.
auth-mechanism-unsupported-cause-client-setting = The program is set to a sign-in method this server does not have (for example OAuth, NTLM or CRAM-MD5 where only a password is accepted).
auth-mechanism-unsupported-cause-port = This port is for server-to-server delivery (usually 25) and offers no sign-in at all; submission ports (587, 465) do.
auth-mechanism-unsupported-cause-server = The server has sign-in turned off, or not this method.
auth-mechanism-unsupported-fix-starttls-first = Start TLS before signing in: with Python's smtplib call starttls() and then ehlo() before login(); with Go's net/smtp use port 587, where SendMail starts TLS first when the server offers it.
auth-mechanism-unsupported-fix-choose = { $mechanism ->
    [AUTH] Point the program at the provider's submission server (port 587 or 465), which offers sign-in, or turn sign-in off in the program where this server takes mail without it.
   *[other] Set the program's authentication method to one the server offers ({ $offered }); for a normal password, "Password" or "Normal password".
}
auth-mechanism-unsupported-fix-port = Use the submission port, 587 with STARTTLS or 465 with SSL/TLS, where sign-in is offered.
auth-mechanism-unsupported-fix-server = On your own server, enable the method (for Postfix with Dovecot: smtpd_sasl_auth_enable and Dovecot's auth_mechanisms).

## auth.never_completed

auth-never-completed-title = The sign-in never completed: the server kept asking
auth-never-completed-summary = { $observation ->
    [client_error] The program sent the sign-in, and the server kept asking for more (another 334 challenge) instead of accepting or refusing it (“{ $message }”).
   *[other] mailprobe sent every step of AUTH { $mechanism } and { $host } answered with yet another 334 challenge instead of accepting or refusing the login: { $challenge }
}
auth-never-completed-cause-server = The server's authentication set-up is broken, or it expects another mechanism's dialogue than the one it offered.
auth-never-completed-cause-middlebox = Something between you and the server (a proxy, a security appliance) answers AUTH itself and never passes the login on.
auth-never-completed-fix-other-mechanism = Try the other password mechanism (--auth login or --auth plain); a mail program's setting for it is often called "authentication method".
auth-never-completed-fix-server-log = On the server, read the authentication log at the time of the attempt (Postfix and Dovecot: the SASL lines) and test the login with swaks --auth-user.

## auth.xoauth2_not_offered

auth-abandoned-at-prompt-title = The program gave up signing in at the server's prompt
auth-abandoned-at-prompt-summary = After AUTH { $mechanism }, { $host } asked “{ $challenge }”, and the program answered with { $next } instead of the user name or password: it stopped the sign-in there.
auth-abandoned-at-prompt-cause-prompt = The prompt is not worded as usual: LOGIN's prompts are normally “Username:” and “Password:”, and some printers, scanners and older programs give up on any other text. Small relays and custom SMTP servers are the usual source.
auth-abandoned-at-prompt-cause-no-credentials = The device or program holds no user name or password for this server, so it had nothing to send.
auth-abandoned-at-prompt-fix-credentials = Check that the device's outgoing-mail (scan to email, SMTP) settings hold the user name and password, then try again.
auth-abandoned-at-prompt-fix-server-prompts = If you run the server or relay, make LOGIN's prompts the standard “Username:” and “Password:” (base64 VXNlcm5hbWU6 and UGFzc3dvcmQ6), or offer AUTH PLAIN, which has no prompts.
auth-abandoned-at-prompt-fix-relay = Or let the device send without signing in, through a relay that accepts it by its address (mailprobe relay, or a relay connector).

auth-xoauth2-not-offered-title = The server did not offer OAuth sign-in (XOAUTH2)
auth-xoauth2-not-offered-summary = { $observation ->
    [client_error] The program wanted to sign in with OAuth, but the server does not offer it (“{ $message }”).
   *[other] This provider normally offers { $mechanism }, but { $host } offered only: { $offered }. Something answered in its place, or the list was read at the wrong moment.
}
auth-xoauth2-not-offered-cause-middlebox = A firewall, antivirus or proxy answers for the provider and offers only the mechanisms it knows.
auth-xoauth2-not-offered-cause-wrong-server = The program is not talking to the provider's submission server: a wrong host name, or an internet provider redirecting the port.
auth-xoauth2-not-offered-cause-before-tls = The program read the mechanisms before STARTTLS, when providers list fewer, and an old client does not read them again afterwards.
auth-xoauth2-not-offered-fix-settings = Check the outgoing server: smtp.gmail.com for Gmail, smtp.office365.com for Microsoft 365, smtp-mail.outlook.com for Outlook.com, port 587 with STARTTLS.
auth-xoauth2-not-offered-fix-network = Try from another network, such as a phone hotspot: if XOAUTH2 appears there, the local network is at fault.
auth-xoauth2-not-offered-fix-inspection = Turn off mail or SMTP inspection on the firewall or antivirus for the provider's servers.
auth-xoauth2-not-offered-fix-update = Update the mail program: current versions read the mechanisms again after STARTTLS.

## sender.send_as_denied

sender-send-as-denied-title = The signed-in account may not send as this sender
sender-send-as-denied-summary = The login worked, but { $host } refused the From address: the mailbox that signed in has no right to send as it. Its answer: { $reply_line }
sender-send-as-denied-cause-different-from = The device or application signs in with one mailbox but sends from another address (a shared mailbox, a "scanner@" address, a no-reply address).
sender-send-as-denied-cause-permission = The "Send As" permission for that address is missing, or was granted less than an hour ago and has not taken effect yet.
sender-send-as-denied-fix-same-address = Set the sender (From) address in the device or application to the address of the mailbox it signs in with.
sender-send-as-denied-fix-grant = Or grant the signed-in mailbox the Send As permission on the other address: Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs
sender-send-as-denied-fix-relay = If it must send from many addresses, use SMTP relay through a connector instead of signing in to one mailbox.
sender-send-as-denied-fix-outlook-alias = For Outlook.com, send only from the account's own address or from an alias added to the same account (account.microsoft.com > Your info > Account info > Edit account aliases).

## sender.send_as_needed

sender-send-as-needed-title = The sender address is not the signed-in mailbox
sender-send-as-needed-summary = The device signs in as { $user } but sends as { $from }. At Microsoft that works only if { $user } has the "Send As" permission on { $from }; otherwise the server will refuse the message with 5.7.60.
sender-send-as-needed-cause-different = The device or application has separate fields for the login and the sender address, and they hold different addresses (a shared "scanner@" address, a no-reply address).
sender-send-as-needed-cause-permission = SMTP client submission only sends as the signed-in mailbox, or as an address it has explicitly been given Send As on.
sender-send-as-needed-fix-same-address = Simplest: set the sender address to { $user }, the mailbox the device signs in with.
sender-send-as-needed-fix-check = Or make sure the permission exists: Get-RecipientPermission -Identity { $from } should list { $user } with SendAs; grant it with Add-RecipientPermission -Identity { $from } -Trustee { $user } -AccessRights SendAs (allow up to an hour).
sender-send-as-needed-fix-outlook = Outlook.com sends only from the account's address or its aliases: add { $from } as an alias of the account, or send from { $user }.
sender-send-as-needed-fix-relay = If the device must send from many different addresses, use an SMTP relay connector instead of client submission: relay does not tie the sender to one mailbox.

## sender.not_owned

sender-not-owned-title = The sender address does not belong to the signed-in user
sender-not-owned-summary = { $host } refused the envelope sender: the user who signed in does not own that address. Postfix checks this when the recipient is given, so the refusal can come at RCPT TO. Its answer: { $reply_line }
sender-not-owned-cause-alias = The program sends from an address (an alias, a colleague's address, an old address) that is not linked to the login.
sender-not-owned-cause-map = The server's list of which login may use which sender address (Postfix smtpd_sender_login_maps) does not include this pair.
sender-not-owned-fix-own-address = Send from the address that belongs to the account you sign in with.
sender-not-owned-fix-login-as-owner = Or sign in as the owner of the sender address.
sender-not-owned-fix-map = On the server, add the address to that user's entry in smtpd_sender_login_maps (used by reject_sender_login_mismatch) and reload Postfix.

## sender.blocked_outbound

sender-blocked-outbound-title = The mailbox is blocked from sending
sender-blocked-outbound-summary = { $host } refuses to send anything from this mailbox: it has been restricted for sending spam. Its answer: { $reply_line }
sender-blocked-outbound-cause-m365-restricted = Microsoft 365's outbound spam protection put the mailbox on the Restricted entities list after it sent messages that looked like spam.
sender-blocked-outbound-cause-outlook = Outlook.com suspended sending for the account until it is verified, after activity that looked like spam.
sender-blocked-outbound-cause-compromised = The account's password was stolen and used to send spam: the block is usually the first sign.
sender-blocked-outbound-cause-bulk = A device or script sent a burst of messages (alerts, reports, a mailing) that crossed the outbound limits.
sender-blocked-outbound-fix-secure = First secure the account: change its password, check its sign-ins and inbox rules for anything unknown, and turn on MFA where the device does not need the password.
sender-blocked-outbound-fix-restricted-entities = Then unblock it: in the Microsoft Defender portal open Email & collaboration > Review > Restricted entities (security.microsoft.com/restrictedentities), select the mailbox and choose Unblock; it can take up to an hour.
sender-blocked-outbound-fix-outlook = Sign in at outlook.live.com in a browser and follow the verification steps Microsoft shows for the account.
sender-blocked-outbound-fix-volume = For devices that send many messages, spread them out or send them through an SMTP relay connector meant for that volume.

## quota.sending_limit

quota-sending-limit-title = The account has reached its sending limit
quota-sending-limit-summary = { $host } will not take more messages from this account for now: it has sent as many as its limit allows. Its answer: { $reply_line }
quota-sending-limit-cause-gmail = Gmail limits how many messages and recipients an account may send per day (about 500 for personal accounts, 2,000 for Google Workspace), counted over a rolling 24 hours.
quota-sending-limit-cause-m365 = Microsoft limits each mailbox to 10,000 recipients a day and 30 messages a minute, among other limits; Outlook.com's limits are lower.
quota-sending-limit-cause-loop = A device or script is stuck in a loop, or an automatic reply or forward keeps sending.
quota-sending-limit-fix-wait = Wait: the limit resets over the next 24 hours, and nothing needs to change for that.
quota-sending-limit-fix-loop = Look at the account's Sent folder for a burst of identical messages, and stop what sent them.
quota-sending-limit-fix-bulk = For newsletters and large volumes, use a bulk email service instead of a personal mailbox.
quota-sending-limit-fix-gmail-relay = For Google Workspace devices and applications, the SMTP relay service (smtp-relay.gmail.com) has higher limits than a single account.
quota-sending-limit-fix-m365-relay = For devices and applications, an SMTP relay connector is not tied to one mailbox's limits.

## smtp.relay_denied

smtp-relay-denied-title = The server refused to relay to this recipient
smtp-relay-denied-summary = { $host } took the sender but will not pass the message on to an outside recipient: it only relays for clients that signed in or are on its trusted network. Its answer: { $reply_line }
smtp-relay-denied-cause-no-login = The program did not sign in, so the server treats it as a stranger.
smtp-relay-denied-cause-wrong-server = The program is talking to a server that is not its outgoing server, such as the domain's incoming (MX) server on port 25.
smtp-relay-denied-cause-network = The device relies on its IP address being trusted, and its address is not (or is no longer) on the server's list.
smtp-relay-denied-fix-login = Turn on authentication for the outgoing server with the mailbox's address and password.
smtp-relay-denied-fix-server = Use the outgoing (submission) server your provider gives, on port 587 with STARTTLS or 465 with SSL/TLS.
smtp-relay-denied-fix-allow = If the device cannot sign in, add its fixed IP address to the server's trusted networks (Postfix mynetworks) or to the relay connector.

## direct_send.external_recipient

direct-send-external-recipient-title = Direct send cannot reach recipients outside your organization
direct-send-external-recipient-summary = The device sends without signing in to the organization's MX endpoint, and Microsoft 365 delivers such mail only to the organization's own mailboxes. The recipient is outside. Its answer: { $reply_line }
direct-send-external-recipient-cause-design = This is how direct send works: with no sign-in and no connector, Microsoft 365 acts as the recipients' mail server, not as a relay to the internet.
direct-send-external-recipient-cause-no-connector = If the device was meant to use SMTP relay, the connector that would let it send outside is missing or does not recognize it.
direct-send-external-recipient-fix-internal = Send only to addresses of the organization's own domains with direct send.
direct-send-external-recipient-fix-submission = To reach outside recipients, switch the device to client submission: smtp.office365.com, port 587, STARTTLS, with a mailbox's address and password.
direct-send-external-recipient-fix-relay = Or set up SMTP relay: an inbound connector from your organization that recognizes the device's static public IP address (or certificate), with that address in the domain's SPF record.

## relay.connector_ip_changed

relay-connector-ip-changed-title = { $observation ->
    [dns_evidence] The device sends from { $ip }, but the SPF record names { $old_ips }
   *[other] The relay connector no longer recognizes the device
}
relay-connector-ip-changed-summary = { $observation ->
    [dns_evidence] The SPF record of { $domain } lists the static address { $old_ips } for its devices, and { $ip } is not among them. If the device relays through a Microsoft 365 connector that recognizes it by its address, the connector most likely still names the old one too: mail to outside recipients then fails (5.7.64 TenantAttribution) or is marked as spam.
   *[other] Microsoft 365 refused to pass the message to an outside recipient: the relay connector that should vouch for the device did not match it, so it was treated like direct send. Its answer: { $reply_line }
}
relay-connector-ip-changed-cause-ip = The office's public IP address changed (a new internet provider, a new router, a dynamic address), and the connector still lists the old one.
relay-connector-ip-changed-cause-certificate = The connector identifies the sender by certificate, and the device or server now presents a different one.
relay-connector-ip-changed-fix-public-ip = Find the public address the device sends from now (for example from a computer on the same network, with a "what is my IP" service).
relay-connector-ip-changed-fix-connector = In the Exchange admin center, open Mail flow > Connectors, edit the connector from your organization's email server, and replace the old IP address (or certificate name) with the new one.
relay-connector-ip-changed-fix-spf = { $observation ->
    [dns_evidence] Update the SPF record the same way, adding the new address (and removing the old one once nothing sends from it): { $suggested }
   *[other] Update the domain's SPF record with the new address too, or the relayed mail will be marked as spam.
}
relay-connector-ip-changed-fix-static = Ask the internet provider for a static IP address: relay depends on it staying the same.

## relay.tenant_attribution

relay-tenant-attribution-title = Microsoft 365 could not tie the relayed message to your organization
relay-tenant-attribution-summary = Microsoft 365 did not recognize the sending server as belonging to any organization, so it refused to relay (TenantAttribution). Its answer: { $reply_line }
relay-tenant-attribution-cause-ip = The static public IP address of the device or server changed, and the inbound connector still names the old one.
relay-tenant-attribution-cause-certificate = The connector matches on a certificate, and the device or server now presents a different certificate or name.
relay-tenant-attribution-cause-no-connector = There is no inbound connector for this sender at all, or it was disabled.
relay-tenant-attribution-fix-public-ip = Check which public IP address the device sends from today.
relay-tenant-attribution-fix-connector = Update the inbound connector (Exchange admin center > Mail flow > Connectors) with the new IP address or certificate information, and check that it is turned on.
relay-tenant-attribution-fix-spf = Put the same address in the domain's SPF record.
relay-tenant-attribution-fix-submission = If the address cannot be kept static, switch the device to client submission (smtp.office365.com, port 587, signing in).

## relay.wrong_region

relay-wrong-region-title = The message went to the wrong Microsoft 365 region
relay-wrong-region-summary = Microsoft 365 received the message in a region that does not host your organization, because it could not tell which organization sent it. Its answer: { $reply_line }
relay-wrong-region-cause-attribution = The connector that identifies your device (by IP address or certificate) no longer matches it, so the message is not attributed to your tenant.
relay-wrong-region-cause-endpoint = The device sends to an MX endpoint that is not your organization's own (one copied from another tenant or an old setup).
relay-wrong-region-fix-mx = Set the device's server to your organization's own MX endpoint (the name your domain's MX record points to, ending in mail.protection.outlook.com).
relay-wrong-region-fix-connector = Update the inbound connector with the device's current IP address or certificate.
relay-wrong-region-fix-retry = This code starts with 4, so the device may retry by itself; it will keep failing until the attribution is fixed.

## recipient.unknown

recipient-unknown-title = The recipient's address does not exist
recipient-unknown-summary = The receiving server says there is no mailbox with this address. Its answer: { $reply_line }
recipient-unknown-cause-typo = The address has a typo, an extra space, or a wrong domain.
recipient-unknown-cause-gone = The mailbox existed but was deleted or disabled (someone who left, a renamed address).
recipient-unknown-cause-directory = Inside an organization: the address is missing from the directory the server checks, or it is a contact rather than a mailbox.
recipient-unknown-fix-check = Check the address letter by letter, including the part after the @.
recipient-unknown-fix-other-way = Confirm the current address with the recipient by another channel.
recipient-unknown-fix-m365-dbeb = If the address should exist in your organization, check that it is a mailbox, group or mail user in Exchange Online; Directory-Based Edge Blocking rejects anything the directory does not know.

## mailbox.full

mailbox-full-title = The recipient's mailbox is full
mailbox-full-summary = The receiving server will not take the message because the recipient has no storage left. Its answer: { $reply_line }
mailbox-full-cause-storage = The recipient's mailbox has reached its storage quota (at Google, the quota is shared with Drive and Photos).
mailbox-full-cause-flood = The mailbox is being flooded (a loop, a mass mailing), and the server refuses more for now.
mailbox-full-fix-tell = Tell the recipient by another channel that their mailbox is full.
mailbox-full-fix-retry = A code starting with 4 means the server will accept later: the message can be sent again once space is freed.
mailbox-full-fix-own = If the full mailbox is your own device's mailbox, empty its Sent folder: devices that keep a copy of every scan fill it up.

## recipient.greylisted

recipient-greylisted-title = The receiving server is greylisting: it defers a first attempt
recipient-greylisted-summary = The receiving server put the message off on purpose: it refuses the first attempt from a sender it has not seen before and accepts the same message when it is sent again a few minutes later. Its answer: { $reply_line }
recipient-greylisted-cause-first-attempt = Greylisting: the server remembers who tried to send (address, sending IP, recipient) and only takes the message on a later attempt, because spam programs rarely retry.
recipient-greylisted-cause-no-retry = The program that sent does not retry after a temporary refusal (a code starting with 4), so a deferral becomes a lost message.
recipient-greylisted-fix-retry = Send again after a few minutes (five to fifteen are usual): the same message is then accepted. A mail server with a queue does this by itself.
recipient-greylisted-fix-queue = In a program that sends directly, treat a reply starting with 4 as "try again later": hand the mail to a local MTA or a queue that retries, instead of failing at once.
recipient-greylisted-fix-whitelist = If you run the receiving server (Postgrey, rspamd, milter-greylist), add the sending server or network to its greylisting whitelist.

## recipient.restricted

recipient-restricted-title = The recipient takes mail only from certain senders
recipient-restricted-summary = The receiving organization refused this sender for this recipient: the group or mailbox accepts mail only from senders inside that organization, or only from a list of senders. Signing in again does not change it. Its answer: { $reply_line }
recipient-restricted-cause-internal-only = The group or mailbox is set to accept mail only from inside its own organization ("authenticated" senders, in Exchange's words): mail from any other organization is refused, whatever the sender's own sign-in.
recipient-restricted-cause-allowed-list = The group accepts mail only from the senders on its allowed list, and this sender is not on it.
recipient-restricted-cause-blocked-list = The receiving organization's mail filter (Mimecast, Trend Micro, Barracuda, Sophos and the like) has your address, your domain or your sending server on its blocked senders list, or refuses mail from your network by a policy of its own.
recipient-restricted-fix-ask = Ask the recipient (or the group's owner) to let your address send to it, or write to a person's own address instead of the group.
recipient-restricted-fix-admin = If the recipient is in your organization: in the Exchange admin center, open the group or mailbox, Settings or Delivery management, and allow senders from outside the organization or add this sender (PowerShell: Set-DistributionGroup -Identity GROUP -RequireSenderAuthenticationEnabled $false).

## server.service_unavailable

server-service-unavailable-title = The receiving mail service is not taking mail right now
server-service-unavailable-summary = The server answered that its mail service is not available: it is not accepting messages from anyone at the moment, whatever the settings of the sender. Its answer: { $reply_line }
server-service-unavailable-cause-maintenance = The server's mail service is down, restarting or in maintenance (in Exchange, a transport component left in "Draining" or "Inactive" state after an update).
server-service-unavailable-cause-overload = The server is overloaded or shutting down and refuses new sessions for now.
server-service-unavailable-fix-retry = Try again later; a code starting with 4 means the refusal is temporary and a mail server retries by itself.
server-service-unavailable-fix-admin = If the refusal lasts, the server's administrator must check its mail service (its logs; in Exchange, Get-ServerComponentState for HubTransport and FrontendTransport).

## server.insufficient_resources

server-exchange-proxy-failed-title = Exchange could not pass the session on to its own mail server
server-exchange-proxy-failed-summary = The Exchange server that answered took the connection but could not hand it to the server that delivers mail (its front end could not reach its transport service). Nothing is wrong with the sender, the password or the message. Its answer: { $reply_line }
server-exchange-proxy-failed-cause-dns = The Exchange server resolves its own names wrongly: its network adapter points to a DNS server that does not know the internal domain, or a hosts file entry is stale.
server-exchange-proxy-failed-cause-transport = The Microsoft Exchange Transport service on the mailbox server is stopped, starting, or refusing sessions.
server-exchange-proxy-failed-cause-connector = A receive connector was changed (its bindings or remote address ranges) so the front end's proxy session is refused.
server-exchange-proxy-failed-fix-retry = Try again later: a 4xx answer is temporary, and a mail server retries by itself.
server-exchange-proxy-failed-fix-dns = On the Exchange server, check that the network adapter uses the internal DNS servers (domain controllers) and that the server's own name resolves to its address (nslookup of its name, Get-TransportService | Format-List *DNS*).
server-exchange-proxy-failed-fix-services = Check that the Microsoft Exchange Transport and Frontend Transport services run and that the default receive connectors keep their original bindings (Get-ReceiveConnector), then read the protocol log of the front end for the same minute.

server-insufficient-resources-title = The receiving server is short of disk space or memory
server-insufficient-resources-summary = The server refused the message because it lacks resources of its own (disk space for its queue, memory), not because of the sender or the recipient. Its answer: { $reply_line }
server-insufficient-resources-cause-disk = The disk that holds the server's mail queue is (almost) full.
server-insufficient-resources-cause-back-pressure = The server protects itself under load: Exchange's back pressure refuses mail when free disk space or memory fall below its thresholds.
server-insufficient-resources-fix-retry = Try again later: a code starting with 4 means the server will accept once it has recovered.
server-insufficient-resources-fix-admin = The server's administrator must free disk space or memory (in Exchange, the disk of the queue database; see the back pressure events in the application log).

## message.too_large

message-too-large-title = The message is too large for the server
message-too-large-summary = { $host } refused the message because of its size. Its answer: { $reply_line }
message-too-large-cause-gmail = Gmail accepts messages of up to 25 MB, counted after encoding: an attachment of about 18 MB already reaches it.
message-too-large-cause-m365 = Microsoft 365's default limits are 35 MB to send and 36 MB to receive per message (an administrator can raise them up to 150 MB), counted after encoding.
message-too-large-cause-attachment = Attachments grow by about a third when encoded for email, so a file near the limit goes over it.
message-too-large-cause-scan = A scanner set to high resolution or colour produces very large PDFs.
message-too-large-fix-smaller = Send fewer or smaller attachments, or compress them.
message-too-large-fix-link = For large files, share a link (OneDrive, Google Drive, a file server) instead of attaching them.
message-too-large-fix-scanner = On the scanner, lower the resolution (200 to 300 dpi is enough for documents), use black and white, or split the job.
message-too-large-fix-m365-limit = Raise the mailbox's limit if it is really needed: Set-Mailbox -Identity { $user } -MaxSendSize 50MB (up to 150MB).
message-too-large-fix-server-limit = On your own server, raise the size limit if needed (Postfix: message_size_limit; also the mailbox quota).

## spf.ip_not_authorized

spf-ip-not-authorized-title = { $observation ->
    [dns_evidence] { $ip } is not authorized by the SPF record of { $domain } ({ $result })
   *[other] The sending IP address is not in the domain's SPF record
}
spf-ip-not-authorized-summary = { $observation ->
    [dns_evidence] Evaluated for { $ip }, the SPF record of { $domain } ends in { $result } at { $mechanism }: receivers treat mail from this address as not sent by { $domain }, and { $result ->
            [softfail] most file it as spam
           *[other] refuse it or file it as spam
        }.
   *[other] The receiving server checked the sender domain's SPF record, and the address this mail came from is not listed in it. Its answer: { $reply_line }
}
spf-ip-not-authorized-cause-missing = The device or server sends directly from your network, and the domain's SPF record never listed your public IP address.
spf-ip-not-authorized-cause-changed = The network or internet provider changed the static address, and the SPF record still names the old one.
spf-ip-not-authorized-cause-other-server = Mail leaves through a server or a service that was never added to the record.
spf-ip-not-authorized-cause-dynamic = The connection has a dynamic address, which cannot be listed reliably.
spf-ip-not-authorized-fix-add = { $observation ->
    [dns_evidence] Add the address to the record at your DNS provider, keeping everything else as it is: { $suggested }
   *[other] Add the public IP address to the domain's SPF TXT record (for example v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com -all) at your DNS provider.
}
spf-ip-not-authorized-fix-m365 = For direct send and SMTP relay with Microsoft 365, SPF must contain both include:spf.protection.outlook.com and the static IP address the device sends from.
spf-ip-not-authorized-fix-submission = If you cannot send from a static address, use client submission (signing in to the provider's submission server), whose servers SPF already covers.
spf-ip-not-authorized-fix-check = Check again once the record is changed: mailprobe dns { $domain } --ip { $ip } (DNS caches may keep the old record for as long as its TTL).

## spf.fail

spf-fail-title = The receiving server refused the mail because it failed sender authentication
spf-fail-summary = The receiving server checked who may send for the sender's domain (SPF, DKIM, DMARC), and this message failed. Its answer: { $reply_line }
spf-fail-cause-spf = The sender domain's SPF record does not cover the server this message came from.
spf-fail-cause-dkim = The message carries no valid DKIM signature for the sender's domain, so nothing else can vouch for it.
spf-fail-cause-dmarc = The domain publishes a DMARC policy that tells receivers to reject mail that fails both SPF and DKIM alignment.
spf-fail-fix-check = Look up the sender domain's SPF, DKIM and DMARC records (mailprobe dns DOMAIN, or any SPF checker) and compare them with the server that sent this message.
spf-fail-fix-submission = Send through the domain's own provider (client submission with a sign-in), whose servers the records already cover, rather than from a device directly.
spf-fail-fix-dkim = Turn on DKIM signing for the domain at its mail provider and publish its keys in DNS.
spf-fail-fix-m365 = In Microsoft 365, enable DKIM for the domain (Microsoft Defender portal > Email authentication settings > DKIM) and make sure SPF includes spf.protection.outlook.com.
spf-fail-fix-gmail-guidelines = Gmail requires every sender to authenticate with SPF or DKIM, and bulk senders with both plus DMARC: see Google's email sender guidelines.

## ip.blocklisted

ip-blocklisted-title = { $observation ->
    [dns_evidence] { $ip } is on a blocklist: { $lists }
   *[other] The sending IP address is on a block list
}
ip-blocklisted-summary = { $observation ->
    [dns_evidence] Listed: { $answers }. Microsoft 365, Gmail and most receivers refuse or filter mail from listed addresses, so mail sent straight from this address (direct send, relay, a server of your own) fails until it is removed.
   *[other] The receiving server refused the connection or message because of the address it came from, which a block list names as a source of spam. Its answer: { $reply_line }
}
ip-blocklisted-cause-m365-banned = Microsoft 365 keeps its own list of banned sending addresses (codes 5.7.606 to 5.7.649) after spam came from them.
ip-blocklisted-cause-listed = A public block list (Spamhaus, Barracuda, SpamCop...) lists the address after spam or spam traps were seen from it.
ip-blocklisted-cause-dynamic = The address belongs to a home or mobile range that lists mark as "not meant to send mail directly".
ip-blocklisted-cause-infected = A computer or device on your network is infected and sends spam through the same public address.
ip-blocklisted-cause-shared = The address is shared with others (a provider's NAT, a hosting platform), and someone else sent the spam.
ip-blocklisted-fix-lookup = Look the address up on a block list checker (MXToolbox, the list's own lookup page) to see which lists name it and why.
ip-blocklisted-fix-clean = Find and stop the source of the spam on your network before asking for removal, or the address will be listed again.
ip-blocklisted-fix-m365-delist = For Microsoft's own list, request removal at sender.office.com and follow the steps there.
ip-blocklisted-fix-delist = { $observation ->
    [dns_evidence] Then ask each list to remove the address: { $delist }
   *[other] Then follow the removal procedure of each list that names the address.
}
ip-blocklisted-fix-submission = Until then, or for good on a dynamic address, send through the provider's submission server with a sign-in instead of directly.

## rate.throttled

rate-throttled-title = The server is slowing this sender down
rate-throttled-summary = { $host } is limiting how fast this sender may connect or send, and refused for now. Its answer: { $reply_line }
rate-throttled-cause-too-fast = Too many messages were sent in a short time from this address or account.
rate-throttled-cause-connections = Too many connections are open at once (several devices, or a program that opens one per message).
rate-throttled-cause-reputation = The receiving side sees unusual or unwanted mail from this address and slows it down (Gmail names this an "unusual rate").
rate-throttled-fix-wait = Wait and try again later: a code starting with 4 means the refusal is temporary.
rate-throttled-fix-slow-down = Send fewer messages per minute, reuse one connection for many messages, and back off longer after each temporary refusal.
rate-throttled-fix-one-connection = Make sure only one device or program sends with this account or from this address at a time.
rate-throttled-fix-gmail-guidelines = Check that the mail follows Gmail's sender guidelines (SPF or DKIM, low spam complaints), which decide how fast Gmail lets it in.

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

## tls.required_by_receiver

tls-required-by-receiver-title = The receiving domain accepts mail only over an encrypted connection
tls-required-by-receiver-summary = { $host } requires TLS for this recipient, and the message was about to travel unencrypted. Its answer: { $reply_line }
tls-required-by-receiver-cause-policy = The recipient's domain, or a connector in front of it, enforces TLS for every incoming message.
tls-required-by-receiver-cause-plain-hop = The device or relay sends on port 25 without STARTTLS (encryption off in its settings, or no TLS support).
tls-required-by-receiver-cause-stripped = Something on the network removed the STARTTLS offer, so the sender went on in plain text.
tls-required-by-receiver-fix-enable = Turn on TLS/STARTTLS in the device's or application's mail settings; if it cannot do TLS 1.2, update its firmware.
tls-required-by-receiver-fix-relay = On a relay server you run, make outgoing TLS at least opportunistic (Postfix: smtp_tls_security_level = may) and check its certificate store.
tls-required-by-receiver-fix-m365-connector = If a Microsoft 365 connector requires TLS from this device, either make the device use TLS 1.2 or relax the connector's TLS requirement for it.
tls-required-by-receiver-fix-middlebox = Check that no firewall "SMTP inspection" strips STARTTLS on the way out.

## tls.starttls_not_offered

tls-starttls-not-offered-title = The server does not offer STARTTLS
tls-starttls-not-offered-summary = { $observation ->
    [client_error] The program was set to use STARTTLS, but { $host } does not list it among its extensions, so the program stopped before sending anything secret (“{ $message }”).
    [reply] { $host } does not offer encryption on this connection. Its answer: { $reply_line }
    [imap_no] { $host } does not offer encryption on this connection. Its answer: { $reply_line }
   *[other] STARTTLS was asked for, but { $host } on port { $port } does not list it among what it can do (it offers: { $offered }).
}
tls-starttls-not-offered-cause-middlebox = A firewall, antivirus or ISP device between you and the server removes STARTTLS from the list; keywords turned into X's (such as XXXXXXXA) give it away.
tls-starttls-not-offered-cause-server = The server has no TLS set up on this port.
tls-starttls-not-offered-cause-wrong-host = You are not talking to the server you think: a captive portal or an ISP intercepting the port answers instead.
tls-starttls-not-offered-fix-implicit = Try SSL/TLS from the first byte on port 465, which a middlebox cannot strip.
tls-starttls-not-offered-fix-network = Try from another network, such as a phone hotspot: if STARTTLS appears there, the local network is at fault.
tls-starttls-not-offered-fix-inspection = Turn off SMTP inspection on the firewall or the antivirus mail scanning for this server.
tls-starttls-not-offered-fix-server = On your own server, install a certificate and enable TLS (for Postfix: smtpd_tls_cert_file, smtpd_tls_key_file and smtpd_tls_security_level = may).

## tls.starttls_stripped

tls-starttls-stripped-title = Something on the network hid the server's STARTTLS
tls-starttls-stripped-summary = { $host } on port { $port } should offer STARTTLS, but the answer that arrived does not (it offers: { $offered }; keywords hidden behind X's: { $masked }). Something between you and the server removed it.
tls-starttls-stripped-cause-firewall = A firewall's SMTP or ESMTP inspection (Cisco ASA and others) replaces STARTTLS in the server's answer, so that mail stays readable to it.
tls-starttls-stripped-cause-antivirus = An antivirus "mail shield" sits between the program and the server and does not pass STARTTLS on.
tls-starttls-stripped-cause-isp = The internet provider or a hotel or guest network intercepts mail ports and answers with its own server.
tls-starttls-stripped-fix-inspection = Turn off SMTP/ESMTP inspection on the firewall (on a Cisco ASA: no inspect esmtp) or exempt the mail server from it.
tls-starttls-stripped-fix-antivirus = Turn off the antivirus's scanning of outgoing mail, or exempt this server from it.
tls-starttls-stripped-fix-other-network = Try from another network, such as a phone hotspot: if STARTTLS appears there, the local network is at fault.
tls-starttls-stripped-fix-implicit = Use SSL/TLS from the first byte (port 465 where the server offers it): a middlebox cannot strip what is encrypted from the start.

## tls.unavailable

tls-unavailable-title = The server offers STARTTLS but cannot start it
tls-unavailable-summary = { $host } listed STARTTLS but refused to begin encryption when asked. Its answer: { $reply_line }
tls-unavailable-cause-server-config = The server's TLS set-up is broken: a missing or unreadable certificate or key, wrong permissions, or a bad path in its configuration.
tls-unavailable-cause-temporary = A temporary problem on the server (a reload in progress, no entropy, too many TLS sessions).
tls-unavailable-fix-retry = Try again in a few minutes: a code starting with 4 can be temporary.
tls-unavailable-fix-implicit = Try SSL/TLS on port 465 if the server offers it, which may use a working set-up.
tls-unavailable-fix-server = On the server, read the mail log at the time of the attempt (Postfix says "cannot load certificate" or similar), fix the certificate and key paths and permissions, and reload.

## tls.mode_mismatch

tls-mode-mismatch-title = Wrong encryption mode for this port
tls-mode-mismatch-summary = { $evidence ->
    [live] Port { $asked_port } on { $host } does not speak { $asked_security }: a second attempt with { $working_security } on port { $working_port } got the server's greeting.
   *[other] { $observation ->
        [client_error] { $client_code ->
            [timeout] The program gave up waiting before the server said anything, on a connection it had opened without encryption. On a port that expects SSL/TLS from the first byte (465) both sides wait for each other until it times out; .NET's System.Net.Mail.SmtpClient always starts that way (it speaks only plain SMTP, upgraded with STARTTLS). A blocked port or a silent server ends the same way, so they are listed too.
           *[other] The program and the server disagree on the encryption type for this port: one expects SSL/TLS from the first byte, the other plain text upgraded with STARTTLS (the program's error, such as "wrong version number", shows it got plain text where it expected TLS).
        }
       *[other] The program and the server disagree on the encryption type for this port: one expects SSL/TLS from the first byte, the other plain text upgraded with STARTTLS (the program's error, such as "wrong version number", shows it got plain text where it expected TLS).
    }
}
tls-mode-mismatch-cause-pair = { $protocol ->
    [IMAP] The encryption setting does not match the port: 993 expects SSL/TLS from the first byte, while 143 starts unencrypted and switches with STARTTLS.
   *[other] The encryption setting does not match the port: 465 expects SSL/TLS from the first byte, while 587 and 25 start unencrypted and switch with STARTTLS.
}
tls-mode-mismatch-cause-autoconfig = Automatic setup or an old profile paired the port with the wrong encryption.
tls-mode-mismatch-fix-use-working = { $evidence ->
    [live] Use port { $working_port } with { $working_security }.
   *[other] Use a matching pair: port 465 with SSL/TLS, or port 587 with STARTTLS.
}
tls-mode-mismatch-fix-outlook-windows = { $evidence ->
    [live] File > Account Settings > Account Settings > Change > More Settings > Advanced; set the { $protocol ->
        [IMAP] incoming
       *[other] outgoing
    } server port to { $working_port } and the encrypted connection type to { $working_security }.
   *[other] File > Account Settings > Account Settings > Change > More Settings > Advanced; set the outgoing server port and the encrypted connection type as a matching pair: 465 with SSL/TLS, or 587 with STARTTLS.
}
tls-mode-mismatch-fix-outlook-macos = { $evidence ->
    [live] Tools > Accounts, select the account; set the { $protocol ->
        [IMAP] incoming
       *[other] outgoing
    } server port to { $working_port } and tick "Use SSL to connect" only for SSL/TLS (port 465), not for STARTTLS.
   *[other] Tools > Accounts, select the account; use port 465 with "Use SSL to connect" ticked, or port 587 with it unticked (STARTTLS).
}
tls-mode-mismatch-fix-device = { $evidence ->
    [live] Set the { $protocol ->
        [IMAP] IMAP
       *[other] SMTP
    } port to { $working_port } and the security to { $working_security } (it may be called "SSL", "TLS" or "STARTTLS" in its menus).
   *[other] Set the SMTP port and security as a matching pair: 465 with SSL/TLS (may be called "SSL"), or 587 with STARTTLS (may be called "TLS").
}

## tls.version_too_old

tls-version-too-old-title = The server refused the client's old TLS version
tls-version-too-old-summary = { $host } accepts only TLS 1.2 or newer and refused a client that offered an older version (the evidence shows which).
tls-version-too-old-cause-firmware = The device's firmware or the application only knows TLS 1.0 or 1.1.
tls-version-too-old-cause-library = The operating system or framework under the application has TLS 1.2 available but not turned on (older Windows and .NET defaults, for example).
tls-version-too-old-fix-update = Update the device's firmware or the application to a version with TLS 1.2; ask the manufacturer if none is listed.
tls-version-too-old-fix-developer = In your own application, allow TLS 1.2 and 1.3 explicitly, or run it on a runtime that uses them by default.
tls-version-too-old-fix-m365-legacy = As a stopgap in Microsoft 365, allow legacy TLS clients (Set-TransportConfig -AllowLegacyTLSClients $true) and point the device at smtp-legacy.office365.com.
tls-version-too-old-fix-optional-tls = Or send through a path where TLS is optional (direct send or a relay connector on port 25, or a local relay that speaks current TLS onward).

## tls.client_too_old

tls-client-too-old-title = The mail program or system is too old for the encryption the server needs
tls-client-too-old-summary = { $observation ->
    [tls_failed] The client could not agree on a secure connection with the server: { $detail }. Its security libraries are too old for what the server requires (TLS 1.2 or newer).
    [client_error] The client could not agree on a secure connection with the server: { $message }. Its security libraries are too old for what the server requires (TLS 1.2 or newer).
   *[other] The server refused the connection's encryption as too weak for it: the client's security libraries are too old for what the server requires (TLS 1.2 or newer, strong ciphers). Its answer: { $reply_line }
}
tls-client-too-old-cause-os = The operating system is out of date, and the mail program relies on its encryption libraries.
tls-client-too-old-cause-outlook = An old Outlook version does not use TLS 1.2 or modern sign-in by default.
tls-client-too-old-cause-framework = The application runs on a framework with old defaults (older .NET or Java) that does not offer TLS 1.2 unless told to.
tls-client-too-old-fix-macos = Update macOS (System Settings > General > Software Update) and Outlook (Microsoft AutoUpdate).
tls-client-too-old-fix-windows = Run Windows Update and update Office (File > Office Account > Update Options > Update Now).
tls-client-too-old-fix-developer = Enable TLS 1.2 and 1.3 explicitly (for .NET Framework: SecurityProtocolType.Tls12 and the SchUseStrongCrypto registry setting), or move to a current runtime.
tls-client-too-old-fix-device = Update the device's firmware; if no update brings TLS 1.2, send through a local relay that speaks current TLS onward.

## tls.intercepted

tls-intercepted-title = Your connection is being intercepted: the certificate is not the mail server's
tls-intercepted-summary = The certificate presented for { $server_name } is not the mail server's own (issuer: { $issuer }): software or a device between you and the server is decrypting and re-encrypting the traffic.
tls-intercepted-cause-antivirus = An antivirus with "HTTPS scanning", "SSL scanning" or a "mail shield" re-signs encrypted connections with its own certificate (Avast, AVG, Kaspersky, ESET, Bitdefender and others).
tls-intercepted-cause-proxy = A company proxy or firewall performs TLS inspection ("break and inspect").
tls-intercepted-cause-portal = A hotel, guest or captive-portal network answers in the server's place.
tls-intercepted-fix-issuer = The issuer named above tells you which product does it: open its settings and look for scanning of encrypted connections or of email.
tls-intercepted-fix-exception-gmail = Turn that scanning off for a test; if sending then works, keep it on but add exceptions for smtp.gmail.com:587 and imap.gmail.com:993.
tls-intercepted-fix-exception-m365 = Turn that scanning off for a test; if sending then works, keep it on but add exceptions for smtp.office365.com:587 (smtp-mail.outlook.com:587 for Outlook.com) and outlook.office365.com:993.
tls-intercepted-fix-exception = Turn that scanning off for a test; if sending then works, add an exception for { $host } on port { $port }.
tls-intercepted-fix-other-network = Try from another network, such as a phone hotspot: there the provider's real certificate appears.
tls-intercepted-fix-openssl = To see the certificate yourself: openssl s_client -starttls smtp -connect { $host }:{ $port } -crlf -quiet (or -connect host:465 or host:993 for SSL/TLS ports) and read the issuer line.

## tls.cert_untrusted

tls-cert-untrusted-title = The server's certificate is not trusted
tls-cert-untrusted-summary = { $observation ->
    [client_error] The program could not start an encrypted connection with { $host } and did not say why; the likeliest reason is a server certificate it does not trust (self-signed, or from a private authority). Its message: { $reply_line }
   *[other] { $self_signed ->
        [yes] The certificate that { $server_name } presented is self-signed (it names itself, { $issuer }, as its issuer): no authority this computer trusts vouches for it.
       *[other] The certificate that { $server_name } presented does not lead to a certificate authority this computer trusts (issued by: { $issuer }).
    }
}
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
tls-cert-hostname-mismatch-summary = { $observation ->
    [client_error] The server's certificate is not issued for the name the program connected to (“{ $message }”).
   *[other] The certificate presented at { $host } is not issued for { $server_name }; it names: { $names }.
}
tls-cert-hostname-mismatch-cause-alias = The program uses a name that points at the server but is not on its certificate: an alias, an old name, or an IP address.
tls-cert-hostname-mismatch-cause-interception = Something between you and the server presents its own certificate for another name.
tls-cert-hostname-mismatch-cause-server = The server serves the wrong certificate, for example one of another site it hosts.
tls-cert-hostname-mismatch-fix-name = { $observation ->
    [client_error] Set the server name in the program to a name on the server's certificate (the message shows it), never an IP address.
   *[other] Set the server name in the program to one of the names on the certificate ({ $names }), never an IP address.
}
tls-cert-hostname-mismatch-fix-issuer = If those names look unrelated to your provider, check for interception by antivirus, proxy or firewall, as for an untrusted certificate.
tls-cert-hostname-mismatch-fix-server = On the server, install a certificate that covers the name clients use.

## tls.local_ca_bundle_missing

tls-local-ca-bundle-missing-title = The sending server cannot verify any certificate: its CA bundle is missing
tls-local-ca-bundle-missing-summary = { $observation ->
    [client_error] { $client_code ->
        [77] The program could not read the file of trusted certificate authorities it is set to use, so it cannot check any server's certificate: { $reply_line }
       *[other] { $no_roots ->
            [x509] The program has no list of trusted certificate authorities at all, so it cannot check any server's certificate: { $reply_line }
           *[other] The mail server's log says it established TLS without being able to verify the other server's certificate ("Untrusted"). When that is logged for the big providers, whose certificates every system trusts, the sending server has no list of trusted authorities to check with. Its line: { $reply_line }
        }
    }
   *[other] { $no_roots ->
        [x509] The program has no list of trusted certificate authorities at all, so it cannot check any server's certificate: { $reply_line }
       *[other] The mail server's log says it established TLS without being able to verify the other server's certificate ("Untrusted"). When that is logged for the big providers, whose certificates every system trusts, the sending server has no list of trusted authorities to check with. Its line: { $reply_line }
    }
}
tls-local-ca-bundle-missing-cause-path = The CA file or directory the program is set to use (curl's --cacert or CURL_CA_BUNDLE, a library's CA setting, an old path from another distribution) does not exist there or cannot be read.
tls-local-ca-bundle-missing-cause-cafile = Postfix's smtp_tls_CAfile and smtp_tls_CApath are not set (or smtp_tls_CApath points at an empty directory), so no certificate can be verified.
tls-local-ca-bundle-missing-cause-chroot = The smtp client runs chrooted (the chroot column of master.cf) and the CA path is not inside the chroot.
tls-local-ca-bundle-missing-cause-peer = If only one destination is "Untrusted", that server uses a self-signed or private-CA certificate, which nothing on your side can fix.
tls-local-ca-bundle-missing-cause-image = The program runs in a container image (or a minimal system) that has no CA certificates installed: an image built FROM scratch or a slim base without the ca-certificates package.
tls-local-ca-bundle-missing-fix-cafile = Set smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt (or your system's bundle) in main.cf, then postfix reload; the log should then say "Trusted" or "Verified" for the big providers.
tls-local-ca-bundle-missing-fix-check = Check that the file exists where the smtp client can read it (inside the chroot if the client is chrooted) and that the ca-certificates package is installed and up to date.
tls-local-ca-bundle-missing-fix-image = Install the CA certificates where the program runs (Debian/Ubuntu: apt-get install ca-certificates; Alpine: apk add ca-certificates; FROM scratch: copy /etc/ssl/certs/ca-certificates.crt into the image), then restart it.

## tls.cert_invalid

tls-cert-invalid-title = The server's certificate was refused as unusable
tls-cert-invalid-summary = The certificate of { $server_name } could not be used: { $detail }.
tls-cert-invalid-cause-revoked = The certificate was revoked by its authority.
tls-cert-invalid-cause-malformed = The certificate is malformed or not meant for a server (wrong key usage, a CA certificate used as a server's, an algorithm the client no longer accepts).
tls-cert-invalid-cause-interception = An inspecting antivirus or proxy presents a certificate of its own making.
tls-cert-invalid-fix-detail = Read the reason in the evidence and who issued the certificate: if it names your antivirus or firewall, turn off its scanning of encrypted mail.
tls-cert-invalid-fix-reissue = On the server, issue a proper server certificate (for example from Let's Encrypt) and reload the mail services.

## tls.cert_is_ca

tls-cert-is-ca-title = The server's certificate is marked as a certificate authority
tls-cert-is-ca-summary = The certificate of { $server_name } ({ $subject }) says CA:TRUE. Most mail programs accept it once it is trusted, but strict clients (rustls-based programs, some appliances) refuse a CA certificate as a server's.
tls-cert-is-ca-cause-openssl-default = It was made with "openssl req -x509", whose defaults (OpenSSL 3) mark the certificate as a CA.
tls-cert-is-ca-fix-reissue = Make a new certificate with -addext basicConstraints=critical,CA:FALSE (or from a real authority such as Let's Encrypt), install it, and reload the mail services.

## tls.cert_chain_too_large

tls-cert-chain-too-large-title = The server's certificate chain is too large
tls-cert-chain-too-large-summary = During the TLS handshake on port { $port }, { $host } sent a certificate message larger than 64 KB; TLS clients refuse messages that large, so encryption cannot be set up.
tls-cert-chain-too-large-cause-extra-certs = The server is set up to send far more certificates than its chain needs (a whole CA bundle instead of its certificate and the intermediates).
tls-cert-chain-too-large-cause-huge-cert = A certificate in the chain is unusually large (thousands of names, large embedded data).
tls-cert-chain-too-large-fix-trim = On the server, send only the server certificate and the intermediates that lead to the root, not a whole CA bundle; openssl s_client -showcerts lists what it sends now.
tls-cert-chain-too-large-fix-other-server = Until it is fixed, use another server or port of the provider, if there is one.

## tls.cert_expired

tls-cert-expired-title = The server's certificate is expired or not yet valid
tls-cert-expired-summary = By this computer's clock, the certificate of { $server_name } is expired or not yet valid (validity: { $not_before } to { $not_after }).
tls-cert-expired-cause-renewal = The server's certificate really expired: renewal failed, or it was renewed but the mail server was not reloaded.
tls-cert-expired-cause-clock = This computer's date is wrong (very likely when the certificate is "not yet valid").
tls-cert-expired-cause-interception = An inspecting antivirus or proxy presents its own, expired certificate.
tls-cert-expired-fix-clock = Check this computer's date, time and time zone, and set them to update automatically.
tls-cert-expired-fix-renew = On the server, renew the certificate and reload the mail services (Postfix and Dovecot read it only at start or reload).
tls-cert-expired-fix-no-bypass = Do not turn off certificate checking to get around it: that exposes the password to whoever is in the middle.

## clock.skew

clock-skew-title = This computer's clock is wrong
clock-skew-summary = The date and time on this computer differ from the server's by more than a few minutes. Certificates then look expired or not yet valid, and sign-in tokens are refused.
clock-skew-cause-not-synced = Automatic date and time is turned off, or cannot reach a time server.
clock-skew-cause-time-zone = The time zone is wrong, so the clock is off by whole hours even if the local time looks right.
clock-skew-cause-battery = On a device or an old computer, a flat clock battery resets the date at every restart.
clock-skew-fix-macos = On a Mac, open System Settings > General > Date & Time and turn on "Set time and date automatically", with the right time zone.
clock-skew-fix-windows = On Windows, open Settings > Time & language > Date & time, turn on "Set time automatically" and "Set time zone automatically", then press "Sync now".
clock-skew-fix-device = On a device, set an NTP time server in its network settings (for example pool.ntp.org or the router's address) and the right time zone.
clock-skew-fix-retry = Then sign in again: tokens issued while the clock was wrong may need to be replaced.

## clock.drift

clock-drift-title = This computer's clock is { $skew_seconds } seconds { $clock }
clock-drift-summary = Compared with { $reference }, the clock of this computer is { $skew_seconds } seconds { $clock ->
        [ahead] ahead
       *[behind] behind
    }. Sign-in tokens tolerate five minutes, so nothing fails yet, but a clock that drifts further will make tokens look expired or not yet valid.
clock-drift-cause-not-synced = Automatic date and time is turned off, so the clock drifts a little every day.
clock-drift-cause-ntp-blocked = The computer cannot reach its time server (a firewall blocking NTP on UDP port 123), so it no longer corrects itself.
clock-drift-cause-suspended = A virtual machine or a laptop was paused or asleep and its clock was not corrected when it resumed.
clock-drift-fix-linux = On Linux, check with `timedatectl` that "System clock synchronized" says yes, and turn it on with `timedatectl set-ntp true` (or start chrony or systemd-timesyncd).

## tls.server_refused_handshake

tls-server-refused-handshake-title = The server refused the TLS handshake of a current client
tls-server-refused-handshake-summary = { $host } on port { $port } speaks TLS (it answered with a TLS alert, so the encryption mode is right) but refused a TLS 1.2/1.3 client: { $detail }.
tls-server-refused-handshake-cause-config = The server's TLS set-up is broken: its certificate or key cannot be used for the ciphers it allows, or its cipher or protocol list leaves nothing in common with current clients.
tls-server-refused-handshake-cause-outdated = The server is old and knows only ciphers that current clients no longer offer (RC4, 3DES, no forward secrecy).
tls-server-refused-handshake-cause-middlebox = A firewall or proxy in between ends the handshake.
tls-server-refused-handshake-fix-server-log = On the server, read the mail log at the time of the attempt (Postfix: "SSL_accept error", "no shared cipher"; Exim: "gnutls_handshake"), check the certificate, key and cipher settings, and test with openssl s_client.
tls-server-refused-handshake-fix-report = If you do not run the server, send this report to whoever does: a mail program cannot fix this by itself.

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

## connect.port_blocked

connect-port-blocked-title = Something on the network blocks the mail port
connect-port-blocked-summary = { $provider ->
    [gmail] The connection to { $host } on port { $port } never got through. This server answers on that port from the internet, so the block is on the way: your computer, your network or your internet provider.
    [m365] The connection to { $host } on port { $port } never got through. This server answers on that port from the internet, so the block is on the way: your computer, your network or your internet provider.
    [outlook] The connection to { $host } on port { $port } never got through. This server answers on that port from the internet, so the block is on the way: your computer, your network or your internet provider.
   *[other] { $port ->
        [25] The connection to { $host } on port { $port } never got through. Port 25 is the port networks block most often (cloud servers and home connections), so a block on the way is the likeliest cause; a server that is down or no longer at this address ends the same way.
       *[other] The connection to { $host } on port { $port } never got through. This server answers on that port from the internet, so the block is on the way: your computer, your network or your internet provider.
    }
}
connect-port-blocked-cause-firewall = A firewall (on the computer, the router or the company network) does not let outgoing connections to this port through.
connect-port-blocked-cause-isp-25 = Many home and mobile internet providers block outgoing port 25 against spam; submission ports 587 and 465 are usually open.
connect-port-blocked-cause-antivirus = An antivirus or security suite blocks or holds mail connections from programs it does not trust.
connect-port-blocked-cause-settings = The server name or port in the settings is wrong, so the connection goes nowhere.
connect-port-blocked-fix-other-network = Try from another network, such as a phone hotspot: if it connects there, the local network blocks the port.
connect-port-blocked-fix-open-gmail = Open outgoing TCP to smtp.gmail.com on port 587 (or 465) and to imap.gmail.com on port 993.
connect-port-blocked-fix-open-m365 = Open outgoing TCP to smtp.office365.com on port 587 (port 25 for the organization's mail.protection.outlook.com endpoint with direct send or relay) and to outlook.office365.com on port 993.
connect-port-blocked-fix-open = Open outgoing TCP to { $host } on port { $port } in the firewall.
connect-port-blocked-fix-submission = If port 25 is blocked by the internet provider, use a submission port instead: 587 with STARTTLS or 465 with SSL/TLS, signing in.
connect-port-blocked-fix-antivirus = Check whether the antivirus or firewall on this computer lists the mail program as blocked, and allow it.

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
connect-failed-summary = { $observation ->
    [reply] A mail server could not open a connection to the next server: { $reply_line }
    [client_error] The program could not open the SMTP session (“{ $message }”) and does not say which step failed: finding the server, connecting to the port, or the TLS handshake that follows.
   *[other] The connection to { $host } on port { $port } failed: { $detail }
}
connect-failed-cause-unsaid = The server name is wrong, the port is closed or blocked on the way (many hosting providers block outgoing ports 25, 465 and 587), or the TLS handshake failed right after connecting (a certificate the program does not trust, for instance).
connect-failed-cause-local-block = Security software or a policy on this computer stops the program from connecting.
connect-failed-cause-local-config = The local network configuration is broken (no usable source address).
connect-failed-fix-debug = Turn on the program's connection debugging (PHPMailer: SMTPDebug = 3) to see the step that fails, or run mailprobe diagnose with the same server and port from the same machine.
connect-failed-fix-security-software = Check that the firewall or antivirus on this computer lets the mail program connect.
connect-failed-fix-retry = Try again, and from another network if it keeps failing.

## banner.timeout

banner-timeout-title = The server sent no greeting
banner-timeout-summary = { $observation ->
    [client_error] The program timed out without a word from { $host }: no greeting, no reply ({ $message }).
   *[other] The connection to { $host } on port { $port } opened, but no greeting came within { $seconds } seconds.
}
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
banner-not-smtp-summary = { $observation ->
    [client_error] The program got an answer that is not an SMTP reply (“{ $message }”): something other than a mail server answered, or encrypted bytes came where plain text was expected.
   *[other] On { $host } port { $port }, the other side { $looks_like ->
            [tls] started a TLS handshake, which means this port expects SSL/TLS from the first byte
            [http] answered like a web server
            [imap] greeted like an IMAP (incoming mail) server
            [pop3] greeted like a POP3 (incoming mail) server
            [ssh] greeted like an SSH server
           *[other] sent bytes that are not a mail server's greeting
        }.
}
banner-not-smtp-cause-tls-port = The port expects SSL/TLS from the first byte.
banner-not-smtp-cause-other-service = The port belongs to another service: an incoming-mail port (993, 143, 995) set as the outgoing server, or a web port.
banner-not-smtp-cause-intercepted = A proxy or captive portal answers in the server's place.
banner-not-smtp-fix-ports = Check the ports: sending uses 587 (STARTTLS) or 465 (SSL/TLS); 993 and 143 are IMAP, for receiving.
banner-not-smtp-fix-tls = If the other side started TLS, set the encryption to SSL/TLS for this port.
banner-not-smtp-fix-network = Try from another network in case something in between answers instead of the server.

## ehlo.rejected

ehlo-rejected-title = The server refused the name the client introduced itself with
ehlo-rejected-summary = { $host } did not accept the client's EHLO/HELO greeting. Its answer: { $reply_line }
ehlo-rejected-cause-name = The client introduces itself with a name the server does not accept: "localhost", a bare computer name, an address without brackets, or a name with invalid characters.
ehlo-rejected-cause-policy = The server requires a fully qualified name that resolves in DNS, as many do on port 25.
ehlo-rejected-cause-nat = The name belongs to the local network, which the server cannot check from outside.
ehlo-rejected-fix-device = In the device's mail settings, set the host name or "SMTP domain" to a full name, such as printer.contoso.com.
ehlo-rejected-fix-developer = In your code, pass a fully qualified name for EHLO (Python smtplib: local_hostname; nodemailer: name; PHPMailer: Helo).
ehlo-rejected-fix-server = On your own server, relax the check for authenticated submission (Postfix: reject_non_fqdn_helo_hostname and reject_invalid_helo_hostname apply on port 25; keep them off the submission port).

## session.dropped

session-dropped-title = The server dropped the connection
session-dropped-summary = { $observation ->
    [client_error] The connection broke in the middle of the session, without an error message from the server (“{ $message }”).
    [reply] The connection to the next server broke before the message was through (a time-out or a dropped connection): { $reply_line }
   *[other] { $host } { $reason ->
            [reset] reset the connection
           *[other] closed the connection
        } without an error message.
}
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
session-no-reply-summary = { $observation ->
    [client_error] The connection opened, but the server stopped answering (“{ $message }”).
   *[other] { $host } stopped answering: nothing came within { $seconds } seconds (waiting for: { $waiting_for }).
}
session-no-reply-cause-slow = The server is slow: overloaded, or busy with checks such as scanning the message.
session-no-reply-cause-network = The network loses packets in the middle of the session (often large ones, after encryption starts).
session-no-reply-cause-tarpit = The server slows down clients on purpose after errors.
session-no-reply-fix-timeout = Try again with a longer --timeout.
session-no-reply-fix-network = Try from another network.
session-no-reply-fix-logs = On the server, check the mail log for the session.

## m365.mode_detected

m365-mode-detected-title = { $mode ->
        [submission] Microsoft 365 sending mode: SMTP client submission (signing in)
        [direct_send] Microsoft 365 sending mode: direct send
       *[other] Microsoft 365 sending mode: SMTP relay through a connector
    }
m365-mode-detected-summary = { $mode ->
        [submission] The device signs in to a Microsoft 365 mailbox at smtp.office365.com and sends as that mailbox. It can reach recipients inside and outside the organization.
        [direct_send] The device sends without signing in to the organization's MX endpoint (a name ending in mail.protection.outlook.com). It can reach only recipients inside the organization.
       *[other] The device sends without signing in to the organization's MX endpoint, and a connector recognizes it by its static IP address or certificate. It can reach recipients inside and outside the organization.
    }
m365-mode-detected-cause-how = { $mode_source ->
        [context] The mode was stated in the settings given to mailprobe.
       *[other] The mode was read from the server name, { $host }; an MX endpoint means direct send unless a connector recognizes the device, which makes it relay.
    }
m365-mode-detected-fix-settings = { $mode ->
        [submission] Settings for this mode: server smtp.office365.com, port 587 (or 25), STARTTLS on, TLS 1.2 or newer, and the mailbox's full address and password; SMTP AUTH must be allowed for that mailbox.
        [direct_send] Settings for this mode: the organization's MX endpoint (from its MX record, never an IP address), port 25, TLS optional, no sign-in; a static IP address in the domain's SPF record keeps the mail out of Junk.
       *[other] Settings for this mode: the organization's MX endpoint, port 25, an inbound connector that lists the device's static public IP address (or certificate), and that address in the domain's SPF record.
    }
m365-mode-detected-fix-limits = { $mode ->
        [submission] Limits of this mode: it sends only as the signed-in mailbox (or with Send As), counts against that mailbox's sending limits, and stops working if security defaults, MFA or a policy block password sign-in.
        [direct_send] Limits of this mode: no outside recipients, and mail may be marked as spam unless SPF covers the sending address.
       *[other] Limits of this mode: it depends on the static IP address or certificate staying the same; when it changes, the connector and SPF must follow.
    }
m365-mode-detected-fix-other-modes = If this mode cannot do what the device needs, the other two exist: client submission (sign in, send anywhere), direct send (no sign-in, internal recipients only), SMTP relay (no sign-in, a connector, send anywhere).

## direct_send.ip_instead_of_mx

direct-send-ip-instead-of-mx-title = { $observation ->
    [tls_failed] The certificate's name does not match because an IP address was typed instead of the MX endpoint
   *[other] The MX endpoint was replaced by an IP address
}
direct-send-ip-instead-of-mx-summary = { $observation ->
    [tls_failed] The device connects to { $host }, an IP address, where the organization's MX endpoint name belongs. The server there presents Microsoft 365's certificate, for { $names }: it fails the name check only because an address was typed, not because anything intercepts the connection. Microsoft also changes those addresses without notice.
   *[other] The device sends to { $host }, an IP address, instead of the organization's MX endpoint name. It may work today, but Microsoft changes those addresses without notice and sending will then stop.
}
direct-send-ip-instead-of-mx-cause-short-field = The MX endpoint name was too long for the device's server field, so its address was typed instead.
direct-send-ip-instead-of-mx-cause-changes = The addresses behind mail.protection.outlook.com rotate and differ by region; only the name stays valid.
direct-send-ip-instead-of-mx-fix-name = Enter the MX endpoint name (ending in mail.protection.outlook.com) if the field allows it.
direct-send-ip-instead-of-mx-fix-submission = If the name does not fit, use client submission instead: its server name, smtp.office365.com, is short.
direct-send-ip-instead-of-mx-fix-no-bypass = Do not turn off the device's certificate check to get past this: with the MX endpoint's name entered, the check passes.

## advise.no_mode_fits

advise-no-mode-fits-title = No Microsoft 365 sending mode fits this device as it is
advise-no-mode-fits-summary = The device cannot sign in with a mailbox, so client submission is out, even through the legacy endpoint; it { $external ->
        [yes] must mail
       *[other] may need to mail (it was not said whether it must)
    } recipients outside the organization, whom direct send cannot reach; and it has { $static_ip ->
        [no] no static IP
       *[other] no static IP that was mentioned
    } for a connector to recognize it by.
advise-no-mode-fits-cause-device = Old firmware: no field for a user name and password, or no TLS 1.2.
advise-no-mode-fits-cause-network = The internet connection has a dynamic IP address.
advise-no-mode-fits-fix-static = Get a static IP address from the internet provider, then relay through a connector that recognizes it.
advise-no-mode-fits-fix-firmware = Update the device's firmware so that it can sign in with TLS 1.2 (client submission).
advise-no-mode-fits-fix-internal = If mailing colleagues is enough, use direct send: it needs neither a sign-in nor a static IP.
advise-no-mode-fits-fix-relay = Keep the device as it is and send through mailprobe relay on a computer of your network: the device sends to the relay without a mailbox password (TLS 1.0 too), and the relay signs in to Microsoft 365 with OAuth 2.0 (mailprobe advise shows its settings; mailprobe relay check tests it).

## dns.no_such_host

dns-no-such-host-title = { $observation ->
    [dns_evidence] The domain { $domain } does not exist
   *[other] The server name does not exist
}
dns-no-such-host-summary = { $observation ->
    [dns_evidence] The DNS says { $domain } does not exist (NXDOMAIN): no mail can be sent from it or to it.
    [resolve_failed] The name { $host } { $failure ->
            [no_addresses] exists but has no address
           *[other] does not exist in DNS
        }: { $detail }
   *[other] A mail server answered that a domain of this message does not exist, so it could not route the mail. Its answer: { $reply_line }
}
dns-no-such-host-cause-typo = The server name is misspelled.
dns-no-such-host-cause-domain = The domain was entered instead of the server's name (example.com instead of smtp.example.com), or the provider changed its server names.
dns-no-such-host-cause-domain-typo = The domain is mistyped.
dns-no-such-host-cause-expired = The domain's registration expired, or its DNS was removed.
dns-no-such-host-cause-local-dns = The DNS server in use (the router's, the company's, the VPN's) does not know the name.
dns-no-such-host-fix-spelling = Check the spelling of the server name.
dns-no-such-host-fix-provider-name = Copy the exact outgoing server name from the provider's instructions (for example smtp.gmail.com or smtp.office365.com).
dns-no-such-host-fix-registration = Check the spelling of the domain, then its registration and its DNS hosting.
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
dns-failed-summary = { $observation ->
    [resolve_failed] Looking up { $host } failed: { $detail }
    [client_error] The program reports that a DNS lookup failed (“{ $message }”).
   *[other] A mail server could not look up a name it needed in DNS, so it could not deliver. Its answer: { $reply_line }
}
dns-failed-cause-servfail = The DNS server could not get an answer, often because the domain's DNS (or its DNSSEC) is broken.
dns-failed-cause-refused = The DNS server refuses to answer this computer, or none is configured.
dns-failed-fix-resolver = Try another DNS server with --dns-server.
dns-failed-fix-domain = If you run the domain, check its name servers and DNSSEC signatures.

## The DNS of the mail domain and of the sending IP (mailprobe dns)

## spf.multiple_records

spf-multiple-records-title = { $domain } publishes { $count } SPF records
spf-multiple-records-summary = A domain must publish exactly one v=spf1 record. With { $count } of them, receivers return a permanent error whichever record would have matched, and treat the mail as failing SPF: { $records }
spf-multiple-records-cause-added = A second record was added for a new service instead of merging its terms into the existing one.
spf-multiple-records-fix-merge = Merge the records into one: a single v=spf1, every mechanism of both, and one all at the end.
spf-multiple-records-fix-check = Check again once the records are merged: mailprobe dns { $domain }

## spf.permerror

spf-permerror-title = The SPF record of { $domain } is broken: { $reason ->
        [too_many_lookups] more than 10 DNS lookups
        [too_many_mx] too many mail servers behind an mx
        [loop] an include or redirect loops
        [syntax] a syntax error
        [include_without_spf] an include without SPF
        [redirect_without_spf] a redirect without SPF
       *[other] a permanent error
    }
spf-permerror-summary = Evaluating the SPF record of { $domain } for { $ip } ends in a permanent error, after { $lookups } of the { $lookup_limit } DNS lookups allowed. Receivers then cannot tell which servers may send for the domain, and many treat its mail as failing SPF.
spf-permerror-cause-reason = { $reason ->
        [too_many_lookups] The record pulls in too many other records: each include, a, mx, ptr, exists and redirect costs a DNS lookup, and RFC 7208 allows 10.
        [too_many_mx] An mx mechanism names a domain with more than 10 mail servers, more than SPF may look up.
        [loop] An include or redirect leads back, directly or not, to a record already being evaluated.
        [syntax] A record has a typo: a wrong address or mask, an unknown mechanism, a missing colon.
        [include_without_spf] An include names a domain that publishes no SPF record.
        [redirect_without_spf] A redirect names a domain that publishes no SPF record.
       *[other] The trace could not tell which: too many lookups, a loop, a syntax error, or an include of a domain without SPF are the usual reasons.
    }
spf-permerror-cause-edited = The record, or one it includes, was edited recently by hand, or a service it includes changed its own record.
spf-permerror-fix-reason = { $reason ->
        [too_many_lookups] Remove the includes of services no longer used, and replace the includes of fixed servers with their ip4:/ip6: addresses, until 10 lookups or fewer remain.
        [too_many_mx] Replace the mx mechanism with the ip4:/ip6: addresses of the servers that really send.
        [loop] Remove the include or redirect that leads back to { $domain }.
        [syntax] Check every term against RFC 7208: ip4:ADDRESS/MASK, include:DOMAIN, and ~all or -all at the end.
        [include_without_spf] Correct or remove the include that names a domain without SPF (a typo in the name, or a service that no longer exists).
        [redirect_without_spf] Correct or remove the redirect that names a domain without SPF.
       *[other] Check every term of the record and of the records it includes, starting with the includes.
    }
spf-permerror-fix-check = Check again once the record is changed: mailprobe dns { $domain } --ip { $ip } (DNS caches may keep the old record for as long as its TTL).

## spf.temperror

spf-temperror-title = The SPF record of { $domain } could not be evaluated now
spf-temperror-summary = A DNS lookup needed to evaluate the record for { $ip } failed (result { $result }): receivers would defer the mail and try again later.
spf-temperror-cause-dns = A DNS server of the domain, or of a domain its record includes, did not answer or refused.
spf-temperror-fix-retry = Try again in a few minutes.
spf-temperror-fix-servers = If it persists, check the DNS servers of { $domain } and of the domains its record includes.

## spf.neutral

spf-neutral-title = The SPF record of { $domain } says nothing about { $ip }
spf-neutral-summary = The record neither authorizes nor refuses { $ip } (result { $result }, at { $mechanism }): receivers treat the mail as they would without SPF, and more of it ends up as spam.
spf-neutral-cause-open = The record ends with ?all, or none of its mechanisms matches this address and it has no all at the end.
spf-neutral-fix-add = Add the address the device sends from ({ $suggested }), then end the record with ~all or -all instead of ?all.

## spf.none

spf-none-title = { $domain } has no SPF record
spf-none-summary = Without SPF, receivers cannot check which servers may send for { $domain }: its mail is more likely to be marked as spam or refused.
spf-none-cause-never = The record was never published, or was lost when the DNS zone moved.
spf-none-fix-publish = Publish one TXT record at { $domain } that lists every server sending for it, for example: { $suggested }

## ip.dynamic_range

ip-dynamic-range-title = { $observation ->
    [dns_evidence] { $ip } is in a range meant for end users, not mail servers
   *[other] The receiver refuses mail sent straight from an end-user address
}
ip-dynamic-range-summary = { $observation ->
    [dns_evidence] The policy lists say so: { $answers }. That does not matter for mail handed to a provider with a sign-in, but mail sent straight from this address (direct send, relay) is likely to be refused.
   *[other] The receiving server refused the mail because the sending address belongs to a consumer or dynamic range. Its answer: { $reply_line }
}
ip-dynamic-range-cause-consumer = The connection is a consumer or dynamic line, not a business line with a static address.
ip-dynamic-range-fix-submission = Send through the provider with a sign-in (client submission) instead of straight to the MX endpoint.
ip-dynamic-range-fix-static = For direct send or relay, get a static address from the internet provider and ask it to take the range out of the policy list.

## ip.no_reverse_dns

ip-no-reverse-dns-title = { $observation ->
    [dns_evidence] { $ip } has no matching reverse DNS name
   *[other] The receiver refuses mail from an address without a matching reverse DNS name
}
ip-no-reverse-dns-summary = { $observation ->
    [dns_evidence] { $check ->
            [ptr_none] { $ip } has no PTR record: no name points back to it.
           *[other] { $ip } is named { $names }, but that name does not resolve back to { $ip }.
        } Many receivers distrust or refuse mail from servers whose address has no such name.
   *[other] The receiving server refused the mail because the sending address has no PTR record, or its name does not resolve back to it. Its answer: { $reply_line }
}
ip-no-reverse-dns-cause-owner = Reverse DNS is set by whoever owns the address (the internet provider), not in your own DNS zone.
ip-no-reverse-dns-fix-ptr = { $observation ->
    [dns_evidence] Ask the internet provider to set a PTR record for { $ip } to a name that itself resolves to { $ip }.
   *[other] Ask the internet provider of the sending address to set a PTR record for it, to a name that itself resolves back to the address (check with: mailprobe dns DOMAIN --ip ADDRESS).
}
ip-no-reverse-dns-fix-submission = For a device that sends through a provider with a sign-in this does not matter: the provider's servers deliver the mail.

## dns.no_mx

dns-no-mx-title = { $domain } has no MX record
dns-no-mx-summary = No mail server receives mail for { $domain }: replies to its messages bounce, and receivers distrust senders whose domain takes no mail.
dns-no-mx-cause-missing = The MX records were never published, or were lost when the DNS zone moved.
dns-no-mx-fix-publish = Publish the MX records your mail provider gives (Microsoft 365 shows them in the admin center, under Settings > Domains).

## dnsbl.not_answered

dnsbl-not-answered-title = Some blocklists did not answer: { $lists }
dnsbl-not-answered-summary = No usable answer about { $ip } ({ $answers }): nothing is known from these lists, and the address may be listed there or not.
dnsbl-not-answered-cause-public = Spamhaus does not answer queries that come through public resolvers (8.8.8.8, 1.1.1.1 and the like), and says so with 127.255.255.254.
dnsbl-not-answered-cause-registration = Some lists (Barracuda) answer only the DNS servers registered with them, and refuse the others.
dnsbl-not-answered-fix-own-resolver = Run the check again through a resolver of your own network (--dns-server), or look the address up on the list's web site.

## dmarc.missing

dmarc-missing-title = { $domain } has no DMARC record
dmarc-missing-summary = Without DMARC, receivers apply their own policy to mail that fails SPF and DKIM, and nobody sends { $domain } reports about who sends in its name.
dmarc-missing-cause-never = The record was never published.
dmarc-missing-fix-publish = Publish a TXT record at _dmarc.{ $domain }, starting with monitoring only: v=DMARC1; p=none; rua=mailto:dmarc-reports@{ $domain }

## smtp.bad_sequence

smtp-bad-sequence-title = Commands were sent in the wrong order
smtp-bad-sequence-summary = { $host } refused a command because it came at the wrong point of the session. Its answer: { $reply_line }
smtp-bad-sequence-cause-order = The client sent a command before the one it depends on: MAIL before EHLO or sign-in, RCPT before MAIL, DATA before any accepted recipient.
smtp-bad-sequence-cause-after-failure = An earlier command failed and the client carried on as if it had worked; the first error is the real one.
smtp-bad-sequence-cause-pipelining = The client sends commands ahead of the answers (pipelining) where the server does not allow it, such as right after STARTTLS, or it signs in twice.
smtp-bad-sequence-fix-first-error = Look for the first refusal in the evidence and fix that one: later "bad sequence" errors follow from it.
smtp-bad-sequence-fix-developer = In your code, follow the order EHLO, STARTTLS, EHLO again, AUTH, MAIL FROM, RCPT TO, DATA, and stop at the first error.
smtp-bad-sequence-fix-update = Update the device's firmware or the application; if it persists, report the transcript to its maker.

## smtp.syntax_error

smtp-syntax-error-title = The server did not understand a command or an address
smtp-syntax-error-summary = { $host } refused a command as malformed. Its answer: { $reply_line }
smtp-syntax-error-cause-address = An address is malformed: spaces, a missing @ or domain, a display name where only the address belongs, or missing angle brackets.
smtp-syntax-error-cause-command = The client sent a command the server does not know or does not allow here.
smtp-syntax-error-cause-line = A line was too long or contained characters the server refuses.
smtp-syntax-error-fix-address = Check the sender and recipient addresses in the settings: only the plain address, such as name@example.com.
smtp-syntax-error-fix-developer = In your code, send MAIL FROM:<address> and RCPT TO:<address> with angle brackets and nothing else, and keep lines under 998 characters.
smtp-syntax-error-fix-update = Update the device's firmware or the application.

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

## account.sandbox_restricted

account-sandbox-restricted-title = The sending account is still in its test mode (sandbox)
account-sandbox-restricted-summary = The sending service refused the message because the account may only send from and to addresses verified in it: { $reply_line }
account-sandbox-restricted-cause-sandbox = New Amazon SES accounts and Mailgun sandbox domains deliver only to recipients verified or authorized in the account until the service moves them to production.
account-sandbox-restricted-cause-unverified = The sender address or its domain has not been verified in the sending service yet.
account-sandbox-restricted-fix-verify = In the sending service's console, verify the sender address (or its whole domain) and, while in the sandbox, each test recipient.
account-sandbox-restricted-fix-production = Ask the service to lift the sandbox (Amazon SES: request production access; Mailgun: add and verify your own domain instead of the sandbox domain).

## client.sasl_mechanisms_missing

client-sasl-mechanisms-missing-title = The sending program has no sign-in method installed
client-sasl-mechanisms-missing-summary = The client could not choose any SASL mechanism, so it never tried to sign in: { $reply_line }
client-sasl-mechanisms-missing-cause-plugins = The Cyrus SASL plugins are not installed (on Debian and Ubuntu the package libsasl2-modules), so Postfix, mutt or fetchmail know no mechanism at all.
client-sasl-mechanisms-missing-cause-filter = A mechanism filter (smtp_sasl_mechanism_filter, smtp_sasl_security_options = noplaintext) leaves out the only mechanisms the server offers.
client-sasl-mechanisms-missing-fix-install = Install the SASL plugins (apt install libsasl2-modules, or cyrus-sasl-plain on RHEL) and restart Postfix.
client-sasl-mechanisms-missing-fix-filter = Check smtp_sasl_security_options and smtp_sasl_mechanism_filter: with TLS on, smtp_sasl_security_options = noanonymous allows PLAIN and LOGIN.

## relay.loops_back

relay-loops-back-title = The next mail server is this server itself
relay-loops-back-summary = The sending server found that the host it should hand the message to is itself, and stopped to avoid a loop: { $reply_line }
relay-loops-back-cause-smarthost = The smarthost (relayhost) is set to this server's own name or address, often through a typo in its port syntax.
relay-loops-back-cause-mx = The recipient domain's MX record points at this server, but the server does not treat the domain as its own.
relay-loops-back-cause-local-domain = The domain should be delivered locally but is missing from the server's local domains.
relay-loops-back-fix-relayhost = Check the smarthost setting (Postfix relayhost, Exim's dc_smarthost): it must name the provider's server, with the port written the way the MTA expects.
relay-loops-back-fix-local-domains = If the domain is this server's own, add it to its local domains (Postfix mydestination, Exim local_domains); if not, fix the domain's MX record.

## sender.domain_unresolvable

sender-domain-unresolvable-title = The sender address's domain does not exist in DNS
sender-domain-unresolvable-summary = The server refused the sender because its domain does not resolve: { $reply_line }
sender-domain-unresolvable-cause-local-name = The program sends from a machine-local name (root@server.localdomain, user@nosuch.host) instead of a real domain.
sender-domain-unresolvable-cause-typo = The domain of the sender address is misspelled or has expired.
sender-domain-unresolvable-fix-from = Send from an address of a real, registered domain.
sender-domain-unresolvable-fix-myorigin = On a server, set the domain outgoing mail uses (Postfix myorigin, Exim qualify_domain) to a real domain.

## client.relay_host_not_configured

client-credentials-missing-title = The program has no user name or password to sign in with
client-credentials-missing-summary = { $observation ->
    [client_error] The program is set to sign in but found no user name or password in its settings, so it stopped before sending anything (“{ $message }”).
   *[other] The program is set to sign in but found no user name or password in its settings, so it stopped before sending anything: { $reply_line }
}
client-credentials-missing-cause-empty = The SMTP user name or password setting is empty: for example an environment variable (SMTP_USER, SMTP_PASS) that is not set where the program runs, or a settings form saved without the password.
client-credentials-missing-cause-not-loaded = The settings were filled in but the program still runs with the old, empty ones, or reads them from another file or container.
client-credentials-missing-fix-fill = Fill in the SMTP user name and password (or the API key) in the program's settings and restart it; check that the variables reach the process (docker-compose environment, .env file).
client-credentials-missing-fix-no-auth = If the server takes mail without a sign-in (a relay that trusts your address), turn authentication off in the program instead.

client-local-mta-unusable-title = The local mail command is missing or not working
client-local-mta-unusable-summary = { $observation ->
    [client_error] The program hands its mail to a local command (sendmail, mail) instead of an SMTP server, and that command failed: “{ $message }”.
   *[other] The program hands its mail to a local command (sendmail, mail) instead of an SMTP server, and that command failed: { $reply_line }
}
client-local-mta-unusable-cause-missing = No mail transfer agent is installed, or the path the program calls (/usr/sbin/sendmail, /bin/mail) does not exist on this system or in this container.
client-local-mta-unusable-cause-not-running = A local mail server (Postfix, for example) is installed but its service is not running, so nothing picks the message up.
client-local-mta-unusable-cause-minimal = The installed sendmail is a minimal one (BusyBox, ssmtp, msmtp) that has no configuration or does not accept the options the program passes.
client-local-mta-unusable-fix-smtp = Set the program to send over SMTP directly (server, port, encryption, user name and password), or install a sendmail-compatible relay client such as msmtp or nullmailer and point it at your SMTP server.
client-local-mta-unusable-fix-admin = On the server, check that the mail service runs (systemctl status postfix; postfix check) and that the command the program calls exists and accepts its options.

client-relay-host-not-configured-title = The mail program still points at a placeholder server
client-relay-host-not-configured-summary = The program tried to reach a server that is only its example setting: { $reply_line }
client-relay-host-not-configured-cause-placeholder = ssmtp and similar tools ship with "mailhub" (or "mail") as the server name; it was never replaced by the real outgoing server.
client-relay-host-not-configured-fix-set = Set the real outgoing server and port (in ssmtp: mailhub=smtp.example.com:587 in /etc/ssmtp/ssmtp.conf, with UseSTARTTLS=YES and the login).

## client.smtp_url_invalid

client-smtp-url-invalid-title = The program's SMTP address (URL or DSN) is malformed
client-smtp-url-invalid-summary = { $observation ->
    [client_error] The program could not read the server address it was given, so it never connected: “{ $message }”.
   *[other] The program could not read the server address it was given, so it never connected: { $reply_line }
}
client-smtp-url-invalid-cause-encoding = The password or user name inside the URL holds characters that have a meaning in a URL (@ : / ? # % +) and were not percent-encoded.
client-smtp-url-invalid-cause-format = The URL or DSN is not in the form the program expects: a missing or misspelt scheme (smtp://, smtps://), a stray space or quote, a port that is not a number, an empty host.
client-smtp-url-invalid-cause-helo = The program builds the URL from its settings and one of them does not fit in a URL, such as a HELO name with spaces or other characters a host name cannot have.
client-smtp-url-invalid-fix-encode = Percent-encode the user name and password in the URL (@ becomes %40, : becomes %3A, / becomes %2F, # becomes %23, % becomes %25), or use an app password without special characters.
client-smtp-url-invalid-fix-format = Write the address in the form the program documents (for example smtp://user:password@smtp.example.com:587), without quotes or spaces, and check the HELO/EHLO name setting holds a plain host name.

## client.address_invalid

client-address-invalid-title = The program cannot read the sender or recipient address
client-address-invalid-summary = { $observation ->
    [client_error] The program rejected an address in its own settings before sending anything: “{ $message }”.
   *[other] The program rejected an address in its own settings before sending anything: { $reply_line }
}
client-address-invalid-cause-display-name = The From setting holds a display name with characters that must be quoted (a comma, a dot, brackets), or a name and an address written in a form the program does not accept.
client-address-invalid-cause-typo = The address is mistyped: two @, a doubled domain, a space, a missing domain.
client-address-invalid-cause-empty = The address setting is empty, so the program builds a header it cannot parse.
client-address-invalid-fix-check = Put a bare address (name@example.com) in the sender and recipient settings; if a display name is wanted, use the program's separate name field or write it in quotes: "Name, Office" <name@example.com>.

## tls.server_weak_dh

tls-server-weak-dh-title = The server's TLS uses a Diffie-Hellman key too small for current clients
tls-server-weak-dh-summary = { $observation ->
    [tls_failed] The encrypted connection failed because the server offers only a weak Diffie-Hellman key, which up-to-date TLS libraries refuse: “{ $detail }”.
    [client_error] The encrypted connection failed because the server offers only a weak Diffie-Hellman key, which up-to-date TLS libraries refuse: “{ $message }”.
   *[other] The encrypted connection failed because the server offers only a weak Diffie-Hellman key, which up-to-date TLS libraries refuse: { $reply_line }
}
tls-server-weak-dh-cause-old-params = The server was set up with 1024-bit (or smaller) DH parameters, or offers only DHE ciphers without ECDHE; OpenSSL 1.1 and later refuse such keys, whatever the client's own settings.
tls-server-weak-dh-fix-server = On the server, generate 2048-bit DH parameters (openssl dhparam -out dh2048.pem 2048; Postfix: smtpd_tls_dh1024_param_file) or prefer ECDHE ciphers, then reload it.
tls-server-weak-dh-fix-provider = If you do not run the server, report it to its administrator or provider; lowering the client's security level only hides the weakness.

## sender.not_fully_qualified

sender-not-fully-qualified-title = The sender address has no domain
sender-not-fully-qualified-summary = The server refused the sender because it is not a full address with a domain (such as a bare user name or root@localhost): { $reply_line }
sender-not-fully-qualified-cause-local = The program or the machine sends as its local user (root, www-data, pi) with no domain, or with the machine's own name (localhost, a host name that is not a domain), because no sender address was set.
sender-not-fully-qualified-cause-username = The program uses its SMTP user name as the sender address, and the user name is not an e-mail address.
sender-not-fully-qualified-fix-from = Set the sender (From) address in the program's settings to a full address of the account you sign in with, such as alerts@example.com.
sender-not-fully-qualified-fix-system = On the machine, give local mail a real domain: Postfix myorigin = example.com (or smtp_generic_maps to rewrite root@localhost), ssmtp rewriteDomain, msmtp from / maildomain, Sendmail masquerading.

## message.headers_invalid

message-headers-invalid-title = The server refused the message because of its headers
message-headers-invalid-summary = { $observation ->
    [client_error] The receiving server refused the message itself because its header section breaks the rules of RFC 5322 (a header missing, doubled or malformed): “{ $message }”.
   *[other] The receiving server refused the message itself because its header section breaks the rules of RFC 5322 (a header missing, doubled or malformed): { $reply_line }
}
message-headers-invalid-cause-program = The program or script that builds the message writes the headers itself and gets them wrong: no From, Date or Message-ID, or a header that does not parse.
message-headers-invalid-cause-from = The From setting holds several addresses, a display name with an unquoted comma, or an address without a valid domain.
message-headers-invalid-cause-duplicate = A header is written twice (From, Subject, MIME-Version, Content-Type): the program adds one that its mail library already writes.
message-headers-invalid-fix-library = Let the mail library build the headers rather than writing them as text: exactly one From with one address (Name <user@example.com>, quote names with commas), let it add Date and Message-ID, do not add headers it already writes, encode non-ASCII text.
message-headers-invalid-fix-device = On a device or appliance, fill in its sender name and address fields and update its firmware; the same message is refused wherever it is sent, so changing the server does not help.

## message.encoding_invalid

message-encoding-invalid-title = The server refused the message's line endings or encoding
message-encoding-invalid-summary = { $observation ->
    [client_error] The receiving server refused the message because of how it is written on the wire (line endings, line length or 8-bit data): “{ $message }”.
   *[other] The receiving server refused the message because of how it is written on the wire (line endings, line length or 8-bit data): { $reply_line }
}
message-encoding-invalid-cause-line-endings = The message has bare LF (or CR) line endings instead of CRLF: a script that passes Unix text into SMTP, hand-written SMTP code or old firmware. Since the 2023-2024 SMTP smuggling fixes many servers refuse them (Postfix 3.9, Exchange Online's 5.6.11).
message-encoding-invalid-cause-long-lines = A line is longer than the 998 characters SMTP allows: an HTML body or a header written on one line without encoding.
message-encoding-invalid-cause-8bit = Raw 8-bit bytes (accented letters) are in the headers, or in a body declared 7-bit, on a path that does not accept 8BITMIME.
message-encoding-invalid-fix-library = Have the program encode the body (quoted-printable or base64), wrap long lines, end every line with CRLF and encode non-ASCII header text (RFC 2047); a current mail library does this when it builds the message from parts.
message-encoding-invalid-fix-update = Update the program, device firmware or library that sends the message; for Exchange Online's bare-linefeed refusal the receiving side can alternatively turn on BDAT (CHUNKING).

## message.mail_loop

message-mail-loop-title = The message is going round in a loop
message-mail-loop-summary = { $observation ->
    [client_error] The message was refused because it has passed through too many servers or has already been delivered to this address: it is going round in a loop: “{ $message }”.
   *[other] The message was refused because it has passed through too many servers or has already been delivered to this address: it is going round in a loop: { $reply_line }
}
message-mail-loop-cause-forwarding = Two mailboxes or aliases forward to each other, or a forwarding rule sends the message back to the system it came from.
message-mail-loop-cause-connector = A server or connector routes the domain back where the message came from: a hybrid or smart-host connector pointing the wrong way, or a domain whose MX points at a server that does not treat it as its own.
message-mail-loop-fix-headers = Read the Received headers of the returned message: the host names that repeat show where it goes round; remove or correct the forwarding rule or alias there.
message-mail-loop-fix-server = On the server, make the domain local (authoritative) where its MX points, or correct the connector or transport that sends it back.

## recipient.domain_invalid

recipient-domain-invalid-title = The recipient's domain cannot receive mail
recipient-domain-invalid-summary = { $observation ->
    [resolve_failed] The mail could not be delivered because the recipient's domain cannot be found in DNS: the lookup of its mail servers (MX) failed ({ $detail }).
    [client_error] The server refused the recipient because the domain after the @ cannot take mail (it does not exist, has no working MX, or refuses all mail): “{ $message }”.
   *[other] The server refused the recipient because the domain after the @ cannot take mail (it does not exist, has no working MX, or refuses all mail): { $reply_line }
}
recipient-domain-invalid-cause-typo = The domain of the recipient address is misspelled (gmial.com, a missing or extra letter, a space), or it is not a full domain (printer, server.lan).
recipient-domain-invalid-cause-dns = The domain exists but its mail records are broken or say it takes no mail: an MX pointing to a host without an address or to a private address, a null MX, an expired domain.
recipient-domain-invalid-cause-placeholder = The address is a placeholder from an example or a test (example.com, test.local), still in the settings.
recipient-domain-invalid-fix-check = Check the recipient address, especially the part after the @; if it is right, the recipient's domain owner must repair its MX records (nslookup -type=mx domain shows them).

## address.non_ascii

address-non-ascii-title = An address contains characters this mail path cannot carry
address-non-ascii-summary = { $observation ->
    [client_error] A sender or recipient address contains non-ASCII characters, and the session (or a server further along) does not support international addresses (SMTPUTF8): “{ $message }”.
   *[other] A sender or recipient address contains non-ASCII characters, and the session (or a server further along) does not support international addresses (SMTPUTF8): { $reply_line }
}
address-non-ascii-cause-invisible = The address holds a character that looks like plain text but is not: an accented letter, a no-break or zero-width space pasted with it, typographic quotes.
address-non-ascii-cause-idn = The address is really internationalised (ü, é, non-Latin script) and the program or a server on the way does not speak SMTPUTF8.
address-non-ascii-fix-retype = Retype the address by hand in plain letters and check it for spaces or look-alike characters.
address-non-ascii-fix-smtputf8 = If the address is truly internationalised, send through a program and servers that support SMTPUTF8, or use the domain's ASCII (punycode) form.

## client.auth_setting_invalid

client-auth-setting-invalid-title = The program's authentication setting has a value it does not know
client-auth-setting-invalid-summary = { $observation ->
    [client_error] The program stopped before connecting because its authentication type setting is not one it knows: “{ $message }”.
   *[other] The program stopped before connecting because its authentication type setting is not one it knows: { $reply_line }
}
client-auth-setting-invalid-cause-value = The authentication type is set to a value the mail library does not accept: false or an empty string where the setting should be left out, or a misspelt mechanism (logon, Plain Text).
client-auth-setting-invalid-fix-value = Set the authentication type to the mechanism the server offers (login or plain; in GitLab and Rails smtp_authentication "login"), or remove the setting entirely for a server that needs no sign-in.

## client.sender_missing

client-sender-missing-title = The program has no sender address to send from
client-sender-missing-summary = { $observation ->
    [client_error] The program refused to send because the message has no sender (no From address and no envelope sender): “{ $message }”.
   *[other] The program refused to send because the message has no sender (no From address and no envelope sender): { $reply_line }
}
client-sender-missing-cause-setting = The sender or default-from setting is empty (MAIL_FROM_ADDRESS in Laravel, DEFAULT_FROM_EMAIL in Django, from in msmtp, sendmail_from in php.ini), or the code builds the message without a From.
client-sender-missing-fix-set = Set the sender address in the program's settings (or in the code) to an address the account you sign in with may send as, then restart the program.

## client.recipients_missing

client-recipients-missing-title = The message has no recipient
client-recipients-missing-summary = { $observation ->
    [client_error] The program refused to send because the message has no recipient at all: “{ $message }”.
   *[other] The program refused to send because the message has no recipient at all: { $reply_line }
}
client-recipients-missing-cause-empty = The list of recipients is empty: an unset variable or setting (an alert address never filled in), or a query that found no address.
client-recipients-missing-fix-set = Fill in at least one recipient (the alert or notification address in the program's settings), and check the code path that builds the list.

## client.tls_support_missing

client-tls-support-missing-title = The program was installed without TLS support
client-tls-support-missing-summary = { $observation ->
    [client_error] The program cannot encrypt the connection at all, because it (or its runtime) was built or installed without TLS support: “{ $message }”.
   *[other] The program cannot encrypt the connection at all, because it (or its runtime) was built or installed without TLS support: { $reply_line }
}
client-tls-support-missing-cause-build = The runtime lacks its TLS library: PHP without the openssl extension, Python or Ruby compiled without OpenSSL, a Rust program built without a TLS feature.
client-tls-support-missing-fix-install = Install or enable the TLS support (for PHP: the php-openssl package or extension=openssl in php.ini; for Python or Ruby: install the OpenSSL development files and reinstall; for a Rust program: a build with its TLS feature), then restart the program.

## forwarding.external_blocked

forwarding-external-blocked-title = The organization does not allow forwarding mail to outside addresses
forwarding-external-blocked-summary = { $observation ->
    [client_error] Microsoft 365 refused to forward the message to an outside address, because the organization's outbound policy blocks automatic forwarding: “{ $message }”.
   *[other] Microsoft 365 refused to forward the message to an outside address, because the organization's outbound policy blocks automatic forwarding: { $reply_line }
}
forwarding-external-blocked-cause-policy = A mailbox rule, an Outlook forwarding setting or a redirect sends the message to an address outside the organization, and the outbound anti-spam policy's automatic forwarding control is Off (or Automatic, which Microsoft treats as Off).
forwarding-external-blocked-fix-policy = In the Microsoft Defender portal, Email & collaboration > Policies > Anti-spam > outbound policy: set "Automatic forwarding rules" to On for the users who may forward (a separate policy for them rather than the default).
forwarding-external-blocked-fix-user = Without an administrator: remove the forwarding rule and have the outside mailbox fetch the mail instead, or forward messages by hand.

## tls.pinned_fingerprint_mismatch

tls-pinned-fingerprint-mismatch-title = The server's certificate no longer matches the fingerprint the program pins
tls-pinned-fingerprint-mismatch-summary = { $observation ->
    [client_error] The program trusts only one certificate fingerprint for this server, and the server now shows another certificate: “{ $message }”.
   *[other] The program trusts only one certificate fingerprint for this server, and the server now shows another certificate: { $reply_line }
}
tls-pinned-fingerprint-mismatch-cause-renewed = The server's certificate was renewed (Let's Encrypt certificates change every 60 to 90 days), so the pinned fingerprint is out of date.
tls-pinned-fingerprint-mismatch-cause-intercepted = Something between you and the server presents its own certificate (an antivirus or a firewall inspecting TLS).
tls-pinned-fingerprint-mismatch-fix-trust-file = Trust the certificate authorities instead of one fingerprint (msmtp: tls_trust_file /etc/ssl/certs/ca-certificates.crt and remove tls_fingerprint); if you must pin, read the new fingerprint with msmtp --serverinfo --tls --tls-certcheck=off and compare it with the provider's published one first.

## ip.blocklist_query_refused

ip-blocklist-query-refused-title = The receiver's blocklist check failed, and it refused you for it
ip-blocklist-query-refused-summary = The receiving server says your address is blocked, but the answer it got from the blocklist was an error code, not a listing: { $reply_line }
ip-blocklist-query-refused-cause-open-resolver = Spamhaus does not answer queries that come through public DNS resolvers (Google, Cloudflare) or without a key; it returns an error code (127.255.255.254) that the receiving server wrongly treats as "listed".
ip-blocklist-query-refused-fix-tell-receiver = Tell the receiving domain's postmaster: their server must query Spamhaus through its own resolver or a Data Query Service key. Your address is not listed.
ip-blocklist-query-refused-fix-own-server = If it is your own server refusing mail this way, stop using a public resolver for blocklist lookups (run a local resolver such as unbound) or use a Spamhaus DQS key.

## direct_send.rejected

direct-send-rejected-title = The Microsoft 365 organization refuses direct send
direct-send-rejected-summary = Microsoft 365 refused anonymous mail that uses the organization's own domain: { $reply_line }
direct-send-rejected-cause-reject-direct-send = The tenant has turned on RejectDirectSend, so mail from its own domains that arrives without authentication or a matching connector is refused.
direct-send-rejected-cause-no-connector = The device or application sends from an address that no partner or on-premises connector covers.
direct-send-rejected-fix-connector = Create an inbound connector (Mail flow > Connectors) for the device's public IP address or certificate, so its mail is attributed to the organization.
direct-send-rejected-fix-submission = Or send with a login through smtp.office365.com on port 587 (client submission), with OAuth 2.0 where possible.
direct-send-rejected-fix-relay = For a printer or scanner that cannot sign in, a local relay (mailprobe relay, or an SMTP relay connector) can sign in on its behalf.

## message.rejected_as_spam

message-rejected-as-spam-title = The message was refused as spam or for its content
message-rejected-as-spam-summary = A server refused the message itself, not the login or the addresses. Its answer: { $reply_line }
message-rejected-as-spam-cause-content = Something in the message looks like spam to the filter: links, attachments, words, or a badly formed header (for example non-ASCII characters in a name that is not encoded).
message-rejected-as-spam-cause-compromised = The account or device has been sending spam (a stolen password), and the provider now filters everything it sends.
message-rejected-as-spam-cause-reputation = The sending address or domain has a poor reputation with the receiver.
message-rejected-as-spam-fix-content = Send a short plain test message to the same recipient: if it passes, change the content (links, attachments, subject) of the refused one.
message-rejected-as-spam-fix-account = Change the account's password and check its sent folder and forwarding rules for mail you did not write.
message-rejected-as-spam-fix-provider = Ask the provider (the one whose code is in the answer) which rule refused the message; quote the whole answer with its reference code.

## client.unexplained_error

client-software-bug-title = The mail program misread a normal answer from the server
client-software-bug-summary = The program stopped on an answer that is ordinary SMTP (“{ $quoted }”): the server did what the protocol asks, and the program did not understand it. That is a fault of the program, usually of one version of it.
client-software-bug-cause-version = A bug in this version of the mail program or of the library it uses for SMTP: it mishandles an answer that other programs accept (a greeting on several lines, the LOGIN prompts).
client-software-bug-cause-update = An update changed how the program reads the server's answers: sending worked with the previous version.
client-software-bug-fix-update = Update the program (and its mail library) to the latest release: such faults are usually fixed within days of being reported.
client-software-bug-fix-rollback = If it started right after an update and no fixed release exists yet, go back to the previous version until one does.
client-software-bug-fix-report = Report it to the program's maintainers with this message and the program's log; meanwhile another mail program, or mailprobe diagnose with the same settings, shows that the server and the account are fine.
client-unexplained-error-title = The mail program reported an error mailprobe cannot explain yet
client-unexplained-error-summary = The session failed on the program's side with a message mailprobe has no rule for: { $reply_line }
client-unexplained-error-cause-program = The program stopped for a reason of its own (a setting, a check it makes, a limit), or it reports a server problem in words mailprobe does not know yet.
client-unexplained-error-fix-search = Search for the exact message together with the program's name; the program's log, with its debug or verbose option on, usually shows the step that failed.
client-unexplained-error-fix-probe = Run mailprobe diagnose with the same server, port, encryption and login: it shows which step fails and why.

## message.too_many_recipients

message-too-many-recipients-title = The message has more recipients than the server takes at once
message-too-many-recipients-summary = The server took the first recipients and refused the rest of this message for now. Its answer: { $reply_line }
message-too-many-recipients-cause-per-message = Servers limit the recipients of one message (100 is common; Microsoft 365 takes up to 1000 per message, fewer for some accounts); the ones over the limit must go in another message.
message-too-many-recipients-fix-split = Send to fewer recipients per message (a relay or mail server does this by itself, retrying the rest), or use a distribution list.

## oauth.client_rejected

oauth-client-rejected-title = The sign-in service refused the application's own credentials
oauth-client-rejected-summary = No token was issued because the token endpoint did not accept the application (its id or its secret): { $reply_line }
oauth-client-rejected-cause-secret = The client secret is wrong or has expired (Microsoft Entra secrets expire after at most two years; AADSTS7000215 is an invalid secret, AADSTS7000222 an expired one).
oauth-client-rejected-cause-app = The application id does not exist in this tenant, or was deleted (AADSTS700016), or is not allowed to use this grant.
oauth-client-rejected-fix-secret = In Microsoft Entra (or the Google Cloud console), create a new client secret for the application and put it in the file the relay or program reads; check the tenant in the token URL.
oauth-client-rejected-fix-consent = Check that the application exists in the right tenant and has admin consent for the mail permission (SMTP.SendAsApp for app-only sending through Microsoft 365).

## auth.basic_auth_retiring

auth-basic-auth-retiring-title = This sign-in uses a password, which Microsoft 365 turns off at the end of December 2026
auth-basic-auth-retiring-summary = Microsoft 365 accepted a password sign-in (AUTH { $mechanism }). At the end of December 2026 Microsoft turns Basic authentication for SMTP AUTH off by default in existing tenants; from then on this sign-in fails (535 5.7.139) unless it moves to OAuth 2.0 or stops signing in.
auth-basic-auth-retiring-cause-date = Microsoft's timeline (January 2026): Basic authentication for SMTP AUTH client submission stays as it is through December 2026, is turned off by default for existing tenants at the end of December 2026 (an administrator can turn it back on for now), and is not available to tenants created after that. Microsoft will announce the date of its final removal in the second half of 2027; after it the reply is 550 5.7.30 Basic authentication is not supported for Client Submission.
auth-basic-auth-retiring-cause-devices = Printers, scanners and older applications often can send only a user name and a password: they are the ones that stop sending.
auth-basic-auth-retiring-fix-oauth = If the program can sign in with OAuth 2.0 (Modern authentication, XOAUTH2), switch it to that now: the account, the server and the port stay the same.
auth-basic-auth-retiring-fix-device = If the device only knows passwords, let it send without signing in to Microsoft 365: through mailprobe relay on your network (the device keeps its password, the relay signs in with OAuth 2.0; mailprobe advise prints the settings), through an SMTP relay connector, or by direct send for internal recipients only.
auth-basic-auth-retiring-fix-admin = Before the date, list every device and account that still signs in with a password (the SMTP AUTH clients report in the Exchange admin center, or mailprobe scan over your inventory) and move each one; turning Basic authentication back on after the date only buys time until the final removal.
