//! What the chains are made of: transactions for an EE on a shard, their receipts, shard blocks,
//! beacon blocks with their EE deployments and crosslinks, and the hashes that commit to them.
//!
//! Hashes are `keccak256` of a canonical JSON encoding: the structs' fields in declaration
//! order, byte strings as `0x` hex, no maps and no floats, so the same block has the same bytes
//! and the same hash everywhere (serde_json writes fields in declaration order).

use serde::{Deserialize, Serialize};

/// A byte string, `0x` hex in JSON.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub Vec<u8>);

/// 32 bytes (a hash, an EE state), `0x` hex in JSON.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes32(pub [u8; 32]);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.len() > 64 {
            write!(
                f,
                "{}.. ({} bytes)",
                witness::hex::encode(&self.0[..32]),
                self.0.len()
            )
        } else {
            f.write_str(&witness::hex::encode(&self.0))
        }
    }
}

impl std::fmt::Debug for Bytes32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&witness::hex::encode(&self.0))
    }
}

impl std::fmt::Display for Bytes32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&witness::hex::encode(&self.0))
    }
}

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&witness::hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        witness::hex::decode(&text)
            .map(Bytes)
            .map_err(|e| serde::de::Error::custom(format!("not 0x hex: {e}")))
    }
}

impl Serialize for Bytes32 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&witness::hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes32 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        witness::hex::decode_fixed::<32>(&text)
            .map(Bytes32)
            .map_err(|e| serde::de::Error::custom(format!("not 32 bytes of 0x hex: {e}")))
    }
}

/// The canonical hash of a value: `keccak256` of its JSON.
pub fn hash_of<T: Serialize>(value: &T) -> Bytes32 {
    // Serializing these plain structs to a Vec cannot fail (no maps with non-string keys, no
    // custom serializer that errors).
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Bytes32(witness::keccak256(&bytes).to_fixed_bytes())
}

/// A transaction: block data for EE `ee` on shard `shard`. `nonce` is the submitter's choice
/// and makes equal payloads distinct transactions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// The shard.
    pub shard: u32,
    /// The EE's index.
    pub ee: u32,
    /// The block data the EE runs on.
    pub data: Bytes,
    /// Free for the submitter (defaults to 0).
    #[serde(default)]
    pub nonce: u64,
}

impl Transaction {
    /// Its hash.
    pub fn hash(&self) -> Bytes32 {
        hash_of(self)
    }
}

/// What running a transaction gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The EE returned: the root it saved (32 zero bytes if none, Scout's rule) is the EE's
    /// state on the shard now.
    Accepted {
        /// The EE's state after the transaction.
        post_state: Bytes32,
        /// Deposits the EE pushed.
        deposits: Vec<Bytes>,
    },
    /// The EE trapped; the state is unchanged.
    Rejected {
        /// The EE's words (its last debug message) and the trap.
        reason: String,
    },
}

/// A transaction's receipt in its block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The transaction.
    pub tx_hash: Bytes32,
    /// The EE's state before it.
    pub pre_state: Bytes32,
    /// Ticks it used (the same in every engine).
    pub ticks: u64,
    /// Accepted with the new state, or rejected with the reason.
    pub outcome: Outcome,
}

impl Receipt {
    /// The EE accepted it.
    pub fn accepted(&self) -> bool {
        matches!(self.outcome, Outcome::Accepted { .. })
    }
}

/// One EE's state on a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EeState {
    /// The EE.
    pub ee: u32,
    /// Its 32-byte state.
    pub state: Bytes32,
}

/// The commitment to a shard's EE states: the hash of the list in EE order.
pub fn states_root(states: &[EeState]) -> Bytes32 {
    hash_of(&states)
}

/// The header of a shard block: what its hash commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// The shard.
    pub shard: u32,
    /// Its number on the shard (genesis is 0).
    pub number: u64,
    /// The beacon slot it was made in.
    pub slot: u64,
    /// The previous block's hash on the shard (zero for the first).
    pub parent_hash: Bytes32,
    /// The beacon block of its slot.
    pub beacon_hash: Bytes32,
    /// The hash of the transaction list.
    pub transactions_root: Bytes32,
    /// The hash of the receipt list.
    pub receipts_root: Bytes32,
    /// The shard's EE states after it.
    pub states_root: Bytes32,
    /// Ticks of all its transactions.
    pub ticks: u64,
}

/// A shard block: its header, transactions and receipts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardBlock {
    /// What the hash commits to.
    pub header: ShardHeader,
    /// Transactions in order.
    pub transactions: Vec<Transaction>,
    /// One receipt per transaction.
    pub receipts: Vec<Receipt>,
}

impl ShardBlock {
    /// The header's hash.
    pub fn hash(&self) -> Bytes32 {
        hash_of(&self.header)
    }
}

/// An EE deployed by a beacon block: its code (by hash; the code travels beside the block) and
/// its state on every shard to start with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The index it gets.
    pub ee: u32,
    /// `keccak256` of the wasm.
    pub code_hash: Bytes32,
    /// Its state on every shard until a transaction changes it.
    pub initial_state: Bytes32,
    /// The libraries it imports functions from (Scout's `libraries`), linked when it loads;
    /// absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<LibraryRef>,
}

/// A library an EE links: the import module name its functions come from, and the library's
/// code by hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryRef {
    /// The import module name.
    pub name: String,
    /// `keccak256` of the library's wasm.
    pub code_hash: Bytes32,
}

/// A library with its code, as a deployment request and a slot carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryCode {
    /// The import module name.
    pub name: String,
    /// The wasm.
    pub code: Bytes,
}

impl LibraryCode {
    /// Its reference: the name and the code's hash.
    pub fn reference(&self) -> LibraryRef {
        LibraryRef {
            name: self.name.clone(),
            code_hash: Bytes32(witness::keccak256(&self.code.0).to_fixed_bytes()),
        }
    }

    /// The host's form of it.
    pub fn to_library(&self) -> evm_ee_host::Library {
        evm_ee_host::Library {
            name: self.name.clone(),
            wasm: self.code.0.clone(),
        }
    }
}

/// A shard's latest block as the beacon chain records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crosslink {
    /// The shard.
    pub shard: u32,
    /// Its latest block's number.
    pub number: u64,
    /// Its latest block's hash.
    pub block_hash: Bytes32,
    /// The EE states after it.
    pub states_root: Bytes32,
}

/// A beacon block: one per slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeaconBlock {
    /// Its slot (genesis is 0).
    pub slot: u64,
    /// The previous slot's beacon block (zero for genesis).
    pub parent_hash: Bytes32,
    /// EEs it deploys.
    pub deployments: Vec<Deployment>,
    /// The shards' blocks of the previous slot (every shard, in shard order).
    pub crosslinks: Vec<Crosslink>,
}

impl BeaconBlock {
    /// Its hash.
    pub fn hash(&self) -> Bytes32 {
        hash_of(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_as_hex_and_bad_hex_is_refused() {
        let tx = Transaction {
            shard: 1,
            ee: 0,
            data: Bytes(vec![0xab, 0xcd]),
            nonce: 7,
        };
        let json = serde_json::to_string(&tx).unwrap();
        assert_eq!(json, r#"{"shard":1,"ee":0,"data":"0xabcd","nonce":7}"#);
        assert_eq!(serde_json::from_str::<Transaction>(&json).unwrap(), tx);
        assert!(
            serde_json::from_str::<Transaction>(r#"{"shard":1,"ee":0,"data":"0xzz"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<Transaction>(r#"{"shard":1,"ee":0,"data":"0x","x":1}"#).is_err()
        );
        assert!(serde_json::from_str::<Bytes32>(r#""0x00""#).is_err());
    }

    #[test]
    fn hashes_follow_the_content() {
        let a = Transaction {
            shard: 0,
            ee: 0,
            data: Bytes(vec![1]),
            nonce: 0,
        };
        let mut b = a.clone();
        assert_eq!(a.hash(), b.hash());
        b.nonce = 1;
        assert_ne!(a.hash(), b.hash());
    }
}
