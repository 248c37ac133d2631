//! EIP-4844 blob gas in headers: the excess carried over from the parent.

use super::Header;

/// Blob gas a block aims at (3 blobs); use above it raises the blob base fee.
pub const TARGET_BLOB_GAS_PER_BLOCK: u64 = 3 * crate::execute::GAS_PER_BLOB;

/// `max(parent.excess_blob_gas + parent.blob_gas_used - TARGET, 0)`; a pre-Cancun parent counts
/// as zero for both.
pub fn expected_excess_blob_gas(parent: &Header) -> u64 {
    parent
        .excess_blob_gas
        .unwrap_or_default()
        .saturating_add(parent.blob_gas_used.unwrap_or_default())
        .saturating_sub(TARGET_BLOB_GAS_PER_BLOCK)
}
