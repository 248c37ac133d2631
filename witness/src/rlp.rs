//! The workspace's one RLP reader: strict, allocation-free, typed errors.
//!
//! Every decoder of untrusted bytes reads through here: transactions, headers and block bodies
//! (`evm-core`), trie nodes and the account and storage leaves of a witness, and the RLPTests of
//! ethereum/tests, so the conformance suite checks the decoder the EE runs.
//!
//! Strict means that exactly one encoding of each value is accepted, because blocks and trie
//! nodes commit to their bytes: a single byte below `0x80` is never wrapped in a string header,
//! a payload under 56 bytes never uses the long form, lengths and integers have no leading zero
//! bytes, an item never runs past its input, and [`decode_exact`] and [`List::finish`] reject
//! what follows the last expected item. The `rlp` crate's reader checks headers but leaves
//! trailing bytes and list iteration to the caller, where each caller used to check them
//! differently.
//!
//! Writing stays with the `rlp` crate's `RlpStream`, whose output is canonical.
//!
//! ```
//! use witness::rlp::{self, RlpError};
//!
//! // [0x7b, "dog"]
//! let mut list = rlp::decode_list(&[0xc5, 0x7b, 0x83, b'd', b'o', b'g']).unwrap();
//! assert_eq!(list.u64().unwrap(), 0x7b);
//! assert_eq!(list.bytes().unwrap(), b"dog");
//! list.finish().unwrap();
//!
//! // The byte 0x05 must be written as itself, not as [0x81, 0x05].
//! assert_eq!(rlp::decode_exact(&[0x81, 0x05]).err(), Some(RlpError::NonCanonicalSingleByte(5)));
//! ```

use primitive_types::{H160, H256, U256};

/// Why bytes are not the RLP that was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RlpError {
    /// The input ends where an item or its header should be.
    #[error("input ends inside an RLP item")]
    UnexpectedEnd,
    /// A header announces more payload than the input holds.
    #[error("RLP length {len} exceeds the {available} bytes left")]
    LengthExceedsInput {
        /// Payload length the header announces.
        len: u64,
        /// Bytes left after the header.
        available: usize,
    },
    /// A byte below `0x80` must encode itself.
    #[error("single byte {0:#04x} wrapped in a string header")]
    NonCanonicalSingleByte(u8),
    /// A long-form length must not start with a zero byte.
    #[error("RLP length with leading zero bytes")]
    LengthLeadingZero,
    /// Payloads under 56 bytes must use the short form.
    #[error("RLP long form for a payload of {0} bytes (under 56)")]
    LongFormForShortPayload(u64),
    /// Bytes follow the item that should end the input or the list.
    #[error("{0} bytes after the last RLP item")]
    TrailingBytes(usize),
    /// A byte string where a list is expected.
    #[error("RLP byte string where a list is expected")]
    ExpectedList,
    /// A list where a byte string is expected.
    #[error("RLP list where a byte string is expected")]
    ExpectedBytes,
    /// A list has fewer items than its reader asked for.
    #[error("RLP list has fewer items than expected")]
    MissingItem,
    /// An integer must be big-endian without leading zero bytes (zero is the empty string).
    #[error("integer with leading zero bytes")]
    IntegerLeadingZero,
    /// An integer is wider than its field.
    #[error("{got}-byte integer where at most {max} bytes fit")]
    IntegerTooLong {
        /// Bytes found.
        got: usize,
        /// Width of the field.
        max: usize,
    },
    /// A fixed-width byte string (hash, address, bloom, nonce) has the wrong length.
    #[error("{got}-byte string where exactly {expected} bytes are expected")]
    WrongLength {
        /// Bytes found.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
}

/// One decoded item: a byte string's payload, or a list to read item by item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A byte string's payload.
    Bytes(&'a [u8]),
    /// A list.
    List(List<'a>),
}

impl<'a> Item<'a> {
    /// The byte string, or [`RlpError::ExpectedBytes`].
    pub fn into_bytes(self) -> Result<&'a [u8], RlpError> {
        match self {
            Item::Bytes(bytes) => Ok(bytes),
            Item::List(_) => Err(RlpError::ExpectedBytes),
        }
    }

    /// The list, or [`RlpError::ExpectedList`].
    pub fn into_list(self) -> Result<List<'a>, RlpError> {
        match self {
            Item::List(list) => Ok(list),
            Item::Bytes(_) => Err(RlpError::ExpectedList),
        }
    }
}

/// The items of one list, read in order. Reading never looks past the list's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct List<'a> {
    rest: &'a [u8],
}

/// Splits the first item off `input`: the item, its raw bytes (header included) and what
/// follows it.
pub fn split(input: &[u8]) -> Result<(Item<'_>, &[u8], &[u8]), RlpError> {
    let (&first, after_first) = input.split_first().ok_or(RlpError::UnexpectedEnd)?;
    let (header_len, payload_len, is_list) = match first {
        0x00..=0x7f => {
            let (raw, rest) = input.split_at(1);
            return Ok((Item::Bytes(raw), raw, rest));
        }
        0x80..=0xb7 => (1, u64::from(first - 0x80), false),
        0xb8..=0xbf => long_length(after_first, first - 0xb7, false)?,
        0xc0..=0xf7 => (1, u64::from(first - 0xc0), true),
        0xf8..=0xff => long_length(after_first, first - 0xf7, true)?,
    };
    let available = input.len() - header_len;
    let total = usize::try_from(payload_len)
        .ok()
        .filter(|len| *len <= available)
        .map(|len| header_len + len)
        .ok_or(RlpError::LengthExceedsInput {
            len: payload_len,
            available,
        })?;
    let (raw, rest) = input.split_at(total);
    let payload = &raw[header_len..];
    if is_list {
        return Ok((Item::List(List { rest: payload }), raw, rest));
    }
    if let [single] = payload
        && *single < 0x80
    {
        return Err(RlpError::NonCanonicalSingleByte(*single));
    }
    Ok((Item::Bytes(payload), raw, rest))
}

/// A long-form header after its first byte: `(header length, payload length, is_list)`.
fn long_length(
    input: &[u8],
    len_of_len: u8,
    is_list: bool,
) -> Result<(usize, u64, bool), RlpError> {
    let len_bytes = input
        .get(..usize::from(len_of_len))
        .ok_or(RlpError::UnexpectedEnd)?;
    if len_bytes.first() == Some(&0) {
        return Err(RlpError::LengthLeadingZero);
    }
    // At most 8 length bytes (0xbf - 0xb7), so the length fits a u64.
    let len = len_bytes
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    if len < 56 {
        return Err(RlpError::LongFormForShortPayload(len));
    }
    Ok((1 + len_bytes.len(), len, is_list))
}

/// The whole input as exactly one item.
pub fn decode_exact(input: &[u8]) -> Result<Item<'_>, RlpError> {
    match split(input)? {
        (item, _, []) => Ok(item),
        (_, _, rest) => Err(RlpError::TrailingBytes(rest.len())),
    }
}

/// The whole input as exactly one list.
pub fn decode_list(input: &[u8]) -> Result<List<'_>, RlpError> {
    decode_exact(input)?.into_list()
}

/// The whole input as exactly one canonical integer of at most 32 bytes (a storage value).
pub fn decode_u256(input: &[u8]) -> Result<U256, RlpError> {
    uint(decode_exact(input)?.into_bytes()?, 32).map(U256::from_big_endian)
}

/// A canonical big-endian integer payload of at most `max` bytes.
fn uint(bytes: &[u8], max: usize) -> Result<&[u8], RlpError> {
    if bytes.first() == Some(&0) {
        return Err(RlpError::IntegerLeadingZero);
    }
    if bytes.len() > max {
        return Err(RlpError::IntegerTooLong {
            got: bytes.len(),
            max,
        });
    }
    Ok(bytes)
}

impl<'a> List<'a> {
    /// No items left.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The number of items left, each header checked (the reader itself does not move).
    pub fn count(&self) -> Result<usize, RlpError> {
        let mut copy = *self;
        let mut count = 0;
        while copy.next_raw()?.is_some() {
            count += 1;
        }
        Ok(count)
    }

    /// Every item was read: anything left is [`RlpError::TrailingBytes`].
    pub fn finish(self) -> Result<(), RlpError> {
        match self.rest.len() {
            0 => Ok(()),
            left => Err(RlpError::TrailingBytes(left)),
        }
    }

    /// The next item and its raw bytes, or `None` at the end of the list.
    pub fn next_raw(&mut self) -> Result<Option<(Item<'a>, &'a [u8])>, RlpError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (item, raw, rest) = split(self.rest)?;
        self.rest = rest;
        Ok(Some((item, raw)))
    }

    /// The next item; [`RlpError::MissingItem`] at the end of the list.
    pub fn item(&mut self) -> Result<Item<'a>, RlpError> {
        Ok(self.next_raw()?.ok_or(RlpError::MissingItem)?.0)
    }

    /// The next item's raw bytes, header included.
    pub fn raw(&mut self) -> Result<&'a [u8], RlpError> {
        Ok(self.next_raw()?.ok_or(RlpError::MissingItem)?.1)
    }

    /// The next item as a byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], RlpError> {
        self.item()?.into_bytes()
    }

    /// The next item as a list.
    pub fn list(&mut self) -> Result<List<'a>, RlpError> {
        self.item()?.into_list()
    }

    /// The next item as a byte string of exactly `N` bytes.
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N], RlpError> {
        let bytes = self.bytes()?;
        <[u8; N]>::try_from(bytes).map_err(|_| RlpError::WrongLength {
            got: bytes.len(),
            expected: N,
        })
    }

    /// The next item as a 32-byte hash.
    pub fn h256(&mut self) -> Result<H256, RlpError> {
        self.fixed().map(H256)
    }

    /// The next item as a 20-byte address.
    pub fn h160(&mut self) -> Result<H160, RlpError> {
        self.fixed().map(H160)
    }

    /// The next item as a canonical integer of at most 8 bytes.
    pub fn u64(&mut self) -> Result<u64, RlpError> {
        let bytes = uint(self.bytes()?, 8)?;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// The next item as a canonical integer of at most 32 bytes.
    pub fn u256(&mut self) -> Result<U256, RlpError> {
        uint(self.bytes()?, 32).map(U256::from_big_endian)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;
    use rlp::RlpStream;

    #[test]
    fn canonical_headers_only() {
        assert_eq!(decode_exact(&[0x80]), Ok(Item::Bytes(&[])));
        assert_eq!(decode_exact(&[0x7f]), Ok(Item::Bytes(&[0x7f])));
        assert_eq!(decode_exact(&[0x81, 0x80]), Ok(Item::Bytes(&[0x80])));
        assert_eq!(
            decode_exact(&[0x81, 0x00]),
            Err(RlpError::NonCanonicalSingleByte(0))
        );
        assert_eq!(
            decode_exact(&[0xb8, 0x00]),
            Err(RlpError::LengthLeadingZero)
        );
        assert_eq!(
            decode_exact(&[0xb8, 0x01, 0xff]),
            Err(RlpError::LongFormForShortPayload(1))
        );
        assert_eq!(
            decode_exact(&[0xc1, 0x80, 0x80]),
            Err(RlpError::TrailingBytes(1))
        );
        assert_eq!(
            decode_exact(&[0x83, 1, 2]),
            Err(RlpError::LengthExceedsInput {
                len: 3,
                available: 2
            })
        );
        assert_eq!(decode_exact(&[]), Err(RlpError::UnexpectedEnd));
        assert_eq!(decode_exact(&[0xb9, 0x01]), Err(RlpError::UnexpectedEnd));
        // A length near 2^64 must not overflow anything.
        assert!(matches!(
            decode_exact(&[0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(RlpError::LengthExceedsInput { .. })
        ));
    }

    #[test]
    fn list_reader_checks_every_item() {
        // [[], 0x01]
        let mut list = decode_list(&[0xc2, 0xc0, 0x01]).unwrap();
        assert_eq!(list.count(), Ok(2));
        assert!(list.list().unwrap().is_empty());
        assert_eq!(list.u64(), Ok(1));
        assert_eq!(list.item(), Err(RlpError::MissingItem));
        list.finish().unwrap();

        // An item that runs past the list's end fails even though the outer input is longer.
        let mut truncated = decode_list(&[0xc2, 0x82, 0x01]).unwrap();
        assert!(matches!(
            truncated.bytes(),
            Err(RlpError::LengthExceedsInput {
                len: 2,
                available: 1
            })
        ));
        assert_eq!(
            decode_list(&[0xc1, 0x82, 0x01, 0x02]),
            Err(RlpError::TrailingBytes(2))
        );
        let mut inner = decode_list(&[0xc3, 0xc1, 0x82, 0x01]).unwrap();
        let mut short = inner.list().unwrap();
        assert!(matches!(
            short.item(),
            Err(RlpError::LengthExceedsInput { .. })
        ));

        let mut numbers = decode_list(&[0xc3, 0x82, 0x00, 0x01]).unwrap();
        assert_eq!(numbers.u64(), Err(RlpError::IntegerLeadingZero));
        let mut wide = decode_list(&[0xca, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
        assert_eq!(wide.u64(), Err(RlpError::IntegerTooLong { got: 9, max: 8 }));
        let mut short_hash = decode_list(&[0xc2, 0x81, 0xaa]).unwrap();
        assert_eq!(
            short_hash.h256(),
            Err(RlpError::WrongLength {
                got: 1,
                expected: 32
            })
        );
        assert_eq!(decode_u256(&[0x82, 0x01, 0x00]), Ok(U256::from(256)));
        assert_eq!(decode_u256(&[0x80]), Ok(U256::zero()));
    }

    /// What `RlpStream` writes, this reader reads back.
    fn written(value: &[u8], count: u64, nested: &[Vec<u8>]) -> Vec<u8> {
        let mut stream = RlpStream::new_list(3);
        stream.append(&value);
        stream.append(&count);
        stream.begin_list(nested.len());
        for item in nested {
            stream.append(item);
        }
        stream.out().to_vec()
    }

    proptest! {
        #[test]
        fn reads_what_the_writer_writes(
            value in proptest::collection::vec(any::<u8>(), 0..80),
            count in any::<u64>(),
            nested in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..70), 0..5),
        ) {
            let bytes = written(&value, count, &nested);
            let mut list = decode_list(&bytes).unwrap();
            prop_assert_eq!(list.bytes().unwrap(), value.as_slice());
            prop_assert_eq!(list.u64().unwrap(), count);
            let mut inner = list.list().unwrap();
            for item in &nested {
                prop_assert_eq!(inner.bytes().unwrap(), item.as_slice());
            }
            inner.finish().unwrap();
            list.finish().unwrap();
        }

        /// Whatever decodes, nested items included, re-encodes to the same bytes: one encoding
        /// per value. (Nested items are checked as they are read, so a list whose header is
        /// sound may still hold a bad item: then reading it fails, and nothing is compared.)
        #[test]
        fn decoding_never_panics_and_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Some(reencoded) = decode_exact(&bytes).ok().and_then(reencode) {
                prop_assert_eq!(reencoded, bytes);
            }
        }
    }

    fn reencode(item: Item<'_>) -> Option<Vec<u8>> {
        let mut stream = RlpStream::new();
        append(&mut stream, item)?;
        Some(stream.out().to_vec())
    }

    fn append(stream: &mut RlpStream, item: Item<'_>) -> Option<()> {
        match item {
            Item::Bytes(bytes) => {
                stream.append(&bytes);
            }
            Item::List(list) => {
                stream.begin_list(list.count().ok()?);
                let mut list = list;
                while let Some((item, _)) = list.next_raw().ok()? {
                    append(stream, item)?;
                }
            }
        }
        Some(())
    }
}
