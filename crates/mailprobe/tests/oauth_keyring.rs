//! Tokens in a real OS keyring: GNOME Keyring's Secret Service on a private D-Bus session bus
//! (dbus-daemon and gnome-keyring-daemon, Debian packages installed by `scripts/testenv install`),
//! signed in against the test authorization server. The other OAuth tests run without a bus and
//! so exercise the owner-only file fallback.

mod support;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::oauth::{self, GOOGLE_SCOPES};
use support::testenv::TestEnv;

/// A private session bus with an unlocked GNOME Keyring on it; both stop when dropped.
struct SecretService {
    home: PathBuf,
    bus: String,
    dbus_pid: u32,
}

impl SecretService {
    fn start() -> Self {
        let home = oauth::temp_dir("keyring-home");
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let out = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .envs(Self::dirs(&home))
            .output()
            .expect("dbus-daemon (scripts/testenv install installs it)");
        assert!(out.status.success(), "dbus-daemon: {}", String::from_utf8_lossy(&out.stderr));
        let printed = String::from_utf8(out.stdout).unwrap();
        let mut lines = printed.lines();
        let bus = lines.next().expect("bus address").to_owned();
        let dbus_pid = lines.next().and_then(|p| p.trim().parse().ok()).expect("bus pid");
        let service = Self { home, bus, dbus_pid };
        // --unlock reads the login keyring's password on stdin (creating the keyring with it)
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .envs(Self::dirs(&service.home))
            .env("DBUS_SESSION_BUS_ADDRESS", &service.bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gnome-keyring-daemon (scripts/testenv install installs it)");
        keyring.stdin.take().unwrap().write_all(b"keyring-test-password").unwrap();
        let status = keyring.wait().unwrap();
        let mut err = String::new();
        keyring.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(status.success(), "gnome-keyring-daemon: {err}");
        service
    }

    /// HOME and the XDG directories, all inside `home`, so no real keyring is touched.
    fn dirs(home: &Path) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", home.to_owned()),
            ("XDG_DATA_HOME", home.join("data")),
            ("XDG_CONFIG_HOME", home.join("config")),
            ("XDG_RUNTIME_DIR", home.join("run")),
        ]
    }

    /// Lets a `mailprobe` command see this bus.
    fn attach(&self, c: &mut Command) {
        c.envs(Self::dirs(&self.home)).env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
    }

    /// A `mailprobe` command that sees this bus.
    fn mailprobe(&self, cfg: &Path) -> Command {
        let mut c = oauth::mailprobe(cfg);
        self.attach(&mut c);
        c
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        // gnome-keyring-daemon leaves when its bus goes away
        let _ = Command::new("kill").arg(self.dbus_pid.to_string()).status();
    }
}

#[test]
fn sign_in_keeps_the_tokens_in_the_os_keyring_and_logout_removes_them() {
    let env = TestEnv::get();
    let keyring = SecretService::start();
    let cfg = oauth::temp_dir("oauth-keyring");
    let mut c = oauth::login_command(&cfg, &env.oauth_issuer, &env.oauth_client_installed, GOOGLE_SCOPES);
    keyring.attach(&mut c);
    let run = oauth::login_browser_with(env, c, &env.user);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("owner-only file"), "{}", run.stdout);
    // nothing secret on disk in mailprobe's own directory
    assert!(!cfg.join("auth").join("custom.token.json").exists());

    let mut c = keyring.mailprobe(&cfg);
    c.args(["auth", "status", "--format", "json"]);
    let status = oauth::run(c);
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    let profile = &status.json()["profile"];
    assert_eq!(profile["store"]["kind"], "keyring", "{profile}");
    assert_eq!(profile["user"], env.user.as_str());
    assert_eq!(profile["has_refresh_token"], true);

    // the stored access token works: diagnose takes it from the keyring
    let mut c = oauth::diagnose_oauth(env, &cfg, false);
    keyring.attach(&mut c);
    c.args(["--user", &env.user, "--auth", "xoauth2", "--format", "json"]);
    let d = oauth::run(c);
    assert_eq!(d.code, 0, "{}\n{}", d.stdout, d.stderr);
    assert_eq!(oauth::finding_ids(&d.json()), Vec::<String>::new());

    // the keyring's own file is encrypted: no token in it in clear
    let keyrings = keyring.home.join("data").join("keyrings");
    let stored: Vec<u8> = std::fs::read_dir(&keyrings)
        .unwrap_or_else(|e| panic!("{}: {e}", keyrings.display()))
        .flat_map(|f| std::fs::read(f.unwrap().path()).unwrap())
        .collect();
    assert!(!stored.is_empty());
    assert!(!String::from_utf8_lossy(&stored).contains(env.user.as_str()), "keyring file in clear");

    let mut c = keyring.mailprobe(&cfg);
    c.args(["auth", "logout"]);
    let out = oauth::run(c);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let mut c = keyring.mailprobe(&cfg);
    c.args(["auth", "status"]);
    assert_eq!(oauth::run(c).code, 2, "nothing stored any more");
}
