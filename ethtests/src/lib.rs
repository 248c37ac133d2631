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
}

/// What every runner takes besides the fixture paths.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Only run cases of this fork (a fixture name or alias, see `SpecId::from_name`).
    pub fork: Option<evm_core::SpecId>,
    /// Only run cases whose file or test name contains this substring.
    pub filter: Option<String>,
    /// State tests: execute over a generated witness instead of the full state (see
    /// `state::run`).
    pub stateless: bool,
    /// Blockchain tests: keep every test's block log (accepted, or rejected and why) in the
    /// report.
    pub verbose: bool,
    /// Progress reporting (none by default).
    pub progress: Option<std::sync::Arc<dyn Progress>>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("fork", &self.fork)
            .field("filter", &self.filter)
            .field("stateless", &self.stateless)
            .field("verbose", &self.verbose)
            .field("progress", &self.progress.is_some())
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

    /// Tells the progress reporter one file is done.
    pub fn file_done(&self) {
        if let Some(progress) = &self.progress {
            progress.file_done();
        }
    }

    /// Whether a case of this file and test passes the `--filter` substring.
    pub fn matches(&self, file: &str, test: &str) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|needle| file.contains(needle) || test.contains(needle))
    }
}
