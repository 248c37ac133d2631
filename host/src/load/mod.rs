//! Load time: what happens once per module, before any engine compiles it. A module is checked
//! (`module.rs`: size before parsing, validation, imports against the host functions, exports,
//! memory size) against the [`Limits`](crate::Limits) (`limits.rs`), then instrumented with tick
//! and stack metering (`metering/`). Nothing here runs guest code; the result is a Wasm binary
//! that every engine meters identically.

pub(crate) mod file;
pub(crate) mod limits;
pub(crate) mod metering;
pub(crate) mod module;
pub(crate) mod shape;
