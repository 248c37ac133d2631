//! The skeleton every suite runner shares: the fixture files under the given paths, in parallel
//! with progress, each read as a JSON object of named tests; a file that cannot be read or is not
//! such an object is one failed case that names the file, never a panic or a silent skip.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::{CaseResult, FixtureFile, Outcome, RunError, RunOptions, collect_json_files};

/// Largest fixture file read, in bytes. The largest of ethereum/tests and legacytests is 2.8 MB
/// (`BlockchainTests/GeneralStateTests/stPreCompiledContracts/idPrecomps.json`); 64 MiB leaves
/// room for larger suites while a file that is no fixture (a disk image named `.json`, a file
/// still growing) is refused before it fills memory, once per worker thread.
pub const MAX_FIXTURE_BYTES: u64 = 64 << 20;

/// Why a fixture file gives no tests.
#[derive(Debug, thiserror::Error)]
pub enum FixtureFileError {
    /// The file cannot be read, is not a regular file, or is larger than [`MAX_FIXTURE_BYTES`].
    #[error(transparent)]
    Read(#[from] evm_ee_host::FileError),
    /// The file is not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file is JSON but not an object of tests.
    #[error("not a JSON object of tests")]
    NotAnObject,
}

/// A result a runner gives per case, which can say whether the case failed (for `--fail-fast`).
pub trait CaseOutcome {
    /// The case failed.
    fn is_failure(&self) -> bool;
}

impl CaseOutcome for CaseResult {
    fn is_failure(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_))
    }
}

impl<A> CaseOutcome for (CaseResult, A) {
    fn is_failure(&self) -> bool {
        self.0.is_failure()
    }
}

/// Runs `run_file` on every fixture file under `paths` (files or folders, recursively), files in
/// parallel, telling `options`' progress reporter as files finish. Results keep the files' order.
/// Paths that hold no fixture file at all are [`RunError::NoFixtures`]. With
/// [`RunOptions::fail_fast`], files not started when a case fails are not run
/// ([`RunOptions::stopped_early`] says so afterwards).
pub fn run_files<T, F>(
    paths: &[PathBuf],
    options: &RunOptions,
    run_file: F,
) -> Result<Vec<T>, RunError>
where
    T: Send + CaseOutcome,
    F: Fn(&FixtureFile, &RunOptions) -> Vec<T> + Sync,
{
    let files = collect_json_files(paths)?;
    options.start(files.len());
    Ok(files
        .par_iter()
        .flat_map_iter(|file| {
            if options.fail_fast && options.stop.is_raised() {
                options.file_done();
                return Vec::new();
            }
            let results = run_file(file, options);
            let failed = results.iter().filter(|r| r.is_failure()).count();
            options.cases_done(results.len() - failed, failed);
            if options.fail_fast && failed > 0 {
                options.stop.raise();
            }
            options.file_done();
            results
        })
        .collect())
}

/// The tests of one fixture file by name, in name order. The file is read with
/// [`evm_ee_host::read_file_bounded`]: a FIFO or a device named `.json` is a failed case, not a
/// run that hangs or never ends.
pub fn read_tests(file: &FixtureFile) -> Result<Map<String, Value>, FixtureFileError> {
    let bytes = evm_ee_host::read_file_bounded(&file.path, MAX_FIXTURE_BYTES)?;
    match serde_json::from_slice(&bytes)? {
        Value::Object(tests) => Ok(tests),
        _ => Err(FixtureFileError::NotAnObject),
    }
}

impl CaseResult {
    /// The one failed case of a file that gives no tests.
    pub fn file_failed(file: &FixtureFile, error: &FixtureFileError) -> CaseResult {
        CaseResult {
            file: file.display.clone(),
            test: String::new(),
            fork: "-".into(),
            index: String::new(),
            outcome: Outcome::Failed(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl CaseOutcome for (String, Result<usize, String>) {
        fn is_failure(&self) -> bool {
            self.1.is_err()
        }
    }

    fn fixture(path: PathBuf) -> FixtureFile {
        FixtureFile {
            display: path.display().to_string(),
            path,
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_among_the_fixtures_is_a_failed_case_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::write(dir.path().join("ok.json"), r#"{"t": {}}"#).unwrap();
        let results = run_files(
            &[dir.path().to_owned()],
            &RunOptions::default(),
            |file, _| match read_tests(file) {
                Ok(tests) => vec![(file.display.clone(), Ok(tests.len()))],
                Err(error) => vec![(file.display.clone(), Err(error.to_string()))],
            },
        )
        .unwrap();
        assert_eq!(results[0], ("ok.json".to_string(), Ok(1)));
        let (name, outcome) = &results[1];
        assert_eq!(name, "pipe.json");
        let error = outcome.as_ref().unwrap_err();
        assert!(error.ends_with("is not a regular file (a FIFO)"), "{error}");
    }

    #[test]
    fn a_file_above_the_cap_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        // Sparse: the size is on the metadata, no bytes are written.
        file.set_len(MAX_FIXTURE_BYTES + 1).unwrap();
        let error = read_tests(&fixture(path)).unwrap_err();
        assert!(
            matches!(
                error,
                FixtureFileError::Read(evm_ee_host::FileError::TooLarge { max, .. })
                    if max == MAX_FIXTURE_BYTES
            ),
            "{error}"
        );
    }

    #[test]
    fn json_that_is_not_an_object_of_tests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        assert!(matches!(
            read_tests(&fixture(path)),
            Err(FixtureFileError::NotAnObject)
        ));
    }
}
