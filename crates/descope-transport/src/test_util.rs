//! Test helpers: a transport that answers from a script and records every request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use descope_core::TransportError;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::transport::{HttpRequest, HttpResponse, HttpTransport};

/// One scripted answer.
#[derive(Debug)]
pub enum Scripted {
    /// Answer with this response.
    Response(HttpResponse),
    /// Fail with this transport error.
    Error(TransportError),
}

/// A transport that answers from a queue of scripted responses (the last one repeats when the
/// queue runs out) and records every request it is given.
#[derive(Debug, Clone, Default)]
pub struct ScriptedTransport {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    script: VecDeque<Scripted>,
    requests: Vec<HttpRequest>,
}

impl ScriptedTransport {
    /// An empty script: every request fails until responses are pushed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a JSON response.
    pub fn push_json(&self, status: u16, body: serde_json::Value) -> &Self {
        self.push_response(status, &[], body.to_string().into_bytes())
    }

    /// Queues a response with headers and a raw body.
    pub fn push_response(
        &self,
        status: u16,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> &Self {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                map.append(k, v);
            }
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self.state
            .lock()
            .unwrap()
            .script
            .push_back(Scripted::Response(HttpResponse::new(
                status,
                map,
                body.into(),
            )));
        self
    }

    /// Queues a transport error.
    pub fn push_error(&self, error: TransportError) -> &Self {
        self.state
            .lock()
            .unwrap()
            .script
            .push_back(Scripted::Error(error));
        self
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }
}

fn clone_scripted(s: &Scripted) -> Scripted {
    match s {
        Scripted::Response(r) => Scripted::Response(r.clone()),
        Scripted::Error(e) => Scripted::Error(TransportError::new(
            e.kind(),
            e.may_have_been_sent(),
            e.to_string(),
        )),
    }
}

#[async_trait]
impl HttpTransport for ScriptedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let next = {
            let mut st = self.state.lock().unwrap();
            st.requests.push(request);
            if st.script.len() > 1 {
                st.script.pop_front()
            } else {
                st.script.front().map(clone_scripted)
            }
        };
        match next {
            Some(Scripted::Response(r)) => Ok(r),
            Some(Scripted::Error(e)) => Err(e),
            None => Err(TransportError::new(
                descope_core::TransportErrorKind::Connect,
                false,
                "ScriptedTransport has no scripted response",
            )),
        }
    }
}

/// Replaying the recorded conformance cases (`conformance/python-2.16.1.json`).
pub mod conformance {
    use serde::Deserialize;
    use serde_json::Value;

    use super::ScriptedTransport;
    use crate::transport::HttpRequest;

    /// One recorded request with the response the recorder served.
    #[derive(Debug, Clone, Deserialize)]
    pub struct RecordedRequest {
        /// HTTP method.
        pub method: String,
        /// Path (no query).
        pub path: String,
        /// Query string, without `?`.
        #[serde(default)]
        pub query: String,
        /// Request headers (lower-case names).
        #[serde(default)]
        pub headers: serde_json::Map<String, Value>,
        /// Parsed JSON body, or null.
        #[serde(default)]
        pub body: Value,
        /// Raw body text.
        #[serde(default)]
        pub raw_body: String,
        /// What the recorder answered.
        pub response: RecordedResponse,
    }

    /// A recorded response.
    #[derive(Debug, Clone, Deserialize)]
    pub struct RecordedResponse {
        /// HTTP status.
        pub status: u16,
        /// Headers as pairs.
        #[serde(default)]
        pub headers: Vec<(String, String)>,
        /// JSON body, when it was JSON.
        #[serde(default)]
        pub json: Option<Value>,
        /// Text body, when it was not JSON.
        #[serde(default)]
        pub text: Option<String>,
    }

    /// One conformance case.
    #[derive(Debug, Clone, Deserialize)]
    pub struct Case {
        /// `<area>.<module>.<function>.<variant>`.
        pub id: String,
        /// The Python call.
        pub call: String,
        /// The first request, or null when the SDK refused before sending.
        pub request: Option<RecordedRequest>,
        /// Every request, when the call made several.
        #[serde(default)]
        pub requests: Option<Vec<RecordedRequest>>,
        /// `returned` or `raised`.
        pub outcome: String,
        /// The return value or the error description.
        pub result: Value,
    }

    impl Case {
        /// The requests that are part of the contract (the Python-only `/v1/mgmt/license`
        /// handshake left out).
        pub fn wire_requests(&self) -> Vec<RecordedRequest> {
            let all: Vec<RecordedRequest> = match (&self.requests, &self.request) {
                (Some(rs), _) if !rs.is_empty() => rs.clone(),
                (_, Some(r)) => vec![r.clone()],
                _ => Vec::new(),
            };
            all.into_iter()
                .filter(|r| r.path != "/v1/mgmt/license")
                .collect()
        }

        /// Whether the SDK refused before sending anything.
        pub fn refused_before_sending(&self) -> bool {
            self.wire_requests().is_empty() && self.outcome == "raised"
        }

        /// Queues the recorded responses on `transport`, in order.
        pub fn script(&self, transport: &ScriptedTransport) {
            for r in self.wire_requests() {
                let headers: Vec<(&str, &str)> = r
                    .response
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let body = match (&r.response.json, &r.response.text) {
                    (Some(j), _) => j.to_string(),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                transport.push_response(r.response.status, &headers, body);
            }
        }

        /// Compares what was sent with what the official SDK sent: method, path, query,
        /// `authorization` and the body as JSON. Returns a description of each difference.
        pub fn diff_requests(&self, sent: &[HttpRequest]) -> Vec<String> {
            let expected = self.wire_requests();
            let mut diffs = Vec::new();
            if expected.len() != sent.len() {
                diffs.push(format!(
                    "expected {} request(s), sent {}",
                    expected.len(),
                    sent.len()
                ));
            }
            for (i, (e, s)) in expected.iter().zip(sent.iter()).enumerate() {
                if e.method != s.method.as_str() {
                    diffs.push(format!(
                        "#{i} method: expected {} got {}",
                        e.method, s.method
                    ));
                }
                let (path, query) = split_url(&s.url);
                if e.path != path {
                    diffs.push(format!("#{i} path: expected {} got {path}", e.path));
                }
                if !same_query(&e.query, query) {
                    diffs.push(format!("#{i} query: expected {:?} got {query:?}", e.query));
                }
                let e_auth = e.headers.get("authorization").and_then(Value::as_str);
                let s_auth = s.headers.get("authorization").and_then(|v| v.to_str().ok());
                if e_auth != s_auth {
                    diffs.push(format!("#{i} authorization differs"));
                }
                let s_body: Value = if s.body.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&s.body).unwrap_or(Value::String("<not json>".into()))
                };
                let e_body = if e.body.is_null() && !e.raw_body.is_empty() {
                    serde_json::from_str(&e.raw_body).unwrap_or(Value::Null)
                } else {
                    e.body.clone()
                };
                if e_body != s_body {
                    diffs.push(format!("#{i} body: expected {e_body} got {s_body}"));
                }
            }
            diffs
        }
    }

    fn split_url(url: &str) -> (&str, &str) {
        let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
        let path_start = url[after_scheme..]
            .find('/')
            .map(|i| i + after_scheme)
            .unwrap_or(url.len());
        let rest = &url[path_start..];
        match rest.split_once('?') {
            Some((p, q)) => (p, q),
            None => (rest, ""),
        }
    }

    fn decode_pairs(q: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// Query strings are equal when they hold the same decoded pairs in the same order
    /// (`%20` and `+` both mean a space).
    fn same_query(a: &str, b: &str) -> bool {
        decode_pairs(a) == decode_pairs(b)
    }

    /// Loads every case of a conformance file.
    pub fn load_cases(path: &str) -> Vec<Case> {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read conformance file {path}: {e}"));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("conformance file {path} does not parse: {e}"))
    }
}
