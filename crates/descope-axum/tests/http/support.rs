//! Helpers: token signing with the conformance key, a scripted Descope API, a server on
//! 127.0.0.1 and a small HTTP client.
#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use descope_transport::test_util::ScriptedTransport;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;
use serde_json::{json, Value};

/// The conformance project ID.
pub const PROJECT_ID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";

const KEY_PEM: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../conformance/keys/rsa-primary.pem"
));
const JWKS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../conformance/keys/jwks.json"
));

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn key() -> &'static RsaKeyPair {
    static KEY: std::sync::OnceLock<RsaKeyPair> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let der = PrivatePkcs8KeyDer::from_pem_slice(KEY_PEM.as_bytes()).expect("test key PEM");
        RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("test key")
    })
}

/// Signs `claims` with the conformance key `oracle-rsa-1` (RS256).
pub fn sign(claims: Value) -> String {
    let header = json!({"alg": "RS256", "kid": "oracle-rsa-1", "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let k = key();
    let mut sig = vec![0; k.public().modulus_len()];
    k.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("signing");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn token(user: &str, drn: &str, extra: Value, ttl: i64) -> String {
    let now = now();
    let mut claims = json!({
        "sub": user,
        "iss": format!("https://api.descope.com/{PROJECT_ID}"),
        "iat": now - 10,
        "exp": now + ttl,
        "drn": drn,
    });
    if let (Some(c), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        c.extend(extra);
    }
    sign(claims)
}

/// A session token for `user` with extra claims, expiring in `ttl` seconds (negative: expired).
pub fn session_token(user: &str, extra: Value, ttl: i64) -> String {
    token(user, "DS", extra, ttl)
}

/// A refresh token for `user`, expiring in `ttl` seconds.
pub fn refresh_token(user: &str, ttl: i64) -> String {
    token(user, "DSR", json!({}), ttl)
}

/// A refresh token with extra claims.
pub fn refresh_token_with(user: &str, extra: Value, ttl: i64) -> String {
    token(user, "DSR", extra, ttl)
}

/// A client for the conformance project with the test key pinned (no key-set fetch) and a
/// scripted Descope API behind it.
pub fn scripted_client() -> (descope::Client, ScriptedTransport) {
    let transport = ScriptedTransport::new();
    let client = descope::Client::builder_without_env()
        .project_id(PROJECT_ID)
        .public_key(JWKS)
        .base_url("https://api.descope.test")
        .transport(Arc::new(transport.clone()))
        // Retries of 503s are not under test here; without them the outage test is quick.
        .retry_policy(descope::RetryPolicy::never())
        .build()
        .expect("client");
    (client, transport)
}

/// Serves `app` on 127.0.0.1 (a free port); returns `http://127.0.0.1:<port>`.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// Serves a plain tower service (no axum router) on 127.0.0.1.
pub async fn serve_service<S>(svc: S) -> String
where
    S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    let app = axum::Router::new().fallback_service(svc);
    serve(app).await
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The value a `Set-Cookie` of this reply gives cookie `name` (`Some("")` for a deletion).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((&c, ""));
            let (n, v) = pair.split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
    }
}

async fn send(
    method: &str,
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: String,
) -> Reply {
    let client = HttpClient::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = client
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .expect("HTTP request to the test server");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn req_get(base: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    send("GET", base, path, headers, String::new()).await
}

pub async fn req_post(base: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    send("POST", base, path, headers, body.to_owned()).await
}

pub async fn req_post_json(base: &str, path: &str, headers: &[(&str, &str)], body: Value) -> Reply {
    let mut h = headers.to_vec();
    h.push(("content-type", "application/json"));
    send("POST", base, path, &h, body.to_string()).await
}

/// A scripted Descope API that takes `delay` to answer each call.
#[derive(Debug, Clone)]
pub struct SlowTransport {
    pub inner: ScriptedTransport,
    pub delay: std::time::Duration,
}

#[async_trait::async_trait]
impl descope_transport::HttpTransport for SlowTransport {
    async fn send(
        &self,
        request: descope_transport::HttpRequest,
    ) -> Result<descope_transport::HttpResponse, descope_core::TransportError> {
        tokio::time::sleep(self.delay).await;
        self.inner.send(request).await
    }
}

/// Like [`scripted_client`], with every API call taking `delay`.
pub fn slow_client(delay: std::time::Duration) -> (descope::Client, ScriptedTransport) {
    let inner = ScriptedTransport::new();
    let client = descope::Client::builder_without_env()
        .project_id(PROJECT_ID)
        .public_key(JWKS)
        .base_url("https://api.descope.test")
        .transport(Arc::new(SlowTransport {
            inner: inner.clone(),
            delay,
        }))
        .build()
        .expect("client");
    (client, inner)
}
