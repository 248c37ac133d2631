//! Running a transaction on an EE in every configured engine: the seed's cross-engine consensus.
//! A transaction whose runs differ in verdict, post-state, deposits or ticks is dropped with the
//! reason `engines disagree`, never put in a block.

use evm_ee_host::{Engine, HostError, Library, Limits, Runtime, ShardBlockResult};

use crate::types::{Bytes, Bytes32, Outcome};

/// One EE compiled for one engine.
pub trait EeRun: Send + Sync {
    /// The engine's name, for messages.
    fn engine(&self) -> String;
    /// Runs the EE on `pre_state` with `data`: a trap is a result, an error is the host's.
    fn execute(&self, pre_state: [u8; 32], data: &[u8]) -> Result<ShardBlockResult, HostError>;
}

impl EeRun for Runtime {
    fn engine(&self) -> String {
        Runtime::engine(self).to_string()
    }

    fn execute(&self, pre_state: [u8; 32], data: &[u8]) -> Result<ShardBlockResult, HostError> {
        Runtime::execute(self, pre_state, data)
    }
}

/// Compiles an EE's code for each engine the node runs.
pub trait EeLoader: Send + Sync {
    /// One run per engine, in the node's engine order, with `libraries` linked; an error if any
    /// engine refuses the code.
    fn load(&self, code: &[u8], libraries: &[Library]) -> Result<Vec<Box<dyn EeRun>>, HostError>;
    /// The engines' names, in order.
    fn engines(&self) -> Vec<String>;
    /// The host's limits (the size cap on code, the tick budget of one transaction).
    fn limits(&self) -> Limits;
}

/// The host's engines under one set of limits.
#[derive(Clone, Debug)]
pub struct HostLoader {
    /// Engines, in the order they run.
    pub engines: Vec<Engine>,
    /// Limits every run is held to.
    pub limits: Limits,
}

impl EeLoader for HostLoader {
    fn load(&self, code: &[u8], libraries: &[Library]) -> Result<Vec<Box<dyn EeRun>>, HostError> {
        self.engines
            .iter()
            .map(|engine| {
                Runtime::with_libraries(*engine, code, libraries, self.limits)
                    .map(|runtime| Box::new(runtime) as Box<dyn EeRun>)
            })
            .collect()
    }

    fn engines(&self) -> Vec<String> {
        self.engines.iter().map(ToString::to_string).collect()
    }

    fn limits(&self) -> Limits {
        self.limits
    }
}

/// What every engine agreed a transaction does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreedRun {
    /// Ticks used.
    pub ticks: u64,
    /// Accepted with a state, or rejected with the first engine's reason.
    pub outcome: Outcome,
}

/// Why a transaction has no agreed outcome.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// Two engines gave different results.
    #[error("engines disagree: {0}")]
    EnginesDisagree(String),
    /// The host failed outside the guest's control.
    #[error("host error in {engine}: {reason}")]
    Host {
        /// The engine.
        engine: String,
        /// What failed.
        reason: String,
    },
}

/// Scout's rule ([`ShardBlockResult::next_state`]): a trap rejects, anything else is accepted
/// with the saved root (zero if none was saved).
fn outcome_of(result: &ShardBlockResult) -> Outcome {
    match (result.next_state(), &result.trap) {
        (Some(post), _) => Outcome::Accepted {
            post_state: Bytes32(post),
            deposits: result.deposits.iter().cloned().map(Bytes).collect(),
        },
        (None, trap) => Outcome::Rejected {
            reason: trap.clone().unwrap_or_default(),
        },
    }
}

/// Runs `data` on `pre_state` in every run of `runs` and returns the agreed outcome.
pub fn run_everywhere(
    runs: &[Box<dyn EeRun>],
    pre_state: [u8; 32],
    data: &[u8],
) -> Result<AgreedRun, RunError> {
    let mut agreed: Option<(String, AgreedRun)> = None;
    for run in runs {
        let result = run.execute(pre_state, data).map_err(|e| RunError::Host {
            engine: run.engine(),
            reason: e.to_string(),
        })?;
        let this = AgreedRun {
            ticks: result.ticks,
            outcome: outcome_of(&result),
        };
        match &agreed {
            None => agreed = Some((run.engine(), this)),
            Some((first, seen)) => {
                // Rejection reasons are engine words (trap messages differ); the verdict must
                // not.
                let differs = match (&seen.outcome, &this.outcome) {
                    (Outcome::Rejected { .. }, Outcome::Rejected { .. }) => false,
                    (a, b) => a != b,
                };
                if differs || seen.ticks != this.ticks {
                    return Err(RunError::EnginesDisagree(format!(
                        "{first}: {}, {} ticks; {}: {}, {} ticks",
                        describe(&seen.outcome),
                        seen.ticks,
                        run.engine(),
                        describe(&this.outcome),
                        this.ticks
                    )));
                }
            }
        }
    }
    agreed.map(|(_, run)| run).ok_or_else(|| RunError::Host {
        engine: "none".into(),
        reason: "no engine configured".into(),
    })
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Accepted {
            post_state,
            deposits,
        } => format!("accepted, state {post_state}, {} deposits", deposits.len()),
        Outcome::Rejected { reason } => format!("rejected ({reason})"),
    }
}
