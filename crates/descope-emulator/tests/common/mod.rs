//! A tiny HTTP client for the emulator tests.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use descope_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};
use descope_transport::{HttpRequest, HttpTransport, HyperTransport};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{json, Value};

pub struct Client {
    pub t: HyperTransport,
    pub base: String,
    pub pid: String,
    pub mk: String,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub json: Value,
    pub headers: HeaderMap,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn for_handle(h: &EmulatorHandle) -> Self {
        Self::new(h.base_url(), h.project_id(), h.management_key(), None)
    }

    pub fn new(base: &str, pid: &str, mk: &str, ca: Option<&str>) -> Self {
        let mut b = HyperTransport::builder();
        if let Some(ca) = ca {
            b = b.add_ca_pem(ca.as_bytes().to_vec());
        }
        Self {
            t: b.build().expect("transport"),
            base: base.to_string(),
            pid: pid.to_string(),
            mk: mk.to_string(),
        }
    }

    /// `auth` is what follows `P:` in the bearer (None: plain `Bearer P`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut headers = HeaderMap::new();
        let bearer = match auth {
            Some(a) => format!("Bearer {}:{}", self.pid, a),
            None => format!("Bearer {}", self.pid),
        };
        headers.insert("authorization", HeaderValue::from_str(&bearer).unwrap());
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let req = HttpRequest::new(method, format!("{}{}", self.base, path), headers, body);
        let r = self.t.send(req).await.expect("request");
        let json = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&r.body)
                .unwrap_or(Value::String(String::from_utf8_lossy(&r.body).into()))
        };
        Resp {
            status: r.status.as_u16(),
            json,
            headers: r.headers,
        }
    }

    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    pub async fn mgmt(&self, path: &str, body: Value) -> Resp {
        let mk = self.mk.clone();
        self.call(Method::POST, path, Some(&mk), Some(body)).await
    }

    pub async fn mgmt_get(&self, path: &str) -> Resp {
        let mk = self.mk.clone();
        self.call(Method::GET, path, Some(&mk), None).await
    }

    /// Creates a test user and signs it in with a generated OTP; returns the verify response.
    pub async fn login_test_user(&self, login_id: &str, extra: Value) -> Value {
        let mut body =
            json!({"loginId": login_id, "email": login_id, "invite": false, "test": true});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self.mgmt("/v1/mgmt/user/create/test", body).await;
        assert_eq!(r.status, 200, "create test user: {}", r.json);
        self.otp_login(login_id).await
    }

    /// Signs an existing test user in with a generated OTP.
    pub async fn otp_login(&self, login_id: &str) -> Value {
        let r = self
            .mgmt(
                "/v1/mgmt/tests/generate/otp",
                json!({"loginId": login_id, "deliveryMethod": "email", "loginOptions": {}}),
            )
            .await;
        assert_eq!(r.status, 200, "generate otp: {}", r.json);
        let code = r.json["code"].as_str().unwrap().to_string();
        let v = self
            .post(
                "/v1/auth/otp/verify/email",
                None,
                json!({"loginId": login_id, "code": code}),
            )
            .await;
        assert_eq!(v.status, 200, "verify: {}", v.json);
        v.json
    }
}

pub fn claims(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64")).expect("json")
}

pub fn header(jwt: &str) -> Value {
    let p = jwt.split('.').next().expect("header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64")).expect("json")
}

pub async fn start(b: EmulatorBuilder) -> (EmulatorHandle, Client) {
    let h = b.start().await.expect("emulator starts");
    let c = Client::for_handle(&h);
    (h, c)
}

pub async fn start_default() -> (EmulatorHandle, Client) {
    start(Emulator::builder()).await
}

pub fn assert_descope_error(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "status (body {})", r.json);
    for k in ["errorCode", "errorDescription", "errorMessage"] {
        assert!(
            r.json[k].as_str().is_some_and(|s| !s.is_empty()),
            "{k} missing in {}",
            r.json
        );
    }
}
