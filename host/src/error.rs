//! Host faults. An EE that traps is not one of them: that is a [`crate::ShardBlockResult`]
//! with a `trap` reason.

use std::path::PathBuf;

/// What can go wrong on the host's side: a module that cannot be loaded, limits that cannot be
/// enforced, an engine failure, or a Scout YAML file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The module is larger than [`crate::Limits::max_module_bytes`].
    #[error("module of {size} bytes is larger than the limit of {max} bytes")]
    ModuleTooLarge {
        /// Size of the module in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The module is not valid Wasm, or uses a feature the host does not run.
    #[error("invalid module: {0}")]
    InvalidModule(String),
    /// The module lacks an export the host needs.
    #[error("module does not export {0}")]
    MissingExport(String),
    /// The module imports something the host does not provide.
    #[error("module imports `{module}.{name}`, which the host does not provide{hint}")]
    UnknownImport {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
        /// Extra explanation (the expected signature, for instance), may be empty.
        hint: String,
    },
    /// The module's memory declares more pages than [`crate::Limits::max_memory_pages`].
    #[error("module memory needs {pages} pages at start, above the limit of {max} pages")]
    MemoryTooLarge {
        /// Initial pages the module declares.
        pages: u64,
        /// The limit in pages.
        max: u32,
    },
    /// The EE and its libraries together start with more memory than one run may have
    /// ([`crate::Limits::max_memory_pages`] is shared by every module of a run).
    #[error(
        "the EE and its libraries need {pages} pages of memory at start together, above the run's limit of {max} pages"
    )]
    RunMemoryTooLarge {
        /// Initial pages summed over the modules.
        pages: u64,
        /// The limit in pages.
        max: u32,
    },
    /// The EE and its libraries together start with more table elements than one run may have.
    #[error(
        "the EE and its libraries need {elements} table elements at start together, above the run's limit of {max}"
    )]
    RunTablesTooLarge {
        /// Initial elements summed over the modules.
        elements: u64,
        /// The limit.
        max: usize,
    },
    /// More libraries than a run may instantiate.
    #[error("{count} libraries, at most {max} allowed")]
    TooManyLibraries {
        /// Libraries given.
        count: usize,
        /// The limit ([`crate::MAX_LIBRARIES`]).
        max: usize,
    },
    /// The module, as instrumented, is outside one of the host's shape limits
    /// ([`crate::shape_limits`]), chosen so that every module the host accepts is accepted by
    /// every engine alike.
    #[error("module exceeds the host's limit on {what}{}: {value} > {max}", in_function(*.function))]
    ShapeLimit {
        /// What is limited.
        what: &'static str,
        /// The function (index in the module's function index space), if the limit is per
        /// function.
        function: Option<u32>,
        /// The module's value.
        value: u64,
        /// The limit.
        max: u64,
    },
    /// The limits cannot be enforced deterministically.
    #[error("invalid limits: {0}")]
    InvalidLimits(String),
    /// Metering injection failed.
    #[error("metering instrumentation failed: {0}")]
    Instrumentation(String),
    /// The engine failed to compile, link or instantiate the module (not a trap of the EE).
    #[error("engine error: {0}")]
    Engine(String),
    /// The block data does not fit the 32-bit EEI.
    #[error("block data of {0} bytes does not fit the EEI's 32-bit sizes")]
    BlockDataTooLarge(usize),
    /// An unknown engine name.
    #[error("unknown engine `{0}` (expected `wasmi` or `wasmtime`)")]
    UnknownEngine(String),
    /// An engine that this build leaves out.
    #[error("engine `{0}` is not in this build (enable the `wasmtime` cargo feature)")]
    EngineNotBuilt(&'static str),
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

fn in_function(function: Option<u32>) -> String {
    function.map_or_else(String::new, |index| format!(" in function {index}"))
}
