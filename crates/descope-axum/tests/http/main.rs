//! The layer, the extractors and the guards over real HTTP on 127.0.0.1.
//!
//! Tokens are signed here with the conformance test key `oracle-rsa-1`, pinned on the client,
//! so validation needs no network; the Descope API behind refresh and logout is a scripted
//! transport that records what the SDK sent. The end-to-end tests against the emulator live in
//! the `emulator` module.

mod emulator;
mod support;

use axum::routing::get;
use axum::{Json, Router};
use descope_axum::{
    require, require_permissions, require_roles, require_session, require_tenant_permissions,
    require_tenant_permissions_in_path, require_tenant_roles, require_tenant_roles_in_path,
    DescopeLayer, DescopeSession, MaybeSession, RejectionKind,
};
use http::StatusCode;
use serde_json::{json, Value};

use support::*;

async fn public(MaybeSession(s): MaybeSession) -> String {
    match s {
        Some(s) => format!("hello {}", s.user_id()),
        None => "hello stranger".to_owned(),
    }
}

async fn optional(s: Option<DescopeSession>) -> String {
    s.map(|s| s.user_id().to_owned()).unwrap_or_default()
}

async fn me(s: DescopeSession) -> impl axum::response::IntoResponse {
    // An app page that says it may be cached publicly.
    (
        [("cache-control", "public, max-age=600")],
        Json(json!({"userId": s.user_id(), "roles": s.roles()})),
    )
}

fn app(layer: DescopeLayer) -> Router {
    Router::new()
        .route("/public", get(public))
        .route("/optional", get(optional))
        .route("/me", get(me))
        .route("/admin", get(me).route_layer(require_roles(["admin"])))
        .route(
            "/perm",
            get(me).route_layer(require_permissions(["reports.read"])),
        )
        .route(
            "/t1/reports",
            get(me).route_layer(require_tenant_permissions("t1", ["reports.read"])),
        )
        .route(
            "/t1/edit",
            get(me).route_layer(require_tenant_roles("t1", ["editor"])),
        )
        .route(
            "/tenants/{tenant}/reports",
            get(me).route_layer(require_tenant_permissions_in_path(
                "tenant",
                ["reports.read"],
            )),
        )
        .route(
            "/tenants/{tenant}/settings",
            get(me).route_layer(require_tenant_roles_in_path("tenant", ["owner"])),
        )
        .route(
            "/misconfigured/{id}",
            get(me).route_layer(require_tenant_roles_in_path("tenant", ["owner"])),
        )
        .route(
            "/selected",
            get(me).route_layer(require(|s| s.selected_tenant() == Some("t1"))),
        )
        .layer(layer)
}

#[tokio::test]
async fn no_token_gives_401_with_a_json_body_and_public_pages_still_answer() {
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;

    let r = req_get(&base, "/me", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "unauthorized");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));

    let r = req_get(&base, "/admin", &[]).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a guard without a session says 401, not 403"
    );

    let r = req_get(&base, "/public", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "hello stranger");
    let r = req_get(&base, "/optional", &[]).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(transport.request_count(), 0);
}

#[tokio::test]
async fn a_valid_session_reaches_the_handler_by_header_or_cookie_without_any_network_call() {
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let token = session_token("U1", json!({"roles": ["viewer"]}), 600);

    let by_header = req_get(
        &base,
        "/me",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(by_header.status, StatusCode::OK, "{}", by_header.body);
    assert_eq!(
        by_header.json(),
        json!({"userId": "U1", "roles": ["viewer"]})
    );

    let by_cookie = req_get(&base, "/me", &[("cookie", &format!("other=1; DS={token}"))]).await;
    assert_eq!(by_cookie.status, StatusCode::OK);
    assert_eq!(by_cookie.json()["userId"], "U1");
    assert!(
        by_cookie.set_cookies().is_empty(),
        "a valid session sets no cookie"
    );
    assert_eq!(
        by_cookie.header("cache-control"),
        Some("public, max-age=600"),
        "without cookies to set, the app's headers are left alone"
    );

    let r = req_get(&base, "/public", &[("cookie", &format!("DS={token}"))]).await;
    assert_eq!(r.body, "hello U1");
    let r = req_get(&base, "/optional", &[("cookie", &format!("DS={token}"))]).await;
    assert_eq!(r.body, "U1");

    assert_eq!(
        transport.request_count(),
        0,
        "a valid session must be checked with the pinned/cached keys only"
    );
}

#[tokio::test]
async fn a_bad_signature_or_foreign_project_is_401_invalid() {
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let token = session_token("U1", json!({}), 600);
    // Flip one character of the signature.
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let r = req_get(
        &base,
        "/me",
        &[("authorization", &format!("Bearer {forged}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["message"].as_str().unwrap().contains("not valid"));

    let other = sign(json!({"sub": "U1", "iss": "OtherProject", "exp": now() + 600, "drn": "DS"}));
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={other}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_session_with_a_valid_refresh_token_is_renewed_and_new_cookies_are_set() {
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let expired = session_token("U1", json!({"roles": ["viewer"]}), -600);
    let refresh = refresh_token("U1", 3600);
    let renewed = session_token("U1", json!({"roles": ["viewer", "admin"]}), 600);
    transport.push_json(200, json!({"sessionJwt": renewed, "cookieMaxAge": 1234}));

    let r = req_get(
        &base,
        "/admin",
        &[("cookie", &format!("DS={expired}; DSR={refresh}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["roles"],
        json!(["viewer", "admin"]),
        "the handler sees the renewed session"
    );

    let cookies = r.set_cookies();
    assert_eq!(
        cookies.len(),
        1,
        "only DS changes when the refresh token was not rotated: {cookies:?}"
    );
    let ds = &cookies[0];
    assert!(ds.starts_with(&format!("DS={renewed};")), "{ds}");
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=1234",
    ] {
        assert!(ds.contains(attr), "{attr} missing in {ds}");
    }
    assert_eq!(
        r.header("cache-control"),
        Some("private, no-store"),
        "a response that sets a session must not be stored by a shared cache"
    );

    let sent = transport.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].url.ends_with("/v1/auth/refresh"), "{}", sent[0].url);
    assert_eq!(
        sent[0].headers["authorization"].to_str().unwrap(),
        format!("Bearer {PROJECT_ID}:{refresh}")
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_written_back_with_the_api_cookie_domain() {
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let refresh = refresh_token("U1", 3600);
    let rotated = refresh_token("U1", 7200);
    let renewed = session_token("U1", json!({}), 600);
    transport.push_json(
        200,
        json!({"sessionJwt": renewed, "refreshJwt": rotated, "cookieDomain": "example.com"}),
    );
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookies = r.set_cookies();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies[0].starts_with(&format!("DS={renewed};")));
    assert!(cookies[1].starts_with(&format!("DSR={rotated};")));
    assert!(
        cookies.iter().all(|c| c.contains("Domain=example.com")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn a_refresh_token_alone_is_never_a_session_unless_the_refresh_succeeds() {
    // 1. The refresh is refused by the API: 401, and both cookies are deleted.
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let refresh = refresh_token("U1", 3600);
    transport.push_json(
        401,
        json!({"errorCode": "E061005", "errorDescription": "Refresh token revoked"}),
    );
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let cleared = r.set_cookies();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("DS=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("DSR=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    let r = req_get(&base, "/public", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(
        r.body, "hello stranger",
        "a public page does not see a session either"
    );

    // 2. The API answers without a session token: still no session.
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    transport.push_json(200, json!({}));
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // 3. The refresh token sent as if it were the session token: not a session.
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let r = req_get(
        &base,
        "/me",
        &[("authorization", &format!("Bearer {refresh}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(transport.request_count(), 0);

    // 4. An expired refresh token is refused locally, with no call to the API.
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let stale = refresh_token("U1", -60);
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={stale}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(transport.request_count(), 0);

    // 5. And when the refresh succeeds, the same request is served.
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    transport.push_json(
        200,
        json!({"sessionJwt": session_token("U1", json!({}), 600)}),
    );
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["userId"], "U1");
}

#[tokio::test]
async fn an_unreachable_api_during_refresh_is_401_but_keeps_the_cookies() {
    let (client, transport) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    transport.push_json(503, json!({"errorDescription": "down"}));
    let refresh = refresh_token("U1", 3600);
    let r = req_get(&base, "/me", &[("cookie", &format!("DSR={refresh}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.set_cookies().is_empty(),
        "the refresh token may work again: keep it"
    );
}

#[tokio::test]
async fn a_missing_role_or_permission_gives_403() {
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let viewer = session_token(
        "U1",
        json!({"roles": ["viewer"], "permissions": ["x"]}),
        600,
    );
    let admin = session_token(
        "U2",
        json!({"roles": ["admin"], "permissions": ["reports.read"]}),
        600,
    );

    let r = req_get(&base, "/admin", &[("cookie", &format!("DS={viewer}"))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    let r = req_get(&base, "/perm", &[("cookie", &format!("DS={viewer}"))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = req_get(&base, "/admin", &[("cookie", &format!("DS={admin}"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["userId"], "U2");
    let r = req_get(&base, "/perm", &[("cookie", &format!("DS={admin}"))]).await;
    assert_eq!(r.status, StatusCode::OK);

    // A role held only in a tenant does not satisfy a project-level guard.
    let tenant_admin = session_token("U3", json!({"tenants": {"t1": {"roles": ["admin"]}}}), 600);
    let r = req_get(
        &base,
        "/admin",
        &[("cookie", &format!("DS={tenant_admin}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tenant_guards_check_the_named_tenant_and_only_it() {
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let cases = [
        // (claims, /t1/reports, /t1/edit)
        (
            json!({"tenants": {"t1": {"permissions": ["reports.read"], "roles": ["editor"]}}}),
            StatusCode::OK,
            StatusCode::OK,
        ),
        // Right permission, wrong tenant.
        (
            json!({"tenants": {"t2": {"permissions": ["reports.read"], "roles": ["editor"]}}}),
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        // Project-level grants do not count in a tenant.
        (
            json!({"permissions": ["reports.read"], "roles": ["editor"]}),
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        // The tenant, without the permission but with the role.
        (
            json!({"tenants": {"t1": {"permissions": ["other"], "roles": ["editor"]}}}),
            StatusCode::FORBIDDEN,
            StatusCode::OK,
        ),
        // The selected tenant (dct) alone grants nothing.
        (
            json!({"dct": "t1", "tenants": {}}),
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
    ];
    for (claims, reports, edit) in cases {
        let t = session_token("U1", claims.clone(), 600);
        let cookie = format!("DS={t}");
        let r = req_get(&base, "/t1/reports", &[("cookie", &cookie)]).await;
        assert_eq!(r.status, reports, "/t1/reports with {claims}");
        let r = req_get(&base, "/t1/edit", &[("cookie", &cookie)]).await;
        assert_eq!(r.status, edit, "/t1/edit with {claims}");
    }
    let t = session_token("U1", json!({"dct": "t1"}), 600);
    let r = req_get(&base, "/selected", &[("cookie", &format!("DS={t}"))]).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a custom rule sees the selected tenant"
    );
}

#[tokio::test]
async fn a_custom_rejection_answers_for_the_layer_the_extractor_and_the_guards() {
    let (client, _t) = scripted_client();
    let layer = DescopeLayer::new(client).on_rejection(|r| {
        let code = match r.kind {
            RejectionKind::Forbidden => StatusCode::IM_A_TEAPOT,
            _ => StatusCode::SEE_OTHER,
        };
        axum::response::IntoResponse::into_response((code, [("location", "/sign-in")], "custom"))
    });
    let base = serve(app(layer)).await;
    let r = req_get(&base, "/me", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/sign-in"));
    let viewer = session_token("U1", json!({}), 600);
    let r = req_get(&base, "/admin", &[("cookie", &format!("DS={viewer}"))]).await;
    assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(r.body, "custom");
}

#[tokio::test]
async fn an_extractor_or_guard_without_the_layer_answers_500_naming_the_mistake() {
    let app: Router = Router::new().route("/me", get(me)).route(
        "/guarded",
        get(|| async { "x" }).route_layer(require_session()),
    );
    let base = serve(app).await;
    for path in ["/me", "/guarded"] {
        let r = req_get(&base, path, &[]).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(r.body.contains("DescopeLayer"), "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn require_session_on_the_layer_protects_a_plain_tower_service() {
    let (client, _t) = scripted_client();
    let layer = DescopeLayer::new(client).require_session();
    // Not an axum handler: a bare service, as tonic or hyper would run.
    let svc = tower::ServiceBuilder::new().layer(layer).service_fn(
        |req: http::Request<axum::body::Body>| async move {
            let user = descope_axum::session(req.extensions())
                .map(|s| s.user_id().to_owned())
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>(http::Response::new(axum::body::Body::from(format!(
                "inner ran for {user}"
            ))))
        },
    );
    let base = serve_service(svc).await;
    let r = req_get(&base, "/anything", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let t = session_token("U1", json!({}), 600);
    let r = req_get(
        &base,
        "/anything",
        &[("authorization", &format!("Bearer {t}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "inner ran for U1");
}

#[tokio::test]
async fn an_audience_setting_refuses_tokens_for_another_audience() {
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client).audience("my-api"))).await;
    let ok = session_token("U1", json!({"aud": ["my-api"]}), 600);
    let other = session_token("U1", json!({"aud": "other-api"}), 600);
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={ok}"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={other}"))]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_clears_both_cookies() {
    let (client, transport) = scripted_client();
    let app: Router = Router::new().nest("/auth", descope_axum::auth_routes(client));
    let base = serve(app).await;
    transport.push_json(200, json!({}));
    let refresh = refresh_token("U1", 3600);
    let r = req_post(
        &base,
        "/auth/logout",
        &[("cookie", &format!("DSR={refresh}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
    let cookies = r.set_cookies();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("DS=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("DSR=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    let sent = transport.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].url.ends_with("/v1/auth/logout"), "{}", sent[0].url);
    assert_eq!(
        sent[0].headers["authorization"].to_str().unwrap(),
        format!("Bearer {PROJECT_ID}:{refresh}")
    );
}

#[tokio::test]
async fn concurrent_requests_with_one_refresh_token_share_one_renewal() {
    let (client, transport) = slow_client(std::time::Duration::from_millis(300));
    let base = serve(app(DescopeLayer::new(client))).await;
    let expired = session_token("U1", json!({}), -600);
    let refresh = refresh_token("U1", 3600);
    let renewed = session_token("U1", json!({}), 600);
    transport.push_json(200, json!({"sessionJwt": renewed}));
    let cookie = format!("DS={expired}; DSR={refresh}");
    let requests = (0..6).map(|_| {
        let (base, cookie) = (base.clone(), cookie.clone());
        tokio::spawn(async move { req_get(&base, "/me", &[("cookie", &cookie)]).await })
    });
    let replies: Vec<Reply> = futures_join(requests).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.cookie("DS").as_deref(),
            Some(renewed.as_str()),
            "every response carries the new session"
        );
    }
    assert_eq!(
        transport.request_count(),
        1,
        "one renewal for six simultaneous requests"
    );

    // Nothing is remembered once the renewal is over: a later request renews again.
    let r = req_get(&base, "/me", &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(transport.request_count(), 2);
}

async fn futures_join(handles: impl Iterator<Item = tokio::task::JoinHandle<Reply>>) -> Vec<Reply> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("request task"));
    }
    out
}

#[tokio::test]
async fn oauth_routes_redirect_to_the_provider_and_sign_in_on_the_callback() {
    let (client, transport) = scripted_client();
    let routes = descope_axum::AuthRoutes::new(client)
        .oauth_return_url("https://app.example.com/auth/oauth/callback")
        .after_sign_in("/welcome");
    let app: Router = Router::new().nest("/auth", routes.into_router());
    let base = serve(app).await;

    // The scripted API answers these in order (the last one repeats).
    let session = session_token("U9", json!({}), 600);
    let refresh = refresh_token("U9", 3600);
    transport.push_json(
        200,
        json!({"url": "https://accounts.example.com/authorize?x=1"}),
    );
    transport.push_json(200, json!({"sessionJwt": session, "refreshJwt": refresh}));
    transport.push_json(
        401,
        json!({"errorCode": "E061102", "errorDescription": "bad code"}),
    );
    transport.push_json(200, json!({}));

    let r = req_get(&base, "/auth/oauth/start?provider=google", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("https://accounts.example.com/authorize?x=1")
    );
    let sent = transport.requests();
    assert!(
        sent[0].url.contains("/v1/auth/oauth/authorize?"),
        "{}",
        sent[0].url
    );
    assert!(sent[0].url.contains("provider=google"), "{}", sent[0].url);
    assert!(
        sent[0]
            .url
            .contains("redirectURL=https%3A%2F%2Fapp.example.com%2Fauth%2Foauth%2Fcallback"),
        "the configured return URL is sent: {}",
        sent[0].url
    );

    let r = req_get(&base, "/auth/oauth/callback?code=abc", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), Some("/welcome"));
    assert_eq!(r.cookie("DS").as_deref(), Some(session.as_str()));
    assert_eq!(r.cookie("DSR").as_deref(), Some(refresh.as_str()));
    let sent = transport.requests();
    assert!(
        sent[1].url.ends_with("/v1/auth/oauth/exchange"),
        "{}",
        sent[1].url
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&sent[1].body).unwrap(),
        json!({"code": "abc"})
    );

    // A refused code answers 401 and sets nothing.
    let r = req_get(&base, "/auth/oauth/callback?code=zzz", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.set_cookies().is_empty());

    // An answer without any token is not a sign-in.
    let r = req_get(&base, "/auth/oauth/callback?code=yyy", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert!(r.set_cookies().is_empty());
}

#[tokio::test]
async fn sign_in_routes_refuse_bad_input_before_calling_descope() {
    let (client, transport) = scripted_client();
    let app: Router = Router::new().nest("/auth", descope_axum::auth_routes(client));
    let base = serve(app).await;
    let r = req_post_json(
        &base,
        "/auth/otp/start",
        &[],
        json!({"method": "pigeon", "loginId": "a@b.c"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("pigeon"));
    let r = req_post_json(
        &base,
        "/auth/otp/start",
        &[],
        json!({"method": "email", "loginId": ""}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // No magic-link URL configured: a server-side mistake, said plainly.
    let r = req_post_json(
        &base,
        "/auth/magic-link/start",
        &[],
        json!({"loginId": "a@b.c"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("magic_link_url"));
    // A form post (not JSON) is refused: another site cannot submit it.
    let r = req_post(
        &base,
        "/auth/otp/verify",
        &[("content-type", "application/x-www-form-urlencoded")],
        "method=email&loginId=a%40b.c&code=123456",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(transport.request_count(), 0);
}

#[tokio::test]
async fn path_tenant_guards_check_the_tenant_the_url_names() {
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client))).await;
    let t = session_token(
        "U1",
        json!({
            "permissions": ["reports.read"],
            "tenants": {
                "t1": {"permissions": ["reports.read"], "roles": ["owner"]},
                "t2": {"permissions": [], "roles": []}
            }
        }),
        600,
    );
    let cookie = format!("DS={t}");
    let h = [("cookie", cookie.as_str())];
    let cases = [
        ("/tenants/t1/reports", StatusCode::OK),
        ("/tenants/t1/settings", StatusCode::OK),
        ("/tenants/t2/reports", StatusCode::FORBIDDEN),
        ("/tenants/t2/settings", StatusCode::FORBIDDEN),
        ("/tenants/t3/reports", StatusCode::FORBIDDEN),
        // Percent-encoded, still one tenant ID, still not t1.
        ("/tenants/t1%2Fx/reports", StatusCode::FORBIDDEN),
    ];
    for (path, status) in cases {
        let r = req_get(&base, path, &h).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
    }
    let r = req_get(&base, "/tenants/t1/reports", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = req_get(&base, "/misconfigured/t1", &h).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body.contains("{tenant}"), "{}", r.body);
}

#[tokio::test]
async fn layer_options_turn_off_the_header_and_renewal_and_rename_the_cookies() {
    let token = session_token("U1", json!({}), 600);
    let expired = session_token("U1", json!({}), -600);
    let refresh = refresh_token("U1", 3600);

    // Cookie-only: a Bearer header is ignored.
    let (client, _t) = scripted_client();
    let base = serve(app(DescopeLayer::new(client).bearer_header(false))).await;
    let r = req_get(
        &base,
        "/me",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={token}"))]).await;
    assert_eq!(r.status, StatusCode::OK);

    // No renewal: an expired session with a refresh cookie stays out, and Descope is not called.
    let (client, transport) = scripted_client();
    transport.push_json(200, json!({"sessionJwt": token}));
    let base = serve(app(DescopeLayer::new(client).refresh(false))).await;
    let r = req_get(
        &base,
        "/me",
        &[("cookie", &format!("DS={expired}; DSR={refresh}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(transport.request_count(), 0);

    // Renamed cookies are read and written under their new names, with the given attributes.
    let (client, transport) = scripted_client();
    transport.push_json(200, json!({"sessionJwt": token}));
    let cookies = descope_axum::CookieOptions::new()
        .session_name("sid")
        .refresh_name("rid")
        .same_site(descope_axum::SameSite::Strict)
        .domain("example.org")
        .path("/app")
        .secure(false);
    let base = serve(app(DescopeLayer::new(client).cookies(cookies))).await;
    let r = req_get(&base, "/me", &[("cookie", &format!("DS={token}"))]).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "DS is not the session cookie any more"
    );
    let r = req_get(
        &base,
        "/me",
        &[("cookie", &format!("sid={expired}; rid={refresh}"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let set = r.set_cookies();
    assert_eq!(set.len(), 1, "{set:?}");
    let sid = &set[0];
    assert!(sid.starts_with(&format!("sid={token};")), "{sid}");
    for attr in [
        "SameSite=Strict",
        "Domain=example.org",
        "Path=/app",
        "HttpOnly",
    ] {
        assert!(sid.contains(attr), "{attr} missing in {sid}");
    }
    assert!(!sid.contains("Secure"), "{sid}");
}

#[tokio::test]
async fn debug_output_of_the_session_and_the_layer_shows_no_token() {
    let (client, _t) = scripted_client();
    let layer = DescopeLayer::new(client);
    let layer_debug = format!("{layer:?}");
    let app: Router = Router::new()
        .route(
            "/debug",
            get(|s: DescopeSession| async move { format!("{s:?}") }),
        )
        .layer(layer);
    let base = serve(app).await;
    let token = session_token("U1", json!({"roles": ["admin"]}), 600);
    let r = req_get(&base, "/debug", &[("cookie", &format!("DS={token}"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("U1") && r.body.contains("admin"),
        "{}",
        r.body
    );
    let signature = token.rsplit('.').next().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    assert!(
        !r.body.contains(signature) && !r.body.contains(payload),
        "{}",
        r.body
    );
    assert!(layer_debug.contains(PROJECT_ID), "{layer_debug}");
}

#[tokio::test]
async fn sign_in_routes_validate_new_tokens_with_the_configured_audience() {
    // In a project that sets an audience, both tokens carry it.
    let session = session_token("U1", json!({"aud": "my-api"}), 600);
    let refresh = refresh_token_with("U1", json!({"aud": "my-api"}), 3600);
    let body = json!({"method": "email", "loginId": "a@example.com", "code": "123456"});

    // Without the audience, a token for "my-api" is not accepted as this app's session.
    let (client, transport) = scripted_client();
    transport.push_json(200, json!({"sessionJwt": session, "refreshJwt": refresh}));
    let app: Router = Router::new().nest("/auth", descope_axum::auth_routes(client));
    let base = serve(app).await;
    let r = req_post_json(&base, "/auth/otp/verify", &[], body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.set_cookies().is_empty());

    // With it, the sign-in succeeds and the code went to Descope as sent.
    let (client, transport) = scripted_client();
    transport.push_json(200, json!({"sessionJwt": session, "refreshJwt": refresh}));
    let routes = descope_axum::AuthRoutes::new(client).audience("my-api");
    let app: Router = Router::new().nest("/auth", routes.into_router());
    let base = serve(app).await;
    let r = req_post_json(&base, "/auth/otp/verify", &[], body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["userId"], "U1");
    assert_eq!(r.cookie("DS").as_deref(), Some(session.as_str()));
    let sent = transport.requests();
    assert!(
        sent[0].url.ends_with("/v1/auth/otp/verify/email"),
        "{}",
        sent[0].url
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&sent[0].body).unwrap(),
        json!({"loginId": "a@example.com", "code": "123456"})
    );
}
