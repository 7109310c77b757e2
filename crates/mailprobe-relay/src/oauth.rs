//! Access tokens for XOAUTH2, from the `[upstream.auth]` table: mailprobe-oauth's
//! [`TokenCache`] over its [`TokenEndpoint`] (one OAuth library for the whole project). The
//! client-credentials grant (Microsoft 365 app-only, `SMTP.SendAsApp`) proves the app with a
//! client secret or a certificate's signed assertion; the refresh-token grant (a delegated
//! sign-in, Google) keeps a token the server rotates and writes it back to its file.
//!
//! No secret ever reaches an error, a log line or a transcript: mailprobe-oauth's errors carry
//! the endpoint's OAuth error code and description, scrubbed of the secrets the request carried.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mailprobe_oauth::{CertificateCredential, ClientAuth, Http, TokenCache, TokenEndpoint};
use mailprobe_proto::Secret;

use crate::config::UpstreamAuth;

pub use mailprobe_oauth::OAuthError;

/// A cached source of access tokens for the relay's upstream sign-in.
#[derive(Debug)]
pub struct TokenSource {
    cache: TokenCache,
}

impl TokenSource {
    /// The source described by an `xoauth2` upstream auth table, trusting what a probe trusts
    /// plus `ca_file`; every request is limited to `timeout`. Files are read now, so a missing
    /// secret or a key that does not match its certificate is reported at start.
    pub fn from_config(
        auth: &UpstreamAuth,
        ca_file: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self, OAuthError> {
        let UpstreamAuth::Xoauth2 {
            token_url,
            client_id,
            client_secret_file,
            certificate_file,
            key_file,
            refresh_token_file,
            scope,
            ..
        } = auth
        else {
            return Err(OAuthError::Setup("the upstream does not sign in with XOAUTH2".into()));
        };
        let client_auth = match (client_secret_file, certificate_file) {
            (Some(_), Some(_)) => {
                return Err(OAuthError::Setup(
                    "give client_secret_file or certificate_file, not both".into(),
                ));
            }
            // client_secret_post: what Microsoft's documentation shows for the client-credentials
            // grant, and what every server takes
            (Some(file), None) => ClientAuth::SecretPost(read_first_line(file)?),
            (None, Some(cert)) => {
                let key = key_file.as_deref().unwrap_or(cert);
                ClientAuth::Certificate(Arc::new(CertificateCredential::from_pem_files(cert, key)?))
            }
            (None, None) if key_file.is_some() => {
                return Err(OAuthError::Setup("key_file needs certificate_file".into()));
            }
            (None, None) => ClientAuth::None,
        };
        let http = Http::new(timeout, ca_file)?;
        let endpoint = TokenEndpoint::new(token_url, client_id, client_auth.clone(), http)?;
        let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
        let cache = match refresh_token_file {
            Some(file) => {
                let path: PathBuf = file.clone();
                TokenCache::refresh_token(endpoint, read_first_line(file)?, scopes).on_rotation(move |new| {
                    // Best effort: the new token is in memory either way, and the old one
                    // usually stays valid for a while, so a failed write is not fatal.
                    let _ = write_secret_file(&path, new.expose());
                })
            }
            None if matches!(client_auth, ClientAuth::None) => {
                return Err(OAuthError::Setup(
                    "give client_secret_file or certificate_file (client credentials), or \
                     refresh_token_file (delegated)"
                        .into(),
                ));
            }
            None => TokenCache::client_credentials(endpoint, scopes),
        };
        Ok(Self { cache })
    }

    /// A valid access token: the cached one, or a new one when it is near expiry.
    pub async fn token(&self) -> Result<Secret, OAuthError> {
        Ok(self.cache.token().await?.token)
    }

    /// Forgets the cached token (the server refused it): the next [`TokenSource::token`]
    /// asks the endpoint.
    pub async fn invalidate(&self) {
        self.cache.invalidate().await;
    }

    /// The cache underneath (its grant, endpoint and request counts).
    pub fn cache(&self) -> &TokenCache {
        &self.cache
    }
}

fn read_first_line(path: &Path) -> Result<Secret, OAuthError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| OAuthError::Setup(format!("cannot read {}: {e}", path.display())))?;
    let line = text.lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        return Err(OAuthError::Setup(format!("{} is empty", path.display())));
    }
    Ok(Secret::new(line))
}

/// Replaces a secret file atomically, readable by its owner only.
fn write_secret_file(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(value.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xoauth2(
        secret: Option<&Path>,
        cert: Option<&Path>,
        key: Option<&Path>,
        rt: Option<&Path>,
    ) -> UpstreamAuth {
        UpstreamAuth::Xoauth2 {
            user: "printer@contoso.test".into(),
            token_url: "https://login.example/token".into(),
            client_id: "app".into(),
            client_secret_file: secret.map(Path::to_owned),
            certificate_file: cert.map(Path::to_owned),
            key_file: key.map(Path::to_owned),
            refresh_token_file: rt.map(Path::to_owned),
            scope: "https://outlook.office365.com/.default".into(),
        }
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mailprobe-relay-oauth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn settings_that_cannot_get_a_token_are_refused_at_start() {
        let d = dir("setup");
        let secret = d.join("secret");
        std::fs::write(&secret, "Canary-Secret-5a1c\n").unwrap();
        let t = Duration::from_secs(5);
        let err = |auth: UpstreamAuth| TokenSource::from_config(&auth, None, t).unwrap_err().to_string();
        // neither a secret, a certificate nor a refresh token
        assert!(err(xoauth2(None, None, None, None)).contains("client_secret_file or certificate_file"));
        assert!(err(xoauth2(Some(&secret), Some(&secret), None, None)).contains("not both"));
        assert!(err(xoauth2(None, None, Some(&secret), None)).contains("key_file needs certificate_file"));
        // a certificate file that holds no certificate: said without quoting the file
        let e = err(xoauth2(None, Some(&secret), None, None));
        assert!(e.contains("client certificate") && !e.contains("Canary"), "{e}");
        let empty = d.join("empty");
        std::fs::write(&empty, "\n").unwrap();
        assert!(err(xoauth2(Some(&empty), None, None, None)).contains("is empty"));
        // plain HTTP only on loopback
        let mut auth = xoauth2(Some(&secret), None, None, None);
        if let UpstreamAuth::Xoauth2 { token_url, .. } = &mut auth {
            *token_url = "http://login.example/token".into();
        }
        assert!(err(auth).contains("not https://"));
        let ok = TokenSource::from_config(&xoauth2(Some(&secret), None, None, None), None, t).unwrap();
        assert_eq!(ok.cache().grant_name(), "client_credentials");
        assert!(!format!("{ok:?}").contains("Canary"));
        let ok = TokenSource::from_config(&xoauth2(None, None, None, Some(&secret)), None, t).unwrap();
        assert_eq!(ok.cache().grant_name(), "refresh_token");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_rotated_token_replaces_its_file_owner_only() {
        let d = dir("rotate");
        let file = d.join("refresh-token");
        std::fs::write(&file, "old\n").unwrap();
        write_secret_file(&file, "new-token").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new-token\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(d).unwrap();
    }
}
