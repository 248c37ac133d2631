//! The summary every suite runner produces: counts per fork and the failures, printed as a table for
//! people or as one JSON object for machines.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The case behaved as the fixture says.
    Passed,
    /// The case did not; the reason says how.
    Failed(String),
    /// The case was not run; the reason says why (only an unsupported fork qualifies).
    Skipped(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Passed => f.write_str("passed"),
            Outcome::Failed(reason) => write!(f, "failed: {reason}"),
            Outcome::Skipped(reason) => write!(f, "skipped: {reason}"),
        }
    }
}

/// What happened to every block of one blockchain test (`-v`): the test's outcome, then one line
/// per block, accepted or rejected and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TestLog {
    /// Fixture file.
    pub file: String,
    /// Test name.
    pub test: String,
    /// Fork name.
    pub fork: String,
    /// `passed`, `failed: reason` or `skipped: reason`.
    pub outcome: String,
    /// One line per block, in import order.
    pub blocks: Vec<String>,
}

/// One case's identity and outcome.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Fixture file, relative to the folder given on the command line when possible.
    pub file: String,
    /// Test name inside the file.
    pub test: String,
    /// Fork name as the fixture writes it.
    pub fork: String,
    /// Case index within the test and fork, e.g. `d0g0v0` for state tests (empty if none).
    pub index: String,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts for one fork.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ForkCounts {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
}

/// A failed case, as listed in the JSON report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// Fixture file.
    pub file: String,
    /// Test name.
    pub test: String,
    /// Fork name.
    pub fork: String,
    /// Case index.
    pub index: String,
    /// Why it failed.
    pub reason: String,
    /// Why it failed as a stable identifier for machines ([`reason_code`]).
    pub code: &'static str,
}

/// The stable identifier of a failure's reason, for `--json` readers that sort failures by kind:
/// `state_root_mismatch`, `logs_hash_mismatch`, `expected_exception` (the fixture expected a
/// rejection that did not come), `unexpected_exception` (a rejection the fixture did not
/// expect), `last_block_hash_mismatch`, `post_state_mismatch`, `block_hash_mismatch`,
/// `witness_failure`, `malformed_fixture`, `unreadable_file`, `wrong_suite`, `write_failed`,
/// `state_access_failed`, or `other`.
pub fn reason_code(reason: &str) -> &'static str {
    const CODES: [(&str, &str); 17] = [
        (crate::kind::WRONG_SUITE, "wrong_suite"),
        ("malformed", "malformed_fixture"),
        ("no postState", "malformed_fixture"),
        ("not JSON", "unreadable_file"),
        ("not a JSON object", "unreadable_file"),
        ("state root ", "state_root_mismatch"),
        ("head state root ", "post_state_mismatch"),
        ("logs hash ", "logs_hash_mismatch"),
        ("expected exception ", "expected_exception"),
        ("transaction rejected: ", "unexpected_exception"),
        ("lastblockhash ", "last_block_hash_mismatch"),
        ("witness generation", "witness_failure"),
        ("witness verification", "witness_failure"),
        ("blob round trip", "witness_failure"),
        ("state access failed", "state_access_failed"),
        ("cannot write ", "write_failed"),
        ("genesis block does not decode", "malformed_fixture"),
    ];
    if let Some((_, code)) = CODES.iter().find(|(start, _)| reason.starts_with(start)) {
        return code;
    }
    // Blockchain tests name the block first: `block 2 (0x..) expected to be rejected ..`.
    if reason.contains("expected to be rejected") {
        "expected_exception"
    } else if reason.contains(" rejected: ") {
        "unexpected_exception"
    } else if reason.contains("decoded hash ") {
        "block_hash_mismatch"
    } else if reason.contains("is not a regular file") || reason.contains("cannot read") {
        "unreadable_file"
    } else {
        "other"
    }
}

/// What the execution environment did in a run through a Wasm engine.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EeStats {
    /// `wasmi` or `wasmtime`.
    pub engine: String,
    /// Blocks handed to the EE.
    pub blocks: u64,
    /// Ticks they used in total (the same in every engine).
    pub ticks: u64,
    /// Hex of the XOR of one hash per block over its input, verdict, post-state and ticks:
    /// equal in two engines only if they agreed on every block.
    pub digest: String,
}

/// Distribution of sizes in bytes.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct SizeStats {
    /// How many sizes.
    pub count: usize,
    /// Median (nearest rank).
    pub median: usize,
    /// 99th percentile (nearest rank).
    pub p99: usize,
    /// Largest.
    pub max: usize,
}

impl SizeStats {
    /// Statistics of `sizes`, `None` when there are none.
    pub fn of(mut sizes: Vec<usize>) -> Option<SizeStats> {
        sizes.sort_unstable();
        let rank = |per_mille: usize| {
            let index = (sizes.len() * per_mille).div_ceil(1000).saturating_sub(1);
            sizes.get(index).copied().unwrap_or_default()
        };
        Some(SizeStats {
            count: sizes.len(),
            median: rank(500),
            p99: rank(990),
            max: *sizes.last()?,
        })
    }
}

/// The whole run: `{"suite":..,"total":..,"passed":..,"failed":..,"skipped":..,"forks":{..},"failures":[..]}`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Suite name: `state`, `transaction`, `trie`, `rlp`, `blockchain`.
    pub suite: String,
    /// All cases seen.
    pub total: usize,
    /// Cases passed.
    pub passed: usize,
    /// Cases failed.
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
    /// Counts per fork (sorted by name).
    pub forks: BTreeMap<String, ForkCounts>,
    /// Every failure, in file/test/fork/index order.
    pub failures: Vec<Failure>,
    /// Blocks and ticks of a run through the EE (absent for native runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ee: Option<EeStats>,
    /// Sizes of the encoded block-data blobs of a stateless run (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_sizes: Option<SizeStats>,
    /// Skip reasons with how many cases each covers (not part of the JSON shape the issue fixes,
    /// but a skip without a visible reason is not acceptable).
    pub skip_reasons: BTreeMap<String, usize>,
    /// With `-v`: every blockchain test's block log, in file/test order (`"tests"` in JSON,
    /// omitted when empty).
    #[serde(rename = "tests", skip_serializing_if = "Vec::is_empty")]
    pub block_logs: Vec<TestLog>,
    /// Wall time of the run in milliseconds, when the caller timed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

impl Report {
    /// Failures of tests given to the wrong suite ([`crate::kind::wrong_suite`]).
    pub fn wrong_suite_failures(&self) -> usize {
        self.failures
            .iter()
            .filter(|failure| failure.reason.starts_with(crate::kind::WRONG_SUITE))
            .count()
    }

    /// Builds the report from case results in any order; the output is sorted so that two runs
    /// of the same fixtures print the same report whatever the thread schedule was.
    pub fn from_results(suite: &str, mut results: Vec<CaseResult>) -> Report {
        results.sort_by(|a, b| {
            (&a.file, &a.test, &a.fork, &a.index).cmp(&(&b.file, &b.test, &b.fork, &b.index))
        });
        let mut report = Report {
            suite: suite.to_string(),
            total: results.len(),
            passed: 0,
            failed: 0,
            skipped: 0,
            forks: BTreeMap::new(),
            failures: Vec::new(),
            skip_reasons: BTreeMap::new(),
            witness_sizes: None,
            ee: None,
            block_logs: Vec::new(),
            elapsed_ms: None,
        };
        for result in results {
            let counts = report.forks.entry(result.fork.clone()).or_default();
            match result.outcome {
                Outcome::Passed => {
                    counts.passed += 1;
                    report.passed += 1;
                }
                Outcome::Skipped(reason) => {
                    counts.skipped += 1;
                    report.skipped += 1;
                    *report.skip_reasons.entry(reason).or_default() += 1;
                }
                Outcome::Failed(reason) => {
                    counts.failed += 1;
                    report.failed += 1;
                    report.failures.push(Failure {
                        file: result.file,
                        test: result.test,
                        fork: result.fork,
                        index: result.index,
                        code: reason_code(&reason),
                        reason,
                    });
                }
            }
        }
        report
    }

    /// The JSON object of the shape (`skip_reasons` omitted when empty).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if self.skip_reasons.is_empty()
            && let Some(object) = value.as_object_mut()
        {
            object.remove("skip_reasons");
        }
        value
    }

    /// True when nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }
}

impl fmt::Display for Report {
    /// A table per fork, the first failures, then the closing line `N passed, N failed, N skipped`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for log in &self.block_logs {
            writeln!(
                f,
                "{} :: {} [{}] {}",
                log.file, log.test, log.fork, log.outcome
            )?;
            for line in &log.blocks {
                writeln!(f, "    {line}")?;
            }
        }
        writeln!(
            f,
            "{:<20} {:>9} {:>9} {:>9}",
            "fork", "passed", "failed", "skipped"
        )?;
        let mut forks: Vec<(&String, &ForkCounts)> = self.forks.iter().collect();
        forks.sort_by_key(|(fork, _)| fork_order(fork));
        for (fork, counts) in forks {
            writeln!(
                f,
                "{:<20} {:>9} {:>9} {:>9}",
                fork, counts.passed, counts.failed, counts.skipped
            )?;
        }
        for (reason, count) in &self.skip_reasons {
            writeln!(f, "skipped {count}: {reason}")?;
        }
        const SHOWN: usize = 50;
        for failure in self.failures.iter().take(SHOWN) {
            writeln!(
                f,
                "FAIL {} :: {} [{}] {}: {}",
                failure.file, failure.test, failure.fork, failure.index, failure.reason
            )?;
        }
        if self.failures.len() > SHOWN {
            writeln!(
                f,
                "... and {} more failures (use --json for all)",
                self.failures.len() - SHOWN
            )?;
        }
        if let Some(ee) = &self.ee {
            writeln!(
                f,
                "EE in {}: {} blocks, {} ticks, digest {}",
                ee.engine, ee.blocks, ee.ticks, ee.digest
            )?;
        }
        if let Some(sizes) = &self.witness_sizes {
            writeln!(
                f,
                "witness blobs: {} cases, median {} B, p99 {} B, max {} B",
                sizes.count, sizes.median, sizes.p99, sizes.max
            )?;
        }
        write!(
            f,
            "{}: {} passed, {} failed, {} skipped",
            self.suite, self.passed, self.failed, self.skipped
        )?;
        if let Some(ms) = self.elapsed_ms {
            let seconds = ms as f64 / 1000.0;
            write!(
                f,
                " in {seconds:.1} s ({:.0} cases/s)",
                // A run under a millisecond counts as one.
                self.total as f64 / seconds.max(0.001)
            )?;
        }
        Ok(())
    }
}

/// Where a fixture's fork name sorts in the table: forks in the order they activated
/// (`SpecId::ALL`), a transition (`BerlinToLondonAt5`) right after the fork it starts from,
/// anything else last, by name.
fn fork_order(name: &str) -> (usize, u8, &str) {
    let position = |fork: &str| {
        evm_core::SpecId::from_name(fork)
            .and_then(|spec| evm_core::SpecId::ALL.iter().position(|s| *s == spec))
    };
    if let Some(index) = position(name) {
        return (index, 0, name);
    }
    match name.split_once("To").and_then(|(from, _)| position(from)) {
        Some(index) => (index, 1, name),
        None => (usize::MAX, 2, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_have_stable_codes() {
        for (reason, code) in [
            ("state root 0x01 != expected 0x02", "state_root_mismatch"),
            ("logs hash 0x01 != expected 0x02", "logs_hash_mismatch"),
            (
                "expected exception TR_TypeNotSupported, transaction was accepted",
                "expected_exception",
            ),
            (
                "transaction rejected: intrinsic gas too low",
                "unexpected_exception",
            ),
            (
                "block 2 (0xab..) expected to be rejected (INVALID_GASLIMIT) but was accepted",
                "expected_exception",
            ),
            (
                "block 1 (0xab..) rejected: invalid block: gas",
                "unexpected_exception",
            ),
            (
                "lastblockhash 0x01 (3) != head 0x02 (block 2)",
                "last_block_hash_mismatch",
            ),
            (
                "head state root 0x01 != postState root 0x02: ..",
                "post_state_mismatch",
            ),
            ("malformed post: missing hash", "malformed_fixture"),
            (
                "wrong suite: a GeneralStateTests test, not a BlockchainTests one",
                "wrong_suite",
            ),
            ("witness verification: root missing", "witness_failure"),
            ("something new", "other"),
        ] {
            assert_eq!(reason_code(reason), code, "{reason}");
        }
    }

    #[test]
    fn forks_are_listed_in_activation_order_with_transitions_after_their_start() {
        let mut names = vec![
            "Shanghai",
            "BerlinToLondonAt5",
            "Frontier",
            "Berlin",
            "Unknown",
        ];
        names.sort_by_key(|name| fork_order(name));
        assert_eq!(
            names,
            [
                "Frontier",
                "Berlin",
                "BerlinToLondonAt5",
                "Shanghai",
                "Unknown"
            ]
        );
    }

    fn case(fork: &str, outcome: Outcome) -> CaseResult {
        CaseResult {
            file: "f.json".into(),
            test: "t".into(),
            fork: fork.into(),
            index: "d0g0v0".into(),
            outcome,
        }
    }

    #[test]
    fn counts_and_json_shape() {
        let report = Report::from_results(
            "state",
            vec![
                case("Cancun", Outcome::Passed),
                case("Cancun", Outcome::Failed("root".into())),
                case("Berlin", Outcome::Skipped("why".into())),
            ],
        );
        assert_eq!(
            (report.total, report.passed, report.failed, report.skipped),
            (3, 1, 1, 1)
        );
        let json = report.to_json();
        assert_eq!(json["suite"], "state");
        assert_eq!(json["forks"]["Cancun"]["failed"], 1);
        assert_eq!(json["failures"][0]["reason"], "root");
        assert!(!report.is_success());
        assert!(
            report
                .to_string()
                .ends_with("state: 1 passed, 1 failed, 1 skipped")
        );
    }
}
