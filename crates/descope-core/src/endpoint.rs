use std::fmt;

/// Which credential an endpoint's `Authorization` header carries, after the project ID.
///
/// The header is always `Bearer <projectId>[:<token>][:<key>]`:
/// * `token` is the per-call refresh token or access key, when the call has one and it is not
///   empty;
/// * `key` is the auth management key for [`Credential::Auth`] endpoints (when configured) and
///   the management key for [`Credential::Management`] endpoints (required).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Credential {
    /// A public authentication endpoint: `Bearer P`, plus the call's token and the auth
    /// management key when present.
    Auth,
    /// An authentication endpoint that needs the caller's refresh token: `Bearer P:RT[:AMK]`.
    RefreshToken,
    /// The access-key exchange: `Bearer P:AK[:AMK]`.
    AccessKey,
    /// A management endpoint: `Bearer P:MK`. Refused before sending when no management key is
    /// configured.
    Management,
}

impl Credential {
    /// Whether the auth management key (when configured) is appended.
    pub fn uses_auth_management_key(self) -> bool {
        !matches!(self, Credential::Management)
    }

    /// The table spelling of this credential.
    pub fn as_str(self) -> &'static str {
        match self {
            Credential::Auth => "public",
            Credential::RefreshToken => "refresh-token",
            Credential::AccessKey => "access-key",
            Credential::Management => "management-key",
        }
    }
}

/// HTTP methods used by the Descope API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method as an `http` crate method.
    pub fn as_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Patch => http::Method::PATCH,
            Method::Delete => http::Method::DELETE,
        }
    }

    /// The upper-case method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Descope API endpoint: everything the request pipeline needs to know about it.
///
/// `path` is the path template: a trailing `{…}` segment (such as `{method}` or `{projectId}`)
/// is filled in by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// A stable name, `area.function` (for example `auth.otp.verify`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template.
    pub path: &'static str,
    /// The credential the `Authorization` header carries.
    pub credential: Credential,
    /// Whether repeating the request is harmless. Only idempotent requests are retried after a
    /// failure that may have reached the server.
    pub idempotent: bool,
    /// Body fields that hold secrets (never logged).
    pub secret_fields: &'static [&'static str],
}

impl Endpoint {
    /// Describes an endpoint.
    pub const fn new(
        name: &'static str,
        method: Method,
        path: &'static str,
        credential: Credential,
        idempotent: bool,
        secret_fields: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            method,
            path,
            credential,
            idempotent,
            secret_fields,
        }
    }
}
