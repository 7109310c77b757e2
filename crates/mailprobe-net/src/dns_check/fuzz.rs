//! The entry of the `dns` fuzz target (`fuzz/`): the readers of DNS answers, which are private
//! to this module, fed answers made of the fuzzer's bytes. A child module reads them without
//! widening their visibility; `crate::fuzzing` re-exports the entry when built with cargo-fuzz's
//! `--cfg fuzzing`, and the test below replays the target's seeds on stable.

#[cfg(any(fuzzing, test))]
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
#[cfg(any(fuzzing, test))]
use std::sync::Arc;
#[cfg(any(fuzzing, test))]
use std::time::Instant;

#[cfg(any(fuzzing, test))]
use mail_auth::common::parse::TxtRecordParser as _;
#[cfg(any(fuzzing, test))]
use mail_auth::{DnssecStatus, MX, RecordSet, ResolverCache, Txt};

#[cfg(any(fuzzing, test))]
use super::{
    Caches, LOOKUP_LIMIT, Spf, Walker, direct_ips, dnsbl_meaning, dnsbls, fqdn, is_spf, mx_report,
    organizational_domain, parse_dmarc,
};

/// Reads `data` as DNS answers and runs every reader of them, as `mailprobe dns` and the SPF
/// trace do. The text's first line is `DOMAIN [IP]`: the domain checked and the sending address
/// (192.0.2.1 when missing); every other line one answer, `NAME TYPE VALUE`: `TXT` (the record,
/// the rest of the line), `A` / `AAAA` (addresses), `MX` (`PREFERENCE HOST`).
///
/// Asserts what must hold whatever the answers: the SPF walk counts at most the RFC 7208 limit
/// of lookups and stops there, and an organizational domain is a suffix of its domain.
#[cfg(any(fuzzing, test))]
pub fn dns_answers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or_default().split_ascii_whitespace();
    let domain = first.next().unwrap_or("example.test");
    let ip: IpAddr =
        first.next().and_then(|s| s.parse().ok()).unwrap_or(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
    let caches = Caches::default();
    let expires = Instant::now();
    let (mut mx, mut v4, mut v6) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let (Some(name), Some(kind), value) = (parts.next(), parts.next(), parts.next().unwrap_or_default())
        else {
            continue;
        };
        let key = || fqdn(name).to_ascii_lowercase().into_boxed_str();
        match kind.to_ascii_uppercase().as_str() {
            "TXT" => {
                // what `mail-auth` caches for a name: the first record that parses as SPF
                let parsed = Txt::from(Spf::parse(value.as_bytes()));
                if !matches!(caches.txt.lookup(key().as_ref()), Some(Txt::Spf(_))) {
                    caches.txt.insert(key(), parsed, expires);
                }
                read_txt(name, value, ip);
            }
            "A" => {
                let addrs: Vec<Ipv4Addr> = value.split([' ', ',']).filter_map(|a| a.parse().ok()).collect();
                for a in &addrs {
                    for list in dnsbls() {
                        let _ = dnsbl_meaning(list, *a);
                    }
                }
                v4.extend_from_slice(&addrs);
                caches.v4.insert(key(), records(addrs), expires);
            }
            "AAAA" => {
                let addrs: Vec<Ipv6Addr> = value.split([' ', ',']).filter_map(|a| a.parse().ok()).collect();
                v6.extend_from_slice(&addrs);
                caches.v6.insert(key(), records(addrs), expires);
            }
            "MX" => {
                let (preference, host) = value.split_once(' ').unwrap_or(("0", value));
                let preference = preference.parse().unwrap_or(0);
                mx.push((preference, host.to_owned()));
                let exchanges: Box<[Box<str>]> = Box::new([Box::from(host)]);
                caches.mx.insert(key(), records(vec![MX { exchanges, preference }]), expires);
            }
            _ => {}
        }
        let org = organizational_domain(name);
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        assert!(name.ends_with(&org), "{org:?} is not a suffix of {name:?}");
    }
    let report = mx_report(mx);
    assert_eq!(report.records.is_empty(), report.status == super::LookupStatus::NoData);
    let trace = Walker::new(&caches, ip, domain).run(domain);
    assert!(trace.lookups <= LOOKUP_LIMIT, "{} lookups", trace.lookups);
    // each step of the chain but the first costs a lookup
    assert!(trace.chain.len() <= LOOKUP_LIMIT as usize + 1, "{} steps", trace.chain.len());
    let _ = (trace.verdict, trace.matched, trace.permerror);
}

#[cfg(any(fuzzing, test))]
fn records<T>(rrset: Vec<T>) -> RecordSet<T> {
    RecordSet { rrset: Arc::from(rrset), dnssec_status: DnssecStatus::default() }
}

/// The readers of one TXT answer: SPF's test and its direct addresses, DMARC, and the record
/// with the sending address added (`mailprobe dns --ip`'s suggestion).
#[cfg(any(fuzzing, test))]
fn read_txt(name: &str, value: &str, ip: IpAddr) {
    if is_spf(value) {
        let _ = direct_ips(value);
    }
    let dmarc = parse_dmarc(name, value.to_owned());
    assert!(dmarc.record.as_deref() == Some(value));
    let suggested = mailprobe_proto::dns::spf_with_ip(Some(value), &ip.to_string());
    assert!(suggested.contains(&ip.to_string()), "{suggested:?}");
}

#[cfg(test)]
mod tests {
    /// The `dns` fuzz target's seeds (`fuzz/seeds/dns`) and the crashes it found
    /// (`fuzz/regressions/dns`), replayed through its entry on the stable toolchain: CI runs
    /// these instead of the fuzzer (see `scripts/fuzz`).
    #[test]
    fn fuzz_seeds_replay() {
        let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        let mut count = 0;
        for dir in ["seeds/dns", "regressions/dns"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else { continue };
            for entry in entries {
                let path = entry.expect("a seed").path();
                let data = std::fs::read(&path).expect("a readable seed");
                super::dns_answers(&data);
                count += 1;
            }
        }
        assert!(count > 0, "no seeds in fuzz/seeds/dns: run fuzz/seed.py");
    }
}
