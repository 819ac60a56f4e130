//! Signature algorithms and public keys (JWK), pre-parsed once for ring.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::Value;

use crate::jws::B64;

/// A JWS signature algorithm the SDK verifies. Anything else (`none`, `HS*`, `EdDSA`, …) is
/// refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
}

impl Algorithm {
    /// The algorithm named `name` (the JOSE spelling, case-sensitive), if the SDK supports it.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            _ => return None,
        })
    }

    /// The JOSE name, such as `RS256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
        }
    }

    fn is_rsa(self) -> bool {
        !matches!(self, Self::ES256 | Self::ES384)
    }

    fn rsa_params(self) -> &'static signature::RsaParameters {
        match self {
            Self::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Self::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Self::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Self::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            _ => &signature::RSA_PKCS1_2048_8192_SHA256,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

enum Material {
    Rsa(RsaPublicKeyComponents<Vec<u8>>),
    Ec(UnparsedPublicKey<Vec<u8>>),
}

/// One public key of the project's key set, decoded once and ready for ring.
pub(crate) struct VerifyingKey {
    kid: Box<str>,
    alg: Algorithm,
    material: Material,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish()
    }
}

impl VerifyingKey {
    pub(crate) fn alg(&self) -> Algorithm {
        self.alg
    }

    pub(crate) fn kid_str(&self) -> &str {
        &self.kid
    }

    /// Whether `sig` is a valid signature of `msg` under this key and its algorithm.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match &self.material {
            Material::Rsa(c) => c.verify(self.alg.rsa_params(), msg, sig).is_ok(),
            Material::Ec(k) => k.verify(msg, sig).is_ok(),
        }
    }

    fn same_as(&self, other: &VerifyingKey) -> bool {
        if self.kid != other.kid || self.alg != other.alg {
            return false;
        }
        match (&self.material, &other.material) {
            (Material::Rsa(a), Material::Rsa(b)) => a.n == b.n && a.e == b.e,
            (Material::Ec(a), Material::Ec(b)) => a.as_ref() == b.as_ref(),
            _ => false,
        }
    }

    /// Parses one JWK. The error says what is wrong with it.
    pub(crate) fn from_jwk(jwk: &Value) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Jwk<'a> {
            #[serde(borrow, default)]
            kty: Option<&'a str>,
            #[serde(borrow, default)]
            kid: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow, default)]
            alg: Option<&'a str>,
            #[serde(borrow, default)]
            n: Option<&'a str>,
            #[serde(borrow, default)]
            e: Option<&'a str>,
            #[serde(borrow, default)]
            crv: Option<&'a str>,
            #[serde(borrow, default)]
            x: Option<&'a str>,
            #[serde(borrow, default)]
            y: Option<&'a str>,
        }
        let Value::Object(_) = jwk else {
            return Err("a key must be a JSON object".into());
        };
        let j =
            Jwk::deserialize(jwk).map_err(|e| format!("a key field has the wrong type: {e}"))?;
        let kid = j
            .kid
            .filter(|k| !k.is_empty())
            .ok_or("Missing property: kid")?;
        let alg_name = j
            .alg
            .filter(|a| !a.is_empty())
            .ok_or("Missing property: alg")?;
        let alg = Algorithm::from_name(alg_name)
            .ok_or_else(|| format!("algorithm {alg_name} is not supported"))?;
        let kty = j.kty.unwrap_or("");
        let decode = |field: &str, v: Option<&str>| -> Result<Vec<u8>, String> {
            let v = v.ok_or_else(|| format!("Missing property: {field}"))?;
            B64.decode(v)
                .map_err(|_| format!("property {field} is not base64url"))
        };
        let material = if alg.is_rsa() {
            if kty != "RSA" {
                return Err(format!("{alg} needs an RSA key, the key says kty {kty:?}"));
            }
            let n = decode("n", j.n)?;
            let e = decode("e", j.e)?;
            let bits = significant_bits(&n);
            if !(2048..=8192).contains(&bits) {
                return Err(format!(
                    "RSA modulus of {bits} bits: only 2048 to 8192 bits are accepted"
                ));
            }
            if e.is_empty() || e.len() > 8 {
                return Err("RSA exponent out of range".into());
            }
            Material::Rsa(RsaPublicKeyComponents { n, e })
        } else {
            let (crv, len, ring_alg): (&str, usize, &'static dyn signature::VerificationAlgorithm) =
                match alg {
                    Algorithm::ES256 => ("P-256", 32, &signature::ECDSA_P256_SHA256_FIXED),
                    _ => ("P-384", 48, &signature::ECDSA_P384_SHA384_FIXED),
                };
            if kty != "EC" {
                return Err(format!("{alg} needs an EC key, the key says kty {kty:?}"));
            }
            if j.crv != Some(crv) {
                return Err(format!("{alg} needs curve {crv}"));
            }
            let x = decode("x", j.x)?;
            let y = decode("y", j.y)?;
            if x.len() != len || y.len() != len {
                return Err(format!("EC coordinates must be {len} bytes each"));
            }
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Material::Ec(UnparsedPublicKey::new(ring_alg, point))
        };
        Ok(Self {
            kid: kid.into_owned().into_boxed_str(),
            alg,
            material,
        })
    }
}

fn significant_bits(n: &[u8]) -> usize {
    let mut i = 0;
    while i < n.len() && n[i] == 0 {
        i += 1;
    }
    if i == n.len() {
        return 0;
    }
    (n.len() - i) * 8 - n[i].leading_zeros() as usize
}

/// An immutable set of keys by `kid`: swapped whole when the key set is fetched again.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: HashMap<Box<str>, Arc<VerifyingKey>>,
}

impl KeySet {
    pub(crate) fn get(&self, kid: &str) -> Option<&Arc<VerifyingKey>> {
        self.keys.get(kid)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether `key` (the very same parsed key) is still in this set.
    pub(crate) fn holds(&self, key: &Arc<VerifyingKey>) -> bool {
        self.keys
            .get(&*key.kid)
            .is_some_and(|k| Arc::ptr_eq(k, key))
    }

    fn insert(&mut self, key: VerifyingKey, previous: Option<&KeySet>) {
        let reused = previous
            .and_then(|p| p.keys.get(&*key.kid))
            .filter(|old| old.same_as(&key))
            .cloned();
        let key = reused.unwrap_or_else(|| Arc::new(key));
        self.keys.insert(key.kid.clone(), key);
    }

    /// The key set of a JWKS response (`{"keys":[…]}`). Entries without `kid` or `alg`, with an
    /// unsupported algorithm, or that do not parse are skipped. A key identical to one of
    /// `previous` keeps its identity, so tokens verified with it stay in the verified cache.
    pub(crate) fn from_jwks_response(
        body: &[u8],
        previous: Option<&KeySet>,
    ) -> Result<Self, String> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| format!("the key set response is not JSON: {e}"))?;
        let keys = v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("the key set response has no \"keys\" array")?;
        let mut set = KeySet::default();
        for k in keys {
            if let Ok(key) = VerifyingKey::from_jwk(k) {
                set.insert(key, previous);
            }
        }
        Ok(set)
    }

    /// The pinned key set of the configuration: one JWK, or a JWKS. Every entry must parse.
    pub(crate) fn from_pinned(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text.trim())
            .map_err(|e| format!("the pinned public key is not JSON: {e}"))?;
        let entries: Vec<&Value> = match v.get("keys") {
            Some(Value::Array(keys)) => keys.iter().collect(),
            Some(_) => return Err("the pinned key set's \"keys\" is not an array".into()),
            None => vec![&v],
        };
        let mut set = KeySet::default();
        for (i, k) in entries.into_iter().enumerate() {
            let key = VerifyingKey::from_jwk(k)
                .map_err(|e| format!("pinned public key #{i} cannot be used: {e}"))?;
            set.insert(key, None);
        }
        if set.is_empty() {
            return Err("the pinned key set holds no key".into());
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn significant_bits_ignores_leading_zero_bytes() {
        assert_eq!(significant_bits(&[0, 0x80, 0]), 16);
        assert_eq!(significant_bits(&[0, 0x01]), 1);
        assert_eq!(significant_bits(&[0, 0]), 0);
    }

    #[test]
    fn jwk_without_kid_or_alg_or_with_unsupported_alg_is_refused_with_a_reason() {
        assert!(VerifyingKey::from_jwk(&json!({"kty":"RSA","alg":"RS256"}))
            .unwrap_err()
            .contains("kid"));
        assert!(VerifyingKey::from_jwk(&json!({"kty":"RSA","kid":"k"}))
            .unwrap_err()
            .contains("alg"));
        assert!(
            VerifyingKey::from_jwk(&json!({"kty":"oct","kid":"k","alg":"HS256","k":"AAAA"}))
                .unwrap_err()
                .contains("not supported")
        );
        assert!(VerifyingKey::from_jwk(
            &json!({"kty":"RSA","kid":"k","alg":"RS256","n":"AAAA","e":"AQAB"})
        )
        .unwrap_err()
        .contains("bits"));
        assert!(VerifyingKey::from_jwk(&json!(["x"])).is_err());
    }

    #[test]
    fn jwks_response_without_keys_or_not_json_is_an_error() {
        assert!(KeySet::from_jwks_response(b"nope", None).is_err());
        assert!(KeySet::from_jwks_response(b"{}", None).is_err());
        let set = KeySet::from_jwks_response(br#"{"keys":[{"kid":"a"}]}"#, None).unwrap();
        assert!(set.is_empty());
    }
}
