//! The layer's overhead over a bare handler, in process (no sockets: the router is called as a
//! tower service, so only the layer's own work differs between the cases).
//!
//! ```text
//! cargo bench -p descope-axum --bench layer
//! ```

use std::time::Duration;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use descope_axum::{require_roles, DescopeLayer, DescopeSession, MaybeSession};
use http::{Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

#[path = "../tests/http/support.rs"]
#[allow(unused_imports)]
mod support;

async fn bare() -> &'static str {
    "ok"
}

async fn public(MaybeSession(s): MaybeSession) -> &'static str {
    if s.is_some() {
        "hello user"
    } else {
        "hello"
    }
}

async fn protected(s: DescopeSession) -> &'static str {
    if s.user_id().is_empty() {
        "?"
    } else {
        "ok"
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (client, transport) = support::scripted_client();
    let token = support::session_token("U1", json!({"roles": ["admin"]}), 3600);
    let bearer = format!("Bearer {token}");
    let cookie = format!("theme=dark; DS={token}");

    let bare_app: Router = Router::new().route("/", get(bare));
    let layered = Router::new()
        .route("/public", get(public))
        .route("/me", get(protected))
        .route(
            "/admin",
            get(protected).route_layer(require_roles(["admin"])),
        )
        .layer(DescopeLayer::new(client));

    let run = |app: &Router, path: &str, header: Option<(&str, &str)>| {
        let mut req = Request::get(path);
        if let Some((k, v)) = header {
            req = req.header(k, v);
        }
        let req = req.body(Body::empty()).expect("request");
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await.expect("infallible");
            assert_eq!(res.status(), StatusCode::OK);
        }
    };

    let mut g = c.benchmark_group("layer");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(30);
    g.bench_function("bare handler, no layer", |b| {
        b.to_async(&rt).iter(|| run(&bare_app, "/", None))
    });
    g.bench_function("layer, public page, no token", |b| {
        b.to_async(&rt).iter(|| run(&layered, "/public", None))
    });
    g.bench_function("layer, session by Bearer header", |b| {
        b.to_async(&rt)
            .iter(|| run(&layered, "/me", Some(("authorization", &bearer))))
    });
    g.bench_function("layer, session by DS cookie", |b| {
        b.to_async(&rt)
            .iter(|| run(&layered, "/me", Some(("cookie", &cookie))))
    });
    g.bench_function("layer + require_roles guard", |b| {
        b.to_async(&rt)
            .iter(|| run(&layered, "/admin", Some(("authorization", &bearer))))
    });
    g.finish();
    assert_eq!(
        transport.request_count(),
        0,
        "a valid session must never reach the network"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
