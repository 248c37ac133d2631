//! Intrinsic gas: what a transaction pays before its first opcode runs.

use crate::spec::SpecId;
use crate::tx::{AccessListItem, TxKind};

/// Base cost of every transaction.
const TX_BASE: u64 = 21_000;
/// EIP-2 (Homestead): extra cost of a contract-creating transaction.
const TX_CREATE_EXTRA: u64 = 32_000;
/// Cost per zero byte of data.
const TX_DATA_ZERO: u64 = 4;
/// Cost per non-zero byte of data before Istanbul.
const TX_DATA_NON_ZERO_FRONTIER: u64 = 68;
/// EIP-2028 (Istanbul): cheaper non-zero calldata.
const TX_DATA_NON_ZERO_ISTANBUL: u64 = 16;
/// EIP-2930 (Berlin): per address in the access list.
const ACCESS_LIST_ADDRESS: u64 = 2_400;
/// EIP-2930 (Berlin): per storage key in the access list.
const ACCESS_LIST_STORAGE_KEY: u64 = 1_900;
/// EIP-3860 (Shanghai): per 32-byte word of init code.
const INIT_CODE_WORD: u64 = 2;

/// The intrinsic gas of a transaction under `spec`, as the `evm` crate's
/// `TransactionCost::cost` charges it (the executor relies on the two agreeing).
///
/// 21000, plus 32000 for a creation from Homestead (EIP-2), plus 4 per zero and 68 per non-zero
/// data byte (16 from Istanbul, EIP-2028), plus 2400 per access-list address and 1900 per storage
/// key (Berlin, EIP-2930), plus 2 per 32-byte word of init code for a creation from Shanghai
/// (EIP-3860). Saturates instead of overflowing, so an absurd input yields a cost no gas limit
/// can pay rather than a small wrapped one.
pub fn intrinsic_gas(
    spec: SpecId,
    kind: TxKind,
    data: &[u8],
    access_list: &[AccessListItem],
) -> u64 {
    let is_create = kind == TxKind::Create;
    let mut gas = TX_BASE;
    if is_create && spec.is_enabled_in(SpecId::Homestead) {
        gas = gas.saturating_add(TX_CREATE_EXTRA);
    }

    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    let non_zeros = (data.len() as u64).saturating_sub(zeros);
    let non_zero_cost = if spec.is_enabled_in(SpecId::Istanbul) {
        TX_DATA_NON_ZERO_ISTANBUL
    } else {
        TX_DATA_NON_ZERO_FRONTIER
    };
    gas = gas
        .saturating_add(zeros.saturating_mul(TX_DATA_ZERO))
        .saturating_add(non_zeros.saturating_mul(non_zero_cost));

    if spec.is_enabled_in(SpecId::Berlin) {
        let keys = access_list.iter().fold(0u64, |n, item| {
            n.saturating_add(item.storage_keys.len() as u64)
        });
        gas = gas
            .saturating_add((access_list.len() as u64).saturating_mul(ACCESS_LIST_ADDRESS))
            .saturating_add(keys.saturating_mul(ACCESS_LIST_STORAGE_KEY));
    }

    if is_create && spec.is_enabled_in(SpecId::Shanghai) {
        let words = (data.len() as u64).div_ceil(32);
        gas = gas.saturating_add(words.saturating_mul(INIT_CODE_WORD));
    }
    gas
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use evm::standard::GasometerState;
    use primitive_types::{H160, H256, U256};

    fn evm_crate_cost(
        spec: SpecId,
        kind: TxKind,
        data: &[u8],
        access_list: &[AccessListItem],
    ) -> u64 {
        let list: Vec<(H160, Vec<H256>)> = access_list
            .iter()
            .map(|item| (item.address, item.storage_keys.clone()))
            .collect();
        let limit = U256::from(10_000_000u64);
        let config = spec.evm_config();
        let gasometer = match kind {
            TxKind::Create => GasometerState::new_transact_create(limit, data, &list, config),
            TxKind::Call(_) => GasometerState::new_transact_call(limit, data, &list, config),
        };
        gasometer.map(|g| g.total_used_gas()).unwrap_or(u64::MAX)
    }

    #[test]
    fn matches_the_evm_crate_on_every_fork() {
        let access_list = [
            AccessListItem {
                address: H160::repeat_byte(1),
                storage_keys: vec![H256::zero(), H256::repeat_byte(2)],
            },
            AccessListItem::default(),
        ];
        let datas: [&[u8]; 4] = [&[], &[0, 0, 1], &[0xff; 33], &[0; 64]];
        for spec in SpecId::ALL {
            for kind in [TxKind::Create, TxKind::Call(H160::repeat_byte(9))] {
                for data in datas {
                    for list in [&[][..], &access_list[..]] {
                        assert_eq!(
                            intrinsic_gas(spec, kind, data, list),
                            evm_crate_cost(spec, kind, data, list),
                            "{spec} {kind:?} {data:?} {}",
                            list.len()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn known_values() {
        let call = TxKind::Call(H160::zero());
        assert_eq!(intrinsic_gas(SpecId::Frontier, call, &[], &[]), 21_000);
        assert_eq!(
            intrinsic_gas(SpecId::Frontier, TxKind::Create, &[], &[]),
            21_000
        );
        assert_eq!(
            intrinsic_gas(SpecId::Homestead, TxKind::Create, &[], &[]),
            53_000
        );
        assert_eq!(intrinsic_gas(SpecId::Byzantium, call, &[0, 1], &[]), 21_072);
        assert_eq!(intrinsic_gas(SpecId::Istanbul, call, &[0, 1], &[]), 21_020);
        assert_eq!(
            intrinsic_gas(SpecId::Shanghai, TxKind::Create, &[1; 33], &[]),
            53_532
        );
    }
}
