//! Trie nodes from an untrusted witness.
//!
//! The input is read twice:
//! 1. whole, as one node for `Node::decode`: whatever decodes must re-encode to the same bytes
//!    (strictness is what keeps a node's hash unique);
//! 2. as a list of nodes, each a 2-byte big-endian length and that many bytes (cut short at the
//!    end), put in a `NodePool`; the first node's hash is the root. `SparseTrie::from_pool` must
//!    reject or accept without panicking, an accepted trie must keep that root, and reads and
//!    writes with keys taken from the nodes' bytes must not panic either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use witness::{Node, NodePool, SparseTrie, keccak256};

fuzz_target!(|data: &[u8]| {
    if let Ok(node) = Node::decode(data) {
        assert_eq!(
            node.encode(),
            data,
            "a decoded node must re-encode to its bytes"
        );
    }

    let nodes = split(data);
    let Some(first) = nodes.first() else {
        return;
    };
    let root = keccak256(first);
    let pool = NodePool::from_nodes(&nodes);
    let Ok(mut trie) = SparseTrie::from_pool(root, &pool) else {
        return;
    };
    assert_eq!(trie.root(), root, "resolving must not change the root");
    for node in &nodes {
        let key = &node[..node.len().min(32)];
        let _ = trie.get(key);
        if trie.insert(key, b"fuzz".to_vec()).is_ok() {
            assert_eq!(trie.get(key), Ok(Some(&b"fuzz"[..])));
        }
        let _ = trie.root();
        if trie.remove(key).is_ok() {
            assert_eq!(trie.get(key), Ok(None));
        }
    }
    let _ = trie.root();
});

/// Length-prefixed chunks (2-byte big-endian length; the last one may be short).
fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    while let [high, low, rest @ ..] = data {
        let len = usize::from(u16::from_be_bytes([*high, *low])).min(rest.len());
        let (chunk, tail) = rest.split_at(len);
        chunks.push(chunk);
        data = tail;
    }
    chunks
}
