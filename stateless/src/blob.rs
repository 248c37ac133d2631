//! The block-data blob: what the execution environment reads through `eth2_blockDataCopy`.
//!
//! A versioned envelope (magic, version) holding the chain config, the block (RLP as on the
//! wire) and its [`Witness`]. The layout, byte by byte, with an annotated example and the limits,
//! is in `docs/blob-format.md`; in short:
//!
//! ```text
//! magic "EEBD" | version 0x02 | chain config | 32-byte parent total difficulty (big-endian)
//!   | u32 len, block | witness: state, codes, headers, keys
//! chain config = u64 chain_id | u8 n, n × fork | u8 tag [, 20-byte deposit contract]
//!   | u8 tag [, u64 DAO fork block] | u8 m, m × (u64 block, u64 bomb delay)
//! fork = u8 index, u8 kind, then kind 0 (block) or 1 (timestamp): u64; kind 2 (total
//!   difficulty): 32 bytes big-endian
//! each witness list = u32 count, count × (u32 len, bytes)
//! ```
//!
//! Integers are little-endian except the 32-byte total difficulties. Decoding is strict and never panics: every length and count is
//! checked against the bytes that remain *before* anything is allocated, every tag must be one of
//! its documented values, forks must be in order, and nothing may follow the last list. Each
//! error names the field, the byte offset and what was expected.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use evm_core::SpecId;
use evm_core::block::{Activation, ChainSpec};
use primitive_types::{H256, U256};
use witness::keccak256;

use crate::block_witness::{PREFIX_LEN, Witness};

/// The first four bytes of every blob: `"EEBD"` (evm-ee block data).
pub const BLOB_MAGIC: [u8; 4] = *b"EEBD";

/// The format version this crate writes and the only one it reads (2 added the bomb delays to
/// the chain config).
pub const BLOB_VERSION: u8 = 2;

/// Most difficulty-bomb delays a chain config can list (mainnet has six).
pub const MAX_BOMB_DELAYS: usize = 8;

/// Most forks a chain config can list: each of evm-core's [`SpecId`]s at most once, in order.
pub const MAX_FORKS: usize = SpecId::ALL.len();

/// Highest fork index on the wire: the last [`SpecId`]'s discriminant (a fork is written as
/// `SpecId as u8`, read back with [`SpecId::from_u8`]).
pub const MAX_FORK_INDEX: u8 = SpecId::ALL[MAX_FORKS - 1] as u8;

/// Activation kind tag of [`ForkActivation::Block`].
const KIND_BLOCK: u8 = 0;
/// Activation kind tag of [`ForkActivation::Timestamp`].
const KIND_TIMESTAMP: u8 = 1;
/// Activation kind tag of [`ForkActivation::TotalDifficulty`].
const KIND_TOTAL_DIFFICULTY: u8 = 2;
/// Optional-field tag: absent.
const TAG_NONE: u8 = 0;
/// Optional-field tag: the value follows.
const TAG_SOME: u8 = 1;

/// When a fork activates: at a block number (Frontier to London), once the parent's total
/// difficulty reaches a terminal total difficulty (the merge, Paris) or at a block timestamp
/// (Shanghai and later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForkActivation {
    /// Active from this block number on.
    Block(u64),
    /// Active from the first block whose parent's total difficulty is at least this (a 256-bit
    /// unsigned integer, big-endian).
    TotalDifficulty([u8; 32]),
    /// Active from the first block whose timestamp is at least this (seconds).
    Timestamp(u64),
}

impl ForkActivation {
    /// The kind tag written before the value.
    fn kind(self) -> u8 {
        match self {
            ForkActivation::Block(_) => KIND_BLOCK,
            ForkActivation::Timestamp(_) => KIND_TIMESTAMP,
            ForkActivation::TotalDifficulty(_) => KIND_TOTAL_DIFFICULTY,
        }
    }

    /// Bytes of the fork entry holding this activation: index, kind, value.
    fn entry_len(self) -> usize {
        match self {
            ForkActivation::Block(_) | ForkActivation::Timestamp(_) => 1 + 1 + 8,
            ForkActivation::TotalDifficulty(_) => 1 + 1 + 32,
        }
    }

    /// Position in the activation order: block activations, then total-difficulty ones, then
    /// timestamp ones, each kind by value (the 32-byte big-endian value compares as a number).
    fn order_key(self) -> (u8, [u8; 32]) {
        let (rank, value) = match self {
            ForkActivation::Block(n) => (0, n),
            ForkActivation::TotalDifficulty(td) => return (1, td),
            ForkActivation::Timestamp(t) => (2, t),
        };
        let mut key = [0u8; 32];
        key[24..].copy_from_slice(&value.to_be_bytes());
        (rank, key)
    }
}

impl fmt::Display for ForkActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForkActivation::Block(n) => write!(f, "block {n}"),
            ForkActivation::Timestamp(t) => write!(f, "timestamp {t}"),
            ForkActivation::TotalDifficulty(td) => {
                write!(f, "total difficulty {}", hex_quantity(td))
            }
        }
    }
}

/// A big-endian number as `0x` and lowercase hex without leading zeros (`0x0` for zero).
fn hex_quantity(bytes: &[u8]) -> String {
    let hex = witness::hex::encode(bytes);
    let digits = hex.trim_start_matches("0x").trim_start_matches('0');
    format!("0x{}", if digits.is_empty() { "0" } else { digits })
}

/// The chain rules a block is validated under. Its hash is half of the EE's 32-byte state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Fork activations in order: (fork, activation); on the wire a fork is its `SpecId`
    /// discriminant (0 = Frontier, ...).
    ///
    /// A valid list has strictly increasing forks and activations in order (block
    /// activations, then at most one total-difficulty activation, then timestamp activations,
    /// block and timestamp ones non-decreasing); a fork that is not listed is never activated by
    /// this list.
    pub forks: Vec<(SpecId, ForkActivation)>,
    /// Deposit contract whose `DepositEvent` logs become eth2 deposits, if any.
    pub deposit_contract: Option<[u8; 20]>,
    /// The block of the DAO fork (its irregular state change and extra-data rule), if the chain
    /// took it.
    pub dao_fork_block: Option<u64>,
    /// Difficulty-bomb delays as `(first block, blocks the bomb is pushed back)`, blocks strictly
    /// increasing, at most [`MAX_BOMB_DELAYS`] (see `ChainSpec::bomb_delays`).
    pub bomb_delays: Vec<(u64, u64)>,
}

impl ChainConfig {
    /// The canonical encoding: exactly the chain-config bytes of a blob (see the module docs).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// Length of [`ChainConfig::encode`].
    pub fn encoded_len(&self) -> usize {
        8 + 1
            + self
                .forks
                .iter()
                .map(|(_, activation)| activation.entry_len())
                .sum::<usize>()
            + 1
            + self.deposit_contract.map_or(0, |_| 20)
            + 1
            + self.dao_fork_block.map_or(0, |_| 8)
            + 1
            + 16 * self.bomb_delays.len()
    }

    /// Keccak-256 of the canonical encoding.
    pub fn hash(&self) -> H256 {
        keccak256(&self.encode())
    }

    /// Checks that this config is one [`BlockDataBlob::decode`] accepts (fork indexes in range
    /// and increasing, activations in order, at most one total-difficulty activation, at most
    /// [`MAX_FORKS`] forks). Offsets in the error
    /// are relative to the start of [`ChainConfig::encode`].
    pub fn check(&self) -> Result<(), BlobError> {
        let bytes = self.encode();
        let mut reader = Reader::new(&bytes);
        read_chain_config(&mut reader)?;
        reader.finish()
    }

    /// The compact chain config of `chain` (what the EE commits to), carrying every rule of the
    /// chain: activations by block, total difficulty and timestamp, the DAO fork block and the
    /// bomb delays, the deposit contract.
    ///
    /// Fails if the format cannot hold the schedule: activations out of the format's order
    /// (block ones, then at most one total-difficulty one, then timestamp ones), or a terminal
    /// total difficulty on more than one fork.
    pub fn from_chain_spec(chain: &ChainSpec) -> Result<ChainConfig, BlobError> {
        let config = ChainConfig {
            chain_id: chain.chain_id,
            forks: chain
                .forks
                .iter()
                .map(|(spec, activation)| {
                    let activation = match *activation {
                        Activation::Block(block) => ForkActivation::Block(block),
                        Activation::Timestamp(time) => ForkActivation::Timestamp(time),
                        Activation::TotalDifficulty(ttd) => {
                            let mut bytes = [0u8; 32];
                            ttd.to_big_endian(&mut bytes);
                            ForkActivation::TotalDifficulty(bytes)
                        }
                    };
                    (*spec, activation)
                })
                .collect(),
            deposit_contract: chain.deposit_contract.map(|address| address.0),
            dao_fork_block: chain.dao_fork_block,
            bomb_delays: chain.bomb_delays.clone(),
        };
        config.check()?;
        Ok(config)
    }

    /// The fork schedule evm-core executes under.
    pub fn to_chain_spec(&self) -> ChainSpec {
        ChainSpec {
            chain_id: self.chain_id,
            forks: self
                .forks
                .iter()
                .map(|(spec, activation)| {
                    let activation = match *activation {
                        ForkActivation::Block(block) => Activation::Block(block),
                        ForkActivation::Timestamp(time) => Activation::Timestamp(time),
                        ForkActivation::TotalDifficulty(ttd) => {
                            Activation::TotalDifficulty(U256::from_big_endian(&ttd))
                        }
                    };
                    (*spec, activation)
                })
                .collect(),
            dao_fork_block: self.dao_fork_block,
            bomb_delays: self.bomb_delays.clone(),
            deposit_contract: self.deposit_contract.map(primitive_types::H160),
        }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.chain_id.to_le_bytes());
        // A list this long is invalid anyway; 255 makes `decode` reject it at the count.
        out.push(u8::try_from(self.forks.len()).unwrap_or(u8::MAX));
        for (spec, activation) in &self.forks {
            out.push(*spec as u8);
            out.push(activation.kind());
            match activation {
                ForkActivation::Block(value) | ForkActivation::Timestamp(value) => {
                    out.extend_from_slice(&value.to_le_bytes());
                }
                ForkActivation::TotalDifficulty(td) => out.extend_from_slice(td),
            }
        }
        match &self.deposit_contract {
            None => out.push(TAG_NONE),
            Some(address) => {
                out.push(TAG_SOME);
                out.extend_from_slice(address);
            }
        }
        match self.dao_fork_block {
            None => out.push(TAG_NONE),
            Some(block) => {
                out.push(TAG_SOME);
                out.extend_from_slice(&block.to_le_bytes());
            }
        }
        // A list this long is invalid anyway; 255 makes `decode` reject it at the count.
        out.push(u8::try_from(self.bomb_delays.len()).unwrap_or(u8::MAX));
        for (block, delay) in &self.bomb_delays {
            out.extend_from_slice(&block.to_le_bytes());
            out.extend_from_slice(&delay.to_le_bytes());
        }
    }
}

/// Everything the EE needs to validate one block: the rules, the parent's total difficulty, the
/// block, the witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDataBlob {
    /// The chain rules; checked by the EE against its pre-state.
    pub chain_config: ChainConfig,
    /// Total difficulty of the block's parent (sum of the difficulties from genesis to the
    /// parent), a 256-bit unsigned integer, big-endian; checked by the EE against its pre-state.
    /// It selects the fork of a total-difficulty activation (the merge).
    pub parent_total_difficulty: [u8; 32],
    /// The block, RLP as on the wire (header, transactions, ommers, withdrawals).
    pub block: Vec<u8>,
    /// The state, codes and ancestor headers the block touches.
    pub witness: Witness,
}

impl BlockDataBlob {
    /// Encodes the blob. The result decodes back to `self` when the chain config passes
    /// [`ChainConfig::check`].
    ///
    /// # Panics
    ///
    /// If the block or a witness item is 4 GiB or larger, or a witness list has 2^32 items or
    /// more: the format's lengths and counts are `u32`. (Unreachable on wasm32.)
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(&BLOB_MAGIC);
        out.push(BLOB_VERSION);
        self.chain_config.encode_into(&mut out);
        out.extend_from_slice(&self.parent_total_difficulty);
        put_len(&mut out, self.block.len(), "block");
        out.extend_from_slice(&self.block);
        for (name, list) in self.witness.lists() {
            put_len(&mut out, list.len(), name);
            for item in list {
                put_len(&mut out, item.len(), name);
                out.extend_from_slice(item);
            }
        }
        out
    }

    /// Length of [`BlockDataBlob::encode`].
    pub fn encoded_len(&self) -> usize {
        BLOB_MAGIC.len()
            + 1
            + self.chain_config.encoded_len()
            + 32
            + PREFIX_LEN
            + self.block.len()
            + self.witness.encoded_len()
    }

    /// Decodes a blob, strictly: see the module docs and `docs/blob-format.md`.
    pub fn decode(bytes: &[u8]) -> Result<BlockDataBlob, BlobError> {
        let mut r = Reader::new(bytes);
        let magic = r.array::<4>(&|| "magic".into())?;
        if magic != BLOB_MAGIC {
            return Err(BlobError::BadMagic { found: magic });
        }
        let version_offset = r.pos;
        let version = r.u8(&|| "version".into())?;
        if version != BLOB_VERSION {
            return Err(BlobError::UnsupportedVersion {
                offset: version_offset,
                found: version,
            });
        }
        let chain_config = read_chain_config(&mut r)?;
        let parent_total_difficulty = r.array::<32>(&|| "parent_total_difficulty".into())?;
        let block = r.bytes(&|| "block".into())?.to_vec();
        let witness = Witness {
            state: read_list(&mut r, "witness.state")?,
            codes: read_list(&mut r, "witness.codes")?,
            headers: read_list(&mut r, "witness.headers")?,
            keys: read_list(&mut r, "witness.keys")?,
        };
        r.finish()?;
        Ok(BlockDataBlob {
            chain_config,
            parent_total_difficulty,
            block,
            witness,
        })
    }
}

fn put_len(out: &mut Vec<u8>, len: usize, what: &str) {
    let len = u32::try_from(len)
        .unwrap_or_else(|_| panic!("{what}: {len} exceeds the blob format's u32 limit"));
    out.extend_from_slice(&len.to_le_bytes());
}

/// Why a blob was rejected. Every variant names the field (a path such as
/// `witness.state[3]`), the byte offset into the blob and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// The first four bytes are not [`BLOB_MAGIC`].
    #[error(
        "magic: found {} at offset 0, expected \"EEBD\" (0x45454244)",
        witness::hex::encode(found)
    )]
    BadMagic {
        /// The four bytes found.
        found: [u8; 4],
    },
    /// The version byte is not [`BLOB_VERSION`].
    #[error("version: found {found} at offset {offset}, expected {BLOB_VERSION}")]
    UnsupportedVersion {
        /// Offset of the version byte (always 4).
        offset: usize,
        /// The version found.
        found: u8,
    },
    /// The input ends inside a fixed-size field.
    #[error(
        "{field}: needs {needed} {} at offset {offset}, only {remaining} {}",
        bytes_word(*needed),
        remain_word(*remaining)
    )]
    Truncated {
        /// The field being read.
        field: String,
        /// Where the field starts.
        offset: usize,
        /// Bytes the field takes.
        needed: usize,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A byte length is larger than what is left of the input.
    #[error(
        "{field}: length {length} at offset {offset} exceeds the {remaining} {} after it, \
         expected at most {remaining}",
        bytes_word(*remaining)
    )]
    LengthTooLarge {
        /// The field whose length this is.
        field: String,
        /// Offset of the 4-byte length.
        offset: usize,
        /// The length read.
        length: u32,
        /// Bytes left after the length.
        remaining: usize,
    },
    /// An item count that the rest of the input cannot hold (each item takes at least a 4-byte
    /// length), or more forks than there are.
    #[error("{field}: count {count} at offset {offset}, expected at most {max}")]
    CountTooLarge {
        /// The list whose count this is.
        field: String,
        /// Offset of the count.
        offset: usize,
        /// The count read.
        count: u32,
        /// The largest count possible at this point.
        max: u64,
    },
    /// A tag byte with no meaning (an activation kind, the deposit-contract or the DAO-fork
    /// presence flag).
    #[error("{field}: tag {found} at offset {offset}, expected {expected}")]
    InvalidTag {
        /// The tagged field.
        field: String,
        /// Offset of the tag.
        offset: usize,
        /// The tag found.
        found: u8,
        /// The tags allowed.
        expected: &'static str,
    },
    /// A fork index that is not a `SpecId` discriminant.
    #[error("{field}: fork index {found} at offset {offset}, expected 0..={MAX_FORK_INDEX}")]
    ForkIndexOutOfRange {
        /// The fork entry.
        field: String,
        /// Offset of the index byte.
        offset: usize,
        /// The index found.
        found: u8,
    },
    /// A fork index not greater than the one before it.
    #[error(
        "{field}: fork index {found} at offset {offset}, expected greater than the previous \
         fork's {previous}"
    )]
    ForkOutOfOrder {
        /// The fork entry.
        field: String,
        /// Offset of the index byte.
        offset: usize,
        /// The index found.
        found: u8,
        /// The previous entry's index.
        previous: u8,
    },
    /// An activation before the previous fork's (a block after a total difficulty or a
    /// timestamp, a total difficulty after a timestamp, or a smaller value of the same kind).
    #[error(
        "{field}: {found} at offset {offset}, expected at or after the previous fork's \
         {previous} (block activations first, then total difficulty, then timestamps, each \
         non-decreasing)"
    )]
    ActivationOutOfOrder {
        /// The fork entry's activation.
        field: String,
        /// Offset of the activation kind byte.
        offset: usize,
        /// The activation found.
        found: ForkActivation,
        /// The previous entry's activation.
        previous: ForkActivation,
    },
    /// A bomb delay that does not start after the previous one.
    #[error(
        "{field}: block {found} at offset {offset}, expected after the previous delay's block \
         {previous} (bomb delays in strictly increasing block order)"
    )]
    BombDelayOutOfOrder {
        /// The delay entry's block.
        field: String,
        /// Offset of the block number.
        offset: usize,
        /// The block found.
        found: u64,
        /// The previous entry's block.
        previous: u64,
    },
    /// A second total-difficulty activation: a chain has one terminal total difficulty.
    #[error(
        "{field}: {found} at offset {offset}, expected at most one total-difficulty activation \
         (fork {previous_index} has {previous})"
    )]
    SecondTotalDifficulty {
        /// The fork entry's activation.
        field: String,
        /// Offset of the activation kind byte.
        offset: usize,
        /// The activation found.
        found: ForkActivation,
        /// Index of the fork that has the first total-difficulty activation.
        previous_index: u8,
        /// That fork's activation.
        previous: ForkActivation,
    },
    /// Bytes after the last witness list.
    #[error(
        "{count} trailing {} at offset {offset}, expected the end of the blob",
        bytes_word(*count)
    )]
    TrailingBytes {
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

fn bytes_word(n: usize) -> &'static str {
    if n == 1 { "byte" } else { "bytes" }
}

fn remain_word(n: usize) -> &'static str {
    if n == 1 { "remains" } else { "remain" }
}

/// Field names are built only when an error is reported.
type FieldName<'f> = &'f dyn Fn() -> String;

/// A cursor over untrusted bytes; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, field: FieldName<'_>) -> Result<&'a [u8], BlobError> {
        let remaining = self.remaining();
        if n > remaining {
            return Err(BlobError::Truncated {
                field: field(),
                offset: self.pos,
                needed: n,
                remaining,
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: FieldName<'_>) -> Result<[u8; N], BlobError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    fn u8(&mut self, field: FieldName<'_>) -> Result<u8, BlobError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn u32(&mut self, field: FieldName<'_>) -> Result<u32, BlobError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    fn u64(&mut self, field: FieldName<'_>) -> Result<u64, BlobError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A `u32` length, then that many bytes.
    fn bytes(&mut self, field: FieldName<'_>) -> Result<&'a [u8], BlobError> {
        let offset = self.pos;
        let length = self.u32(field)?;
        let remaining = self.remaining();
        // u32 -> usize is lossless on every target this crate supports (32 and 64 bits).
        if length as usize > remaining {
            return Err(BlobError::LengthTooLarge {
                field: field(),
                offset,
                length,
                remaining,
            });
        }
        self.take(length as usize, field)
    }

    fn finish(&self) -> Result<(), BlobError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(BlobError::TrailingBytes {
                offset: self.pos,
                count,
            }),
        }
    }
}

fn read_chain_config(r: &mut Reader<'_>) -> Result<ChainConfig, BlobError> {
    let chain_id = r.u64(&|| "chain_config.chain_id".into())?;

    let count_offset = r.pos;
    let count = r.u8(&|| "chain_config.forks".into())?;
    if usize::from(count) > MAX_FORKS {
        return Err(BlobError::CountTooLarge {
            field: "chain_config.forks".into(),
            offset: count_offset,
            count: count.into(),
            max: MAX_FORKS as u64,
        });
    }
    let mut forks: Vec<(SpecId, ForkActivation)> = Vec::with_capacity(count.into());
    for i in 0..usize::from(count) {
        let index_offset = r.pos;
        let index = r.u8(&|| format!("chain_config.forks[{i}].index"))?;
        let Some(spec) = SpecId::from_u8(index) else {
            return Err(BlobError::ForkIndexOutOfRange {
                field: format!("chain_config.forks[{i}].index"),
                offset: index_offset,
                found: index,
            });
        };
        let kind_offset = r.pos;
        let kind = r.u8(&|| format!("chain_config.forks[{i}].kind"))?;
        let value_field = || format!("chain_config.forks[{i}].activation");
        let activation = match kind {
            KIND_BLOCK => ForkActivation::Block(r.u64(&value_field)?),
            KIND_TIMESTAMP => ForkActivation::Timestamp(r.u64(&value_field)?),
            KIND_TOTAL_DIFFICULTY => ForkActivation::TotalDifficulty(r.array(&value_field)?),
            found => {
                return Err(BlobError::InvalidTag {
                    field: format!("chain_config.forks[{i}].kind"),
                    offset: kind_offset,
                    found,
                    expected: "0 (block), 1 (timestamp) or 2 (total difficulty)",
                });
            }
        };
        if let Some(&(previous_spec, previous)) = forks.last() {
            if spec <= previous_spec {
                return Err(BlobError::ForkOutOfOrder {
                    field: format!("chain_config.forks[{i}].index"),
                    offset: index_offset,
                    found: index,
                    previous: previous_spec as u8,
                });
            }
            if activation.order_key() < previous.order_key() {
                return Err(BlobError::ActivationOutOfOrder {
                    field: format!("chain_config.forks[{i}].activation"),
                    offset: kind_offset,
                    found: activation,
                    previous,
                });
            }
        }
        if let ForkActivation::TotalDifficulty(_) = activation
            && let Some(&(previous_spec, previous)) = forks
                .iter()
                .find(|(_, a)| matches!(a, ForkActivation::TotalDifficulty(_)))
        {
            return Err(BlobError::SecondTotalDifficulty {
                field: value_field(),
                offset: kind_offset,
                found: activation,
                previous_index: previous_spec as u8,
                previous,
            });
        }
        forks.push((spec, activation));
    }

    let tag_offset = r.pos;
    let deposit_contract = match r.u8(&|| "chain_config.deposit_contract".into())? {
        TAG_NONE => None,
        TAG_SOME => Some(r.array::<20>(&|| "chain_config.deposit_contract.address".into())?),
        found => {
            return Err(BlobError::InvalidTag {
                field: "chain_config.deposit_contract".into(),
                offset: tag_offset,
                found,
                expected: "0 (none) or 1 (20-byte address follows)",
            });
        }
    };

    let tag_offset = r.pos;
    let dao_fork_block = match r.u8(&|| "chain_config.dao_fork_block".into())? {
        TAG_NONE => None,
        TAG_SOME => Some(r.u64(&|| "chain_config.dao_fork_block.number".into())?),
        found => {
            return Err(BlobError::InvalidTag {
                field: "chain_config.dao_fork_block".into(),
                offset: tag_offset,
                found,
                expected: "0 (none) or 1 (u64 block number follows)",
            });
        }
    };

    let count_offset = r.pos;
    let count = r.u8(&|| "chain_config.bomb_delays".into())?;
    if usize::from(count) > MAX_BOMB_DELAYS {
        return Err(BlobError::CountTooLarge {
            field: "chain_config.bomb_delays".into(),
            offset: count_offset,
            count: count.into(),
            max: MAX_BOMB_DELAYS as u64,
        });
    }
    let mut bomb_delays: Vec<(u64, u64)> = Vec::with_capacity(count.into());
    for i in 0..usize::from(count) {
        let block_offset = r.pos;
        let block = r.u64(&|| format!("chain_config.bomb_delays[{i}].block"))?;
        let delay = r.u64(&|| format!("chain_config.bomb_delays[{i}].delay"))?;
        if let Some(&(previous, _)) = bomb_delays.last()
            && block <= previous
        {
            return Err(BlobError::BombDelayOutOfOrder {
                field: format!("chain_config.bomb_delays[{i}].block"),
                offset: block_offset,
                found: block,
                previous,
            });
        }
        bomb_delays.push((block, delay));
    }

    Ok(ChainConfig {
        chain_id,
        forks,
        deposit_contract,
        dao_fork_block,
        bomb_delays,
    })
}

/// A `u32` count, then that many `u32`-length-prefixed items. The count is checked against the
/// remaining input (4 bytes per item at least) before the list is allocated.
fn read_list(r: &mut Reader<'_>, name: &'static str) -> Result<Vec<Vec<u8>>, BlobError> {
    let offset = r.pos;
    let count = r.u32(&|| name.into())?;
    let max = r.remaining() / PREFIX_LEN;
    if count as usize > max {
        return Err(BlobError::CountTooLarge {
            field: name.into(),
            offset,
            count,
            max: max as u64,
        });
    }
    let mut items = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        items.push(r.bytes(&|| format!("{name}[{i}]"))?.to_vec());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    /// Mainnet's terminal total difficulty, 58750000000000000000000, as 32 big-endian bytes.
    const TTD: [u8; 32] = {
        let mut td = [0u8; 32];
        let low = 58_750_000_000_000_000_000_000u128.to_be_bytes();
        let mut i = 0;
        while i < 16 {
            td[16 + i] = low[i];
            i += 1;
        }
        td
    };

    #[test]
    fn chain_config_round_trips() {
        for network in [
            "ParisToShanghaiAtTime15k",
            "ArrowGlacierToParisAtDiffC0000",
            "HomesteadToDaoAt5",
            "Cancun",
        ] {
            let chain = ChainSpec::from_test_network(network).unwrap();
            let config = ChainConfig::from_chain_spec(&chain).unwrap();
            config.check().unwrap();
            assert_eq!(config.dao_fork_block, chain.dao_fork_block, "{network}");
            assert_eq!(config.to_chain_spec(), chain, "{network}");
        }
        let merge = ChainConfig::from_chain_spec(
            &ChainSpec::from_test_network("ArrowGlacierToParisAtDiffC0000").unwrap(),
        )
        .unwrap();
        let mut ttd = [0u8; 32];
        ttd[29..].copy_from_slice(&[0x0c, 0x00, 0x00]);
        assert_eq!(
            merge.forks.last(),
            Some(&(SpecId::Paris, ForkActivation::TotalDifficulty(ttd)))
        );
        assert_eq!(
            ChainConfig::from_chain_spec(
                &ChainSpec::from_test_network("HomesteadToDaoAt5").unwrap()
            )
            .unwrap()
            .dao_fork_block,
            Some(5)
        );
        // Two forks at a terminal total difficulty: the format has room for one.
        let two_ttd = ChainSpec::from_test_network("BerlinToParisAtDiffC0000").unwrap();
        assert!(matches!(
            ChainConfig::from_chain_spec(&two_ttd),
            Err(BlobError::SecondTotalDifficulty { .. })
        ));
    }

    /// A small valid blob: the example of `docs/blob-format.md`.
    fn small() -> BlockDataBlob {
        BlockDataBlob {
            chain_config: ChainConfig {
                chain_id: 1,
                forks: vec![
                    (SpecId::Paris, ForkActivation::TotalDifficulty(TTD)),
                    (SpecId::Shanghai, ForkActivation::Timestamp(0)),
                    (SpecId::Cancun, ForkActivation::Timestamp(15_000)),
                ],
                deposit_contract: Some([0x42; 20]),
                dao_fork_block: Some(1_920_000),
                bomb_delays: vec![(4_370_000, 3_000_000), (7_280_000, 5_000_000)],
            },
            parent_total_difficulty: TTD,
            block: vec![0xc3, 0xc0, 0xc0, 0xc0],
            witness: Witness {
                state: vec![vec![0x80]],
                codes: vec![vec![0x60, 0x00]],
                headers: vec![vec![0xc0]],
                keys: vec![],
            },
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn err(bytes: &[u8]) -> String {
        BlockDataBlob::decode(bytes).unwrap_err().to_string()
    }

    /// The bytes of the annotated example in `docs/blob-format.md`.
    #[test]
    fn documented_example() {
        let bytes = small().encode();
        let expected = concat!(
            "45454244",         // magic "EEBD"
            "02",               // version
            "0100000000000000", // chain_id 1
            "03",               // 3 forks
            "0a02",             // Paris at total difficulty
            "000000000000000000000000000000000000000000000c70d808a128d7380000",
            "0b010000000000000000", // Shanghai at timestamp 0
            "0c01983a000000000000", // Cancun at timestamp 15000
            "01",                   // deposit contract follows
            "4242424242424242424242424242424242424242",
            "01004c1d0000000000",               // DAO fork at block 1920000
            "02",                               // 2 bomb delays
            "50ae420000000000c0c62d0000000000", // from block 4370000, 3000000
            "80156f0000000000404b4c0000000000", // from block 7280000, 5000000
            // parent total difficulty
            "000000000000000000000000000000000000000000000c70d808a128d7380000",
            "04000000c3c0c0c0", // block, 4 bytes
            "01000000",
            "0100000080", // state: 1 node
            "01000000",
            "020000006000", // codes: 1 code
            "01000000",
            "01000000c0", // headers: 1 header
            "00000000",   // keys: none
        );
        assert_eq!(hex(&bytes), expected);
        assert_eq!(bytes.len(), small().encoded_len());
        assert_eq!(bytes.len(), 203);
        assert_eq!(small().chain_config.encoded_len(), 126);
        assert_eq!(BlockDataBlob::decode(&bytes).unwrap(), small());
    }

    #[test]
    fn chain_config_hash_is_keccak_of_its_bytes_in_the_blob() {
        let blob = small();
        let bytes = blob.encode();
        let config_len = blob.chain_config.encoded_len();
        assert_eq!(blob.chain_config.encode(), bytes[5..5 + config_len]);
        assert_eq!(
            blob.chain_config.hash(),
            keccak256(&bytes[5..5 + config_len])
        );
        let other = ChainConfig {
            chain_id: 2,
            ..blob.chain_config.clone()
        };
        assert_ne!(other.hash(), blob.chain_config.hash());
        assert_eq!(blob.chain_config.check(), Ok(()));
    }

    #[test]
    fn empty_everything_round_trips() {
        let blob = BlockDataBlob {
            chain_config: ChainConfig {
                chain_id: 0,
                forks: vec![],
                deposit_contract: None,
                dao_fork_block: None,
                bomb_delays: Vec::new(),
            },
            parent_total_difficulty: [0; 32],
            block: vec![],
            witness: Witness::default(),
        };
        let bytes = blob.encode();
        assert_eq!(bytes.len(), 4 + 1 + 12 + 32 + 4 + 16);
        assert_eq!(BlockDataBlob::decode(&bytes).unwrap(), blob);
    }

    #[test]
    fn bad_magic() {
        let mut bytes = small().encode();
        bytes[0] = b'X';
        assert_eq!(
            err(&bytes),
            "magic: found 0x58454244 at offset 0, expected \"EEBD\" (0x45454244)"
        );
    }

    #[test]
    fn unsupported_version() {
        let mut bytes = small().encode();
        bytes[4] = 1;
        assert_eq!(err(&bytes), "version: found 1 at offset 4, expected 2");
    }

    #[test]
    fn truncated_messages() {
        let bytes = small().encode();
        assert_eq!(
            err(&bytes[..2]),
            "magic: needs 4 bytes at offset 0, only 2 remain"
        );
        assert_eq!(
            err(&bytes[..5]),
            "chain_config.chain_id: needs 8 bytes at offset 5, only 0 remain"
        );
        assert_eq!(
            err(&bytes[..20]),
            "chain_config.forks[0].activation: needs 32 bytes at offset 16, only 4 remain"
        );
        assert_eq!(
            err(&bytes[..48]),
            "chain_config.forks[1].index: needs 1 byte at offset 48, only 0 remain"
        );
        assert_eq!(
            err(&bytes[..54]),
            "chain_config.forks[1].activation: needs 8 bytes at offset 50, only 4 remain"
        );
        assert_eq!(
            err(&bytes[..202]),
            "witness.keys: needs 4 bytes at offset 199, only 3 remain"
        );
        assert_eq!(
            err(&bytes[..200]),
            "witness.keys: needs 4 bytes at offset 199, only 1 remains"
        );
        assert_eq!(
            err(&bytes[..74]),
            "chain_config.deposit_contract.address: needs 20 bytes at offset 69, only 5 remain"
        );
        assert_eq!(
            err(&bytes[..89]),
            "chain_config.dao_fork_block: needs 1 byte at offset 89, only 0 remain"
        );
        assert_eq!(
            err(&bytes[..93]),
            "chain_config.dao_fork_block.number: needs 8 bytes at offset 90, only 3 remain"
        );
        assert_eq!(
            err(&bytes[..133]),
            "parent_total_difficulty: needs 32 bytes at offset 131, only 2 remain"
        );
        // The block's length says 4, two bytes are there.
        assert_eq!(
            err(&bytes[..169]),
            "block: length 4 at offset 163 exceeds the 2 bytes after it, expected at most 2"
        );
        assert_eq!(
            err(&bytes[..bytes.len() - 2]),
            "witness.keys: needs 4 bytes at offset 199, only 2 remain"
        );
    }

    #[test]
    fn length_too_large() {
        let mut bytes = small().encode();
        // witness.state[0]'s length (offset 175) set to 2^32 - 1.
        bytes[175..179].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            err(&bytes),
            "witness.state[0]: length 4294967295 at offset 175 exceeds the 24 bytes after it, \
             expected at most 24"
        );
    }

    #[test]
    fn count_too_large_does_not_allocate() {
        let mut bytes = small().encode();
        // witness.state's count (offset 171) set to 2^32 - 1: rejected before any allocation.
        bytes[171..175].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            err(&bytes),
            "witness.state: count 4294967295 at offset 171, expected at most 7"
        );
        let mut bytes = small().encode();
        bytes[13] = 14;
        assert_eq!(
            err(&bytes),
            "chain_config.forks: count 14 at offset 13, expected at most 13"
        );
    }

    #[test]
    fn invalid_tags() {
        let mut bytes = small().encode();
        bytes[15] = 3; // forks[0].kind
        assert_eq!(
            err(&bytes),
            "chain_config.forks[0].kind: tag 3 at offset 15, expected 0 (block), 1 (timestamp) \
             or 2 (total difficulty)"
        );
        let mut bytes = small().encode();
        bytes[68] = 7; // deposit_contract tag
        assert_eq!(
            err(&bytes),
            "chain_config.deposit_contract: tag 7 at offset 68, expected 0 (none) or 1 \
             (20-byte address follows)"
        );
        let mut bytes = small().encode();
        bytes[89] = 2; // dao_fork_block tag
        assert_eq!(
            err(&bytes),
            "chain_config.dao_fork_block: tag 2 at offset 89, expected 0 (none) or 1 \
             (u64 block number follows)"
        );
    }

    #[test]
    fn fork_index_out_of_range() {
        let mut bytes = small().encode();
        bytes[48] = 14; // forks[1].index
        assert_eq!(
            err(&bytes),
            "chain_config.forks[1].index: fork index 14 at offset 48, expected 0..=12"
        );
    }

    #[test]
    fn fork_out_of_order() {
        let mut bytes = small().encode();
        bytes[58] = 11; // forks[2].index equal to forks[1]'s
        assert_eq!(
            err(&bytes),
            "chain_config.forks[2].index: fork index 11 at offset 58, expected greater than \
             the previous fork's 11"
        );
    }

    #[test]
    fn activation_out_of_order() {
        let mut config = small().chain_config;
        config.forks = vec![
            (SpecId::London, ForkActivation::Block(5)),
            (SpecId::Paris, ForkActivation::Block(4)),
        ];
        assert_eq!(
            config.check().unwrap_err().to_string(),
            "chain_config.forks[1].activation: block 4 at offset 20, expected at or after the \
             previous fork's block 5 (block activations first, then total difficulty, then \
             timestamps, each non-decreasing)"
        );
        // A total difficulty after a timestamp, a block after a total difficulty.
        config.forks = vec![
            (SpecId::Shanghai, ForkActivation::Timestamp(0)),
            (SpecId::Cancun, ForkActivation::TotalDifficulty([1; 32])),
        ];
        assert!(matches!(
            config.check(),
            Err(BlobError::ActivationOutOfOrder { offset: 20, .. })
        ));
        config.forks = vec![
            (SpecId::Paris, ForkActivation::TotalDifficulty(TTD)),
            (SpecId::Shanghai, ForkActivation::Block(0)),
        ];
        assert_eq!(
            config.check().unwrap_err().to_string(),
            "chain_config.forks[1].activation: block 0 at offset 44, expected at or after the \
             previous fork's total difficulty 0xc70d808a128d7380000 (block activations first, \
             then total difficulty, then timestamps, each non-decreasing)"
        );
        config.forks = vec![
            (SpecId::Shanghai, ForkActivation::Timestamp(0)),
            (SpecId::Cancun, ForkActivation::Block(100)),
        ];
        let blob = BlockDataBlob {
            chain_config: config,
            ..small()
        };
        assert!(matches!(
            BlockDataBlob::decode(&blob.encode()),
            Err(BlobError::ActivationOutOfOrder { offset: 25, .. })
        ));
        // Equal activations are fine: several forks at genesis.
        let config = ChainConfig {
            chain_id: 1,
            forks: SpecId::ALL
                .iter()
                .map(|spec| (*spec, ForkActivation::Block(0)))
                .collect(),
            deposit_contract: None,
            dao_fork_block: None,
            bomb_delays: Vec::new(),
        };
        assert_eq!(config.check(), Ok(()));
    }

    #[test]
    fn at_most_one_total_difficulty_activation() {
        let mut config = small().chain_config;
        config.forks = vec![
            (SpecId::London, ForkActivation::TotalDifficulty([0; 32])),
            (SpecId::Paris, ForkActivation::TotalDifficulty([0; 32])),
        ];
        assert_eq!(
            config.check().unwrap_err().to_string(),
            "chain_config.forks[1].activation: total difficulty 0x0 at offset 44, expected at \
             most one total-difficulty activation (fork 9 has total difficulty 0x0)"
        );
        // Between block and timestamp activations, the one allowed.
        config.forks = vec![
            (SpecId::Frontier, ForkActivation::Block(0)),
            (SpecId::London, ForkActivation::Block(12_965_000)),
            (SpecId::Paris, ForkActivation::TotalDifficulty(TTD)),
            (SpecId::Shanghai, ForkActivation::Timestamp(1_681_338_455)),
        ];
        assert_eq!(config.check(), Ok(()));
        assert_eq!(
            ForkActivation::TotalDifficulty(TTD).to_string(),
            "total difficulty 0xc70d808a128d7380000"
        );
    }

    #[test]
    fn bomb_delays_truncated_too_many_or_out_of_order() {
        let bytes = small().encode();
        assert_eq!(
            err(&bytes[..98]),
            "chain_config.bomb_delays: needs 1 byte at offset 98, only 0 remain"
        );
        assert_eq!(
            err(&bytes[..110]),
            "chain_config.bomb_delays[0].delay: needs 8 bytes at offset 107, only 3 remain"
        );
        let mut many = bytes.clone();
        many[98] = 9;
        assert_eq!(
            err(&many),
            "chain_config.bomb_delays: count 9 at offset 98, expected at most 8"
        );
        let mut config = small().chain_config;
        config.bomb_delays = vec![(5, 1), (5, 2)];
        assert_eq!(
            config.check().unwrap_err().to_string(),
            "chain_config.bomb_delays[1].block: block 5 at offset 110, expected after the \
             previous delay's block 5 (bomb delays in strictly increasing block order)"
        );
    }

    #[test]
    fn trailing_bytes() {
        let mut bytes = small().encode();
        bytes.extend_from_slice(&[0, 0, 0]);
        assert_eq!(
            err(&bytes),
            "3 trailing bytes at offset 203, expected the end of the blob"
        );
    }

    #[test]
    fn too_many_forks_in_a_config_is_reported_by_check() {
        let config = ChainConfig {
            chain_id: 1,
            forks: (0..300)
                .map(|_| (SpecId::Frontier, ForkActivation::Block(0)))
                .collect(),
            deposit_contract: None,
            dao_fork_block: None,
            bomb_delays: Vec::new(),
        };
        assert!(matches!(
            config.check(),
            Err(BlobError::CountTooLarge { count: 255, .. })
        ));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = small().encode();
        for end in 0..bytes.len() {
            assert!(
                BlockDataBlob::decode(&bytes[..end]).is_err(),
                "prefix of {end} bytes decoded"
            );
        }
    }

    /// Activations in a valid order: sorted block ones, at most one total difficulty, sorted
    /// timestamp ones; `MAX_FORKS` of them or one more.
    fn activations() -> impl Strategy<Value = Vec<ForkActivation>> {
        (
            proptest::collection::vec(any::<u64>(), MAX_FORKS),
            0..=MAX_FORKS,
            proptest::option::of(any::<[u8; 32]>()),
        )
            .prop_map(|(values, blocks, td)| {
                let (block_values, time_values) = values.split_at(blocks);
                let mut block_values = block_values.to_vec();
                let mut time_values = time_values.to_vec();
                block_values.sort_unstable();
                time_values.sort_unstable();
                block_values
                    .into_iter()
                    .map(ForkActivation::Block)
                    .chain(td.map(ForkActivation::TotalDifficulty))
                    .chain(time_values.into_iter().map(ForkActivation::Timestamp))
                    .collect()
            })
    }

    /// Valid configs: a random subset of forks, activations in order.
    fn chain_config() -> impl Strategy<Value = ChainConfig> {
        (
            any::<u64>(),
            proptest::collection::btree_set(
                proptest::sample::select(SpecId::ALL.to_vec()),
                0..=MAX_FORKS,
            ),
            activations(),
            proptest::option::of(any::<[u8; 20]>()),
            proptest::option::of(any::<u64>()),
            proptest::collection::btree_map(any::<u64>(), any::<u64>(), 0..=MAX_BOMB_DELAYS),
        )
            .prop_map(
                |(chain_id, indexes, activations, deposit_contract, dao_fork_block, delays)| {
                    ChainConfig {
                        chain_id,
                        forks: indexes.into_iter().zip(activations).collect(),
                        deposit_contract,
                        dao_fork_block,
                        bomb_delays: delays.into_iter().collect(),
                    }
                },
            )
    }

    fn items() -> impl Strategy<Value = Vec<Vec<u8>>> {
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..6)
    }

    fn blob() -> impl Strategy<Value = BlockDataBlob> {
        (
            chain_config(),
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 0..100),
            (items(), items(), items(), items()),
        )
            .prop_map(
                |(chain_config, parent_total_difficulty, block, (state, codes, headers, keys))| {
                    BlockDataBlob {
                        chain_config,
                        parent_total_difficulty,
                        block,
                        witness: Witness {
                            state,
                            codes,
                            headers,
                            keys,
                        },
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn round_trip(blob in blob()) {
            let bytes = blob.encode();
            prop_assert_eq!(bytes.len(), blob.encoded_len());
            let witness_start = bytes.len() - blob.witness.encoded_len();
            prop_assert_eq!(&bytes[..4], &BLOB_MAGIC[..]);
            prop_assert!(witness_start >= 5 + blob.chain_config.encoded_len() + 32);
            prop_assert_eq!(
                &bytes[5 + blob.chain_config.encoded_len()..][..32],
                &blob.parent_total_difficulty[..]
            );
            prop_assert_eq!(blob.chain_config.check(), Ok(()));
            prop_assert_eq!(BlockDataBlob::decode(&bytes), Ok(blob));
        }

        #[test]
        fn truncations_and_extensions_are_errors(blob in blob(), extra in 1usize..8) {
            let bytes = blob.encode();
            for end in 0..bytes.len() {
                prop_assert!(BlockDataBlob::decode(&bytes[..end]).is_err());
            }
            let mut longer = bytes.clone();
            longer.resize(bytes.len() + extra, 0);
            prop_assert_eq!(
                BlockDataBlob::decode(&longer),
                Err(BlobError::TrailingBytes { offset: bytes.len(), count: extra })
            );
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = BlockDataBlob::decode(&bytes);
        }

        #[test]
        fn garbage_after_a_valid_header_never_panics(
            tail in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut bytes = b"EEBD\x01".to_vec();
            bytes.extend_from_slice(&tail);
            if let Ok(blob) = BlockDataBlob::decode(&bytes) {
                // Whatever decodes is canonical: it re-encodes to the same bytes.
                prop_assert_eq!(blob.encode(), bytes);
            }
        }

        #[test]
        fn single_byte_corruption_never_panics(blob in blob(), at in any::<usize>(), byte in any::<u8>()) {
            let mut bytes = blob.encode();
            let at = at % bytes.len();
            bytes[at] = byte;
            if let Ok(decoded) = BlockDataBlob::decode(&bytes) {
                prop_assert_eq!(decoded.encode(), bytes);
            }
        }
    }

    #[test]
    fn lengths_exactly_at_the_remaining_input_are_accepted() {
        let blob = BlockDataBlob {
            block: vec![1; 300],
            ..small()
        };
        let bytes = blob.encode();
        assert_eq!(BlockDataBlob::decode(&bytes).unwrap(), blob);
        assert!(matches!(
            BlockDataBlob::decode(&bytes[..bytes.len() - 1]),
            Err(BlobError::Truncated { .. })
        ));
    }
}
