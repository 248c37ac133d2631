//! A sparse Merkle-Patricia trie: the part of a trie a witness reveals, with every other subtree
//! kept as the hash its parent names.
//!
//! Stateless validation gets a pre-state root and a bag of nodes. [`SparseTrie::from_pool`]
//! rebuilds, from the root down, every node the witness holds, finding each by the hash its parent
//! names, so the whole witness is checked against the root before anything reads it; a node is
//! only trusted because it was reached this way. Reads then prove what they return: a path that
//! runs into an unresolved subtree is [`TrieError::MissingNode`], never "absent".
//!
//! Writes change only the nodes on their path and forget those nodes' cached references; the next
//! [`SparseTrie::root`] re-encodes and rehashes just those, and reuses the hash of every clean
//! node (for nodes from the witness: the hash they were found under). Deleting a key can turn a
//! branch into an extension or leaf by merging it with its one remaining child, which needs that
//! child's kind: if the witness does not hold it, the error is [`TrieError::MissingSibling`] and
//! the generator must add that node.
//!
//! Recursion depth is the depth of the trie: at most about two nodes per nibble of the longest
//! key (65 levels for the 32-byte keys of the state and storage tries). Resolution from a witness
//! stops at [`MAX_DEPTH`] levels so a crafted witness cannot exhaust the stack.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::{fmt, mem};

use primitive_types::H256;
use rlp::RlpStream;

use crate::nibbles::Nibbles;
use crate::node::{Node, NodeError, NodeRef};
use crate::pool::NodePool;
use crate::trie_root::{EMPTY_ROOT, keccak256};

/// Deepest node level [`SparseTrie::from_pool`] resolves (the root is level 0). A canonical trie
/// of 32-byte keys needs at most 65; the limit only stops crafted witnesses.
pub const MAX_DEPTH: usize = 256;

/// Bytes of trie nodes that resolving may copy beyond twice the pool's size. A node referenced
/// from several places is copied once per reference; in a real witness that is rare and small,
/// but a crafted pool could make the copies grow exponentially with depth.
const RESOLVE_SLACK: usize = 1 << 20;

/// Why a trie operation failed. Nothing is changed by a failed operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrieError {
    /// The path of the key runs into a subtree the witness does not hold.
    #[error("witness lacks trie node {hash:#x} at path {}", PathHex(.path))]
    MissingNode {
        /// Nibble path from the root to the missing node.
        path: Nibbles,
        /// The hash the parent names.
        hash: H256,
    },
    /// A deletion leaves a branch with one child that must be merged into its parent, and the
    /// witness does not hold that child.
    #[error(
        "deletion needs the sibling trie node {hash:#x} at path {}, which the witness lacks",
        PathHex(.path)
    )]
    MissingSibling {
        /// Nibble path from the root to the missing sibling.
        path: Nibbles,
        /// The hash its parent names.
        hash: H256,
    },
    /// A witness node reachable from the root is not a well-formed trie node.
    #[error("witness trie node {hash:#x} is malformed: {source}")]
    MalformedNode {
        /// Hash of the witness node (the enclosing one for an inline node).
        hash: H256,
        /// What is wrong with it.
        source: NodeError,
    },
    /// A witness node reachable from the root decodes, but no trie built by inserting keys has
    /// this shape, so the root cannot be an honest commitment to it.
    #[error("witness trie node {hash:#x} at path {} is not canonical: {reason}", PathHex(.path))]
    NonCanonical {
        /// Hash of the witness node (the enclosing one for an inline node).
        hash: H256,
        /// Nibble path from the root to the offending node.
        path: Nibbles,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// The witness nests nodes deeper than [`MAX_DEPTH`] levels.
    #[error("witness trie is deeper than {max} nodes at path {}", PathHex(.path))]
    TooDeep {
        /// Nibble path from the root to the node past the limit.
        path: Nibbles,
        /// The limit, [`MAX_DEPTH`].
        max: usize,
    },
    /// Witness nodes are referenced so often that resolving them would copy more than `limit`
    /// bytes (twice the pool's size plus 1 MiB).
    #[error(
        "resolving the witness would copy more than {limit} bytes of trie nodes (nodes referenced from too many places)"
    )]
    TooManyReferences {
        /// The budget, in bytes.
        limit: usize,
    },
}

/// Shows a nibble path as `0x` followed by one hex digit per nibble.
struct PathHex<'a>(&'a Nibbles);

impl fmt::Display for PathHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for nibble in self.0.as_slice() {
            write!(f, "{nibble:x}")?;
        }
        if self.0.is_empty() {
            f.write_str(" (the root)")?;
        }
        Ok(())
    }
}

/// A Merkle-Patricia trie of which only some nodes are known; see the module doc.
#[derive(Clone, Debug)]
pub struct SparseTrie {
    root: TrieNode,
}

/// A node and, while it is unchanged, how a parent refers to it.
#[derive(Clone, Debug)]
struct TrieNode {
    kind: Kind,
    /// `None` for a node changed since it was last hashed (or an inline node not yet encoded).
    /// Invariant: a changed node's ancestors are all `None` too.
    cache: Option<Ref>,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Only ever the root: the trie holds no key.
    Empty,
    /// A subtree the witness did not reveal.
    Hash(H256),
    Leaf {
        path: Nibbles,
        value: Vec<u8>,
    },
    /// Invariant: the child is a branch or a hash.
    Extension {
        path: Nibbles,
        child: Box<TrieNode>,
    },
    /// Invariant: at least two of (children, value).
    Branch {
        children: Box<[Option<TrieNode>; 16]>,
        value: Option<Vec<u8>>,
    },
}

/// How a parent refers to a node: by hash, or by its RLP when that is under 32 bytes.
#[derive(Clone, Copy, Debug)]
enum Ref {
    Hash(H256),
    Inline { len: u8, rlp: [u8; 31] },
}

impl Ref {
    /// The reference to a node with this RLP, hashing it only when it is 32 bytes or more.
    fn of_rlp(rlp: &[u8], known_hash: Option<H256>) -> Ref {
        match u8::try_from(rlp.len()) {
            Ok(len) if len < 32 => {
                let mut out = [0u8; 31];
                if let Some(prefix) = out.get_mut(..rlp.len()) {
                    prefix.copy_from_slice(rlp);
                }
                Ref::Inline { len, rlp: out }
            }
            _ => Ref::Hash(known_hash.unwrap_or_else(|| keccak256(rlp))),
        }
    }

    fn inline_rlp(&self) -> Option<&[u8]> {
        match self {
            Ref::Hash(_) => None,
            Ref::Inline { len, rlp } => rlp.get(..usize::from(*len)),
        }
    }

    /// The root hash of a trie whose root node has this reference: the root is always hashed.
    fn root_hash(&self) -> H256 {
        match self {
            Ref::Hash(hash) => *hash,
            Ref::Inline { .. } => keccak256(self.inline_rlp().unwrap_or_default()),
        }
    }

    fn append_to(&self, stream: &mut RlpStream) {
        match self {
            Ref::Hash(hash) => {
                stream.append(&hash.as_bytes());
            }
            Ref::Inline { .. } => {
                stream.append_raw(self.inline_rlp().unwrap_or_default(), 1);
            }
        }
    }
}

impl TrieNode {
    fn new(kind: Kind) -> TrieNode {
        TrieNode { kind, cache: None }
    }

    fn empty() -> TrieNode {
        TrieNode::new(Kind::Empty)
    }

    fn leaf(path: Nibbles, value: Vec<u8>) -> TrieNode {
        TrieNode::new(Kind::Leaf { path, value })
    }
}

impl SparseTrie {
    /// A trie with root `root` whose nodes come from `pool`: every node reachable from the root
    /// that the pool holds is resolved now (so the whole witness is verified against the root
    /// before use: nodes are found by hash); subtrees the pool lacks stay as hash references;
    /// pool nodes unreachable from the root are ignored. [`EMPTY_ROOT`] gives an empty trie.
    ///
    /// Strict: a reachable node must decode strictly ([`TrieError::MalformedNode`]) and have the
    /// shape a trie built by insertions has ([`TrieError::NonCanonical`]): hashed nodes are at
    /// least 32 bytes, extensions lead to branches, branches hold at least two entries.
    pub fn from_pool(root: H256, pool: &NodePool) -> Result<SparseTrie, TrieError> {
        if root == EMPTY_ROOT {
            return Ok(SparseTrie::empty());
        }
        let mut resolver = Resolver::new(pool, Vec::new());
        Ok(SparseTrie {
            root: resolver.resolve_hash(root, true, 0)?,
        })
    }

    /// The trie holding no key.
    pub fn empty() -> SparseTrie {
        SparseTrie {
            root: TrieNode::empty(),
        }
    }

    /// Value at `key`; `Ok(None)` only when the trie proves absence; a path through an
    /// unresolved subtree is `Err(TrieError::MissingNode { path, hash })`.
    pub fn get(&self, key: &[u8]) -> Result<Option<&[u8]>, TrieError> {
        let mut node = &self.root;
        let mut at = 0;
        loop {
            match &node.kind {
                Kind::Empty => return Ok(None),
                Kind::Hash(hash) => {
                    return Err(TrieError::MissingNode {
                        path: key_path(key, at),
                        hash: *hash,
                    });
                }
                Kind::Leaf { path, value } => {
                    return Ok(ends_with(key, at, path.as_slice()).then_some(value.as_slice()));
                }
                Kind::Extension { path, child } => {
                    if common_with_key(key, at, path.as_slice()) < path.len() {
                        return Ok(None);
                    }
                    at += path.len();
                    node = child;
                }
                Kind::Branch { children, value } => match key_nibble(key, at) {
                    None => return Ok(value.as_deref()),
                    Some(nibble) => match children.get(usize::from(nibble)) {
                        Some(Some(child)) => {
                            at += 1;
                            node = child;
                        }
                        _ => return Ok(None),
                    },
                },
            }
        }
    }

    /// Sets the value at `key`; an empty value removes the key (the trie never stores one).
    /// Fails with [`TrieError::MissingNode`] if the path runs into an unresolved subtree.
    pub fn insert(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), TrieError> {
        if value.is_empty() {
            return self.remove(key);
        }
        insert_at(&mut self.root, key, 0, value).map(drop)
    }

    /// Removes `key` (absent key: no-op, but absence must be provable). When a branch is left
    /// with one child that is an unresolved hash, the collapse needs that sibling node:
    /// `Err(TrieError::MissingSibling { path, hash })`. On any error the trie is unchanged.
    pub fn remove(&mut self, key: &[u8]) -> Result<(), TrieError> {
        remove_at(&mut self.root, key, 0).map(drop)
    }

    /// Root hash; only nodes changed since the last call are rehashed (clean nodes keep their
    /// cached hash, including the original hashes of nodes resolved from the pool).
    pub fn root(&mut self) -> H256 {
        self.root_collecting(None)
    }

    /// [`root`](Self::root), also appending to `new_nodes` the RLP of every node it re-encodes
    /// that its parent refers to by hash, and the root's: after writes to a trie resolved from a
    /// node store, those are the nodes the store lacks for the new root (plus, when roots are
    /// taken between writes, nodes of intermediate tries nothing will refer to).
    pub fn root_with_new_nodes(&mut self, new_nodes: &mut Vec<Vec<u8>>) -> H256 {
        self.root_collecting(Some(new_nodes))
    }

    /// [`root`](Self::root), also pushing to `sink` the RLP of every node it re-encodes that its
    /// parent refers to by hash, and the root's. For a trie built from nothing, that is every
    /// node a witness can hold.
    pub(crate) fn root_collecting(&mut self, mut sink: Option<&mut Vec<Vec<u8>>>) -> H256 {
        if matches!(self.root.kind, Kind::Empty) {
            return EMPTY_ROOT;
        }
        let was_clean = self.root.cache.is_some();
        let reference = commit(&mut self.root, &mut sink);
        if let (false, Some(rlp), Some(sink)) = (was_clean, reference.inline_rlp(), sink) {
            // A root under 32 bytes is still stored in witnesses by its hash.
            sink.push(rlp.to_vec());
        }
        reference.root_hash()
    }

    /// Resolves the unresolved node at `path` (as named by [`TrieError::MissingNode`] or
    /// [`TrieError::MissingSibling`]) from `pool`, with whatever the pool holds below it, under
    /// the same checks as [`from_pool`](Self::from_pool). Returns `false`, changing nothing, if
    /// `path` does not lead to an unresolved node or the pool lacks it.
    pub fn reveal(&mut self, path: &Nibbles, pool: &NodePool) -> Result<bool, TrieError> {
        let target = path.as_slice();
        let mut node = &mut self.root;
        let mut at = 0;
        let mut under_extension = false;
        loop {
            if let Kind::Hash(hash) = node.kind {
                if at != target.len() || pool.get(&hash).is_none() {
                    return Ok(false);
                }
                let mut resolver = Resolver::new(pool, target.to_vec());
                let resolved = resolver.resolve_hash(hash, at == 0, at)?;
                if under_extension && !matches!(resolved.kind, Kind::Branch { .. }) {
                    return Err(resolver.non_canonical(hash, NOT_A_BRANCH));
                }
                *node = resolved;
                return Ok(true);
            }
            node = match &mut node.kind {
                Kind::Extension { path, child }
                    if target.get(at..at.saturating_add(path.len())) == Some(path.as_slice()) =>
                {
                    at += path.len();
                    under_extension = true;
                    child
                }
                Kind::Branch { children, .. } => {
                    let child = target
                        .get(at)
                        .and_then(|nibble| children.get_mut(usize::from(*nibble)));
                    match child {
                        Some(Some(child)) => {
                            at += 1;
                            under_extension = false;
                            child
                        }
                        _ => return Ok(false),
                    }
                }
                _ => return Ok(false),
            };
        }
    }
}

const NOT_A_BRANCH: &str = "extension leads to a leaf or an extension, not a branch";

/// Rebuilds nodes from a pool, top down, with the checks of [`SparseTrie::from_pool`].
struct Resolver<'a> {
    pool: &'a NodePool,
    /// Bytes of pool nodes that may still be copied.
    budget: usize,
    limit: usize,
    /// Nibble path of the node being resolved, for error messages.
    path: Vec<u8>,
}

impl<'a> Resolver<'a> {
    fn new(pool: &'a NodePool, path: Vec<u8>) -> Self {
        let limit = pool
            .total_bytes()
            .saturating_mul(2)
            .saturating_add(RESOLVE_SLACK);
        Resolver {
            pool,
            budget: limit,
            limit,
            path,
        }
    }

    fn path(&self) -> Nibbles {
        nibbles(&self.path)
    }

    fn non_canonical(&self, hash: H256, reason: &'static str) -> TrieError {
        TrieError::NonCanonical {
            hash,
            path: self.path(),
            reason,
        }
    }

    /// The node the pool holds under `hash`, resolved as deep as the pool allows, or a hash
    /// reference if the pool lacks it.
    fn resolve_hash(
        &mut self,
        hash: H256,
        is_root: bool,
        depth: usize,
    ) -> Result<TrieNode, TrieError> {
        let Some(rlp) = self.pool.get(&hash) else {
            return Ok(TrieNode {
                kind: Kind::Hash(hash),
                cache: Some(Ref::Hash(hash)),
            });
        };
        self.budget = self
            .budget
            .checked_sub(rlp.len())
            .ok_or(TrieError::TooManyReferences { limit: self.limit })?;
        let node = Node::decode(rlp).map_err(|source| TrieError::MalformedNode { hash, source })?;
        if !is_root && rlp.len() < 32 {
            return Err(self.non_canonical(hash, "node under 32 bytes is referenced by hash"));
        }
        let mut resolved = self.convert(node, hash, depth)?;
        resolved.cache = Some(Ref::of_rlp(rlp, Some(hash)));
        Ok(resolved)
    }

    /// Turns a decoded node into a trie node, resolving its children. `hash` is the pool node
    /// that holds it (itself, or its parent for an inline node), for error messages.
    fn convert(&mut self, node: Node, hash: H256, depth: usize) -> Result<TrieNode, TrieError> {
        if depth > MAX_DEPTH {
            return Err(TrieError::TooDeep {
                path: self.path(),
                max: MAX_DEPTH,
            });
        }
        let kind = match node {
            Node::Leaf { path, value } => Kind::Leaf { path, value },
            Node::Extension { path, child } => {
                let mark = self.path.len();
                self.path.extend_from_slice(path.as_slice());
                let child = self.child(child, hash, depth + 1)?;
                self.path.truncate(mark);
                if !matches!(child.kind, Kind::Branch { .. } | Kind::Hash(_)) {
                    return Err(self.non_canonical(hash, NOT_A_BRANCH));
                }
                Kind::Extension {
                    path,
                    child: Box::new(child),
                }
            }
            Node::Branch { children, value } => {
                let entries = children.iter().flatten().count() + usize::from(value.is_some());
                if entries < 2 {
                    return Err(self.non_canonical(hash, "branch holds fewer than two entries"));
                }
                let mut out = empty_children();
                for (nibble, (slot, child)) in (0u8..).zip(out.iter_mut().zip(*children)) {
                    if let Some(child) = child {
                        self.path.push(nibble);
                        *slot = Some(self.child(child, hash, depth + 1)?);
                        self.path.pop();
                    }
                }
                Kind::Branch {
                    children: out,
                    value,
                }
            }
        };
        Ok(TrieNode::new(kind))
    }

    fn child(&mut self, child: NodeRef, parent: H256, depth: usize) -> Result<TrieNode, TrieError> {
        match child {
            NodeRef::Hash(hash) => self.resolve_hash(hash, false, depth),
            // Its RLP is part of the parent's; it is re-encoded only if the parent changes.
            NodeRef::Inline(node) => self.convert(*node, parent, depth),
        }
    }
}

fn empty_children() -> Box<[Option<TrieNode>; 16]> {
    Box::new(core::array::from_fn(|_| None))
}

/// Sets `value` at `key` in the subtree `node`, whose path is the key's first `at` nibbles.
/// Returns whether anything changed. Fails only on reaching a hash, before changing anything.
fn insert_at(
    node: &mut TrieNode,
    key: &[u8],
    at: usize,
    value: Vec<u8>,
) -> Result<bool, TrieError> {
    let changed = match &mut node.kind {
        Kind::Empty => {
            node.kind = Kind::Leaf {
                path: key_suffix(key, at),
                value,
            };
            true
        }
        Kind::Hash(hash) => {
            return Err(TrieError::MissingNode {
                path: key_path(key, at),
                hash: *hash,
            });
        }
        Kind::Leaf { path, value: old } => {
            let common = common_with_key(key, at, path.as_slice());
            let key_ends = key_nibble(key, at.saturating_add(common)).is_none();
            if common == path.len() && key_ends {
                let changed = *old != value;
                *old = value;
                changed
            } else {
                let path = mem::take(path);
                let old = Below::Leaf(mem::take(old));
                node.kind = split(key, at, common, path, old, value);
                true
            }
        }
        Kind::Extension { path, child } => {
            let common = common_with_key(key, at, path.as_slice());
            if common == path.len() {
                insert_at(child, key, at + common, value)?
            } else {
                let path = mem::take(path);
                let old = Below::Child(mem::replace(child, Box::new(TrieNode::empty())));
                node.kind = split(key, at, common, path, old, value);
                true
            }
        }
        Kind::Branch {
            children,
            value: here,
        } => match key_nibble(key, at) {
            None => {
                let changed = here.as_ref() != Some(&value);
                *here = Some(value);
                changed
            }
            Some(nibble) => match children.get_mut(usize::from(nibble)) {
                Some(Some(child)) => insert_at(child, key, at + 1, value)?,
                Some(slot) => {
                    *slot = Some(TrieNode::leaf(key_suffix(key, at + 1), value));
                    true
                }
                None => false, // a nibble is below 16
            },
        },
    };
    if changed {
        node.cache = None;
    }
    Ok(changed)
}

/// What a leaf or extension being split held below its path.
enum Below {
    Leaf(Vec<u8>),
    Child(Box<TrieNode>),
}

/// The node replacing a leaf or extension at key nibble `at` whose `path` shares only `common`
/// nibbles with the key: an extension of those nibbles (if any) over a branch holding the old
/// node's rest and the new key's rest.
fn split(
    key: &[u8],
    at: usize,
    common: usize,
    path: Nibbles,
    below: Below,
    value: Vec<u8>,
) -> Kind {
    let mut children = empty_children();
    let mut branch_value = None;
    match (path.get(common), below) {
        (None, Below::Leaf(old)) => branch_value = Some(old),
        // Callers split an extension only where its path diverges, so `common < path.len()`.
        (None, Below::Child(child)) => return child.kind,
        (Some(nibble), below) => {
            let rest = path.slice_from(common + 1);
            let node = match below {
                Below::Leaf(old) => TrieNode::leaf(rest, old),
                Below::Child(child) if rest.is_empty() => *child,
                Below::Child(child) => TrieNode::new(Kind::Extension { path: rest, child }),
            };
            if let Some(slot) = children.get_mut(usize::from(nibble)) {
                *slot = Some(node);
            }
        }
    }
    let divergence = at.saturating_add(common);
    match key_nibble(key, divergence) {
        None => branch_value = Some(value),
        Some(nibble) => {
            if let Some(slot) = children.get_mut(usize::from(nibble)) {
                *slot = Some(TrieNode::leaf(key_suffix(key, divergence + 1), value));
            }
        }
    }
    let branch = Kind::Branch {
        children,
        value: branch_value,
    };
    match path.as_slice().get(..common) {
        Some(shared) if !shared.is_empty() => Kind::Extension {
            path: nibbles(shared),
            child: Box::new(TrieNode::new(branch)),
        },
        _ => branch,
    }
}

/// Removes `key` from the subtree `node`, whose path is the key's first `at` nibbles. Returns
/// whether the key was there. Every check that can fail runs before the first change.
fn remove_at(node: &mut TrieNode, key: &[u8], at: usize) -> Result<bool, TrieError> {
    let removed = match &mut node.kind {
        Kind::Empty => false,
        Kind::Hash(hash) => {
            return Err(TrieError::MissingNode {
                path: key_path(key, at),
                hash: *hash,
            });
        }
        Kind::Leaf { path, .. } => {
            let found = ends_with(key, at, path.as_slice());
            if found {
                node.kind = Kind::Empty;
            }
            found
        }
        Kind::Extension { path, child } => {
            if common_with_key(key, at, path.as_slice()) < path.len() {
                false
            } else if remove_at(child, key, at + path.len())? {
                // The branch below may have become a leaf or an extension: merge it in.
                let path = mem::take(path);
                let child = mem::replace(&mut **child, TrieNode::empty());
                node.kind = prepend(path.as_slice(), child);
                true
            } else {
                false
            }
        }
        Kind::Branch { children, value } => match key_nibble(key, at) {
            None => {
                if value.is_none() {
                    false
                } else {
                    check_sibling(children, false, None, key, at)?;
                    *value = None;
                    collapse(node);
                    true
                }
            }
            Some(nibble) => {
                let index = usize::from(nibble);
                let child = match children.get(index) {
                    Some(Some(child)) => child,
                    _ => return Ok(false),
                };
                // Only a leaf vanishes when a key is removed below it (a branch keeps at least
                // one entry), so only then can this branch be left with a single entry.
                let vanishes = matches!(&child.kind, Kind::Leaf { path, .. }
                        if ends_with(key, at + 1, path.as_slice()));
                if vanishes {
                    check_sibling(children, value.is_some(), Some(index), key, at)?;
                }
                let removed = match children.get_mut(index) {
                    Some(Some(child)) => remove_at(child, key, at + 1)?,
                    _ => false,
                };
                if removed {
                    if let Some(slot) = children.get_mut(index)
                        && slot.as_ref().is_some_and(|c| matches!(c.kind, Kind::Empty))
                    {
                        *slot = None;
                    }
                    collapse(node);
                }
                removed
            }
        },
    };
    if removed {
        node.cache = None;
    }
    Ok(removed)
}

/// Fails with [`TrieError::MissingSibling`] if the branch at key nibble `at`, once the child at
/// `removing` (or its value) is gone, keeps a single entry: a child that is still a hash, whose
/// kind the merge needs.
fn check_sibling(
    children: &[Option<TrieNode>; 16],
    keeps_value: bool,
    removing: Option<usize>,
    key: &[u8],
    at: usize,
) -> Result<(), TrieError> {
    if keeps_value {
        return Ok(());
    }
    let mut left = children
        .iter()
        .enumerate()
        .filter(|(index, child)| child.is_some() && Some(*index) != removing);
    if let (Some((index, Some(sibling))), None) = (left.next(), left.next())
        && let Kind::Hash(hash) = sibling.kind
    {
        let mut path = key_path(key, at);
        // `index` is below 16.
        path.push(index as u8);
        return Err(TrieError::MissingSibling { path, hash });
    }
    Ok(())
}

/// Restores the branch invariant (two entries or more) after an entry left `node`: a branch
/// with only its value becomes a leaf, one with a single child merges with it.
fn collapse(node: &mut TrieNode) {
    let Kind::Branch { children, value } = &mut node.kind else {
        return;
    };
    let count = children.iter().flatten().count();
    match (count, value.take()) {
        (0, Some(value)) => {
            node.kind = Kind::Leaf {
                path: Nibbles::new(),
                value,
            }
        }
        (0, None) => node.kind = Kind::Empty,
        (1, None) => {
            let only = children
                .iter_mut()
                .enumerate()
                .find_map(|(index, slot)| slot.take().map(|child| (index, child)));
            if let Some((index, child)) = only {
                if matches!(child.kind, Kind::Hash(_)) {
                    // `check_sibling` ran first, so this is not reached; keep the branch.
                    if let Some(slot) = children.get_mut(index) {
                        *slot = Some(child);
                    }
                    return;
                }
                // `index` is below 16.
                node.kind = prepend(&[index as u8], child);
            }
        }
        (_, value_back) => {
            if let Kind::Branch { value, .. } = &mut node.kind {
                *value = value_back;
            }
        }
    }
}

/// The node for `child` reached through the extra nibbles `path`: paths of leaves and
/// extensions absorb them, a branch gets an extension above it.
fn prepend(path: &[u8], child: TrieNode) -> Kind {
    if path.is_empty() {
        return child.kind;
    }
    let joined = |rest: &Nibbles| {
        let mut all = nibbles(path);
        all.extend(rest);
        all
    };
    match child.kind {
        Kind::Leaf { path: rest, value } => Kind::Leaf {
            path: joined(&rest),
            value,
        },
        Kind::Extension { path: rest, child } => Kind::Extension {
            path: joined(&rest),
            child,
        },
        Kind::Empty => Kind::Empty,
        Kind::Branch { .. } | Kind::Hash(_) => Kind::Extension {
            path: nibbles(path),
            child: Box::new(child),
        },
    }
}

/// The reference to `node`, encoding and hashing it (and, first, its changed children) unless
/// its cached reference is still valid.
fn commit(node: &mut TrieNode, sink: &mut Option<&mut Vec<Vec<u8>>>) -> Ref {
    if let Some(reference) = node.cache {
        return reference;
    }
    let rlp = match &mut node.kind {
        Kind::Empty => rlp::NULL_RLP.to_vec(),
        Kind::Hash(hash) => {
            node.cache = Some(Ref::Hash(*hash));
            return Ref::Hash(*hash);
        }
        Kind::Leaf { path, value } => {
            let mut stream = RlpStream::new_list(2);
            stream.append(&path.encode_compact(true));
            stream.append(&value.as_slice());
            stream.out().to_vec()
        }
        Kind::Extension { path, child } => {
            let child = commit(child, sink);
            let mut stream = RlpStream::new_list(2);
            stream.append(&path.encode_compact(false));
            child.append_to(&mut stream);
            stream.out().to_vec()
        }
        Kind::Branch { children, value } => {
            let mut stream = RlpStream::new_list(17);
            for child in children.iter_mut() {
                match child {
                    Some(child) => commit(child, sink).append_to(&mut stream),
                    None => {
                        stream.append_empty_data();
                    }
                }
            }
            match value {
                Some(value) => stream.append(&value.as_slice()),
                None => stream.append_empty_data(),
            };
            stream.out().to_vec()
        }
    };
    let reference = Ref::of_rlp(&rlp, None);
    if let (Ref::Hash(_), Some(sink)) = (reference, sink.as_mut()) {
        sink.push(rlp);
    }
    node.cache = Some(reference);
    reference
}

/// Number of nibbles of `key`.
fn nibble_len(key: &[u8]) -> usize {
    key.len().saturating_mul(2)
}

/// Nibble `index` of `key` (high half of each byte first), or `None` past its end.
fn key_nibble(key: &[u8], index: usize) -> Option<u8> {
    let byte = *key.get(index / 2)?;
    Some(if index.is_multiple_of(2) {
        byte >> 4
    } else {
        byte & 0x0f
    })
}

/// How many leading nibbles of `path` equal the nibbles of `key` from `at` on.
fn common_with_key(key: &[u8], at: usize, path: &[u8]) -> usize {
    path.iter()
        .zip(at..)
        .take_while(|(nibble, index)| key_nibble(key, *index) == Some(**nibble))
        .count()
}

/// Whether the nibbles of `key` from `at` on are exactly `path`.
fn ends_with(key: &[u8], at: usize, path: &[u8]) -> bool {
    nibble_len(key).checked_sub(at) == Some(path.len())
        && common_with_key(key, at, path) == path.len()
}

/// The first `len` nibbles of `key` (a node's position, for errors).
fn key_path(key: &[u8], len: usize) -> Nibbles {
    nibbles(
        &(0..len)
            .map_while(|index| key_nibble(key, index))
            .collect::<Vec<u8>>(),
    )
}

/// The nibbles of `key` from `at` on (the path of a new leaf).
fn key_suffix(key: &[u8], at: usize) -> Nibbles {
    nibbles(
        &(at..nibble_len(key))
            .map_while(|index| key_nibble(key, index))
            .collect::<Vec<u8>>(),
    )
}

/// Nibbles from values the trie produced itself, all below 16.
fn nibbles(values: &[u8]) -> Nibbles {
    Nibbles::from_nibbles(values).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::{proof_nodes, trie_nodes};
    use crate::trie_root::trie_root;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    const DOGS: [(&[u8], &[u8]); 4] = [
        (b"doe", b"reindeer"),
        (b"dog", b"puppy"),
        (b"dogglesworth", b"cat"),
        (
            b"horse",
            b"stallion, a very long value that makes the leaf hashed",
        ),
    ];

    fn full(entries: &[(&[u8], &[u8])]) -> (H256, NodePool) {
        let (root, nodes) = trie_nodes(entries.iter().copied());
        (root, NodePool::from_nodes(nodes))
    }

    /// 32-byte keys differing in their first nibble, so the root is a branch of hashed leaves.
    fn wide() -> Vec<(Vec<u8>, Vec<u8>)> {
        (0u8..4)
            .map(|i| (vec![i << 4; 32], vec![i + 1; 40]))
            .collect()
    }

    #[test]
    fn empty_trie() {
        let mut trie = SparseTrie::empty();
        assert_eq!(trie.root(), EMPTY_ROOT);
        assert_eq!(trie.get(b"x"), Ok(None));
        assert_eq!(trie.remove(b"x"), Ok(()));
        let mut trie = SparseTrie::from_pool(EMPTY_ROOT, &NodePool::new()).unwrap();
        assert_eq!(trie.root(), EMPTY_ROOT);
        trie.insert(b"", b"v".to_vec()).unwrap();
        assert_eq!(trie.get(b""), Ok(Some(&b"v"[..])));
        assert_eq!(trie.root(), trie_root([(b"", b"v")]));
        trie.insert(b"", Vec::new()).unwrap();
        assert_eq!(trie.root(), EMPTY_ROOT);
    }

    #[test]
    fn builds_and_edits_like_trie_root() {
        let mut trie = SparseTrie::empty();
        for (key, value) in DOGS {
            trie.insert(key, value.to_vec()).unwrap();
        }
        assert_eq!(trie.root(), trie_root(DOGS));
        assert_eq!(trie.get(b"dog"), Ok(Some(&b"puppy"[..])));
        assert_eq!(trie.get(b"do"), Ok(None));
        assert_eq!(trie.get(b"dogg"), Ok(None));
        trie.remove(b"dog").unwrap();
        trie.insert(b"do", b"verb".to_vec()).unwrap();
        let expected = [DOGS[0], DOGS[2], DOGS[3], (b"do", b"verb")];
        assert_eq!(trie.root(), trie_root(expected));
        for (key, _) in DOGS {
            trie.remove(key).unwrap();
        }
        trie.remove(b"do").unwrap();
        assert_eq!(trie.root(), EMPTY_ROOT);
    }

    #[test]
    fn from_pool_keeps_the_root_and_resolves_everything_held() {
        let (root, pool) = full(&DOGS);
        let mut trie = SparseTrie::from_pool(root, &pool).unwrap();
        for (key, value) in DOGS {
            assert_eq!(trie.get(key), Ok(Some(value)));
        }
        assert_eq!(trie.get(b"cat"), Ok(None));
        assert_eq!(trie.root(), root);
        // Unused and duplicate nodes are fine.
        let mut noisy = pool.clone();
        noisy.insert(vec![0xde, 0xad]);
        noisy.insert(
            Node::Leaf {
                path: Nibbles::new(),
                value: vec![1; 40],
            }
            .encode(),
        );
        assert_eq!(SparseTrie::from_pool(root, &noisy).unwrap().root(), root);
    }

    #[test]
    fn missing_node_on_a_read_path() {
        let entries = wide();
        let (root, nodes) = trie_nodes(entries.clone());
        let key = entries[2].0.as_slice();
        let leaf = Node::Leaf {
            path: Nibbles::from_bytes(key).slice_from(1),
            value: entries[2].1.clone(),
        };
        let partial = NodePool::from_nodes(nodes.iter().filter(|n| keccak256(n) != leaf.hash()));
        let trie = SparseTrie::from_pool(root, &partial).unwrap();
        let error = trie.get(key).unwrap_err();
        assert_eq!(
            error,
            TrieError::MissingNode {
                path: Nibbles::from_nibbles(&[2]).unwrap(),
                hash: leaf.hash()
            }
        );
        assert_eq!(
            error.to_string(),
            format!("witness lacks trie node {:#x} at path 0x2", leaf.hash())
        );
        // Other keys, and absence through resolved nodes, still read.
        assert_eq!(trie.get(&entries[1].0), Ok(Some(&entries[1].1[..])));
        assert_eq!(trie.get(&[0xf0; 32]), Ok(None));
        // With no node at all, the root itself is missing.
        let bare = SparseTrie::from_pool(root, &NodePool::new()).unwrap();
        assert_eq!(
            bare.get(key),
            Err(TrieError::MissingNode {
                path: Nibbles::new(),
                hash: root
            })
        );
        // A write through the missing node fails the same way and changes nothing.
        let mut trie = trie;
        let before = format!("{trie:?}");
        assert!(matches!(
            trie.insert(key, vec![9]),
            Err(TrieError::MissingNode { .. })
        ));
        assert!(matches!(
            trie.remove(key),
            Err(TrieError::MissingNode { .. })
        ));
        assert_eq!(format!("{trie:?}"), before);
        assert_eq!(trie.root(), root);
    }

    #[test]
    fn altered_node_is_missing() {
        let entries = wide();
        let (root, nodes) = trie_nodes(entries.clone());
        let key = entries[1].0.as_slice();
        for (index, node) in nodes.iter().enumerate() {
            let mut altered = nodes.clone();
            let last = altered[index].len() - 1;
            altered[index][last] ^= 1;
            let trie = SparseTrie::from_pool(root, &NodePool::from_nodes(&altered));
            if keccak256(node) == root {
                // The root's hash is the one thing that cannot be looked up elsewhere.
                let trie = trie.unwrap();
                assert!(
                    matches!(trie.get(key), Err(TrieError::MissingNode { hash, .. }) if hash == root)
                );
                continue;
            }
            let trie = trie.unwrap();
            let missing = (0..4)
                .map(|i| trie.get(&entries[i].0))
                .filter(|r| r.is_err());
            let errors: Vec<_> = missing.collect();
            assert_eq!(errors.len(), 1);
            assert!(
                matches!(&errors[0], Err(TrieError::MissingNode { hash, .. }) if *hash == keccak256(node))
            );
        }
    }

    #[test]
    fn malformed_reachable_node() {
        // Bytes whose hash the root names but that are no node.
        let garbage = vec![0x83, 1, 2, 3];
        let root = keccak256(&garbage);
        let pool = NodePool::from_nodes([&garbage]);
        assert_eq!(
            SparseTrie::from_pool(root, &pool).unwrap_err(),
            TrieError::MalformedNode {
                hash: root,
                source: NodeError::NotAList
            }
        );
        // Same below a branch.
        let mut children: Box<[Option<NodeRef>; 16]> = Box::default();
        children[0] = Some(NodeRef::Hash(root));
        children[1] = Some(NodeRef::Hash(root));
        let branch = Node::Branch {
            children,
            value: None,
        }
        .encode();
        let pool = NodePool::from_nodes([&branch, &garbage]);
        let error = SparseTrie::from_pool(keccak256(&branch), &pool).unwrap_err();
        assert!(matches!(error, TrieError::MalformedNode { hash, .. } if hash == root));
        assert!(
            error
                .to_string()
                .contains("is malformed: node is an RLP string")
        );
        // Unreachable garbage is ignored.
        let (root, mut pool) = full(&DOGS);
        pool.insert(garbage);
        assert!(SparseTrie::from_pool(root, &pool).is_ok());
    }

    #[test]
    fn non_canonical_shapes() {
        let small_leaf = Node::Leaf {
            path: Nibbles::from_nibbles(&[1]).unwrap(),
            value: vec![1],
        };
        let big_leaf = Node::Leaf {
            path: Nibbles::from_nibbles(&[1]).unwrap(),
            value: vec![1; 40],
        };
        // A branch with one child.
        let mut children: Box<[Option<NodeRef>; 16]> = Box::default();
        children[3] = Some(NodeRef::Hash(big_leaf.hash()));
        let lonely = Node::Branch {
            children: children.clone(),
            value: None,
        };
        // An extension to a leaf.
        let to_leaf = Node::Extension {
            path: Nibbles::from_nibbles(&[2]).unwrap(),
            child: NodeRef::Hash(big_leaf.hash()),
        };
        // A small node referenced by hash.
        children[4] = Some(NodeRef::Hash(small_leaf.hash()));
        let by_hash = Node::Branch {
            children,
            value: None,
        };
        for (top, reason) in [
            (&lonely, "fewer than two"),
            (&to_leaf, "not a branch"),
            (&by_hash, "under 32 bytes"),
        ] {
            let pool = NodePool::from_nodes([top.encode(), big_leaf.encode(), small_leaf.encode()]);
            let error = SparseTrie::from_pool(top.hash(), &pool).unwrap_err();
            assert!(matches!(error, TrieError::NonCanonical { .. }), "{error}");
            assert!(error.to_string().contains(reason), "{error}");
        }
        // A root under 32 bytes is fine: the root is always hashed.
        let pool = NodePool::from_nodes([small_leaf.encode()]);
        let mut trie = SparseTrie::from_pool(small_leaf.hash(), &pool).unwrap();
        assert_eq!(trie.get(&[0x01][..1]), Ok(None));
        assert_eq!(trie.root(), small_leaf.hash());
    }

    #[test]
    fn deletion_needs_the_sibling() {
        // Two hashed leaves under a root branch: deleting one merges the other into the root.
        let entries: Vec<(Vec<u8>, Vec<u8>)> = wide().into_iter().take(2).collect();
        let (root, nodes) = trie_nodes(entries.clone());
        let pool = NodePool::from_nodes(&nodes);
        let proof = proof_nodes(root, &pool, &[&entries[0].0]).unwrap();
        let mut trie = SparseTrie::from_pool(root, &NodePool::from_nodes(&proof)).unwrap();
        let before = format!("{trie:?}");
        let sibling = Node::Leaf {
            path: Nibbles::from_bytes(&entries[1].0).slice_from(1),
            value: entries[1].1.clone(),
        };
        let error = trie.remove(&entries[0].0).unwrap_err();
        assert_eq!(
            error,
            TrieError::MissingSibling {
                path: Nibbles::from_nibbles(&[1]).unwrap(),
                hash: sibling.hash()
            }
        );
        assert!(
            error
                .to_string()
                .contains("deletion needs the sibling trie node")
        );
        assert_eq!(format!("{trie:?}"), before);
        // Deleting through insert of an empty value too.
        assert_eq!(trie.insert(&entries[0].0, Vec::new()), Err(error.clone()));
        assert_eq!(format!("{trie:?}"), before);
        assert_eq!(trie.root(), root);
        // Revealing the sibling (only it) makes the deletion work.
        let TrieError::MissingSibling { path, .. } = error else {
            unreachable!()
        };
        assert_eq!(trie.reveal(&path, &NodePool::new()), Ok(false));
        assert_eq!(trie.reveal(&path, &pool), Ok(true));
        assert_eq!(trie.reveal(&path, &pool), Ok(false));
        trie.remove(&entries[0].0).unwrap();
        assert_eq!(trie.root(), trie_root([entries[1].clone()]));
        // Absent keys need no sibling and change nothing.
        trie.remove(&[0x33; 32]).unwrap();
        assert_eq!(trie.root(), trie_root([entries[1].clone()]));
    }

    #[test]
    fn too_deep_witness() {
        // A chain of branches, each with a hashed child and an inline leaf.
        let leaf = Node::Leaf {
            path: Nibbles::new(),
            value: vec![7],
        };
        let mut nodes = Vec::new();
        let mut next = Node::Leaf {
            path: Nibbles::new(),
            value: vec![9; 40],
        }
        .encode();
        for _ in 0..MAX_DEPTH + 2 {
            let hash = keccak256(&next);
            nodes.push(next);
            let mut children: Box<[Option<NodeRef>; 16]> = Box::default();
            children[0] = Some(NodeRef::Hash(hash));
            children[1] = Some(NodeRef::Inline(Box::new(leaf.clone())));
            next = Node::Branch {
                children,
                value: None,
            }
            .encode();
        }
        let root = keccak256(&next);
        nodes.push(next);
        let error = SparseTrie::from_pool(root, &NodePool::from_nodes(&nodes)).unwrap_err();
        assert!(
            matches!(&error, TrieError::TooDeep { path, max: MAX_DEPTH } if path.len() == MAX_DEPTH + 1)
        );
    }

    #[test]
    fn shared_nodes_cannot_blow_up() {
        // Each level's 16 children are all the level below: 16^12 paths from 12 nodes.
        let mut next = Node::Leaf {
            path: Nibbles::new(),
            value: vec![9; 40],
        }
        .encode();
        let mut nodes = Vec::new();
        for _ in 0..12 {
            let hash = keccak256(&next);
            nodes.push(next);
            let children = Box::new(core::array::from_fn(|_| Some(NodeRef::Hash(hash))));
            next = Node::Branch {
                children,
                value: None,
            }
            .encode();
        }
        let root = keccak256(&next);
        nodes.push(next);
        let error = SparseTrie::from_pool(root, &NodePool::from_nodes(&nodes)).unwrap_err();
        assert!(
            matches!(error, TrieError::TooManyReferences { .. }),
            "{error}"
        );
    }

    #[test]
    fn only_changed_nodes_are_rehashed() {
        let (root, pool) = full(&DOGS);
        let mut trie = SparseTrie::from_pool(root, &pool).unwrap();
        trie.insert(b"horse", b"mare".to_vec()).unwrap();
        let mut rehashed = Vec::new();
        let new_root = trie.root_collecting(Some(&mut rehashed));
        // The path to "horse": the root branch ... only nodes of at least 32 bytes are counted.
        let (expected, all) =
            trie_nodes(DOGS.iter().copied().chain([(&b"horse"[..], &b"mare"[..])]));
        assert_eq!(new_root, expected);
        assert!(
            rehashed.len() < all.len(),
            "{} of {}",
            rehashed.len(),
            all.len()
        );
        let mut again = Vec::new();
        assert_eq!(trie.root_collecting(Some(&mut again)), expected);
        assert!(again.is_empty());
        // Writing the same value changes nothing.
        trie.insert(b"dog", b"puppy".to_vec()).unwrap();
        assert_eq!(trie.root_collecting(Some(&mut again)), expected);
        assert!(again.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Garbage named by the root: resolution rejects or accepts it, never panics, and what
        /// it accepts keeps its root.
        #[test]
        fn garbage_pool_never_panics(
            nodes in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 1..5),
            keys in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..4), 0..4),
        ) {
            let root = keccak256(&nodes[0]);
            let pool = NodePool::from_nodes(&nodes);
            if let Ok(mut trie) = SparseTrie::from_pool(root, &pool) {
                prop_assert_eq!(trie.root(), root);
                for key in &keys {
                    let _ = trie.get(key);
                    let _ = trie.insert(key, vec![1]);
                    let _ = trie.remove(key);
                    let _ = trie.root();
                }
            }
        }

        /// Structured garbage: real nodes of a small trie with one byte changed, plus the
        /// changed node as the root.
        #[test]
        fn mutated_pool_never_panics(
            at in any::<usize>(),
            byte in any::<u8>(),
            which in any::<usize>(),
        ) {
            let (_, nodes) = trie_nodes(DOGS);
            let mut nodes = nodes;
            let which = which % nodes.len();
            let len = nodes[which].len();
            nodes[which][at % len] = byte;
            let root = keccak256(&nodes[which]);
            if let Ok(mut trie) = SparseTrie::from_pool(root, &NodePool::from_nodes(&nodes)) {
                for (key, _) in DOGS {
                    let _ = trie.get(key);
                    let _ = trie.remove(key);
                }
                let _ = trie.root();
            }
        }
    }
}
