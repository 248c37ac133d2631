//! Where the field arithmetic runs: the host's bignum functions (import module `bignum`) when
//! built for wasm32 with the `host-bignum` feature, and otherwise [`crate::bignum`] compiled into
//! the caller (natively, or as the pure-Wasm fallback). Both compute the same function
//! (`evm-ee-host` runs [`crate::bignum`] behind the imports), so a build only changes speed.
//!
//! With `host-bignum` only the Montgomery products go to the host: a modular addition is a
//! handful of Wasm instructions, cheaper than a host call (its argument copies and the meter's
//! hand-over) in both engines, so it stays in the guest. The `addmod*`/`submod*` imports
//! remain in the interface, and `HOST_ADD_SUB` switches them on for measuring.

#[cfg(all(target_arch = "wasm32", feature = "host-bignum"))]
mod imports {
    #[link(wasm_import_module = "bignum")]
    unsafe extern "C" {
        pub(super) fn addmod256(a: *const u64, b: *const u64, m: *const u64, r: *mut u64);
        pub(super) fn submod256(a: *const u64, b: *const u64, m: *const u64, r: *mut u64);
        pub(super) fn mulmodmont256(
            a: *const u64,
            b: *const u64,
            m: *const u64,
            inv: *const u64,
            r: *mut u64,
        );
        pub(super) fn addmod384(a: *const u64, b: *const u64, m: *const u64, r: *mut u64);
        pub(super) fn submod384(a: *const u64, b: *const u64, m: *const u64, r: *mut u64);
        pub(super) fn mulmodmont384(
            a: *const u64,
            b: *const u64,
            m: *const u64,
            inv: *const u64,
            r: *mut u64,
        );
    }
}

/// Whether this build calls the host for field arithmetic.
pub const HOST_BIGNUM: bool = cfg!(all(target_arch = "wasm32", feature = "host-bignum"));

/// Whether additions and subtractions also go to the host (see the module docs).
#[cfg(all(target_arch = "wasm32", feature = "host-bignum"))]
const HOST_ADD_SUB: bool = false;

macro_rules! backend {
    ($n:literal, $add:ident, $sub:ident, $mul:ident) => {
        /// `a + b mod m` (operands below `m`).
        #[inline(always)]
        pub(crate) fn $add(a: &[u64; $n], b: &[u64; $n], m: &[u64; $n]) -> [u64; $n] {
            #[cfg(all(target_arch = "wasm32", feature = "host-bignum"))]
            if HOST_ADD_SUB {
                let mut r = [0u64; $n];
                // SAFETY: every pointer is to a live array of the size the host reads or writes
                // (wasm32 is little-endian, so `[u64; N]` is the limbs' byte layout).
                unsafe { imports::$add(a.as_ptr(), b.as_ptr(), m.as_ptr(), r.as_mut_ptr()) };
                return r;
            }
            crate::bignum::add_mod(a, b, m)
        }

        /// `a - b mod m` (operands below `m`).
        #[inline(always)]
        pub(crate) fn $sub(a: &[u64; $n], b: &[u64; $n], m: &[u64; $n]) -> [u64; $n] {
            #[cfg(all(target_arch = "wasm32", feature = "host-bignum"))]
            if HOST_ADD_SUB {
                let mut r = [0u64; $n];
                // SAFETY: as in the addition.
                unsafe { imports::$sub(a.as_ptr(), b.as_ptr(), m.as_ptr(), r.as_mut_ptr()) };
                return r;
            }
            crate::bignum::sub_mod(a, b, m)
        }

        /// Montgomery product `a * b / 2^(64 N) mod m`.
        #[inline(always)]
        pub(crate) fn $mul(a: &[u64; $n], b: &[u64; $n], m: &[u64; $n], inv: u64) -> [u64; $n] {
            #[cfg(all(target_arch = "wasm32", feature = "host-bignum"))]
            {
                let mut r = [0u64; $n];
                // SAFETY: as in the addition; `inv` is one limb.
                unsafe { imports::$mul(a.as_ptr(), b.as_ptr(), m.as_ptr(), &inv, r.as_mut_ptr()) };
                r
            }
            #[cfg(not(all(target_arch = "wasm32", feature = "host-bignum")))]
            {
                crate::bignum::mul_mod_mont(a, b, m, inv)
            }
        }
    };
}

backend!(4, addmod256, submod256, mulmodmont256);
backend!(6, addmod384, submod384, mulmodmont384);
