//! Reading an input file that may come from anyone: a module, a Scout YAML script, a fixture or a
//! blob. Only regular files are opened (a FIFO would block the open, `/dev/zero` never ends), and
//! never more than a stated number of bytes is read, whatever the file claims to be.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file is not there, or its metadata or contents cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path names a folder, a device, a FIFO or a socket.
    #[error("{} is not a regular file ({kind})", path.display())]
    NotARegularFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than the caller accepts.
    #[error("{} is larger than the limit of {max} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        max: u64,
    },
}

/// What a path is, for a message, when it is not a regular file.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads the regular file at `path` (symbolic links followed), refusing anything else and any
/// file of more than `max_bytes`.
///
/// The size is checked twice: on the metadata before opening, and while reading (at most
/// `max_bytes + 1` bytes are read), so a file that grows after the check cannot exceed it.
///
/// ```no_run
/// let wasm = evm_ee_host::read_file_bounded("ee.wasm".as_ref(), 16 << 20)?;
/// # Ok::<(), evm_ee_host::FileError>(())
/// ```
pub fn read_file_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>, FileError> {
    let io = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(FileError::NotARegularFile {
            path: path.to_owned(),
            kind: kind_of(metadata.file_type()),
        });
    }
    let too_large = || FileError::TooLarge {
        path: path.to_owned(),
        max: max_bytes,
    };
    if metadata.len() > max_bytes {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The metadata said at most `max_bytes`; the capacity follows it, not the file's later size.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wasm");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_file_bounded(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_file_bounded(&path, 9),
            Err(FileError::TooLarge { max: 9, .. })
        ));
    }

    #[test]
    fn refuses_folders_and_devices_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_file_bounded(dir.path(), 1 << 20).unwrap_err();
        assert!(error.to_string().contains("a folder"), "{error}");
        #[cfg(unix)]
        {
            let error = read_file_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(error.to_string().contains("a device"), "{error}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_before_the_open_that_would_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let error = read_file_bounded(&fifo, 1 << 20).unwrap_err();
        assert!(error.to_string().contains("a FIFO"), "{error}");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let error = read_file_bounded(Path::new("/nonexistent/x.yaml"), 1).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/x.yaml"), "{error}");
    }
}
