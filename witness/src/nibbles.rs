//! Nibble paths (a key split into 4-bit halves) and their hex-prefix ("compact") encoding,
//! Yellow Paper appendix C.

use alloc::vec::Vec;

/// Why a hex-prefix encoded path was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NibblesError {
    /// The encoding must hold at least the flag byte.
    #[error("hex-prefix path is empty (no flag byte)")]
    Empty,
    /// The high nibble of the first byte must be 0..=3 (bit 1: leaf, bit 0: odd length).
    #[error("hex-prefix flag nibble is {0:#x}, expected 0..=3")]
    BadFlag(u8),
    /// For an even-length path the low nibble of the first byte is padding and must be zero.
    #[error("hex-prefix padding nibble is {0:#x}, expected 0 for an even-length path")]
    BadPadding(u8),
}

/// A path of nibbles (each byte holds one value in `0..16`).
///
/// Keys of the trie are byte strings; each byte gives two nibbles, high half first.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nibbles(Vec<u8>);

impl Nibbles {
    /// The empty path.
    pub const fn new() -> Self {
        Nibbles(Vec::new())
    }

    /// The path of a byte key: two nibbles per byte, high half first.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        for byte in bytes {
            out.push(byte >> 4);
            out.push(byte & 0x0f);
        }
        Nibbles(out)
    }

    /// A path from nibble values, or `None` if one is 16 or more.
    pub fn from_nibbles(nibbles: &[u8]) -> Option<Self> {
        nibbles
            .iter()
            .all(|n| *n < 16)
            .then(|| Nibbles(nibbles.to_vec()))
    }

    /// The nibbles, one per byte.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// Number of nibbles.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the path has no nibble.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The nibble at `index`, if any.
    pub fn get(&self, index: usize) -> Option<u8> {
        self.0.get(index).copied()
    }

    /// Appends one nibble; `None` (and no change) if it is not below 16.
    pub fn push(&mut self, nibble: u8) -> Option<()> {
        (nibble < 16).then(|| self.0.push(nibble))
    }

    /// Appends another path.
    pub fn extend(&mut self, other: &Nibbles) {
        self.0.extend_from_slice(&other.0);
    }

    /// The nibbles from `start` on (empty if `start` is past the end).
    pub fn slice_from(&self, start: usize) -> Nibbles {
        Nibbles(self.0.get(start..).unwrap_or_default().to_vec())
    }

    /// Length of the longest common prefix with `other`.
    pub fn common_prefix_len(&self, other: &Nibbles) -> usize {
        common_prefix_len(&self.0, &other.0)
    }

    /// Packs the nibbles back into bytes, or `None` for an odd length.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        self.0
            .len()
            .is_multiple_of(2)
            .then(|| self.0.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
    }

    /// The hex-prefix encoding: a flag nibble (2 for a leaf, plus 1 for an odd length), a zero
    /// padding nibble for even lengths, then the path packed two nibbles a byte.
    pub fn encode_compact(&self, is_leaf: bool) -> Vec<u8> {
        encode_compact_iter(self.0.iter().copied(), self.0.len(), is_leaf)
    }

    /// Decodes a hex-prefix path, returning it and whether the flag marks a leaf.
    ///
    /// Strict: a flag above 3 or a non-zero padding nibble is rejected, so that every path has
    /// exactly one encoding and a node's hash cannot be changed by re-encoding it.
    pub fn decode_compact(encoded: &[u8]) -> Result<(Nibbles, bool), NibblesError> {
        let (&first, rest) = encoded.split_first().ok_or(NibblesError::Empty)?;
        let flag = first >> 4;
        if flag > 3 {
            return Err(NibblesError::BadFlag(flag));
        }
        let is_leaf = flag & 2 != 0;
        let odd = flag & 1 != 0;
        let mut out = Vec::with_capacity(rest.len() * 2 + usize::from(odd));
        if odd {
            out.push(first & 0x0f);
        } else if first & 0x0f != 0 {
            return Err(NibblesError::BadPadding(first & 0x0f));
        }
        for byte in rest {
            out.push(byte >> 4);
            out.push(byte & 0x0f);
        }
        Ok((Nibbles(out), is_leaf))
    }
}

impl AsRef<[u8]> for Nibbles {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Length of the longest common prefix of two slices.
pub(crate) fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The nibble at `index` of a byte key (high half first). The caller keeps `index` below
/// `2 * key.len()`.
#[inline]
pub(crate) fn nibble_at(key: &[u8], index: usize) -> u8 {
    let byte = key[index / 2];
    if index.is_multiple_of(2) {
        byte >> 4
    } else {
        byte & 0x0f
    }
}

/// Hex-prefix encoding of `len` nibbles given by an iterator (shared with the root builder,
/// which reads nibbles straight out of byte keys).
pub(crate) fn encode_compact_iter(
    mut nibbles: impl Iterator<Item = u8>,
    len: usize,
    is_leaf: bool,
) -> Vec<u8> {
    let odd = len % 2 == 1;
    let flag = (u8::from(is_leaf) << 1) | u8::from(odd);
    let mut out = Vec::with_capacity(len / 2 + 1);
    if odd {
        out.push((flag << 4) | nibbles.next().unwrap_or(0));
    } else {
        out.push(flag << 4);
    }
    while let Some(high) = nibbles.next() {
        out.push((high << 4) | nibbles.next().unwrap_or(0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn n(nibbles: &[u8]) -> Nibbles {
        Nibbles::from_nibbles(nibbles).unwrap()
    }

    #[test]
    fn yellow_paper_examples() {
        // The examples of the ethereum wiki's Patricia tree page.
        assert_eq!(
            n(&[1, 2, 3, 4, 5]).encode_compact(false),
            vec![0x11, 0x23, 0x45]
        );
        assert_eq!(
            n(&[0, 1, 2, 3, 4, 5]).encode_compact(false),
            vec![0x00, 0x01, 0x23, 0x45]
        );
        assert_eq!(
            n(&[0, 15, 1, 12, 11, 8]).encode_compact(true),
            vec![0x20, 0x0f, 0x1c, 0xb8]
        );
        assert_eq!(
            n(&[15, 1, 12, 11, 8]).encode_compact(true),
            vec![0x3f, 0x1c, 0xb8]
        );
        assert_eq!(Nibbles::new().encode_compact(true), vec![0x20]);
        assert_eq!(Nibbles::new().encode_compact(false), vec![0x00]);
    }

    #[test]
    fn decode_rejects_bad_flags() {
        assert_eq!(Nibbles::decode_compact(&[]), Err(NibblesError::Empty));
        assert_eq!(
            Nibbles::decode_compact(&[0x40]),
            Err(NibblesError::BadFlag(4))
        );
        assert_eq!(
            Nibbles::decode_compact(&[0x21, 0x23]),
            Err(NibblesError::BadPadding(1))
        );
        assert_eq!(
            Nibbles::decode_compact(&[0x3f, 0x1c]),
            Ok((n(&[15, 1, 12]), true))
        );
    }

    #[test]
    fn bytes_round_trip() {
        let p = Nibbles::from_bytes(&[0xab, 0x01]);
        assert_eq!(p.as_slice(), &[0xa, 0xb, 0x0, 0x1]);
        assert_eq!(p.to_bytes(), Some(vec![0xab, 0x01]));
        assert_eq!(n(&[1]).to_bytes(), None);
        assert_eq!(p.common_prefix_len(&n(&[0xa, 0xb, 0x1])), 2);
        assert_eq!(Nibbles::from_nibbles(&[16]), None);
    }

    proptest! {
        #[test]
        fn compact_round_trip(path in proptest::collection::vec(0u8..16, 0..70), leaf: bool) {
            let path = n(&path);
            let encoded = path.encode_compact(leaf);
            prop_assert_eq!(Nibbles::decode_compact(&encoded), Ok((path, leaf)));
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok((path, leaf)) = Nibbles::decode_compact(&bytes) {
                prop_assert_eq!(path.encode_compact(leaf), bytes);
            }
        }
    }
}
