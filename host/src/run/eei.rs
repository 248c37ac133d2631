//! The Ethereum Environment Interface with Scout's names and semantics, engine-agnostic: each
//! host function is one method on [`HostState`] over the calling module's memory as a byte slice.
//! Names and signatures are the entries of `host_fns.rs`; the engines (`engine/`) only unpack
//! arguments and find the caller's memory.
//!
//! Departures from Scout, all of them fixes: `blockDataCopy(ptr, offset, length)` copies
//! `block_data[offset..offset + length]` (Scout sliced `offset..length`); every guest range is
//! bounds-checked with checked arithmetic and traps with a message instead of panicking.

use crate::host_fns::HostFn;
use crate::load::metering::{TICKS_DEPOSIT, TICKS_HOST_CALL, TICKS_HOST_COPY_PER_WORD};
use crate::run::debug::{DebugLine, DebugLog};
use crate::run::meter::Meter;
use crate::run::trap::HostTrap;
use std::ops::Range;

/// Most deposit receipt bytes one run may push, each deposit counted as its length plus
/// [`DEPOSIT_OVERHEAD`]: 16 MiB, about 77,000 deposits of 184 bytes, far above what a block's gas
/// allows a deposit contract to emit.
pub(crate) const MAX_DEPOSIT_BYTES: usize = 16 << 20;

/// What one deposit costs the host beyond its bytes (its own record), so that empty deposits in
/// a loop reach the cap too: at most 524,288 of them per run.
pub(crate) const DEPOSIT_OVERHEAD: usize = 32;

/// Everything one run of an EE sees and produces; lives in the engine's store.
#[derive(Debug)]
pub(crate) struct HostState {
    pre_state: [u8; 32],
    block_data: Vec<u8>,
    pub(crate) post_state: Option<[u8; 32]>,
    pub(crate) deposits: Vec<Vec<u8>>,
    /// Bytes in `deposits`, against [`MAX_DEPOSIT_BYTES`].
    deposit_bytes: usize,
    pub(crate) meter: Meter,
    pub(crate) debug: DebugLog,
}

/// The byte range `ptr..ptr + len` of guest memory, or a trap naming the function.
pub(crate) fn guest_range(
    f: HostFn,
    memory_len: usize,
    ptr: u32,
    len: u32,
) -> Result<Range<usize>, HostTrap> {
    let start = ptr as usize;
    match start.checked_add(len as usize) {
        Some(end) if end <= memory_len => Ok(start..end),
        _ => Err(HostTrap::new(format!(
            "{}: guest range 0x{ptr:x}+{len} is outside memory of {memory_len} bytes",
            f.env_name()
        ))),
    }
}

/// Ticks of a host call that moves `len` bytes: the fixed call cost plus a cost per started
/// 8-byte word.
fn copy_ticks(len: u32) -> u64 {
    TICKS_HOST_CALL
        .saturating_add(u64::from(len.div_ceil(8)).saturating_mul(TICKS_HOST_COPY_PER_WORD))
}

impl HostState {
    pub(crate) fn new(pre_state: [u8; 32], block_data: Vec<u8>, meter: Meter) -> Self {
        Self {
            pre_state,
            block_data,
            post_state: None,
            deposits: Vec::new(),
            deposit_bytes: 0,
            meter,
            debug: DebugLog::default(),
        }
    }

    /// `eth2_loadPreStateRoot(ptr)`: writes the 32-byte pre-state to `ptr`.
    pub(crate) fn load_pre_state_root(
        &mut self,
        memory: &mut [u8],
        ptr: u32,
    ) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(32))?;
        let range = guest_range(HostFn::LoadPreStateRoot, memory.len(), ptr, 32)?;
        memory[range].copy_from_slice(&self.pre_state);
        Ok(())
    }

    /// `eth2_blockDataSize() -> i32`.
    pub(crate) fn block_data_size(&mut self) -> Result<i32, HostTrap> {
        self.meter.charge(TICKS_HOST_CALL)?;
        // `Runtime::execute` refuses block data longer than i32::MAX.
        i32::try_from(self.block_data.len())
            .map_err(|_| HostTrap::new("eth2_blockDataSize: block data is larger than i32::MAX"))
    }

    /// `eth2_blockDataCopy(ptr, offset, length)`: copies `block_data[offset..offset + length]` to
    /// guest memory at `ptr`.
    pub(crate) fn block_data_copy(
        &mut self,
        memory: &mut [u8],
        ptr: u32,
        offset: u32,
        length: u32,
    ) -> Result<(), HostTrap> {
        let f = HostFn::BlockDataCopy;
        self.meter.charge(copy_ticks(length))?;
        let source = (offset as usize)
            .checked_add(length as usize)
            .and_then(|end| self.block_data.get(offset as usize..end))
            .ok_or_else(|| {
                HostTrap::new(format!(
                    "{}: block data range 0x{offset:x}+{length} is outside block data of {} bytes",
                    f.env_name(),
                    self.block_data.len()
                ))
            })?;
        let range = guest_range(f, memory.len(), ptr, length)?;
        memory[range].copy_from_slice(source);
        Ok(())
    }

    /// `eth2_savePostStateRoot(ptr)`: reads the 32-byte post-state from `ptr`.
    pub(crate) fn save_post_state_root(&mut self, memory: &[u8], ptr: u32) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(32))?;
        let range = guest_range(HostFn::SavePostStateRoot, memory.len(), ptr, 32)?;
        let mut root = [0u8; 32];
        root.copy_from_slice(&memory[range]);
        self.post_state = Some(root);
        Ok(())
    }

    /// `eth2_pushNewDeposit(ptr, length)`: records a deposit receipt (Scout's 184-byte layout for
    /// the Phase 0 `Deposit`, though the host does not insist on the length). The receipts of
    /// one run are capped at [`MAX_DEPOSIT_BYTES`], each counted with [`DEPOSIT_OVERHEAD`]: ticks
    /// alone would let an EE pile up gigabytes of them in host memory, empty ones included.
    pub(crate) fn push_new_deposit(
        &mut self,
        memory: &[u8],
        ptr: u32,
        length: u32,
    ) -> Result<(), HostTrap> {
        self.meter
            .charge(copy_ticks(length).saturating_add(TICKS_DEPOSIT))?;
        let range = guest_range(HostFn::PushNewDeposit, memory.len(), ptr, length)?;
        let total = self
            .deposit_bytes
            .saturating_add(range.len())
            .saturating_add(DEPOSIT_OVERHEAD);
        if total > MAX_DEPOSIT_BYTES {
            return Err(HostTrap::new(format!(
                "eth2_pushNewDeposit: deposits of one block exceed {MAX_DEPOSIT_BYTES} bytes"
            )));
        }
        self.deposit_bytes = total;
        self.deposits.push(memory[range].to_vec());
        Ok(())
    }

    /// `eth2_useTicks(ticks)`: the EE charges itself extra ticks (Scout's only metering),
    /// taken as unsigned.
    pub(crate) fn use_ticks(&mut self, ticks: i32) -> Result<(), HostTrap> {
        self.meter
            .charge(TICKS_HOST_CALL.saturating_add(u64::from(ticks as u32)))
    }

    /// `debug_print32(value)`.
    pub(crate) fn print32(&mut self, value: i32) -> Result<(), HostTrap> {
        self.meter.charge(TICKS_HOST_CALL)?;
        self.debug.print_value(DebugLine::Print32(value));
        Ok(())
    }

    /// `debug_print64(value)`.
    pub(crate) fn print64(&mut self, value: i64) -> Result<(), HostTrap> {
        self.meter.charge(TICKS_HOST_CALL)?;
        self.debug.print_value(DebugLine::Print64(value));
        Ok(())
    }

    /// `debug_printMem(ptr, len)`: the bytes as (lossy UTF-8) text. The last one is the
    /// rejection reason if the EE traps afterwards.
    pub(crate) fn print_mem(&mut self, memory: &[u8], ptr: u32, len: u32) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(len))?;
        let range = guest_range(HostFn::PrintMem, memory.len(), ptr, len)?;
        self.debug.print_text(&memory[range]);
        Ok(())
    }

    /// `debug_printMemHex(ptr, len)`: the bytes in hex.
    pub(crate) fn print_mem_hex(
        &mut self,
        memory: &[u8],
        ptr: u32,
        len: u32,
    ) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(len))?;
        let range = guest_range(HostFn::PrintMemHex, memory.len(), ptr, len)?;
        self.debug.print_hex(&memory[range]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_range_checks_overflow_and_bounds() {
        assert_eq!(guest_range(HostFn::PrintMem, 100, 90, 10), Ok(90..100));
        let err = guest_range(HostFn::BlockDataCopy, 100, 95, 10).unwrap_err();
        assert_eq!(
            err.0,
            "eth2_blockDataCopy: guest range 0x5f+10 is outside memory of 100 bytes"
        );
        assert!(
            guest_range(HostFn::PrintMem, usize::MAX, u32::MAX, u32::MAX).is_ok()
                || usize::BITS < 64
        );
        assert!(guest_range(HostFn::PrintMem, 65536, u32::MAX, 1).is_err());
    }
}
