//! `evm-ee node ...`: run a shard testnet node (`node` crate) with the EVM EE deployed at
//! genesis, and talk to a running one over its HTTP API (`docs/node-api.md`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Where the client commands find the node.
const DEFAULT_NODE: &str = "http://127.0.0.1:7070";

#[derive(Subcommand, Debug)]
pub(crate) enum NodeCommand {
    /// Run a node: a beacon chain and shards persisted in --data, the HTTP API and the
    /// explorer page on --http, the EVM EE (EE 0) on every shard at genesis, starting at the
    /// example chain's genesis. Example: `evm-ee node run --data node-data --slot-time 0`.
    Run(RunArgs),
    /// Deploy an EE (a .wasm file) on a running node; the next slot deploys it on every shard.
    Deploy(DeployArgs),
    /// Submit a transaction (block data for an EE on a shard) and, with --wait, its receipt.
    Submit(SubmitArgs),
    /// An EE's state on a shard.
    State(StateArgs),
    /// A shard block (with --shard) or a beacon block, by number or `head`.
    Blocks(BlocksArgs),
    /// The node's head, engines, totals and mempool.
    Info(ClientArgs),
    /// Relay an Eth1 chain to a shard: every block's blob (block and witness) as a transaction,
    /// each receipt followed; the EE's state follows the Eth1 head. Without a PATH, the
    /// project's example chain to EE 0. With BlockchainTests fixtures (files or folders), each
    /// test gets a fresh EVM EE deployed at its genesis state, its blocks are relayed as Scout's
    /// rules see them (a side-chain block is rejected: one state per EE), and the EE's state
    /// must end on the fixture's `lastblockhash`. With era1 archives, the chain's history from
    /// its genesis: each block's witness served by a state store the relay keeps in memory, a
    /// fresh EVM EE following it. Example: `evm-ee node relay-eth1 mainnet-00000.era1 --to 500`.
    RelayEth1(RelayArgs),
    /// Run a Scout YAML test on a running node: deploy its execution scripts (with its
    /// libraries) at its pre-states, submit its shard blocks in order on --shard, and compare
    /// the node's EE states, deposits and verdicts with the file's, under the same rules as
    /// `evm-ee run`. Example: `evm-ee node load ../shared/scout/bazaar.yaml`.
    Load(LoadArgs),
}

#[derive(Args, Debug)]
pub(crate) struct ClientArgs {
    /// The node's URL.
    #[arg(long, default_value = DEFAULT_NODE, value_name = "URL")]
    pub(crate) node: String,
}

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// The node's folder (created if missing; a node that exists resumes at its head).
    #[arg(long, default_value = "node-data", value_name = "DIR")]
    data: PathBuf,
    /// Where the API and the explorer page listen.
    #[arg(long, default_value = "127.0.0.1:7070", value_name = "ADDR")]
    http: std::net::SocketAddr,
    /// Shard chains (fixed when the folder is created).
    #[arg(long, default_value_t = 4)]
    shards: u32,
    /// Seconds per slot; 0 makes a slot as soon as a transaction or deployment waits.
    #[arg(long, default_value_t = 4.0, value_name = "SECONDS")]
    slot_time: f64,
    /// Engines every transaction runs in, comma separated; with two, a transaction they
    /// disagree on is dropped ("engines disagree").
    #[arg(long, default_value = "wasmi", value_delimiter = ',')]
    engines: Vec<String>,
    /// The tick budget of one transaction (10^10 by default); `1e13` style accepted.
    #[arg(long, value_parser = crate::parse_max_ticks)]
    max_ticks: Option<u64>,
    /// The ticks of all transactions of one shard block (10^11 by default).
    #[arg(long, value_parser = crate::parse_max_ticks)]
    block_ticks: Option<u64>,
    /// Largest transaction data in bytes (8 MiB by default).
    #[arg(long, value_name = "BYTES")]
    max_transaction_bytes: Option<usize>,
}

#[derive(Args, Debug)]
pub(crate) struct DeployArgs {
    /// The EE's wasm module.
    file: PathBuf,
    /// Its state on every shard, 32 bytes of hex (zero by default).
    #[arg(long, value_name = "HEX")]
    initial_state: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct SubmitArgs {
    /// The block data: hex, or @FILE for a file's bytes.
    data: String,
    /// The shard.
    #[arg(long, default_value_t = 0)]
    shard: u32,
    /// The EE.
    #[arg(long, default_value_t = 0)]
    ee: u32,
    /// Makes equal data a new transaction.
    #[arg(long, default_value_t = 0)]
    nonce: u64,
    /// Wait for the transaction's block and print its receipt.
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct StateArgs {
    /// The shard.
    #[arg(long, default_value_t = 0)]
    shard: u32,
    /// The EE.
    #[arg(long, default_value_t = 0)]
    ee: u32,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct BlocksArgs {
    /// A block number or `head`.
    #[arg(default_value = "head")]
    number: String,
    /// A shard block of this shard (a beacon block without it).
    #[arg(long)]
    shard: Option<u32>,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct DemoArgs {
    /// Where the explorer page and the API listen.
    #[arg(long, default_value = "127.0.0.1:7070", value_name = "ADDR")]
    http: std::net::SocketAddr,
    /// The node's folder (by default a fresh temporary one, removed at the end).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Engines every transaction runs in, comma separated (by default every engine built in:
    /// a transaction they disagree on would be dropped).
    #[arg(long, value_delimiter = ',')]
    engines: Vec<String>,
    /// Stop once the chain is relayed instead of serving the page until ctrl-c.
    #[arg(long)]
    exit: bool,
}

#[derive(Args, Debug)]
pub(crate) struct LoadArgs {
    /// The Scout YAML test.
    file: PathBuf,
    /// The shard its blocks go to.
    #[arg(long, default_value_t = 0)]
    shard: u32,
    /// Print a JSON report instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct RelayArgs {
    /// BlockchainTests fixture files or folders, or era1 archives (the example chain without).
    paths: Vec<PathBuf>,
    /// With fixtures: only tests whose file or name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// With era1 archives: the chain they hold (a name such as mainnet, or a geth genesis
    /// FILE.json).
    #[arg(long, default_value = "mainnet")]
    chain: String,
    /// With era1 archives: the last block to relay.
    #[arg(long, value_name = "N")]
    to: Option<u64>,
    /// The shard whose EE follows the chain.
    #[arg(long, default_value_t = 0)]
    shard: u32,
    /// Print a JSON summary instead of a line per block.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    client: ClientArgs,
}

pub(crate) fn run(command: &NodeCommand) -> ExitCode {
    let result = match command {
        NodeCommand::Run(args) => run_node(args),
        NodeCommand::Deploy(args) => deploy(args),
        NodeCommand::Submit(args) => submit(args),
        NodeCommand::State(args) => request(
            &args.client,
            "GET",
            &format!("/api/shards/{}/ees/{}/state", args.shard, args.ee),
            None,
        )
        .map(print_json),
        NodeCommand::Blocks(args) => {
            let path = match args.shard {
                Some(shard) => format!("/api/shards/{shard}/blocks/{}", args.number),
                None => format!("/api/beacon/blocks/{}", args.number),
            };
            request(&args.client, "GET", &path, None).map(print_json)
        }
        NodeCommand::Info(client) => request(client, "GET", "/api/info", None).map(print_json),
        NodeCommand::RelayEth1(args) => {
            if args.paths.is_empty() {
                relay(args)
            } else if args
                .paths
                .iter()
                .all(|p| p.extension().is_some_and(|e| e == "era1"))
            {
                relay_archives(args)
            } else {
                relay_fixture(args)
            }
        }
        NodeCommand::Load(args) => load(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn print_json(value: Value) -> ExitCode {
    println!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
    ExitCode::SUCCESS
}

/// The EE state the EVM EE starts from: the example chain's genesis as its pre-state.
fn example_genesis_state() -> Result<[u8; 32], String> {
    let network = chain::example_chain::example_network();
    let config = chain::chain_config(&network.spec)?;
    Ok(stateless::ee_state(
        network.genesis.header.hash(),
        config.hash(),
        primitive_types::U256::zero(),
    ))
}

fn parse_engines(names: &[String]) -> Result<Vec<evm_ee_host::Engine>, String> {
    let mut engines = Vec::new();
    for name in names {
        engines.push(
            name.parse::<evm_ee_host::Engine>()
                .map_err(|e| format!("--engines: {e}"))?,
        );
    }
    if engines.is_empty() {
        return Err("--engines: name at least one engine".into());
    }
    Ok(engines)
}

/// Opens the node in `data` with the EVM EE on every shard at genesis, started at the example
/// chain's genesis.
fn open_node(
    data: &std::path::Path,
    config: node::NodeConfig,
    engines: Vec<evm_ee_host::Engine>,
    limits: evm_ee_host::Limits,
) -> Result<node::Node, String> {
    let names: Vec<String> = engines.iter().map(ToString::to_string).collect();
    let loader = Box::new(node::HostLoader { engines, limits });
    let genesis = vec![node::GenesisEe {
        code: ee_module::EE_WASM.to_vec(),
        initial_state: example_genesis_state()?,
    }];
    eprintln!(
        "opening the node in {} (compiling the EVM EE in {})",
        data.display(),
        names.join(", ")
    );
    node::Node::open(data, config, loader, genesis).map_err(|e| e.to_string())
}

fn run_node(args: &RunArgs) -> Result<ExitCode, String> {
    let engines = parse_engines(&args.engines)?;
    if !(args.slot_time >= 0.0 && args.slot_time <= 3600.0) {
        return Err("--slot-time: between 0 and 3600 seconds".into());
    }
    let limits = crate::host_limits(args.max_ticks, None)?;
    let mut config = node::NodeConfig {
        shards: args.shards,
        ..node::NodeConfig::default()
    };
    if let Some(ticks) = args.block_ticks {
        config.block_ticks = ticks;
    }
    if let Some(bytes) = args.max_transaction_bytes {
        config.max_transaction_bytes = bytes;
    }
    let node = open_node(&args.data, config, engines, limits)?;
    let timing = if args.slot_time == 0.0 {
        node::server::SlotTiming::OnDemand
    } else {
        node::server::SlotTiming::Every(Duration::from_secs_f64(args.slot_time))
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(args.http).await?;
            eprintln!(
                "node at slot {}: explorer and API on http://{} (ctrl-c stops it)",
                node.beacon_head().slot,
                listener.local_addr()?
            );
            node::server::serve(node, listener, timing).await
        })
        .map_err(|e| format!("--http {}: {e}", args.http))?;
    Ok(ExitCode::SUCCESS)
}

/// One API call: the JSON answer, or the node's `error` message with the status.
pub(crate) fn request(
    client: &ClientArgs,
    method: &str,
    path: &str,
    body: Option<(&str, &[u8])>,
) -> Result<Value, String> {
    let url = format!("{}{path}", client.node.trim_end_matches('/'));
    let request = ureq::request(method, &url).timeout(Duration::from_secs(60));
    let result = match body {
        Some((content_type, bytes)) => request.set("content-type", content_type).send_bytes(bytes),
        None => request.call(),
    };
    match result {
        Ok(response) => response
            .into_json::<Value>()
            .map_err(|e| format!("{url}: not JSON: {e}")),
        Err(ureq::Error::Status(status, response)) => {
            let reply: Value = response.into_json().unwrap_or(Value::Null);
            Err(format!(
                "{url}: {status}: {}",
                reply["error"].as_str().unwrap_or("no message")
            ))
        }
        Err(error) => Err(format!(
            "{url}: {error} (is a node running? `evm-ee node run`)"
        )),
    }
}

fn deploy(args: &DeployArgs) -> Result<ExitCode, String> {
    let code = evm_ee_host::read_file_bounded(
        &args.file,
        evm_ee_host::Limits::default().max_module_bytes as u64,
    )
    .map_err(|e| e.to_string())?;
    let path = match &args.initial_state {
        Some(state) => format!("/api/ees?initial_state={state}"),
        None => "/api/ees".into(),
    };
    request(
        &args.client,
        "POST",
        &path,
        Some(("application/wasm", &code)),
    )
    .map(print_json)
}

fn read_data(text: &str) -> Result<Vec<u8>, String> {
    match text.strip_prefix('@') {
        Some(file) => std::fs::read(file).map_err(|e| format!("{file}: {e}")),
        None => witness::hex::decode(text).map_err(|e| format!("DATA: {e}")),
    }
}

/// The transaction's record once it is no longer pending (included or dropped).
pub(crate) fn wait_for(client: &ClientArgs, hash: &str) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let record = request(client, "GET", &format!("/api/transactions/{hash}"), None)?;
        if record["status"] != "pending" {
            return Ok(record);
        }
        if Instant::now() > deadline {
            return Err(format!("transaction {hash} still pending after 600 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Submits a transaction; its hash.
pub(crate) fn submit_transaction(
    client: &ClientArgs,
    shard: u32,
    ee: u32,
    data: &[u8],
    nonce: u64,
) -> Result<String, String> {
    let body =
        json!({"shard": shard, "ee": ee, "data": witness::hex::encode(data), "nonce": nonce});
    let reply = request(
        client,
        "POST",
        "/api/transactions",
        Some(("application/json", body.to_string().as_bytes())),
    )?;
    reply["hash"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the node answered without a hash: {reply}"))
}

fn submit(args: &SubmitArgs) -> Result<ExitCode, String> {
    let data = read_data(&args.data)?;
    let hash = submit_transaction(&args.client, args.shard, args.ee, &data, args.nonce)?;
    if !args.wait {
        return Ok(print_json(json!({"hash": hash, "status": "pending"})));
    }
    let record = wait_for(&args.client, &hash)?;
    let accepted = record["accepted"] == true;
    print_json(record);
    Ok(if accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `evm-ee demo`: a node in a fresh folder, serving on `--http`, the example chain relayed to
/// it block by block, then the explorer page served until ctrl-c (or the end, with `--exit`).
pub(crate) fn demo(args: &DemoArgs) -> ExitCode {
    let temporary = args.data.is_none();
    let data = args.data.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("evm-ee-demo-{}", std::process::id()))
    });
    if temporary {
        let _ = std::fs::remove_dir_all(&data);
    }
    let result = run_demo(args, &data);
    if temporary {
        let _ = std::fs::remove_dir_all(&data);
    }
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_demo(args: &DemoArgs, data: &std::path::Path) -> Result<ExitCode, String> {
    let engines = if args.engines.is_empty() {
        evm_ee_host::Engine::ALL.to_vec()
    } else {
        parse_engines(&args.engines)?
    };
    let node = open_node(
        data,
        node::NodeConfig::default(),
        engines,
        evm_ee_host::Limits::default(),
    )?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.http))
        .map_err(|e| {
            format!(
                "--http {}: {e} (another node there? pick a port with --http 127.0.0.1:PORT)",
                args.http
            )
        })?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let server = runtime.spawn(node::server::serve(
        node,
        listener,
        node::server::SlotTiming::OnDemand,
    ));
    let url = format!("http://{address}");
    println!("a shard testnet node with the EVM EE on every shard: explorer and API on {url}/");
    println!(
        "relaying the example chain to shard 0: 5 Cancun blocks with every transaction type, a \
         contract writing storage, every precompile but the point evaluation, withdrawals and a \
         deposit"
    );
    let relay_args = RelayArgs {
        paths: Vec::new(),
        filter: None,
        chain: "mainnet".into(),
        to: None,
        shard: 0,
        json: false,
        client: ClientArgs { node: url.clone() },
    };
    let code = relay(&relay_args)?;
    if server.is_finished() {
        return Err("the node stopped".into());
    }
    if args.exit {
        return Ok(code);
    }
    println!("the explorer at {url}/ shows the chain; ctrl-c stops the node");
    runtime
        .block_on(tokio::signal::ctrl_c())
        .map_err(|e| e.to_string())?;
    Ok(code)
}

fn relay(args: &RelayArgs) -> Result<ExitCode, String> {
    let inputs = chain::example_chain::example_inputs().map_err(|e| e.to_string())?;
    let state_path = format!("/api/shards/{}/ees/0/state", args.shard);
    let (mut accepted, mut ticks, mut rejected) = (0u64, 0u64, Vec::new());
    let started = Instant::now();
    for (block, input) in &inputs {
        let state = request(&args.client, "GET", &state_path, None)?;
        let expected_pre = witness::hex::encode(&input.pre_state);
        if state["state"] != expected_pre.as_str() {
            return Err(format!(
                "EE 0 on shard {} is at {}, not at block {}'s parent ({expected_pre}): relay \
                 to a shard that follows the example chain from its genesis",
                args.shard, state["state"], block.header.number
            ));
        }
        let hash = submit_transaction(&args.client, args.shard, 0, &input.blob, 0)?;
        let record = wait_for(&args.client, &hash)?;
        let receipt = &record["receipt"];
        ticks += receipt["ticks"].as_u64().unwrap_or_default();
        let verdict = if record["accepted"] == true {
            accepted += 1;
            let post = &receipt["outcome"]["post_state"];
            if post != witness::hex::encode(&input.post_state).as_str() {
                return Err(format!(
                    "block {}: the EE's state {post} is not the block's",
                    block.header.number
                ));
            }
            "accepted".to_string()
        } else {
            let reason = receipt["outcome"]["reason"]
                .as_str()
                .or(record["reason"].as_str())
                .unwrap_or("dropped")
                .to_string();
            rejected.push(json!({"number": block.header.number, "reason": reason}));
            format!("rejected: {reason}")
        };
        if !args.json {
            let deposits = receipt["outcome"]["deposits"]
                .as_array()
                .map_or(0, Vec::len);
            println!(
                "block {} ({:?}, {} txs): {verdict}, {} ticks, {deposits} deposit(s), shard {} \
                 block {}, EE state {}",
                block.header.number,
                block.header.hash(),
                block.transactions.len(),
                receipt["ticks"],
                args.shard,
                record["number"],
                receipt["outcome"]["post_state"]
                    .as_str()
                    .unwrap_or("unchanged")
            );
        }
    }
    let summary = json!({"blocks": inputs.len(), "accepted": accepted, "rejected": rejected,
                         "ticks": ticks, "seconds": started.elapsed().as_secs_f64(),
                         "shard": args.shard});
    if args.json {
        println!("{summary}");
    } else {
        println!(
            "relayed {} blocks to shard {}: {accepted} accepted, {} rejected, {ticks} ticks, {:.1} s",
            inputs.len(),
            args.shard,
            rejected.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load(args: &LoadArgs) -> Result<ExitCode, String> {
    let text = evm_ee_host::read_file_bounded(&args.file, chain::MAX_SCOUT_YAML_BYTES)
        .map_err(|e| e.to_string())?;
    let test = chain::scout::ScoutTest::parse(&text)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let base = args.file.parent().unwrap_or(std::path::Path::new("."));
    let modules = crate::node_load::ScoutModules::read(&test, base)?;
    let report =
        crate::node_load::run_on_node(&args.client, args.shard, &args.file, &test, &modules)?;
    if args.json {
        println!("{}", crate::run_cmd::report_json(&report));
    } else {
        crate::run_cmd::print_report(&report, false);
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `relay-eth1 FIXTURE`: each BlockchainTests test as the Scout test `--emit-yaml` would write,
/// run on the node with a fresh EVM EE; passes when every test passes under Scout's rules and
/// its EE state ends on `lastblockhash`.
fn relay_fixture(args: &RelayArgs) -> Result<ExitCode, String> {
    if let Some(path) = args.paths.iter().find(|path| !path.exists()) {
        return Err(format!(
            "{} does not exist; get the fixtures with `../shared/ethtests/unpack.sh fixtures`",
            path.display()
        ));
    }
    let options = ethtests::RunOptions {
        filter: args.filter.clone(),
        ..Default::default()
    };
    let found = std::sync::Mutex::new(Vec::new());
    ethtests::blockchain::run_tests(
        &args.paths,
        &options,
        &|file: &ethtests::FixtureFile, name: &str, test: &Value| {
            let (run, blocks) =
                ethtests::blockchain::recorded::run_test_recording(test, |context, _input| {
                    chain::execute_native(context, false)
                });
            let emitted = ethtests::scout_emit::scout_test(&file.display, name, test, &blocks);
            if let Ok(mut found) = found.lock() {
                found.push((format!("{}:{name}", file.display), emitted));
            }
            run
        },
    )
    .map_err(|e| e.to_string())?;
    let mut found = found
        .into_inner()
        .map_err(|_| "a worker panicked".to_string())?;
    found.sort_by(|a, b| a.0.cmp(&b.0));
    if found.is_empty() {
        return Err("no blockchain test in the paths given".into());
    }
    let modules = crate::node_load::ScoutModules {
        scripts: vec![ee_module::EE_WASM.to_vec()],
        libraries: Vec::new(),
    };
    let started = Instant::now();
    let (mut passed, mut failed, mut ticks) = (0usize, Vec::new(), 0u64);
    let mut summaries = Vec::new();
    for (label, emitted) in &found {
        let report = crate::node_load::run_on_node(
            &args.client,
            args.shard,
            std::path::Path::new(label),
            &emitted.test,
            &modules,
        )?;
        let on_head = emitted.head_state.is_some()
            && report.final_states.first() == emitted.head_state.as_ref();
        ticks += report.blocks.iter().map(|b| b.result.ticks).sum::<u64>();
        let ok = report.passed() && on_head;
        if ok {
            passed += 1;
        } else {
            failed.push(label.clone());
        }
        let head = if on_head {
            "ends on lastblockhash".to_string()
        } else {
            format!(
                "does NOT end on lastblockhash (EE state {}, lastblockhash's {})",
                report
                    .final_states
                    .first()
                    .map_or("none".into(), |s| witness::hex::encode(s)),
                emitted
                    .head_state
                    .map_or("unknown: its block never reached an engine".into(), |s| {
                        witness::hex::encode(&s)
                    })
            )
        };
        if args.json {
            let mut value = crate::run_cmd::report_json(&report);
            value["ends_on_lastblockhash"] = json!(on_head);
            summaries.push(value);
        } else {
            crate::run_cmd::print_report(&report, false);
            println!("{head}");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        println!(
            "{}",
            json!({"tests": summaries, "passed": passed, "failed": failed, "ticks": ticks,
                   "seconds": seconds, "shard": args.shard})
        );
    } else {
        println!(
            "relayed {} tests to shard {}: {passed} passed, {} failed, {ticks} ticks, {seconds:.1} s",
            found.len(),
            args.shard,
            failed.len()
        );
        for label in &failed {
            println!("  FAILED {label}");
        }
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `relay-eth1 ARCHIVE.era1...`: the archived chain imported natively over a state store in
/// memory (seals verified, as `replay` does), each block's blob built with the witness the store
/// serves and submitted to a fresh EVM EE deployed at the genesis EE state; each batch's
/// receipts are followed before the next batch, and every block must be accepted with the
/// block's own EE state.
fn relay_archives(args: &RelayArgs) -> Result<ExitCode, String> {
    let definition = chain::chain_by_name(&args.chain).map_err(|e| format!("--chain: {e}"))?;
    let network = definition.network.ok_or_else(|| {
        format!(
            "--chain {}: the project knows this chain's rules but not its genesis state; pass its \
             genesis.json as --chain FILE.json",
            definition.name
        )
    })?;
    let archives = crate::replay_cmd::open_archives(&args.paths, !args.json)?;
    let mut replayer = chain::Replayer::open(
        chain::MemoryStore::new(),
        &network,
        chain::ReplayEngine::Native,
    )
    .map_err(|e| e.to_string())?;
    replayer.keep_inputs(true);
    let started = Instant::now();
    let (mut ee, mut blocks, mut ticks, mut state) = (None, 0u64, 0u64, None);
    let failure = crate::replay_cmd::for_each_archived_batch(
        &archives,
        args.to.unwrap_or(u64::MAX),
        |batch| {
            let mut submitted = Vec::with_capacity(batch.len());
            if let Err(error) = replayer.verify_seals(batch) {
                return Ok(Some(error.to_string()));
            }
            for block in batch {
                match replayer.replay(block) {
                    Ok(_) => {}
                    Err(error @ chain::ReplayError::Disagrees { .. }) => {
                        return Ok(Some(error.to_string()));
                    }
                    Err(error) => return Err(error.to_string()),
                }
                let input = replayer
                    .take_input()
                    .ok_or_else(|| format!("block {}: no EE input was kept", block.number))?;
                let id = match ee {
                    Some(id) => id,
                    None => {
                        let id = crate::node_load::deploy(
                            &args.client,
                            ee_module::EE_WASM,
                            input.pre_state,
                            &[],
                        )?;
                        ee = Some(id);
                        id
                    }
                };
                let hash = submit_transaction(&args.client, args.shard, id, &input.blob, 0)?;
                submitted.push((block.number, hash, input.post_state));
            }
            for (number, hash, post_state) in submitted {
                let record = wait_for(&args.client, &hash)?;
                let receipt = &record["receipt"];
                let expected = witness::hex::encode(&post_state);
                if record["accepted"] != true || receipt["outcome"]["post_state"] != expected {
                    return Ok(Some(format!(
                        "block {number}: the EE did not accept it with the block's state: {}",
                        receipt["outcome"]
                    )));
                }
                ticks += receipt["ticks"].as_u64().unwrap_or_default();
                blocks += 1;
                state = Some(expected);
            }
            if !args.json {
                eprintln!(
                    "relayed blocks 1..={} ({ticks} ticks, {:.1} s)",
                    replayer.head_number(),
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(None)
        },
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let head = replayer.head_number();
    if args.json {
        println!(
            "{}",
            json!({"chain": args.chain, "blocks": blocks, "head": head, "ticks": ticks,
                   "ee": ee, "shard": args.shard, "state": state, "seconds": seconds,
                   "failure": failure})
        );
    } else {
        println!(
            "relayed {blocks} blocks of {} to EE {} on shard {}: head {head}, EE state {}, \
             {ticks} ticks, {seconds:.1} s",
            args.chain,
            ee.map_or("none".into(), |ee| ee.to_string()),
            args.shard,
            state.as_deref().unwrap_or("unchanged"),
        );
        if let Some(failure) = &failure {
            println!("FAIL {failure}");
        }
    }
    Ok(if failure.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
