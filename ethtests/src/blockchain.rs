//! BlockchainTests: every test imports its blocks in order into a block tree that starts at the
//! genesis block over `pre`; blocks may build side chains and trigger reorgs. Every block the
//! fixture lists as valid must be accepted, every block with `expectException` (or, in the legacy
//! fixtures, without `blockHeader`) must be rejected, the head must end on `lastblockhash` and its
//! state must equal `postState` (or `postStateHash`).
//!
//! The tree ([`chain::Chain`], in the `chain` crate) keeps the post-state of every accepted block
//! and validates each new block against its own parent; the engine that validates and executes
//! one block is a closure: [`execute_native`] (evm-core's block processing), or the EE Wasm module
//! in a host engine ([`run_test_in_ee`]). [`run_tests`] takes a per-test runner, so that `--emit-yaml`
//! (`crate::scout_emit`) and `bench blocks` can keep each block's EE input on the way
//! (`recorded`).

pub mod fixture;
mod in_ee;
pub mod recorded;

pub use chain::execute_native;
pub use in_ee::run_test_in_ee;

use std::path::{Path, PathBuf};

use evm_core::block::ChainSpec;
use evm_core::{InMemoryState, SpecId, State};
use rayon::prelude::*;
use serde_json::Value;

use crate::report::TestLog;
use crate::state::parse_pre;
use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};
use chain::store::StoreSource;
use chain::{Chain, ImportContext, PostState, Rejection};
use fixture::{FixtureBlock, short};

/// What validates and executes one block: the parent's state and the block in, the post-state or
/// the rejection reason out ([`execute_native`], or a Wasm execution environment).
pub trait Engine: Fn(ImportContext<'_>) -> Result<PostState, String> + Sync {}

impl<F> Engine for F where F: Fn(ImportContext<'_>) -> Result<PostState, String> + Sync {}

/// Runs every blockchain test under `paths` (files or folders, recursively) with the native
/// engine.
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    let stateless = options.stateless;
    run_with(paths, options, &|context: ImportContext<'_>| {
        execute_native(context, stateless)
    })
}

/// Runs every blockchain test under `paths` with `engine`.
pub fn run_with<E: Engine>(
    paths: &[PathBuf],
    options: &RunOptions,
    engine: &E,
) -> Result<Report, RunError> {
    run_tests(paths, options, &|_: &FixtureFile, _: &str, test: &Value| {
        run_test_with(test, engine)
    })
}

/// Runs every blockchain test under `paths` through `run_one(file, test name, test)`, files and
/// tests in parallel; the building block of [`run_with`], `--emit-yaml` and `bench blocks`, which
/// wrap the engine per test. With `options.verbose` the report keeps every test's block log.
pub fn run_tests<T>(
    paths: &[PathBuf],
    options: &RunOptions,
    run_one: &T,
) -> Result<Report, RunError>
where
    T: Fn(&FixtureFile, &str, &Value) -> TestRun + Sync,
{
    let results = run_files(paths, options, |file, options| {
        run_file_tests(file, options, run_one)
    })?;
    let mut logs: Vec<TestLog> = Vec::new();
    let mut cases = Vec::with_capacity(results.len());
    for (case, blocks) in results {
        if options.verbose {
            logs.push(TestLog {
                file: case.file.clone(),
                test: case.test.clone(),
                fork: case.fork.clone(),
                outcome: case.outcome.to_string(),
                blocks,
            });
        }
        cases.push(case);
    }
    logs.sort_by(|a, b| (&a.file, &a.test).cmp(&(&b.file, &b.test)));
    let mut report = Report::from_results("blockchain", cases);
    report.block_logs = logs;
    Ok(report)
}

/// Runs all tests of one fixture file with the native engine.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let stateless = options.stateless;
    run_file_with(file, options, &|context: ImportContext<'_>| {
        execute_native(context, stateless)
    })
}

/// Runs all tests of one fixture file with `engine`.
pub fn run_file_with<E: Engine>(
    file: &FixtureFile,
    options: &RunOptions,
    engine: &E,
) -> Vec<CaseResult> {
    run_file_tests(file, options, &|_: &FixtureFile, _: &str, test: &Value| {
        run_test_with(test, engine)
    })
    .into_iter()
    .map(|(case, _)| case)
    .collect()
}

/// Runs the tests of one file that `options` select through `run_one`; each result comes with
/// the test's block log.
fn run_file_tests<T>(
    file: &FixtureFile,
    options: &RunOptions,
    run_one: &T,
) -> Vec<(CaseResult, Vec<String>)>
where
    T: Fn(&FixtureFile, &str, &Value) -> TestRun + Sync,
{
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![(CaseResult::file_failed(file, &error), Vec::new())],
    };
    let selected: Vec<(&String, &Value, String)> = tests
        .iter()
        .filter(|(name, _)| options.matches(&file.display, name))
        .map(|(name, test)| {
            let network = json_network(test);
            (name, test, network)
        })
        .filter(|(_, _, network)| fork_selected(network, options))
        .collect();
    selected
        .par_iter()
        .map(|(name, test, network)| {
            let run = match crate::kind::check(test, crate::kind::FixtureKind::Blockchain) {
                Some(reason) => TestRun::finished(Outcome::Failed(reason), Vec::new()),
                None => run_one(file, name, test),
            };
            (
                CaseResult {
                    file: file.display.clone(),
                    test: (*name).clone(),
                    fork: network.clone(),
                    index: String::new(),
                    outcome: run.outcome,
                },
                run.log,
            )
        })
        .collect()
}

fn json_network(test: &Value) -> String {
    crate::json::opt_str_at(test, "network")
        .unwrap_or("-")
        .to_string()
}

/// Whether a test of `network` runs under `--fork`: a plain fork name must match; a transition
/// network (`BerlinToLondonAt5`) runs when either side matches.
fn fork_selected(network: &str, options: &RunOptions) -> bool {
    if options.forks.is_empty() {
        return true;
    }
    if let Some(spec) = SpecId::from_name(network) {
        return options.wants_fork(Some(spec));
    }
    let Some((from, to)) = network.split_once("To") else {
        return false;
    };
    let to = to.split_once("At").map_or(to, |(to, _)| to);
    [from, to]
        .iter()
        .any(|name| SpecId::from_name(name).is_some_and(|spec| options.wants_fork(Some(spec))))
}

/// One test's outcome and what happened to each block (the rejection reasons of the blocks the
/// fixture expects to be invalid included, for a verbose mode).
#[derive(Clone, Debug)]
pub struct TestRun {
    /// Passed, failed with the first problem found, or skipped.
    pub outcome: Outcome,
    /// One line per block: accepted (and whether it became the head) or rejected and why.
    pub log: Vec<String>,
}

impl TestRun {
    fn finished(outcome: Outcome, log: Vec<String>) -> TestRun {
        TestRun { outcome, log }
    }

    /// The run after writing its output to `path` (`--emit-yaml`, `--emit-witness`): the log
    /// names the file, or the test fails with why it could not be written.
    pub(crate) fn after_write(
        mut self,
        what: &str,
        path: &Path,
        result: std::io::Result<()>,
    ) -> TestRun {
        match result {
            Ok(()) => {
                self.log.push(format!("{what}: {}", path.display()));
                self
            }
            Err(error) => TestRun::finished(
                Outcome::Failed(format!("cannot write {}: {error}", path.display())),
                self.log,
            ),
        }
    }
}

/// Runs one test with the native engine (evm-core's block validation and execution; with
/// `options.stateless` every accepted block is executed again over a witness generated from the
/// native run).
pub fn run_test(test: &Value, options: &RunOptions) -> TestRun {
    let stateless = options.stateless;
    run_test_with(test, |context| execute_native(context, stateless))
}

/// Runs one test, validating and executing every block with `engine`.
pub fn run_test_with<F>(test: &Value, engine: F) -> TestRun
where
    F: Fn(ImportContext<'_>) -> Result<PostState, String>,
{
    let mut log = Vec::new();
    let network = json_network(test);
    let ethash = crate::json::opt_str_at(test, "sealEngine") == Some("Ethash");
    let Some(chain_spec) = ChainSpec::from_test_network(&network) else {
        return TestRun::finished(
            Outcome::Skipped(format!("fork {network} is not supported")),
            log,
        );
    };
    let mut chain = match genesis(test, chain_spec) {
        // Ethash-sealed fixtures: every block's seal and its ommers' are verified on import.
        Ok(chain) if ethash => chain.with_seal_check(seal_verifier()),
        Ok(chain) => chain,
        Err(reason) => return TestRun::finished(Outcome::Failed(reason), log),
    };

    let Some(blocks) = test.get("blocks").and_then(Value::as_array) else {
        return TestRun::finished(
            Outcome::Failed("malformed test: no blocks list".into()),
            log,
        );
    };
    let blocks: Vec<FixtureBlock> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| FixtureBlock::parse(i, b))
        .collect();
    let mut problems: Vec<String> = Vec::new();
    for block in &blocks {
        let label = block_label(block);
        let result = match &block.rlp {
            Ok(rlp) => chain.import(rlp, &engine),
            Err(error) => Err(Rejection::Decode(error.to_string())),
        };
        match (result, &block.exception) {
            (Ok(imported), None) => {
                log.push(format!(
                    "{label} accepted{}",
                    if imported.head { " (head)" } else { "" }
                ));
                if let Some(expected) = block.hash
                    && expected != imported.hash
                {
                    problems.push(format!(
                        "{label}: decoded hash {:?} != fixture blockHeader.hash {expected:?}",
                        imported.hash
                    ));
                }
            }
            (Ok(imported), Some(exception)) => {
                log.push(format!(
                    "{label} accepted, expected rejection ({exception})"
                ));
                problems.push(format!(
                    "{label} expected to be rejected ({exception}) but was accepted{}",
                    if imported.known {
                        " (already known)"
                    } else {
                        ""
                    }
                ));
            }
            (Err(rejection), Some(exception)) => {
                log.push(format!(
                    "{label} rejected as expected ({exception}): {rejection}"
                ));
            }
            (Err(rejection), None) => {
                log.push(format!("{label} rejected: {rejection}"));
                problems.push(format!("{label} rejected: {rejection}"));
            }
        }
    }

    problems.extend(check_end(test, &chain));
    let outcome = match problems.split_first() {
        None => Outcome::Passed,
        Some((first, [])) => Outcome::Failed(first.clone()),
        Some((first, rest)) => Outcome::Failed(format!("{first} (and {} more)", rest.len())),
    };
    TestRun::finished(outcome, log)
}

/// "block 3 (0xabcd1234..)" from the decoded block, or the fixture's numbering when it does not
/// decode.
fn block_label(block: &FixtureBlock) -> String {
    let decoded = block
        .rlp
        .as_ref()
        .ok()
        .and_then(|rlp| evm_core::block::Block::decode(rlp).ok());
    match decoded {
        Some(decoded) => format!(
            "block {} ({})",
            decoded.header.number,
            short(&decoded.header.hash())
        ),
        None => match block.number {
            Some(number) => format!("block {number} (entry {}, undecodable)", block.position + 1),
            None => format!("block entry {} (undecodable)", block.position + 1),
        },
    }
}

/// The tree at genesis, after checking the genesis block against `pre` and the fixture's hash.
/// One set of epoch caches for the whole run: the fixtures' blocks are all in epoch 0, whose
/// 16 MiB cache is built once (about 0.7 s), not once per test.
fn seal_verifier() -> chain::SealVerifier {
    static SEALS: std::sync::LazyLock<chain::SealVerifier> =
        std::sync::LazyLock::new(chain::SealVerifier::new);
    SEALS.clone()
}

fn genesis(test: &Value, spec: ChainSpec) -> Result<Chain, String> {
    let pre = parse_pre(test).map_err(|e| format!("malformed pre-state: {e}"))?;
    let rlp = fixture::genesis_rlp(test).map_err(|e| format!("malformed genesis: {e}"))?;
    let block = evm_core::block::Block::decode(&rlp)
        .map_err(|e| format!("genesis block does not decode: {e}"))?;
    let expected_hash = fixture::header_hash(test.get("genesisBlockHeader"), "genesisBlockHeader")
        .map_err(|e| format!("malformed genesis: {e}"))?;
    let hash = block.header.hash();
    if hash != expected_hash {
        return Err(format!(
            "genesis hash {hash:?} != genesisBlockHeader.hash {expected_hash:?}"
        ));
    }
    let root = pre.root();
    if root != block.header.state_root {
        return Err(format!(
            "pre-state root {root:?} != genesis stateRoot {:?}",
            block.header.state_root
        ));
    }
    Ok(Chain::new(spec, block, pre))
}

/// The end checks: head hash against `lastblockhash`, head state against `postState` (or
/// `postStateHash`).
fn check_end(test: &Value, chain: &Chain) -> Vec<String> {
    let mut problems = Vec::new();
    let head_hash = chain.head_hash();
    match crate::json::str_at(test, "lastblockhash")
        .and_then(|text| crate::json::h256("lastblockhash", text))
    {
        Ok(expected) if expected != head_hash => {
            let number = chain.node(&expected).map_or_else(
                || "not imported".to_string(),
                |n| format!("block {}", n.block.header.number),
            );
            let head_number = chain
                .head()
                .map(|n| n.block.header.number)
                .unwrap_or_default();
            problems.push(format!(
                "lastblockhash {} ({number}) != head {} (block {head_number})",
                short(&expected),
                short(&head_hash)
            ));
        }
        Ok(_) => {}
        Err(error) => problems.push(format!("malformed lastblockhash: {error}")),
    }
    let Some(head) = chain.head() else {
        problems.push("the head block is missing from the tree".into());
        return problems;
    };
    let root = head.state_root;
    if let Some(post) = test.get("postState") {
        let wrapped = serde_json::json!({ "pre": post });
        match parse_pre(&wrapped) {
            Ok(expected) => {
                let expected_root = expected.root();
                if expected_root != root {
                    problems.push(format!(
                        "head state root {} != postState root {}: {}",
                        short(&root),
                        short(&expected_root),
                        state_diff(chain, root, &expected)
                    ));
                }
            }
            Err(error) => problems.push(format!("malformed postState: {error}")),
        }
    } else {
        match crate::json::str_at(test, "postStateHash")
            .and_then(|text| crate::json::h256("postStateHash", text))
        {
            Ok(expected) if expected != root => problems.push(format!(
                "head state root {} != postStateHash {}",
                short(&root),
                short(&expected)
            )),
            Ok(_) => {}
            Err(error) => problems.push(format!("no postState: {error}")),
        }
    }
    problems
}

/// The first few accounts of `want` that differ in the state under `root`, for failure messages.
/// The store keys accounts by hash, so an account that `want` does not list is only reported as
/// a count-free remark when every listed account matches.
fn state_diff(chain: &Chain, root: primitive_types::H256, want: &InMemoryState) -> String {
    const SHOWN: usize = 3;
    let no_hashes = std::collections::BTreeMap::new();
    let got = StoreSource::open(root, chain.store(), &no_hashes);
    let mut diffs = Vec::new();
    for (address, w) in &want.accounts {
        let line = match got.account(*address) {
            Err(error) => format!("{address:?} unreadable: {error}"),
            Ok(None) => format!("{address:?} absent, expected present"),
            Ok(Some(g)) => {
                let mut fields = Vec::new();
                if g.nonce != w.nonce {
                    fields.push(format!("nonce {} != {}", g.nonce, w.nonce));
                }
                if g.balance != w.balance {
                    fields.push(format!("balance {} != {}", g.balance, w.balance));
                }
                if g.code_hash != w.code_hash() {
                    fields.push("code differs".to_string());
                }
                let slots_differ = w
                    .storage
                    .iter()
                    .any(|(slot, value)| got.storage(*address, *slot).ok() != Some(*value));
                let has_storage = got.has_storage(*address).unwrap_or(true);
                if slots_differ || (w.storage.is_empty() && has_storage) {
                    fields.push("storage differs".to_string());
                }
                if fields.is_empty() {
                    continue;
                }
                format!("{address:?} {}", fields.join(", "))
            }
        };
        diffs.push(line);
    }
    if diffs.is_empty() {
        return "every listed account matches: the state holds accounts or slots postState lacks"
            .into();
    }
    let more = diffs.len().saturating_sub(SHOWN);
    let mut text = diffs.into_iter().take(SHOWN).collect::<Vec<_>>().join("; ");
    if more > 0 {
        text.push_str(&format!(" (+{more} accounts)"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_networks_match_either_fork() {
        let only = |forks: &[SpecId]| RunOptions {
            forks: forks.to_vec(),
            ..RunOptions::default()
        };
        assert!(fork_selected("BerlinToLondonAt5", &only(&[SpecId::London])));
        assert!(fork_selected("BerlinToLondonAt5", &only(&[SpecId::Berlin])));
        assert!(!fork_selected(
            "BerlinToLondonAt5",
            &only(&[SpecId::Cancun])
        ));
        assert!(fork_selected(
            "ArrowGlacierToParisAtDiffC0000",
            &only(&[SpecId::Paris])
        ));
        assert!(fork_selected("Cancun", &only(&[])));
        assert!(!fork_selected("Cancun", &only(&[SpecId::Shanghai])));
        assert!(fork_selected(
            "Cancun",
            &only(&[SpecId::Shanghai, SpecId::Cancun])
        ));
    }
}
