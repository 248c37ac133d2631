//! The debug interface (`debug_print32`, `debug_print64`, `debug_printMem`, `debug_printMemHex`):
//! what the EE printed, kept in order, bounded in size, and the last `printMem` text, which is
//! how an EE says why it rejects a block before it traps.

use std::fmt;

/// Total bytes of debug output kept per run, each line counted as its payload plus
/// [`LINE_OVERHEAD`]; later lines are dropped and counted, without being copied.
pub(crate) const MAX_DEBUG_BYTES: usize = 1024 * 1024;

/// What one kept line costs the host beyond its payload (the line's own record), so that a loop
/// of empty prints fills the log as surely as long ones: at most 32,768 lines per run.
pub(crate) const LINE_OVERHEAD: usize = 32;

/// Bytes of a `printMem` kept as the rejection reason (before lossy UTF-8 conversion).
const MAX_REASON: usize = 4096;

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
    /// The first [`MAX_REASON`] bytes of the last `debug_printMem`, kept even when the log is
    /// full: it is the rejection reason if the EE traps next. Raw bytes in a reused buffer, made
    /// text only when asked for: a loop of long prints would otherwise pay a conversion and an
    /// allocation per call (7 us for 4 KiB, 14 times the time per tick of other code).
    last_message: Option<Vec<u8>>,
    /// The last message was longer than what is kept.
    last_message_cut: bool,
}

impl DebugLog {
    /// Makes room for a line of `payload` bytes; `false` (and the line counted as dropped) when
    /// the log is full. Called before the line is built, so a dropped line allocates nothing.
    fn make_room(&mut self, payload: usize) -> bool {
        match self
            .bytes
            .checked_add(payload)
            .and_then(|total| total.checked_add(LINE_OVERHEAD))
        {
            Some(total) if total <= MAX_DEBUG_BYTES => {
                self.bytes = total;
                true
            }
            _ => {
                self.dropped = self.dropped.saturating_add(1);
                false
            }
        }
    }

    /// `debug_print32` / `debug_print64`.
    pub(crate) fn print_value(&mut self, line: DebugLine) {
        if self.make_room(8) {
            self.lines.push(line);
        }
    }

    /// `debug_printMem`: the bytes as text (invalid UTF-8 replaced), and the last reason. The
    /// room made is the text's length, not the bytes': each invalid byte becomes a 3-byte
    /// U+FFFD, so counting the bytes would let the log hold three times its cap.
    pub(crate) fn print_text(&mut self, bytes: &[u8]) {
        let kept = bytes.get(..MAX_REASON).unwrap_or(bytes);
        let buffer = self.last_message.get_or_insert_with(Vec::new);
        buffer.clear();
        buffer.extend_from_slice(kept);
        self.last_message_cut = kept.len() < bytes.len();
        // The text is never shorter than the bytes: a line whose bytes do not fit is dropped
        // without looking at them (measuring 4 KiB of invalid UTF-8 took 19 us).
        let fits = self
            .bytes
            .saturating_add(bytes.len())
            .saturating_add(LINE_OVERHEAD)
            <= MAX_DEBUG_BYTES;
        if !fits {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if self.make_room(lossy_len(bytes)) {
            self.lines
                .push(DebugLine::Mem(String::from_utf8_lossy(bytes).into_owned()));
        }
    }

    /// `debug_printMemHex`: the raw bytes.
    pub(crate) fn print_hex(&mut self, bytes: &[u8]) {
        if self.make_room(bytes.len()) {
            self.lines.push(DebugLine::MemHex(bytes.to_vec()));
        }
    }
}

/// The length of `String::from_utf8_lossy(bytes)`, computed without building it.
fn lossy_len(bytes: &[u8]) -> usize {
    if std::str::from_utf8(bytes).is_ok() {
        return bytes.len();
    }
    bytes.utf8_chunks().fold(0usize, |total, chunk| {
        let replaced = if chunk.invalid().is_empty() {
            0
        } else {
            char::REPLACEMENT_CHARACTER.len_utf8()
        };
        total
            .saturating_add(chunk.valid().len())
            .saturating_add(replaced)
    })
}

impl DebugLog {
    /// The last `debug_printMem` as the rejection reason: at most [`MAX_REASON`] bytes of it as
    /// text (so a 4 GB print costs 4 KiB here), with `...` when it was longer.
    pub(crate) fn last_message(&self) -> Option<String> {
        let bytes = self.last_message.as_deref()?;
        let text = String::from_utf8_lossy(bytes);
        Some(if self.last_message_cut {
            format!("{text}...")
        } else {
            text.into_owned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lines_fill_the_log_too() {
        let mut log = DebugLog::default();
        for _ in 0..100_000 {
            log.print_text(b"");
        }
        assert_eq!(log.lines.len(), MAX_DEBUG_BYTES / LINE_OVERHEAD);
        assert_eq!(log.dropped, 100_000 - MAX_DEBUG_BYTES / LINE_OVERHEAD);
        assert_eq!(log.last_message().as_deref(), Some(""));
    }

    #[test]
    fn invalid_utf8_counts_as_the_text_it_becomes() {
        for bytes in [
            &b""[..],
            b"abc",
            b"\xff",
            b"a\xffb\xfe\xfd",
            "é\u{1F600}".as_bytes(),
            b"\xf0\x9f\x98",
        ] {
            assert_eq!(
                lossy_len(bytes),
                String::from_utf8_lossy(bytes).len(),
                "{bytes:?}"
            );
        }
        // A quarter of the cap in invalid bytes is three quarters of it in text: one fits, two not.
        let mut log = DebugLog::default();
        let third = vec![0xff; MAX_DEBUG_BYTES / 4];
        log.print_text(&third);
        log.print_text(&third);
        assert_eq!(log.lines.len(), 1);
        assert_eq!(log.dropped, 1);
        let kept: usize = log
            .lines
            .iter()
            .map(|l| match l {
                DebugLine::Mem(text) => text.len(),
                _ => 0,
            })
            .sum();
        assert!(kept <= MAX_DEBUG_BYTES);
    }

    #[test]
    fn a_long_reason_is_cut_and_a_line_past_the_cap_is_not_copied() {
        let mut log = DebugLog::default();
        let long = vec![0xff; MAX_DEBUG_BYTES + 1];
        log.print_text(&long);
        assert!(log.lines.is_empty());
        assert_eq!(log.dropped, 1);
        let reason = log.last_message().unwrap();
        assert!(reason.ends_with("..."));
        assert_eq!(reason.chars().count(), MAX_REASON + 3);
        log = DebugLog::default();
        log.print_hex(&[1, 2, 3]);
        log.print_value(DebugLine::Print32(5));
        assert_eq!(
            log.lines,
            vec![DebugLine::MemHex(vec![1, 2, 3]), DebugLine::Print32(5)]
        );
    }
}
