//! The simulator's own certificate authority and the TLS server configuration built from it.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};

use crate::SimError;

/// The common name of the simulator's CA.
pub const CA_COMMON_NAME: &str = "mailprobe simulator CA";

/// A fresh CA and a server configuration presenting a leaf certificate for one host name.
pub(crate) struct Pki {
    pub(crate) ca_pem: String,
    pub(crate) server_config: Arc<ServerConfig>,
}

/// Makes a CA and a leaf for `host` (valid from yesterday for 90 days, like a public CA's), and
/// a rustls server that speaks TLS 1.2 and 1.3 only.
pub(crate) fn build(host: &str) -> Result<Pki, SimError> {
    let now = time::OffsetDateTime::now_utc();

    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, CA_COMMON_NAME);
    ca_params.distinguished_name.push(DnType::OrganizationName, "mailprobe");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca_params.not_before = now - time::Duration::days(1);
    ca_params.not_after = now + time::Duration::days(365);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf_params = CertificateParams::new(vec![host.to_owned()])?;
    leaf_params.distinguished_name.push(DnType::CommonName, host);
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.not_before = now - time::Duration::days(1);
    leaf_params.not_after = now + time::Duration::days(89);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
    // rustls has no TLS 1.0 or 1.1 at all: a client offering only those gets a
    // protocol_version alert, which is Microsoft 365's TLS 1.2 floor.
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key.into())?;
    config.alpn_protocols = Vec::new();
    Ok(Pki { ca_pem, server_config: Arc::new(config) })
}
