//! The witness of a block: every trie node, contract code and ancestor header the block's
//! execution touches, in the shape of geth's and reth's `debug_executionWitness`.
//!
//! This type only carries bytes; nothing here has been checked. Verification against a state
//! root happens elsewhere in the crate, and the byte layout inside the block-data blob is in
//! `blob.rs` (documented in `docs/blob-format.md`).

use alloc::vec::Vec;

/// Bytes of one count or length prefix in the blob encoding (`u32`, little-endian).
pub(crate) const PREFIX_LEN: usize = 4;

/// The state a block touches, shaped like geth/reth `debug_executionWitness`.
///
/// Order inside each list carries no meaning and duplicates are tolerated; the lists are kept as
/// given so that an encode/decode round trip is exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Witness {
    /// RLP trie nodes of the account trie and of all storage tries (each is the preimage of its
    /// Keccak-256 hash).
    pub state: Vec<Vec<u8>>,
    /// Contract bytecodes (each is the preimage of an account's code hash).
    pub codes: Vec<Vec<u8>>,
    /// RLP block headers: the parent, and the ancestors that `BLOCKHASH` needs.
    pub headers: Vec<Vec<u8>>,
    /// Optional preimages of hashed trie keys (20-byte addresses, 32-byte storage slots); may be
    /// empty, and never needed for validation.
    pub keys: Vec<Vec<u8>>,
}

/// Sizes of a witness in bytes, for reports (see [`Witness::sizes`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WitnessSizes {
    /// Total bytes of the trie nodes in `state`.
    pub state: usize,
    /// Total bytes of the bytecodes in `codes`.
    pub codes: usize,
    /// Total bytes of the RLP headers in `headers`.
    pub headers: usize,
    /// Total bytes of the key preimages in `keys`.
    pub keys: usize,
    /// Bytes of the witness section of a block-data blob, i.e. [`Witness::encoded_len`]: the
    /// payloads plus a 4-byte count per list and a 4-byte length per item.
    pub encoded: usize,
}

impl WitnessSizes {
    /// Payload bytes of all four lists, without any framing.
    pub fn payload(&self) -> usize {
        self.state + self.codes + self.headers + self.keys
    }
}

impl Witness {
    /// The four lists in blob order, with their field names.
    pub(crate) fn lists(&self) -> [(&'static str, &Vec<Vec<u8>>); 4] {
        [
            ("state", &self.state),
            ("codes", &self.codes),
            ("headers", &self.headers),
            ("keys", &self.keys),
        ]
    }

    /// Bytes this witness takes in the witness section of a block-data blob: for each of
    /// `state`, `codes`, `headers`, `keys`, a 4-byte count, then a 4-byte length and the bytes
    /// of each item.
    pub fn encoded_len(&self) -> usize {
        self.lists()
            .iter()
            .map(|(_, list)| PREFIX_LEN + list.len() * PREFIX_LEN + payload_len(list))
            .sum()
    }

    /// Payload bytes of all items of all lists, without framing (the figure to compare with the
    /// size of a JSON-RPC witness once hex-decoded).
    pub fn payload_len(&self) -> usize {
        self.lists().iter().map(|(_, list)| payload_len(list)).sum()
    }

    /// Per-list payload sizes and the encoded size, for witness size reports.
    pub fn sizes(&self) -> WitnessSizes {
        WitnessSizes {
            state: payload_len(&self.state),
            codes: payload_len(&self.codes),
            headers: payload_len(&self.headers),
            keys: payload_len(&self.keys),
            encoded: self.encoded_len(),
        }
    }

    /// Number of items over all four lists.
    pub fn item_count(&self) -> usize {
        self.lists().iter().map(|(_, list)| list.len()).sum()
    }

    /// True when all four lists are empty.
    pub fn is_empty(&self) -> bool {
        self.item_count() == 0
    }
}

fn payload_len(list: &[Vec<u8>]) -> usize {
    list.iter().map(Vec::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn sizes_of_empty_witness() {
        let w = Witness::default();
        assert!(w.is_empty());
        assert_eq!(w.encoded_len(), 16);
        assert_eq!(w.payload_len(), 0);
        assert_eq!(w.sizes().payload(), 0);
    }

    #[test]
    fn sizes_count_payload_and_framing() {
        let w = Witness {
            state: vec![vec![1; 10], vec![2; 5]],
            codes: vec![vec![3; 7]],
            headers: vec![],
            keys: vec![vec![4; 20], vec![5; 32], vec![]],
        };
        let s = w.sizes();
        assert_eq!((s.state, s.codes, s.headers, s.keys), (15, 7, 0, 52));
        assert_eq!(s.payload(), 74);
        assert_eq!(w.payload_len(), 74);
        assert_eq!(w.item_count(), 6);
        // 4 counts + 6 item lengths, 4 bytes each.
        assert_eq!(s.encoded, 74 + 4 * 4 + 6 * 4);
        assert_eq!(w.encoded_len(), s.encoded);
    }
}
