//! Per-call-frame interpreter state: the `evm` crate's standard state plus what evm-core meters on
//! its own, which today is Constantinople's EIP-1283 SSTORE (the `evm` crate only knows EIP-2200,
//! whose constants differ).

use alloc::vec::Vec;
use evm::interpreter::runtime::{GasState, RuntimeBackend, RuntimeConfig, RuntimeState};
use evm::interpreter::{Control, ExitError, ExitException, Machine, Opcode, Stack};
use evm::standard::{Config, GasometerState, InvokerState, TransactArgs};
use evm::{GasMutState, MergeStrategy};
use primitive_types::{H160, H256, U256};

/// Transaction arguments with the metering switches evm-core adds.
pub(crate) struct FrameArgs<'config> {
    pub(crate) args: TransactArgs<'config>,
    /// EIP-1283 SSTORE metering (Constantinople only; Petersburg removed it).
    pub(crate) eip1283: bool,
}

impl<'config> AsRef<TransactArgs<'config>> for FrameArgs<'config> {
    fn as_ref(&self) -> &TransactArgs<'config> {
        &self.args
    }
}

/// A call frame's state.
pub(crate) struct FrameState<'config> {
    inner: evm::standard::State<'config>,
    eip1283: bool,
    /// EIP-1283 refunds of this frame and its committed children. The `evm` gasometer keeps its
    /// refund counter private, so these are added when the transaction's gas is settled.
    eip1283_refund: i64,
}

impl<'config> FrameState<'config> {
    fn wrap(inner: evm::standard::State<'config>, eip1283: bool) -> Self {
        FrameState {
            inner,
            eip1283,
            eip1283_refund: 0,
        }
    }
}

impl AsRef<RuntimeState> for FrameState<'_> {
    fn as_ref(&self) -> &RuntimeState {
        &self.inner.runtime
    }
}

impl AsMut<RuntimeState> for FrameState<'_> {
    fn as_mut(&mut self) -> &mut RuntimeState {
        &mut self.inner.runtime
    }
}

impl AsRef<GasometerState> for FrameState<'_> {
    fn as_ref(&self) -> &GasometerState {
        &self.inner.gasometer
    }
}

impl AsMut<GasometerState> for FrameState<'_> {
    fn as_mut(&mut self) -> &mut GasometerState {
        &mut self.inner.gasometer
    }
}

impl AsRef<Config> for FrameState<'_> {
    fn as_ref(&self) -> &Config {
        self.inner.config
    }
}

impl AsRef<RuntimeConfig> for FrameState<'_> {
    fn as_ref(&self) -> &RuntimeConfig {
        &self.inner.config.runtime
    }
}

impl GasState for FrameState<'_> {
    fn gas(&self) -> U256 {
        self.inner.gas()
    }
}

impl GasMutState for FrameState<'_> {
    fn record_gas(&mut self, gas: U256) -> Result<(), ExitError> {
        self.inner.record_gas(gas)
    }
}

impl<'config> InvokerState for FrameState<'config> {
    type TransactArgs = FrameArgs<'config>;

    fn new_transact_call(
        runtime: RuntimeState,
        gas_limit: U256,
        data: &[u8],
        access_list: &[(H160, Vec<H256>)],
        args: &FrameArgs<'config>,
    ) -> Result<Self, ExitError> {
        let inner = evm::standard::State::new_transact_call(
            runtime,
            gas_limit,
            data,
            access_list,
            &args.args,
        )?;
        Ok(Self::wrap(inner, args.eip1283))
    }

    fn new_transact_create(
        runtime: RuntimeState,
        gas_limit: U256,
        code: &[u8],
        access_list: &[(H160, Vec<H256>)],
        args: &FrameArgs<'config>,
    ) -> Result<Self, ExitError> {
        let inner = evm::standard::State::new_transact_create(
            runtime,
            gas_limit,
            code,
            access_list,
            &args.args,
        )?;
        Ok(Self::wrap(inner, args.eip1283))
    }

    fn substate(
        &mut self,
        runtime: RuntimeState,
        gas_limit: U256,
        is_static: bool,
        call_has_value: bool,
    ) -> Result<Self, ExitError> {
        let inner = self
            .inner
            .substate(runtime, gas_limit, is_static, call_has_value)?;
        Ok(Self::wrap(inner, self.eip1283))
    }

    fn merge(&mut self, substate: Self, strategy: MergeStrategy) {
        if let MergeStrategy::Commit = strategy {
            self.eip1283_refund += substate.eip1283_refund;
        }
        self.inner.merge(substate.inner, strategy);
    }

    fn record_codedeposit(&mut self, len: usize) -> Result<(), ExitError> {
        self.inner.record_codedeposit(len)
    }

    fn is_static(&self) -> bool {
        self.inner.is_static()
    }

    fn effective_gas(&self, with_refund: bool) -> U256 {
        let effective = self.inner.effective_gas(with_refund);
        if !with_refund || self.eip1283_refund == 0 {
            return effective;
        }
        // `effective - without_refund` is the evm gasometer's own refund, already capped. Adding
        // ours before capping again is exact because the EIP-1283 total of a finished
        // transaction is never negative: every negative adjustment undoes a positive one of the
        // same slot in a frame that was committed too.
        let without_refund = self.inner.effective_gas(false);
        let own_refund = effective.saturating_sub(without_refund).low_u64() as i64;
        let cap = self.inner.gasometer.total_used_gas() / self.inner.config.max_refund_quotient();
        let refund = own_refund
            .saturating_add(self.eip1283_refund)
            .clamp(0, cap as i64) as u64;
        without_refund.saturating_add(U256::from(refund))
    }
}

/// EIP-1283 constants.
const SLOAD_GAS: u64 = 200;
const SSTORE_SET_GAS: u64 = 20_000;
const SSTORE_RESET_GAS: u64 = 5_000;
const SSTORE_CLEARS_REFUND: i64 = 15_000;

/// EIP-1283 cost and refund of writing `new` over `current`, the slot holding `original` at the
/// start of the transaction.
fn eip1283_sstore(original: H256, current: H256, new: H256) -> (u64, i64) {
    if current == new {
        return (SLOAD_GAS, 0);
    }
    if original == current {
        if original.is_zero() {
            return (SSTORE_SET_GAS, 0);
        }
        let refund = if new.is_zero() {
            SSTORE_CLEARS_REFUND
        } else {
            0
        };
        return (SSTORE_RESET_GAS, refund);
    }
    let mut refund = 0;
    if !original.is_zero() {
        if current.is_zero() {
            refund -= SSTORE_CLEARS_REFUND;
        } else if new.is_zero() {
            refund += SSTORE_CLEARS_REFUND;
        }
    }
    if original == new {
        refund += if original.is_zero() {
            (SSTORE_SET_GAS - SLOAD_GAS) as i64
        } else {
            (SSTORE_RESET_GAS - SLOAD_GAS) as i64
        };
    }
    (SLOAD_GAS, refund)
}

/// Largest memory one call frame may expand to, in bytes: 2^32 - 1, what the 32-bit Wasm EE can
/// address (its `evm` gasometer refuses an end beyond `usize::MAX` as out of gas) and revm's
/// limit. The `evm` crate's own limit is `usize::MAX` natively, so a transaction with the gas for
/// 8 GiB of memory (about 1.4 * 10^14) made the host allocate it, and abort when it could not.
pub const MEMORY_LIMIT: u64 = u32::MAX as u64;

/// The gas half of the etable: the `evm` gasometer, except SSTORE under EIP-1283, with memory
/// expansion past [`MEMORY_LIMIT`] out of gas.
pub(crate) fn eval_gas<H, Tr>(
    machine: &mut Machine<FrameState<'_>>,
    handler: &mut H,
    position: usize,
) -> Control<Tr>
where
    H: RuntimeBackend,
{
    let opcode = machine.code().get(position).copied().map(Opcode);
    if matches!(opcode, Some(Opcode::CREATE) | Some(Opcode::CREATE2))
        && machine
            .stack
            .peek(2)
            .is_ok_and(|len| len > U256::from(usize::MAX))
    {
        // The `evm` gasometer reports an init code length beyond `usize` as an unsupported
        // fatal error when EIP-3860 is on; the protocol says out of gas (the memory expansion
        // alone costs more than any gas limit).
        let gasometer = &mut machine.state.inner.gasometer;
        gasometer.oog();
        return Control::Exit(Err(evm::interpreter::ExitException::OutOfGas.into()));
    }
    let is_eip1283_sstore = machine.state.eip1283
        && opcode == Some(Opcode::SSTORE)
        && !machine.state.inner.gasometer.is_static
        && machine.stack.len() >= 2;
    if !is_eip1283_sstore {
        return eval_gasometer(machine, handler, position, opcode);
    }
    let (Ok(index), Ok(value)) = (machine.stack.peek(0), machine.stack.peek(1)) else {
        return eval_gasometer(machine, handler, position, opcode);
    };
    let address = machine.state.inner.runtime.context.address;
    let index = u256_to_h256(index);
    let original = handler.original_storage(address, index);
    let current = handler.storage(address, index);
    let (cost, refund) = eip1283_sstore(original, current, u256_to_h256(value));
    let gasometer = &mut machine.state.inner.gasometer;
    if let Err(error) = gasometer.record_gas64(cost) {
        gasometer.oog();
        return Control::Exit(Err(error));
    }
    machine.state.eip1283_refund += refund;
    Control::NoAction
}

/// The `evm` gasometer, then the memory limit: an opcode whose expansion the gasometer charged
/// (its stack is as the gasometer read it) but which would reach past [`MEMORY_LIMIT`] halts out
/// of gas instead of running, so the memory is never allocated. Checked only after the gasometer
/// accepted the opcode, so that its own verdicts (invalid opcode, stack underflow, out of gas)
/// come first, as the EE's.
fn eval_gasometer<H, Tr>(
    machine: &mut Machine<FrameState<'_>>,
    handler: &mut H,
    position: usize,
    opcode: Option<Opcode>,
) -> Control<Tr>
where
    H: RuntimeBackend,
{
    let control = evm::standard::eval_gasometer(machine, handler, position);
    if matches!(control, Control::NoAction)
        && opcode.is_some_and(|opcode| expands_past_limit(opcode, &machine.stack))
    {
        machine.state.inner.gasometer.oog();
        return Control::Exit(Err(ExitException::OutOfGas.into()));
    }
    control
}

/// Whether `opcode` would touch memory at or past [`MEMORY_LIMIT`]: a range of non-zero length
/// ending beyond it.
fn expands_past_limit(opcode: Opcode, stack: &Stack) -> bool {
    memory_ranges(opcode, stack).is_some_and(|ranges| {
        ranges.iter().any(|&(offset, len)| {
            !len.is_zero() && offset.saturating_add(len) > U256::from(MEMORY_LIMIT)
        })
    })
}

/// The memory ranges (offset, length) `opcode` touches, read from the stack before it runs:
/// the operands the `evm` gasometer charges memory expansion for (`dynamic_opcode_cost` in
/// `evm::standard::gasometer`, whose table is private), in the same order.
fn memory_ranges(opcode: Opcode, stack: &Stack) -> Option<[(U256, U256); 2]> {
    let peek = |n| stack.peek(n).ok();
    let none = (U256::zero(), U256::zero());
    let one = |offset: usize, len: usize| Some([(peek(offset)?, peek(len)?), none]);
    match opcode {
        Opcode::SHA3
        | Opcode::RETURN
        | Opcode::REVERT
        | Opcode::LOG0
        | Opcode::LOG1
        | Opcode::LOG2
        | Opcode::LOG3
        | Opcode::LOG4 => one(0, 1),
        Opcode::MCOPY => Some([(peek(0)?.max(peek(1)?), peek(2)?), none]),
        Opcode::CODECOPY | Opcode::CALLDATACOPY | Opcode::RETURNDATACOPY => one(0, 2),
        Opcode::EXTCODECOPY => one(1, 3),
        Opcode::MLOAD | Opcode::MSTORE => Some([(peek(0)?, U256::from(32)), none]),
        Opcode::MSTORE8 => Some([(peek(0)?, U256::one()), none]),
        Opcode::CREATE | Opcode::CREATE2 => one(1, 2),
        Opcode::CALL | Opcode::CALLCODE => Some([(peek(3)?, peek(4)?), (peek(5)?, peek(6)?)]),
        Opcode::DELEGATECALL | Opcode::STATICCALL => {
            Some([(peek(2)?, peek(3)?), (peek(4)?, peek(5)?)])
        }
        _ => None,
    }
}

fn u256_to_h256(value: U256) -> H256 {
    let mut bytes = [0u8; 32];
    value.to_big_endian(&mut bytes);
    H256(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stack holding `items`, the last one on top.
    fn stack(items: &[u64]) -> Stack {
        let mut stack = Stack::new(1024);
        for &item in items {
            stack.push(U256::from(item)).unwrap();
        }
        stack
    }

    #[test]
    fn memory_limit_boundary() {
        let limit = MEMORY_LIMIT;
        // MSTORE(offset, value): the offset is on top. The last byte it may touch is 2^32 - 2.
        assert!(!expands_past_limit(
            Opcode::MSTORE,
            &stack(&[7, limit - 32])
        ));
        assert!(expands_past_limit(Opcode::MSTORE, &stack(&[7, limit - 31])));
        assert!(!expands_past_limit(
            Opcode::MSTORE8,
            &stack(&[7, limit - 1])
        ));
        assert!(expands_past_limit(Opcode::MSTORE8, &stack(&[7, limit])));
        // RETURN(offset, len): zero length touches nothing, wherever it points.
        assert!(!expands_past_limit(Opcode::RETURN, &stack(&[0, u64::MAX])));
        assert!(!expands_past_limit(Opcode::RETURN, &stack(&[limit, 0])));
        assert!(expands_past_limit(Opcode::RETURN, &stack(&[limit + 1, 0])));
        // MCOPY(dst, src, len): the farther of the two ranges counts.
        assert!(expands_past_limit(Opcode::MCOPY, &stack(&[1, limit, 0])));
        // CALL(gas, to, value, in_offset, in_len, out_offset, out_len): the output range too.
        let call = |out_offset| stack(&[1, out_offset, 0, 0, 0, 0, 0]);
        assert!(!expands_past_limit(Opcode::CALL, &call(limit - 1)));
        assert!(expands_past_limit(Opcode::CALL, &call(limit)));
        // Opcodes without memory operands, and a short stack (the gasometer's to report).
        assert!(!expands_past_limit(
            Opcode::ADD,
            &stack(&[u64::MAX, u64::MAX])
        ));
        assert!(!expands_past_limit(Opcode::MSTORE, &stack(&[])));
    }

    fn h(v: u64) -> H256 {
        u256_to_h256(U256::from(v))
    }

    #[test]
    fn eip1283_table() {
        // The test cases of EIP-1283 (original, first write, second write -> gas, refund),
        // applied one write at a time.
        let cases: &[(u64, u64, u64, u64, i64)] = &[
            // original, current, new, cost, refund
            (0, 0, 0, 200, 0),
            (0, 0, 1, 20000, 0),
            (1, 1, 0, 5000, 15000),
            (1, 1, 2, 5000, 0),
            (1, 1, 1, 200, 0),
            (0, 1, 0, 200, 19800),
            (1, 0, 1, 200, -15000 + 4800),
            (1, 2, 0, 200, 15000),
            (1, 0, 2, 200, -15000),
            (0, 1, 2, 200, 0),
        ];
        for &(original, current, new, cost, refund) in cases {
            assert_eq!(
                eip1283_sstore(h(original), h(current), h(new)),
                (cost, refund),
                "{original} {current} {new}"
            );
        }
    }
}
