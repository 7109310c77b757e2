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
ui-placeholder-server = the server

# The TLS section of a report (--tls-scan, --verbose).
ui-tls = TLS
ui-tls-versions = Versions the server accepts
ui-tls-accepted = accepted
ui-tls-refused = refused
ui-tls-no-answer = no answer
ui-tls-chain = Certificate chain, as the server sent it
ui-tls-key = key { $key }, signed with { $algorithm }
ui-tls-valid = valid { $from } to { $to }
ui-tls-names = names: { $names }
ui-tls-verified = Trusted: the chain leads to a trusted root and names { $host }.
ui-tls-not-verified = Not trusted: { $reason }
ui-tls-name-ok = The certificate names { $host }.
ui-tls-name-bad = The certificate does not name { $host } (it names: { $names }).
ui-tls-days-left = Valid for another { $days } days.
ui-tls-expires-soon = Expires in { $days } days: renew it soon.
ui-tls-expired = Expired { $days } days ago.
ui-tls-not-yet-valid = Not valid yet: its validity starts { $from } (check this computer's clock).
ui-tls-issuer-not-sent = The server did not send the certificate of { $issuer }: a root the client must already trust, or an intermediate the server should send.
ui-tls-out-of-order = The certificates are not in issuing order.

# Discovery in a diagnose report (diagnose ADDRESS).
ui-discovery = How the server was found
