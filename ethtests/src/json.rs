//! Parsing the hex (and occasionally decimal) strings of fixture JSON into typed values, with
//! errors that name the field instead of panicking.

use primitive_types::{H160, H256, U256};
use witness::hex::{self, HexError};

/// A fixture value that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem} (got {value:?})")]
pub struct FieldError {
    /// Which field.
    pub field: String,
    /// What is wrong with it.
    pub problem: &'static str,
    /// The text found.
    pub value: String,
}

fn field_error(field: &str, problem: &'static str, value: &str) -> FieldError {
    // At most 80 characters, cut on a character boundary (a byte cut panics inside a multi-byte
    // character of a malformed fixture).
    let value: String = value.chars().take(80).collect();
    FieldError {
        field: field.to_string(),
        problem,
        value,
    }
}

/// Bytes from `0x..` hex (an empty string or `0x` is empty).
pub fn bytes(field: &str, text: &str) -> Result<Vec<u8>, FieldError> {
    hex::decode_unpadded(text).map_err(|_| field_error(field, "not hex", text))
}

/// A 256-bit integer from `0x..` hex or decimal; more than 256 bits is an error.
pub fn u256(field: &str, text: &str) -> Result<U256, FieldError> {
    if text.starts_with("0x") {
        hex::decode_u256(text).map_err(|error| match error {
            HexError::TooWide { .. } => field_error(field, "more than 256 bits", text),
            _ => field_error(field, "not hex", text),
        })
    } else {
        U256::from_dec_str(text).map_err(|_| field_error(field, "not a number", text))
    }
}

/// A 64-bit integer; more than 64 bits is an error.
pub fn u64(field: &str, text: &str) -> Result<u64, FieldError> {
    let value = u256(field, text)?;
    if value > U256::from(u64::MAX) {
        return Err(field_error(field, "more than 64 bits", text));
    }
    Ok(value.low_u64())
}

/// A 64-bit integer, saturated (block gas limits above 2^64 behave as 2^64 - 1).
pub fn u64_saturating(field: &str, text: &str) -> Result<u64, FieldError> {
    Ok(u256(field, text)?.min(U256::from(u64::MAX)).low_u64())
}

/// A 32-byte word given as a number (storage keys and values, hashes written as integers).
pub fn h256_from_number(field: &str, text: &str) -> Result<H256, FieldError> {
    let value = u256(field, text)?;
    let mut out = [0u8; 32];
    value.to_big_endian(&mut out);
    Ok(H256(out))
}

/// A 32-byte hash (exactly 32 bytes of hex).
pub fn h256(field: &str, text: &str) -> Result<H256, FieldError> {
    let raw = bytes(field, text)?;
    if raw.len() != 32 {
        return Err(field_error(field, "not 32 bytes", text));
    }
    Ok(H256::from_slice(&raw))
}

/// A 20-byte address.
pub fn address(field: &str, text: &str) -> Result<H160, FieldError> {
    let raw = bytes(field, text)?;
    if raw.len() != 20 {
        return Err(field_error(field, "not 20 bytes", text));
    }
    Ok(H160::from_slice(&raw))
}

/// The string at `key` of a JSON object.
pub fn str_at<'a>(value: &'a serde_json::Value, key: &str) -> Result<&'a str, FieldError> {
    value
        .get(key)
        .and_then(|v| v.as_str())
        .ok_or_else(|| field_error(key, "missing or not a string", ""))
}

/// The string at `key`, if present and not null.
pub fn opt_str_at<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(|v| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixture_numbers() {
        assert_eq!(u256("x", "0x").unwrap(), U256::zero());
        assert_eq!(u256("x", "0x00ff").unwrap(), U256::from(255));
        assert_eq!(u256("x", "1000").unwrap(), U256::from(1000));
        assert!(u256("x", &format!("0x1{}", "0".repeat(64))).is_err());
        assert!(u64("x", "0x10000000000000000").is_err());
        assert_eq!(
            u64_saturating("x", "0x10000000000000000").unwrap(),
            u64::MAX
        );
        assert_eq!(bytes("x", "0x0a0b").unwrap(), vec![10, 11]);
        assert!(address("x", "0x12").is_err());
    }

    #[test]
    fn a_long_non_ascii_value_is_cut_on_a_character_boundary() {
        let text = format!("0x{}", "é".repeat(100));
        let error = bytes("x", &text).unwrap_err();
        assert_eq!(error.value.chars().count(), 80);
    }
}
