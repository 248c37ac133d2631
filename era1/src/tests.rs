use super::*;

/// The mainnet archive of era 0, from `ERA1_DIR` (set by `scripts/test.sh` to
/// `../shared/history`, which holds `mainnet-00000.era1`).
fn mainnet_era0() -> Era1Archive {
    let dir = std::env::var_os("ERA1_DIR").unwrap_or_else(|| {
        panic!(
            "ERA1_DIR is not set: run scripts/test.sh, or set ERA1_DIR to a folder holding \
             mainnet-00000.era1 (mainnet blocks 0..8191)"
        )
    });
    let path = std::path::Path::new(&dir).join("mainnet-00000.era1");
    Era1Archive::open(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn mainnet_era0_has_mainnet_blocks_and_accumulator() {
    let archive = mainnet_era0();
    assert_eq!((archive.first_block(), archive.len()), (0, 8192));
    assert_eq!(
        archive.verify_accumulator(),
        Ok(MAINNET_ACCUMULATOR_ROOTS[0])
    );
    assert!(archive.mainnet_root_known());
    let genesis = archive.block(0).unwrap().unwrap();
    assert_eq!(
        format!("{:x}", genesis.hash()),
        "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"
    );
    assert_eq!(genesis.total_difficulty, U256::from(17_179_869_184u64));
    let last = archive.block(8191).unwrap().unwrap();
    assert_eq!(
        format!("{:x}", last.hash()),
        "a6860fefa339c963e1bb622526cc8dd4344eedd2a9b969e74de5cccc445fbed4"
    );
    assert!(archive.block(8192).is_none());
    // Every block reassembles into one evm-core decodes with the same header, and its archived
    // receipts (none in era 0) hash to the header's receipts root.
    for number in [0, 1, 1000, 8191] {
        let block = archive.block(number).unwrap().unwrap();
        let decoded = evm_core::block::Block::decode(&block.block_rlp().unwrap()).unwrap();
        assert_eq!(decoded.header, block.header);
        assert_eq!(block.receipts_root().unwrap(), block.header.receipts_root);
    }
}

#[test]
fn total_difficulty_is_the_running_sum() {
    let archive = mainnet_era0();
    let mut sum = U256::zero();
    for block in archive.blocks() {
        let block = block.unwrap();
        sum += block.header.difficulty;
        assert_eq!(block.total_difficulty, sum, "block {}", block.number);
    }
}

fn test_header(number: u64) -> Header {
    Header {
        parent_hash: H256::zero(),
        ommers_hash: H256::zero(),
        beneficiary: Default::default(),
        state_root: H256::zero(),
        transactions_root: H256::zero(),
        receipts_root: witness::EMPTY_ROOT,
        logs_bloom: Default::default(),
        difficulty: U256::one(),
        number,
        gas_limit: 5000,
        gas_used: 0,
        timestamp: number,
        extra_data: Vec::new(),
        mix_hash: H256::zero(),
        nonce: [0; 8],
        base_fee_per_gas: None,
        withdrawals_root: None,
        blob_gas_used: None,
        excess_blob_gas: None,
        parent_beacon_block_root: None,
    }
}

/// A framed archive of `blocks` tiny entries, built by hand: version, tuples, accumulator, index.
fn synthetic(count: u64) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, kind: [u8; 2], data: &[u8]) {
        out.extend_from_slice(&kind);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(data);
    }
    fn framed(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = snap::write::FrameEncoder::new(&mut out);
        std::io::Write::write_all(&mut encoder, data).unwrap();
        drop(encoder);
        out
    }
    let mut out = Vec::new();
    entry(&mut out, [0x65, 0x32], &[]);
    let mut offsets = Vec::new();
    for number in 0..count {
        offsets.push(out.len() as i64);
        let header = test_header(number);
        entry(&mut out, [0x03, 0x00], &framed(&header.encode()));
        entry(&mut out, [0x04, 0x00], &framed(&[0xc2, 0xc0, 0xc0]));
        entry(&mut out, [0x05, 0x00], &framed(&[0xc0]));
        entry(&mut out, [0x06, 0x00], &[0; 32]);
    }
    entry(&mut out, [0x07, 0x00], &[7; 32]);
    let index_at = out.len() as i64;
    let mut index = Vec::new();
    index.extend_from_slice(&0u64.to_le_bytes());
    for offset in offsets {
        index.extend_from_slice(&(offset - index_at).to_le_bytes());
    }
    index.extend_from_slice(&count.to_le_bytes());
    entry(&mut out, [0x66, 0x32], &index);
    out
}

#[test]
fn a_hand_built_archive_reads_back() {
    let archive = Era1Archive::from_bytes(synthetic(3)).unwrap();
    assert_eq!((archive.first_block(), archive.len()), (0, 3));
    let numbers: Vec<u64> = archive.blocks().map(|b| b.unwrap().number).collect();
    assert_eq!(numbers, [0, 1, 2]);
    assert!(matches!(
        archive.verify_accumulator(),
        Err(Era1Error::AccumulatorMismatch { .. })
    ));
}

#[test]
fn every_truncation_and_every_flipped_byte_is_an_error_not_a_panic() {
    let bytes = synthetic(2);
    for len in 0..bytes.len() {
        // Either the frame is refused or a block read fails; nothing panics.
        if let Ok(archive) = Era1Archive::from_bytes(bytes[..len].to_vec()) {
            for block in archive.blocks() {
                let _ = block.map(|b| b.block_rlp());
            }
        }
    }
    for at in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0xff;
        if let Ok(archive) = Era1Archive::from_bytes(flipped) {
            for block in archive.blocks() {
                let _ = block.map(|b| (b.block_rlp(), b.receipts_root()));
            }
            let _ = archive.verify_accumulator();
        }
    }
    assert!(matches!(
        Era1Archive::from_bytes(b"not an archive".to_vec()),
        Err(Era1Error::Frame(_))
    ));
}

#[test]
fn a_snappy_bomb_is_refused() {
    let huge = vec![0u8; (entry::MAX_HEADER_BYTES + 1) as usize];
    let mut framed = Vec::new();
    let mut encoder = snap::write::FrameEncoder::new(&mut framed);
    std::io::Write::write_all(&mut encoder, &huge).unwrap();
    drop(encoder);
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&[0x03, 0x00]);
    bytes.extend_from_slice(&(framed.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&[0, 0]);
    bytes.extend_from_slice(&framed);
    let entry = Entry::read(&bytes, 0).unwrap();
    assert_eq!(
        entry.decompress(entry::MAX_HEADER_BYTES),
        Err(entry::EntryError::TooLarge {
            limit: entry::MAX_HEADER_BYTES
        })
    );
}
