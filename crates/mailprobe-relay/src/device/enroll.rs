//! `mailprobe relay add-device NAME`: a new device's random password, its argon2 hash, and the
//! `[[device]]` lines to paste into the configuration.

use argon2::password_hash::PasswordHasher as _;

/// Characters of generated passwords: letters and digits without the look-alikes (`0 O 1 l I`),
/// because the password is read off a screen and typed on a printer's touch panel, where
/// symbols hide behind extra keyboard pages.
pub const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
/// Length of generated passwords: 24 characters of a 57-letter alphabet, about 140 bits.
pub const PASSWORD_LENGTH: usize = 24;

/// A device cannot be added.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The name would not work as a configuration name and a user name.
    #[error("device name {0:?}: use letters, digits and . _ - @ + only (it is also the AUTH user name)")]
    BadName(String),
    /// The system's random source failed.
    #[error("no random numbers from the system: {0}")]
    Random(String),
    /// Hashing failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// A new device's credentials.
pub struct NewDevice {
    /// The name (its AUTH user name).
    pub name: String,
    /// The password to type into the device; shown once, stored nowhere.
    pub password: String,
    /// The argon2id PHC string for `password_hash`.
    pub password_hash: String,
    /// The `[[device]]` section for the configuration file.
    pub toml: String,
}

impl std::fmt::Debug for NewDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDevice")
            .field("name", &self.name)
            .field("password", &"..")
            .field("password_hash", &self.password_hash)
            .finish()
    }
}

/// Makes a device's password, its argon2id hash (the crate's default cost: 19 MiB, 2 passes,
/// OWASP's recommendation) and the configuration lines. Slow on purpose (the hash).
pub fn add_device(name: &str) -> Result<NewDevice, EnrollError> {
    let valid = !name.is_empty()
        && name.len() <= 320
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-@+".contains(&b));
    if !valid {
        return Err(EnrollError::BadName(name.to_owned()));
    }
    let password = random_password(PASSWORD_LENGTH)?;
    let password_hash = argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| EnrollError::Hash(e.to_string()))?
        .to_string();
    let toml = format!(
        "[[device]]\n\
         name = \"{name}\"\n\
         password_hash = \"{password_hash}\"\n\
         # Also require it to come from its own address (recommended):\n\
         # networks = [\"192.168.1.50\"]\n\
         # The senders it may use, or one put in place of whatever it sends:\n\
         # senders = [\"scanner@example.com\"]\n\
         # rewrite_sender = \"scanner@example.com\"\n"
    );
    Ok(NewDevice { name: name.to_owned(), password, password_hash, toml })
}

/// `length` characters of [`PASSWORD_ALPHABET`] from the system's random source, each equally
/// likely (bytes that would favour the first letters are drawn again).
fn random_password(length: usize) -> Result<String, EnrollError> {
    let n = PASSWORD_ALPHABET.len();
    let fair = 256 - 256 % n;
    let mut out = String::with_capacity(length);
    let mut bytes = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut bytes).map_err(|e| EnrollError::Random(e.to_string()))?;
        for &b in &bytes {
            if usize::from(b) < fair && out.len() < length {
                out.push(char::from(PASSWORD_ALPHABET[usize::from(b) % n]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::RelayConfig;
    use crate::device::policy::{LoginLimits, Policy, Secret};

    #[test]
    fn the_snippet_configures_a_device_that_signs_in_with_the_password() {
        let new = add_device("hp-2nd-floor").unwrap();
        assert_eq!(new.password.len(), PASSWORD_LENGTH);
        assert!(new.password.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
        assert!(new.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", new.password_hash);
        assert!(!new.toml.contains(&new.password) && !format!("{new:?}").contains(&new.password));
        let config = format!(
            "spool = \"/tmp/x\"\n[[listener]]\nbind = \"127.0.0.1:2525\"\ntls = \"none\"\nauth_requires_tls = false\n{}\
             [upstream]\nhost = \"h\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n",
            new.toml
        );
        let config = RelayConfig::parse(&config, Path::new("relay.toml")).unwrap();
        let policy = Policy::new(&config, LoginLimits::default()).unwrap();
        let check = policy.login_check("hp-2nd-floor", "127.0.0.1".parse().unwrap());
        assert_eq!(Policy::verify(&check, &Secret::new(new.password.clone().into_bytes())), Ok(0));
        let check = policy.login_check("hp-2nd-floor", "127.0.0.1".parse().unwrap());
        assert!(Policy::verify(&check, &Secret::new(b"not it".to_vec())).is_err());
    }

    #[test]
    fn passwords_differ_and_use_the_whole_alphabet() {
        let mut seen = std::collections::HashSet::new();
        let mut letters = std::collections::HashSet::new();
        for _ in 0..200 {
            let p = random_password(PASSWORD_LENGTH).unwrap();
            letters.extend(p.bytes());
            assert!(seen.insert(p));
        }
        // 4800 draws from 57 letters: missing one by chance is about 57 * (56/57)^4800, nil.
        assert_eq!(letters.len(), PASSWORD_ALPHABET.len());
    }

    #[test]
    fn names_that_would_break_the_file_or_a_login_are_refused() {
        for bad in ["", "two words", "quote\"", "back\\slash", "tab\t", "é"] {
            assert!(matches!(add_device(bad), Err(EnrollError::BadName(_))), "{bad:?}");
        }
    }
}
