//! `mailprobe advise` for the Microsoft 365 guide's cases, with the tenant's MX endpoint and SPF
//! record read from the test DNS server (nsd on 127.0.0.1, started by scripts/testenv).

mod dns_support;

use dns_support::{json, text};

#[test]
fn tls_1_0_printer_that_must_mail_outsiders_relays_through_a_connector() {
    let (code, v) = json(&[
        "advise",
        "--tls",
        "1.0",
        "--external",
        "yes",
        "--static-ip",
        "yes",
        "--domain",
        "contoso.test",
        "--ip",
        "203.0.113.10",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["mode"], "relay");
    assert_eq!(v["settings"]["server"], "contoso-test.mail.protection.outlook.com");
    assert_eq!(v["mx_endpoint"], "contoso-test.mail.protection.outlook.com");
    assert!(v.get("mx_endpoint_guessed").is_none());
    assert_eq!(
        v["dns_records"][0]["value"],
        "v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com -all"
    );
    let steps: Vec<&str> =
        v["admin_steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(steps.contains(&"advise-step-connector"), "{steps:?}");
    let alts = v["alternatives"].as_array().unwrap();
    // The legacy TLS endpoint is offered as the alternative, with its caveat.
    assert!(
        alts.iter()
            .any(|a| a["id"] == "advise-alt-possible" && a["text"].as_str().unwrap().contains("legacy"))
    );
    assert!(v["caveats"].as_array().unwrap().iter().any(|c| c["id"] == "advise-caveat-legacy"));
    assert!(v["findings"].as_array().unwrap().is_empty());

    // Without a static IP: the legacy endpoint opt-in.
    let (code, v) =
        json(&["advise", "--tls", "1.0", "--external", "yes", "--static-ip", "no", "--can-login", "yes"]);
    assert_eq!(code, 0);
    assert_eq!(v["mode"], "legacy-submission");
    assert_eq!(v["settings"]["server"], "smtp-legacy.office365.com");
    assert!(
        v["admin_steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["command"] == "Set-TransportConfig -AllowLegacyTLSClients $true")
    );

    // And if it cannot sign in either: nothing fits, said as an error finding.
    let (code, v) =
        json(&["advise", "--tls", "1.0", "--external", "yes", "--static-ip", "no", "--can-login", "no"]);
    assert_eq!(code, 1);
    assert!(v.get("mode").is_none());
    assert_eq!(v["findings"][0]["id"], "advise.no_mode_fits");
}

#[test]
fn an_app_that_can_log_in_uses_client_submission() {
    let (code, v) = json(&["advise", "--can-login", "yes", "--tls", "1.2", "--user", "app@contoso.test"]);
    assert_eq!(code, 0);
    assert_eq!(v["mode"], "submission");
    assert_eq!(v["settings"]["server"], "smtp.office365.com");
    assert!(v["settings"]["port"].as_str().unwrap().contains("587"));
    assert!(v["admin_steps"].as_array().unwrap().iter().any(|s| s["command"]
        == "Set-CASMailbox -Identity app@contoso.test -SmtpClientAuthenticationDisabled $false"));
    let (_, out) = text(&["advise", "--can-login", "yes", "--lang", "en"]);
    assert!(out.contains("Recommended: SMTP AUTH client submission"), "{out}");
    assert!(out.contains("Server / smart host: smtp.office365.com"), "{out}");
}

#[test]
fn a_scanner_that_only_mails_colleagues_uses_direct_send() {
    let (code, v) = json(&["advise", "--can-login", "no", "--external", "no", "--domain", "contoso.test"]);
    assert_eq!(code, 0);
    assert_eq!(v["mode"], "direct-send");
    assert_eq!(v["settings"]["server"], "contoso-test.mail.protection.outlook.com");
    assert!(v["settings"]["recipients"].as_str().unwrap().contains("only mailboxes of your organization"));
    assert!(v["caveats"].as_array().unwrap().iter().any(|c| c["id"] == "advise-caveat-no-static-direct"));
    // Italian, Markdown; the older spelling --markdown still works, and says the same.
    let scanner =
        ["advise", "--can-login", "no", "--external", "no", "--domain", "contoso.test", "--lang", "it"];
    let (_, out) = text(&[&scanner[..], &["--format", "markdown"]].concat());
    assert!(out.starts_with("# Come il dispositivo"), "{out}");
    assert!(out.contains("**Consigliato: invio diretto**"), "{out}");
    assert!(out.contains("`contoso-test.mail.protection.outlook.com`"), "{out}");
    let (_, old) = text(&[&scanner[..], &["--markdown"]].concat());
    assert_eq!(old, out);
}

/// Markdown is for the documents people paste into a ticket (advise, guide --print); any other
/// command given it stops before doing anything, with bad usage (2) and a sentence saying so.
#[test]
fn format_markdown_is_for_advise_and_guide_print_only() {
    let (code, out) = text(&["guide", "--print", "m365-direct-send", "--format", "markdown"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("# "), "{out}");
    for args in [
        &["dns", "contoso.test", "--format", "markdown"][..],
        &["explain", "--format", "markdown", "535"],
        &["diagnose", "--host", "mail.example.test", "--format", "markdown"],
        &["guide", "--format", "markdown"],
        &["demo", "--list", "--format", "markdown"],
        &["auth", "status", "--format", "markdown"],
    ] {
        let out = dns_support::mailprobe(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing runs");
        assert!(stderr.contains("--format markdown is for advise and guide --print"), "{args:?}: {stderr}");
    }
}

#[test]
fn without_dns_the_mx_endpoint_is_the_usual_form() {
    // A domain the test server does not serve (REFUSED): the endpoint is derived and flagged.
    let (_, v) = json(&["advise", "--can-login", "no", "--external", "no", "--domain", "fabrikam.example"]);
    assert_eq!(v["mx_endpoint"], "fabrikam-example.mail.protection.outlook.com");
    assert_eq!(v["mx_endpoint_guessed"], true);
}

#[test]
fn other_providers_get_client_submission() {
    let (code, v) = json(&["advise", "--provider", "aruba"]);
    assert_eq!(code, 0);
    assert_eq!(v["settings"]["server"], "smtps.aruba.it");
    assert_eq!(v["settings"]["port"], "465");
    let (code, _) = json(&["advise", "--provider", "nosuch"]);
    assert_eq!(code, 2);
}
