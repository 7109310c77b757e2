//! The clock check over the network: an SNTP query (RFC 4330) to a configurable server, and the
//! `Date` header of an HTTP(S) response as a fallback where UDP 123 is blocked. The protocol
//! parts are in `mailprobe-proto`; this module only moves bytes and reads the clock.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mailprobe_proto::{
    CLOCK_LEEWAY_SECS, ClockCheck, ClockSource, TokenInspection, parse_http_date, parse_sntp_reply,
    sntp_request,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio_rustls::TlsConnector;

use crate::TrustStore;
use crate::trust::ChainCapture;

/// The public NTP pool, used when no `--ntp-server` is given.
pub const DEFAULT_NTP_SERVER: &str = "pool.ntp.org:123";

/// The local clock, Unix seconds with fraction.
fn now_unix() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Splits `HOST[:PORT]` / `[V6]:PORT` with a default port.
fn host_port(spec: &str, default_port: u16) -> (String, u16) {
    if let Some(rest) = spec.strip_prefix('[')
        && let Some((host, tail)) = rest.split_once(']')
    {
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok()).unwrap_or(default_port);
        return (host.to_owned(), port);
    }
    match spec.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_owned(), p.parse().unwrap_or(default_port)),
        _ => (spec.to_owned(), default_port),
    }
}

/// Asks an SNTP server (`HOST[:PORT]`, port 123 by default) for the time: two tries, each
/// limited by `timeout`. Never fails: a missing answer is a check with level `unknown`.
pub async fn sntp_check(server: &str, timeout: Duration) -> ClockCheck {
    let (host, port) = host_port(server, 123);
    let label = format!("{host}:{port}");
    let addrs = match tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await {
        Ok(Ok(a)) => a.collect::<Vec<_>>(),
        Ok(Err(e)) => return ClockCheck::failed(ClockSource::Sntp, label, format!("cannot resolve: {e}")),
        Err(_) => return ClockCheck::failed(ClockSource::Sntp, label, "name resolution timed out"),
    };
    let Some(addr) = addrs.first().copied() else {
        return ClockCheck::failed(ClockSource::Sntp, label, "the name has no address");
    };
    let bind = if addr.is_ipv6() { "[::]:0" } else { "0.0.0.0:0" };
    let socket = match UdpSocket::bind(bind).await {
        Ok(s) => s,
        Err(e) => {
            return ClockCheck::failed(ClockSource::Sntp, label, format!("cannot open a UDP socket: {e}"));
        }
    };
    if let Err(e) = socket.connect(addr).await {
        return ClockCheck::failed(ClockSource::Sntp, label, format!("cannot reach {addr}: {e}"));
    }
    let mut last = String::from("no reply");
    for _ in 0..2 {
        let t1 = now_unix();
        let started = Instant::now();
        let request = sntp_request(t1);
        if let Err(e) = socket.send(&request).await {
            last = format!("cannot send: {e}");
            continue;
        }
        let mut buf = [0u8; 512];
        let deadline = started + timeout;
        // ignore stray datagrams until ours comes or the time is up
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, socket.recv(&mut buf)).await {
                Err(_) => {
                    last = format!("no reply within {} ms", timeout.as_millis());
                    break;
                }
                Ok(Err(e)) => {
                    last = format!("receive failed: {e}");
                    break;
                }
                Ok(Ok(n)) => {
                    // t4 from the monotonic clock, so a wall-clock step meanwhile does not count
                    let t4 = t1 + started.elapsed().as_secs_f64();
                    match parse_sntp_reply(&buf[..n], &request, t1, t4) {
                        Ok(sample) => {
                            let offset_ms = (sample.offset * 1000.0).round() as i64;
                            let rtt = (sample.delay.max(0.0) * 1000.0).round() as u64;
                            return ClockCheck::measured(ClockSource::Sntp, label, offset_ms, Some(rtt));
                        }
                        Err(why) if why.contains("originate") => continue,
                        Err(why) => {
                            last = why;
                            break;
                        }
                    }
                }
            }
        }
    }
    ClockCheck::failed(ClockSource::Sntp, label, last)
}

/// Reads the `Date` of a `HEAD` request to `url` (`https://host[:port][/path]`, or `http://`)
/// and compares it with the local clock (one-second precision: the server's clock is taken to
/// be half a second past the Date it sent).
pub async fn http_date_check(url: &str, trust: &TrustStore, timeout: Duration) -> ClockCheck {
    let failed = |why: String| ClockCheck::failed(ClockSource::HttpDate, url, why);
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return failed("not an http:// or https:// URL".to_owned());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = host_port(authority, if tls { 443 } else { 80 });
    let started = Instant::now();
    let t_send = now_unix();
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect((host.as_str(), port))).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return failed(format!("cannot connect: {e}")),
        Err(_) => return failed("connect timed out".to_owned()),
    };
    let request = format!(
        "HEAD {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: mailprobe/{}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let head = if tls {
        let capture = Arc::new(ChainCapture::default());
        let config = match trust.client_config(&capture) {
            Ok(c) => c,
            Err(e) => return failed(e.to_string()),
        };
        let Ok(name) = ServerName::try_from(host.clone()) else {
            return failed(format!("{host:?} is not a valid TLS server name"));
        };
        let connector = TlsConnector::from(Arc::new(config));
        let stream = match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return failed(format!("TLS handshake failed: {e}")),
            Err(_) => return failed("TLS handshake timed out".to_owned()),
        };
        exchange(stream, request.as_bytes(), timeout).await
    } else {
        exchange(tcp, request.as_bytes(), timeout).await
    };
    let head = match head {
        Ok(h) => h,
        Err(e) => return failed(e),
    };
    let local = t_send + started.elapsed().as_secs_f64() / 2.0;
    let Some(date) = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("date").then(|| v.trim().to_owned())
    }) else {
        return failed("the response has no Date header".to_owned());
    };
    let Some(server) = parse_http_date(&date) else {
        return failed(format!("cannot read the Date header {date:?}"));
    };
    let offset_ms = ((server as f64 + 0.5 - local) * 1000.0).round() as i64;
    let rtt = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    ClockCheck::measured(ClockSource::HttpDate, url, offset_ms, Some(rtt))
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &[u8],
    timeout: Duration,
) -> Result<String, String> {
    let io = async {
        stream.write_all(request).await?;
        stream.flush().await?;
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 32 * 1024 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(head)
    };
    match tokio::time::timeout(timeout, io).await {
        Ok(Ok(head)) if head.starts_with(b"HTTP/") => Ok(String::from_utf8_lossy(&head).into_owned()),
        Ok(Ok(_)) => Err("the answer is not HTTP".to_owned()),
        Ok(Err(e)) => Err(format!("request failed: {e}")),
        Err(_) => Err("no answer in time".to_owned()),
    }
}

/// A token issued or valid only in the future (beyond the usual five-minute leeway) is evidence
/// that the local clock is behind by at least that much.
pub fn token_clock_check(inspection: &TokenInspection, issuer: Option<&str>) -> Option<ClockCheck> {
    let claims = inspection.claims.as_ref()?;
    let ahead = [claims.issued_at, claims.not_before]
        .into_iter()
        .flatten()
        .map(|t| t - inspection.checked_at)
        .max()?;
    (ahead > CLOCK_LEEWAY_SECS).then(|| {
        let server = issuer.or(claims.issuer.as_deref()).unwrap_or("the token's issuer");
        let mut check = ClockCheck::measured(ClockSource::Token, server, ahead * 1000, None);
        check.detail = Some("the token was issued or becomes valid after the local time".to_owned());
        check
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailprobe_proto::{ClockLevel, TokenClaims, TokenFormat, sntp_server_reply};

    #[test]
    fn host_and_port() {
        assert_eq!(host_port("pool.ntp.org", 123), ("pool.ntp.org".into(), 123));
        assert_eq!(host_port("127.0.0.1:1234", 123), ("127.0.0.1".into(), 1234));
        assert_eq!(host_port("[::1]:99", 123), ("::1".into(), 99));
        assert_eq!(host_port("::1", 123), ("::1".into(), 123));
    }

    #[tokio::test]
    async fn sntp_against_a_responder_90_seconds_ahead() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            if let Ok((n, peer)) = server.recv_from(&mut buf).await
                && let Some(reply) = sntp_server_reply(&buf[..n], now_unix() + 90.0)
            {
                let _ = server.send_to(&reply, peer).await;
            }
        });
        let check = sntp_check(&addr.to_string(), Duration::from_secs(2)).await;
        let off = check.offset_ms.unwrap();
        assert!((89_000..=91_000).contains(&off), "{check:?}");
        assert_eq!(check.level, ClockLevel::Warning);
    }

    #[tokio::test]
    async fn sntp_without_answer_is_unknown() {
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let check = sntp_check(&silent.local_addr().unwrap().to_string(), Duration::from_millis(200)).await;
        assert_eq!(check.level, ClockLevel::Unknown);
        assert!(check.detail.unwrap().contains("no reply"));
    }

    #[test]
    fn future_tokens_mean_a_slow_clock() {
        let claims = TokenClaims { issued_at: Some(1_000 + 600), ..TokenClaims::default() };
        let i = TokenInspection {
            format: TokenFormat::Jwt,
            claims: Some(claims),
            checked_at: 1_000,
            problems: vec![],
        };
        let c = token_clock_check(&i, None).unwrap();
        assert_eq!((c.offset_ms, c.level), (Some(600_000), ClockLevel::Error));
        let claims = TokenClaims { issued_at: Some(1_000 + 30), ..TokenClaims::default() };
        let i = TokenInspection {
            format: TokenFormat::Jwt,
            claims: Some(claims),
            checked_at: 1_000,
            problems: vec![],
        };
        assert!(token_clock_check(&i, None).is_none());
    }
}
