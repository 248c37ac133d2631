//! The block a transaction executes in, as the interpreter sees it.

use primitive_types::{H160, H256, U256};

/// EIP-4844: gas per blob.
pub const GAS_PER_BLOB: u64 = 1 << 17;
/// EIP-4844: blob gas a block may use (6 blobs).
pub const MAX_BLOB_GAS_PER_BLOCK: u64 = 6 * GAS_PER_BLOB;
/// EIP-4844: blobs a transaction may carry.
pub const MAX_BLOBS_PER_TX: usize = 6;
/// EIP-4844: the lowest blob base fee.
const MIN_BLOB_BASE_FEE: u64 = 1;
/// EIP-4844: controls how fast the blob base fee moves.
const BLOB_BASE_FEE_UPDATE_FRACTION: u64 = 3_338_477;

/// Block fields execution depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Block number.
    pub number: u64,
    /// Beneficiary (fees and rewards go here).
    pub coinbase: H160,
    /// Timestamp.
    pub timestamp: u64,
    /// Difficulty (before the merge).
    pub difficulty: U256,
    /// EIP-4399 `prevRandao` (from Paris on, read by the DIFFICULTY/PREVRANDAO opcode).
    pub prevrandao: Option<H256>,
    /// Block gas limit.
    pub gas_limit: u64,
    /// EIP-1559 base fee (zero before London).
    pub base_fee: U256,
    /// EIP-4844 excess blob gas (Cancun on).
    pub excess_blob_gas: Option<u64>,
    /// EIP-155 chain id.
    pub chain_id: u64,
}

impl BlockEnv {
    /// EIP-4844 blob base fee: `fake_exponential(1, excess_blob_gas, 3338477)`; zero before Cancun.
    pub fn blob_base_fee(&self) -> U256 {
        match self.excess_blob_gas {
            Some(excess) => {
                fake_exponential(MIN_BLOB_BASE_FEE, excess, BLOB_BASE_FEE_UPDATE_FRACTION)
            }
            None => U256::zero(),
        }
    }
}

/// EIP-4844's integer approximation of `factor * e ** (numerator / denominator)`.
pub fn fake_exponential(factor: u64, numerator: u64, denominator: u64) -> U256 {
    // Past e^180 the true value exceeds 2^256 whatever the factor; the series would need about
    // numerator/denominator saturated rounds to end (trillions for excess blob gas near 2^64).
    if denominator == 0 || numerator / denominator > 180 {
        return if factor == 0 { U256::zero() } else { U256::MAX };
    }
    let factor = U256::from(factor);
    let numerator = U256::from(numerator);
    let denominator = U256::from(denominator);
    let mut i = U256::one();
    let mut output = U256::zero();
    let mut accum = factor.saturating_mul(denominator);
    while !accum.is_zero() {
        output = output.saturating_add(accum);
        accum = accum.saturating_mul(numerator) / denominator.saturating_mul(i);
        i += U256::one();
    }
    output / denominator
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_exponential_matches_the_eip_table() {
        // Values from the EIP-4844 reference tests.
        assert_eq!(fake_exponential(1, 0, 1), U256::from(1));
        assert_eq!(fake_exponential(38493, 0, 1000), U256::from(38493));
        assert_eq!(fake_exponential(0, 1234, 2345), U256::from(0));
        assert_eq!(fake_exponential(1, 2, 1), U256::from(6));
        assert_eq!(fake_exponential(2, 5, 2), U256::from(23));
        assert_eq!(
            fake_exponential(1, 50000000, 2225652),
            U256::from(5709098764u64)
        );
    }

    #[test]
    fn absurd_excess_blob_gas_ends_at_once() {
        // Without the shortcut the saturated series would run for hours.
        assert_eq!(fake_exponential(1, u64::MAX, 3_338_477), U256::MAX);
        assert_eq!(fake_exponential(0, u64::MAX, 3_338_477), U256::zero());
        // Just under the shortcut the series still ends normally and is huge.
        assert!(fake_exponential(1, 180 * 3_338_477, 3_338_477) > U256::from(u128::MAX));
    }
}
