//! `evm-ee example`: writes the project's example chain (`chain::example_chain`) as a validator
//! is fed blocks: for every block its RLP and its witness in the `debug_executionWitness` JSON
//! shape, and a manifest that `evm-ee validate --dir` reads. The repository carries the output
//! in `examples/chain/`, and a test holds it to what this command writes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub(crate) struct ExampleArgs {
    /// The folder to write (created if missing; files of the same names are replaced).
    #[arg(long, default_value = "examples/chain", value_name = "DIR")]
    out: PathBuf,
}

pub(crate) fn run(args: &ExampleArgs) -> ExitCode {
    match write_example(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn write_example(args: &ExampleArgs) -> Result<(), String> {
    let inputs =
        chain::example_chain::example_inputs().map_err(|e| format!("example chain: {e}"))?;
    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut entries = Vec::new();
    for (block, input) in &inputs {
        let number = block.header.number;
        let entry = ethtests::witness_emit::write_block(
            dir,
            &format!("block-{number}"),
            block.header.hash(),
            chain::example_chain::EXAMPLE_CHAIN_NAME,
            input,
            Ok(()),
        )
        .map_err(io)?
        .ok_or_else(|| format!("block {number}: the blob built for it does not decode"))?;
        entries.push(entry);
        println!(
            "block {number}: {} transactions, {} gas, blob of {} bytes",
            block.transactions.len(),
            block.header.gas_used,
            input.blob.len()
        );
    }
    ethtests::witness_emit::write_manifest(
        dir,
        "example",
        chain::example_chain::EXAMPLE_CHAIN_NAME,
        entries,
    )
    .map_err(io)?;
    println!(
        "wrote {} blocks to {}; validate them with `evm-ee validate --dir {} -v`",
        inputs.len(),
        dir.display(),
        dir.display()
    );
    Ok(())
}
