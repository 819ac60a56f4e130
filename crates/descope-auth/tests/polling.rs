//! Enchanted-link polling, on tokio's paused clock: polls at the interval until the session
//! arrives, gives up at the deadline, stops on errors other than 401, honours `Retry-After` on
//! 429, and stops when dropped. Also: secrets never show in a request builder's `Debug`.

use std::error::Error as _;
use std::time::Duration;

use descope_auth::DeliveryMethod;
use descope_transport::test_util::ScriptedTransport;
use serde_json::json;
use tokio::time::Instant;

use crate::support::auth_over;

const FIXTURES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../conformance/python-2.16.1-fixtures.json"
));

fn session_body() -> serde_json::Value {
    let f: serde_json::Value = serde_json::from_str(FIXTURES).unwrap();
    json!({
        "sessionJwt": f["session_token"],
        "refreshJwt": f["refresh_token"],
        "user": {"userId": "U2oracleUser00000000000000001"},
        "firstSeen": false,
    })
}

fn pending(t: &ScriptedTransport) {
    t.push_json(
        401,
        json!({"errorCode": "E062503", "errorDescription": "Pending session"}),
    );
}

#[tokio::test(start_paused = true)]
async fn polling_waits_the_interval_between_polls_until_the_session_arrives() {
    let t = ScriptedTransport::new();
    pending(&t);
    pending(&t);
    t.push_json(200, session_body());
    let auth = auth_over(&t);
    let start = Instant::now();
    let jwt = auth
        .enchanted_link()
        .poll_for_session("pending-ref")
        .interval(Duration::from_secs(3))
        .await
        .expect("session");
    assert_eq!(jwt.user_id, "U2oracleUser00000000000000001");
    assert!(jwt.session_token().is_some());
    assert_eq!(t.request_count(), 3);
    assert_eq!(start.elapsed(), Duration::from_secs(6));
    for req in t.requests() {
        assert!(req.url.ends_with("/v1/auth/enchantedlink/pending-session"));
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body, json!({"pendingRef": "pending-ref"}));
    }
}

#[tokio::test(start_paused = true)]
async fn polling_gives_up_at_the_deadline_with_a_timeout_error() {
    let t = ScriptedTransport::new();
    pending(&t);
    let auth = auth_over(&t);
    let start = Instant::now();
    let err = auth
        .enchanted_link()
        .poll_for_session("pending-ref")
        .interval(Duration::from_secs(4))
        .timeout(Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("enchanted-link"), "{err}");
    // Polls at 0 s, 4 s, 8 s and a last one at the deadline.
    assert_eq!(t.request_count(), 4);
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    // The last "pending" answer is kept as the cause.
    let mut cause = err.source();
    let mut found_401 = false;
    while let Some(c) = cause {
        if let Some(e) = c.downcast_ref::<descope_core::Error>() {
            found_401 |= e.status() == Some(401);
        }
        cause = c.source();
    }
    assert!(found_401, "the 401 is not in the source chain: {err:?}");
}

#[tokio::test(start_paused = true)]
async fn polling_stops_at_once_on_an_error_other_than_401() {
    let t = ScriptedTransport::new();
    pending(&t);
    t.push_json(
        400,
        json!({"errorCode": "E062504", "errorDescription": "Pending session expired"}),
    );
    let auth = auth_over(&t);
    let err = auth
        .enchanted_link()
        .poll_for_session("pending-ref")
        .interval(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("E062504"));
    assert_eq!(t.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn polling_waits_as_long_as_retry_after_asks_on_429() {
    let t = ScriptedTransport::new();
    t.push_response(
        429,
        &[("Retry-After", "7")],
        json!({"errorCode": "E130429"}).to_string(),
    );
    t.push_json(200, session_body());
    let auth = auth_over(&t);
    let start = Instant::now();
    auth.enchanted_link()
        .poll_for_session("pending-ref")
        .interval(Duration::from_secs(2))
        .await
        .expect("session after the rate limit");
    assert_eq!(t.request_count(), 2);
    assert_eq!(start.elapsed(), Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn polling_returns_the_rate_limit_error_when_retry_after_passes_the_deadline() {
    let t = ScriptedTransport::new();
    t.push_response(429, &[("Retry-After", "600")], "{}");
    let auth = auth_over(&t);
    let start = Instant::now();
    let err = auth
        .enchanted_link()
        .poll_for_session("pending-ref")
        .timeout(Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(600)));
    assert_eq!(t.request_count(), 1);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_polling_future_stops_polling() {
    let t = ScriptedTransport::new();
    pending(&t);
    let auth = auth_over(&t);
    let poll = auth
        .enchanted_link()
        .poll_for_session("pending-ref")
        .interval(Duration::from_secs(4));
    let res = tokio::time::timeout(Duration::from_secs(5), poll).await;
    assert!(res.is_err(), "the timeout fired first");
    assert_eq!(t.request_count(), 2, "polled at 0 s and 4 s");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(t.request_count(), 2, "no poll after the future was dropped");
}

#[tokio::test(start_paused = true)]
async fn an_empty_pending_reference_is_refused_before_polling() {
    let t = ScriptedTransport::new();
    let auth = auth_over(&t);
    let err = auth
        .enchanted_link()
        .poll_for_session("")
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument());
    let err = auth.enchanted_link().get_session("").await.unwrap_err();
    assert!(err.is_invalid_argument());
    assert_eq!(t.request_count(), 0);
}

#[test]
fn codes_passwords_and_refresh_tokens_never_show_in_debug() {
    let t = ScriptedTransport::new();
    let auth = auth_over(&t);
    let shown = [
        format!(
            "{:?}",
            auth.otp()
                .verify_code(DeliveryMethod::Sms, "+12125551234", "913377")
        ),
        format!("{:?}", auth.password().sign_in("d@x.com", "hunter2-pw")),
        format!(
            "{:?}",
            auth.password().replace("d@x.com", "hunter2-pw", "n3w-pw")
        ),
        format!(
            "{:?}",
            auth.otp()
                .sign_in(DeliveryMethod::Email, "d@x.com")
                .refresh_token("rt-secret-value")
        ),
        format!("{:?}", auth.totp().sign_in_code("d@x.com", "913377")),
        format!("{:?}", auth.magic_link().verify("link-token-secret")),
        format!(
            "{:?}",
            auth.enchanted_link().poll_for_session("pending-secret")
        ),
        format!("{:?}", auth.oauth().exchange_token("oauth-code-secret")),
    ];
    for s in shown {
        for secret in [
            "913377",
            "hunter2",
            "n3w-pw",
            "rt-secret",
            "link-token-secret",
            "pending-secret",
            "oauth-code-secret",
        ] {
            assert!(!s.contains(secret), "{secret} leaked in {s}");
        }
    }
}
