//! EIP-4788 (Cancun): at the start of each block, the protocol stores the parent beacon block
//! root in the beacon roots contract through a system call.

use alloc::vec::Vec;
use primitive_types::{H160, H256};

use crate::execute::{BlockEnv, SystemCall, TransactError, system_call};
use crate::precompiles::Precompiles;
use crate::spec::SpecId;
use crate::state::{EMPTY_CODE_HASH, State};

/// The beacon roots contract, `0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02`.
pub const BEACON_ROOTS_ADDRESS: H160 = H160([
    0x00, 0x0f, 0x3d, 0xf6, 0xd7, 0x32, 0x80, 0x7e, 0xf1, 0x31, 0x9f, 0xb7, 0xb8, 0xbb, 0x85, 0x22,
    0xd0, 0xbe, 0xac, 0x02,
]);
/// The caller of system calls, `0xff..fe`.
pub const SYSTEM_ADDRESS: H160 = H160([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xfe,
]);
/// Gas the system call gets; it counts against no limit.
pub const SYSTEM_CALL_GAS: u64 = 30_000_000;

/// Calls the beacon roots contract with `root` as data; does nothing when the contract has no
/// code (the EIP: the call "fails silently"), and a failing call changes nothing either.
pub(crate) fn apply_beacon_root<S: State>(
    state: &mut S,
    env: &BlockEnv,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    root: H256,
) -> Result<(), TransactError<S::Error>> {
    let has_code = state
        .account(BEACON_ROOTS_ADDRESS)
        .map_err(TransactError::State)?
        .is_some_and(|account| account.code_hash != EMPTY_CODE_HASH);
    if !has_code {
        return Ok(());
    }
    let call = SystemCall {
        caller: SYSTEM_ADDRESS,
        target: BEACON_ROOTS_ADDRESS,
        data: Vec::from(root.as_bytes()),
        gas_limit: SYSTEM_CALL_GAS,
    };
    system_call(state, env, spec, precompiles, &call)?;
    Ok(())
}
