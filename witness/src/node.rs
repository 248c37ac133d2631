//! Merkle-Patricia trie nodes (Yellow Paper, appendix D) and their RLP.
//!
//! Decoding is strict because node bytes come from an untrusted witness: a node must be a list of
//! 17 items (branch) or 2 items (leaf or extension), every length must be canonical, child
//! references must be empty, a 32-byte hash or an inline node under 32 bytes, and no byte may
//! follow the node. So a node that decodes re-encodes to the same bytes, hence the same hash.

use alloc::boxed::Box;
use alloc::vec::Vec;

use ::rlp::RlpStream;
use primitive_types::H256;

use crate::nibbles::{Nibbles, NibblesError};
use crate::rlp::{self, Item, RlpError};
use crate::trie_root::keccak256;

/// Why bytes are not a trie node.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    /// The RLP itself is malformed, not canonical, or followed by more bytes.
    #[error("malformed RLP: {0}")]
    Rlp(#[from] RlpError),
    /// A node is an RLP list; this was a string.
    #[error("node is an RLP string, expected a list")]
    NotAList,
    /// A list item that must be a string (path, value, hash) was a list.
    #[error("item {index} is a list, expected a string")]
    ExpectedString {
        /// Item index in the node's list.
        index: usize,
    },
    /// Only branches (17 items) and leaves or extensions (2 items) exist.
    #[error("node list has {got} items, expected 17 (branch) or 2 (leaf or extension)")]
    ItemCount {
        /// Items found.
        got: usize,
    },
    /// The hex-prefix path of a leaf or extension is malformed.
    #[error("bad hex-prefix path: {0}")]
    Path(#[from] NibblesError),
    /// A child reference that is a string must be empty or a 32-byte hash.
    #[error("child {index} is a {got}-byte string, expected 0 (empty) or 32 (hash)")]
    BadChildLength {
        /// Item index in the node's list.
        index: usize,
        /// Length found.
        got: usize,
    },
    /// A node is inlined only when its RLP is under 32 bytes; a longer one must be hashed.
    #[error("inline child {index} is {got} bytes, expected under 32")]
    InlineTooLong {
        /// Item index in the node's list.
        index: usize,
        /// RLP length found.
        got: usize,
    },
    /// An extension must lead somewhere.
    #[error("extension node has an empty child reference")]
    EmptyExtensionChild,
    /// An extension with an empty path would be a no-op node, never built.
    #[error("extension node has an empty path")]
    EmptyExtensionPath,
    /// The trie never stores an empty value (storing one deletes the key).
    #[error("leaf node has an empty value")]
    EmptyLeafValue,
}

/// How a node refers to a child: by hash, or by embedding it when its RLP is under 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// Keccak-256 of the child's RLP; the child itself lives elsewhere (in the witness).
    Hash(H256),
    /// A child whose RLP is under 32 bytes, embedded in its parent.
    Inline(Box<Node>),
}

/// A trie node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// The end of a key: the rest of its path and the value.
    Leaf {
        /// Remaining nibbles of the key.
        path: Nibbles,
        /// The value (never empty).
        value: Vec<u8>,
    },
    /// A run of nibbles shared by every key below.
    Extension {
        /// The shared nibbles (never empty).
        path: Nibbles,
        /// The node below (always a branch in a well-formed trie).
        child: NodeRef,
    },
    /// A fork on the next nibble, with the value of the key that ends here, if any.
    Branch {
        /// One optional child per nibble value.
        children: Box<[Option<NodeRef>; 16]>,
        /// Value of the key ending at this node.
        value: Option<Vec<u8>>,
    },
}

impl NodeRef {
    /// The reference a parent holds to `node`: inline if its RLP is under 32 bytes, else its
    /// hash.
    pub fn to_node(node: Node) -> NodeRef {
        let encoded = node.encode();
        if encoded.len() < 32 {
            NodeRef::Inline(Box::new(node))
        } else {
            NodeRef::Hash(keccak256(&encoded))
        }
    }

    fn append_to(&self, stream: &mut RlpStream) {
        match self {
            NodeRef::Hash(hash) => {
                stream.append(&hash.as_bytes());
            }
            NodeRef::Inline(node) => {
                stream.append_raw(&node.encode(), 1);
            }
        }
    }
}

impl Node {
    /// The node's RLP.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Node::Leaf { path, value } => {
                let mut stream = RlpStream::new_list(2);
                stream.append(&path.encode_compact(true));
                stream.append(value);
                stream.out().to_vec()
            }
            Node::Extension { path, child } => {
                let mut stream = RlpStream::new_list(2);
                stream.append(&path.encode_compact(false));
                child.append_to(&mut stream);
                stream.out().to_vec()
            }
            Node::Branch { children, value } => {
                let mut stream = RlpStream::new_list(17);
                for child in children.iter() {
                    match child {
                        Some(child) => child.append_to(&mut stream),
                        None => {
                            stream.append_empty_data();
                        }
                    }
                }
                match value {
                    Some(value) => stream.append(value),
                    None => stream.append_empty_data(),
                };
                stream.out().to_vec()
            }
        }
    }

    /// Keccak-256 of the node's RLP, the key under which a witness holds it.
    pub fn hash(&self) -> H256 {
        keccak256(&self.encode())
    }

    /// Decodes one node, strictly (see the module doc). Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Node, NodeError> {
        let Item::List(list) = rlp::decode_exact(bytes)? else {
            return Err(NodeError::NotAList);
        };
        let items = list_items(list)?;
        match items.as_slice() {
            [children @ .., value] if children.len() == 16 => {
                let mut slots: Box<[Option<NodeRef>; 16]> = Box::default();
                for (index, (slot, (item, raw))) in slots.iter_mut().zip(children).enumerate() {
                    *slot = decode_child(*item, raw, index)?;
                }
                let value = string_payload(value.0, 16)?;
                Ok(Node::Branch {
                    children: slots,
                    value: (!value.is_empty()).then(|| value.to_vec()),
                })
            }
            [(path, _), (second, second_raw)] => {
                let (path, is_leaf) = Nibbles::decode_compact(string_payload(*path, 0)?)?;
                if is_leaf {
                    let value = string_payload(*second, 1)?;
                    if value.is_empty() {
                        return Err(NodeError::EmptyLeafValue);
                    }
                    Ok(Node::Leaf {
                        path,
                        value: value.to_vec(),
                    })
                } else {
                    if path.is_empty() {
                        return Err(NodeError::EmptyExtensionPath);
                    }
                    let child = decode_child(*second, second_raw, 1)?
                        .ok_or(NodeError::EmptyExtensionChild)?;
                    Ok(Node::Extension { path, child })
                }
            }
            _ => Err(NodeError::ItemCount { got: items.len() }),
        }
    }
}

/// A node's items with their raw bytes (an inline child is decoded from its own bytes).
fn list_items(mut list: rlp::List<'_>) -> Result<Vec<(Item<'_>, &[u8])>, NodeError> {
    let mut items = Vec::new();
    while let Some(item) = list.next_raw()? {
        items.push(item);
        if items.len() > 17 {
            // No node has more; stop before an attacker makes us collect a huge list.
            return Err(NodeError::ItemCount { got: items.len() });
        }
    }
    Ok(items)
}

/// The payload of a string item.
fn string_payload(item: Item<'_>, index: usize) -> Result<&[u8], NodeError> {
    item.into_bytes()
        .map_err(|_| NodeError::ExpectedString { index })
}

/// A child reference: an empty string (no child), a 32-byte hash, or an inline node.
fn decode_child(item: Item<'_>, raw: &[u8], index: usize) -> Result<Option<NodeRef>, NodeError> {
    if let Item::List(_) = item {
        if raw.len() >= 32 {
            return Err(NodeError::InlineTooLong {
                index,
                got: raw.len(),
            });
        }
        // Recursion is bounded: each inline level is shorter than its parent.
        return Ok(Some(NodeRef::Inline(Box::new(Node::decode(raw)?))));
    }
    let payload = string_payload(item, index)?;
    match payload.len() {
        0 => Ok(None),
        32 => Ok(Some(NodeRef::Hash(H256::from_slice(payload)))),
        got => Err(NodeError::BadChildLength { index, got }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn leaf(path: &[u8], value: &[u8]) -> Node {
        Node::Leaf {
            path: Nibbles::from_nibbles(path).unwrap(),
            value: value.to_vec(),
        }
    }

    #[test]
    fn round_trips() {
        let small = leaf(&[1, 2, 3], b"v");
        let big = leaf(&[4; 40], &[7; 40]);
        let mut children: Box<[Option<NodeRef>; 16]> = Box::default();
        children[0] = Some(NodeRef::to_node(small.clone()));
        children[15] = Some(NodeRef::to_node(big.clone()));
        assert!(matches!(children[0], Some(NodeRef::Inline(_))));
        assert!(matches!(children[15], Some(NodeRef::Hash(_))));
        let branch = Node::Branch {
            children,
            value: Some(b"here".to_vec()),
        };
        let extension = Node::Extension {
            path: Nibbles::from_nibbles(&[0xa]).unwrap(),
            child: NodeRef::Hash(branch.hash()),
        };
        for node in [small, big, branch, extension] {
            assert_eq!(Node::decode(&node.encode()), Ok(node));
        }
    }

    #[test]
    fn rejects_malformed() {
        // A string, not a list.
        assert_eq!(Node::decode(&[0x83, 1, 2, 3]), Err(NodeError::NotAList));
        // Three items.
        assert_eq!(
            Node::decode(&[0xc3, 0x01, 0x02, 0x03]),
            Err(NodeError::ItemCount { got: 3 })
        );
        // Empty input and a truncated list.
        assert!(matches!(Node::decode(&[]), Err(NodeError::Rlp(_))));
        assert!(matches!(
            Node::decode(&[0xc5, 0x20]),
            Err(NodeError::Rlp(_))
        ));
        // Trailing byte after a valid leaf.
        let mut bytes = leaf(&[1], b"v").encode();
        bytes.push(0);
        assert!(matches!(
            Node::decode(&bytes),
            Err(NodeError::Rlp(RlpError::TrailingBytes(1)))
        ));
        // Non-canonical single byte (0x81 0x05 instead of 0x05) as the value.
        assert!(matches!(
            Node::decode(&[0xc3, 0x20, 0x81, 0x05]),
            Err(NodeError::Rlp(RlpError::NonCanonicalSingleByte(5)))
        ));
        // Bad flag nibble, empty leaf value, empty extension child.
        assert_eq!(
            Node::decode(&[0xc2, 0x40, 0x01]),
            Err(NodeError::Path(NibblesError::BadFlag(4)))
        );
        assert_eq!(
            Node::decode(&[0xc2, 0x20, 0x80]),
            Err(NodeError::EmptyLeafValue)
        );
        assert_eq!(
            Node::decode(&[0xc2, 0x11, 0x80]),
            Err(NodeError::EmptyExtensionChild)
        );
        assert_eq!(
            Node::decode(&[0xc3, 0x1a, 0x81, 0xaa]),
            Err(NodeError::BadChildLength { index: 1, got: 1 })
        );
        // A branch whose child is a 3-byte string.
        let mut branch = vec![0xd4, 0x83, 1, 2, 3];
        branch.extend([0x80; 16]);
        assert_eq!(
            Node::decode(&branch),
            Err(NodeError::BadChildLength { index: 0, got: 3 })
        );
    }

    #[test]
    fn rejects_long_inline_child() {
        let big = leaf(&[4; 40], &[7; 40]).encode();
        let mut stream = RlpStream::new_list(2);
        stream.append(&vec![0x11u8]);
        stream.append_raw(&big, 1);
        assert_eq!(
            Node::decode(&stream.out()),
            Err(NodeError::InlineTooLong {
                index: 1,
                got: big.len()
            })
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics_and_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(node) = Node::decode(&bytes) {
                prop_assert_eq!(node.encode(), bytes);
            }
        }

        #[test]
        fn mutated_nodes_never_panic(
            path in proptest::collection::vec(0u8..16, 0..8),
            value in proptest::collection::vec(any::<u8>(), 1..50),
            at in any::<usize>(),
            byte in any::<u8>(),
        ) {
            let mut bytes = leaf(&path, &value).encode();
            let at = at % bytes.len();
            bytes[at] = byte;
            if let Ok(node) = Node::decode(&bytes) {
                prop_assert_eq!(node.encode(), bytes);
            }
        }
    }
}
