//! `evm-ee ethtests blockchain --emit-witness DIR`: every block a test hands to an engine, as a
//! stateless validator takes it from a node: the block's RLP (hex, as `debug_getRawBlock`
//! returns it) and its witness (the JSON of `debug_executionWitness`, reth's shape), so reth's
//! stateless crate, zeth, geth's keeper or `evm-ee validate` can be fed the same blocks.
//!
//! Per test, `DIR/<fixture>__<test>-<hash>/` holds `NNN-block-<number>.rlp`,
//! `NNN-block-<number>.witness.json` (NNN: the block's position in the test) and a
//! `manifest.json` listing each block with its chain (the fixture's network name, which
//! `--chain` takes), its parent's total difficulty and the runner's verdict:
//!
//! ```json
//! {"test": "...", "blocks": [{"block": "000-block-1.rlp", "witness": "000-block-1.witness.json",
//!   "number": 1, "hash": "0x..", "chain": "Cancun", "parentTotalDifficulty": "0x0",
//!   "accepted": true, "reason": null}]}
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use chain::{EeInput, ImportContext};
use stateless::BlockDataBlob;

use crate::blockchain::recorded::{EeBlock, run_test_recording};
use crate::blockchain::run_tests;
use crate::scout_emit::file_name;
use crate::{FixtureFile, Outcome, Report, RunError, RunOptions};

/// The manifest's file name inside each test's folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Runs every blockchain test under `paths` with `engine` and writes each test's blocks and
/// witnesses under `dir`. Returns the report and how many blocks were written. A folder or file
/// that cannot be written fails its test.
pub fn run<F>(
    paths: &[PathBuf],
    options: &RunOptions,
    dir: &Path,
    engine: &F,
) -> Result<(Report, usize), RunError>
where
    F: Fn(ImportContext<'_>, Result<&EeInput, &str>) -> Result<chain::PostState, String> + Sync,
{
    std::fs::create_dir_all(dir).map_err(|source| RunError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let written = AtomicUsize::new(0);
    let report = run_tests(
        paths,
        options,
        &|file: &FixtureFile, name: &str, test: &Value| {
            let (run, blocks) = run_test_recording(test, engine);
            if matches!(run.outcome, Outcome::Skipped(_)) || blocks.is_empty() {
                return run;
            }
            let folder = dir.join(file_name(file, name));
            let network = crate::json::opt_str_at(test, "network").unwrap_or_default();
            let result = write_test(&folder, &file.display, name, network, &blocks).map(|count| {
                written.fetch_add(count, Ordering::Relaxed);
            });
            run.after_write("witnesses", &folder, result)
        },
    )?;
    Ok((report, written.into_inner()))
}

/// One test's folder: a block file and a witness file per block, and the manifest.
fn write_test(
    folder: &Path,
    fixture: &str,
    test: &str,
    network: &str,
    blocks: &[EeBlock],
) -> std::io::Result<usize> {
    std::fs::create_dir_all(folder)?;
    let mut entries = Vec::with_capacity(blocks.len());
    for (position, block) in blocks.iter().enumerate() {
        let stem = format!("{position:03}-block-{}", block.number);
        let verdict = block.verdict.as_ref().map(|_| ()).map_err(String::as_str);
        if let Some(entry) = write_block(folder, &stem, block.hash, network, &block.input, verdict)?
        {
            entries.push(entry);
        }
    }
    write_manifest(folder, fixture, test, entries.clone())?;
    Ok(entries.len())
}

/// Writes `<stem>.rlp` (the block's RLP as `0x` hex) and `<stem>.witness.json` from the blob of
/// `input`, and returns the block's manifest entry; `None` if the blob does not decode (the
/// runner built it, so it always does).
pub fn write_block(
    folder: &Path,
    stem: &str,
    hash: primitive_types::H256,
    chain: &str,
    input: &EeInput,
    verdict: Result<(), &str>,
) -> std::io::Result<Option<Value>> {
    let Ok(blob) = BlockDataBlob::decode(&input.blob) else {
        return Ok(None);
    };
    let number = evm_core::block::Block::decode(&blob.block)
        .map(|block| block.header.number)
        .unwrap_or_default();
    let block_file = format!("{stem}.rlp");
    let witness_file = format!("{stem}.witness.json");
    std::fs::write(folder.join(&block_file), witness::hex::encode(&blob.block))?;
    std::fs::write(folder.join(&witness_file), blob.witness.to_json())?;
    Ok(Some(json!({
        "block": block_file,
        "witness": witness_file,
        "number": number,
        "hash": format!("{hash:?}"),
        "chain": chain,
        "parentTotalDifficulty": format!(
            "{:#x}",
            primitive_types::U256::from_big_endian(&blob.parent_total_difficulty)
        ),
        "accepted": verdict.is_ok(),
        "reason": verdict.err(),
    })))
}

/// Writes `folder/manifest.json` listing `entries` (from [`write_block`]).
pub fn write_manifest(
    folder: &Path,
    fixture: &str,
    test: &str,
    entries: Vec<Value>,
) -> std::io::Result<()> {
    let manifest = json!({"fixture": fixture, "test": test, "blocks": entries});
    std::fs::write(folder.join(MANIFEST_FILE), manifest.to_string())
}
