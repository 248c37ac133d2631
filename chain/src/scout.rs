//! Scout's YAML test format, read and written here and nowhere else.
//!
//! A file names the execution scripts (EEs, by index) and the libraries they may import, the
//! shard pre-state (one 32-byte state per EE), the shard blocks (`env`: the EE, `data`: the
//! block data), the expected shard post-state and deposit receipts. Paths are relative to the
//! file. Running one is [`crate::shard`]'s job.
//!
//! One extension, ignored by Scout (which reads shard blocks as `{env, data}` and skips other
//! keys): a shard block may say `expect_rejection: true`. Scout fails a test whose EE traps; the
//! files `evm-ee ethtests blockchain --emit-yaml` writes for invalid Eth1 blocks mark the blocks
//! the EE must reject this way, and `evm-ee run` then requires those blocks to trap and the others
//! not to.
//!
//! Reading is strict where Scout was lenient and clear where it panicked: every hex field goes
//! through [`witness::hex`] (surrounding whitespace, which YAML's folded scalars leave, is
//! trimmed first), states are exactly 32 bytes, and a block naming an EE that does not exist is
//! an error naming the block.
//!
//! ```
//! use chain::scout::{ScoutTest, ShardBlock};
//!
//! let test = ScoutTest {
//!     comment: vec!["an example".into()],
//!     execution_scripts: vec!["ee.wasm".into()],
//!     libraries: vec![],
//!     pre_states: vec![[0; 32]],
//!     blocks: vec![ShardBlock { env: 0, data: vec![1, 2], expect_rejection: false, comment: None }],
//!     post_states: vec![[1; 32]],
//!     deposits: vec![],
//! };
//! let yaml = test.to_yaml();
//! assert_eq!(ScoutTest::parse(yaml.as_bytes()).unwrap(), test.without_comments());
//! ```

mod nesting;

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Deserialize;
use witness::HexError;

/// Deepest nesting [`ScoutTest::parse`] accepts, counted before the YAML parser runs (flow
/// collections and block indentation levels, see `scout/nesting.rs`). Scout's own tests and the
/// files [`ScoutTest::to_yaml`] writes nest three levels; the parser's time grows with the square
/// of the nesting (40 s for 100,000 levels in 200 KB), which this bound keeps linear.
pub const MAX_YAML_DEPTH: usize = 64;

/// Bytes of one deposit receipt in Scout's layout (the layout the EVM EE pushes, defined there).
pub use stateless::DEPOSIT_LEN;

/// One Scout YAML test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoutTest {
    /// Comment lines written at the top of the file (not read back).
    pub comment: Vec<String>,
    /// The EEs' Wasm files, relative to the YAML file; a block's `env` indexes this list.
    pub execution_scripts: Vec<PathBuf>,
    /// `(import module name, Wasm file)` of the libraries the EEs may import.
    pub libraries: Vec<(String, PathBuf)>,
    /// `shard_pre_state.exec_env_states`: each EE's state before the first block.
    pub pre_states: Vec<[u8; 32]>,
    /// The shard blocks in order.
    pub blocks: Vec<ShardBlock>,
    /// `shard_post_state.exec_env_states`: each EE's expected state after the last block.
    pub post_states: Vec<[u8; 32]>,
    /// `deposit_receipts`: every deposit the blocks should make, in order.
    pub deposits: Vec<Deposit>,
}

/// One shard block: block data for one EE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardBlock {
    /// The EE (index into `execution_scripts` and the states).
    pub env: usize,
    /// The block data the EE reads with `eth2_blockDataCopy`.
    pub data: Vec<u8>,
    /// The extension `expect_rejection: true` (see the module docs): the EE must trap on it.
    pub expect_rejection: bool,
    /// A comment line written above the block (not read back).
    pub comment: Option<String>,
}

/// A deposit receipt, as Scout's YAML spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// BLS public key.
    pub pubkey: [u8; 48],
    /// Withdrawal credentials.
    pub withdrawal_credentials: [u8; 32],
    /// Amount in Gwei.
    pub amount: u64,
    /// BLS signature.
    pub signature: [u8; 96],
}

impl Deposit {
    /// Scout's 184-byte layout: pubkey, withdrawal credentials, amount as a big-endian u64 (as
    /// Scout decodes it), signature; what an EE passes to `eth2_pushNewDeposit`.
    pub fn to_bytes(&self) -> [u8; DEPOSIT_LEN] {
        let mut out = [0u8; DEPOSIT_LEN];
        out[..48].copy_from_slice(&self.pubkey);
        out[48..80].copy_from_slice(&self.withdrawal_credentials);
        out[80..88].copy_from_slice(&self.amount.to_be_bytes());
        out[88..].copy_from_slice(&self.signature);
        out
    }

    /// The reverse of [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8; DEPOSIT_LEN]) -> Deposit {
        let mut deposit = Deposit {
            pubkey: [0; 48],
            withdrawal_credentials: [0; 32],
            amount: 0,
            signature: [0; 96],
        };
        deposit.pubkey.copy_from_slice(&bytes[..48]);
        deposit
            .withdrawal_credentials
            .copy_from_slice(&bytes[48..80]);
        let mut amount = [0u8; 8];
        amount.copy_from_slice(&bytes[80..88]);
        deposit.amount = u64::from_be_bytes(amount);
        deposit.signature.copy_from_slice(&bytes[88..]);
        deposit
    }
}

/// Why a file is not a Scout YAML test.
#[derive(Debug, thiserror::Error)]
pub enum ScoutFormatError {
    /// Not YAML, or not Scout's shape (a missing or mistyped field).
    #[error("{0}")]
    Syntax(String),
    /// Nested deeper than [`MAX_YAML_DEPTH`]; refused before parsing.
    #[error("YAML nested more than {limit} levels deep at line {line}; Scout tests nest three")]
    TooDeep {
        /// The limit, [`MAX_YAML_DEPTH`].
        limit: usize,
        /// Where the nesting passed it (1-based).
        line: usize,
    },
    /// The file is UTF-16 (it starts with a UTF-16 byte order mark).
    #[error("Scout YAML must be UTF-8; this file starts with a UTF-16 byte order mark")]
    Utf16,
    /// A YAML alias (`*name`); refused before parsing, since the parser copies the anchored value
    /// at every alias (a few MB of text would become gigabytes).
    #[error(
        "YAML alias at line {line}: Scout tests do not use anchors and aliases, and each alias would copy its value"
    )]
    Alias {
        /// Where the alias is (1-based).
        line: usize,
    },
    /// A hex field does not decode, or has the wrong length.
    #[error("{field}: {source}")]
    Hex {
        /// The field, e.g. `shard_blocks[1].data`.
        field: String,
        /// What is wrong with it.
        source: HexError,
    },
    /// A block names an EE that the file does not have.
    #[error(
        "shard_blocks[{index}].env {env} names no EE ({scripts} execution scripts, {states} pre-states)"
    )]
    NoSuchEe {
        /// Position of the block.
        index: usize,
        /// The `env` it names.
        env: u64,
        /// `execution_scripts` in the file.
        scripts: usize,
        /// `shard_pre_state.exec_env_states` in the file.
        states: usize,
    },
}

#[derive(Deserialize)]
struct TestFile {
    beacon_state: TestBeaconState,
    #[serde(default)]
    shard_blocks: Vec<TestShardBlock>,
    shard_pre_state: TestShardState,
    shard_post_state: TestShardState,
    #[serde(default)]
    deposit_receipts: Vec<TestDeposit>,
}

#[derive(Deserialize)]
struct TestBeaconState {
    execution_scripts: Vec<String>,
    #[serde(default)]
    libraries: Option<Vec<TestLibrary>>,
}

#[derive(Deserialize)]
struct TestLibrary {
    name: String,
    file: String,
}

#[derive(Deserialize)]
struct TestShardBlock {
    env: u64,
    data: String,
    #[serde(default)]
    expect_rejection: bool,
}

#[derive(Deserialize)]
struct TestShardState {
    exec_env_states: Vec<String>,
}

#[derive(Deserialize)]
struct TestDeposit {
    pubkey: String,
    withdrawal_credentials: String,
    amount: u64,
    signature: String,
}

fn hex_field(text: &str, field: impl FnOnce() -> String) -> Result<Vec<u8>, ScoutFormatError> {
    witness::hex::decode(text.trim()).map_err(|source| ScoutFormatError::Hex {
        field: field(),
        source,
    })
}

fn hex_fixed<const N: usize>(
    text: &str,
    field: impl FnOnce() -> String,
) -> Result<[u8; N], ScoutFormatError> {
    witness::hex::decode_fixed(text.trim()).map_err(|source| ScoutFormatError::Hex {
        field: field(),
        source,
    })
}

fn states(state: &TestShardState, what: &str) -> Result<Vec<[u8; 32]>, ScoutFormatError> {
    state
        .exec_env_states
        .iter()
        .enumerate()
        .map(|(i, s)| hex_fixed(s, || format!("{what}.exec_env_states[{i}]")))
        .collect()
}

impl ScoutTest {
    /// Reads a Scout YAML test (see the module docs).
    pub fn parse(text: &[u8]) -> Result<ScoutTest, ScoutFormatError> {
        nesting::check(text, MAX_YAML_DEPTH).map_err(|refused| match refused {
            nesting::Refused::TooDeep { line } => ScoutFormatError::TooDeep {
                limit: MAX_YAML_DEPTH,
                line,
            },
            nesting::Refused::Utf16 => ScoutFormatError::Utf16,
            nesting::Refused::Alias { line } => ScoutFormatError::Alias { line },
        })?;
        let file: TestFile =
            serde_norway::from_slice(text).map_err(|e| ScoutFormatError::Syntax(e.to_string()))?;
        let pre_states = states(&file.shard_pre_state, "shard_pre_state")?;
        let post_states = states(&file.shard_post_state, "shard_post_state")?;
        let scripts = file.beacon_state.execution_scripts.len();
        let blocks = file
            .shard_blocks
            .iter()
            .enumerate()
            .map(|(index, block)| {
                let data = hex_field(&block.data, || format!("shard_blocks[{index}].data"))?;
                let env = usize::try_from(block.env)
                    .ok()
                    .filter(|&env| env < scripts && env < pre_states.len())
                    .ok_or(ScoutFormatError::NoSuchEe {
                        index,
                        env: block.env,
                        scripts,
                        states: pre_states.len(),
                    })?;
                Ok(ShardBlock {
                    env,
                    data,
                    expect_rejection: block.expect_rejection,
                    comment: None,
                })
            })
            .collect::<Result<Vec<_>, ScoutFormatError>>()?;
        let deposits = file
            .deposit_receipts
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let field = |name: &str| format!("deposit_receipts[{i}].{name}");
                Ok(Deposit {
                    pubkey: hex_fixed(&d.pubkey, || field("pubkey"))?,
                    withdrawal_credentials: hex_fixed(&d.withdrawal_credentials, || {
                        field("withdrawal_credentials")
                    })?,
                    amount: d.amount,
                    signature: hex_fixed(&d.signature, || field("signature"))?,
                })
            })
            .collect::<Result<Vec<_>, ScoutFormatError>>()?;
        Ok(ScoutTest {
            comment: Vec::new(),
            execution_scripts: file
                .beacon_state
                .execution_scripts
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            libraries: file
                .beacon_state
                .libraries
                .into_iter()
                .flatten()
                .map(|library| (library.name, PathBuf::from(library.file)))
                .collect(),
            pre_states,
            blocks,
            post_states,
            deposits,
        })
    }

    /// The same test without its comments: what [`parse`](Self::parse) gives back from
    /// [`to_yaml`](Self::to_yaml).
    pub fn without_comments(&self) -> ScoutTest {
        let mut test = self.clone();
        test.comment.clear();
        for block in &mut test.blocks {
            block.comment = None;
        }
        test
    }

    /// Writes the test in Scout's YAML, comments included, hex without a `0x` prefix as Scout's
    /// own files have it.
    pub fn to_yaml(&self) -> String {
        let mut yaml = String::new();
        for line in &self.comment {
            let _ = writeln!(yaml, "# {}", one_line(line));
        }
        yaml.push_str("beacon_state:\n  execution_scripts:\n");
        for script in &self.execution_scripts {
            let _ = writeln!(yaml, "    - {}", quoted(&script.to_string_lossy()));
        }
        if !self.libraries.is_empty() {
            yaml.push_str("  libraries:\n");
            for (name, file) in &self.libraries {
                let _ = writeln!(
                    yaml,
                    "    - name: {}\n      file: {}",
                    quoted(name),
                    quoted(&file.to_string_lossy())
                );
            }
        }
        write_states(&mut yaml, "shard_pre_state", &self.pre_states);
        if self.blocks.is_empty() {
            yaml.push_str("shard_blocks: []\n");
        } else {
            yaml.push_str("shard_blocks:\n");
            for block in &self.blocks {
                if let Some(comment) = &block.comment {
                    let _ = writeln!(yaml, "  # {}", one_line(comment));
                }
                let _ = writeln!(
                    yaml,
                    "  - env: {}\n    data: \"{}\"",
                    block.env,
                    hex::encode(&block.data)
                );
                if block.expect_rejection {
                    yaml.push_str("    expect_rejection: true\n");
                }
            }
        }
        write_states(&mut yaml, "shard_post_state", &self.post_states);
        if self.deposits.is_empty() {
            yaml.push_str("deposit_receipts: []\n");
        } else {
            yaml.push_str("deposit_receipts:\n");
            for deposit in &self.deposits {
                let _ = writeln!(
                    yaml,
                    "  - pubkey: \"{}\"\n    withdrawal_credentials: \"{}\"\n    amount: {}\n    \
                     signature: \"{}\"",
                    hex::encode(deposit.pubkey),
                    hex::encode(deposit.withdrawal_credentials),
                    deposit.amount,
                    hex::encode(deposit.signature)
                );
            }
        }
        yaml
    }
}

fn write_states(yaml: &mut String, name: &str, states: &[[u8; 32]]) {
    let _ = writeln!(yaml, "{name}:\n  exec_env_states:");
    for state in states {
        let _ = writeln!(yaml, "    - \"{}\"", hex::encode(state));
    }
}

/// A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// One line of text, safe inside a YAML comment: control characters and the line breaks of
/// YAML 1.1 (U+0085, U+2028, U+2029) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> ScoutTest {
        ScoutTest {
            comment: vec!["line one\nstill line one".into(), "two".into()],
            execution_scripts: vec!["ees/ee.wasm".into(), "a \"b\".wasm".into()],
            libraries: vec![("bignum".into(), "lib/bignum.wasm".into())],
            pre_states: vec![[0; 32], [7; 32]],
            blocks: vec![
                ShardBlock {
                    env: 1,
                    data: vec![0xde, 0xad],
                    expect_rejection: true,
                    comment: Some("block 1: accepted\u{2028}# not a key".into()),
                },
                ShardBlock {
                    env: 0,
                    data: vec![],
                    expect_rejection: false,
                    comment: None,
                },
            ],
            post_states: vec![[1; 32], [2; 32]],
            deposits: vec![Deposit {
                pubkey: [0xaa; 48],
                withdrawal_credentials: [0xbb; 32],
                amount: 32_000_000_000,
                signature: [0xcc; 96],
            }],
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let test = example();
        let yaml = test.to_yaml();
        assert_eq!(
            ScoutTest::parse(yaml.as_bytes()).unwrap(),
            test.without_comments()
        );
        let empty = ScoutTest {
            blocks: vec![],
            deposits: vec![],
            libraries: vec![],
            ..example()
        };
        assert_eq!(
            ScoutTest::parse(empty.to_yaml().as_bytes()).unwrap(),
            empty.without_comments()
        );
    }

    #[test]
    fn deposits_in_scouts_layout() {
        let deposit = example().deposits[0];
        let bytes = deposit.to_bytes();
        assert_eq!(bytes[80..88], 32_000_000_000u64.to_be_bytes());
        assert_eq!(Deposit::from_bytes(&bytes), deposit);
    }

    #[test]
    fn clear_errors() {
        let good = example().to_yaml();
        let error = |text: &str| ScoutTest::parse(text.as_bytes()).unwrap_err().to_string();
        assert!(
            error("beacon_state: [").contains("line"),
            "{}",
            error("beacon_state: [")
        );
        assert!(error("shard_blocks: []\n").contains("missing field"));
        assert!(
            error(&good.replace("data: \"dead\"", "data: \"0x0g\""))
                .starts_with("shard_blocks[0].data: invalid hex character 'g'")
        );
        assert!(
            error(&good.replace(&format!("- \"{}\"", "07".repeat(32)), "- \"07\""))
                .contains("shard_pre_state.exec_env_states[1]: 1 bytes of hex, expected 32")
        );
        assert!(error(&good.replace("env: 1", "env: 5")).contains("env 5 names no EE"));
        assert!(error(&good.replace("amount: 32000000000", "amount: -1")).contains("amount"));
        // Whitespace around hex (a folded scalar) is fine.
        let spaced = good.replace("data: \"dead\"", "data: \" 0xdead \"");
        assert!(ScoutTest::parse(spaced.as_bytes()).is_ok());
    }

    /// One anchored 2 MB string used 500 times through aliases took 1.5 GB and 9 s to parse;
    /// aliases are refused before the parser runs.
    #[test]
    fn aliases_are_refused_before_parsing() {
        let mut bomb = format!(
            "beacon_state:\n  x: &d \"{}\"\n  y: [",
            "00".repeat(1 << 20)
        );
        bomb.push_str(&vec!["*d"; 500].join(", "));
        bomb.push_str("]\n");
        let error = ScoutTest::parse(bomb.as_bytes()).unwrap_err();
        assert!(
            matches!(error, ScoutFormatError::Alias { line: 3 }),
            "{error}"
        );
        assert!(error.to_string().contains("alias at line 3"), "{error}");
    }

    /// 100,000 levels in 200 KB kept the parser busy for 40 s; they are refused before it runs.
    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!(
            "beacon_state: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(matches!(
            ScoutTest::parse(deep.as_bytes()),
            Err(ScoutFormatError::TooDeep {
                limit: MAX_YAML_DEPTH,
                line: 1
            })
        ));
        let message = ScoutTest::parse(deep.as_bytes()).unwrap_err().to_string();
        assert!(message.contains("more than 64 levels"), "{message}");
        let block = format!("beacon_state:\n  {}x\n", "- ".repeat(100_000));
        assert!(matches!(
            ScoutTest::parse(block.as_bytes()),
            Err(ScoutFormatError::TooDeep { line: 2, .. })
        ));
        // At the limit the parser gets the text (and finds it is not a Scout test).
        let depth = MAX_YAML_DEPTH - 1;
        let at_limit = format!("beacon_state: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        assert!(matches!(
            ScoutTest::parse(at_limit.as_bytes()),
            Err(ScoutFormatError::Syntax(_))
        ));
    }
}
