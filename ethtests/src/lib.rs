//! Runners for the ethereum/tests conformance suites: each reads fixture JSON, runs every case on
//! evm-core (and witness), and returns a [`Report`].
//!
//! Dependencies and why: `serde`/`serde_json` (fixtures), `rayon` (cases run in parallel),
//! `hex`, `evm-core` and `witness` (the code under test).

#![warn(missing_docs, unreachable_pub)]

pub mod blockchain;
pub mod difficulty;
pub mod files;
pub mod json;
pub mod kind;
pub mod pow;
pub mod report;
pub mod rlp_tests;
pub mod runner;
pub mod scout_emit;
pub mod state;
pub mod transaction;
pub mod trie;
pub mod witness_emit;

pub use files::{FixtureFile, RunError, collect_json_files};
pub use report::{CaseResult, Failure, ForkCounts, Outcome, Report, TestLog};
pub use runner::{FixtureFileError, MAX_FIXTURE_BYTES, read_tests, run_files};

/// Called as files finish, to drive a progress bar: `start(total files)` once, then `file_done()`.
pub trait Progress: Send + Sync {
    /// The run will go through `files` fixture files.
    fn start(&self, files: usize);
    /// One more file is done.
    fn file_done(&self);
    /// A file's cases are done: how many of them failed and how many did not.
    fn cases_done(&self, _ok: usize, _failed: usize) {}
}

/// What every runner takes besides the fixture paths.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Only run cases of these forks (fixture names or aliases, see `SpecId::from_name`); all
    /// forks when empty.
    pub forks: Vec<evm_core::SpecId>,
    /// Only run cases whose file or test name contains this substring.
    pub filter: Option<String>,
    /// Only run tests whose name matches this regular expression (geth's `--run`).
    pub run: Option<regex::Regex>,
    /// State tests: only the cases with these transaction indexes (`d0g0v0`).
    pub case_index: CaseIndex,
    /// State tests: execute over a generated witness instead of the full state (see
    /// `state::run`).
    pub stateless: bool,
    /// Blockchain tests: keep every test's block log (accepted, or rejected and why) in the
    /// report.
    pub verbose: bool,
    /// Progress reporting (none by default).
    pub progress: Option<std::sync::Arc<dyn Progress>>,
    /// Stop starting files after the first failed case (`--fail-fast`).
    pub fail_fast: bool,
    /// Raised when a failure stops the run early (leave it at its default).
    pub stop: StopFlag,
}

/// The flag [`RunOptions::fail_fast`] raises, shared by the run's threads.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl StopFlag {
    pub(crate) fn raise(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn is_raised(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("forks", &self.forks)
            .field("filter", &self.filter)
            .field("run", &self.run.as_ref().map(regex::Regex::as_str))
            .field("case_index", &self.case_index)
            .field("stateless", &self.stateless)
            .field("verbose", &self.verbose)
            .field("progress", &self.progress.is_some())
            .field("fail_fast", &self.fail_fast)
            .finish()
    }
}

impl RunOptions {
    /// Tells the progress reporter how many files the run has.
    pub fn start(&self, files: usize) {
        if let Some(progress) = &self.progress {
            progress.start(files);
        }
    }

    /// Tells the progress reporter how a file's cases went.
    pub fn cases_done(&self, ok: usize, failed: usize) {
        if let Some(progress) = &self.progress {
            progress.cases_done(ok, failed);
        }
    }

    /// Tells the progress reporter one file is done.
    pub fn file_done(&self) {
        if let Some(progress) = &self.progress {
            progress.file_done();
        }
    }

    /// With [`fail_fast`](Self::fail_fast): a case failed and files were left unrun.
    pub fn stopped_early(&self) -> bool {
        self.stop.is_raised()
    }

    /// Whether a case of this file and test passes the `--filter` substring and the `--run`
    /// expression.
    pub fn matches(&self, file: &str, test: &str) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|needle| file.contains(needle) || test.contains(needle))
            && self.run.as_ref().is_none_or(|run| run.is_match(test))
    }

    /// Whether cases of `fork` (`None`: a fork evm-ee does not know) run: every fork when no
    /// fork was asked for, else only the ones asked for.
    pub fn wants_fork(&self, fork: Option<evm_core::SpecId>) -> bool {
        self.forks.is_empty() || fork.is_some_and(|fork| self.forks.contains(&fork))
    }
}

/// A state test case's indexes into its transaction's `data`, `gasLimit` and `value` lists, as
/// fixtures name them (`d0g0v0`); a part left out matches every index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseIndex {
    /// The `data` index.
    pub data: Option<usize>,
    /// The `gasLimit` index.
    pub gas: Option<usize>,
    /// The `value` index.
    pub value: Option<usize>,
}

impl CaseIndex {
    /// Reads `d0g0v0`, or any of its parts in that order (`d1`, `g0v2`).
    pub fn parse(text: &str) -> Result<CaseIndex, String> {
        let mut index = CaseIndex::default();
        let mut rest = text;
        for (letter, slot) in [
            ('d', &mut index.data),
            ('g', &mut index.gas),
            ('v', &mut index.value),
        ] {
            if let Some(after) = rest.strip_prefix(letter) {
                let digits =
                    after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                *slot =
                    Some(after[..digits].parse().map_err(|_| {
                        format!("{text:?}: `{letter}` needs a number, as in d0g0v0")
                    })?);
                rest = &after[digits..];
            }
        }
        if !rest.is_empty() || index == CaseIndex::default() {
            return Err(format!(
                "{text:?} is not a case index: d<data>g<gas>v<value>, as in d0g0v0 (parts may be left out)"
            ));
        }
        Ok(index)
    }

    /// Whether the case with these indexes is selected.
    pub fn selects(&self, data: usize, gas: usize, value: usize) -> bool {
        self.data.is_none_or(|d| d == data)
            && self.gas.is_none_or(|g| g == gas)
            && self.value.is_none_or(|v| v == value)
    }
}
