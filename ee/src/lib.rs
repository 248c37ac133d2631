//! The execution environment (EE) as a Phase 2 Wasm module: the entry point that hands the EEI's
//! pre-state and block data to [`stateless::validate_block_data`] and reports its verdict.
//!
//! Built for `wasm32-unknown-unknown` with the `module` feature (only `ee-module/build.rs` turns
//! it on), `main` reads the 32-byte pre-state and the block-data blob through the EEI, validates,
//! pushes the deposits and saves the new state; on a rejection it prints the reason
//! (`EeError::reason`: `[kind] message`) through `debug_printMem` and traps without saving.
//! Nothing here is host-specific: the EEI is the only way out. Without the feature the crate is
//! empty, so no other package inherits an exported `main` or a global allocator; the validation
//! itself is the `stateless` crate, which hosts and other wasm32 packages link directly.
//!
//! Dependencies and why: `stateless` (the pipeline); `precompiles`, only to switch on its
//! `host-bignum` feature, so that the EE's precompiles (evm-core's `GuestPrecompiles`) do their
//! field arithmetic through the host's `bignum` imports.

#![warn(missing_docs, unreachable_pub)]

#[cfg(all(target_arch = "wasm32", feature = "module"))]
mod entry;
