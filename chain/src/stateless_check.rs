//! The `--stateless` path of the blockchain runner: execute the block natively while recording
//! what it touches and every change it commits ([`RecordingState`]), generate the witness from the
//! parent's full state, then execute the block again over a [`WitnessState`] built from the
//! witness alone; both runs must reach the same state root.

use evm_core::InMemoryState;
use evm_core::block::execute_block;
use evm_core::precompiles::NativePrecompiles;
use evm_core::stateless::{RecordingState, WitnessState, generate_witness};

use crate::tree::ImportContext;

/// Executes the block of `context` natively (recording) and then over the generated witness;
/// returns the native post-state.
pub(crate) fn execute(context: ImportContext<'_>) -> Result<InMemoryState, String> {
    let pre = context.state;
    let mut recording = RecordingState::new(pre.clone());
    let native = execute_block(
        &mut recording,
        context.chain,
        context.spec,
        context.parent,
        context.ancestors,
        context.block,
        &NativePrecompiles,
    )
    .map_err(|e| e.to_string())?;
    if native.state_root != context.block.header.state_root {
        return Err(format!(
            "state root {:?} != header {:?}",
            native.state_root, context.block.header.state_root
        ));
    }
    let commits = recording.commits().to_vec();
    let (post, record) = recording.finish();
    let generated = generate_witness(&pre, &record, &commits)
        .map_err(|e| format!("stateless: witness generation: {e}"))?;
    let mut witness_state = WitnessState::new(
        pre.root(),
        &generated.nodes,
        &generated.codes,
        generated.block_hashes,
    )
    .map_err(|e| format!("stateless: witness verification: {e}"))?;
    let replay = execute_block(
        &mut witness_state,
        context.chain,
        context.spec,
        context.parent,
        context.ancestors,
        context.block,
        &NativePrecompiles,
    )
    .map_err(|e| format!("stateless: block rejected over the witness: {e}"))?;
    if replay.state_root != native.state_root {
        return Err(format!(
            "stateless: state root over the witness {:?} != native {:?}",
            replay.state_root, native.state_root
        ));
    }
    Ok(post)
}
