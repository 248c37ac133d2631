//! Tests of the block pipeline: encodings on real headers, the formulas on known vectors, every
//! rejection on a crafted header or block. The fixtures run through `evm-ee ethtests blockchain`.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::convert::Infallible;
use primitive_types::{H160, H256, U256};

use super::base_fee::{INITIAL_BASE_FEE, expected_base_fee};
use super::beacon_root::{BEACON_ROOTS_ADDRESS, SYSTEM_ADDRESS};
use super::blob_gas::expected_excess_blob_gas;
use super::dao::{DAO_DRAIN_LIST, DAO_EXTRA_DATA, DAO_REFUND_CONTRACT};
use super::difficulty::{EMPTY_OMMERS_HASH, bomb_delay, expected_difficulty};
use super::*;
use crate::execute::GAS_PER_BLOB;
use crate::logs::Bloom;
use crate::precompiles::NativePrecompiles;
use crate::spec::SpecId;
use crate::state::{AccountInfo, InMemoryAccount, InMemoryState, State, StateChanges};
use crate::tx::InvalidTransaction;

/// `BlockGasLimit2p63m1_Frontier` block 1 (legacy-tests, Constantinople/BlockchainTests): 15
/// header fields, one legacy transaction.
const FRONTIER_BLOCK: &str = "f90265f901fea001dec9a92ca8011f41ad8aa4f583d6e8134f58bcad31bce2b43f103f719cf67fa01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347948888f1f195afa192cfee860698584c030f4c9db1a034149241723f479db9d686f06e952b066b40105722986e66886ff7b9c94c33f0a0dbc1f88867947bb05dfd11571e831749c0412517e5178823f4266c84751eefa0a0251878256930289eb3404a59c6351eb6c5b959e2722f0ba6cc6c51f6ffae2c95b90100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008302000001887fffffffffffffff825208845db6edb980a00000000000000000000000000000000000000000000000000000000000000000880000000000000000f861f85f800a82520894aaaf5374fce5edbc8e2a8697c15331677e6ebf0b0a801ca0e466f357bdad09fd9846d431318547b679e29a922f37893c6e6419cfa3e9d998a03d254e0054d7fdf7c1f5fcddf9d5e511d111fc3f1001396597672744e5747792c0";
const FRONTIER_HASH: &str = "ec5dab2a2136720f44c53bee7be70aaf9fd6addc9d64f9a32657f9ee1ae4ee8f";

/// `difficultyFormula_ArrowGlacierToParisAtDiffC0000` block 1 (ethereum-tests,
/// TransitionTests): 16 header fields (base fee), one legacy transaction.
const LONDON_BLOCK: &str = "f90260f901f8a0bbf4860127ffa964f99f26794755cef17c46184a8117727b3d95d4eb928abe91a01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347948888f1f195afa192cfee860698584c030f4c9db1a05944ffe4287d2b7dc5d438be675e7755be4696e16555f1e3622ec16422ed016ba0ef6cb9dc528a1d1478415ea34eaa41ba0081729f758e96ced6d86a2589511ea7a071043553dd2c4fbc22100a69d47ba3a790f7e428796792c552362b81e6cf5331b90100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008302000001832fefd88265948203e842a000000000000000000000000000000000000000000000000000000000000000008800000000000000000ef862f86001148307a12094cccccccccccccccccccccccccccccccccccccccc80801ba06fd6075c169e8841ae18a5e1ed015a9d3876ff52cba6890cf5f305040c562e3ba05e621505500fe6a86f524496db72fcd4502d4d70475f3300a803958700e457ebc0";
const LONDON_HASH: &str = "f27a37b005ffd53d47d3dab7a92721e3fe73a0ea4efd63f8340222bd225eadc6";

/// `lowDemand_Cancun` block 1 (ethereum-tests, ValidBlocks/bcEIP1559): all 20 header fields and
/// an empty withdrawals list.
const CANCUN_BLOCK: &str = "f9023ef90238a05ae1ac0ff1c5108ffca1159996d12e965381d5b8fe95b16ee7e61b029b296511a01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347942adc25665018aa1fe0e6bc666dac8fc2697ff9baa05dc6fbe04a55a6fe4e4f9cfea248697973df2b3416be0c77fb2b638fcd82bb3fa056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421b9010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000803184321162008082c31e42a0000000000000000000000000000000000000000000000000000000000002000088000000000000000008a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b4218080a00000000000000000000000000000000000000000000000000000000000000000c0c0c0";
const CANCUN_HASH: &str = "2222a4bb798f3c5ad9c7c82473994829c6ab4da68cb6496c354a94e8beabc0f1";

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).unwrap()
}

fn h256(hex: &str) -> H256 {
    H256::from_slice(&bytes(hex))
}

fn word(value: u64) -> H256 {
    H256::from_low_u64_be(value)
}

// ---- Encodings ----------------------------------------------------------------------------

#[test]
fn real_blocks_round_trip_and_hash() {
    for (hex, hash, fields) in [
        (FRONTIER_BLOCK, FRONTIER_HASH, 15),
        (LONDON_BLOCK, LONDON_HASH, 16),
        (CANCUN_BLOCK, CANCUN_HASH, 20),
    ] {
        let raw = bytes(hex);
        let block = Block::decode(&raw).unwrap();
        assert_eq!(block.hash(), h256(hash));
        assert_eq!(block.encode(), raw);
        let header_raw = block.header.encode();
        assert_eq!(rlp::Rlp::new(&header_raw).item_count().unwrap(), fields);
        assert_eq!(Header::decode(&header_raw).unwrap(), block.header);
        // The header's transactions root commits to the decoded transactions.
        let root = witness::ordered_trie_root(block.transactions.iter().map(|tx| tx.encode()));
        assert_eq!(root, block.header.transactions_root);
    }
    let cancun = Block::decode(&bytes(CANCUN_BLOCK)).unwrap();
    assert_eq!(cancun.withdrawals, Some(vec![]));
    assert_eq!(cancun.header.blob_gas_used, Some(0));
    assert_eq!(cancun.header.parent_beacon_block_root, Some(H256::zero()));
    let frontier = Block::decode(&bytes(FRONTIER_BLOCK)).unwrap();
    assert_eq!(frontier.header.gas_limit, i64::MAX as u64);
    assert_eq!(frontier.withdrawals, None);
}

#[test]
fn malformed_encodings_are_rejected() {
    let raw = bytes(CANCUN_BLOCK);
    let header_raw = Block::decode(&raw).unwrap().header.encode();
    let malformed = |bytes: &[u8]| matches!(Header::decode(bytes), Err(BlockError::Malformed(_)));
    // Trailing byte, truncation, not a list.
    assert!(malformed(&[header_raw.as_slice(), &[0x80]].concat()));
    assert!(malformed(&header_raw[..header_raw.len() - 1]));
    assert!(malformed(&[0x80]));
    // Fourteen fields.
    let mut s = rlp::RlpStream::new_list(14);
    for _ in 0..14 {
        s.append(&0u8);
    }
    assert!(malformed(&s.out()));
    // A bloom of the wrong size and a number with a leading zero.
    let mut header = Block::decode(&raw).unwrap().header;
    header.number = 0x0100;
    let good = header.encode();
    let at = good
        .windows(3)
        .position(|w| w == [0x82, 0x01, 0x00])
        .unwrap();
    let mut padded = good.clone();
    padded.splice(at..at + 3, [0x83, 0x00, 0x01, 0x00]);
    padded[2] += 1; // the list's two-byte length grows by one
    assert!(malformed(&padded));
    // Blocks: two items, garbage inside the transaction list.
    assert!(matches!(
        Block::decode(&[0xc2, 0xc0, 0xc0]),
        Err(BlockError::Malformed(_))
    ));
    let mut s = rlp::RlpStream::new_list(3);
    s.append_raw(&header_raw, 1);
    s.append_raw(&[0xc1, 0xff], 1);
    s.begin_list(0);
    assert!(matches!(
        Block::decode(&s.out()),
        Err(BlockError::Malformed(_))
    ));
    // A transaction that does not decode is reported with its index.
    let mut s = rlp::RlpStream::new_list(3);
    s.append_raw(&header_raw, 1);
    s.begin_list(1);
    s.append(&vec![0x05u8, 0xc0]);
    s.begin_list(0);
    assert!(matches!(
        Block::decode(&s.out()),
        Err(BlockError::InvalidTransaction { index: 0, .. })
    ));
}

#[test]
fn receipts_encode_per_eip_2718() {
    let legacy = Receipt {
        tx_type: crate::tx::TxType::Legacy,
        success: true,
        state_root: None,
        cumulative_gas_used: 21000,
        logs_bloom: Bloom::default(),
        logs: vec![],
    };
    let encoded = legacy.encode();
    assert_eq!(encoded[0], 0xf9); // a list of 267 bytes: the bloom dominates
    let typed = Receipt {
        tx_type: crate::tx::TxType::DynamicFee,
        ..legacy.clone()
    };
    assert_eq!(typed.encode(), [&[0x02], encoded.as_slice()].concat());
    let failed = Receipt {
        success: false,
        ..legacy.clone()
    };
    // Status 0 is the empty string, status 1 the byte 1.
    assert_eq!(failed.encode()[3], 0x80);
    assert_eq!(encoded[3], 0x01);
    let pre_byzantium = Receipt {
        state_root: Some(word(7)),
        ..legacy
    };
    assert_eq!(pre_byzantium.encode()[3], 0xa0);
    assert_ne!(receipts_root(&[failed]), witness::EMPTY_ROOT);
    assert_eq!(receipts_root(&[]), witness::EMPTY_ROOT);
}

// ---- Chains -------------------------------------------------------------------------------

#[test]
fn test_networks_parse() {
    let td = U256::zero();
    for spec in SpecId::ALL {
        let chain = ChainSpec::from_test_network(spec.fixture_name()).unwrap();
        assert_eq!(chain.spec_at(0, 0, td), spec);
        assert_eq!(chain.chain_id, 1);
    }
    assert_eq!(
        ChainSpec::from_test_network("Merge")
            .unwrap()
            .spec_at(1, 1, td),
        SpecId::Paris
    );
    let at5 = ChainSpec::from_test_network("FrontierToHomesteadAt5").unwrap();
    assert_eq!(at5.spec_at(4, 0, td), SpecId::Frontier);
    assert_eq!(at5.spec_at(5, 0, td), SpecId::Homestead);
    let petersburg = ChainSpec::from_test_network("ByzantiumToConstantinopleFixAt5").unwrap();
    assert_eq!(petersburg.spec_at(5, 0, td), SpecId::Petersburg);
    let dao = ChainSpec::from_test_network("HomesteadToDaoAt5").unwrap();
    assert_eq!(dao.dao_fork_block, Some(5));
    assert_eq!(dao.spec_at(9, 0, td), SpecId::Homestead);
    let merge = ChainSpec::from_test_network("ArrowGlacierToParisAtDiffC0000").unwrap();
    assert_eq!(merge.spec_at(9, 0, U256::from(0xbffff)), SpecId::London);
    assert_eq!(merge.spec_at(9, 0, U256::from(0xc0000)), SpecId::Paris);
    let cancun = ChainSpec::from_test_network("ShanghaiToCancunAtTime15k").unwrap();
    assert_eq!(cancun.spec_at(1, 14_999, td), SpecId::Shanghai);
    assert_eq!(cancun.spec_at(1, 15_000, td), SpecId::Cancun);
    for bad in [
        "Prague",
        "CancunToShanghaiAt5",
        "FrontierToHomesteadAtx",
        "HomesteadToDaoAtTime1k",
    ] {
        assert_eq!(ChainSpec::from_test_network(bad), None, "{bad}");
    }
}

#[test]
fn test_networks_schedule_their_bomb_delays() {
    let delay = |network: &str, number: u64| {
        ChainSpec::from_test_network(network)
            .unwrap()
            .bomb_delay_at(number)
    };
    assert_eq!(delay("Homestead", 5_000_000), 0);
    assert_eq!(delay("Byzantium", 0), 3_000_000);
    assert_eq!(delay("Istanbul", 0), 5_000_000);
    assert_eq!(delay("Berlin", 0), 9_000_000);
    assert_eq!(delay("London", 0), 9_700_000);
    assert_eq!(delay("ArrowGlacier", 0), 10_700_000);
    assert_eq!(delay("GrayGlacier", 0), 11_400_000);
    assert_eq!(delay("ArrowGlacierToParisAtDiffC0000", 0), 10_700_000);
    let transition = ChainSpec::from_test_network("ByzantiumToConstantinopleFixAt5").unwrap();
    assert_eq!(transition.bomb_delays, vec![(0, 3_000_000), (5, 5_000_000)]);
    assert_eq!(transition.bomb_delay_at(4), 3_000_000);
    assert_eq!(transition.bomb_delay_at(5), 5_000_000);
    // A glacier only moves the bomb; it is no transition target.
    assert_eq!(ChainSpec::from_test_network("LondonToGrayGlacierAt5"), None);
}

// ---- Formulas -----------------------------------------------------------------------------

fn pow_parent(timestamp: u64, difficulty: u64, with_ommers: bool) -> Header {
    Header {
        timestamp,
        difficulty: U256::from(difficulty),
        ommers_hash: if with_ommers {
            H256::repeat_byte(1)
        } else {
            EMPTY_OMMERS_HASH
        },
        ..genesis(SpecId::Frontier)
    }
}

#[test]
fn difficulty_matches_basic_tests() {
    // (spec, parent timestamp, parent difficulty, parent has ommers, timestamp, number, expected)
    // from ethereum-tests BasicTests: difficulty.json (Frontier) and difficultyMainNetwork.json (mainnet's schedule: Frontier, Homestead, Byzantium).
    let vectors: &[(SpecId, u64, u64, bool, u64, u64, u64)] = &[
        (SpecId::Frontier, 42, 1_000_000, false, 43, 42, 1_000_488),
        (SpecId::Frontier, 42, 1_000_000, false, 60, 42, 999_512),
        (
            SpecId::Frontier,
            0x036d2f0c29,
            0x17f87b030686276f,
            false,
            0x036d2f0c29,
            0x0186a0,
            0x17fb7a1266e6f833,
        ),
        (
            SpecId::Homestead,
            0x03b8dbef8f,
            0x1ce831c1eca9a770,
            false,
            0x03b8dbef8f,
            0x124f80,
            0x1cebcec824e740a4,
        ),
        (
            SpecId::Byzantium,
            0x06723cf02d,
            0x1b1eeb95249fbe99,
            false,
            0x06723cf02d,
            0x432380,
            0x1b224f7297446290,
        ),
        (
            SpecId::Byzantium,
            0x01009247e3,
            0x2de399f763589909,
            true,
            0x01009247e3,
            0x432380,
            0x2def12dde1317f2f,
        ),
    ];
    for &(spec, parent_ts, parent_diff, ommers, ts, number, expected) in vectors {
        let parent = pow_parent(parent_ts, parent_diff, ommers);
        assert_eq!(
            expected_difficulty(spec, bomb_delay(spec), &parent, ts, number),
            U256::from(expected),
            "{spec} {number:#x}"
        );
    }
    // The bomb: Frontier rules at block 200,000 add 2^0; Byzantium's delay pushes it back 3M.
    let parent = pow_parent(0, 1_000_000, false);
    let base = expected_difficulty(SpecId::Frontier, 0, &parent, 20, 199_999);
    assert_eq!(
        expected_difficulty(SpecId::Frontier, 0, &parent, 20, 200_000),
        base + 1
    );
    assert_eq!(
        expected_difficulty(SpecId::Constantinople, 5_000_000, &parent, 100, 5_200_000),
        expected_difficulty(SpecId::Constantinople, 5_000_000, &parent, 100, 5_199_999) + 1
    );
    assert_eq!(
        expected_difficulty(SpecId::Paris, 0, &parent, 20, 1),
        U256::zero()
    );
    // Never below the minimum.
    assert_eq!(
        expected_difficulty(
            SpecId::Homestead,
            0,
            &pow_parent(0, 131_072, false),
            10_000,
            1
        ),
        U256::from(131_072)
    );
}

#[test]
fn base_fee_follows_eip_1559() {
    let parent = |base_fee: Option<u64>, used: u64| Header {
        gas_limit: 10_000_000,
        gas_used: used,
        base_fee_per_gas: base_fee.map(U256::from),
        ..genesis(SpecId::London)
    };
    let gwei = 1_000_000_000u64;
    assert_eq!(
        expected_base_fee(&parent(None, 0)),
        U256::from(INITIAL_BASE_FEE)
    );
    assert_eq!(
        expected_base_fee(&parent(Some(gwei), 5_000_000)),
        U256::from(gwei)
    );
    assert_eq!(
        expected_base_fee(&parent(Some(gwei), 10_000_000)),
        U256::from(1_125_000_000u64)
    );
    assert_eq!(
        expected_base_fee(&parent(Some(gwei), 0)),
        U256::from(875_000_000u64)
    );
    // Upward moves are at least 1 wei.
    assert_eq!(
        expected_base_fee(&parent(Some(7), 5_000_001)),
        U256::from(8)
    );
    assert_eq!(
        expected_base_fee(&parent(Some(7), 4_999_999)),
        U256::from(7)
    );
}

#[test]
fn excess_blob_gas_carries_over() {
    let parent = |excess: Option<u64>, used: Option<u64>| Header {
        excess_blob_gas: excess,
        blob_gas_used: used,
        ..genesis(SpecId::Cancun)
    };
    let blobs = |n: u64| n * GAS_PER_BLOB;
    assert_eq!(expected_excess_blob_gas(&parent(None, None)), 0);
    assert_eq!(
        expected_excess_blob_gas(&parent(Some(0), Some(blobs(3)))),
        0
    );
    assert_eq!(
        expected_excess_blob_gas(&parent(Some(0), Some(blobs(6)))),
        blobs(3)
    );
    assert_eq!(
        expected_excess_blob_gas(&parent(Some(blobs(4)), Some(blobs(1)))),
        blobs(2)
    );
    assert_eq!(
        expected_excess_blob_gas(&parent(Some(blobs(2)), Some(0))),
        0
    );
}

// ---- Header rules -------------------------------------------------------------------------

/// A genesis-like header carrying the fields of `spec`.
fn genesis(spec: SpecId) -> Header {
    let cancun = spec.is_enabled_in(SpecId::Cancun);
    Header {
        parent_hash: H256::zero(),
        ommers_hash: EMPTY_OMMERS_HASH,
        beneficiary: H160::repeat_byte(0xcb),
        state_root: witness::EMPTY_ROOT,
        transactions_root: witness::EMPTY_ROOT,
        receipts_root: witness::EMPTY_ROOT,
        logs_bloom: Bloom::default(),
        difficulty: if spec.is_enabled_in(SpecId::Paris) {
            U256::zero()
        } else {
            U256::from(0x20000)
        },
        number: 0,
        gas_limit: 10_000_000,
        gas_used: 0,
        timestamp: 1000,
        extra_data: vec![],
        mix_hash: H256::zero(),
        nonce: [0; 8],
        base_fee_per_gas: spec
            .is_enabled_in(SpecId::London)
            .then(|| U256::from(INITIAL_BASE_FEE)),
        withdrawals_root: spec
            .is_enabled_in(SpecId::Shanghai)
            .then_some(witness::EMPTY_ROOT),
        blob_gas_used: cancun.then_some(0),
        excess_blob_gas: cancun.then_some(0),
        parent_beacon_block_root: cancun.then_some(H256::zero()),
    }
}

/// A valid empty child of `parent` under `spec`, `seconds` later.
fn child(spec: SpecId, parent: &Header, seconds: u64) -> Header {
    let timestamp = parent.timestamp + seconds;
    let number = parent.number + 1;
    let cancun = spec.is_enabled_in(SpecId::Cancun);
    Header {
        parent_hash: parent.hash(),
        number,
        timestamp,
        difficulty: expected_difficulty(spec, bomb_delay(spec), parent, timestamp, number),
        base_fee_per_gas: spec
            .is_enabled_in(SpecId::London)
            .then(|| expected_base_fee(parent)),
        excess_blob_gas: cancun.then(|| expected_excess_blob_gas(parent)),
        ..genesis(spec)
    }
}

fn chain(spec: SpecId) -> ChainSpec {
    ChainSpec::from_test_network(spec.fixture_name()).unwrap()
}

/// Validates `child(spec, parent)` after `mutate`.
fn check(spec: SpecId, mutate: impl FnOnce(&mut Header)) -> Result<(), BlockError> {
    let parent = genesis(spec);
    let mut header = child(spec, &parent, 12);
    mutate(&mut header);
    validate_header(&chain(spec), spec, &parent, &header)
}

#[test]
fn valid_children_pass_in_every_fork() {
    for spec in SpecId::ALL {
        assert_eq!(check(spec, |_| {}), Ok(()), "{spec}");
    }
    // The London fork block: 1 gwei and the doubled gas limit as the parent's.
    let chain = ChainSpec::from_test_network("BerlinToLondonAt5").unwrap();
    let parent = Header {
        number: 4,
        ..genesis(SpecId::Berlin)
    };
    let mut header = child(SpecId::London, &parent, 12);
    header.gas_limit = 2 * parent.gas_limit + 2 * parent.gas_limit / 1024 - 1;
    assert_eq!(
        validate_header(&chain, SpecId::London, &parent, &header),
        Ok(())
    );
    assert_eq!(header.base_fee_per_gas, Some(U256::from(INITIAL_BASE_FEE)));
}

#[test]
fn every_header_rule_has_its_error() {
    use BlockError as E;
    let london = SpecId::London;
    let cancun = SpecId::Cancun;
    assert!(matches!(
        check(london, |h| h.parent_hash = word(1)),
        Err(E::ParentHash { .. })
    ));
    assert_eq!(
        check(london, |h| h.number = 5),
        Err(E::Number {
            got: 5,
            expected: 1
        })
    );
    assert_eq!(
        check(london, |h| h.timestamp = 1000),
        Err(E::Timestamp {
            got: 1000,
            parent: 1000
        })
    );
    assert_eq!(
        check(london, |h| h.extra_data = vec![0; 33]),
        Err(E::ExtraDataTooLong { len: 33, max: 32 })
    );
    assert_eq!(
        check(london, |h| h.gas_limit = 10_000_000 + 10_000_000 / 1024),
        Err(E::GasLimitOutOfBounds {
            got: 10_009_765,
            parent: 10_000_000,
            min: 9_990_236,
            max: 10_009_764
        })
    );
    assert!(matches!(
        check(SpecId::Frontier, |h| h.gas_limit = 4999),
        Err(E::GasLimitOutOfBounds { .. })
    ));
    assert_eq!(
        check(london, |h| h.gas_used = 10_000_001),
        Err(E::GasUsedExceedsLimit {
            gas_used: 10_000_001,
            gas_limit: 10_000_000
        })
    );
    assert_eq!(
        check(SpecId::Homestead, |h| h.difficulty = U256::zero()),
        Err(E::Difficulty {
            got: U256::zero(),
            expected: U256::from(0x20000)
        })
    );
    assert!(matches!(
        check(SpecId::Paris, |h| h.difficulty = U256::one()),
        Err(E::Difficulty { .. })
    ));
    assert_eq!(
        check(SpecId::Paris, |h| h.nonce = [0, 0, 0, 0, 0, 0, 0, 1]),
        Err(E::NonZeroNonce {
            got: [0, 0, 0, 0, 0, 0, 0, 1]
        })
    );
    assert!(matches!(
        check(SpecId::Paris, |h| h.ommers_hash = word(1)),
        Err(E::OmmersHashMismatch { .. })
    ));
    assert_eq!(
        check(london, |h| h.base_fee_per_gas = Some(U256::one())),
        Err(E::BaseFee {
            got: Some(U256::one()),
            expected: Some(U256::from(875_000_000u64))
        })
    );
    assert_eq!(
        check(SpecId::Berlin, |h| h.base_fee_per_gas = Some(U256::one())),
        Err(E::HeaderField {
            field: "base_fee_per_gas",
            spec: SpecId::Berlin,
            expected_present: false
        })
    );
    assert_eq!(
        check(cancun, |h| h.parent_beacon_block_root = None),
        Err(E::HeaderField {
            field: "parent_beacon_block_root",
            spec: cancun,
            expected_present: true
        })
    );
    assert_eq!(
        check(cancun, |h| h.excess_blob_gas = Some(GAS_PER_BLOB)),
        Err(E::ExcessBlobGas {
            got: GAS_PER_BLOB,
            expected: 0
        })
    );
    assert!(matches!(
        check(cancun, |h| h.blob_gas_used = Some(7 * GAS_PER_BLOB)),
        Err(E::BlobGasUsedInvalid { .. })
    ));
    assert!(matches!(
        check(cancun, |h| h.blob_gas_used = Some(GAS_PER_BLOB + 1)),
        Err(E::BlobGasUsedInvalid { .. })
    ));
}

#[test]
fn dao_fork_extra_data_range() {
    let chain = ChainSpec::from_test_network("HomesteadToDaoAt5").unwrap();
    let spec = SpecId::Homestead;
    for (number, extra, ok) in [
        (4, &b""[..], true),
        (5, DAO_EXTRA_DATA, true),
        (5, b"", false),
        (14, b"dao-hard-fork!", false),
        (15, b"", true),
    ] {
        let parent = Header {
            number: number - 1,
            ..genesis(spec)
        };
        let mut header = child(spec, &parent, 12);
        header.extra_data = extra.to_vec();
        let result = validate_header(&chain, spec, &parent, &header);
        assert_eq!(result.is_ok(), ok, "block {number}");
        if !ok {
            assert_eq!(result, Err(BlockError::DaoExtraData { number }));
        }
    }
}

// ---- Ommers -------------------------------------------------------------------------------

/// A Byzantium chain of `length` blocks after genesis, oldest first.
fn pow_chain(length: u64) -> Vec<Header> {
    let mut headers = vec![genesis(SpecId::Byzantium)];
    for i in 0..length {
        let next = child(SpecId::Byzantium, &headers[i as usize], 10);
        headers.push(next);
    }
    headers
}

fn with_ommers(mut header: Header, ommers: &[Header]) -> Header {
    header.ommers_hash = witness::keccak256(&super::body::ommers_rlp(ommers));
    header
}

#[test]
fn every_ommer_rule_has_its_error() {
    use BlockError as E;
    let spec = SpecId::Byzantium;
    let chain = chain(spec);
    let headers = pow_chain(8);
    let parent = &headers[8];
    // An ommer: a sibling of block 7 (child of block 6), with another beneficiary.
    let mut ommer = child(spec, &headers[6], 11);
    ommer.beneficiary = H160::repeat_byte(0x0e);
    let block = child(spec, parent, 10);
    let ancestors = &headers[..];
    let run = |ommers: &[Header], included: &[H256]| {
        let header = with_ommers(block.clone(), ommers);
        validate_ommers(&chain, spec, &header, ommers, ancestors, included)
    };
    assert_eq!(run(&[ommer.clone()], &[]), Ok(()));
    assert!(matches!(
        validate_ommers(&chain, spec, &block, &[ommer.clone()], ancestors, &[]),
        Err(E::OmmersHashMismatch { .. })
    ));
    assert_eq!(
        run(&[ommer.clone(), ommer.clone(), ommer.clone()], &[]),
        Err(E::TooManyOmmers { count: 3, max: 2 })
    );
    assert_eq!(
        run(&[ommer.clone(), ommer.clone()], &[]),
        Err(E::DuplicateOmmer { hash: ommer.hash() })
    );
    assert_eq!(
        run(&[headers[7].clone()], &[]),
        Err(E::OmmerIsAncestor {
            hash: headers[7].hash()
        })
    );
    assert_eq!(
        run(&[ommer.clone()], &[ommer.hash()]),
        Err(E::OmmerAlreadyIncluded { hash: ommer.hash() })
    );
    // Too old: a child of block 0 is eight generations back.
    let old = child(spec, &headers[0], 11);
    assert_eq!(
        run(core::slice::from_ref(&old), &[]),
        Err(E::OmmerParentUnknown {
            hash: old.hash(),
            number: 1
        })
    );
    // A sibling of the block itself (child of the parent) is not an ommer either.
    let sibling = child(spec, parent, 11);
    assert!(matches!(
        run(&[sibling], &[]),
        Err(E::OmmerParentUnknown { .. })
    ));
    let mut bad = ommer.clone();
    bad.gas_used = bad.gas_limit + 1;
    assert!(matches!(
        run(&[bad], &[]),
        Err(E::InvalidOmmer { index: 0, .. })
    ));
    // After the merge: none at all.
    let paris = with_ommers(child(SpecId::Paris, parent, 10), &[ommer.clone()]);
    assert_eq!(
        validate_ommers(&chain, SpecId::Paris, &paris, &[ommer], ancestors, &[]),
        Err(E::TooManyOmmers { count: 1, max: 0 })
    );
}

// ---- Execution ----------------------------------------------------------------------------

/// Runs an empty `block` after `parent` on `state`.
fn execute(
    state: &mut InMemoryState,
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    block: &Block,
) -> Result<BlockOutcome, BlockError<Infallible>> {
    execute_block(
        state,
        chain,
        spec,
        parent,
        core::slice::from_ref(parent),
        block,
        &NativePrecompiles,
    )
}

fn empty_block(spec: SpecId, parent: &Header) -> Block {
    Block {
        header: child(spec, parent, 12),
        transactions: vec![],
        ommers: vec![],
        withdrawals: spec.is_enabled_in(SpecId::Shanghai).then(Vec::new),
    }
}

/// Executes `block`, takes the state root it produced into its header, and executes again: the
/// second run must pass.
fn seal_state_root(
    state: &InMemoryState,
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    block: &mut Block,
) -> InMemoryState {
    let mut scratch = state.clone();
    match execute(&mut scratch, chain, spec, parent, block) {
        Err(BlockError::StateRootMismatch { got, .. }) => block.header.state_root = got,
        other => panic!("expected a state root mismatch, got {other:?}"),
    }
    let mut state = state.clone();
    let outcome = execute(&mut state, chain, spec, parent, block).unwrap();
    assert_eq!(outcome.state_root, block.header.state_root);
    state
}

#[test]
fn rewards_per_fork() {
    let ether = U256::from(1_000_000_000_000_000_000u64);
    for (spec, reward) in [
        (SpecId::Frontier, 5),
        (SpecId::Byzantium, 3),
        (SpecId::Petersburg, 2),
        (SpecId::Paris, 0),
    ] {
        let chain = chain(spec);
        let parent = genesis(spec);
        let mut block = empty_block(spec, &parent);
        let state = if reward == 0 {
            let mut state = InMemoryState::default();
            execute(&mut state, &chain, spec, &parent, &block).unwrap();
            state
        } else {
            seal_state_root(&InMemoryState::default(), &chain, spec, &parent, &mut block)
        };
        let balance = state
            .accounts
            .get(&block.header.beneficiary)
            .map(|a| a.balance)
            .unwrap_or_default();
        assert_eq!(balance, ether * U256::from(reward), "{spec}");
    }
    // Ommer rewards: 7/8 for one generation back, plus 1/32 to the block's beneficiary.
    let spec = SpecId::Byzantium;
    let headers = pow_chain(3);
    let mut ommer = child(spec, &headers[1], 11);
    ommer.beneficiary = H160::repeat_byte(0x0e);
    let header = with_ommers(child(spec, &headers[3], 10), &[ommer.clone()]);
    let changes =
        super::rewards::reward_changes(&InMemoryState::default(), spec, &header, &[ommer.clone()])
            .unwrap();
    let balance = |changes: &StateChanges, address: H160| match changes.get(&address) {
        Some(crate::state::AccountChange::Updated { balance, .. }) => *balance,
        _ => panic!("no credit"),
    };
    let three = ether * U256::from(3);
    assert_eq!(balance(&changes, ommer.beneficiary), three * 6 / 8);
    assert_eq!(balance(&changes, header.beneficiary), three + three / 32);
}

#[test]
fn every_body_and_execution_rule_has_its_error() {
    use BlockError as E;
    let spec = SpecId::Cancun;
    let chain = chain(spec);
    let parent = genesis(spec);
    let state = InMemoryState::default();
    let run = |mutate: &dyn Fn(&mut Block)| {
        let mut block = empty_block(spec, &parent);
        mutate(&mut block);
        execute(&mut state.clone(), &chain, spec, &parent, &block)
    };
    assert!(matches!(
        run(&|b| b.header.transactions_root = word(1)),
        Err(E::TransactionsRootMismatch { .. })
    ));
    assert_eq!(
        run(&|b| b.withdrawals = None),
        Err(E::WithdrawalsPresence {
            spec,
            expected_present: true
        })
    );
    assert!(matches!(
        run(&|b| b.withdrawals = Some(vec![withdrawal(1, 1)])),
        Err(E::WithdrawalsRootMismatch { .. })
    ));
    assert_eq!(
        run(&|b| b.header.blob_gas_used = Some(GAS_PER_BLOB)),
        Err(E::BlobGasUsedMismatch {
            got: 0,
            expected: GAS_PER_BLOB
        })
    );
    assert_eq!(
        run(&|b| b.header.gas_used = 1),
        Err(E::GasUsedMismatch {
            got: 0,
            expected: 1
        })
    );
    assert!(matches!(
        run(&|b| b.header.logs_bloom = Bloom([1; 256])),
        Err(E::BloomMismatch { .. })
    ));
    assert!(matches!(
        run(&|b| b.header.receipts_root = word(1)),
        Err(E::ReceiptsRootMismatch { .. })
    ));
    // With nothing to do (no beacon roots contract, no rewards) the state stays empty.
    assert!(matches!(
        run(&|b| b.header.state_root = word(1)),
        Err(E::StateRootMismatch { got, .. }) if got == witness::EMPTY_ROOT
    ));
    assert!(run(&|_| {}).is_ok());
    // A header rule surfaces through execute_block too.
    assert!(matches!(
        run(&|b| b.header.number = 7),
        Err(E::Number { .. })
    ));
    // Withdrawals before Shanghai.
    let shanghai_less = genesis(SpecId::Paris);
    let mut block = empty_block(SpecId::Paris, &shanghai_less);
    block.withdrawals = Some(vec![]);
    assert_eq!(
        execute(
            &mut InMemoryState::default(),
            &self::chain(SpecId::Paris),
            SpecId::Paris,
            &shanghai_less,
            &block
        ),
        Err(E::WithdrawalsPresence {
            spec: SpecId::Paris,
            expected_present: false
        })
    );
}

#[test]
fn invalid_transactions_name_their_index() {
    // The fixture's Frontier transaction, sent from an account that does not exist here.
    let fixture = Block::decode(&bytes(FRONTIER_BLOCK)).unwrap();
    let spec = SpecId::Frontier;
    let parent = genesis(spec);
    let mut block = empty_block(spec, &parent);
    block.transactions = fixture.transactions;
    block.header.transactions_root =
        witness::ordered_trie_root(block.transactions.iter().map(|tx| tx.encode()));
    let result = execute(
        &mut InMemoryState::default(),
        &chain(spec),
        spec,
        &parent,
        &block,
    );
    assert!(
        matches!(
            result,
            Err(BlockError::InvalidTransaction {
                index: 0,
                source: InvalidTransaction::InsufficientFunds { .. }
            })
        ),
        "{result:?}"
    );
}

/// A state whose reads fail: the block is not judged, the error says why.
struct Unreachable;

impl State for Unreachable {
    type Error = &'static str;
    fn account(&self, _: H160) -> Result<Option<AccountInfo>, &'static str> {
        Err("witness gap")
    }
    fn code(&self, _: H160) -> Result<Vec<u8>, &'static str> {
        Err("witness gap")
    }
    fn storage(&self, _: H160, _: H256) -> Result<H256, &'static str> {
        Err("witness gap")
    }
    fn has_storage(&self, _: H160) -> Result<bool, &'static str> {
        Err("witness gap")
    }
    fn block_hash(&self, _: u64) -> Result<H256, &'static str> {
        Err("witness gap")
    }
    fn commit(&mut self, _: &StateChanges) -> Result<(), &'static str> {
        Err("witness gap")
    }
    fn state_root(&mut self) -> Result<H256, &'static str> {
        Err("witness gap")
    }
}

#[test]
fn state_errors_are_not_verdicts() {
    let spec = SpecId::Frontier;
    let parent = genesis(spec);
    let block = empty_block(spec, &parent);
    let result = execute_block(
        &mut Unreachable,
        &chain(spec),
        spec,
        &parent,
        &[],
        &block,
        &NativePrecompiles,
    );
    assert_eq!(result, Err(BlockError::State("witness gap")));
    assert_eq!(
        BlockError::State::<&str>("x").to_string(),
        "state access failed: x"
    );
    let lifted: BlockError<&str> = BlockError::Malformed("m".into()).lift();
    assert_eq!(lifted, BlockError::Malformed("m".into()));
    let fault: BlockError = BlockError::Interpreter {
        index: Some(2),
        fault: evm::interpreter::ExitFatal::NotSupported,
    };
    assert!(fault.to_string().contains("transaction Some(2)"));
    let ommer: BlockError = BlockError::InvalidOmmer {
        index: 1,
        source: Box::new(BlockError::Number {
            got: 1,
            expected: 2,
        }),
    };
    assert_eq!(
        ommer.to_string(),
        "ommer 1 is invalid: block number 1 != parent number + 1 = 2"
    );
}

// ---- Irregular changes and system calls -------------------------------------------------

fn withdrawal(index: u64, amount_gwei: u64) -> Withdrawal {
    Withdrawal {
        index,
        validator_index: index,
        address: H160::from_low_u64_be(0x1000 + index),
        amount_gwei,
    }
}

#[test]
fn withdrawals_credit_gwei_and_touch() {
    let spec = SpecId::Shanghai;
    let chain = chain(spec);
    let parent = genesis(spec);
    let empty = H160::from_low_u64_be(0x1000 + 2);
    let mut pre = BTreeMap::new();
    pre.insert(empty, InMemoryAccount::default());
    let state = InMemoryState::new(pre);
    let mut block = empty_block(spec, &parent);
    let withdrawals = vec![
        withdrawal(1, 5),
        withdrawal(2, 0),
        withdrawal(3, 0),
        withdrawal(1, 1),
    ];
    block.header.withdrawals_root = Some(super::withdrawals::withdrawals_root(&withdrawals));
    block.withdrawals = Some(withdrawals);
    let post = seal_state_root(&state, &chain, spec, &parent, &mut block);
    let credited = post.accounts[&H160::from_low_u64_be(0x1001)].balance;
    assert_eq!(credited, U256::from(6_000_000_000u64));
    // Zero amounts: the empty account is removed (EIP-161), the missing one stays missing.
    assert!(!post.accounts.contains_key(&empty));
    assert!(!post.accounts.contains_key(&H160::from_low_u64_be(0x1003)));
}

#[test]
fn dao_fork_drains_into_the_refund_contract() {
    let chain = ChainSpec::from_test_network("HomesteadToDaoAt5").unwrap();
    let spec = SpecId::Homestead;
    let mut pre = BTreeMap::new();
    for (i, address) in DAO_DRAIN_LIST.iter().enumerate().take(3) {
        pre.insert(
            *address,
            InMemoryAccount {
                balance: U256::from(i as u64 + 1),
                nonce: 1,
                ..Default::default()
            },
        );
    }
    let state = InMemoryState::new(pre);
    let parent = Header {
        number: 4,
        ..genesis(spec)
    };
    let mut block = empty_block(spec, &parent);
    block.header.extra_data = DAO_EXTRA_DATA.to_vec();
    let post = seal_state_root(&state, &chain, spec, &parent, &mut block);
    assert_eq!(post.accounts[&DAO_REFUND_CONTRACT].balance, U256::from(6));
    assert_eq!(post.accounts[&DAO_DRAIN_LIST[0]].balance, U256::zero());
    assert_eq!(post.accounts[&DAO_DRAIN_LIST[0]].nonce, 1);
    // Every listed account is written, as the clients do before EIP-161.
    assert!(DAO_DRAIN_LIST.iter().all(|a| post.accounts.contains_key(a)));
    assert_eq!(
        DAO_DRAIN_LIST
            .iter()
            .collect::<alloc::collections::BTreeSet<_>>()
            .len(),
        116
    );
}

#[test]
fn beacon_root_is_stored_by_a_system_call() {
    let spec = SpecId::Cancun;
    let chain = chain(spec);
    let parent = genesis(spec);
    let mut pre = BTreeMap::new();
    pre.insert(
        BEACON_ROOTS_ADDRESS,
        InMemoryAccount {
            nonce: 1,
            code: super::beacon_root::BEACON_ROOTS_CODE.to_vec(),
            ..Default::default()
        },
    );
    let state = InMemoryState::new(pre);
    let mut block = empty_block(spec, &parent);
    let root = H256::repeat_byte(0xbe);
    block.header.parent_beacon_block_root = Some(root);
    let post = seal_state_root(&state, &chain, spec, &parent, &mut block);
    let storage = &post.accounts[&BEACON_ROOTS_ADDRESS].storage;
    let timestamp = block.header.timestamp;
    let slot = timestamp % 8191;
    assert_eq!(storage.get(&word(slot)), Some(&word(timestamp)));
    assert_eq!(storage.get(&word(slot + 8191)), Some(&root));
    // No fee, no nonce: the caller does not appear.
    assert!(!post.accounts.contains_key(&SYSTEM_ADDRESS));
    assert_eq!(post.accounts[&BEACON_ROOTS_ADDRESS].nonce, 1);
}

#[test]
fn ommers_pay_through_execute_block() {
    let spec = SpecId::Byzantium;
    let chain = chain(spec);
    let headers = pow_chain(3);
    let parent = &headers[3];
    let mut ommer = child(spec, &headers[2], 11);
    ommer.beneficiary = H160::repeat_byte(0x0e);
    let mut block = Block {
        header: with_ommers(child(spec, parent, 10), core::slice::from_ref(&ommer)),
        transactions: vec![],
        ommers: vec![ommer.clone()],
        withdrawals: None,
    };
    // The ancestors without the parent: execute_block adds it.
    let ancestors = &headers[..3];
    let run = |state: &mut InMemoryState, block: &Block| {
        execute_block(
            state,
            &chain,
            spec,
            parent,
            ancestors,
            block,
            &NativePrecompiles,
        )
    };
    match run(&mut InMemoryState::default(), &block) {
        Err(BlockError::StateRootMismatch { got, .. }) => block.header.state_root = got,
        other => panic!("{other:?}"),
    }
    let mut state = InMemoryState::default();
    run(&mut state, &block).unwrap();
    let three = U256::from(3_000_000_000_000_000_000u64);
    assert_eq!(state.accounts[&ommer.beneficiary].balance, three * 7 / 8);
    assert_eq!(
        state.accounts[&block.header.beneficiary].balance,
        three + three / 32
    );
}

#[test]
fn built_blocks_execute_in_every_fork() {
    use crate::tx::{GasPrice, Transaction, TxKind, TxType, address_of_secret_key};
    let secret = [0x45u8; 32];
    let sender = address_of_secret_key(&secret).unwrap();
    for spec in [
        SpecId::Frontier,
        SpecId::SpuriousDragon,
        SpecId::Berlin,
        SpecId::London,
        SpecId::Shanghai,
        SpecId::Cancun,
    ] {
        let chain = chain(spec);
        let parent = genesis(spec);
        let funded = InMemoryAccount {
            balance: U256::from(10u64).pow(U256::from(20)),
            ..InMemoryAccount::default()
        };
        let mut pre = InMemoryState::new([(sender, funded)].into_iter().collect());
        let _ = pre.state_root();
        let mut transactions = Vec::new();
        let types: &[TxType] = if spec.is_enabled_in(SpecId::London) {
            &[TxType::Legacy, TxType::AccessList, TxType::DynamicFee]
        } else if spec.is_enabled_in(SpecId::Berlin) {
            &[TxType::Legacy, TxType::AccessList]
        } else {
            &[TxType::Legacy]
        };
        for (nonce, tx_type) in types.iter().enumerate() {
            let mut tx = Transaction {
                tx_type: *tx_type,
                chain_id: spec
                    .is_enabled_in(SpecId::SpuriousDragon)
                    .then_some(chain.chain_id),
                nonce: nonce as u64,
                gas_price: match tx_type {
                    TxType::DynamicFee => GasPrice::FeeMarket {
                        max_fee: U256::from(2_000_000_000u64),
                        max_priority_fee: U256::from(2),
                    },
                    _ => GasPrice::Legacy(U256::from(2_000_000_000u64)),
                },
                gas_limit: 21_000,
                kind: TxKind::Call(H160::repeat_byte(0x77)),
                value: U256::from(5 + nonce),
                data: vec![],
                access_list: vec![],
                max_fee_per_blob_gas: U256::zero(),
                blob_versioned_hashes: vec![],
                signature: Default::default(),
            };
            assert_eq!(tx.sign(&secret).unwrap(), sender);
            assert_eq!(tx.recover_sender(spec).unwrap(), sender);
            transactions.push(tx);
        }
        let template = BlockTemplate {
            beneficiary: H160::repeat_byte(0xcb),
            timestamp: parent.timestamp + 12,
            gas_limit: parent.gas_limit,
            transactions,
            ..BlockTemplate::default()
        };
        let mut built_state = pre.clone();
        let (block, outcome) = build_block(
            &mut built_state,
            &chain,
            spec,
            &parent,
            template,
            &NativePrecompiles,
        )
        .unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(outcome.gas_used, 21_000 * types.len() as u64, "{spec:?}");
        // An importer accepts it as is, with the same post-state, after a round trip.
        let block = Block::decode(&block.encode()).unwrap();
        let mut imported = pre.clone();
        let replayed = execute(&mut imported, &chain, spec, &parent, &block)
            .unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(replayed, outcome, "{spec:?}");
        assert_eq!(
            imported.state_root().unwrap(),
            block.header.state_root,
            "{spec:?}"
        );
    }
}

#[test]
fn a_template_that_breaks_a_header_rule_is_refused() {
    let spec = SpecId::Cancun;
    let parent = genesis(spec);
    let template = BlockTemplate {
        timestamp: parent.timestamp,
        gas_limit: parent.gas_limit,
        ..BlockTemplate::default()
    };
    let result = build_block(
        &mut InMemoryState::default(),
        &chain(spec),
        spec,
        &parent,
        template,
        &NativePrecompiles,
    );
    assert!(
        matches!(result, Err(BlockError::Timestamp { .. })),
        "{result:?}"
    );
}
