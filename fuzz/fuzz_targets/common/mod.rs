//! A `wasm-smith` module shaped like an EE: the host's Wasm features only, Scout's EEI offered as
//! imports (wasm-smith picks among them), and `main: [] -> []` and `memory` exported.

use arbitrary::{Arbitrary, Unstructured};
use wasm_encoder::reencode::{Reencode, utils};

/// The imports a generated EE may use: the EEI under `env`, as the host provides them.
const EEI_IMPORTS: &str = r#"(module
  (import "env" "eth2_loadPreStateRoot" (func (param i32)))
  (import "env" "eth2_blockDataSize" (func (result i32)))
  (import "env" "eth2_blockDataCopy" (func (param i32 i32 i32)))
  (import "env" "eth2_savePostStateRoot" (func (param i32)))
  (import "env" "eth2_pushNewDeposit" (func (param i32 i32)))
  (import "env" "eth2_useTicks" (func (param i32)))
  (import "env" "debug_print32" (func (param i32)))
  (import "env" "debug_print64" (func (param i64)))
  (import "env" "debug_printMem" (func (param i32 i32)))
  (import "env" "debug_printMemHex" (func (param i32 i32))))"#;

/// The function export every EE has; `memory` is added after generation, wasm-smith's
/// `exports` taking functions only.
const EE_EXPORTS: &str = r#"(module (func (export "main")))"#;

/// Adds `memory` (memory 0) to the export section.
struct ExportMemory;

impl Reencode for ExportMemory {
    type Error = std::convert::Infallible;

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        utils::parse_export_section(self, exports, section)?;
        exports.export("memory", wasm_encoder::ExportKind::Memory, 0);
        Ok(())
    }
}

/// A generated EE module.
#[derive(Debug)]
pub struct HostModule {
    pub wasm: Vec<u8>,
}

impl<'a> Arbitrary<'a> for HostModule {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut config = wasm_smith::Config {
            available_imports: Some(wat::parse_str(EEI_IMPORTS).expect("valid WAT")),
            exports: Some(wat::parse_str(EE_EXPORTS).expect("valid WAT")),
            // The host's features: rustc's defaults for wasm32-unknown-unknown.
            simd_enabled: false,
            relaxed_simd_enabled: false,
            threads_enabled: false,
            tail_call_enabled: false,
            memory64_enabled: false,
            exceptions_enabled: false,
            gc_enabled: false,
            custom_page_sizes_enabled: false,
            wide_arithmetic_enabled: false,
            extended_const_enabled: false,
            multi_value_enabled: true,
            bulk_memory_enabled: true,
            reference_types_enabled: true,
            saturating_float_to_int_enabled: true,
            sign_extension_ops_enabled: true,
            max_memories: 1,
            max_memory32_bytes: 64 * 65536,
            max_tables: 2,
            max_table_elements: 1_000,
            canonicalize_nans: false,
            ..wasm_smith::Config::default()
        };
        config.min_funcs = 1;
        config.min_memories = 1;
        let generated = wasm_smith::Module::new(config, u)?.to_bytes();
        let mut module = wasm_encoder::Module::new();
        ExportMemory
            .parse_core_module(&mut module, wasmparser::Parser::new(0), &generated)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
        Ok(HostModule {
            wasm: module.finish(),
        })
    }
}
