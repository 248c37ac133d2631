//! Resource limits of one EE run, checked at load time where possible and enforced during
//! execution identically in every engine.

use crate::HostError;

/// The largest deterministic stack budget [`Limits::max_stack`] may ask for.
///
/// The engines' own (native) stack limits are derived from the deterministic budget with a wide
/// margin (see `engine/`), so that the deterministic limit is always hit first; past this cap
/// that margin would need more native stack than the host thread is given.
pub const MAX_STACK_CAP: u64 = 8 * 1024 * 1024;

/// Limits on what an EE module may use. The defaults are safe for untrusted EEs and blocks.
///
/// Build one with struct-update syntax so that new fields keep their defaults:
/// `Limits { max_ticks: 1_000_000, ..Limits::default() }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted size of an EE or library module, checked before parsing.
    /// Default: 16 MiB (an EVM with all precompiles in Rust is a few MiB).
    pub max_module_bytes: usize,
    /// Largest linear memory, in 64 KiB pages: a module declaring more is rejected at load time
    /// and `memory.grow` past it returns -1 (the Wasm way to refuse), in both engines.
    /// Default: 2048 pages (128 MiB).
    pub max_memory_pages: u32,
    /// Tick budget of one run (one shard block). Exceeding it traps with
    /// `tick budget N exhausted`. Default: 10^10 ticks, roughly a minute in wasmi.
    pub max_ticks: u64,
    /// Deterministic stack budget in the units of `metering.rs` (about bytes: operand sizes plus
    /// 8 per local plus a fixed frame overhead). Exceeding it traps with
    /// `stack budget N exhausted`. Default: 512 KiB, at most [`MAX_STACK_CAP`].
    pub max_stack: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_module_bytes: 16 * 1024 * 1024,
            max_memory_pages: 2048,
            max_ticks: 10_000_000_000,
            max_stack: 512 * 1024,
        }
    }
}

/// Wasm's page size: 64 KiB.
pub(crate) const WASM_PAGE_BYTES: usize = 64 * 1024;

impl Limits {
    /// The memory limit in bytes, as the engines' store limiters want it.
    pub(crate) fn max_memory_bytes(&self) -> usize {
        (self.max_memory_pages as usize).saturating_mul(WASM_PAGE_BYTES)
    }

    /// Native stack of the thread a run executes on. wasmi recurses natively on wasm calls and
    /// wasmtime runs wasm frames on the native stack; every wasm frame costs at least
    /// `FRAME_OVERHEAD` (128) units of [`Limits::max_stack`], so 32 native bytes per unit leave
    /// 4 KiB per frame, well above what either engine uses, plus room for the host's own frames.
    /// Only touched pages are committed.
    pub(crate) fn native_stack_bytes(&self) -> usize {
        self.stack_bytes(32, 16 << 20)
    }

    /// `per_unit` bytes for each unit of [`Limits::max_stack`] plus `headroom`, saturating: how
    /// the native stack and the engines' own stack limits are sized to stay above the
    /// deterministic budget.
    pub(crate) fn stack_bytes(&self, per_unit: usize, headroom: usize) -> usize {
        usize::try_from(self.max_stack)
            .unwrap_or(usize::MAX)
            .saturating_mul(per_unit)
            .saturating_add(headroom)
    }

    /// Rejects limits that the engines cannot enforce deterministically.
    pub(crate) fn check(&self) -> Result<(), HostError> {
        if self.max_stack == 0 || self.max_stack > MAX_STACK_CAP {
            return Err(HostError::InvalidLimits(format!(
                "max_stack {} must be between 1 and {MAX_STACK_CAP}",
                self.max_stack
            )));
        }
        if self.max_ticks > crate::load::metering::MAX_COUNTER_BUDGET {
            return Err(HostError::InvalidLimits(format!(
                "max_ticks {} is above the largest budget, 2^62",
                self.max_ticks
            )));
        }
        // 65536 pages is the whole 32-bit address space.
        if self.max_memory_pages > 65536 {
            return Err(HostError::InvalidLimits(format!(
                "max_memory_pages {} is above the 65536 pages of a 32-bit memory",
                self.max_memory_pages
            )));
        }
        Ok(())
    }
}
