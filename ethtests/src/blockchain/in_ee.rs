//! BlockchainTests through the execution environment: every block is handed to the EE Wasm module
//! in a host engine ([`chain::WasmEngine`]), and the EE's verdict is the block's; each block's
//! log line carries the ticks the EE used.

use std::cell::RefCell;

use chain::{EeInput, WasmEngine};
use serde_json::Value;

use super::fixture::short;
use super::{TestRun, run_test_with};

/// Runs one blockchain test with every block validated in the EE; each block's line in the
/// test's log ends with the ticks the EE used for it.
pub fn run_test_in_ee(engine: &WasmEngine, test: &Value) -> TestRun {
    let measured: RefCell<Vec<(String, u64)>> = RefCell::new(Vec::new());
    let mut run = run_test_with(test, |context| {
        let header = &context.block.header;
        let label = format!("block {} ({})", header.number, short(&header.hash()));
        let input = EeInput::for_import(&context)?;
        let (result, ticks) = engine.execute_measured(context, &input);
        if let Some(ticks) = ticks {
            measured.borrow_mut().push((label, ticks));
        }
        result
    });
    // Log lines and engine runs come in the same order; a block the tree already knew has a
    // line but no run.
    let measured = measured.into_inner();
    let mut pending = measured.iter().peekable();
    for line in &mut run.log {
        if let Some((label, ticks)) = pending.peek()
            && line.starts_with(label.as_str())
        {
            line.push_str(&format!(" [{ticks} ticks]"));
            pending.next();
        }
    }
    run
}
