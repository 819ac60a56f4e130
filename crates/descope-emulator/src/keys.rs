//! RS256 signing keys, the JWKS, and signing/verifying the emulator's own JWTs.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::signature::{self, KeyPair, RsaKeyPair};
use serde_json::{json, Map, Value};

use crate::model::SigningKeyRecord;
use crate::util::random_id;

/// A loaded signing key.
pub struct LoadedKey {
    pub kid: String,
    pub pair: Arc<RsaKeyPair>,
    pub retired: Option<i64>,
}

impl std::fmt::Debug for LoadedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Generates an RSA-2048 key as a record.
pub fn generate_key(now: i64) -> Result<SigningKeyRecord, String> {
    use rsa::pkcs8::EncodePrivateKey;
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let der = key
        .to_pkcs8_der()
        .map_err(|e| format!("PKCS#8 encoding failed: {e}"))?;
    Ok(SigningKeyRecord {
        kid: random_id("EK", 24),
        pkcs8: STANDARD.encode(der.as_bytes()),
        created: now,
        retired: None,
    })
}

/// Loads a record into a ring key pair.
pub fn load_key(rec: &SigningKeyRecord) -> Result<LoadedKey, String> {
    let der = STANDARD
        .decode(&rec.pkcs8)
        .map_err(|e| format!("signing key {} is not base64: {e}", rec.kid))?;
    let pair = RsaKeyPair::from_pkcs8(&der)
        .map_err(|e| format!("signing key {} is unusable: {e}", rec.kid))?;
    Ok(LoadedKey {
        kid: rec.kid.clone(),
        pair: Arc::new(pair),
        retired: rec.retired,
    })
}

/// The keys, newest last; the newest unretired one signs.
#[derive(Debug, Default)]
pub struct KeyRing {
    pub keys: Vec<LoadedKey>,
}

impl KeyRing {
    /// The key that signs new tokens.
    pub fn active(&self) -> Option<&LoadedKey> {
        self.keys.iter().rev().find(|k| k.retired.is_none())
    }

    /// The public keys, skipping retired keys whose grace period is over.
    pub fn jwks(&self, now: i64, grace_secs: i64) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter(|k| k.retired.is_none_or(|r| now - r < grace_secs))
            .map(|k| {
                let c = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(k.pair.public_key());
                let trim = |v: &[u8]| -> Vec<u8> {
                    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
                    v[start..].to_vec()
                };
                json!({
                    "kty": "RSA",
                    "kid": k.kid,
                    "alg": "RS256",
                    "use": "sig",
                    "n": URL_SAFE_NO_PAD.encode(trim(&c.n)),
                    "e": URL_SAFE_NO_PAD.encode(trim(&c.e)),
                })
            })
            .collect();
        json!({ "keys": keys })
    }

    /// Signs `claims` with the active key.
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let key = self.active().ok_or("no active signing key")?;
        let header = json!({"alg": "RS256", "kid": key.kid, "typ": "JWT"});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = ring::rand::SystemRandom::new();
        let mut sig = vec![0u8; key.pair.public().modulus_len()];
        key.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| "signing failed".to_string())?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    /// Verifies a token signed by one of the keys (retired ones included) and returns its claims.
    /// Expiry is not checked here.
    pub fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        if header.get("alg")?.as_str()? != "RS256" {
            return None;
        }
        let kid = header.get("kid")?.as_str()?;
        let key = self.keys.iter().find(|k| k.kid == kid)?;
        let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
        let public = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            key.pair.public_key().as_ref(),
        );
        public.verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
        match claims {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
}
