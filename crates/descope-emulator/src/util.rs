//! Small helpers: identifiers, time, masking, JSON field access.

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Random bytes from the OS.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // The system RNG does not fail on supported platforms; a zeroed buffer would still be
    // usable for an emulator, so the error is not fatal.
    let _ = SystemRandom::new().fill(&mut buf);
    buf
}

/// `prefix` followed by `len` random alphanumeric characters.
pub fn random_id(prefix: &str, len: usize) -> String {
    let bytes = random_bytes(len);
    let mut s = String::with_capacity(prefix.len() + len);
    s.push_str(prefix);
    for b in bytes {
        s.push(ALNUM[(b as usize) % ALNUM.len()] as char);
    }
    s
}

/// A random decimal code of `len` digits.
pub fn random_digits(len: usize) -> String {
    random_bytes(len)
        .into_iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equality that does not leak where two secrets differ.
pub fn secret_eq(a: &str, b: &str) -> bool {
    let da = ring::digest::digest(&ring::digest::SHA256, a.as_bytes());
    let db = ring::digest::digest(&ring::digest::SHA256, b.as_bytes());
    da.as_ref()
        .iter()
        .zip(db.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `d***@descope.com`
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// `+*******1234`
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i >= keep || (i == 0 && *c == '+') {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Parses a JSON request body; an empty body is `{}`.
pub fn parse_body(bytes: &[u8]) -> ApiResult<Value> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))
}

/// A string field, `""` when absent or null.
pub fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A required non-empty string field.
pub fn req(v: &Value, key: &str) -> ApiResult<String> {
    let out = s(v, key);
    if out.is_empty() {
        Err(ApiError::bad_request(format!(
            "The {key} field is required"
        )))
    } else {
        Ok(out)
    }
}

/// An optional string field (absent or null gives `None`).
pub fn opt_s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A boolean field, false when absent.
pub fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A list of strings, empty when absent.
pub fn strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// An object field, empty when absent.
pub fn obj(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// An integer field.
pub fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_descope_shows() {
        assert_eq!(mask_email("desmond@descope.com"), "d***@descope.com");
        assert_eq!(mask_email("not-an-email"), "***");
        assert_eq!(mask_phone("+12125551234"), "+*******1234");
        assert_eq!(mask_phone("123"), "123");
    }

    #[test]
    fn secret_eq_compares_whole_values() {
        assert!(secret_eq("abc", "abc"));
        assert!(!secret_eq("abc", "abd"));
        assert!(!secret_eq("abc", "abcd"));
    }

    #[test]
    fn random_ids_have_the_prefix_length_and_differ() {
        let a = random_id("U", 27);
        assert_eq!(a.len(), 28);
        assert!(a.starts_with('U') && a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, random_id("U", 27));
        assert!(random_digits(6).chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_bad_json_is_400() {
        assert_eq!(parse_body(b"  ").unwrap(), serde_json::json!({}));
        assert_eq!(parse_body(b"{bad").unwrap_err().status.as_u16(), 400);
    }
}
