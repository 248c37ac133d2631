//! Run time: compiling the instrumented module in an engine (`engine/`) and running it. Each run
//! gets a fresh store holding the host state that the EEI (`eei.rs`), the debug interface
//! (`debug.rs`) and the bignum interface (`bignum.rs`) read and write; host functions charge the
//! run's meter (`meter.rs`) and make the guest trap with a [`trap::HostTrap`]. `runtime.rs` runs
//! EEs over shard blocks, `precompile.rs` calls standalone precompile modules.

pub(crate) mod bignum;
pub(crate) mod debug;
pub(crate) mod eei;
pub(crate) mod engine;
pub(crate) mod meter;
pub(crate) mod precompile;
pub(crate) mod resources;
pub(crate) mod runtime;
pub(crate) mod trap;
