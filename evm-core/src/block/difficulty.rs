//! Proof-of-work difficulty per fork: Frontier, Homestead (EIP-2), Byzantium (EIP-100) and the
//! difficulty bomb with its delays; zero from the merge on (EIP-3675).

use primitive_types::U256;

use super::Header;
use crate::spec::SpecId;

/// No difficulty drops below this.
pub const MINIMUM_DIFFICULTY: u64 = 131_072;
/// The adjustment step is `parent_difficulty / 2048`.
const BOUND_DIVISOR: u64 = 2048;
/// The bomb doubles every this many blocks.
const BOMB_PERIOD: u64 = 100_000;
/// keccak256(rlp([])): the ommers hash of a block without ommers.
pub const EMPTY_OMMERS_HASH: primitive_types::H256 = primitive_types::H256([
    0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5, 0x67, 0xb6, 0xcc, 0xd4, 0x1a,
    0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47,
]);

/// Muir Glacier's delay (EIP-2384, mainnet block 9,200,000).
pub const MUIR_GLACIER_BOMB_DELAY: u64 = 9_000_000;
/// Arrow Glacier's delay (EIP-4345, mainnet block 13,773,000).
pub const ARROW_GLACIER_BOMB_DELAY: u64 = 10_700_000;
/// Gray Glacier's delay (EIP-5133, mainnet block 15,050,000).
pub const GRAY_GLACIER_BOMB_DELAY: u64 = 11_400_000;

/// How many blocks a fork that changes the rules pushes the difficulty bomb back: Byzantium 3M
/// (EIP-649), Constantinople 5M (EIP-1234), Berlin 9M (Muir Glacier's EIP-2384, in force when
/// Berlin activated), London 9.7M (EIP-3554). This is the default a chain built from forks
/// alone gets; the glacier forks, which only move the bomb, are scheduled in
/// [`ChainSpec::bomb_delays`](super::ChainSpec::bomb_delays).
pub const fn bomb_delay(spec: SpecId) -> u64 {
    match spec {
        SpecId::Frontier | SpecId::Homestead | SpecId::Tangerine | SpecId::SpuriousDragon => 0,
        SpecId::Byzantium => 3_000_000,
        SpecId::Constantinople | SpecId::Petersburg | SpecId::Istanbul => 5_000_000,
        SpecId::Berlin => MUIR_GLACIER_BOMB_DELAY,
        SpecId::London | SpecId::Paris | SpecId::Shanghai | SpecId::Cancun => 9_700_000,
    }
}

/// The difficulty a block with `timestamp` and `number` must have after `parent` under `spec`,
/// with the bomb pushed back `bomb_delay` blocks ([`ChainSpec::bomb_delay_at`](super::ChainSpec::bomb_delay_at)).
///
/// Frontier: `p + p/2048` if the block came within 13 s, else `p - p/2048`. Homestead (EIP-2):
/// `p + p/2048 * max(1 - Δt/10, -99)`. Byzantium (EIP-100): `p + p/2048 * max(y - Δt/9, -99)`
/// with `y = 2` if the parent has ommers, else 1. Never below 131072; then the bomb adds
/// `2^(n/100000 - 2)` with `n` the block number minus `bomb_delay`. Zero from the merge on.
pub fn expected_difficulty(
    spec: SpecId,
    bomb_delay: u64,
    parent: &Header,
    timestamp: u64,
    number: u64,
) -> U256 {
    if spec.is_enabled_in(SpecId::Paris) {
        return U256::zero();
    }
    let parent_difficulty = parent.difficulty;
    let step = parent_difficulty / U256::from(BOUND_DIVISOR);
    // Validation has already required `timestamp > parent.timestamp`; saturate in case it did
    // not run (ommers are checked with the same function).
    let elapsed = timestamp.saturating_sub(parent.timestamp);
    // The signed factor applied to `step`, as (increase, magnitude).
    let (increase, factor) = if spec.is_enabled_in(SpecId::Byzantium) {
        let y: u64 = if parent.ommers_hash == EMPTY_OMMERS_HASH {
            1
        } else {
            2
        };
        signed_factor(y, elapsed / 9)
    } else if spec.is_enabled_in(SpecId::Homestead) {
        signed_factor(1, elapsed / 10)
    } else {
        (elapsed < 13, 1)
    };
    let delta = step.saturating_mul(U256::from(factor));
    let adjusted = if increase {
        parent_difficulty.saturating_add(delta)
    } else {
        parent_difficulty.saturating_sub(delta)
    };
    let mut difficulty = adjusted.max(U256::from(MINIMUM_DIFFICULTY));

    let fake_number = number.saturating_sub(bomb_delay);
    let period = fake_number / BOMB_PERIOD;
    if period > 1 {
        // `period - 2` is below 2^64 / 100000, but a shift past 255 bits is not a U256.
        let exponent = period - 2;
        if exponent < 256 {
            difficulty = difficulty.saturating_add(U256::one() << (exponent as usize));
        } else {
            difficulty = U256::MAX;
        }
    }
    difficulty
}

/// `max(base - quotient, -99)` as (non-negative, magnitude).
fn signed_factor(base: u64, quotient: u64) -> (bool, u64) {
    if quotient <= base {
        (true, base - quotient)
    } else {
        (false, (quotient - base).min(99))
    }
}
