//! Credential hygiene: every auth scenario runs with canary secrets (password, access tokens
//! opaque and JWT, refresh tokens, a client secret, the AUTH payloads), and none of them may
//! appear — plain, base64 or base64url — in stdout, stderr, the JSON, or any file mailprobe
//! wrote except the token store itself.

mod support;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use support::oauth::{self, GOOGLE_SCOPES, OUTLOOK_SCOPES, Run};
use support::testenv::TestEnv;

struct Haystack {
    outputs: Vec<(String, String)>,
}

impl Haystack {
    fn add(&mut self, label: &str, run: &Run) {
        self.outputs.push((format!("{label} stdout"), run.stdout.clone()));
        self.outputs.push((format!("{label} stderr"), run.stderr.clone()));
    }

    fn add_files(&mut self, dir: &Path) {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p: PathBuf = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if !p.to_string_lossy().ends_with(".token.json") {
                    let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                    self.outputs.push((p.display().to_string(), text));
                }
            }
        }
    }
}

/// The forms a secret could leak in.
fn forms(secret: &str) -> Vec<String> {
    vec![secret.to_owned(), STANDARD.encode(secret), URL_SAFE_NO_PAD.encode(secret)]
}

fn diagnose(env: &TestEnv, cfg: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut c = oauth::diagnose_oauth(env, cfg, true);
    c.args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    oauth::run(c)
}

#[test]
fn no_secret_in_any_output_or_file() {
    let env = TestEnv::get();
    let cfg = oauth::temp_dir("hygiene");
    let mut hay = Haystack { outputs: Vec::new() };
    let mut secrets: Vec<String> = vec![env.password.clone(), env.oauth_client_secret.clone()];

    let opaque = oauth::token(env, &env.user, &env.oauth_client_installed, GOOGLE_SCOPES, None);
    let jwt = oauth::token(env, &env.user, &env.oauth_client_installed, OUTLOOK_SCOPES, None);
    let bad = "Canary-Token-0f9e8d7c6b5a";
    for t in [&opaque, &jwt] {
        secrets.push(t.access_token.clone());
        secrets.extend(t.refresh_token.clone());
        secrets.extend(t.id_token.clone());
    }
    secrets.push(bad.to_owned());
    // a JWT's signature alone identifies it
    secrets.push(jwt.access_token.rsplit('.').next().unwrap().to_owned());
    let token_file = cfg.join("token.txt");

    // password: PLAIN over SMTP and IMAP, text and JSON
    for format in ["text", "json"] {
        let run = diagnose(
            env,
            &cfg,
            &["--user", &env.user, "--password-env", "MP_PW", "--format", format],
            &[("MP_PW", &env.password)],
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        hay.add(&format!("password {format}"), &run);
    }
    // tokens: good and bad, both mechanisms, from the environment and from a file
    for token in [opaque.access_token.as_str(), jwt.access_token.as_str(), bad] {
        for mech in ["xoauth2", "oauthbearer"] {
            for format in ["text", "json"] {
                std::fs::write(&token_file, format!("{token}\n")).unwrap();
                let run = diagnose(
                    env,
                    &cfg,
                    &[
                        "--user",
                        &env.user,
                        "--auth",
                        mech,
                        "--token-file",
                        token_file.to_str().unwrap(),
                        "--format",
                        format,
                        "-v",
                    ],
                    &[],
                );
                hay.add(&format!("token {mech} {format}"), &run);
                let run = diagnose(
                    env,
                    &cfg,
                    &["--user", &env.user, "--auth", mech, "--token-env", "MP_TOKEN", "--format", format],
                    &[("MP_TOKEN", token)],
                );
                hay.add(&format!("token env {mech} {format}"), &run);
                // the AUTH payloads themselves
                secrets.push(format!("user={}\x01auth=Bearer {token}\x01\x01", env.user));
                secrets.push(format!(
                    "n,a={},\x01host={}\x01port={}\x01auth=Bearer {token}\x01\x01",
                    env.user, env.host, env.smtp_oauth
                ));
            }
        }
        for format in ["text", "json"] {
            let mut c = oauth::mailprobe(&cfg);
            c.env("MP_TOKEN", token).args([
                "auth",
                "inspect",
                "--token-env",
                "MP_TOKEN",
                "--user",
                &env.user,
                "--format",
                format,
            ]);
            hay.add("inspect", &oauth::run(c));
        }
    }
    secrets.push(format!("\0{}\0{}", env.user, env.password));
    std::fs::remove_file(&token_file).unwrap();

    // sign-in with a confidential client (its secret from the environment), then everything
    // that reads the stored tokens
    let mut c = oauth::login_command(&cfg, &env.oauth_issuer, &env.oauth_client_confidential, OUTLOOK_SCOPES);
    c.env("MP_SECRET", &env.oauth_client_secret).args([
        "--client-secret-env",
        "MP_SECRET",
        "--profile",
        "conf",
    ]);
    let run = oauth::login_browser_with(env, c, &env.user);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    hay.add("login", &run);
    let stored = oauth::stored_file(&cfg, "conf");
    assert_eq!(
        stored["client_secret"],
        env.oauth_client_secret.as_str(),
        "the store keeps what refresh needs"
    );
    secrets.push(stored["access_token"].as_str().unwrap().to_owned());
    secrets.push(stored["refresh_token"].as_str().unwrap().to_owned());
    for args in [
        vec!["auth", "status"],
        vec!["auth", "status", "--format", "json"],
        vec!["auth", "inspect", "--profile", "conf"],
        vec!["auth", "refresh"],
        vec!["auth", "refresh", "--format", "json"],
    ] {
        let mut c = oauth::mailprobe(&cfg);
        c.args(&args);
        let run = oauth::run(c);
        assert!(run.code == 0 || args[1] == "inspect", "{args:?}: {}\n{}", run.stdout, run.stderr);
        hay.add(&args.join(" "), &run);
    }
    let stored = oauth::stored_file(&cfg, "conf");
    secrets.push(stored["access_token"].as_str().unwrap().to_owned());
    secrets.push(stored["refresh_token"].as_str().unwrap().to_owned());
    let run = diagnose(env, &cfg, &["--user", &env.user, "--auth", "xoauth2", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    hay.add("diagnose with the stored token", &run);
    hay.add_files(&cfg);
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "logout"]);
    hay.add("logout", &oauth::run(c));
    hay.add_files(&cfg);

    let mut leaks = Vec::new();
    for s in &secrets {
        for form in forms(s) {
            for (label, text) in &hay.outputs {
                if text.contains(&form) {
                    leaks.push(format!("{label}: contains a form of a secret ({} chars)", s.len()));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
    // and the outputs did say something about the tokens, so the search was not vacuous
    let all: String = hay.outputs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("<redacted: XOAUTH2 user=alice@example.test>"));
    assert!(all.contains("<redacted: OAUTHBEARER user=alice@example.test>"));
    assert!(all.contains("<redacted: PLAIN user=alice@example.test>"));
}
