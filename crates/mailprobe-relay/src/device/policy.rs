//! Who may send what: devices known by their address or by their password, the senders each may
//! use, each device's message rate, and the limit on failed logins from one address. Shared by
//! every session of a running relay.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::PasswordVerifier as _;
use argon2::password_hash::phc::PasswordHash;

use crate::config::{Device, RelayConfig};
use crate::window::SlidingWindow;

/// Addresses whose failed logins are remembered at most (oldest forgotten first), so a scan from
/// many addresses cannot grow memory without bound.
const MAX_TRACKED_ADDRESSES: usize = 10_000;
/// The span a device's `per_minute` counts over.
const RATE_WINDOW: Duration = Duration::from_secs(60);

/// A configuration whose devices cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A `password_hash` that is not an argon2 PHC string (`$argon2id$v=19$m=...`).
    #[error(
        "device {device:?}: password_hash is not an argon2 hash ({reason}); make one with `mailprobe relay add-device`"
    )]
    BadHash {
        /// The device.
        device: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A device password on its way to the check: never printed, wiped when dropped.
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps the bytes of a password.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The password's bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.fill(0);
        // Keeps the wipe from being optimised away as a dead store.
        std::hint::black_box(&self.0);
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Limits on failed logins.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    /// Failed logins from one address within `window` after which AUTH is refused outright.
    pub max_failures: u32,
    /// How long a failure counts against its address.
    pub window: Duration,
    /// Failed logins in one session after which it is closed.
    pub max_failures_per_session: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self { max_failures: 10, window: Duration::from_secs(15 * 60), max_failures_per_session: 3 }
    }
}

/// Index of a device in the configuration.
pub(crate) type DeviceId = usize;

/// What a login attempt is checked against, found without touching the password.
pub(crate) struct LoginCheck {
    /// The device the user name names, when it may sign in from this address.
    device: Option<DeviceId>,
    /// The hash to verify against: the device's, or another one when there is no such device,
    /// so an unknown name costs as much time as a known one (no user enumeration by timing).
    hash: Option<PasswordHash>,
    /// Why the login fails whatever the password (for the log, never for the device).
    refused: Option<&'static str>,
}

/// The outcome of a login, for the session and the log.
pub(crate) type LoginOutcome = Result<DeviceId, &'static str>;

/// The devices and their limits.
pub struct Policy {
    devices: Vec<Device>,
    hashes: Vec<Option<PasswordHash>>,
    default_per_minute: u32,
    login: LoginLimits,
    /// Each device's messages in the last minute, by device index.
    sent: Mutex<Vec<SlidingWindow>>,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.devices.iter().map(|d| d.name.as_str()).collect();
        f.debug_struct("Policy").field("devices", &names).finish_non_exhaustive()
    }
}

impl Policy {
    /// The devices of `config`, their hashes parsed now so a bad one stops the start.
    pub fn new(config: &RelayConfig, login: LoginLimits) -> Result<Self, PolicyError> {
        let mut hashes = Vec::with_capacity(config.devices.len());
        for device in &config.devices {
            let hash = match &device.password_hash {
                None => None,
                Some(text) => {
                    let bad = |reason: String| PolicyError::BadHash { device: device.name.clone(), reason };
                    let hash = PasswordHash::new(text.trim()).map_err(|e| bad(e.to_string()))?;
                    if !hash.algorithm.as_str().starts_with("argon2") {
                        return Err(bad(format!("algorithm {}", hash.algorithm.as_str())));
                    }
                    if hash.salt.is_none() || hash.hash.is_none() {
                        return Err(bad("no salt or no hash".into()));
                    }
                    Some(hash)
                }
            };
            hashes.push(hash);
        }
        Ok(Self {
            devices: config.devices.clone(),
            hashes,
            default_per_minute: config.limits.per_device_per_minute,
            login,
            sent: Mutex::new(config.devices.iter().map(|_| SlidingWindow::new(RATE_WINDOW)).collect()),
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// The device's configured name.
    pub(crate) fn name(&self, device: DeviceId) -> &str {
        &self.devices[device].name
    }

    /// True when some device could send from `ip`: one whose networks hold it, or one that may
    /// sign in from anywhere. Otherwise the connection is refused at once (`554`).
    pub(crate) fn may_connect(&self, ip: IpAddr) -> bool {
        self.devices.iter().any(|d| d.networks.is_empty() || d.networks.iter().any(|n| n.contains(ip)))
    }

    /// True when some device signs in with a password (only then is AUTH offered).
    pub(crate) fn has_logins(&self) -> bool {
        self.hashes.iter().any(Option::is_some)
    }

    /// The device known by its address alone (no password) that `ip` belongs to; the most
    /// specific range wins when ranges overlap.
    pub(crate) fn network_device(&self, ip: IpAddr) -> Option<DeviceId> {
        self.devices
            .iter()
            .enumerate()
            .filter(|(i, _)| self.hashes[*i].is_none())
            .filter_map(|(i, d)| {
                d.networks.iter().filter(|n| n.contains(ip)).map(|n| n.prefix).max().map(|p| (p, i))
            })
            .max_by_key(|(prefix, i)| (*prefix, std::cmp::Reverse(*i)))
            .map(|(_, i)| i)
    }

    /// What a login as `user` from `ip` is checked against. Names match without regard to case
    /// (the configuration refuses two names that differ only in case).
    pub(crate) fn login_check(&self, user: &str, ip: IpAddr) -> LoginCheck {
        let any_hash = || self.hashes.iter().flatten().next().cloned();
        let Some(index) = self.devices.iter().position(|d| d.name.eq_ignore_ascii_case(user)) else {
            return LoginCheck { device: None, hash: any_hash(), refused: Some("unknown device name") };
        };
        let Some(hash) = self.hashes[index].clone() else {
            return LoginCheck {
                device: None,
                hash: any_hash(),
                refused: Some("this device is known by its address and has no password"),
            };
        };
        let networks = &self.devices[index].networks;
        if !networks.is_empty() && !networks.iter().any(|n| n.contains(ip)) {
            return LoginCheck {
                device: None,
                hash: Some(hash),
                refused: Some("the device may not connect from this address"),
            };
        }
        LoginCheck { device: Some(index), hash: Some(hash), refused: None }
    }

    /// Verifies `password` (slow on purpose: run it off the async runtime).
    pub(crate) fn verify(check: &LoginCheck, password: &Secret) -> LoginOutcome {
        // The hash is computed even when the login fails whatever the password: every failure
        // then takes as long as a wrong password does.
        let matches = check
            .hash
            .as_ref()
            .is_some_and(|hash| argon2::Argon2::default().verify_password(password.expose(), hash).is_ok());
        if let Some(reason) = check.refused {
            return Err(reason);
        }
        match check.device {
            Some(device) if matches => Ok(device),
            _ => Err("wrong password"),
        }
    }

    /// The envelope sender a device's message goes out with: the device's `rewrite_sender` for
    /// any sender not in its list, the sender itself when the list allows it (or is empty and
    /// there is no rewrite), `None` when the device may not use it.
    pub(crate) fn sender(&self, device: DeviceId, from: &str) -> Option<String> {
        let d = &self.devices[device];
        let listed = d.senders.iter().any(|allowed| sender_matches(allowed, from));
        match (&d.rewrite_sender, d.senders.is_empty()) {
            (_, false) if listed => Some(from.to_owned()),
            (Some(rewrite), _) => Some(rewrite.clone()),
            (None, true) => Some(from.to_owned()),
            (None, false) => None,
        }
    }

    /// The device's messages-a-minute limit (0: no limit).
    pub(crate) fn per_minute(&self, device: DeviceId) -> u32 {
        self.devices[device].per_minute.unwrap_or(self.default_per_minute)
    }

    /// True when the device has sent its messages for this minute already.
    pub(crate) fn over_rate(&self, device: DeviceId, now: Instant) -> bool {
        let limit = self.per_minute(device);
        if limit == 0 {
            return false;
        }
        lock(&self.sent)[device].count(now) >= u64::from(limit)
    }

    /// Counts a message the device got `250` for.
    pub(crate) fn count_message(&self, device: DeviceId, now: Instant) {
        if self.per_minute(device) > 0 {
            lock(&self.sent)[device].record(now);
        }
    }

    /// True when `ip` failed to log in too often lately: AUTH is refused without a check.
    pub(crate) fn login_blocked(&self, ip: IpAddr, now: Instant) -> bool {
        let mut failures = lock(&self.failures);
        let Some(times) = failures.get_mut(&ip) else { return false };
        prune(times, now, self.login.window);
        let blocked = times.len() >= self.login.max_failures as usize;
        if times.is_empty() {
            // forgiven: an address that signs in fine again holds no memory
            failures.remove(&ip);
        }
        blocked
    }

    /// Counts a failed login from `ip`.
    pub(crate) fn count_failure(&self, ip: IpAddr, now: Instant) {
        let mut failures = lock(&self.failures);
        if failures.len() >= MAX_TRACKED_ADDRESSES && !failures.contains_key(&ip) {
            let window = self.login.window;
            failures.retain(|_, times| {
                prune(times, now, window);
                !times.is_empty()
            });
            if failures.len() >= MAX_TRACKED_ADDRESSES {
                // Still full of recent failures: forget the address whose last failure is oldest.
                if let Some(oldest) =
                    failures.iter().min_by_key(|(_, t)| t.back().copied()).map(|(ip, _)| *ip)
                {
                    failures.remove(&oldest);
                }
            }
        }
        let times = failures.entry(ip).or_default();
        times.push_back(now);
        while times.len() > self.login.max_failures.max(1) as usize {
            times.pop_front();
        }
    }

    /// The failed-login limits.
    pub(crate) fn login_limits(&self) -> LoginLimits {
        self.login
    }
}

/// An allowed sender (`scan@contoso.com` or `@contoso.com`) against an envelope sender, without
/// regard to case.
fn sender_matches(allowed: &str, from: &str) -> bool {
    match allowed.strip_prefix('@') {
        Some(domain) => from
            .rsplit_once('@')
            .is_some_and(|(local, d)| !local.is_empty() && d.eq_ignore_ascii_case(domain)),
        None => allowed.eq_ignore_ascii_case(from),
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|&t| now.saturating_duration_since(t) >= window) {
        times.pop_front();
    }
}

/// Locks a mutex; a panic elsewhere while holding it leaves counters that are still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(devices: &str) -> RelayConfig {
        let text = format!(
            "spool = \"/tmp/x\"\n[[listener]]\nbind = \"127.0.0.1:2525\"\ntls = \"none\"\n{devices}\n\
             [upstream]\nhost = \"h\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n"
        );
        RelayConfig::parse(&text, Path::new("t")).unwrap()
    }

    fn hash(password: &str) -> String {
        use argon2::password_hash::PasswordHasher as _;
        // Small parameters: the test checks the logic, not the cost.
        let params = argon2::Params::new(256, 1, 1, None).unwrap();
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        argon.hash_password(password.as_bytes()).unwrap().to_string()
    }

    #[test]
    fn devices_are_found_by_address_most_specific_first() {
        let c = config(
            "[[device]]\nname = \"office\"\nnetworks = [\"10.0.0.0/8\"]\n\
             [[device]]\nname = \"printer\"\nnetworks = [\"10.1.2.3\"]\n\
             [[device]]\nname = \"laptop\"\npassword_hash = \"HASH\"\nnetworks = [\"192.168.0.0/16\"]\n"
                .replace("HASH", &hash("pw"))
                .as_str(),
        );
        let p = Policy::new(&c, LoginLimits::default()).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(p.network_device(ip("10.1.2.3")).map(|d| p.name(d)), Some("printer"));
        assert_eq!(p.network_device(ip("10.9.9.9")).map(|d| p.name(d)), Some("office"));
        // A device with a password must sign in even from its own network.
        assert_eq!(p.network_device(ip("192.168.1.1")), None);
        assert!(p.may_connect(ip("192.168.1.1")) && !p.may_connect(ip("172.16.0.1")));
        assert!(p.has_logins());
    }

    #[test]
    fn a_login_needs_the_right_name_password_and_network() {
        let c = config(
            &"[[device]]\nname = \"HP-2nd\"\npassword_hash = \"HASH\"\nnetworks = [\"127.0.0.0/8\"]\n\
              [[device]]\nname = \"erp\"\nnetworks = [\"10.0.0.7\"]\n"
                .replace("HASH", &hash("right")),
        );
        let p = Policy::new(&c, LoginLimits::default()).unwrap();
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let secret = |s: &str| Secret::new(s.as_bytes().to_vec());
        assert_eq!(Policy::verify(&p.login_check("hp-2ND", local), &secret("right")), Ok(0));
        assert_eq!(Policy::verify(&p.login_check("hp-2nd", local), &secret("wrong")), Err("wrong password"));
        let far: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            Policy::verify(&p.login_check("hp-2nd", far), &secret("right")),
            Err("the device may not connect from this address")
        );
        assert_eq!(
            Policy::verify(&p.login_check("nobody", local), &secret("right")),
            Err("unknown device name")
        );
        assert!(Policy::verify(&p.login_check("erp", local), &secret("right")).is_err());
    }

    #[test]
    fn bad_hashes_stop_the_start() {
        let c = config("[[device]]\nname = \"x\"\npassword_hash = \"plaintext\"\n");
        let e = Policy::new(&c, LoginLimits::default()).unwrap_err().to_string();
        assert!(e.contains("\"x\"") && e.contains("add-device"), "{e}");
    }

    #[test]
    fn senders_are_kept_rewritten_or_refused() {
        let c = config(
            "[[device]]\nname = \"a\"\nnetworks = [\"10.0.0.1\"]\nsenders = [\"@contoso.com\", \"boss@fabrikam.com\"]\n\
             [[device]]\nname = \"b\"\nnetworks = [\"10.0.0.2\"]\nrewrite_sender = \"scan@contoso.com\"\n\
             [[device]]\nname = \"c\"\nnetworks = [\"10.0.0.3\"]\n\
             [[device]]\nname = \"d\"\nnetworks = [\"10.0.0.4\"]\nsenders = [\"x@contoso.com\"]\nrewrite_sender = \"scan@contoso.com\"\n",
        );
        let p = Policy::new(&c, LoginLimits::default()).unwrap();
        assert_eq!(p.sender(0, "Anyone@CONTOSO.com").as_deref(), Some("Anyone@CONTOSO.com"));
        assert_eq!(p.sender(0, "boss@fabrikam.com").as_deref(), Some("boss@fabrikam.com"));
        assert_eq!(p.sender(0, "x@sub.contoso.com"), None);
        assert_eq!(p.sender(0, "@contoso.com"), None);
        assert_eq!(p.sender(0, ""), None);
        assert_eq!(p.sender(1, "root@printer.local").as_deref(), Some("scan@contoso.com"));
        assert_eq!(p.sender(1, "").as_deref(), Some("scan@contoso.com"));
        assert_eq!(p.sender(2, "any@where.test").as_deref(), Some("any@where.test"));
        assert_eq!(p.sender(3, "x@contoso.com").as_deref(), Some("x@contoso.com"));
        assert_eq!(p.sender(3, "y@contoso.com").as_deref(), Some("scan@contoso.com"));
    }

    #[test]
    fn rates_and_failures_are_counted_in_their_windows() {
        let c = config("[[device]]\nname = \"a\"\nnetworks = [\"10.0.0.1\"]\nper_minute = 2\n");
        let limits =
            LoginLimits { max_failures: 2, window: Duration::from_secs(60), max_failures_per_session: 3 };
        let p = Policy::new(&c, limits).unwrap();
        let t0 = Instant::now();
        assert!(!p.over_rate(0, t0));
        p.count_message(0, t0);
        p.count_message(0, t0 + Duration::from_secs(1));
        assert!(p.over_rate(0, t0 + Duration::from_secs(30)));
        assert!(!p.over_rate(0, t0 + Duration::from_secs(60)));
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        p.count_failure(ip, t0);
        assert!(!p.login_blocked(ip, t0));
        p.count_failure(ip, t0);
        assert!(p.login_blocked(ip, t0 + Duration::from_secs(59)));
        assert!(!p.login_blocked(ip, t0 + Duration::from_secs(61)));
        assert!(!p.login_blocked("10.0.0.8".parse().unwrap(), t0));
    }
}
