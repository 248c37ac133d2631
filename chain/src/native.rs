//! The native engine: a block imported into the tree is executed by evm-core on its parent's full
//! state, optionally checked a second time over a generated witness (`--stateless`).

use evm_core::InMemoryState;
use evm_core::State;
use evm_core::block::{BlockError, Header, execute_block, validate_ommers};
use evm_core::precompiles::NativePrecompiles;
use primitive_types::H256;

use crate::stateless_check;
use crate::tree::ImportContext;

/// The native engine: evm-core's block processing (header rules against the parent, body,
/// ommers, execution, gas, roots, bloom, rewards), plus the one ommer rule it leaves to callers
/// that have the ancestors' bodies: no ommer may have been included by an ancestor already. With
/// `stateless`, the block is executed a second time over a witness generated from the first run
/// and both must agree.
pub fn execute_native(
    context: ImportContext<'_>,
    stateless: bool,
) -> Result<InMemoryState, String> {
    let included: Vec<H256> = context
        .ancestor_blocks
        .iter()
        .flat_map(|block| block.ommers.iter().map(Header::hash))
        .collect();
    validate_ommers(
        context.chain,
        context.spec,
        &context.block.header,
        &context.block.ommers,
        context.ancestors,
        &included,
    )
    .map_err(|e| e.to_string())?;
    if stateless {
        return stateless_check::execute(context);
    }
    let mut context = context;
    let mut state = std::mem::take(&mut context.state);
    execute_on(&mut state, &context).map_err(|e| e.to_string())?;
    Ok(state)
}

/// Executes `context`'s block on `state` with the native precompiles; `execute_block` checks
/// every commitment of the header, the state root included, and returns that root.
pub(crate) fn execute_on<S: State>(
    state: &mut S,
    context: &ImportContext<'_>,
) -> Result<H256, BlockError<S::Error>> {
    let outcome = execute_block(
        state,
        context.chain,
        context.spec,
        context.parent,
        context.ancestors,
        context.block,
        &NativePrecompiles,
    )?;
    Ok(outcome.state_root)
}
