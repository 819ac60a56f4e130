//! The validated session and its claims.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use descope_core::{Error, Result, TokenErrorKind};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::jws::malformed;
use crate::keys::{Algorithm, VerifyingKey};

/// The roles and permissions a token grants in one tenant (`tenants.<id>` claim).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct TenantClaims {
    /// Role names in the tenant.
    pub roles: Vec<String>,
    /// Permissions in the tenant.
    pub permissions: Vec<String>,
}

/// A session (or refresh) token whose signature, time claims, issuer and audience were verified.
///
/// Only validation can make one, so holding a `Session` means the token was valid when it was
/// made. Cheap to clone (one `Arc`). Its `Debug` output never shows the token itself.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    token: Box<str>,
    /// The decoded payload: the claims are parsed into JSON values only when asked for.
    payload: Vec<u8>,
    claims: OnceLock<Value>,
    derived: OnceLock<Derived>,
    core: CoreClaims,
    key: Option<Arc<VerifyingKey>>,
}

/// Claims pulled out of the payload once, at validation time.
#[derive(Debug, Default)]
pub(crate) struct CoreClaims {
    pub exp: i64,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub aud: Aud,
    /// `iss`, the user ID and `dct` one after the other, in one allocation.
    text: String,
    iss_len: Option<usize>,
    user_id_len: usize,
    dct_len: Option<usize>,
}

/// Claims read only when asked for (roles, permissions, tenants, amr), from the JSON tree.
#[derive(Debug, Default)]
struct Derived {
    roles: Vec<String>,
    permissions: Vec<String>,
    tenants: BTreeMap<String, TenantClaims>,
    amr: Vec<String>,
}

impl Derived {
    fn of(claims: &Map<String, Value>) -> Self {
        let tenants = match claims.get("tenants") {
            Some(Value::Object(t)) => t
                .iter()
                .map(|(id, v)| {
                    let o = v.as_object();
                    (
                        id.clone(),
                        TenantClaims {
                            roles: strings(o.and_then(|o| o.get("roles"))),
                            permissions: strings(o.and_then(|o| o.get("permissions"))),
                        },
                    )
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Self {
            roles: strings(claims.get("roles")),
            permissions: strings(claims.get("permissions")),
            tenants,
            amr: strings(claims.get("amr")),
        }
    }
}

/// The `aud` claim as the audience rules see it.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Aud {
    /// Absent, or a falsy value (`""`, `[]`, `null`, `false`, `0`, `{}`).
    #[default]
    Empty,
    /// A string or a list of strings.
    Values(Vec<String>),
    /// Present but neither a string nor a list of strings (such as `123`).
    Invalid,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// The project ID an `iss` names: the whole value, or the last path segment of a URL.
fn project_of(iss: &str) -> &str {
    iss.rsplit('/').next().unwrap_or(iss)
}

/// A time claim: a JSON number (fractional seconds are truncated, as the official SDK does).
struct Time(i64);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Time, E> {
                Ok(Time(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Time, E> {
                Ok(Time(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Time, E> {
                Ok(Time(v.trunc() as i64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A claim that must be a string: the string (borrowed from the payload unless it has
/// escapes), or a note that it was something else. Reads no JSON tree.
enum StrOrOther<'a> {
    Str(Cow<'a, str>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for StrOrOther<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = StrOrOther<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Str(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Other)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
                Ok(StrOrOther::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(StrOrOther::Other)
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(StrOrOther::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The claims the SDK reads, borrowed from the payload where it can.
#[derive(Deserialize)]
struct RawClaims<'a> {
    #[serde(default)]
    exp: Option<Time>,
    #[serde(default)]
    nbf: Option<Time>,
    #[serde(default)]
    iat: Option<Time>,
    #[serde(default, borrow)]
    iss: Option<StrOrOther<'a>>,
    #[serde(default)]
    aud: Option<Value>,
    #[serde(default, borrow)]
    sub: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dsub: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dct: Option<Cow<'a, str>>,
}

impl CoreClaims {
    /// Reads the claims the SDK relies on, without building a JSON tree. Refuses a payload that
    /// is not a JSON object, a missing `exp`, and time claims that are not numbers.
    pub(crate) fn parse<'a>(payload: &'a [u8]) -> Result<CoreClaims> {
        let first = payload.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(malformed("the payload is not a JSON object"));
        }
        // Checked once here, so that the parser does not check each string again.
        let text = std::str::from_utf8(payload)
            .map_err(|_| malformed("the payload is not JSON (it is not UTF-8)"))?;
        let raw: RawClaims<'_> = serde_json::from_str(text).map_err(|e| {
            malformed(if e.is_syntax() || e.is_eof() {
                "the payload is not JSON".to_owned()
            } else {
                format!("a claim has the wrong type: {e}")
            })
        })?;
        let exp = raw.exp.ok_or_else(|| {
            malformed("the exp claim is missing; Descope tokens always carry one")
        })?;
        let iss = match raw.iss {
            None => None,
            Some(StrOrOther::Str(s)) => Some(s),
            Some(StrOrOther::Other) => {
                return Err(Error::token(
                    TokenErrorKind::WrongIssuer,
                    "iss is not a string",
                ))
            }
        };
        let aud = match raw.aud {
            None => Aud::Empty,
            Some(v) if is_falsy(&v) => Aud::Empty,
            Some(Value::String(s)) => Aud::Values(vec![s]),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => Aud::Values(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            Some(_) => Aud::Invalid,
        };
        let nonempty = |v: Option<Cow<'a, str>>| v.filter(|s| !s.is_empty());
        let user_id = nonempty(raw.dsub).or_else(|| nonempty(raw.sub));
        let dct = nonempty(raw.dct);
        let (iss, user_id, dct) = (
            iss.as_deref(),
            user_id.as_deref().unwrap_or(""),
            dct.as_deref(),
        );
        let mut text = String::with_capacity(
            iss.map_or(0, str::len) + user_id.len() + dct.map_or(0, str::len),
        );
        text.push_str(iss.unwrap_or(""));
        text.push_str(user_id);
        text.push_str(dct.unwrap_or(""));
        Ok(CoreClaims {
            exp: exp.0,
            nbf: raw.nbf.map(|t| t.0),
            iat: raw.iat.map(|t| t.0),
            aud,
            text,
            iss_len: iss.map(str::len),
            user_id_len: user_id.len(),
            dct_len: dct.map(str::len),
        })
    }

    /// The `iss` claim.
    pub(crate) fn iss(&self) -> Option<&str> {
        self.iss_len.and_then(|n| self.text.get(..n))
    }

    /// The user ID: `dsub` when present and not empty, else `sub`, else "".
    pub(crate) fn user_id(&self) -> &str {
        let start = self.iss_len.unwrap_or(0);
        self.text
            .get(start..start + self.user_id_len)
            .unwrap_or_default()
    }

    /// The `dct` claim, when present and not empty.
    pub(crate) fn dct(&self) -> Option<&str> {
        let start = self.iss_len.unwrap_or(0) + self.user_id_len;
        self.dct_len.and_then(|n| self.text.get(start..start + n))
    }

    /// The project ID `iss` names (its last path segment), or "" without `iss`.
    pub(crate) fn project_id(&self) -> &str {
        self.iss().map(project_of).unwrap_or("")
    }

    /// `nbf` and `iat` not in the future, `exp` not in the past (each with `leeway`).
    pub(crate) fn check_time(&self, now: i64, leeway: i64) -> Result<()> {
        if let Some(iat) = self.iat {
            if iat > now.saturating_add(leeway) {
                return Err(Error::token(
                    TokenErrorKind::NotYetValid,
                    format!("iat is {}s in the future (leeway {leeway}s)", iat - now),
                ));
            }
        }
        if let Some(nbf) = self.nbf {
            if nbf > now.saturating_add(leeway) {
                return Err(Error::token(
                    TokenErrorKind::NotYetValid,
                    format!("nbf is {}s in the future (leeway {leeway}s)", nbf - now),
                ));
            }
        }
        self.check_exp(now, leeway)
    }

    pub(crate) fn check_exp(&self, now: i64, leeway: i64) -> Result<()> {
        if self.exp <= now.saturating_sub(leeway) {
            return Err(Error::token(
                TokenErrorKind::Expired,
                format!(
                    "it expired {}s ago (leeway {leeway}s); refresh the session",
                    now.saturating_sub(self.exp)
                ),
            ));
        }
        Ok(())
    }

    /// `iss` must be the project ID, or a URL whose last path segment is the project ID.
    pub(crate) fn check_issuer(&self, project_id: &str) -> Result<()> {
        let ok = match self.iss() {
            Some(iss) if iss == project_id => true,
            Some(iss) => {
                (iss.starts_with("https://") || iss.starts_with("http://"))
                    && project_of(iss) == project_id
            }
            None => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::token(
                TokenErrorKind::WrongIssuer,
                match self.iss() {
                    Some(iss) => format!("iss {iss:?} does not name project {project_id}"),
                    None => "the iss claim is missing".to_owned(),
                },
            ))
        }
    }

    /// The audience rules of the official SDK. With no expected audience, a token without `aud`
    /// (or with an empty one) passes, a token whose `aud` is or contains the project ID passes,
    /// and any other `aud` fails. With expected audiences, the token's `aud` must contain one.
    pub(crate) fn check_audience(&self, expected: &[&str], project_id: &str) -> Result<()> {
        let wrong = |d: &str| Err(Error::token(TokenErrorKind::WrongAudience, d.to_owned()));
        match (&self.aud, expected.is_empty()) {
            (Aud::Empty, true) => Ok(()),
            (Aud::Values(v), true) if v.iter().any(|a| a == project_id) => Ok(()),
            (_, true) => {
                wrong("the token has an aud claim but no audience was given to check it against")
            }
            (Aud::Empty, false) => wrong("the token has no aud claim"),
            (Aud::Invalid, false) => {
                wrong("the token's aud claim is neither a string nor a list of strings")
            }
            (Aud::Values(v), false) => {
                if expected.iter().any(|e| v.iter().any(|a| a == e)) {
                    Ok(())
                } else {
                    wrong("the token's aud claim does not contain the expected audience")
                }
            }
        }
    }
}

fn matched<S: AsRef<str>>(granted: &[String], wanted: &[S]) -> Vec<String> {
    wanted
        .iter()
        .map(AsRef::as_ref)
        .filter(|w| granted.iter().any(|g| g == w))
        .map(str::to_owned)
        .collect()
}

fn all_granted<S: AsRef<str>>(granted: &[String], wanted: &[S]) -> bool {
    wanted
        .iter()
        .all(|w| granted.iter().any(|g| g == w.as_ref()))
}

/// Which list a helper reads.
#[derive(Clone, Copy)]
pub(crate) enum Grant {
    Roles,
    Permissions,
}

/// The granted list for `tenant` ("" = top level), or `None` when the session is missing or
/// empty, or the tenant is not in its `tenants` claim.
pub(crate) fn granted<'s>(
    session: Option<&'s Session>,
    tenant: &str,
    what: Grant,
) -> Option<&'s [String]> {
    let s = session?;
    if s.is_empty_claims() {
        return None;
    }
    let d = s.derived();
    if tenant.is_empty() {
        return Some(match what {
            Grant::Roles => &d.roles,
            Grant::Permissions => &d.permissions,
        });
    }
    let t = d.tenants.get(tenant)?;
    Some(match what {
        Grant::Roles => &t.roles,
        Grant::Permissions => &t.permissions,
    })
}

/// `validate_*`: every requested item is granted (an empty request is granted). False for a
/// missing or empty session and for a tenant the session does not have.
pub(crate) fn validate<S: AsRef<str>>(
    session: Option<&Session>,
    tenant: &str,
    what: Grant,
    wanted: &[S],
) -> bool {
    granted(session, tenant, what).is_some_and(|g| all_granted(g, wanted))
}

/// `get_matched_*`: the requested items that are granted, in request order, duplicates kept.
pub(crate) fn matched_in<S: AsRef<str>>(
    session: Option<&Session>,
    tenant: &str,
    what: Grant,
    wanted: &[S],
) -> Vec<String> {
    granted(session, tenant, what)
        .map(|g| matched(g, wanted))
        .unwrap_or_default()
}

impl Session {
    pub(crate) fn new(
        token: &str,
        payload: Vec<u8>,
        core: CoreClaims,
        key: Option<Arc<VerifyingKey>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                token: token.into(),
                payload,
                claims: OnceLock::new(),
                derived: OnceLock::new(),
                core,
                key,
            }),
        }
    }

    /// A session from claims alone, for the crate's own tests of the helpers.
    #[cfg(test)]
    pub(crate) fn from_claims_for_tests(claims: Value) -> Self {
        let payload = serde_json::to_vec(&claims).unwrap();
        let core = CoreClaims::parse(&payload).unwrap_or_default();
        Self::new("", payload, core, None)
    }

    /// A payload of `{}` (only the helper tests make one: validation needs `exp`).
    fn is_empty_claims(&self) -> bool {
        self.inner
            .payload
            .iter()
            .filter(|b| !b.is_ascii_whitespace())
            .count()
            <= 2
    }

    fn derived(&self) -> &Derived {
        self.inner
            .derived
            .get_or_init(|| Derived::of(self.claims()))
    }

    pub(crate) fn core(&self) -> &CoreClaims {
        &self.inner.core
    }

    pub(crate) fn key(&self) -> Option<&Arc<VerifyingKey>> {
        self.inner.key.as_ref()
    }

    /// The token itself (the compact JWS), for sending it on or setting a cookie.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The user ID (or access-key ID): the `dsub` claim when present, else `sub`, else `""`.
    pub fn user_id(&self) -> &str {
        self.inner.core.user_id()
    }

    /// The `sub` claim, when present.
    pub fn subject(&self) -> Option<&str> {
        self.claim("sub").and_then(Value::as_str)
    }

    /// The project ID the token was issued for (from `iss`).
    pub fn project_id(&self) -> &str {
        self.inner.core.project_id()
    }

    /// The `iss` claim.
    pub fn issuer(&self) -> &str {
        self.inner.core.iss().unwrap_or("")
    }

    /// Expiry (`exp`), seconds since the Unix epoch.
    pub fn expires_at(&self) -> i64 {
        self.inner.core.exp
    }

    /// Issue time (`iat`), seconds since the Unix epoch, when present.
    pub fn issued_at(&self) -> Option<i64> {
        self.inner.core.iat
    }

    /// The audiences of the `aud` claim (empty when it has none).
    pub fn audience(&self) -> &[String] {
        match &self.inner.core.aud {
            Aud::Values(v) => v,
            _ => &[],
        }
    }

    /// The ID (`kid`) of the key that signed the token.
    pub fn key_id(&self) -> &str {
        self.inner.key.as_ref().map(|k| k.kid_str()).unwrap_or("")
    }

    /// The algorithm the token was signed with.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.inner.key.as_ref().map(|k| k.alg())
    }

    /// Project-level roles (`roles` claim).
    pub fn roles(&self) -> &[String] {
        &self.derived().roles
    }

    /// Project-level permissions (`permissions` claim).
    pub fn permissions(&self) -> &[String] {
        &self.derived().permissions
    }

    /// Tenant memberships (`tenants` claim), by tenant ID.
    pub fn tenants(&self) -> &BTreeMap<String, TenantClaims> {
        &self.derived().tenants
    }

    /// One tenant's roles and permissions.
    pub fn tenant(&self, tenant_id: &str) -> Option<&TenantClaims> {
        self.derived().tenants.get(tenant_id)
    }

    /// The selected tenant (`dct` claim, set by `select_tenant`).
    pub fn selected_tenant(&self) -> Option<&str> {
        self.inner.core.dct()
    }

    /// Authentication methods (`amr` claim), such as `email` or `oauth`.
    pub fn amr(&self) -> &[String] {
        &self.derived().amr
    }

    /// Any claim by name, including custom claims (`nsec` holds login-time custom claims).
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims_value().get(name)
    }

    /// Every claim.
    pub fn claims(&self) -> &Map<String, Value> {
        static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
        match self.claims_value() {
            Value::Object(m) => m,
            _ => EMPTY.get_or_init(Map::new),
        }
    }

    /// The claims as the JSON object of the payload (parsed on first use).
    pub fn claims_value(&self) -> &Value {
        self.inner.claims.get_or_init(|| {
            serde_json::from_slice(&self.inner.payload)
                .unwrap_or_else(|_| Value::Object(Map::new()))
        })
    }

    /// The claims deserialized into your own type: bring a `#[derive(Deserialize)]` struct with
    /// the custom claims you expect (and any standard ones you want).
    pub fn custom_claims<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice::<T>(&self.inner.payload).map_err(|e| {
            Error::decode(format!(
                "the token's claims do not fit the requested type: {e}"
            ))
            .with_source(e)
        })
    }

    /// Whether the session has every permission in `permissions` at project level (tenant
    /// permissions do not count). An empty list is granted.
    pub fn validate_permissions<S: AsRef<str>>(&self, permissions: &[S]) -> bool {
        validate(Some(self), "", Grant::Permissions, permissions)
    }

    /// Whether the session has every role in `roles` at project level (tenant roles do not
    /// count). An empty list is granted.
    pub fn validate_roles<S: AsRef<str>>(&self, roles: &[S]) -> bool {
        validate(Some(self), "", Grant::Roles, roles)
    }

    /// The project-level permissions among `permissions`, in request order.
    pub fn get_matched_permissions<S: AsRef<str>>(&self, permissions: &[S]) -> Vec<String> {
        matched_in(Some(self), "", Grant::Permissions, permissions)
    }

    /// The project-level roles among `roles`, in request order.
    pub fn get_matched_roles<S: AsRef<str>>(&self, roles: &[S]) -> Vec<String> {
        matched_in(Some(self), "", Grant::Roles, roles)
    }

    /// Whether the session has every permission in `permissions` in tenant `tenant` (`""` means
    /// project level). False when the session has no such tenant, even for an empty list.
    pub fn validate_tenant_permissions<S: AsRef<str>>(
        &self,
        tenant: &str,
        permissions: &[S],
    ) -> bool {
        validate(Some(self), tenant, Grant::Permissions, permissions)
    }

    /// Whether the session has every role in `roles` in tenant `tenant` (`""` means project
    /// level). False when the session has no such tenant, even for an empty list.
    pub fn validate_tenant_roles<S: AsRef<str>>(&self, tenant: &str, roles: &[S]) -> bool {
        validate(Some(self), tenant, Grant::Roles, roles)
    }

    /// The permissions among `permissions` granted in tenant `tenant`, in request order
    /// (empty when the session has no such tenant).
    pub fn get_matched_tenant_permissions<S: AsRef<str>>(
        &self,
        tenant: &str,
        permissions: &[S],
    ) -> Vec<String> {
        matched_in(Some(self), tenant, Grant::Permissions, permissions)
    }

    /// The roles among `roles` granted in tenant `tenant`, in request order (empty when the
    /// session has no such tenant).
    pub fn get_matched_tenant_roles<S: AsRef<str>>(
        &self,
        tenant: &str,
        roles: &[S],
    ) -> Vec<String> {
        matched_in(Some(self), tenant, Grant::Roles, roles)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.core;
        f.debug_struct("Session")
            .field("user_id", &c.user_id())
            .field("project_id", &c.project_id())
            .field("expires_at", &c.exp)
            .field("roles", &self.roles())
            .field("permissions", &self.permissions())
            .field("tenants", &self.tenants().keys().collect::<Vec<_>>())
            .field("selected_tenant", &c.dct())
            .field("token", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matrix() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../conformance/python-2.16.1-jwt.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// A Python string argument is a one-item list.
    fn list(v: &Value) -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
            other => panic!("unexpected argument {other}"),
        }
    }

    #[test]
    fn the_190_role_and_permission_helper_cases_give_the_official_answers() {
        let m = matrix();
        let inputs = &m["helper_inputs"];
        let cases = m["helper_cases"].as_array().unwrap();
        assert_eq!(cases.len(), 190);
        for case in cases {
            let call = case["call"].as_str().unwrap();
            let rest = call.strip_prefix("descope_client.").unwrap();
            let (func, args) = rest.split_once('(').unwrap();
            let args = args.strip_suffix(')').unwrap();
            let (input_name, args) = args.split_once(", ").unwrap_or((args, ""));
            let args: Vec<Value> = serde_json::from_str(&format!("[{args}]")).unwrap();
            let input = &inputs[input_name];
            // The flat dicts of the official SDK carry the claims at the top level; a JWT
            // response dict also carries them there.
            let session = (!input.is_null()).then(|| Session::from_claims_for_tests(input.clone()));
            let s = session.as_ref();
            let got = match func {
                "validate_permissions" => {
                    json!(validate(s, "", Grant::Permissions, &list(&args[0])))
                }
                "validate_roles" => json!(validate(s, "", Grant::Roles, &list(&args[0]))),
                "get_matched_permissions" => {
                    json!(matched_in(s, "", Grant::Permissions, &list(&args[0])))
                }
                "get_matched_roles" => json!(matched_in(s, "", Grant::Roles, &list(&args[0]))),
                "validate_tenant_permissions" => json!(validate(
                    s,
                    args[0].as_str().unwrap(),
                    Grant::Permissions,
                    &list(&args[1])
                )),
                "validate_tenant_roles" => {
                    json!(validate(
                        s,
                        args[0].as_str().unwrap(),
                        Grant::Roles,
                        &list(&args[1])
                    ))
                }
                "get_matched_tenant_permissions" => json!(matched_in(
                    s,
                    args[0].as_str().unwrap(),
                    Grant::Permissions,
                    &list(&args[1])
                )),
                "get_matched_tenant_roles" => json!(matched_in(
                    s,
                    args[0].as_str().unwrap(),
                    Grant::Roles,
                    &list(&args[1])
                )),
                other => panic!("unknown helper {other}"),
            };
            assert_eq!(got, case["result"], "{}", case["id"]);
        }
    }

    #[test]
    fn session_methods_answer_like_the_helper_functions() {
        let s = Session::from_claims_for_tests(json!({
            "exp": 1, "roles": ["a", "b"], "permissions": ["p"],
            "tenants": {"T": {"roles": ["tr"], "permissions": ["tp"]}}
        }));
        assert!(s.validate_roles(&["a", "b"]));
        assert!(!s.validate_roles(&["tr"]));
        assert!(s.validate_roles::<&str>(&[]));
        assert_eq!(s.get_matched_roles(&["b", "z", "a", "a"]), ["b", "a", "a"]);
        assert!(s.validate_permissions(&["p"]));
        assert_eq!(s.get_matched_permissions(&["x", "p"]), ["p"]);
        assert!(s.validate_tenant_roles("T", &["tr"]));
        assert!(!s.validate_tenant_roles("T", &["a"]));
        assert!(!s.validate_tenant_roles::<&str>("Q", &[]));
        assert!(s.validate_tenant_permissions("T", &["tp"]));
        assert_eq!(
            s.get_matched_tenant_permissions("T", &["tp", "x", "tp"]),
            ["tp", "tp"]
        );
        assert!(s.get_matched_tenant_roles("Q", &["tr"]).is_empty());
        let owned: Vec<String> = vec!["a".into()];
        assert!(s.validate_roles(&owned));
    }

    #[test]
    fn user_id_prefers_dsub_and_project_id_is_the_last_issuer_segment() {
        let core = CoreClaims::parse(
            br#"{"exp":1,"sub":"U1","dsub":"U2","iss":"https://api.descope.com/v1/apps/P9"}"#,
        )
        .unwrap();
        assert_eq!(core.user_id(), "U2");
        assert_eq!(core.project_id(), "P9");
        let core = CoreClaims::parse(br#"{"exp":1,"sub":"U1","dsub":""}"#).unwrap();
        assert_eq!(core.user_id(), "U1");
    }

    #[test]
    fn issuer_is_the_project_id_or_a_url_ending_with_it() {
        let check = |iss: Value| {
            let core =
                CoreClaims::parse(json!({"exp": 1, "iss": iss}).to_string().as_bytes()).unwrap();
            core.check_issuer("P1").is_ok()
        };
        assert!(check(json!("P1")));
        assert!(check(json!("https://api.descope.com/P1")));
        assert!(check(json!("https://api.descope.com/v1/apps/P1")));
        assert!(!check(json!("https://evil.example.com/P2")));
        assert!(!check(json!("P2")));
        assert!(!check(json!("evil/P1")));
        assert!(!check(json!("https://api.descope.com/P1/")));
        let core = CoreClaims::parse(br#"{"exp":1}"#).unwrap();
        assert_eq!(
            core.check_issuer("P1").unwrap_err().token_kind(),
            Some(TokenErrorKind::WrongIssuer)
        );
    }

    #[test]
    fn an_iss_that_is_not_a_string_is_a_wrong_issuer_and_null_is_a_missing_one() {
        for iss in [
            json!(1),
            json!(1.5),
            json!(true),
            json!(["P1"]),
            json!({"P1": "P1"}),
            json!([[{"a": [1, "x"]}]]),
        ] {
            let payload = json!({"exp": 1, "iss": iss, "sub": "U1"}).to_string();
            let e = CoreClaims::parse(payload.as_bytes()).unwrap_err();
            assert_eq!(e.token_kind(), Some(TokenErrorKind::WrongIssuer), "{iss}");
        }
        let core = CoreClaims::parse(br#"{"exp":1,"iss":null}"#).unwrap();
        assert_eq!(core.iss(), None);
        assert_eq!(
            core.check_issuer("P1").unwrap_err().token_kind(),
            Some(TokenErrorKind::WrongIssuer)
        );
    }

    #[test]
    fn issuer_user_id_and_tenant_are_read_whether_or_not_they_have_escapes() {
        let core = CoreClaims::parse(
            br#"{"exp":1,"iss":"https:\/\/x.test\/P\u0031","sub":"U\"1","dct":"T\u00e91"}"#,
        )
        .unwrap();
        assert_eq!(core.iss(), Some("https://x.test/P1"));
        assert_eq!(core.project_id(), "P1");
        assert_eq!(core.user_id(), "U\"1");
        assert_eq!(core.dct(), Some("T\u{e9}1"));
        assert!(core.check_issuer("P1").is_ok());

        let core =
            CoreClaims::parse(br#"{"exp":1,"iss":"P2","dsub":"","sub":"","dct":""}"#).unwrap();
        assert_eq!(
            (core.iss(), core.user_id(), core.dct()),
            (Some("P2"), "", None)
        );
        let core = CoreClaims::parse(br#"{"exp":1,"dct":"T1"}"#).unwrap();
        assert_eq!(
            (core.iss(), core.user_id(), core.dct()),
            (None, "", Some("T1"))
        );
    }

    #[test]
    fn time_claims_follow_the_leeway_boundaries_of_the_official_sdk() {
        let at = |c: Value| {
            CoreClaims::parse(c.to_string().as_bytes())
                .unwrap()
                .check_time(1000, 5)
        };
        assert!(at(json!({"exp": 1000})).is_ok());
        assert!(at(json!({"exp": 996})).is_ok());
        assert_eq!(
            at(json!({"exp": 995})).unwrap_err().token_kind(),
            Some(TokenErrorKind::Expired)
        );
        assert!(at(json!({"exp": 2000, "nbf": 1005})).is_ok());
        assert_eq!(
            at(json!({"exp": 2000, "nbf": 1006}))
                .unwrap_err()
                .token_kind(),
            Some(TokenErrorKind::NotYetValid)
        );
        assert_eq!(
            at(json!({"exp": 2000, "iat": 1006}))
                .unwrap_err()
                .token_kind(),
            Some(TokenErrorKind::NotYetValid)
        );
        assert!(at(json!({"exp": 1000.9})).is_ok());
    }

    #[test]
    fn missing_or_mistyped_time_claims_are_malformed() {
        for payload in [
            json!({}),
            json!({"exp": "soon"}),
            json!({"exp": 1, "iat": "yesterday"}),
            json!({"exp": 1, "nbf": true}),
        ] {
            let e = CoreClaims::parse(payload.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.token_kind(), Some(TokenErrorKind::Malformed), "{payload}");
        }
        for payload in [&b"[1]"[..], b"not json", b"\"s\""] {
            let e = CoreClaims::parse(payload).unwrap_err();
            assert_eq!(e.token_kind(), Some(TokenErrorKind::Malformed));
        }
    }

    #[test]
    fn duplicate_standard_claims_are_malformed() {
        let e = CoreClaims::parse(br#"{"exp":1,"sub":"a","exp":99999999999}"#).unwrap_err();
        assert_eq!(e.token_kind(), Some(TokenErrorKind::Malformed));
    }

    #[test]
    fn audience_rules_match_the_official_sdk() {
        let aud = |claim: Value, expected: &[&str]| {
            let mut c = json!({"exp": 1});
            if !claim.is_null() {
                c["aud"] = claim;
            }
            CoreClaims::parse(c.to_string().as_bytes())
                .unwrap()
                .check_audience(expected, "P1")
                .is_ok()
        };
        assert!(aud(Value::Null, &[]));
        assert!(aud(json!(""), &[]));
        assert!(aud(json!([]), &[]));
        assert!(aud(json!("P1"), &[]));
        assert!(aud(json!(["x", "P1"]), &[]));
        assert!(!aud(json!("other"), &[]));
        assert!(!aud(json!(123), &[]));
        assert!(aud(json!("a"), &["a"]));
        assert!(aud(json!(["x", "a"]), &["a"]));
        assert!(aud(json!("a"), &["x", "a"]));
        assert!(!aud(json!("P1"), &["other"]));
        assert!(!aud(Value::Null, &["a"]));
        assert!(!aud(json!(""), &["a"]));
        assert!(!aud(json!(123), &["a"]));
        assert!(!aud(json!(["a", 1]), &["a"]));
    }

    #[test]
    fn typed_custom_claims_and_raw_claims_are_reachable() {
        #[derive(serde::Deserialize)]
        struct Mine {
            plan: String,
            nsec: Map<String, Value>,
        }
        let s = Session::from_claims_for_tests(json!({
            "exp": 1, "plan": "gold", "nsec": {"k1": "v1"}, "dct": "T1", "amr": ["email"],
            "tenants": {"T1": {"roles": [], "permissions": [], "name": "n"}}
        }));
        let mine: Mine = s.custom_claims().unwrap();
        assert_eq!(mine.plan, "gold");
        assert_eq!(mine.nsec["k1"], "v1");
        assert_eq!(s.claim("plan"), Some(&json!("gold")));
        assert_eq!(s.selected_tenant(), Some("T1"));
        assert_eq!(s.amr(), ["email"]);
        assert_eq!(s.claim("tenants").unwrap()["T1"]["name"], "n");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Wrong {
            plan: u32,
        }
        assert!(s.custom_claims::<Wrong>().unwrap_err().kind() == descope_core::ErrorKind::Decode);
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = "eyJhbGciOi.secret-payload.signature";
        let payload = br#"{"exp":1,"sub":"U1"}"#.to_vec();
        let core = CoreClaims::parse(&payload).unwrap();
        let s = Session::new(token, payload, core, None);
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("secret-payload"));
        assert!(dbg.contains("U1"));
    }
}
