//! `dns_evidence` observations: what the DNS checks of a mail domain and a sending IP found
//! (`dns_checked` events of a [`Protocol::Dns`] transcript), one observation per fact, with a
//! class that names the check and its outcome (`spf_fail`, `dnsbl_listed`, `ptr_none`...). Every
//! outcome is observed, good or bad: which of them are problems is for the rules to say.
//!
//! Facts that span checks are read here too: an SPF record that names other static addresses
//! than the one evaluated (`spf_other_static_ips`, with the MX provider beside it), and the
//! blocklists grouped by what they answered (one observation for all the lists that list the IP).

use std::collections::BTreeMap;

use mailprobe_proto::dns::{
    DnsCheck, DnsblKind, DnsblResult, DnsblStatus, LookupStatus, SpfReport, SpfVerdict, spf_with_ip,
};
use mailprobe_proto::{Context, EventKind, Protocol, ResolveFailure, Security, Stage, Transcript, snake};

use crate::observe::{Observation, ObservationKind, event_params};

/// Params every `dns_evidence` observation provides: the domain and the class, as `check`.
pub(crate) const DNS_PARAMS: &[&str] = &["domain", "check"];

const SPF_VERDICT: &[&str] = &["ip", "result", "mechanism", "record", "lookups", "lookup_limit", "suggested"];
const DNSBL: &[&str] = &["ip", "lists", "answers", "delist"];

/// Every class of `dns_evidence`, with the params its observations provide beyond
/// [`DNS_PARAMS`] (rules on a class may use them; texts of those rules may show them).
pub(crate) const DNS_CLASSES: &[(&str, &[&str])] = &[
    ("mx_found", &["mx_hosts"]),
    ("mx_none", &[]),
    ("mx_nx_domain", &[]),
    ("mx_lookup_failed", &["status"]),
    // The SPF record: none, several, found but not evaluated (no IP given), or its verdict for
    // the IP.
    ("spf_no_record", &["suggested"]),
    ("spf_multiple_records", &["count", "records"]),
    ("spf_record", &["record"]),
    ("spf_pass", SPF_VERDICT),
    ("spf_fail", SPF_VERDICT),
    ("spf_softfail", SPF_VERDICT),
    ("spf_neutral", SPF_VERDICT),
    ("spf_none", SPF_VERDICT),
    ("spf_temperror", SPF_VERDICT),
    ("spf_permerror", &["ip", "result", "reason", "lookups", "lookup_limit", "record"]),
    // An IP the record does not authorize, while the record itself names static addresses: the
    // ones a connector most likely names too.
    ("spf_other_static_ips", &["ip", "old_ips", "suggested", "mx_provider", "mx_endpoint"]),
    ("spf_nx_domain", &[]),
    ("spf_lookup_failed", &["status"]),
    ("dmarc_found", &["record", "policy"]),
    ("dmarc_invalid", &["record"]),
    ("dmarc_none", &[]),
    ("dmarc_lookup_failed", &["status"]),
    // Blocklists, grouped by answer: every list that lists the IP in one observation.
    ("dnsbl_listed", DNSBL),
    ("dnsbl_policy", DNSBL),
    ("dnsbl_not_answered", DNSBL),
    ("dnsbl_not_listed", DNSBL),
    ("ptr_confirmed", &["ip", "names"]),
    ("ptr_not_confirmed", &["ip", "names"]),
    ("ptr_none", &["ip"]),
    ("ptr_lookup_failed", &["ip", "status"]),
];

/// The params of a class (beyond [`DNS_PARAMS`]); `None` for an unknown class.
pub(crate) fn class_params(class: &str) -> Option<&'static [&'static str]> {
    DNS_CLASSES.iter().find(|(c, _)| *c == class).map(|(_, p)| *p)
}

/// Observations of one DNS transcript.
pub(crate) fn observe(context: &Context, t: &Transcript, index: usize) -> Vec<Observation> {
    debug_assert_eq!(t.protocol, Protocol::Dns);
    let checks: Vec<(usize, &DnsCheck)> = t
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::DnsChecked { check } => Some((i, check)),
            _ => None,
        })
        .collect();
    let mx = checks.iter().find_map(|(_, c)| match c {
        DnsCheck::Mx { provider, m365_endpoint, .. } => Some((provider.clone(), m365_endpoint.clone())),
        _ => None,
    });
    let (mx_provider, mx_endpoint) = mx.unwrap_or_default();
    let new = |class: &str, domain: &str, event: usize, evidence: Vec<String>| {
        let mut params = event_params(t, Stage::Resolve, context);
        params.insert("domain".into(), domain.to_owned());
        params.insert("check".into(), class.to_owned());
        Observation {
            kind: ObservationKind::DnsEvidence,
            stage: Stage::Resolve,
            protocol: Protocol::Dns,
            security: Security::None,
            transcript: index,
            event: Some(event),
            code: None,
            enhanced: None,
            class: Some(class.to_owned()),
            text: evidence.join("\n"),
            evidence,
            params,
        }
    };
    let mut out = Vec::new();
    let mut lists: Vec<(usize, &DnsblResult)> = Vec::new();
    for &(i, check) in &checks {
        match check {
            DnsCheck::Mx { domain, status, records, .. } => {
                let class = match status {
                    LookupStatus::Found if !records.is_empty() => "mx_found",
                    LookupStatus::Found | LookupStatus::NoData => "mx_none",
                    LookupStatus::NxDomain => "mx_nx_domain",
                    _ => "mx_lookup_failed",
                };
                let mut o = new(class, domain, i, vec![check.summary()]);
                let hosts = records.iter().map(|r| format!("{} {}", r.preference, r.host));
                set(&mut o, "mx_hosts", hosts.collect::<Vec<_>>().join(", "));
                set(&mut o, "status", status.as_str());
                out.push(o);
            }
            DnsCheck::Spf { domain, report } => {
                let facts = SpfFacts { domain, report, mx_provider: mx_provider.as_deref() };
                for (class, params, evidence) in facts.observations(mx_endpoint.as_deref()) {
                    let mut o = new(class, domain, i, evidence);
                    o.params.extend(params);
                    out.push(o);
                }
            }
            DnsCheck::Dmarc { domain, report } => {
                let class = match &report.record {
                    Some(_) if report.invalid => "dmarc_invalid",
                    Some(_) => "dmarc_found",
                    None if report.status.answered() => "dmarc_none",
                    None => "dmarc_lookup_failed",
                };
                let mut o = new(class, domain, i, vec![check.summary()]);
                set(&mut o, "record", report.record.clone().unwrap_or_default());
                set(&mut o, "policy", report.policy.clone().unwrap_or_default());
                set(&mut o, "status", report.status.as_str());
                out.push(o);
            }
            DnsCheck::Blocklist { result, .. } => lists.push((i, result)),
            DnsCheck::Reverse { ip, report } => {
                let class = match (report.names.is_empty(), report.forward_confirmed) {
                    (false, Some(true)) => "ptr_confirmed",
                    (false, _) => "ptr_not_confirmed",
                    (true, _) if report.status.answered() => "ptr_none",
                    (true, _) => "ptr_lookup_failed",
                };
                let mut evidence = vec![check.summary()];
                if class == "ptr_not_confirmed" {
                    evidence.push(format!("A/AAAA of {}: not {ip}", report.names.join(", ")));
                }
                let mut o = new(class, &t.endpoint.host, i, evidence);
                set(&mut o, "ip", ip.to_string());
                set(&mut o, "names", report.names.join(", "));
                set(&mut o, "status", report.status.as_str());
                out.push(o);
            }
        }
    }
    out.extend(blocklists(&lists, &checks, &new));
    // Only the params its class promises: the rest of what `set` wrote stays out.
    for o in &mut out {
        let class = o.class.clone().unwrap_or_default();
        let keep = class_params(&class).unwrap_or_default();
        let common = o.params.keys().filter(|k| {
            crate::observe::COMMON_PARAMS.contains(&k.as_str()) || DNS_PARAMS.contains(&k.as_str())
        });
        let common: Vec<String> = common.cloned().collect();
        o.params.retain(|k, _| common.contains(k) || keep.contains(&k.as_str()));
    }
    out.extend(nothing_checked(context, t, index, &checks));
    out
}

/// When every lookup of the domain's own records failed (MX, SPF's TXT and DMARC, none
/// answered), nothing about the domain was checked: a `resolve_failed` observation, as a
/// probe's failed lookup gives (class `timed_out` when none came in time, else `failed`), so
/// that the report says DNS could not be checked instead of finding nothing wrong.
fn nothing_checked(
    context: &Context,
    t: &Transcript,
    index: usize,
    checks: &[(usize, &DnsCheck)],
) -> Option<Observation> {
    let status =
        |want: fn(&DnsCheck) -> Option<LookupStatus>| checks.iter().find_map(|(i, c)| Some((*i, want(c)?)));
    let mx = status(|c| match c {
        DnsCheck::Mx { status, .. } => Some(*status),
        _ => None,
    })?;
    let spf = status(|c| match c {
        DnsCheck::Spf { report, .. } => Some(report.status),
        _ => None,
    })?;
    let dmarc = status(|c| match c {
        DnsCheck::Dmarc { report, .. } => Some(report.status),
        _ => None,
    })?;
    let all = [("MX", mx.1), ("SPF", spf.1), ("DMARC", dmarc.1)];
    if all.iter().any(|(_, s)| s.answered()) {
        return None;
    }
    let failure = if all.iter().all(|(_, s)| *s == LookupStatus::TimedOut) {
        ResolveFailure::TimedOut
    } else {
        ResolveFailure::Failed
    };
    let words = |s: LookupStatus| match s {
        LookupStatus::TimedOut => "no answer in time",
        LookupStatus::ServerFailure => "the DNS server failed (SERVFAIL)",
        LookupStatus::Refused => "the DNS server refused to answer (REFUSED)",
        _ => "DNS error",
    };
    let detail = if all.iter().all(|(_, s)| *s == mx.1) {
        format!("{} for every record asked (MX, SPF, DMARC)", words(mx.1))
    } else {
        let each: Vec<String> = all.iter().map(|(what, s)| format!("{what}: {}", words(*s))).collect();
        each.join("; ")
    };
    let domain = checks.iter().find_map(|(_, c)| match c {
        DnsCheck::Mx { domain, .. } => Some(domain.clone()),
        _ => None,
    })?;
    let mut params = event_params(t, Stage::Resolve, context);
    params.insert("host".into(), domain.clone());
    params.insert("detail".into(), detail.clone());
    params.insert("failure".into(), snake(&failure));
    let evidence =
        checks.iter().filter(|(i, _)| [mx.0, spf.0, dmarc.0].contains(i)).map(|(_, c)| c.summary()).collect();
    Some(Observation {
        kind: ObservationKind::ResolveFailed,
        stage: Stage::Resolve,
        protocol: Protocol::Dns,
        security: Security::None,
        transcript: index,
        event: Some(mx.0),
        code: None,
        enhanced: None,
        class: Some(snake(&failure)),
        text: format!("{domain}: {detail}"),
        evidence,
        params,
    })
}

fn set(o: &mut Observation, key: &str, value: impl Into<String>) {
    o.params.insert(key.to_owned(), value.into());
}

/// One SPF check, read into its observations.
struct SpfFacts<'a> {
    domain: &'a str,
    report: &'a SpfReport,
    mx_provider: Option<&'a str>,
}

type Found = (&'static str, BTreeMap<String, String>, Vec<String>);

impl SpfFacts<'_> {
    fn observations(&self, mx_endpoint: Option<&str>) -> Vec<Found> {
        let r = self.report;
        let domain = self.domain;
        let ip = r.ip.map(|ip| ip.to_string());
        let records: Vec<String> = r.records.iter().map(|rec| format!("TXT {domain}: {rec}")).collect();
        let mut params = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            params.insert(k.to_owned(), v);
        };
        put("status", r.status.as_str().to_owned());
        if let Some(ip) = &ip {
            put("ip", ip.clone());
        }
        put("record", r.records.first().cloned().unwrap_or_default());
        put("lookups", r.lookups.to_string());
        put("lookup_limit", r.lookup_limit.to_string());
        let mut out: Vec<Found> = Vec::new();
        if r.records.len() > 1 {
            let mut p = params.clone();
            p.insert("count".into(), r.records.len().to_string());
            p.insert("records".into(), r.records.join(" | "));
            out.push(("spf_multiple_records", p, records.clone()));
        }
        let class = if !r.status.answered() {
            "spf_lookup_failed"
        } else if r.status == LookupStatus::NxDomain {
            "spf_nx_domain"
        } else if r.records.is_empty() {
            params.insert("suggested".into(), self.first_record(ip.as_deref()));
            out.push(("spf_no_record", params, vec![format!("TXT {domain}: no v=spf1 record")]));
            return out;
        } else {
            match (r.result, &ip) {
                (Some(v), Some(ip)) => {
                    let mechanism =
                        r.matched.as_ref().map_or_else(|| "-".to_owned(), |m| m.mechanism.clone());
                    let suggested = spf_with_ip(r.records.first().map(String::as_str), ip);
                    params.insert("result".into(), v.as_str().to_owned());
                    params.insert("mechanism".into(), mechanism.clone());
                    params.insert("suggested".into(), suggested.clone());
                    let mut evidence = records.clone();
                    evidence.push(match (v, r.permerror) {
                        (SpfVerdict::Permerror, reason) => {
                            let reason = reason.map(|p| mailprobe_proto::snake(&p)).unwrap_or_default();
                            params.insert("reason".into(), reason.clone());
                            format!(
                                "spf=permerror for {ip} after {} of {} lookups ({reason})",
                                r.lookups, r.lookup_limit
                            )
                        }
                        _ => format!("spf={} for {ip} ({mechanism})", v.as_str()),
                    });
                    let static_ips: Vec<&str> =
                        r.direct_ips.iter().map(String::as_str).filter(|x| !x.contains(':')).collect();
                    if matches!(v, SpfVerdict::Fail | SpfVerdict::Softfail) && !static_ips.is_empty() {
                        let mut p = params.clone();
                        p.insert("old_ips".into(), static_ips.join(", "));
                        p.insert("mx_provider".into(), self.mx_provider.unwrap_or_default().to_owned());
                        p.insert("mx_endpoint".into(), mx_endpoint.unwrap_or_default().to_owned());
                        let mut e = records.clone();
                        e.push(format!(
                            "spf={} for {ip}; the record's own addresses: {}",
                            v.as_str(),
                            static_ips.join(", ")
                        ));
                        if let Some(mx) = mx_endpoint {
                            e.push(format!("MX {domain}: {mx}"));
                        }
                        out.push(("spf_other_static_ips", p, e));
                    }
                    out.push((spf_class(v), params, evidence));
                    return out;
                }
                _ => "spf_record",
            }
        };
        let evidence =
            if records.is_empty() { vec![format!("TXT {domain}: {}", r.status.as_str())] } else { records };
        out.push((class, params, evidence));
        out
    }

    /// A first record to publish: the provider's include, the IP, or the domain's MX.
    fn first_record(&self, ip: Option<&str>) -> String {
        match (ip, self.mx_provider) {
            (Some(ip), Some("m365")) => {
                format!("v=spf1 {} include:spf.protection.outlook.com -all", ip_term(ip))
            }
            (None, Some("m365")) => "v=spf1 include:spf.protection.outlook.com -all".to_owned(),
            (Some(ip), _) => spf_with_ip(None, ip),
            (None, _) => "v=spf1 mx -all".to_owned(),
        }
    }
}

fn ip_term(ip: &str) -> String {
    if ip.contains(':') { format!("ip6:{ip}") } else { format!("ip4:{ip}") }
}

fn spf_class(v: SpfVerdict) -> &'static str {
    match v {
        SpfVerdict::Pass => "spf_pass",
        SpfVerdict::Fail => "spf_fail",
        SpfVerdict::Softfail => "spf_softfail",
        SpfVerdict::Neutral => "spf_neutral",
        SpfVerdict::None => "spf_none",
        SpfVerdict::Permerror => "spf_permerror",
        SpfVerdict::Temperror => "spf_temperror",
    }
}

/// Makes an observation: class, domain, event index, evidence lines.
type NewObservation<'a> = dyn Fn(&str, &str, usize, Vec<String>) -> Observation + 'a;

/// The blocklist classes, with the kind of answer each shows (`None`: all of a list's answers).
const DNSBL_GROUPS: [(&str, Option<DnsblKind>); 4] = [
    ("dnsbl_listed", Some(DnsblKind::Listed)),
    ("dnsbl_policy", Some(DnsblKind::Policy)),
    ("dnsbl_not_answered", None),
    ("dnsbl_not_listed", None),
];

/// Whether a list's answer belongs to a blocklist class. A list that answers both a listing and
/// a policy code (Spamhaus ZEN: SBL and PBL) is in both groups.
fn in_group(class: &str, b: &DnsblResult) -> bool {
    match class {
        "dnsbl_listed" => b.status == DnsblStatus::Listed,
        "dnsbl_policy" => b.answers.iter().any(|a| a.kind == DnsblKind::Policy),
        "dnsbl_not_answered" => b.status == DnsblStatus::NotAnswered,
        _ => b.status == DnsblStatus::NotListed,
    }
}

/// The blocklists, one observation per kind of answer, each naming every list that gave it.
fn blocklists(
    lists: &[(usize, &DnsblResult)],
    checks: &[(usize, &DnsCheck)],
    new: &NewObservation<'_>,
) -> Vec<Observation> {
    let ip = checks.iter().find_map(|(_, c)| match c {
        DnsCheck::Blocklist { ip, .. } => Some(ip.to_string()),
        _ => None,
    });
    let domain = checks.iter().find_map(|(_, c)| match c {
        DnsCheck::Mx { domain, .. } | DnsCheck::Spf { domain, .. } | DnsCheck::Dmarc { domain, .. } => {
            Some(domain.clone())
        }
        _ => None,
    });
    let mut out = Vec::new();
    for (class, kind) in DNSBL_GROUPS {
        let these: Vec<&(usize, &DnsblResult)> = lists.iter().filter(|(_, b)| in_group(class, b)).collect();
        let Some((first, _)) = these.first() else {
            continue;
        };
        // Each list's answers of this kind (or how its lookup ended, when it gave none).
        let shown: Vec<(&DnsblResult, String)> = these
            .iter()
            .map(|(_, b)| {
                let codes: Vec<String> = b
                    .answers
                    .iter()
                    .filter(|a| kind.is_none_or(|k| a.kind == k))
                    .map(|a| format!("{} ({})", a.answer, a.meaning))
                    .collect();
                (*b, if codes.is_empty() { b.lookup.as_str().to_owned() } else { codes.join(", ") })
            })
            .collect();
        let mut evidence = Vec::new();
        for (b, answers) in &shown {
            evidence.push(format!("A {}: {answers}", b.query));
            evidence.extend(b.txt.iter().map(|txt| format!("TXT {}: {txt}", b.query)));
        }
        let mut o = new(class, domain.as_deref().unwrap_or_default(), *first, evidence);
        let names: Vec<&str> = shown.iter().map(|(b, _)| b.name.as_str()).collect();
        let answers = shown.iter().map(|(b, a)| format!("{}: {a}", b.name));
        let delist =
            shown.iter().map(|(b, _)| format!("{} {}", b.name, b.delist.as_deref().unwrap_or(&b.zone)));
        set(&mut o, "ip", ip.clone().unwrap_or_default());
        set(&mut o, "lists", names.join(", "));
        set(&mut o, "answers", answers.collect::<Vec<_>>().join("; "));
        set(&mut o, "delist", delist.collect::<Vec<_>>().join(", "));
        out.push(o);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailprobe_proto::dns::{DmarcReport, DnsblAnswer, MxRecord, ReverseReport};
    use mailprobe_proto::{Endpoint, Role};

    fn spf(records: &[&str], result: Option<SpfVerdict>, direct: &[&str]) -> SpfReport {
        SpfReport {
            status: if records.is_empty() { LookupStatus::NoData } else { LookupStatus::Found },
            detail: None,
            records: records.iter().map(|r| (*r).to_owned()).collect(),
            ip: result.map(|_| "203.0.113.20".parse().unwrap()),
            result,
            matched: None,
            chain: vec![],
            lookups: 1,
            lookup_limit: 10,
            permerror: None,
            direct_ips: direct.iter().map(|r| (*r).to_owned()).collect(),
            trace_incomplete: false,
        }
    }

    fn transcript(checks: Vec<DnsCheck>) -> Transcript {
        let endpoint = Endpoint { host: "contoso.test".into(), port: 53, security: Security::None };
        let mut t = Transcript::new(Protocol::Dns, Role::Primary, endpoint);
        for check in checks {
            t.push(0, Stage::Resolve, EventKind::DnsChecked { check });
        }
        t
    }

    fn mx(provider: Option<&str>) -> DnsCheck {
        DnsCheck::Mx {
            domain: "contoso.test".into(),
            status: LookupStatus::Found,
            records: vec![MxRecord {
                preference: 0,
                host: "contoso-test.mail.protection.outlook.com".into(),
                provider: provider.map(str::to_owned),
            }],
            provider: provider.map(str::to_owned),
            m365_endpoint: Some("contoso-test.mail.protection.outlook.com".into()),
        }
    }

    fn classes(t: &Transcript) -> Vec<String> {
        observe(&Context::default(), t, 0).into_iter().filter_map(|o| o.class).collect()
    }

    #[test]
    fn every_outcome_is_observed_with_the_params_its_class_promises() {
        let ip: std::net::IpAddr = "203.0.113.20".parse().unwrap();
        let listed = |status, kind, meaning: &str| DnsblResult {
            id: "zen".into(),
            name: "Spamhaus ZEN".into(),
            zone: "zen.spamhaus.org".into(),
            query: "20.113.0.203.zen.spamhaus.org".into(),
            status,
            lookup: LookupStatus::Found,
            answers: vec![DnsblAnswer {
                answer: "127.0.0.2".parse().unwrap(),
                meaning: meaning.into(),
                kind,
            }],
            txt: vec![],
            delist: None,
            detail: None,
        };
        let t = transcript(vec![
            mx(Some("m365")),
            DnsCheck::Spf {
                domain: "contoso.test".into(),
                report: spf(
                    &["v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com -all", "v=spf1 -all"],
                    Some(SpfVerdict::Fail),
                    &["203.0.113.10"],
                ),
            },
            DnsCheck::Dmarc {
                domain: "contoso.test".into(),
                report: DmarcReport {
                    status: LookupStatus::NxDomain,
                    found_at: None,
                    record: None,
                    policy: None,
                    subdomain_policy: None,
                    pct: None,
                    rua: vec![],
                    aspf: None,
                    invalid: false,
                },
            },
            DnsCheck::Blocklist { ip, result: listed(DnsblStatus::Listed, DnsblKind::Listed, "sbl") },
            DnsCheck::Blocklist { ip, result: listed(DnsblStatus::Policy, DnsblKind::Policy, "pbl-isp") },
            DnsCheck::Reverse {
                ip,
                report: ReverseReport {
                    status: LookupStatus::Found,
                    names: vec!["x.isp.test".into()],
                    forward_confirmed: Some(false),
                },
            },
        ]);
        let observations = observe(&Context::default(), &t, 0);
        let got: Vec<&str> = observations.iter().filter_map(|o| o.class.as_deref()).collect();
        assert_eq!(
            got,
            [
                "mx_found",
                "spf_multiple_records",
                "spf_other_static_ips",
                "spf_fail",
                "dmarc_none",
                "ptr_not_confirmed",
                "dnsbl_listed",
                "dnsbl_policy"
            ]
        );
        for o in &observations {
            let class = o.class.as_deref().unwrap();
            for p in DNS_PARAMS.iter().chain(class_params(class).unwrap()) {
                assert!(o.params.contains_key(*p), "{class}: no {p} in {:?}", o.params);
            }
            assert!(!o.evidence.is_empty(), "{class}: no evidence");
        }
        let fail = observations.iter().find(|o| o.class.as_deref() == Some("spf_fail")).unwrap();
        assert_eq!(
            fail.params["suggested"],
            "v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com ip4:203.0.113.20 -all"
        );
        let other = observations.iter().find(|o| o.class.as_deref() == Some("spf_other_static_ips")).unwrap();
        assert_eq!(
            (other.params["old_ips"].as_str(), other.params["mx_provider"].as_str()),
            ("203.0.113.10", "m365")
        );
        // The blocklists' answers, each with its list.
        let listed = observations.iter().find(|o| o.class.as_deref() == Some("dnsbl_listed")).unwrap();
        assert_eq!(listed.params["answers"], "Spamhaus ZEN: 127.0.0.2 (sbl)");
    }

    #[test]
    fn a_first_record_to_publish_fits_the_provider_and_the_address() {
        let no_record = |provider: Option<&str>, with_ip: bool| {
            let mut report = spf(&[], None, &[]);
            report.ip = with_ip.then(|| "192.0.2.5".parse().unwrap());
            let t = transcript(vec![mx(provider), DnsCheck::Spf { domain: "contoso.test".into(), report }]);
            let o = observe(&Context::default(), &t, 0);
            o.into_iter().find(|o| o.class.as_deref() == Some("spf_no_record")).unwrap().params["suggested"]
                .clone()
        };
        assert_eq!(
            no_record(Some("m365"), true),
            "v=spf1 ip4:192.0.2.5 include:spf.protection.outlook.com -all"
        );
        assert_eq!(no_record(Some("m365"), false), "v=spf1 include:spf.protection.outlook.com -all");
        assert_eq!(no_record(None, true), "v=spf1 ip4:192.0.2.5 -all");
        assert_eq!(no_record(None, false), "v=spf1 mx -all");
    }

    #[test]
    fn a_pass_a_record_without_an_ip_and_failed_lookups_are_observed_too() {
        let t = transcript(vec![DnsCheck::Spf {
            domain: "contoso.test".into(),
            report: spf(&["v=spf1 mx -all"], Some(SpfVerdict::Pass), &[]),
        }]);
        assert_eq!(classes(&t), ["spf_pass"]);
        let t = transcript(vec![DnsCheck::Spf {
            domain: "contoso.test".into(),
            report: spf(&["v=spf1 mx -all"], None, &[]),
        }]);
        assert_eq!(classes(&t), ["spf_record"]);
        let mut report = spf(&[], None, &[]);
        report.status = LookupStatus::TimedOut;
        let t = transcript(vec![DnsCheck::Spf { domain: "contoso.test".into(), report }]);
        assert_eq!(classes(&t), ["spf_lookup_failed"]);
        // Every class observe can make is one the catalogue may name.
        for (class, _) in DNS_CLASSES {
            assert!(ObservationKind::DnsEvidence.check_class(class).is_ok());
        }
        assert!(ObservationKind::DnsEvidence.check_class("spf_failed").is_err());
    }
    /// Issue 17 item 7: when no lookup of the domain was answered, DNS could not be checked: a
    /// `resolve_failed` observation and the DNS finding (an error), never an all-clear.
    #[test]
    fn nothing_answered_is_a_dns_failure_not_an_all_clear() {
        let failed = |mx: LookupStatus, spf_status: LookupStatus, dmarc: LookupStatus| {
            let mut report = spf(&[], None, &[]);
            report.status = spf_status;
            transcript(vec![
                DnsCheck::Mx {
                    domain: "contoso.test".into(),
                    status: mx,
                    records: vec![],
                    provider: None,
                    m365_endpoint: None,
                },
                DnsCheck::Spf { domain: "contoso.test".into(), report },
                DnsCheck::Dmarc {
                    domain: "contoso.test".into(),
                    report: DmarcReport {
                        status: dmarc,
                        found_at: None,
                        record: None,
                        policy: None,
                        subdomain_policy: None,
                        pct: None,
                        rua: vec![],
                        aspf: None,
                        invalid: false,
                    },
                },
            ])
        };
        let ids = |t: &Transcript| -> Vec<String> {
            let context = Context { host: "contoso.test".into(), ..Context::default() };
            let kb = crate::KnowledgeBase::builtin();
            kb.diagnose(&context, std::slice::from_ref(t), crate::Lang::En)
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        use LookupStatus::{NoData, ServerFailure, TimedOut};
        let t = failed(TimedOut, TimedOut, TimedOut);
        let o = observe(&Context::default(), &t, 0);
        let resolve: Vec<&Observation> =
            o.iter().filter(|o| o.kind == ObservationKind::ResolveFailed).collect();
        assert_eq!(resolve.len(), 1, "{o:#?}");
        assert_eq!(resolve[0].class.as_deref(), Some("timed_out"));
        assert_eq!(resolve[0].params["host"], "contoso.test");
        assert!(resolve[0].params["detail"].contains("no answer in time"), "{:?}", resolve[0].params);
        assert_eq!(resolve[0].evidence.len(), 3);
        assert_eq!(ids(&t), ["dns.timeout"]);
        assert_eq!(ids(&failed(ServerFailure, ServerFailure, ServerFailure)), ["dns.failed"]);
        assert_eq!(ids(&failed(TimedOut, ServerFailure, TimedOut)), ["dns.failed"]);
        // One answer is enough for the report to stand on its own (the failed lookups are shown).
        let t = failed(NoData, TimedOut, TimedOut);
        assert!(observe(&Context::default(), &t, 0).iter().all(|o| o.kind == ObservationKind::DnsEvidence));
    }
}
