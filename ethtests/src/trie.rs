//! TrieTests: each case inserts key/value pairs into an empty trie and expects its root.
//!
//! Formats: `in` is either a list of `[key, value]` pairs applied in order (`null` deletes) or an
//! object (order-independent, the `trieanyorder*` files). Keys and values are hex when they start
//! with `0x` (or always, with `"hexEncoded": true`), UTF-8 text otherwise. Files whose name
//! contains `secure` hash each key first, as the state trie does. `trietestnextprev.json` instead
//! lists keys and `[key, prev, next]` queries, one case per query. The suite is fork-independent,
//! so every case's fork is `-`.
//!
//! The roots come from [`witness::trie_root`] / [`witness::secure_trie_root`]: applying a list in
//! order is the same as handing all pairs to them, since the last value of a key wins and an
//! empty value (a deletion) means the key is absent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use primitive_types::H256;
use serde_json::Value;

use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// Runs every trie test case under `paths` (files or folders, recursively).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    Ok(Report::from_results(
        "trie",
        run_files(paths, options, run_file)?,
    ))
}

/// Runs all cases of one fixture file.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let result = |test: &str, index: String, outcome: Outcome| CaseResult {
        file: file.display.clone(),
        test: test.to_string(),
        fork: "-".into(),
        index,
        outcome,
    };
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![CaseResult::file_failed(file, &error)],
    };
    let secure = file.path.file_name().is_some_and(|name| {
        name.to_string_lossy()
            .to_ascii_lowercase()
            .contains("secure")
    });
    let mut results = Vec::new();
    for (name, test) in &tests {
        if !options.matches(&file.display, name) {
            continue;
        }
        if let Some(queries) = test.get("tests") {
            match next_prev_cases(test, queries) {
                Ok(cases) => results.extend(
                    cases
                        .into_iter()
                        .enumerate()
                        .map(|(i, outcome)| result(name, i.to_string(), outcome)),
                ),
                Err(reason) => results.push(result(
                    name,
                    String::new(),
                    Outcome::Failed(format!("malformed test: {reason}")),
                )),
            }
            continue;
        }
        let outcome = match root_case(test, secure) {
            Ok(outcome) => outcome,
            Err(reason) => Outcome::Failed(format!("malformed test: {reason}")),
        };
        results.push(result(name, String::new(), outcome));
    }
    results
}

/// A root case: build the trie from `in` and compare with `root`.
fn root_case(test: &Value, secure: bool) -> Result<Outcome, String> {
    let hex_encoded = test
        .get("hexEncoded")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let expected = test
        .get("root")
        .and_then(Value::as_str)
        .ok_or("missing string field `root`")?;
    let expected = hex_bytes(expected).map_err(|e| format!("`root`: {e}"))?;
    if expected.len() != 32 {
        return Err(format!("`root` is {} bytes, expected 32", expected.len()));
    }
    let expected = H256::from_slice(&expected);

    let pairs: Vec<(&str, &Value)> = match test.get("in") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, pair)| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(key), value]) => Ok((key.as_str(), value)),
                _ => Err(format!("`in[{i}]` is not a [string key, value] pair")),
            })
            .collect::<Result<_, _>>()?,
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        _ => return Err("`in` is neither a list of pairs nor an object".into()),
    };
    let mut entries = Vec::with_capacity(pairs.len());
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        let key = decode_text(key, hex_encoded).map_err(|e| format!("key {i}: {e}"))?;
        let value = match value {
            // A deletion: an empty value makes the key absent, whatever came before.
            Value::Null => Vec::new(),
            Value::String(value) => {
                decode_text(value, hex_encoded).map_err(|e| format!("value {i}: {e}"))?
            }
            other => return Err(format!("value {i} is {other}, expected a string or null")),
        };
        entries.push((key, value));
    }
    let got = if secure {
        witness::secure_trie_root(entries)
    } else {
        witness::trie_root(entries)
    };
    Ok(if got == expected {
        Outcome::Passed
    } else {
        Outcome::Failed(format!("root {got:#x} != expected {expected:#x}"))
    })
}

/// `trietestnextprev.json`: `in` lists keys; each query `[key, prev, next]` asks for the nearest
/// keys below and above `key` in trie order (byte order), `""` meaning none.
fn next_prev_cases(test: &Value, queries: &Value) -> Result<Vec<Outcome>, String> {
    let keys: BTreeSet<Vec<u8>> = test
        .get("in")
        .and_then(Value::as_array)
        .ok_or("`in` is not a list of keys")?
        .iter()
        .enumerate()
        .map(|(i, key)| {
            key.as_str()
                .ok_or_else(|| format!("`in[{i}]` is not a string"))
                .and_then(|key| decode_text(key, false))
        })
        .collect::<Result<_, _>>()?;
    let queries = queries.as_array().ok_or("`tests` is not a list")?;
    Ok(queries
        .iter()
        .enumerate()
        .map(|(i, query)| {
            let texts: Option<Vec<&str>> = query
                .as_array()
                .and_then(|items| items.iter().map(Value::as_str).collect());
            let [key, prev, next] = texts.as_deref().unwrap_or_default() else {
                return Outcome::Failed(format!(
                    "malformed test: `tests[{i}]` is not [key, prev, next]"
                ));
            };
            let parsed = (|| {
                Ok::<_, String>((
                    decode_text(key, false)?,
                    decode_text(prev, false)?,
                    decode_text(next, false)?,
                ))
            })();
            let (key, prev, next) = match parsed {
                Ok(parsed) => parsed,
                Err(e) => return Outcome::Failed(format!("malformed test: `tests[{i}]`: {e}")),
            };
            let got_prev = keys
                .range(..key.clone())
                .next_back()
                .cloned()
                .unwrap_or_default();
            let got_next = keys
                .range((std::ops::Bound::Excluded(key), std::ops::Bound::Unbounded))
                .next()
                .cloned()
                .unwrap_or_default();
            if got_prev == prev && got_next == next {
                Outcome::Passed
            } else {
                Outcome::Failed(format!(
                    "prev/next {:?}/{:?} != expected {:?}/{:?}",
                    String::from_utf8_lossy(&got_prev),
                    String::from_utf8_lossy(&got_next),
                    String::from_utf8_lossy(&prev),
                    String::from_utf8_lossy(&next),
                ))
            }
        })
        .collect())
}

/// A key or value: hex if it starts with `0x` or the test is `hexEncoded`, else UTF-8 text.
fn decode_text(text: &str, hex_encoded: bool) -> Result<Vec<u8>, String> {
    if hex_encoded || text.starts_with("0x") {
        hex_bytes(text)
    } else {
        Ok(text.as_bytes().to_vec())
    }
}

/// Hex with an optional `0x` prefix.
fn hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    witness::hex::decode(text).map_err(|e| format!("bad hex {text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_keys() {
        assert_eq!(decode_text("0x0a", false), Ok(vec![0x0a]));
        assert_eq!(decode_text("dog", false), Ok(b"dog".to_vec()));
        assert_eq!(decode_text("0a", true), Ok(vec![0x0a]));
        assert!(decode_text("0xzz", false).is_err());
    }

    #[test]
    fn malformed_cases_fail_with_a_reason() {
        let test: Value = serde_json::json!({"in": [["a"]], "root": "0x00"});
        assert!(root_case(&test, false).is_err());
        let test: Value = serde_json::json!({"in": {"a": "b"}, "root": "0x0102"});
        assert_eq!(
            root_case(&test, false),
            Err("`root` is 2 bytes, expected 32".into())
        );
    }
}
