//! `mailprobe dns` against a real authoritative DNS server (nsd, started by scripts/testenv on
//! 127.0.0.1 with test zones): MX → provider, SPF results with the mechanism, chain and
//! permerror reason, DMARC, blocklists (listed, policy, the "public resolver" answer, REFUSED),
//! reverse DNS, English and Italian, exit codes.

mod dns_support;

use dns_support::{ids, json, text};
use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_net::DnsReport;
use mailprobe_proto::Context;

/// Spamhaus answering as to a public resolver, and a list that refuses.
const NOT_ANSWERED: &[&str] = &[
    "dns",
    "spf.test",
    "--ip",
    "192.0.2.66",
    "--dnsbl",
    "spamhaus-zen",
    "--dnsbl",
    "dnsbl.unserved.example",
];

fn spf(domain: &str, ip: &str) -> (i32, serde_json::Value) {
    json(&["dns", domain, "--ip", ip, "--no-dnsbl"])
}

#[test]
fn mx_shows_google_and_microsoft_365() {
    let (code, v) = json(&["dns", "google-like.test"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["mx"]["records"][0]["host"], "aspmx.l.google.com");
    assert_eq!(v["mx"]["provider"]["id"], "gmail");
    assert_eq!(v["mx"]["provider"]["submission"]["host"], "smtp.gmail.com");
    assert!(v["mx"].get("m365_endpoint").is_none());
    assert_eq!(v["dmarc"]["policy"], "quarantine");

    let (code, v) = json(&["dns", "user@Contoso.test"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["domain"], "contoso.test");
    assert_eq!(v["mx"]["provider"]["id"], "m365");
    assert_eq!(v["mx"]["m365_endpoint"], "contoso-test.mail.protection.outlook.com");
    assert!(ids(&v).is_empty(), "{v}");
    let (_, out) = text(&["dns", "contoso.test", "--lang", "en"]);
    assert!(out.contains("Microsoft 365 MX endpoint, for direct send"), "{out}");
    assert!(out.contains("contoso-test.mail.protection.outlook.com"), "{out}");
}

#[test]
fn spf_pass_with_the_mechanism_that_matched() {
    let (code, v) = spf("pass.spf.test", "192.0.2.10");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["spf"]["result"], "pass");
    assert_eq!(v["spf"]["match"]["mechanism"], "ip4:192.0.2.0/24");
    assert_eq!(v["spf"]["lookups"], 0);
    assert!(!ids(&v).iter().any(|i| i.starts_with("spf.")), "{v}");
    // DMARC of the domain itself
    assert_eq!(v["dmarc"]["found_at"], "_dmarc.pass.spf.test");
    assert_eq!(v["dmarc"]["policy"], "reject");
}

#[test]
fn spf_fail_softfail_neutral_none() {
    let (code, v) = spf("fail.spf.test", "192.0.2.10");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["spf"]["result"], "fail");
    assert_eq!(v["spf"]["match"]["mechanism"], "-all");
    let f = &v["findings"][0];
    assert_eq!(f["id"], "spf.ip_not_authorized");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["params"]["suggested"], "v=spf1 ip4:198.51.100.1 ip4:192.0.2.10 -all");

    let (code, v) = spf("softfail.spf.test", "192.0.2.10");
    assert_eq!(code, 0, "softfail is a warning: {v}");
    assert_eq!(v["spf"]["result"], "softfail");
    assert_eq!(v["spf"]["match"]["mechanism"], "~all");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "spf.ip_not_authorized" && f["severity"] == "warning")
    );

    let (_, v) = spf("neutral.spf.test", "192.0.2.10");
    assert_eq!(v["spf"]["result"], "neutral");
    assert_eq!(v["spf"]["match"]["mechanism"], "?all");
    assert!(ids(&v).contains(&"spf.neutral".to_owned()));

    let (code, v) = spf("none.spf.test", "192.0.2.10");
    assert_eq!(code, 0);
    assert_eq!(v["spf"]["result"], "none");
    assert!(v["spf"]["records"].as_array().unwrap().is_empty());
    assert!(ids(&v).contains(&"spf.none".to_owned()));
}

#[test]
fn spf_include_and_redirect_chains() {
    let (code, v) = spf("include.spf.test", "192.0.2.10");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["spf"]["result"], "pass");
    assert_eq!(v["spf"]["match"]["mechanism"], "ip4:192.0.2.0/25");
    assert_eq!(v["spf"]["match"]["domain"], "_spf2.provider.spf.test");
    assert_eq!(
        v["spf"]["match"]["through"],
        serde_json::json!(["include:_spf.provider.spf.test", "include:_spf2.provider.spf.test"])
    );
    let chain: Vec<(String, String)> = v["spf"]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["domain"].as_str().unwrap().to_owned(), s["via"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        chain,
        [
            ("include.spf.test", "domain"),
            ("_spf.provider.spf.test", "include"),
            ("_spf2.provider.spf.test", "include")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(
        v["spf"]["chain"][1]["record"],
        "v=spf1 ip4:198.51.100.0/24 include:_spf2.provider.spf.test ~all"
    );
    assert_eq!(v["spf"]["lookups"], 2);

    let (_, v) = spf("redirect.spf.test", "192.0.2.10");
    assert_eq!(v["spf"]["result"], "pass");
    assert_eq!(v["spf"]["chain"][1]["via"], "redirect");
    assert_eq!(v["spf"]["chain"][1]["domain"], "_spf.provider.spf.test");

    // An address outside the included ranges: the include does not match, -all does.
    let (code, v) = spf("include.spf.test", "203.0.113.99");
    assert_eq!(code, 1);
    assert_eq!(v["spf"]["result"], "fail");
    assert_eq!(v["spf"]["match"]["domain"], "include.spf.test");

    // mx mechanism
    let (_, v) = spf("mx.spf.test", "192.0.2.10");
    assert_eq!(v["spf"]["result"], "pass");
    assert_eq!(v["spf"]["match"]["mechanism"], "mx");
}

#[test]
fn spf_permerrors_say_why() {
    for (domain, reason, lookups) in [
        ("loop.spf.test", "loop", Some(10)),
        ("toomany.spf.test", "too_many_lookups", Some(10)),
        ("syntax.spf.test", "syntax", Some(0)),
        ("badinclude.spf.test", "include_without_spf", Some(1)),
    ] {
        let (code, v) = spf(domain, "192.0.2.10");
        assert_eq!(code, 1, "{domain}: {v}");
        assert_eq!(v["spf"]["result"], "permerror", "{domain}");
        assert_eq!(v["spf"]["permerror"], reason, "{domain}");
        if let Some(n) = lookups {
            assert_eq!(v["spf"]["lookups"], n, "{domain}");
        }
        let f =
            v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "spf.permerror").expect("finding");
        assert_eq!(f["params"]["reason"], reason, "{domain}");
    }
    // Two v=spf1 records: mail-auth takes the first; RFC 7208 says permerror, and so do we.
    let (code, v) = spf("twospf.spf.test", "192.0.2.10");
    assert_eq!(code, 1);
    assert_eq!(v["spf"]["records"].as_array().unwrap().len(), 2);
    assert!(ids(&v).contains(&"spf.multiple_records".to_owned()));
}

#[test]
fn blocklists_listed_policy_and_not_answered() {
    let (code, v) = json(&["dns", "spf.test", "--ip", "192.0.2.99"]);
    assert_eq!(code, 1, "{v}");
    let bl = v["blocklists"].as_array().unwrap();
    let by = |id: &str| bl.iter().find(|b| b["id"] == id).unwrap_or_else(|| panic!("{id} in {v}"));
    assert_eq!(by("spamhaus-zen")["status"], "listed");
    assert_eq!(by("spamhaus-zen")["query"], "99.2.0.192.zen.spamhaus.org");
    let meanings: Vec<&str> = by("spamhaus-zen")["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["meaning"].as_str().unwrap())
        .collect();
    assert_eq!(meanings, ["sbl", "xbl"]);
    assert_eq!(by("spamcop")["status"], "listed");
    assert!(by("spamcop")["txt"][0].as_str().unwrap().contains("spamcop"));
    assert_eq!(by("barracuda")["status"], "not_listed");
    assert_eq!(by("psbl")["status"], "not_listed");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "ip.blocklisted")
        .expect("ip.blocklisted");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["params"]["lists"], "Spamhaus ZEN, SpamCop");
    // the summary says what each answer means, not the meaning's key
    let summary = f["summary"].as_str().unwrap();
    assert!(summary.contains("127.0.0.2 (Spamhaus SBL: a known source of spam"), "{summary}");
    assert!(!summary.contains("(sbl)"), "{summary}");

    // not listed anywhere
    let (_, v) = json(&["dns", "spf.test", "--ip", "192.0.2.10"]);
    assert!(v["blocklists"].as_array().unwrap().iter().all(|b| b["status"] == "not_listed"), "{v}");
    assert!(!ids(&v).iter().any(|i| i.starts_with("ip.") || i.starts_with("dnsbl.")), "{v}");

    // PBL: a policy listing, a warning
    let (_, v) = json(&["dns", "spf.test", "--ip", "192.0.2.77", "--dnsbl", "spamhaus-zen"]);
    assert_eq!(v["blocklists"][0]["status"], "policy");
    assert_eq!(v["blocklists"][0]["answers"][0]["meaning"], "pbl-isp");
    assert!(ids(&v).contains(&"ip.dynamic_range".to_owned()));
    assert!(!ids(&v).contains(&"ip.blocklisted".to_owned()));

    // Spamhaus's 127.255.255.254 (public resolver) and a list that REFUSES: "not answered",
    // never "not listed".
    let (code, v) = json(NOT_ANSWERED);
    assert_eq!(v["blocklists"][0]["status"], "not_answered");
    assert_eq!(v["blocklists"][0]["answers"][0]["meaning"], "public-resolver");
    assert_eq!(v["blocklists"][1]["status"], "not_answered");
    assert_eq!(v["blocklists"][1]["lookup"], "refused");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "dnsbl.not_answered")
        .expect("not answered");
    assert_eq!(f["severity"], "info");
    assert!(!ids(&v).contains(&"ip.blocklisted".to_owned()));
    assert_eq!(code, 1, "spf.test's -all still fails 192.0.2.66: {v}");
}

#[test]
fn reverse_dns() {
    let (_, v) = json(&["dns", "spf.test", "--ip", "192.0.2.10", "--no-dnsbl"]);
    assert_eq!(v["reverse"]["names"], serde_json::json!(["mail.spf.test"]));
    assert_eq!(v["reverse"]["forward_confirmed"], true);
    let (_, v) = json(&["dns", "spf.test", "--ip", "192.0.2.77", "--no-dnsbl"]);
    assert_eq!(v["reverse"]["forward_confirmed"], false);
    assert!(ids(&v).contains(&"ip.no_reverse_dns".to_owned()));
}

#[test]
fn connector_ip_changed_on_a_microsoft_365_domain() {
    let (code, v) = json(&["dns", "contoso.test", "--ip", "203.0.113.20", "--no-dnsbl"]);
    assert_eq!(code, 1);
    assert_eq!(v["spf"]["result"], "fail");
    assert_eq!(v["spf"]["chain"][1]["domain"], "spf.protection.outlook.com");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "relay.connector_ip_changed")
        .expect("finding");
    assert_eq!(f["params"]["old_ips"], "203.0.113.10");
    // A likely cause, not a refusal seen: a warning beside the error of SPF itself.
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["params"]["suggested"],
        "v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com ip4:203.0.113.20 -all"
    );
    // the printer's registered IP passes
    let (code, v) = json(&["dns", "contoso.test", "--ip", "203.0.113.10", "--no-dnsbl"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["spf"]["match"]["mechanism"], "ip4:203.0.113.10");
}

#[test]
fn text_in_english_and_italian() {
    let (code, out) = text(&["dns", "spf.test", "--ip", "192.0.2.99", "--lang", "en"]);
    assert_eq!(code, 1);
    for s in [
        "Mail servers (MX)",
        "Result for 192.0.2.99: fail",
        "Spamhaus SBL",
        "is on a blocklist",
        "What to do",
    ] {
        assert!(out.contains(s), "{s:?} in {out}");
    }
    let (_, out) = text(&["dns", "spf.test", "--ip", "192.0.2.99", "--lang", "it"]);
    for s in [
        "Server di posta (MX)",
        "Risultato per 192.0.2.99: fail",
        "in elenco",
        "è in una blocklist",
        "Cosa fare",
    ] {
        assert!(out.contains(s), "{s:?} in {out}");
    }
}

#[test]
fn bad_input_and_missing_domain() {
    let (code, v) = json(&["dns", "not a domain"]);
    assert_eq!(code, 2);
    assert!(v["findings"].as_array().unwrap().is_empty());
    let (code, _) = json(&["dns", "x.test", "--ip", "999.1.1.1"]);
    assert_eq!(code, 2);
    let (code, v) = json(&["dns", "nothing-here.spf.test", "--ip", "192.0.2.10", "--no-dnsbl"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(ids(&v)[0], "dns.no_such_host");
}

/// The findings `mailprobe dns` prints are the knowledge base's own, on the report it prints read
/// back as evidence: the same ids, titles and fixes, in English and in Italian.
#[test]
fn the_findings_are_the_knowledge_base_s_in_english_and_italian() {
    for (args, expected) in [
        (vec!["dns", "spf.test", "--ip", "192.0.2.99"], vec!["spf.ip_not_authorized", "ip.blocklisted"]),
        (vec!["dns", "loop.spf.test", "--ip", "192.0.2.10", "--no-dnsbl"], vec!["spf.permerror"]),
        (vec!["dns", "twospf.spf.test", "--ip", "192.0.2.10", "--no-dnsbl"], vec!["spf.multiple_records"]),
        (
            vec!["dns", "contoso.test", "--ip", "203.0.113.20", "--no-dnsbl"],
            vec!["relay.connector_ip_changed"],
        ),
        (NOT_ANSWERED.to_vec(), vec!["dnsbl.not_answered"]),
        (
            vec!["dns", "none.spf.test", "--ip", "192.0.2.77", "--dnsbl", "spamhaus-zen"],
            vec!["spf.none", "ip.dynamic_range", "ip.no_reverse_dns"],
        ),
        (vec!["dns", "nothing-here.spf.test", "--no-dnsbl"], vec!["dns.no_such_host"]),
    ] {
        for (lang, flag) in [(Lang::En, "en"), (Lang::It, "it")] {
            let mut all = args.clone();
            all.extend(["--lang", flag]);
            let (_, doc) = json(&all);
            let got = ids(&doc);
            for id in &expected {
                assert!(got.contains(&id.to_string()), "{args:?} {flag}: {id} not in {got:?}");
            }
            let report: DnsReport =
                serde_json::from_value(doc.clone()).expect("the document holds the report");
            let context = Context {
                provider: report.mx.provider.as_ref().map(|p| p.id.clone()),
                host: report.domain.clone(),
                ..Context::default()
            };
            let kb = KnowledgeBase::builtin().diagnose(&context, &[report.transcript()], lang);
            let kb = serde_json::to_value(&kb).unwrap();
            assert_eq!(doc["findings"], kb, "{args:?} {flag}");
        }
    }
    // The Italian is Italian.
    let (_, doc) = json(&["dns", "loop.spf.test", "--ip", "192.0.2.10", "--no-dnsbl", "--lang", "it"]);
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == "spf.permerror").unwrap();
    assert_eq!(f["title"], "Il record SPF di loop.spf.test è rotto: un include o un redirect gira in tondo");
    assert!(f["causes"][0].as_str().unwrap().starts_with("Un include o un redirect riporta"), "{f}");
}
