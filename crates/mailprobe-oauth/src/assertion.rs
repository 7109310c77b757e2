//! The client certificate's credential (`private_key_jwt`, RFC 7523 §2.2): a short-lived JWT
//! signed with the certificate's RSA key, which Microsoft Entra accepts in place of a client
//! secret ("certificate credentials"): header `alg` PS256 (or RS256), `x5t#S256` and `x5t` (the
//! certificate's SHA-256 and SHA-1 thumbprints), claims `aud` = the token endpoint, `iss` =
//! `sub` = the client id, a random `jti`, `nbf`/`iat` = now, `exp` five minutes later.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mailprobe_proto::Secret;
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::OAuthError;

/// How long an assertion is valid: it is made for one request.
const LIFETIME_SECS: i64 = 300;

/// The signature algorithm of the assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssertionAlgorithm {
    /// RSASSA-PSS with SHA-256: what Microsoft's documentation asks for today.
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256: what older servers (and older Entra documentation) use.
    Rs256,
}

/// A client certificate and its RSA private key, which sign client assertions.
pub struct CertificateCredential {
    key: RsaKeyPair,
    sha1: [u8; 20],
    sha256: [u8; 32],
    algorithm: AssertionAlgorithm,
}

impl std::fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the thumbprint only: never the key
        f.debug_struct("CertificateCredential")
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

fn setup(what: String) -> OAuthError {
    OAuthError::Setup(format!("client certificate: {what}"))
}

impl CertificateCredential {
    /// The credential of a PEM certificate and its PEM private key (PKCS#8 or PKCS#1 RSA, not
    /// encrypted). Both may be in one PEM text. The key must belong to the certificate.
    pub fn from_pem(certificate: &[u8], key: &[u8]) -> Result<Self, OAuthError> {
        let cert = CertificateDer::pem_slice_iter(certificate)
            .next()
            .ok_or_else(|| setup("no CERTIFICATE in the certificate file".into()))?
            .map_err(|e| setup(format!("the certificate file is not PEM: {e}")))?;
        // the key's parse errors never quote the key
        let key_der = PrivateKeyDer::from_pem_slice(key)
            .map_err(|_| setup("no unencrypted PRIVATE KEY or RSA PRIVATE KEY in the key file".into()))?;
        let key = match &key_der {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => {
                return Err(setup(
                    "the key is not an RSA key (Microsoft Entra takes RSA certificates)".into(),
                ));
            }
        }
        .map_err(|e| setup(format!("the RSA key cannot sign: {e}")))?;
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref())
            .map_err(|_| setup("the certificate does not parse".into()))?;
        if parsed.public_key().subject_public_key.data.as_ref() != key.public().as_ref() {
            return Err(setup("the private key does not belong to the certificate".into()));
        }
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
        let sha256 = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
        Ok(Self {
            key,
            sha1: sha1.as_ref().try_into().unwrap_or([0; 20]),
            sha256: sha256.as_ref().try_into().unwrap_or([0; 32]),
            algorithm: AssertionAlgorithm::Ps256,
        })
    }

    /// [`CertificateCredential::from_pem`] of two files (they may be the same file).
    pub fn from_pem_files(certificate: &Path, key: &Path) -> Result<Self, OAuthError> {
        let read =
            |p: &Path| std::fs::read(p).map_err(|e| setup(format!("cannot read {}: {e}", p.display())));
        Self::from_pem(&read(certificate)?, &read(key)?)
    }

    /// The same credential signing with `algorithm`.
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The certificate's SHA-1 thumbprint in upper-case hex, as the Entra admin center shows it
    /// (to check the right certificate is uploaded).
    pub fn thumbprint(&self) -> String {
        self.sha1.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// A signed assertion for `audience` (the token endpoint) from `client_id`, made at `now`.
    pub fn assertion(&self, audience: &str, client_id: &str, now: i64) -> Result<Secret, OAuthError> {
        let rng = SystemRandom::new();
        let mut id = [0u8; 16];
        rng.fill(&mut id).map_err(|_| setup("no random numbers for the assertion id".into()))?;
        let (alg, padding): (_, &'static dyn ring::signature::RsaEncoding) = match self.algorithm {
            AssertionAlgorithm::Ps256 => ("PS256", &RSA_PSS_SHA256),
            AssertionAlgorithm::Rs256 => ("RS256", &RSA_PKCS1_SHA256),
        };
        let header = serde_json::json!({
            "alg": alg,
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(self.sha1),
            "x5t#S256": URL_SAFE_NO_PAD.encode(self.sha256),
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(padding, &rng, signing_input.as_bytes(), &mut signature)
            .map_err(|_| setup("the RSA key could not sign the assertion".into()))?;
        Ok(Secret::new(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))))
    }
}
