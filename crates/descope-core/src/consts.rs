//! Wire constants: header and cookie names, SDK identification, claim names.

/// The SDK name sent in `x-descope-sdk-name`.
pub const SDK_NAME: &str = "rust";
/// The SDK version sent in `x-descope-sdk-version`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Header carrying the SDK name.
pub const HEADER_SDK_NAME: &str = "x-descope-sdk-name";
/// Header carrying the SDK version.
pub const HEADER_SDK_VERSION: &str = "x-descope-sdk-version";
/// Header carrying the project ID.
pub const HEADER_PROJECT_ID: &str = "x-descope-project-id";
/// The rate-limit header read on HTTP 429.
pub const HEADER_RETRY_AFTER: &str = "retry-after";

/// Name of the session-token cookie.
pub const SESSION_COOKIE_NAME: &str = "DS";
/// Name of the refresh-token cookie.
pub const REFRESH_SESSION_COOKIE_NAME: &str = "DSR";

/// Environment variable holding the project ID.
pub const ENV_PROJECT_ID: &str = "DESCOPE_PROJECT_ID";
/// Environment variable holding the management key.
pub const ENV_MANAGEMENT_KEY: &str = "DESCOPE_MANAGEMENT_KEY";
/// Environment variable holding the auth management key.
pub const ENV_AUTH_MANAGEMENT_KEY: &str = "DESCOPE_AUTH_MANAGEMENT_KEY";
/// Environment variable holding a pinned public key (one JWK or a JWKS, as JSON).
pub const ENV_PUBLIC_KEY: &str = "DESCOPE_PUBLIC_KEY";
/// Environment variable overriding the API base URL.
pub const ENV_BASE_URI: &str = "DESCOPE_BASE_URI";

/// The default API base URL, for project IDs shorter than 32 characters.
pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";

/// HTTP statuses the official SDKs retry (gateway and availability errors).
pub const RETRYABLE_STATUSES: [u16; 6] = [503, 520, 521, 522, 524, 530];
