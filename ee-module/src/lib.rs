//! The execution environment and the precompile modules as Wasm: `build.rs` compiles the `ee`
//! crate and the `precompile-modules` binaries for `wasm32-unknown-unknown` (adding the target
//! with rustup when it is missing) during the normal cargo build, so hosts and the CLI always
//! embed modules built from the same sources.
//!
//! Dependencies and why: `precompiles` (its [`Precompile`] names the modules).

#![warn(missing_docs, unreachable_pub)]

pub use precompiles::Precompile;

/// The EE module, as compiled from `ee/` with the `ee` profile (LTO, no debug info).
pub const EE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ee.wasm"));

/// Where a precompile module's field arithmetic runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bignum {
    /// Through the host's `bignum` imports.
    Host,
    /// Compiled into the module (the pure-Wasm fallback; the module imports nothing).
    Wasm,
}

impl Bignum {
    /// Both, host first.
    pub const ALL: [Bignum; 2] = [Bignum::Host, Bignum::Wasm];

    /// `host` or `wasm`.
    pub fn name(self) -> &'static str {
        match self {
            Bignum::Host => "host",
            Bignum::Wasm => "wasm",
        }
    }
}

macro_rules! modules {
    ($variant:literal) => {
        [
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/ecrecover.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/sha256.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/ripemd160.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/identity.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/modexp.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/bn128_add.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/bn128_mul.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/bn128_pairing.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/blake2f.wasm"
            ))
            .as_slice(),
            include_bytes!(concat!(
                env!("OUT_DIR"),
                "/precompiles/",
                $variant,
                "/point_evaluation.wasm"
            ))
            .as_slice(),
        ]
    };
}

/// The modules in [`Precompile::ALL`] order.
const HOST_MODULES: [&[u8]; 10] = modules!("host");
const WASM_MODULES: [&[u8]; 10] = modules!("wasm");

/// The standalone module of `precompile` (its ABI is in the `precompile-modules` crate docs).
pub fn precompile_module(precompile: Precompile, bignum: Bignum) -> &'static [u8] {
    let index = usize::from(precompile.number() - 1);
    match bignum {
        Bignum::Host => HOST_MODULES[index],
        Bignum::Wasm => WASM_MODULES[index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_is_wasm_and_exports_main() {
        assert_eq!(&EE_WASM[..4], b"\0asm");
        // The export section names `main`; a cheap check without a parser.
        assert!(EE_WASM.windows(4).any(|w| w == b"main"));
    }

    /// Whether `wasm` has an import `bignum.NAME` for one of the interface's functions: an
    /// import entry is the module name and the field name, each prefixed by its length.
    fn imports_bignum(wasm: &[u8]) -> bool {
        const NAMES: [&str; 6] = [
            "addmod256",
            "submod256",
            "mulmodmont256",
            "addmod384",
            "submod384",
            "mulmodmont384",
        ];
        NAMES.iter().any(|name| {
            let mut entry = b"\x06bignum".to_vec();
            entry.push(name.len() as u8);
            entry.extend_from_slice(name.as_bytes());
            wasm.windows(entry.len()).any(|w| w == entry)
        })
    }

    #[test]
    fn every_precompile_has_both_modules_and_only_host_ones_import_bignum() {
        for precompile in Precompile::ALL {
            for bignum in Bignum::ALL {
                let wasm = precompile_module(precompile, bignum);
                assert_eq!(&wasm[..4], b"\0asm", "{precompile:?}");
                assert!(wasm.windows(14).any(|w| w == b"precompile_run"));
                assert!(
                    bignum == Bignum::Host || !imports_bignum(wasm),
                    "{precompile:?} {bignum:?}"
                );
            }
        }
        // The curve modules call the host when they may.
        for precompile in [
            Precompile::Ecrecover,
            Precompile::Modexp,
            Precompile::Bn128Add,
            Precompile::Bn128Mul,
            Precompile::Bn128Pairing,
            Precompile::PointEvaluation,
        ] {
            assert!(imports_bignum(precompile_module(precompile, Bignum::Host)));
        }
    }
}
