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
