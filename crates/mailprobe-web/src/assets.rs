//! The page's files, embedded in the binary: nothing is read from disk or loaded from
//! elsewhere, so the page works offline and is the same wherever the binary goes.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: its name under `/assets/`, its media type, its bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
}

const INDEX_HTML: &str = include_str!("../assets/index.html");

/// Everything the page loads besides itself.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/app.js"),
    },
    Asset {
        name: "style.css",
        media_type: "text/css; charset=utf-8",
        body: include_str!("../assets/style.css"),
    },
    Asset {
        name: "en.json",
        media_type: "application/json; charset=utf-8",
        body: include_str!("../assets/i18n/en.json"),
    },
    Asset {
        name: "it.json",
        media_type: "application/json; charset=utf-8",
        body: include_str!("../assets/i18n/it.json"),
    },
    // The report library's own classes, for the report fragments the page shows.
    Asset { name: "report.css", media_type: "text/css; charset=utf-8", body: mailprobe_report::html::CSS },
    Asset { name: "favicon.svg", media_type: "image/svg+xml", body: include_str!("../assets/favicon.svg") },
];

/// `GET /` and `GET /assets/{name}`.
pub(crate) fn routes() -> Router {
    Router::new().route("/", get(index)).route("/assets/{name}", get(asset))
}

async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX_HTML).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => ([(header::CONTENT_TYPE, a.media_type)], a.body).into_response(),
        None => (StatusCode::NOT_FOUND, "no such file\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page loads nothing from outside: no absolute URL anywhere in its files, no inline
    /// script, style or event handler (the Content-Security-Policy would block them anyway), and
    /// every `/assets/` it names exists.
    #[test]
    fn the_page_is_self_contained() {
        let own = std::iter::once(("index.html", INDEX_HTML))
            .chain(ASSETS.iter().filter(|a| a.name != "favicon.svg").map(|a| (a.name, a.body)));
        for (name, body) in own {
            for needle in ["http://", "https://", "url(", "@import"] {
                assert!(!body.contains(needle), "{needle:?} in {name}");
            }
        }
        for needle in ["<script>", "<style", " style=\"", "javascript:"] {
            assert!(!INDEX_HTML.contains(needle), "{needle:?} in index.html");
        }
        let handler = INDEX_HTML.split(" on").skip(1).find(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(handler.is_none(), "inline event handler in index.html: on{handler:?}");
        for name in INDEX_HTML.split("/assets/").skip(1).map(|s| s.split('"').next().unwrap_or_default()) {
            assert!(ASSETS.iter().any(|a| a.name == name), "index.html names /assets/{name}");
        }
    }

    /// The two dictionaries have the same keys.
    #[test]
    fn dictionaries_have_the_same_keys() {
        let keys = |name: &str| -> Vec<String> {
            let body = ASSETS.iter().find(|a| a.name == name).map(|a| a.body).unwrap_or_default();
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(body).unwrap();
            map.keys().cloned().collect()
        };
        assert_eq!(keys("en.json"), keys("it.json"));
    }
}
