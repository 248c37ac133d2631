//! Static validity: the rules a transaction must meet whatever the state and the block, so they
//! can be checked once, before any account is read.

use primitive_types::U256;

use crate::spec::SpecId;
use crate::tx::intrinsic::intrinsic_gas;
use crate::tx::{GasPrice, InvalidTransaction, TxEnv, TxKind, TxType};

/// EIP-3860 (Shanghai): the longest init code a creation may carry (2 * the EIP-170 code limit).
pub const MAX_INIT_CODE_SIZE: usize = 2 * 24_576;
/// EIP-4844 (Cancun): `MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB`, so no transaction can hold more.
pub const MAX_BLOBS_PER_TX: usize = 6;
/// EIP-4844: the version byte of a KZG commitment's versioned hash.
pub const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// Checks the state-independent rules of `tx` under `spec` and returns its intrinsic gas.
///
/// In order: the type must be active (EIP-2930 from Berlin, EIP-1559 from London, EIP-4844 from
/// Cancun); the nonce must be below 2^64 - 1 (EIP-2681); the tip cap must not exceed the fee cap
/// (EIP-1559); `gas_limit * max_fee` must fit in 256 bits; init code must not exceed 49152
/// bytes from Shanghai (EIP-3860); a blob transaction must call, carry 1 to 6 blobs, each hash
/// with version 0x01 (EIP-4844); and the gas limit must cover the intrinsic gas.
///
/// Not checked here, because they need the state or the block: nonce and balance against the
/// sender account, EIP-3607, base fee and blob base fee, block gas left, the chain id.
pub fn validate_static(tx: &TxEnv, spec: SpecId) -> Result<u64, InvalidTransaction> {
    let introduced = match tx.tx_type {
        TxType::Legacy => SpecId::Frontier,
        TxType::AccessList => SpecId::Berlin,
        TxType::DynamicFee => SpecId::London,
        TxType::Blob => SpecId::Cancun,
    };
    if !spec.is_enabled_in(introduced) {
        return Err(InvalidTransaction::TypeNotSupported {
            tx_type: tx.tx_type,
            spec,
        });
    }

    if tx.nonce == u64::MAX {
        return Err(InvalidTransaction::NonceOverflow);
    }

    if let GasPrice::FeeMarket {
        max_fee,
        max_priority_fee,
    } = tx.gas_price
        && max_priority_fee > max_fee
    {
        return Err(InvalidTransaction::TipAboveFeeCap {
            max_priority_fee,
            max_fee,
        });
    }

    if tx
        .gas_price
        .max_fee()
        .checked_mul(U256::from(tx.gas_limit))
        .is_none()
    {
        return Err(InvalidTransaction::CostOverflow);
    }

    if tx.kind == TxKind::Create
        && spec.is_enabled_in(SpecId::Shanghai)
        && tx.data.len() > MAX_INIT_CODE_SIZE
    {
        return Err(InvalidTransaction::InitCodeTooLarge {
            size: tx.data.len(),
            limit: MAX_INIT_CODE_SIZE,
        });
    }

    if tx.tx_type == TxType::Blob {
        if tx.kind == TxKind::Create {
            return Err(InvalidTransaction::BlobCreate);
        }
        let count = tx.blob_versioned_hashes.len();
        if count == 0 {
            return Err(InvalidTransaction::BlobListEmpty);
        }
        if count > MAX_BLOBS_PER_TX {
            return Err(InvalidTransaction::TooManyBlobs {
                count,
                limit: MAX_BLOBS_PER_TX,
            });
        }
        if let Some(hash) = tx
            .blob_versioned_hashes
            .iter()
            .find(|hash| hash.as_bytes().first() != Some(&VERSIONED_HASH_VERSION_KZG))
        {
            return Err(InvalidTransaction::BlobVersionInvalid(
                hash.as_bytes().first().copied().unwrap_or_default(),
            ));
        }
    }

    let intrinsic = intrinsic_gas(spec, tx.kind, &tx.data, &tx.access_list);
    if tx.gas_limit < intrinsic {
        return Err(InvalidTransaction::IntrinsicGasTooLow {
            gas_limit: tx.gas_limit,
            intrinsic,
        });
    }
    Ok(intrinsic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use primitive_types::{H160, H256};

    fn tx(tx_type: TxType) -> TxEnv {
        TxEnv {
            tx_type,
            caller: H160::repeat_byte(1),
            nonce: 0,
            gas_limit: 100_000,
            gas_price: GasPrice::FeeMarket {
                max_fee: U256::from(10),
                max_priority_fee: U256::from(1),
            },
            kind: TxKind::Call(H160::repeat_byte(2)),
            value: U256::zero(),
            data: Vec::new(),
            access_list: Vec::new(),
            max_fee_per_blob_gas: U256::from(1),
            blob_versioned_hashes: vec![H256::repeat_byte(1)],
        }
    }

    #[test]
    fn types_follow_the_forks() {
        assert_eq!(
            validate_static(&tx(TxType::Legacy), SpecId::Frontier),
            Ok(21_000)
        );
        assert!(validate_static(&tx(TxType::AccessList), SpecId::Istanbul).is_err());
        assert!(validate_static(&tx(TxType::AccessList), SpecId::Berlin).is_ok());
        assert!(validate_static(&tx(TxType::DynamicFee), SpecId::Berlin).is_err());
        assert!(validate_static(&tx(TxType::DynamicFee), SpecId::London).is_ok());
        assert_eq!(
            validate_static(&tx(TxType::Blob), SpecId::Shanghai),
            Err(InvalidTransaction::TypeNotSupported {
                tx_type: TxType::Blob,
                spec: SpecId::Shanghai
            })
        );
        assert!(validate_static(&tx(TxType::Blob), SpecId::Cancun).is_ok());
    }

    #[test]
    fn gas_fee_and_nonce_rules() {
        let mut t = tx(TxType::DynamicFee);
        t.gas_limit = 20_999;
        assert_eq!(
            validate_static(&t, SpecId::London),
            Err(InvalidTransaction::IntrinsicGasTooLow {
                gas_limit: 20_999,
                intrinsic: 21_000
            })
        );
        let mut t = tx(TxType::DynamicFee);
        t.gas_price = GasPrice::FeeMarket {
            max_fee: U256::from(1),
            max_priority_fee: U256::from(2),
        };
        assert!(matches!(
            validate_static(&t, SpecId::London),
            Err(InvalidTransaction::TipAboveFeeCap { .. })
        ));
        let mut t = tx(TxType::Legacy);
        t.gas_price = GasPrice::Legacy(U256::MAX);
        assert_eq!(
            validate_static(&t, SpecId::London),
            Err(InvalidTransaction::CostOverflow)
        );
        let mut t = tx(TxType::Legacy);
        t.nonce = u64::MAX;
        assert_eq!(
            validate_static(&t, SpecId::Frontier),
            Err(InvalidTransaction::NonceOverflow)
        );
    }

    #[test]
    fn init_code_limit_from_shanghai() {
        let mut t = tx(TxType::Legacy);
        t.kind = TxKind::Create;
        t.gas_limit = 30_000_000;
        t.data = vec![0; MAX_INIT_CODE_SIZE + 1];
        assert!(validate_static(&t, SpecId::Paris).is_ok());
        assert!(matches!(
            validate_static(&t, SpecId::Shanghai),
            Err(InvalidTransaction::InitCodeTooLarge { .. })
        ));
        t.data.pop();
        assert!(validate_static(&t, SpecId::Shanghai).is_ok());
    }

    #[test]
    fn blob_rules() {
        let mut t = tx(TxType::Blob);
        t.kind = TxKind::Create;
        assert_eq!(
            validate_static(&t, SpecId::Cancun),
            Err(InvalidTransaction::BlobCreate)
        );
        let mut t = tx(TxType::Blob);
        t.blob_versioned_hashes.clear();
        assert_eq!(
            validate_static(&t, SpecId::Cancun),
            Err(InvalidTransaction::BlobListEmpty)
        );
        t.blob_versioned_hashes = vec![H256::repeat_byte(1); 7];
        assert_eq!(
            validate_static(&t, SpecId::Cancun),
            Err(InvalidTransaction::TooManyBlobs { count: 7, limit: 6 })
        );
        t.blob_versioned_hashes = vec![H256::repeat_byte(2)];
        assert_eq!(
            validate_static(&t, SpecId::Cancun),
            Err(InvalidTransaction::BlobVersionInvalid(2))
        );
    }
}
