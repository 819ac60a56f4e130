use std::time::Duration;

use descope::endpoints;
use descope::{Client, ErrorKind, RetryPolicy, TransportErrorKind};
use descope_transport::test_util::ScriptedTransport;
use descope_transport::TransportError;
use serde_json::{json, Value};

use crate::common::*;

fn client(t: &ScriptedTransport, s: &RecordingSleep) -> Client {
    builder(t, s).management_key(MGMT_KEY).build().unwrap()
}

#[tokio::test]
async fn authorization_header_follows_each_official_form() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let plain = builder(&t, &s).build().unwrap();
    let amk = builder(&t, &s).auth_management_key("AMK").build().unwrap();
    let mk = client(&t, &s);

    plain
        .api()
        .request(&endpoints::JWKS)
        .path(format!("/v2/keys/{PID}"))
        .send()
        .await
        .unwrap();
    amk.api().request(&endpoints::JWKS).send().await.unwrap();
    plain
        .api()
        .request(&endpoints::REFRESH)
        .token("RT")
        .send()
        .await
        .unwrap();
    amk.api()
        .request(&endpoints::REFRESH)
        .token("RT")
        .send()
        .await
        .unwrap();
    plain
        .api()
        .request(&endpoints::REFRESH)
        .token("")
        .send()
        .await
        .unwrap();
    mk.api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap();
    amk.api()
        .request(&endpoints::ACCESS_KEY_EXCHANGE)
        .token("AK")
        .send()
        .await
        .unwrap();
    // A management key is never appended to auth calls.
    mk.api()
        .request(&endpoints::REFRESH)
        .token("RT")
        .send()
        .await
        .unwrap();

    let got: Vec<String> = t
        .requests()
        .iter()
        .map(|r| header(r, "authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        got,
        vec![
            format!("Bearer {PID}"),
            format!("Bearer {PID}:AMK"),
            format!("Bearer {PID}:RT"),
            format!("Bearer {PID}:RT:AMK"),
            format!("Bearer {PID}"),
            format!("Bearer {PID}:{MGMT_KEY}"),
            format!("Bearer {PID}:AK:AMK"),
            format!("Bearer {PID}:RT"),
        ]
    );
}

#[tokio::test]
async fn every_request_carries_the_sdk_headers_and_json_content_type() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"ok": true}));
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .default_header("x-custom", "yes")
        .build()
        .unwrap();
    let v: Value = c
        .api()
        .request(&endpoints::ME_TENANTS)
        .token("RT")
        .json(&json!({"dct": true}))
        .send_json()
        .await
        .unwrap();
    assert_eq!(v, json!({"ok": true}));
    let r = &t.requests()[0];
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(r.url, "http://127.0.0.1:9/v1/auth/me/tenants");
    assert_eq!(header(r, "x-descope-sdk-name"), Some("rust"));
    assert_eq!(
        header(r, "x-descope-sdk-version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(header(r, "x-descope-project-id"), Some(PID));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(header(r, "x-custom"), Some("yes"));
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap(),
        json!({"dct": true})
    );
}

#[tokio::test]
async fn query_parameters_are_form_encoded() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    c.api()
        .request(&endpoints::MGMT_USER_LOAD)
        .query("loginId", "desmond@descope.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        t.requests()[0].url,
        "http://127.0.0.1:9/v1/mgmt/user?loginId=desmond%40descope.com"
    );
}

#[tokio::test]
async fn management_call_without_a_key_fails_before_sending() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = builder(&t, &s).build().unwrap();
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_config(), "{e:?}");
    assert!(e.to_string().contains("DESCOPE_MANAGEMENT_KEY"));
    assert!(!e.may_have_been_sent());
    assert_eq!(t.request_count(), 0);
}

#[tokio::test]
async fn each_retryable_status_is_retried_then_succeeds() {
    for status in [503u16, 520, 521, 522, 524, 530] {
        let t = ScriptedTransport::new();
        t.push_response(status, &[], "unavailable");
        t.push_json(200, json!({"user": {"loginIds": ["x"]}}));
        let s = RecordingSleep::default();
        let c = client(&t, &s);
        let v: Value = c
            .api()
            .request(&endpoints::MGMT_USER_LOAD)
            .send_json()
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(v["user"]["loginIds"][0], "x");
        assert_eq!(t.request_count(), 2, "status {status}");
        assert_eq!(s.waits(), vec![Duration::from_millis(100)]);
    }
}

#[tokio::test]
async fn retries_stop_after_three_and_return_the_last_error() {
    let t = ScriptedTransport::new();
    t.push_response(503, &[], "unavailable");
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(t.request_count(), 4);
    assert_eq!(
        s.waits(),
        vec![
            Duration::from_millis(100),
            Duration::from_secs(1),
            Duration::from_secs(5)
        ]
    );
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for status in [400u16, 401, 403, 404, 409, 429, 500, 502, 504] {
        let t = ScriptedTransport::new();
        t.push_json(status, json!({"errorCode": "E1"}));
        let s = RecordingSleep::default();
        let c = client(&t, &s);
        let e = c
            .api()
            .request(&endpoints::MGMT_USER_LOAD)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(status));
        assert_eq!(t.request_count(), 1, "status {status}");
        assert!(s.waits().is_empty());
    }
}

#[tokio::test]
async fn retry_after_on_a_retryable_status_sets_the_wait() {
    let t = ScriptedTransport::new();
    t.push_response(503, &[("retry-after", "2")], "busy");
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    c.api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap();
    assert_eq!(s.waits(), vec![Duration::from_secs(2)]);
}

#[tokio::test]
async fn rate_limit_error_reads_retry_after_in_seconds() {
    let t = ScriptedTransport::new();
    t.push_response(
        429,
        &[("Retry-After", "10")],
        r#"{"errorCode":"E130429","errorDescription":"Rate limit exceeded","errorMessage":"too many requests"}"#,
    );
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_rate_limited());
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.status(), Some(429));
    assert_eq!(e.code(), Some("E130429"));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(t.request_count(), 1, "429 is not retried by default");
}

#[tokio::test]
async fn rate_limit_error_reads_retry_after_as_an_http_date() {
    let t = ScriptedTransport::new();
    let at = std::time::SystemTime::now() + Duration::from_secs(120);
    let date = httpdate::fmt_http_date(at);
    t.push_response(429, &[("Retry-After", date.as_str())], "slow down");
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    let wait = e.retry_after().expect("retry-after parsed from the date");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
    assert_eq!(e.code(), None);
}

#[tokio::test]
async fn rate_limit_retries_are_opt_in_and_capped() {
    let t = ScriptedTransport::new();
    t.push_response(429, &[("Retry-After", "3")], "{}");
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .management_key(MGMT_KEY)
        .retry_policy(RetryPolicy::default().with_rate_limit_retries(true, Duration::from_secs(5)))
        .build()
        .unwrap();
    c.api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap();
    assert_eq!(s.waits(), vec![Duration::from_secs(3)]);

    // A Retry-After longer than the cap is surfaced instead of waited for.
    let t = ScriptedTransport::new();
    t.push_response(429, &[("Retry-After", "30")], "{}");
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .management_key(MGMT_KEY)
        .retry_policy(RetryPolicy::default().with_rate_limit_retries(true, Duration::from_secs(5)))
        .build()
        .unwrap();
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_rate_limited());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    assert!(s.waits().is_empty());
}

#[tokio::test]
async fn connection_failures_before_sending_are_retried() {
    let t = ScriptedTransport::new();
    t.push_error(TransportError::new(
        TransportErrorKind::Connect,
        false,
        "refused",
    ));
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    // REFRESH is not idempotent, but nothing was sent: safe to retry.
    c.api()
        .request(&endpoints::REFRESH)
        .token("RT")
        .send()
        .await
        .unwrap();
    assert_eq!(t.request_count(), 2);
}

#[tokio::test]
async fn a_request_that_may_have_been_sent_is_retried_only_when_idempotent() {
    let t = ScriptedTransport::new();
    t.push_error(TransportError::new(
        TransportErrorKind::Timeout,
        true,
        "timed out",
    ));
    t.push_json(200, json!({}));
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    let e = c
        .api()
        .request(&endpoints::REFRESH)
        .token("RT")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_timeout());
    assert!(e.may_have_been_sent());
    assert_eq!(t.request_count(), 1, "non-idempotent: not retried");

    let t = ScriptedTransport::new();
    t.push_error(TransportError::new(
        TransportErrorKind::Timeout,
        true,
        "timed out",
    ));
    t.push_json(200, json!({}));
    let c = client(&t, &s);
    c.api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap();
    assert_eq!(t.request_count(), 2, "idempotent: retried");
}

#[tokio::test]
async fn retries_respect_the_total_time_bound() {
    let t = ScriptedTransport::new();
    t.push_response(503, &[], "x");
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .management_key(MGMT_KEY)
        .retry_policy(RetryPolicy::default().with_max_total(Duration::from_millis(500)))
        .build()
        .unwrap();
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    // 100 ms fits in the bound; the next 1 s wait does not.
    assert_eq!(s.waits(), vec![Duration::from_millis(100)]);
    assert_eq!(t.request_count(), 2);
}

#[tokio::test]
async fn a_success_body_that_is_not_json_is_a_decode_error() {
    let t = ScriptedTransport::new();
    t.push_response(200, &[], "not json");
    let s = RecordingSleep::default();
    let c = client(&t, &s);
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send_json::<Value>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}

#[test]
fn debug_and_display_never_show_keys_or_tokens() {
    let t = ScriptedTransport::new();
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .management_key("K2-secret-mgmt")
        .auth_management_key("AMK-secret-auth")
        .build()
        .unwrap();
    let d = format!("{c:?}");
    assert!(!d.contains("secret"), "{d}");
    let b = builder(&t, &s).management_key("K2-secret-mgmt");
    assert!(!format!("{b:?}").contains("secret"));
    let e =
        descope::Error::from_response(401, br#"{"errorCode":"E1","errorDescription":"bad"}"#, None);
    assert!(!format!("{e:?}{e}").contains("secret"));
}

#[tokio::test]
async fn transport_errors_and_requests_never_show_the_authorization_header() {
    let t = ScriptedTransport::new();
    t.push_error(TransportError::new(
        TransportErrorKind::Tls,
        false,
        "bad cert",
    ));
    let s = RecordingSleep::default();
    let c = builder(&t, &s)
        .management_key("K2-secret-mgmt")
        .build()
        .unwrap();
    let e = c
        .api()
        .request(&endpoints::MGMT_USER_LOAD)
        .send()
        .await
        .unwrap_err();
    assert!(!format!("{e:?}{e}").contains("secret"));
    let r = &t.requests()[0];
    assert!(!format!("{r:?}").contains("secret"));
    assert!(r.headers.get("authorization").unwrap().is_sensitive());
}

#[tokio::test]
async fn mockall_mock_transport_can_stand_in_for_the_network() {
    use descope_transport::{HttpResponse, MockHttpTransport};
    let mut mock = MockHttpTransport::new();
    mock.expect_send()
        .withf(|r| r.url.ends_with("/v1/auth/me"))
        .times(1)
        .returning(|_| {
            Ok(HttpResponse::new(
                http::StatusCode::OK,
                http::HeaderMap::new(),
                bytes::Bytes::from_static(br#"{"name":"Desmond"}"#),
            ))
        });
    let c = descope::Client::builder_without_env()
        .project_id(PID)
        .transport(std::sync::Arc::new(mock))
        .build()
        .unwrap();
    let v: Value = c
        .api()
        .request(&endpoints::ME)
        .token("RT")
        .send_json()
        .await
        .unwrap();
    assert_eq!(v["name"], "Desmond");
}
