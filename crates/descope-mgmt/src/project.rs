//! The project (`client.mgmt().project()`).

use descope_core::endpoints as ep;
use descope_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::call::{builder, field, json, setters, strings, unit, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// Project settings, clone, export and import.
    Project
);

/// A project in `list_projects`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ProjectSummary {
    /// Project ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Environment (`production` or empty).
    pub environment: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Every other field (the legacy `tag` is dropped).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `clone`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ClonedProject {
    /// The new project's ID.
    pub project_id: String,
    /// The new project's name.
    pub project_name: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An exported project: file name → file content, to import back with `import_project`.
///
/// It contains the project's secrets: store it safely. `Debug` shows only the file names.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProjectFiles(pub Map<String, Value>);

impl std::fmt::Debug for ProjectFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl From<Map<String, Value>> for ProjectFiles {
    fn from(files: Map<String, Value>) -> Self {
        Self(files)
    }
}

fn projects(resp: descope_transport::ApiResponse) -> Result<Vec<ProjectSummary>> {
    let mut list: Vec<ProjectSummary> = field(&resp, "projects")?;
    for p in &mut list {
        p.extra.remove("tag");
    }
    Ok(list)
}

builder!(
    /// `clone`.
    CloneProject -> ClonedProject
);
setters!(CloneProject {
    /// `production` (the only environment supported).
    environment: str => "environment",
    /// Tags.
    tags: strs => "tags",
});

builder!(
    /// `import_snapshot`.
    ImportSnapshot -> ()
);
setters!(ImportSnapshot {
    /// Secrets the snapshot refers to.
    input_secrets: attrs => "inputSecrets",
    /// Parts to leave out.
    excludes: strs => "excludes",
});

impl Project {
    /// Renames the project.
    pub fn update_name(&self, name: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PROJECT_UPDATE_NAME, unit)
            .set("name", name.into())
    }

    /// Replaces the project's tags.
    pub fn update_tags<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        tags: I,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PROJECT_UPDATE_TAGS, unit)
            .set("tags", strings(tags))
    }

    /// Lists the company's projects.
    pub fn list_projects(&self) -> MgmtRequest<Vec<ProjectSummary>> {
        self.req(&ep::MGMT_PROJECTS_LIST, projects)
    }

    /// Clones the project's settings (not its users, tenants or access keys).
    pub fn clone_project(&self, name: impl Into<String>) -> CloneProject {
        CloneProject::wrap(
            self.req(&ep::MGMT_PROJECT_CLONE, json)
                .set("name", name.into())
                .set("environment", Value::Null)
                .set("tags", Value::Null),
        )
    }

    /// Exports the project's configuration as files.
    pub fn export_project(&self) -> MgmtRequest<ProjectFiles> {
        self.req(&ep::MGMT_PROJECT_EXPORT, |r| field(&r, "files"))
    }

    /// Imports files made by `export_project`.
    pub fn import_project(&self, files: impl Into<ProjectFiles>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PROJECT_IMPORT, unit)
            .set("files", files.into())
    }

    /// Exports a snapshot (the raw answer, `{"files": {...}}`).
    pub fn export_snapshot(&self, format: Option<&str>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_PROJECT_SNAPSHOT_EXPORT, json)
            .set_opt("format", format)
    }

    /// Imports a snapshot.
    pub fn import_snapshot(&self, files: impl Into<ProjectFiles>) -> ImportSnapshot {
        ImportSnapshot::wrap(
            self.req(&ep::MGMT_PROJECT_SNAPSHOT_IMPORT, unit)
                .set("files", files.into()),
        )
    }

    /// Validates a snapshot (the raw answer, `{"ok", "failures"}`).
    pub fn validate_snapshot(&self, files: impl Into<ProjectFiles>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_PROJECT_SNAPSHOT_VALIDATE, json)
            .set("files", files.into())
    }
}
