//! The execution environment (EE): validates one Eth1 block statelessly and commits to the result.
//!
//! Compiled to `wasm32-unknown-unknown` with the `module` feature, it is the module a Phase 2 host
//! runs: `main` reads the
//! 32-byte pre-state and the block-data blob through the EEI, runs [`validate_block_data`], and
//! saves the new state, or prints the reason through `debug_printMem` and traps without saving.
//! Nothing here is host-specific: the EEI is the only way out.
//!
//! Dependencies and why: `evm-core` (block rules and execution), `witness` (the blob, the
//! witness-backed state's tries), `primitive-types` (hashes), `thiserror` (the rejection reasons), `precompiles` (only to
//! switch on its `host-bignum` feature: the EE's precompiles, evm-core's
//! [`GuestPrecompiles`](evm_core::precompiles::GuestPrecompiles), do their field arithmetic
//! through the host's `bignum` imports).

#![warn(missing_docs, unreachable_pub)]

mod deposit;
mod error;
mod validate;

pub use deposit::{DEPOSIT_EVENT_TOPIC, DEPOSIT_LEN, deposits_of};
pub use error::{EeError, RejectionKind};
pub use validate::{Validated, ee_state, validate_block_data};

#[cfg(all(target_arch = "wasm32", feature = "module"))]
mod entry;
