//! The per-run secrets: the token in the printed address and the session cookie it is
//! exchanged for, each 256 bits from the operating system's random number generator.

use std::fmt;

use crate::WebError;

/// Bytes of randomness in each secret (256 bits; the issue asks for at least 128).
const SECRET_BYTES: usize = 32;

/// A random value, shown only as lowercase hex where it must be shown (the printed address, the
/// cookie); its `Debug` hides it so that it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct RunSecret(String);

impl RunSecret {
    /// A fresh secret from the OS random number generator.
    pub fn generate() -> Result<Self, WebError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| WebError::Random(e.to_string()))?;
        Ok(Self(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The hex text, for the address and the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time that does not depend on where `candidate` first differs, so that the
    /// secret cannot be guessed one character at a time from response times.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for RunSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RunSecret(<hidden>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_secrets_are_long_distinct_and_hidden() {
        let a = RunSecret::generate().unwrap();
        let b = RunSecret::generate().unwrap();
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(a.matches(a.expose()));
        assert!(!a.matches(b.expose()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.expose()[1..]));
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
