//! Finding fixture files and naming them in reports.

use std::path::{Path, PathBuf};

/// A fixture file to run and the name reports use for it.
#[derive(Clone, Debug)]
pub struct FixtureFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the folder it was found under (or the file name when given directly).
    pub display: String,
}

/// Every `.json` file under each path (a file is taken as is; folders are walked recursively), in
/// sorted order so that runs are reproducible.
pub fn collect_json_files(paths: &[PathBuf]) -> std::io::Result<Vec<FixtureFile>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
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
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
