//! The node's HTTP API (axum on tokio, JSON; `docs/node-api.md` documents every route) and its
//! slot producer. The node sits behind one mutex; every call that touches it runs on tokio's
//! blocking pool, so a slot being executed never stalls the async workers, and a request that
//! waits for the lock waits only for the slot in progress.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes as BodyBytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::node::{Node, SlotBlocks, TxRecord};
use crate::types::{Bytes32, Transaction};
use crate::{DeployError, NodeError, SubmitError};

/// How the server makes slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotTiming {
    /// A slot every this long, with or without transactions.
    Every(Duration),
    /// A slot as soon as a transaction or deployment waits (for tests and demos).
    OnDemand,
}

/// The server's shared state.
#[derive(Clone)]
struct Shared {
    node: Arc<Mutex<Node>>,
    work: Arc<Notify>,
    blocks: broadcast::Sender<Value>,
    started: std::time::Instant,
}

/// An API error: a status and a message, as `{"error": "..."}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({"error": self.1}))).into_response()
    }
}

impl From<NodeError> for ApiError {
    fn from(error: NodeError) -> ApiError {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl From<SubmitError> for ApiError {
    fn from(error: SubmitError) -> ApiError {
        let status = match &error {
            SubmitError::NoSuchShard { .. } | SubmitError::NoSuchEe { .. } => StatusCode::NOT_FOUND,
            SubmitError::DataTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            SubmitError::MempoolFull { .. } => StatusCode::SERVICE_UNAVAILABLE,
            SubmitError::Known(_) => StatusCode::CONFLICT,
            SubmitError::Node(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, error.to_string())
    }
}

impl From<DeployError> for ApiError {
    fn from(error: DeployError) -> ApiError {
        let status = match &error {
            DeployError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            DeployError::Invalid(_) | DeployError::TooMany => StatusCode::UNPROCESSABLE_ENTITY,
            DeployError::Node(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, error.to_string())
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, message.into())
}

type ApiResult = Result<Response, ApiError>;

/// Runs `f` on the node, on the blocking pool.
async fn with_node<T, F>(shared: &Shared, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Node) -> Result<T, ApiError> + Send + 'static,
{
    let node = shared.node.clone();
    tokio::task::spawn_blocking(move || {
        let mut node = node.lock().map_err(|_| {
            ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the node panicked".into(),
            )
        })?;
        f(&mut node)
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// The routes, over `node`, with a request body limit fitted to its largest transaction
/// (hex doubles the bytes) and largest module.
fn router(shared: Shared, body_limit: usize) -> Router {
    Router::new()
        .route("/", get(explorer))
        .route("/api/info", get(info))
        .route("/api/metrics", get(metrics))
        .route("/api/ees", get(list_ees).post(deploy))
        .route("/api/transactions", axum::routing::post(submit))
        .route("/api/transactions/{hash}", get(transaction))
        .route("/api/beacon/blocks/{slot}", get(beacon_block))
        .route("/api/shards/{shard}/blocks/{number}", get(shard_block))
        .route("/api/shards/{shard}/ees/{ee}/state", get(ee_state))
        .route("/api/shards/{shard}/deposits", get(deposits))
        .route("/api/events", get(events))
        .fallback(|| async { not_found("no such route: see docs/node-api.md") })
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(shared)
}

/// Serves the API on `listener` and makes slots by `timing` until ctrl-c.
pub async fn serve(
    node: Node,
    listener: tokio::net::TcpListener,
    timing: SlotTiming,
) -> std::io::Result<()> {
    let body_limit = node
        .config()
        .max_transaction_bytes
        .saturating_mul(2)
        .saturating_add(1 << 20);
    let (blocks, _) = broadcast::channel(256);
    let shared = Shared {
        node: Arc::new(Mutex::new(node)),
        work: Arc::new(Notify::new()),
        blocks,
        started: std::time::Instant::now(),
    };
    tokio::spawn(produce(shared.clone(), timing));
    axum::serve(listener, router(shared, body_limit))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// The slot producer: one slot per period, or one whenever work waits.
async fn produce(shared: Shared, timing: SlotTiming) {
    loop {
        match timing {
            SlotTiming::Every(period) => tokio::time::sleep(period).await,
            SlotTiming::OnDemand => {
                let has_work = with_node(&shared, |node| Ok(node.has_work()))
                    .await
                    .unwrap_or(false);
                if !has_work {
                    // Wake on new work, and look again now and then in any case.
                    let _ =
                        tokio::time::timeout(Duration::from_millis(500), shared.work.notified())
                            .await;
                    continue;
                }
            }
        }
        let made = with_node(&shared, |node| {
            let proposal = node.build_slot().map_err(ApiError::from)?;
            // The seed's rule made visible: a transaction the engines disagree on is dropped,
            // and the operator hears of it.
            for (hash, reason) in &proposal.dropped {
                eprintln!(
                    "slot {}: dropped transaction {hash}: {reason}",
                    proposal.blocks.beacon.slot
                );
            }
            let event = slot_event(&proposal.blocks);
            node.commit_slot(proposal).map_err(ApiError::from)?;
            Ok(event)
        })
        .await;
        match made {
            Ok(event) => {
                // No subscriber is fine.
                let _ = shared.blocks.send(event);
            }
            Err(ApiError(_, message)) => {
                eprintln!("slot production failed: {message}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// What the event stream says of a slot.
fn slot_event(blocks: &SlotBlocks) -> Value {
    json!({
        "slot": blocks.beacon.slot,
        "beacon_hash": blocks.beacon.hash(),
        "deployments": blocks.beacon.deployments.len(),
        "shard_blocks": blocks.shard_blocks.iter().map(|block| json!({
            "shard": block.header.shard,
            "number": block.header.number,
            "hash": block.hash(),
            "transactions": block.transactions.len(),
            "accepted": block.receipts.iter().filter(|r| r.accepted()).count(),
            "ticks": block.header.ticks,
        })).collect::<Vec<_>>(),
    })
}

fn json_response(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

async fn info(State(shared): State<Shared>) -> ApiResult {
    let uptime = shared.started.elapsed().as_secs();
    let value = with_node(&shared, move |node| {
        let heads: Vec<Value> = (0..node.config().shards)
            .filter_map(|shard| node.shard_head(shard))
            .map(|head| json!({"shard": head.shard, "number": head.number, "hash": crate::types::hash_of(head)}))
            .collect();
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "engines": node.engines(),
            "config": node.config(),
            "slot": node.beacon_head().slot,
            "beacon_hash": node.beacon_head().hash(),
            "shards": heads,
            "ees": node.ees().len(),
            "mempool": node.mempool_len(),
            "totals": node.totals(),
            "uptime_seconds": uptime,
        }))
    })
    .await?;
    Ok(json_response(StatusCode::OK, value))
}

/// Prometheus' text format.
async fn metrics(State(shared): State<Shared>) -> ApiResult {
    let text = with_node(&shared, |node| {
        let totals = node.totals();
        Ok(format!(
            "# TYPE evm_ee_node_slots counter\nevm_ee_node_slots {}\n\
             # TYPE evm_ee_node_transactions counter\nevm_ee_node_transactions {}\n\
             # TYPE evm_ee_node_transactions_accepted counter\nevm_ee_node_transactions_accepted {}\n\
             # TYPE evm_ee_node_transactions_dropped counter\nevm_ee_node_transactions_dropped {}\n\
             # TYPE evm_ee_node_ticks counter\nevm_ee_node_ticks {}\n\
             # TYPE evm_ee_node_deposits counter\nevm_ee_node_deposits {}\n\
             # TYPE evm_ee_node_mempool gauge\nevm_ee_node_mempool {}\n\
             # TYPE evm_ee_node_ees gauge\nevm_ee_node_ees {}\n",
            totals.slots,
            totals.transactions,
            totals.accepted,
            totals.dropped,
            totals.ticks,
            totals.deposits,
            node.mempool_len(),
            node.ees().len()
        ))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

async fn list_ees(State(shared): State<Shared>) -> ApiResult {
    let ees = with_node(&shared, |node| {
        Ok(node
            .ees()
            .into_iter()
            .map(|(ee, code_hash, initial_state, deployed_slot)| {
                json!({"ee": ee, "code_hash": code_hash, "initial_state": initial_state,
                       "deployed_slot": deployed_slot})
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(json_response(StatusCode::OK, Value::Array(ees)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployJson {
    code: crate::types::Bytes,
    #[serde(default)]
    initial_state: Bytes32,
    #[serde(default)]
    libraries: Vec<crate::types::LibraryCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployQuery {
    initial_state: Option<String>,
}

/// `POST /api/ees`: the module as the body (`application/wasm`, the initial state in
/// `?initial_state=0x..`) or as JSON `{"code": "0x..", "initial_state": "0x..", "libraries":
/// [{"name": "..", "code": "0x.."}]}`.
async fn deploy(
    State(shared): State<Shared>,
    query: Result<Query<DeployQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: BodyBytes,
) -> ApiResult {
    let Query(query) = query.map_err(|e| bad_request(e.body_text()))?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let (code, initial_state, libraries) = if is_json {
        let parsed: DeployJson = serde_json::from_slice(&body)
            .map_err(|e| bad_request(format!("the body is not a deployment: {e}")))?;
        if parsed.libraries.len() > evm_ee_host::MAX_LIBRARIES {
            return Err(bad_request(format!(
                "{} libraries; an EE links at most {}",
                parsed.libraries.len(),
                evm_ee_host::MAX_LIBRARIES
            )));
        }
        (parsed.code.0, parsed.initial_state.0, parsed.libraries)
    } else {
        let state = match query.initial_state {
            Some(text) => witness::hex::decode_fixed::<32>(&text)
                .map_err(|e| bad_request(format!("initial_state: {e}")))?,
            None => [0; 32],
        };
        (body.to_vec(), state, Vec::new())
    };
    let code_hash = Bytes32(witness::keccak256(&code).to_fixed_bytes());
    let ee = with_node(&shared, move |node| {
        node.deploy(&code, initial_state, &libraries)
            .map_err(ApiError::from)
    })
    .await?;
    shared.work.notify_one();
    Ok(json_response(
        StatusCode::CREATED,
        json!({"ee": ee, "code_hash": code_hash, "status": "pending",
               "note": "deployed by the next slot's beacon block"}),
    ))
}

/// `POST /api/transactions`: `{"shard": S, "ee": E, "data": "0x..", "nonce": N}`.
async fn submit(State(shared): State<Shared>, body: BodyBytes) -> ApiResult {
    let tx: Transaction = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("the body is not a transaction: {e}")))?;
    let hash = with_node(&shared, move |node| node.submit(tx).map_err(ApiError::from)).await?;
    shared.work.notify_one();
    Ok(json_response(
        StatusCode::ACCEPTED,
        json!({"hash": hash, "status": "pending"}),
    ))
}

fn parse_hash(text: &str) -> Result<Bytes32, ApiError> {
    witness::hex::decode_fixed::<32>(text)
        .map(Bytes32)
        .map_err(|e| bad_request(format!("{text:?} is not a 32-byte 0x hash: {e}")))
}

async fn transaction(State(shared): State<Shared>, Path(hash): Path<String>) -> ApiResult {
    let hash = parse_hash(&hash)?;
    let value = with_node(&shared, move |node| {
        let record = node
            .transaction_record(&hash)?
            .ok_or_else(|| not_found(format!("no transaction {hash}")))?;
        let mut value = serde_json::to_value(&record).unwrap_or(Value::Null);
        if let TxRecord::Included {
            shard,
            number,
            index,
        } = record
        {
            let block = node.shard_block(shard, number)?;
            let receipt = block.and_then(|block| block.receipts.get(index).cloned());
            if let (Some(receipt), Value::Object(map)) = (receipt, &mut value) {
                map.insert("accepted".into(), json!(receipt.accepted()));
                map.insert(
                    "receipt".into(),
                    serde_json::to_value(&receipt).unwrap_or(Value::Null),
                );
            }
        }
        if let Value::Object(map) = &mut value {
            map.insert("hash".into(), json!(hash));
        }
        Ok(value)
    })
    .await?;
    Ok(json_response(StatusCode::OK, value))
}

/// A block number or `head`.
fn parse_number(text: &str, what: &str) -> Result<Option<u64>, ApiError> {
    if text == "head" {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| bad_request(format!("{what} {text:?} is neither a number nor `head`")))
}

/// A block's JSON with its hash beside its fields.
fn with_hash<T: serde::Serialize>(block: &T, hash: Bytes32) -> Value {
    let mut value = serde_json::to_value(block).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("hash".into(), json!(hash));
    }
    value
}

async fn beacon_block(State(shared): State<Shared>, Path(slot): Path<String>) -> ApiResult {
    let slot = parse_number(&slot, "slot")?;
    let value = with_node(&shared, move |node| {
        let slot = slot.unwrap_or(node.beacon_head().slot);
        let block = node
            .beacon_block(slot)?
            .ok_or_else(|| not_found(format!("no beacon block at slot {slot}")))?;
        Ok(with_hash(&block, block.hash()))
    })
    .await?;
    Ok(json_response(StatusCode::OK, value))
}

async fn shard_block(
    State(shared): State<Shared>,
    Path((shard, number)): Path<(String, String)>,
) -> ApiResult {
    let shard: u32 = shard
        .parse()
        .map_err(|_| bad_request(format!("shard {shard:?} is not a number")))?;
    let number = parse_number(&number, "block")?;
    let value = with_node(&shared, move |node| {
        let head = node
            .shard_head(shard)
            .ok_or_else(|| not_found(format!("no shard {shard}")))?;
        let number = number.unwrap_or(head.number);
        let block = node
            .shard_block(shard, number)?
            .ok_or_else(|| not_found(format!("no block {number} on shard {shard}")))?;
        Ok(with_hash(&block, block.hash()))
    })
    .await?;
    Ok(json_response(StatusCode::OK, value))
}

async fn ee_state(
    State(shared): State<Shared>,
    Path((shard, ee)): Path<(String, String)>,
) -> ApiResult {
    let (Ok(shard), Ok(ee)) = (shard.parse::<u32>(), ee.parse::<u32>()) else {
        return Err(bad_request("shard and EE are numbers"));
    };
    let state = with_node(&shared, move |node| {
        node.ee_state(shard, ee)
            .ok_or_else(|| not_found(format!("no deployed EE {ee} on shard {shard}")))
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        json!({"shard": shard, "ee": ee, "state": state}),
    ))
}

/// Blocks one deposits request reads at most.
const MAX_DEPOSIT_BLOCKS: usize = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepositsQuery {
    from: Option<u64>,
    blocks: Option<usize>,
}

/// `GET /api/shards/{shard}/deposits?from=N&blocks=M`: the deposits of the accepted
/// transactions in blocks `N..N+M` of the shard (M at most 1,000), with where they come from,
/// and the block to ask from next.
async fn deposits(
    State(shared): State<Shared>,
    Path(shard): Path<String>,
    query: Result<Query<DepositsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|e| bad_request(e.body_text()))?;
    let shard: u32 = shard
        .parse()
        .map_err(|_| bad_request(format!("shard {shard:?} is not a number")))?;
    let from = query.from.unwrap_or(0);
    let count = query
        .blocks
        .unwrap_or(MAX_DEPOSIT_BLOCKS)
        .min(MAX_DEPOSIT_BLOCKS);
    let value = with_node(&shared, move |node| {
        if node.shard_head(shard).is_none() {
            return Err(not_found(format!("no shard {shard}")));
        }
        let blocks = node.shard_blocks(shard, from, count)?;
        let next = blocks.last().map_or(from, |block| block.header.number + 1);
        let mut deposits = Vec::new();
        for block in &blocks {
            for receipt in &block.receipts {
                if let crate::types::Outcome::Accepted {
                    deposits: pushed, ..
                } = &receipt.outcome
                {
                    for (index, deposit) in pushed.iter().enumerate() {
                        deposits.push(json!({"block": block.header.number,
                            "transaction": receipt.tx_hash, "index": index, "deposit": deposit}));
                    }
                }
            }
        }
        Ok(json!({"shard": shard, "from": from, "next": next, "deposits": deposits}))
    })
    .await?;
    Ok(json_response(StatusCode::OK, value))
}

/// `GET /api/events`: server-sent events, one `slot` event per committed slot.
async fn events(
    State(shared): State<Shared>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(shared.blocks.subscribe()).filter_map(|item| {
        // A subscriber that fell behind skips what it missed.
        item.ok()
            .map(|value| Ok(Event::default().event("slot").data(value.to_string())))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn explorer() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        EXPLORER_HTML,
    )
        .into_response()
}

/// The explorer page: static HTML that reads the API.
const EXPLORER_HTML: &str = include_str!("explorer.html");
