//! [`SessionValidator`]: the key cache, the verified-token cache and the validation steps.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use descope_core::{endpoints, Clock, Error, Result, TokenErrorKind};
use descope_transport::{ApiClient, ApiResponse};

use crate::cache::{Slot, VerifiedCache};
use crate::jws;
use crate::keys::{KeySet, VerifyingKey};
use crate::response::{self, AccessKeyResponse, JwtResponse};
use crate::session::{CoreClaims, Session};

/// Tuning of a [`SessionValidator`]. The defaults suit almost every app.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidatorOptions {
    /// Keep tokens already verified and answer them again without a signature check, while
    /// their `exp` holds and their key is still in the key set (default on).
    pub verified_cache: bool,
    /// About how many verified tokens the cache keeps (default 10,000).
    pub verified_cache_capacity: usize,
    /// After a key-set fetch, a token naming an unknown `kid` does not trigger another fetch
    /// before this much time has passed (default 10 s). Concurrent callers always share one
    /// fetch.
    pub refetch_cooldown: Duration,
}

impl Default for ValidatorOptions {
    fn default() -> Self {
        Self {
            verified_cache: true,
            verified_cache_capacity: 10_000,
            refetch_cooldown: Duration::from_secs(10),
        }
    }
}

impl ValidatorOptions {
    /// Turns the verified-token cache on or off.
    pub fn verified_cache(mut self, on: bool) -> Self {
        self.verified_cache = on;
        self
    }

    /// Sets the verified-token cache's capacity.
    pub fn verified_cache_capacity(mut self, tokens: usize) -> Self {
        self.verified_cache_capacity = tokens;
        self
    }

    /// Sets the refetch cooldown for unknown `kid`s.
    pub fn refetch_cooldown(mut self, cooldown: Duration) -> Self {
        self.refetch_cooldown = cooldown;
        self
    }
}

/// Validates Descope session and refresh tokens: signature (ring), time claims with leeway,
/// issuer and audience, with the project's key set cached.
///
/// Cheap to clone (one `Arc`); clones share the key set and the verified-token cache. A token
/// seen before is answered from memory with no lock held by writers for long and no allocation;
/// a token signed with a known key costs one signature check; only a `kid` not in the key set
/// fetches the key set again, at most once per cooldown, one fetch shared by every caller
/// waiting for it. A failed fetch keeps the keys already known.
#[derive(Clone)]
pub struct SessionValidator {
    inner: Arc<Inner>,
}

struct Inner {
    api: ApiClient,
    project_id: String,
    jwks_path: String,
    leeway: i64,
    clock: Arc<dyn Clock>,
    keys: ArcSwap<KeySet>,
    pinned: bool,
    /// Completed fetch attempts, read before waiting for `fetch` to know whether someone else
    /// fetched meanwhile.
    attempts: AtomicU64,
    fetches: AtomicU64,
    fetch: tokio::sync::Mutex<FetchState>,
    cache: Option<VerifiedCache>,
    options: ValidatorOptions,
    api_host: Option<String>,
}

#[derive(Default)]
struct FetchState {
    last_attempt: Option<u64>,
    last_error: Option<String>,
}

impl fmt::Debug for SessionValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionValidator")
            .field("project_id", &self.inner.project_id)
            .field("leeway_secs", &self.inner.leeway)
            .field("pinned_keys", &self.inner.pinned)
            .field("known_keys", &self.inner.keys.load().len())
            .field("options", &self.inner.options)
            .finish()
    }
}

/// A `kid` as error messages show it: it comes from the token, so it is escaped and cut short.
struct Kid<'a>(&'a str);

impl fmt::Display for Kid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut: String = self.0.chars().take(64).collect();
        if cut.len() < self.0.len() {
            write!(f, "{cut:?}…")
        } else {
            write!(f, "{cut:?}")
        }
    }
}

fn unknown_key(kid: &str, why: &str) -> Error {
    Error::token(
        TokenErrorKind::UnknownKey,
        format!("no key {} in the project's key set ({why})", Kid(kid)),
    )
}

impl SessionValidator {
    /// A validator for the project of `api`'s configuration: project ID, leeway and pinned
    /// public key come from [`ApiClient::config`], the clock from [`ApiClient::clock`]. The key
    /// set is fetched through `api` on first need (`GET /v2/keys/<projectId>`), unless a public
    /// key is pinned, in which case nothing is ever fetched.
    ///
    /// Fails with a configuration error when the pinned key cannot be used.
    pub fn new(api: ApiClient) -> Result<Self> {
        Self::with_options(api, ValidatorOptions::default())
    }

    /// Like [`SessionValidator::new`], with options.
    pub fn with_options(api: ApiClient, options: ValidatorOptions) -> Result<Self> {
        let config = api.config();
        let (keys, pinned) = match config.public_key.as_deref().filter(|k| !k.trim().is_empty()) {
            Some(text) => (
                KeySet::from_pinned(text).map_err(|e| {
                    Error::config(format!(
                        "{e}: give one JWK or a JWKS with kid, alg and key material (DESCOPE_PUBLIC_KEY or public_key(..) on the builder)"
                    ))
                })?,
                true,
            ),
            None => (KeySet::default(), false),
        };
        let api_host = config.base_url.parse::<http::Uri>().ok().and_then(|u| {
            u.host()
                .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
        });
        let cache = options
            .verified_cache
            .then(|| VerifiedCache::new(options.verified_cache_capacity));
        Ok(Self {
            inner: Arc::new(Inner {
                project_id: config.project_id.clone(),
                jwks_path: format!("/v2/keys/{}", config.project_id),
                leeway: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX / 4),
                clock: api.clock(),
                keys: ArcSwap::from_pointee(keys),
                pinned,
                attempts: AtomicU64::new(0),
                fetches: AtomicU64::new(0),
                fetch: tokio::sync::Mutex::new(FetchState::default()),
                cache,
                options,
                api_host,
                api,
            }),
        })
    }

    /// The project ID tokens must be issued for.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// How many key-set fetches were started so far (for monitoring and tests).
    pub fn key_set_fetches(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// How many keys are known now.
    pub fn known_keys(&self) -> usize {
        self.inner.keys.load().len()
    }

    /// How many verified tokens are cached now.
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, VerifiedCache::len)
    }

    /// Empties the verified-token cache.
    pub fn clear_cache(&self) {
        if let Some(c) = &self.inner.cache {
            c.clear();
        }
    }

    fn now(&self) -> i64 {
        i64::try_from(self.inner.clock.unix_seconds()).unwrap_or(i64::MAX / 4)
    }

    /// Validates a session (or refresh) token.
    ///
    /// `audience`: with `None`, a token without `aud`, or whose `aud` is or contains the project
    /// ID, passes and any other `aud` fails; with `Some(a)`, the token's `aud` must be or
    /// contain `a`.
    pub async fn validate(&self, token: &str, audience: Option<&str>) -> Result<Session> {
        match audience {
            Some(a) => self.validate_with_audiences(token, &[a]).await,
            None => self.validate_with_audiences(token, &[]).await,
        }
    }

    /// Like [`SessionValidator::validate`], passing when the token's `aud` contains any of
    /// `audiences` (an empty slice means no audience argument).
    pub async fn validate_with_audiences(
        &self,
        token: &str,
        audiences: &[&str],
    ) -> Result<Session> {
        if token.is_empty() {
            return Err(Error::token(
                TokenErrorKind::Missing,
                "a token is required for validation",
            ));
        }
        let inner = &*self.inner;
        let slot = inner.cache.as_ref().map(|c| c.slot_of(token));
        if let (Some(cache), Some(slot)) = (&inner.cache, slot) {
            if let Some(hit) = cache.get(token, slot) {
                let key_held = hit.key().is_some_and(|k| inner.keys.load().holds(k));
                if key_held {
                    let now = self.now();
                    if let Err(e) = hit.core().check_exp(now, inner.leeway) {
                        cache.remove(token);
                        return Err(e);
                    }
                    hit.core().check_audience(audiences, &inner.project_id)?;
                    return Ok(hit);
                }
                cache.remove(token);
            }
        }
        self.verify_fresh(token, audiences, slot).await
    }

    /// Verifies a token not found in the verified cache; `slot` is its place there.
    async fn verify_fresh(
        &self,
        token: &str,
        audiences: &[&str],
        slot: Option<Slot>,
    ) -> Result<Session> {
        let inner = &*self.inner;
        let parsed = jws::parse(token)?;
        let core = CoreClaims::parse(&parsed.payload)?;
        let key = self.key_for(&parsed.kid).await?;
        if key.alg() != parsed.alg {
            return Err(Error::token(
                TokenErrorKind::AlgorithmNotAllowed,
                format!(
                    "the token says {} but key {} is for {}",
                    parsed.alg,
                    Kid(&parsed.kid),
                    key.alg()
                ),
            ));
        }
        if !key.verify(parsed.signing_input, parsed.signature.as_bytes()) {
            return Err(Error::token(
                TokenErrorKind::BadSignature,
                format!("it does not verify with key {}", Kid(&parsed.kid)),
            ));
        }
        let now = self.now();
        core.check_time(now, inner.leeway)?;
        core.check_issuer(&inner.project_id)?;
        let session = Session::new(token, parsed.payload, core, Some(key));
        if let (Some(cache), Some(slot)) = (&inner.cache, slot) {
            cache.insert(session.clone(), slot, now, inner.leeway);
        }
        session
            .core()
            .check_audience(audiences, &inner.project_id)?;
        Ok(session)
    }

    async fn key_for(&self, kid: &str) -> Result<Arc<VerifyingKey>> {
        let inner = &*self.inner;
        let seen = inner.attempts.load(Ordering::Acquire);
        if let Some(k) = inner.keys.load().get(kid) {
            return Ok(k.clone());
        }
        if inner.pinned {
            return Err(unknown_key(
                kid,
                "the configured public key has another kid",
            ));
        }
        let mut state = inner.fetch.lock().await;
        let current = inner.keys.load_full();
        if let Some(k) = current.get(kid) {
            return Ok(k.clone());
        }
        if inner.attempts.load(Ordering::Acquire) != seen {
            // Someone fetched while we waited: share the outcome of that fetch.
            return Err(match &state.last_error {
                Some(e) if current.is_empty() => Error::token(
                    TokenErrorKind::UnknownKey,
                    format!("the project's key set could not be fetched: {e}"),
                ),
                _ => unknown_key(kid, "not in the key set just fetched"),
            });
        }
        let now = inner.clock.unix_seconds();
        if !current.is_empty() {
            if let Some(last) = state.last_attempt {
                let cooldown = inner.options.refetch_cooldown.as_secs();
                if now >= last && now - last < cooldown {
                    return Err(unknown_key(
                        kid,
                        "the key set was fetched moments ago; the next refetch waits for the cooldown",
                    ));
                }
            }
        }
        match self.fetch_and_store(&mut state, &current).await {
            Ok(set) => set
                .get(kid)
                .cloned()
                .ok_or_else(|| unknown_key(kid, "not in the key set just fetched")),
            Err(e) => {
                if current.is_empty() {
                    Err(e)
                } else {
                    Err(unknown_key(
                        kid,
                        &format!("refreshing the key set failed, the known keys are kept: {e}"),
                    ))
                }
            }
        }
    }

    /// Fetches the project's key set now (for example at start-up, so that the first request
    /// does not wait for it), whatever the cooldown. Returns how many usable keys it holds. With a
    /// pinned key nothing is fetched. On failure the known keys are kept.
    pub async fn refresh_keys(&self) -> Result<usize> {
        let inner = &*self.inner;
        if inner.pinned {
            return Ok(inner.keys.load().len());
        }
        let mut state = inner.fetch.lock().await;
        let current = inner.keys.load_full();
        Ok(self.fetch_and_store(&mut state, &current).await?.len())
    }

    /// Fetches the key set (the caller holds the fetch lock); on success it replaces the known
    /// keys and drops from the verified cache the tokens of keys that left.
    async fn fetch_and_store(
        &self,
        state: &mut FetchState,
        current: &KeySet,
    ) -> Result<Arc<KeySet>> {
        let inner = &*self.inner;
        state.last_attempt = Some(inner.clock.unix_seconds());
        inner.fetches.fetch_add(1, Ordering::Relaxed);
        let result = self.fetch_keys(current).await;
        inner.attempts.fetch_add(1, Ordering::Release);
        match result {
            Ok(set) => {
                state.last_error = None;
                let set = Arc::new(set);
                inner.keys.store(set.clone());
                if let Some(cache) = &inner.cache {
                    cache.retain_keys(&set);
                }
                Ok(set)
            }
            Err(e) => {
                state.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    async fn fetch_keys(&self, previous: &KeySet) -> Result<KeySet> {
        let inner = &*self.inner;
        let resp = inner
            .api
            .request(&endpoints::JWKS)
            .path(inner.jwks_path.clone())
            .send()
            .await?;
        KeySet::from_jwks_response(&resp.body, Some(previous)).map_err(|e| {
            Error::decode(format!(
                "the project's public keys could not be loaded from {}: {e}",
                inner.jwks_path
            ))
        })
    }

    /// Processes the body of a call that answers with session tokens (verify, exchange,
    /// refresh, tenant selection, …): validates `sessionJwt` and the refresh token, which is
    /// `refreshJwt` from the body, else the `DSR` cookie of the response, else
    /// `fallback_refresh`. Any token that fails validation fails the whole call.
    pub async fn jwt_response(
        &self,
        response: &ApiResponse,
        fallback_refresh: Option<&str>,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        let body: response::Body = response.json()?;
        let cookie = response::refresh_cookie(response, self.inner.api_host.as_deref());
        let session = match body.session_jwt.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(self.validate(t, audience).await?),
            None => None,
        };
        let refresh_token = body
            .refresh_jwt
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(cookie.as_deref())
            .or(fallback_refresh.filter(|t| !t.is_empty()));
        let refresh = match refresh_token {
            Some(t) => Some(self.validate(t, audience).await?),
            None => None,
        };
        Ok(JwtResponse::build(session, refresh, body))
    }

    /// Processes the answer of an access-key exchange: validates `sessionJwt` (required) and
    /// `refreshJwt` when the server sent one.
    pub async fn access_key_response(
        &self,
        response: &ApiResponse,
        audience: Option<&str>,
    ) -> Result<AccessKeyResponse> {
        let body: response::Body = response.json()?;
        let Some(token) = body.session_jwt.as_deref().filter(|t| !t.is_empty()) else {
            return Err(Error::decode(
                "the access-key exchange answered without a sessionJwt",
            ));
        };
        let session = self.validate(token, audience).await?;
        let refresh = match body.refresh_jwt.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(self.validate(t, audience).await?),
            None => None,
        };
        Ok(AccessKeyResponse::build(session, refresh, &body))
    }
}
