//! The run's meter: the tick and stack counts the host functions charge. The guest counts in
//! the `metering.ticks` and `metering.stack` globals that load-time instrumentation
//! (`load/metering/`) makes it keep; the engines hand the counts over to this meter around
//! every host call that charges, and back.

use crate::run::trap::HostTrap;

/// Which bulk instruction a metering call is for: memory ones charge per 8-byte word, table ones
/// per element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BulkUnit {
    MemoryWords,
    TableElements,
}

/// The tick counter and the deterministic stack counter of one run.
#[derive(Debug)]
pub(crate) struct Meter {
    pub(crate) ticks: u64,
    max_ticks: u64,
    /// Stack units in use (mirrored from the `metering.stack` global around host calls).
    pub(crate) stack: u64,
    max_stack: u64,
}

impl Meter {
    pub(crate) fn new(max_ticks: u64, max_stack: u64) -> Self {
        Self {
            ticks: 0,
            max_ticks,
            stack: 0,
            max_stack,
        }
    }

    /// The tick budget.
    pub(crate) fn max_ticks(&self) -> u64 {
        self.max_ticks
    }

    /// Takes the guest's counters (the `metering.ticks` and `metering.stack` globals, which hold
    /// `u64`s in `i64`s) before a host function charges.
    pub(crate) fn load_counters(&mut self, ticks: i64, stack: i64) {
        self.ticks = ticks as u64;
        self.stack = stack as u64;
    }

    /// The counters to write back into the globals after a host function charged.
    pub(crate) fn counters(&self) -> (i64, i64) {
        (self.ticks as i64, self.stack as i64)
    }

    /// Takes the guest's final counters after a run. A tick count past the budget only exists
    /// on the way to the trap that reports it (which sets the budget), so it is capped.
    pub(crate) fn finish_counters(&mut self, ticks: i64, stack: i64) {
        self.load_counters(ticks, stack);
        self.ticks = self.ticks.min(self.max_ticks);
    }

    /// Adds `ticks`; past the budget the count stays at the budget and the guest traps.
    pub(crate) fn charge(&mut self, ticks: u64) -> Result<(), HostTrap> {
        match self.ticks.checked_add(ticks) {
            Some(total) if total <= self.max_ticks => {
                self.ticks = total;
                Ok(())
            }
            _ => {
                self.ticks = self.max_ticks;
                Err(HostTrap::new(format!(
                    "tick budget {} exhausted",
                    self.max_ticks
                )))
            }
        }
    }

    /// A bulk instruction's charge: `constant + linear * units(count)`. Returns `count`, which
    /// the instruction consumes next. The arguments are reinterpreted as unsigned, as
    /// finite-wasm encodes them.
    pub(crate) fn charge_bulk(
        &mut self,
        unit: BulkUnit,
        count: i32,
        linear: i64,
        constant: i64,
    ) -> Result<i32, HostTrap> {
        let count_u = u64::from(count as u32);
        let units = match unit {
            BulkUnit::MemoryWords => count_u.div_ceil(8),
            BulkUnit::TableElements => count_u,
        };
        let cost = (linear as u64)
            .saturating_mul(units)
            .saturating_add(constant as u64);
        self.charge(cost)?;
        Ok(count)
    }

    /// Function entry: reserves the operand stack and the frame.
    pub(crate) fn reserve_stack(&mut self, operands: i64, frame: i64) -> Result<(), HostTrap> {
        let total = self
            .stack
            .checked_add(operands as u64)
            .and_then(|s| s.checked_add(frame as u64));
        match total {
            Some(total) if total <= self.max_stack => {
                self.stack = total;
                Ok(())
            }
            _ => Err(HostTrap::new(format!(
                "stack budget {} exhausted",
                self.max_stack
            ))),
        }
    }

    /// Function exit: releases what [`Meter::reserve_stack`] reserved.
    pub(crate) fn release_stack(&mut self, operands: i64, frame: i64) -> Result<(), HostTrap> {
        self.stack = self
            .stack
            .saturating_sub(operands as u64)
            .saturating_sub(frame as u64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_stops_at_the_budget() {
        let mut meter = Meter::new(10, 100);
        assert!(meter.charge(10).is_ok());
        let err = meter.charge(1).unwrap_err();
        assert_eq!(err.0, "tick budget 10 exhausted");
        assert_eq!(meter.ticks, 10);
        assert!(meter.charge(u64::MAX).is_err());
        assert_eq!(meter.ticks, 10);
    }

    #[test]
    fn bulk_charges_per_word() {
        let mut meter = Meter::new(u64::MAX, 100);
        assert_eq!(meter.charge_bulk(BulkUnit::MemoryWords, 17, 1, 2), Ok(17));
        assert_eq!(meter.ticks, 2 + 3);
        // A negative i32 count is a large unsigned one; the charge saturates rather than wraps.
        assert_eq!(meter.charge_bulk(BulkUnit::TableElements, -1, 1, 0), Ok(-1));
    }

    #[test]
    fn stack_budget() {
        let mut meter = Meter::new(0, 100);
        assert!(meter.reserve_stack(50, 50).is_ok());
        assert_eq!(
            meter.reserve_stack(1, 0).unwrap_err().0,
            "stack budget 100 exhausted"
        );
        assert!(meter.release_stack(50, 50).is_ok());
        assert!(meter.reserve_stack(-1, 0).is_err());
    }
}
