//! `mailprobe auth login|status|refresh|logout` against a real authorization server
//! (oidc-provider on loopback): the installed-app flow (loopback redirect + PKCE) and the device
//! flow, completed through the server's own sign-in pages; refresh; an expired access token
//! refreshed by `diagnose`; a revoked refresh token; the token file fallback (no session bus here;
//! oauth_keyring.rs signs in with a real keyring).

mod support;

use std::path::Path;

use support::oauth::{self, GOOGLE_SCOPES, OUTLOOK_SCOPES, finding_ids, stored_file, transcript};
use support::testenv::TestEnv;

fn status_json(cfg: &Path, profile: &str) -> serde_json::Value {
    let mut c = oauth::mailprobe(cfg);
    c.args(["auth", "status", "--profile", profile, "--format", "json"]);
    let run = oauth::run(c);
    run.json()["profile"].clone()
}

#[test]
fn installed_app_login_status_refresh_logout() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-login");
    let run = oauth::login_browser(env, &cfg, &env.oauth_client_installed, GOOGLE_SCOPES, &env.user, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // the address printed: PKCE S256, a state, a loopback redirect on the listener's port
    let url = run.stderr.lines().find_map(oauth::url_in).expect("sign-in URL printed");
    for part in
        ["code_challenge_method=S256", "code_challenge=", "state=", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"]
    {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    assert!(run.stdout.contains("signed in"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("account:  {}", env.user)), "{}", run.stdout);
    // no keyring daemon here: the owner-only file is used, and the output says so
    assert!(run.stdout.contains("owner-only file"), "{}", run.stdout);
    assert!(run.stdout.contains("the OS keyring is not available here"), "{}", run.stdout);
    let file = cfg.join("auth").join("custom.token.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "token file mode {mode:o}");
        let dir_mode = std::fs::metadata(cfg.join("auth")).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
    }
    let stored = stored_file(&cfg, "custom");
    let access = stored["access_token"].as_str().unwrap().to_owned();
    let refresh = stored["refresh_token"].as_str().expect("a refresh token").to_owned();

    // status: who, scopes, expiry — and never a token
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "status"]);
    let text = oauth::run(c);
    let s = status_json(&cfg, "custom");
    assert_eq!(s["user"], env.user.as_str());
    assert_eq!(s["scopes"], serde_json::json!(["https://mail.google.com/"]));
    assert!(s["expires_in_secs"].as_i64().unwrap() > 60);
    assert_eq!(s["has_refresh_token"], true);
    assert_eq!(s["store"]["kind"], "file");
    for out in [&text.stdout, &text.stderr, &s.to_string()] {
        assert!(!out.contains(&access) && !out.contains(&refresh), "a token in status output: {out}");
    }

    // refresh: a new access token
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "refresh", "--format", "json"]);
    let r = oauth::run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["result"], "refreshed");
    let after = stored_file(&cfg, "custom");
    assert_ne!(after["access_token"].as_str().unwrap(), access);

    // logout: revoked at the server, gone here
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "logout", "--format", "json"]);
    let out = oauth::run(c);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let doc = out.json();
    assert!(doc["revoked"].as_array().unwrap().iter().any(|r| r == "refresh token"), "{doc}");
    assert!(!file.exists());
    // the refresh token no longer works at the server
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "status"]);
    assert_eq!(oauth::run(c).code, 2, "nothing stored any more");
}

#[test]
fn a_revoked_refresh_token_makes_refresh_fail_with_invalid_grant() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-revoked");
    let run = oauth::login_browser(
        env,
        &cfg,
        &env.oauth_client_installed,
        GOOGLE_SCOPES,
        &env.user,
        &["--profile", "gmail"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let refresh = stored_file(&cfg, "gmail")["refresh_token"].as_str().unwrap().to_owned();
    oauth::revoke(env, &env.oauth_client_installed, &refresh);
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "refresh", "--profile", "gmail", "--format", "json"]);
    let r = oauth::run(c);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["error"], "refresh_failed");
    assert_eq!(doc["code"], "invalid_grant");
    assert!(!r.stdout.contains(&refresh));
}

#[test]
fn device_flow_login_and_an_expired_token_refreshed_by_diagnose() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-device");
    // the short-lived client: its access tokens expire after OAUTH_SHORT_TTL seconds
    let mut c = oauth::login_command(&cfg, &env.oauth_issuer, &env.oauth_client_short, OUTLOOK_SCOPES);
    c.args(["--flow", "device", "--format", "json"]);
    let user = env.user.clone();
    let run = oauth::login_interactive(
        c,
        |l| l.contains("enter the code"),
        |l| {
            let code = l.rsplit(' ').next().unwrap();
            oauth::approve_device(env, code, &user);
        },
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["profile"]["user"], env.user.as_str());
    // a JWT access token: its claims are shown (audience, scopes), not the token
    assert_eq!(doc["profile"]["token"]["claims"]["audience"][0], "https://outlook.office.com");
    let first = stored_file(&cfg, "custom")["access_token"].as_str().unwrap().to_owned();

    std::thread::sleep(std::time::Duration::from_secs(env.oauth_short_ttl + 1));
    let s = status_json(&cfg, "custom");
    assert_eq!(s["expired"], true, "{s}");

    // diagnose --auth xoauth2 without --token-*: the stored token, refreshed first; and
    // --check-clock compares this clock with the Date of the stored sign-in's issuer
    let mut c = oauth::diagnose_oauth(env, &cfg, false);
    c.args(["--user", &env.user, "--auth", "xoauth2", "--check-clock", "--format", "json"]);
    let d = oauth::run(c);
    assert_eq!(d.code, 0, "{}\n{}", d.stdout, d.stderr);
    let doc = d.json();
    let smtp = transcript(&doc, "smtp");
    let clock = smtp.iter().find(|e| e["event"] == "clock_checked").expect("a clock check");
    assert_eq!(clock["check"]["source"], "http_date", "{clock}");
    assert_eq!(clock["check"]["server"], format!("{}/.well-known/openid-configuration", env.oauth_issuer));
    assert_eq!(clock["check"]["level"], "ok", "{clock}");
    assert_eq!(finding_ids(&doc), Vec::<String>::new());
    let replies: Vec<i64> = smtp
        .iter()
        .filter(|e| e["stage"] == "auth" && e["event"] == "received")
        .map(|e| e["reply"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(replies, vec![235]);
    let second = stored_file(&cfg, "custom")["access_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second, "the expired token was refreshed");
    assert!(!d.stdout.contains(&second) && !d.stderr.contains(&second));
}

#[test]
fn a_revoked_refresh_token_during_diagnose_is_the_finding_refresh_failed() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-diag-revoked");
    // short-lived access tokens, so that diagnose has to refresh
    let run = oauth::login_browser(env, &cfg, &env.oauth_client_short, OUTLOOK_SCOPES, &env.user, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let refresh = stored_file(&cfg, "custom")["refresh_token"].as_str().unwrap().to_owned();
    oauth::revoke(env, &env.oauth_client_short, &refresh);
    std::thread::sleep(std::time::Duration::from_secs(env.oauth_short_ttl + 1));

    for format in ["json", "text"] {
        let mut c = oauth::diagnose_oauth(env, &cfg, false);
        c.args(["--user", &env.user, "--auth", "xoauth2", "--format", format]);
        let d = oauth::run(c);
        // a finding (exit 1), not bad input (exit 2)
        assert_eq!(d.code, 1, "{}\n{}", d.stdout, d.stderr);
        assert!(!d.stdout.contains(&refresh) && !d.stderr.contains(&refresh));
        if format == "text" {
            assert!(d.stdout.contains("[oauth.refresh_failed]"), "{}", d.stdout);
            assert!(d.stdout.contains("mailprobe auth login"), "{}", d.stdout);
            continue;
        }
        let doc = d.json();
        let ids = finding_ids(&doc);
        assert_eq!(ids.first().map(String::as_str), Some("oauth.refresh_failed"), "{ids:?}");
        // it hides what the stale token then caused
        assert!(!ids.contains(&"oauth.token_expired".to_owned()), "{ids:?}");
        let smtp = transcript(&doc, "smtp");
        let failure = smtp.iter().find(|e| e["event"] == "client_error").expect("the refresh failure");
        assert_eq!(failure["code"], "invalid_grant", "{failure}");
        // recorded just before the (stale) token was sent, which the server then refused
        let i = smtp.iter().position(|e| e["event"] == "client_error").unwrap();
        let auth = smtp
            .iter()
            .position(|e| e["event"] == "sent" && e["line"].as_str().unwrap().starts_with("AUTH XOAUTH2"));
        assert!(auth.is_some_and(|a| a > i), "{smtp:#?}");
        let finding = &doc["findings"][0];
        assert!(finding["evidence"][0].as_str().unwrap().contains("invalid_grant"), "{finding}");
    }
}

#[test]
fn an_https_issuer_of_a_private_ca_needs_ca_file() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("oauth-https");
    let login = |extra: &[&str]| {
        let mut c =
            oauth::login_command(&cfg, &env.oauth_issuer_tls, &env.oauth_client_installed, GOOGLE_SCOPES);
        c.args(extra);
        c
    };
    // without the CA: refused before anything is asked, in the words of tls.cert_untrusted
    for format in ["text", "json"] {
        let r = oauth::run({
            let mut c = login(&["--format", format]);
            c.stdin(std::process::Stdio::null());
            c
        });
        assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
        if format == "text" {
            assert!(
                r.stdout.starts_with("tls.cert_untrusted: the sign-in server's certificate"),
                "{}",
                r.stdout
            );
            assert!(r.stdout.contains("issued by CN=mailprobe test CA"), "{}", r.stdout);
            assert!(r.stdout.contains("--ca-file"), "{}", r.stdout);
        } else {
            let doc = r.json();
            assert_eq!(doc["error"], "tls.cert_untrusted", "{doc}");
            assert_eq!(doc["certificate"]["issuer"], "CN=mailprobe test CA", "{doc}");
        }
    }
    assert!(!cfg.join("auth").join("custom.token.json").exists());

    // with it: the whole sign-in over HTTPS, then refresh and logout (revocation through the
    // oauth2 crate's own https path)
    let ca = env.ca_file.to_str().unwrap();
    let run = oauth::login_browser_with(env, login(&["--ca-file", ca]), &env.user);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let stored = stored_file(&cfg, "custom");
    assert_eq!(stored["issuer"], env.oauth_issuer_tls.as_str());
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "refresh", "--ca-file", ca, "--format", "json"]);
    let r = oauth::run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // refresh without the CA: a failed refresh that says why
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "refresh", "--format", "json"]);
    let r = oauth::run(c);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["code"], "tls.cert_untrusted", "{}", r.stdout);
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "logout", "--ca-file", ca, "--format", "json"]);
    let r = oauth::run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    assert!(doc["revoked"].as_array().unwrap().iter().any(|x| x == "refresh token"), "{doc}");
}
