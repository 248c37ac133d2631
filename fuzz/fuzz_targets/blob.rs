//! The block-data blob, as the EE receives it: arbitrary bytes for `BlockDataBlob::decode`.
//!
//! Decoding must return an error or a blob, never panic, and never allocate more than the input
//! justifies (libFuzzer's `-rss_limit_mb` catches a count trusted before it was checked). Whatever
//! decodes is canonical: it re-encodes to exactly the input, and that decodes to the same blob.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stateless::BlockDataBlob;

fuzz_target!(|data: &[u8]| {
    if let Ok(blob) = BlockDataBlob::decode(data) {
        let bytes = blob.encode();
        assert_eq!(bytes, data, "a decoded blob must re-encode to its bytes");
        assert_eq!(bytes.len(), blob.encoded_len());
        assert_eq!(blob.chain_config.check(), Ok(()));
        assert_eq!(BlockDataBlob::decode(&bytes).as_ref(), Ok(&blob));
    }
});
