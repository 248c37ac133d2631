//! Plugs any [`Precompiles`] implementation into the `evm` crate's resolver.

use alloc::vec::Vec;
use evm::GasMutState;
use evm::interpreter::runtime::{RuntimeBackend, TouchKind};
use evm::interpreter::{ExitException, ExitResult, ExitSucceed};
use evm::standard::PrecompileSet;
use primitive_types::{H160, U256};

use crate::precompiles::Precompiles;
use crate::spec::SpecId;

/// A precompile set bound to one fork.
pub(crate) struct ForkPrecompiles<'a> {
    pub(crate) precompiles: &'a dyn Precompiles,
    pub(crate) spec: SpecId,
    /// `precompiles.addresses(spec)`, computed once per transaction.
    pub(crate) addresses: Vec<H160>,
}

impl<S: GasMutState, H: RuntimeBackend> PrecompileSet<S, H> for ForkPrecompiles<'_> {
    fn on_transaction(&self, _state: &mut S, handler: &mut H) {
        // EIP-2929: precompiles are warm from the start.
        for address in &self.addresses {
            handler.mark_hot(*address, TouchKind::Access);
        }
    }

    fn execute(
        &self,
        code_address: H160,
        input: &[u8],
        state: &mut S,
        _handler: &mut H,
    ) -> Option<(ExitResult, Vec<u8>)> {
        if self.addresses.binary_search(&code_address).is_err() {
            return None;
        }
        let gas_limit = state.gas().min(U256::from(u64::MAX)).low_u64();
        let result = self
            .precompiles
            .execute(self.spec, code_address, input, gas_limit)?;
        Some(match result {
            Ok(output) => match state.record_gas(U256::from(output.gas_used)) {
                Ok(()) => (Ok(ExitSucceed::Returned), output.bytes),
                Err(error) => (Err(error), Vec::new()),
            },
            // A failed precompile consumes the call's gas: a non-revert error makes the invoker
            // discard the frame with its gas.
            Err(_) => (Err(ExitException::OutOfGas.into()), Vec::new()),
        })
    }
}
