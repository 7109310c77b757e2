//! Provider discovery (`mailprobe dns DOMAIN --discover`) against the test DNS server and the
//! autoconfig HTTP server of scripts/testenv: the built-in table, RFC 6186 SRV records,
//! autoconfig XML (autoconfig.DOMAIN and /.well-known), MX inference, and nothing found.

mod dns_support;

use dns_support::{env, json};

fn discover(domain: &str) -> serde_json::Value {
    let port = env().http_port.to_string();
    // https goes to a port nothing listens on (connection refused), then http to the test server.
    let (_, v) = json(&[
        "dns",
        domain,
        "--discover",
        "--no-dnsbl",
        "--autoconfig-http-port",
        &port,
        "--autoconfig-https-port",
        "9",
    ]);
    v["discovery"].clone()
}

#[test]
fn table_first() {
    let d = discover("someone@libero.it");
    assert_eq!(d["source"], "table", "{d}");
    assert_eq!(d["smtp"]["host"], "smtp.libero.it");
    assert_eq!(d["smtp"]["port"], 465);
    assert_eq!(d["smtp"]["security"], "tls");
    assert_eq!(d["provider"]["id"], "libero");
}

#[test]
fn srv_records() {
    let d = discover("srv-discovery.test");
    assert_eq!(d["source"], "srv", "{d}");
    assert_eq!(
        d["smtp"],
        serde_json::json!({"host": "mail.srv-discovery.test", "port": 465, "security": "tls"})
    );
    assert_eq!(d["imap"]["host"], "imap.srv-discovery.test");
    assert_eq!(d["steps"][1]["query"], "_submissions._tcp.srv-discovery.test");
}

#[test]
fn autoconfig_host_and_well_known() {
    let d = discover("user@autoconfig-discovery.test");
    assert_eq!(d["source"], "autoconfig", "{d}");
    assert_eq!(
        d["smtp"],
        serde_json::json!({"host": "smtp.autoconfig-discovery.test", "port": 465, "security": "tls"})
    );
    assert_eq!(d["insecure"], true, "came over http");
    let steps = d["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| {
        s["query"].as_str().unwrap().starts_with("https://autoconfig.autoconfig-discovery.test:9/")
            && s["found"] == false
    }));

    let d = discover("wellknown-discovery.test");
    assert_eq!(d["source"], "autoconfig", "{d}");
    assert_eq!(d["smtp"]["host"], "smtp.wellknown-discovery.test");
    assert_eq!(d["smtp"]["port"], 587);
    assert_eq!(d["smtp"]["security"], "starttls");
    let last = d["steps"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["query"].as_str().unwrap().contains("/.well-known/autoconfig/mail/config-v1.1.xml"),
        "{last}"
    );
}

#[test]
fn mx_inference_and_nothing() {
    let d = discover("google-like.test");
    assert_eq!(d["source"], "mx", "{d}");
    assert_eq!(d["provider"]["id"], "gmail");
    assert_eq!(d["smtp"]["host"], "smtp.gmail.com");
    let d = discover("contoso.test");
    assert_eq!(d["provider"]["id"], "m365");
    assert_eq!(d["smtp"]["host"], "smtp.office365.com");

    let d = discover("spf.test");
    assert!(d.get("smtp").is_none(), "{d}");
    assert!(d["steps"].as_array().unwrap().iter().all(|s| s["found"] == false));
}
