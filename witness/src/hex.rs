//! The workspace's one hex reader and writer, with one rule for what hex is.
//!
//! An optional `0x` or `0X` prefix, digits in either case, nothing else: no whitespace, no sign.
//! Byte strings need an even number of digits, except where a format writes quantities without
//! padding ([`decode_unpadded`], as ethereum/tests fixtures do); integers ([`decode_u256`]) take
//! any number of digits, leading zeros included, up to their width. Every error says what was
//! wrong and where, so a user can find it in their file.
//!
//! ```
//! use witness::hex;
//!
//! assert_eq!(hex::decode("0xC0fe").unwrap(), [0xc0, 0xfe]);
//! assert_eq!(hex::decode_unpadded("0x123").unwrap(), [0x01, 0x23]);
//! assert_eq!(hex::decode_fixed::<2>("beef").unwrap(), [0xbe, 0xef]);
//! assert!(hex::decode("0x1").is_err());
//! assert_eq!(hex::encode(&[0xab, 0x01]), "0xab01");
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use primitive_types::U256;

/// Why a string is not the hex that was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// A character that is not a hex digit.
    #[error("invalid hex character {found:?} at position {position}, expected 0-9, a-f or A-F")]
    InvalidCharacter {
        /// The character.
        found: char,
        /// Its 0-based character position in the string, `0x` included.
        position: usize,
    },
    /// An odd number of hex digits where whole bytes are expected.
    #[error("{digits} hex digits, expected an even number")]
    OddLength {
        /// Digits after the optional `0x`.
        digits: usize,
    },
    /// A fixed-width value (hash, address) of the wrong length.
    #[error("{got} bytes of hex, expected {expected}")]
    WrongLength {
        /// Bytes decoded.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// An integer wider than its type.
    #[error("{significant} significant hex digits, more than the {max} of a {bits}-bit integer")]
    TooWide {
        /// Digits after the prefix and leading zeros.
        significant: usize,
        /// Digits that fit.
        max: usize,
        /// Width of the integer.
        bits: usize,
    },
}

/// The digits after an optional `0x`/`0X`, and the prefix's length (for error positions).
fn digits(text: &str) -> (&str, usize) {
    match text.get(..2) {
        Some("0x" | "0X") => (&text[2..], 2),
        _ => (text, 0),
    }
}

fn nibbles(digits: &str, offset: usize) -> Result<Vec<u8>, HexError> {
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| {
            c.to_digit(16)
                // A hex digit is below 16.
                .map(|d| d as u8)
                .ok_or(HexError::InvalidCharacter {
                    found: c,
                    position: offset + i,
                })
        })
        .collect()
}

fn pack(nibbles: &[u8]) -> Vec<u8> {
    nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

/// Bytes from hex with an even number of digits (an empty string or `0x` is no bytes).
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let (digits, offset) = digits(text);
    let nibbles = nibbles(digits, offset)?;
    if nibbles.len() % 2 != 0 {
        return Err(HexError::OddLength {
            digits: nibbles.len(),
        });
    }
    Ok(pack(&nibbles))
}

/// Bytes from hex whose digit count may be odd: `0x123` is `[0x01, 0x23]`, as if a zero led.
pub fn decode_unpadded(text: &str) -> Result<Vec<u8>, HexError> {
    let (digits, offset) = digits(text);
    let mut nibbles = nibbles(digits, offset)?;
    if nibbles.len() % 2 != 0 {
        nibbles.insert(0, 0);
    }
    Ok(pack(&nibbles))
}

/// Exactly `N` bytes from hex (a hash, an address, a state).
pub fn decode_fixed<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let bytes = decode(text)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| HexError::WrongLength {
        got: bytes.len(),
        expected: N,
    })
}

/// A 256-bit integer from hex digits: any count, leading zeros allowed, at most 64 significant.
pub fn decode_u256(text: &str) -> Result<U256, HexError> {
    let (digits, offset) = digits(text);
    let nibbles = nibbles(digits, offset)?;
    let first = nibbles
        .iter()
        .position(|n| *n != 0)
        .unwrap_or(nibbles.len());
    let significant = nibbles.get(first..).unwrap_or_default();
    if significant.len() > 64 {
        return Err(HexError::TooWide {
            significant: significant.len(),
            max: 64,
            bits: 256,
        });
    }
    Ok(significant
        .iter()
        .fold(U256::zero(), |acc, n| (acc << 4) | U256::from(*n)))
}

/// `0x` and lowercase digits, two per byte.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("0x");
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Exactly `N` bytes from `2 * N` lowercase hex digits without a prefix, at compile time: for
/// constants written in hex (addresses in chain rules). Anything else fails the build.
pub const fn literal<const N: usize>(text: &str) -> [u8; N] {
    let digits = text.as_bytes();
    assert!(
        digits.len() == 2 * N,
        "a hex literal has two digits per byte"
    );
    let mut bytes = [0u8; N];
    let mut i = 0;
    while i < N {
        bytes[i] = (literal_nibble(digits[2 * i]) << 4) | literal_nibble(digits[2 * i + 1]);
        i += 1;
    }
    bytes
}

const fn literal_nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => panic!("a hex literal has lower-case digits only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_rule() {
        assert_eq!(decode(""), Ok(Vec::new()));
        assert_eq!(decode("0x"), Ok(Vec::new()));
        assert_eq!(decode("0XAbCd"), Ok([0xab, 0xcd].to_vec()));
        assert_eq!(decode("abc"), Err(HexError::OddLength { digits: 3 }));
        assert_eq!(
            decode("0x1g"),
            Err(HexError::InvalidCharacter {
                found: 'g',
                position: 3
            })
        );
        assert!(decode(" 0x12").is_err(), "no whitespace");
        assert!(decode("0x12\n").is_err(), "no whitespace");
        assert_eq!(decode_unpadded("0x1"), Ok([1].to_vec()));
        assert_eq!(decode_unpadded("0x"), Ok(Vec::new()));
        assert_eq!(
            decode_fixed::<2>("0x0102"),
            Ok([1, 2]),
            "fixed width, prefix optional"
        );
        assert_eq!(
            decode_fixed::<2>("0x01"),
            Err(HexError::WrongLength {
                got: 1,
                expected: 2
            })
        );
        // A multi-byte character is reported, not split.
        assert_eq!(
            decode("0xé1"),
            Err(HexError::InvalidCharacter {
                found: 'é',
                position: 2
            })
        );
    }

    #[test]
    fn integers() {
        assert_eq!(decode_u256("0x"), Ok(U256::zero()));
        assert_eq!(decode_u256("0x000001"), Ok(U256::one()));
        assert_eq!(decode_u256("0x100"), Ok(U256::from(256)));
        assert_eq!(
            decode_u256(&["0x", &"f".repeat(64)].concat()),
            Ok(U256::MAX)
        );
        let too_wide = ["0x1", &"0".repeat(64)].concat();
        assert!(matches!(
            decode_u256(&too_wide),
            Err(HexError::TooWide {
                significant: 65,
                ..
            })
        ));
        assert_eq!(
            decode_u256(&["0x", &"0".repeat(100), "2"].concat()),
            Ok(U256::from(2))
        );
    }

    #[test]
    fn literals_at_compile_time() {
        const ADDRESS: [u8; 3] = literal("00ff10");
        assert_eq!(ADDRESS, [0x00, 0xff, 0x10]);
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn never_panics(text in ".{0,40}") {
            let _ = decode(&text);
            let _ = decode_unpadded(&text);
            let _ = decode_u256(&text);
        }
    }
}
