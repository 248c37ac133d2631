//! The `--stateless` path of the blockchain runner: execute the block natively while recording
//! what it touches and every change it commits ([`RecordingState`]), generate the witness from the
//! parent's full state, then execute the block again over a [`WitnessState`] built from the
//! witness alone; both runs must reach the header's state root.

use evm_core::InMemoryState;
use stateless::{RecordingState, WitnessState, generate_witness};

use crate::native::execute_on;
use crate::tree::ImportContext;

/// Executes the block of `context` natively (recording) and then over the generated witness;
/// returns the native post-state.
pub(crate) fn execute(mut context: ImportContext<'_>) -> Result<InMemoryState, String> {
    let pre = std::mem::take(&mut context.state);
    let mut recording = RecordingState::new(pre.clone());
    execute_on(&mut recording, &context).map_err(|e| e.to_string())?;
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
    // Both runs must reach the header's state root, which `execute_block` checks.
    execute_on(&mut witness_state, &context)
        .map_err(|e| format!("stateless: block rejected over the witness: {e}"))?;
    Ok(post)
}
