//! Which certificates to trust, and a verifier that keeps the peer's chain and a typed reason
//! when verification fails: a diagnosis needs both even when the handshake is aborted.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use mailprobe_proto::{CertificateInfo, TlsFailure};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::NetError;

/// The roots a probe trusts: webpki's bundled Mozilla roots, the OS store, and any `--ca-file`.
#[derive(Clone, Debug)]
pub struct TrustStore {
    /// Roots known at once: webpki's and any PEM given.
    base: Arc<RootCertStore>,
    /// The OS store is trusted too (`system()`). It is read only when a chain does not verify
    /// against `base` alone: parsing every CA of /etc/ssl/certs was the largest part of a
    /// probe's memory, and public servers (Mozilla's roots) and `--ca-file` servers never need it.
    /// Trust is the same either way: a chain that verifies against some of the roots verifies
    /// against all of them, and any other chain is verified again against all of them.
    os_store: bool,
    /// `base` plus the OS store, read at the first chain `base` does not verify.
    combined: Arc<OnceLock<Arc<RootCertStore>>>,
    /// The certificates the user named (`--ca-file`, a test CA), exactly as given: a server
    /// certificate found among them is trusted as itself, as OpenSSL and GnuTLS do, even when
    /// it is marked CA:TRUE (what `openssl req -x509` makes), which webpki refuses as a leaf.
    pinned: Arc<Vec<CertificateDer<'static>>>,
}

impl TrustStore {
    /// webpki roots plus the OS store (unreadable OS entries are skipped: the bundled roots remain).
    pub fn system() -> Self {
        let mut base = RootCertStore::empty();
        base.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Self { base: Arc::new(base), os_store: true, combined: Arc::default(), pinned: Arc::default() }
    }

    /// Only the given PEM certificates (the simulator's CA in the demo, a test CA).
    pub fn from_pem(pem: &[u8]) -> Result<Self, NetError> {
        let mut roots = RootCertStore::empty();
        let pinned = add_pem(&mut roots, pem, "the given PEM")?;
        Ok(Self {
            base: Arc::new(roots),
            os_store: false,
            combined: Arc::default(),
            pinned: Arc::new(pinned),
        })
    }

    /// Every root, the OS store included (read the first time; `None` without it).
    fn all_roots(&self) -> Option<Arc<RootCertStore>> {
        self.os_store.then(|| {
            self.combined
                .get_or_init(|| {
                    let mut roots = (*self.base).clone();
                    // A panic in the loader must not fail the verification: the bundled roots remain.
                    let native = std::panic::catch_unwind(|| rustls_native_certs::load_native_certs().certs)
                        .unwrap_or_default();
                    roots.add_parsable_certificates(native);
                    Arc::new(roots)
                })
                .clone()
        })
    }

    /// Adds the certificates of a PEM file (`--ca-file`); a file over 4 MB is refused, read no further.
    pub fn with_ca_file(self, path: &Path) -> Result<Self, NetError> {
        let pem = read_ca_file(path)?;
        let mut base = Arc::unwrap_or_clone(self.base);
        let mut pinned = Arc::unwrap_or_clone(self.pinned);
        pinned.extend(add_pem(&mut base, &pem, &path.display().to_string())?);
        Ok(Self {
            base: Arc::new(base),
            os_store: self.os_store,
            combined: Arc::default(),
            pinned: Arc::new(pinned),
        })
    }

    /// A rustls client configuration whose verifier records into `capture`.
    pub(crate) fn client_config(
        &self,
        capture: &Arc<ChainCapture>,
    ) -> Result<rustls::ClientConfig, NetError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(self.base.clone(), provider.clone())
            .build()
            .map_err(|e| NetError::Tls(e.to_string()))?;
        let verifier = Arc::new(CapturingVerifier {
            inner,
            everything: self.os_store.then(|| AllRoots {
                store: self.clone(),
                provider: provider.clone(),
                verifier: OnceLock::new(),
            }),
            capture: capture.clone(),
            pinned: self.pinned.clone(),
        });
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| NetError::Tls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }
}

/// The largest `--ca-file` read. A bundle of every public root is about 250 KB: a file larger
/// than this is the wrong file (or `/dev/zero`), and is not read to its end.
const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The bytes of a CA file, or why not: unreadable, or larger than [`MAX_CA_FILE_BYTES`].
fn read_ca_file(path: &Path) -> Result<Vec<u8>, NetError> {
    use std::io::Read as _;
    let error = |reason: String| NetError::CaFile { path: path.display().to_string(), reason };
    let file = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
    let mut pem = Vec::new();
    // One byte more than allowed tells a file of exactly the limit from a larger one.
    file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut pem).map_err(|e| error(e.to_string()))?;
    if pem.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(error(format!(
            "it is too large: more than {} MB, and a file of CA certificates is a few hundred KB at most",
            MAX_CA_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(pem)
}

/// TLS for an HTTPS client (the OAuth endpoints of `mailprobe auth`): the same roots as a probe,
/// and what the last handshake's verifier saw, to say why a certificate was refused.
#[derive(Clone, Debug)]
pub struct HttpsTrust {
    config: rustls::ClientConfig,
    capture: Arc<ChainCapture>,
}

impl HttpsTrust {
    /// The rustls configuration, for an HTTP client that takes one (reqwest's
    /// `use_preconfigured_tls`).
    pub fn config(&self) -> rustls::ClientConfig {
        self.config.clone()
    }

    /// Why the last server certificate was refused, with the chain it presented (leaf first);
    /// `None` when the last handshake's certificate was accepted or none was seen.
    pub fn refusal(&self) -> Option<(TlsFailure, Vec<CertificateInfo>)> {
        let guard = self.capture.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (chain, failure) = &*guard;
        failure.map(|f| (f, chain.iter().map(|c| certificate_info(c)).collect()))
    }
}

impl TrustStore {
    /// The TLS settings of an HTTPS client that trusts what a probe trusts.
    pub fn https(&self) -> Result<HttpsTrust, NetError> {
        let capture = Arc::new(ChainCapture::default());
        let config = self.client_config(&capture)?;
        Ok(HttpsTrust { config, capture })
    }
}

/// Adds a PEM bundle's certificates as roots; returns them as given.
fn add_pem(
    roots: &mut RootCertStore,
    pem: &[u8],
    origin: &str,
) -> Result<Vec<CertificateDer<'static>>, NetError> {
    let mut added = Vec::new();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| NetError::CaFile { path: origin.to_owned(), reason: e.to_string() })?;
        roots
            .add(cert.clone())
            .map_err(|e| NetError::CaFile { path: origin.to_owned(), reason: e.to_string() })?;
        added.push(cert);
    }
    if added.is_empty() {
        return Err(NetError::CaFile { path: origin.to_owned(), reason: "no PEM certificate in it".into() });
    }
    Ok(added)
}

/// What one handshake's verifier saw.
#[derive(Debug, Default)]
pub(crate) struct ChainCapture {
    inner: Mutex<(Vec<CertificateDer<'static>>, Option<TlsFailure>)>,
}

impl ChainCapture {
    /// The chain presented (leaf first) and the verification failure, if any.
    pub(crate) fn take(&self) -> (Vec<CertificateDer<'static>>, Option<TlsFailure>) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *guard)
    }
}

#[derive(Debug)]
struct CapturingVerifier {
    /// Verifies against the roots known at once.
    inner: Arc<WebPkiServerVerifier>,
    /// Verifies against every root, the OS store included: asked only when `inner` refuses.
    everything: Option<AllRoots>,
    capture: Arc<ChainCapture>,
    pinned: Arc<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for CapturingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut result =
            self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        if result.is_err()
            && let Some(all) = self.everything.as_ref().and_then(AllRoots::verifier)
        {
            result = all.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        }
        let mut failure = result.as_ref().err().map(classify_rustls_error);
        // webpki refuses a leaf marked CA:TRUE before it looks for an issuer; OpenSSL, GnuTLS and
        // most mail clients do not. So: the user's own certificate is checked as itself, and a
        // self-signed one nobody trusts is untrusted, not "invalid".
        if let Err(rustls::Error::InvalidCertificate(CertificateError::Other(_))) = &result
            && let Some(leaf) = SelfIssued::read(end_entity)
        {
            if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) {
                result = leaf.verify_as_pinned(end_entity, server_name, now);
                failure = result.as_ref().err().map(classify_rustls_error);
            } else {
                failure = Some(TlsFailure::CertUntrusted);
            }
        }
        let chain =
            std::iter::once(end_entity).chain(intermediates).map(|c| c.clone().into_owned()).collect();
        *self.capture.inner.lock().unwrap_or_else(|p| p.into_inner()) = (chain, failure);
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The verifier of every root, the OS store included, built the first time it is needed.
#[derive(Debug)]
struct AllRoots {
    store: TrustStore,
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: OnceLock<Option<Arc<WebPkiServerVerifier>>>,
}

impl AllRoots {
    fn verifier(&self) -> Option<&Arc<WebPkiServerVerifier>> {
        self.verifier
            .get_or_init(|| {
                let roots = self.store.all_roots()?;
                WebPkiServerVerifier::builder_with_provider(roots, self.provider.clone()).build().ok()
            })
            .as_ref()
    }
}

/// A certificate that names itself as its issuer, marked as a CA: what `openssl req -x509`
/// makes with OpenSSL 3's defaults.
struct SelfIssued {
    not_before: i64,
    not_after: i64,
}

impl SelfIssued {
    fn read(der: &CertificateDer<'_>) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
        (cert.is_ca() && cert.subject() == cert.issuer()).then(|| Self {
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// The checks a pinned certificate still needs: the name asked for, and its dates.
    fn verify_as_pinned(
        &self,
        der: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now > self.not_after {
            return Err(CertificateError::Expired.into());
        }
        if now < self.not_before {
            return Err(CertificateError::NotValidYet.into());
        }
        let cert = webpki::EndEntityCert::try_from(der).map_err(|_| CertificateError::BadEncoding)?;
        cert.verify_is_valid_for_subject_name(server_name).map_err(|_| CertificateError::NotValidForName)?;
        Ok(ServerCertVerified::assertion())
    }
}

/// Maps a rustls error to the failure kinds the knowledge base knows.
pub(crate) fn classify_rustls_error(error: &rustls::Error) -> TlsFailure {
    use rustls::{AlertDescription as A, Error as E};
    match error {
        E::InvalidCertificate(cert) => match cert {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => TlsFailure::CertExpired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsFailure::CertNotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsFailure::CertHostnameMismatch
            }
            CertificateError::UnknownIssuer => TlsFailure::CertUntrusted,
            CertificateError::Revoked => TlsFailure::CertRevoked,
            _ => TlsFailure::CertInvalid,
        },
        E::AlertReceived(A::ProtocolVersion) => TlsFailure::ProtocolVersion,
        E::AlertReceived(_) | E::PeerIncompatible(_) => TlsFailure::HandshakeRejected,
        E::InvalidMessage(_) | E::PeerMisbehaved(_) => TlsFailure::NotTls,
        _ => TlsFailure::Other,
    }
}

/// Reads the fields a report shows from a DER certificate; unparsable ones keep their hash.
pub fn certificate_info(der: &[u8]) -> CertificateInfo {
    let sha256 = ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return CertificateInfo { subject: "(unparsable certificate)".into(), sha256, ..Default::default() };
    };
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some((*d).to_owned()),
                    x509_parser::extensions::GeneralName::IPAddress(ip) => ip_to_string(ip),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let rfc3339 = |t: &x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    };
    CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_before: rfc3339(&cert.validity().not_before),
        not_after: rfc3339(&cert.validity().not_after),
        serial: cert.raw_serial_as_string(),
        sha256,
        key: key_description(&cert),
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        is_ca: cert.is_ca(),
    }
}

/// `RSA 2048`, `EC P-256`, `Ed25519`: what a report shows of a public key.
fn key_description(cert: &x509_parser::certificate::X509Certificate<'_>) -> String {
    use x509_parser::public_key::PublicKey;
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(ec)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| match oid_name(&oid).as_str() {
                    "prime256v1" => "P-256".to_owned(),
                    "secp384r1" => "P-384".to_owned(),
                    "secp521r1" => "P-521".to_owned(),
                    other => other.to_owned(),
                })
                .unwrap_or_else(|| format!("{} bits", ec.key_size()));
            format!("EC {curve}")
        }
        Ok(PublicKey::DSA(_)) => "DSA".to_owned(),
        Ok(PublicKey::GostR3410(_) | PublicKey::GostR3410_2012(_)) => "GOST".to_owned(),
        Ok(PublicKey::Unknown(_)) | Err(_) => oid_name(&spki.algorithm.algorithm),
    }
}

/// The short name of an OID (`sha256WithRSAEncryption`, `ED25519`), or its dotted form.
fn oid_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map(str::to_owned)
        .unwrap_or_else(|_| oid.to_id_string())
}

fn ip_to_string(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_string()),
        _ => None,
    }
}
