//! Shared by the integration tests: the seal hash of a header given as RLP.

use sha3::{Digest, Keccak256};

/// Keccak-256 of the header RLP without its last two items (`mixHash`, 33 bytes of RLP, and
/// `nonce`, 9 bytes), the list prefix re-encoded for the shorter payload. Only for the
/// well-formed pre-London headers of the tests (long list prefix, payload of 256..65535 bytes).
pub fn seal_hash(header_rlp: &[u8]) -> [u8; 32] {
    assert_eq!(
        header_rlp[0], 0xf9,
        "a header is a list of 256..65535 bytes"
    );
    let len = usize::from(u16::from_be_bytes([header_rlp[1], header_rlp[2]]));
    assert_eq!(header_rlp.len(), 3 + len);
    let tail = &header_rlp[header_rlp.len() - 42..];
    assert_eq!(
        (tail[0], tail[33]),
        (0xa0, 0x88),
        "mixHash then an 8-byte nonce"
    );
    let payload = &header_rlp[3..header_rlp.len() - 42];
    let mut rlp = vec![0xf9];
    rlp.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
    rlp.extend_from_slice(payload);
    Keccak256::digest(&rlp).into()
}

/// `(mixHash, nonce)` as the header stores them.
pub fn mix_hash_and_nonce(header_rlp: &[u8]) -> ([u8; 32], [u8; 8]) {
    let tail = &header_rlp[header_rlp.len() - 42..];
    (
        tail[1..33].try_into().unwrap(),
        tail[34..].try_into().unwrap(),
    )
}
