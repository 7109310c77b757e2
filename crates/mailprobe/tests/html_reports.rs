//! `--format html` of `diagnose`, `explain`, `dns`, `advise` and `demo`: each prints one
//! document (read back by a real parser) with the step list and the finding ids of the same run's
//! JSON, shows what a hostile server or paste sent as text, and loads nothing from outside.

use std::process::Output;

// dns_support includes testenv.rs for the tests that use it alone; here support does too.
#[allow(clippy::duplicate_mod)]
mod dns_support;
mod support;

use support::testenv::TestEnv;

/// What a hostile server or paste puts in its texts: a script, both quotes, a tag that would
/// close ours, an image that would load from elsewhere.
const HOSTILE: &str = "<script>alert(\"pwned\")</script>'\"</pre></details><img src=http://evil.test/x>";

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    support::cli::mailprobe(args, stdin, &[])
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// The finding ids of a JSON run.
fn ids(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    v["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// Reads `page` as one document and checks what every page must be; returns its text.
fn check_page(page: &str, what: &str, ids: &[String]) -> String {
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{what}: {}", &page[..page.len().min(100)]);
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(page, options)
        .unwrap_or_else(|e| panic!("{what}: not one document: {e}\n{page}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html", "{what}");
    let parts: Vec<&str> = root.children().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
    assert_eq!(parts, ["head", "body"], "{what}");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !["script", "iframe", "object", "embed", "img", "link", "base"].contains(&name),
            "{what}: <{name}>"
        );
        for a in node.attributes() {
            assert!(!a.name().starts_with("on"), "{what}: {}", a.name());
            assert!(
                !["src", "href", "action", "srcset"].contains(&a.name()),
                "{what}: {}={}",
                a.name(),
                a.value()
            );
        }
    }
    for outside in ["<script", "src=\"http", "href=\"http", "url(", "@import"] {
        assert!(!page.contains(outside), "{what}: {outside} in the page");
    }
    assert!(
        doc.descendants().any(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == "steps"))),
        "{what}: no step list"
    );
    for id in ids {
        assert!(page.contains(&format!("data-finding=\"{id}\"")), "{what}: finding {id} missing");
    }
    doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// An SMTP server whose banner and refusals carry [`HOSTILE`], and that offers no STARTTLS.
fn hostile_server() -> u16 {
    support::hostile::smtp_server(HOSTILE, format!("250-mail.test {HOSTILE}\r\n250 SIZE 1000\r\n"))
}

#[test]
fn diagnose_shows_a_hostile_servers_reply_as_text() {
    let port = hostile_server().to_string();
    let args =
        ["diagnose", "--host", "127.0.0.1", "--port", &port, "--security", "starttls", "--timeout", "5"];
    let json = run(&[&args[..], &["--format", "json"]].concat(), None);
    let ids = ids(&json);
    assert!(!ids.is_empty(), "{}", stdout(&json));
    for lang in ["en", "it"] {
        let out = run(&[&args[..], &["--format", "html", "--lang", lang]].concat(), None);
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let page = stdout(&out);
        let shown = check_page(&page, "diagnose", &ids);
        assert!(shown.contains("<script>alert(\"pwned\")</script>'\""), "the reply is shown as text");
        assert!(page.contains(&format!("<html lang=\"{lang}\">")));
    }
}

#[test]
fn diagnose_against_postfix_shows_each_step_with_its_time() {
    let env = TestEnv::get();
    let p = env.smtp_starttls.to_string();
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--format", "html"]);
    let out = support::cli::mailprobe(&args, None, &[("MP_PASSWORD", env.password.as_str())]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let page = stdout(&out);
    check_page(&page, "diagnose postfix", &[]);
    for stage in ["connect", "tls", "ehlo", "auth", "rcpt_to"] {
        assert!(page.contains(&format!("class=\"step ok\" data-stage=\"{stage}\"")), "{stage}: {page}");
    }
    assert!(page.contains(" ms</span>"));
    assert!(!page.contains(env.password.as_str()), "the password is never shown");
}

#[test]
fn explain_shows_a_hostile_paste_as_text() {
    let paste = format!("535 5.7.8 Username and Password not accepted {HOSTILE}\n");
    let json = run(&["explain", "--provider", "gmail", "--format", "json", "-"], Some(paste.as_bytes()));
    let ids = ids(&json);
    assert!(!ids.is_empty());
    let out = run(&["explain", "--provider", "gmail", "--format", "html", "-"], Some(paste.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let shown = check_page(&stdout(&out), "explain", &ids);
    assert!(shown.contains("<img src=http://evil.test/x>"), "the paste is shown as text");
}

#[test]
fn dns_page_has_each_check_as_a_step() {
    let args = ["dns", "spf.test", "--ip", "192.0.2.66", "--no-dnsbl"];
    let json = dns_support::mailprobe(&[&args[..], &["--format", "json"]].concat());
    let ids = ids(&json);
    let out = dns_support::mailprobe(&[&args[..], &["--format", "html"]].concat());
    let page = stdout(&out);
    check_page(&page, "dns", &ids);
    assert!(page.contains("spf.test"), "{page}");
}

#[test]
fn advise_and_demo_pages() {
    let args = ["advise", "--tls", "1.0", "--can-login", "no", "--external", "yes", "--static-ip", "no"];
    let json = run(&[&args[..], &["--format", "json"]].concat(), None);
    let ids = ids(&json);
    assert_eq!(ids, ["advise.no_mode_fits"]);
    let out = run(&[&args[..], &["--format", "html"]].concat(), None);
    assert_eq!(out.status.code(), Some(1));
    check_page(&stdout(&out), "advise", &ids);

    let json = run(&["demo", "gmail-app-password", "--format", "json"], None);
    let demo_ids = self::ids(&json);
    let out = run(&["demo", "gmail-app-password", "--format", "html"], None);
    assert_eq!(out.status.code(), Some(0));
    check_page(&stdout(&out), "demo", &demo_ids);
}
