//! Load-time checks of an EE or library module, before instrumentation: size, validity against
//! the Wasm features the host runs, imports, required exports and the initial memory size. They
//! turn what would be link-time or run-time surprises into a precise [`HostError`].

use crate::host_fns::{HostFn, Ty};
use crate::load::metering::METERING_MODULE;
use crate::{HostError, Limits};
use finite_wasm::wasmparser as wp;

/// The Wasm features the host runs: rustc's defaults for `wasm32-unknown-unknown`
/// (mutable globals, sign extension, saturating float-to-int, multi-value, bulk memory,
/// reference types with `funcref` only) and nothing more, so both engines and the metering agree on the language.
pub(crate) fn features() -> wp::WasmFeatures {
    wp::WasmFeatures::MUTABLE_GLOBAL
        | wp::WasmFeatures::SATURATING_FLOAT_TO_INT
        | wp::WasmFeatures::SIGN_EXTENSION
        | wp::WasmFeatures::MULTI_VALUE
        | wp::WasmFeatures::BULK_MEMORY
        | wp::WasmFeatures::REFERENCE_TYPES
        | wp::WasmFeatures::FLOATS
    // Not GC_TYPES: it gates `externref`, which wasmtime compiles only with its garbage
    // collector built in (it is not here), while wasmi runs it; a module using it would load in
    // one engine and not the other (found by the differential fuzz target).
}

/// Which module is being checked.
pub(crate) enum Role<'a> {
    /// The EE: must export `main: [] -> []` and `memory`; may import from the run's libraries
    /// (Scout's `libraries`).
    ExecutionEnvironment { libraries: &'a [String] },
    /// A library: may import from the libraries loaded before it.
    Library { earlier: &'a [String] },
    /// A standalone precompile module: must export `memory` and the functions of
    /// [`PRECOMPILE_EXPORTS`].
    Precompile,
}

/// The functions a precompile module exports, with their types (the ABI of the
/// `precompile-modules` crate).
pub(crate) const PRECOMPILE_EXPORTS: [(&str, &[Ty], &[Ty]); 5] = [
    ("precompile_input", &[Ty::I32], &[Ty::I32]),
    ("precompile_run", &[Ty::I32, Ty::I64, Ty::I32], &[Ty::I32]),
    ("precompile_gas", &[], &[Ty::I64]),
    ("precompile_output", &[], &[Ty::I32]),
    ("precompile_output_len", &[], &[Ty::I32]),
];

fn ty(v: wp::ValType) -> Option<Ty> {
    match v {
        wp::ValType::I32 => Some(Ty::I32),
        wp::ValType::I64 => Some(Ty::I64),
        _ => None,
    }
}

fn describe(params: &[Ty], results: &[Ty]) -> String {
    let list = |tys: &[Ty]| {
        tys.iter()
            .map(|t| match t {
                Ty::I32 => "i32",
                Ty::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("[{}] -> [{}]", list(params), list(results))
}

/// Tables a module may declare. A Rust EE has one, for indirect calls.
pub(crate) const MAX_TABLES: usize = 4;
/// Elements a table may hold, initially or after `table.grow` (which returns -1 past this in
/// every engine): `table.grow` costs a flat number of ticks, so without a cap one instruction
/// could make the host allocate gigabytes.
pub(crate) const MAX_TABLE_ELEMENTS: usize = 1 << 20;

fn invalid(e: wp::BinaryReaderError) -> HostError {
    HostError::InvalidModule(e.to_string())
}

/// What a run must allocate for a module before it runs, summed over the EE and its libraries
/// at load time so that instantiation cannot fail on the run's shared allowance.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct InitialSize {
    /// Pages of its memories at start.
    pub(crate) memory_pages: u64,
    /// Elements of its tables at start.
    pub(crate) table_elements: u64,
}

/// Checks a module; see the module docs.
pub(crate) fn check(
    wasm: &[u8],
    limits: &Limits,
    role: Role<'_>,
) -> Result<InitialSize, HostError> {
    let mut initial = InitialSize::default();
    if wasm.len() > limits.max_module_bytes {
        return Err(HostError::ModuleTooLarge {
            size: wasm.len(),
            max: limits.max_module_bytes,
        });
    }
    wp::Validator::new_with_features(features())
        .validate_all(wasm)
        .map_err(invalid)?;

    // Function types by type index (validation ensures every function type is a plain one).
    let mut types: Vec<Option<(Vec<Ty>, Vec<Ty>)>> = Vec::new();
    let mut memory_export = false;
    let mut func_types: Vec<u32> = Vec::new();
    // Exported functions by name, and names exported as something else.
    let mut exported_funcs: Vec<(String, u32)> = Vec::new();
    let mut other_exports: Vec<String> = Vec::new();
    for payload in wp::Parser::new(0).parse_all(wasm) {
        match payload.map_err(invalid)? {
            wp::Payload::TypeSection(reader) => {
                for rec in reader {
                    for sub in rec.map_err(invalid)?.into_types() {
                        let sig = match &sub.composite_type.inner {
                            wp::CompositeInnerType::Func(f) => {
                                let params: Option<Vec<Ty>> =
                                    f.params().iter().map(|&v| ty(v)).collect();
                                let results: Option<Vec<Ty>> =
                                    f.results().iter().map(|&v| ty(v)).collect();
                                params.zip(results)
                            }
                            _ => None,
                        };
                        types.push(sig);
                    }
                }
            }
            wp::Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(invalid)?;
                    check_import(&import, &types, &role)?;
                    if let wp::TypeRef::Func(t) = import.ty {
                        func_types.push(t);
                    }
                }
            }
            wp::Payload::FunctionSection(reader) => {
                for t in reader {
                    func_types.push(t.map_err(invalid)?);
                }
            }
            wp::Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(invalid)?;
                    initial.memory_pages = initial.memory_pages.saturating_add(memory.initial);
                    if memory.initial > u64::from(limits.max_memory_pages) {
                        return Err(HostError::MemoryTooLarge {
                            pages: memory.initial,
                            max: limits.max_memory_pages,
                        });
                    }
                }
            }
            wp::Payload::TableSection(reader) => {
                if reader.count() as usize > MAX_TABLES {
                    return Err(HostError::InvalidModule(format!(
                        "{} tables, at most {MAX_TABLES} allowed",
                        reader.count()
                    )));
                }
                for table in reader {
                    let table = table.map_err(invalid)?;
                    initial.table_elements =
                        initial.table_elements.saturating_add(table.ty.initial);
                    if table.ty.initial > MAX_TABLE_ELEMENTS as u64 {
                        return Err(HostError::InvalidModule(format!(
                            "a table of {} elements, at most {MAX_TABLE_ELEMENTS} allowed",
                            table.ty.initial
                        )));
                    }
                }
            }
            wp::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(invalid)?;
                    match (export.name, export.kind) {
                        (name, wp::ExternalKind::Func) => {
                            exported_funcs.push((name.to_owned(), export.index));
                        }
                        ("memory", wp::ExternalKind::Memory) => memory_export = true,
                        (name, _) => other_exports.push(name.to_owned()),
                    }
                }
            }
            _ => {}
        }
    }
    // Checks that `name` is an exported function of type `params -> results`.
    let require = |name: &str, params: &[Ty], results: &[Ty]| -> Result<(), HostError> {
        let sig = exported_funcs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, index)| func_types.get(*index as usize))
            .and_then(|&t| types.get(t as usize))
            .and_then(|s| s.as_ref());
        match sig {
            Some((p, r)) if p.as_slice() == params && r.as_slice() == results => Ok(()),
            Some(_) => Err(HostError::MissingExport(format!(
                "`{name}` as a function of type {}",
                describe(params, results)
            ))),
            None if other_exports.iter().any(|n| n == name) => {
                Err(HostError::MissingExport(format!(
                    "`{name}` as a function of type {}",
                    describe(params, results)
                )))
            }
            None => Err(HostError::MissingExport(format!("a function `{name}`"))),
        }
    };
    match role {
        Role::ExecutionEnvironment { .. } => require("main", &[], &[])?,
        Role::Precompile => {
            for (name, params, results) in PRECOMPILE_EXPORTS {
                require(name, params, results)?;
            }
        }
        Role::Library { .. } => return Ok(initial),
    }
    if !memory_export {
        return Err(HostError::MissingExport("a memory named `memory`".into()));
    }
    Ok(initial)
}

fn check_import(
    import: &wp::Import<'_>,
    types: &[Option<(Vec<Ty>, Vec<Ty>)>],
    role: &Role<'_>,
) -> Result<(), HostError> {
    let unknown = |hint: String| HostError::UnknownImport {
        module: import.module.to_owned(),
        name: import.name.to_owned(),
        hint,
    };
    if import.module == METERING_MODULE {
        return Err(unknown(format!(
            " (the module name `{METERING_MODULE}` is reserved for metering)"
        )));
    }
    let linked = match role {
        Role::Library { earlier } => earlier,
        Role::ExecutionEnvironment { libraries } => libraries,
        Role::Precompile => &[][..],
    };
    if linked.iter().any(|name| name == import.module) {
        // Checked by the engine's linker against the library's exports.
        return Ok(());
    }
    let wp::TypeRef::Func(type_index) = import.ty else {
        return Err(unknown(" (the host provides functions only)".into()));
    };
    let Some(f) = HostFn::lookup(import.module, import.name) else {
        return Err(unknown(String::new()));
    };
    let (params, results) = f.signature();
    match types.get(type_index as usize).and_then(|s| s.as_ref()) {
        Some((p, r)) if p.as_slice() == params && r.as_slice() == results => Ok(()),
        _ => Err(unknown(format!(
            " with this signature (expected {})",
            describe(params, results)
        ))),
    }
}
