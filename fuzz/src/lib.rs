//! The entry functions of mailprobe's fuzz targets, one per parser that reads bytes from
//! outside. Each takes the fuzzer's bytes, drives the parser the way mailprobe does (through
//! public APIs only) and asserts what must hold whatever the bytes: no panic, bounded output,
//! and the same answer however the bytes were split into reads.
//!
//! The targets in `fuzz_targets/` call these; `crates/mailprobe/tests/fuzz_seeds.rs` includes
//! this file and replays the seeds in `seeds/` and the crashes kept in `regressions/` through
//! them on the stable toolchain, so CI checks every seed without nightly. The DNS readers are
//! private to mailprobe-net: their entry function is `mailprobe_net::fuzzing::dns_answers`,
//! replayed by that crate's own test.

use std::io::Read;

use flate2::read::MultiGzDecoder;
use mailprobe_logs::analyze::{self, ChunkReader, DETECT_BYTES, LogFormat, LogSession, Stitcher};
use mailprobe_logs::paste::{self, MAX_EVENTS, Options};
use mailprobe_proto::imap::{ImapResponse, MAX_IMAP_LINE};
use mailprobe_proto::{
    CertificateInfo, Context, EhloCapabilities, Endpoint, EnhancedCode, EventKind, HelloAnswer, LineReader,
    MAX_LINE_LEN, MAX_REPLY_LINES, PeerBytes, Protocol, Reply, ReplyError, ReplyParser, Role, Security,
    Stage, TokenExpectations, Transcript, alert_name, assess_chain, choose_mechanism, decode_challenge,
    inspect_token, name_matches, preview_bytes, unix_from_rfc3339,
};

/// The longest line the binary's `analyze` keeps whole (`MAX_LINE` in its `input.rs`).
pub const ANALYZE_MAX_LINE: usize = 64 * 1024;
/// The most bytes a gzip stream is inflated to here: past the 64 KiB of format detection and
/// the 64 KiB line limit, and small enough that a bomb costs milliseconds, not seconds (the
/// binary itself streams any size through bounded buffers).
pub const GZIP_MAX_OUTPUT: u64 = 256 << 10;
/// A fixed "now" (2026-11-24T10:00:00Z) for checks that compare with the clock.
const NOW: i64 = 1_795_514_400;

/// The sizes of the reads a peer's bytes arrive in: cycles through 1..=`seed` + 1, so one input
/// is fed whole, byte by byte, or in uneven pieces.
fn reads(bytes: &[u8], seed: u8) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    let mut n = 0usize;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n += 1;
        let size = if seed == 0 { rest.len() } else { 1 + (n * 7) % (usize::from(seed) + 1) };
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        Some(piece)
    })
}

/// What an SMTP reply parser made of a stream: its replies, then how it stopped.
#[derive(Debug, PartialEq)]
struct Parsed {
    replies: Vec<Reply>,
    refused: Option<PeerBytes>,
}

fn parse_replies<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> Parsed {
    let mut parser = ReplyParser::new();
    let mut replies = Vec::new();
    for piece in pieces {
        parser.feed(piece);
        loop {
            match parser.next_reply() {
                Ok(Some(reply)) => replies.push(reply),
                Ok(None) => break,
                Err(ReplyError::NotSmtp { preview, looks_like }) => {
                    // 64 characters, each at most `\xNN`, and an ellipsis
                    assert!(preview.chars().count() <= 4 * 64 + 1, "preview too long: {preview:?}");
                    return Parsed { replies, refused: Some(looks_like) };
                }
            }
        }
    }
    let _ = (parser.has_partial(), parser.buffered().len());
    Parsed { replies, refused: None }
}

fn check_reply(reply: &Reply) {
    assert!((200..600).contains(&reply.code), "code {}", reply.code);
    assert!(!reply.lines.is_empty());
    assert!(reply.lines.len() <= MAX_REPLY_LINES, "{} lines kept", reply.lines.len());
    // a cut line keeps MAX_LINE_LEN bytes; U+FFFD for invalid bytes may triple them
    assert!(reply.lines.iter().all(|l| l.len() <= 3 * MAX_LINE_LEN && !l.contains('\n')));
    let _ = (reply.message(), reply.to_string(), reply.is_failure(), reply.is_intermediate());
    let wire = reply.wire_lines();
    assert_eq!(wire.len(), reply.lines.len());
    if let Some(code) = reply.enhanced {
        assert_eq!(code.to_string().parse::<EnhancedCode>().ok(), Some(code));
    }
    for line in &reply.lines {
        let _ = EnhancedCode::find_in(line);
    }
}

/// SMTP replies (`ReplyParser`, as the probe and the relay read a server): any bytes, fed in
/// reads of any size. The first byte picks the read sizes; the replies and how the parser
/// stopped must not depend on them.
pub fn smtp_reply(data: &[u8]) {
    let Some((&seed, bytes)) = data.split_first() else { return };
    let whole = parse_replies(std::iter::once(bytes));
    whole.replies.iter().for_each(check_reply);
    let pieces = parse_replies(reads(bytes, seed));
    assert_eq!(whole, pieces, "the replies depend on how the bytes were read");
    let _ = (PeerBytes::classify(bytes), preview_bytes(bytes, 64));
}

/// EHLO capabilities (`EhloCapabilities::from_reply`) of any reply the parser reads, and the
/// mechanism chosen from what is offered.
pub fn ehlo(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else { return };
    for reply in parse_replies(std::iter::once(bytes)).replies {
        let caps = EhloCapabilities::from_reply(&reply);
        assert!(caps.auth.len() <= caps_words(&reply));
        let _ = caps.masked_keywords();
        for mech in &caps.auth {
            assert!(caps.offers(mech));
            let _ = (mech.name(), mech.uses_password(), mech.uses_token(), mech.to_string());
        }
        if let Some(chosen) = choose_mechanism(&caps.auth, flags & 1 == 1) {
            assert!(caps.auth.contains(&chosen), "chose {chosen} not offered");
        }
        let _ = serde_json::to_string(&caps).expect("capabilities serialize");
    }
}

fn caps_words(reply: &Reply) -> usize {
    reply.lines.iter().map(|l| l.split_ascii_whitespace().count() + 1).sum()
}

const MECHANISMS: [&str; 5] = ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5"];

/// SASL challenges: the text of a 334 reply decoded (`decode_challenge`, as the probe and the
/// knowledge base read it), and the whole exchange read by the knowledge base's observations,
/// which take OAuth error documents out of decoded challenges. The first byte picks the
/// mechanism that was started; the rest is what the server answered.
pub fn sasl(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let mechanism = MECHANISMS[usize::from(pick) % MECHANISMS.len()];
    let text = String::from_utf8_lossy(bytes);
    for line in text.lines() {
        if let Some(decoded) = decode_challenge(line) {
            // base64 never decodes to more bytes than it has
            assert!(decoded.len() <= line.len());
        }
    }
    // the server's answers, as the parser reads them (a challenge arrives as `334 ...`)
    let mut answers = parse_replies(std::iter::once(bytes)).replies;
    if answers.is_empty() {
        answers.push(Reply::new(334, text.lines().take(MAX_REPLY_LINES)));
    }
    let endpoint = Endpoint { host: "smtp.example.test".into(), port: 587, security: Security::Starttls };
    let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint.clone());
    t.push(0, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["smtp.example.test ESMTP"]) });
    t.push(1, Stage::Ehlo, EventKind::Sent { line: "EHLO client.example.test".into() });
    let ehlo = Reply::new(250, ["smtp.example.test".to_owned(), format!("AUTH {mechanism}")]);
    t.push(2, Stage::Ehlo, EventKind::Received { reply: ehlo });
    t.push(3, Stage::Auth, EventKind::Sent { line: format!("AUTH {mechanism} <redacted>") });
    for (i, reply) in answers.into_iter().enumerate() {
        t.push(4 + i as u64, Stage::Auth, EventKind::Received { reply });
        t.push(5 + i as u64, Stage::Auth, EventKind::Sent { line: "<redacted: response>".into() });
    }
    let context = Context {
        host: endpoint.host,
        port: endpoint.port,
        user: Some("alice@example.test".into()),
        has_password: !mechanism.starts_with('X') && !mechanism.starts_with('O'),
        has_token: mechanism.starts_with('X') || mechanism.starts_with('O'),
        ..Context::default()
    };
    let _ = mailprobe_kb::observe(&context, &[t]);
}

/// The TLS ServerHello reader (`read_hello_answer`): given the bytes received so far, as the
/// version probe calls it after every read. Once it answers, more bytes must not change the
/// answer: what the probe reports must not depend on how the server's bytes were split.
pub fn tls_hello(data: &[u8]) {
    let mut decided: Option<(usize, HelloAnswer)> = None;
    // the probe gives up after 4096 bytes without an answer
    for end in 0..=data.len().min(4096 + 64) {
        let answer = mailprobe_proto::read_hello_answer(&data[..end]);
        if let HelloAnswer::Alert { description, .. } = answer {
            let _ = alert_name(description);
        }
        match decided {
            None if answer != HelloAnswer::Incomplete => decided = Some((end, answer)),
            Some((at, first)) => {
                assert_eq!(answer, first, "answered {first:?} after {at} bytes, {answer:?} after {end}")
            }
            None => {}
        }
    }
}

/// Certificates (`mailprobe_net::certificate_info` on any DER, as the probe reads the chain a
/// server sent), then what is judged from them: the name and dates of the chain.
pub fn certificate(data: &[u8]) {
    let info = mailprobe_net::certificate_info(data);
    assert_eq!(info.sha256.len(), 64);
    check_certificate(&info);
    // a chain of this certificate and the same bytes read as a second one
    let second = mailprobe_net::certificate_info(data.get(data.len() / 2..).unwrap_or_default());
    for host in ["mail.example.test", "xn--bcher-kva.example", "192.0.2.1", "[2001:db8::1]", ""] {
        let _ = assess_chain(&[info.clone(), second.clone()], host, NOW);
    }
    let _ = serde_json::to_string(&info).expect("certificate info serializes");
}

fn check_certificate(info: &CertificateInfo) {
    for name in &info.names {
        let _ = name_matches(name, "mail.example.test");
        let _ = name_matches(name, name);
    }
    for t in [&info.not_before, &info.not_after] {
        let _ = unix_from_rfc3339(t);
    }
}

/// IMAP responses: the lines a server sends (`LineReader` with the IMAP line limit, each line
/// read lossily and parsed by `ImapResponse::parse`, as the IMAP probe does), fed in reads of
/// any size (first byte); a continuation's text is decoded as a SASL challenge. The lines must
/// not depend on the reads.
pub fn imap(data: &[u8]) {
    let Some((&seed, bytes)) = data.split_first() else { return };
    let read = |pieces: &mut dyn Iterator<Item = &[u8]>| {
        let mut reader = LineReader::new(MAX_IMAP_LINE);
        let mut lines = Vec::new();
        for piece in pieces {
            reader.feed(piece);
            while let Some(line) = reader.next_line() {
                assert!(line.bytes.len() <= MAX_IMAP_LINE);
                lines.push(line);
            }
        }
        lines
    };
    let whole = read(&mut std::iter::once(bytes));
    assert_eq!(whole, read(&mut reads(bytes, seed)), "the lines depend on how the bytes were read");
    if let Some(first) = whole.first() {
        let _ = (PeerBytes::classify(&first.bytes), preview_bytes(&first.bytes, 64));
    }
    for line in &whole {
        let text = String::from_utf8_lossy(&line.bytes);
        let Some(response) = ImapResponse::parse(&text) else { continue };
        let _ = response.capabilities();
        if let ImapResponse::Continuation(challenge) = &response {
            let _ = decode_challenge(challenge);
        }
    }
}

/// The paste recognizer (`paste::parse` with default options, as `explain` reads what a person
/// pastes): bounded whatever the input.
pub fn paste(data: &[u8]) {
    let pasted = paste::parse(data, &Options::default());
    for t in &pasted.transcripts {
        assert!(t.events.len() <= MAX_EVENTS, "{} events", t.events.len());
        let _ = t.steps();
    }
    assert!(pasted.lines <= paste::MAX_LINES + 1, "{} lines", pasted.lines);
    let _ = (pasted.recognised(), pasted.context(None), pasted.context(Some("gmail")));
}

/// Every log reader of `analyze`: the first byte picks the format (`--input-format`, or
/// detection from the head as without it), the second how many lines each chunk of a Postfix
/// log has; the rest is the log.
pub fn analyze(data: &[u8]) {
    let [pick, split, log @ ..] = data else { return };
    let formats = LogFormat::ALL.len();
    let forced = LogFormat::ALL.get(usize::from(*pick) % (formats + 1)).copied();
    read_log(log, forced, Some(*split));
}

/// gzip input: a stream `analyze` reads as its file or standard input, inflated (every member,
/// as `MultiGzDecoder`) when it starts with the gzip magic, else read as it is; the format is
/// detected from the head, the log read (its reading in chunks is the `analyze` target's).
pub fn gzip(data: &[u8]) {
    let log = if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // a corrupt stream ends the input where it breaks, as a read error would
        let _ = MultiGzDecoder::new(data).take(GZIP_MAX_OUTPUT).read_to_end(&mut out);
        out
    } else {
        data.to_vec()
    };
    read_log(&log, None, None);
}

/// Calls `line` with each line of `bytes` numbered from `before + 1`, as `analyze` cuts them:
/// at `\n`, a `\r` before it dropped, a line longer than [`ANALYZE_MAX_LINE`] cut.
fn each_line<'a>(bytes: &'a [u8], before: u64, mut line: impl FnMut(u64, &'a [u8])) -> u64 {
    let mut number = before;
    let mut pieces = bytes.split(|&b| b == b'\n').peekable();
    while let Some(l) = pieces.next() {
        if l.is_empty() && pieces.peek().is_none() {
            break; // after the last `\n`
        }
        number += 1;
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        line(number, &l[..l.len().min(ANALYZE_MAX_LINE)]);
    }
    number - before
}

/// Reads a log as `analyze` does: the format forced or detected from the first 64 KiB (else a
/// dialogue); every session built and read. With `split`, a log that can be split (Postfix) is
/// also read in chunks of `split` + 1 lines, numbered as the parsing threads number them and
/// stitched in order: the sessions must be those of one reader reading it whole, and those of
/// an eager reader.
pub fn read_log(bytes: &[u8], forced: Option<LogFormat>, split: Option<u8>) {
    let detected = match forced {
        Some(_) => None,
        None => analyze::detect(&bytes[..bytes.len().min(DETECT_BYTES)]),
    };
    let format = forced.or(detected).unwrap_or(LogFormat::Dialogue);
    let _ = (format.name().parse::<LogFormat>(), format.is_server_log());
    let mut whole = Vec::new();
    let mut parser = analyze::deferring_parser_for(format);
    each_line(bytes, 0, |n, l| parser.line(n, l, &mut whole));
    parser.finish(&mut whole);
    for s in &whole {
        // what a deferred session tells before it is built
        let _ = (s.started(), s.ended(), s.client_ip(), s.client());
    }
    whole.iter_mut().for_each(LogSession::materialize);
    for s in &whole {
        check_session(s);
    }
    let Some(split) = split.filter(|_| format.can_split()) else { return };
    let mut eager = Vec::new();
    let mut parser = analyze::parser_for(format);
    each_line(bytes, 0, |n, l| parser.line(n, l, &mut eager));
    parser.finish(&mut eager);
    assert_eq!(sorted(eager), sorted(whole.clone()), "the eager reader disagrees with the deferring one");
    let chunked = read_in_chunks(bytes, format, usize::from(split) + 1);
    assert_eq!(
        sorted(chunked),
        sorted(whole),
        "chunks of {} lines disagree with the whole",
        u16::from(split) + 1
    );
}

fn check_session(s: &LogSession) {
    assert!(!s.is_deferred());
    assert!(s.meta.first_line <= s.meta.last_line, "{:?}", s.meta);
    let _ = (s.context(None), s.failed_step(), s.transcript.steps());
}

/// A log read as `analyze`'s parsing threads read one they split: chunks of `size` lines, each
/// by a `ChunkReader` (one reused for all, its lines numbered `seq << 32 | n`), their edges
/// stitched in order; then every session moved to the lines of the file.
fn read_in_chunks(bytes: &[u8], format: LogFormat, size: usize) -> Vec<LogSession> {
    let mut reader = ChunkReader::new(format).expect("a format that splits has a chunk reader");
    let mut stitcher = Stitcher::new(format).expect("a format that splits has a stitcher");
    let (mut sessions, mut stitched) = (Vec::new(), Vec::new());
    // the lines before each chunk, to number its lines as the file's
    let mut before: Vec<u64> = Vec::new();
    let lines: Vec<&[u8]> = {
        let mut v = Vec::new();
        each_line(bytes, 0, |_, l| v.push(l));
        v
    };
    for (seq, chunk) in lines.chunks(size).enumerate() {
        before.push((seq * size) as u64);
        for (i, line) in chunk.iter().enumerate() {
            reader.line(((seq as u64) << 32) + i as u64 + 1, line, &mut sessions);
        }
        stitcher.stitch(reader.edges(), &mut stitched);
    }
    sessions.extend(stitched.into_iter().map(|(_, s)| s));
    stitcher.finish(&mut sessions);
    let line_of = |n: u64| {
        let seq = usize::try_from(n >> 32).unwrap_or(usize::MAX);
        before.get(seq).map_or(n, |b| b + (n & u64::from(u32::MAX)))
    };
    for s in &mut sessions {
        s.materialize();
        s.meta.renumber(line_of);
    }
    sessions
}

/// Sessions in one order whatever thread ended them, as comparable values.
fn sorted(sessions: Vec<LogSession>) -> Vec<String> {
    let mut v: Vec<String> = sessions
        .into_iter()
        .map(|mut s| {
            s.materialize();
            format!("{:?}\n{:?}\n{:?}", s.meta, s.transcript, s.format)
        })
        .collect();
    v.sort();
    v
}

/// JWT inspection (`inspect_token`, as `auth inspect` and the probe read a token they were
/// given): any text, judged for Microsoft's and Google's mail servers and an unknown one.
pub fn token(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let claims = mailprobe_proto::decode_jwt_claims(&text).map(|m| mailprobe_proto::claims_from_map(&m));
    for (protocol, host) in [
        (Protocol::Smtp, "smtp.office365.com"),
        (Protocol::Imap, "imap.gmail.com"),
        (Protocol::Smtp, "mail.example.test"),
    ] {
        let mut expect = TokenExpectations::for_server(protocol, host, claims.as_ref());
        expect.accounts = vec!["alice@example.test".into()];
        let inspection = inspect_token(&text, NOW, &expect);
        assert_eq!(inspection.claims.is_some(), claims.is_some());
        for p in &inspection.problems {
            let _ = (p.name(), p.suggests_clock_skew());
        }
        let event = mailprobe_proto::Event {
            at_ms: 0,
            stage: Stage::Auth,
            kind: EventKind::TokenInspected { inspection: inspection.clone() },
        };
        let _ = mailprobe_proto::summarize(&event);
        let _ = serde_json::to_string(&inspection).expect("an inspection serializes");
    }
}
