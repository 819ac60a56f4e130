//! JWS compact serialization: `base64url(header).base64url(payload).base64url(signature)`.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use descope_core::{Error, TokenErrorKind};
use std::borrow::Cow;

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
    pub kid: String,
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
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a token has three dot-separated parts"));
    };
    let header_bytes = B64
        .decode(h)
        .map_err(|_| malformed("the header is not base64url"))?;
    let payload = B64
        .decode(p)
        .map_err(|_| malformed("the payload is not base64url"))?;
    let mut signature = Signature {
        buf: [0; 1024],
        len: 0,
    };
    signature.len = B64.decode_slice(s, &mut signature.buf).map_err(|_| {
        malformed("the signature is not base64url, or longer than any accepted key's")
    })?;
    let header: Header<'_> = serde_json::from_slice(&header_bytes)
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
    let kid = match header.kid {
        Some(k) if !k.is_empty() => k.into_owned(),
        _ => return Err(malformed("the header has no kid")),
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
        assert_eq!(p.kid, "k1");
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

    #[test]
    fn oversized_tokens_are_refused_without_decoding() {
        let t = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(kind(&t), TokenErrorKind::Malformed);
    }
}
