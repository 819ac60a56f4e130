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

    impl RecordedResponse {
        /// A response with a JSON body and no headers.
        pub fn json(status: u16, body: Value) -> Self {
            Self {
                status,
                headers: Vec::new(),
                json: Some(body),
                text: None,
            }
        }

        /// Queues this response on `transport`, with its headers (such as `Set-Cookie` or
        /// `Retry-After`) and its body: the JSON, else the text, else nothing.
        pub fn script(&self, transport: &ScriptedTransport) {
            let headers: Vec<(&str, &str)> = self
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let body = match (&self.json, &self.text) {
                (Some(j), _) => j.to_string(),
                (None, Some(t)) => t.clone(),
                (None, None) => String::new(),
            };
            transport.push_response(self.status, &headers, body);
        }
    }

    /// How [`Compare`] compares query strings.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum QueryMatch {
        /// The same decoded pairs in the same order (`%20` and `+` both mean a space).
        #[default]
        Decoded,
        /// The same query string, byte for byte (the encoding included).
        Raw,
    }

    /// How strictly [`Case::diff_requests_with`] compares: by default the query strings as
    /// [`QueryMatch::Decoded`] and any scheme and host.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Compare<'a> {
        query: QueryMatch,
        base_url: Option<&'a str>,
    }

    impl<'a> Compare<'a> {
        /// The default comparison.
        pub fn new() -> Self {
            Self::default()
        }

        /// Compares the query strings byte for byte ([`QueryMatch::Raw`]).
        pub fn raw_query(mut self) -> Self {
            self.query = QueryMatch::Raw;
            self
        }

        /// Requires every sent URL to start with `base_url` (the client's configured base URL;
        /// the recorded requests hold no host).
        pub fn base_url(mut self, base_url: &'a str) -> Self {
            self.base_url = Some(base_url);
            self
        }
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
                r.response.script(transport);
            }
        }

        /// Compares what was sent with what the official SDK sent: method, path, query (as
        /// [`QueryMatch::Decoded`]), `authorization` and the body as JSON. Returns a
        /// description of each difference.
        pub fn diff_requests(&self, sent: &[HttpRequest]) -> Vec<String> {
            self.diff_requests_with(sent, Compare::new())
        }

        /// [`Case::diff_requests`], as strictly as `compare` says.
        pub fn diff_requests_with(
            &self,
            sent: &[HttpRequest],
            compare: Compare<'_>,
        ) -> Vec<String> {
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
                if let Some(base) = compare.base_url {
                    if !s.url.starts_with(base) {
                        diffs.push(format!("#{i} url: {} is not under {base}", s.url));
                    }
                }
                let (path, sent_query) = split_url(&s.url);
                if e.path != path {
                    diffs.push(format!("#{i} path: expected {} got {path}", e.path));
                }
                let same_query = match compare.query {
                    QueryMatch::Decoded => decode_pairs(&e.query) == decode_pairs(sent_query),
                    QueryMatch::Raw => e.query == sent_query,
                };
                if !same_query {
                    diffs.push(format!(
                        "#{i} query: expected {:?} got {sent_query:?}",
                        e.query
                    ));
                }
                let e_auth = e.headers.get("authorization").and_then(Value::as_str);
                let s_auth = s.headers.get("authorization").and_then(|v| v.to_str().ok());
                if e_auth != s_auth {
                    diffs.push(format!("#{i} authorization differs"));
                }
                let s_body = body_json(s);
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

    /// The body of a sent request as JSON: `null` when empty, the string `"<not json>"` when
    /// it does not parse (so it differs from any recorded body).
    pub fn body_json(request: &HttpRequest) -> Value {
        if request.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&request.body).unwrap_or(Value::String("<not json>".into()))
        }
    }

    /// The recorded calls of the official Python SDK 2.16.1.
    pub const PYTHON_CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/python-2.16.1.json"
    );

    /// The cases of [`PYTHON_CASES`] whose id starts with `prefix` (such as `"auth."`).
    pub fn python_cases(prefix: &str) -> Vec<Case> {
        load_cases(PYTHON_CASES)
            .into_iter()
            .filter(|c| c.id.starts_with(prefix))
            .collect()
    }

    /// Loads every case of a conformance file.
    pub fn load_cases(path: &str) -> Vec<Case> {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read conformance file {path}: {e}"));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("conformance file {path} does not parse: {e}"))
    }

    #[cfg(test)]
    mod tests {
        use bytes::Bytes;
        use http::{HeaderMap, HeaderValue, Method};
        use serde_json::json;

        use super::*;
        use crate::transport::HttpTransport;

        fn case(query: &str) -> Case {
            serde_json::from_value(json!({
                "id": "t.case",
                "call": "t()",
                "request": {
                    "method": "POST",
                    "path": "/v1/x",
                    "query": query,
                    "headers": {"authorization": "Bearer P1"},
                    "body": {"a": 1},
                    "response": {
                        "status": 429,
                        "headers": [["Retry-After", "7"]],
                        "text": "slow down"
                    }
                },
                "outcome": "raised",
                "result": {}
            }))
            .expect("case parses")
        }

        fn sent(query: &str, body: &str) -> HttpRequest {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", HeaderValue::from_static("Bearer P1"));
            let url = format!("http://127.0.0.1:9/v1/x{query}");
            HttpRequest::new(Method::POST, url, headers, Bytes::from(body.to_owned()))
        }

        #[test]
        fn the_decoded_query_match_accepts_either_space_encoding_and_the_raw_one_does_not() {
            let c = case("name=a%20b");
            let s = [sent("?name=a+b", r#"{"a":1}"#)];
            assert!(c.diff_requests(&s).is_empty());
            let diffs = c.diff_requests_with(&s, Compare::new().raw_query());
            assert_eq!(diffs.len(), 1, "{diffs:?}");
            assert!(diffs[0].contains("query"), "{diffs:?}");
            let exact = [sent("?name=a%20b", r#"{"a":1}"#)];
            assert!(c
                .diff_requests_with(&exact, Compare::new().raw_query())
                .is_empty());
        }

        #[test]
        fn a_request_to_another_base_url_is_reported_when_the_base_url_is_given() {
            let c = case("");
            let s = [sent("", r#"{"a":1}"#)];
            assert!(c
                .diff_requests_with(&s, Compare::new().base_url("http://127.0.0.1:9"))
                .is_empty());
            let diffs =
                c.diff_requests_with(&s, Compare::new().base_url("https://api.descope.test"));
            assert_eq!(diffs.len(), 1, "{diffs:?}");
            assert!(diffs[0].contains("not under"), "{diffs:?}");
        }

        #[test]
        fn a_different_body_or_a_missing_request_is_reported() {
            let c = case("");
            let diffs = c.diff_requests(&[sent("", r#"{"a":2}"#)]);
            assert!(diffs.len() == 1 && diffs[0].contains("body"), "{diffs:?}");
            let diffs = c.diff_requests(&[sent("", "not json")]);
            assert!(diffs.iter().any(|d| d.contains("<not json>")), "{diffs:?}");
            let diffs = c.diff_requests(&[]);
            assert_eq!(diffs, ["expected 1 request(s), sent 0"]);
        }

        #[tokio::test]
        async fn a_scripted_case_answers_with_the_recorded_headers_and_text_body() {
            let t = ScriptedTransport::new();
            case("").script(&t);
            let r = t.send(sent("", "")).await.expect("scripted answer");
            assert_eq!(r.status.as_u16(), 429);
            assert_eq!(r.headers["retry-after"], "7");
            assert_eq!(&r.body[..], b"slow down");
        }
    }
}
