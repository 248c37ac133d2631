//! A shard as Scout runs one: execution environments by index, one 32-byte state per EE, and the
//! deposits of the blocks so far. A block runs its EE in a fresh instance with the full tick
//! budget. A block whose EE returns sets the EE's state to the root it saved (32 zero bytes if it
//! saved none, as in Scout) and adds its deposits; a block whose EE traps is rejected and changes
//! nothing ([`ShardBlockResult::next_state`]).
//!
//! [`run_scout_file`] drives a [`Shard`] through a Scout YAML test ([`crate::scout`]) and compares
//! the result with the file's expectations as Scout does: the final states must equal
//! `shard_post_state`, every expected deposit receipt must be among the deposits produced (a
//! subset: Scout's `test.yaml` expects one and gets two), and a trap fails the test, except on a
//! block marked with the `expect_rejection` extension, which must trap.

use std::path::{Path, PathBuf};

use evm_ee_host::{Engine, FileError, HostError, Library, Limits, Runtime, ShardBlockResult};

use crate::scout::{ScoutFormatError, ScoutTest};

/// Largest Scout YAML file read, in bytes. Block data is hex in the file: of the 16,701 files
/// `--emit-yaml` writes for every BlockchainTests fixture the largest is 6.3 MB
/// (`bcWalletTest/walletReorganizeOwners`, witnesses included). A larger file is refused before
/// it is read; the parser holds every event of a file in memory at once.
pub const MAX_SCOUT_YAML_BYTES: u64 = 16 << 20;

/// Why a Scout test could not be run (what its blocks do, traps included, is in the report).
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A file could not be read: missing, not a regular file, or above its cap
    /// ([`MAX_SCOUT_YAML_BYTES`] for the YAML file, [`Limits::max_module_bytes`] for a module).
    #[error(transparent)]
    File(#[from] FileError),
    /// The YAML file is not a Scout test.
    #[error("{}: {source}", path.display())]
    Format {
        /// The YAML file.
        path: PathBuf,
        /// What is wrong, and where.
        #[source]
        source: ScoutFormatError,
    },
    /// An EE or library module cannot be loaded.
    #[error("{}: {source}", path.display())]
    Module {
        /// The module file.
        path: PathBuf,
        /// Why it cannot be loaded.
        #[source]
        source: HostError,
    },
    /// A block names an EE the shard does not have.
    #[error("no EE {env} on this shard ({ees} EEs)")]
    NoSuchEe {
        /// The EE named.
        env: usize,
        /// EEs the shard has.
        ees: usize,
    },
    /// The host failed outside the guest's control.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// One execution environment: its module file, loaded on first use.
struct ExecutionEnvironment {
    path: PathBuf,
    runtime: Option<Runtime>,
}

/// EEs, their states and the deposits of the accepted blocks.
pub struct Shard {
    engine: Engine,
    limits: Limits,
    libraries: Vec<Library>,
    ees: Vec<ExecutionEnvironment>,
    states: Vec<[u8; 32]>,
    deposits: Vec<Vec<u8>>,
}

/// What happened to one shard block.
#[derive(Clone, Debug)]
pub struct BlockReport {
    /// Position of the block.
    pub index: usize,
    /// The EE that ran it.
    pub env: usize,
    /// The EE's state before the block.
    pub pre_state: [u8; 32],
    /// The file marks the block `expect_rejection` (the EE must trap).
    pub expect_rejection: bool,
    /// The run's result: post-state, ticks, trap reason, debug output.
    pub result: ShardBlockResult,
}

impl Shard {
    /// A shard whose EE `i` is the module at `ee_paths[i]` with state `states[i]`. Modules are
    /// read and compiled when a block first needs them.
    pub fn new(
        engine: Engine,
        limits: Limits,
        libraries: Vec<Library>,
        ee_paths: Vec<PathBuf>,
        states: Vec<[u8; 32]>,
    ) -> Shard {
        Shard {
            engine,
            limits,
            libraries,
            ees: ee_paths
                .into_iter()
                .map(|path| ExecutionEnvironment {
                    path,
                    runtime: None,
                })
                .collect(),
            states,
            deposits: Vec::new(),
        }
    }

    /// The EEs' states.
    pub fn states(&self) -> &[[u8; 32]] {
        &self.states
    }

    /// The deposits of the accepted blocks so far, in order.
    pub fn deposits(&self) -> &[Vec<u8>] {
        &self.deposits
    }

    /// Runs `data` as the next block of EE `env`; `index` only labels the report.
    pub fn execute(
        &mut self,
        index: usize,
        env: usize,
        data: &[u8],
    ) -> Result<BlockReport, ShardError> {
        let (Some(ee), Some(&pre_state)) = (self.ees.get_mut(env), self.states.get(env)) else {
            return Err(ShardError::NoSuchEe {
                env,
                ees: self.ees.len().min(self.states.len()),
            });
        };
        let runtime = match &mut ee.runtime {
            Some(runtime) => runtime,
            slot => {
                let wasm = read_module(&ee.path, &self.limits)?;
                let runtime =
                    Runtime::with_libraries(self.engine, &wasm, &self.libraries, self.limits)
                        .map_err(|source| ShardError::Module {
                            path: ee.path.clone(),
                            source,
                        })?;
                slot.insert(runtime)
            }
        };
        let result = runtime.execute(pre_state, data)?;
        if let Some(post) = result.next_state() {
            self.states[env] = post;
            self.deposits.extend(result.deposits.iter().cloned());
        }
        Ok(BlockReport {
            index,
            env,
            pre_state,
            expect_rejection: false,
            result,
        })
    }
}

/// The outcome of a Scout YAML file.
#[derive(Clone, Debug)]
pub struct ScoutReport {
    /// The YAML file.
    pub path: PathBuf,
    /// Where it ran: the engine's name (or, for a node, its URL and engines).
    pub ran_on: String,
    /// One entry per shard block, in order.
    pub blocks: Vec<BlockReport>,
    /// The EE states after all blocks.
    pub final_states: Vec<[u8; 32]>,
    /// `shard_post_state.exec_env_states`.
    pub expected_states: Vec<[u8; 32]>,
    /// The deposits of the blocks that ran to the end, in order.
    pub deposits: Vec<Vec<u8>>,
    /// `deposit_receipts`, encoded in Scout's 184-byte layout.
    pub expected_deposits: Vec<Vec<u8>>,
}

impl ScoutReport {
    /// The final states are the expected ones.
    pub fn states_match(&self) -> bool {
        self.final_states == self.expected_states
    }

    /// Every expected deposit is among those produced (Scout's check).
    pub fn deposits_match(&self) -> bool {
        self.expected_deposits
            .iter()
            .all(|expected| self.deposits.contains(expected))
    }

    /// The blocks that trapped without `expect_rejection` (Scout fails the test on them), or did
    /// not trap with it.
    pub fn unexpected_verdicts(&self) -> impl Iterator<Item = &BlockReport> {
        self.blocks
            .iter()
            .filter(|block| block.result.trap.is_some() != block.expect_rejection)
    }

    /// States and deposits match and every block trapped exactly when it was expected to.
    pub fn passed(&self) -> bool {
        self.states_match() && self.deposits_match() && self.unexpected_verdicts().next().is_none()
    }
}

/// A module file, refused by its size before it is read whole: the host would refuse it after.
fn read_module(path: &Path, limits: &Limits) -> Result<Vec<u8>, FileError> {
    let max = u64::try_from(limits.max_module_bytes).unwrap_or(u64::MAX);
    evm_ee_host::read_file_bounded(path, max)
}

/// Runs a Scout YAML test file in `engine` under `limits`: see the module docs. A malformed
/// file, a missing module or bad hex is an error; what the blocks do is in the report.
pub fn run_scout_file(
    path: &Path,
    engine: Engine,
    limits: Limits,
) -> Result<ScoutReport, ShardError> {
    let text = evm_ee_host::read_file_bounded(path, MAX_SCOUT_YAML_BYTES)?;
    let test = ScoutTest::parse(&text).map_err(|source| ShardError::Format {
        path: path.to_owned(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut libraries = Vec::new();
    for (name, file) in &test.libraries {
        libraries.push(Library {
            name: name.clone(),
            wasm: read_module(&base.join(file), &limits)?,
        });
    }
    let ee_paths = test
        .execution_scripts
        .iter()
        .map(|script| base.join(script))
        .collect();
    let mut shard = Shard::new(engine, limits, libraries, ee_paths, test.pre_states);
    let blocks = test
        .blocks
        .iter()
        .enumerate()
        .map(|(index, block)| {
            let mut report = shard.execute(index, block.env, &block.data)?;
            report.expect_rejection = block.expect_rejection;
            Ok(report)
        })
        .collect::<Result<Vec<_>, ShardError>>()?;
    Ok(ScoutReport {
        path: path.to_owned(),
        ran_on: engine.to_string(),
        blocks,
        final_states: shard.states,
        expected_states: test.post_states,
        deposits: shard.deposits,
        expected_deposits: test
            .deposits
            .iter()
            .map(|deposit| deposit.to_bytes().to_vec())
            .collect(),
    })
}
