//! Property tests of the reply parser: arbitrary bytes never panic and memory stays bounded;
//! well-formed replies parse the same whatever the chunking, and the same as Stalwart's
//! `smtp-proto` (an independent implementation) where that parser accepts them.

use mailprobe_proto::{EhloCapabilities, MAX_LINE_LEN, MAX_REPLY_LINES, ReplyParser};
use proptest::prelude::*;

fn parse_chunked(input: &[u8], chunk: usize) -> Vec<Result<mailprobe_proto::Reply, String>> {
    let mut p = ReplyParser::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        p.feed(piece);
        loop {
            match p.next_reply() {
                Ok(Some(r)) => out.push(Ok(r)),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e.to_string()));
                    return out;
                }
            }
        }
        assert!(p.buffered().len() <= MAX_LINE_LEN + 1, "buffer grew to {}", p.buffered().len());
    }
    out
}

prop_compose! {
    fn reply_text()(s in "[ -~]{0,80}") -> String { s }
}

prop_compose! {
    fn wire_reply()(code in 200u16..=599, lines in prop::collection::vec(reply_text(), 1..6), crlf in any::<bool>())
        -> (u16, Vec<String>, Vec<u8>) {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut wire = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            wire.extend_from_slice(format!("{code}{sep}{l}").as_bytes());
            wire.extend_from_slice(eol);
        }
        (code, lines, wire)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..4096), chunk in 1usize..64) {
        let _ = parse_chunked(&input, chunk);
    }

    #[test]
    fn line_soup_never_panics(lines in prop::collection::vec("[0-9]{0,4}[ -]?[\\x00-\\xff]{0,40}", 0..40)) {
        let input = lines.join("\r\n").into_bytes();
        for r in parse_chunked(&input, 7).into_iter().flatten() {
            prop_assert!(r.lines.len() <= MAX_REPLY_LINES);
            let _ = EhloCapabilities::from_reply(&r);
            let _ = r.message();
        }
    }

    #[test]
    fn well_formed_replies_parse_the_same_in_any_chunking((code, lines, wire) in wire_reply(), chunk in 1usize..32) {
        let whole = parse_chunked(&wire, wire.len());
        let pieces = parse_chunked(&wire, chunk);
        prop_assert_eq!(&whole, &pieces);
        let reply = whole[0].as_ref().unwrap();
        prop_assert_eq!(reply.code, code);
        prop_assert_eq!(&reply.lines, &lines);
    }

    #[test]
    fn agrees_with_smtp_proto((code, lines, wire) in wire_reply()) {
        let ours = parse_chunked(&wire, wire.len());
        let ours = ours[0].as_ref().unwrap();
        let mut theirs = smtp_proto::response::parser::ResponseReceiver::default();
        if let Ok(r) = theirs.parse(&mut wire.iter()) {
            prop_assert_eq!(r.code, code);
            // smtp-proto reads the enhanced code of the first line only; compare on that line.
            let first_line_code = mailprobe_proto::EnhancedCode::parse_prefix(&lines[0]).map(|(c, _)| c);
            let theirs_code = (r.esc[0] != 0).then(|| format!("{}.{}.{}", r.esc[0], r.esc[1], r.esc[2]));
            if let (Some(ours_first), Some(t)) = (first_line_code, theirs_code) {
                prop_assert_eq!(ours_first.to_string(), t);
            }
            prop_assert_eq!(ours.code, r.code);
        }
    }
}

#[test]
fn enhanced_codes_in_generated_replies() {
    let parsed = parse_chunked(
        b"550-5.7.60 SMTP; Client does not have permissions\r\n550 5.7.60 to send as this sender\r\n",
        3,
    );
    let r = parsed[0].as_ref().unwrap();
    assert_eq!(r.enhanced.unwrap().to_string(), "5.7.60");
    assert_eq!(r.message(), "SMTP; Client does not have permissions to send as this sender");
}
