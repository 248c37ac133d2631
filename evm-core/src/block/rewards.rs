//! Proof-of-work rewards: the block reward to the beneficiary, 1/32 of it more per included
//! ommer, and `(8 + ommer.number - number) / 8` of it to each ommer's beneficiary. None after
//! the merge (EIP-3675).

use alloc::collections::BTreeMap;
use primitive_types::{H160, U256};

use super::Header;
use super::dao::updated;
use crate::spec::SpecId;
use crate::state::{State, StateChanges};

/// One ether in wei.
const ETHER: u64 = 1_000_000_000_000_000_000;

/// The block reward: 5 ether, 3 from Byzantium (EIP-649), 2 from Constantinople (EIP-1234),
/// nothing from the merge (EIP-3675).
pub fn block_reward(spec: SpecId) -> U256 {
    let ether = if spec.is_enabled_in(SpecId::Paris) {
        0
    } else if spec.is_enabled_in(SpecId::Constantinople) {
        2
    } else if spec.is_enabled_in(SpecId::Byzantium) {
        3
    } else {
        5
    };
    U256::from(ether) * U256::from(ETHER)
}

/// The balance changes that pay the rewards of the block with `header` and `ommers`; empty
/// after the merge. Every credit is positive, so no account is left empty (EIP-161 has nothing
/// to remove).
pub(crate) fn reward_changes<S: State>(
    state: &S,
    spec: SpecId,
    header: &Header,
    ommers: &[Header],
) -> Result<StateChanges, S::Error> {
    let reward = block_reward(spec);
    let mut credits: BTreeMap<H160, U256> = BTreeMap::new();
    if reward.is_zero() {
        return Ok(StateChanges::new());
    }
    let mut beneficiary_reward = reward;
    for ommer in ommers {
        // Validation keeps `number - 6 <= ommer.number < number`; saturate all the same.
        let generations_left = ommer.number.saturating_add(8).saturating_sub(header.number);
        let ommer_reward = reward * U256::from(generations_left) / U256::from(8);
        let credit = credits.entry(ommer.beneficiary).or_default();
        *credit = credit.saturating_add(ommer_reward);
        beneficiary_reward = beneficiary_reward.saturating_add(reward / U256::from(32));
    }
    let credit = credits.entry(header.beneficiary).or_default();
    *credit = credit.saturating_add(beneficiary_reward);
    credit_changes(state, &credits)
}

/// Adds each credit to the account's balance (creating it if needed).
pub(crate) fn credit_changes<S: State>(
    state: &S,
    credits: &BTreeMap<H160, U256>,
) -> Result<StateChanges, S::Error> {
    let mut changes = StateChanges::new();
    for (address, amount) in credits {
        let (nonce, balance) = state
            .account(*address)?
            .map_or((0, U256::zero()), |a| (a.nonce, a.balance));
        changes.insert(*address, updated(nonce, balance.saturating_add(*amount)));
    }
    Ok(changes)
}
