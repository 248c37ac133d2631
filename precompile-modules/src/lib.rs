//! One standalone Wasm module per precompile: the `precompiles` crate's code behind a small ABI
//! any host can call. ee-module's build compiles each binary of this crate twice for
//! wasm32-unknown-unknown: with the host's `bignum` imports (`host-bignum`) and with the same
//! arithmetic compiled in (the pure-Wasm fallback, no imports at all).
//!
//! # ABI
//!
//! A module exports `memory` and:
//!
//! | export | type | what it does |
//! | --- | --- | --- |
//! | `precompile_input(len)` | `[i32] -> [i32]` | frees everything of the previous call and returns a buffer of `len` bytes for the input |
//! | `precompile_run(len, gas_limit, pricing)` | `[i32, i64, i32] -> [i32]` | runs on the first `len` bytes of that buffer; returns 0 (success), 1 (out of gas) or 2 (invalid input) |
//! | `precompile_gas()` | `[] -> [i64]` | gas used on success, the price on out of gas |
//! | `precompile_output()`, `precompile_output_len()` | `[] -> [i32]` | the output on success, the reason (UTF-8) on invalid input |
//!
//! `gas_limit` is read as unsigned. `pricing` is a bit set: bit 0 is EIP-1108 (Istanbul's bn128
//! prices), bit 1 is EIP-2565 (Berlin's modexp formula). A module with `host-bignum` imports
//! `bignum.addmod256`, `bignum.submod256`, `bignum.mulmodmont256` (and the 384-bit ones where
//! used) with the interface documented in `precompiles::bignum`. A trap (out of memory, or a
//! bug) leaves the call without a result.
//!
//! Memory is a bump allocator over `memory.grow` that `precompile_input` resets: a call's
//! allocations live until the next call starts, so the host can read the output, and nothing
//! leaks from one call into the next.

#![no_std]
#![warn(missing_docs, unreachable_pub)]

// The allocator and the call state are single-threaded by construction.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("precompile-modules assumes a single-threaded wasm32 target (no atomics)");

pub use precompiles;

/// Status codes of `precompile_run`.
pub mod status {
    /// The call succeeded.
    pub const SUCCESS: i32 = 0;
    /// The gas limit is below the price.
    pub const OUT_OF_GAS: i32 = 1;
    /// The input is invalid.
    pub const INVALID_INPUT: i32 = 2;
}

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod guest {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const PAGE: usize = 65_536;

    unsafe extern "C" {
        /// The end of the data segments, where the linker lets the heap start.
        static __heap_base: u8;
    }

    /// A bump allocator: `alloc` moves a pointer, `dealloc` does nothing, [`reset`] frees all.
    struct Bump {
        next: UnsafeCell<usize>,
    }

    // SAFETY: wasm32-unknown-unknown modules are single-threaded.
    unsafe impl Sync for Bump {}

    // SAFETY: every block is fresh memory inside the grown memory, aligned as asked, and never
    // handed out twice before a reset (which only happens when no allocation is live).
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: single-threaded; the cell is only touched here and in `reset`.
            let next = unsafe { &mut *self.next.get() };
            if *next == 0 {
                *next = core::ptr::addr_of!(__heap_base) as usize;
            }
            let Some(start) = next.checked_next_multiple_of(layout.align()) else {
                return core::ptr::null_mut();
            };
            let Some(end) = start.checked_add(layout.size()) else {
                return core::ptr::null_mut();
            };
            // In u64: 65,536 pages of 64 KiB is 2^32, one past usize on wasm32.
            let have = core::arch::wasm32::memory_size(0) as u64 * PAGE as u64;
            if end as u64 > have {
                let pages = (end as u64 - have).div_ceil(PAGE as u64) as usize;
                if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                    return core::ptr::null_mut();
                }
            }
            *next = end;
            start as *mut u8
        }

        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    #[global_allocator]
    static ALLOCATOR: Bump = Bump {
        next: UnsafeCell::new(0),
    };

    /// Frees every allocation (the start of a call).
    pub fn reset() {
        // SAFETY: single-threaded, and called only between calls, when nothing is live.
        unsafe { *ALLOCATOR.next.get() = 0 };
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }

    /// The state between the exports of one call.
    pub struct Call {
        pub input: *mut u8,
        pub capacity: usize,
        pub gas: u64,
        pub output: *const u8,
        pub output_len: usize,
    }

    pub struct CallCell(pub UnsafeCell<Call>);
    // SAFETY: single-threaded.
    unsafe impl Sync for CallCell {}

    pub static CALL: CallCell = CallCell(UnsafeCell::new(Call {
        input: core::ptr::null_mut(),
        capacity: 0,
        gas: 0,
        output: core::ptr::null(),
        output_len: 0,
    }));

    /// The call state (single-threaded: one reference at a time, inside one export).
    #[allow(clippy::mut_from_ref)]
    pub fn call() -> &'static mut Call {
        // SAFETY: single-threaded; each export takes the reference once and drops it on return.
        unsafe { &mut *CALL.0.get() }
    }

    extern crate alloc;

    pub fn input(len: i32) -> i32 {
        reset();
        // Forget the previous buffer first: if this allocation traps, a later
        // `precompile_run` sees no input rather than freed memory.
        call().input = core::ptr::null_mut();
        call().capacity = 0;
        let len = len.max(0) as usize;
        let mut buffer = alloc::vec![0u8; len];
        let call = call();
        call.input = buffer.as_mut_ptr();
        call.capacity = len;
        core::mem::forget(buffer);
        call.input as i32
    }

    pub fn run(precompile: precompiles::Precompile, len: i32, gas_limit: i64, pricing: i32) -> i32 {
        let call = call();
        let len = (len.max(0) as usize).min(call.capacity);
        let input: &[u8] = if call.input.is_null() {
            &[]
        } else {
            // SAFETY: `input` made `capacity` initialised bytes there, kept alive until reset.
            unsafe { core::slice::from_raw_parts(call.input, len) }
        };
        let pricing = precompiles::Pricing::from_bits(pricing as u32);
        let result = precompiles::run(precompile, input, gas_limit as u64, pricing);
        let (status, gas, bytes): (i32, u64, &[u8]) = match &result {
            Ok(out) => (super::status::SUCCESS, out.gas_used, &out.bytes),
            Err(precompiles::Failure::OutOfGas { needed }) => {
                (super::status::OUT_OF_GAS, *needed, &[])
            }
            Err(precompiles::Failure::InvalidInput(why)) => {
                (super::status::INVALID_INPUT, 0, why.as_bytes())
            }
        };
        call.gas = gas;
        call.output = bytes.as_ptr();
        call.output_len = bytes.len();
        // The output stays allocated until the next `precompile_input`.
        core::mem::forget(result);
        status
    }
}

/// Defines the ABI's exports for one [`precompiles::Precompile`] variant.
#[macro_export]
macro_rules! export_precompile {
    ($variant:ident) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::guest;

            #[unsafe(no_mangle)]
            extern "C" fn precompile_input(len: i32) -> i32 {
                guest::input(len)
            }

            #[unsafe(no_mangle)]
            extern "C" fn precompile_run(len: i32, gas_limit: i64, pricing: i32) -> i32 {
                guest::run(
                    $crate::precompiles::Precompile::$variant,
                    len,
                    gas_limit,
                    pricing,
                )
            }

            #[unsafe(no_mangle)]
            extern "C" fn precompile_gas() -> i64 {
                guest::call().gas as i64
            }

            #[unsafe(no_mangle)]
            extern "C" fn precompile_output() -> i32 {
                guest::call().output as i32
            }

            #[unsafe(no_mangle)]
            extern "C" fn precompile_output_len() -> i32 {
                guest::call().output_len as i32
            }
        };
    };
}
