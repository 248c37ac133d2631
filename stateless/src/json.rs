//! JSON import and export of a [`Witness`] in the shape of `debug_executionWitness` (`std` only).
//!
//! What the clients emit, and what is accepted:
//!
//! | source | `state`, `codes` | `keys` | `headers` |
//! | --- | --- | --- | --- |
//! | reth today (alloy-rpc-types-debug 1.x, 2.x) | arrays of hex strings | array of hex strings | array of RLP hex strings |
//! | early reth (alloy-rpc-types-debug 0.5 era) | objects `keccak(value) → value` | object, same | absent |
//! | geth `ExtWitness` | arrays of hex strings (`null` when empty) | absent | array of JSON header **objects** |
//! | op-geth `ExecutionWitness` | objects `keccak(value) → value` | absent | array of JSON header objects |
//!
//! All of those are read, except JSON header objects: a header must be given as its RLP (a hex
//! string; geth's `debug_getRawHeader` returns it), and a header object is rejected with
//! [`WitnessJsonError::HeaderObject`] naming its index. For the object (map) shape, each key
//! must be the Keccak-256 of its value, and is checked. A `null` list is empty, and so is a
//! missing `keys` or `headers`; the keys `state` and `codes` must be present. Hex strings may
//! omit the `0x` prefix and use either case. Unknown fields are ignored. A whole JSON-RPC response (`{"jsonrpc", "id", "result"}`) is
//! accepted too, so `curl` output can be saved and read as is (an `error` response is reported
//! as [`WitnessJsonError::RpcError`]).
//!
//! [`Witness::to_json`] writes reth's current shape: `{"state":[..],"codes":[..],"keys":[..],
//! "headers":[..]}` with lowercase `0x` hex.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use primitive_types::H256;
use serde_json::Value;

use witness::hex::{self, HexError};
use witness::keccak256;

use crate::block_witness::Witness;

/// Why a JSON witness was rejected. Messages name the field and the index (or map key).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WitnessJsonError {
    /// Not JSON at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// A JSON-RPC error response instead of a witness.
    #[error("JSON-RPC error response: {0}")]
    RpcError(String),
    /// A required list is absent.
    #[error("{field}: missing, expected an array of hex strings")]
    MissingField {
        /// `state` or `codes`.
        field: &'static str,
    },
    /// A value of the wrong JSON type.
    #[error("{path}: found {found}, expected {expected}")]
    WrongType {
        /// Where, e.g. `codes[2]` or `(top level)`.
        path: String,
        /// The JSON type found.
        found: &'static str,
        /// What belongs there.
        expected: &'static str,
    },
    /// A string that is not hex.
    #[error("{path}: {error}")]
    BadHex {
        /// Where, e.g. `state[7]` or `state["0x12…"]` (a map key).
        path: String,
        /// What is wrong with it.
        error: HexError,
    },
    /// A map key that is not a 32-byte hash.
    #[error("{path}: key is {len} bytes, expected a 32-byte Keccak-256 hash")]
    BadKeyLength {
        /// The entry, e.g. `state["0x1234"]`.
        path: String,
        /// Length of the decoded key.
        len: usize,
    },
    /// A map entry whose key is not the Keccak-256 of its value.
    #[error("{path}: keccak256 of the value is {computed:?}, expected the key")]
    HashMismatch {
        /// The entry, e.g. `codes["0xabcd…"]`.
        path: String,
        /// The hash of the value.
        computed: H256,
    },
    /// A header given as a JSON object (geth's shape) rather than as RLP.
    #[error(
        "headers[{index}]: found a JSON header object, expected an RLP hex string (JSON header \
         objects are not supported; get the RLP with debug_getRawHeader)"
    )]
    HeaderObject {
        /// Index in `headers`.
        index: usize,
    },
}

/// The lists of a witness, in the order [`Witness::to_json`] writes them.
#[derive(serde::Serialize)]
struct JsonWitness {
    state: Vec<String>,
    codes: Vec<String>,
    keys: Vec<String>,
    headers: Vec<String>,
}

impl Witness {
    /// Reads a witness from `debug_executionWitness` JSON (reth's or geth's shape; see the
    /// module docs for what is and is not accepted).
    pub fn from_json(json: &str) -> Result<Witness, WitnessJsonError> {
        let value: Value = serde_json::from_str(json).map_err(|e| WitnessJsonError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let mut object = match value {
            Value::Object(object) => object,
            other => return Err(wrong_type("(top level)", &other, "an object")),
        };
        // A saved JSON-RPC response: unwrap `result`, report `error`.
        if !object.contains_key("state") {
            if let Some(error) = object.get("error") {
                return Err(WitnessJsonError::RpcError(error.to_string()));
            }
            match object.remove("result") {
                Some(Value::Object(result)) => object = result,
                Some(other) => return Err(wrong_type("result", &other, "an object")),
                None => {}
            }
        }
        // geth writes `null` for an empty list, but always writes the key.
        for field in ["state", "codes"] {
            if !object.contains_key(field) {
                return Err(WitnessJsonError::MissingField { field });
            }
        }
        let mut take = |field: &'static str| object.remove(field).unwrap_or(Value::Null);
        let (state, codes, keys, headers) =
            (take("state"), take("codes"), take("keys"), take("headers"));
        Ok(Witness {
            state: read_list("state", state)?,
            codes: read_list("codes", codes)?,
            headers: read_headers(headers)?,
            keys: read_list("keys", keys)?,
        })
    }

    /// Writes the witness as reth's `debug_executionWitness` JSON: four arrays of lowercase
    /// `0x` hex strings, headers as RLP.
    pub fn to_json(&self) -> String {
        let hex_all = |list: &[Vec<u8>]| list.iter().map(|b| hex::encode(b)).collect();
        let json = JsonWitness {
            state: hex_all(&self.state),
            codes: hex_all(&self.codes),
            keys: hex_all(&self.keys),
            headers: hex_all(&self.headers),
        };
        // Serializing strings into a String cannot fail.
        serde_json::to_string(&json).unwrap_or_default()
    }
}

/// serde_json appends " at line L column C"; the error carries those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].into(),
        None => message.into(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(path: impl Into<String>, found: &Value, expected: &'static str) -> WitnessJsonError {
    WitnessJsonError::WrongType {
        path: path.into(),
        found: type_name(found),
        expected,
    }
}

/// An array of hex strings, or a `keccak(value) → value` object; `null` is empty.
fn read_list(field: &'static str, value: Value) -> Result<Vec<Vec<u8>>, WitnessJsonError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => hex::decode(&s).map_err(|error| WitnessJsonError::BadHex {
                    path: format!("{field}[{i}]"),
                    error,
                }),
                other => Err(wrong_type(format!("{field}[{i}]"), &other, "a hex string")),
            })
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(key, item)| {
                let path = format!("{field}[{key:?}]");
                let hash = hex::decode(&key).map_err(|error| WitnessJsonError::BadHex {
                    path: format!("{path} (key)"),
                    error,
                })?;
                if hash.len() != 32 {
                    return Err(WitnessJsonError::BadKeyLength {
                        path,
                        len: hash.len(),
                    });
                }
                let bytes = match item {
                    Value::String(s) => {
                        hex::decode(&s).map_err(|error| WitnessJsonError::BadHex {
                            path: path.clone(),
                            error,
                        })?
                    }
                    other => return Err(wrong_type(path, &other, "a hex string")),
                };
                let computed = keccak256(&bytes);
                if computed.as_bytes() != hash.as_slice() {
                    return Err(WitnessJsonError::HashMismatch { path, computed });
                }
                Ok(bytes)
            })
            .collect(),
        other => Err(wrong_type(
            field,
            &other,
            "an array of hex strings or an object of hash → hex string",
        )),
    }
}

/// An array of RLP hex strings; `null` is empty; JSON header objects are rejected.
fn read_headers(value: Value) -> Result<Vec<Vec<u8>>, WitnessJsonError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::String(s) => hex::decode(&s).map_err(|error| WitnessJsonError::BadHex {
                    path: format!("headers[{index}]"),
                    error,
                }),
                Value::Object(_) => Err(WitnessJsonError::HeaderObject { index }),
                other => Err(wrong_type(
                    format!("headers[{index}]"),
                    &other,
                    "an RLP hex string",
                )),
            })
            .collect(),
        other => Err(wrong_type("headers", &other, "an array of RLP hex strings")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    // A hand-made witness in reth's shape: an account-trie leaf, a storage-trie leaf, a code and
    // a parent header (real RLP structure, made-up values), the address and slot as keys.
    const ACCOUNT_LEAF: &str = "0xf872a12003601462093b5945d1676df093446790fd31b20e7b12a2e8e5\
        e09d068109616bb84ef84c01880de0b6b3a7640000a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996c\
        adc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
    const STORAGE_LEAF: &str = "0xe3a120290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f\
        93160ef3e56301";
    const CODE: &str = "0x6001600055";
    const HEADER: &str = "0xf901f7a000000000000000000000000000000000000000000000000000\
        00000000000000a01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d4934794000000\
        0000000000000000000000000000000000a07d1e6c3a4b2f0e9d8c7b6a5f4e3d2c1b0a998877665544332211\
        00ffeeddccbba056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a056e81f17\
        1bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421b9010000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000083020000808347e7c4808454c98c8180a000000000\
        00000000000000000000000000000000000000000000000000000000880000000000000042";
    const ADDRESS: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    const SLOT: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(&s.split_whitespace().collect::<String>()).unwrap()
    }

    fn reth_sample() -> String {
        format!(
            r#"{{
  "state": ["{ACCOUNT_LEAF}", "{STORAGE_LEAF}"],
  "codes": ["{CODE}"],
  "keys": ["{ADDRESS}", "{SLOT}"],
  "headers": ["{HEADER}"]
}}"#
        )
    }

    fn expected() -> Witness {
        Witness {
            state: vec![unhex(ACCOUNT_LEAF), unhex(STORAGE_LEAF)],
            codes: vec![unhex(CODE)],
            headers: vec![unhex(HEADER)],
            keys: vec![unhex(ADDRESS), unhex(SLOT)],
        }
    }

    fn err(json: &str) -> String {
        Witness::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn reth_shape() {
        let w = Witness::from_json(&reth_sample()).unwrap();
        assert_eq!(w, expected());
        // The sample is well-formed: trie nodes the crate decodes, a 15-field (Frontier) header.
        for node in &w.state {
            witness::Node::decode(node).unwrap();
        }
        assert_eq!(w.headers[0].len(), 506);
        assert_eq!(rlp::Rlp::new(&w.headers[0]).item_count(), Ok(15));
        assert_eq!(Witness::from_json(&w.to_json()).unwrap(), w);
    }

    #[test]
    fn to_json_is_reths_shape() {
        let w = Witness {
            state: vec![vec![0x80]],
            codes: vec![vec![]],
            headers: vec![],
            keys: vec![vec![0xAB, 0x01]],
        };
        assert_eq!(
            w.to_json(),
            r#"{"state":["0x80"],"codes":["0x"],"keys":["0xab01"],"headers":[]}"#
        );
    }

    #[test]
    fn jsonrpc_response_is_unwrapped() {
        let json = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{}}}"#, reth_sample());
        assert_eq!(Witness::from_json(&json).unwrap(), expected());
        assert_eq!(
            err(r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"block not found"}}"#),
            r#"JSON-RPC error response: {"code":-32000,"message":"block not found"}"#
        );
    }

    /// Older reth (alloy < 0.12) and op-geth: `keccak(value) → value` maps, no headers.
    #[test]
    fn map_shape_with_checked_keys() {
        let code = unhex(CODE);
        let node = unhex(STORAGE_LEAF);
        let json = format!(
            r#"{{"state":{{"{}":"{}"}},"codes":{{"{}":"{}"}},"keys":{{}}}}"#,
            hex::encode(keccak256(&node).as_bytes()),
            STORAGE_LEAF,
            hex::encode(keccak256(&code).as_bytes()),
            CODE
        );
        let w = Witness::from_json(&json).unwrap();
        assert_eq!(w.state, vec![node]);
        assert_eq!(w.codes, vec![code]);
        assert!(w.headers.is_empty() && w.keys.is_empty());

        let wrong = format!(
            r#"{{"state":{{}},"codes":{{"0x{}":"{}"}}}}"#,
            "00".repeat(32),
            CODE
        );
        assert_eq!(
            err(&wrong),
            format!(
                "codes[\"0x{}\"]: keccak256 of the value is {:?}, expected the key",
                "00".repeat(32),
                keccak256(&unhex(CODE))
            )
        );
        assert_eq!(
            err(r#"{"state":{"0x1234":"0x80"},"codes":[]}"#),
            "state[\"0x1234\"]: key is 2 bytes, expected a 32-byte Keccak-256 hash"
        );
        assert_eq!(
            err(r#"{"state":{"0xzz":"0x80"},"codes":[]}"#),
            "state[\"0xzz\"] (key): invalid hex character 'z' at position 2, expected 0-9, a-f or A-F"
        );
    }

    /// geth's `ExtWitness`: no keys, `null` for empty lists, headers as JSON objects.
    #[test]
    fn geth_shape() {
        let json = format!(r#"{{"headers":null,"codes":null,"state":["{STORAGE_LEAF}"]}}"#);
        let w = Witness::from_json(&json).unwrap();
        assert_eq!(w.state, vec![unhex(STORAGE_LEAF)]);
        assert!(w.codes.is_empty() && w.keys.is_empty() && w.headers.is_empty());

        let json = format!(
            r#"{{"headers":["{HEADER}",{{"parentHash":"0x00","number":"0x1"}}],"codes":[],"state":[]}}"#
        );
        assert_eq!(
            err(&json),
            "headers[1]: found a JSON header object, expected an RLP hex string (JSON header \
             objects are not supported; get the RLP with debug_getRawHeader)"
        );
    }

    #[test]
    fn hex_without_prefix_and_in_upper_case() {
        let w =
            Witness::from_json(r#"{"state":["C0","0XC0"],"codes":[""],"keys":["0x"]}"#).unwrap();
        assert_eq!(w.state, vec![vec![0xc0], vec![0xc0]]);
        assert_eq!(w.codes, vec![Vec::<u8>::new()]);
        assert_eq!(w.keys, vec![Vec::<u8>::new()]);
    }

    #[test]
    fn malformed() {
        assert_eq!(
            err(r#"{"state": ["0x80",]}"#),
            "invalid JSON at line 1, column 19: trailing comma"
        );
        assert_eq!(err("[]"), "(top level): found an array, expected an object");
        assert_eq!(
            err(r#"{"codes":[]}"#),
            "state: missing, expected an array of hex strings"
        );
        assert_eq!(
            err(r#"{"state":[]}"#),
            "codes: missing, expected an array of hex strings"
        );
        assert_eq!(
            err(r#"{"state":"0x80","codes":[]}"#),
            "state: found a string, expected an array of hex strings or an object of hash → hex \
             string"
        );
        assert_eq!(
            err(r#"{"state":["0x80"],"codes":["0x60",7]}"#),
            "codes[1]: found a number, expected a hex string"
        );
        assert_eq!(
            err(r#"{"state":["0x80","0x8g"],"codes":[]}"#),
            "state[1]: invalid hex character 'g' at position 3, expected 0-9, a-f or A-F"
        );
        assert_eq!(
            err(r#"{"state":[],"codes":[],"keys":["0x123"]}"#),
            "keys[0]: 3 hex digits, expected an even number"
        );
        assert_eq!(
            err(r#"{"state":[],"codes":[],"headers":[true]}"#),
            "headers[0]: found a boolean, expected an RLP hex string"
        );
        assert_eq!(
            err(r#"{"state":[],"codes":[],"headers":{}}"#),
            "headers: found an object, expected an array of RLP hex strings"
        );
        assert_eq!(
            err(r#"{"result":5}"#),
            "result: found a number, expected an object"
        );
    }

    proptest! {
        #[test]
        fn json_round_trip(
            lists in proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..5),
                4,
            ),
        ) {
            let w = Witness {
                state: lists[0].clone(),
                codes: lists[1].clone(),
                headers: lists[2].clone(),
                keys: lists[3].clone(),
            };
            prop_assert_eq!(Witness::from_json(&w.to_json()), Ok(w));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,200}") {
            let _ = Witness::from_json(&s);
            let _ = hex::decode(&s);
        }
    }
}
