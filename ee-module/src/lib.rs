//! The execution environment as a Wasm module: `build.rs` compiles the `ee` crate for
//! `wasm32-unknown-unknown` (adding the target with rustup when it is missing) during the normal
//! cargo build, so hosts and the CLI always embed an EE built from the same sources.

#![warn(missing_docs, unreachable_pub)]

/// The EE module, as compiled from `ee/` with the `ee` profile (LTO, no debug info).
pub const EE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ee.wasm"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_is_wasm_and_exports_main() {
        assert_eq!(&EE_WASM[..4], b"\0asm");
        // The export section names `main`; a cheap check without a parser.
        assert!(EE_WASM.windows(4).any(|w| w == b"main"));
    }
}
