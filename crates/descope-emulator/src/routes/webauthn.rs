//! WebAuthn (passkeys): registration and assertion ceremonies with P-256 (ES256) credentials
//! and "none" attestation, which is what [`crate::SoftAuthenticator`] (and most platform
//! authenticators asked for no attestation) produce.
//!
//! Start calls answer `{transactionId, options, create}`, where `options` is the JSON string
//! for `navigator.credentials.create()` or `.get()`. Finish calls check the client data (type,
//! challenge, origin), the authenticator data (relying-party ID hash, user-present flag), and
//! then either read the new credential's COSE key (registration) or verify the ES256
//! signature and the signature counter (assertion).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Extension, Json, Router};
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use ciborium::Value as Cbor;
use serde_json::{json, Value};

use crate::app::{App, Core};
use crate::error::{ApiError, ApiResult};
use crate::model::{PasskeyRecord, SessionRecord, UserRecord};
use crate::routes::passwordless::new_user;
use crate::util::*;
use crate::ClientIp;

/// The most ceremonies kept waiting.
const PENDING_CAP: usize = 10_000;
/// COSE algorithm ES256.
const ES256: i128 = -7;

#[derive(Clone)]
enum Ceremony {
    /// A registration that creates the user (or, from sign-up-or-in, adds the passkey to an
    /// existing user who has none).
    SignUp {
        login_id: String,
        user: Value,
        /// Sign-up-or-in for an existing user without a passkey: the passkey is added to it.
        attach: bool,
    },
    SignIn {
        user_id: String,
    },
    /// A passkey added to a signed-in user.
    Update {
        user_id: String,
    },
}

#[derive(Clone)]
struct Transaction {
    ceremony: Ceremony,
    challenge: String,
    origin: String,
    rp_id: String,
    options: Value,
    prior: Option<SessionRecord>,
    expires: i64,
}

/// Ceremonies waiting for their finish call (in memory only).
#[derive(Default)]
pub struct WebAuthnState {
    pending: HashMap<String, Transaction>,
}

impl fmt::Debug for WebAuthnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebAuthnState")
            .field("pending", &self.pending.len())
            .finish()
    }
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/auth/webauthn/signup/start", post(sign_up_start))
        .route("/v1/auth/webauthn/signin/start", post(sign_in_start))
        .route(
            "/v1/auth/webauthn/signup-in/start",
            post(sign_up_or_in_start),
        )
        .route("/v1/auth/webauthn/update/start", post(update_start))
        .route("/v1/auth/webauthn/signup/finish", post(finish))
        .route("/v1/auth/webauthn/signin/finish", post(finish))
        .route("/v1/auth/webauthn/update/finish", post(update_finish))
}

/// The relying-party ID of an origin: its host.
fn rp_id_of(origin: &str) -> ApiResult<String> {
    let uri: Result<http::Uri, _> = origin.parse();
    match uri {
        Ok(u) if u.scheme().is_some() => u
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
            .ok_or_else(|| ApiError::bad_request(format!("The origin {origin:?} has no host"))),
        _ => Err(ApiError::bad_request(format!(
            "The origin {origin:?} is not an origin such as https://app.example.com"
        ))),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Base64url (or standard base64), with or without padding.
fn unb64(field: &str, s: &str) -> ApiResult<Vec<u8>> {
    let t = s.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .map_err(|_| ApiError::bad_request(format!("The response's {field} is not base64url")))
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// Stores a new ceremony and answers the start call.
fn begin(core: &mut Core, tx: Transaction, public_key: Value, create: bool) -> Value {
    let t = now();
    let pending = &mut core.eph.webauthn.pending;
    pending.retain(|_, x| x.expires > t);
    if pending.len() >= PENDING_CAP {
        if let Some(oldest) = pending
            .iter()
            .min_by_key(|(_, x)| x.expires)
            .map(|(k, _)| k.clone())
        {
            pending.remove(&oldest);
        }
    }
    let id = random_id("W", 31);
    pending.insert(id.clone(), tx);
    json!({
        "transactionId": id,
        "options": json!({"publicKey": public_key}).to_string(),
        "create": create,
    })
}

fn new_transaction(
    app: &App,
    ceremony: Ceremony,
    origin: &str,
    options: Value,
    prior: Option<SessionRecord>,
) -> ApiResult<Transaction> {
    Ok(Transaction {
        ceremony,
        challenge: b64(&random_bytes(32)),
        origin: origin.to_string(),
        rp_id: rp_id_of(origin)?,
        options,
        prior,
        expires: now() + app.settings.code_ttl,
    })
}

/// `navigator.credentials.create()` options.
fn creation_options(
    tx: &Transaction,
    login_id: &str,
    name: &str,
    handle: &str,
    exclude: &[PasskeyRecord],
) -> Value {
    json!({
        "challenge": tx.challenge,
        "rp": {"id": tx.rp_id, "name": "Descope emulator"},
        "user": {
            "id": handle,
            "name": login_id,
            "displayName": if name.is_empty() { login_id } else { name },
        },
        "pubKeyCredParams": [{"type": "public-key", "alg": ES256 as i64}],
        "timeout": 60_000,
        "attestation": "none",
        "excludeCredentials": exclude
            .iter()
            .map(|p| json!({"type": "public-key", "id": p.credential_id}))
            .collect::<Vec<_>>(),
        "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
    })
}

/// `navigator.credentials.get()` options.
fn request_options(tx: &Transaction, user: &UserRecord) -> Value {
    json!({
        "challenge": tx.challenge,
        "rpId": tx.rp_id,
        "timeout": 60_000,
        "userVerification": "preferred",
        "allowCredentials": user
            .passkeys
            .iter()
            .filter(|p| p.rp_id == tx.rp_id)
            .map(|p| json!({"type": "public-key", "id": p.credential_id}))
            .collect::<Vec<_>>(),
    })
}

fn login_options(body: &Value) -> Value {
    body.get("loginOptions")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}))
}

fn sign_in_transaction(
    app: &App,
    core: &mut Core,
    user: &UserRecord,
    origin: &str,
    options: Value,
    prior: Option<SessionRecord>,
) -> ApiResult<Value> {
    if user.status == "disabled" {
        return Err(ApiError::forbidden("The user is disabled"));
    }
    let tx = new_transaction(
        app,
        Ceremony::SignIn {
            user_id: user.user_id.clone(),
        },
        origin,
        options,
        prior,
    )?;
    if !user.passkeys.iter().any(|p| p.rp_id == tx.rp_id) {
        return Err(ApiError::bad_request(format!(
            "The user has no passkey for {}: register one with webauthn sign-up or update",
            tx.rp_id
        )));
    }
    let pk = request_options(&tx, user);
    Ok(begin(core, tx, pk, false))
}

fn sign_up_transaction(
    app: &App,
    core: &mut Core,
    login_id: &str,
    user_obj: Value,
    origin: &str,
    attach: bool,
) -> ApiResult<Value> {
    let name = s(&user_obj, "name");
    let tx = new_transaction(
        app,
        Ceremony::SignUp {
            login_id: login_id.to_string(),
            user: user_obj,
            attach,
        },
        origin,
        json!({}),
        None,
    )?;
    let pk = creation_options(&tx, login_id, &name, &b64(&random_bytes(16)), &[]);
    Ok(begin(core, tx, pk, true))
}

async fn sign_up_start(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let user = body
        .get("user")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let login_id = req(&user, "loginId")
        .map_err(|_| ApiError::bad_request("The user.loginId field is required"))?;
    let origin = req(&body, "origin")?;
    app.tx(|core| {
        if core.store.data.user_by_login(&login_id).is_some() {
            return Err(ApiError::conflict(format!(
                "A user with login ID {login_id:?} already exists"
            )));
        }
        sign_up_transaction(&app, core, &login_id, user, &origin, false).map(Json)
    })
}

async fn sign_in_start(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let origin = req(&body, "origin")?;
    let options = login_options(&body);
    app.tx(|core| {
        let prior = if b(&options, "stepup") || b(&options, "mfa") {
            Some(app.session_of(core, &headers)?.0)
        } else {
            None
        };
        let user = core
            .store
            .data
            .user_by_login(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
        if let Some(p) = &prior {
            if p.user_id != user.user_id {
                return Err(ApiError::unauthorized(
                    "The refresh token belongs to another user",
                ));
            }
        }
        sign_in_transaction(&app, core, &user, &origin, options, prior).map(Json)
    })
}

async fn sign_up_or_in_start(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let origin = req(&body, "origin")?;
    let rp_id = rp_id_of(&origin)?;
    app.tx(|core| {
        let existing = core.store.data.user_by_login(&login_id).cloned();
        match existing {
            Some(u) if u.passkeys.iter().any(|p| p.rp_id == rp_id) => {
                sign_in_transaction(&app, core, &u, &origin, json!({}), None).map(Json)
            }
            Some(u) if u.status == "disabled" => Err(ApiError::forbidden("The user is disabled")),
            Some(_) => {
                sign_up_transaction(&app, core, &login_id, json!({}), &origin, true).map(Json)
            }
            None => sign_up_transaction(&app, core, &login_id, json!({}), &origin, false).map(Json),
        }
    })
}

async fn update_start(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let origin = s(&body, "origin");
    if origin.is_empty() {
        return Err(ApiError::bad_request(
            "The emulator needs the origin (it derives the relying-party ID from it)",
        ));
    }
    let mfa = b(&body, "mfa");
    app.tx(|core| {
        let (session, user) = app.session_of(core, &headers)?;
        if !user.login_ids.contains(&login_id) {
            return Err(ApiError::bad_request(
                "The login ID does not belong to the refresh token's user",
            ));
        }
        let tx = new_transaction(
            &app,
            Ceremony::Update {
                user_id: user.user_id.clone(),
            },
            &origin,
            json!({}),
            if mfa { Some(session) } else { None },
        )?;
        let pk = creation_options(
            &tx,
            &login_id,
            &user.name,
            &b64(user.user_id.as_bytes()),
            &user.passkeys,
        );
        Ok(Json(begin(core, tx, pk, true)))
    })
}

/// The finish body: the transaction and the browser's answer (a JSON string, or an object).
fn finish_body(body: &Bytes) -> ApiResult<(String, Value)> {
    let body = parse_body(body)?;
    let tid = req(&body, "transactionId")?;
    let response = match body.get("response") {
        Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| {
            ApiError::bad_request(format!("The response is not the credential's JSON: {e}"))
        })?,
        Some(v @ Value::Object(_)) => v.clone(),
        _ => return Err(ApiError::bad_request("The response field is required")),
    };
    Ok((tid, response))
}

/// Takes the transaction (one finish per start) and checks it has not expired.
/// A transaction sent to the wrong finish call stays usable at the right one.
fn take(core: &mut Core, tid: &str, update: bool) -> ApiResult<Transaction> {
    let is_update = match core.eph.webauthn.pending.get(tid) {
        None => {
            return Err(ApiError::unauthorized(
                "The transaction is unknown or was already finished",
            ))
        }
        Some(tx) => matches!(tx.ceremony, Ceremony::Update { .. }),
    };
    if is_update && !update {
        return Err(ApiError::bad_request(
            "This transaction adds a passkey: finish it with /v1/auth/webauthn/update/finish",
        ));
    }
    if !is_update && update {
        return Err(ApiError::bad_request(
            "This transaction is a sign-up or sign-in: finish it with signup/finish or signin/finish",
        ));
    }
    let tx = core.eph.webauthn.pending.remove(tid).ok_or_else(|| {
        ApiError::unauthorized("The transaction is unknown or was already finished")
    })?;
    if tx.expires <= now() {
        return Err(ApiError::unauthorized("The transaction has expired"));
    }
    Ok(tx)
}

fn field<'a>(response: &'a Value, name: &str) -> ApiResult<&'a str> {
    response
        .get("response")
        .and_then(|r| r.get(name))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request(format!("The response has no response.{name}")))
}

/// The credential ID the browser reports (`rawId`, else `id`).
fn credential_id(response: &Value) -> ApiResult<String> {
    let raw = response
        .get("rawId")
        .or_else(|| response.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("The response has no credential id"))?;
    Ok(b64(&unb64("rawId", raw)?))
}

/// Checks the client data and returns its bytes.
fn check_client_data(response: &Value, tx: &Transaction, kind: &str) -> ApiResult<Vec<u8>> {
    let bytes = unb64("clientDataJSON", field(response, "clientDataJSON")?)?;
    let cd: Value = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::bad_request("The clientDataJSON is not JSON"))?;
    if s(&cd, "type") != kind {
        return Err(ApiError::unauthorized(format!(
            "The client data type is {:?}, expected {kind:?}",
            s(&cd, "type")
        )));
    }
    let challenge = unb64("challenge", &s(&cd, "challenge"))?;
    if b64(&challenge) != tx.challenge {
        return Err(ApiError::unauthorized(
            "The client data challenge is not this transaction's",
        ));
    }
    if s(&cd, "origin") != tx.origin {
        return Err(ApiError::unauthorized(format!(
            "The client data origin {:?} is not the start's {:?}",
            s(&cd, "origin"),
            tx.origin
        )));
    }
    Ok(bytes)
}

/// Checks the relying-party hash and the user-present flag; returns (flags, counter).
fn check_auth_data(data: &[u8], tx: &Transaction) -> ApiResult<(u8, u32)> {
    if data.len() < 37 {
        return Err(ApiError::bad_request("The authenticator data is too short"));
    }
    if data[..32] != sha256(tx.rp_id.as_bytes())[..] {
        return Err(ApiError::unauthorized(format!(
            "The authenticator data is for another relying party than {}",
            tx.rp_id
        )));
    }
    let flags = data[32];
    if flags & 0x01 == 0 {
        return Err(ApiError::unauthorized(
            "The user was not present (UP flag unset)",
        ));
    }
    let counter = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
    Ok((flags, counter))
}

fn cbor_get<'a>(map: &'a [(Cbor, Cbor)], key: &Cbor) -> Option<&'a Cbor> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn cbor_int(v: Option<&Cbor>) -> Option<i128> {
    match v {
        Some(Cbor::Integer(i)) => Some(i128::from(*i)),
        _ => None,
    }
}

/// Reads a registration: checks it and returns the new passkey.
fn verify_registration(response: &Value, tx: &Transaction) -> ApiResult<PasskeyRecord> {
    check_client_data(response, tx, "webauthn.create")?;
    let att = unb64("attestationObject", field(response, "attestationObject")?)?;
    let bad = |m: &str| ApiError::bad_request(format!("The attestationObject {m}"));
    let att: Cbor = ciborium::from_reader(att.as_slice()).map_err(|_| bad("is not CBOR"))?;
    let Cbor::Map(att) = att else {
        return Err(bad("is not a CBOR map"));
    };
    match cbor_get(&att, &Cbor::Text("fmt".into())) {
        Some(Cbor::Text(f)) if f == "none" => {}
        Some(Cbor::Text(f)) => {
            return Err(ApiError::bad_request(format!(
                "The emulator only accepts \"none\" attestation, not {f:?}: ask the \
                 authenticator for attestation \"none\" (the options do)"
            )))
        }
        _ => return Err(bad("has no fmt")),
    }
    let Some(Cbor::Bytes(data)) = cbor_get(&att, &Cbor::Text("authData".into())) else {
        return Err(bad("has no authData"));
    };
    let (flags, counter) = check_auth_data(data, tx)?;
    if flags & 0x40 == 0 || data.len() < 55 {
        return Err(bad("carries no attested credential data"));
    }
    let id_len = u16::from_be_bytes([data[53], data[54]]) as usize;
    let id_end = 55 + id_len;
    if data.len() <= id_end {
        return Err(bad("has a truncated credential"));
    }
    let id = b64(&data[55..id_end]);
    if id != credential_id(response)? {
        return Err(ApiError::bad_request(
            "The credential ID in the authenticator data is not the response's rawId",
        ));
    }
    let key: Cbor =
        ciborium::from_reader(&data[id_end..]).map_err(|_| bad("has a bad COSE key"))?;
    let Cbor::Map(key) = key else {
        return Err(bad("has a COSE key that is not a map"));
    };
    let int_key = |k: i64| Cbor::Integer(k.into());
    let (kty, alg, crv) = (
        cbor_int(cbor_get(&key, &int_key(1))),
        cbor_int(cbor_get(&key, &int_key(3))),
        cbor_int(cbor_get(&key, &int_key(-1))),
    );
    if kty != Some(2) || alg != Some(ES256) || crv != Some(1) {
        return Err(ApiError::bad_request(
            "The emulator only accepts ES256 (P-256) passkeys: COSE kty 2, alg -7, crv 1",
        ));
    }
    let (Some(Cbor::Bytes(x)), Some(Cbor::Bytes(y))) =
        (cbor_get(&key, &int_key(-2)), cbor_get(&key, &int_key(-3)))
    else {
        return Err(bad("has a COSE key without x and y"));
    };
    if x.len() != 32 || y.len() != 32 {
        return Err(bad("has a COSE key with bad coordinates"));
    }
    let mut point = vec![0x04];
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    Ok(PasskeyRecord {
        credential_id: id,
        public_key: b64(&point),
        sign_count: counter,
        rp_id: tx.rp_id.clone(),
        created: now(),
    })
}

/// Checks an assertion against the user's passkeys; returns the passkey with its new counter.
fn verify_assertion(
    response: &Value,
    tx: &Transaction,
    user: &UserRecord,
) -> ApiResult<PasskeyRecord> {
    let client_data = check_client_data(response, tx, "webauthn.get")?;
    let id = credential_id(response)?;
    let mut passkey = user
        .passkeys
        .iter()
        .find(|p| p.credential_id == id && p.rp_id == tx.rp_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::unauthorized("The credential is not one of the user's passkeys")
        })?;
    let data = unb64("authenticatorData", field(response, "authenticatorData")?)?;
    let (_, counter) = check_auth_data(&data, tx)?;
    let signature = unb64("signature", field(response, "signature")?)?;
    let point = unb64("publicKey", &passkey.public_key)?;
    let mut signed = data.clone();
    signed.extend_from_slice(&sha256(&client_data));
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &point)
        .verify(&signed, &signature)
        .map_err(|_| ApiError::unauthorized("The assertion signature is wrong"))?;
    if (counter != 0 || passkey.sign_count != 0) && counter <= passkey.sign_count {
        return Err(ApiError::unauthorized(
            "The signature counter did not increase: the authenticator may be cloned",
        ));
    }
    passkey.sign_count = counter;
    Ok(passkey)
}

/// Adds (or replaces, by credential ID) a passkey on a user.
fn add_passkey(core: &Core, user: &mut UserRecord, passkey: PasskeyRecord) -> ApiResult<()> {
    let taken = core.store.data.users.values().any(|u| {
        u.user_id != user.user_id
            && u.passkeys
                .iter()
                .any(|p| p.credential_id == passkey.credential_id)
    });
    if taken {
        return Err(ApiError::conflict(
            "The credential is registered to another user",
        ));
    }
    user.passkeys
        .retain(|p| p.credential_id != passkey.credential_id);
    user.passkeys.push(passkey);
    Ok(())
}

/// `signup/finish` and `signin/finish`: either finishes a sign-up or a sign-in transaction
/// (so a sign-up-or-in start can finish at either).
async fn finish(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (tid, response) = finish_body(&body)?;
    app.tx(|core| {
        let tx = take(core, &tid, false)?;
        let (user, first_seen) = match &tx.ceremony {
            Ceremony::SignUp {
                login_id,
                user,
                attach,
            } => {
                let passkey = verify_registration(&response, &tx)?;
                let (mut record, first) = match core.store.data.user_by_login(login_id).cloned() {
                    Some(u) if *attach && u.passkeys.is_empty() => (u, false),
                    Some(_) => {
                        return Err(ApiError::conflict(format!(
                            "A user with login ID {login_id:?} already exists"
                        )))
                    }
                    None => {
                        let mut u = new_user(login_id, user);
                        if u.email.is_empty() && login_id.contains('@') {
                            u.email = login_id.clone();
                        }
                        (u, true)
                    }
                };
                add_passkey(core, &mut record, passkey)?;
                (record, first)
            }
            Ceremony::SignIn { user_id } => {
                let mut record = core
                    .store
                    .data
                    .users
                    .get(user_id)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found("The user no longer exists"))?;
                let passkey = verify_assertion(&response, &tx, &record)?;
                add_passkey(core, &mut record, passkey)?;
                (record, false)
            }
            Ceremony::Update { .. } => {
                return Err(ApiError::internal(
                    "an update transaction reached sign-in finish",
                ))
            }
        };
        let user_id = user.user_id.clone();
        core.data().put_user(user);
        app.login(
            core,
            &user_id,
            vec!["webauthn".into()],
            &tx.options,
            tx.prior.as_ref(),
            first_seen,
            &ip.0,
        )
        .map(Json)
    })
}

/// `update/finish`: adds the passkey; with `mfa` at the start, answers `{"jwt": …}` for the
/// session with the new factor, else `{}`.
async fn update_finish(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (tid, response) = finish_body(&body)?;
    app.tx(|core| {
        let tx = take(core, &tid, true)?;
        let Ceremony::Update { user_id } = &tx.ceremony else {
            return Err(ApiError::internal(
                "a sign-in transaction reached update finish",
            ));
        };
        let mut user = core
            .store
            .data
            .users
            .get(user_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("The user no longer exists"))?;
        let passkey = verify_registration(&response, &tx)?;
        add_passkey(core, &mut user, passkey)?;
        core.data().put_user(user);
        match &tx.prior {
            Some(prior) => {
                let jwt = app.login(
                    core,
                    user_id,
                    vec!["webauthn".into()],
                    &json!({}),
                    Some(prior),
                    false,
                    &ip.0,
                )?;
                Ok(Json(json!({ "jwt": jwt })))
            }
            None => Ok(Json(json!({}))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_id_is_the_origin_host() {
        assert_eq!(
            rp_id_of("https://app.example.com").unwrap(),
            "app.example.com"
        );
        assert_eq!(rp_id_of("http://localhost:3000").unwrap(), "localhost");
        assert!(rp_id_of("app.example.com").is_err());
    }

    #[test]
    fn base64_is_read_with_or_without_padding_in_either_alphabet() {
        assert_eq!(unb64("x", "_-8").unwrap(), vec![0xff, 0xef]);
        assert_eq!(unb64("x", "/+8=").unwrap(), vec![0xff, 0xef]);
        assert!(unb64("x", "***").is_err());
    }
}
