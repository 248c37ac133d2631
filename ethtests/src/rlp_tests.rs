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

/// A decimal of any size as minimal big-endian bytes.
fn decimal_to_bytes(decimal: &str) -> Result<Vec<u8>, String> {
    if decimal.is_empty() {
        return Err("empty big integer".into());
    }
    // Little-endian base-256 digits, times ten plus the next decimal digit each step.
    let mut le: Vec<u8> = Vec::new();
    for c in decimal.chars() {
        let mut carry = c
            .to_digit(10)
            .ok_or_else(|| format!("bad decimal digit {c:?} in #{decimal}"))?;
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
