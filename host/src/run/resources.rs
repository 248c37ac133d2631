//! What the Wasm side of one run may allocate, counted across every module of the run: the EE and
//! its libraries share one memory allowance and one table allowance, so that adding libraries
//! cannot multiply what a block may take (each had its own 128 MiB before).
//!
//! Both engines ask a store's limiter before they allocate a memory or table (at instantiation,
//! `current` being 0) and before every `memory.grow` / `table.grow`; [`RunResources`] answers for
//! both, and each engine module implements its engine's `ResourceLimiter` trait by calling it.
//! A refused growth is Wasm's -1 in both engines, the same for the same module.

use crate::Limits;
use crate::load::module::{MAX_TABLE_ELEMENTS, MAX_TABLES};

/// Modules a run may instantiate: the EE and at most [`MAX_LIBRARIES`] libraries.
pub const MAX_LIBRARIES: usize = 16;

/// The allowance of one run and what is taken of it.
#[derive(Debug)]
pub(crate) struct RunResources {
    memory_left: usize,
    table_elements_left: usize,
}

impl RunResources {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            memory_left: limits.max_memory_bytes(),
            table_elements_left: MAX_TABLE_ELEMENTS,
        }
    }

    /// Takes `desired - current` from `left` if that much is left.
    fn take(left: &mut usize, current: usize, desired: usize) -> bool {
        let more = desired.saturating_sub(current);
        match left.checked_sub(more) {
            Some(rest) => {
                *left = rest;
                true
            }
            None => false,
        }
    }

    /// A memory grows (or is created) from `current` to `desired` bytes.
    pub(crate) fn memory_growing(&mut self, current: usize, desired: usize) -> bool {
        Self::take(&mut self.memory_left, current, desired)
    }

    /// A table grows (or is created) from `current` to `desired` elements.
    pub(crate) fn table_growing(&mut self, current: usize, desired: usize) -> bool {
        Self::take(&mut self.table_elements_left, current, desired)
    }

    /// Instances a store may hold.
    pub(crate) const INSTANCES: usize = MAX_LIBRARIES + 1;
    /// Tables a store may hold, across its modules.
    pub(crate) const TABLES: usize = MAX_TABLES;
    /// Memories a store may hold: one per module.
    pub(crate) const MEMORIES: usize = MAX_LIBRARIES + 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_share_one_allowance() {
        let limits = Limits {
            max_memory_pages: 4,
            ..Limits::default()
        };
        let page = 64 * 1024;
        let mut run = RunResources::new(&limits);
        assert!(run.memory_growing(0, 2 * page));
        assert!(run.memory_growing(0, page));
        assert!(!run.memory_growing(page, 3 * page), "2 + 3 pages > 4");
        assert!(run.memory_growing(2 * page, 3 * page));
        assert!(!run.memory_growing(0, 1));
        assert!(run.table_growing(0, MAX_TABLE_ELEMENTS - 1));
        assert!(!run.table_growing(0, 2));
    }
}
