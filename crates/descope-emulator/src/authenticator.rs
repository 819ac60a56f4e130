//! A software passkey authenticator for tests: it answers the options of a WebAuthn start the
//! way a browser and a platform authenticator would, with P-256 keys and "none" attestation.

use std::fmt;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::Value as Cbor;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};

use crate::EmulatorError;

/// Flags of the authenticator data: user present, user verified, attested credential data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

struct Credential {
    id: Vec<u8>,
    rp_id: String,
    user_handle: String,
    pkcs8: Vec<u8>,
    sign_count: u32,
}

/// A passkey authenticator in software, for driving WebAuthn against the emulator.
///
/// Give it the `options` string of a WebAuthn start and it returns the `response` string the
/// finish call takes: [`create`](Self::create) registers a new credential (a P-256 key it
/// keeps), [`get`](Self::get) signs an assertion with a credential it holds. It plays the
/// browser too, so it writes `origin` into the client data.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use descope_emulator::SoftAuthenticator;
/// let authenticator = SoftAuthenticator::new("https://app.example.com");
/// // let start = client.webauthn().sign_up_start("ann@example.com", authenticator.origin()).await?;
/// # let options = "";
/// let response = authenticator.respond(options, true)?;
/// // client.webauthn().sign_up_finish(start.transaction_id, response).await?;
/// # let _ = response; Ok(()) }
/// ```
pub struct SoftAuthenticator {
    origin: String,
    credentials: Mutex<Vec<Credential>>,
}

impl fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("origin", &self.origin)
            .field("credentials", &self.credential_count())
            .finish_non_exhaustive()
    }
}

fn err(message: impl Into<String>) -> EmulatorError {
    EmulatorError::from(format!("software authenticator: {}", message.into()))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// The `publicKey` member of the options (or the options themselves).
fn public_key_options(options: &str) -> Result<Value, EmulatorError> {
    let v: Value =
        serde_json::from_str(options).map_err(|e| err(format!("the options are not JSON: {e}")))?;
    Ok(v.get("publicKey").cloned().unwrap_or(v))
}

fn text(v: &Value, path: &[&str]) -> Result<String, EmulatorError> {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(*p)
            .ok_or_else(|| err(format!("the options have no {}", path.join("."))))?;
    }
    cur.as_str()
        .map(str::to_string)
        .ok_or_else(|| err(format!("{} is not a string", path.join("."))))
}

impl SoftAuthenticator {
    /// An authenticator with no credentials, used from pages at `origin` (for example
    /// `https://app.example.com`; the relying party ID is its host).
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            credentials: Mutex::new(Vec::new()),
        }
    }

    /// The origin it writes into the client data.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many credentials it holds.
    pub fn credential_count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Credential>> {
        self.credentials.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`create`](Self::create) when `create` is true (the start's `create` field), else
    /// [`get`](Self::get).
    pub fn respond(&self, options: &str, create: bool) -> Result<String, EmulatorError> {
        if create {
            self.create(options)
        } else {
            self.get(options)
        }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// Registers a new credential (`navigator.credentials.create()`): returns the JSON
    /// `response` for sign-up or update finish.
    pub fn create(&self, options: &str) -> Result<String, EmulatorError> {
        let pk = public_key_options(options)?;
        let challenge = text(&pk, &["challenge"])?;
        let rp_id = text(&pk, &["rp", "id"])?;
        let user_handle = text(&pk, &["user", "id"])?;
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|_| err("could not generate a P-256 key"))?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|e| err(format!("could not load the generated key: {e}")))?;
        let point = pair.public_key().as_ref();
        if point.len() != 65 {
            return Err(err("unexpected public key length"));
        }
        let id = crate::util::random_bytes(32);
        let cose = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point[1..33].to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point[33..65].to_vec()),
            ),
        ]);
        let mut auth_data = sha256(rp_id.as_bytes());
        auth_data.push(UP | UV | AT);
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&(id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&id);
        ciborium::into_writer(&cose, &mut auth_data)
            .map_err(|e| err(format!("could not encode the key: {e}")))?;
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let mut att_bytes = Vec::new();
        ciborium::into_writer(&attestation, &mut att_bytes)
            .map_err(|e| err(format!("could not encode the attestation: {e}")))?;
        let client_data = self.client_data("webauthn.create", &challenge);
        self.lock().push(Credential {
            id: id.clone(),
            rp_id,
            user_handle,
            pkcs8: pkcs8.as_ref().to_vec(),
            sign_count: 0,
        });
        Ok(json!({
            "id": b64(&id),
            "rawId": b64(&id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&att_bytes),
            },
            "clientExtensionResults": {},
        })
        .to_string())
    }

    /// Signs an assertion (`navigator.credentials.get()`) with a credential it holds for the
    /// relying party (one listed in `allowCredentials`, when the options list any): returns the
    /// JSON `response` for sign-in finish.
    pub fn get(&self, options: &str) -> Result<String, EmulatorError> {
        let pk = public_key_options(options)?;
        let challenge = text(&pk, &["challenge"])?;
        let rp_id = text(&pk, &["rpId"])?;
        let allowed: Vec<String> = pk
            .get("allowCredentials")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut creds = self.lock();
        let cred = creds
            .iter_mut()
            .rev()
            .find(|c| c.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&b64(&c.id))))
            .ok_or_else(|| {
                err(format!(
                    "it holds no credential for {rp_id} that the options allow"
                ))
            })?;
        cred.sign_count += 1;
        let mut auth_data = sha256(rp_id.as_bytes());
        auth_data.push(UP | UV);
        auth_data.extend_from_slice(&cred.sign_count.to_be_bytes());
        let client_data = self.client_data("webauthn.get", &challenge);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&sha256(&client_data));
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &cred.pkcs8, &rng)
            .map_err(|e| err(format!("could not load the key: {e}")))?;
        let signature = pair
            .sign(&rng, &signed)
            .map_err(|_| err("could not sign the assertion"))?;
        Ok(json!({
            "id": b64(&cred.id),
            "rawId": b64(&cred.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_ref()),
                "userHandle": cred.user_handle,
            },
            "clientExtensionResults": {},
        })
        .to_string())
    }
}
