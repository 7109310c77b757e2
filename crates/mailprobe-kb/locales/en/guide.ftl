# Texts of `mailprobe guide`: the playbooks of data/playbooks.toml (guide-PLAYBOOK-*), their steps
# (guide-step-STEP-title / -what / -how-AUDIENCE, one instruction per line) and the guide's own
# interface (guide-ui-*, guide-md-*). Playbook and step texts may use { $address }, { $tenant_mx },
# { $host } and { $port }.

## Playbooks

guide-outlook-gmail-macos-title = Outlook for Mac does not send through Gmail
guide-outlook-gmail-macos-intro = For Outlook on a Mac whose Gmail messages stay in the Outbox, often with error 4af4 or a server answer of 334 or 535 where 235 (signed in) was expected. Before you start, have your Gmail address ready and find out whether your Google account uses 2-Step Verification. Then quit Outlook and, if you can, restart the Mac so that nothing keeps the profile files locked.
guide-outlook-gmail-macos-test = To test after a step: send yourself a message with the subject "Test SMTP 587". It should leave the Outbox and appear in Sent Items, and in Gmail under Sent.

guide-outlook-gmail-windows-title = Outlook for Windows does not send through Gmail
guide-outlook-gmail-windows-intro = For Outlook on Windows whose Gmail messages stay in the Outbox, often with error 4af4 or a server answer of 334 or 535 where 235 (signed in) was expected. Before you start, have your Gmail address ready and find out whether your Google account uses 2-Step Verification. Then close Outlook and, if you can, restart the PC so that nothing keeps the profile files locked.
guide-outlook-gmail-windows-test = To test after a step: send yourself a message with the subject "Test SMTP 587". It should leave the Outbox and appear in Sent Items, and in Gmail under Sent.

guide-m365-submission-title = A printer, scanner or app does not send through Microsoft 365 (signing in with SMTP AUTH)
guide-m365-submission-intro = For a device or application that signs in to a Microsoft 365 mailbox with an address and a password and sends through smtp.office365.com. This is the recommended way: it reaches anyone, inside or outside the organisation. Devices seldom show a useful error, so the checks run from a computer on the same network.
guide-m365-submission-test = To test after a step: send a scan or a test message from the device to yourself and to an address outside the organisation, and check that both arrive.

guide-m365-direct-send-title = A printer, scanner or app does not send by direct send to Microsoft 365
guide-m365-direct-send-intro = For a device or application that delivers without signing in, straight to the organisation's Microsoft 365 MX endpoint (a name ending in mail.protection.outlook.com) on port 25, with no connector set up. Direct send only reaches mailboxes of your own organisation.
guide-m365-direct-send-test = To test after a step: send from the device to a mailbox of your organisation.

guide-m365-relay-title = A printer, scanner or app does not send through a Microsoft 365 relay connector
guide-m365-relay-intro = For a device or application that sends without signing in to the organisation's Microsoft 365 MX endpoint on port 25, where a connector recognises your network by its static IP address or a certificate and passes mail on to anyone, outside recipients included.
guide-m365-relay-test = To test after a step: send from the device to a mailbox of your organisation and to an address outside it.

## Steps: Outlook with Gmail

guide-step-update-os-outlook-title = Update the operating system and Outlook
guide-step-update-os-outlook-what = Outdated security libraries in the system or in Outlook cannot complete Google's current sign-in (OAuth 2.0) or its encryption. In the cases reported, installing the updates was enough to bring sending back (moving to macOS Sonoma, for one).
guide-step-update-os-outlook-how-outlook-macos =
    Apple menu > System Settings > General > Software Update: install everything it offers.
    Update Outlook with Microsoft AutoUpdate (in Outlook: Help > Check for Updates), or from the Mac App Store if it was installed from there.
guide-step-update-os-outlook-how-outlook-windows =
    Start > Settings > Windows Update: install the pending updates.
    In Outlook: File > Office Account > Update Options > Update Now.

guide-step-gmail-enable-imap-title = Turn on IMAP in Gmail
guide-step-gmail-enable-imap-what = Outlook's account setup tests receiving (IMAP) and sending in one go, so with IMAP switched off in Gmail adding or checking the account can fail. IMAP also keeps folders, labels and read marks in step, which POP does not.
guide-step-gmail-enable-imap-how-google-account =
    In Gmail on the web: the gear icon > See all settings > Forwarding and POP/IMAP.
    Under IMAP access, choose Enable IMAP, then Save Changes at the bottom of the page.
    Wait a few seconds for the change to reach Google's servers before trying again.

guide-step-gmail-server-settings-title = Use Google's server settings: SMTP 587 with STARTTLS, IMAP 993 with SSL/TLS
guide-step-gmail-server-settings-what = Gmail takes outgoing mail at smtp.gmail.com on port 587 with STARTTLS (port 465 with SSL/TLS also works) and serves incoming mail at imap.gmail.com on port 993 with SSL/TLS; both need sign-in. Other pairs of port and encryption fail, often disguised as a sign-in error. If Outlook uses 465, move it to 587 with STARTTLS.
guide-step-gmail-server-settings-how-outlook-macos =
    Tools > Accounts, select the Gmail account and compare its servers with these values.
    Incoming: imap.gmail.com, port 993, SSL on. Outgoing: smtp.gmail.com, port 587, STARTTLS, sign-in with the same account.
guide-step-gmail-server-settings-how-outlook-windows =
    File > Account Settings > Account Settings, select the Gmail account, Change > More Settings > Advanced.
    Incoming (IMAP): imap.gmail.com, 993, SSL/TLS. Outgoing (SMTP): smtp.gmail.com, 587, STARTTLS.
    Make sure the options saying that the server requires an encrypted connection are ticked.

guide-step-outlook-modern-auth-title = Add the account again, choosing "Google" (OAuth 2.0), or use an app password
guide-step-outlook-modern-auth-what = Google no longer takes the account's plain password from mail programs. Removing the account and adding it back with the Google choice (not "Other" or IMAP) makes Outlook sign in on Google's own page (OAuth 2.0) and fetch fresh tokens. Only if that Google page never shows up and the account has 2-Step Verification, sign in with an app password instead of the normal password.
guide-step-outlook-modern-auth-how-outlook-macos =
    Outlook > Tools > Accounts, select the Gmail account, click − and confirm.
    Click + > New Account, type the address and choose Google; sign in in the browser window and allow Outlook access.
guide-step-outlook-modern-auth-how-outlook-windows =
    File > Account Settings > Manage Profiles: remove the Gmail account.
    Add it again and choose Google when asked; sign in on the page that opens and allow Outlook access.
guide-step-outlook-modern-auth-how-google-account =
    Only when the Google sign-in page does not appear: Google Account > Security > 2-Step Verification > App passwords (myaccount.google.com/apppasswords).
    Create one named "Outlook" and type it where Outlook asks for the password.
    Keep it to yourself; if you think someone else has it, revoke it and create a new one.

guide-step-stored-credentials-title = Delete the passwords and tokens saved for Gmail
guide-step-stored-credentials-what = Outlook keeps Gmail passwords and OAuth tokens in the system's credential store. An expired or damaged one keeps being sent and refused (334 or 535) until it is deleted. After deleting, restart Outlook and sign in again with the Google choice.
guide-step-stored-credentials-how-outlook-macos =
    Open Keychain Access (Applications > Utilities) and search in turn for Google, smtp.gmail.com, imap.gmail.com and Outlook.
    Delete what it finds, restart Outlook and add the account again with the Google choice.
guide-step-stored-credentials-how-outlook-windows =
    Control Panel > Credential Manager > Windows Credentials: remove the entries for imap.gmail.com and smtp.gmail.com and the Google or Outlook tokens, then restart.
    If it still fails, start a fresh profile: Control Panel > Mail (Microsoft Outlook) > Show Profiles > Add, and set the account up there with the Google choice.

guide-step-security-software-title = Rule out antivirus, firewall, proxy or VPN
guide-step-security-software-what = Security programs with "HTTPS scanning" (or "SSL scanning") and company proxies that inspect TLS replace Google's certificate with their own or hide STARTTLS, and the handshake on port 587 breaks. Turn the scanning off for a moment and try again, or try from another network such as a phone hotspot: if it works there, the usual network is the cause. Ports 587 (SMTP) and 993 (IMAP) must be open outward.
guide-step-security-software-how-network-admin =
    Leave smtp.gmail.com:587 and imap.gmail.com:993 out of TLS inspection.
    Check that no group policy or MDM profile forces old TLS versions or blocks the browser sign-in Outlook uses to get its token.

guide-step-clock-title = Let the computer set its clock automatically
guide-step-clock-what = Sign-in tokens and certificates are checked against the time. A clock more than about five minutes off makes Google refuse the sign-in (334 or 535) and can make a valid certificate look expired.
guide-step-clock-how-outlook-macos = System Settings > General > Date & Time: turn on "Set time and date automatically" and check the time zone.
guide-step-clock-how-outlook-windows = Settings > Time & language > Date & time: turn on "Set time automatically" and "Set time zone automatically", then Sync now.

guide-step-outlook-logs-title = Turn on Outlook's logging and see where it stops
guide-step-outlook-logs-what = If nothing so far has helped, Outlook's log shows the exact point where the conversation with the server fails, which is what a help desk needs. Look for EHLO, STARTTLS, AUTH XOAUTH2 and the answers 334 or 535: if STARTTLS never starts or AUTH XOAUTH2 never appears, suspect the network or an out-of-date Outlook. You can paste those lines into mailprobe explain.
guide-step-outlook-logs-how-outlook-macos = Outlook > Settings (Preferences) > General: turn on logging, make the error happen again, then open the log.
guide-step-outlook-logs-how-outlook-windows = File > Options > Advanced: tick "Enable troubleshooting logging", restart Outlook and try to send; then untick it and read the log files (in the Outlook Logging folder under %TEMP%).

## Steps: devices with Microsoft 365

guide-step-m365-device-settings-title = Check the device's email settings
guide-step-m365-device-settings-what = To send by signing in (client submission, SMTP AUTH) the device needs the values below. If its setup has no password field, it does not sign in at all and this way cannot work for it: use direct send or a relay connector instead.
guide-step-m365-device-settings-how-device =
    Server (smart host): smtp.office365.com
    Port: 587 (recommended) or 25
    TLS or STARTTLS: on
    User name and password: the address and password of the Microsoft 365 mailbox the device uses ({ $address })

guide-step-m365-send-as-title = Send from the address the device signs in with
guide-step-m365-send-as-what = The sender (From) address must be the mailbox the device signs in with. To send as another address (signing in as sales@ but sending as a salesperson's address, say), the sign-in mailbox needs Send As permission for it; without it, Microsoft 365 answers 5.7.60 (no permission to send as this sender). Where that permission cannot be given, use a relay connector instead.
guide-step-m365-send-as-how-device = Set the device's sender address to { $address }, the same as its user name.
guide-step-m365-send-as-how-m365-admin = Or grant the permission: Exchange admin center > Recipients > Mailboxes, open the sender's mailbox > Delegation > Send as, and add { $address } (in PowerShell: Add-RecipientPermission -Identity <sender> -Trustee { $address } -AccessRights SendAs).

guide-step-m365-web-sign-in-title = Try the mailbox in Outlook on the web
guide-step-m365-web-sign-in-what = Sign in at outlook.office.com with the device's user name and password and send a test message. If that fails too, the password is wrong or the account is locked. A mailbox blocked for sending spam is refused (550 5.1.8) until an administrator releases it.
guide-step-m365-web-sign-in-how-m365-admin = Release a blocked mailbox in the Restricted users portal (Microsoft Defender portal > Email & collaboration > Review > Restricted entities).

guide-step-network-reach-title = Make sure the network lets the connection out
guide-step-network-reach-what = From a computer on the same network as the device, { $host } must answer on port { $port } with a line starting with 220 (Microsoft's ends in "Microsoft ESMTP MAIL Service ready"). mailprobe's automated check does exactly that; by hand, with the Telnet client: telnet { $host } { $port }. No answer means a firewall or the Internet provider blocks port { $port }. { $port ->
        [25] Many providers block port 25: if it cannot be opened, have the device sign in through smtp.office365.com on port 587 instead.
       *[other] Have it opened outward, or ask whoever runs the firewall.
    }
guide-step-network-reach-how-network-admin = Allow outgoing TCP connections from the device's network to { $host } on port { $port } (firewall, router, Internet provider).

guide-step-m365-tls12-title = Make sure the device speaks TLS 1.2
guide-step-m365-tls12-what = smtp.office365.com refuses sign-ins over TLS 1.0 and 1.1: the device must speak TLS 1.2 or newer. Updating its firmware, or the application, is the surest way to get there; the manufacturer can confirm whether it supports TLS 1.2.
guide-step-m365-tls12-how-device = Install the latest firmware or application version; ask the manufacturer whether the device supports TLS 1.2.
guide-step-m365-tls12-how-m365-admin =
    Only if the device cannot be updated: allow legacy TLS clients with Set-TransportConfig -AllowLegacyTLSClients $true, or in the Exchange admin center > Settings > Mail flow, under Security, turn on the use of legacy TLS clients and save.
    Then point the device at smtp-legacy.office365.com instead of smtp.office365.com.
    Or move the device to direct send or a relay connector, where TLS is optional.
    Or keep the device as it is and send through mailprobe relay on your network, which takes TLS 1.0 from the device and speaks TLS 1.2 to Microsoft 365 (a later step).

guide-step-m365-smtp-auth-title = Turn on SMTP AUTH for the device's mailbox
guide-step-m365-smtp-auth-what = Signing in from devices (authenticated SMTP, "SMTP AUTH") can be switched off for one mailbox or for the whole organisation; the sign-in then fails with 535 5.7.3 or 5.7.57 even with the right password. The mailbox must also have a licence.
guide-step-m365-smtp-auth-how-m365-admin =
    In Exchange Online PowerShell: Get-CASMailbox -Identity { $address } | Format-List SmtpClientAuthenticationDisabled
    If it shows True: Set-CASMailbox -Identity { $address } -SmtpClientAuthenticationDisabled $false

guide-step-m365-mfa-title = Turn off multi-factor authentication for the device's mailbox
guide-step-m365-mfa-what = A device cannot answer a second sign-in factor, so a mailbox with multi-factor authentication (MFA) cannot sign in from it.
guide-step-m365-mfa-how-m365-admin = Microsoft 365 admin center > Users > Active users > Multi-factor authentication: select the device's mailbox and disable MFA for it.

guide-step-m365-security-defaults-title = Security defaults (only if you understand the risk)
guide-step-m365-security-defaults-what = Microsoft Entra security defaults block the basic sign-in devices use. Turning them off weakens the protection of the whole organisation: do it only if you accept that risk, and where you have Conditional Access prefer the next step, which excludes just this mailbox.
guide-step-m365-security-defaults-how-m365-admin = Sign in to the Azure portal as Security Administrator or Conditional Access Administrator > Microsoft Entra ID > Properties > Manage security defaults: set "Enable security defaults" to No and save.

guide-step-m365-conditional-access-title = Exclude the mailbox from policies that block legacy authentication
guide-step-m365-conditional-access-what = A Conditional Access policy that blocks legacy authentication blocks the device's sign-in as well.
guide-step-m365-conditional-access-how-m365-admin = Azure portal > Microsoft Entra ID > Security > Conditional Access: in each policy that blocks legacy authentication, add the device's mailbox under Users and groups > Exclude, and save.

guide-step-m365-federation-title = Federated sign-in: the federation servers must be reachable over HTTPS
guide-step-m365-federation-what = Only for organisations that sign in through their own federation servers (AD FS, for example): Microsoft 365 then checks the password with them. 535 5.7.139 means it could not reach them, or could not reach them securely: they must answer over HTTPS with TLS 1.2.
guide-step-m365-federation-how-m365-admin = Check that the federation service (STS) answers from the Internet over HTTPS and supports TLS 1.2.

guide-step-m365-admin-diagnostic-title = Run Microsoft's own diagnostic
guide-step-m365-admin-diagnostic-what = The Microsoft 365 admin center has an automated diagnostic for devices and applications that send email. It needs an administrator account.
guide-step-m365-admin-diagnostic-how-m365-admin = In the Microsoft 365 admin center, open the diagnostic for setting up applications or devices that send email (Help & support), and choose a new setup or fixing an existing one.

guide-step-m365-direct-send-settings-title = Check the device's settings for direct send
guide-step-m365-direct-send-settings-what = Direct send delivers without signing in to your organisation's MX endpoint, whose name ends in mail.protection.outlook.com: for your domain most likely { $tenant_mx } (the exact name is in your domain's MX record). smtp.office365.com does not take mail this way and answers that the client was not authenticated to send anonymous mail during MAIL FROM. Never type an IP address instead of the name, even when the name is too long for the device's field: the address can change and mail would stop. If the name does not fit, have the device sign in through smtp.office365.com instead.
guide-step-m365-direct-send-settings-how-device =
    Server (smart host): { $tenant_mx }
    Port: 25; no user name or password
    Sender (From): an address of your domain, such as { $address }

guide-step-ip-blocklist-title = Check that your public IP address is not on a blocklist
guide-step-ip-blocklist-what = A common reason for a device that suddenly stops: junk mail left the network, and anti-spam systems put its public IP address on a blocklist, which Microsoft 365 also uses. Look the address up with a third-party service (MXToolbox, WhatIsMyIPAddress) and ask whoever listed it to remove it.
guide-step-ip-blocklist-how-network-admin = Find the network's public IP address, look it up in a blocklist checker, and follow each listing's removal procedure; a mailbox blocked for spam is released in the Restricted users portal.

guide-step-m365-direct-send-recipients-title = Send only to your own organisation
guide-step-m365-direct-send-recipients-what = Direct send only delivers to mailboxes of your organisation hosted in Microsoft 365; outside recipients are refused by design. To reach outside addresses, have the device sign in (client submission) or use a relay connector.

guide-step-spf-static-ip-title = Send from a static IP address listed in SPF
guide-step-spf-static-ip-what = To keep the device's mail out of junk folders, send from a fixed public IP address and list it in your domain's SPF record; a relay connector needs one anyway. A new network or Internet provider changes the address: update SPF when that happens. Without a static IP address, have the device sign in through smtp.office365.com instead.
guide-step-spf-static-ip-how-network-admin = Add the static address to your domain's SPF TXT record (for example ip4:203.0.113.10) and change it whenever the address changes.

guide-step-m365-relay-settings-title = Check the device's settings and the connector
guide-step-m365-relay-settings-what = For a relay, the device sends without signing in to your MX endpoint ({ $tenant_mx }, a name ending in mail.protection.outlook.com) on port 25, and a connector in Microsoft 365 for mail from your organisation recognises it by your static public IP address or by a certificate.
guide-step-m365-relay-settings-how-device = Server: { $tenant_mx }; port 25; TLS if the device offers it; no user name or password; sender: an address of your domain, such as { $address }.
guide-step-m365-relay-settings-how-m365-admin = Exchange admin center > Mail flow > Connectors: there must be a connector from "Your organization's email server" to "Office 365" that recognises the device's network by its IP address or certificate.

guide-step-m365-relay-connector-title = Update the connector after an IP address or certificate change
guide-step-m365-relay-connector-what = When the public IP address or the certificate changes (new Internet provider, new router, renewed certificate), the connector stops recognising the device: outside recipients stop getting its mail, and Microsoft 365 may answer 5.7.64 TenantAttribution (relay access denied) or 4.4.62 (mail sent to the wrong Office 365 region).
guide-step-m365-relay-connector-how-m365-admin = Exchange admin center > Mail flow > Connectors: edit the inbound connector with the new IP address or certificate, and update the SPF record to match.

guide-step-m365-mailprobe-relay-title = Or keep the device as it is: mailprobe relay on your network
guide-step-m365-mailprobe-relay-what = When the device cannot sign in with OAuth 2.0 or speak TLS 1.2, a relay on a computer of your network keeps it sending: from the end of December 2026 Microsoft 365 turns Basic authentication for SMTP AUTH off by default, so a mailbox password sent by a device stops working. The device sends to the relay as it does today (TLS 1.0 too, with a password of the relay's own or known by its address); the relay stores each message, then sends it to smtp.office365.com over TLS 1.2, signing in as an application with OAuth 2.0 (SMTP.SendAsApp). It reaches recipients inside and outside the organisation, and needs neither a static IP address nor a connector.
guide-step-m365-mailprobe-relay-how-device =
    Server (smart host): the address of the computer that runs the relay on your network, for example 192.168.1.10; port 25 (or 587).
    TLS: STARTTLS if the device offers it; a device that speaks only TLS 1.0 or 1.1 needs legacy_tls = true on the relay's listener; without TLS it works on the local network too.
    User name and password: the device's name and the password printed by mailprobe relay add-device; none, if the relay knows the device by its address.
    From address: { $address }, or another address the relay allows the device; a device that cannot set one gets rewrite_sender in the relay's settings.
guide-step-m365-mailprobe-relay-how-m365-admin =
    In Microsoft Entra, App registrations: register an application, give it the application permission SMTP.SendAsApp of Office 365 Exchange Online, grant admin consent, and create a client secret or upload a certificate.
    In Exchange Online PowerShell: New-ServicePrincipal -AppId CLIENT-ID -ObjectId ENTERPRISE-APP-OBJECT-ID, then Add-MailboxPermission -Identity { $address } -User SERVICE-PRINCIPAL-ID -AccessRights FullAccess
    Leave SMTP AUTH on for that mailbox (OAuth uses it too): Set-CASMailbox -Identity { $address } -SmtpClientAuthenticationDisabled $false
guide-step-m365-mailprobe-relay-how-network-admin =
    On a Linux computer of the network, install mailprobe with the relay (README, "Keep printers sending: mailprobe relay") and copy packaging/relay.toml to /etc/mailprobe-relay/relay.toml: fill in the tenant, the application id, the mailbox { $address } and the relay's address on the network.
    For each device that signs in: mailprobe relay add-device NAME, and paste the lines it prints into relay.toml.
    Check everything before pointing the devices at it: mailprobe relay check --config /etc/mailprobe-relay/relay.toml
    Start it: systemctl enable --now mailprobe-relay; what waits, and why: mailprobe relay queue

## The guide's interface

guide-ui-welcome = mailprobe guide: let's find out, step by step, why email does not send, and fix it.
guide-ui-how-to-answer = Answer each question and press Enter. To stop at any time, press Ctrl-D: you still get a summary.
guide-ui-ask-sender = What is sending the email?
guide-ui-sender-outlook-macos = Outlook on a Mac
guide-ui-sender-outlook-windows = Outlook on Windows
guide-ui-sender-device = A printer, a scanner or an application
guide-ui-ask-provider = Which email service does it send through?
guide-ui-provider-gmail = Gmail (Google)
guide-ui-provider-m365 = Microsoft 365 (Office 365, Exchange Online)
guide-ui-provider-other = Another one
guide-ui-ask-number = Please type a number from 1 to { $max }.
guide-ui-ask-address = Which email address does it send from?
guide-ui-bad-address = That does not look like an email address (name@domain): please type it again.
guide-ui-modes-explained = A device sends through Microsoft 365 in one of three ways. Client submission: it signs in to a mailbox and can write to anyone (recommended). Direct send: no sign-in, only to people of your organisation. Relay: no sign-in, to anyone, through a connector that recognises your static IP address.
guide-ui-ask-can-sign-in = Does the device's email setup take a user name and password of a Microsoft 365 mailbox?
guide-ui-ask-outside = Must it send to people outside your organisation?
guide-ui-ask-old-tls = Is it an older device that may speak only TLS 1.0 or 1.1 (its maker does not say it supports TLS 1.2)? If unsure, answer y.
guide-ui-ask-outside-address = An address outside your organisation to test with (nothing is sent; press Enter to skip):
guide-ui-yes-no = [y/n]
guide-ui-answer-yes-no = Please answer y (yes) or n (no).
guide-ui-chosen = Guide: { $title } ({ $id })
guide-ui-no-playbook = There is no step-by-step guide for this combination yet; mailprobe can still check the server and say what it finds.
guide-ui-ask-server = Which server does it send through (the outgoing SMTP server in its settings)?
guide-ui-checks-heading = Automated checks
guide-ui-checks-what = mailprobe now does what the sender does: { $targets }.
guide-ui-checks-from-here = The checks run from this computer: for a device, run the guide on a computer on the same network as the device.
guide-ui-ask-password = Password used to sign in as { $address }{ $provider ->
        [gmail] {" "}(with 2-Step Verification, the app password).
       *[other] .
    } It is not shown and not kept. Press Enter alone to check without signing in:
guide-ui-checking = Checking, this takes a few seconds…
guide-ui-checks-could-not-run = The checks could not run: { $error }
guide-ui-checks-skipped = Automated checks skipped.
guide-ui-checks-ok = The checks found no problem: from this computer the server accepts the connection, the encryption and the sign-in. The cause is then most likely in the settings of the program or device that sends, which the steps below go through.
guide-ui-checks-ok-envelope = The checks found no problem: from this computer the server accepts the connection, the encryption, the sender and the recipient. The cause is then most likely in the settings of the device, which the steps below go through.
guide-ui-checks-ok-no-sign-in = The checks found no problem with the connection and the encryption (signing in was not tried).
guide-ui-checks-found = What the checks found:
guide-ui-finding-see = { $count ->
        [one] → Step { $steps } deals with this.
       *[other] → Steps { $steps } deal with this.
    }
guide-ui-fallback-fixes = What to do:
guide-ui-steps-heading = Now { $total ->
        [one] one step
       *[other] { $total } steps
    }, in order. After each one, try sending again and say whether it works.
guide-ui-step-heading = Step { $n } of { $total }: { $title }
guide-ui-step-found = → This is what the automated check found: { $title } [{ $id }]
guide-ui-how-for = How ({ $audience }):
guide-ui-ask-works = Does sending work now? [y/n/skip]
guide-ui-answer-works = Please answer y (it works), n (it still does not) or skip (step not done).
guide-ui-works = Sending works: well done. Stopping here.
guide-ui-input-ended = (No more answers: stopping here.)
guide-ui-summary-heading = Summary
guide-ui-summary-guide = Guide: { $title } ({ $id })
guide-ui-summary-checked = Checked automatically: { $targets }
guide-ui-summary-not-checked = Checked automatically: nothing.
guide-ui-summary-found = Found: { $findings }
guide-ui-summary-found-nothing = Found: no problem.
guide-ui-summary-steps = Steps:
guide-ui-summary-step-helped = { $n }. { $title }: done, and sending works after it
guide-ui-summary-step-done = { $n }. { $title }: done, it did not fix it
guide-ui-summary-step-skipped = { $n }. { $title }: skipped
guide-ui-summary-no-steps = Steps: none done.
guide-ui-summary-works = Result: sending works now (after step { $n }).
guide-ui-summary-still-broken = Result: still not working after every step. Give your help desk the lines below.
guide-ui-summary-unknown = Result: not confirmed yet (the guide stopped before the end).
guide-ui-summary-helpdesk = For the help desk:
guide-ui-check-smtp = SMTP { $host } port { $port } with { $security }
guide-ui-check-imap = IMAP { $host } port { $port } with { $security }
guide-ui-check-sign-in = signing in as { $address }
guide-ui-check-old-tls = again as a client limited to TLS 1.0

guide-md-checks = Automated checks
guide-md-checks-intro = Run on the computer with the problem, or for a device on a computer of the same network. mailprobe asks for the password without showing it.
guide-md-old-tls = If the device is old (TLS 1.0 or 1.1 only), check as such a client too:
guide-md-steps = Steps
guide-md-done = Done
guide-md-works = Sending works after this step
guide-md-findings = Fixes what mailprobe reports as: { $ids }
guide-md-interactive = To be walked through it interactively: { $command }
