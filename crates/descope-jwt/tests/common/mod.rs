//! Shared test helpers: the conformance data, the test keys, a validator over a scripted
//! transport with a frozen clock.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use descope_core::{Config, FixedClock, RetryPolicy};
use descope_jwt::{SessionValidator, ValidatorOptions};
use descope_transport::test_util::ScriptedTransport;
use descope_transport::{ApiClient, TokioSleep};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use serde_json::{json, Value};

pub const PROJECT: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
pub const FROZEN_NOW: u64 = 1_750_000_000;
pub const JWKS_PATH: &str = "/v2/keys/P2aAc4T2V93bddihGEx2Ryhc8e5Z";

pub fn conformance(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance")).join(name)
}

/// `python-2.16.1-jwt.json`.
pub fn matrix() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| {
        let text = std::fs::read_to_string(conformance("python-2.16.1-jwt.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// Every public JWK of the test keys.
pub fn all_jwks() -> &'static [Value] {
    matrix()["meta"]["jwks_all"].as_array().unwrap()
}

/// A JWKS body serving the keys named.
pub fn jwks_of(kids: &[&str]) -> Value {
    let keys: Vec<Value> = kids
        .iter()
        .map(|kid| {
            all_jwks()
                .iter()
                .find(|k| k["kid"] == *kid)
                .unwrap_or_else(|| panic!("no test key {kid}"))
                .clone()
        })
        .collect();
    json!({ "keys": keys })
}

fn pem_der(file: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(conformance("keys").join(file)).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

fn key_file(kid: &str) -> &'static str {
    match kid {
        "oracle-rsa-1" => "rsa-primary.pem",
        "oracle-rsa-2" => "rsa-rotated.pem",
        "oracle-rsa-384" => "rsa-rs384.pem",
        "oracle-rsa-512" => "rsa-rs512.pem",
        "oracle-rsa-ps256" => "rsa-ps256.pem",
        "oracle-ec-256" => "ec-p256.pem",
        "oracle-ec-384" => "ec-p384.pem",
        other => panic!("no private key for {other}"),
    }
}

/// Signs `claims` as a compact JWS with the test key `signer`, putting `kid` in the header.
pub fn sign_as(signer: &str, kid: &str, alg: &str, claims: &Value) -> String {
    let header = json!({ "alg": alg, "kid": kid, "typ": "JWT" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let der = pem_der(key_file(signer));
    let rng = SystemRandom::new();
    let sig = match alg {
        "ES256" | "ES384" => {
            let a = if alg == "ES256" {
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING
            } else {
                &signature::ECDSA_P384_SHA384_FIXED_SIGNING
            };
            let kp = EcdsaKeyPair::from_pkcs8(a, &der, &rng).unwrap();
            kp.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec()
        }
        _ => {
            let kp = RsaKeyPair::from_pkcs8(&der).unwrap();
            let enc: &'static dyn signature::RsaEncoding = match alg {
                "RS256" => &signature::RSA_PKCS1_SHA256,
                "RS384" => &signature::RSA_PKCS1_SHA384,
                "RS512" => &signature::RSA_PKCS1_SHA512,
                "PS256" => &signature::RSA_PSS_SHA256,
                "PS384" => &signature::RSA_PSS_SHA384,
                "PS512" => &signature::RSA_PSS_SHA512,
                other => panic!("cannot sign {other}"),
            };
            let mut sig = vec![0; kp.public().modulus_len()];
            kp.sign(enc, &rng, input.as_bytes(), &mut sig).unwrap();
            sig
        }
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Signs with the key of `kid` itself.
pub fn sign(kid: &str, alg: &str, claims: &Value) -> String {
    sign_as(kid, kid, alg, claims)
}

/// Session-shaped claims valid at the frozen clock, for `exp_in` seconds.
pub fn claims(exp_in: i64) -> Value {
    json!({
        "amr": ["email"],
        "drn": "DS",
        "exp": FROZEN_NOW as i64 + exp_in,
        "iat": FROZEN_NOW as i64 - 60,
        "iss": PROJECT,
        "sub": "U2user",
        "roles": ["admin"],
        "permissions": ["read"],
    })
}

/// A validator over a scripted transport, frozen at [`FROZEN_NOW`].
pub struct Harness {
    pub transport: ScriptedTransport,
    pub clock: FixedClock,
    pub validator: SessionValidator,
}

#[derive(Default)]
pub struct Setup {
    pub leeway: Option<u64>,
    pub public_key: Option<String>,
    pub options: ValidatorOptions,
}

pub fn api(setup: &Setup, transport: &ScriptedTransport, clock: &FixedClock) -> ApiClient {
    let mut b = Config::builder()
        .project_id(PROJECT)
        .base_url("https://api.descope.test")
        .retry_policy(RetryPolicy::never());
    if let Some(l) = setup.leeway {
        b = b.leeway(Duration::from_secs(l));
    }
    if let Some(k) = &setup.public_key {
        b = b.public_key(k.clone());
    }
    ApiClient::with_parts(
        Arc::new(b.build().unwrap()),
        Arc::new(transport.clone()),
        Arc::new(TokioSleep),
        Arc::new(clock.clone()),
    )
}

pub fn harness_with(setup: Setup) -> Harness {
    let transport = ScriptedTransport::new();
    let clock = FixedClock::at(FROZEN_NOW);
    let validator =
        SessionValidator::with_options(api(&setup, &transport, &clock), setup.options.clone())
            .unwrap();
    Harness {
        transport,
        clock,
        validator,
    }
}

pub fn harness() -> Harness {
    harness_with(Setup::default())
}

/// How many key-set requests the transport saw.
pub fn jwks_requests(t: &ScriptedTransport) -> usize {
    t.requests()
        .iter()
        .filter(|r| r.url.ends_with(JWKS_PATH))
        .count()
}

/// A transport that waits before answering, so concurrent callers really overlap a fetch.
#[derive(Debug, Clone)]
pub struct Slow {
    pub inner: ScriptedTransport,
    pub delay: Duration,
}

#[async_trait::async_trait]
impl descope_transport::HttpTransport for Slow {
    async fn send(
        &self,
        request: descope_transport::HttpRequest,
    ) -> Result<descope_transport::HttpResponse, descope_core::TransportError> {
        tokio::time::sleep(self.delay).await;
        self.inner.send(request).await
    }
}

/// A validator whose key-set answers take `delay`.
pub fn slow_harness(delay: Duration, options: ValidatorOptions) -> Harness {
    let transport = ScriptedTransport::new();
    let clock = FixedClock::at(FROZEN_NOW);
    let config = Config::builder()
        .project_id(PROJECT)
        .base_url("https://api.descope.test")
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let api = ApiClient::with_parts(
        Arc::new(config),
        Arc::new(Slow {
            inner: transport.clone(),
            delay,
        }),
        Arc::new(TokioSleep),
        Arc::new(clock.clone()),
    );
    Harness {
        transport,
        clock,
        validator: SessionValidator::with_options(api, options).unwrap(),
    }
}
