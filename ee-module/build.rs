//! Compiles the `ee` crate for wasm32-unknown-unknown into `$OUT_DIR/ee.wasm`, and the
//! `precompile-modules` binaries twice, into `$OUT_DIR/precompiles/{host,wasm}/NAME.wasm` (with
//! the host's bignum imports, and with the arithmetic compiled in).
//!
//! A nested cargo build with its own target directory (the outer build holds the lock on the
//! workspace's), the `ee` profile of the workspace, and none of the outer build's flags, which are
//! meant for the host target.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let workspace = manifest_dir
        .parent()
        .expect("ee-module lives in the workspace")
        .to_path_buf();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for path in [
        "ee",
        "stateless",
        "evm-core",
        "witness",
        "precompiles",
        "precompile-modules",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(path).join("src").display()
        );
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(path).join("Cargo.toml").display()
        );
    }
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.toml").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );

    ensure_target();

    let target_dir = out_dir.join("ee-target");
    let built = target_dir.join(TARGET).join("ee");
    nested_build(
        &workspace,
        &target_dir,
        &["-p", "ee", "--features", "module"],
        "the EE",
    );
    copy(&built.join("ee.wasm"), &out_dir.join("ee.wasm"));

    for (variant, features) in [("host", "module,host-bignum"), ("wasm", "module")] {
        nested_build(
            &workspace,
            &target_dir,
            &["-p", "precompile-modules", "--bins", "--features", features],
            "the precompile modules",
        );
        let dir = out_dir.join("precompiles").join(variant);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        for name in PRECOMPILE_MODULES {
            let file = format!("{name}.wasm");
            copy(&built.join(&file), &dir.join(&file));
        }
    }
}

/// The binaries of `precompile-modules`, one per precompile.
const PRECOMPILE_MODULES: [&str; 10] = [
    "ecrecover",
    "sha256",
    "ripemd160",
    "identity",
    "modexp",
    "bn128_add",
    "bn128_mul",
    "bn128_pairing",
    "blake2f",
    "point_evaluation",
];

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", from.display(), to.display()));
}

/// `cargo build ARGS --target wasm32-unknown-unknown --profile ee` in the workspace.
fn nested_build(workspace: &Path, target_dir: &Path, args: &[&str], what: &str) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .args(args)
        .args(["--target", TARGET, "--profile", "ee", "--locked"])
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        command.env_remove(var);
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {what}: {e}"));
    if !status.success() {
        panic!("building {what} for {TARGET} failed (see the cargo output above)");
    }
}

/// The target must be installed; rustup here does not add targets by itself, so add it, or stop
/// with the exact instruction.
fn ensure_target() {
    if target_installed() {
        return;
    }
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map(|status| status.success())
        .unwrap_or(false);
    if !added || !target_installed() {
        panic!(
            "the Rust target {TARGET} is missing and could not be added; install it with: rustup target add {TARGET}"
        );
    }
}

fn target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .is_some_and(|dir| has_core(Path::new(dir.trim())))
}

/// An installed target's libdir holds its `libcore-*.rlib`.
fn has_core(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
        })
        .unwrap_or(false)
}
