//! Every host function, one entry each: its import names, its signature and its implementation.
//! Both stages read this one table. At load time `load/module.rs` checks a module's imports
//! against the names and signatures ([`HostFn::lookup`], [`HostFn::signature`]); at run time
//! each engine's linker is generated from it (`run/engine/`). Adding a host function is adding
//! an entry (and, usually, the method on the host state that does the work).
//!
//! An entry reads `Name [module => name, ...] (arg: type, ...) -> result, access(implementation);`
//! - the first import name is Scout's, in module `env`; it is also how traps name the function;
//! - the argument and result types are the signature: `u32` or `i32` for a Wasm `i32`, `u64` or
//!   `i64` for an `i64`. The linkers' closures take exactly these types, and the load-time check
//!   derives the Wasm types from them, so the two cannot disagree;
//! - `access` says how the implementation reaches the run's state, and is where the engines
//!   differ in what they do around the call (`run/engine/`):
//!   - `host(|h| ..)`: the [`HostState`](crate::run::eei::HostState) alone;
//!   - `memory(|h, m| ..)`: the host state and the calling module's memory as a byte slice;
//!   - `charged(ticks, |f, m| ..)`: a fixed cost that goes straight onto the guest's tick
//!     counter, then the function itself and the memory alone (the bignum functions: no hand-over
//!     of the meter, which made those calls about 40% cheaper).
//!
//! The functions imported from [`METERING_MODULE`] are the instrumentation's (`load/metering/`),
//! never a guest's: [`HostFn::lookup`] does not find them.

use crate::load::metering::METERING_MODULE;

/// Calls `$callback!` with the table of host functions; the one place each is declared.
macro_rules! for_each_host_fn {
    ($callback:ident) => {
        $callback! {
            // The EEI (`run/eei.rs`).
            LoadPreStateRoot ["env" => "eth2_loadPreStateRoot", "eth2" => "loadPreStateRoot"]
                (ptr: u32), memory(|h, m| h.load_pre_state_root(m, ptr));
            BlockDataSize ["env" => "eth2_blockDataSize", "eth2" => "blockDataSize"]
                () -> i32, host(|h| h.block_data_size());
            BlockDataCopy ["env" => "eth2_blockDataCopy", "eth2" => "blockDataCopy"]
                (ptr: u32, offset: u32, len: u32),
                memory(|h, m| h.block_data_copy(m, ptr, offset, len));
            SavePostStateRoot ["env" => "eth2_savePostStateRoot", "eth2" => "savePostStateRoot"]
                (ptr: u32), memory(|h, m| h.save_post_state_root(m, ptr));
            PushNewDeposit ["env" => "eth2_pushNewDeposit", "eth2" => "pushNewDeposit"]
                (ptr: u32, len: u32), memory(|h, m| h.push_new_deposit(m, ptr, len));
            UseTicks ["env" => "eth2_useTicks", "eth2" => "useTicks"]
                (ticks: i32), host(|h| h.use_ticks(ticks));

            // The debug interface (`run/debug.rs`).
            Print32 ["env" => "debug_print32", "debug" => "print32"]
                (value: i32), host(|h| h.print32(value));
            Print64 ["env" => "debug_print64", "debug" => "print64"]
                (value: i64), host(|h| h.print64(value));
            PrintMem ["env" => "debug_printMem", "debug" => "printMem"]
                (ptr: u32, len: u32), memory(|h, m| h.print_mem(m, ptr, len));
            PrintMemHex ["env" => "debug_printMemHex", "debug" => "printMemHex"]
                (ptr: u32, len: u32), memory(|h, m| h.print_mem_hex(m, ptr, len));

            // The bignum interface (`run/bignum.rs`).
            Add256 ["env" => "bignum_add256", "bignum" => "add256"]
                (a: u32, b: u32, r: u32),
                charged(crate::TICKS_BIGNUM_256, |f, m| {
                    let add = precompiles::bignum::add256_be;
                    crate::run::bignum::add_sub256(f, m, [a, b, r], add, "the sum overflows 256 bits")
                });
            Sub256 ["env" => "bignum_sub256", "bignum" => "sub256"]
                (a: u32, b: u32, r: u32),
                charged(crate::TICKS_BIGNUM_256, |f, m| {
                    let sub = precompiles::bignum::sub256_be;
                    crate::run::bignum::add_sub256(f, m, [a, b, r], sub, "the difference is negative")
                });
            AddMod256 ["env" => "bignum_addmod256", "bignum" => "addmod256"]
                (a: u32, b: u32, md: u32, r: u32),
                charged(crate::TICKS_BIGNUM_256, |f, m| {
                    let op = precompiles::bignum::add_mod;
                    crate::run::bignum::add_sub_mod::<4, 32>(f, m, [a, b, md], r, op)
                });
            SubMod256 ["env" => "bignum_submod256", "bignum" => "submod256"]
                (a: u32, b: u32, md: u32, r: u32),
                charged(crate::TICKS_BIGNUM_256, |f, m| {
                    let op = precompiles::bignum::sub_mod;
                    crate::run::bignum::add_sub_mod::<4, 32>(f, m, [a, b, md], r, op)
                });
            MulModMont256 ["env" => "bignum_mulmodmont256", "bignum" => "mulmodmont256"]
                (a: u32, b: u32, md: u32, inv: u32, r: u32),
                charged(crate::TICKS_BIGNUM_MULMONT_256, |f, m| {
                    crate::run::bignum::mul_mod_mont::<4, 32>(f, m, [a, b, md], inv, r)
                });
            AddMod384 ["env" => "bignum_addmod384", "bignum" => "addmod384"]
                (a: u32, b: u32, md: u32, r: u32),
                charged(crate::TICKS_BIGNUM_384, |f, m| {
                    let op = precompiles::bignum::add_mod;
                    crate::run::bignum::add_sub_mod::<6, 48>(f, m, [a, b, md], r, op)
                });
            SubMod384 ["env" => "bignum_submod384", "bignum" => "submod384"]
                (a: u32, b: u32, md: u32, r: u32),
                charged(crate::TICKS_BIGNUM_384, |f, m| {
                    let op = precompiles::bignum::sub_mod;
                    crate::run::bignum::add_sub_mod::<6, 48>(f, m, [a, b, md], r, op)
                });
            MulModMont384 ["env" => "bignum_mulmodmont384", "bignum" => "mulmodmont384"]
                (a: u32, b: u32, md: u32, inv: u32, r: u32),
                charged(crate::TICKS_BIGNUM_MULMONT_384, |f, m| {
                    crate::run::bignum::mul_mod_mont::<6, 48>(f, m, [a, b, md], inv, r)
                });

            // Metering (`run/meter.rs`), called by the instrumentation: per region, per bulk
            // instruction (which consumes the count it returns), at function entry and exit.
            MeterGas [METERING_MODULE => "finite_wasm_gas"]
                (ticks: u64), host(|h| h.meter.charge(ticks));
            MeterMemoryCopy [METERING_MODULE => "finite_wasm_memory_copy"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::MemoryWords, count, linear, constant));
            MeterMemoryFill [METERING_MODULE => "finite_wasm_memory_fill"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::MemoryWords, count, linear, constant));
            MeterMemoryInit [METERING_MODULE => "finite_wasm_memory_init"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::MemoryWords, count, linear, constant));
            MeterTableCopy [METERING_MODULE => "finite_wasm_table_copy"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::TableElements, count, linear, constant));
            MeterTableFill [METERING_MODULE => "finite_wasm_table_fill"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::TableElements, count, linear, constant));
            MeterTableInit [METERING_MODULE => "finite_wasm_table_init"]
                (count: i32, linear: i64, constant: i64) -> i32,
                host(|h| h.meter.charge_bulk(crate::run::meter::BulkUnit::TableElements, count, linear, constant));
            MeterStack [METERING_MODULE => "finite_wasm_stack"]
                (operands: i64, frame: i64), host(|h| h.meter.reserve_stack(operands, frame));
            MeterUnstack [METERING_MODULE => "finite_wasm_unstack"]
                (operands: i64, frame: i64), host(|h| h.meter.release_stack(operands, frame));
        }
    };
}
pub(crate) use for_each_host_fn;

/// The type in a result position of a table entry: `()` where the entry has none.
macro_rules! result_type {
    () => {
        ()
    };
    ($ty:ty) => {
        $ty
    };
}
pub(crate) use result_type;

/// A parameter or result type in a host function's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    I32,
    I64,
}

/// The Wasm type a Rust argument or result type of a host function stands for.
trait WasmTy {
    const TY: Ty;
}

impl WasmTy for u32 {
    const TY: Ty = Ty::I32;
}

impl WasmTy for i32 {
    const TY: Ty = Ty::I32;
}

impl WasmTy for u64 {
    const TY: Ty = Ty::I64;
}

impl WasmTy for i64 {
    const TY: Ty = Ty::I64;
}

/// The enum and the descriptions the load-time checks and the traps read.
macro_rules! define_host_fns {
    ($(
        $variant:ident [$env_module:tt => $env_name:tt $(, $module:tt => $name:tt)*]
        ($($arg:ident: $ty:ty),*) $(-> $ret:ty)?, $access:ident($($how:tt)*);
    )*) => {
        /// A host function: one entry of the table in `host_fns.rs`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum HostFn {
            $($variant,)*
        }

        impl HostFn {
            /// Every host function, in table order.
            pub(crate) const ALL: &'static [HostFn] = &[$(HostFn::$variant),*];

            /// Every `(module, name)` pair the function is importable as: Scout's `env` module
            /// with the prefix first, then the `eth2`, `debug` or `bignum` module without it.
            pub(crate) fn import_names(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(HostFn::$variant => &[($env_module, $env_name) $(, ($module, $name))*],)*
                }
            }

            /// The name in the `env` module, which is also how traps name the function.
            pub(crate) fn env_name(self) -> &'static str {
                match self {
                    $(HostFn::$variant => $env_name,)*
                }
            }

            /// Parameters and results, for checking a module's imports at load time.
            pub(crate) fn signature(self) -> (&'static [Ty], &'static [Ty]) {
                match self {
                    $(HostFn::$variant => (
                        &[$(<$ty as WasmTy>::TY),*],
                        &[$(<$ret as WasmTy>::TY)?],
                    ),)*
                }
            }
        }
    };
}

for_each_host_fn!(define_host_fns);

impl HostFn {
    /// Finds the host function a guest imports as `module.name`; never a metering one, which only
    /// the instrumentation may import.
    pub(crate) fn lookup(module: &str, name: &str) -> Option<HostFn> {
        if module == METERING_MODULE {
            return None;
        }
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.import_names().contains(&(module, name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guest_import_name_resolves_to_its_function() {
        for &f in HostFn::ALL {
            for &(module, name) in f.import_names() {
                let expected = (module != METERING_MODULE).then_some(f);
                assert_eq!(HostFn::lookup(module, name), expected);
            }
        }
        assert_eq!(HostFn::lookup("env", "loadPreStateRoot"), None);
        assert_eq!(HostFn::lookup("debug", "eth2_useTicks"), None);
        assert_eq!(HostFn::lookup(METERING_MODULE, "finite_wasm_gas"), None);
    }

    #[test]
    fn signatures_follow_the_rust_types() {
        assert_eq!(HostFn::BlockDataSize.signature(), (&[][..], &[Ty::I32][..]));
        assert_eq!(
            HostFn::MulModMont384.signature(),
            (&[Ty::I32; 5][..], &[][..])
        );
        assert_eq!(
            HostFn::MeterMemoryCopy.signature(),
            (&[Ty::I32, Ty::I64, Ty::I64][..], &[Ty::I32][..])
        );
    }
}
