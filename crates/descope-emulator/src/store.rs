//! State: in-memory maps, written through to SQLite when a data directory is set.
//!
//! Every change goes through [`Data`]'s `put_*`/`remove_*` methods, which update the maps and
//! queue a write. [`Store::flush`] writes the queue in one SQLite transaction before the
//! response leaves, so an acknowledged change survives a crash (WAL, `synchronous=FULL`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusqlite::{params, Connection};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::model::*;

const KIND_USER: &str = "user";
const KIND_TENANT: &str = "tenant";
const KIND_ROLE: &str = "role";
const KIND_PERMISSION: &str = "permission";
const KIND_ACCESS_KEY: &str = "accesskey";
const KIND_SESSION: &str = "session";
const KIND_LOGIN: &str = "login";
const KIND_SIGNING_KEY: &str = "signingkey";
const KIND_PROJECT: &str = "project";

enum Write {
    Put(&'static str, String, String),
    Delete(&'static str, String),
}

/// Everything the emulator knows that outlives a request.
#[derive(Default)]
pub struct Data {
    pub users: HashMap<String, UserRecord>,
    /// login ID → user ID
    pub login_index: HashMap<String, String>,
    pub tenants: BTreeMap<String, TenantRecord>,
    pub roles: BTreeMap<String, RoleRecord>,
    pub permissions: BTreeMap<String, PermissionRecord>,
    pub access_keys: BTreeMap<String, AccessKeyRecord>,
    pub sessions: HashMap<String, SessionRecord>,
    pub logins: Vec<LoginRecord>,
    pub signing_keys: Vec<SigningKeyRecord>,
    pub project: Option<ProjectRecord>,
    /// Records of the newer modules (SSO settings, flows, FGA, audit, ...): kind → ID → JSON.
    /// Kinds start with `x.` in the database.
    pub docs: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    pending: Vec<Write>,
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("users", &self.users.len())
            .field("tenants", &self.tenants.len())
            .finish_non_exhaustive()
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

impl Data {
    fn queue<T: Serialize>(&mut self, kind: &'static str, id: &str, v: &T) {
        self.pending
            .push(Write::Put(kind, id.to_string(), to_json(v)));
    }

    /// The user that owns `login_id`.
    pub fn user_by_login(&self, login_id: &str) -> Option<&UserRecord> {
        self.login_index
            .get(login_id)
            .and_then(|id| self.users.get(id))
    }

    /// Inserts or replaces a user, keeping the login-ID index in step.
    pub fn put_user(&mut self, user: UserRecord) {
        if let Some(old) = self.users.get(&user.user_id) {
            for l in old.login_ids.clone() {
                if !user.login_ids.contains(&l) {
                    self.login_index.remove(&l);
                }
            }
        }
        for l in &user.login_ids {
            self.login_index.insert(l.clone(), user.user_id.clone());
        }
        self.queue(KIND_USER, &user.user_id, &user);
        self.users.insert(user.user_id.clone(), user);
    }

    /// Removes a user, its login IDs and its sessions.
    pub fn remove_user(&mut self, user_id: &str) {
        if let Some(old) = self.users.remove(user_id) {
            for l in old.login_ids {
                self.login_index.remove(&l);
            }
            self.pending
                .push(Write::Delete(KIND_USER, user_id.to_string()));
            let sids: Vec<String> = self
                .sessions
                .values()
                .filter(|s| s.user_id == user_id)
                .map(|s| s.id.clone())
                .collect();
            for sid in sids {
                self.sessions.remove(&sid);
                self.pending.push(Write::Delete(KIND_SESSION, sid));
            }
        }
    }

    pub fn put_tenant(&mut self, t: TenantRecord) {
        self.queue(KIND_TENANT, &t.id, &t);
        self.tenants.insert(t.id.clone(), t);
    }

    pub fn remove_tenant(&mut self, id: &str) {
        if self.tenants.remove(id).is_some() {
            self.pending
                .push(Write::Delete(KIND_TENANT, id.to_string()));
        }
    }

    pub fn put_role(&mut self, r: RoleRecord) {
        let key = RoleRecord::key(&r.tenant_id, &r.name);
        self.queue(KIND_ROLE, &key, &r);
        self.roles.insert(key, r);
    }

    pub fn remove_role(&mut self, tenant_id: &str, name: &str) -> bool {
        let key = RoleRecord::key(tenant_id, name);
        if self.roles.remove(&key).is_some() {
            self.pending.push(Write::Delete(KIND_ROLE, key));
            true
        } else {
            false
        }
    }

    pub fn put_permission(&mut self, p: PermissionRecord) {
        self.queue(KIND_PERMISSION, &p.name, &p);
        self.permissions.insert(p.name.clone(), p);
    }

    pub fn remove_permission(&mut self, name: &str) -> bool {
        if self.permissions.remove(name).is_some() {
            self.pending
                .push(Write::Delete(KIND_PERMISSION, name.to_string()));
            true
        } else {
            false
        }
    }

    pub fn put_access_key(&mut self, k: AccessKeyRecord) {
        self.queue(KIND_ACCESS_KEY, &k.id, &k);
        self.access_keys.insert(k.id.clone(), k);
    }

    pub fn remove_access_key(&mut self, id: &str) -> bool {
        if self.access_keys.remove(id).is_some() {
            self.pending
                .push(Write::Delete(KIND_ACCESS_KEY, id.to_string()));
            true
        } else {
            false
        }
    }

    pub fn put_session(&mut self, s: SessionRecord) {
        self.queue(KIND_SESSION, &s.id, &s);
        self.sessions.insert(s.id.clone(), s);
    }

    pub fn add_login(&mut self, l: LoginRecord) {
        self.queue(KIND_LOGIN, &l.id, &l);
        self.logins.push(l);
    }

    pub fn put_signing_keys(&mut self, keys: Vec<SigningKeyRecord>) {
        for k in &keys {
            self.queue(KIND_SIGNING_KEY, &k.kid, k);
        }
        self.signing_keys = keys;
    }

    pub fn put_project(&mut self, p: ProjectRecord) {
        self.queue(KIND_PROJECT, "project", &p);
        self.project = Some(p);
    }

    /// The documents of one kind (see [`Data::docs`]), ordered by ID.
    pub fn docs_of(&self, kind: &str) -> impl Iterator<Item = (&String, &serde_json::Value)> {
        self.docs.get(kind).into_iter().flat_map(|m| m.iter())
    }

    /// One document.
    pub fn doc(&self, kind: &str, id: &str) -> Option<&serde_json::Value> {
        self.docs.get(kind).and_then(|m| m.get(id))
    }

    /// Inserts or replaces a document; `kind` must start with `x.`.
    pub fn put_doc(&mut self, kind: &'static str, id: &str, v: serde_json::Value) {
        self.queue(kind, id, &v);
        self.docs
            .entry(kind.to_string())
            .or_default()
            .insert(id.to_string(), v);
    }

    /// Removes a document; false when there was none.
    pub fn remove_doc(&mut self, kind: &'static str, id: &str) -> bool {
        let removed = self.docs.get_mut(kind).and_then(|m| m.remove(id)).is_some();
        if removed {
            self.pending.push(Write::Delete(kind, id.to_string()));
        }
        removed
    }

    /// Drops every queued write (in-memory mode).
    fn take_pending(&mut self) -> Vec<Write> {
        std::mem::take(&mut self.pending)
    }
}

/// The maps plus the optional SQLite file behind them.
pub struct Store {
    pub data: Data,
    db: Connection,
    persistent: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("persistent", &self.persistent)
            .finish_non_exhaustive()
    }
}

fn load_kind<T: DeserializeOwned>(db: &Connection, kind: &str) -> Result<Vec<T>, String> {
    let mut stmt = db
        .prepare("SELECT doc FROM records WHERE kind = ?1 ORDER BY rowid")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map(params![kind], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for row in rows {
        let doc = row.map_err(|e| e.to_string())?;
        out.push(
            serde_json::from_str(&doc)
                .map_err(|e| format!("corrupt {kind} record in the data dir: {e}"))?,
        );
    }
    Ok(out)
}

impl Store {
    /// Opens `dir/emulator.sqlite3`, or an in-memory database when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Self, String> {
        let (db, persistent) = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
                let path = dir.join("emulator.sqlite3");
                let db = Connection::open(&path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
                db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
                    .map_err(|e| e.to_string())?;
                (db, true)
            }
            None => (
                Connection::open_in_memory().map_err(|e| e.to_string())?,
                false,
            ),
        };
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS records (
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                doc TEXT NOT NULL,
                PRIMARY KEY (kind, id)
            );",
        )
        .map_err(|e| e.to_string())?;
        let mut data = Data::default();
        if persistent {
            for u in load_kind::<UserRecord>(&db, KIND_USER)? {
                for l in &u.login_ids {
                    data.login_index.insert(l.clone(), u.user_id.clone());
                }
                data.users.insert(u.user_id.clone(), u);
            }
            for t in load_kind::<TenantRecord>(&db, KIND_TENANT)? {
                data.tenants.insert(t.id.clone(), t);
            }
            for r in load_kind::<RoleRecord>(&db, KIND_ROLE)? {
                data.roles.insert(RoleRecord::key(&r.tenant_id, &r.name), r);
            }
            for p in load_kind::<PermissionRecord>(&db, KIND_PERMISSION)? {
                data.permissions.insert(p.name.clone(), p);
            }
            for k in load_kind::<AccessKeyRecord>(&db, KIND_ACCESS_KEY)? {
                data.access_keys.insert(k.id.clone(), k);
            }
            let now = crate::util::now();
            for s in load_kind::<SessionRecord>(&db, KIND_SESSION)? {
                if s.expires > now {
                    data.sessions.insert(s.id.clone(), s);
                } else {
                    // An expired refresh token can never refresh again: forget its session.
                    data.pending.push(Write::Delete(KIND_SESSION, s.id));
                }
            }
            data.logins = load_kind(&db, KIND_LOGIN)?;
            let mut keys: Vec<SigningKeyRecord> = load_kind(&db, KIND_SIGNING_KEY)?;
            keys.sort_by_key(|k| k.created);
            data.signing_keys = keys;
            data.project = load_kind::<ProjectRecord>(&db, KIND_PROJECT)?.pop();
            let mut stmt = db
                .prepare("SELECT kind, id, doc FROM records WHERE kind LIKE 'x.%' ORDER BY rowid")
                .map_err(|e| e.to_string())?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| e.to_string())?;
            for row in rows {
                let (kind, id, doc) = row.map_err(|e| e.to_string())?;
                let v = serde_json::from_str(&doc)
                    .map_err(|e| format!("corrupt {kind} record in the data dir: {e}"))?;
                data.docs.entry(kind).or_default().insert(id, v);
            }
            drop(stmt);
        }
        Ok(Self {
            data,
            db,
            persistent,
        })
    }

    /// Writes the queued changes in one transaction (a no-op in memory).
    pub fn flush(&mut self) -> ApiResult<()> {
        let writes = self.data.take_pending();
        if !self.persistent || writes.is_empty() {
            return Ok(());
        }
        let fail = |e: rusqlite::Error| ApiError::internal(format!("store write failed: {e}"));
        let tx = self.db.transaction().map_err(fail)?;
        for w in writes {
            match w {
                Write::Put(kind, id, doc) => {
                    tx.execute(
                        "INSERT INTO records (kind, id, doc) VALUES (?1, ?2, ?3)
                         ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc",
                        params![kind, id, doc],
                    )
                    .map_err(fail)?;
                }
                Write::Delete(kind, id) => {
                    tx.execute(
                        "DELETE FROM records WHERE kind = ?1 AND id = ?2",
                        params![kind, id],
                    )
                    .map_err(fail)?;
                }
            }
        }
        tx.commit().map_err(fail)
    }
}
