//! The debug interface (`debug_print32`, `debug_print64`, `debug_printMem`, `debug_printMemHex`):
//! what the EE printed, kept in order, bounded in size, and the last `printMem` text, which is
//! how an EE says why it rejects a block before it traps.

use std::fmt;

/// Total bytes of debug output kept per run; later lines are dropped and counted.
pub(crate) const MAX_DEBUG_BYTES: usize = 1024 * 1024;

/// One call of a debug function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebugLine {
    /// `debug_print32(value)`.
    Print32(i32),
    /// `debug_print64(value)`.
    Print64(i64),
    /// `debug_printMem(ptr, len)`: the bytes as text (invalid UTF-8 replaced).
    Mem(String),
    /// `debug_printMemHex(ptr, len)`: the raw bytes, shown in hex.
    MemHex(Vec<u8>),
}

impl fmt::Display for DebugLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Scout printed the unsigned value; print both, as EEs use either.
            DebugLine::Print32(v) => write!(f, "print32: {} (0x{:08x})", *v as u32, *v as u32),
            DebugLine::Print64(v) => write!(f, "print64: {} (0x{:016x})", *v as u64, *v as u64),
            DebugLine::Mem(text) => write!(f, "print: {text}"),
            DebugLine::MemHex(bytes) => write!(f, "print.hex: {}", hex::encode(bytes)),
        }
    }
}

/// The debug output of one run.
#[derive(Debug, Default)]
pub(crate) struct DebugLog {
    pub(crate) lines: Vec<DebugLine>,
    bytes: usize,
    pub(crate) dropped: usize,
    /// The text of the last `debug_printMem`, kept even when the log is full: it is the
    /// rejection reason if the EE traps next.
    pub(crate) last_message: Option<String>,
}

impl DebugLog {
    pub(crate) fn push(&mut self, line: DebugLine) {
        if let DebugLine::Mem(text) = &line {
            self.last_message = Some(truncate(text));
        }
        let size = match &line {
            DebugLine::Print32(_) | DebugLine::Print64(_) => 8,
            DebugLine::Mem(text) => text.len(),
            DebugLine::MemHex(bytes) => bytes.len(),
        };
        match self.bytes.checked_add(size) {
            Some(total) if total <= MAX_DEBUG_BYTES => {
                self.bytes = total;
                self.lines.push(line);
            }
            _ => self.dropped = self.dropped.saturating_add(1),
        }
    }
}

/// Rejection reasons are one line of text; keep a runaway one readable.
fn truncate(text: &str) -> String {
    const MAX_REASON: usize = 4096;
    if text.len() <= MAX_REASON {
        return text.to_owned();
    }
    let mut end = MAX_REASON;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
