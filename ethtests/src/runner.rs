//! The skeleton every suite runner shares: the fixture files under the given paths, in parallel
//! with progress, each read as a JSON object of named tests; a file that cannot be read or is not
//! such an object is one failed case that names the file, never a panic or a silent skip.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::{CaseResult, FixtureFile, Outcome, RunOptions, collect_json_files};

/// Why a fixture file gives no tests.
#[derive(Debug, thiserror::Error)]
pub enum FixtureFileError {
    /// The file cannot be read.
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    /// The file is not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file is JSON but not an object of tests.
    #[error("not a JSON object of tests")]
    NotAnObject,
}

/// Runs `run_file` on every fixture file under `paths` (files or folders, recursively), files in
/// parallel, telling `options`' progress reporter as files finish. Results keep the files' order.
pub fn run_files<T, F>(
    paths: &[PathBuf],
    options: &RunOptions,
    run_file: F,
) -> std::io::Result<Vec<T>>
where
    T: Send,
    F: Fn(&FixtureFile, &RunOptions) -> Vec<T> + Sync,
{
    let files = collect_json_files(paths)?;
    options.start(files.len());
    Ok(files
        .par_iter()
        .flat_map_iter(|file| {
            let results = run_file(file, options);
            options.file_done();
            results
        })
        .collect())
}

/// The tests of one fixture file by name, in name order.
pub fn read_tests(file: &FixtureFile) -> Result<Map<String, Value>, FixtureFileError> {
    let text = std::fs::read_to_string(&file.path)?;
    match serde_json::from_str(&text)? {
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
