//! Eth1 deposits for the beacon chain: every `DepositEvent` log of the chain config's deposit
//! contract becomes one deposit in Scout's 184-byte layout.

use alloc::vec::Vec;
use evm_core::logs::Log;
use primitive_types::{H160, H256};

/// `keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)")`.
pub const DEPOSIT_EVENT_TOPIC: H256 = H256([
    0x64, 0x9b, 0xbc, 0x62, 0xd0, 0xe3, 0x13, 0x42, 0xaf, 0xea, 0x4e, 0x5c, 0xd8, 0x2d, 0x40, 0x49,
    0xe7, 0xe1, 0xee, 0x91, 0x2f, 0xc0, 0x88, 0x9a, 0xa7, 0x90, 0x80, 0x3b, 0xe3, 0x90, 0x38, 0xc5,
]);

/// pubkey (48) ‖ withdrawal credentials (32) ‖ amount (8, big-endian gwei) ‖ signature (96):
/// Scout's layout, which reads the amount big-endian (the SSZ of 2019); the deposit contract logs
/// it little-endian, so [`deposits_of`] turns it around.
pub const DEPOSIT_LEN: usize = 48 + 32 + 8 + 96;

/// The deposits of `logs` emitted by `contract`, in log order. A log that does not carry the
/// deposit contract's ABI layout is not a deposit and is skipped (the contract defines the layout;
/// anything else did not come from it).
pub fn deposits_of<'a>(
    contract: H160,
    logs: impl IntoIterator<Item = &'a Log>,
) -> Vec<[u8; DEPOSIT_LEN]> {
    logs.into_iter()
        .filter(|log| log.address == contract && log.topics.first() == Some(&DEPOSIT_EVENT_TOPIC))
        .filter_map(|log| decode_deposit(&log.data))
        .collect()
}

/// The event's data is the ABI encoding of five dynamic `bytes`: pubkey (48), withdrawal
/// credentials (32), amount (8), signature (96), index (8).
fn decode_deposit(data: &[u8]) -> Option<[u8; DEPOSIT_LEN]> {
    let field = |position: usize, len: usize| -> Option<&[u8]> {
        let head = data.get(position * 32..position * 32 + 32)?;
        let offset = word_to_usize(head)?;
        let length = word_to_usize(data.get(offset..offset.checked_add(32)?)?)?;
        if length != len {
            return None;
        }
        let start = offset.checked_add(32)?;
        data.get(start..start.checked_add(len)?)
    };
    let mut out = [0u8; DEPOSIT_LEN];
    out[..48].copy_from_slice(field(0, 48)?);
    out[48..80].copy_from_slice(field(1, 32)?);
    let mut amount = [0u8; 8];
    amount.copy_from_slice(field(2, 8)?);
    amount.reverse();
    out[80..88].copy_from_slice(&amount);
    out[88..].copy_from_slice(field(3, 96)?);
    field(4, 8)?;
    Some(out)
}

fn word_to_usize(word: &[u8]) -> Option<usize> {
    let (high, low) = word.split_at(24);
    if high.iter().any(|b| *b != 0) {
        return None;
    }
    usize::try_from(u64::from_be_bytes(low.try_into().ok()?)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abi_bytes(fields: &[&[u8]]) -> Vec<u8> {
        let mut head = Vec::new();
        let mut tail = Vec::new();
        let base = fields.len() * 32;
        for field in fields {
            let mut word = [0u8; 32];
            word[24..].copy_from_slice(&((base + tail.len()) as u64).to_be_bytes());
            head.extend_from_slice(&word);
            let mut len = [0u8; 32];
            len[24..].copy_from_slice(&(field.len() as u64).to_be_bytes());
            tail.extend_from_slice(&len);
            tail.extend_from_slice(field);
            tail.resize(tail.len().div_ceil(32) * 32, 0);
        }
        head.extend(tail);
        head
    }

    #[test]
    fn topic_is_the_deposit_event_signature() {
        assert_eq!(
            DEPOSIT_EVENT_TOPIC,
            witness::keccak256(b"DepositEvent(bytes,bytes,bytes,bytes,bytes)")
        );
    }

    #[test]
    fn a_deposit_event_becomes_184_bytes_and_others_are_skipped() {
        let contract = H160([0xde; 20]);
        let data = abi_bytes(&[
            &[1u8; 48],
            &[2u8; 32],
            &32_000_000_000u64.to_le_bytes(),
            &[3u8; 96],
            &[0u8; 8],
        ]);
        let deposit = Log {
            address: contract,
            topics: alloc::vec![DEPOSIT_EVENT_TOPIC],
            data: data.clone(),
        };
        let other_contract = Log {
            address: H160([1; 20]),
            ..deposit.clone()
        };
        let truncated = Log {
            data: data[..200].to_vec(),
            ..deposit.clone()
        };
        let out = deposits_of(contract, [&deposit, &other_contract, &truncated]);
        assert_eq!(out.len(), 1);
        assert_eq!(&out[0][..48], &[1u8; 48]);
        assert_eq!(&out[0][48..80], &[2u8; 32]);
        assert_eq!(&out[0][80..88], &32_000_000_000u64.to_be_bytes());
        assert_eq!(&out[0][88..], &[3u8; 96]);
    }
}
