//! DifficultyTests: each case gives a parent (timestamp, difficulty, whether it has ommers) and a
//! block (timestamp, number) and expects the block's difficulty.
//!
//! A file holds `{test: {fork: {case: fields}}}`. The fork is a test network name: a fork from
//! genesis with the clients' test configuration of its bomb delay, so `Berlin` carries Muir
//! Glacier's 9,000,000 (EIP-2384), `ArrowGlacier` 10,700,000 (EIP-4345) and `GrayGlacier`
//! 11,400,000 (EIP-5133). The expected value comes from evm-core's
//! [`expected_difficulty`] with [`ChainSpec::bomb_delay_at`], the same functions block
//! validation uses, natively and inside the EE.

use std::path::PathBuf;

use evm_core::block::difficulty::{EMPTY_OMMERS_HASH, expected_difficulty};
use evm_core::block::{ChainSpec, Header};
use primitive_types::{H256, U256};
use serde_json::Value;

use crate::json::{str_at, u64 as json_u64, u256 as json_u256};
use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// Runs every difficulty case under `paths` (files or folders, recursively).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    Ok(Report::from_results(
        "difficulty",
        run_files(paths, options, run_file)?,
    ))
}

/// Runs all cases of one fixture file.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![CaseResult::file_failed(file, &error)],
    };
    let mut results = Vec::new();
    for (name, test) in &tests {
        let Some(forks) = test.as_object() else {
            results.push(CaseResult {
                file: file.display.clone(),
                test: name.clone(),
                fork: "-".into(),
                index: String::new(),
                outcome: Outcome::Failed("malformed test: not an object of forks".into()),
            });
            continue;
        };
        for (fork, cases) in forks.iter().filter(|(key, _)| *key != "_info") {
            let chain = ChainSpec::from_test_network(fork);
            if let Some(chain) = &chain
                && !options.wants_fork(chain.forks.last().map(|(spec, _)| *spec))
            {
                continue;
            }
            let Some(cases) = cases.as_object() else {
                results.push(CaseResult {
                    file: file.display.clone(),
                    test: name.clone(),
                    fork: fork.clone(),
                    index: String::new(),
                    outcome: Outcome::Failed("malformed test: not an object of cases".into()),
                });
                continue;
            };
            for (case, fields) in cases {
                if !options.matches(&file.display, case) && !options.matches(&file.display, name) {
                    continue;
                }
                let outcome = match &chain {
                    None => Outcome::Skipped(format!("fork {fork} is not supported")),
                    Some(chain) => match check_case(chain, fields) {
                        Ok(outcome) => outcome,
                        Err(reason) => Outcome::Failed(format!("malformed case: {reason}")),
                    },
                };
                results.push(CaseResult {
                    file: file.display.clone(),
                    test: name.clone(),
                    fork: fork.clone(),
                    index: case.clone(),
                    outcome,
                });
            }
        }
    }
    results
}

/// One case: the difficulty evm-core computes against `currentDifficulty`.
fn check_case(chain: &ChainSpec, fields: &Value) -> Result<Outcome, String> {
    let number = |key: &str| -> Result<u64, String> {
        json_u64(key, str_at(fields, key).map_err(|e| e.to_string())?).map_err(|e| e.to_string())
    };
    let big = |key: &str| -> Result<U256, String> {
        json_u256(key, str_at(fields, key).map_err(|e| e.to_string())?).map_err(|e| e.to_string())
    };
    let block_number = number("currentBlockNumber")?;
    let timestamp = number("currentTimestamp")?;
    let expected = big("currentDifficulty")?;
    // Only whether the parent has ommers matters (EIP-100), not which.
    let parent_has_ommers = !big("parentUncles")?.is_zero();
    let parent = Header {
        number: block_number.saturating_sub(1),
        timestamp: number("parentTimestamp")?,
        difficulty: big("parentDifficulty")?,
        ommers_hash: if parent_has_ommers {
            H256::repeat_byte(0x01)
        } else {
            EMPTY_OMMERS_HASH
        },
        ..Header::default()
    };
    // The parent's total difficulty only selects the merge, which these forks never reach.
    let spec = chain.spec_at(block_number, timestamp, U256::zero());
    let got = expected_difficulty(
        spec,
        chain.bomb_delay_at(block_number),
        &parent,
        timestamp,
        block_number,
    );
    Ok(if got == expected {
        Outcome::Passed
    } else {
        Outcome::Failed(format!(
            "difficulty {got:#x} != expected {expected:#x} (block {block_number}, {spec})"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(number: &str, timestamp: &str, parent_timestamp: &str, uncles: &str) -> Value {
        serde_json::json!({
            "currentBlockNumber": number,
            "currentTimestamp": timestamp,
            "currentDifficulty": "0x0",
            "parentDifficulty": "0x223a2d17232652",
            "parentTimestamp": parent_timestamp,
            "parentUncles": uncles,
        })
    }

    fn difficulty(network: &str, fields: &Value) -> String {
        let chain = ChainSpec::from_test_network(network).unwrap();
        match check_case(&chain, fields).unwrap() {
            Outcome::Failed(reason) => reason,
            other => panic!("{other}"),
        }
    }

    /// The first case of `difficultyGrayGlacier.json` (block 11,400,000, one second after the
    /// parent): Gray Glacier's delay leaves no bomb, Arrow Glacier's adds 2^5.
    #[test]
    fn gray_glacier_pushes_the_bomb_back_further_than_arrow_glacier() {
        let fields = case("0xadf340", "0x01", "0x00", "0x00");
        assert!(difficulty("GrayGlacier", &fields).starts_with("difficulty 0x223e745cc60ab6 "));
        let arrow = difficulty("ArrowGlacier", &fields);
        assert!(
            arrow.starts_with(&format!(
                "difficulty {:#x} ",
                U256::from(0x223e745cc60ab6u64) + U256::from(1u64 << 5)
            )),
            "{arrow}"
        );
    }

    #[test]
    fn a_missing_field_is_a_malformed_case() {
        let chain = ChainSpec::from_test_network("Byzantium").unwrap();
        let error = check_case(&chain, &serde_json::json!({})).unwrap_err();
        assert!(error.contains("currentBlockNumber"), "{error}");
    }
}
