//! The native precompile set: every precompile of Frontier..Cancun computed in Rust, one module
//! per precompile, switched on per fork as revm's `init_precompiles` does.

use primitive_types::H160;

use super::interface::{PrecompileFailure, PrecompileResult, Precompiles, precompile_number};
use super::{blake2f, bn128, ecrecover, identity, modexp, point_evaluation, ripemd160, sha256};
use crate::spec::SpecId;

/// The precompiles Ethereum clients implement natively, computed by this crate.
#[derive(Clone, Copy, Debug, Default)]
pub struct NativePrecompiles;

/// Fails with `OutOfGas` unless `price` fits in `gas_limit`.
pub(super) fn charge(price: u64, gas_limit: u64) -> Result<u64, PrecompileFailure> {
    if price > gas_limit {
        Err(PrecompileFailure::OutOfGas {
            needed: price,
            limit: gas_limit,
        })
    } else {
        Ok(price)
    }
}

/// `base + per_word * ceil(len / 32)`, saturating: the price of the hashing precompiles.
pub(super) fn linear_price(len: usize, base: u64, per_word: u64) -> u64 {
    let words = (len as u64).div_ceil(32);
    words.saturating_mul(per_word).saturating_add(base)
}

impl NativePrecompiles {
    /// Whether `address` is a precompile in `spec`.
    pub fn is_active(&self, spec: SpecId, address: &H160) -> bool {
        precompile_number(spec, address).is_some()
    }
}

impl Precompiles for NativePrecompiles {
    fn execute(
        &self,
        spec: SpecId,
        address: H160,
        input: &[u8],
        gas_limit: u64,
    ) -> Option<PrecompileResult> {
        let result = match precompile_number(spec, &address)? {
            ecrecover::NUMBER => ecrecover::run(input, gas_limit),
            sha256::NUMBER => sha256::run(input, gas_limit),
            ripemd160::NUMBER => ripemd160::run(input, gas_limit),
            identity::NUMBER => identity::run(input, gas_limit),
            modexp::NUMBER => modexp::run(spec, input, gas_limit),
            bn128::ADD_NUMBER => bn128::run_add(spec, input, gas_limit),
            bn128::MUL_NUMBER => bn128::run_mul(spec, input, gas_limit),
            bn128::PAIRING_NUMBER => bn128::run_pairing(spec, input, gas_limit),
            blake2f::NUMBER => blake2f::run(input, gas_limit),
            point_evaluation::NUMBER => point_evaluation::run(input, gas_limit),
            // `precompile_number` only returns numbers up to 0x0a.
            _ => return None,
        };
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::interface::precompile_address;
    use super::*;
    use crate::precompiles::PrecompileOutput;

    #[test]
    fn active_sets_follow_the_forks() {
        let count = |spec| NativePrecompiles.addresses(spec).len();
        assert_eq!(count(SpecId::Frontier), 4);
        assert_eq!(count(SpecId::SpuriousDragon), 4);
        assert_eq!(count(SpecId::Byzantium), 8);
        assert_eq!(count(SpecId::Petersburg), 8);
        assert_eq!(count(SpecId::Istanbul), 9);
        assert_eq!(count(SpecId::Shanghai), 9);
        assert_eq!(count(SpecId::Cancun), 10);
        for spec in SpecId::ALL {
            let addresses = NativePrecompiles.addresses(spec);
            assert!(
                addresses.windows(2).all(|w| w[0] < w[1]),
                "{spec}: not ascending"
            );
            assert_eq!(addresses.first(), Some(&precompile_address(1)));
        }
    }

    #[test]
    fn execute_only_at_active_addresses() {
        let p = NativePrecompiles;
        assert!(
            p.execute(SpecId::Frontier, precompile_address(0), &[], 1_000_000)
                .is_none()
        );
        assert!(
            p.execute(SpecId::Frontier, precompile_address(5), &[], 1_000_000)
                .is_none()
        );
        assert!(
            p.execute(SpecId::Byzantium, precompile_address(5), &[], 1_000_000)
                .is_some()
        );
        assert!(
            p.execute(SpecId::Petersburg, precompile_address(9), &[], 1_000_000)
                .is_none()
        );
        assert!(
            p.execute(SpecId::Shanghai, precompile_address(0x0a), &[], 1_000_000)
                .is_none()
        );
        assert!(
            p.execute(SpecId::Cancun, precompile_address(0x0a), &[], 1_000_000)
                .is_some()
        );
        assert!(
            p.execute(SpecId::Cancun, precompile_address(0x0b), &[], 1_000_000)
                .is_none()
        );
        let mut high = precompile_address(1);
        high.0[0] = 1;
        assert!(p.execute(SpecId::Cancun, high, &[], 1_000_000).is_none());
    }

    #[test]
    fn identity_through_the_set_and_out_of_gas() {
        let p = NativePrecompiles;
        let out = p.execute(SpecId::Frontier, precompile_address(4), b"abc", 18);
        assert_eq!(
            out,
            Some(Ok(PrecompileOutput {
                gas_used: 18,
                bytes: b"abc".to_vec()
            }))
        );
        let out = p.execute(SpecId::Frontier, precompile_address(4), b"abc", 17);
        assert_eq!(
            out,
            Some(Err(PrecompileFailure::OutOfGas {
                needed: 18,
                limit: 17
            }))
        );
    }

    #[test]
    fn no_precompile_panics_on_junk() {
        let p = NativePrecompiles;
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in 1..=0x0a {
            for len in [
                0usize, 1, 31, 32, 64, 95, 96, 127, 128, 160, 191, 192, 193, 213, 384,
            ] {
                for fill in [0u8, 0xff, 1] {
                    let mut input = alloc::vec![fill; len];
                    if fill == 1 {
                        input.iter_mut().for_each(|b| *b = next() as u8);
                    }
                    let _ = p.execute(SpecId::Cancun, precompile_address(n), &input, 10_000_000);
                    let _ = p.execute(SpecId::Byzantium, precompile_address(n), &input, 0);
                }
            }
        }
    }
}
