//! PoWTests: Ethash vectors. Each gives a sealed header (RLP), its seal hash, nonce and mix
//! hash, the epoch's seed, cache and dataset sizes, the Keccak-256 of the whole cache, and the
//! hashimoto result. The header is decoded by evm-core, its seal hash computed by
//! `Header::seal_hash`, everything else by the `ethash` crate the replay and the fixture runner
//! verify seals with.

use std::path::PathBuf;

use ethash::{EpochCache, cache_size, dataset_size, epoch_of, seed_hash};
use evm_core::block::Header;
use serde_json::Value;
use sha3::{Digest, Keccak256};

use crate::json::{bytes, str_at};
use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// Runs every Ethash vector under `paths` (files or folders, recursively).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    Ok(Report::from_results(
        "pow",
        run_files(paths, options, run_file)?,
    ))
}

/// Runs all vectors of one fixture file.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![CaseResult::file_failed(file, &error)],
    };
    tests
        .iter()
        .filter(|(name, _)| options.matches(&file.display, name))
        .map(|(name, vector)| CaseResult {
            file: file.display.clone(),
            test: name.clone(),
            fork: "-".into(),
            index: String::new(),
            outcome: match check_vector(vector) {
                Ok(problems) if problems.is_empty() => Outcome::Passed,
                Ok(problems) => Outcome::Failed(problems.join("; ")),
                Err(reason) => Outcome::Failed(format!("malformed vector: {reason}")),
            },
        })
        .collect()
}

/// Every field of one vector; the mismatches, if any.
fn check_vector(vector: &Value) -> Result<Vec<String>, String> {
    let field = |name: &str| -> Result<Vec<u8>, String> {
        let text = str_at(vector, name).map_err(|e| e.to_string())?;
        let text = if text.starts_with("0x") {
            text.to_string()
        } else {
            format!("0x{text}")
        };
        bytes(name, &text).map_err(|e| e.to_string())
    };
    let number = |name: &str| -> Result<u64, String> {
        vector
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("missing number field `{name}`"))
    };
    let header = Header::decode(&field("header")?).map_err(|e| format!("`header`: {e}"))?;
    let mut problems = Vec::new();
    let mut expect = |what: &str, got: &[u8], expected: &[u8]| {
        if got != expected {
            problems.push(format!(
                "{what}: got 0x{}, expected 0x{}",
                hex::encode(got),
                hex::encode(expected)
            ));
        }
    };
    expect("header_hash", &header.seal_hash().0, &field("header_hash")?);
    expect("nonce", &header.nonce, &field("nonce")?);
    expect("mixHash", &header.mix_hash.0, &field("mixHash")?);
    let epoch = epoch_of(header.number);
    expect("seed", &seed_hash(epoch), &field("seed")?);
    let cache = EpochCache::new(epoch);
    let out = cache.hashimoto_light(&header.seal_hash().0, u64::from_be_bytes(header.nonce));
    expect("mix digest", &out.mix_hash, &field("mixHash")?);
    expect("result", &out.result, &field("result")?);
    if let Ok(cache_hash) = field("cache_hash") {
        expect(
            "cache_hash",
            &Keccak256::digest(cache.to_bytes()),
            &cache_hash,
        );
    }
    if cache_size(epoch) as u64 != number("cache_size")? {
        problems.push(format!(
            "cache_size: got {}, expected {}",
            cache_size(epoch),
            number("cache_size")?
        ));
    }
    if dataset_size(epoch) != number("full_size")? {
        problems.push(format!(
            "full_size: got {}, expected {}",
            dataset_size(epoch),
            number("full_size")?
        ));
    }
    Ok(problems)
}
