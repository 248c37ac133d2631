//! e2store entries: `type (2 bytes) | length (4 bytes, little endian) | reserved (2 bytes, zero)
//! | data`, and the snappy framing of the compressed ones.

use std::io::Read;

/// Bytes before an entry's data.
pub(crate) const HEADER_LEN: usize = 8;

/// The largest decompressed header accepted (a header is about 500 bytes).
pub(crate) const MAX_HEADER_BYTES: u64 = 64 << 10;

/// The largest decompressed body or receipt list accepted (pre-merge blocks stay far below).
pub(crate) const MAX_BODY_BYTES: u64 = 256 << 20;

/// The entry types an era1 file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Version,
    CompressedHeader,
    CompressedBody,
    CompressedReceipts,
    TotalDifficulty,
    Accumulator,
    BlockIndex,
    Other([u8; 2]),
}

impl EntryKind {
    fn of(bytes: [u8; 2]) -> EntryKind {
        match bytes {
            [0x65, 0x32] => EntryKind::Version,
            [0x03, 0x00] => EntryKind::CompressedHeader,
            [0x04, 0x00] => EntryKind::CompressedBody,
            [0x05, 0x00] => EntryKind::CompressedReceipts,
            [0x06, 0x00] => EntryKind::TotalDifficulty,
            [0x07, 0x00] => EntryKind::Accumulator,
            [0x66, 0x32] => EntryKind::BlockIndex,
            other => EntryKind::Other(other),
        }
    }
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntryKind::Version => f.write_str("a version entry"),
            EntryKind::CompressedHeader => f.write_str("a compressed header"),
            EntryKind::CompressedBody => f.write_str("a compressed body"),
            EntryKind::CompressedReceipts => f.write_str("compressed receipts"),
            EntryKind::TotalDifficulty => f.write_str("a total difficulty"),
            EntryKind::Accumulator => f.write_str("an accumulator root"),
            EntryKind::BlockIndex => f.write_str("a block index"),
            EntryKind::Other([a, b]) => write!(f, "an entry of unknown type 0x{a:02x}{b:02x}"),
        }
    }
}

/// Why an entry cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EntryError {
    #[error("entry at byte {at}: the file ends inside it")]
    Truncated { at: usize },
    #[error("entry at byte {at}: reserved bytes are not zero")]
    Reserved { at: usize },
    #[error("snappy: {0}")]
    Snappy(String),
    #[error("decompresses to more than {limit} bytes")]
    TooLarge { limit: u64 },
}

/// One entry, borrowed from the file.
pub(crate) struct Entry<'a> {
    pub(crate) kind: EntryKind,
    pub(crate) data: &'a [u8],
    /// Where the next entry starts.
    pub(crate) end: usize,
}

impl<'a> Entry<'a> {
    /// The entry that starts at byte `at` of `bytes`.
    pub(crate) fn read(bytes: &'a [u8], at: usize) -> Result<Entry<'a>, EntryError> {
        let truncated = EntryError::Truncated { at };
        let header = bytes.get(at..at.checked_add(HEADER_LEN).ok_or(truncated.clone())?);
        let header = header.ok_or(truncated.clone())?;
        let kind = EntryKind::of([header[0], header[1]]);
        let length = u32::from_le_bytes([header[2], header[3], header[4], header[5]]) as usize;
        if header[6] != 0 || header[7] != 0 {
            return Err(EntryError::Reserved { at });
        }
        let start = at + HEADER_LEN;
        let end = start.checked_add(length).ok_or(truncated.clone())?;
        let data = bytes.get(start..end).ok_or(truncated)?;
        Ok(Entry { kind, data, end })
    }

    /// The data, decompressed from snappy's framed format, at most `limit` bytes of it.
    pub(crate) fn decompress(&self, limit: u64) -> Result<Vec<u8>, EntryError> {
        let mut out = Vec::new();
        snap::read::FrameDecoder::new(self.data)
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| EntryError::Snappy(e.to_string()))?;
        if out.len() as u64 > limit {
            return Err(EntryError::TooLarge { limit });
        }
        Ok(out)
    }
}
