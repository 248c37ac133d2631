//! The host's own limits on a module's shape, checked on the instrumented module (what the
//! engines compile) before any engine sees it.
//!
//! Each engine has limits of its own, and they differ: wasmi translates a function only when it
//! is first called (lazily) and refuses one with more than 30,000 locals or more than 65,535
//! value slots (locals plus operand stack), while wasmtime takes up to 50,000 locals but refuses
//! a function body above 7,654,321 bytes. A module between those limits would be a block rejected
//! by one engine and accepted by the other. The limits here sit below every engine's, so a module
//! the host accepts is compiled and run by both alike; a module outside them is refused at load
//! with the limit named, never a verdict that depends on the engine.
//!
//! They also bound compile time, which grows with the module's bytes, its metering regions, its
//! functions and its locals (measured with `examples/compile_time.rs`, figures in the README):
//! the module's totals are capped so that wasmtime compiles a module within the limits in about
//! 2 s on these machines.

use crate::HostError;
use finite_wasm::wasmparser as wp;

/// One function's shape, as the engines see it after instrumentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FunctionShape {
    /// The function's index in the module's function index space (imports first).
    pub index: u32,
    /// Locals, parameters included.
    pub locals: u32,
    /// The highest the operand stack gets, in values.
    pub max_operands: u32,
    /// The deepest nesting of blocks, loops and ifs (the function's own block counts 1).
    pub max_depth: u32,
    /// Bytes of the function body (locals and code).
    pub body_bytes: u32,
    /// Metering regions: tick checks the instrumentation inserted.
    pub regions: u32,
}

/// A module's shape: every function's, and the totals the limits cap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleShape {
    /// Functions defined in the module (imports not counted), in order.
    pub functions: Vec<FunctionShape>,
    /// Bytes of the instrumented module.
    pub module_bytes: usize,
    /// Globals defined in the module.
    pub globals: u32,
}

impl ModuleShape {
    /// The largest value of `field` over the functions.
    pub fn max(&self, field: impl Fn(&FunctionShape) -> u32) -> u32 {
        self.functions.iter().map(field).max().unwrap_or(0)
    }

    /// Regions summed over the functions.
    pub fn total_regions(&self) -> u64 {
        self.functions.iter().map(|f| u64::from(f.regions)).sum()
    }

    /// Locals summed over the functions, parameters included.
    pub fn total_locals(&self) -> u64 {
        self.functions.iter().map(|f| u64::from(f.locals)).sum()
    }
}

/// The limits on the instrumented module. Each sits below the lowest engine limit it guards
/// (named in its doc) with room to spare, and above what a Rust EVM EE needs (this project's EE,
/// measured: see `host/README.md`).
pub mod shape_limits {
    /// Locals per function, parameters included (wasmi: 30,000; wasmtime: 50,000).
    pub const MAX_LOCALS: u32 = 4_096;
    /// Operand stack height per function, in values (wasmi: 65,535 slots with the locals).
    pub const MAX_OPERANDS: u32 = 4_096;
    /// Nesting depth of blocks per function (the engines compile nesting recursively or in
    /// per-level tables).
    pub const MAX_DEPTH: u32 = 1_024;
    /// Bytes of one function body after instrumentation (wasmi and wasmtime: 7,654,321).
    pub const MAX_BODY_BYTES: u32 = 1 << 20;
    /// Metering regions in one function (the EE's largest function has 1,320).
    pub const MAX_REGIONS_PER_FUNCTION: u32 = 8_192;
    /// Metering regions in the whole module: each is a budget check with a call on its slow
    /// path, about 15 µs of wasmtime's compile time (the EE has 23,661).
    pub const MAX_REGIONS: u64 = 49_152;
    /// Functions defined in the module (the engines: 1,000,000). Each costs wasmtime about
    /// 100 µs to compile however small it is (the EE has 666).
    pub const MAX_FUNCTIONS: usize = 10_000;
    /// Locals of all functions together, parameters included: each declared local is code that
    /// zeroes it at every entry, three bytes declare thousands of them, and 2,000 functions of
    /// 4,096 locals took wasmtime 0.7 s (the EE has 8,618).
    pub const MAX_TOTAL_LOCALS: u64 = 262_144;
    /// Globals defined in the module (the engines: 1,000,000).
    pub const MAX_GLOBALS: u32 = 10_000;
    /// Bytes of the instrumented module (the engines: 1 GiB): wasmtime compiles dense
    /// straight-line code at about 3.5 MB/s on these machines (the EE: 1.71 MB).
    pub const MAX_MODULE_BYTES: usize = 6 << 20;
}

use shape_limits::*;

fn invalid(e: wp::BinaryReaderError) -> HostError {
    HostError::InvalidModule(e.to_string())
}

/// The shape of a valid module (the instrumented one, as the host checks it; or any module, for
/// a look at what the limits measure). `regions` counts writes of the tick counter
/// (`metering.ticks`, global 0 of an instrumented module); on a module that is not instrumented
/// it counts writes of whatever global 0 is.
pub fn module_shape(wasm: &[u8]) -> Result<ModuleShape, HostError> {
    let mut shape = ModuleShape {
        module_bytes: wasm.len(),
        ..ModuleShape::default()
    };
    let mut validator = wp::Validator::new_with_features(crate::load::module::features());
    let mut allocations = wp::FuncValidatorAllocations::default();
    for payload in wp::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        if let wp::Payload::GlobalSection(reader) = &payload {
            shape.globals = reader.count();
        }
        if let wp::ValidPayload::Func(func, body) = validator.payload(&payload).map_err(invalid)? {
            let mut func = func.into_validator(std::mem::take(&mut allocations));
            shape.functions.push(function_shape(&mut func, &body)?);
            allocations = func.into_allocations();
        }
    }
    Ok(shape)
}

/// The shape of `wasm` as the engines would see it: validated, instrumented under `limits`, then
/// measured, whether or not it is within [`shape_limits`]. For a look at why a module is refused,
/// or how far an EE is from the limits.
///
/// ```
/// let wasm = wat::parse_str(r#"(module (func (param i32) (local i64 i64)))"#).unwrap();
/// let shape = evm_ee_host::instrumented_shape(&wasm, &evm_ee_host::Limits::default()).unwrap();
/// assert_eq!(shape.functions[0].locals, 3);
/// ```
pub fn instrumented_shape(wasm: &[u8], limits: &crate::Limits) -> Result<ModuleShape, HostError> {
    wp::Validator::new_with_features(crate::load::module::features())
        .validate_all(wasm)
        .map_err(invalid)?;
    module_shape(&crate::load::metering::instrument_unchecked(wasm, limits)?)
}

fn function_shape(
    func: &mut wp::FuncValidator<wp::ValidatorResources>,
    body: &wp::FunctionBody<'_>,
) -> Result<FunctionShape, HostError> {
    let mut shape = FunctionShape {
        index: func.index(),
        body_bytes: u32::try_from(body.range().len()).unwrap_or(u32::MAX),
        ..FunctionShape::default()
    };
    let mut locals = body.get_locals_reader().map_err(invalid)?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, ty) = locals.read().map_err(invalid)?;
        func.define_locals(offset, count, ty).map_err(invalid)?;
    }
    // Parameters included: the validator counts them as the first locals.
    shape.locals = func.len_locals();
    let mut operators = body.get_operators_reader().map_err(invalid)?;
    while !operators.eof() {
        let (operator, offset) = operators.read_with_offset().map_err(invalid)?;
        // Each region's charge ends in a write of the tick counter, global 0.
        if let wp::Operator::GlobalSet { global_index: 0 } = operator {
            shape.regions = shape.regions.saturating_add(1);
        }
        func.op(offset, &operator).map_err(invalid)?;
        shape.max_operands = shape.max_operands.max(func.operand_stack_height());
        shape.max_depth = shape.max_depth.max(func.control_stack_height());
    }
    func.finish(operators.original_position())
        .map_err(invalid)?;
    Ok(shape)
}

/// Checks the instrumented module against [`shape_limits`]; the error names the limit and the
/// function.
pub(crate) fn check_shape(instrumented: &[u8]) -> Result<ModuleShape, HostError> {
    if instrumented.len() > MAX_MODULE_BYTES {
        return Err(HostError::ShapeLimit {
            what: "bytes after instrumentation",
            function: None,
            value: instrumented.len() as u64,
            max: MAX_MODULE_BYTES as u64,
        });
    }
    let shape = module_shape(instrumented)?;
    let too_many = |what, function: Option<u32>, value: u64, max: u64| {
        Err(HostError::ShapeLimit {
            what,
            function,
            value,
            max,
        })
    };
    if shape.functions.len() > MAX_FUNCTIONS {
        return too_many(
            "functions",
            None,
            shape.functions.len() as u64,
            MAX_FUNCTIONS as u64,
        );
    }
    if shape.globals > MAX_GLOBALS {
        return too_many(
            "globals",
            None,
            u64::from(shape.globals),
            u64::from(MAX_GLOBALS),
        );
    }
    for f in &shape.functions {
        let checks: [(&'static str, u32, u32); 5] = [
            ("locals", f.locals, MAX_LOCALS),
            ("operand stack height", f.max_operands, MAX_OPERANDS),
            ("block nesting depth", f.max_depth, MAX_DEPTH),
            (
                "body bytes after instrumentation",
                f.body_bytes,
                MAX_BODY_BYTES,
            ),
            ("metering regions", f.regions, MAX_REGIONS_PER_FUNCTION),
        ];
        for (what, value, max) in checks {
            if value > max {
                return too_many(what, Some(f.index), u64::from(value), u64::from(max));
            }
        }
    }
    if shape.total_regions() > MAX_REGIONS {
        return too_many(
            "metering regions in all",
            None,
            shape.total_regions(),
            MAX_REGIONS,
        );
    }
    if shape.total_locals() > MAX_TOTAL_LOCALS {
        return too_many(
            "locals in all",
            None,
            shape.total_locals(),
            MAX_TOTAL_LOCALS,
        );
    }
    Ok(shape)
}
