//! BlockchainTests through the execution environment: every block is handed to the EE Wasm module
//! in a host engine (wasmi or wasmtime) as a pre-state commitment and a block-data blob, and the
//! EE's verdict is the block's.
//!
//! The host still executes each block natively, once, over the parent's stored state: that run
//! records the witness and gives the post-state the next block builds on. The EE must agree
//! with it: same acceptance, and for an accepted block the post-state commitment of the block's
//! hash.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use evm_ee_host::{Engine, HostError, Limits, Runtime, ShardBlockResult};

use crate::ee_input::EeInput;
use crate::store::PostState;
use crate::tree::ImportContext;

/// One EE module instantiated per block in one engine, with counters for reports and benchmarks.
pub struct WasmEngine {
    runtime: Runtime,
    blocks: AtomicU64,
    ticks: AtomicU64,
    /// XOR of one hash per block over its input, verdict and ticks: equal in two engines only
    /// if every block agreed, whatever order the threads ran the blocks in.
    digest: Mutex<[u8; 32]>,
}

impl WasmEngine {
    /// Loads the EE module `ee_wasm` (the CLI passes the one `ee-module` builds) into `engine`
    /// under `limits` (the tick budget is per block).
    pub fn new(engine: Engine, ee_wasm: &[u8], limits: Limits) -> Result<WasmEngine, HostError> {
        Ok(WasmEngine {
            runtime: Runtime::new(engine, ee_wasm, limits)?,
            blocks: AtomicU64::new(0),
            ticks: AtomicU64::new(0),
            digest: Mutex::new([0; 32]),
        })
    }

    /// Blocks run and ticks used so far.
    pub fn totals(&self) -> (u64, u64) {
        (
            self.blocks.load(Ordering::Relaxed),
            self.ticks.load(Ordering::Relaxed),
        )
    }

    /// The order-independent digest of every block's input, verdict and ticks so far.
    pub fn digest(&self) -> [u8; 32] {
        self.digest.lock().map(|d| *d).unwrap_or_default()
    }

    fn add_to_digest(&self, input: &EeInput, result: &ShardBlockResult) {
        let mut preimage = Vec::with_capacity(32 * 3 + 9);
        preimage.extend_from_slice(&input.pre_state);
        preimage.extend_from_slice(witness::keccak256(&input.blob).as_bytes());
        preimage.extend_from_slice(&result.ticks.to_le_bytes());
        preimage.push(u8::from(result.accepted()));
        preimage.extend_from_slice(&result.post_state.unwrap_or_default());
        let hash = witness::keccak256(&preimage);
        if let Ok(mut digest) = self.digest.lock() {
            for (d, h) in digest.iter_mut().zip(hash.as_bytes()) {
                *d ^= h;
            }
        }
    }

    /// Validates one block in the EE; returns the post-state for the block tree or the EE's
    /// rejection reason.
    pub fn execute(&self, context: ImportContext<'_>) -> Result<PostState, String> {
        let input = EeInput::for_import(&context)?;
        self.execute_input(context, &input)
    }

    /// [`WasmEngine::execute`] with the EE input already built (by a caller that also keeps it,
    /// such as `--emit-yaml`).
    pub fn execute_input(
        &self,
        context: ImportContext<'_>,
        input: &EeInput,
    ) -> Result<PostState, String> {
        self.execute_measured(context, input).0
    }

    /// The block's verdict, and the EE's ticks when the host ran it.
    pub fn execute_measured(
        &self,
        context: ImportContext<'_>,
        input: &EeInput,
    ) -> (Result<PostState, String>, Option<u64>) {
        let parent_state = PostState::unchanged(context.parent_state_root);
        let native = input.native.clone();
        let result = match self.runtime.execute(input.pre_state, &input.blob) {
            Ok(result) => result,
            Err(error) => return (Err(format!("host fault: {error}")), None),
        };
        let ticks = result.ticks;
        (
            self.verdict(native, parent_state, input, result),
            Some(ticks),
        )
    }

    /// Reconciles the native verdict with the EE's.
    fn verdict(
        &self,
        native: Result<PostState, String>,
        parent_state: PostState,
        input: &EeInput,
        result: ShardBlockResult,
    ) -> Result<PostState, String> {
        self.blocks.fetch_add(1, Ordering::Relaxed);
        self.ticks.fetch_add(result.ticks, Ordering::Relaxed);
        self.add_to_digest(input, &result);
        match (native, result.accepted()) {
            (Ok(state), true) if result.post_state == Some(input.post_state) => Ok(state),
            (Ok(_), true) => Err(format!(
                "EE saved post-state {} instead of {}",
                result.post_state.map(hex::encode).unwrap_or_default(),
                hex::encode(input.post_state)
            )),
            (Ok(_), false) => Err(format!(
                "EE rejected a block evm-core accepts: {}",
                rejection(&result)
            )),
            // The EE's verdict stands: the block goes into the tree as accepted, carrying its
            // parent's state (there is no native post-state). Every such block is one the
            // fixture expects to be invalid, so the test fails on that expectation; later blocks
            // of the branch build on a wrong state, which only adds failures to a failed test.
            (Err(_), true) => Ok(parent_state),
            (Err(_), false) => Err(format!("EE: {}", rejection(&result))),
        }
    }
}

/// Why the EE rejected a block, with the kind it printed first (a witness gap reads apart from
/// an invalid block): `invalid block: gas limit ...`.
fn rejection(result: &ShardBlockResult) -> String {
    let text = result
        .reason
        .as_deref()
        .or(result.trap.as_deref())
        .unwrap_or("no post-state saved");
    let (kind, message) = stateless::RejectionKind::of_reason(text);
    format!("{kind}: {message}")
}
