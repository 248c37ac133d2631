//! Finding fixture files and naming them in reports.
//!
//! Fixture folders may come from anywhere (an unpacked archive, a clone, a shared mount), so the
//! walk follows symbolic links but enters each folder once, by its canonical path: a link back to
//! an ancestor is not followed again, and a folder reached by two links is walked once. What a
//! `.json` entry is (a regular file, a FIFO, a device) is left to the reader,
//! [`evm_ee_host::read_file_bounded`], which refuses anything but a regular file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A fixture file to run and the name reports use for it.
#[derive(Clone, Debug)]
pub struct FixtureFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the folder it was found under (or the file name when given directly).
    pub display: String,
}

/// Why a run has no fixture files to go through.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path or a folder under it cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The paths exist but hold no `.json` file: a wrong folder, or fixtures not unpacked.
    #[error("no fixture files (*.json) found under {}", list(paths))]
    NoFixtures {
        /// The paths given.
        paths: Vec<PathBuf>,
    },
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Every `.json` file under each path (a file is taken as is; folders are walked recursively), in
/// sorted order so that runs are reproducible. Finding none at all is [`RunError::NoFixtures`]:
/// a run over nothing would report success.
pub fn collect_json_files(paths: &[PathBuf]) -> Result<Vec<FixtureFile>, RunError> {
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(io_error(path))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut visited, &mut found)?;
            found.sort();
            for file in found {
                let display = file
                    .strip_prefix(path)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .into_owned();
                out.push(FixtureFile {
                    path: file,
                    display,
                });
            }
        } else {
            let display = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(FixtureFile {
                path: path.clone(),
                display,
            });
        }
    }
    if out.is_empty() {
        return Err(RunError::NoFixtures {
            paths: paths.to_vec(),
        });
    }
    Ok(out)
}

/// Walks `dir` unless its canonical path is in `visited` already.
fn walk(
    dir: &Path,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> Result<(), RunError> {
    let canonical = std::fs::canonicalize(dir).map_err(io_error(dir))?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        // `metadata` follows links: a link to a folder is walked, a dangling link is left to the
        // reader to report if it is named `.json`.
        if std::fs::metadata(&path).is_ok_and(|meta| meta.is_dir()) {
            walk(&path, visited, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_json_files_sorted_and_names_them_relative() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/two.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        let files = collect_json_files(&[dir.path().to_owned()]).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["a.json", "b/two.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_loop_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("t.json"), "{}").unwrap();
        // inner/up -> .. and inner/self -> . : without the visited set the walk never ends.
        std::os::unix::fs::symlink("..", inner.join("up")).unwrap();
        std::os::unix::fs::symlink(".", inner.join("self")).unwrap();
        let files = collect_json_files(&[dir.path().to_owned()]).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["inner/t.json"]);
    }

    #[test]
    fn no_fixture_files_is_an_error_naming_the_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let error = collect_json_files(&[dir.path().to_owned()]).unwrap_err();
        assert!(matches!(error, RunError::NoFixtures { .. }), "{error}");
        let message = error.to_string();
        assert!(
            message.starts_with("no fixture files (*.json) found under ")
                && message.contains(&dir.path().display().to_string()),
            "{message}"
        );
    }

    #[test]
    fn a_missing_path_names_it() {
        let error = collect_json_files(&[PathBuf::from("/nonexistent/fixtures")]).unwrap_err();
        assert!(matches!(error, RunError::Io { .. }));
        assert!(error.to_string().starts_with("/nonexistent/fixtures: "));
    }
}
