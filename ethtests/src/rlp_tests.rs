//! RLPTests: each case gives an input `in` and its encoding `out`.
//!
//! When `in` is data (a string, an integer, a `#`-prefixed decimal big integer, or a list of
//! those), encoding it must give `out` exactly and strictly decoding `out` must give it back. When
//! `in` is `"INVALID"`, decoding `out` must fail; when it is `"VALID"`, it must succeed. The suite
//! is fork-independent, so every case's fork is `-`.
//!
//! Decoding is [`witness::rlp`], the strict reader every decoder of the workspace uses (the EE's
//! transactions, headers, trie nodes and witness leaves), so this suite checks the code that
//! validates blocks. Encoding is the `rlp` crate's `RlpStream`, the writer of the workspace.

use std::path::PathBuf;

use rlp::RlpStream;
use serde_json::Value;
use witness::rlp::{self as strict, RlpError};

use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// Deeper nesting than this is rejected rather than risking the stack on hostile input.
const MAX_DEPTH: usize = 1024;

/// A decoded RLP item.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Bytes(Vec<u8>),
    List(Vec<Item>),
}

/// Runs every RLP test case under `paths` (files or folders, recursively).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    Ok(Report::from_results(
        "rlp",
        run_files(paths, options, run_file)?,
    ))
}

/// Runs all cases of one fixture file.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let result = |test: &str, outcome: Outcome| CaseResult {
        file: file.display.clone(),
        test: test.to_string(),
        fork: "-".into(),
        index: String::new(),
        outcome,
    };
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![CaseResult::file_failed(file, &error)],
    };
    tests
        .iter()
        .filter(|(name, _)| options.matches(&file.display, name))
        .map(|(name, test)| {
            let outcome = run_case(test)
                .unwrap_or_else(|reason| Outcome::Failed(format!("malformed test: {reason}")));
            result(name, outcome)
        })
        .collect()
}

/// One case; `Err` for a malformed fixture.
fn run_case(test: &Value) -> Result<Outcome, String> {
    let out = test
        .get("out")
        .and_then(Value::as_str)
        .ok_or("missing string field `out`")?;
    let out = witness::hex::decode(out).map_err(|e| format!("`out` is not hex: {e}"))?;
    let input = test.get("in").ok_or("missing field `in`")?;
    let decoded = decode(&out);
    Ok(match (input.as_str(), decoded) {
        (Some("INVALID"), Ok(item)) => Outcome::Failed(format!("invalid RLP decoded to {item:?}")),
        (Some("INVALID"), Err(_)) => Outcome::Passed,
        (Some("VALID"), Ok(_)) => Outcome::Passed,
        (Some("VALID"), Err(error)) => Outcome::Failed(format!("valid RLP rejected: {error:?}")),
        (_, decoded) => {
            let expected = expected_item(input)?;
            let encoded = encode(&expected);
            if encoded != out {
                Outcome::Failed(format!(
                    "encoded 0x{} != expected 0x{}",
                    hex::encode(&encoded),
                    hex::encode(&out)
                ))
            } else {
                match decoded {
                    Ok(item) if item == expected => Outcome::Passed,
                    Ok(item) => {
                        Outcome::Failed(format!("decoded {item:?} != expected {expected:?}"))
                    }
                    Err(error) => Outcome::Failed(format!("decoding rejected: {error:?}")),
                }
            }
        }
    })
}

/// The item a fixture's `in` stands for: strings as UTF-8, integers and `#` big integers as
/// minimal big-endian bytes (zero is the empty string), lists item by item.
fn expected_item(value: &Value) -> Result<Item, String> {
    match value {
        Value::String(text) => match text.strip_prefix('#') {
            Some(decimal) => decimal_to_bytes(decimal).map(Item::Bytes),
            None => Ok(Item::Bytes(text.as_bytes().to_vec())),
        },
        Value::Number(number) => {
            let n = number
                .as_u64()
                .ok_or_else(|| format!("number {number} is not a u64"))?;
            Ok(Item::Bytes(minimal_be(&n.to_be_bytes())))
        }
        Value::Array(items) => items
            .iter()
            .map(expected_item)
            .collect::<Result<_, _>>()
            .map(Item::List),
        other => Err(format!(
            "`in` holds {other}, expected strings, integers or lists"
        )),
    }
}

/// Most significant decimal digits a `#` big integer may have. RLPTests' largest is 2^256, 78
/// digits; the conversion is quadratic in the digits (300,000 of them took 18 s), so longer
/// numbers are refused before it, after a linear check of the digits.
const MAX_DECIMAL_DIGITS: usize = 78;

/// A decimal of at most [`MAX_DECIMAL_DIGITS`] significant digits as minimal big-endian bytes.
fn decimal_to_bytes(decimal: &str) -> Result<Vec<u8>, String> {
    if decimal.is_empty() {
        return Err("empty big integer".into());
    }
    if let Some(c) = decimal.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!("bad decimal digit {c:?} in #{}", preview(decimal)));
    }
    let significant = decimal.trim_start_matches('0');
    if significant.len() > MAX_DECIMAL_DIGITS {
        return Err(format!(
            "big integer #{} has {} digits, more than the {MAX_DECIMAL_DIGITS} of 2^256",
            preview(decimal),
            significant.len()
        ));
    }
    // Little-endian base-256 digits, times ten plus the next decimal digit each step.
    let mut le: Vec<u8> = Vec::new();
    for digit in significant.bytes() {
        let mut carry = u32::from(digit - b'0');
        for byte in &mut le {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        if carry > 0 {
            le.push(carry as u8);
        }
    }
    le.reverse();
    Ok(minimal_be(&le))
}

/// The start of a fixture's number, for a message that stays short whatever its length.
fn preview(decimal: &str) -> String {
    const SHOWN: usize = 20;
    match decimal.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}...", &decimal[..end]),
        None => decimal.to_string(),
    }
}

fn minimal_be(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

fn encode(item: &Item) -> Vec<u8> {
    let mut stream = RlpStream::new();
    append(&mut stream, item);
    stream.out().to_vec()
}

fn append(stream: &mut RlpStream, item: &Item) {
    match item {
        Item::Bytes(bytes) => {
            stream.append(bytes);
        }
        Item::List(items) => {
            stream.begin_list(items.len());
            for item in items {
                append(stream, item);
            }
        }
    }
}

/// Why strict decoding failed: the reader's error, or nesting too deep to follow.
#[derive(Debug, PartialEq, Eq)]
enum DecodeError {
    Rlp(RlpError),
    TooDeep,
}

impl From<RlpError> for DecodeError {
    fn from(error: RlpError) -> Self {
        DecodeError::Rlp(error)
    }
}

/// Strict decoding: exactly one canonical item, nothing after it.
fn decode(bytes: &[u8]) -> Result<Item, DecodeError> {
    to_item(strict::decode_exact(bytes)?, 0)
}

/// Copies a decoded item into an owned tree, checking every nested header on the way.
fn to_item(item: strict::Item<'_>, depth: usize) -> Result<Item, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(DecodeError::TooDeep);
    }
    match item {
        strict::Item::Bytes(bytes) => Ok(Item::Bytes(bytes.to_vec())),
        strict::Item::List(mut list) => {
            let mut items = Vec::new();
            while let Some((item, _)) = list.next_raw()? {
                items.push(to_item(item, depth + 1)?);
            }
            Ok(Item::List(items))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_integers() {
        assert_eq!(decimal_to_bytes("0"), Ok(vec![]));
        assert_eq!(decimal_to_bytes("256"), Ok(vec![1, 0]));
        let two_256 =
            "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        let mut expected = vec![1];
        expected.extend([0; 32]);
        assert_eq!(decimal_to_bytes(two_256), Ok(expected));
        assert!(decimal_to_bytes("12a").is_err());
        // Leading zeros are not significant.
        let padded = format!("{}{two_256}", "0".repeat(300_000));
        assert_eq!(decimal_to_bytes(&padded), decimal_to_bytes(two_256));
        // 10^78 - 1, the largest accepted, needs 33 bytes.
        assert_eq!(decimal_to_bytes(&"9".repeat(78)).unwrap().len(), 33);
    }

    /// 300,000 digits are refused by their count, before the quadratic conversion (18 s before),
    /// and the message does not repeat them.
    #[test]
    fn a_huge_big_integer_is_refused_by_its_digit_count() {
        let error = decimal_to_bytes(&"9".repeat(300_000)).unwrap_err();
        assert_eq!(
            error,
            "big integer #99999999999999999999... has 300000 digits, more than the 78 of 2^256"
        );
        let error = decimal_to_bytes(&format!("{}x", "1".repeat(300_000))).unwrap_err();
        assert_eq!(error, "bad decimal digit 'x' in #11111111111111111111...");
        let test = serde_json::json!({"in": format!("#{}", "9".repeat(300_000)), "out": "0x80"});
        assert!(matches!(
            run_case(&test),
            Err(reason) if reason.contains("has 300000 digits")
        ));
    }

    #[test]
    fn strict_decoding() {
        assert_eq!(decode(&[0x80]), Ok(Item::Bytes(vec![])));
        assert!(decode(&[0x81, 0x00]).is_err(), "single byte with a header");
        assert!(
            decode(&[0xb8, 0x00]).is_err(),
            "long form with a leading zero"
        );
        assert!(decode(&[0xc1, 0x80, 0x80]).is_err(), "trailing byte");
        assert!(decode(&[0xc2, 0x81]).is_err(), "truncated item in a list");
        assert_eq!(
            decode(&[0xc2, 0xc0, 0x01]),
            Ok(Item::List(vec![Item::List(vec![]), Item::Bytes(vec![1])]))
        );
    }
}
