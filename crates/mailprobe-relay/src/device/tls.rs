//! TLS on device listeners: rustls (TLS 1.2 and 1.3) by default; OpenSSL with TLS 1.0 and 1.1
//! on a listener that asks for `legacy_tls`, for devices that know nothing newer.
//!
//! rustls will never speak TLS 1.0 or 1.1, so a legacy listener uses the system's OpenSSL at
//! security level 0 (OpenSSL bans TLS 1.0/1.1 at level 1 and above, and Debian builds it with
//! level 2 as the default). That level is set on that listener's context alone; every other
//! listener, and everything the relay sends upstream, stays on rustls.
//!
//! What an old device can get from Debian 12's OpenSSL 3.0 at `DEFAULT:@SECLEVEL=0` over TLS 1.0
//! or 1.1 (measured with `openssl ciphers -v`): `ECDHE-RSA-AES256-SHA`, `ECDHE-RSA-AES128-SHA`,
//! `DHE-RSA-AES256-SHA`, `DHE-RSA-AES128-SHA`, `AES256-SHA`, `AES128-SHA` with an RSA
//! certificate (and the `ECDHE-ECDSA-` pair with an ECDSA one). Not there at all, at any level:
//! 3DES (`DES-CBC3-SHA`), RC4, and SSLv3 — a device that offers only those cannot be served
//! with the system library; it has to send in the clear on a LAN listener instead.

use std::path::Path;
#[cfg(feature = "legacy-tls")]
use std::pin::Pin;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::session::TlsInfo;
use crate::config::Listener;

/// A listener's TLS cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The certificate or key file cannot be read or used.
    #[error("listener {bind}: {what}: {reason}")]
    Files {
        /// The listener.
        bind: std::net::SocketAddr,
        /// Which file, or what was being done.
        what: String,
        /// Why.
        reason: String,
    },
    /// `legacy_tls` was asked for in a build without OpenSSL.
    #[error("listener {0}: legacy_tls needs mailprobe built with the `legacy-tls` feature (OpenSSL)")]
    NoLegacySupport(std::net::SocketAddr),
}

/// A byte stream to a device, plain or encrypted.
pub trait DeviceStream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> DeviceStream for T {}

/// What starts TLS on a listener's connections.
#[derive(Clone)]
pub enum Acceptor {
    /// TLS 1.2 and 1.3 (rustls).
    Modern(tokio_rustls::TlsAcceptor),
    /// TLS 1.0 to 1.3 (OpenSSL at security level 0).
    #[cfg(feature = "legacy-tls")]
    Legacy(Arc<openssl::ssl::SslContext>),
}

impl std::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Modern(_) => f.write_str("Acceptor::Modern"),
            #[cfg(feature = "legacy-tls")]
            Self::Legacy(_) => f.write_str("Acceptor::Legacy"),
        }
    }
}

impl Acceptor {
    /// The acceptor for a listener's certificate and key; `None` for a plain listener.
    pub fn for_listener(listener: &Listener) -> Result<Option<Self>, TlsSetupError> {
        let (Some(cert), Some(key)) = (&listener.certificate, &listener.key) else {
            return Ok(None);
        };
        if listener.tls == crate::config::ListenerTls::None {
            return Ok(None);
        }
        if listener.legacy_tls {
            #[cfg(feature = "legacy-tls")]
            return legacy(listener.bind, cert, key).map(Some);
            #[cfg(not(feature = "legacy-tls"))]
            return Err(TlsSetupError::NoLegacySupport(listener.bind));
        }
        modern(listener.bind, cert, key).map(Some)
    }

    /// The TLS handshake on `tcp`.
    pub async fn accept(&self, mut tcp: TcpStream) -> Result<(Box<dyn DeviceStream>, TlsInfo), String> {
        match self {
            Self::Modern(acceptor) => {
                if let Some((offered, record_minor)) = legacy_only_hello(&tcp).await {
                    // RFC 5246 §E.1: a server that supports only newer versions answers with a
                    // protocol_version alert. rustls would answer handshake_failure instead (it
                    // wants the signature_algorithms extension first, which TLS 1.0 lacks),
                    // and the device's log would then blame ciphers, not the version.
                    use tokio::io::AsyncWriteExt as _;
                    let alert = [0x15, 0x03, record_minor, 0x00, 0x02, 0x02, 70];
                    let _ = tcp.write_all(&alert).await;
                    let _ = tcp.shutdown().await;
                    return Err(format!(
                        "the client offers at most {offered}; this listener takes TLS 1.2 and 1.3 \
                         (protocol_version alert sent; legacy_tls = true on a listener serves it)"
                    ));
                }
                let stream = acceptor.accept(tcp).await.map_err(|e| e.to_string())?;
                let (_, conn) = stream.get_ref();
                let version = match conn.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
                    Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
                    other => format!("{other:?}"),
                };
                let cipher = conn
                    .negotiated_cipher_suite()
                    .map(|s| s.suite().as_str().map_or_else(|| format!("{:?}", s.suite()), str::to_owned))
                    .unwrap_or_default();
                Ok((Box::new(stream), TlsInfo { version, cipher }))
            }
            #[cfg(feature = "legacy-tls")]
            Self::Legacy(context) => {
                let ssl = openssl::ssl::Ssl::new(context).map_err(|e| e.to_string())?;
                let mut stream = tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
                Pin::new(&mut stream).accept().await.map_err(|e| e.to_string())?;
                let ssl = stream.ssl();
                let info = TlsInfo {
                    version: ssl.version_str().to_owned(),
                    cipher: ssl.current_cipher().map(|c| c.name().to_owned()).unwrap_or_default(),
                };
                Ok((Box::new(stream), info))
            }
        }
    }
}

/// How long to wait for the start of a ClientHello before leaving it to rustls.
const HELLO_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Looks at the start of the client's first TLS record without consuming it: when it is a
/// ClientHello whose version is below TLS 1.2 (so the client knows nothing newer: TLS 1.3
/// clients write 1.2 there too), the name of that version and the record's minor version.
async fn legacy_only_hello(tcp: &TcpStream) -> Option<(&'static str, u8)> {
    let mut head = [0u8; 11];
    let deadline = tokio::time::Instant::now() + HELLO_WAIT;
    loop {
        let n = tokio::time::timeout_at(deadline, tcp.peek(&mut head)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        match hello_version(&head[..n]) {
            Hello::NeedMore => {}
            Hello::Other => return None,
            Hello::Version { client, record_minor } => {
                let name = match client {
                    0x0300 => "SSLv3",
                    0x0301 => "TLSv1",
                    0x0302 => "TLSv1.1",
                    _ => return None,
                };
                return Some((name, record_minor));
            }
        }
        // peek returns what is there at once; wait for the rest of the bytes to arrive.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// What the first bytes of a TLS connection say about the client's version.
#[derive(Debug, PartialEq, Eq)]
enum Hello {
    /// Fewer than the 11 bytes needed.
    NeedMore,
    /// Not a TLS handshake record holding a ClientHello (an SSLv2 hello, plain text).
    Other,
    /// The ClientHello's `client_version` and the record layer's minor version.
    Version { client: u16, record_minor: u8 },
}

fn hello_version(head: &[u8]) -> Hello {
    // record: type 22 (handshake), version 3.x, 2-byte length; handshake: type 1
    // (ClientHello), 3-byte length; then the 2-byte client_version.
    let at = |i: usize| head.get(i).copied();
    if at(0).is_some_and(|b| b != 22) || at(1).is_some_and(|b| b != 3) || at(5).is_some_and(|b| b != 1) {
        return Hello::Other;
    }
    if head.len() < 11 {
        return Hello::NeedMore;
    }
    Hello::Version { client: u16::from_be_bytes([head[9], head[10]]), record_minor: head[2] }
}

fn files_error(bind: std::net::SocketAddr, what: &Path, reason: impl std::fmt::Display) -> TlsSetupError {
    TlsSetupError::Files { bind, what: what.display().to_string(), reason: reason.to_string() }
}

/// rustls with TLS 1.2 and 1.3 only: a TLS 1.0 or 1.1 client gets a `protocol_version` alert.
fn modern(bind: std::net::SocketAddr, cert: &Path, key: &Path) -> Result<Acceptor, TlsSetupError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| files_error(bind, cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| files_error(bind, cert, e))?;
    if chain.is_empty() {
        return Err(files_error(bind, cert, "no certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| files_error(bind, key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| files_error(bind, cert, e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| files_error(bind, cert, format!("certificate and key do not go together: {e}")))?;
    Ok(Acceptor::Modern(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
}

/// OpenSSL from TLS 1.0 up, with `DEFAULT:@SECLEVEL=0` on this context alone.
#[cfg(feature = "legacy-tls")]
fn legacy(bind: std::net::SocketAddr, cert: &Path, key: &Path) -> Result<Acceptor, TlsSetupError> {
    use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslOptions, SslVersion};
    let setup = |e: openssl::error::ErrorStack| files_error(bind, Path::new("OpenSSL set-up"), e);
    // Mozilla's intermediate profile gives sane options (no compression, the server's cipher
    // order, FFDHE-2048 for DHE, the usual curves); its TLS 1.2 floor is lifted below.
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).map_err(setup)?;
    builder.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1);
    builder.set_options(SslOptions::NO_RENEGOTIATION);
    builder.set_min_proto_version(Some(SslVersion::TLS1)).map_err(setup)?;
    // Level 0 only lets TLS 1.0/1.1 and their SHA-1 signatures through; DEFAULT still leaves out
    // anonymous, NULL, export, RC4 and 3DES suites.
    builder.set_cipher_list("DEFAULT:@SECLEVEL=0").map_err(setup)?;
    builder.set_security_level(0);
    builder.set_certificate_chain_file(cert).map_err(|e| files_error(bind, cert, e))?;
    builder.set_private_key_file(key, SslFiletype::PEM).map_err(|e| files_error(bind, key, e))?;
    builder
        .check_private_key()
        .map_err(|e| files_error(bind, key, format!("certificate and key do not go together: {e}")))?;
    Ok(Acceptor::Legacy(Arc::new(builder.build().into_context())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_version_is_read_from_the_first_bytes() {
        let tls10 = [22, 3, 1, 0, 100, 1, 0, 0, 96, 3, 1, 0xAA];
        assert_eq!(hello_version(&tls10), Hello::Version { client: 0x0301, record_minor: 1 });
        let tls13 = [22, 3, 1, 2, 0, 1, 0, 1, 252, 3, 3];
        assert_eq!(hello_version(&tls13), Hello::Version { client: 0x0303, record_minor: 1 });
        assert_eq!(hello_version(&tls10[..7]), Hello::NeedMore);
        assert_eq!(hello_version(&[22]), Hello::NeedMore);
        assert_eq!(hello_version(&[]), Hello::NeedMore);
        assert_eq!(hello_version(b"EHLO printer\r\n"), Hello::Other);
        // An SSLv2-style hello, and a handshake record that is not a ClientHello.
        assert_eq!(hello_version(&[0x80, 0x2e, 1, 3, 1, 0, 21, 0, 0, 0, 16]), Hello::Other);
        assert_eq!(hello_version(&[22, 3, 1, 0, 5, 2, 0]), Hello::Other);
    }
}
