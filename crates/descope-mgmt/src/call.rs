//! The request machinery shared by every management call.
//!
//! Every management call is a value that owns a clone of the [`ApiClient`] (an `Arc`), the
//! endpoint, and the JSON body built so far. Awaiting it (it implements [`IntoFuture`]) or
//! calling [`MgmtRequest::send`] checks the arguments, sends the request through the pipeline
//! (base URL, `Authorization: Bearer <project>:<management key>`, retries, error parsing) and
//! decodes the answer.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use descope_core::{Endpoint, Error, Result};
use descope_transport::{ApiClient, ApiResponse};
use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// The future returned by awaiting a management request.
pub type MgmtFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>;

/// A body check run right before sending; an error refuses the call before any request.
pub(crate) type Check = fn(&Map<String, Value>) -> Result<()>;

/// The body of a request.
#[derive(Clone)]
pub(crate) enum Body {
    /// No body at all (`Content-Length: 0`).
    None,
    /// A JSON object.
    Object(Map<String, Value>),
    /// Any other JSON value (for example a bare array).
    Raw(Value),
}

/// A management request ready to be sent: await it (or call [`MgmtRequest::send`]).
///
/// Calls with optional arguments wrap one of these in a builder with named setters.
#[must_use = "a request does nothing until it is awaited"]
pub struct MgmtRequest<T> {
    api: ApiClient,
    endpoint: &'static Endpoint,
    query: Vec<(String, String)>,
    body: Body,
    error: Option<Error>,
    checks: Vec<Check>,
    decode: fn(ApiResponse) -> Result<T>,
}

impl<T> fmt::Debug for MgmtRequest<T> {
    // Only the endpoint: bodies may hold passwords, hashes or seeds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MgmtRequest")
            .field("endpoint", &self.endpoint.name)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> MgmtRequest<T> {
    /// A request to `endpoint` with an empty JSON object body.
    pub(crate) fn new(
        api: &ApiClient,
        endpoint: &'static Endpoint,
        decode: fn(ApiResponse) -> Result<T>,
    ) -> Self {
        Self {
            api: api.clone(),
            endpoint,
            query: Vec::new(),
            body: Body::Object(Map::new()),
            error: None,
            checks: Vec::new(),
            decode,
        }
    }

    /// Sets `key` in the body (an object body).
    pub(crate) fn set(mut self, key: &str, value: impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(v) => {
                if let Body::Object(map) = &mut self.body {
                    map.insert(key.to_owned(), v);
                }
            }
            Err(e) => {
                self.error.get_or_insert_with(|| {
                    Error::invalid_argument(format!("`{key}` cannot be encoded as JSON: {e}"))
                });
            }
        }
        self
    }

    /// Sets `key` when `value` is `Some`.
    pub(crate) fn set_opt<V: Serialize>(self, key: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Reads a body value (for setters that depend on earlier ones).
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match &self.body {
            Body::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// Mutable access to a body value.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match &mut self.body {
            Body::Object(map) => map.get_mut(key),
            _ => None,
        }
    }

    /// Replaces the body.
    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    /// Replaces (or adds) a query parameter.
    pub(crate) fn set_query(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.query.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.query.push((key.to_owned(), value)),
        }
    }

    /// A copy of this request with body `key` set to `value` (for paging).
    pub(crate) fn clone_with(&self, key: &str, value: impl Serialize) -> Self {
        let copy = Self {
            api: self.api.clone(),
            endpoint: self.endpoint,
            query: self.query.clone(),
            body: self.body.clone(),
            error: None,
            checks: self.checks.clone(),
            decode: self.decode,
        };
        copy.set(key, value)
    }

    /// Refuses the call before sending with `message` (an invalid argument).
    pub(crate) fn refuse_if(mut self, refuse: bool, message: &str) -> Self {
        if refuse && self.error.is_none() {
            self.error = Some(Error::invalid_argument(message));
        }
        self
    }

    /// Adds a check run on the final body right before sending.
    pub(crate) fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// Checks the arguments, sends the request and decodes the answer.
    pub async fn send(self) -> Result<T> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Body::Object(map) = &self.body {
            for check in &self.checks {
                check(map)?;
            }
        }
        let mut rb = self.api.request(self.endpoint);
        for (k, v) in &self.query {
            rb = rb.query(k.clone(), v.clone());
        }
        rb = match &self.body {
            Body::None => rb,
            Body::Object(map) => rb.json(map),
            Body::Raw(v) => rb.json(v),
        };
        let resp = rb.send().await?;
        (self.decode)(resp)
    }
}

impl<T: Send + 'static> IntoFuture for MgmtRequest<T> {
    type Output = Result<T>;
    type IntoFuture = MgmtFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A stream of exactly one page: for searches whose API answers every match at once, so they
/// can be consumed like the paged ones.
#[must_use = "streams do nothing unless polled"]
pub struct SinglePage<T> {
    request: Option<MgmtRequest<Vec<T>>>,
    in_flight: Option<MgmtFuture<Vec<T>>>,
}

impl<T> fmt::Debug for SinglePage<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinglePage")
            .field(
                "done",
                &(self.request.is_none() && self.in_flight.is_none()),
            )
            .finish()
    }
}

impl<T: Send + 'static> SinglePage<T> {
    pub(crate) fn new(request: MgmtRequest<Vec<T>>) -> Self {
        Self {
            request: Some(request),
            in_flight: None,
        }
    }

    /// The page, then `None` (the same as the stream's `next()`, without a streams crate).
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<T: Send + 'static> Stream for SinglePage<T> {
    type Item = Result<Vec<T>>;

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(req) = this.request.take() {
            this.in_flight = Some(Box::pin(req.send()));
        }
        match this.in_flight.as_mut() {
            None => std::task::Poll::Ready(None),
            Some(fut) => match fut.as_mut().poll(cx) {
                std::task::Poll::Pending => std::task::Poll::Pending,
                std::task::Poll::Ready(page) => {
                    this.in_flight = None;
                    std::task::Poll::Ready(Some(page))
                }
            },
        }
    }
}

/// Decodes nothing: the call answers `()` once the API accepted it.
pub(crate) fn unit(_: ApiResponse) -> Result<()> {
    Ok(())
}

/// Decodes the whole body as `T`.
pub(crate) fn json<T: DeserializeOwned>(resp: ApiResponse) -> Result<T> {
    resp.json()
}

/// Decodes the body and takes `field` out of it as `T` (absent → `T::default()`).
pub(crate) fn field<T: DeserializeOwned + Default>(resp: &ApiResponse, field: &str) -> Result<T> {
    let mut v: Value = resp.json()?;
    match v.get_mut(field).map(Value::take) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(inner) => serde_json::from_value(inner).map_err(|e| {
            Error::decode(format!(
                "the Descope API answered with a `{field}` that is not the expected JSON: {e}"
            ))
            .with_source(e)
        }),
    }
}

/// Collects strings.
pub(crate) fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

/// Collects `(key, value)` pairs into a JSON object.
pub(crate) fn object<I, K, V>(items: I) -> Map<String, Value>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<Value>,
{
    items
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// Defines a named builder around a [`MgmtRequest`].
macro_rules! builder {
    ($(#[$m:meta])* $name:ident -> $out:ty) => {
        $(#[$m])*
        #[must_use = "a request does nothing until it is awaited"]
        pub struct $name {
            inner: $crate::call::MgmtRequest<$out>,
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.inner, f)
            }
        }

        impl $name {
            #[allow(dead_code)]
            fn wrap(inner: $crate::call::MgmtRequest<$out>) -> Self {
                Self { inner }
            }

            #[allow(dead_code)]
            fn set(mut self, key: &str, value: impl ::serde::Serialize) -> Self {
                self.inner = self.inner.set(key, value);
                self
            }

            /// Checks the arguments, sends the request and decodes the answer (the same as
            /// awaiting the builder).
            pub async fn send(self) -> ::descope_core::Result<$out> {
                self.inner.send().await
            }
        }

        impl ::std::future::IntoFuture for $name {
            type Output = ::descope_core::Result<$out>;
            type IntoFuture = $crate::call::MgmtFuture<$out>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.inner.send())
            }
        }
    };
}

/// Setters for builders made with `builder!`. Kinds: `str`, `strs`, `bool`, `int`, `attrs`
/// (a JSON object from pairs), `value` (any JSON value), and `ty(T)` (a typed value).
macro_rules! setters {
    ($name:ident { $( $(#[$m:meta])* $fn_name:ident : $kind:ident $(($ty:ty))? => $key:literal ),* $(,)? }) => {
        impl $name {
            $( setters!(@one $(#[$m])* $fn_name $kind $(($ty))? $key); )*
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident str $key:literal) => {
        $(#[$m])*
        pub fn $fn_name(self, value: impl Into<String>) -> Self {
            self.set($key, value.into())
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident strs $key:literal) => {
        $(#[$m])*
        pub fn $fn_name<I, S>(self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.set($key, $crate::call::strings(values))
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident bool $key:literal) => {
        $(#[$m])*
        pub fn $fn_name(self, value: bool) -> Self {
            self.set($key, value)
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident int $key:literal) => {
        $(#[$m])*
        pub fn $fn_name(self, value: i64) -> Self {
            self.set($key, value)
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident attrs $key:literal) => {
        $(#[$m])*
        pub fn $fn_name<I, K, V>(self, pairs: I) -> Self
        where
            I: IntoIterator<Item = (K, V)>,
            K: Into<String>,
            V: Into<::serde_json::Value>,
        {
            self.set($key, $crate::call::object(pairs))
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident value $key:literal) => {
        $(#[$m])*
        pub fn $fn_name(self, value: impl Into<::serde_json::Value>) -> Self {
            self.set($key, value.into())
        }
    };
    (@one $(#[$m:meta])* $fn_name:ident ty ($ty:ty) $key:literal) => {
        $(#[$m])*
        pub fn $fn_name(self, value: $ty) -> Self {
            self.set($key, value)
        }
    };
}

pub(crate) use {builder, setters};
