//! The Wasm entry point and the EEI imports (Scout's names and semantics).

use alloc::string::ToString;
use alloc::vec;

use stateless::validate_block_data;

extern crate alloc;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn eth2_loadPreStateRoot(ptr: *mut u8);
    fn eth2_blockDataSize() -> i32;
    fn eth2_blockDataCopy(ptr: *mut u8, offset: i32, length: i32);
    fn eth2_savePostStateRoot(ptr: *const u8);
    fn eth2_pushNewDeposit(ptr: *const u8, length: i32);
    fn debug_printMem(ptr: *const u8, length: i32);
}

/// Prints `reason` through the debug interface and traps: the host shows the reason and keeps
/// the old state.
fn reject(reason: &str) -> ! {
    // SAFETY: the pointer and length describe `reason`, which lives across the call.
    unsafe { debug_printMem(reason.as_ptr(), reason.len() as i32) };
    core::arch::wasm32::unreachable()
}

/// The default allocator, except that running out of memory (the host's page limit) is a
/// rejection with a reason instead of a silent abort.
struct RejectOnOom;

// SAFETY: every call is forwarded to the system allocator unchanged; only a null result is
// turned into a trap.
unsafe impl core::alloc::GlobalAlloc for RejectOnOom {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { std::alloc::System.alloc(layout) };
        if ptr.is_null() {
            out_of_memory(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        // SAFETY: same contract as ours.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: core::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { std::alloc::System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            out_of_memory(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: RejectOnOom = RejectOnOom;

fn out_of_memory(size: usize) -> ! {
    // No allocation here: the message is static and the size is written into a stack buffer.
    let mut message = *b"EE out of memory: cannot allocate 0000000000 bytes (host memory limit)";
    let mut digits = size;
    for slot in message[34..44].iter_mut().rev() {
        *slot = b'0' + (digits % 10) as u8;
        digits /= 10;
    }
    // SAFETY: pointer and length describe `message`.
    unsafe { debug_printMem(message.as_ptr(), message.len() as i32) };
    core::arch::wasm32::unreachable()
}

/// Called by the host once per shard block.
#[allow(unreachable_pub)] // exported to the host by `no_mangle`, not through the crate's API
#[unsafe(no_mangle)]
pub extern "C" fn main() {
    std::panic::set_hook(std::boxed::Box::new(|info| reject(&info.to_string())));
    let mut pre_state = [0u8; 32];
    // SAFETY: the host writes 32 bytes into the buffer we own.
    unsafe { eth2_loadPreStateRoot(pre_state.as_mut_ptr()) };
    // SAFETY: no pointers involved.
    let size = unsafe { eth2_blockDataSize() };
    let Ok(size) = usize::try_from(size) else {
        reject("negative block data size")
    };
    let mut block_data = vec![0u8; size];
    // SAFETY: the host writes `size` bytes into `block_data`, which has exactly that length.
    unsafe { eth2_blockDataCopy(block_data.as_mut_ptr(), 0, size as i32) };
    match validate_block_data(pre_state, &block_data) {
        Ok(validated) => {
            for deposit in &validated.deposits {
                // SAFETY: pointer and length describe `deposit`.
                unsafe { eth2_pushNewDeposit(deposit.as_ptr(), deposit.len() as i32) };
            }
            // SAFETY: 32 readable bytes.
            unsafe { eth2_savePostStateRoot(validated.post_state.as_ptr()) };
        }
        Err(error) => reject(&error.reason()),
    }
}
