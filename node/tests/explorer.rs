//! The explorer page in a real browser: a node on a free port with a tiny WAT EE, one accepted
//! and one rejected transaction, then headless Chromium (driven over WebDriver) loads `/`, and the
//! test reads what the page shows (its DOM once the scripts filled it in) and keeps a screenshot
//! as a CI artifact (`target/artifacts/explorer.png`, or `$EVM_EE_ARTIFACTS/explorer.png`).
//!
//! Chromium and ChromeDriver are Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`
//! and `chromedriver`, or `$CHROMIUM` and `$CHROMEDRIVER`); `.ci/run` installs them when missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use evm_ee_host::Engine;
use node::NodeConfig;
use serde_json::{Value, json};

mod common;
use common::{EE, post_json, start_with, wait_included};

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "no Chromium at {}: install Debian's `chromium` and `chromium-driver` packages (`.ci/run` \
         does when they are missing) or set CHROMIUM to a Chromium binary",
        path.display()
    );
    path
}

/// A headless Chromium driven over WebDriver (Debian's `chromedriver`, or `$CHROMEDRIVER`): the
/// page's scripts and its live event stream run as in a user's browser, and the test reads the
/// DOM when the page says it is live.
struct Browser {
    driver: Child,
    url: String,
    session: String,
}

impl Browser {
    fn start(profile: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        let driver = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; install Debian's `chromium-driver` (`.ci/run` does when it is \
                     missing) or set CHROMEDRIVER",
                    binary.to_string_lossy()
                )
            });
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while ureq::get(&format!("{url}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium().to_string_lossy(),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                     "--window-size=1280,1500",
                     format!("--user-data-dir={}", profile.display())]}}}});
        let reply: Value = ureq::post(&format!("{url}/session"))
            .timeout(Duration::from_secs(60))
            .send_json(capabilities)
            .unwrap_or_else(|e| panic!("no browser session: {e}"))
            .into_json()
            .unwrap();
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id: {reply}"))
            .to_string();
        Browser {
            driver,
            url,
            session,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let request = ureq::request(
            method,
            &format!("{}/session/{}{path}", self.url, self.session),
        )
        .timeout(Duration::from_secs(60));
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let reply: Value = response
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}"))
            .into_json()
            .unwrap();
        reply["value"].clone()
    }

    fn open(&self, page: &str) {
        self.command("POST", "/url", Some(json!({"url": page})));
    }

    fn script(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.command("GET", "/screenshot", None);
        base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            encoded.as_str().unwrap(),
        )
        .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.url, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn the_explorer_page_shows_ees_blocks_and_verdicts_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(vec![Engine::Wasmi], NodeConfig::default());
    let url = server.url.clone();
    let (_, accepted) = post_json(
        &server,
        "/api/transactions",
        &format!(
            r#"{{"shard": 1, "ee": 0, "data": "0x{}"}}"#,
            "ab".repeat(32)
        ),
    );
    let (_, rejected) = post_json(
        &server,
        "/api/transactions",
        r#"{"shard": 2, "ee": 0, "data": "0x0102"}"#,
    );
    let accepted_hash = accepted["hash"].as_str().unwrap();
    let rejected_hash = rejected["hash"].as_str().unwrap();
    wait_included(&server, accepted_hash);
    wait_included(&server, rejected_hash);

    let browser = Browser::start(&dir.path().join("profile"));
    browser.open(&format!("{url}/"));
    // The page is done when it says it is live and both transactions are in its table.
    let short = |hash: &str| format!("{}…{}", &hash[..10], &hash[hash.len() - 6..]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let dom = loop {
        let dom = browser.script("return document.documentElement.outerHTML;");
        let dom = dom.as_str().unwrap_or_default().to_string();
        if dom.contains("live · slot")
            && dom.contains(&short(accepted_hash))
            && dom.contains(&short(rejected_hash))
        {
            break dom;
        }
        assert!(Instant::now() < deadline, "the page did not fill in: {dom}");
        std::thread::sleep(Duration::from_millis(100));
    };
    // The EE table lists EE 0 by its code hash.
    let code_hash =
        witness::hex::encode(witness::keccak256(&wat::parse_str(EE).unwrap()).as_bytes());
    assert!(dom.contains(&short(&code_hash)), "EE 0 not listed: {dom}");
    // Both transactions, by their shortened hashes, with their verdicts.
    for (hash, verdict) in [(accepted_hash, "accepted"), (rejected_hash, "rejected: ")] {
        let at = dom
            .find(&short(hash))
            .unwrap_or_else(|| panic!("transaction {hash} not on the page: {dom}"));
        let row_end = dom[at..].find("</tr>").map_or(dom.len(), |end| at + end);
        assert!(
            dom[at..row_end].contains(verdict),
            "{hash} should show {verdict:?}: {}",
            &dom[at..row_end]
        );
    }
    // The beacon block of the slot that included it, and its shard block, are listed.
    let record = wait_included(&server, accepted_hash);
    let (_, block) = common::get(
        &server,
        &format!("/api/shards/1/blocks/{}", record["number"]),
    );
    let (_, beacon) = common::get(
        &server,
        &format!("/api/beacon/blocks/{}", block["header"]["slot"]),
    );
    for (what, hash) in [
        ("shard block", &block["hash"]),
        ("beacon block", &beacon["hash"]),
    ] {
        let hash = hash.as_str().unwrap();
        assert!(
            dom.contains(&short(hash)),
            "{what} {hash} not listed: {dom}"
        );
    }
    // Shard 1's EE state is the accepted transaction's data.
    assert!(
        dom.contains(&format!("0: 0x{}…{}", "ab".repeat(4), "ab".repeat(3))),
        "{dom}"
    );

    let artifacts = std::env::var_os("EVM_EE_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts"));
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("explorer.png");
    let _ = std::fs::remove_file(&screenshot);
    std::fs::write(&screenshot, browser.screenshot()).unwrap();
    let png = std::fs::read(&screenshot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    eprintln!("screenshot: {}", screenshot.display());
}
