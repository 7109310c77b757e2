# Strings of the reports and of the engine's stand-ins. The binary uses the report-*, step-*,
# severity-*, stage-* and audience-* messages; stage ids are Stage::as_str() names.

report-findings = Findings
report-no-findings = No problem found: every step worked.
report-what-happened = What happened
report-evidence = Evidence
report-why = Why
report-what-to-do = What to do
report-steps = Steps
report-for-audience = For { $audience }
report-finding-count = { $count ->
        [one] One finding
       *[other] { $count } findings
    }

step-ok = ok
step-failed = failed

severity-error = error
severity-warning = warning
severity-info = info

stage-resolve = DNS lookup
stage-connect = Connection
stage-tls = Encryption (TLS)
stage-banner = Greeting
stage-ehlo = Introduction (EHLO)
stage-auth = Sign-in
stage-mail_from = Sender (MAIL FROM)
stage-rcpt_to = Recipient (RCPT TO)
stage-data = Message (DATA)
stage-capability = Capabilities
stage-quit = Goodbye

audience-outlook-macos = Outlook for Mac
audience-outlook-windows = Outlook for Windows
audience-device = the device or application
audience-developer = developers
audience-m365-admin = the Microsoft 365 administrator
audience-google-account = your Google account
audience-network-admin = the network or server administrator

security-starttls = STARTTLS
security-tls = SSL/TLS
security-none = no encryption

# Stand-ins for facts the evidence did not give.
unknown = unknown
none = none
not-given = ?
placeholder-address = <address>
