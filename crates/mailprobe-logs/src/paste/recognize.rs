//! The error texts of mail clients, libraries and tools that carry no server reply: TLS,
//! connection, name-resolution and timeout failures (each becomes the proto event a live probe
//! would have recorded), and client-side errors (which become [`EventKind::ClientError`]).
//! One table per kind; each row is a lower-case phrase as the program prints it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::LazyLock;

use mailprobe_proto::{CloseReason, ConnectFailure, EventKind, ResolveFailure, Stage, TlsFailure};
use regex::Regex;

use super::phrases::Phrases;

/// Longest detail kept from a line.
const MAX_DETAIL: usize = 400;

/// TLS failures, most specific first: a line that says "certificate verify failed: certificate
/// has expired" is an expired certificate, not just an untrusted one.
const TLS: &[(TlsFailure, &[&str])] = &[
    (
        TlsFailure::NotTls,
        &[
            "wrong version number",
            "wrong_version_number",
            "first record does not look like a tls handshake",
            "unsupported or unrecognized ssl message",
            "unknown protocol",
            "packet length too long",
            "ssl routines::http request",
            "record_layer_failure",
            "unrecognized ssl message",
            "an unexpected tls packet was received",
            "\\026\\003\\001",
            "wrappermode",
            "invalid ssl record",
            "connect to a port which does not support ssl/tls",
            // GnuTLS: "A packet with illegal or unsupported version was received".
            "illegal or unsupported version",
            // .NET's SslStream when the server answers a ClientHello in plain text.
            "handshake failed due to an unexpected packet format",
            // MailKit's SslHandshakeException on a port that greets in plain text.
            "is typically reserved for plain-text connections",
            // rustls reading a plain-text greeting as a TLS record (lettre, reqwest).
            "corrupt message of type invalidcontenttype",
            // Erlang/OTP's ssl (gen_smtp, Swoosh) on a port that greets in plain text.
            "received undefined alert: fatal - unexpected message",
        ],
    ),
    // The peer refused our version (alert 70): a client too old for the server.
    (
        TlsFailure::ProtocolVersion,
        &[
            "alert protocol version",
            "alert_protocol_version",
            "protocol_version",
            "protocol version not supported",
            "received fatal alert: protocol_version",
        ],
    ),
    // Our side refused the peer's version, or no version is common: often a server too old for
    // the client, so not a refusal of ours by the server.
    (
        TlsFailure::HandshakeRejected,
        &[
            "unsupported protocol",
            "unsupported_protocol",
            "no appropriate protocol",
            "no protocols available",
            "version too low",
        ],
    ),
    (
        TlsFailure::CertExpired,
        &[
            "certificate has expired",
            "certificate expired",
            "certificate is expired",
            "certificateexpiredexception",
            "nottimevalid",
            "cert_has_expired",
            "sec_error_expired_certificate",
            // Evolution and Thunderbird, Italian.
            "il certificato è scaduto",
            "il certificato del peer è scaduto",
        ],
    ),
    (
        TlsFailure::CertNotYetValid,
        &[
            "certificate is not yet valid",
            "certificatenotyetvalidexception",
            // Evolution (glib-networking), English and Italian.
            "activation time is still in the future",
            "data di attivazione del certificato è nel futuro",
        ],
    ),
    (
        TlsFailure::CertHostnameMismatch,
        &[
            "hostname mismatch",
            "host name mismatch",
            "does not match certificate's altnames",
            "certificate is valid for",
            "no alternative certificate subject name matches",
            "no subject alternative dns name matching",
            "no subject alternative names matching",
            "no subject alternative names present",
            "remotecertificatenamemismatch",
            "ip address mismatch",
            "doesn't match either of",
            "err_tls_cert_altname_invalid",
            "subjectmismatch",
            "host name did not match",
            "hostname did not match",
            // PHP's streams: "Peer certificate CN=`x' did not match expected CN=`y'".
            "did not match expected cn",
            // Evolution (glib-networking) and Thunderbird (NSS), English and Italian.
            "does not match the expected identity of the site",
            "non corrisponde a quella attesa per il sito",
            "requested domain name does not match the server",
            "nome di dominio richiesto non corrisponde al certificato del server",
        ],
    ),
    (
        TlsFailure::CertRevoked,
        &["certificate revoked", "certificate_revoked", "certificate has been revoked"],
    ),
    // The client refused a certificate it could read but not use (Erlang/OTP's own alert: a
    // signature algorithm it no longer accepts).
    (TlsFailure::CertInvalid, &["generated client alert: fatal - bad certificate"]),
    (
        TlsFailure::CertUntrusted,
        &[
            "self signed certificate",
            "self-signed certificate",
            "depth_zero_self_signed_cert",
            "self_signed_cert_in_chain",
            "unable to get local issuer certificate",
            "unable_to_get_issuer_cert_locally",
            "unable to verify the first certificate",
            "unable_to_verify_leaf_signature",
            "unable to get issuer certificate",
            "signed by unknown authority",
            "pkix path building failed",
            "unable to find valid certification path",
            "untrustedroot",
            "partialchain",
            "certificate verify failed",
            "certificate_verify_failed",
            "remote certificate is invalid",
            // .NET's SslPolicyErrors for a chain that does not end in a trusted root.
            "remotecertificatechainerrors",
            "certificate is not trusted",
            "certificate not trusted",
            "is not trusted",
            "alert unknown ca",
            "alert, unknown ca",
            "unknown_ca",
            "sec_error_unknown_issuer",
            "verify error:num",
            "ssl certificate problem",
            "server certificate not verified",
            "untrusted issuer",
            "certificate validation failed",
            // Evolution (glib-networking), Thunderbird (NSS) and K-9, English and Italian.
            "unacceptable tls certificate",
            "certificato tls inammissibile",
            "certificate issuer is not recognized",
            "emittente del certificato del peer non è stata riconosciuta",
            "non è attendibile in quanto autofirmato",
            "errore certificato per",
            "potenziale minaccia alla sicurezza ed ha impedito la connessione",
        ],
    ),
    (
        TlsFailure::HandshakeRejected,
        &[
            "handshake failure",
            "handshake_failure",
            "no shared cipher",
            "no cipher suites in common",
            "no ciphers available",
            "insufficient security",
            "inappropriate fallback",
            "sslv3 alert",
            "tlsv1 alert",
        ],
    ),
    (
        TlsFailure::ConnectionLost,
        &[
            "unexpected eof",
            "eof occurred in violation of protocol",
            "remote host terminated the handshake",
            "socket disconnected before secure tls connection",
            "ssl_error_syscall",
            "ssleoferror",
            "tls connection was non-properly terminated",
            "ssl_accept error",
            "handshake was interrupted",
            // msmtp (GnuTLS): the server closed the connection in the middle of TLS.
            "a protocol violating eof",
            // PHP's stream_socket_enable_crypto() when the server hangs up on the ClientHello.
            "ssl: broken pipe",
        ],
    ),
    (
        TlsFailure::Other,
        &[
            "could not convert socket to tls",
            "sslhandshakeexception",
            "sslhandshakeexception",
            "ssl routines",
            "sslerror",
            "ssl operation failed",
            "tls handshake",
            "tls startup failed",
            "starttls failed",
            "start tls failed",
            "failed to enable crypto",
            "could not create ssl/tls secure channel",
            "error occurred while attempting to establish an ssl or tls connection",
            "tls library problem",
            "cannot start tls",
            "tls negotiation failed",
            "unable to negotiate",
            "ssl_connect",
            "tls error",
            "ssl error",
            "gnutls_handshake",
        ],
    ),
];

/// Name-resolution failures. Checked before connection failures: Go's `lookup x: i/o timeout`
/// is a DNS timeout, not a TCP one.
const RESOLVE: &[(ResolveFailure, &[&str])] = &[
    (
        ResolveFailure::TimedOut,
        &[
            "temporary failure in name resolution",
            "eai_again",
            "host not found, try again",
            "errno -3]",
            "dns timeout",
            "lookup timed out",
            "name resolution timed out",
            "resolving timed out",
        ],
    ),
    (ResolveFailure::NoAddresses, &["no address associated with hostname", "eai_nodata", "no a record"]),
    (
        ResolveFailure::NoSuchHost,
        &[
            "name or service not known",
            "nodename nor servname provided",
            "enotfound",
            "no such host",
            "unknownhostexception",
            "could not resolve host",
            "could not resolve hostname",
            "couldn't resolve host",
            "getaddrinfo failed",
            "host not found",
            "nxdomain",
            "name does not resolve",
            "non-existent domain",
            "errno -2]",
            "errno 8]",
            "errno 11001]",
            "unknown host",
            // Outlook's 0x800CCC0D in English, German and Italian.
            "could not be found. please verify that you have entered the server name",
            "wurde nicht gefunden",
            "impossibile trovare il server",
            // Exim's router when every MX name of the domain has no address.
            "all relevant mx records point to non-existent hosts",
        ],
    ),
    (
        ResolveFailure::Failed,
        &[
            "server misbehaving",
            "servfail",
            "name service error",
            "eai_fail",
            "dns query failed",
            "failed to resolve mx",
            "no mx found for domain",
        ],
    ),
];

/// TCP connection failures.
const CONNECT: &[(ConnectFailure, &[&str])] = &[
    (
        ConnectFailure::Refused,
        &[
            "connection refused",
            "econnrefused",
            "actively refused",
            "connection was refused",
            // Thunderbird's Italian ("... la connessione è stata rifiutata").
            "connessione è stata rifiutata",
            "errno 111]",
            "wsaeconnrefused",
            "(10061)",
        ],
    ),
    (
        ConnectFailure::Unreachable,
        &[
            "network is unreachable",
            "enetunreach",
            "no route to host",
            "ehostunreach",
            "host is unreachable",
            "network unreachable",
            "host unreachable",
            "errno 101]",
            "errno 113]",
            "(10051)",
            "(10065)",
        ],
    ),
    (
        ConnectFailure::TimedOut,
        &[
            "connect timed out",
            "connection timed out",
            "connection timeout",
            "etimedout",
            "did not properly respond after a period of time",
            "errno 110]",
            "errno 60]",
            "(10060)",
            "timed out connecting",
            "connect: operation timed out",
        ],
    ),
];

/// Waits that ended with nothing: the stage they belong to (`None`: whatever the context says).
const TIMEOUTS: &[(Option<Stage>, &[&str])] = &[
    (
        Some(Stage::Banner),
        &[
            "greeting never received",
            "while receiving the initial server greeting",
            "waiting for greeting",
            "timeout waiting for greeting",
            "no greeting",
        ],
    ),
    (
        None,
        &[
            "timed out",
            "timeouterror",
            "sockettimeoutexception",
            "socket.timeout",
            "operation has timed out",
            "read timeout",
            // Ruby's Net::SMTP (Rails' ActionMailer): "Net::ReadTimeout with #<TCPSocket:(closed)>".
            "net::readtimeout",
            "error: timeout",
            "timeout exceeded",
        ],
    ),
];

/// Connections that ended under the client.
const CLOSED: &[(CloseReason, &[&str])] = &[
    (
        CloseReason::Reset,
        &["connection reset", "econnreset", "forcibly closed by the remote host", "(10054)", "errno 104]"],
    ),
    (
        CloseReason::PeerClosed,
        &[
            "connection closed unexpectedly",
            "connection unexpectedly closed",
            "unexpectedly closed",
            "net_io_connectionclosed",
            "unexpectedly disconnected",
            "connection closed by foreign host",
            "connection closed by remote host",
            "remote host closed connection",
            "closed connection unexpectedly",
            "server closed the connection",
            "connection was closed",
            "lost connection",
            "smtpserverdisconnected",
            "broken pipe",
            "epipe",
            "unexpected end of stream",
            "end of file reached",
        ],
    ),
];

static TLS_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::table(TLS));
static RESOLVE_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::table(RESOLVE));
static CONNECT_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::table(CONNECT));
static TIMEOUTS_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::table(TIMEOUTS));
static CLOSED_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::table(CLOSED));

/// A client-side error without a server reply: program, phrase, the error code it carries,
/// the stage it belongs to, and whether it stands on its own (strong) or only when nothing more
/// precise is in the paste (weak: "Could not authenticate" after the server's 535 adds nothing).
pub(crate) struct ClientPattern {
    pub program: &'static str,
    pub phrase: &'static str,
    pub code: Option<&'static str>,
    pub stage: Option<Stage>,
    pub strong: bool,
}

const fn cp(
    program: &'static str,
    phrase: &'static str,
    code: Option<&'static str>,
    stage: Option<Stage>,
) -> ClientPattern {
    ClientPattern { program, phrase, code, stage, strong: false }
}

/// A client-side error that stands even beside the failure it explains: the program's own
/// diagnosis of its configuration (Postfix's "relayhost configuration problem" before the
/// lookup of the placeholder host fails).
const fn strong_cp(program: &'static str, phrase: &'static str, stage: Option<Stage>) -> ClientPattern {
    ClientPattern { program, phrase, code: None, stage, strong: true }
}

/// A table of client-side errors, with its phrases for [`client_error`].
pub(crate) struct ClientPatterns {
    patterns: &'static [ClientPattern],
    phrases: LazyLock<Phrases>,
}

/// Phrases checked before the failure tables: they name a client-side condition even though
/// they contain words like "disconnected" or "connect".
pub(crate) static CLIENT_FIRST: ClientPatterns = ClientPatterns {
    patterns: CLIENT_FIRST_PATTERNS,
    phrases: LazyLock::new(|| Phrases::new(CLIENT_FIRST_PATTERNS.iter().map(|p| [p.phrase]))),
};

/// Client-side errors checked when nothing more precise was found on the line.
pub(crate) static CLIENT: ClientPatterns = ClientPatterns {
    patterns: CLIENT_PATTERNS,
    phrases: LazyLock::new(|| Phrases::new(CLIENT_PATTERNS.iter().map(|p| [p.phrase]))),
};

const CLIENT_FIRST_PATTERNS: &[ClientPattern] = &[
    cp("python-smtplib", "please run connect() first", Some("SMTPServerDisconnected"), None),
    cp(
        "python-smtplib",
        "smtp auth extension not supported by server",
        Some("SMTPNotSupportedError"),
        Some(Stage::Auth),
    ),
    cp(
        "python-smtplib",
        "starttls extension not supported by server",
        Some("SMTPNotSupportedError"),
        Some(Stage::Tls),
    ),
    cp("python-smtplib", "no suitable authentication method found", Some("SMTPException"), Some(Stage::Auth)),
    cp("phpmailer", "smtp connect() failed", None, None),
    cp("phpmailer", "could not connect to smtp host", None, Some(Stage::Connect)),
];

const CLIENT_PATTERNS: &[ClientPattern] = &[
    // Postfix as a client: its own warning that main.cf's relayhost names nothing usable.
    strong_cp("postfix", "relayhost configuration problem", Some(Stage::Connect)),
    cp("phpmailer", "could not authenticate", None, Some(Stage::Auth)),
    cp("phpmailer", "data not accepted", None, Some(Stage::Data)),
    cp("phpmailer", "the following from address failed", None, Some(Stage::MailFrom)),
    cp("phpmailer", "the following recipients failed", None, Some(Stage::RcptTo)),
    cp("phpmailer", "called mail() without being connected", None, None),
    cp("nodemailer", "missing credentials for", Some("EAUTH"), Some(Stage::Auth)),
    cp(
        "nodemailer",
        "can't send mail - all recipients were rejected",
        Some("EENVELOPE"),
        Some(Stage::RcptTo),
    ),
    cp("nodemailer", "invalid login", Some("EAUTH"), Some(Stage::Auth)),
    cp("go-net-smtp", "smtp: server doesn't support auth", None, Some(Stage::Auth)),
    cp("go-net-smtp", "unencrypted connection", None, Some(Stage::Auth)),
    cp(
        "javamail",
        "no authentication mechanisms supported by both server and client",
        None,
        Some(Stage::Auth),
    ),
    cp("javamail", "authenticationfailedexception", None, Some(Stage::Auth)),
    cp("javamail", "could not connect to smtp host", None, Some(Stage::Connect)),
    cp("mailkit", "the smtp server does not support authentication", None, Some(Stage::Auth)),
    cp("mailkit", "authenticationexception", None, Some(Stage::Auth)),
    cp(
        "dotnet-smtpclient",
        "the smtp server requires a secure connection or the client was not authenticated",
        None,
        None,
    ),
    cp("dotnet-smtpclient", "failure sending mail", None, None),
    cp("thunderbird", "unable to establish a secure link with smtp server", None, Some(Stage::Tls)),
    cp("thunderbird", "sending of the message failed", None, None),
    cp("swaks", "no authentication type succeeded", None, Some(Stage::Auth)),
    cp("swaks", "host did not advertise authentication", None, Some(Stage::Auth)),
    cp("swaks", "host did not advertise starttls", None, Some(Stage::Tls)),
    cp("swaks", "starttls not advertised", None, Some(Stage::Tls)),
    cp("swaks", "could not authenticate", None, Some(Stage::Auth)),
];

static OUTLOOK_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^0-9a-z])(4af4|0x800ccc[0-9a-f]{2}|0x8004[0-9a-f]{4}|0x8007[0-9a-f]{4})(?:[^0-9a-z]|$)",
    )
    .expect("valid pattern")
});

static CURL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"curl: \((\d{1,3})\)\s*(.*)").expect("valid pattern"));

static RESOLVE_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:getaddrinfo (?:ENOTFOUND|EAI_AGAIN) |lookup (?:of )?|could not resolve host:? |unknownhostexception: |name=|resolve host(?:name)? )\x60?([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])",
    )
    .expect("valid pattern")
});

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b|\[([0-9A-Fa-f:.]+)\]:(\d{1,5})\b")
        .expect("valid pattern")
});

/// The line's failure as a proto event, with the stage it belongs to when the event fixes it.
pub(crate) fn event(line: &str) -> Option<(Option<Stage>, EventKind)> {
    if let Some(found) = thunderbird(line) {
        return Some(found);
    }
    let lower = line.to_ascii_lowercase();
    // curl's handshake trace ("TLSv1.3 (IN), TLS handshake, Finished (20):") narrates a handshake
    // going well; only its alerts report a failure.
    if (lower.contains("(in), tls") || lower.contains("(out), tls")) && !lower.contains("tls alert") {
        return None;
    }
    let detail = || detail(line);
    // OpenSMTPD's "Failed to resolve MX for [relay:mysmtp.local,mx]: No MX found for domain": the
    // name it was told to deliver to has no mail host at all (for a `relay via` host, the host
    // name does not resolve; OpenSMTPD issue 639), not a DNS server failing.
    if lower.contains("failed to resolve mx for [relay:") && lower.contains("no mx found for domain") {
        let host = lower
            .split("[relay:")
            .nth(1)
            .and_then(|r| r.split([',', ']']).next())
            .unwrap_or_default()
            .to_owned();
        let failure = ResolveFailure::NoSuchHost;
        return Some((Some(Stage::Resolve), EventKind::ResolveFailed { host, failure, detail: detail() }));
    }
    if let Some(failure) = first(RESOLVE, &RESOLVE_PHRASES, &lower, |f| {
        // "host not found" in Postfix's "Host or domain name not found" is a DNS error; in a
        // Go "lookup ... i/o timeout" the timeout is the resolver's.
        !(f == ResolveFailure::NoSuchHost && lower.contains("try again"))
    })
    .or_else(|| {
        (lower.contains("lookup ") && lower.contains("i/o timeout")).then_some(ResolveFailure::TimedOut)
    }) {
        let host =
            RESOLVE_HOST.captures(line).map(|c| c[1].trim_end_matches('.').to_owned()).unwrap_or_default();
        return Some((Some(Stage::Resolve), EventKind::ResolveFailed { host, failure, detail: detail() }));
    }
    if let Some(failure) = first(TLS, &TLS_PHRASES, &lower, |_| true) {
        return Some((
            Some(Stage::Tls),
            EventKind::TlsFailed { failure, detail: detail(), certificates: Vec::new() },
        ));
    }
    let connect_words = ["connect", "dial tcp", "could not connect", "failed to connect"];
    let connecting = connect_words.iter().any(|w| lower.contains(w));
    let connect = first(CONNECT, &CONNECT_PHRASES, &lower, |_| true).or_else(|| {
        // `timeout=300` (PHPMailer's "Connection: opening to ..., timeout=300") is a setting.
        let timeout_word = lower
            .match_indices("timeout")
            .any(|(at, w)| !lower[at + w.len()..].trim_start().starts_with(['=', ':']));
        (connecting && (lower.contains("timed out") || lower.contains("i/o timeout") || timeout_word))
            .then_some(ConnectFailure::TimedOut)
    });
    // "Greeting never received" carries code ETIMEDOUT in nodemailer but is a banner timeout.
    let banner_wait = first(TIMEOUTS, &TIMEOUTS_PHRASES, &lower, |s| s == Some(Stage::Banner)).flatten();
    if let (Some(failure), None) = (connect, banner_wait) {
        return Some((
            Some(Stage::Connect),
            EventKind::ConnectFailed { address: address(line), failure, detail: detail() },
        ));
    }
    // Exim's "retry timeout exceeded" is its queue giving up, not a network wait.
    if let Some(stage) = first(TIMEOUTS, &TIMEOUTS_PHRASES, &lower, |_| true)
        .filter(|_| !lower.contains("retry timeout exceeded"))
    {
        let after_ms = after_ms(&lower);
        let waiting_for = if stage == Some(Stage::Banner) { "banner" } else { "reply" };
        return Some((stage, EventKind::TimedOut { waiting_for: waiting_for.into(), after_ms }));
    }
    if let Some(reason) = first(CLOSED, &CLOSED_PHRASES, &lower, |_| true) {
        return Some((None, EventKind::Closed { reason }));
    }
    None
}

/// Thunderbird's own sentences for a send that failed below SMTP (messengercompose.ftl:
/// `send-error-smtp-unknown-server`, `-request-refused`, `-timeout`, `-interrupted`), in the
/// languages its users paste most (en, it, de, fr, es, nl). Thunderbird picks the sentence from the
/// network error: an unknown host, a refused connection, a time-out, a connection lost mid-way.
fn thunderbird(line: &str) -> Option<(Option<Stage>, EventKind)> {
    enum What {
        UnknownHost,
        Refused,
        TimedOut,
        Interrupted,
    }
    static SENTENCES: LazyLock<Vec<(Regex, What)>> = LazyLock::new(|| {
        let re = |p: &str| Regex::new(&format!("(?i){p}")).expect("valid pattern");
        vec![
            (
                re(
                    r"outgoing server \(smtp\) (?P<host>\S{1,100}) is unknown|server posta in uscita \(smtp\) (?P<host_it>\S{1,100}) sconosciuto|smtp-server (?P<host_de>\S{1,100}) ist unbekannt|serveur sortant \(smtp\) « ?(?P<host_fr>[^ »]{1,100}) ?» est inconnu|servidor de salida \(smtp\) (?P<host_es>\S{1,100}) es desconocido",
                ),
                What::UnknownHost,
            ),
            (
                re(
                    r"connecting to outgoing server \(smtp\) \S{1,100} failed|connessione al server in uscita \(smtp\) \S{1,100} non è riuscita|verbindungsaufbau mit dem smtp-server \S{1,100} fehlgeschlagen|la connexion au serveur sortant \(smtp\) .{1,104} a échoué|ha fallado la conexión al servidor de salida \(smtp\)|het verbinden met uitgaande \(smtp-\)server \S{1,100} is mislukt",
                ),
                What::Refused,
            ),
            (
                re(
                    r"connection to outgoing server \(smtp\) \S{1,100} timed out|connessione al server di posta in uscita \(smtp\) \S{1,100} è scaduta|verbindung mit dem smtp-server \S{1,100} ihre ablaufzeit|connexion au serveur sortant \(smtp\) .{1,104} a expiré|ha caducado la conexión al servidor de salida \(smtp\)|wachttijd voor de verbinding met uitgaande \(smtp-\)server \S{1,100} is verlopen",
                ),
                What::TimedOut,
            ),
            (
                re(
                    r"was lost in the middle of the transaction|è stata interrotta durante la trasmissione|mitten in der transaktion verloren|a été perdue pendant la transaction|se perdió en mitad de la transacción|in het midden van de transactie werd verbroken",
                ),
                What::Interrupted,
            ),
        ]
    });
    let (c, what) = SENTENCES.iter().find_map(|(re, what)| re.captures(line).map(|c| (c, what)))?;
    let detail = detail(line);
    Some(match what {
        What::UnknownHost => {
            let host = ["host", "host_it", "host_de", "host_fr", "host_es"]
                .iter()
                .find_map(|n| c.name(n))
                .map(|m| m.as_str().trim_end_matches(['.', ',']).to_owned())
                .unwrap_or_default();
            (
                Some(Stage::Resolve),
                EventKind::ResolveFailed { host, failure: ResolveFailure::NoSuchHost, detail },
            )
        }
        What::Refused => (
            Some(Stage::Connect),
            EventKind::ConnectFailed { address: address(line), failure: ConnectFailure::Refused, detail },
        ),
        What::TimedOut => (
            Some(Stage::Connect),
            EventKind::ConnectFailed { address: address(line), failure: ConnectFailure::TimedOut, detail },
        ),
        What::Interrupted => (None, EventKind::Closed { reason: CloseReason::PeerClosed }),
    })
}

/// A failure a server's reply quotes from its own attempt further on (Exchange Online's "450
/// 4.7.320 Certificate validation failed ... SubjectMismatch", "450 4.4.316 Connection refused",
/// "451 4.4.0 DNS query failed"): a TLS, name-resolution or connection failure, as that event.
pub(crate) fn quoted_failure(text: &str) -> Option<(Option<Stage>, EventKind)> {
    let lower = text.to_ascii_lowercase();
    let detail = || detail(text);
    if let Some(failure) = first(TLS, &TLS_PHRASES, &lower, |f| f != TlsFailure::Other) {
        return Some((
            Some(Stage::Tls),
            EventKind::TlsFailed { failure, detail: detail(), certificates: Vec::new() },
        ));
    }
    if let Some(failure) = first(RESOLVE, &RESOLVE_PHRASES, &lower, |_| true) {
        let host = String::new();
        return Some((Some(Stage::Resolve), EventKind::ResolveFailed { host, failure, detail: detail() }));
    }
    let failure = first(CONNECT, &CONNECT_PHRASES, &lower, |f| f == ConnectFailure::Refused)?;
    Some((
        Some(Stage::Connect),
        EventKind::ConnectFailed { address: address(text), failure, detail: detail() },
    ))
}

/// A step or transcript line of mailprobe's own report (`✗ Encryption (TLS)  22 ms  cert_untrusted:
/// ...`, `   34  tls  not_tls: ...`, `✗ Greeting  0 ms  no banner after 5000 ms`): the failure it
/// names, as the event the probe recorded, so a report pasted back is explained like the probe.
pub(crate) fn own_report_line(line: &str) -> Option<(Option<Stage>, EventKind)> {
    use serde::Deserialize as _;
    use serde::de::value::{Error, StrDeserializer};
    static OWN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[✓✗!]\s+(?P<label>.+?)\s+\d+ ms|\d+\s+(?P<stage>[a-z_]+))\s+(?P<what>.+)$")
            .expect("valid pattern")
    });
    static CLASSED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?P<class>[a-z_]+): (?P<detail>.+)$").expect("valid pattern"));
    static WAITED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^no (?:banner|IMAP greeting|greeting) after (?P<ms>\d+) ms").expect("valid pattern")
    });
    let c = OWN.captures(line)?;
    let place = c.name("label").or_else(|| c.name("stage")).map_or("", |m| m.as_str()).to_ascii_lowercase();
    let what = c.name("what")?.as_str().trim();
    if let Some(w) = WAITED.captures(what) {
        let after_ms = w["ms"].parse().unwrap_or(0);
        return Some((Some(Stage::Banner), EventKind::TimedOut { waiting_for: "banner".into(), after_ms }));
    }
    if let Some(reason) = what.strip_prefix("connection ") {
        let reason = CloseReason::deserialize(StrDeserializer::<Error>::new(reason)).ok()?;
        return Some((None, EventKind::Closed { reason }));
    }
    let k = CLASSED.captures(what)?;
    let (class, detail) = (&k["class"], k["detail"].to_owned());
    fn named(s: &str) -> StrDeserializer<'_, Error> {
        StrDeserializer::new(s)
    }
    let resolving = place.contains("dns") || place.contains("resolve");
    if let Ok(failure) = TlsFailure::deserialize(named(class)) {
        return Some((Some(Stage::Tls), EventKind::TlsFailed { failure, detail, certificates: Vec::new() }));
    }
    if resolving && let Ok(failure) = ResolveFailure::deserialize(named(class)) {
        return Some((
            Some(Stage::Resolve),
            EventKind::ResolveFailed { host: String::new(), failure, detail },
        ));
    }
    let failure = ConnectFailure::deserialize(named(class)).ok()?;
    Some((Some(Stage::Connect), EventKind::ConnectFailed { address: address(line), failure, detail }))
}

/// The first entry of a table whose phrases occur in the lower-cased line and that `keep` accepts.
fn first<T: Copy>(
    table: &[(T, &[&str])],
    phrases: &Phrases,
    lower: &str,
    keep: impl Fn(T) -> bool,
) -> Option<T> {
    phrases.first(lower, |i| keep(table[i].0)).map(|i| table[i].0)
}

/// A client-side error named on the line, from `patterns`.
/// The program the line names, when it prints this phrase too: two programs share "Could not
/// connect to SMTP host" (PHPMailer and JavaMail), and `javax.mail` on the line says which.
pub(crate) fn also_says(named: Option<&'static str>, phrase: &str) -> Option<&'static str> {
    named.filter(|named| {
        CLIENT_FIRST_PATTERNS.iter().chain(CLIENT_PATTERNS).any(|p| p.program == *named && p.phrase == phrase)
    })
}

pub(crate) fn client_error(line: &str, table: &'static ClientPatterns) -> Option<&'static ClientPattern> {
    let lower = line.to_ascii_lowercase();
    table.phrases.first(&lower, |_| true).map(|i| &table.patterns[i])
}

/// Outlook's own error codes on the line (`4af4`, `0x800CCC0E`), normalised: hex digits
/// upper-case after `0x`, `4af4` lower-case as Outlook shows it.
pub(crate) fn outlook_codes(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in OUTLOOK_CODE.captures_iter(line) {
        let raw = &c[1];
        let code = if raw.len() > 4 {
            format!("0x{}", raw[2..].to_ascii_uppercase())
        } else {
            raw.to_ascii_lowercase()
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// curl's `curl: (NN) message`: the exit code and the message.
pub(crate) fn curl(line: &str) -> Option<(String, String)> {
    CURL.captures(line).map(|c| (c[1].to_owned(), c[2].trim().to_owned()))
}

/// The stage a curl exit code belongs to when its message says nothing more precise.
pub(crate) fn curl_stage(code: &str) -> Option<Stage> {
    match code {
        "6" => Some(Stage::Resolve),
        "7" => Some(Stage::Connect),
        "35" | "60" | "64" | "58" | "59" | "77" | "80" | "83" | "90" | "91" => Some(Stage::Tls),
        "67" => Some(Stage::Auth),
        _ => None,
    }
}

/// The socket address on the line, or the unspecified address when it names none.
pub(crate) fn address(line: &str) -> SocketAddr {
    ADDRESS
        .captures(line)
        .and_then(|c| {
            let (ip, port) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                (Some(ip), Some(port), _, _) | (_, _, Some(ip), Some(port)) => (ip.as_str(), port.as_str()),
                _ => return None,
            };
            Some(SocketAddr::new(ip.parse::<IpAddr>().ok()?, port.parse().ok()?))
        })
        .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0))
}

/// How long a wait lasted, when the line says (`after 30000 ms`, `after 30 seconds`).
fn after_ms(lower: &str) -> u64 {
    static AFTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:after|in) (\d{1,9}) ?(ms|milliseconds|s|sec|seconds)\b").expect("valid pattern")
    });
    AFTER
        .captures(lower)
        .and_then(|c| {
            let n: u64 = c[1].parse().ok()?;
            Some(if c[2].starts_with('m') { n } else { n.saturating_mul(1000) })
        })
        .unwrap_or(0)
}

/// The line as a failure's detail: trimmed, capped, secrets cut.
pub(crate) fn detail(line: &str) -> String {
    let scrubbed = super::redact::scrub(line);
    let t = scrubbed.trim();
    if t.chars().count() > MAX_DETAIL {
        t.chars().take(MAX_DETAIL).chain(['…']).collect()
    } else {
        t.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> String {
        match event(line) {
            Some((_, EventKind::TlsFailed { failure, .. })) => format!("tls {failure:?}"),
            Some((_, EventKind::ConnectFailed { failure, .. })) => format!("connect {failure:?}"),
            Some((_, EventKind::ResolveFailed { failure, host, .. })) => {
                format!("resolve {failure:?} {host}")
            }
            Some((stage, EventKind::TimedOut { .. })) => format!("timeout {stage:?}"),
            Some((_, EventKind::Closed { reason })) => format!("closed {reason:?}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn mailprobes_own_report_lines() {
        let kind = |l: &str| own_report_line(l).map(|(_, k)| k);
        assert!(matches!(
            kind(
                "  ✗ Encryption (TLS)         22 ms  cert_untrusted: invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))"
            ),
            Some(EventKind::TlsFailed { failure: TlsFailure::CertUntrusted, .. })
        ));
        assert!(matches!(
            kind("      34  tls          cert_hostname_mismatch: invalid peer certificate: NotValidForName"),
            Some(EventKind::TlsFailed { failure: TlsFailure::CertHostnameMismatch, .. })
        ));
        assert!(matches!(
            kind("  ✗ Greeting         0 ms  no banner after 5000 ms"),
            Some(EventKind::TimedOut { after_ms: 5000, .. })
        ));
        assert!(matches!(
            kind("  ✗ DNS lookup       0 ms  no_such_host: no records found"),
            Some(EventKind::ResolveFailed { failure: ResolveFailure::NoSuchHost, .. })
        ));
        assert!(matches!(
            kind("  ✗ Connection    3001 ms  timed_out: connect to 192.0.2.1:587 timed out"),
            Some(EventKind::ConnectFailed { failure: ConnectFailure::TimedOut, .. })
        ));
        assert!(matches!(
            kind("  ✗ Greeting         0 ms  connection peer_closed"),
            Some(EventKind::Closed { reason: CloseReason::PeerClosed })
        ));
        assert_eq!(kind("  ✓ Connection  0 ms  connected to 127.0.0.1:25"), None);
    }

    #[test]
    fn tls_failures() {
        let cases = [
            ("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1129)", "tls NotTls"),
            ("curl: (35) error:0A00010B:SSL routines::wrong version number", "tls NotTls"),
            ("tls: first record does not look like a TLS handshake", "tls NotTls"),
            ("Connection error: received corrupt message of type InvalidContentType", "tls NotTls"),
            (
                "'TLS client: In state hello received UNDEFINED ALERT: Fatal - Unexpected Message\\n'}}}",
                "tls NotTls",
            ),
            (
                "[notice] TLS :client: In state :wait_cert_cr at ssl_handshake.erl:2113 generated CLIENT ALERT: Fatal - Bad Certificate",
                "tls CertInvalid",
            ),
            ("javax.net.ssl.SSLException: Unsupported or unrecognized SSL message", "tls NotTls"),
            ("error:0A000102:SSL routines::unsupported protocol", "tls HandshakeRejected"),
            (
                "ssl.SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version",
                "tls ProtocolVersion",
            ),
            (
                "javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)",
                "tls HandshakeRejected",
            ),
            ("remote error: tls: protocol version not supported", "tls ProtocolVersion"),
            (
                "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate (_ssl.c:1007)",
                "tls CertUntrusted",
            ),
            (
                "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)",
                "tls CertExpired",
            ),
            (
                "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'smtp.example.com'. (_ssl.c:1129)",
                "tls CertHostnameMismatch",
            ),
            ("x509: certificate signed by unknown authority", "tls CertUntrusted"),
            (
                "tls: failed to verify certificate: x509: certificate is valid for mx.a.example, not smtp.b.example",
                "tls CertHostnameMismatch",
            ),
            (
                "x509: certificate has expired or is not yet valid: current time 2024-01-01T00:00:00Z is after 2023-12-01T00:00:00Z",
                "tls CertExpired",
            ),
            (
                "sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
                "tls CertUntrusted",
            ),
            (
                "Error: Hostname/IP does not match certificate's altnames: Host: smtp.example.com. is not in the cert's altnames: DNS:mail.example.net",
                "tls CertHostnameMismatch",
            ),
            ("Error: self-signed certificate in certificate chain", "tls CertUntrusted"),
            (
                "curl: (60) SSL certificate problem: unable to get local issuer certificate",
                "tls CertUntrusted",
            ),
            (
                "System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure.",
                "tls CertUntrusted",
            ),
            (
                "ssl.SSLError: [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)",
                "tls HandshakeRejected",
            ),
            ("ssl.SSLEOFError: EOF occurred in violation of protocol (_ssl.c:1129)", "tls ConnectionLost"),
            ("javax.mail.MessagingException: Could not convert socket to TLS;", "tls Other"),
            (
                "MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.",
                "tls Other",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(kind(line), want, "{line}");
        }
        // curl's trace of a handshake that worked is no failure; its alerts are.
        assert_eq!(kind("* TLSv1.3 (IN), TLS handshake, Newsession Ticket (4):"), "None");
        assert_eq!(kind("* TLSv1.3 (OUT), TLS handshake, Finished (20):"), "None");
        assert_eq!(kind("* TLSv1.3 (IN), TLS alert, unknown CA (560):"), "tls CertUntrusted");
    }

    #[test]
    fn connection_and_dns_failures() {
        let cases = [
            ("ConnectionRefusedError: [Errno 111] Connection refused", "connect Refused"),
            ("Error: connect ECONNREFUSED 127.0.0.1:587", "connect Refused"),
            ("dial tcp 192.0.2.1:25: connect: connection refused", "connect Refused"),
            (
                "No connection could be made because the target machine actively refused it 127.0.0.1:25",
                "connect Refused",
            ),
            ("dial tcp 192.0.2.1:25: i/o timeout", "connect TimedOut"),
            ("java.net.SocketTimeoutException: connect timed out", "connect TimedOut"),
            ("Error: Connection timeout", "connect TimedOut"),
            (
                "curl: (28) Failed to connect to smtp.example.com port 25 after 75002 ms: Timed out",
                "connect TimedOut",
            ),
            ("OSError: [Errno 101] Network is unreachable", "connect Unreachable"),
            ("socket.gaierror: [Errno -2] Name or service not known", "resolve NoSuchHost "),
            (
                "Oct  7 00:40:41 host smtpd[8204]: smtp-out: Failed to resolve MX for [relay:mysmtp.local,mx]: No MX found for domain",
                "resolve NoSuchHost mysmtp.local",
            ),
            ("Error: getaddrinfo ENOTFOUND smtp.gmial.com", "resolve NoSuchHost smtp.gmial.com"),
            ("dial tcp: lookup smtp.gmial.com: no such host", "resolve NoSuchHost smtp.gmial.com"),
            (
                "dial tcp: lookup smtp.example.com on 127.0.0.53:53: read udp 127.0.0.1:40000->127.0.0.53:53: i/o timeout",
                "resolve TimedOut smtp.example.com",
            ),
            ("socket.gaierror: [Errno -3] Temporary failure in name resolution", "resolve TimedOut "),
            ("curl: (6) Could not resolve host: smtp.gmial.com", "resolve NoSuchHost smtp.gmial.com"),
            ("java.net.UnknownHostException: smtp.gmial.com", "resolve NoSuchHost smtp.gmial.com"),
            ("Error: Greeting never received", "timeout Some(Banner)"),
            ("java.net.SocketTimeoutException: Read timed out", "timeout None"),
            ("TimeoutError: timed out", "timeout None"),
            ("ConnectionResetError: [Errno 104] Connection reset by peer", "closed Reset"),
            ("smtplib.SMTPServerDisconnected: Connection unexpectedly closed", "closed PeerClosed"),
            (
                "System.IO.IOException: Unable to read data from the transport connection: net_io_connectionclosed.",
                "closed PeerClosed",
            ),
            ("nothing to see here", "None"),
        ];
        for (line, want) in cases {
            assert_eq!(kind(line), want, "{line}");
        }
    }

    #[test]
    fn addresses_codes_and_curl() {
        assert_eq!(address("connect ECONNREFUSED 127.0.0.1:587").to_string(), "127.0.0.1:587");
        assert_eq!(address("to [2001:db8::1]:25 failed").to_string(), "[2001:db8::1]:25");
        assert_eq!(address("no address").to_string(), "0.0.0.0:0");
        assert_eq!(outlook_codes("Error 4AF4 and 0x800ccc0e, again 4af4"), ["4af4", "0x800CCC0E"]);
        assert!(outlook_codes("a4af45 0x800ccc").is_empty());
        assert_eq!(curl("curl: (67) Login denied"), Some(("67".into(), "Login denied".into())));
        assert_eq!(
            client_error("SMTP Error: Could not authenticate.", &CLIENT).map(|p| p.program),
            Some("phpmailer")
        );
        assert_eq!(after_ms("failed after 75002 ms: timed out"), 75002);
    }
}
