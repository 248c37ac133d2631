//! EIP-1559 base fee: set from the parent's gas use, 1 gwei at the London fork block.

use primitive_types::U256;

use super::Header;

/// The base fee of the London fork block (EIP-1559).
pub const INITIAL_BASE_FEE: u64 = 1_000_000_000;
/// The gas target is the gas limit divided by this.
pub const ELASTICITY_MULTIPLIER: u64 = 2;
/// The base fee moves by at most 1/8 per block.
const BASE_FEE_MAX_CHANGE_DENOMINATOR: u64 = 8;

/// The base fee of the block after `parent`: [`INITIAL_BASE_FEE`] if the parent is pre-London
/// (has no base fee), else the parent's moved towards the gas target by at most 1/8 (by at least
/// 1 wei upwards).
pub fn expected_base_fee(parent: &Header) -> U256 {
    let Some(parent_base_fee) = parent.base_fee_per_gas else {
        return U256::from(INITIAL_BASE_FEE);
    };
    let target = parent.gas_limit / ELASTICITY_MULTIPLIER;
    if parent.gas_used == target || target == 0 {
        return parent_base_fee;
    }
    let denominator = U256::from(target) * U256::from(BASE_FEE_MAX_CHANGE_DENOMINATOR);
    if parent.gas_used > target {
        let excess = U256::from(parent.gas_used - target);
        let delta = (parent_base_fee.saturating_mul(excess) / denominator).max(U256::one());
        parent_base_fee.saturating_add(delta)
    } else {
        let shortfall = U256::from(target - parent.gas_used);
        let delta = parent_base_fee.saturating_mul(shortfall) / denominator;
        parent_base_fee.saturating_sub(delta)
    }
}
