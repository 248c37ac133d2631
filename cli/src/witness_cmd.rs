//! `evm-ee witness inspect`: what a witness (a `debug_executionWitness` JSON file from a node, or a
//! block-data blob) holds, and whether its trie nodes prove against a given state root.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use primitive_types::H256;
use stateless::{BLOB_MAGIC, BlockDataBlob, Witness};
use witness::{EMPTY_ROOT, Node, NodePool, SparseTrie};

/// Arguments of `evm-ee witness inspect`.
#[derive(Args, Debug)]
pub(crate) struct InspectArgs {
    /// A `debug_executionWitness` JSON file (geth or reth shape, or a saved JSON-RPC response), a
    /// block-data blob (starts with the magic `EEBD`), a Scout YAML file (`.yaml`: the blob of
    /// its shard block `--block N`), or `-` for standard input.
    file: PathBuf,
    /// With a Scout YAML file: the shard block whose data (a block-data blob) to inspect.
    #[arg(long, value_name = "N", default_value_t = 0)]
    block: usize,
    /// Verify the trie nodes against this state root (0x-prefixed hex): the root node must be in
    /// the witness and every node reachable from it must decode strictly (subtrees the witness
    /// does not hold stay unresolved, as they do in the EE).
    #[arg(long)]
    root: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Largest witness file read, in bytes. A block's witness is megabytes (the largest Scout YAML
/// that `--emit-yaml` writes, every block's blob in hex, is 6.3 MB), and JSON from a node spells
/// it in hex at twice the size; 256 MiB leaves room for that while a wrong path (a disk image, a
/// file still growing) is refused before it fills memory.
pub(crate) const MAX_WITNESS_FILE_BYTES: u64 = 256 << 20;

/// The bytes to inspect: the file, standard input (`-`), or a Scout YAML file's shard block.
fn input_bytes(args: &InspectArgs) -> Result<Vec<u8>, String> {
    let bytes = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin().lock(), MAX_WITNESS_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(|e| format!("standard input: {e}"))?;
        if bytes.len() as u64 > MAX_WITNESS_FILE_BYTES {
            return Err(format!(
                "standard input: more than {MAX_WITNESS_FILE_BYTES} bytes"
            ));
        }
        bytes
    } else {
        evm_ee_host::read_file_bounded(&args.file, MAX_WITNESS_FILE_BYTES)
            .map_err(|e| e.to_string())?
    };
    let is_yaml = args
        .file
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml");
    if !is_yaml {
        return Ok(bytes);
    }
    let test = chain::scout::ScoutTest::parse(&bytes)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let count = test.blocks.len();
    test.blocks
        .into_iter()
        .nth(args.block)
        .map(|block| block.data)
        .ok_or_else(|| {
            format!(
                "{}: no shard block {} ({count} blocks)",
                args.file.display(),
                args.block
            )
        })
}

pub(crate) fn inspect(args: &InspectArgs) -> ExitCode {
    let bytes = match input_bytes(args) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let (format, witness, block_len, header) = if bytes.starts_with(&BLOB_MAGIC) {
        match BlockDataBlob::decode(&bytes) {
            Ok(blob) => {
                // The blob's block, when it decodes (the EE would reject one that does not).
                let header = evm_core::block::Block::decode(&blob.block)
                    .ok()
                    .map(|block| block.header);
                (
                    "block-data blob",
                    blob.witness,
                    Some(blob.block.len()),
                    header,
                )
            }
            Err(error) => {
                eprintln!(
                    "error: {}: not a valid block-data blob: {error}",
                    args.file.display()
                );
                return ExitCode::FAILURE;
            }
        }
    } else {
        let text = String::from_utf8_lossy(&bytes);
        match Witness::from_json(&text) {
            Ok(witness) => ("debug_executionWitness JSON", witness, None, None),
            Err(error) => {
                eprintln!("error: {}: not a witness: {error}", args.file.display());
                return ExitCode::FAILURE;
            }
        }
    };
    let malformed_nodes = witness
        .state
        .iter()
        .filter(|node| Node::decode(node).is_err())
        .count();
    let verification = match &args.root {
        None => None,
        Some(text) => match parse_root(text) {
            Ok(root) => Some((root, verify(root, &witness.state))),
            Err(error) => {
                eprintln!("error: --root: {error}");
                return ExitCode::from(2);
            }
        },
    };
    let sizes = witness.sizes();
    if args.json {
        let mut report = serde_json::json!({
            "format": format,
            "state_nodes": witness.state.len(),
            "state_bytes": sizes.state,
            "malformed_nodes": malformed_nodes,
            "codes": witness.codes.len(),
            "code_bytes": sizes.codes,
            "headers": witness.headers.len(),
            "header_bytes": sizes.headers,
            "keys": witness.keys.len(),
            "encoded_bytes": sizes.encoded,
        });
        if let Some(block_len) = block_len {
            report["block_bytes"] = block_len.into();
        }
        if let Some(header) = &header {
            report["block"] = serde_json::json!({
                "number": header.number,
                "hash": format!("{:#x}", header.hash()),
                "parent_hash": format!("{:#x}", header.parent_hash),
            });
        }
        if let Some((root, result)) = &verification {
            report["root"] = format!("{root:#x}").into();
            report["verified"] = result.is_ok().into();
            if let Err(error) = result {
                report["error"] = error.clone().into();
            }
        }
        println!("{report}");
    } else {
        println!("{}: {format}", args.file.display());
        if let Some(block_len) = block_len {
            println!("  block       {block_len} bytes");
        }
        if let Some(header) = &header {
            println!(
                "  block       number {}, hash {:#x}, parent {:#x}",
                header.number,
                header.hash(),
                header.parent_hash
            );
        }
        println!(
            "  state nodes {} ({} bytes, {malformed_nodes} malformed)",
            witness.state.len(),
            sizes.state
        );
        println!(
            "  codes       {} ({} bytes)",
            witness.codes.len(),
            sizes.codes
        );
        println!(
            "  headers     {} ({} bytes)",
            witness.headers.len(),
            sizes.headers
        );
        println!("  keys        {}", witness.keys.len());
        println!("  as a blob   {} bytes", sizes.encoded);
        if let Some((root, result)) = &verification {
            match result {
                Ok(()) => println!("  verified against state root {root:#x}"),
                Err(error) => println!("  NOT verified against state root {root:#x}: {error}"),
            }
        }
    }
    match verification {
        Some((_, Err(_))) => ExitCode::FAILURE,
        _ if malformed_nodes > 0 => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

/// Every node reachable from `root` must decode strictly; the root node itself must be there,
/// or the witness proves nothing against it.
fn verify(root: H256, nodes: &[Vec<u8>]) -> Result<(), String> {
    let pool = NodePool::from_nodes(nodes);
    if root != EMPTY_ROOT && pool.get(&root).is_none() {
        return Err(format!("the witness has no node with hash {root:#x}"));
    }
    SparseTrie::from_pool(root, &pool)
        .map(|_| ())
        .map_err(|error| error.to_string())
}

fn parse_root(text: &str) -> Result<H256, String> {
    witness::hex::decode_fixed(text)
        .map(H256)
        .map_err(|error| format!("{text:?} is not a 32-byte root: {error}"))
}
