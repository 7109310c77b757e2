# Strings of the reports and the engine's stand-ins, all prefixed ui-. Stage ids are
# Stage::as_str() names (ui-stage-mail_from), audience ids those of findings.toml.

ui-findings = Findings
ui-no-findings = No problem found: every step worked.
ui-what-happened = What happened
ui-evidence = Evidence
ui-why = Why
ui-what-to-do = What to do
ui-steps = Steps
ui-for-audience = For { $audience }
ui-finding-count = { $count ->
        [one] One finding
       *[other] { $count } findings
    }
ui-result-ok = The path works: mail can be sent this way.
ui-result-problem = A problem was found: see the findings above.

ui-transcript = Transcript
ui-transcript-smtp = SMTP: { $endpoint }
ui-transcript-imap = IMAP: { $endpoint }
ui-transcript-mode-check = Check with the other encryption mode: { $endpoint }
ui-transcript-client-tls-check = Check as an older TLS client: { $endpoint }

ui-step-ok = ok
ui-step-failed = failed

ui-severity-error = error
ui-severity-warning = warning
ui-severity-info = info

ui-stage-resolve = DNS lookup
ui-stage-connect = Connection
ui-stage-tls = Encryption (TLS)
ui-stage-banner = Greeting
ui-stage-ehlo = Introduction (EHLO)
ui-stage-auth = Sign-in
ui-stage-mail_from = Sender (MAIL FROM)
ui-stage-rcpt_to = Recipient (RCPT TO)
ui-stage-data = Message (DATA)
ui-stage-capability = Capabilities
ui-stage-quit = Goodbye

ui-audience-outlook-macos = Outlook for Mac
ui-audience-outlook-windows = Outlook for Windows
ui-audience-device = device or application
ui-audience-developer = developers
ui-audience-m365-admin = Microsoft 365 administrator
ui-audience-google-account = Google account
ui-audience-network-admin = network or server administrator

ui-security-starttls = STARTTLS
ui-security-tls = SSL/TLS
ui-security-none = no encryption

# Stand-ins for facts the evidence did not give.
ui-unknown = unknown
ui-none = none
ui-not-given = ?
ui-placeholder-address = <address>
