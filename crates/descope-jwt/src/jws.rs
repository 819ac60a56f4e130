//! JWS compact serialization: `base64url(header).base64url(payload).base64url(signature)`.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use descope_core::{Error, TokenErrorKind};
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::keys::Algorithm;

/// base64url, with or without padding.
pub(crate) const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes one base64url segment. Segments without trailing `=` (every segment a JWS
/// producer writes) go through `base64-simd`, which accepts and refuses exactly what [`B64`]
/// does for them (canonical trailing bits, the URL-safe alphabet); a padded segment goes
/// through [`B64`], which also accepts canonical padding.
fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    if segment.ends_with('=') {
        B64.decode(segment).ok()
    } else {
        base64_simd::URL_SAFE_NO_PAD
            .decode_to_vec(segment.as_bytes())
            .ok()
    }
}

/// Like [`decode_segment`], into `out`; the decoded length, or `None` when the segment is not
/// base64url or does not fit.
fn decode_segment_into(segment: &str, out: &mut [u8]) -> Option<usize> {
    if segment.ends_with('=') {
        return B64.decode_slice(segment, out).ok();
    }
    let simd = base64_simd::URL_SAFE_NO_PAD;
    let len = simd.decoded_length(segment.as_bytes()).ok()?;
    let out = out.get_mut(..len)?;
    simd.decode(segment.as_bytes(), base64_simd::Out::from_slice(out))
        .ok()
        .map(|d| d.len())
}

const THREE_PARTS: &str = "a token has three dot-separated parts";

/// Longest token accepted (bytes). Descope tokens are a few kilobytes even with many tenants.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

pub(crate) fn malformed(detail: impl Into<String>) -> Error {
    Error::token(TokenErrorKind::Malformed, detail)
}

/// A token split and decoded, not verified.
#[derive(Debug)]
pub(crate) struct Parsed<'t> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'t [u8],
    pub alg: Algorithm,
    pub kid: Arc<str>,
    pub payload: Vec<u8>,
    pub signature: Signature,
}

/// A decoded signature, on the stack for every key size the SDK accepts (up to RSA-8192).
pub(crate) struct Signature {
    buf: [u8; 1024],
    len: usize,
}

impl Signature {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({} bytes)", self.len)
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(default, borrow)]
    alg: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    kid: Option<Cow<'a, str>>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

/// The last header segment this thread parsed, with what it says. Tokens of one project share
/// their header (`alg`, `kid`, `typ`), so a validation usually finds its header here and skips
/// decoding and parsing it again. The result depends on the segment's bytes alone, which are
/// compared in full.
struct HeaderMemo {
    segment: Box<str>,
    alg: Algorithm,
    kid: Arc<str>,
}

/// Longest header segment kept in the memo (a Descope header is about 100 bytes).
const MAX_MEMO_HEADER_LEN: usize = 1024;

thread_local! {
    static LAST_HEADER: RefCell<Option<HeaderMemo>> = const { RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// Headers parsed on this thread (the tests check when the memo answers).
    static HEADER_PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parses a decoded header: a JSON object with a supported `alg`, a non-empty `kid` and no
/// `crit`.
fn parse_header(bytes: &[u8]) -> Result<(Algorithm, Arc<str>), Error> {
    #[cfg(test)]
    HEADER_PARSES.with(|n| n.set(n.get() + 1));
    let header: Header<'_> = serde_json::from_slice(bytes)
        .map_err(|_| malformed("the header is not a JSON object with string alg and kid"))?;
    if header.crit.is_some() {
        return Err(malformed(
            "the header has critical extensions (crit), which are not supported",
        ));
    }
    let alg = match header.alg {
        None => return Err(malformed("the header has no alg")),
        Some(a) => Algorithm::from_name(&a).ok_or_else(|| {
            Error::token(
                TokenErrorKind::AlgorithmNotAllowed,
                format!(
                    "alg {a:?} is refused; accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384"
                ),
            )
        })?,
    };
    let kid: Arc<str> = match header.kid {
        Some(k) if !k.is_empty() => Arc::from(&*k),
        _ => return Err(malformed("the header has no kid")),
    };
    Ok((alg, kid))
}

/// Splits and decodes a compact JWS. Refuses, without any key lookup: a token that is not three
/// base64url segments, a header that is not a JSON object, a header without `kid`, and an `alg`
/// other than the eight supported ones (so `none` and `HS256` never reach a key).
pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, Error> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed(format!(
            "the token is {} bytes long, more than the {MAX_TOKEN_LEN} accepted",
            token.len()
        )));
    }
    // The header ends at the first dot and the signature starts after the last one. A dot in
    // between (more than three parts) is not scanned for here: base64url has no dot, so such a
    // payload fails to decode, and `bad_segment` then names the real fault.
    let Some((h, (p, s))) = token
        .split_once('.')
        .and_then(|(h, rest)| Some((h, rest.rsplit_once('.')?)))
    else {
        return Err(malformed(THREE_PARTS));
    };
    let bad_segment = |what: &str| {
        if p.contains('.') {
            malformed(THREE_PARTS)
        } else {
            malformed(format!("the {what} is not base64url"))
        }
    };
    // `try_with`: during thread shutdown the memo may be gone; the header is then parsed.
    let memo = LAST_HEADER
        .try_with(|m| {
            m.try_borrow().ok().and_then(|m| {
                m.as_ref()
                    .filter(|m| *m.segment == *h)
                    .map(|m| (m.alg, m.kid.clone()))
            })
        })
        .ok()
        .flatten();
    // A header seen last on this thread is not decoded again; otherwise it is decoded first,
    // so that the error a bad token gets does not depend on the memo.
    let header_bytes = match memo {
        Some(_) => None,
        None => Some(decode_segment(h).ok_or_else(|| bad_segment("header"))?),
    };
    let payload = decode_segment(p).ok_or_else(|| bad_segment("payload"))?;
    let mut signature = Signature {
        buf: [0; 1024],
        len: 0,
    };
    signature.len = decode_segment_into(s, &mut signature.buf).ok_or_else(|| {
        malformed("the signature is not base64url, or longer than any accepted key's")
    })?;
    let (alg, kid) = match (memo, header_bytes) {
        (Some(known), _) => known,
        (None, bytes) => {
            let (alg, kid) = parse_header(bytes.as_deref().unwrap_or_default())?;
            if h.len() <= MAX_MEMO_HEADER_LEN {
                let _ = LAST_HEADER.try_with(|m| {
                    if let Ok(mut m) = m.try_borrow_mut() {
                        *m = Some(HeaderMemo {
                            segment: h.into(),
                            alg,
                            kid: kid.clone(),
                        });
                    }
                });
            }
            (alg, kid)
        }
    };
    Ok(Parsed {
        signing_input: &token.as_bytes()[..h.len() + 1 + p.len()],
        alg,
        kid,
        payload,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        B64.encode(s)
    }

    fn kind(token: &str) -> TokenErrorKind {
        parse(token).unwrap_err().token_kind().unwrap()
    }

    #[test]
    fn wrong_number_of_parts_is_malformed() {
        assert_eq!(kind(""), TokenErrorKind::Malformed);
        assert_eq!(kind("a.b"), TokenErrorKind::Malformed);
        assert_eq!(kind("a.b.c.d"), TokenErrorKind::Malformed);
        assert_eq!(kind(" "), TokenErrorKind::Malformed);
    }

    #[test]
    fn more_than_three_parts_is_reported_as_such_whatever_else_is_wrong() {
        let (h, p, sig) = (
            enc(r#"{"alg":"RS256","kid":"k"}"#),
            enc("{}"),
            B64.encode([1u8; 8]),
        );
        for t in [
            format!("{h}.{p}.{p}.{sig}"),
            format!("{h}.{p}..{sig}"),
            format!("!!.{p}.{p}.{sig}"),
            format!("{h}..."),
        ] {
            let e = parse(&t).unwrap_err();
            assert_eq!(e.token_kind(), Some(TokenErrorKind::Malformed), "{t}");
            assert!(e.to_string().contains(THREE_PARTS), "{t}: {e}");
        }
        assert!(parse(&format!("{h}.{p}.{sig}")).is_ok());
    }

    #[test]
    fn header_must_be_a_json_object_with_alg_and_kid() {
        let p = enc("{}");
        assert_eq!(
            kind(&format!("{}.{p}.", enc("[1]"))),
            TokenErrorKind::Malformed
        );
        assert_eq!(
            kind(&format!("{}.{p}.", enc("nope"))),
            TokenErrorKind::Malformed
        );
        assert_eq!(
            kind(&format!("{}.{p}.", enc(r#"{"kid":"k"}"#))),
            TokenErrorKind::Malformed
        );
        assert_eq!(
            kind(&format!("{}.{p}.", enc(r#"{"alg":"RS256"}"#))),
            TokenErrorKind::Malformed
        );
        assert_eq!(
            kind(&format!(
                "{}.{p}.",
                enc(r#"{"alg":"RS256","kid":"k","crit":["x"]}"#)
            )),
            TokenErrorKind::Malformed
        );
    }

    #[test]
    fn none_hs256_and_unknown_algs_are_refused_before_any_key_lookup() {
        let p = enc("{}");
        for alg in ["none", "None", "HS256", "EdDSA", "rs256", ""] {
            let t = format!("{}.{p}.", enc(&format!(r#"{{"alg":"{alg}","kid":"k"}}"#)));
            assert_eq!(kind(&t), TokenErrorKind::AlgorithmNotAllowed, "alg {alg}");
        }
    }

    #[test]
    fn a_good_token_splits_into_signing_input_payload_and_signature() {
        let t = format!(
            "{}.{}.{}",
            enc(r#"{"alg":"ES256","kid":"k1"}"#),
            enc(r#"{"a":1}"#),
            B64.encode([1u8, 2, 3])
        );
        let p = parse(&t).unwrap();
        assert_eq!(p.alg, Algorithm::ES256);
        assert_eq!(&*p.kid, "k1");
        assert_eq!(p.payload, br#"{"a":1}"#);
        assert_eq!(p.signature.as_bytes(), [1, 2, 3]);
        assert_eq!(p.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn signatures_up_to_rsa_8192_fit_and_longer_ones_are_malformed() {
        let head = format!("{}.{}", enc(r#"{"alg":"RS512","kid":"k"}"#), enc("{}"));
        let token = format!("{head}.{}", B64.encode([7u8; 1024]));
        let p = parse(&token).unwrap();
        assert_eq!(p.signature.as_bytes().len(), 1024);
        assert_eq!(
            kind(&format!("{head}.{}", B64.encode([7u8; 1025]))),
            TokenErrorKind::Malformed
        );
    }

    fn header_parses() -> usize {
        HEADER_PARSES.with(std::cell::Cell::get)
    }

    #[test]
    fn a_repeated_header_is_answered_by_the_memo_and_any_other_header_is_parsed() {
        let h1 = enc(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
        let h2 = enc(r#"{"alg":"ES384","kid":"k2"}"#);
        let sig = B64.encode([9u8; 4]);
        let token = |h: &str, claims: &str| format!("{h}.{}.{sig}", enc(claims));

        let before = header_parses();
        let (ta, tb) = (token(&h1, r#"{"n":1}"#), token(&h1, r#"{"n":2}"#));
        let (a, b) = (parse(&ta).unwrap(), parse(&tb).unwrap());
        assert_eq!(
            header_parses(),
            before + 1,
            "the same header is parsed once"
        );
        assert_eq!((a.alg, &*a.kid), (Algorithm::RS256, "k1"));
        assert_eq!((b.alg, &*b.kid), (Algorithm::RS256, "k1"));
        assert_eq!(b.payload, br#"{"n":2}"#, "the payload is always decoded");

        // A header that differs in one byte gets its own answer.
        let tc = token(&h2, "{}");
        let c = parse(&tc).unwrap();
        assert_eq!((c.alg, &*c.kid), (Algorithm::ES384, "k2"));
        assert_eq!(header_parses(), before + 2);

        // A refused header is refused every time and does not replace the memo.
        let bad = enc(r#"{"alg":"none","kid":"k2"}"#);
        for _ in 0..2 {
            assert_eq!(
                kind(&token(&bad, "{}")),
                TokenErrorKind::AlgorithmNotAllowed
            );
        }
        assert_eq!(header_parses(), before + 4);
        let d = parse(&tc).unwrap();
        assert_eq!((d.alg, &*d.kid), (Algorithm::ES384, "k2"));
        assert_eq!(
            header_parses(),
            before + 4,
            "the last good header is still known"
        );

        // A known header does not hide a bad payload or signature.
        assert_eq!(kind(&format!("{h2}.!!.{sig}")), TokenErrorKind::Malformed);
        assert_eq!(
            kind(&format!("{h2}.{}.!!", enc("{}"))),
            TokenErrorKind::Malformed
        );
    }

    #[test]
    fn segments_decode_exactly_as_the_base64url_engine_decides() {
        // Edge cases: lengths of every remainder, non-canonical trailing bits, the standard
        // alphabet's `+` and `/`, padding in and out of place, spaces, non-ASCII.
        let mut cases: Vec<String> = [
            "",
            "A",
            "AA",
            "AB",
            "AAA",
            "AAB",
            "QQ",
            "QR",
            "QUI",
            "QUJ",
            "QUJD",
            "a+b/",
            "ab-_",
            "abc=",
            "ab==",
            "a===",
            "ab=",
            "ab=c",
            "abcd====",
            "ab c",
            "ab\ncd",
            "\u{e9}abc",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Pseudo-random strings over the alphabet plus a few foreign bytes.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 90) as usize;
            let mut y = x;
            cases.push(
                (0..len)
                    .map(|_| {
                        y ^= y << 13;
                        y ^= y >> 7;
                        y ^= y << 17;
                        let i = if y % 40 == 0 {
                            (y >> 8) % 68
                        } else {
                            (y >> 8) % 64
                        };
                        alphabet[i as usize] as char
                    })
                    .collect(),
            );
        }
        let (mut ok, mut refused) = (0, 0);
        for c in &cases {
            let expected = B64.decode(c).ok();
            assert_eq!(decode_segment(c), expected, "{c:?}");
            let mut buf = [0u8; 64];
            let into = decode_segment_into(c, &mut buf).map(|n| buf[..n].to_vec());
            let fits = expected.as_ref().filter(|v| v.len() <= 64).cloned();
            assert_eq!(into, fits, "{c:?} into a buffer");
            if expected.is_some() {
                ok += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            ok > 1000 && refused > 1000,
            "both outcomes exercised: {ok} / {refused}"
        );
    }

    #[test]
    fn oversized_tokens_are_refused_without_decoding() {
        let t = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(kind(&t), TokenErrorKind::Malformed);
    }
}
