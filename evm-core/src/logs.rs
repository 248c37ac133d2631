//! Logs: their RLP, the logs hash state tests check, and the 2048-bit bloom of receipts and headers.

use alloc::vec::Vec;
use primitive_types::{H160, H256};
use rlp::RlpStream;

/// A log entry emitted by LOG0..LOG4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Emitting contract.
    pub address: H160,
    /// Up to four topics.
    pub topics: Vec<H256>,
    /// Payload.
    pub data: Vec<u8>,
}

impl rlp::Encodable for Log {
    fn rlp_append(&self, s: &mut RlpStream) {
        s.begin_list(3);
        s.append(&self.address);
        s.append_list(&self.topics);
        s.append(&self.data);
    }
}

/// `keccak256(rlp(logs))`, the `logs` field of a state test's post-state.
pub fn logs_hash(logs: &[Log]) -> H256 {
    let mut stream = RlpStream::new();
    stream.append_list(logs);
    witness::keccak256(&stream.out())
}

/// The 2048-bit bloom filter of receipts and block headers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bloom(pub [u8; 256]);

impl Default for Bloom {
    fn default() -> Self {
        Bloom([0u8; 256])
    }
}

impl core::fmt::Debug for Bloom {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Bloom(0x")?;
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(")")
    }
}

impl Bloom {
    /// Sets the three bits of `input` (Yellow Paper, M3:2048).
    pub fn accrue(&mut self, input: &[u8]) {
        let hash = witness::keccak256(input).0;
        for i in [0usize, 2, 4] {
            let bit = (((hash[i] as usize) << 8) | hash[i + 1] as usize) & 2047;
            self.0[255 - bit / 8] |= 1 << (bit % 8);
        }
    }

    /// Adds a log's address and topics.
    pub fn accrue_log(&mut self, log: &Log) {
        self.accrue(log.address.as_bytes());
        for topic in &log.topics {
            self.accrue(topic.as_bytes());
        }
    }

    /// Bitwise OR with another bloom.
    pub fn merge(&mut self, other: &Bloom) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0.iter()) {
            *mine |= *theirs;
        }
    }

    /// The bloom of `logs`.
    pub fn of_logs(logs: &[Log]) -> Bloom {
        let mut bloom = Bloom::default();
        for log in logs {
            bloom.accrue_log(log);
        }
        bloom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_logs_hash_is_keccak_of_empty_list() {
        // keccak256(0xc0)
        let expected = "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
        assert_eq!(hex::encode(logs_hash(&[])), expected);
    }

    #[test]
    fn bloom_sets_three_bits_per_item() {
        let mut bloom = Bloom::default();
        bloom.accrue(&[0u8; 20]);
        let ones: u32 = bloom.0.iter().map(|b| b.count_ones()).sum();
        assert!((1..=3).contains(&ones));
    }
}
