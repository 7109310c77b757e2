//! The peers of the library's tests, all on 127.0.0.1: the test environment's OpenID provider
//! (`scripts/testenv start`, panva's oidc-provider), a second instance of the same provider
//! started here with a client that signs in with a certificate (`private_key_jwt`), keys and
//! certificates made by `openssl req`, and a TCP forwarder that can be switched off to play a
//! token endpoint outage.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How long any helper process or network step may take.
pub const STEP: Duration = Duration::from_secs(30);

/// The repository's root.
pub fn repo_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("..");
    root.canonicalize().unwrap_or(root)
}

/// The test environment's `KEY=VALUE` file, started once per test binary (the script is
/// idempotent and serialised; a failure to start fails the tests, never skips them).
pub fn env() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let script = repo_root().join("scripts").join("testenv");
        let tag = std::env::temp_dir().join(format!("mailprobe-oauth-testenv.{}", std::process::id()));
        let (out_path, err_path) = (tag.with_extension("out"), tag.with_extension("err"));
        // output to files, not pipes: a daemon that kept a descriptor cannot make us wait
        let status = Command::new("bash")
            .arg(&script)
            .arg("start")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&err_path).unwrap())
            .status()
            .expect("run scripts/testenv");
        let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        let _ = (std::fs::remove_file(&out_path), std::fs::remove_file(&err_path));
        assert!(status.success(), "scripts/testenv start: {status}\n{stderr}\n{stdout}");
        let file = stdout.lines().rev().map(str::trim).find(|l| !l.is_empty()).expect("env file path");
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
            .collect()
    })
}

/// One key of the test environment.
pub fn var(key: &str) -> String {
    env().get(key).unwrap_or_else(|| panic!("{key} missing from the test environment")).clone()
}

/// The environment's token endpoint.
pub fn token_url() -> String {
    format!("{}/token", var("OAUTH_ISSUER"))
}

/// A fresh temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-oauth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn node() -> Command {
    let mut c = Command::new(var("NODE"));
    c.current_dir(repo_root().join("testenv").join("oauth-server")).stdin(Stdio::null());
    c
}

/// The tokens of a person's sign-in through the provider's own pages (`token.mjs`):
/// `(access_token, refresh_token)`.
pub fn person_tokens(client: &str, scope: &str) -> (String, String) {
    let out = node()
        .arg(var("OAUTH_TOKEN_TOOL"))
        .args(["token", "--issuer", &var("OAUTH_ISSUER"), "--user", &var("USER"), "--client", client])
        .args(["--scope", scope])
        .output()
        .expect("run token.mjs");
    assert!(out.status.success(), "token.mjs: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token JSON");
    let s = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("no {k} in {v}")).to_owned();
    (s("access_token"), s("refresh_token"))
}

/// Revokes a token at the environment's revocation endpoint (as the public client `client`).
pub fn revoke(client: &str, token: &str) {
    let script = r#"
const [issuer, client, token] = process.argv.slice(1);
const r = await fetch(issuer + '/token/revocation', { method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token, client_id: client }).toString(),
  signal: AbortSignal.timeout(20000) });
if (!r.ok) { console.error('HTTP', r.status, await r.text()); process.exit(1); }
"#;
    let out = node()
        .args(["--input-type=module", "-e", script, &var("OAUTH_ISSUER"), client, token])
        .output()
        .expect("run node");
    assert!(out.status.success(), "revocation: {}", String::from_utf8_lossy(&out.stderr));
}

/// An RSA key and a self-signed certificate for it, made by `openssl req` in `dir`.
pub fn certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj"])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdin(Stdio::null())
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "openssl req: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// A second oidc-provider (the environment's package) whose only client,
/// `mailprobe-app-cert`, signs in with a certificate: `private_key_jwt`, the public key of
/// `key_file` registered, the client-credentials grant, Microsoft 365's app-only scope.
pub struct CertServer {
    child: Child,
    /// Its token endpoint.
    pub token_url: String,
}

/// The client id of [`CertServer`]'s client.
pub const CERT_CLIENT: &str = "mailprobe-app-cert";

impl CertServer {
    pub fn start(key_file: &Path) -> Self {
        let script = r#"
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Provider from 'oidc-provider';
const [keyFile] = process.argv.slice(1);
const client = crypto.createPublicKey(fs.readFileSync(keyFile)).export({ format: 'jwk' });
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'cert-server', alg: 'RS256', use: 'sig' };
const AUD = 'https://outlook.office365.com';
const server = await new Promise((resolve) => {
  let provider;
  const s = (provider = new Provider('http://127.0.0.1', {
    clients: [{ client_id: 'mailprobe-app-cert', token_endpoint_auth_method: 'private_key_jwt',
                grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
                jwks: { keys: [{ ...client, use: 'sig' }] } }],
    jwks: { keys: [signing] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: { enabled: true,
        defaultResource: async () => AUD,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({ scope: `${AUD}/.default`, audience: AUD,
          accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }) },
    },
    renderError(ctx, out) { ctx.type = 'json'; ctx.body = out; },
  })).listen(0, '127.0.0.1', () => resolve(s));
});
console.log(`ready ${server.address().port}`);
process.on('SIGTERM', () => process.exit(0));
"#;
        // its warnings (a development adapter, the Node version) go to a file, shown on failure
        let log = key_file.with_extension("server.log");
        let mut child = node()
            .args(["--input-type=module", "-e", script])
            .arg(key_file)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start node");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let port = loop {
            match rx.recv_timeout(STEP) {
                Ok(line) => {
                    if let Some(p) = line.strip_prefix("ready ") {
                        break p.trim().to_owned();
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let said = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!("the certificate test server did not start: {e}\n{said}");
                }
            }
        };
        // the issuer is fixed at http://127.0.0.1; its token endpoint is on the port it got
        Self { child, token_url: format!("http://127.0.0.1:{port}/token") }
    }
}

impl Drop for CertServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP forwarder on 127.0.0.1 to `target` that can be switched off: off, it closes every
/// connection it has and each new one at once (a token endpoint that is down).
pub struct Forwarder {
    /// Where it listens.
    pub port: u16,
    up: std::sync::Arc<AtomicBool>,
    switch: watch::Sender<bool>,
}

impl Forwarder {
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(AtomicBool::new(true));
        let (switch, watch) = watch::channel(true);
        let flag = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut down = watch.clone();
                tokio::spawn(async move {
                    let Ok(Ok(mut outbound)) = tokio::time::timeout(STEP, TcpStream::connect(&target)).await
                    else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { port, up, switch }
    }

    /// Switches it on or off.
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        let _ = self.switch.send(up);
    }
}
