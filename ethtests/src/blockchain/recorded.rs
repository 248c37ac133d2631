//! A blockchain test run that keeps, for every block an engine saw, what the EE gets for it (the
//! pre-state commitment and the block-data blob) and the verdict: the input of `--emit-yaml`
//! (Scout YAML files any Scout host can replay) and of `evm-ee bench blocks`.

use std::cell::RefCell;

use primitive_types::H256;
use serde_json::Value;

use chain::{EeInput, ImportContext};

use super::{TestRun, run_test_with};

/// One block as the EE sees it, in the order the test imported it.
#[derive(Clone, Debug)]
pub struct EeBlock {
    /// The block's number.
    pub number: u64,
    /// The block's hash.
    pub hash: H256,
    /// Gas used according to the block's header.
    pub gas_used: u64,
    /// The pre-state commitment and the blob.
    pub input: EeInput,
    /// The engine's verdict: accepted, or the rejection reason.
    pub verdict: Result<(), String>,
}

/// Runs one test like [`run_test_with`], building the EE input of every block the tree hands to
/// an engine before `engine` validates it with that input at hand (or with the reason it could
/// not be built, which a native engine can ignore); returns the run and the blocks. Blocks that
/// never reach an engine (not RLP, unknown parent) or have no EE input are not listed.
pub fn run_test_recording<F>(test: &Value, engine: F) -> (TestRun, Vec<EeBlock>)
where
    F: Fn(ImportContext<'_>, Result<&EeInput, &str>) -> Result<chain::PostState, String>,
{
    let blocks = RefCell::new(Vec::new());
    let run = run_test_with(test, |context| {
        let input = match EeInput::for_import(&context) {
            Ok(input) => input,
            Err(reason) => return engine(context, Err(&reason)),
        };
        let header = &context.block.header;
        let (number, hash, gas_used) = (header.number, header.hash(), header.gas_used);
        let result = engine(context, Ok(&input));
        blocks.borrow_mut().push(EeBlock {
            number,
            hash,
            gas_used,
            input,
            verdict: result.as_ref().map(|_| ()).map_err(Clone::clone),
        });
        result
    });
    (run, blocks.into_inner())
}
