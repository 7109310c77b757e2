//! A small SMTP client for driving the simulator in tests: plain TCP, STARTTLS and implicit TLS
//! through tokio-rustls, trusting only the simulator's CA and checking the provider host name.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailprobe_proto::{Reply, ReplyParser};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Longest a test waits for any one thing.
pub const WAIT: Duration = Duration::from_secs(10);

/// A TLS connector trusting only `ca_pem`, TLS 1.2 and 1.3.
pub fn connector(ca_pem: &str) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("CA PEM parses")).expect("CA is usable");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

/// A line-oriented SMTP client.
pub struct Client {
    stream: Stream,
    parser: ReplyParser,
}

impl Client {
    /// Connects in plaintext and returns the banner.
    pub async fn connect(addr: SocketAddr) -> (Client, Reply) {
        let tcp = timeout(WAIT, TcpStream::connect(addr)).await.unwrap().unwrap();
        let mut c = Client { stream: Stream::Plain(tcp), parser: ReplyParser::new() };
        let banner = c.read_reply().await;
        (c, banner)
    }

    /// Connects with implicit TLS, verifying the certificate for `host`, and returns the banner.
    pub async fn connect_tls(addr: SocketAddr, ca_pem: &str, host: &str) -> (Client, Reply) {
        let tcp = timeout(WAIT, TcpStream::connect(addr)).await.unwrap().unwrap();
        let name = ServerName::try_from(host.to_owned()).unwrap();
        let tls = timeout(WAIT, connector(ca_pem).connect(name, tcp))
            .await
            .unwrap()
            .expect("implicit TLS handshake");
        let mut c = Client { stream: Stream::Tls(Box::new(tls)), parser: ReplyParser::new() };
        let banner = c.read_reply().await;
        (c, banner)
    }

    /// Sends raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let fut = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Tls(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Gone => unreachable!(),
            }
        };
        timeout(WAIT, fut).await.unwrap().unwrap();
    }

    /// Reads some bytes; 0 at end of stream.
    pub async fn read_some(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let fut = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(buf).await,
                Stream::Tls(s) => s.read(buf).await,
                Stream::Gone => unreachable!(),
            }
        };
        timeout(WAIT, fut).await.expect("read timed out")
    }

    /// Reads the next reply; panics if none comes.
    pub async fn read_reply(&mut self) -> Reply {
        self.try_read_reply().await.expect("connection closed before a reply")
    }

    /// Reads the next reply, `None` at end of stream.
    pub async fn try_read_reply(&mut self) -> Option<Reply> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(reply) = self.parser.next_reply().expect("well-formed reply") {
                return Some(reply);
            }
            match self.read_some(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.parser.feed(&buf[..n]),
            }
        }
    }

    /// Sends one command line and reads the reply.
    pub async fn cmd(&mut self, line: &str) -> Reply {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
        self.read_reply().await
    }

    /// STARTTLS (after EHLO): sends it, expects 220, does the handshake for `host`.
    pub async fn starttls(&mut self, ca_pem: &str, host: &str) -> Reply {
        let go = self.cmd("STARTTLS").await;
        assert_eq!(go.code, 220, "{go:?}");
        self.handshake(ca_pem, host).await.expect("STARTTLS handshake");
        go
    }

    /// The TLS handshake on the plaintext connection (after a 220 to STARTTLS).
    pub async fn handshake(&mut self, ca_pem: &str, host: &str) -> std::io::Result<()> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            panic!("already TLS");
        };
        let name = ServerName::try_from(host.to_owned()).unwrap();
        let tls = timeout(WAIT, connector(ca_pem).connect(name, tcp)).await.unwrap()?;
        self.stream = Stream::Tls(Box::new(tls));
        self.parser = ReplyParser::new();
        Ok(())
    }

    /// The raw TCP stream, for hand-made TLS bytes after STARTTLS.
    pub fn into_tcp(self) -> TcpStream {
        match self.stream {
            Stream::Plain(s) => s,
            _ => panic!("not plaintext"),
        }
    }

    /// The negotiated TLS version, if any.
    pub fn tls_version(&self) -> Option<rustls::ProtocolVersion> {
        match &self.stream {
            Stream::Tls(s) => s.get_ref().1.protocol_version(),
            _ => None,
        }
    }
}

/// The reply as it was on the wire, lines joined with CRLF.
pub fn wire(r: &Reply) -> String {
    r.wire_lines().join("\r\n")
}

/// Asserts a reply's code and enhanced code.
#[track_caller]
pub fn assert_code(r: &Reply, code: u16, enhanced: &str) {
    assert_eq!(r.code, code, "{}", wire(r));
    assert_eq!(r.enhanced.map(|e| e.to_string()).as_deref(), Some(enhanced), "{}", wire(r));
}

/// PLAIN initial response.
pub fn plain(user: &str, password: &str) -> String {
    BASE64.encode(format!("\0{user}\0{password}"))
}

/// XOAUTH2 initial response.
pub fn xoauth2(user: &str, token: &str) -> String {
    BASE64.encode(format!("user={user}\x01auth=Bearer {token}\x01\x01"))
}

/// Base64 of a string.
pub fn b64(s: &str) -> String {
    BASE64.encode(s)
}

/// Decodes base64 to a string.
pub fn unb64(s: &str) -> String {
    String::from_utf8(BASE64.decode(s.trim()).expect("base64")).expect("utf-8")
}
