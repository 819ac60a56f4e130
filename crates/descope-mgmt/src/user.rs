//! Users and test users (`client.mgmt().user()`).

use std::pin::Pin;
use std::task::{Context, Poll};

use descope_core::endpoints as ep;
use descope_core::{Error, Result};
use futures_core::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::call::{builder, field, json, setters, strings, unit, Body, MgmtFuture, MgmtRequest};
use crate::types::{
    AssociatedFamily, AssociatedTenant, BatchUser, Extra, JsonObject, LoginOptions, Sort,
    TestDelivery, User,
};

crate::handle!(
    /// User management: create, invite, update, roles, tenants, passwords, searches and the
    /// test-user generators.
    Users
);

const STATUSES: [&str; 4] = ["enabled", "disabled", "invited", "expired"];

fn check_status(body: &Map<String, Value>) -> Result<()> {
    match body.get("status").and_then(Value::as_str) {
        Some(s) if !STATUSES.contains(&s) => Err(Error::invalid_argument(format!(
            "Invalid status value: {s}. Must be one of: {}",
            STATUSES.join(", ")
        ))),
        _ => Ok(()),
    }
}

fn check_batch_status(body: &Map<String, Value>) -> Result<()> {
    for u in body
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(s) = u.get("status").and_then(Value::as_str) {
            if !STATUSES.contains(&s) {
                let login = u.get("loginId").and_then(Value::as_str).unwrap_or_default();
                return Err(Error::invalid_argument(format!(
                    "Invalid status value: {s} for user {login}. Must be one of: {}",
                    STATUSES.join(", ")
                )));
            }
        }
    }
    Ok(())
}

fn check_paging(body: &Map<String, Value>) -> Result<()> {
    if body.get("limit").and_then(Value::as_i64).unwrap_or(0) < 0 {
        return Err(Error::invalid_argument("limit must be non-negative"));
    }
    if body.get("page").and_then(Value::as_i64).unwrap_or(0) < 0 {
        return Err(Error::invalid_argument("page must be non-negative"));
    }
    Ok(())
}

fn user(resp: descope_transport::ApiResponse) -> Result<User> {
    field(&resp, "user")
}

/// One page of users (`{"users", "total"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UsersPage {
    /// The users of this page.
    pub users: Vec<User>,
    /// How many users match in all (when the API says).
    pub total: i64,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's login from `history` (`{"userId", "loginTime", "city", "country", "ip"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct LoginHistory {
    /// The user ID.
    pub user_id: String,
    /// Login time, seconds since the Unix epoch.
    pub login_time: i64,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// IP address.
    pub ip: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A provider token from `get_provider_token`. `Debug` hides the tokens.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ProviderToken {
    /// The OAuth provider.
    pub provider: String,
    /// The user's ID at the provider.
    pub provider_user_id: String,
    /// The provider access token.
    pub access_token: String,
    /// The provider refresh token, when asked for.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub refresh_token: String,
    /// Expiry, seconds since the Unix epoch.
    pub expiration: i64,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for ProviderToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderToken")
            .field("provider", &self.provider)
            .field("provider_user_id", &self.provider_user_id)
            .field("access_token", &"<redacted>")
            .field("expiration", &self.expiration)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A code or link generated for a test user. `Debug` hides the code and link.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct TestUserCredential {
    /// The login ID.
    pub login_id: String,
    /// The OTP code (OTP generator).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub code: String,
    /// The link (magic and enchanted link generators).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub link: String,
    /// The pending reference to poll (enchanted link generator).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pending_ref: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for TestUserCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestUserCredential")
            .field("login_id", &self.login_id)
            .field("pending_ref", &self.pending_ref)
            .finish_non_exhaustive()
    }
}

/// The answer of `invite_batch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct BatchCreated {
    /// The users created.
    pub created_users: Vec<User>,
    /// The users that failed, with the reason.
    pub failed_users: Vec<Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A custom attribute definition for `create_custom_attribute`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomAttribute {
    /// The machine name.
    pub name: String,
    /// The display name.
    pub display_name: String,
    /// `string`, `number`, `boolean`, `singleSelect`, `multiSelect`, `date`.
    #[serde(rename = "type")]
    pub attribute_type: String,
    /// Whether the attribute is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The options of a select attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

impl CustomAttribute {
    /// A definition.
    pub fn new(
        name: impl Into<String>,
        display_name: impl Into<String>,
        attribute_type: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            display_name: display_name.into(),
            attribute_type: attribute_type.into(),
            required: None,
            options: None,
        }
    }

    /// Marks the attribute required (or not).
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// Sets the options of a select attribute.
    pub fn options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options = Some(strings(options));
        self
    }
}

/// The signing-up user's details for `generate_sign_up_embedded_link`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SignUpUser {
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
}

impl SignUpUser {
    /// An empty user.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the email.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets the phone.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Sets the name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// Sets the given name.
    pub fn given_name(mut self, v: impl Into<String>) -> Self {
        self.given_name = Some(v.into());
        self
    }

    /// Sets the middle name.
    pub fn middle_name(mut self, v: impl Into<String>) -> Self {
        self.middle_name = Some(v.into());
        self
    }

    /// Sets the family name.
    pub fn family_name(mut self, v: impl Into<String>) -> Self {
        self.family_name = Some(v.into());
        self
    }

    // The API's snake_case keys for this object are what the official SDK sends.
    fn to_json(&self) -> Value {
        serde_json::json!({
            "email": self.email, "phone": self.phone, "name": self.name,
            "given_name": self.given_name, "middle_name": self.middle_name,
            "family_name": self.family_name,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// create / invite / update

builder!(
    /// `create`, `create_test_user` and `invite`: set optional fields, then await the created
    /// [`User`].
    CreateUser -> User
);
builder!(
    /// `update`: a full override of the user; await the updated [`User`].
    UpdateUser -> User
);
builder!(
    /// `patch`: only the fields set are changed.
    PatchUser -> User
);

macro_rules! user_fields {
    ($name:ident) => {
        setters!($name {
            /// Email address.
            email: str => "email",
            /// Phone number.
            phone: str => "phone",
            /// Display name.
            display_name: str => "displayName",
            /// Given name.
            given_name: str => "givenName",
            /// Middle name.
            middle_name: str => "middleName",
            /// Family name.
            family_name: str => "familyName",
            /// Project-level roles.
            role_names: strs => "roleNames",
            /// Picture URL.
            picture: str => "picture",
            /// Custom attributes (string, number or boolean values).
            custom_attributes: attrs => "customAttributes",
            /// Whether the email is verified.
            verified_email: bool => "verifiedEmail",
            /// Whether the phone is verified.
            verified_phone: bool => "verifiedPhone",
        });

        impl $name {
            /// Tenant memberships with tenant roles.
            pub fn user_tenants(self, tenants: impl IntoIterator<Item = AssociatedTenant>) -> Self {
                self.set("userTenants", tenants.into_iter().collect::<Vec<_>>())
            }

            /// Family memberships.
            pub fn family_associations(
                self,
                families: impl IntoIterator<Item = AssociatedFamily>,
            ) -> Self {
                self.set("familyAssociations", families.into_iter().collect::<Vec<_>>())
            }
        }
    };
}

user_fields!(CreateUser);
user_fields!(UpdateUser);
user_fields!(PatchUser);

setters!(CreateUser {
    /// Additional login IDs.
    additional_login_ids: strs => "additionalLoginIds",
    /// SSO application IDs (sent as `ssoAppIDs`).
    sso_app_ids: strs => "ssoAppIDs",
    /// Status: `enabled`, `disabled`, `invited` or `expired` (checked before sending).
    status: str => "status",
    /// The invitation URL.
    invite_url: str => "inviteUrl",
    /// Whether to send the invitation email (invite).
    send_mail: bool => "sendMail",
    /// Whether to send the invitation SMS (invite; sent as `sendSMS`).
    send_sms: bool => "sendSMS",
    /// The invitation template (invite).
    template_id: str => "templateId",
    /// The invitation locale (invite).
    locale: str => "locale",
    /// Marks the invited user as a test user (invite).
    test: bool => "test",
});

setters!(UpdateUser {
    /// Additional login IDs.
    additional_login_ids: strs => "additionalLoginIds",
    /// SSO application IDs (sent as `ssoAppIDs`).
    sso_app_ids: strs => "ssoAppIDs",
    /// Marks the user as a test user.
    test: bool => "test",
});

setters!(PatchUser {
    /// SSO application IDs (sent as `ssoAppIds`).
    sso_app_ids: strs => "ssoAppIds",
    /// Status: `enabled`, `disabled`, `invited` or `expired` (checked before sending).
    status: str => "status",
});

impl PatchUser {
    /// Marks the user as a test user (sent only when true).
    pub fn test(self, test: bool) -> Self {
        if test {
            self.set("test", true)
        } else {
            self
        }
    }
}

fn base_user_body<T: Send + 'static>(
    req: MgmtRequest<T>,
    login_id: String,
    test: bool,
) -> MgmtRequest<T> {
    req.set("loginId", login_id)
        .set("email", Value::Null)
        .set("phone", Value::Null)
        .set("displayName", Value::Null)
        .set("roleNames", Vec::<String>::new())
        .set("userTenants", Vec::<AssociatedTenant>::new())
        .set("test", test)
        .set("picture", Value::Null)
        .set("customAttributes", Value::Null)
        .set("additionalLoginIds", Value::Null)
        .set("ssoAppIDs", Value::Null)
}

// ---------------------------------------------------------------------------------------------
// searches

builder!(
    /// `search_all` and `search_all_test_users`: await one page, or call
    /// [`SearchUsers::pages`] for a stream of every page.
    SearchUsers -> UsersPage
);

setters!(SearchUsers {
    /// Users of any of these tenants.
    tenant_ids: strs => "tenantIds",
    /// Users with any of these roles.
    role_names: strs => "roleNames",
    /// Page size (0: the server default).
    limit: int => "limit",
    /// Zero-based page number.
    page: int => "page",
    /// Only test users (`search_all`).
    test_users_only: bool => "testUsersOnly",
    /// Include test users (`search_all`).
    with_test_user: bool => "withTestUser",
    /// Users with these custom attribute values.
    custom_attributes: attrs => "customAttributes",
    /// Users with these statuses.
    statuses: strs => "statuses",
    /// Users with these emails.
    emails: strs => "emails",
    /// Users with these phones.
    phones: strs => "phones",
    /// Users of these SSO applications.
    sso_app_ids: strs => "ssoAppIds",
    /// Free-text search.
    text: str => "text",
    /// Users with these login IDs.
    login_ids: strs => "loginIds",
    /// Users with these user IDs (`search_all`).
    user_ids: strs => "userIds",
    /// Created at or after (epoch ms).
    from_created_time: int => "fromCreatedTime",
    /// Created at or before (epoch ms).
    to_created_time: int => "toCreatedTime",
    /// Modified at or after (epoch ms).
    from_modified_time: int => "fromModifiedTime",
    /// Modified at or before (epoch ms).
    to_modified_time: int => "toModifiedTime",
    /// Tenant role IDs per tenant (`{"<tenant>": {"values": [..]}}`).
    tenant_role_ids: value => "tenantRoleIds",
    /// Tenant role names per tenant (`{"<tenant>": {"values": [..]}}`).
    tenant_role_names: value => "tenantRoleNames",
    /// Users of these families.
    family_ids: strs => "familyIds",
    /// Only dependents (or only non-dependents).
    dependent: bool => "dependent",
    /// Users locked for these reasons.
    lock_reasons: strs => "lockReasons",
    /// Users temporarily locked for these reasons.
    temp_lock_reasons: strs => "tempLockReasons",
});

impl SearchUsers {
    /// Sort order.
    pub fn sort(self, sort: impl IntoIterator<Item = Sort>) -> Self {
        self.set("sort", sort.into_iter().collect::<Vec<_>>())
    }

    /// A stream of every page, starting at the builder's `page`, until the API returns an
    /// empty page, a page shorter than `limit`, or every one of `total` users. Each item is
    /// one page of users; a failed page ends the stream after yielding its error.
    pub fn pages(self) -> UserPages {
        let page = self.inner.get("page").and_then(Value::as_i64).unwrap_or(0);
        let limit = self.inner.get("limit").and_then(Value::as_i64).unwrap_or(0);
        UserPages {
            next: Some(self.inner),
            page,
            limit,
            seen: 0,
            in_flight: None,
        }
    }
}

/// Every page of a user search, as a [`Stream`] (see [`SearchUsers::pages`]).
///
/// ```no_run
/// # async fn run(mgmt: descope_mgmt::Management) -> descope_core::Result<()> {
/// use futures_util::TryStreamExt;
/// let mut pages = mgmt.user().search_all().limit(100).pages();
/// while let Some(page) = pages.try_next().await? {
///     for user in page {
///         println!("{}", user.user_id);
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct UserPages {
    next: Option<MgmtRequest<UsersPage>>,
    page: i64,
    limit: i64,
    seen: i64,
    in_flight: Option<MgmtFuture<UsersPage>>,
}

impl std::fmt::Debug for UserPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPages")
            .field("page", &self.page)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl UserPages {
    /// The next page, or `None` when every page was returned (the same as the stream's
    /// `next()`, without a streams crate).
    pub async fn next_page(&mut self) -> Option<Result<Vec<User>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for UserPages {
    type Item = Result<Vec<User>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.in_flight.is_none() {
            let Some(req) = this.next.take() else {
                return Poll::Ready(None);
            };
            // Keep a copy for the following page before sending this one.
            this.next = Some(req.clone_with("page", this.page + 1));
            this.in_flight = Some(Box::pin(req.send()));
        }
        let Some(fut) = this.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.in_flight = None;
                match result {
                    Ok(page) => {
                        this.page += 1;
                        let n = page.users.len() as i64;
                        this.seen += n;
                        if n == 0 {
                            this.next = None;
                            return Poll::Ready(None);
                        }
                        let short = this.limit > 0 && n < this.limit;
                        let all = page.total > 0 && this.seen >= page.total;
                        if short || all {
                            this.next = None;
                        }
                        Poll::Ready(Some(Ok(page.users)))
                    }
                    Err(e) => {
                        this.next = None;
                        Poll::Ready(Some(Err(e)))
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// other builders

builder!(
    /// `update_email` / `update_phone`.
    UpdateContact -> User
);
setters!(UpdateContact {
    /// Whether the new address is verified.
    verified: bool => "verified",
    /// Fail when another user already has the address.
    fail_on_conflict: bool => "failOnConflict",
});

builder!(
    /// `update_display_name`.
    UpdateName -> User
);
setters!(UpdateName {
    /// Given name.
    given_name: str => "givenName",
    /// Middle name.
    middle_name: str => "middleName",
    /// Family name.
    family_name: str => "familyName",
});

builder!(
    /// `update_recovery_email` / `update_recovery_phone`.
    UpdateRecovery -> User
);
setters!(UpdateRecovery {
    /// Whether the recovery address is verified.
    verified: bool => "verified",
});

builder!(
    /// `invite_batch`.
    InviteBatch -> BatchCreated
);
setters!(InviteBatch {
    /// The invitation URL.
    invite_url: str => "inviteUrl",
    /// Whether to send invitation emails.
    send_mail: bool => "sendMail",
    /// Whether to send invitation SMS (sent as `sendSMS`).
    send_sms: bool => "sendSMS",
    /// The message locale.
    locale: str => "locale",
    /// Template options.
    template_options: attrs => "templateOptions",
    /// The message template.
    template_id: str => "templateId",
});

builder!(
    /// `get_provider_token`.
    GetProviderToken -> ProviderToken
);

impl GetProviderToken {
    /// Also return the provider refresh token.
    pub fn with_refresh_token(mut self, v: bool) -> Self {
        self.inner
            .set_query("withRefreshToken", if v { "true" } else { "false" });
        self
    }

    /// Refresh the provider token before returning it.
    pub fn force_refresh(mut self, v: bool) -> Self {
        self.inner
            .set_query("forceRefresh", if v { "true" } else { "false" });
        self
    }
}

builder!(
    /// `generate_otp_for_test_user`, `generate_magic_link_for_test_user`,
    /// `generate_enchanted_link_for_test_user`.
    GenerateForTestUser -> TestUserCredential
);

impl GenerateForTestUser {
    /// Login options.
    pub fn login_options(self, options: LoginOptions) -> Self {
        self.set("loginOptions", options.to_json())
    }
}

builder!(
    /// `generate_embedded_link`: await the embedded-link token.
    GenerateEmbeddedLink -> String
);
setters!(GenerateEmbeddedLink {
    /// Custom claims for the session.
    custom_claims: attrs => "customClaims",
    /// Token lifetime in seconds (0: the default).
    timeout: int => "timeout",
});

builder!(
    /// `generate_sign_up_embedded_link`: await the embedded-link token.
    GenerateSignUpEmbeddedLink -> String
);
setters!(GenerateSignUpEmbeddedLink {
    /// Whether the email is verified.
    email_verified: bool => "emailVerified",
    /// Whether the phone is verified.
    phone_verified: bool => "phoneVerified",
    /// Token lifetime in seconds (0: the default).
    timeout: int => "timeout",
});

impl GenerateSignUpEmbeddedLink {
    /// The user's details.
    pub fn user(self, user: SignUpUser) -> Self {
        self.set("user", user.to_json())
    }

    /// Login options.
    pub fn login_options(self, options: LoginOptions) -> Self {
        self.set("loginOptions", options.to_json())
    }
}

builder!(
    /// `load_users`.
    LoadUsers -> UsersPage
);
setters!(LoadUsers {
    /// Also return disabled and invalid users.
    include_invalid_users: bool => "includeInvalidUsers",
});

builder!(
    /// `import_users`.
    ImportUsers -> JsonObject
);
setters!(ImportUsers {
    /// Validate only; change nothing.
    dryrun: bool => "dryrun",
});

impl ImportUsers {
    /// The exported users file (sent base64-encoded).
    pub fn users(self, data: impl AsRef<[u8]>) -> Self {
        self.set("users", b64(data.as_ref()))
    }

    /// The exported password hashes file (sent base64-encoded).
    pub fn hashes(self, data: impl AsRef<[u8]>) -> Self {
        self.set("hashes", b64(data.as_ref()))
    }
}

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

builder!(
    /// `create_custom_attribute`.
    CreateCustomAttribute -> JsonObject
);

impl CreateCustomAttribute {
    /// Marks the attribute required.
    pub fn required(self, required: bool) -> Self {
        self.map_attribute(|a| a.required(required))
    }

    /// The options of a select attribute.
    pub fn options<I, S>(self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let options = strings(options);
        self.map_attribute(move |a| a.options(options))
    }

    fn map_attribute(mut self, f: impl FnOnce(CustomAttribute) -> CustomAttribute) -> Self {
        if let Some(Value::Array(items)) = self.inner.get_mut("attributes") {
            if let Some(first) = items.first_mut() {
                if let Ok(attr) = serde_json::from_value::<CustomAttribute>(first.take()) {
                    *first = serde_json::to_value(f(attr)).unwrap_or(Value::Null);
                }
            }
        }
        self
    }
}

// ---------------------------------------------------------------------------------------------
// the calls

impl Users {
    fn create_like(
        &self,
        endpoint: &'static descope_core::Endpoint,
        login_id: String,
        test: bool,
        invite: bool,
    ) -> CreateUser {
        CreateUser::wrap(
            base_user_body(self.req(endpoint, user), login_id, test)
                .set("invite", invite)
                .check(check_status),
        )
    }

    /// Creates a user.
    pub fn create(&self, login_id: impl Into<String>) -> CreateUser {
        self.create_like(&ep::MGMT_USER_CREATE, login_id.into(), false, false)
    }

    /// Creates a test user (usable with the test-user generators; deleted by
    /// `delete_all_test_users`).
    pub fn create_test_user(&self, login_id: impl Into<String>) -> CreateUser {
        self.create_like(&ep::MGMT_USER_CREATE_TEST, login_id.into(), true, false)
    }

    /// Creates a user and sends an invitation.
    pub fn invite(&self, login_id: impl Into<String>) -> CreateUser {
        self.create_like(&ep::MGMT_USER_CREATE, login_id.into(), false, true)
    }

    /// Creates and invites several users at once.
    pub fn invite_batch(&self, users: impl IntoIterator<Item = BatchUser>) -> InviteBatch {
        let users: Vec<Value> = users.into_iter().map(|u| u.to_batch_json()).collect();
        InviteBatch::wrap(
            self.req(&ep::MGMT_USER_CREATE_BATCH, json)
                .set("users", users)
                .set("invite", true),
        )
    }

    /// Replaces every field of a user (fields not set are cleared).
    pub fn update(&self, login_id: impl Into<String>) -> UpdateUser {
        UpdateUser::wrap(
            base_user_body(
                self.req(&ep::MGMT_USER_UPDATE, user),
                login_id.into(),
                false,
            )
            .set("familyAssociations", Vec::<AssociatedFamily>::new()),
        )
    }

    /// Changes only the fields set.
    pub fn patch(&self, login_id: impl Into<String>) -> PatchUser {
        PatchUser::wrap(
            self.req(&ep::MGMT_USER_PATCH, user)
                .set("loginId", login_id.into())
                .check(check_status),
        )
    }

    /// Patches several users; `test` marks them all as test users.
    pub fn patch_batch(
        &self,
        users: impl IntoIterator<Item = BatchUser>,
        test: bool,
    ) -> MgmtRequest<JsonObject> {
        let users: Vec<Value> = users.into_iter().map(|u| u.to_patch_json(test)).collect();
        self.req(&ep::MGMT_USER_PATCH_BATCH, json)
            .set("users", users)
            .check(check_batch_status)
    }

    /// Deletes a user by login ID.
    pub fn delete(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_DELETE, unit)
            .set("loginId", login_id.into())
    }

    /// Deletes a user by user ID.
    pub fn delete_by_user_id(&self, user_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_DELETE, unit)
            .set("userId", user_id.into())
    }

    /// Deletes several users by user ID.
    pub fn delete_batch<I, S>(&self, user_ids: I) -> MgmtRequest<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.req(&ep::MGMT_USER_DELETE_BATCH, unit)
            .set("userIds", strings(user_ids))
    }

    /// Deletes every test user.
    pub fn delete_all_test_users(&self) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_DELETE_ALL_TEST, unit)
            .body(Body::None)
    }

    /// Loads a user by login ID.
    pub fn load(&self, login_id: impl Into<String>) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_LOAD, user)
            .body(Body::None)
            .query("loginId", login_id)
    }

    /// Loads a user by user ID.
    pub fn load_by_user_id(&self, user_id: impl Into<String>) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_LOAD, user)
            .body(Body::None)
            .query("userId", user_id)
    }

    /// Loads several users by user ID (at least one).
    pub fn load_users<I, S>(&self, user_ids: I) -> LoadUsers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = strings(user_ids);
        let empty = ids.is_empty();
        LoadUsers::wrap(
            self.req(&ep::MGMT_USERS_LOAD, json)
                .set("userIds", ids)
                .refuse_if(empty, "At least one user id needs to be supplied"),
        )
    }

    /// Signs a user out of every session, by login ID.
    pub fn logout_user(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_LOGOUT, unit)
            .set("loginId", login_id.into())
    }

    /// Signs a user out of every session, by user ID.
    pub fn logout_user_by_user_id(&self, user_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_LOGOUT, unit)
            .set("userId", user_id.into())
    }

    fn search_like(&self, endpoint: &'static descope_core::Endpoint, test: bool) -> SearchUsers {
        SearchUsers::wrap(
            self.req(endpoint, json)
                .set("tenantIds", Vec::<String>::new())
                .set("roleNames", Vec::<String>::new())
                .set("limit", 0)
                .set("page", 0)
                .set("testUsersOnly", test)
                .set("withTestUser", test)
                .check(check_paging),
        )
    }

    /// Searches users: await one page, or use [`SearchUsers::pages`] for all of them.
    pub fn search_all(&self) -> SearchUsers {
        self.search_like(&ep::MGMT_USER_SEARCH, false)
    }

    /// Searches test users: await one page, or use [`SearchUsers::pages`] for all of them.
    pub fn search_all_test_users(&self) -> SearchUsers {
        self.search_like(&ep::MGMT_USER_SEARCH_TEST, true)
    }

    /// The token a user got from an OAuth provider.
    pub fn get_provider_token(
        &self,
        login_id: impl Into<String>,
        provider: impl Into<String>,
    ) -> GetProviderToken {
        GetProviderToken::wrap(
            self.req(&ep::MGMT_USER_PROVIDER_TOKEN, json)
                .body(Body::None)
                .query("loginId", login_id)
                .query("provider", provider)
                .query("withRefreshToken", "false")
                .query("forceRefresh", "false"),
        )
    }

    fn status(&self, login_id: String, status: &str) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_UPDATE_STATUS, user)
            .set("loginId", login_id)
            .set("status", status)
    }

    /// Enables a user.
    pub fn activate(&self, login_id: impl Into<String>) -> MgmtRequest<User> {
        self.status(login_id.into(), "enabled")
    }

    /// Disables a user.
    pub fn deactivate(&self, login_id: impl Into<String>) -> MgmtRequest<User> {
        self.status(login_id.into(), "disabled")
    }

    /// Changes a login ID; `None` (or `""`) removes it.
    pub fn update_login_id(
        &self,
        login_id: impl Into<String>,
        new_login_id: Option<&str>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_UPDATE_LOGIN_ID, user)
            .set("loginId", login_id.into())
            .set("newLoginId", new_login_id)
    }

    /// Changes the email address (`None` removes it).
    pub fn update_email(&self, login_id: impl Into<String>, email: Option<&str>) -> UpdateContact {
        UpdateContact::wrap(
            self.req(&ep::MGMT_USER_UPDATE_EMAIL, user)
                .set("loginId", login_id.into())
                .set("email", email)
                .set("verified", Value::Null)
                .set("failOnConflict", Value::Null),
        )
    }

    /// Changes the phone number (`None` removes it).
    pub fn update_phone(&self, login_id: impl Into<String>, phone: Option<&str>) -> UpdateContact {
        UpdateContact::wrap(
            self.req(&ep::MGMT_USER_UPDATE_PHONE, user)
                .set("loginId", login_id.into())
                .set("phone", phone)
                .set("verified", Value::Null)
                .set("failOnConflict", Value::Null),
        )
    }

    /// Changes the display name (`None` leaves it) and, with the setters, the name parts.
    pub fn update_display_name(
        &self,
        login_id: impl Into<String>,
        display_name: Option<&str>,
    ) -> UpdateName {
        UpdateName::wrap(
            self.req(&ep::MGMT_USER_UPDATE_NAME, user)
                .set("loginId", login_id.into())
                .set_opt("displayName", display_name),
        )
    }

    /// Changes the picture URL (`None` removes it).
    pub fn update_picture(
        &self,
        login_id: impl Into<String>,
        picture: Option<&str>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_UPDATE_PICTURE, user)
            .set("loginId", login_id.into())
            .set("picture", picture)
    }

    /// Sets one custom attribute (a string, number or boolean).
    pub fn update_custom_attribute(
        &self,
        login_id: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_UPDATE_CUSTOM_ATTRIBUTE, user)
            .set("loginId", login_id.into())
            .set("attributeKey", key.into())
            .set("attributeValue", value.into())
    }

    /// Changes the recovery email.
    pub fn update_recovery_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
    ) -> UpdateRecovery {
        UpdateRecovery::wrap(
            self.req(&ep::MGMT_USER_UPDATE_RECOVERY_EMAIL, user)
                .set("loginId", login_id.into())
                .set("recoveryEmail", email.into())
                .set("verified", false),
        )
    }

    /// Changes the recovery phone.
    pub fn update_recovery_phone(
        &self,
        login_id: impl Into<String>,
        phone: impl Into<String>,
    ) -> UpdateRecovery {
        UpdateRecovery::wrap(
            self.req(&ep::MGMT_USER_UPDATE_RECOVERY_PHONE, user)
                .set("loginId", login_id.into())
                .set("recoveryPhone", phone.into())
                .set("verified", false),
        )
    }

    fn roles(
        &self,
        endpoint: &'static descope_core::Endpoint,
        login_id: String,
        tenant_id: Option<String>,
        roles: Vec<String>,
    ) -> MgmtRequest<User> {
        self.req(endpoint, user)
            .set("loginId", login_id)
            .set_opt("tenantId", tenant_id)
            .set("roleNames", roles)
    }

    /// Replaces the user's project roles.
    pub fn set_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_SET,
            login_id.into(),
            None,
            strings(roles),
        )
    }

    /// Adds project roles.
    pub fn add_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_ADD,
            login_id.into(),
            None,
            strings(roles),
        )
    }

    /// Removes project roles.
    pub fn remove_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_REMOVE,
            login_id.into(),
            None,
            strings(roles),
        )
    }

    /// Replaces the user's roles in a tenant.
    pub fn set_tenant_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_SET,
            login_id.into(),
            Some(tenant_id.into()),
            strings(roles),
        )
    }

    /// Adds roles in a tenant.
    pub fn add_tenant_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_ADD,
            login_id.into(),
            Some(tenant_id.into()),
            strings(roles),
        )
    }

    /// Removes roles in a tenant.
    pub fn remove_tenant_roles<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
        roles: I,
    ) -> MgmtRequest<User> {
        self.roles(
            &ep::MGMT_USER_ROLE_REMOVE,
            login_id.into(),
            Some(tenant_id.into()),
            strings(roles),
        )
    }

    /// Adds the user to a tenant.
    pub fn add_tenant(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_TENANT_ADD, user)
            .set("loginId", login_id.into())
            .set("tenantId", tenant_id.into())
    }

    /// Removes the user from a tenant.
    pub fn remove_tenant(
        &self,
        login_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_TENANT_REMOVE, user)
            .set("loginId", login_id.into())
            .set("tenantId", tenant_id.into())
    }

    fn sso_apps(
        &self,
        endpoint: &'static descope_core::Endpoint,
        login_id: String,
        ids: Vec<String>,
    ) -> MgmtRequest<User> {
        self.req(endpoint, user)
            .set("loginId", login_id)
            .set("ssoAppIds", ids)
    }

    /// Replaces the user's SSO applications.
    pub fn set_sso_apps<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        ids: I,
    ) -> MgmtRequest<User> {
        self.sso_apps(&ep::MGMT_USER_SSOAPP_SET, login_id.into(), strings(ids))
    }

    /// Adds SSO applications.
    pub fn add_sso_apps<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        ids: I,
    ) -> MgmtRequest<User> {
        self.sso_apps(&ep::MGMT_USER_SSOAPP_ADD, login_id.into(), strings(ids))
    }

    /// Removes SSO applications.
    pub fn remove_sso_apps<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        ids: I,
    ) -> MgmtRequest<User> {
        self.sso_apps(&ep::MGMT_USER_SSOAPP_REMOVE, login_id.into(), strings(ids))
    }

    /// Adds family memberships.
    pub fn add_families(
        &self,
        login_id: impl Into<String>,
        families: impl IntoIterator<Item = AssociatedFamily>,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_FAMILY_ADD, user)
            .set("loginId", login_id.into())
            .set(
                "familyAssociations",
                families.into_iter().collect::<Vec<_>>(),
            )
    }

    /// Removes family memberships.
    pub fn remove_families<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        login_id: impl Into<String>,
        family_ids: I,
    ) -> MgmtRequest<User> {
        self.req(&ep::MGMT_USER_FAMILY_REMOVE, user)
            .set("loginId", login_id.into())
            .set("familyIds", strings(family_ids))
    }

    /// Sets a temporary password (the user must change it at the next sign-in).
    pub fn set_temporary_password(
        &self,
        login_id: impl Into<String>,
        password: impl Into<descope_core::Secret>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSWORD_SET_TEMPORARY, unit)
            .set("loginId", login_id.into())
            .set("password", password.into().expose())
            .set("setActive", false)
    }

    /// Sets an active password.
    pub fn set_active_password(
        &self,
        login_id: impl Into<String>,
        password: impl Into<descope_core::Secret>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSWORD_SET_ACTIVE, unit)
            .set("loginId", login_id.into())
            .set("password", password.into().expose())
            .set("setActive", true)
    }

    /// Sets a password (deprecated: use `set_temporary_password` or `set_active_password`).
    #[deprecated(note = "use set_temporary_password or set_active_password")]
    pub fn set_password(
        &self,
        login_id: impl Into<String>,
        password: impl Into<descope_core::Secret>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSWORD_SET, unit)
            .set("loginId", login_id.into())
            .set("password", password.into().expose())
    }

    /// Expires the user's password (a reset is needed at the next sign-in).
    pub fn expire_password(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSWORD_EXPIRE, unit)
            .set("loginId", login_id.into())
    }

    /// Removes every passkey of the user.
    pub fn remove_all_passkeys(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSKEYS_DELETE, unit)
            .set("loginId", login_id.into())
    }

    /// Removes one passkey.
    pub fn delete_passkey(
        &self,
        login_id: impl Into<String>,
        credential_id: impl Into<String>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_PASSKEY_DELETE, unit)
            .set("loginId", login_id.into())
            .set("credentialId", credential_id.into())
    }

    /// Lists the user's passkeys (the raw answer).
    pub fn list_passkeys(&self, login_id: impl Into<String>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_USER_PASSKEYS_LIST, json)
            .set("loginId", login_id.into())
    }

    /// Removes the user's TOTP seed.
    pub fn remove_totp_seed(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_TOTP_DELETE, unit)
            .set("loginId", login_id.into())
    }

    /// Removes the user's recovery codes.
    pub fn remove_recovery_codes(&self, login_id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_RECOVERY_CODES_DELETE, unit)
            .set("loginId", login_id.into())
    }

    /// Lists trusted devices of users (login IDs or user IDs; the raw answer).
    pub fn list_trusted_devices<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        identifiers: I,
    ) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_USER_TRUSTED_DEVICES_LIST, json)
            .set("identifiers", strings(identifiers))
    }

    /// Removes trusted devices of a user.
    pub fn remove_trusted_device<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        identifier: impl Into<String>,
        device_ids: I,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_USER_TRUSTED_DEVICES_REMOVE, unit)
            .set("identifier", identifier.into())
            .set("deviceIds", strings(device_ids))
    }

    /// Generates an OTP code for a test user.
    pub fn generate_otp_for_test_user(
        &self,
        method: impl Into<TestDelivery>,
        login_id: impl Into<String>,
    ) -> GenerateForTestUser {
        let method = method.into();
        GenerateForTestUser::wrap(
            self.req(&ep::MGMT_TESTS_GENERATE_OTP, json)
                .set("loginId", login_id.into())
                .set("deliveryMethod", method.as_str())
                .set("loginOptions", Map::new()),
        )
    }

    /// Generates a magic link for a test user (`uri` may be empty: the project default).
    pub fn generate_magic_link_for_test_user(
        &self,
        method: impl Into<TestDelivery>,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> GenerateForTestUser {
        let method = method.into();
        GenerateForTestUser::wrap(
            self.req(&ep::MGMT_TESTS_GENERATE_MAGIC_LINK, json)
                .set("loginId", login_id.into())
                .set("deliveryMethod", method.as_str())
                .set("URI", uri.into())
                .set("loginOptions", Map::new()),
        )
    }

    /// Generates an enchanted link for a test user (`uri` may be empty: the project default).
    pub fn generate_enchanted_link_for_test_user(
        &self,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> GenerateForTestUser {
        GenerateForTestUser::wrap(
            self.req(&ep::MGMT_TESTS_GENERATE_ENCHANTED_LINK, json)
                .set("loginId", login_id.into())
                .set("URI", uri.into())
                .set("loginOptions", Map::new()),
        )
    }

    /// Generates an embedded-link token that signs the user in.
    pub fn generate_embedded_link(&self, login_id: impl Into<String>) -> GenerateEmbeddedLink {
        GenerateEmbeddedLink::wrap(
            MgmtRequest::new(&self.api, &ep::MGMT_USER_EMBEDDED_LINK, |r| {
                field(&r, "token")
            })
            .set("loginId", login_id.into())
            .set("customClaims", Value::Null)
            .set("timeout", 0),
        )
    }

    /// Generates an embedded-link token that signs a new user up.
    pub fn generate_sign_up_embedded_link(
        &self,
        login_id: impl Into<String>,
    ) -> GenerateSignUpEmbeddedLink {
        GenerateSignUpEmbeddedLink::wrap(
            MgmtRequest::new(&self.api, &ep::MGMT_USER_SIGNUP_EMBEDDED_LINK, |r| {
                field(&r, "token")
            })
            .set("loginId", login_id.into())
            .set("user", Map::new())
            .set("loginOptions", Map::new())
            .set("emailVerified", false)
            .set("phoneVerified", false)
            .set("timeout", 0),
        )
    }

    /// The login history of users.
    pub fn history<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        user_ids: I,
    ) -> MgmtRequest<Vec<LoginHistory>> {
        self.req(&ep::MGMT_USER_HISTORY, json)
            .body(Body::Raw(Value::from(strings(user_ids))))
    }

    /// Imports users exported from another provider (`source` such as `auth0` or `firebase`).
    pub fn import_users(&self, source: impl Into<String>) -> ImportUsers {
        ImportUsers::wrap(
            self.req(&ep::MGMT_USER_IMPORT, json)
                .set("source", source.into())
                .set("dryrun", false),
        )
    }

    /// Defines a custom user attribute.
    pub fn create_custom_attribute(
        &self,
        name: impl Into<String>,
        display_name: impl Into<String>,
        attribute_type: impl Into<String>,
    ) -> CreateCustomAttribute {
        let attr = CustomAttribute::new(name, display_name, attribute_type);
        CreateCustomAttribute::wrap(
            self.req(&ep::MGMT_USER_CUSTOM_ATTRIBUTE_CREATE, json)
                .set("attributes", vec![attr]),
        )
    }

    /// Deletes a custom user attribute definition.
    pub fn delete_custom_attribute(&self, name: impl Into<String>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_USER_CUSTOM_ATTRIBUTE_DELETE, json)
            .set("names", vec![name.into()])
    }

    /// Loads the custom user attribute definitions (the raw answer).
    pub fn load_custom_attributes(&self) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_USER_CUSTOM_ATTRIBUTES_LOAD, json)
            .body(Body::None)
    }
}
