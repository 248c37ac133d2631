//! Reads era1 archives of pre-merge Ethereum history: e2store entries, snappy-framed blocks and
//! receipts, the block index and the header accumulator.
//!
//! An era1 file holds up to 8,192 consecutive blocks (one "era") as a sequence of e2store
//! entries: a version entry, one tuple per block (compressed header, compressed body, compressed
//! receipts, total difficulty), the era's accumulator root, and a block index with the offset
//! of every tuple. [`Era1Archive::open`] checks the frame (version, index, accumulator
//! placement); each block is decoded when asked for, so a bad block is reported with its number
//! and the blocks before it are still usable. [`Era1Archive::verify_accumulator`] recomputes the
//! accumulator (the SSZ root of the era's `(block hash, total difficulty)` records) and compares
//! it with the archive's entry and, for the eras the crate knows, with mainnet's.
//!
//! ```no_run
//! # fn main() -> Result<(), era1::Era1Error> {
//! let archive = era1::Era1Archive::open(std::path::Path::new("mainnet-00000.era1"))?;
//! archive.verify_accumulator()?;
//! for block in archive.blocks() {
//!     let block = block?;
//!     println!("{} {:?}", block.number, block.hash());
//! }
//! # Ok(())
//! # }
//! ```

mod accumulator;
mod entry;

use std::path::Path;

use evm_core::block::Header;
use primitive_types::{H256, U256};
use rlp::RlpStream;

pub use accumulator::{MAINNET_ACCUMULATOR_ROOTS, accumulator_root};
use entry::{Entry, EntryKind};

/// Blocks in one era.
pub const ERA_BLOCKS: u64 = 8192;

/// The largest archive read (an era1 file of the busiest pre-merge eras is under 1 GiB).
const MAX_ARCHIVE_BYTES: u64 = 4 << 30;

/// Why an archive or one of its blocks cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Era1Error {
    /// The file could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// The e2store frame is broken (not an era1 file, or truncated).
    #[error("not a valid era1 archive: {0}")]
    Frame(String),
    /// One block's entries are broken.
    #[error("era1 block {number}: {reason}")]
    Block {
        /// The block's number (from the index).
        number: u64,
        /// What is wrong.
        reason: String,
    },
    /// The blocks do not hash to the archive's accumulator root.
    #[error("era1 accumulator: the blocks give {computed:?}, the archive says {stored:?}")]
    AccumulatorMismatch {
        /// Computed from the headers and total difficulties.
        computed: H256,
        /// The archive's accumulator entry.
        stored: H256,
    },
    /// The archive's accumulator is not mainnet's for this era.
    #[error("era1 era {era}: accumulator root {stored:?} is not mainnet's {mainnet:?}")]
    NotMainnet {
        /// The era's index (first block / 8192).
        era: u64,
        /// The archive's root.
        stored: H256,
        /// Mainnet's root for that era.
        mainnet: H256,
    },
}

/// One era1 file, read into memory with its block index checked.
#[derive(Clone, Debug)]
pub struct Era1Archive {
    bytes: Vec<u8>,
    first_block: u64,
    /// Absolute offsets of each block's first entry.
    offsets: Vec<usize>,
    accumulator_root: H256,
}

/// One block of an archive, decompressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Era1Block {
    /// The block number.
    pub number: u64,
    /// The decoded header.
    pub header: Header,
    /// The header's RLP, as archived.
    pub header_rlp: Vec<u8>,
    /// The body's RLP: `[transactions, ommers]`.
    pub body_rlp: Vec<u8>,
    /// The receipts' RLP: a list of receipts (typed ones as byte strings).
    pub receipts_rlp: Vec<u8>,
    /// Sum of the difficulties from genesis to this block.
    pub total_difficulty: U256,
}

impl Era1Block {
    /// The block's hash (Keccak-256 of the archived header).
    pub fn hash(&self) -> H256 {
        witness::keccak256(&self.header_rlp)
    }

    /// The whole block as the network sends it: `rlp([header, transactions, ommers])`.
    pub fn block_rlp(&self) -> Result<Vec<u8>, Era1Error> {
        let bad = |reason: String| Era1Error::Block {
            number: self.number,
            reason,
        };
        let mut body = witness::rlp::decode_list(&self.body_rlp)
            .map_err(|e| bad(format!("body is not an RLP list: {e}")))?;
        let mut items = Vec::new();
        while let Some((_, raw)) = body.next_raw().map_err(|e| bad(format!("body: {e}")))? {
            items.push(raw);
        }
        if !(2..=3).contains(&items.len()) {
            return Err(bad(format!(
                "body has {} items, expected transactions and ommers",
                items.len()
            )));
        }
        let mut stream = RlpStream::new_list(1 + items.len());
        stream.append_raw(&self.header_rlp, 1);
        for item in items {
            stream.append_raw(item, 1);
        }
        Ok(stream.out().to_vec())
    }

    /// The root of the archived receipts' trie, to check the archive against the header.
    pub fn receipts_root(&self) -> Result<H256, Era1Error> {
        let bad = |reason: String| Era1Error::Block {
            number: self.number,
            reason,
        };
        let mut list = witness::rlp::decode_list(&self.receipts_rlp)
            .map_err(|e| bad(format!("receipts are not an RLP list: {e}")))?;
        let mut values = Vec::new();
        while let Some((item, raw)) = list.next_raw().map_err(|e| bad(format!("receipts: {e}")))? {
            // A typed receipt is archived as a byte string holding its EIP-2718 envelope,
            // which is what the trie holds; a legacy one is the list itself.
            let value = match item {
                witness::rlp::Item::Bytes(envelope) => envelope.to_vec(),
                witness::rlp::Item::List(_) => raw.to_vec(),
            };
            values.push(value);
        }
        Ok(witness::ordered_trie_root(&values))
    }
}

impl Era1Archive {
    /// Reads and frames the archive at `path`.
    pub fn open(path: &Path) -> Result<Era1Archive, Era1Error> {
        let io = |reason: String| Era1Error::Io {
            path: path.display().to_string(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| io(e.to_string()))?
            .len();
        if size > MAX_ARCHIVE_BYTES {
            return Err(io(format!(
                "{size} bytes, more than an era1 archive can hold ({MAX_ARCHIVE_BYTES})"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
        Era1Archive::from_bytes(bytes)
    }

    /// Frames an archive already in memory: the version entry first, the block index last, the
    /// accumulator right before it, every indexed offset on a header entry.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Era1Archive, Era1Error> {
        let frame = |reason: String| Era1Error::Frame(reason);
        let version = Entry::read(&bytes, 0).map_err(|e| frame(e.to_string()))?;
        if version.kind != EntryKind::Version || !version.data.is_empty() {
            return Err(frame(format!(
                "the first entry is {}, not the e2store version entry",
                version.kind
            )));
        }
        // The index ends the file: `start (i64) | offsets (i64 each) | count (i64)`.
        let count_at = bytes
            .len()
            .checked_sub(8)
            .ok_or_else(|| frame("shorter than a block index".into()))?;
        let count = u64::from_le_bytes(read8(&bytes, count_at));
        if count == 0 || count > ERA_BLOCKS {
            return Err(frame(format!(
                "the block index counts {count} blocks, an era holds 1 to {ERA_BLOCKS}"
            )));
        }
        let index_len = 16 + 8 * count as usize;
        let index_at = bytes
            .len()
            .checked_sub(entry::HEADER_LEN + index_len)
            .ok_or_else(|| frame(format!("too short for an index of {count} blocks")))?;
        let index = Entry::read(&bytes, index_at).map_err(|e| frame(e.to_string()))?;
        if index.kind != EntryKind::BlockIndex || index.data.len() != index_len {
            return Err(frame(format!(
                "no block index at the end (found {} of {} bytes)",
                index.kind,
                index.data.len()
            )));
        }
        let first_block = u64::from_le_bytes(read8(index.data, 0));
        if first_block.checked_add(count).is_none() {
            return Err(frame(format!("first block {first_block} out of range")));
        }
        let accumulator_at = index_at
            .checked_sub(entry::HEADER_LEN + 32)
            .ok_or_else(|| frame("no accumulator before the index".into()))?;
        let accumulator = Entry::read(&bytes, accumulator_at).map_err(|e| frame(e.to_string()))?;
        if accumulator.kind != EntryKind::Accumulator || accumulator.data.len() != 32 {
            return Err(frame(format!(
                "the entry before the index is {}, not the 32-byte accumulator",
                accumulator.kind
            )));
        }
        let accumulator_root = H256::from_slice(accumulator.data);
        let mut offsets = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let relative = i64::from_le_bytes(read8(index.data, 8 + 8 * i));
            let absolute = (index_at as i64)
                .checked_add(relative)
                .filter(|at| *at >= entry::HEADER_LEN as i64 && (*at as usize) < accumulator_at)
                .ok_or_else(|| {
                    frame(format!(
                        "index offset {relative} of block {} points outside the blocks",
                        first_block + i as u64
                    ))
                })?;
            offsets.push(absolute as usize);
        }
        Ok(Era1Archive {
            bytes,
            first_block,
            offsets,
            accumulator_root,
        })
    }

    /// The first block's number.
    pub fn first_block(&self) -> u64 {
        self.first_block
    }

    /// How many blocks the archive holds.
    pub fn len(&self) -> u64 {
        self.offsets.len() as u64
    }

    /// Whether it holds none (never, for an archive that opened).
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The last block's number.
    pub fn last_block(&self) -> u64 {
        self.first_block + self.len() - 1
    }

    /// The era's index: the first block / 8192.
    pub fn era(&self) -> u64 {
        self.first_block / ERA_BLOCKS
    }

    /// The archive's accumulator entry.
    pub fn accumulator_root(&self) -> H256 {
        self.accumulator_root
    }

    /// Block `number`, decompressed and its header decoded (`None` if the archive does not
    /// hold it).
    pub fn block(&self, number: u64) -> Option<Result<Era1Block, Era1Error>> {
        let position = number.checked_sub(self.first_block)?;
        let offset = *self.offsets.get(usize::try_from(position).ok()?)?;
        Some(self.block_at(number, offset))
    }

    /// Every block, in order.
    pub fn blocks(&self) -> impl Iterator<Item = Result<Era1Block, Era1Error>> + '_ {
        (self.first_block..=self.last_block()).filter_map(|number| self.block(number))
    }

    /// Recomputes the accumulator from every block's hash and total difficulty and checks it
    /// against the archive's entry, then, for an era whose mainnet root the crate has, against
    /// mainnet's. Returns the root.
    pub fn verify_accumulator(&self) -> Result<H256, Era1Error> {
        let mut records = Vec::with_capacity(self.offsets.len());
        for block in self.blocks() {
            let block = block?;
            records.push((block.hash(), block.total_difficulty));
        }
        let computed = accumulator_root(&records);
        if computed != self.accumulator_root {
            return Err(Era1Error::AccumulatorMismatch {
                computed,
                stored: self.accumulator_root,
            });
        }
        if self.first_block.is_multiple_of(ERA_BLOCKS)
            && let Some(mainnet) = MAINNET_ACCUMULATOR_ROOTS.get(self.era() as usize)
            && *mainnet != computed
        {
            return Err(Era1Error::NotMainnet {
                era: self.era(),
                stored: computed,
                mainnet: *mainnet,
            });
        }
        Ok(computed)
    }

    /// Whether this era's mainnet accumulator root is built in (so `verify_accumulator` proves
    /// the archive is mainnet's, not only self-consistent).
    pub fn mainnet_root_known(&self) -> bool {
        self.first_block.is_multiple_of(ERA_BLOCKS)
            && (self.era() as usize) < MAINNET_ACCUMULATOR_ROOTS.len()
    }

    fn block_at(&self, number: u64, offset: usize) -> Result<Era1Block, Era1Error> {
        let bad = |reason: String| Era1Error::Block { number, reason };
        let header = Entry::read(&self.bytes, offset).map_err(|e| bad(e.to_string()))?;
        let body = Entry::read(&self.bytes, header.end).map_err(|e| bad(e.to_string()))?;
        let receipts = Entry::read(&self.bytes, body.end).map_err(|e| bad(e.to_string()))?;
        let difficulty = Entry::read(&self.bytes, receipts.end).map_err(|e| bad(e.to_string()))?;
        for (entry, kind) in [
            (&header, EntryKind::CompressedHeader),
            (&body, EntryKind::CompressedBody),
            (&receipts, EntryKind::CompressedReceipts),
            (&difficulty, EntryKind::TotalDifficulty),
        ] {
            if entry.kind != kind {
                return Err(bad(format!("found {} where {kind} belongs", entry.kind)));
            }
        }
        if difficulty.data.len() != 32 {
            return Err(bad(format!(
                "total difficulty of {} bytes, not 32",
                difficulty.data.len()
            )));
        }
        let header_rlp = header
            .decompress(entry::MAX_HEADER_BYTES)
            .map_err(|e| bad(format!("header: {e}")))?;
        let decoded = Header::decode(&header_rlp).map_err(|e| bad(format!("header: {e}")))?;
        if decoded.number != number {
            return Err(bad(format!(
                "the header at this index position is block {}",
                decoded.number
            )));
        }
        Ok(Era1Block {
            number,
            header: decoded,
            header_rlp,
            body_rlp: body
                .decompress(entry::MAX_BODY_BYTES)
                .map_err(|e| bad(format!("body: {e}")))?,
            receipts_rlp: receipts
                .decompress(entry::MAX_BODY_BYTES)
                .map_err(|e| bad(format!("receipts: {e}")))?,
            total_difficulty: U256::from_little_endian(difficulty.data),
        })
    }
}

/// Eight bytes at `at` (the caller has checked the length).
fn read8(bytes: &[u8], at: usize) -> [u8; 8] {
    let mut out = [0u8; 8];
    if let Some(slice) = bytes.get(at..at + 8) {
        out.copy_from_slice(slice);
    }
    out
}

#[cfg(test)]
mod tests;
