//! Stateless execution: a [`State`](crate::state::State) backed only by a witness, the recorder that
//! finds out what a block touches, and witness generation from a full state.
//!
//! The flow a generator follows: execute natively over a [`RecordingState`], then
//! [`generate_witness`] from the pre-state, the [`AccessRecord`] and the changes. The validator
//! builds a [`WitnessState`] from the witness (verifying every node against the pre-state root) and
//! executes over it; a key the witness does not cover is an error, never an empty account.

mod generate;
mod recording;
mod witness_state;

pub use generate::{GeneratedWitness, GenerationError, generate_witness};
pub use recording::{AccessRecord, RecordingState};
pub use witness_state::{WitnessState, WitnessStateError};

#[cfg(test)]
mod tests;
