//! Inputs the fuzz targets in `fuzz/` found wrong (issue 17), kept as tests: each fed as the
//! target fed it. The inputs are also in `fuzz/regressions/TARGET/`.

use mailprobe_proto::dns::spf_with_ip;
use mailprobe_proto::{HelloAnswer, TlsVersion, read_hello_answer};

/// The `tls_hello` target's first find (`fuzz/regressions/tls_hello/crash-97b7ce24...`): a
/// ServerHello whose extensions block claims one byte more than its record holds, followed by
/// the next record. Once the record was whole the reader answered from the legacy version
/// (0x0342); one byte of the next record later it read that byte as the missing extension byte
/// and answered 0x038b instead. What the version probe reports must not depend on how the
/// server's bytes were split into reads: the reader stays inside the record.
#[test]
fn a_server_hello_is_read_inside_its_record_whatever_follows() {
    const INPUT: [u8; 101] = [
        0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x42, 0x03, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x20, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x42, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x32, 0x00, 0x04,
        0x00, 0x1d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x8b, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
    ];
    let record_end = 5 + 0x5a;
    let answers: Vec<HelloAnswer> =
        (record_end..=INPUT.len()).map(|n| read_hello_answer(&INPUT[..n])).collect();
    assert!(answers.iter().all(|a| *a == HelloAnswer::OddVersion([0x03, 0x42])), "{answers:?}");
    assert_eq!(read_hello_answer(&INPUT[..record_end - 1]), HelloAnswer::Incomplete);
}

/// The same holds for a well-formed TLS 1.3 ServerHello: the answer is the same with the
/// record alone and with the next record behind it.
#[test]
fn a_tls13_server_hello_answers_the_same_with_more_bytes_behind_it() {
    let mut body = vec![0x03, 0x03];
    body.extend([0x42; 32]);
    body.extend([0x00, 0x13, 0x01, 0x00]); // no session id, TLS_AES_128_GCM_SHA256, no compression
    body.extend([0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]); // supported_versions: TLS 1.3
    let mut record = vec![0x16, 0x03, 0x03, 0x00, (body.len() + 4) as u8, 0x02, 0x00, 0x00, body.len() as u8];
    record.extend(&body);
    let whole = read_hello_answer(&record);
    assert_eq!(whole, HelloAnswer::Accepted(TlsVersion::Tls13));
    record.extend([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
    assert_eq!(read_hello_answer(&record), whole);
}

/// The `dns` target's first find (`fuzz/regressions/dns/crash-ca80cc17...`): `spf_with_ip` on a
/// TXT answer with nothing in it (`_dmarc.spf.test TXT ` in the input) panicked inserting its
/// term at index 1 of an empty list. A blank record is now treated as no record.
#[test]
fn spf_with_ip_on_a_blank_record_suggests_a_whole_record() {
    for blank in ["", " ", "\t \t"] {
        assert_eq!(spf_with_ip(Some(blank), "192.0.2.1"), "v=spf1 ip4:192.0.2.1 -all", "{blank:?}");
    }
}
