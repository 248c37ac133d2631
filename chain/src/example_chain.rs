//! The example chain: a short post-merge Cancun chain the project makes itself, so that the
//! EE can be shown validating real blocks with nothing outside the repository. Its blocks carry
//! every transaction type of Cancun (legacy with EIP-155, EIP-2930, EIP-1559, EIP-4844), a
//! contract deployment and calls that write, clear and log storage, a call to every precompile
//! but the KZG point evaluation, withdrawals, a deposit to the chain's deposit contract (which
//! the EE turns into an eth2 deposit), and a contract created and destroyed in one transaction.
//! Everything is derived from fixed keys, so the chain is the same byte for byte on every
//! machine (a test holds the committed copy in `examples/chain/` to that).
//!
//! [`ExampleWallet`] signs transactions for the chain's keys; the benchmarks use it too.

use evm_core::block::base_fee::INITIAL_BASE_FEE;
use evm_core::block::beacon_root::{BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE};
use evm_core::block::difficulty::EMPTY_OMMERS_HASH;
use evm_core::block::{Block, BlockTemplate, ChainSpec, Header, Withdrawal};
use evm_core::state::InMemoryAccount;
use evm_core::tx::{GasPrice, Transaction, TxKind, TxType, address_of_secret_key};
use evm_core::{InMemoryState, State};
use primitive_types::{H160, H256, U256};

use crate::ee_input::EeInput;
use crate::networks::Network;
use crate::tree::{Chain, Rejection};

/// The name `--chain` takes for it.
pub const EXAMPLE_CHAIN_NAME: &str = "example";
/// Its EIP-155 chain id (not a public network's).
pub const EXAMPLE_CHAIN_ID: u64 = 0x0e_e0;
/// Keys funded at genesis.
pub const EXAMPLE_KEYS: u64 = 8;
/// Each funded key's balance: 1,000 ether.
const FUNDING_WEI: u128 = 1_000_000_000_000_000_000_000;
const GENESIS_TIMESTAMP: u64 = 1_700_000_000;
const SLOT_SECONDS: u64 = 12;
const GAS_LIMIT: u64 = 30_000_000;

/// Every fork from genesis up to Cancun, as ethereum/tests' `Cancun` network has them, under the
/// example's chain id.
pub fn example_spec() -> ChainSpec {
    let cancun = ChainSpec::from_test_network("Cancun");
    ChainSpec {
        chain_id: EXAMPLE_CHAIN_ID,
        deposit_contract: Some(EXAMPLE_DEPOSIT_CONTRACT),
        // The name is a literal of ethereum/tests that `from_test_network` always knows.
        ..cancun.unwrap_or_else(|| unreachable!("Cancun is a test network"))
    }
}

/// The secret key number `index` of the example chain: `keccak256("evm-ee example key" ++
/// index)`. Published test keys: never hold value with them.
pub fn example_key(index: u64) -> [u8; 32] {
    let mut preimage = b"evm-ee example key".to_vec();
    preimage.extend_from_slice(&index.to_be_bytes());
    witness::keccak256(&preimage).to_fixed_bytes()
}

/// Signs transactions for a set of keys, counting each key's nonce.
#[derive(Clone, Debug)]
pub struct ExampleWallet {
    chain_id: u64,
    keys: Vec<[u8; 32]>,
    addresses: Vec<H160>,
    nonces: Vec<u64>,
}

impl ExampleWallet {
    /// The first `count` example keys on the chain `chain_id`, all at nonce 0.
    pub fn new(chain_id: u64, count: u64) -> ExampleWallet {
        let keys: Vec<[u8; 32]> = (0..count).map(example_key).collect();
        let addresses = keys
            .iter()
            // A keccak output is a valid secp256k1 key but with probability 2^-128.
            .map(|key| address_of_secret_key(key).unwrap_or_default())
            .collect();
        ExampleWallet {
            chain_id,
            nonces: vec![0; keys.len()],
            keys,
            addresses,
        }
    }

    /// The address of key `index`.
    pub fn address(&self, index: usize) -> H160 {
        self.addresses.get(index).copied().unwrap_or_default()
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The next transaction of key `index` (at its next nonce), of `tx_type`, signed: a fee cap
    /// of 10 gwei with a 1 gwei tip (a 10 gwei price for legacy and EIP-2930), a blob fee cap
    /// of 10 wei for blob transactions, which carry `blob_hashes`.
    pub fn transaction(&mut self, index: usize, tx_type: TxType, call: TxCall) -> Transaction {
        let gwei = U256::from(1_000_000_000u64);
        let nonce = self.nonces.get(index).copied().unwrap_or_default();
        let mut tx = Transaction {
            tx_type,
            chain_id: Some(self.chain_id),
            nonce,
            gas_price: match tx_type {
                TxType::Legacy | TxType::AccessList => GasPrice::Legacy(gwei * 10),
                _ => GasPrice::FeeMarket {
                    max_fee: gwei * 10,
                    max_priority_fee: gwei,
                },
            },
            gas_limit: call.gas_limit,
            kind: call.kind,
            value: call.value,
            data: call.data,
            access_list: call.access_list,
            max_fee_per_blob_gas: if tx_type == TxType::Blob {
                U256::from(10)
            } else {
                U256::zero()
            },
            blob_versioned_hashes: call.blob_hashes,
            signature: Default::default(),
        };
        if let Some(key) = self.keys.get(index) {
            // The key was checked when its address was derived.
            let _ = tx.sign(key);
        }
        if let Some(counter) = self.nonces.get_mut(index) {
            *counter += 1;
        }
        tx
    }
}

/// What a transaction does, apart from its sender, type, nonce and fees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxCall {
    /// Call target or creation.
    pub kind: TxKind,
    /// Wei sent.
    pub value: U256,
    /// Call data or init code.
    pub data: Vec<u8>,
    /// Gas limit.
    pub gas_limit: u64,
    /// EIP-2930 access list.
    pub access_list: Vec<evm_core::tx::AccessListItem>,
    /// EIP-4844 versioned hashes (blob transactions).
    pub blob_hashes: Vec<H256>,
}

impl TxCall {
    /// A plain transfer of `value` wei to `to`.
    pub fn transfer(to: H160, value: u64) -> TxCall {
        TxCall {
            kind: TxKind::Call(to),
            value: U256::from(value),
            data: Vec::new(),
            gas_limit: 21_000,
            access_list: Vec::new(),
            blob_hashes: Vec::new(),
        }
    }

    /// A call to `to` with `data` and `gas_limit`.
    pub fn call(to: H160, data: Vec<u8>, gas_limit: u64) -> TxCall {
        TxCall {
            data,
            gas_limit,
            ..TxCall::transfer(to, 0)
        }
    }

    /// A contract creation running `init_code`.
    pub fn create(init_code: Vec<u8>, gas_limit: u64) -> TxCall {
        TxCall {
            kind: TxKind::Create,
            ..TxCall::call(H160::zero(), init_code, gas_limit)
        }
    }
}

/// The genesis state: the example keys funded, the EIP-4788 beacon roots contract and the
/// deposit contract.
pub fn example_alloc() -> InMemoryState {
    let wallet = ExampleWallet::new(EXAMPLE_CHAIN_ID, EXAMPLE_KEYS);
    let mut accounts: std::collections::BTreeMap<H160, InMemoryAccount> = (0..wallet.len())
        .map(|index| {
            let account = InMemoryAccount {
                balance: U256::from(FUNDING_WEI),
                ..InMemoryAccount::default()
            };
            (wallet.address(index), account)
        })
        .collect();
    accounts.insert(
        EXAMPLE_DEPOSIT_CONTRACT,
        InMemoryAccount {
            nonce: 1,
            code: deposit_contract_code(),
            ..InMemoryAccount::default()
        },
    );
    accounts.insert(
        BEACON_ROOTS_ADDRESS,
        InMemoryAccount {
            nonce: 1,
            code: BEACON_ROOTS_CODE.to_vec(),
            ..InMemoryAccount::default()
        },
    );
    InMemoryState::new(accounts)
}

/// A post-merge Cancun genesis block over `state` (its root computed here).
pub fn cancun_genesis(state: &mut InMemoryState, extra_data: &[u8]) -> Block {
    // An in-memory state computes its root without failing.
    let state_root = state.state_root().unwrap_or_default();
    Block {
        header: Header {
            ommers_hash: EMPTY_OMMERS_HASH,
            state_root,
            transactions_root: witness::EMPTY_ROOT,
            receipts_root: witness::EMPTY_ROOT,
            gas_limit: GAS_LIMIT,
            timestamp: GENESIS_TIMESTAMP,
            extra_data: extra_data.to_vec(),
            base_fee_per_gas: Some(U256::from(INITIAL_BASE_FEE)),
            withdrawals_root: Some(witness::EMPTY_ROOT),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(H256::zero()),
            ..Header::default()
        },
        transactions: Vec::new(),
        ommers: Vec::new(),
        withdrawals: Some(Vec::new()),
    }
}

/// The example chain's rules, genesis block and genesis state.
pub fn example_network() -> Network {
    let mut alloc = example_alloc();
    let genesis = cancun_genesis(&mut alloc, b"evm-ee example chain");
    Network {
        name: EXAMPLE_CHAIN_NAME.into(),
        spec: example_spec(),
        genesis,
        alloc,
    }
}

/// The address a contract created by `sender` at `nonce` gets: `keccak256(rlp([sender,
/// nonce]))[12..]`.
pub fn create_address(sender: H160, nonce: u64) -> H160 {
    let mut stream = rlp::RlpStream::new_list(2);
    stream.append(&sender).append(&nonce);
    H160::from_slice(&witness::keccak256(&stream.out()).as_bytes()[12..])
}

/// A counter: each call adds one to slot 0 and logs the new value under topic `0xaa`; a call
/// with data also stores its first word in slot 1 (a zero word clears the slot).
const COUNTER_RUNTIME: [u8; 28] = [
    0x5f, 0x54, // PUSH0 SLOAD
    0x60, 0x01, 0x01, // PUSH1 1 ADD
    0x80, 0x5f, 0x55, // DUP1 PUSH0 SSTORE
    0x5f, 0x52, // PUSH0 MSTORE
    0x60, 0xaa, 0x60, 0x20, 0x5f, 0xa1, // LOG1(0, 32, 0xaa)
    0x36, 0x15, 0x60, 0x1a, 0x57, // CALLDATASIZE ISZERO PUSH1 26 JUMPI
    0x5f, 0x35, 0x60, 0x01, 0x55, // PUSH0 CALLDATALOAD PUSH1 1 SSTORE
    0x5b, 0x00, // JUMPDEST STOP
];

/// Where the example chain's deposit contract lives (its chain config names it).
pub const EXAMPLE_DEPOSIT_CONTRACT: H160 = H160([0x42; 20]);

/// What a deposit to the example chain's deposit contract sends: `pubkey (48) ‖
/// withdrawal_credentials (32) ‖ signature (96)` as its call data.
pub const DEPOSIT_CALL_LEN: usize = 48 + 32 + 96;

/// The example chain's deposit contract: a stand-in for the beacon chain's that logs each
/// deposit as the real one does, `DepositEvent(pubkey, withdrawal_credentials, amount,
/// signature, index)` with the amount (the value in gwei) and the index (a counter in slot 0)
/// as 8 little-endian bytes, ABI-encoded as five `bytes`. It takes the three byte strings raw
/// ([`DEPOSIT_CALL_LEN`] bytes of call data; anything else reverts) and checks neither the
/// signature nor a deposit data root, which the EE does not read.
pub fn deposit_contract_code() -> Vec<u8> {
    const MSTORE: u8 = 0x52;
    const MSTORE8: u8 = 0x53;
    fn push(code: &mut Vec<u8>, value: u64) {
        let bytes = value.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
        code.push(0x5f + (8 - skip) as u8); // PUSHn
        code.extend_from_slice(&bytes[skip..]);
    }
    fn mstore(code: &mut Vec<u8>, offset: u64, value: u64) {
        push(code, value);
        push(code, offset);
        code.push(MSTORE);
    }
    fn calldatacopy(code: &mut Vec<u8>, dest: u64, offset: u64, len: u64) {
        push(code, len);
        push(code, offset);
        push(code, dest);
        code.push(0x37);
    }
    // The 8 low bytes of the value on the stack, little-endian at `dest`; the value stays.
    fn little_endian(code: &mut Vec<u8>, dest: u64) {
        for k in 0..8 {
            code.push(0x80); // DUP1
            push(code, 31 - k);
            code.push(0x1a); // BYTE
            push(code, dest + k);
            code.push(MSTORE8);
        }
    }
    let mut code = Vec::new();
    // CALLDATASIZE == 176, or REVERT(0, 0).
    push(&mut code, DEPOSIT_CALL_LEN as u64);
    code.extend_from_slice(&[0x36, 0x14]); // CALLDATASIZE EQ
    push(&mut code, 10);
    code.extend_from_slice(&[0x57, 0x5f, 0x5f, 0xfd, 0x5b]); // JUMPI PUSH0 PUSH0 REVERT JUMPDEST
    // The five offsets, then each field as length and bytes.
    for (slot, offset) in [0xa0, 0x100, 0x140, 0x180, 0x200].into_iter().enumerate() {
        mstore(&mut code, slot as u64 * 32, offset);
    }
    mstore(&mut code, 0xa0, 48);
    calldatacopy(&mut code, 0xc0, 0, 48);
    mstore(&mut code, 0x100, 32);
    calldatacopy(&mut code, 0x120, 48, 32);
    mstore(&mut code, 0x140, 8);
    push(&mut code, 1_000_000_000);
    code.extend_from_slice(&[0x34, 0x04]); // CALLVALUE DIV: the value in gwei
    little_endian(&mut code, 0x160);
    code.push(0x50); // POP
    mstore(&mut code, 0x180, 96);
    calldatacopy(&mut code, 0x1a0, 80, 96);
    mstore(&mut code, 0x200, 8);
    code.extend_from_slice(&[0x5f, 0x54]); // PUSH0 SLOAD: the deposit count
    little_endian(&mut code, 0x220);
    code.extend_from_slice(&[0x60, 0x01, 0x01, 0x5f, 0x55]); // PUSH1 1 ADD PUSH0 SSTORE
    code.push(0x7f); // PUSH32 the event's topic
    code.extend_from_slice(stateless::DEPOSIT_EVENT_TOPIC.as_bytes());
    push(&mut code, 0x240);
    code.extend_from_slice(&[0x5f, 0xa1, 0x00]); // PUSH0 LOG1 STOP
    code
}

/// The call data of deposit `n` of the example chain: fixed patterns for the BLS fields, the
/// withdrawal credentials of type 0x01 (to an Eth1 address).
pub fn example_deposit_call(n: u8) -> Vec<u8> {
    let mut data = vec![0xb0 | n; 48];
    data.push(0x01);
    data.extend_from_slice(&[0; 11]);
    data.extend_from_slice(&[0xc0 | n; 20]);
    data.extend_from_slice(&[0xd0 | n; 96]);
    data
}

/// Init code that returns [`COUNTER_RUNTIME`]: CODECOPY it from offset 10, RETURN it.
fn counter_init_code() -> Vec<u8> {
    let mut code = vec![0x60, 0x1c, 0x60, 0x0a, 0x5f, 0x39, 0x60, 0x1c, 0x5f, 0xf3];
    code.extend_from_slice(&COUNTER_RUNTIME);
    code
}

fn word(value: u64) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&value.to_be_bytes());
    word
}

fn words(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|value| word(*value)).collect()
}

/// An ECRECOVER input that recovers the address of `key`: the signing hash of an unprotected
/// legacy transaction it signs (never sent), `v` as 27/28, `r`, `s`.
fn ecrecover_input(key: &[u8; 32]) -> Vec<u8> {
    let mut signed = Transaction {
        tx_type: TxType::Legacy,
        chain_id: None,
        nonce: 0,
        gas_price: GasPrice::Legacy(U256::from(10_000_000_000u64)),
        gas_limit: 21_000,
        kind: TxKind::Call(H160::zero()),
        value: U256::one(),
        data: Vec::new(),
        access_list: Vec::new(),
        max_fee_per_blob_gas: U256::zero(),
        blob_versioned_hashes: Vec::new(),
        signature: Default::default(),
    };
    // A keccak output is a valid key but with probability 2^-128.
    let _ = signed.sign(key);
    let mut input = signed.signing_hash().as_bytes().to_vec();
    for value in [signed.signature.v, signed.signature.r, signed.signature.s] {
        let mut word = [0u8; 32];
        value.to_big_endian(&mut word);
        input.extend_from_slice(&word);
    }
    input
}

/// The EIP-152 test vector 5 for BLAKE2F: 12 rounds of "abc".
fn blake2f_input() -> Vec<u8> {
    let mut input = 12u32.to_be_bytes().to_vec();
    let h = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e51\
             1f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
    input.extend(witness::hex::decode(h).unwrap_or_default());
    let mut message = [0u8; 128];
    message[..3].copy_from_slice(b"abc");
    input.extend_from_slice(&message);
    input.extend_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0]);
    input.extend_from_slice(&[0; 8]);
    input.push(1);
    input
}

/// The example chain: its genesis and the blocks made on it, in a chain in memory that
/// imported each one natively.
pub fn example_chain() -> Result<(Chain, Vec<Block>), Rejection> {
    let network = example_network();
    let mut chain = Chain::new(network.spec, network.genesis, network.alloc);
    let mut wallet = ExampleWallet::new(EXAMPLE_CHAIN_ID, EXAMPLE_KEYS);
    let fresh = |n: u8| H160::repeat_byte(0xe0).with_low_byte(n);
    let counter = create_address(wallet.address(0), 1);
    let precompile = |n: u8| H160::zero().with_low_byte(n);

    let mut bodies: Vec<(Vec<Transaction>, Vec<Withdrawal>)> = Vec::new();
    // 1: transfers of every fee type, and the counter deployed.
    let mut access = TxCall::transfer(fresh(1), 2_000);
    access.gas_limit = 30_000;
    access.access_list = vec![evm_core::tx::AccessListItem {
        address: fresh(1),
        storage_keys: vec![H256::zero()],
    }];
    bodies.push((
        vec![
            wallet.transaction(0, TxType::Legacy, TxCall::transfer(fresh(1), 1_000)),
            wallet.transaction(
                0,
                TxType::Legacy,
                TxCall::create(counter_init_code(), 200_000),
            ),
            wallet.transaction(1, TxType::AccessList, access),
            wallet.transaction(2, TxType::DynamicFee, TxCall::transfer(fresh(2), 3_000)),
        ],
        Vec::new(),
    ));
    // 2: the counter called with and without data; every precompile but the point evaluation.
    let ecrecover = ecrecover_input(&example_key(5));
    let precompile_calls: Vec<(u8, Vec<u8>)> = vec![
        (1, ecrecover),
        (2, b"abc".to_vec()),
        (3, b"abc".to_vec()),
        (4, b"evm-ee".to_vec()),
        // 3^5 mod 7, one-byte operands.
        (5, [words(&[1, 1, 1]), vec![3, 5, 7]].concat()),
        (6, words(&[1, 2, 1, 2])),
        (7, words(&[1, 2, 2])),
        // The empty pairing product is one.
        (8, Vec::new()),
        (9, blake2f_input()),
    ];
    let mut block2 = vec![
        wallet.transaction(
            1,
            TxType::DynamicFee,
            TxCall::call(counter, word(0x42).to_vec(), 100_000),
        ),
        wallet.transaction(
            2,
            TxType::DynamicFee,
            TxCall::call(counter, Vec::new(), 100_000),
        ),
    ];
    for (address, input) in precompile_calls {
        block2.push(wallet.transaction(
            3,
            TxType::DynamicFee,
            TxCall::call(precompile(address), input, 200_000),
        ));
    }
    bodies.push((block2, Vec::new()));
    // 3: withdrawals, the counter's slot 1 cleared, a blob transaction, a deposit of 32 ether.
    let mut blob = TxCall::transfer(fresh(3), 5);
    blob.blob_hashes = vec![{
        let mut hash = witness::keccak256(b"evm-ee example blob");
        hash.0[0] = 0x01;
        hash
    }];
    bodies.push((
        vec![
            wallet.transaction(
                4,
                TxType::DynamicFee,
                TxCall::call(counter, word(0).to_vec(), 100_000),
            ),
            wallet.transaction(4, TxType::Blob, blob),
            wallet.transaction(
                5,
                TxType::DynamicFee,
                TxCall {
                    value: U256::from(32u64) * U256::exp10(18),
                    ..TxCall::call(EXAMPLE_DEPOSIT_CONTRACT, example_deposit_call(1), 200_000)
                },
            ),
        ],
        vec![
            Withdrawal {
                index: 0,
                validator_index: 7,
                address: fresh(4),
                amount_gwei: 32_000_000_000,
            },
            Withdrawal {
                index: 1,
                validator_index: 8,
                address: wallet.address(6),
                amount_gwei: 1_000_000,
            },
        ],
    ));
    // 4: a contract created and destroyed in one transaction (EIP-6780), and transfers from
    // every key.
    let mut destroy = vec![0x73];
    destroy.extend_from_slice(fresh(5).as_bytes());
    destroy.push(0xff);
    let mut block4 = vec![wallet.transaction(
        6,
        TxType::DynamicFee,
        TxCall {
            value: U256::from(777),
            ..TxCall::create(destroy, 100_000)
        },
    )];
    for key in 0..wallet.len() {
        block4.push(wallet.transaction(
            key,
            TxType::DynamicFee,
            TxCall::transfer(fresh(6 + key as u8), 10 + key as u64),
        ));
    }
    bodies.push((block4, Vec::new()));
    // 5: an empty block.
    bodies.push((Vec::new(), Vec::new()));

    let mut blocks = Vec::new();
    for (transactions, withdrawals) in bodies {
        let head = chain
            .head()
            .ok_or_else(|| Rejection::Invalid("the chain has no head".into()))?;
        let number = head.block.header.number + 1;
        let template = BlockTemplate {
            beneficiary: H160::repeat_byte(0xfe),
            timestamp: GENESIS_TIMESTAMP + number * SLOT_SECONDS,
            gas_limit: GAS_LIMIT,
            extra_data: b"evm-ee example".to_vec(),
            mix_hash: witness::keccak256(&number.to_be_bytes()),
            parent_beacon_block_root: Some(witness::keccak256(&number.to_le_bytes())),
            transactions,
            withdrawals: Some(withdrawals),
            ..BlockTemplate::default()
        };
        let (block, outcome) = chain.build_on_head(template)?;
        if let Some(index) = outcome.receipts.iter().position(|receipt| !receipt.success) {
            return Err(Rejection::Invalid(format!(
                "example block {number}: transaction {index} failed"
            )));
        }
        chain.import(&block.encode(), |context| {
            crate::native::execute_native(context, false)
        })?;
        blocks.push(block);
    }
    Ok((chain, blocks))
}

/// Every example block with the EE's input for it (the pre-state and the blob, its witness
/// served by the store), imported again into a fresh chain as a validator gets them.
pub fn example_inputs() -> Result<Vec<(Block, EeInput)>, Rejection> {
    let (_, blocks) = example_chain()?;
    let network = example_network();
    let mut chain = Chain::new(network.spec, network.genesis, network.alloc);
    let mut inputs = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut kept = None;
        chain.import(&block.encode(), |context| {
            let input = EeInput::for_import(&context)?;
            let verdict = input.native.clone();
            kept = Some(input);
            verdict
        })?;
        let input = kept.ok_or_else(|| Rejection::Invalid("no EE input was built".into()))?;
        inputs.push((block, input));
    }
    Ok(inputs)
}

trait WithLowByte {
    fn with_low_byte(self, byte: u8) -> Self;
}

impl WithLowByte for H160 {
    fn with_low_byte(mut self, byte: u8) -> H160 {
        self.0[19] = byte;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_is_built_imported_and_uses_what_it_should() {
        let (chain, blocks) = example_chain().unwrap();
        assert_eq!(blocks.len(), 5);
        assert_eq!(chain.head_hash(), blocks[4].header.hash());
        // Every transaction succeeded (example_chain checks each receipt).
        let store = chain.store();
        for block in &blocks {
            assert!(
                crate::Store::block(store, &block.header.hash())
                    .unwrap()
                    .is_some()
            );
        }
        assert_eq!(blocks[0].transactions.len(), 4);
        assert_eq!(blocks[1].transactions.len(), 11);
        assert_eq!(blocks[2].header.blob_gas_used, Some(131_072));
        assert_eq!(blocks[2].withdrawals.as_ref().map(Vec::len), Some(2));
        assert!(blocks[4].transactions.is_empty());
    }

    /// Block 3's deposit becomes one eth2 deposit in the EE's validation (natively here, the
    /// same code the Wasm module runs): the call's fields, 32 ether as 32 * 10^9 gwei
    /// (big-endian, Scout's layout), and nothing from other logs.
    #[test]
    fn the_deposit_reaches_the_ee() {
        let inputs = example_inputs().unwrap();
        let mut deposits = Vec::new();
        for (_, input) in &inputs {
            let validated = stateless::validate_block_data(input.pre_state, &input.blob).unwrap();
            assert_eq!(validated.post_state, input.post_state);
            deposits.push(validated.deposits);
        }
        assert_eq!(
            deposits.iter().map(Vec::len).collect::<Vec<_>>(),
            [0, 0, 1, 0, 0]
        );
        let deposit = deposits[2][0];
        let call = example_deposit_call(1);
        assert_eq!(deposit[..80], call[..80]);
        assert_eq!(deposit[80..88], 32_000_000_000u64.to_be_bytes());
        assert_eq!(deposit[88..], call[80..]);
    }

    #[test]
    fn the_chain_is_the_same_every_time() {
        let (_, first) = example_chain().unwrap();
        let (_, second) = example_chain().unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn contract_addresses_follow_the_yellow_paper() {
        // The first contract of the fixtures' usual sender, as the fixtures give it.
        let sender = H160::from_slice(
            &witness::hex::decode("a94f5374fce5edbc8e2a8697c15331677e6ebf0b").unwrap(),
        );
        assert_eq!(
            hex::encode(create_address(sender, 0)),
            "6295ee1b4f6dd65047762f924ecd367c17eabf8f"
        );
    }
}
