//! XOAUTH2 and OAUTHBEARER against real Postfix + Dovecot (passdb oauth2) with tokens from a
//! real authorization server: a good token gets 235 / OK; a bad one gets the error challenge,
//! which mailprobe decodes, answers with the empty response, and records the final 535 / NO.

mod support;

use serde_json::Value;
use support::oauth::{self, GOOGLE_SCOPES, GRAPH_SCOPES, OUTLOOK_SCOPES, Run, finding_ids, transcript};
use support::testenv::TestEnv;

/// `diagnose` against SMTP_OAUTH and IMAPS_OAUTH with `token`, as JSON.
fn diagnose(env: &TestEnv, user: &str, token: &str, mech: &str, extra: &[&str]) -> Run {
    let cfg = oauth::temp_dir("oauth-mail");
    let mut c = oauth::diagnose_oauth(env, &cfg, true);
    c.env("MP_TEST_TOKEN", token).args([
        "--user",
        user,
        "--token-env",
        "MP_TEST_TOKEN",
        "--auth",
        mech,
        "--format",
        "json",
    ]);
    c.args(extra);
    oauth::run(c)
}

/// The auth-stage events, each as a short line: `sent: …`, `received: 235 …`, `imap: …`,
/// `note: …`, `token: …`.
fn auth_lines(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["stage"] == "auth")
        .map(|e| match e["event"].as_str().unwrap() {
            "sent" => format!("sent: {}", e["line"].as_str().unwrap()),
            "received" => {
                let r = &e["reply"];
                let text = r["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("received: {} {text}", r["code"])
            }
            "imap_received" => format!("imap: {}", e["line"].as_str().unwrap()),
            "note" => format!("note: {}", e["text"].as_str().unwrap()),
            "token_inspected" => format!("token: {}", e["inspection"]),
            other => format!("{other}: {e}"),
        })
        .collect()
}

fn assert_good(run: &Run, mech: &str) {
    let doc = run.json();
    let smtp = auth_lines(transcript(&doc, "smtp"));
    assert!(
        smtp.iter().any(|l| l.starts_with(&format!("sent: AUTH {mech} <redacted: {mech} user="))),
        "{smtp:#?}"
    );
    assert!(smtp.iter().any(|l| l.starts_with("received: 235")), "{smtp:#?}");
    let imap = auth_lines(transcript(&doc, "imap"));
    assert!(
        imap.iter().any(|l| l.contains(&format!("AUTHENTICATE {mech} <redacted: {mech} user="))),
        "{imap:#?}"
    );
    assert!(imap.iter().any(|l| l.starts_with("imap: a") && l.contains(" OK ")), "{imap:#?}");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(doc["ok"], true);
}

/// The error challenge was decoded (Dovecot's Gmail-style JSON), the empty response sent, and
/// the final failure recorded — over SMTP and IMAP.
fn assert_challenge_then_failure(run: &Run, mech: &str) {
    let doc = run.json();
    let smtp = auth_lines(transcript(&doc, "smtp"));
    let i334 = smtp
        .iter()
        .position(|l| l.starts_with("received: 334 "))
        .unwrap_or_else(|| panic!("no 334: {smtp:#?}"));
    let note = &smtp[i334 + 1];
    assert!(note.starts_with("note: the 334 challenge decodes to: {"), "{smtp:#?}");
    match mech {
        "XOAUTH2" => {
            assert!(note.contains(r#""status":"401""#) && note.contains(r#""schemes":"bearer""#), "{note}")
        }
        _ => assert!(note.contains(r#""status":"invalid_token""#), "{note}"),
    }
    assert_eq!(smtp[i334 + 2], "sent: (empty response after the error challenge)", "{smtp:#?}");
    assert!(smtp[i334 + 3].starts_with("received: 535 5.7.8"), "{smtp:#?}");

    let imap = auth_lines(transcript(&doc, "imap"));
    let plus = imap
        .iter()
        .position(|l| l.starts_with("imap: + ey"))
        .unwrap_or_else(|| panic!("no + challenge: {imap:#?}"));
    assert!(imap[plus + 1].starts_with("note: the + challenge decodes to: {"), "{imap:#?}");
    assert_eq!(imap[plus + 2], "sent: (empty response after the error challenge)", "{imap:#?}");
    assert!(imap[plus + 3].starts_with("imap: a") && imap[plus + 3].contains(" NO "), "{imap:#?}");

    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let ids = finding_ids(&doc);
    assert!(ids.iter().any(|i| i.starts_with("oauth.") || i == "auth.oauth_challenge_failed"), "{ids:?}");
}

#[test]
fn good_opaque_token_signs_in_over_smtp_and_imap_with_both_mechanisms() {
    let env = TestEnv::get();
    let t = oauth::token(env, &env.user, &env.oauth_client_installed, GOOGLE_SCOPES, None);
    assert!(!t.access_token.contains('.'), "a Google-style token is opaque");
    for mech in ["XOAUTH2", "OAUTHBEARER"] {
        let run = diagnose(env, &env.user, &t.access_token, &mech.to_lowercase(), &[]);
        assert_good(&run, mech);
    }
}

#[test]
fn good_jwt_signs_in_and_its_claims_are_evidence() {
    let env = TestEnv::get();
    let t = oauth::token(env, &env.user, &env.oauth_client_installed, OUTLOOK_SCOPES, None);
    assert_eq!(t.access_token.matches('.').count(), 2, "a Microsoft-style token is a JWT");
    let run = diagnose(env, &env.user, &t.access_token, "xoauth2", &[]);
    assert_good(&run, "XOAUTH2");
    let doc = run.json();
    let smtp = transcript(&doc, "smtp");
    let i = smtp.iter().find(|e| e["event"] == "token_inspected").expect("token inspected");
    let claims = &i["inspection"]["claims"];
    assert_eq!(claims["user"], env.user.as_str());
    assert_eq!(claims["audience"][0], "https://outlook.office.com");
    assert_eq!(claims["scopes"][0], "SMTP.Send");
    assert_eq!(claims["tenant"], "mailprobe-test-tenant");
    assert_eq!(i["inspection"]["problems"], serde_json::json!([]));
}

#[test]
fn bad_tokens_get_the_challenge_the_empty_response_and_535() {
    let env = TestEnv::get();
    let revoked = oauth::token(env, &env.user, &env.oauth_client_installed, GOOGLE_SCOPES, Some("access"));
    for (what, token) in [("garbage", "not-a-token-at-all".to_owned()), ("revoked", revoked.access_token)] {
        for mech in ["XOAUTH2", "OAUTHBEARER"] {
            eprintln!("{what} {mech}");
            let run = diagnose(env, &env.user, &token, &mech.to_lowercase(), &[]);
            assert_challenge_then_failure(&run, mech);
        }
    }
    // the kb's reading of Dovecot's 401 challenge
    let run = diagnose(env, &env.user, "not-a-token-at-all", "xoauth2", &[]);
    assert!(finding_ids(&run.json()).contains(&"oauth.token_invalid".to_owned()), "{}", run.stdout);
}

#[test]
fn an_expired_jwt_is_refused_and_shown_expired() {
    let env = TestEnv::get();
    let t = oauth::token(env, &env.user, &env.oauth_client_short, OUTLOOK_SCOPES, None);
    std::thread::sleep(std::time::Duration::from_secs(env.oauth_short_ttl + 2));
    let run = diagnose(env, &env.user, &t.access_token, "xoauth2", &[]);
    assert_challenge_then_failure(&run, "XOAUTH2");
    let doc = run.json();
    let smtp = transcript(&doc, "smtp");
    let i = smtp.iter().find(|e| e["event"] == "token_inspected").expect("token inspected");
    let problems = i["inspection"]["problems"].as_array().unwrap();
    assert_eq!(problems[0]["problem"], "expired", "{problems:?}");
    assert!(problems[0]["seconds_ago"].as_i64().unwrap() >= 1);
    assert!(finding_ids(&doc).contains(&"oauth.token_expired".to_owned()), "{:?}", finding_ids(&doc));
}

#[test]
fn another_accounts_token_is_refused_and_named() {
    let env = TestEnv::get();
    // bob's token, used to log in as alice
    let t = oauth::token(env, &env.user2, &env.oauth_client_installed, OUTLOOK_SCOPES, None);
    let run = diagnose(env, &env.user, &t.access_token, "oauthbearer", &[]);
    assert_challenge_then_failure(&run, "OAUTHBEARER");
    let doc = run.json();
    let i =
        transcript(&doc, "smtp").iter().find(|e| e["event"] == "token_inspected").expect("token inspected");
    let p = &i["inspection"]["problems"][0];
    assert_eq!(p["problem"], "wrong_account");
    assert_eq!(p["token_user"], env.user2.as_str());
    assert_eq!(p["expected"], env.user.as_str());
    assert_eq!(finding_ids(&doc)[0], "oauth.wrong_account", "{:?}", finding_ids(&doc));
    let (ids, text) = inspect(&t.access_token, &env.user);
    assert_eq!(ids, ["oauth.wrong_account"]);
    assert!(text.contains("[oauth.wrong_account]"), "{text}");
}

/// `auth inspect` of `token` for `user`: the finding ids of its JSON, and its text report.
fn inspect(token: &str, user: &str) -> (Vec<String>, String) {
    let cfg = oauth::temp_dir("oauth-inspect");
    let run = |format: &str| {
        let mut c = oauth::mailprobe(&cfg);
        c.env("MP_TEST_TOKEN", token).args([
            "auth",
            "inspect",
            "--token-env",
            "MP_TEST_TOKEN",
            "--user",
            user,
            "--format",
            format,
        ]);
        let r = oauth::run(c);
        // problems found: exit 1
        assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
        r
    };
    (finding_ids(&run("json").json()), run("text").stdout)
}

#[test]
fn a_token_for_microsoft_graph_is_the_wrong_audience() {
    let env = TestEnv::get();
    // a real token of the test server for its Graph-like resource: audience
    // https://graph.microsoft.com, scp Mail.Send
    let t = oauth::token(env, &env.user, &env.oauth_client_installed, GRAPH_SCOPES, None);
    let run = diagnose(env, &env.user, &t.access_token, "xoauth2", &[]);
    let doc = run.json();
    let inspected = transcript(&doc, "smtp").iter().find(|e| e["event"] == "token_inspected").unwrap();
    assert_eq!(inspected["inspection"]["claims"]["audience"][0], "https://graph.microsoft.com");
    let ids = finding_ids(&doc);
    // the audience explains the missing SMTP.Send: one finding, not two
    assert_eq!(ids, ["oauth.wrong_audience"], "{}", run.stdout);
    // Dovecot checks signature and issuer, not the audience, so it let the token in: the
    // finding is what Exchange Online would refuse, and the run says so with exit 1
    assert_eq!(run.code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["params"]["audience"], "https://graph.microsoft.com");
    assert_eq!(f["params"]["expected_audience"], "https://outlook.office.com");
    let (ids, text) = inspect(&t.access_token, &env.user);
    assert_eq!(ids, ["oauth.wrong_audience"]);
    assert!(
        text.contains("[oauth.wrong_audience]") && text.contains("https://outlook.office.com/SMTP.Send"),
        "{text}"
    );
}

#[test]
fn a_token_without_smtp_send_is_the_wrong_scope() {
    let env = TestEnv::get();
    // Exchange Online's audience, but only the IMAP scope
    let t = oauth::token(
        env,
        &env.user,
        &env.oauth_client_installed,
        "openid offline_access https://outlook.office.com/IMAP.AccessAsUser.All",
        None,
    );
    let run = diagnose(env, &env.user, &t.access_token, "xoauth2", &[]);
    let doc = run.json();
    let smtp = transcript(&doc, "smtp");
    let inspected = smtp.iter().find(|e| e["event"] == "token_inspected").unwrap();
    assert_eq!(inspected["inspection"]["problems"][0]["problem"], "missing_scope", "{inspected}");
    // over IMAP the same token is right
    let imap = transcript(&doc, "imap");
    let inspected = imap.iter().find(|e| e["event"] == "token_inspected").unwrap();
    assert_eq!(inspected["inspection"]["problems"], serde_json::json!([]), "{inspected}");
    assert_eq!(finding_ids(&doc), ["oauth.wrong_scope"], "{}", run.stdout);
    assert_eq!(doc["findings"][0]["params"]["scope"], "SMTP.Send");
    let (ids, _) = inspect(&t.access_token, &env.user);
    assert_eq!(ids, ["oauth.wrong_scope"]);
}

#[test]
fn without_a_bearer_mechanism_imap_says_so() {
    // the core IMAPS listener offers PLAIN and LOGIN only
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-nomech");
    let mut c = oauth::diagnose_oauth(env, &cfg, false);
    c.env("MP_TEST_TOKEN", "whatever").args([
        "--user",
        &env.user,
        "--token-env",
        "MP_TEST_TOKEN",
        "--auth",
        "xoauth2",
        "--imap",
        &format!("{}:{}", env.host, env.imaps),
        "--imap-security",
        "tls",
        "--format",
        "json",
    ]);
    let doc = oauth::run(c).json();
    let imap = auth_lines(transcript(&doc, "imap"));
    assert!(
        imap.iter().any(|l| l.starts_with(
            "note: AUTHENTICATE XOAUTH2 was needed for the token, but the server offers: PLAIN"
        )),
        "{imap:#?}"
    );
}
