//! Where sign-ins are kept: the OS keyring, or where there is none (a server, a container, no
//! Secret Service on the session bus) an owner-only (0600) file under the user's config
//! directory; an index (names and which store holds each, no secret) beside.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::profile::Profile;

const KEYRING_SERVICE: &str = "mailprobe";
/// How long a keyring call may take (a keyring daemon that never answers must not hang us).
const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// Which store holds a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// The OS keyring.
    Keyring,
    /// An owner-only file.
    File,
}

/// Where a sign-in is stored (no secret in it).
#[derive(Clone, Debug, Serialize)]
pub struct StoreView {
    /// The store.
    pub kind: StoreKind,
    /// The file, for [`StoreKind::File`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why the keyring was not used, when it was just tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyring_unavailable: Option<String>,
}

/// The stored sign-ins of one user.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
    keyring: Result<(), String>,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    /// profile name → "keyring" or "file".
    profiles: std::collections::BTreeMap<String, String>,
}

impl Store {
    /// The user's store: `$MAILPROBE_CONFIG_DIR/auth`, else the platform's per-user config
    /// directory + `mailprobe/auth`. `MAILPROBE_TOKEN_STORE=file` skips the keyring (tests, or
    /// where a keyring prompt would hang).
    pub fn open() -> Result<Self, StoreError> {
        let store = Self::in_config_dir(&config_dir()?)?;
        Ok(match std::env::var("MAILPROBE_TOKEN_STORE").as_deref() {
            Ok("file") => store.without_keyring("MAILPROBE_TOKEN_STORE=file"),
            _ => store,
        })
    }

    /// The store under `config_dir` (`config_dir/auth`, created owner-only).
    pub fn in_config_dir(config_dir: &Path) -> Result<Self, StoreError> {
        let dir = config_dir.join("auth");
        create_private_dir(&dir)?;
        Ok(Self { dir, keyring: Ok(()) })
    }

    /// The same store keeping everything in files, `why` said when a sign-in is saved.
    pub fn without_keyring(mut self, why: &str) -> Self {
        self.keyring = Err(why.to_owned());
        self
    }

    /// The directory of the index and the token files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn index(&self) -> Index {
        std::fs::read(self.dir.join("index.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write_index(&self, index: &Index) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(index).unwrap_or_default();
        write_private(&self.dir.join("index.json"), &bytes)
    }

    fn file_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.token.json"))
    }

    /// The names of the stored sign-ins.
    pub fn names(&self) -> Vec<String> {
        self.index().profiles.into_keys().collect()
    }

    /// Saves a sign-in: in the keyring when it works, else in the owner-only file.
    pub async fn save(&self, p: &Profile) -> Result<StoreView, StoreError> {
        validate_profile_name(&p.name)?;
        let json = p.to_json();
        let keyring = match &self.keyring {
            Ok(()) => keyring_set(&p.name, json.clone()).await,
            Err(why) => Err(why.clone()),
        };
        let mut index = self.index();
        let view = match keyring {
            Ok(()) => {
                let _ = std::fs::remove_file(self.file_path(&p.name));
                index.profiles.insert(p.name.clone(), "keyring".into());
                StoreView { kind: StoreKind::Keyring, path: None, keyring_unavailable: None }
            }
            Err(why) => {
                let path = self.file_path(&p.name);
                write_private(&path, json.as_bytes())?;
                index.profiles.insert(p.name.clone(), "file".into());
                StoreView {
                    kind: StoreKind::File,
                    path: Some(path.display().to_string()),
                    keyring_unavailable: Some(why),
                }
            }
        };
        self.write_index(&index)?;
        Ok(view)
    }

    /// Loads the sign-in `name`.
    pub async fn load(&self, name: &str) -> Result<(Profile, StoreView), StoreError> {
        let index = self.index();
        let (json, view) = match index.profiles.get(name).map(String::as_str) {
            Some("keyring") => {
                let json = keyring_get(name)
                    .await
                    .map_err(|reason| StoreError::Keyring { name: name.to_owned(), reason })?;
                (json, StoreView { kind: StoreKind::Keyring, path: None, keyring_unavailable: None })
            }
            Some(_) => {
                let path = self.file_path(name);
                let json = std::fs::read_to_string(&path).map_err(|source| StoreError::Io {
                    action: "read the token file",
                    path: path.clone(),
                    source,
                })?;
                let view = StoreView {
                    kind: StoreKind::File,
                    path: Some(path.display().to_string()),
                    keyring_unavailable: None,
                };
                (json, view)
            }
            None => return Err(StoreError::NoSuchProfile(name.to_owned())),
        };
        let profile = Profile::from_json(&json).ok_or_else(|| StoreError::Damaged(name.to_owned()))?;
        Ok((profile, view))
    }

    /// Deletes the sign-in `name` (from the keyring too).
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let mut index = self.index();
        if index.profiles.remove(name).as_deref() == Some("keyring") {
            let _ = keyring_delete(name).await;
        }
        let path = self.file_path(name);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| StoreError::Io {
                action: "delete",
                path,
                source,
            })?;
        }
        self.write_index(&index)
    }

    /// The sign-in meant: `profile`, else the provider's name, else the only one stored.
    pub fn pick(
        &self,
        profile: Option<&str>,
        provider: Option<crate::Provider>,
    ) -> Result<String, StoreError> {
        if let Some(p) = profile {
            return Ok(p.to_owned());
        }
        if let Some(p) = provider {
            return Ok(p.id().to_owned());
        }
        let names = self.names();
        match names.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(StoreError::NotSignedIn),
            _ => Err(StoreError::Ambiguous(names)),
        }
    }
}

/// Refuses a sign-in name that could not be a file name.
pub fn validate_profile_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty()
        || name.len() > 64
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
        || name.starts_with('.')
    {
        return Err(StoreError::BadName(name.to_owned()));
    }
    Ok(())
}

/// `$MAILPROBE_CONFIG_DIR`, else the platform's per-user config directory + `mailprobe`.
pub fn config_dir() -> Result<PathBuf, StoreError> {
    if let Some(d) = std::env::var_os("MAILPROBE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library").join("Application Support"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    Ok(base.ok_or(StoreError::NoConfigDir)?.join("mailprobe"))
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
        action: "create",
        path: dir.to_owned(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|source| StoreError::Io { action: "restrict", path: dir.to_owned(), source })?;
    }
    Ok(())
}

/// Writes a file only its owner can read (0600 on Unix), replacing it atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let _ = std::fs::remove_file(&tmp);
    let io = |action, path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io { action, path, source }
    };
    let mut f = options.open(&tmp).map_err(io("create", &tmp))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io("write", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io("write", path))
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_call<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, String> {
    // the keyring crate blocks (and may run its own event loop): keep it off the async runtime,
    // and do not wait forever for a keyring daemon that never answers
    let task = tokio::task::spawn_blocking(f);
    match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(keyring_error(&e)),
        Ok(Err(_)) => Err("the keyring call failed".to_owned()),
        Err(_) => Err(format!("the OS keyring did not answer within {} s", KEYRING_TIMEOUT.as_secs())),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn keyring_error(e: &keyring::Error) -> String {
    // the crate's messages can be long platform errors; keep the first line
    e.to_string().lines().next().unwrap_or("keyring error").to_owned()
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_set(name: &str, json: String) -> Result<(), String> {
    let name = name.to_owned();
    keyring_call(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &name)?;
        entry.set_password(&json)?;
        // read back: some back ends accept a write and keep nothing
        match entry.get_password() {
            Ok(back) if back == json => Ok(()),
            Ok(_) => Err(keyring::Error::NoEntry),
            Err(e) => Err(e),
        }
    })
    .await
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_get(name: &str) -> Result<String, String> {
    let name = name.to_owned();
    keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &name)?.get_password()).await
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_delete(name: &str) -> Result<(), String> {
    let name = name.to_owned();
    keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &name)?.delete_credential()).await
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_set(_name: &str, _json: String) -> Result<(), String> {
    Err("no OS keyring support on this platform".to_owned())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_get(_name: &str) -> Result<String, String> {
    Err("no OS keyring support on this platform".to_owned())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_delete(_name: &str) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use mailprobe_proto::Secret;

    fn profile(name: &str) -> Profile {
        Profile {
            name: name.into(),
            provider: Provider::Custom,
            issuer: Some("http://127.0.0.1:9/".into()),
            client_id: "c".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            revocation_url: None,
            user: Some("a@example.test".into()),
            scopes: vec!["s".into()],
            expires_at: Some(100),
            obtained_at: 40,
            access_token: Secret::new("Canary-Access-1"),
            refresh_token: Some(Secret::new("Canary-Refresh-1")),
            client_secret: None,
        }
    }

    #[tokio::test]
    async fn files_are_owner_only_and_names_are_picked() {
        let dir = std::env::temp_dir().join(format!("mailprobe-oauth-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::in_config_dir(&dir).unwrap().without_keyring("test");
        assert!(matches!(store.pick(None, None), Err(StoreError::NotSignedIn)));
        let view = store.save(&profile("one")).await.unwrap();
        assert_eq!((view.kind, view.keyring_unavailable.as_deref()), (StoreKind::File, Some("test")));
        assert_eq!(store.pick(None, None).unwrap(), "one");
        store.save(&profile("two")).await.unwrap();
        assert!(matches!(store.pick(None, None), Err(StoreError::Ambiguous(n)) if n == ["one", "two"]));
        assert_eq!(store.pick(None, Some(Provider::Google)).unwrap(), "google");
        let (back, _) = store.load("two").await.unwrap();
        assert_eq!(back.refresh_token.as_ref().map(Secret::expose), Some("Canary-Refresh-1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.dir().join("two.token.json")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // the index holds no secret
        let index = std::fs::read_to_string(store.dir().join("index.json")).unwrap();
        assert!(!index.contains("Canary"), "{index}");
        std::fs::write(store.dir().join("one.token.json"), "{ not json").unwrap();
        let err = store.load("one").await.unwrap_err();
        assert!(matches!(err, StoreError::Damaged(_)) && !err.to_string().contains("not json"));
        store.delete("two").await.unwrap();
        assert!(!store.dir().join("two.token.json").exists());
        assert!(matches!(store.load("two").await, Err(StoreError::NoSuchProfile(_))));
        assert!(matches!(store.save(&profile("../x")).await, Err(StoreError::BadName(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
