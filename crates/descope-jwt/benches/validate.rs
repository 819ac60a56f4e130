//! Validation throughput, each figure next to a baseline of ring verifying the same RS256
//! token directly, in the same run.
//!
//! `cargo bench -p descope-jwt` runs every benchmark (about 30 s) and ends with a table of the
//! ratios, also written to `target/criterion/descope-jwt-summary.md`.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use criterion::{Criterion, Throughput};
use descope_core::Config;
use descope_jwt::SessionValidator;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::ApiClient;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{json, Value};

const PROJECT: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
/// Distinct tokens per pass of a first-seen benchmark (the cache is emptied between passes).
const POOL: usize = 400;

fn conformance(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance")).join(path)
}

struct Fixture {
    key: RsaKeyPair,
    jwk: Value,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl Fixture {
    fn load() -> Self {
        let pem = std::fs::read_to_string(conformance("keys/rsa-primary.pem")).unwrap();
        let der = STANDARD
            .decode(
                pem.lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .unwrap();
        let jwks: Value =
            serde_json::from_str(&std::fs::read_to_string(conformance("keys/jwks.json")).unwrap())
                .unwrap();
        let jwk = jwks["keys"][0].clone();
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap();
        Self {
            key: RsaKeyPair::from_pkcs8(&der).unwrap(),
            jwk,
            n,
            e,
        }
    }

    /// A realistic session token (roles, permissions, two tenants), valid for an hour.
    fn token(&self, nonce: usize) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({
            "amr": ["email"], "drn": "DS", "exp": now + 3600, "iat": now, "iss": PROJECT,
            "sub": format!("U2benchUser{nonce:017}"),
            "roles": ["admin", "viewer"], "permissions": ["read", "write"],
            "tenants": {
                "T2benchTenant1": {"roles": ["tenant-admin"], "permissions": ["tenant-read", "tenant-write"]},
                "T2benchTenant2": {"roles": ["tenant-viewer"], "permissions": ["tenant-read"]}
            }
        });
        let header = json!({"alg": "RS256", "kid": self.jwk["kid"], "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn validator(&self) -> SessionValidator {
        let config = Config::builder()
            .project_id(PROJECT)
            .base_url("https://api.descope.test")
            .public_key(self.jwk.to_string())
            .build()
            .unwrap();
        SessionValidator::new(ApiClient::new(config, Arc::new(ScriptedTransport::new()))).unwrap()
    }

    /// What the baseline verifies: the signing input and the decoded signature.
    fn raw(&self, token: &str) -> (Vec<u8>, Vec<u8>) {
        let (input, sig) = token.rsplit_once('.').unwrap();
        (
            input.as_bytes().to_vec(),
            URL_SAFE_NO_PAD.decode(sig).unwrap(),
        )
    }

    fn ring_verify(&self, input: &[u8], sig: &[u8]) {
        let key = RsaPublicKeyComponents {
            n: &self.n[..],
            e: &self.e[..],
        };
        key.verify(&signature::RSA_PKCS1_2048_8192_SHA256, input, sig)
            .unwrap();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Validates `count` tokens of `pool` (round robin), returning the time spent validating;
/// the cache is emptied (untimed) whenever the pool has been used up.
fn first_seen_loop(v: &SessionValidator, pool: &[String], count: u64) -> Duration {
    let rt = runtime();
    let mut spent = Duration::ZERO;
    let mut done = 0u64;
    while done < count {
        v.clear_cache();
        let n = (count - done).min(pool.len() as u64) as usize;
        let start = Instant::now();
        rt.block_on(async {
            for t in &pool[..n] {
                black_box(v.validate(t, None).await.unwrap());
            }
        });
        spent += start.elapsed();
        done += n as u64;
    }
    spent
}

fn cached_loop(v: &SessionValidator, token: &str, count: u64) -> Duration {
    let rt = runtime();
    rt.block_on(async {
        v.validate(token, None).await.unwrap();
        let start = Instant::now();
        for _ in 0..count {
            black_box(v.validate(token, None).await.unwrap());
        }
        start.elapsed()
    })
}

fn ring_loop(f: &Fixture, input: &[u8], sig: &[u8], count: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        f.ring_verify(black_box(input), black_box(sig));
    }
    start.elapsed()
}

/// Runs `work` on two threads at once; the wall time of the slower.
fn two_threads(work: impl Fn(usize) -> Duration + Sync) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        let a = s.spawn(|| work(0));
        let b = s.spawn(|| work(1));
        a.join().unwrap();
        b.join().unwrap();
    });
    start.elapsed()
}

fn benches(c: &mut Criterion) {
    let f = Fixture::load();
    let pools: Vec<Vec<String>> = (0..2)
        .map(|p| (0..POOL).map(|i| f.token(p * POOL + i)).collect())
        .collect();
    let (input, sig) = f.raw(&pools[0][0]);
    let v = f.validator();

    let mut g = c.benchmark_group("validate");
    g.warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);

    g.throughput(Throughput::Elements(1));
    g.bench_function("ring_rs256_verify", |b| {
        b.iter_custom(|n| ring_loop(&f, &input, &sig, n))
    });
    g.bench_function("first_seen", |b| {
        b.iter_custom(|n| first_seen_loop(&v, &pools[0], n))
    });
    g.bench_function("cached", |b| {
        b.iter_custom(|n| cached_loop(&v, &pools[0][0], n))
    });

    // Each iteration is one validation on each of two threads.
    g.throughput(Throughput::Elements(2));
    let raws: Vec<(Vec<u8>, Vec<u8>)> = pools.iter().map(|p| f.raw(&p[0])).collect();
    g.bench_function("ring_rs256_verify_2_threads", |b| {
        b.iter_custom(|n| two_threads(|i| ring_loop(&f, &raws[i].0, &raws[i].1, n)))
    });
    g.bench_function("first_seen_2_threads", |b| {
        // One shared validator; each thread validates its own pool of tokens.
        b.iter_custom(|n| two_threads(|i| first_seen_loop(&v, &pools[i], n)))
    });
    g.bench_function("cached_2_threads", |b| {
        b.iter_custom(|n| two_threads(|i| cached_loop(&v, &pools[i][0], n)))
    });
    g.finish();
}

fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")))
        .join("criterion")
}

/// Ratios measured in interleaved rounds (baseline, then candidate, again and again): the
/// median of the per-round ratios, so that bursts of load from other processes, which hit one
/// side of a round, do not decide the result.
struct Paired {
    rounds: usize,
}

struct PairedResult {
    /// Seconds per operation of `a` (median over rounds).
    a: f64,
    /// Seconds per operation of `b` (median over rounds).
    b: f64,
    /// Median of the per-round `time(a) / time(b)`.
    ratio: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|x, y| x.total_cmp(y));
    v[v.len() / 2]
}

impl Paired {
    fn run(
        &self,
        n: u64,
        a: impl Fn(u64) -> Duration,
        b: impl Fn(u64) -> Duration,
    ) -> PairedResult {
        let (mut ta, mut tb, mut r) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..self.rounds {
            let x = a(n).as_secs_f64() / n as f64;
            let y = b(n).as_secs_f64() / n as f64;
            ta.push(x);
            tb.push(y);
            r.push(x / y);
        }
        PairedResult {
            a: median(ta),
            b: median(tb),
            ratio: median(r),
        }
    }
}

fn summary(dir: &std::path::Path) {
    let f = Fixture::load();
    let pools: Vec<Vec<String>> = (0..2)
        .map(|p| (0..POOL).map(|i| f.token(10_000 + p * POOL + i)).collect())
        .collect();
    let raws: Vec<(Vec<u8>, Vec<u8>)> = pools.iter().map(|p| f.raw(&p[0])).collect();
    let v = f.validator();
    let p = Paired { rounds: 101 };
    let ring1 = |n| ring_loop(&f, &raws[0].0, &raws[0].1, n);
    let ring2 = |n| two_threads(|i| ring_loop(&f, &raws[i].0, &raws[i].1, n));
    let first1 = |n| first_seen_loop(&v, &pools[0], n);
    let first2 = |n| two_threads(|i| first_seen_loop(&v, &pools[i], n));
    let cached1 = |n| cached_loop(&v, &pools[0][0], n);
    let cached2 = |n| two_threads(|i| cached_loop(&v, &pools[i][0], n));

    // ratio = time(ring) / time(validation) = validation throughput / ring throughput.
    let first = p.run(100, ring1, first1);
    let cached = p.run(100, ring1, |n| cached1(n * 200));
    let cached_ratio = cached.ratio * 200.0;
    // ratio = time(one op on one thread) / time(one op on each of two threads) = scale / 2.
    let sr = p.run(100, ring1, ring2);
    let sf = p.run(100, first1, first2);
    let sc = p.run(20_000, cached1, cached2);
    let (ring, first_t, cached_t) = (first.a, first.b, cached.b / 200.0);

    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    let mut out = String::new();
    out.push_str("| measure | figure | target |\n| --- | --- | --- |\n");
    out.push_str(&format!(
        "| ring RS256 verify (baseline) | {:.1} µs, {:.0} /s | |\n",
        ring * 1e6,
        1.0 / ring
    ));
    out.push_str(&format!(
        "| first-seen validation (keys cached) | {:.1} µs, {:.3} × baseline throughput {} | ≥ 0.95 |\n",
        first_t * 1e6,
        first.ratio,
        mark(first.ratio >= 0.95)
    ));
    out.push_str(&format!(
        "| repeat validation (verified cache) | {:.3} µs, {:.0} × baseline throughput {} | ≥ 20 |\n",
        cached_t * 1e6,
        cached_ratio,
        mark(cached_ratio >= 20.0)
    ));
    for (name, r) in [
        ("ring verify, 2 threads", &sr),
        ("first-seen, 2 threads", &sf),
        ("repeat, 2 threads", &sc),
    ] {
        let scale = 2.0 * r.ratio;
        out.push_str(&format!(
            "| {name} | {scale:.2} × one thread {} | ≥ 1.8 |\n",
            mark(scale >= 1.8)
        ));
    }
    println!(
        "\nPaired measurements (101 interleaved rounds, median of per-round ratios):\n\n{out}"
    );
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join("descope-jwt-summary.md"), out);
}

fn main() {
    let dir = criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--profile-time") {
        summary(&dir);
    }
}
