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
//! if  i64.const 0  call $finite_wasm_gas  end
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

/// Ticks of each budget check itself, on top of the instructions of its straight-line run: the
/// check is several instructions, so without this a loop of one `br` ran 6 times the EE's
/// average time per tick in wasmtime.
pub const TICKS_PER_CHECK: i64 = 2;

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
        let mut operators = Vec::new();
        while !reader.eof() {
            operators.push(reader.read()?);
        }
        let charges = merged_tick_charges(&operators);
        let mut at = 0;
        while let Some(operator) = operators.get(at) {
            let next = operators.get(at + 1);
            let after = operators.get(at + 2);
            match (operator, next, after) {
                // finite-wasm's region charge, `i64.const cost; call $finite_wasm_gas`: inlined
                // with the cost of the regions merged into it, or dropped when merged into an
                // earlier one.
                (wp::Operator::I64Const { .. }, Some(wp::Operator::Call { function_index }), _)
                    if *function_index == GAS_FN =>
                {
                    if let Some(&cost) = charges.get(&at) {
                        self.add_and_check(&mut function, TICKS, cost, self.max_ticks, &[0]);
                    }
                    at += 2;
                }
                (
                    wp::Operator::I64Const { value: operands },
                    Some(wp::Operator::I64Const { value: frame }),
                    Some(wp::Operator::Call { function_index }),
                ) if *function_index == STACK_FN => {
                    let size = operands.saturating_add(*frame);
                    self.add_and_check(&mut function, STACK, size, self.max_stack, &[0, 0]);
                    at += 3;
                }
                (
                    wp::Operator::I64Const { value: operands },
                    Some(wp::Operator::I64Const { value: frame }),
                    Some(wp::Operator::Call { function_index }),
                ) if *function_index == UNSTACK_FN => {
                    let size = operands.saturating_add(*frame);
                    for instruction in [
                        Instruction::GlobalGet(STACK),
                        Instruction::I64Const(size),
                        Instruction::I64Sub,
                        Instruction::GlobalSet(STACK),
                    ] {
                        function.instruction(&instruction);
                    }
                    at += 3;
                }
                (wp::Operator::MemoryGrow { .. } | wp::Operator::TableGrow { .. }, _, _)
                    if scratch.is_some() =>
                {
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
                    function.instruction(&self.instruction(operator.clone())?);
                    at += 1;
                }
                _ => {
                    function.instruction(&self.instruction(operator.clone())?);
                    at += 1;
                }
            }
        }
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
        // The host traps whenever a counter is past its budget, so the call never returns. No
        // `unreachable` follows it: with one, Cranelift saw a path with no call from each store
        // of the counter to the next load, forwarded every store through the whole function and
        // took time quadratic in its regions (8,000 regions: 2.8 s, against 0.4 s without).
        function.instruction(&Instruction::Call(report));
        function.instruction(&Instruction::End);
    }
}

/// The tick charges of one function after merging, by the position of each charge that stays
/// (its `i64.const`): a charge absorbs every later one reached through straight-line code only.
///
/// finite-wasm starts a region after every instruction that may trap (loads, stores, division,
/// conversions), so that a trap is charged exactly. A trap ends the run and rejects the block,
/// so charging the following straight-line regions before it changes no verdict and no tick
/// count of a run that ends normally; it only moves the charge a few instructions earlier. It
/// took the EE from 87,987 regions to 23,661, and its compile time in wasmtime from 8.1 s to 3.9 s
/// (before `OptLevel::None`). A run ends at a branch, a branch target (`loop`, `end`) or `else`
/// ([`is_straight_line`]); calls do not end it, since a call returns or traps and no host
/// function reads the tick counter.
fn merged_tick_charges(operators: &[wp::Operator<'_>]) -> std::collections::HashMap<usize, i64> {
    let mut charges = std::collections::HashMap::new();
    let mut head: Option<usize> = None;
    let mut at = 0;
    while let Some(operator) = operators.get(at) {
        if let (wp::Operator::I64Const { value }, Some(wp::Operator::Call { function_index })) =
            (operator, operators.get(at + 1))
            && *function_index == GAS_FN
        {
            match head.and_then(|head| charges.get_mut(&head)) {
                Some(merged) => *merged = i64::saturating_add(*merged, *value),
                None => {
                    charges.insert(at, i64::saturating_add(*value, TICKS_PER_CHECK));
                    head = Some(at);
                }
            }
            at += 2;
            continue;
        }
        if !is_straight_line(operator) {
            head = None;
        }
        at += 1;
    }
    charges
}

/// Whether execution always goes on from `operator` to the next instruction, unless it traps:
/// no branch, no branch target (`loop`, `end`), no `else`. Calls qualify (a call returns or traps,
/// and no host function reads the tick counter); so does `block`, which nothing branches to.
fn is_straight_line(operator: &wp::Operator<'_>) -> bool {
    use wp::Operator as O;
    !matches!(
        operator,
        O::Loop { .. }
            | O::If { .. }
            | O::Else
            | O::End
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::Return
            | O::Unreachable
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
    )
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

    /// The tick charges (`global.set` of the ticks counter) of each function of `wasm`, and
    /// whether any slow-path call is followed by `unreachable`.
    fn tick_charges(wasm: &[u8]) -> (Vec<usize>, bool) {
        let mut charges = Vec::new();
        let mut unreachable_after_call = false;
        for payload in wp::Parser::new(0).parse_all(wasm) {
            if let wp::Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut reader = body.get_operators_reader().unwrap();
                let (mut count, mut previous) = (0, None);
                while !reader.eof() {
                    let operator = reader.read().unwrap();
                    if let wp::Operator::GlobalSet {
                        global_index: TICKS,
                    } = operator
                    {
                        count += 1;
                    }
                    if let (
                        Some(wp::Operator::Call {
                            function_index: GAS_FN,
                        }),
                        wp::Operator::Unreachable,
                    ) = (&previous, &operator)
                    {
                        unreachable_after_call = true;
                    }
                    previous = Some(operator);
                }
                charges.push(count);
            }
        }
        (charges, unreachable_after_call)
    }

    /// Loads, stores, division and calls start a region in finite-wasm's analysis; here one
    /// charge covers a straight-line run of them, and branches, `loop`, `else` and `end` still
    /// end a region.
    #[test]
    fn straight_line_regions_are_charged_once() {
        let straight = rewritten(
            r#"(module (memory 1)
                (func $g)
                (func (export "f") (param i32) (result i32)
                    (i32.store (i32.const 0) (i32.load (i32.const 4)))
                    (call $g)
                    (drop (i32.div_u (local.get 0) (i32.load (i32.const 8))))
                    (call $g)
                    (i32.load (i32.const 12))))"#,
        );
        let (charges, unreachable_after_call) = tick_charges(&straight);
        // `$g` is empty and charges nothing; `f` charges once for all of it.
        assert_eq!(charges, vec![0, 1]);
        assert!(!unreachable_after_call);
        let branching = rewritten(
            r#"(module (memory 1)
                (func (export "f") (param i32) (result i32)
                    (drop (i32.load (i32.const 4)))
                    (block (br_if 0 (local.get 0)) (drop (i32.load (i32.const 8))))
                    (loop (drop (i32.load (i32.const 12))))
                    (if (local.get 0) (then (drop (i32.load (i32.const 16)))) (else (nop)))
                    (i32.load (i32.const 20))))"#,
        );
        let (charges, _) = tick_charges(&branching);
        // The entry run up to the `br_if`, after it, after the block's `end`, the loop body,
        // after the loop, the `then` arm, the `else` arm, and after the `if`.
        assert!(charges[0] >= 6, "{charges:?}");
    }
}
