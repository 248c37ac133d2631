//! The `evm` crate's standard invoker, observed: the `evm` crate reports gas used only for
//! successful transactions, but receipts and block gas accounting need it for failed ones too.

use core::cell::Cell;
use core::convert::Infallible;
use evm::interpreter::{Capture, ExitError, Interpreter};
use evm::standard::{InvokerState, TransactValue};
use evm::{Invoker, InvokerControl, InvokerExit};
use primitive_types::U256;

/// Wraps an invoker and remembers the gas the last finished transaction used.
pub(crate) struct GasObservingInvoker<I> {
    pub(crate) inner: I,
    pub(crate) gas_limit: U256,
    pub(crate) used_gas: Cell<U256>,
}

impl<H, I> Invoker<H> for GasObservingInvoker<I>
where
    I: Invoker<H, TransactValue = TransactValue, Interrupt = Infallible>,
    I::State: InvokerState,
    I::Interpreter: Interpreter<H, State = I::State>,
{
    type State = I::State;
    type Interpreter = I::Interpreter;
    type Interrupt = Infallible;
    type TransactArgs = I::TransactArgs;
    type TransactInvoke = I::TransactInvoke;
    type TransactValue = TransactValue;
    type SubstackInvoke = I::SubstackInvoke;

    fn new_transact(
        &self,
        args: Self::TransactArgs,
        handler: &mut H,
    ) -> Result<
        (
            Self::TransactInvoke,
            InvokerControl<Self::Interpreter, Self::State>,
        ),
        ExitError,
    > {
        self.inner.new_transact(args, handler)
    }

    fn finalize_transact(
        &self,
        invoke: &Self::TransactInvoke,
        exit: InvokerExit<Self::State>,
        handler: &mut H,
    ) -> Result<TransactValue, ExitError> {
        // Mirror of the standard invoker's settlement: a revert returns the unused gas (without
        // refunds), any other failure consumes everything.
        let left_after_revert = exit.substate.as_ref().map(|s| s.effective_gas(false));
        let result = self.inner.finalize_transact(invoke, exit, handler);
        let used = match &result {
            Ok(value) => value.used_gas,
            Err(ExitError::Reverted) => self
                .gas_limit
                .saturating_sub(left_after_revert.unwrap_or_default()),
            Err(_) => self.gas_limit,
        };
        self.used_gas.set(used);
        result
    }

    #[allow(clippy::type_complexity)]
    fn enter_substack(
        &self,
        trap: <Self::Interpreter as Interpreter<H>>::Trap,
        machine: &mut Self::Interpreter,
        handler: &mut H,
        depth: usize,
    ) -> Capture<
        Result<
            (
                Self::SubstackInvoke,
                InvokerControl<Self::Interpreter, Self::State>,
            ),
            ExitError,
        >,
        Self::Interrupt,
    > {
        self.inner.enter_substack(trap, machine, handler, depth)
    }

    fn exit_substack(
        &self,
        trap_data: Self::SubstackInvoke,
        exit: InvokerExit<Self::State>,
        parent: &mut Self::Interpreter,
        handler: &mut H,
    ) -> Result<(), ExitError> {
        self.inner.exit_substack(trap_data, exit, parent, handler)
    }
}
