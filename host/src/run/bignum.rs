//! The bignum interface (import module `bignum`, or `env` with a `bignum_` prefix): Scout's
//! `add256`/`sub256` and the modular functions the EVM384 and rollup.rs experiments showed to
//! matter, for 256 and 384 bits. The arithmetic is `precompiles::bignum`, the same code a guest
//! links in as its pure-Wasm fallback; here it only reads operands from guest memory, charges
//! the function's fixed ticks and writes the result.
//!
//! | import | operands (pointers into the caller's memory) | ticks |
//! | --- | --- | --- |
//! | `add256(a, b, c)`, `sub256(a, b, c)` | 32-byte big-endian; a carry or borrow traps (Scout aborted) | [`TICKS_BIGNUM_256`] |
//! | `addmod256(a, b, m, r)`, `submod256(a, b, m, r)` | 4 little-endian `u64` limbs | [`TICKS_BIGNUM_256`] |
//! | `mulmodmont256(a, b, m, inv, r)` | 4 limbs; `inv` is 8 bytes, `-m^-1 mod 2^64` | [`TICKS_BIGNUM_MULMONT_256`] |
//! | `addmod384`, `submod384` | 6 limbs | [`TICKS_BIGNUM_384`] |
//! | `mulmodmont384(a, b, m, inv, r)` | 6 limbs | [`TICKS_BIGNUM_MULMONT_384`] |
//!
//! The result may alias any operand. Every range is bounds-checked; out of bounds traps with the
//! function's name and the range. Names, signatures and tick costs are the entries of
//! `host_fns.rs`; the engines charge the ticks before calling in here.

use precompiles::bignum as arith;

use crate::host_fns::HostFn;
use crate::run::eei::guest_range;
use crate::run::trap::HostTrap;

/// Ticks of a 256-bit addition or subtraction, plain or modular (the host call included).
pub const TICKS_BIGNUM_256: u64 = 100;
/// Ticks of a 256-bit Montgomery multiplication.
pub const TICKS_BIGNUM_MULMONT_256: u64 = 200;
/// Ticks of a 384-bit modular addition or subtraction.
pub const TICKS_BIGNUM_384: u64 = 120;
/// Ticks of a 384-bit Montgomery multiplication.
pub const TICKS_BIGNUM_MULMONT_384: u64 = 300;

/// `N` bytes of guest memory at `ptr`.
fn read<const N: usize>(f: HostFn, memory: &[u8], ptr: u32) -> Result<[u8; N], HostTrap> {
    let range = guest_range(f, memory.len(), ptr, N as u32)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&memory[range]);
    Ok(bytes)
}

/// Writes `bytes` to guest memory at `ptr`.
fn write(f: HostFn, memory: &mut [u8], ptr: u32, bytes: &[u8]) -> Result<(), HostTrap> {
    let range = guest_range(f, memory.len(), ptr, bytes.len() as u32)?;
    memory[range].copy_from_slice(bytes);
    Ok(())
}

/// `add256(a, b, r)` and `sub256(a, b, r)`: Scout's 256-bit big-endian sum and difference
/// (`op`); a carry or borrow (`op` gives `None`) traps with `overflow`, where Scout aborted.
pub(crate) fn add_sub256(
    f: HostFn,
    memory: &mut [u8],
    [a, b, r]: [u32; 3],
    op: fn(&[u8; 32], &[u8; 32]) -> Option<[u8; 32]>,
    overflow: &str,
) -> Result<(), HostTrap> {
    let a = read::<32>(f, memory, a)?;
    let b = read::<32>(f, memory, b)?;
    let result =
        op(&a, &b).ok_or_else(|| HostTrap::new(format!("{}: {overflow}", f.env_name())))?;
    write(f, memory, r, &result)
}

/// The operands `a`, `b`, `m` of a modular function over `N` little-endian limbs (`BYTES` = 8 N).
fn operands<const N: usize, const BYTES: usize>(
    f: HostFn,
    memory: &[u8],
    pointers: [u32; 3],
) -> Result<[[u64; N]; 3], HostTrap> {
    let mut limbs = [[0u64; N]; 3];
    for (value, ptr) in limbs.iter_mut().zip(pointers) {
        *value = arith::limbs_from_le(&read::<BYTES>(f, memory, ptr)?);
    }
    Ok(limbs)
}

/// Writes a modular function's result at `r`.
fn write_limbs<const N: usize, const BYTES: usize>(
    f: HostFn,
    memory: &mut [u8],
    r: u32,
    result: &[u64; N],
) -> Result<(), HostTrap> {
    let mut out = [0u8; BYTES];
    arith::limbs_to_le(result, &mut out);
    write(f, memory, r, &out)
}

/// A modular operation `(a, b, m) -> result` over `N` little-endian limbs.
type ModularOp<const N: usize> = fn(&[u64; N], &[u64; N], &[u64; N]) -> [u64; N];

/// `addmod(a, b, m, r)` and `submod(a, b, m, r)` (`op`) over `N` limbs.
pub(crate) fn add_sub_mod<const N: usize, const BYTES: usize>(
    f: HostFn,
    memory: &mut [u8],
    pointers: [u32; 3],
    r: u32,
    op: ModularOp<N>,
) -> Result<(), HostTrap> {
    let [a, b, m] = operands::<N, BYTES>(f, memory, pointers)?;
    write_limbs::<N, BYTES>(f, memory, r, &op(&a, &b, &m))
}

/// `mulmodmont(a, b, m, inv, r)` over `N` limbs; `inv` points at 8 bytes, `-m^-1 mod 2^64`.
pub(crate) fn mul_mod_mont<const N: usize, const BYTES: usize>(
    f: HostFn,
    memory: &mut [u8],
    pointers: [u32; 3],
    inv: u32,
    r: u32,
) -> Result<(), HostTrap> {
    let [a, b, m] = operands::<N, BYTES>(f, memory, pointers)?;
    let inv = u64::from_le_bytes(read::<8>(f, memory, inv)?);
    write_limbs::<N, BYTES>(f, memory, r, &arith::mul_mod_mont(&a, &b, &m, inv))
}
