//! The grants without a person and the token cache, against real OpenID providers on
//! 127.0.0.1: the client-credentials grant with a client secret (the test environment's
//! `mailprobe-app`, Microsoft 365 app-only style) and with a certificate (`private_key_jwt`, a
//! second oidc-provider started here), the refresh-token grant (a person's sign-in through the
//! provider's own pages), errors that keep the OAuth code but never a secret, and the cache
//! renewing before expiry on a clock the test moves, riding out an outage.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use mailprobe_oauth::{
    AssertionAlgorithm, CertificateCredential, ClientAuth, Http, MICROSOFT_APP_ONLY_SCOPE, ManualClock,
    OAuthError, Step, TokenCache, TokenEndpoint,
};
use mailprobe_proto::{Secret, claims_from_map, decode_jwt_claims};
use support::{CERT_CLIENT, CertServer, Forwarder, var};

fn http() -> Http {
    Http::new(Duration::from_secs(20), None).unwrap()
}

fn app_endpoint(url: &str, auth: ClientAuth) -> TokenEndpoint {
    TokenEndpoint::new(url, &var("OAUTH_CLIENT_APP"), auth, http()).unwrap()
}

fn app_scope() -> Vec<String> {
    vec![MICROSOFT_APP_ONLY_SCOPE.to_owned()]
}

/// No form of `secret` in `text`.
fn assert_no_secret(text: &str, secret: &str) {
    for form in [secret.to_owned(), STANDARD.encode(secret), URL_SAFE_NO_PAD.encode(secret)] {
        assert!(!text.contains(form.trim_end_matches('=')), "a secret in {text:?}");
    }
}

/// The claims of a JWT access token, as JSON.
fn claims(token: &Secret) -> serde_json::Value {
    let map = decode_jwt_claims(token.expose()).expect("a JWT access token");
    serde_json::to_value(&map).unwrap()
}

#[tokio::test]
async fn client_credentials_with_a_secret_in_the_body_or_basic() {
    let secret = var("OAUTH_APP_SECRET");
    for auth in [ClientAuth::SecretPost(Secret::new(&secret)), ClientAuth::SecretBasic(Secret::new(&secret))]
    {
        let tokens =
            app_endpoint(&support::token_url(), auth).client_credentials(&app_scope()).await.unwrap();
        // an app-only token like Microsoft's: the app, its role, the mailbox it may send as
        let c = claims(&tokens.access_token);
        assert_eq!(c["aud"], "https://outlook.office365.com", "{c}");
        assert_eq!(c["roles"], serde_json::json!(["SMTP.SendAsApp"]), "{c}");
        assert_eq!(c["appid"], var("OAUTH_CLIENT_APP").as_str());
        assert_eq!(
            claims_from_map(&decode_jwt_claims(tokens.access_token.expose()).unwrap()).user,
            Some(var("USER"))
        );
        assert_eq!(tokens.expires_in, Some(Duration::from_secs(600)));
        assert!(tokens.refresh_token.is_none(), "client credentials never get a refresh token");
    }
}

#[tokio::test]
async fn a_wrong_secret_keeps_the_oauth_error_and_never_the_secret() {
    let canary = "Canary-WrongSecret-77e1c0de";
    let err = app_endpoint(&support::token_url(), ClientAuth::SecretPost(Secret::new(canary)))
        .client_credentials(&app_scope())
        .await
        .unwrap_err();
    let OAuthError::Endpoint { step: Step::ClientCredentials, error } = &err else { panic!("{err:?}") };
    assert_eq!((error.code.as_str(), error.status), ("invalid_client", Some(401)), "{error:?}");
    assert_eq!(error.description.as_deref(), Some("client authentication failed"));
    assert_eq!(err.code(), Some("invalid_client"));
    assert!(!err.is_transient(), "a wrong secret stays wrong");
    for text in [err.to_string(), format!("{err:?}"), err.detail()] {
        assert!(text.contains("invalid_client"), "{text}");
        assert_no_secret(&text, canary);
        assert_no_secret(&text, &var("OAUTH_APP_SECRET"));
    }
    // a client without a credential cannot use the grant at all
    let none = app_endpoint(&support::token_url(), ClientAuth::None).client_credentials(&app_scope()).await;
    assert!(matches!(none, Err(OAuthError::Setup(_))), "{none:?}");
}

#[tokio::test]
async fn endpoints_off_loopback_must_be_https_and_a_closed_port_is_transient() {
    let plain = TokenEndpoint::new("http://login.example/token", "c", ClientAuth::None, http());
    assert!(matches!(plain, Err(OAuthError::Setup(_))));
    // a port nobody listens on (bound, then released)
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let secret = var("OAUTH_APP_SECRET");
    let err =
        app_endpoint(&format!("http://127.0.0.1:{port}/token"), ClientAuth::SecretPost(Secret::new(&secret)))
            .client_credentials(&app_scope())
            .await
            .unwrap_err();
    assert!(matches!(err, OAuthError::Unreachable { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_no_secret(&err.to_string(), &secret);
}

#[tokio::test]
async fn the_cache_renews_before_expiry_on_its_own_clock() {
    let start = mailprobe_oauth::unix_now();
    let clock = ManualClock::new(start);
    let secret = Secret::new(var("OAUTH_APP_SECRET"));
    let cache = TokenCache::client_credentials(
        app_endpoint(&support::token_url(), ClientAuth::SecretPost(secret)),
        app_scope(),
    )
    .with_clock(Arc::new(clock.clone()));
    let first = cache.token().await.unwrap();
    assert_eq!(first.expires_at, start + 600, "the server's expires_in, on the cache's clock");
    // many callers at once, one request
    let cache = Arc::new(cache);
    let mut waiting = Vec::new();
    for _ in 0..8 {
        let c = cache.clone();
        waiting.push(tokio::spawn(async move { c.token().await.unwrap().token }));
    }
    for w in waiting {
        assert_eq!(w.await.unwrap(), first.token);
    }
    assert_eq!(cache.requests().await, (1, 0));
    // a 600 s token is renewed 300 s before it expires: not at 299 s, at 300 s
    clock.advance(299);
    assert_eq!(cache.token().await.unwrap().token, first.token);
    assert_eq!(cache.requests().await, (1, 0));
    clock.advance(1);
    let second = cache.token().await.unwrap();
    assert_ne!(second.token, first.token, "a new token before the old one expired");
    assert_eq!((second.obtained_at, second.expires_at), (start + 300, start + 900));
    assert_eq!(cache.requests().await, (2, 0));
    // a token the server refused is forgotten
    cache.invalidate().await;
    let third = cache.token().await.unwrap();
    assert_ne!(third.token, second.token);
    assert_eq!(cache.requests().await, (3, 0));
}

#[tokio::test]
async fn the_cache_rides_out_an_outage_while_its_token_is_valid() {
    let issuer = var("OAUTH_ISSUER");
    let target = issuer.trim_start_matches("http://").to_owned();
    let forwarder = Forwarder::start(target).await;
    let url = format!("http://127.0.0.1:{}/token", forwarder.port);
    let start = mailprobe_oauth::unix_now();
    let clock = ManualClock::new(start);
    let cache = TokenCache::client_credentials(
        app_endpoint(&url, ClientAuth::SecretPost(Secret::new(var("OAUTH_APP_SECRET")))),
        app_scope(),
    )
    .with_clock(Arc::new(clock.clone()));
    let first = cache.token().await.unwrap();
    forwarder.set_up(false);
    // due for renewal, the endpoint down: the old token, still valid, is handed out
    clock.advance(400);
    assert_eq!(cache.token().await.unwrap().token, first.token);
    assert_eq!(cache.requests().await, (2, 1));
    // and the endpoint is not asked again at once
    clock.advance(5);
    assert_eq!(cache.token().await.unwrap().token, first.token);
    assert_eq!(cache.requests().await, (2, 1));
    // too close to expiry to hand out: the error, which says to try again later
    clock.advance(600 - 405 - 29);
    let err = cache.token().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{}", forwarder.port)), "{err}");
    // back up: a new token at once
    forwarder.set_up(true);
    let back = cache.token().await.unwrap();
    assert_ne!(back.token, first.token);
    assert_eq!(cache.requests().await, (4, 2));
}

#[tokio::test]
async fn a_headless_refresh_keeps_the_rotated_refresh_token() {
    let client = var("OAUTH_CLIENT_INSTALLED");
    let scope = "openid offline_access https://outlook.office.com/SMTP.Send";
    let (access, refresh) =
        tokio::task::spawn_blocking(move || support::person_tokens(&var("OAUTH_CLIENT_INSTALLED"), scope))
            .await
            .unwrap();
    let seen: Arc<Mutex<Vec<Secret>>> = Arc::default();
    let log = seen.clone();
    let endpoint = TokenEndpoint::new(&support::token_url(), &client, ClientAuth::None, http()).unwrap();
    let cache = TokenCache::refresh_token(endpoint, Secret::new(&refresh), vec![])
        .on_rotation(move |rt| log.lock().unwrap().push(rt.clone()));
    let first = cache.token().await.unwrap();
    assert_ne!(first.token.expose(), access);
    assert_eq!(claims(&first.token)["upn"], var("USER").as_str(), "the person's token, refreshed");
    // the provider rotates a public client's refresh token: the new one is kept and reported
    let rotated = seen.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1);
    assert_ne!(rotated[0].expose(), refresh);
    assert_eq!(cache.current_refresh_token().as_ref(), Some(&rotated[0]));
    // and used next: reusing the old one would make the provider revoke the whole grant
    cache.invalidate().await;
    let second = cache.token().await.unwrap();
    assert_ne!(second.token, first.token);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_revoked_refresh_token_is_invalid_grant_without_the_token() {
    let client = var("OAUTH_CLIENT_INSTALLED");
    let (_, refresh) = tokio::task::spawn_blocking(|| {
        let (a, r) = support::person_tokens(
            &var("OAUTH_CLIENT_INSTALLED"),
            "openid offline_access https://mail.google.com/",
        );
        support::revoke(&var("OAUTH_CLIENT_INSTALLED"), &r);
        (a, r)
    })
    .await
    .unwrap();
    let endpoint = TokenEndpoint::new(&support::token_url(), &client, ClientAuth::None, http()).unwrap();
    let err = endpoint.refresh(&Secret::new(&refresh), &[]).await.unwrap_err();
    assert_eq!(err.code(), Some("invalid_grant"), "{err:?}");
    assert!(matches!(err, OAuthError::Endpoint { step: Step::Refresh, .. }));
    assert!(!err.is_transient());
    assert!(err.to_string().starts_with("the provider refused the refresh: invalid_grant"), "{err}");
    assert_no_secret(&format!("{err} {err:?}"), &refresh);
}

#[tokio::test]
async fn client_credentials_with_a_certificate() {
    let dir = support::temp_dir("cert");
    let (cert, key) = support::certificate(&dir, "mailprobe-app-cert");
    let (other_cert, other_key) = support::certificate(&dir, "someone-else");
    let server = tokio::task::spawn_blocking({
        let key = key.clone();
        move || CertServer::start(&key)
    })
    .await
    .unwrap();
    let credential = CertificateCredential::from_pem_files(&cert, &key).unwrap();
    // the thumbprint is the one `openssl x509 -fingerprint -sha1` gives
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    let fingerprint =
        String::from_utf8_lossy(&out.stdout).rsplit('=').next().unwrap().trim().replace(':', "");
    assert_eq!(credential.thumbprint(), fingerprint);
    for alg in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
        let credential =
            Arc::new(CertificateCredential::from_pem_files(&cert, &key).unwrap().with_algorithm(alg));
        let endpoint =
            TokenEndpoint::new(&server.token_url, CERT_CLIENT, ClientAuth::Certificate(credential), http())
                .unwrap();
        let tokens =
            endpoint.client_credentials(&app_scope()).await.unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        let c = claims(&tokens.access_token);
        assert_eq!(
            (c["aud"].as_str(), c["client_id"].as_str()),
            (Some("https://outlook.office365.com"), Some(CERT_CLIENT))
        );
    }
    // a certificate the app does not have is refused, with the provider's code
    let stranger = Arc::new(CertificateCredential::from_pem_files(&other_cert, &other_key).unwrap());
    let endpoint =
        TokenEndpoint::new(&server.token_url, CERT_CLIENT, ClientAuth::Certificate(stranger), http())
            .unwrap();
    let err = endpoint.client_credentials(&app_scope()).await.unwrap_err();
    assert_eq!(err.code(), Some("invalid_client"), "{err:?}");
    // a key that is not the certificate's is refused before anything is sent
    let mismatch = CertificateCredential::from_pem_files(&cert, &other_key).unwrap_err();
    assert!(mismatch.to_string().contains("does not belong"), "{mismatch}");
    let key_text = std::fs::read_to_string(&key).unwrap();
    let body: String = key_text.lines().filter(|l| !l.starts_with("-----")).collect();
    for e in [
        mismatch.to_string(),
        CertificateCredential::from_pem(b"", key_text.as_bytes()).unwrap_err().to_string(),
    ] {
        assert!(!e.contains(&body[..40]), "the key in an error: {e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
