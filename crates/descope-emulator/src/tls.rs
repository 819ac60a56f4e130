//! The listener loop (plain or TLS) and the generated certificate.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::{ClientIp, EmulatorError};

/// A TLS set-up: the acceptor and the CA to trust.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
}

const CA_FILE: &str = "tls-ca.pem";
const CERT_FILE: &str = "tls-cert.pem";
const KEY_FILE: &str = "tls-key.pem";

fn err(what: &str, e: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::from(format!("{what}: {e}"))
}

/// Loads the certificate from the data dir, or makes a CA and a server certificate
/// (for `localhost`, `127.0.0.1`, `::1` and `host`) and writes them there.
pub fn load_or_create(dir: Option<&Path>, host: IpAddr) -> Result<Tls, EmulatorError> {
    let existing = dir.and_then(|d| {
        let read = |f: &str| std::fs::read_to_string(d.join(f)).ok();
        Some((read(CA_FILE)?, read(CERT_FILE)?, read(KEY_FILE)?))
    });
    let (ca_pem, cert_pem, key_pem) = match existing {
        Some(x) => x,
        None => {
            let ca_key =
                rcgen::KeyPair::generate().map_err(|e| err("TLS key generation failed", e))?;
            let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())
                .map_err(|e| err("TLS CA", e))?;
            ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            ca_params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "Descope emulator local CA");
            ca_params.key_usages = vec![
                rcgen::KeyUsagePurpose::KeyCertSign,
                rcgen::KeyUsagePurpose::CrlSign,
            ];
            let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)
                .map_err(|e| err("TLS CA", e))?;
            let mut names = vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
                "::1".to_string(),
            ];
            if !host.is_unspecified() && !names.contains(&host.to_string()) {
                names.push(host.to_string());
            }
            let leaf_key =
                rcgen::KeyPair::generate().map_err(|e| err("TLS key generation failed", e))?;
            let mut leaf_params =
                rcgen::CertificateParams::new(names).map_err(|e| err("TLS certificate", e))?;
            leaf_params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "Descope emulator");
            let leaf = leaf_params
                .signed_by(&leaf_key, &ca)
                .map_err(|e| err("TLS certificate", e))?;
            let out = (ca.pem(), leaf.pem(), leaf_key.serialize_pem());
            if let Some(d) = dir {
                for (file, content) in [(CA_FILE, &out.0), (CERT_FILE, &out.1), (KEY_FILE, &out.2)]
                {
                    std::fs::write(d.join(file), content)
                        .map_err(|e| err(&format!("cannot write {file}"), e))?;
                }
            }
            out
        }
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| err("bad TLS certificate PEM", e))?;
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| err("bad TLS key PEM", e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| err("TLS config", e))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| err("TLS config", e))?;
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem,
    })
}

/// Accepts connections until `shutdown` flips, then gives open ones two seconds.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            res = listener.accept() => {
                let Ok((stream, peer)) = res else { continue };
                let _ = stream.set_nodelay(true);
                let svc = TowerToHyperService::new(router.clone().layer(Extension(ClientIp(peer.ip().to_string()))));
                let watcher = graceful.watcher();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let builder = hyper::server::conn::http1::Builder::new();
                    match tls {
                        None => {
                            let conn = builder.serve_connection(TokioIo::new(stream), svc);
                            let _ = watcher.watch(conn).await;
                        }
                        Some(acc) => {
                            let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await else { return };
                            let conn = builder.serve_connection(TokioIo::new(stream), svc);
                            let _ = watcher.watch(conn).await;
                        }
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
}
