//! The Ethereum Environment Interface with Scout's names and semantics, engine-agnostic: each
//! host function is one method on [`HostState`] over the calling module's memory as a byte slice.
//! The engines (`engine/`) only unpack arguments and find the caller's memory.
//!
//! Departures from Scout, all of them fixes: `blockDataCopy(ptr, offset, length)` copies
//! `block_data[offset..offset + length]` (Scout sliced `offset..length`); every guest range is
//! bounds-checked with checked arithmetic and traps with a message instead of panicking.

use crate::load::metering::{TICKS_HOST_CALL, TICKS_HOST_COPY_PER_WORD};
pub(crate) use crate::run::bignum::BignumFn;
use crate::run::debug::{DebugLine, DebugLog};
use crate::run::meter::Meter;
use crate::run::trap::HostTrap;
use std::ops::Range;

/// Most deposit receipt bytes one run may push: 16 MiB, about 91,000 deposits of 184 bytes,
/// far above what a block's gas allows a deposit contract to emit.
pub(crate) const MAX_DEPOSIT_BYTES: usize = 16 << 20;

/// The host functions of the EEI and the debug interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostFn {
    LoadPreStateRoot,
    BlockDataSize,
    BlockDataCopy,
    SavePostStateRoot,
    PushNewDeposit,
    UseTicks,
    Print32,
    Print64,
    PrintMem,
    PrintMemHex,
    /// The bignum interface (`bignum.rs`).
    Bignum(BignumFn),
}

/// A parameter or result type in a host function's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    I32,
    I64,
}

impl HostFn {
    pub(crate) const ALL: [HostFn; 18] = [
        HostFn::LoadPreStateRoot,
        HostFn::BlockDataSize,
        HostFn::BlockDataCopy,
        HostFn::SavePostStateRoot,
        HostFn::PushNewDeposit,
        HostFn::UseTicks,
        HostFn::Print32,
        HostFn::Print64,
        HostFn::PrintMem,
        HostFn::PrintMemHex,
        HostFn::Bignum(BignumFn::Add256),
        HostFn::Bignum(BignumFn::Sub256),
        HostFn::Bignum(BignumFn::AddMod256),
        HostFn::Bignum(BignumFn::SubMod256),
        HostFn::Bignum(BignumFn::MulModMont256),
        HostFn::Bignum(BignumFn::AddMod384),
        HostFn::Bignum(BignumFn::SubMod384),
        HostFn::Bignum(BignumFn::MulModMont384),
    ];

    /// The name in the `eth2` or `debug` module.
    fn short_name(self) -> &'static str {
        match self {
            HostFn::LoadPreStateRoot => "loadPreStateRoot",
            HostFn::BlockDataSize => "blockDataSize",
            HostFn::BlockDataCopy => "blockDataCopy",
            HostFn::SavePostStateRoot => "savePostStateRoot",
            HostFn::PushNewDeposit => "pushNewDeposit",
            HostFn::UseTicks => "useTicks",
            HostFn::Print32 => "print32",
            HostFn::Print64 => "print64",
            HostFn::PrintMem => "printMem",
            HostFn::PrintMemHex => "printMemHex",
            HostFn::Bignum(f) => f.name(),
        }
    }

    /// The name in the `env` module, which is also how traps name the function.
    pub(crate) fn env_name(self) -> &'static str {
        match self {
            HostFn::LoadPreStateRoot => "eth2_loadPreStateRoot",
            HostFn::BlockDataSize => "eth2_blockDataSize",
            HostFn::BlockDataCopy => "eth2_blockDataCopy",
            HostFn::SavePostStateRoot => "eth2_savePostStateRoot",
            HostFn::PushNewDeposit => "eth2_pushNewDeposit",
            HostFn::UseTicks => "eth2_useTicks",
            HostFn::Print32 => "debug_print32",
            HostFn::Print64 => "debug_print64",
            HostFn::PrintMem => "debug_printMem",
            HostFn::PrintMemHex => "debug_printMemHex",
            HostFn::Bignum(f) => f.env_name(),
        }
    }

    /// Both `(module, name)` pairs the function is importable as: Scout's `env` module with the
    /// prefix, and the `eth2` or `debug` module without it.
    pub(crate) fn import_names(self) -> [(&'static str, &'static str); 2] {
        let module = match self {
            HostFn::Print32 | HostFn::Print64 | HostFn::PrintMem | HostFn::PrintMemHex => "debug",
            HostFn::Bignum(_) => "bignum",
            _ => "eth2",
        };
        [("env", self.env_name()), (module, self.short_name())]
    }

    /// Parameters and results, for checking a module's imports at load time.
    pub(crate) fn signature(self) -> (&'static [Ty], &'static [Ty]) {
        use Ty::*;
        match self {
            HostFn::LoadPreStateRoot | HostFn::SavePostStateRoot | HostFn::UseTicks => {
                (&[I32], &[])
            }
            HostFn::Print32 => (&[I32], &[]),
            HostFn::Print64 => (&[I64], &[]),
            HostFn::BlockDataSize => (&[], &[I32]),
            HostFn::BlockDataCopy => (&[I32, I32, I32], &[]),
            HostFn::PushNewDeposit | HostFn::PrintMem | HostFn::PrintMemHex => (&[I32, I32], &[]),
            HostFn::Bignum(f) => (&[I32, I32, I32, I32, I32][..f.arity()], &[]),
        }
    }

    /// Finds the host function imported as `module.name`.
    pub(crate) fn lookup(module: &str, name: &str) -> Option<HostFn> {
        Self::ALL
            .into_iter()
            .find(|f| f.import_names().contains(&(module, name)))
    }
}

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
    /// one run are capped at [`MAX_DEPOSIT_BYTES`]: ticks alone would let an EE pile up tens of
    /// gigabytes of them in host memory.
    pub(crate) fn push_new_deposit(
        &mut self,
        memory: &[u8],
        ptr: u32,
        length: u32,
    ) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(length))?;
        let range = guest_range(HostFn::PushNewDeposit, memory.len(), ptr, length)?;
        let total = self.deposit_bytes.saturating_add(range.len());
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
        self.debug.push(DebugLine::Print32(value));
        Ok(())
    }

    /// `debug_print64(value)`.
    pub(crate) fn print64(&mut self, value: i64) -> Result<(), HostTrap> {
        self.meter.charge(TICKS_HOST_CALL)?;
        self.debug.push(DebugLine::Print64(value));
        Ok(())
    }

    /// `debug_printMem(ptr, len)`: the bytes as (lossy UTF-8) text. The last one is the
    /// rejection reason if the EE traps afterwards.
    pub(crate) fn print_mem(&mut self, memory: &[u8], ptr: u32, len: u32) -> Result<(), HostTrap> {
        self.meter.charge(copy_ticks(len))?;
        let range = guest_range(HostFn::PrintMem, memory.len(), ptr, len)?;
        let text = String::from_utf8_lossy(&memory[range]).into_owned();
        self.debug.push(DebugLine::Mem(text));
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
        self.debug.push(DebugLine::MemHex(memory[range].to_vec()));
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

    #[test]
    fn every_import_name_resolves_to_its_function() {
        for f in HostFn::ALL {
            for (module, name) in f.import_names() {
                assert_eq!(HostFn::lookup(module, name), Some(f));
            }
        }
        assert_eq!(HostFn::lookup("env", "loadPreStateRoot"), None);
        assert_eq!(HostFn::lookup("debug", "eth2_useTicks"), None);
    }
}
