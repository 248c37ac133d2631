//! EIP-4895 withdrawals: after the transactions, each credits `amount` Gwei to its address, with
//! no gas and no code run; the header commits to them through the withdrawals root.

use alloc::collections::BTreeMap;
use primitive_types::{H160, H256, U256};

use super::Withdrawal;
use super::rewards::credit_changes;
use crate::state::{AccountChange, EMPTY_CODE_HASH, State, StateChanges};

/// Wei per Gwei.
const GWEI: u64 = 1_000_000_000;

/// The ordered trie root of the withdrawals' RLP.
pub fn withdrawals_root(withdrawals: &[Withdrawal]) -> H256 {
    witness::ordered_trie_root(withdrawals.iter().map(Withdrawal::encode))
}

/// The state changes of `withdrawals`. A zero amount only touches the account: an existing empty
/// account is removed (EIP-161), a missing one stays missing.
pub(crate) fn withdrawal_changes<S: State>(
    state: &S,
    withdrawals: &[Withdrawal],
) -> Result<StateChanges, S::Error> {
    let mut credits: BTreeMap<H160, U256> = BTreeMap::new();
    for withdrawal in withdrawals {
        let amount = U256::from(withdrawal.amount_gwei) * U256::from(GWEI);
        let credit = credits.entry(withdrawal.address).or_default();
        *credit = credit.saturating_add(amount);
    }
    let (credited, touched): (BTreeMap<H160, U256>, BTreeMap<H160, U256>) = credits
        .into_iter()
        .partition(|(_, amount)| !amount.is_zero());
    let mut changes = credit_changes(state, &credited)?;
    for address in touched.into_keys() {
        let is_empty = state.account(address)?.is_some_and(|account| {
            account.nonce == 0 && account.balance.is_zero() && account.code_hash == EMPTY_CODE_HASH
        });
        if is_empty {
            changes.insert(address, AccountChange::Deleted);
        }
    }
    Ok(changes)
}
