//! Deterministic metering: the module is instrumented before any engine sees it, so every
//! engine charges exactly the same ticks and hits the same stack limit at the same point.
//!
//! The injection is `finite-wasm`'s: its gas analysis splits each function into regions of
//! straight-line code (merging across instructions that cannot branch, trap or have side
//! effects) and inserts one call of `metering.finite_wasm_gas(cost)` at the start of each
//! region, charging the summed cost of its instructions up front. Bulk-memory and table
//! instructions get a call that charges by their length operand. Its stack analysis computes, per
//! function, the largest operand stack and the frame size, and brackets the body with
//! `finite_wasm_stack` / `finite_wasm_unstack` calls, so the stack depth is bounded by the host's
//! counter instead of by the engines' native limits (which differ).
//!
//! # Tick costs
//!
//! | what | ticks |
//! | --- | --- |
//! | any instruction not listed below (constants, locals, arithmetic, comparisons, branches, ...) | [`TICKS_DEFAULT`] = 1 |
//! | loads and stores | [`TICKS_MEMORY_ACCESS`] = 2 |
//! | integer and float division and remainder, float square root | [`TICKS_DIV_REM`] = 4 |
//! | `call`, `return_call` | [`TICKS_CALL`] = 6 |
//! | `call_indirect`, `return_call_indirect` | [`TICKS_CALL_INDIRECT`] = 10 |
//! | function entry | 1 per started [`LOCALS_PER_TICK`] = 4 declared locals (zeroing them takes time) |
//! | `memory.grow` | [`TICKS_MEMORY_GROW`] = 1000, plus [`TICKS_MEMORY_GROW_PER_PAGE`] = 8192 per page asked for |
//! | `table.grow` | [`TICKS_TABLE_GROW`] = 100, plus [`TICKS_TABLE_GROW_PER_ELEMENT`] = 1 per element asked for |
//! | `memory.copy`, `memory.fill`, `memory.init` | [`TICKS_BULK_BASE`] = 2, plus [`TICKS_BULK_PER_UNIT`] = 1 per started 8-byte word |
//! | `table.copy`, `table.fill`, `table.init` | 2, plus 1 per element |
//! | each host call (EEI or debug) | [`TICKS_HOST_CALL`] = 150 |
//! | each bignum call | its own fixed cost instead (`bignum.rs`: 100 to 300) |
//! | host calls that move `len` bytes (`blockDataCopy`, `pushNewDeposit`, `printMem`, `printMemHex`, 32 for the state roots) | plus [`TICKS_HOST_COPY_PER_WORD`] = 1 per started 8-byte word |
//! | `eth2_pushNewDeposit` | plus [`TICKS_DEPOSIT`] = 100 (a record the host keeps) |
//! | `eth2_useTicks(n)` | plus `n` (unsigned) |
//!
//! Each budget check costs [`TICKS_PER_CHECK`] = 2 on top of its run. A second pass (`counters.rs`) turns the per-region and
//! per-frame calls into arithmetic on two globals the host provides (`metering.ticks`,
//! `metering.stack`), calling the host only to trap once a budget is passed: same charges, same
//! counts, far less time. Ticks are one `u64` in the host; a charge that
//! would pass the budget sets the count to the budget and traps with `tick budget N exhausted`.
//!
//! # Stack units
//!
//! Operands count 4 (`i32`, `f32`), 8 (`i64`, `f64`, references) or 16 (`v128`) units; a frame
//! counts [`FRAME_OVERHEAD`] = 128 units plus [`LOCAL_SIZE`] = 8 per local (parameters included).
//! Passing [`crate::Limits::max_stack`] traps with `stack budget N exhausted`.

mod counters;

pub use counters::{
    LOCALS_PER_TICK, TICKS_MEMORY_GROW_PER_PAGE, TICKS_PER_CHECK, TICKS_TABLE_GROW_PER_ELEMENT,
};
pub(crate) use counters::{MAX_COUNTER_BUDGET, STACK_GLOBAL, TICKS_GLOBAL};

use crate::{HostError, Limits};
use finite_wasm::prefix_sum_vec::PrefixSumVec;
use finite_wasm::{Fee, wasmparser as wp};

/// Ticks of an instruction without a cost of its own.
pub const TICKS_DEFAULT: u64 = 1;
/// Ticks of a load or store.
pub const TICKS_MEMORY_ACCESS: u64 = 2;
/// Ticks of a division, remainder or square root.
pub const TICKS_DIV_REM: u64 = 4;
/// Ticks of a direct call.
pub const TICKS_CALL: u64 = 6;
/// Ticks of an indirect call.
pub const TICKS_CALL_INDIRECT: u64 = 10;
/// Ticks of `memory.grow` (the memory is bounded by the page limit, so a constant is enough).
pub const TICKS_MEMORY_GROW: u64 = 1000;
/// Ticks of `table.grow`.
pub const TICKS_TABLE_GROW: u64 = 100;
/// Fixed ticks of a bulk memory or table instruction.
pub const TICKS_BULK_BASE: u64 = 2;
/// Ticks per started 8-byte word (memory) or per element (table) of a bulk instruction.
pub const TICKS_BULK_PER_UNIT: u64 = 1;
/// Fixed ticks of every EEI and debug host call.
pub const TICKS_HOST_CALL: u64 = 150;
/// Ticks of `eth2_pushNewDeposit` on top of [`TICKS_HOST_CALL`]: the host allocates and keeps
/// a record per deposit.
pub const TICKS_DEPOSIT: u64 = 100;
/// Ticks per started 8-byte word that a host call copies.
pub const TICKS_HOST_COPY_PER_WORD: u64 = 1;

/// Stack units of a function frame besides its locals.
pub const FRAME_OVERHEAD: u64 = 128;
/// Stack units of one local.
pub const LOCAL_SIZE: u64 = 8;

/// The import module of the metering functions injected by the instrumentation.
pub(crate) const METERING_MODULE: &str = "metering";

/// The cost of one instruction, by its `wasmparser` operator name.
fn fee_of(op: &str) -> Fee {
    match op {
        // finite-wasm requires these to be free: they are not executed on every path through
        // them (a branch to a block's end skips it), so their cost is folded into the branches.
        "End" | "Else" => Fee::ZERO,
        "MemoryCopy" | "MemoryFill" | "MemoryInit" | "TableCopy" | "TableFill" | "TableInit" => {
            Fee {
                constant: TICKS_BULK_BASE,
                linear: TICKS_BULK_PER_UNIT,
            }
        }
        "MemoryGrow" => Fee::constant(TICKS_MEMORY_GROW),
        "TableGrow" => Fee::constant(TICKS_TABLE_GROW),
        "Call" | "ReturnCall" => Fee::constant(TICKS_CALL),
        "CallIndirect" | "ReturnCallIndirect" | "CallRef" | "ReturnCallRef" => {
            Fee::constant(TICKS_CALL_INDIRECT)
        }
        _ if op.contains("Div") || op.contains("Rem") || op.contains("Sqrt") => {
            Fee::constant(TICKS_DIV_REM)
        }
        _ if op.contains("Load") || op.contains("Store") => Fee::constant(TICKS_MEMORY_ACCESS),
        _ => Fee::constant(TICKS_DEFAULT),
    }
}

/// The cost model handed to finite-wasm's gas analysis.
struct CostModel;

macro_rules! define_fee {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Fee {
                $($(let _ = $arg;)*)?
                fee_of(stringify!($op))
            }
        )*
    };
}

impl<'a> wp::VisitOperator<'a> for CostModel {
    type Output = Fee;

    fn simd_visitor(&mut self) -> Option<&mut dyn wp::VisitSimdOperator<'a, Output = Fee>> {
        Some(self)
    }

    wp::for_each_visit_operator!(define_fee);
}

impl<'a> wp::VisitSimdOperator<'a> for CostModel {
    wp::for_each_visit_simd_operator!(define_fee);
}

/// The stack units of values and frames handed to finite-wasm's stack analysis.
struct StackUnits;

impl finite_wasm::max_stack::SizeConfig for StackUnits {
    fn size_of_value(&self, ty: wp::ValType) -> u8 {
        match ty {
            wp::ValType::I32 | wp::ValType::F32 => 4,
            wp::ValType::I64 | wp::ValType::F64 | wp::ValType::Ref(_) => 8,
            wp::ValType::V128 => 16,
        }
    }

    fn size_of_function_activation(&self, locals: &PrefixSumVec<wp::ValType, u32>) -> u64 {
        let count = locals.max_index().map_or(0, |&last| u64::from(last) + 1);
        FRAME_OVERHEAD.saturating_add(count.saturating_mul(LOCAL_SIZE))
    }
}

/// The error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Injects tick and stack metering into a module that has been validated.
///
/// finite-wasm's re-encoder panics only if a function index plus 9 overflows `u32`; validation
/// caps a module at a million functions, so validate first.
///
/// finite-wasm also asserts internal invariants of its analysis; should one ever fail on some
/// module, the panic is caught here and reported as an instrumentation error rather than taking
/// the host down.
///
/// The result counts in the globals of `counters.rs`, with `limits`' budgets built in, and is
/// within the host's shape limits (`load/shape.rs`), or this is an error naming the limit.
pub(crate) fn instrument(wasm: &[u8], limits: &Limits) -> Result<Vec<u8>, HostError> {
    let instrumented = instrument_unchecked(wasm, limits)?;
    crate::load::shape::check_shape(&instrumented)?;
    Ok(instrumented)
}

/// [`instrument`] without the shape check.
pub(crate) fn instrument_unchecked(wasm: &[u8], limits: &Limits) -> Result<Vec<u8>, HostError> {
    let run = || {
        let outcome = finite_wasm::Analysis::new()
            .with_stack(StackUnits)
            .with_gas(CostModel)
            .analyze(wasm)
            .map_err(|e| HostError::Instrumentation(chain(&e)))?;
        let instrumented = outcome
            .instrument(METERING_MODULE, wasm)
            .map_err(|e| HostError::Instrumentation(chain(&e)))?;
        counters::inline_counters(&instrumented, limits.max_ticks, limits.max_stack)
    };
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(HostError::Instrumentation(format!(
            "finite-wasm failed on this module: {what}"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_by_class() {
        assert_eq!(fee_of("I32Add"), Fee::constant(1));
        assert_eq!(fee_of("I64DivU"), Fee::constant(TICKS_DIV_REM));
        assert_eq!(fee_of("I32Load8U"), Fee::constant(TICKS_MEMORY_ACCESS));
        assert_eq!(fee_of("CallIndirect"), Fee::constant(TICKS_CALL_INDIRECT));
        assert_eq!(fee_of("MemoryCopy").linear, TICKS_BULK_PER_UNIT);
    }
}
