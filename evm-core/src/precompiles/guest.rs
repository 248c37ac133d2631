//! The precompile set of the `precompiles` crate: the guest code of the Wasm precompile modules,
//! linked in. Inside the EE (built with `precompiles/host-bignum`) its field arithmetic calls the
//! host's bignum functions; natively it runs the same arithmetic compiled in, which is how the
//! differential tests compare it with `NativePrecompiles`.

use precompiles::{Failure, Precompile, Pricing};
use primitive_types::H160;

use super::interface::{
    PrecompileFailure, PrecompileOutput, PrecompileResult, Precompiles, precompile_number,
};
use crate::spec::SpecId;

/// The precompiles of the `precompiles` crate (the EE's default set).
#[derive(Clone, Copy, Debug, Default)]
pub struct GuestPrecompiles;

/// The repricings in force in `spec`.
pub fn pricing(spec: SpecId) -> Pricing {
    Pricing {
        eip1108: spec.is_enabled_in(SpecId::Istanbul),
        eip2565: spec.is_enabled_in(SpecId::Berlin),
    }
}

impl Precompiles for GuestPrecompiles {
    fn execute(
        &self,
        spec: SpecId,
        address: H160,
        input: &[u8],
        gas_limit: u64,
    ) -> Option<PrecompileResult> {
        // Which addresses are active is the fork's rule, kept in one place (`interface.rs`).
        let precompile = Precompile::from_number(precompile_number(spec, &address)?)?;
        let result = precompiles::run(precompile, input, gas_limit, pricing(spec));
        Some(
            result
                .map(|out| PrecompileOutput {
                    gas_used: out.gas_used,
                    bytes: out.bytes,
                })
                .map_err(|failure| match failure {
                    Failure::OutOfGas { needed } => PrecompileFailure::OutOfGas {
                        needed,
                        limit: gas_limit,
                    },
                    Failure::InvalidInput(why) => PrecompileFailure::InvalidInput(why),
                }),
        )
    }
}
