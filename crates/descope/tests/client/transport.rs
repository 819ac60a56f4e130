//! The default transport over real sockets on 127.0.0.1.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use descope::{endpoints, Client, RetryPolicy, TransportErrorKind};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::common::PID;

type Handler = Arc<dyn Fn(&Request<Incoming>) -> Response<Full<Bytes>> + Send + Sync>;

/// Serves `handler` over plain HTTP/1.1 and HTTP/2 (auto) on 127.0.0.1; returns the port.
async fn serve(handler: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let resp = handler(&req);
                    async move { Ok::<_, Infallible>(resp) }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                match tls {
                    Some(cfg) => {
                        let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
                        if let Ok(s) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(s), svc).await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    });
    port
}

fn json_ok(body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

struct TestCert {
    pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn test_cert() -> TestCert {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_der: CertificateDer<'static> = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert_der], key)
    .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TestCert {
        pem: ck.cert.pem(),
        server: Arc::new(server),
    }
}

fn version_echo() -> Handler {
    Arc::new(|req: &Request<Incoming>| json_ok(&format!("{{\"version\":\"{:?}\"}}", req.version())))
}

#[tokio::test]
async fn tls_to_127_0_0_1_works_with_the_extra_ca_and_negotiates_http2() {
    let cert = test_cert();
    let port = serve(version_echo(), Some(cert.server.clone())).await;
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("https://localhost:{port}"))
        .add_ca_pem(cert.pem.clone())
        .build()
        .unwrap();
    let v: Value = client
        .api()
        .request(&endpoints::JWKS)
        .send_json()
        .await
        .unwrap();
    assert_eq!(v["version"], "HTTP/2.0", "ALPN should pick h2");
}

#[tokio::test]
async fn tls_to_an_untrusted_certificate_is_refused_as_a_tls_error() {
    let cert = test_cert();
    let port = serve(version_echo(), Some(cert.server.clone())).await;
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("https://localhost:{port}"))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let e = client
        .api()
        .request(&endpoints::JWKS)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_transport(), "{e:?}");
    assert_eq!(e.transport_kind(), Some(TransportErrorKind::Tls), "{e:?}");
    assert!(!e.may_have_been_sent());
}

#[tokio::test]
async fn danger_accept_invalid_certs_accepts_an_untrusted_certificate() {
    let cert = test_cert();
    let port = serve(version_echo(), Some(cert.server.clone())).await;
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("https://localhost:{port}"))
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    client.api().request(&endpoints::JWKS).send().await.unwrap();
}

#[tokio::test]
async fn an_invalid_extra_ca_is_a_config_error() {
    let e = Client::builder_without_env()
        .project_id(PID)
        .add_ca_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(e.is_config(), "{e:?}");
}

#[tokio::test]
async fn request_timeout_fires_when_the_server_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s); // accept, read nothing, never answer
        }
    });
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .request_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let e = client
        .api()
        .request(&endpoints::JWKS)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(e.may_have_been_sent());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_response_over_the_size_cap_is_refused_cleanly() {
    let big = "x".repeat(64 * 1024);
    let handler: Handler = Arc::new(move |_req: &Request<Incoming>| json_ok(&big));
    let port = serve(handler, None).await;
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .max_response_bytes(1024)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let e = client
        .api()
        .request(&endpoints::JWKS)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.transport_kind(),
        Some(TransportErrorKind::BodyTooLarge),
        "{e:?}"
    );
    // The same client still works for a small answer.
    let small = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    assert_eq!(
        small
            .api()
            .request(&endpoints::JWKS)
            .send()
            .await
            .unwrap()
            .body
            .len(),
        64 * 1024
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_that_was_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let e = client
        .api()
        .request(&endpoints::REFRESH)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.transport_kind(),
        Some(TransportErrorKind::Connect),
        "{e:?}"
    );
    assert!(!e.may_have_been_sent());
}

#[tokio::test]
async fn one_client_reuses_its_pooled_connection() {
    let conns = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let c2 = conns.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            c2.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let svc = service_fn(|_req: Request<Incoming>| async {
                    Ok::<_, Infallible>(json_ok("{}"))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let client = Client::builder_without_env()
        .project_id(PID)
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    for _ in 0..5 {
        client.api().request(&endpoints::JWKS).send().await.unwrap();
    }
    assert_eq!(conns.load(Ordering::SeqCst), 1);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_without_the_opt_in() {
    let e = Client::builder_without_env()
        .project_id(PID)
        .base_url("http://api.descope.example")
        .build()
        .unwrap_err();
    assert!(e.is_config());
    assert!(Client::builder_without_env()
        .project_id(PID)
        .base_url("http://api.descope.example")
        .allow_insecure_http(true)
        .build()
        .is_ok());
}
