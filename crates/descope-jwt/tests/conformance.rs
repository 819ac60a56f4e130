//! Replays the session-validation matrix of the official SDK (`python-2.16.1-jwt.json`) under
//! its frozen clock: every token's `validate_session` verdict and the 7 key-set scenarios.
//! Where the Rust SDK decides differently on purpose, the expectation is overridden here and the
//! divergence is pinned by its own test in `divergences.rs`.

mod common;

use std::time::Duration;

use common::*;
use descope_core::{ErrorKind, TokenErrorKind};
use descope_jwt::{Session, ValidatorOptions};
use serde_json::Value;

#[derive(Debug, PartialEq)]
enum Verdict {
    Ok,
    Token(TokenErrorKind),
    Api(u16),
    Decode,
}

/// The Rust verdict that corresponds to what the official SDK did.
fn from_python(case: &Value, outcome: &str, result: &Value) -> Verdict {
    use TokenErrorKind::*;
    if outcome == "returned" {
        return Verdict::Ok;
    }
    let class = result["class"].as_str().unwrap_or("");
    let msg = result["error_message"].as_str().unwrap_or("");
    match class {
        "InvalidSignatureError" => return Verdict::Token(BadSignature),
        "InvalidAudienceError" | "MissingRequiredClaimError" => {
            return Verdict::Token(WrongAudience)
        }
        "DecodeError" | "InvalidIssuedAtError" => return Verdict::Token(Malformed),
        "AuthException" => {}
        other => panic!("unmapped exception {other}"),
    }
    if result["error_type"] == "server error" {
        return Verdict::Api(result["status_code"].as_u64().unwrap() as u16);
    }
    if msg.starts_with("Unable to load jwks") {
        return Verdict::Decode;
    }
    Verdict::Token(
        if msg.contains("token is required") || msg.contains("token is missing") {
            Missing
        } else if msg.contains("missing property: alg") {
            // The official SDK says "missing" both for an absent alg and for `none`.
            if case["header"].get("alg").is_some() {
                AlgorithmNotAllowed
            } else {
                Malformed
            }
        } else if msg.contains("missing property: kid") || msg.starts_with("Unable to parse token")
        {
            Malformed
        } else if msg.contains("Public key not found") {
            UnknownKey
        } else if msg.starts_with("Algorithm signature") {
            AlgorithmNotAllowed
        } else if msg.contains("expired token") {
            Expired
        } else if msg.contains("nbf in future") {
            NotYetValid
        } else {
            panic!("unmapped AuthException {msg}")
        },
    )
}

/// Deliberate divergences for `validate_session` (docs/compatibility.md).
fn divergence(id: &str) -> Option<Verdict> {
    use TokenErrorKind::*;
    Some(match id {
        // The issuer is checked.
        "iss.missing" | "iss.wrong_project" | "iss.wrong_url" => Verdict::Token(WrongIssuer),
        // exp is required.
        "valid.no_exp" => Verdict::Token(Malformed),
        // HS256 is refused before any key lookup, whatever its kid.
        "alg.hs256_confusion.unknown_kid" => Verdict::Token(AlgorithmNotAllowed),
        _ => return None,
    })
}

fn verdict<T>(r: &descope_core::Result<T>) -> Verdict {
    match r {
        Ok(_) => Verdict::Ok,
        Err(e) => match e.kind() {
            ErrorKind::Token(k) => Verdict::Token(k),
            ErrorKind::Api => Verdict::Api(e.status().unwrap()),
            ErrorKind::Decode => Verdict::Decode,
            other => panic!("unexpected error kind {other:?}: {e}"),
        },
    }
}

fn audiences(v: &Value) -> Vec<&str> {
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
        other => panic!("audience {other}"),
    }
}

/// The claims of a session equal the official SDK's flat result (minus the keys it adds).
fn assert_same_claims(session: &Session, python: &Value, id: &str) {
    let py = python.as_object().unwrap();
    for (k, v) in session.claims() {
        assert_eq!(py.get(k), Some(v), "{id}: claim {k}");
    }
    for (k, v) in py {
        match k.as_str() {
            "jwt" => assert_eq!(v, session.token(), "{id}: jwt"),
            "projectId" => assert_eq!(v, session.project_id(), "{id}: projectId"),
            "userId" => assert_eq!(v, session.user_id(), "{id}: userId"),
            "sessionToken" => {}
            "roles" | "permissions" | "tenants" if session.claim(k).is_none() => {
                assert!(
                    v.as_array().is_some_and(Vec::is_empty)
                        || v.as_object().is_some_and(|o| o.is_empty())
                );
            }
            _ => assert_eq!(session.claim(k), Some(v), "{id}: claim {k}"),
        }
    }
}

fn token_case(id: &str) -> &'static Value {
    matrix()["token_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn every_token_of_the_matrix_gets_the_official_verdict_or_a_listed_divergence() {
    let cases = matrix()["token_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 74);
    let mut diverged = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let h = harness();
        let served: Vec<&str> = case["jwks_served"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        h.transport.push_json(200, jwks_of(&served));
        let token = case["token"].as_str().unwrap_or("");
        let auds = audiences(&case["audience"]);
        let py = &case["results"]["validate_session"];
        let official = from_python(case, py["outcome"].as_str().unwrap(), &py["result"]);
        let expected = match divergence(id) {
            Some(v) => {
                assert_ne!(v, official, "{id} is listed as a divergence but agrees");
                diverged += 1;
                v
            }
            None => official,
        };
        let got = h.validator.validate_with_audiences(token, &auds).await;
        assert_eq!(verdict(&got), expected, "{id}: {got:?}");
        if let Ok(s) = &got {
            assert_same_claims(s, &py["result"], id);
        }
        let python_fetches = py["requests"].as_array().unwrap().len();
        assert!(
            jwks_requests(&h.transport) <= python_fetches.max(1),
            "{id}: more key-set fetches than the official SDK"
        );
    }
    assert_eq!(diverged, 5);
}

fn step_verdict(step: &Value) -> Verdict {
    from_python(
        &Value::Null,
        step["outcome"].as_str().unwrap(),
        &step["result"],
    )
}

fn scenario(id: &str) -> &'static [Value] {
    matrix()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["steps"]
        .as_array()
        .unwrap()
}

fn python_fetches(step: &Value) -> usize {
    step["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == JWKS_PATH)
        .count()
}

/// Scenario steps are taken as separated by more than the refetch cooldown (the official SDK has
/// none), so every refetch the official SDK made is made here too.
fn next_step(h: &Harness) {
    h.clock.advance(Duration::from_secs(11));
}

#[tokio::test]
async fn scenario_jwks_bad_entries_are_skipped() {
    let h = harness();
    let token = token_case("valid.session")["token"].as_str().unwrap();
    // The scripted transport answers in order (the last answer repeats): one key set per step.
    for step in scenario("scenario.jwks_bad_entries") {
        h.transport.push_json(200, step["jwks"].clone());
    }
    for step in scenario("scenario.jwks_bad_entries") {
        let before = jwks_requests(&h.transport);
        let got = h.validator.validate(token, None).await;
        assert_eq!(verdict(&got), step_verdict(step), "{}", step["call"]);
        assert_eq!(
            jwks_requests(&h.transport) - before,
            python_fetches(step),
            "{}",
            step["call"]
        );
        next_step(&h);
    }
}

#[tokio::test]
async fn scenario_jwks_fetch_failures_surface_and_recover() {
    let h = harness();
    let token = token_case("valid.session")["token"].as_str().unwrap();
    h.transport
        .push_response(500, &[], "jwks down")
        .push_response(200, &[], "not json")
        .push_json(200, serde_json::json!({"nokeys": []}))
        .push_json(200, jwks_of(&["oracle-rsa-1"]));
    for step in scenario("scenario.jwks_fetch_failures") {
        let before = jwks_requests(&h.transport);
        let got = h.validator.validate(token, None).await;
        assert_eq!(verdict(&got), step_verdict(step), "{}", step["call"]);
        assert_eq!(
            jwks_requests(&h.transport) - before,
            python_fetches(step),
            "{}",
            step["call"]
        );
        next_step(&h);
    }
}

#[tokio::test]
async fn scenario_leeway_comes_from_the_configuration() {
    for step in scenario("scenario.jwt_validation_leeway") {
        let call = step["call"].as_str().unwrap();
        let leeway = if call.contains("leeway=0") { 0 } else { 60 };
        let h = harness_with(Setup {
            leeway: Some(leeway),
            ..Setup::default()
        });
        h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
        let got = h
            .validator
            .validate(step["token"].as_str().unwrap(), None)
            .await;
        assert_eq!(verdict(&got), step_verdict(step), "{call}");
    }
}

#[tokio::test]
async fn scenario_key_rotation_is_followed_without_restart() {
    let h = harness();
    let k1 = token_case("valid.session")["token"].as_str().unwrap();
    let k2 = token_case("kid.rotated_key_served")["token"]
        .as_str()
        .unwrap();
    let steps = scenario("scenario.key_rotation");
    // First fetch: only oracle-rsa-1; every later fetch: only oracle-rsa-2.
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1"]))
        .push_json(200, jwks_of(&["oracle-rsa-2"]));
    for (step, token) in steps.iter().zip([k1, k2, k1, k2]) {
        let before = jwks_requests(&h.transport);
        let got = h.validator.validate(token, None).await;
        assert_eq!(verdict(&got), step_verdict(step), "{}", step["call"]);
        assert_eq!(
            jwks_requests(&h.transport) - before,
            python_fetches(step),
            "{}",
            step["call"]
        );
        next_step(&h);
    }
}

#[tokio::test]
async fn scenario_unknown_kid_refetches_once_the_cooldown_has_passed() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let k1 = token_case("valid.session")["token"].as_str().unwrap();
    let unknown = token_case("kid.unknown")["token"].as_str().unwrap();
    let steps = scenario("scenario.unknown_kid_refetches_every_time");
    for (step, token) in steps.iter().zip([k1, unknown, unknown, k1]) {
        let before = jwks_requests(&h.transport);
        let got = h.validator.validate(token, None).await;
        assert_eq!(verdict(&got), step_verdict(step), "{}", step["call"]);
        assert_eq!(
            jwks_requests(&h.transport) - before,
            python_fetches(step),
            "{}",
            step["call"]
        );
        next_step(&h);
    }
}

#[tokio::test]
async fn scenario_static_public_key_is_used_without_fetching() {
    let steps = scenario("scenario.static_public_key");
    let jwk = jwks_of(&["oracle-rsa-1"])["keys"][0].to_string();
    let k1 = token_case("valid.session")["token"].as_str().unwrap();
    let k2 = token_case("kid.rotated_key_served")["token"]
        .as_str()
        .unwrap();
    let h = harness_with(Setup {
        public_key: Some(jwk.clone()),
        ..Setup::default()
    });
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1", "oracle-rsa-2"]));
    assert_eq!(
        verdict(&h.validator.validate(k1, None).await),
        step_verdict(&steps[0])
    );
    // The official SDK fetched the key set here (and found no key either); a pinned key set is
    // never replaced by a fetch (divergence: static key).
    assert_eq!(
        verdict(&h.validator.validate(k2, None).await),
        step_verdict(&steps[1])
    );
    assert_eq!(jwks_requests(&h.transport), 0);
    let h = harness_with(Setup {
        public_key: Some(format!(r#"{{"keys":[{jwk}]}}"#)),
        ..Setup::default()
    });
    assert_eq!(
        verdict(&h.validator.validate(k1, None).await),
        step_verdict(&steps[2])
    );
    for (bad, step, needle) in [
        (r#"{"kid":"x"}"#, &steps[3], "alg"),
        ("not json", &steps[4], "JSON"),
    ] {
        assert_eq!(step["outcome"], "raised");
        let transport = descope_transport::test_util::ScriptedTransport::new();
        let clock = descope_core::FixedClock::at(FROZEN_NOW);
        let setup = Setup {
            public_key: Some(bad.to_owned()),
            ..Setup::default()
        };
        let err = descope_jwt::SessionValidator::with_options(
            api(&setup, &transport, &clock),
            ValidatorOptions::default(),
        )
        .unwrap_err();
        assert!(err.is_config(), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}
