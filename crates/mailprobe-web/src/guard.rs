//! What every request passes before it reaches a handler: the Host header must name this
//! server (no DNS rebinding), an Origin, when sent, must be the page's own (no other web site can
//! drive it), and the request must carry this run's session cookie — which only the printed
//! address, with its token, hands out. Every response gets the security headers.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::secret::RunSecret;

/// The page's Content-Security-Policy: nothing from anywhere but this server, no inline script
/// or style, no framing, forms and fetches only to itself.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The secrets and the port a request is checked against.
#[derive(Debug)]
pub(crate) struct Guard {
    /// The port this server listens on: a Host header must name it.
    pub port: u16,
    /// The token in the printed address.
    pub token: RunSecret,
    /// The session cookie's value, handed out for the token.
    pub session: RunSecret,
}

impl Guard {
    /// The cookie's name carries the port: browsers share cookies between the ports of one host,
    /// so two `mailprobe serve` at once would otherwise overwrite each other's session.
    pub fn cookie_name(&self) -> String {
        format!("mailprobe-session-{}", self.port)
    }

    /// True when `host` (a Host header) is `localhost` or an IP address literal, with this
    /// server's port. A DNS-rebinding page reaches the server under its own domain name, which
    /// this refuses.
    fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.port) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let literal = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
        // A bare IPv6 address without brackets is not a valid Host.
        literal.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv4() != name.starts_with('['))
    }

    fn has_session(&self, headers: &HeaderMap) -> bool {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(k, v)| k == name && self.session.matches(v))
    }

    fn token_in(&self, query: Option<&str>) -> bool {
        query
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .any(|(k, v)| k == "token" && self.token.matches(v))
    }
}

/// Why a request was refused: said in the response so that a person who typed the address
/// without its token knows what to do.
fn refuse(why: &str) -> Response {
    let body = format!("403 Forbidden: {why}\n");
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The middleware: checks, then the handler, then the security headers on whatever comes back.
pub(crate) async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let mut response = admit(&guard, request, next).await;
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn admit(guard: &Guard, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return refuse("no Host header");
    };
    if !guard.host_allowed(host) {
        return refuse("this server answers only to its own address (Host header)");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = format!("http://{host}");
        if !origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(&own)) {
            return refuse("requests from other web pages are refused (Origin header)");
        }
    }
    // `same-site` is another port of this host: another local web application, not this page.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return refuse("requests from other web pages are refused (Sec-Fetch-Site header)");
    }
    if guard.has_session(headers) {
        return next.run(request).await;
    }
    if request.method() == Method::GET && request.uri().path() == "/" && guard.token_in(request.uri().query())
    {
        // The token becomes a cookie the page's own requests carry, and leaves the address bar
        // (and the browser's history) at once.
        let cookie =
            format!("{}={}; HttpOnly; SameSite=Strict; Path=/", guard.cookie_name(), guard.session.expose());
        let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return response;
    }
    refuse("open the address that `mailprobe serve` printed; it holds this run's secret")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard { port: 8123, token: RunSecret::generate().unwrap(), session: RunSecret::generate().unwrap() }
    }

    #[test]
    fn host_must_be_this_server() {
        let g = guard();
        for ok in ["127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123", "[::1]:8123", "192.0.2.7:8123"] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "127.0.0.1:8124",
            "evil.example:8123",
            "localhost.evil.example:8123",
            "::1:8123",
            "[127.0.0.1]:8123",
            "",
            ":8123",
        ] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn token_and_cookie_must_match() {
        let g = guard();
        let token = g.token.expose().to_owned();
        assert!(g.token_in(Some(&format!("token={token}"))));
        assert!(g.token_in(Some(&format!("lang=it&token={token}"))));
        assert!(!g.token_in(Some("token=00")));
        assert!(!g.token_in(None));
        let mut headers = HeaderMap::new();
        let cookie = format!("other=1; {}={}", g.cookie_name(), g.session.expose());
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(g.has_session(&headers));
        // The token itself is not the session.
        let wrong = format!("{}={token}", g.cookie_name());
        headers.insert(header::COOKIE, HeaderValue::from_str(&wrong).unwrap());
        assert!(!g.has_session(&headers));
    }
}
