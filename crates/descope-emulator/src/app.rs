//! Shared state and the logic every flow uses: credentials, sessions, token issuing.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use axum::http::HeaderMap;
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::keys::KeyRing;
use crate::model::*;
use crate::store::{Data, Store};
use crate::util::{now, random_id, secret_eq};
use crate::OutboxMessage;

/// The most outbox messages kept (the oldest go first).
pub const OUTBOX_CAP: usize = 10_000;

/// Lifetimes and limits.
#[derive(Debug, Clone)]
pub struct Settings {
    pub session_ttl: i64,
    pub refresh_ttl: i64,
    pub code_ttl: i64,
    pub key_grace: i64,
    pub rate_limit_per_minute: Option<u32>,
    pub print_outbox: bool,
}

/// What a verified code or link does.
#[derive(Debug, Clone)]
pub enum Action {
    SignIn,
    SignUp(Value),
    SignUpOrIn(Value),
    UpdateEmail {
        user_id: String,
        email: String,
        add_login_id: bool,
    },
    UpdatePhone {
        user_id: String,
        phone: String,
        add_login_id: bool,
    },
}

/// A code or link waiting to be verified.
#[derive(Clone)]
pub struct Pending {
    pub secret: String,
    pub login_id: String,
    /// `email`, `sms`, `voice`, `whatsapp`, or `embedded` (any method verifies it).
    pub method: String,
    pub expires: i64,
    pub action: Action,
    pub options: Value,
    /// The session a step-up or MFA login builds on.
    pub prior: Option<SessionRecord>,
    /// The enchanted-link session this link completes.
    pub pending_ref: Option<String>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("login_id", &self.login_id)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// An enchanted-link session being polled.
#[derive(Debug, Clone)]
pub struct Enchanted {
    pub expires: i64,
    pub result: Option<Value>,
}

/// State that does not survive a restart: codes, links, the outbox.
#[derive(Debug, Default)]
pub struct Ephemeral {
    /// login ID → the latest OTP
    pub codes: HashMap<String, Pending>,
    /// link token → pending link
    pub links: HashMap<String, Pending>,
    /// pendingRef → enchanted session
    pub enchanted: HashMap<String, Enchanted>,
    pub outbox: Vec<OutboxMessage>,
    /// The fake identity provider of OAuth, SSO and SAML.
    pub idp: crate::routes::oauth::IdpState,
    /// WebAuthn ceremonies waiting for their finish call.
    pub webauthn: crate::routes::webauthn::WebAuthnState,
}

/// Everything behind the one lock.
#[derive(Debug)]
pub struct Core {
    pub store: Store,
    pub keys: KeyRing,
    pub eph: Ephemeral,
}

impl Core {
    pub fn data(&mut self) -> &mut Data {
        &mut self.store.data
    }
}

/// The server's shared state.
#[derive(Debug)]
pub struct App {
    pub project_id: String,
    pub management_key: String,
    pub settings: Settings,
    pub base_url: String,
    pub core: Mutex<Core>,
    pub rate: Mutex<(i64, u32)>,
}

/// The parts of `Authorization: Bearer P[:token][:key]`.
#[derive(Debug)]
pub struct Bearer {
    pub parts: Vec<String>,
}

impl App {
    pub fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` under the lock and makes its writes durable before returning.
    pub fn tx<T>(&self, f: impl FnOnce(&mut Core) -> ApiResult<T>) -> ApiResult<T> {
        let mut core = self.lock();
        let out = f(&mut core);
        core.store.flush()?;
        out
    }

    /// Parses the bearer header and checks its project ID.
    pub fn bearer(&self, headers: &HeaderMap) -> ApiResult<Bearer> {
        let raw = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("The Authorization header is missing"))?;
        let value = raw
            .strip_prefix("Bearer ")
            .or_else(|| raw.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::unauthorized("The Authorization header is not a Bearer"))?;
        let mut it = value.split(':');
        let project = it.next().unwrap_or_default();
        if project != self.project_id {
            return Err(ApiError::unauthorized(format!(
                "Unknown project ID {project:?}: this emulator serves {}",
                self.project_id
            )));
        }
        Ok(Bearer {
            parts: it.map(str::to_string).filter(|p| !p.is_empty()).collect(),
        })
    }

    /// Checks `Bearer P:<managementKey>`.
    pub fn require_mgmt(&self, headers: &HeaderMap) -> ApiResult<()> {
        let b = self.bearer(headers)?;
        match b.parts.last() {
            Some(k) if secret_eq(k, &self.management_key) => Ok(()),
            Some(_) => Err(ApiError::unauthorized("The management key is wrong")),
            None => Err(ApiError::unauthorized(
                "A management key is required: send Bearer <projectId>:<managementKey>",
            )),
        }
    }

    /// The refresh token of `Bearer P:RT`, if any.
    pub fn refresh_token(&self, headers: &HeaderMap) -> ApiResult<Option<String>> {
        let b = self.bearer(headers)?;
        Ok(b.parts.into_iter().next().filter(|t| t.contains('.')))
    }

    /// The session and user behind the request's refresh token (401 when missing or invalid).
    pub fn session_of(
        &self,
        core: &Core,
        headers: &HeaderMap,
    ) -> ApiResult<(SessionRecord, UserRecord)> {
        let rt = self.refresh_token(headers)?.ok_or_else(|| {
            ApiError::unauthorized(
                "A refresh token is required: send Bearer <projectId>:<refreshJwt>",
            )
        })?;
        self.session_of_token(core, &rt)
    }

    /// Verifies a refresh token: signature, expiry, kind, and that its session is not revoked.
    pub fn session_of_token(
        &self,
        core: &Core,
        rt: &str,
    ) -> ApiResult<(SessionRecord, UserRecord)> {
        let claims = core
            .keys
            .verify(rt)
            .ok_or_else(|| ApiError::unauthorized("The refresh token is invalid"))?;
        if claims.get("drn").and_then(Value::as_str) != Some("DSR") {
            return Err(ApiError::unauthorized("The token is not a refresh token"));
        }
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp <= now() {
            return Err(ApiError::unauthorized("The refresh token has expired"));
        }
        let sid = claims
            .get("jti")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let session =
            core.store.data.sessions.get(sid).ok_or_else(|| {
                ApiError::unauthorized("The refresh token's session does not exist")
            })?;
        if session.revoked {
            return Err(ApiError::unauthorized("The refresh token has been revoked"));
        }
        let user =
            core.store.data.users.get(&session.user_id).ok_or_else(|| {
                ApiError::unauthorized("The refresh token's user no longer exists")
            })?;
        if user.status == "disabled" {
            return Err(ApiError::forbidden("The user is disabled"));
        }
        Ok((session.clone(), user.clone()))
    }

    /// Adds a message to the outbox (and prints it when configured).
    pub fn send(&self, core: &mut Core, msg: OutboxMessage) {
        if self.settings.print_outbox {
            use std::io::Write;
            // A closed stdout must not take the server down.
            let _ = writeln!(std::io::stdout().lock(), "[outbox] {}", msg.summary());
        }
        core.eph.outbox.push(msg);
        // Keep a long-running emulator's memory bounded.
        if core.eph.outbox.len() > OUTBOX_CAP {
            let excess = core.eph.outbox.len() - OUTBOX_CAP;
            core.eph.outbox.drain(..excess);
        }
    }

    /// Roles, permissions and tenants claims for a set of project roles and tenant links.
    pub fn authz_claims(
        data: &Data,
        roles: &[String],
        tenants: &[TenantLink],
    ) -> (Vec<String>, Vec<String>, Map<String, Value>) {
        let perms_of = |tenant: &str, names: &[String]| -> Vec<String> {
            let mut set = BTreeSet::new();
            for n in names {
                let role = data
                    .roles
                    .get(&RoleRecord::key(tenant, n))
                    .or_else(|| data.roles.get(&RoleRecord::key("", n)));
                if let Some(r) = role {
                    set.extend(r.permission_names.iter().cloned());
                }
            }
            set.into_iter().collect()
        };
        let permissions = perms_of("", roles);
        let mut tmap = Map::new();
        for t in tenants {
            tmap.insert(
                t.tenant_id.clone(),
                json!({"roles": t.role_names, "permissions": perms_of(&t.tenant_id, &t.role_names)}),
            );
        }
        (roles.to_vec(), permissions, tmap)
    }

    fn sign(&self, core: &Core, claims: Value) -> ApiResult<String> {
        core.keys.sign(&claims).map_err(ApiError::internal)
    }

    /// The session JWT of a session record.
    pub fn session_jwt(
        &self,
        core: &Core,
        session: &SessionRecord,
        user: &UserRecord,
    ) -> ApiResult<(String, i64)> {
        let iat = now();
        let exp = iat + self.settings.session_ttl;
        let (roles, permissions, tenants) =
            Self::authz_claims(&core.store.data, &user.role_names, &user.user_tenants);
        let mut claims = Map::new();
        for (k, v) in &session.custom_claims {
            claims.insert(k.clone(), v.clone());
        }
        claims.insert("iss".into(), json!(self.project_id));
        claims.insert("sub".into(), json!(user.user_id));
        claims.insert("iat".into(), json!(iat));
        claims.insert("exp".into(), json!(exp));
        claims.insert("drn".into(), json!("DS"));
        claims.insert("amr".into(), json!(session.amr));
        claims.insert("roles".into(), json!(roles));
        claims.insert("permissions".into(), json!(permissions));
        claims.insert("tenants".into(), Value::Object(tenants));
        if let Some(dct) = &session.dct {
            claims.insert("dct".into(), json!(dct));
        }
        Ok((self.sign(core, Value::Object(claims))?, exp))
    }

    /// The refresh JWT of a session record.
    pub fn refresh_jwt(
        &self,
        core: &Core,
        session: &SessionRecord,
        user: &UserRecord,
    ) -> ApiResult<String> {
        let (roles, permissions, tenants) =
            Self::authz_claims(&core.store.data, &user.role_names, &user.user_tenants);
        let mut claims = Map::new();
        for (k, v) in &session.custom_claims {
            claims.insert(k.clone(), v.clone());
        }
        claims.insert("iss".into(), json!(self.project_id));
        claims.insert("sub".into(), json!(user.user_id));
        claims.insert("jti".into(), json!(session.id));
        claims.insert("iat".into(), json!(session.created));
        claims.insert("exp".into(), json!(session.expires));
        claims.insert("drn".into(), json!("DSR"));
        claims.insert("amr".into(), json!(session.amr));
        claims.insert("roles".into(), json!(roles));
        claims.insert("permissions".into(), json!(permissions));
        claims.insert("tenants".into(), Value::Object(tenants));
        if let Some(dct) = &session.dct {
            claims.insert("dct".into(), json!(dct));
        }
        self.sign(core, Value::Object(claims))
    }

    /// The JWT response body: tokens, cookie data, the user.
    pub fn jwt_response(
        &self,
        core: &Core,
        session: &SessionRecord,
        user: &UserRecord,
        with_refresh: bool,
        first_seen: bool,
    ) -> ApiResult<Value> {
        let (session_jwt, exp) = self.session_jwt(core, session, user)?;
        let mut body = json!({
            "sessionJwt": session_jwt,
            "cookieDomain": "",
            "cookiePath": "/",
            "cookieMaxAge": self.settings.refresh_ttl,
            "cookieExpiration": session.expires,
            "sessionExpiration": exp,
            "user": user.to_api(&core.store.data.tenants),
            "firstSeen": first_seen,
        });
        if with_refresh {
            body["refreshJwt"] = json!(self.refresh_jwt(core, session, user)?);
        }
        Ok(body)
    }

    /// Starts a new session for `user` and returns the JWT response.
    #[allow(clippy::too_many_arguments)]
    pub fn login(
        &self,
        core: &mut Core,
        user_id: &str,
        amr: Vec<String>,
        options: &Value,
        prior: Option<&SessionRecord>,
        first_seen: bool,
        ip: &str,
    ) -> ApiResult<Value> {
        let mut user = core
            .store
            .data
            .users
            .get(user_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("The user does not exist"))?;
        if let Some(p) = prior {
            if p.user_id != user.user_id {
                return Err(ApiError::unauthorized(
                    "The refresh token belongs to another user: a step-up or MFA sign-in must be for the session's own user",
                ));
            }
        }
        if user.status == "disabled" {
            return Err(ApiError::forbidden("The user is disabled"));
        }
        if user.status == "invited" {
            user.status = "enabled".into();
            core.data().put_user(user.clone());
        }
        let mut amr_all = prior.map(|p| p.amr.clone()).unwrap_or_default();
        for a in amr {
            if !amr_all.contains(&a) {
                amr_all.push(a);
            }
        }
        let mut custom = prior.map(|p| p.custom_claims.clone()).unwrap_or_default();
        if let Some(cc) = options.get("customClaims").and_then(Value::as_object) {
            for (k, v) in cc {
                custom.insert(k.clone(), v.clone());
            }
        }
        let t = now();
        let session = SessionRecord {
            id: random_id("S", 27),
            user_id: user.user_id.clone(),
            created: t,
            expires: t + self.settings.refresh_ttl,
            revoked: false,
            amr: amr_all,
            dct: prior.and_then(|p| p.dct.clone()),
            custom_claims: custom,
        };
        if options.get("revokeOtherSessions").and_then(Value::as_bool) == Some(true) {
            revoke_user_sessions(core.data(), &user.user_id);
        }
        core.data().put_session(session.clone());
        core.data().add_login(LoginRecord {
            id: random_id("L", 20),
            user_id: user.user_id.clone(),
            login_time: t,
            ip: ip.to_string(),
        });
        self.jwt_response(core, &session, &user, true, first_seen)
    }
}

/// Revokes every session of a user.
pub fn revoke_user_sessions(data: &mut Data, user_id: &str) {
    let sessions: Vec<SessionRecord> = data
        .sessions
        .values()
        .filter(|s| s.user_id == user_id && !s.revoked)
        .cloned()
        .collect();
    for mut s in sessions {
        s.revoked = true;
        data.put_session(s);
    }
}
