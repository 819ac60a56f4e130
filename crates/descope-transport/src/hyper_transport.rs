use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use descope_core::{
    Error, TransportError, TransportErrorKind, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT,
};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::transport::{HttpRequest, HttpResponse, HttpTransport};

/// Which root certificates the default transport trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootStore {
    /// The Mozilla root store bundled with the SDK (`webpki-roots`): the default, the same on
    /// every machine.
    #[default]
    Bundled,
    /// The operating system's store (needs the `native-roots` feature).
    Native,
    /// Both.
    BundledAndNative,
    /// None: only the extra CA certificates given to the builder.
    ExtraOnly,
}

/// The default transport: hyper 1 + hyper-util's pooled client over rustls, with the ring
/// provider passed explicitly (no process-wide default is installed or read).
///
/// One instance holds one connection pool (keep-alive; HTTP/1.1 and HTTP/2 by ALPN). Clone the
/// `descope::Client` rather than building several transports.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    request_timeout: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("request_timeout", &self.request_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A builder with the defaults: bundled roots, 10 s connect timeout, 60 s request timeout,
    /// 16 MiB response cap.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

/// Builds a [`HyperTransport`].
#[derive(Clone)]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_bytes: usize,
    pool_idle_timeout: Duration,
    roots: RootStore,
    extra_ca_pem: Vec<Vec<u8>>,
    danger_accept_invalid_certs: bool,
}

impl fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("roots", &self.roots)
            .field("extra_ca_pem", &self.extra_ca_pem.len())
            .field(
                "danger_accept_invalid_certs",
                &self.danger_accept_invalid_certs,
            )
            .finish()
    }
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pool_idle_timeout: Duration::from_secs(90),
            roots: RootStore::Bundled,
            extra_ca_pem: Vec::new(),
            danger_accept_invalid_certs: false,
        }
    }
}

impl HyperTransportBuilder {
    /// TCP connect timeout (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Timeout for one request, from sending to the last byte of the body (default 60 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// Cap on a response body; a larger body is refused with a transport error (default 16 MiB).
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, t: Duration) -> Self {
        self.pool_idle_timeout = t;
        self
    }

    /// Which root certificates to trust (default: the bundled Mozilla store).
    pub fn root_store(mut self, roots: RootStore) -> Self {
        self.roots = roots;
        self
    }

    /// Also trusts the CA certificates in `pem` (one or more PEM `CERTIFICATE` blocks).
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    /// Accepts any server certificate. **Dangerous**: anyone on the path can read and change
    /// the traffic, keys included. For local experiments only.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.danger_accept_invalid_certs = accept;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        if matches!(self.roots, RootStore::Bundled | RootStore::BundledAndNative) {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        if matches!(self.roots, RootStore::Native | RootStore::BundledAndNative) {
            load_native_roots(&mut roots)?;
        }
        for pem in &self.extra_ca_pem {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| {
                    Error::config(format!(
                        "an extra CA certificate is not valid PEM: {e}; give PEM CERTIFICATE blocks"
                    ))
                })?;
                roots.add(cert).map_err(|e| {
                    Error::config(format!("an extra CA certificate was refused: {e}"))
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(Error::config(
                    "an extra CA certificate PEM holds no CERTIFICATE block",
                ));
            }
        }
        let mut tls = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::config(format!("TLS configuration failed: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        if self.danger_accept_invalid_certs {
            tls.dangerous()
                .set_certificate_verifier(Arc::new(AcceptAnyCert { provider }));
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .build(https);
        Ok(HyperTransport {
            client,
            request_timeout: self.request_timeout,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

#[cfg(feature = "native-roots")]
fn load_native_roots(roots: &mut RootCertStore) -> Result<(), Error> {
    let found = rustls_native_certs::load_native_certs();
    let mut added = 0;
    for cert in found.certs {
        if roots.add(cert).is_ok() {
            added += 1;
        }
    }
    if added == 0 {
        return Err(Error::config(
            "no usable root certificate was found in the operating system's store",
        ));
    }
    Ok(())
}

#[cfg(not(feature = "native-roots"))]
fn load_native_roots(_roots: &mut RootCertStore) -> Result<(), Error> {
    Err(Error::config(
        "the operating system's root store needs the `native-roots` feature of the descope crate",
    ))
}

/// Walks the error chain, descending into `io::Error` wrappers (whose `source()` skips the
/// wrapped error itself).
fn walk<'a>(
    e: &'a (dyn StdError + 'static),
    visit: &mut dyn FnMut(&'a (dyn StdError + 'static)) -> bool,
) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if visit(err) {
            return true;
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if walk(inner, visit) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

fn chain_has<T: StdError + 'static>(e: &(dyn StdError + 'static)) -> bool {
    walk(e, &mut |err| err.is::<T>())
}

fn chain_has_io_kind(e: &(dyn StdError + 'static), kind: std::io::ErrorKind) -> bool {
    walk(e, &mut |err| {
        err.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

fn classify(e: hyper_util::client::legacy::Error) -> TransportError {
    let is_tls = chain_has::<rustls::Error>(&e);
    let (kind, sent, msg) = if e.is_connect() {
        if is_tls {
            (TransportErrorKind::Tls, false, "TLS handshake failed")
        } else if chain_has_io_kind(&e, std::io::ErrorKind::TimedOut)
            || e.to_string().contains("timed out")
        {
            (TransportErrorKind::Timeout, false, "connect timed out")
        } else {
            (TransportErrorKind::Connect, false, "connection failed")
        }
    } else {
        (TransportErrorKind::Other, true, "request failed")
    };
    let detail = match std::error::Error::source(&e) {
        Some(s) => format!("{msg}: {s}"),
        None => format!("{msg}: {e}"),
    };
    TransportError::new(kind, sent, detail).with_source(e)
}

#[async_trait]
impl HttpTransport for HyperTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = http::Request::builder()
            .method(request.method)
            .uri(request.url.as_str());
        if let Some(h) = builder.headers_mut() {
            *h = request.headers;
        }
        let req = builder.body(Full::new(request.body)).map_err(|e| {
            TransportError::new(
                TransportErrorKind::InvalidRequest,
                false,
                format!("the request could not be built: {e}"),
            )
        })?;
        let max = self.max_response_bytes;
        let exchange = async {
            let resp = self.client.request(req).await.map_err(classify)?;
            let (parts, body) = resp.into_parts();
            if let Some(len) = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
            {
                if len > max as u64 {
                    return Err(TransportError::new(
                        TransportErrorKind::BodyTooLarge,
                        true,
                        format!("{len} bytes announced, cap is {max}"),
                    ));
                }
            }
            let body = Limited::new(body, max).collect().await.map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    TransportError::new(
                        TransportErrorKind::BodyTooLarge,
                        true,
                        format!("body over the cap of {max} bytes"),
                    )
                } else {
                    TransportError::new(
                        TransportErrorKind::Other,
                        true,
                        format!("reading the response body failed: {e}"),
                    )
                    .with_source(e)
                }
            })?;
            Ok(HttpResponse::new(
                parts.status,
                parts.headers,
                body.to_bytes(),
            ))
        };
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(TransportError::new(
                TransportErrorKind::Timeout,
                true,
                format!("no complete response within {:?}", self.request_timeout),
            )),
        }
    }
}

/// Certificate verifier behind `danger_accept_invalid_certs`: accepts any certificate, but
/// still checks handshake signatures with the provider's algorithms.
#[derive(Debug)]
struct AcceptAnyCert {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
