//! System calls: a block-level call made by the protocol itself (EIP-4788's beacon roots update),
//! not by a transaction. No validity checks, no nonce, no intrinsic gas, no fee, no refund, no
//! coinbase payment; the callee gets exactly the given gas, and gas used counts nowhere.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::convert::Infallible;
use evm::backend::{OverlayedBackend, TransactionalBackend};
use evm::interpreter::etable::{Chained, DispatchEtable, Single};
use evm::interpreter::runtime::{
    Context, RuntimeBackend, RuntimeEnvironment, RuntimeState, TouchKind, TransactionContext,
};
use evm::interpreter::trap::{CallCreateTrap, CallScheme};
use evm::interpreter::{Capture, ExitError, ExitFatal, Interpreter};
use evm::standard::{
    EtableResolver, GasometerState, InvokerState, Resolver, ResolverOrigin, SubstackInvoke,
    TransactArgs, TransactArgsCallCreate, TransactGasPrice, TransactValue, TransactValueCallCreate,
    routines,
};
use evm::{Invoker, InvokerControl, InvokerExit, MergeStrategy};
use primitive_types::{H160, U256};

use super::backend::StateBackend;
use super::frame::{FrameArgs, FrameState, eval_gas};
use super::precompile_set::ForkPrecompiles;
use super::{BlockEnv, HEAP_DEPTH, TransactError, collect_changes};
use crate::precompiles::Precompiles;
use crate::spec::SpecId;
use crate::state::{State, StateChanges};

/// A call the protocol makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemCall {
    /// `msg.sender` and `tx.origin` (for EIP-4788, `0xff..fe`).
    pub caller: H160,
    /// The contract called.
    pub target: H160,
    /// Call data.
    pub data: Vec<u8>,
    /// Gas the callee gets, all of it (no intrinsic gas is taken).
    pub gas_limit: u64,
}

/// What a system call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemCallOutcome {
    /// The call succeeded (it did not revert or fail).
    pub success: bool,
    /// Return data.
    pub output: Vec<u8>,
    /// Gas the callee used (informational: it counts against no block limit).
    pub gas_used: u64,
    /// The account changes, already committed to the state (empty if the call failed, except
    /// for the caller being touched).
    pub changes: StateChanges,
}

/// Runs `call` on `state` and commits what it changed. The call frame is warm for the caller,
/// the target and the precompiles (EIP-2929), as for a transaction.
pub fn system_call<S: State>(
    state: &mut S,
    block: &BlockEnv,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    call: &SystemCall,
) -> Result<SystemCallOutcome, TransactError<S::Error>> {
    let backend = StateBackend::new(state, block, spec, &[]);
    let config = spec.evm_config();
    let mut overlay = OverlayedBackend::new(&backend, &config.runtime);
    let (result, gas_used) = run(&mut overlay, spec, precompiles, call, config);
    let (_, changeset) = overlay.deconstruct();
    // Resolving the changes reads the pre-state again: check for state errors after it.
    let changes = collect_changes(&backend, &changeset);
    if let Some(error) = backend.take_error() {
        return Err(TransactError::State(error));
    }
    let (success, output) = match result {
        Err(ExitError::Fatal(fatal)) => return Err(TransactError::Fatal(fatal)),
        Err(_) => (false, Vec::new()),
        Ok(TransactValueCallCreate::Call { retval, .. }) => (true, retval),
        Ok(TransactValueCallCreate::Create { .. }) => (true, Vec::new()),
    };
    drop(backend);
    state.commit(&changes).map_err(TransactError::State)?;
    Ok(SystemCallOutcome {
        success,
        output,
        gas_used,
        changes,
    })
}

fn run<H>(
    handler: &mut H,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    call: &SystemCall,
    config: &evm::standard::Config,
) -> (Result<TransactValueCallCreate, ExitError>, u64)
where
    H: RuntimeEnvironment + RuntimeBackend + TransactionalBackend,
{
    let fork_precompiles = ForkPrecompiles {
        precompiles,
        spec,
        addresses: precompiles.addresses(spec),
    };
    let gas_etable = Single::new(eval_gas::<H, CallCreateTrap> as fn(&mut _, &mut H, usize) -> _);
    let exec_etable: DispatchEtable<FrameState<'_>, H, CallCreateTrap> = DispatchEtable::runtime();
    let etable = Chained(gas_etable, exec_etable);
    let resolver = EtableResolver::new(&fork_precompiles, &etable);
    let invoker = SystemInvoker {
        inner: evm::standard::Invoker::new(&resolver),
        resolver: &resolver,
        gas_limit: call.gas_limit,
        gas_used: Cell::new(call.gas_limit),
    };
    let args = FrameArgs {
        args: TransactArgs {
            call_create: TransactArgsCallCreate::Call {
                address: call.target,
                data: call.data.clone(),
            },
            caller: call.caller,
            value: U256::zero(),
            gas_limit: U256::from(call.gas_limit),
            gas_price: TransactGasPrice::Legacy(U256::zero()),
            access_list: Vec::new(),
            config,
        },
        eip1283: spec == SpecId::Constantinople,
    };
    let result = evm::transact(args, HEAP_DEPTH, handler, &invoker).map(|value| value.call_create);
    (result, invoker.gas_used.get())
}

/// The standard invoker for everything below the top frame; the top frame is entered and
/// settled without any of a transaction's bookkeeping.
struct SystemInvoker<'config, 'resolver, R> {
    inner: evm::standard::Invoker<'config, 'resolver, R>,
    resolver: &'resolver R,
    gas_limit: u64,
    gas_used: Cell<u64>,
}

impl<'config, 'resolver, H, R> Invoker<H> for SystemInvoker<'config, 'resolver, R>
where
    H: RuntimeEnvironment + RuntimeBackend + TransactionalBackend,
    R: Resolver<H, State = FrameState<'config>>,
    R::Interpreter: Interpreter<H, State = FrameState<'config>>,
    evm::standard::Invoker<'config, 'resolver, R>: Invoker<
            H,
            State = FrameState<'config>,
            Interpreter = R::Interpreter,
            Interrupt = Infallible,
            SubstackInvoke = SubstackInvoke,
        >,
{
    type State = FrameState<'config>;
    type Interpreter = R::Interpreter;
    type Interrupt = Infallible;
    type TransactArgs = FrameArgs<'config>;
    type TransactInvoke = ();
    type TransactValue = TransactValue;
    type SubstackInvoke = SubstackInvoke;

    fn new_transact(
        &self,
        args: FrameArgs<'config>,
        handler: &mut H,
    ) -> Result<((), InvokerControl<Self::Interpreter, Self::State>), ExitError> {
        let TransactArgsCallCreate::Call { address, data } = &args.args.call_create else {
            return Err(ExitFatal::NotSupported.into());
        };
        let caller = args.args.caller;
        handler.push_substate();
        let runtime = RuntimeState {
            context: Context {
                caller,
                address: *address,
                apparent_value: U256::zero(),
            },
            transaction_context: Rc::new(TransactionContext {
                origin: caller,
                gas_price: U256::zero(),
            }),
            retbuf: Vec::new(),
        };
        handler.mark_hot(caller, TouchKind::Access);
        handler.mark_hot(caller, TouchKind::StateChange);
        handler.mark_hot(*address, TouchKind::Access);
        // The standard constructor charges intrinsic gas; give it room, then replace its
        // gasometer with one holding exactly the call's gas.
        let mut state =
            FrameState::new_transact_call(runtime, U256::from(u64::MAX), data, &[], &args)?;
        *AsMut::<GasometerState>::as_mut(&mut state) = GasometerState::new(self.gas_limit, false);
        let control = routines::make_enter_call_machine(
            ResolverOrigin::Transaction,
            self.resolver,
            CallScheme::Call,
            *address,
            data.clone(),
            None,
            state,
            handler,
        )?;
        Ok(((), control))
    }

    fn finalize_transact(
        &self,
        _invoke: &(),
        exit: InvokerExit<Self::State>,
        handler: &mut H,
    ) -> Result<TransactValue, ExitError> {
        let left = match (&exit.result, exit.substate.as_ref()) {
            (Ok(_) | Err(ExitError::Reverted), Some(state)) => state.effective_gas(false),
            _ => U256::zero(),
        };
        let used = self
            .gas_limit
            .saturating_sub(left.min(U256::from(u64::MAX)).low_u64());
        self.gas_used.set(used);
        match exit.result {
            Ok(succeed) => {
                handler.pop_substate(MergeStrategy::Commit)?;
                Ok(TransactValue {
                    call_create: TransactValueCallCreate::Call {
                        succeed,
                        retval: exit.retval,
                    },
                    used_gas: U256::from(used),
                })
            }
            Err(error) => {
                handler.pop_substate(MergeStrategy::Discard)?;
                Err(error)
            }
        }
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
