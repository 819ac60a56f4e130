use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use descope::{Client, ClientBuilder};
use descope_transport::test_util::ScriptedTransport;
use descope_transport::{HttpRequest, Sleep};

pub const PID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
pub const MGMT_KEY: &str = "K2-oracle-mgmt-key";

/// Records every wait instead of sleeping.
#[derive(Debug, Default, Clone)]
pub struct RecordingSleep {
    pub waits: Arc<Mutex<Vec<Duration>>>,
}

#[async_trait]
impl Sleep for RecordingSleep {
    async fn sleep(&self, d: Duration) {
        self.waits.lock().unwrap().push(d);
    }
}

impl RecordingSleep {
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

pub fn builder(t: &ScriptedTransport, s: &RecordingSleep) -> ClientBuilder {
    Client::builder_without_env()
        .project_id(PID)
        .base_url("http://127.0.0.1:9")
        .transport(Arc::new(t.clone()))
        .sleeper(Arc::new(s.clone()))
}

pub fn header<'a>(r: &'a HttpRequest, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}
