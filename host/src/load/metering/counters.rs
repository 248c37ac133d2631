//! The second metering pass: tick and stack counters as globals instead of host calls.
//!
//! finite-wasm's instrumentation calls the host at the start of every straight-line region
//! (`i64.const cost; call $finite_wasm_gas`) and at every function entry and exit
//! (`i64.const operands; i64.const frame; call $finite_wasm_stack` / `$finite_wasm_unstack`).
//! A host call per region costs far more than the region itself in both engines, so this pass
//! rewrites those three call shapes into arithmetic on two mutable `i64` globals that the host
//! provides per run, `metering.ticks` and `metering.stack`:
//!
//! ```text
//! global.get $ticks  i64.const cost  i64.add  global.set $ticks
//! global.get $ticks  i64.const MAX_TICKS  i64.gt_u
//! if  i64.const 0  call $finite_wasm_gas  unreachable  end
//! ```
//!
//! Each function's declared locals are charged at its entry, [`LOCALS_PER_TICK`] per tick, and
//! `memory.grow` / `table.grow` by the size they ask for (charged before growing, whether or not
//! the growth is granted), through one extra `i32` local in the functions that grow.
//!
//! The host is called only once a budget is passed, to trap with the reason (charging 0 more on a
//! count already past the budget). The same charges happen at the same points as with the calls,
//! so tick counts do not change, and both engines run the same rewritten code. Host functions
//! read and write the same globals (the EEI's own charges). The two globals are imported first,
//! so every global index of the module moves up by two; function indices do not change (the
//! metering functions stay imported, for the slow paths and the bulk-memory charges).

use std::convert::Infallible;

use finite_wasm::wasmparser as wp;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, utils};
use wasm_encoder::{EntityType, GlobalType, ImportSection, Instruction, ValType};

use super::METERING_MODULE;
use crate::HostError;

/// Import name of the tick counter global.
pub(crate) const TICKS_GLOBAL: &str = "ticks";
/// Import name of the stack counter global.
pub(crate) const STACK_GLOBAL: &str = "stack";

/// The metering functions' indices in finite-wasm's output (its imports come first, in this
/// order: gas, seven bulk charges, stack, unstack).
const GAS_FN: u32 = 0;
const STACK_FN: u32 = 7;
const UNSTACK_FN: u32 = 8;

/// The counters' global indices after the rewrite.
const TICKS: u32 = 0;
const STACK: u32 = 1;

/// Declared locals charged one tick at function entry (parameters are not: the caller wrote
/// them). Engines zero every local on each call, so without this a function of thousands of
/// locals called in a loop cost about 170 times more time per tick than an empty one.
pub const LOCALS_PER_TICK: u64 = 4;

/// Ticks per page a `memory.grow` asks for, on top of its flat cost: what `memory.fill` charges
/// for the page (1 per 8 bytes), since an engine zeroes or maps every page it adds.
pub const TICKS_MEMORY_GROW_PER_PAGE: i64 = 8192;

/// Ticks per element a `table.grow` asks for, on top of its flat cost.
pub const TICKS_TABLE_GROW_PER_ELEMENT: i64 = 1;

/// The largest budget the rewritten code can compare against: a count at most this high plus one
/// region's cost cannot wrap a `u64`.
pub(crate) const MAX_COUNTER_BUDGET: u64 = 1 << 62;

struct CounterRewriter {
    max_ticks: i64,
    max_stack: i64,
    /// Parameters of each defined function, in order.
    params: Vec<u32>,
    /// The defined function being rewritten.
    next_function: usize,
}

impl Reencode for CounterRewriter {
    type Error = Infallible;

    fn global_index(&mut self, global: u32) -> u32 {
        // Validation caps a module at a million globals, far from u32::MAX.
        global.saturating_add(2)
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        section: wp::ImportSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        for name in [TICKS_GLOBAL, STACK_GLOBAL] {
            imports.import(
                METERING_MODULE,
                name,
                EntityType::Global(GlobalType {
                    val_type: ValType::I64,
                    mutable: true,
                    shared: false,
                }),
            );
        }
        utils::parse_import_section(self, imports, section)
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wp::FunctionBody<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        let mut locals = Vec::new();
        let mut declared_locals: u32 = 0;
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            declared_locals = declared_locals.saturating_add(count);
            locals.push((count, self.val_type(ty)?));
        }
        // A function that grows a memory or table gets one more `i32` local, to charge the
        // growth by its size (the operand is needed twice: for the charge and the growth).
        let mut grows = func.get_operators_reader()?;
        let mut scratch = None;
        while !grows.eof() {
            if let wp::Operator::MemoryGrow { .. } | wp::Operator::TableGrow { .. } =
                grows.read()?
            {
                let params = self.params.get(self.next_function).copied().unwrap_or(0);
                scratch = Some(params.saturating_add(declared_locals));
                locals.push((1, ValType::I32));
                break;
            }
        }
        self.next_function += 1;
        let mut function = wasm_encoder::Function::new(locals);
        let declared_locals = u64::from(declared_locals);
        // Engines zero every declared local on each call: charged at entry, before the body.
        let locals_cost = declared_locals.div_ceil(LOCALS_PER_TICK);
        if locals_cost > 0 {
            let cost = i64::try_from(locals_cost).unwrap_or(i64::MAX);
            self.add_and_check(&mut function, TICKS, cost, self.max_ticks, &[0]);
        }
        let mut reader = func.get_operators_reader()?;
        // `i64.const`s not emitted yet: the metering calls' arguments, folded into the inlined
        // code when a metering call follows.
        let mut pending: Vec<i64> = Vec::with_capacity(2);
        let flush = |function: &mut wasm_encoder::Function, pending: &mut Vec<i64>| {
            for value in pending.drain(..) {
                function.instruction(&Instruction::I64Const(value));
            }
        };
        while !reader.eof() {
            let operator = reader.read()?;
            match (&operator, pending.as_slice()) {
                (wp::Operator::I64Const { value }, _) => {
                    if pending.len() == 2 {
                        let oldest = pending.remove(0);
                        function.instruction(&Instruction::I64Const(oldest));
                    }
                    pending.push(*value);
                }
                (wp::Operator::Call { function_index }, [.., cost])
                    if *function_index == GAS_FN =>
                {
                    let cost = *cost;
                    pending.pop();
                    flush(&mut function, &mut pending);
                    self.add_and_check(&mut function, TICKS, cost, self.max_ticks, &[0]);
                }
                (wp::Operator::Call { function_index }, [operands, frame])
                    if *function_index == STACK_FN =>
                {
                    let size = operands.saturating_add(*frame);
                    pending.clear();
                    self.add_and_check(&mut function, STACK, size, self.max_stack, &[0, 0]);
                }
                (wp::Operator::Call { function_index }, [operands, frame])
                    if *function_index == UNSTACK_FN =>
                {
                    let size = operands.saturating_add(*frame);
                    pending.clear();
                    for instruction in [
                        Instruction::GlobalGet(STACK),
                        Instruction::I64Const(size),
                        Instruction::I64Sub,
                        Instruction::GlobalSet(STACK),
                    ] {
                        function.instruction(&instruction);
                    }
                }
                (wp::Operator::MemoryGrow { .. } | wp::Operator::TableGrow { .. }, _)
                    if scratch.is_some() =>
                {
                    flush(&mut function, &mut pending);
                    let per_unit = if let wp::Operator::MemoryGrow { .. } = operator {
                        TICKS_MEMORY_GROW_PER_PAGE
                    } else {
                        TICKS_TABLE_GROW_PER_ELEMENT
                    };
                    let scratch = scratch.unwrap_or_default();
                    for instruction in [
                        Instruction::LocalTee(scratch),
                        Instruction::LocalGet(scratch),
                        Instruction::I64ExtendI32U,
                        Instruction::I64Const(per_unit),
                        Instruction::I64Mul,
                    ] {
                        function.instruction(&instruction);
                    }
                    self.charge_on_stack(&mut function, TICKS, self.max_ticks, &[0]);
                    function.instruction(&self.instruction(operator)?);
                }
                _ => {
                    flush(&mut function, &mut pending);
                    function.instruction(&self.instruction(operator)?);
                }
            }
        }
        flush(&mut function, &mut pending);
        code.function(&function);
        Ok(())
    }
}

impl CounterRewriter {
    /// `counter += amount`; past `max`, the metering function that reports it is called with
    /// `zeros` (nothing more to charge) and traps.
    fn add_and_check(
        &self,
        function: &mut wasm_encoder::Function,
        counter: u32,
        amount: i64,
        max: i64,
        zeros: &[i64],
    ) {
        function.instruction(&Instruction::I64Const(amount));
        self.charge_on_stack(function, counter, max, zeros);
    }

    /// As [`Self::add_and_check`] for an amount on top of the stack.
    fn charge_on_stack(
        &self,
        function: &mut wasm_encoder::Function,
        counter: u32,
        max: i64,
        zeros: &[i64],
    ) {
        let report = if counter == TICKS { GAS_FN } else { STACK_FN };
        for instruction in [
            Instruction::GlobalGet(counter),
            Instruction::I64Add,
            Instruction::GlobalSet(counter),
            Instruction::GlobalGet(counter),
            Instruction::I64Const(max),
            Instruction::I64GtU,
            Instruction::If(wasm_encoder::BlockType::Empty),
        ] {
            function.instruction(&instruction);
        }
        for &zero in zeros {
            function.instruction(&Instruction::I64Const(zero));
        }
        function.instruction(&Instruction::Call(report));
        function.instruction(&Instruction::Unreachable);
        function.instruction(&Instruction::End);
    }
}

/// Parameters of each defined function of `wasm`, in order.
fn function_params(wasm: &[u8]) -> Result<Vec<u32>, HostError> {
    let invalid = |e: wp::BinaryReaderError| HostError::Instrumentation(e.to_string());
    let mut types = Vec::new();
    let mut params = Vec::new();
    for payload in wp::Parser::new(0).parse_all(wasm) {
        match payload.map_err(invalid)? {
            wp::Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(
                        u32::try_from(ty.map_err(invalid)?.params().len()).unwrap_or(u32::MAX),
                    );
                }
            }
            wp::Payload::FunctionSection(reader) => {
                for index in reader {
                    let index = index.map_err(invalid)? as usize;
                    params.push(types.get(index).copied().unwrap_or(0));
                }
            }
            _ => {}
        }
    }
    Ok(params)
}

/// Rewrites finite-wasm's output (`instrumented`) to count in globals, with the budgets baked
/// in. Both budgets must be at most [`MAX_COUNTER_BUDGET`] (`Limits::check` makes sure).
pub(crate) fn inline_counters(
    instrumented: &[u8],
    max_ticks: u64,
    max_stack: u64,
) -> Result<Vec<u8>, HostError> {
    let budget = |value: u64| i64::try_from(value.min(MAX_COUNTER_BUDGET)).unwrap_or(i64::MAX);
    let mut rewriter = CounterRewriter {
        max_ticks: budget(max_ticks),
        max_stack: budget(max_stack),
        params: function_params(instrumented)?,
        next_function: 0,
    };
    let mut module = wasm_encoder::Module::new();
    rewriter
        .parse_core_module(&mut module, wp::Parser::new(0), instrumented)
        .map_err(|e| HostError::Instrumentation(format!("counter rewrite: {e}")))?;
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// finite-wasm's output for a module with a global and a loop, then the rewrite.
    fn rewritten(wat: &str) -> Vec<u8> {
        let wasm = wat::parse_str(wat).unwrap();
        let limits = crate::Limits::default();
        crate::load::metering::instrument(&wasm, &limits).unwrap()
    }

    #[test]
    fn counters_are_imported_first_and_globals_move_up_by_two() {
        let wasm = rewritten(
            r#"(module
                (global $g (mut i32) (i32.const 7))
                (func (export "f") (result i32)
                    (local $i i32)
                    (loop $l
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if $l (i32.lt_u (local.get $i) (global.get $g))))
                    (local.get $i)))"#,
        );
        wp::Validator::new().validate_all(&wasm).unwrap();
        let mut globals = Vec::new();
        let mut global_gets = Vec::new();
        let mut metering_calls = 0;
        for payload in wp::Parser::new(0).parse_all(&wasm) {
            match payload.unwrap() {
                wp::Payload::ImportSection(imports) => {
                    for import in imports {
                        let import = import.unwrap();
                        if let wp::TypeRef::Global(_) = import.ty {
                            globals.push((import.module.to_string(), import.name.to_string()));
                        }
                    }
                }
                wp::Payload::CodeSectionEntry(body) => {
                    let mut reader = body.get_operators_reader().unwrap();
                    while !reader.eof() {
                        match reader.read().unwrap() {
                            wp::Operator::GlobalGet { global_index } => {
                                global_gets.push(global_index)
                            }
                            wp::Operator::Call { function_index } if function_index <= 8 => {
                                metering_calls += 1
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            globals,
            vec![
                (METERING_MODULE.to_string(), TICKS_GLOBAL.to_string()),
                (METERING_MODULE.to_string(), STACK_GLOBAL.to_string()),
            ]
        );
        // The module's own global 0 is global 2 now; 0 and 1 are the counters.
        assert!(global_gets.contains(&2));
        assert!(global_gets.iter().all(|&g| g <= 2));
        // Every remaining metering call sits on a slow path: one per inlined check (the entry
        // stack check and one tick check per region), none for the stack release.
        let checks = global_gets.iter().filter(|&&g| g < 2).count() / 2;
        assert!(metering_calls > 0);
        assert!(
            metering_calls <= checks,
            "{metering_calls} calls, {checks} checks"
        );
    }
}
