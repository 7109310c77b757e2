//! The simulator checked by clients nobody here wrote: swaks, Python's smtplib and
//! `openssl s_client`. These tests fail (they do not skip) when a tool is missing: install them
//! with `scripts/testenv install`.

use std::process::Output;
use std::time::Duration;

use mailprobe_sim::{Scenario, Simulator, accounts};
use serde_json::Value;
use tokio::process::Command;

/// Longest a tool may run.
const TOOL_WAIT: Duration = Duration::from_secs(60);

async fn run(cmd: &mut Command, tool: &str) -> Output {
    cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
    let child = cmd.output();
    tokio::time::timeout(TOOL_WAIT, child)
        .await
        .unwrap_or_else(|_| panic!("{tool} did not finish"))
        .unwrap_or_else(|e| panic!("{tool} is required for this test (scripts/testenv install): {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// swaks against the simulator, with the scenario's client settings (`-tls` = STARTTLS,
/// `-tlsc` = implicit TLS). Returns the transcript swaks printed.
async fn swaks(
    sim: &Simulator,
    scenario: Scenario,
    implicit: bool,
    auth: &str,
    quit_after_rcpt: bool,
) -> String {
    let setup = scenario.client();
    let addr = if implicit { sim.implicit_addr() } else { sim.submission_addr() };
    let mut cmd = Command::new("swaks");
    cmd.arg("--server")
        .arg(addr.to_string())
        .arg(if implicit { "-tlsc" } else { "-tls" })
        .args(["--auth", auth, "--auth-user", setup.user.as_deref().unwrap()])
        .args(["--auth-password", setup.password.as_deref().unwrap_or("")])
        .args(["--from", &setup.from, "--to", &setup.to])
        .args(["--timeout", "20"]);
    if quit_after_rcpt {
        cmd.args(["--quit-after", "RCPT"]);
    }
    let out = run(&mut cmd, "swaks").await;
    let t = text(&out);
    assert!(t.contains("=== TLS started with cipher TLSv1."), "{t}");
    t
}

#[tokio::test]
async fn swaks_gmail_ok_sends_over_implicit_tls() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    let t = swaks(&sim, Scenario::GmailOk, true, "PLAIN", false).await;
    assert!(t.contains("<~  220 smtp.gmail.com ESMTP "), "{t}");
    assert!(t.contains("<~  235 2.7.0 Accepted"), "{t}");
    assert!(t.contains("<~  250 2.1.5 OK "), "{t}");
    assert!(t.contains("<~  354  Go ahead "), "{t}");
    assert!(t.contains("<~  250 2.0.0 OK  "), "{t}");
    assert!(t.contains("=== TLS peer DN=\"/CN=smtp.gmail.com\""), "{t}");
    assert_eq!(sim.accepted_messages().len(), 1);
}

#[tokio::test]
async fn swaks_gmail_app_password_required() {
    let sim = Simulator::start(Scenario::GmailAppPasswordRequired).await.unwrap();
    let t = swaks(&sim, Scenario::GmailAppPasswordRequired, false, "PLAIN", true).await;
    assert!(t.contains("<-  250-STARTTLS"), "{t}");
    assert!(
        t.contains("<~* 534-5.7.9 Application-specific password required. For more information, go to"),
        "{t}"
    );
    assert!(t.contains("<~* 534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "), "{t}");
    assert!(!t.contains("235 "), "{t}");
}

#[tokio::test]
async fn swaks_m365() {
    let sim = Simulator::start(Scenario::M365SmtpAuthDisabled).await.unwrap();
    let t = swaks(&sim, Scenario::M365SmtpAuthDisabled, false, "LOGIN", true).await;
    assert!(
        t.contains("<~* 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."),
        "{t}"
    );

    let sim = Simulator::start(Scenario::M365SendAsDenied).await.unwrap();
    let t = swaks(&sim, Scenario::M365SendAsDenied, false, "LOGIN", true).await;
    assert!(t.contains("<~  235 2.7.0 Authentication successful"), "{t}");
    assert!(
        t.contains("<~* 550 5.7.60 SMTP; Client does not have permissions to send as this sender ["),
        "{t}"
    );

    let sim = Simulator::start(Scenario::M365Ok).await.unwrap();
    let t = swaks(&sim, Scenario::M365Ok, false, "LOGIN", false).await;
    assert!(t.contains("<~  235 2.7.0 Authentication successful"), "{t}");
    assert!(t.contains("<~  250 2.1.0 Sender OK"), "{t}");
    assert!(t.contains("<~  250 2.0.0 OK <"), "{t}");
    assert!(t.contains("<~  221 2.0.0 Service closing transmission channel"), "{t}");
    // PLAIN is not offered by Exchange Online: swaks refuses to try it.
    let t = swaks(&sim, Scenario::M365Ok, false, "PLAIN", true).await;
    assert!(!t.contains("235 "), "{t}");
}

/// Python's smtplib, verifying the certificate for the provider's name with the simulator's CA.
/// Modes: `starttls-login`, `implicit-login`, `starttls-xoauth2`, `implicit-xoauth2`.
const PY_CLIENT: &str = r#"
import base64, json, os, smtplib, socket, ssl, sys

mode, host, port, server_name, user, secret = sys.argv[1:7]
ctx = ssl.create_default_context(cadata=os.environ["SIM_CA_PEM"])
ctx.minimum_version = ssl.TLSVersion.TLSv1_2


class Implicit(smtplib.SMTP_SSL):
    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), timeout)
        return self.context.wrap_socket(sock, server_hostname=server_name)


out = {}
try:
    if mode.startswith("implicit"):
        s = Implicit(host, int(port), context=ctx, timeout=20)
    else:
        s = smtplib.SMTP(host, int(port), timeout=20)
        s.ehlo()
        out["starttls_offered"] = s.has_extn("starttls")
        # Check the certificate against the provider's name, not 127.0.0.1.
        s._host = server_name
        s.starttls(context=ctx)
    s.ehlo()
    out["tls_version"] = s.sock.version()
    out["auth_offered"] = s.esmtp_features.get("auth", "")
    if mode.endswith("xoauth2"):
        raw = "user=%s\x01auth=Bearer %s\x01\x01" % (user, secret)
        code, msg = s.docmd("AUTH", "XOAUTH2 " + base64.b64encode(raw.encode()).decode())
        out["first"] = {"code": code, "message": msg.decode()}
        if code == 334:
            code, msg = s.docmd("")
        out["code"], out["message"] = code, msg.decode()
    else:
        try:
            code, msg = s.login(user, secret)
            out["code"], out["message"] = code, msg.decode()
        except smtplib.SMTPAuthenticationError as e:
            out["error"] = "SMTPAuthenticationError"
            out["code"], out["message"] = e.smtp_code, e.smtp_error.decode()
    s.quit()
except Exception as e:
    out["exception"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(out))
"#;

async fn python(sim: &Simulator, mode: &str, user: &str, secret: &str) -> Value {
    let addr = if mode.starts_with("implicit") { sim.implicit_addr() } else { sim.submission_addr() };
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(PY_CLIENT)
        .arg(mode)
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg(sim.host_name())
        .arg(user)
        .arg(secret)
        .env("SIM_CA_PEM", sim.ca_pem());
    let out = run(&mut cmd, "python3").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("python3 printed no JSON ({e}): {}", text(&out)));
    assert!(v.get("exception").is_none(), "{v}");
    v
}

#[tokio::test]
async fn smtplib_gmail_app_password_required() {
    let sim = Simulator::start(Scenario::GmailAppPasswordRequired).await.unwrap();
    let setup = Scenario::GmailAppPasswordRequired.client();
    let v =
        python(&sim, "starttls-login", setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap())
            .await;
    assert_eq!(v["starttls_offered"], true, "{v}");
    assert_eq!(v["tls_version"], "TLSv1.3", "{v}");
    assert_eq!(v["error"], "SMTPAuthenticationError", "{v}");
    assert_eq!(v["code"], 534, "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.starts_with("5.7.9 Application-specific password required."), "{v}");
    assert!(msg.contains("?p=InvalidSecondFactor"), "{v}");

    let v = python(&sim, "starttls-login", setup.user.as_deref().unwrap(), "wrong-password").await;
    assert_eq!(v["code"], 535, "{v}");
    assert!(v["message"].as_str().unwrap().starts_with("5.7.8 Username and Password not accepted."));

    let v =
        python(&sim, "implicit-login", setup.user.as_deref().unwrap(), accounts::GMAIL_APP_PASSWORD).await;
    assert_eq!(v["code"], 235, "{v}");
    assert_eq!(v["message"], "2.7.0 Accepted", "{v}");
}

#[tokio::test]
async fn smtplib_gmail_xoauth2() {
    let sim = Simulator::start(Scenario::GmailXoauth2Rejected).await.unwrap();
    let setup = Scenario::GmailXoauth2Rejected.client();
    let v = python(&sim, "implicit-xoauth2", setup.user.as_deref().unwrap(), setup.token.as_deref().unwrap())
        .await;
    assert_eq!(v["first"]["code"], 334, "{v}");
    let challenge = v["first"]["message"].as_str().unwrap();
    let decoded: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::STANDARD, challenge).unwrap(),
    )
    .unwrap();
    assert_eq!(decoded["status"], "400");
    assert_eq!(decoded["scope"], "https://mail.google.com/");
    assert_eq!(v["code"], 535, "{v}");
    assert!(v["message"].as_str().unwrap().contains("?p=BadCredentials"), "{v}");

    let v =
        python(&sim, "starttls-xoauth2", setup.user.as_deref().unwrap(), accounts::GMAIL_VALID_TOKEN).await;
    assert!(v["first"]["code"] == 235 && v["code"] == 235, "{v}");
}

#[tokio::test]
async fn smtplib_m365() {
    let sim = Simulator::start(Scenario::M365SmtpAuthDisabled).await.unwrap();
    let setup = Scenario::M365SmtpAuthDisabled.client();
    let v =
        python(&sim, "starttls-login", setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap())
            .await;
    assert_eq!(v["auth_offered"], " LOGIN XOAUTH2", "{v}");
    assert_eq!(v["code"], 535, "{v}");
    assert!(
        v["message"].as_str().unwrap().starts_with(
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
        ),
        "{v}"
    );

    let sim = Simulator::start(Scenario::M365Ok).await.unwrap();
    let v =
        python(&sim, "starttls-login", setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap())
            .await;
    assert_eq!(v["code"], 235, "{v}");
    assert_eq!(v["message"], "2.7.0 Authentication successful", "{v}");
    let v = python(&sim, "starttls-login", setup.user.as_deref().unwrap(), "nope").await;
    assert_eq!(v["code"], 535, "{v}");
    assert!(v["message"].as_str().unwrap().starts_with("5.7.3 Authentication unsuccessful ["), "{v}");
}

async fn s_client(sim: &Simulator, version_flag: Option<&str>, ca_file: &std::path::Path) -> (bool, String) {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &sim.submission_addr().to_string()])
        .args(["-starttls", "smtp", "-servername", sim.host_name()])
        .arg("-CAfile")
        .arg(ca_file)
        .args(["-verify_return_error", "-verify_hostname", sim.host_name()]);
    if let Some(flag) = version_flag {
        // SECLEVEL=0 lets this OpenSSL really send the old ClientHello.
        cmd.args([flag, "-cipher", "DEFAULT@SECLEVEL=0"]);
    }
    let out = run(&mut cmd, "openssl").await;
    (out.status.success(), text(&out))
}

#[tokio::test]
async fn openssl_legacy_tls_is_refused_with_protocol_version() {
    let sim = Simulator::start(Scenario::M365LegacyTlsRefused).await.unwrap();
    let dir = std::env::temp_dir().join(format!("mailprobe-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, sim.ca_pem()).unwrap();

    for old in ["-tls1", "-tls1_1"] {
        let (ok, t) = s_client(&sim, Some(old), &ca_file).await;
        assert!(!ok, "{old} must fail: {t}");
        assert!(t.contains("alert protocol version"), "{old}: {t}");
    }
    // TLS 1.2 and the default (1.3) work, with the certificate verified for the provider name.
    let (ok, t) = s_client(&sim, Some("-tls1_2"), &ca_file).await;
    assert!(ok && t.contains("Verify return code: 0 (ok)") && t.contains("Protocol  : TLSv1.2"), "{t}");
    let (ok, t) = s_client(&sim, None, &ca_file).await;
    assert!(ok && t.contains("Verify return code: 0 (ok)") && t.contains("TLSv1.3"), "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}
