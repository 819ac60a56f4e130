//! Replays the `session.*` wire cases of the official SDK (`python-2.16.1.json`) and the
//! refresh calls of the session-validation matrix (`python-2.16.1-jwt.json`) through the facade
//! client, over a scripted transport with a frozen clock and the test keys pinned.

use std::sync::{Arc, OnceLock};

use descope::{
    AccessKeyLoginOptions, Client, ErrorKind, FixedClock, JwtResponse, RetryPolicy,
    TenantSelection, TokenErrorKind,
};
use descope_transport::test_util::conformance::{python_cases, Compare, RecordedResponse};
use descope_transport::test_util::ScriptedTransport;
use serde_json::{json, Value};

const PROJECT: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
const BASE_URL: &str = "https://api.descope.test";
const FROZEN_NOW: u64 = 1_750_000_000;

fn load(name: &str) -> Value {
    let path = format!("{}/../../conformance/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixtures() -> &'static Value {
    static F: OnceLock<Value> = OnceLock::new();
    F.get_or_init(|| load("python-2.16.1-fixtures.json"))
}

fn matrix() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| load("python-2.16.1-jwt.json"))
}

fn fixture(name: &str) -> &'static str {
    fixtures()[name].as_str().unwrap()
}

fn jwks(kids: Option<&[&str]>) -> String {
    let keys: Vec<Value> = matrix()["meta"]["jwks_all"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| kids.is_none_or(|ks| ks.iter().any(|kid| k["kid"] == *kid)))
        .cloned()
        .collect();
    json!({ "keys": keys }).to_string()
}

fn client(transport: &ScriptedTransport, pinned: String) -> Client {
    Client::builder_without_env()
        .project_id(PROJECT)
        .base_url(BASE_URL)
        .public_key(pinned)
        .retry_policy(RetryPolicy::never())
        .transport(Arc::new(transport.clone()))
        .clock(Arc::new(FixedClock::at(FROZEN_NOW)))
        .build()
        .unwrap()
}

/// Whether `ours` holds everything of `theirs` (typed results add defaulted fields).
fn covers(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => t
            .iter()
            .all(|(k, v)| o.get(k).is_some_and(|ov| covers(ov, v))),
        (Value::Array(o), Value::Array(t)) => {
            o.len() == t.len() && o.iter().zip(t).all(|(a, b)| covers(a, b))
        }
        _ => ours == theirs,
    }
}

/// What the official SDK raised, as the Rust error it corresponds to.
#[derive(Debug, PartialEq)]
enum Refusal {
    Invalid,
    Token(TokenErrorKind),
    Api(u16),
}

fn refusal(result: &Value) -> Refusal {
    refusal_for(result, &Value::Null)
}

/// `header`: the token's header, when known (the official SDK says "missing alg" both for an
/// absent alg and for `none`).
fn refusal_for(result: &Value, header: &Value) -> Refusal {
    let class = result["class"].as_str().unwrap();
    let msg = result["error_message"].as_str().unwrap_or("");
    match class {
        "MissingRequiredClaimError" | "InvalidAudienceError" => {
            Refusal::Token(TokenErrorKind::WrongAudience)
        }
        "InvalidSignatureError" => Refusal::Token(TokenErrorKind::BadSignature),
        "DecodeError" | "InvalidIssuedAtError" => Refusal::Token(TokenErrorKind::Malformed),
        "AuthException" => match result["error_type"].as_str().unwrap() {
            "invalid argument" => Refusal::Invalid,
            "server error" => Refusal::Api(result["status_code"].as_u64().unwrap() as u16),
            "invalid token" if msg.contains("expired") => Refusal::Token(TokenErrorKind::Expired),
            "invalid token" if msg.contains("nbf in future") => {
                Refusal::Token(TokenErrorKind::NotYetValid)
            }
            "invalid token"
                if msg.contains("missing property: alg") && header.get("alg").is_some() =>
            {
                Refusal::Token(TokenErrorKind::AlgorithmNotAllowed)
            }
            "invalid token"
                if msg.contains("missing property") || msg.starts_with("Unable to parse") =>
            {
                Refusal::Token(TokenErrorKind::Malformed)
            }
            "invalid token" => Refusal::Token(TokenErrorKind::Missing),
            "invalid public key" if msg.contains("not found") => {
                Refusal::Token(TokenErrorKind::UnknownKey)
            }
            "invalid public key" => Refusal::Token(TokenErrorKind::AlgorithmNotAllowed),
            other => panic!("unmapped error type {other}"),
        },
        other => panic!("unmapped exception {other}"),
    }
}

fn rust_refusal(e: &descope::Error) -> Refusal {
    match e.kind() {
        ErrorKind::InvalidArgument => Refusal::Invalid,
        ErrorKind::Token(k) => Refusal::Token(k),
        ErrorKind::Api => Refusal::Api(e.status().unwrap()),
        other => panic!("unexpected error {other:?}: {e}"),
    }
}

/// Compares a JWT response with the official SDK's result dict.
fn assert_jwt_response(r: &JwtResponse, py: &Value, id: &str) {
    assert_eq!(
        r.session_token(),
        py["sessionToken"]["jwt"].as_str(),
        "{id}: session token"
    );
    assert_eq!(
        r.refresh_token(),
        py["refreshSessionToken"]["jwt"].as_str(),
        "{id}: refresh token"
    );
    assert_eq!(r.project_id, py["projectId"].as_str().unwrap_or(""), "{id}");
    assert_eq!(r.user_id, py["userId"].as_str().unwrap_or(""), "{id}");
    if let Some(cd) = py.get("cookieData") {
        assert_eq!(r.cookie.exp, cd["exp"].as_i64().unwrap(), "{id}");
        assert_eq!(r.cookie.max_age, cd["maxAge"].as_i64().unwrap(), "{id}");
        assert_eq!(r.cookie.domain, cd["domain"].as_str().unwrap(), "{id}");
        assert_eq!(r.cookie.path, cd["path"].as_str().unwrap(), "{id}");
        assert_eq!(r.first_seen, py["firstSeen"].as_bool().unwrap(), "{id}");
        let user = serde_json::to_value(&r.user).unwrap();
        assert!(
            covers(&user, &py["user"]),
            "{id}: user {user} vs {}",
            py["user"]
        );
    }
    if let Some(roles) = py.get("roles") {
        assert_eq!(json!(r.roles()), *roles, "{id}: roles");
        assert_eq!(
            json!(r.permissions()),
            py["permissions"],
            "{id}: permissions"
        );
    }
}

#[tokio::test]
async fn the_session_wire_cases_replay() {
    let cases = python_cases("session.");
    assert_eq!(cases.len(), 35);
    let rt = fixture("refresh_token");
    let st = fixture("session_token");
    let expired = fixture("expired_session_token");
    let ak = fixture("access_key");
    let mut replayed = 0;
    for case in &cases {
        let id = case.id.as_str();
        let t = ScriptedTransport::new();
        case.script(&t);
        let c = client(&t, jwks(None));
        let opts_claims = AccessKeyLoginOptions::new().custom_claim("k1", "v1");
        let opts_empty = AccessKeyLoginOptions::new();
        let opts_tenant = AccessKeyLoginOptions::new().selected_tenant("t1");
        // Each call's result as JSON comparable with the official one (None = the unit value).
        let outcome: Result<Option<Value>, descope::Error> = match id {
            // Python-only refusals of `None` arguments: Rust's types rule them out.
            "session.logout.error.none"
            | "session.logout_all.error.none"
            | "session.me.error.none"
            | "session.my_tenants.error.both"
            | "session.my_tenants.error.neither" => continue,
            "session.exchange_access_key.audience_not_in_token" => c
                .exchange_access_key(ak, Some("my-audience"), None)
                .await
                .map(|_| None),
            "session.exchange_access_key.empty_login_options" => c
                .exchange_access_key(ak, None, Some(&opts_empty))
                .await
                .map(|r| Some(ak_json(&r))),
            "session.exchange_access_key.error.empty" => c
                .exchange_access_key("", None, None)
                .await
                .map(|r| Some(ak_json(&r))),
            "session.exchange_access_key.minimal" => c
                .exchange_access_key(ak, None, None)
                .await
                .map(|r| Some(ak_json(&r))),
            "session.exchange_access_key.readme" => c
                .exchange_access_key("accessKey", None, Some(&opts_claims))
                .await
                .map(|r| Some(ak_json(&r))),
            "session.exchange_access_key.selected_tenant" => c
                .exchange_access_key(ak, None, Some(&opts_tenant))
                .await
                .map(|r| Some(ak_json(&r))),
            "session.history.readme" => c.history(rt).await.map(|h| Some(json!(h))),
            "session.logout.empty_string_is_sent" => c.logout("").await.map(|_| None),
            "session.logout.readme" => c.logout(rt).await.map(|_| None),
            "session.logout_all.readme" => c.logout_all(rt).await.map(|_| None),
            "session.me" => c
                .me(rt)
                .await
                .map(|u| Some(serde_json::to_value(u).unwrap())),
            "session.my_tenants.dct" => c
                .my_tenants(rt, &TenantSelection::Current)
                .await
                .map(|ts| Some(json!({ "tenants": ts }))),
            "session.my_tenants.error.empty_ids" => c
                .my_tenants(rt, &TenantSelection::Ids(vec![]))
                .await
                .map(|ts| Some(json!({ "tenants": ts }))),
            "session.my_tenants.readme_ids" => c
                .my_tenants(rt, &TenantSelection::Ids(vec!["tenant_id".into()]))
                .await
                .map(|ts| Some(json!({ "tenants": ts }))),
            "session.refresh_session"
            | "session.refresh_session.no_refresh_in_response_reuses_input"
            | "session.refresh_session.refresh_in_cookie"
            | "session.refresh_session.server_401" => {
                jwt(id, &case.result, c.refresh_session(rt, None).await)
            }
            "session.refresh_session.error.empty" => {
                jwt(id, &case.result, c.refresh_session("", None).await)
            }
            "session.select_tenant.empty_tenant_is_sent" => {
                jwt(id, &case.result, c.select_tenant("", rt).await)
            }
            "session.select_tenant.error.empty_refresh" => {
                jwt(id, &case.result, c.select_tenant("t1", "").await)
            }
            "session.select_tenant.readme" => {
                jwt(id, &case.result, c.select_tenant("t1", rt).await)
            }
            "session.validate_and_refresh_session.error.empty_session" => jwt(
                id,
                &case.result,
                c.validate_and_refresh_session("", rt, None).await,
            ),
            "session.validate_and_refresh_session.error.expired_session_empty_refresh" => jwt(
                id,
                &case.result,
                c.validate_and_refresh_session(expired, "", None).await,
            ),
            "session.validate_and_refresh_session.expired_session_refreshes" => jwt(
                id,
                &case.result,
                c.validate_and_refresh_session(expired, rt, None).await,
            ),
            "session.validate_and_refresh_session.valid_session_no_request" => {
                let r = c.validate_and_refresh_session(st, rt, None).await;
                if let Ok(r) = &r {
                    assert_eq!(r.session_token(), case.result["jwt"].as_str(), "{id}");
                    assert_eq!(r.user_id, case.result["userId"].as_str().unwrap(), "{id}");
                }
                r.map(|_| None)
            }
            "session.validate_session" => {
                let r = c.validate_session(st, None).await;
                if let Ok(s) = &r {
                    assert_eq!(s.user_id(), case.result["userId"].as_str().unwrap());
                    assert_eq!(s.project_id(), case.result["projectId"].as_str().unwrap());
                    assert_eq!(json!(s.roles()), case.result["roles"]);
                }
                r.map(|_| None)
            }
            "session.validate_session.audience_not_in_token" => c
                .validate_session(st, Some("my-audience"))
                .await
                .map(|_| None),
            "session.validate_session.error.empty" => {
                c.validate_session("", None).await.map(|_| None)
            }
            "session.validate_session.error.expired" => {
                c.validate_session(expired, None).await.map(|_| None)
            }
            other => panic!("no replay for {other}"),
        };
        // The request, or its absence; the query string byte for byte.
        let diffs =
            case.diff_requests_with(&t.requests(), Compare::new().raw_query().base_url(BASE_URL));
        assert!(diffs.is_empty(), "{id}: {}", diffs.join("; "));
        // The result, or the refusal.
        match (case.outcome.as_str(), outcome) {
            ("returned", Ok(Some(v))) => match case.result.as_object() {
                Some(fields) => {
                    for (k, want) in fields {
                        let got = v.get(k).unwrap_or(&Value::Null);
                        assert!(covers(got, want), "{id}: {k}: {got} vs {want}");
                    }
                }
                None => assert!(covers(&v, &case.result), "{id}"),
            },
            ("returned", Ok(None)) => {}
            ("raised", Err(e)) => {
                assert_eq!(rust_refusal(&e), refusal(&case.result), "{id}: {e}")
            }
            (o, r) => panic!("{id}: official outcome {o}, Rust {r:?}"),
        }
        replayed += 1;
    }
    assert_eq!(replayed, 30);
}

/// The access-key result in the shape of the official SDK's dict.
fn ak_json(r: &descope::AccessKeyResponse) -> Value {
    let mut token = r.session.claims().clone();
    token.insert("jwt".into(), json!(r.session.token()));
    json!({
        "sessionToken": token,
        "projectId": r.project_id,
        "keyId": r.key_id,
        "roles": r.session.roles(),
        "permissions": r.session.permissions(),
        "tenants": r.session.claim("tenants").cloned().unwrap_or(json!({})),
    })
}

/// Checks a JWT response in place; the caller compares only the outcome.
fn jwt(
    id: &str,
    result: &Value,
    r: descope::Result<JwtResponse>,
) -> Result<Option<Value>, descope::Error> {
    if let Ok(resp) = &r {
        assert_jwt_response(resp, result, id);
    }
    r.map(|_| None)
}

/// The refresh answer the official SDK got (rebuilt from its result), or a standard one.
fn refresh_answer(py: &Value) -> RecordedResponse {
    let r = if py.get("sessionToken").and_then(|s| s.get("jwt")).is_some()
        && py.get("cookieData").is_some()
    {
        py.clone()
    } else {
        // The refresh_session result of the plain valid token.
        token_case("valid.session")["results"]["refresh_session"]["result"].clone()
    };
    RecordedResponse::json(
        200,
        json!({
            "sessionJwt": r["sessionToken"]["jwt"],
            "refreshJwt": r["refreshSessionToken"]["jwt"],
            "cookieExpiration": r["cookieData"]["exp"],
            "cookieMaxAge": r["cookieData"]["maxAge"],
            "cookieDomain": r["cookieData"]["domain"],
            "cookiePath": r["cookieData"]["path"],
            "user": r["user"],
            "firstSeen": r["firstSeen"],
        }),
    )
}

fn token_case(id: &str) -> &'static Value {
    matrix()["token_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

/// Where the Rust verdict of a local validation differs on purpose (docs/compatibility.md).
fn validation_divergence(id: &str) -> Option<Refusal> {
    match id {
        "iss.missing" | "iss.wrong_project" | "iss.wrong_url" => {
            Some(Refusal::Token(TokenErrorKind::WrongIssuer))
        }
        "valid.no_exp" => Some(Refusal::Token(TokenErrorKind::Malformed)),
        "alg.hs256_confusion.unknown_kid" => {
            Some(Refusal::Token(TokenErrorKind::AlgorithmNotAllowed))
        }
        _ => None,
    }
}

/// Session tokens whose failure the official SDK lets escape as a JWT-library error (so it does
/// not refresh), while the Rust SDK refreshes after any failure.
const REFRESHES_AFTER_ANY_FAILURE: &[&str] = &[
    "aud.other.no_arg",
    "exp.non_integer",
    "iat.non_integer",
    "malformed.payload_json_array",
    "malformed.payload_not_json",
    "tamper.header_kid_swapped",
    "tamper.payload",
    "tamper.signature",
    "tamper.signature_stripped",
];

#[tokio::test]
async fn the_refresh_calls_of_the_token_matrix_get_the_official_verdict_or_a_listed_divergence() {
    let valid_refresh = matrix()["meta"]["VALID_REFRESH"].as_str().unwrap();
    let expired_session = matrix()["meta"]["EXPIRED_SESSION"].as_str().unwrap();
    let mut checked = 0;
    let mut diverged = 0;
    for case in matrix()["token_cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let token = case["token"].as_str().unwrap_or("");
        let served: Vec<&str> = case["jwks_served"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let audience = match &case["audience"] {
            Value::String(a) => Some(a.as_str()),
            Value::Null => None,
            // A list of audiences is not an argument of the client calls (see
            // SessionValidator::validate_with_audiences).
            _ => continue,
        };
        for call in [
            "refresh_session",
            "validate_and_refresh_session",
            "validate_and_refresh_session.as_refresh_with_expired_session",
        ] {
            let py = &case["results"][call];
            let t = ScriptedTransport::new();
            refresh_answer(&py["result"]).script(&t);
            let c = client(&t, jwks(Some(&served)));
            let got = match call {
                "refresh_session" => c.refresh_session(token, audience).await,
                "validate_and_refresh_session" => {
                    c.validate_and_refresh_session(token, valid_refresh, audience)
                        .await
                }
                _ => {
                    c.validate_and_refresh_session(expired_session, token, audience)
                        .await
                }
            };
            let official = match py["outcome"].as_str().unwrap() {
                "returned" => None,
                _ => Some(refusal_for(&py["result"], &case["header"])),
            };
            let expected = if call == "validate_and_refresh_session" {
                if REFRESHES_AFTER_ANY_FAILURE.contains(&id) {
                    None
                } else {
                    official.clone_refusal()
                }
            } else {
                validation_divergence(id).or(official.clone_refusal())
            };
            if expected != official {
                diverged += 1;
            }
            let posted = t
                .requests()
                .iter()
                .any(|r| r.url.ends_with("/v1/auth/refresh"));
            match (&expected, &got) {
                (None, Ok(r)) => {
                    if official.is_none() && py["result"].get("cookieData").is_some() {
                        assert_jwt_response(r, &py["result"], &format!("{id} {call}"));
                    }
                }
                (Some(want), Err(e)) => assert_eq!(&rust_refusal(e), want, "{id} {call}: {e}"),
                (want, got) => panic!("{id} {call}: expected {want:?}, got {got:?}"),
            }
            // A refresh request is made exactly when the official SDK made one, except where
            // the Rust SDK refreshes after a failure the official SDK let escape.
            let python_posted = py["requests"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["path"] == "/v1/auth/refresh");
            if expected == official && validation_divergence(id).is_none() {
                assert_eq!(posted, python_posted, "{id} {call}: refresh request");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 73 * 3);
    assert!(diverged > 0);
}

trait CloneRefusal {
    fn clone_refusal(&self) -> Option<Refusal>;
}

impl CloneRefusal for Option<Refusal> {
    fn clone_refusal(&self) -> Option<Refusal> {
        self.as_ref().map(|r| match r {
            Refusal::Invalid => Refusal::Invalid,
            Refusal::Token(k) => Refusal::Token(*k),
            Refusal::Api(s) => Refusal::Api(*s),
        })
    }
}

#[tokio::test]
async fn divergence_validate_and_refresh_refreshes_after_any_session_failure() {
    // A session token with a flipped signature bit: the official SDK lets the JWT library's
    // error escape and does not refresh; the Rust SDK refreshes.
    let case = token_case("tamper.signature");
    assert_eq!(
        case["results"]["validate_and_refresh_session"]["result"]["class"],
        "InvalidSignatureError"
    );
    let t = ScriptedTransport::new();
    refresh_answer(&token_case("valid.session")["results"]["refresh_session"]["result"]).script(&t);
    let c = client(&t, jwks(Some(&["oracle-rsa-1"])));
    let valid_refresh = matrix()["meta"]["VALID_REFRESH"].as_str().unwrap();
    let r = c
        .validate_and_refresh_session(case["token"].as_str().unwrap(), valid_refresh, None)
        .await
        .unwrap();
    assert_eq!(t.requests().len(), 1);
    assert!(t.requests()[0].url.ends_with("/v1/auth/refresh"));
    assert_ne!(r.session_token(), case["token"].as_str());
    // Without a refresh token, the failure is reported as a missing refresh token.
    let e = c
        .validate_and_refresh_session(case["token"].as_str().unwrap(), "", None)
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::Missing));
}

/// The refresh answer of the plain valid token, without `refreshJwt`, with these headers.
fn answer_without_refresh(headers: &[(&str, &str)]) -> RecordedResponse {
    let mut a =
        refresh_answer(&token_case("valid.session")["results"]["refresh_session"]["result"]);
    a.json
        .as_mut()
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove("refreshJwt");
    a.headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    a
}

#[tokio::test]
async fn the_refresh_token_comes_from_the_body_else_a_dsr_cookie_of_the_api_host_else_the_caller() {
    let rt = fixture("refresh_token");
    let other = matrix()["meta"]["VALID_REFRESH"].as_str().unwrap();
    let cases = [
        // A DSR cookie without Domain, or with the API's domain, is read.
        (
            answer_without_refresh(&[("Set-Cookie", &format!("DSR={other}; Path=/; HttpOnly"))]),
            other,
        ),
        (
            answer_without_refresh(&[(
                "Set-Cookie",
                &format!("DSR={other}; Domain=descope.test; Secure"),
            )]),
            other,
        ),
        // A cookie for another domain is ignored, as is a session (DS) cookie.
        (
            answer_without_refresh(&[("Set-Cookie", &format!("DSR={other}; Domain=other.com"))]),
            rt,
        ),
        (
            answer_without_refresh(&[("Set-Cookie", &format!("DS={other}"))]),
            rt,
        ),
    ];
    for (answer, want) in cases {
        let t = ScriptedTransport::new();
        answer.script(&t);
        let c = client(&t, jwks(None));
        let r = c.refresh_session(rt, None).await.unwrap();
        assert_eq!(r.refresh_token(), Some(want), "{:?}", answer.headers);
    }
    // refreshJwt in the body beats the cookie.
    let mut answer = answer_without_refresh(&[("Set-Cookie", &format!("DSR={other}"))]);
    answer.json.as_mut().unwrap()["refreshJwt"] = json!(rt);
    let t = ScriptedTransport::new();
    answer.script(&t);
    let r = client(&t, jwks(None))
        .select_tenant("t1", other)
        .await
        .unwrap();
    assert_eq!(r.refresh_token(), Some(rt));
    // select_tenant has no fallback to the caller's token.
    let t = ScriptedTransport::new();
    answer_without_refresh(&[]).script(&t);
    let r = client(&t, jwks(None))
        .select_tenant("t1", rt)
        .await
        .unwrap();
    assert_eq!(r.refresh_token(), None);
}

#[tokio::test]
async fn the_role_helpers_on_the_client_read_the_validated_session() {
    let t = ScriptedTransport::new();
    let c = client(&t, jwks(None));
    let s = c
        .validate_session(fixture("session_token"), None)
        .await
        .unwrap();
    assert!(c.validate_roles(&s, &["admin"]));
    assert!(!c.validate_roles(&s, &["tenant-admin"]));
    assert!(c.validate_permissions(&s, &["read", "write"]));
    assert_eq!(
        c.get_matched_roles(&s, &["viewer", "owner", "admin"]),
        ["viewer", "admin"]
    );
    assert_eq!(c.get_matched_permissions(&s, &["write", "x"]), ["write"]);
    assert!(c.validate_tenant_roles(&s, "T2oracleTenant1", &["tenant-admin"]));
    assert!(c.validate_tenant_permissions(&s, "T2oracleTenant2", &["tenant-read"]));
    assert!(!c.validate_tenant_permissions(&s, "T2oracleTenant2", &["tenant-write"]));
    assert_eq!(
        c.get_matched_tenant_roles(&s, "T2oracleTenant2", &["tenant-viewer", "tenant-admin"]),
        ["tenant-viewer"]
    );
    assert_eq!(
        c.get_matched_tenant_permissions(&s, "nope", &["tenant-read"]),
        Vec::<String>::new()
    );
    // The validator is shared by clones of the client.
    assert_eq!(c.clone().validator().cached_tokens(), 1);
}

#[tokio::test]
async fn a_pinned_key_that_cannot_be_used_fails_the_client_build() {
    let err = Client::builder_without_env()
        .project_id(PROJECT)
        .public_key(r#"{"kid":"x"}"#)
        .transport(Arc::new(ScriptedTransport::new()))
        .build()
        .unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("alg"), "{err}");
}

#[tokio::test]
async fn scenario_select_tenant_returns_tokens_carrying_the_selected_tenant() {
    let step = &matrix()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "scenario.select_tenant_dct_claim")
        .unwrap()["steps"][0];
    let py = &step["result"];
    let t = ScriptedTransport::new();
    refresh_answer(py).script(&t);
    let c = client(&t, jwks(None));
    let refresh = matrix()["meta"]["VALID_REFRESH"].as_str().unwrap();
    let r = c.select_tenant("t1", refresh).await.unwrap();
    assert_jwt_response(&r, py, "select_tenant");
    let session = r.session.as_ref().unwrap();
    assert_eq!(session.selected_tenant(), Some("t1"));
    assert_eq!(r.refresh.as_ref().unwrap().selected_tenant(), Some("t1"));
    let sent = t.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0]
        .url
        .ends_with(step["requests"][0]["path"].as_str().unwrap()));
    assert_eq!(
        sent[0].headers["authorization"].to_str().unwrap(),
        step["requests"][0]["authorization"]
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&sent[0].body).unwrap(),
        json!({"tenant": "t1"})
    );
}
