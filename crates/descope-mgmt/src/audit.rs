//! Audit search and custom audit events (`client.mgmt().audit()`).

use descope_core::endpoints as ep;
use descope_core::Result;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::call::{builder, setters, unit};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// Audit trail.
    Audit
);

/// One audit record. `login_ids` is the API's `externalIds`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AuditRecord {
    /// Project ID.
    pub project_id: String,
    /// User ID.
    pub user_id: String,
    /// The action, such as `LoginSucceed`.
    pub action: String,
    /// When, milliseconds since the Unix epoch (the API sends a number or a numeric string).
    #[serde(deserialize_with = "millis")]
    pub occurred: i64,
    /// Device: `Bot`, `Mobile`, `Desktop`, `Tablet`, `Unknown`.
    pub device: String,
    /// Authentication method.
    pub method: String,
    /// Country code.
    pub geo: String,
    /// Remote address.
    pub remote_address: String,
    /// The login IDs involved (the API's `externalIds`).
    #[serde(rename = "externalIds")]
    pub login_ids: Vec<String>,
    /// Tenants.
    pub tenants: Vec<String>,
    /// Event data.
    pub data: JsonObject,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Value::String(s) => s.trim().parse::<f64>().map(|f| f as i64).unwrap_or(0),
        _ => 0,
    })
}

fn audits(resp: descope_transport::ApiResponse) -> Result<Vec<AuditRecord>> {
    crate::call::field(&resp, "audits")
}

builder!(
    /// `search`: every filter optional. The API answers every match at once (no paging);
    /// it keeps the last 30 days.
    SearchAudit -> Vec<AuditRecord>
);
setters!(SearchAudit {
    /// User IDs.
    user_ids: strs => "userIds",
    /// Actions.
    actions: strs => "actions",
    /// Actions to exclude.
    excluded_actions: strs => "excludedActions",
    /// Devices: `Bot`, `Mobile`, `Desktop`, `Tablet`, `Unknown`.
    devices: strs => "devices",
    /// Methods: `otp`, `totp`, `magiclink`, `oauth`, `saml`, `password`.
    methods: strs => "methods",
    /// Country codes.
    geos: strs => "geos",
    /// Remote addresses.
    remote_addresses: strs => "remoteAddresses",
    /// Login IDs (sent as `externalIds`).
    login_ids: strs => "externalIds",
    /// Tenants.
    tenants: strs => "tenants",
    /// Only events without tenants.
    no_tenants: bool => "noTenants",
    /// Free text.
    text: str => "text",
    /// From, milliseconds since the Unix epoch.
    from_ms: int => "from",
    /// To, milliseconds since the Unix epoch.
    to_ms: int => "to",
});

impl SearchAudit {
    /// From this time.
    pub fn from(self, t: std::time::SystemTime) -> Self {
        self.from_ms(epoch_ms(t))
    }

    /// Up to this time.
    pub fn to(self, t: std::time::SystemTime) -> Self {
        self.to_ms(epoch_ms(t))
    }
}

fn epoch_ms(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

impl SearchAudit {
    /// The records as a stream of pages. The API answers every match at once (it has no
    /// paging), so the stream yields one page; it exists so every search can be consumed the
    /// same way.
    pub fn pages(self) -> crate::SinglePage<AuditRecord> {
        crate::SinglePage::new(self.inner)
    }
}

builder!(
    /// `create_event`.
    CreateEvent -> ()
);
setters!(CreateEvent {
    /// The user concerned.
    user_id: str => "userId",
    /// Event data.
    data: attrs => "data",
});

builder!(
    /// `create_audit_webhook`.
    CreateAuditWebhook -> ()
);
setters!(CreateAuditWebhook {
    /// The webhook URL.
    url: str => "url",
    /// Headers sent with each call.
    headers: attrs => "headers",
});

impl Audit {
    /// Searches the audit trail.
    pub fn search(&self) -> SearchAudit {
        SearchAudit::wrap(
            self.req(&ep::MGMT_AUDIT_SEARCH, audits)
                .set("noTenants", false),
        )
    }

    /// Records a custom audit event; `event_type` is `info`, `warn` or `error`.
    pub fn create_event(
        &self,
        action: impl Into<String>,
        event_type: impl Into<String>,
        actor_id: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> CreateEvent {
        let event_type = event_type.into();
        let bad = !["info", "warn", "error"].contains(&event_type.as_str());
        CreateEvent::wrap(
            self.req(&ep::MGMT_AUDIT_EVENT, unit)
                .refuse_if(bad, "the audit event type must be info, warn or error")
                .set("action", action.into())
                .set("type", event_type)
                .set("actorId", actor_id.into())
                .set("tenantId", tenant_id.into()),
        )
    }

    /// Sets up an audit webhook connector.
    pub fn create_audit_webhook(&self, name: impl Into<String>) -> CreateAuditWebhook {
        CreateAuditWebhook::wrap(
            self.req(&ep::MGMT_AUDIT_WEBHOOK, unit)
                .set("name", name.into()),
        )
    }
}
