//! The native engine: a block imported into the tree is executed by evm-core over its parent's
//! stored state, which records the witness on the way; optionally the block is checked a second
//! time over that witness alone (`--stateless`).

use evm_core::State;
use evm_core::block::{BlockError, Header, execute_block, validate_ommers};
use evm_core::precompiles::NativePrecompiles;
use primitive_types::H256;
use stateless::WitnessState;

use crate::store::{PostState, RecordedWitness};
use crate::tree::ImportContext;

/// One native execution of a block over its parent's stored state.
#[derive(Clone, Debug)]
pub struct NativeRun {
    /// The post-state, or why evm-core rejects the block.
    pub verdict: Result<PostState, String>,
    /// What the execution read from the store, up to the end or to the failure: a witness that
    /// lets a stateless validator meet the same verdict.
    pub witness: RecordedWitness,
}

/// Runs the block of `context` natively: evm-core's block processing (header rules against the
/// parent, body, ommers, execution, gas, roots, bloom, rewards), plus the one ommer rule it
/// leaves to callers that have the ancestors' bodies: no ommer may have been included by an
/// ancestor already. The block is executed even when that rule fails, so the witness covers what
/// a validator that checks the rules in another order touches.
pub fn run_native(context: &ImportContext<'_>) -> NativeRun {
    let included: Vec<H256> = context
        .ancestor_blocks
        .iter()
        .flat_map(|node| node.block.ommers.iter().map(Header::hash))
        .collect();
    let ommers = validate_ommers(
        context.chain,
        context.spec,
        &context.block.header,
        &context.block.ommers,
        context.ancestors,
        &included,
    )
    .map_err(|e| e.to_string());
    let mut state = context.parent_state();
    let executed = execute_on(&mut state, context).map_err(|e| e.to_string());
    let (nodes, codes) = state.take_new_nodes();
    let source = state.into_source();
    let verdict = match source.error() {
        Some(error) => Err(error.to_string()),
        None => ommers
            .and(executed)
            .map(|root| PostState { root, nodes, codes }),
    };
    NativeRun {
        verdict,
        witness: source.into_witness(),
    }
}

/// The native engine for the tree: [`run_native`]'s verdict. With `stateless`, the block is
/// executed a second time over a `WitnessState` built from the recorded witness alone and must
/// reach the same root.
pub fn execute_native(context: ImportContext<'_>, stateless: bool) -> Result<PostState, String> {
    let run = run_native(&context);
    let post = run.verdict?;
    if stateless {
        let witness = run.witness;
        let mut witness_state = WitnessState::new(
            context.parent_state_root,
            &witness.nodes,
            &witness.codes,
            witness.block_hashes,
        )
        .map_err(|e| format!("stateless: witness verification: {e}"))?;
        // Both runs must reach the header's state root, which `execute_block` checks.
        execute_on(&mut witness_state, &context)
            .map_err(|e| format!("stateless: block rejected over the witness: {e}"))?;
    }
    Ok(post)
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
