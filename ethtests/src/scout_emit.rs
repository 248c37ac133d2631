//! `evm-ee ethtests blockchain --emit-yaml DIR`: every BlockchainTests case becomes a Scout YAML
//! test that any Scout-compatible host can replay: `DIR/ee.wasm` (the EE) as the one execution
//! script, the EE state of the genesis block as the shard pre-state, every block the runner
//! handed to an engine as a shard block (its block-data blob), and as the expected shard
//! post-state and deposit receipts what Scout's rules give.
//!
//! Scout's rules differ from a client's on one point: a shard keeps one state per EE, so a block
//! whose parent is not the current head (a side chain) is rejected, even where the fixture
//! accepts it, and a reorg onto a side chain cannot happen. The expected post-state is therefore
//! computed by replaying the blobs through the EE's own validation (natively, the same code the
//! Wasm module runs) under Scout's rules; each block carries a comment with its verdict, and the
//! file's header says whether the replay ends on the fixture's `lastblockhash`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use chain::scout::{Deposit, ScoutTest, ShardBlock};
use chain::{EeInput, ImportContext};

use crate::blockchain::recorded::{EeBlock, run_test_recording};
use crate::blockchain::run_tests;
use crate::{FixtureFile, Outcome, Report, RunError, RunOptions};

/// The EE module's file name inside the output folder.
pub const EE_FILE: &str = "ee.wasm";

/// Longest file name (without `.yaml`) written; longer test names are cut and get a hash.
const MAX_NAME: usize = 150;

/// Runs every blockchain test under `paths` with `engine` (which gets each block's EE input) and
/// writes the EE module `ee_wasm` to `dir/ee.wasm` and one YAML file per test that was not skipped. Returns the report and
/// how many YAML files were written. A file that cannot be written fails its test.
pub fn run<F>(
    paths: &[PathBuf],
    options: &RunOptions,
    dir: &Path,
    ee_wasm: &[u8],
    engine: &F,
) -> Result<(Report, usize), RunError>
where
    F: Fn(ImportContext<'_>, Result<&EeInput, &str>) -> Result<chain::PostState, String> + Sync,
{
    std::fs::create_dir_all(dir).map_err(|source| RunError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let ee_path = dir.join(EE_FILE);
    std::fs::write(&ee_path, ee_wasm).map_err(|source| RunError::Io {
        path: ee_path.clone(),
        source,
    })?;
    let written = AtomicUsize::new(0);
    let report = run_tests(
        paths,
        options,
        &|file: &FixtureFile, name: &str, test: &Value| {
            let (run, blocks) = run_test_recording(test, engine);
            if matches!(run.outcome, Outcome::Skipped(_)) {
                return run;
            }
            let path = dir.join(format!("{}.yaml", file_name(file, name)));
            let yaml = scout_yaml(&file.display, name, test, &blocks);
            let result = std::fs::write(&path, yaml).map(|()| {
                written.fetch_add(1, Ordering::Relaxed);
            });
            run.after_write("Scout YAML", &path, result)
        },
    )?;
    Ok((report, written.into_inner()))
}

/// The fixture's relative name and the test name as one portable file name: letters, digits,
/// `.`, `-` and `_` kept, anything else `_`, cut at [`MAX_NAME`], and always ending in a hash of
/// the fixture's path on disk and the test name, so that tests from different folders or whose
/// names only differ in the replaced characters never share a file.
pub(crate) fn file_name(file: &FixtureFile, name: &str) -> String {
    let display = &file.display;
    let readable = format!(
        "{}__{name}",
        display.strip_suffix(".json").unwrap_or(display)
    );
    let mut clean: String = readable
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean.truncate(MAX_NAME - 17);
    let identity = format!("{}\0{name}", file.path.display());
    let hash = witness::keccak256(identity.as_bytes());
    clean.push('-');
    clean.push_str(&hex::encode(&hash.as_bytes()[..8]));
    clean
}

/// `genesisBlockHeader.hash`.
fn genesis_hash(test: &Value) -> Option<primitive_types::H256> {
    test.get("genesisBlockHeader")
        .and_then(|header| crate::json::opt_str_at(header, "hash"))
        .and_then(|text| crate::json::h256("hash", text).ok())
}

/// The Scout test of one blockchain test as YAML ([`scout_test`]).
fn scout_yaml(file: &str, name: &str, test: &Value, blocks: &[EeBlock]) -> String {
    scout_test(file, name, test, blocks).test.to_yaml()
}

/// A blockchain test as a Scout test, and where its head is.
#[derive(Clone, Debug)]
pub struct EmittedTest {
    /// The Scout test; its one execution script is [`EE_FILE`].
    pub test: ScoutTest,
    /// The EE state of the fixture's `lastblockhash`, when that block reached an engine (the
    /// genesis state when it is the genesis block).
    pub head_state: Option<[u8; 32]>,
}

/// The Scout test of one blockchain test (`file` and `name` label it); the expected post-state
/// and deposits come from replaying the blobs of `blocks` through
/// `stateless::validate_block_data` under Scout's rules, and a block that replay rejects is
/// marked `expect_rejection`.
pub fn scout_test(file: &str, name: &str, test: &Value, blocks: &[EeBlock]) -> EmittedTest {
    let network = crate::json::opt_str_at(test, "network").unwrap_or("-");
    let genesis_state = blocks.first().map(|b| b.input.pre_state);
    let mut state = genesis_state.unwrap_or_default();
    let mut shard_blocks = Vec::new();
    let mut deposits = Vec::new();
    for block in blocks {
        let (verdict, expect_rejection) =
            match stateless::validate_block_data(state, &block.input.blob) {
                Ok(validated) => {
                    state = validated.post_state;
                    deposits.extend(validated.deposits.iter().map(Deposit::from_bytes));
                    ("accepted".to_string(), false)
                }
                Err(error) => (format!("rejected: {error}"), true),
            };
        shard_blocks.push(ShardBlock {
            env: 0,
            data: block.input.blob.clone(),
            expect_rejection,
            comment: Some(format!(
                "block {} ({:?}): {verdict}",
                block.number, block.hash
            )),
        });
    }
    let last = crate::json::opt_str_at(test, "lastblockhash")
        .and_then(|text| crate::json::h256("lastblockhash", text).ok());
    let head = last.and_then(|hash| blocks.iter().find(|b| b.hash == hash));
    let head_state = match head {
        Some(head) => Some(head.input.post_state),
        None if last.is_some() && last == genesis_hash(test) => genesis_state,
        None => None,
    };
    let ending = match head {
        Some(head) if head.input.post_state == state => {
            "The replay ends on the fixture's lastblockhash.".to_string()
        }
        Some(head) => format!(
            "The fixture's head (block {}, lastblockhash) is reached through a side chain that \
             Scout's one state per EE cannot follow; the replay ends elsewhere.",
            head.number
        ),
        None if blocks.is_empty() => "No block reached an engine.".to_string(),
        None if state == genesis_state.unwrap_or_default() && last == genesis_hash(test) => {
            "The replay ends on the genesis block, the fixture's lastblockhash.".to_string()
        }
        None => "The replay ends elsewhere than the fixture's lastblockhash.".to_string(),
    };
    let scout = ScoutTest {
        comment: vec![
            "Emitted by `evm-ee ethtests blockchain --emit-yaml` from".to_string(),
            format!("  {file}"),
            format!("  test {name} ({network})"),
            "Each shard block is one Eth1 block as a block-data blob (docs/blob-format.md); the EE \
             state is"
                .to_string(),
            "keccak(head hash ++ chain config hash ++ head total difficulty). Scout keeps one state \
             per EE,"
                .to_string(),
            format!("so a block whose parent is not the current head is rejected here. {ending}"),
            "The expected post-state assumes every block runs to the end: a heavy one may need"
                .to_string(),
            "more than the host's default budget (`evm-ee run --max-ticks N --max-memory MIB`)."
                .to_string(),
            "A block marked `expect_rejection: true` (an extension Scout ignores) must make the EE \
             trap;"
                .to_string(),
            "Scout itself fails a test on any trap. Run it with `evm-ee run FILE.yaml`.".to_string(),
        ],
        execution_scripts: vec![PathBuf::from(EE_FILE)],
        libraries: Vec::new(),
        pre_states: vec![genesis_state.unwrap_or_default()],
        blocks: shard_blocks,
        post_states: vec![state],
        deposits,
    };
    EmittedTest {
        test: scout,
        head_state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str, display: &str) -> FixtureFile {
        FixtureFile {
            path: PathBuf::from(path),
            display: display.to_string(),
        }
    }

    #[test]
    fn file_names_are_portable_and_distinct() {
        let example = fixture(
            "x/bcExample/basefeeExample.json",
            "bcExample/basefeeExample.json",
        );
        let name = file_name(&example, "basefeeExample");
        assert!(
            name.starts_with("bcExample_basefeeExample__basefeeExample-"),
            "{name}"
        );
        let a = fixture("a.json", "a.json");
        let long_a = file_name(&a, &format!("{}[x]", "t".repeat(300)));
        let long_b = file_name(&a, &format!("{}[y]", "t".repeat(300)));
        assert_eq!(long_a.len(), MAX_NAME);
        assert_ne!(long_a, long_b);
        // Same relative name under two roots, and names equal after sanitizing.
        let other_root = fixture("b/a.json", "a.json");
        assert_ne!(file_name(&a, "t"), file_name(&other_root, "t"));
        assert_ne!(file_name(&a, "t:1"), file_name(&a, "t_1"));
        assert!(
            long_a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        );
    }
}
