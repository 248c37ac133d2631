//! The fork schedule: one ordered [`SpecId`] per hard fork, so that a rule is enabled by a single
//! comparison (`spec.is_enabled_in(SpecId::Berlin)`), as in revm's `hardfork.rs`.

use evm::standard::Config;

/// An Ethereum mainnet hard fork, in activation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum SpecId {
    /// Launch rules (July 2015).
    Frontier = 0,
    /// EIP-2, EIP-7 (DELEGATECALL), EIP-8.
    Homestead,
    /// Tangerine Whistle: EIP-150 gas repricing.
    Tangerine,
    /// Spurious Dragon: EIP-155, EIP-160, EIP-161, EIP-170.
    SpuriousDragon,
    /// Byzantium: REVERT, RETURNDATA, STATICCALL, bn128 and modexp precompiles, receipts status.
    Byzantium,
    /// Constantinople as first scheduled, with EIP-1283 net gas metering for SSTORE.
    Constantinople,
    /// Petersburg (ConstantinopleFix): Constantinople without EIP-1283.
    Petersburg,
    /// Istanbul: EIP-152, EIP-1108, EIP-1344, EIP-1884, EIP-2028, EIP-2200.
    Istanbul,
    /// Berlin: EIP-2565, EIP-2718, EIP-2929, EIP-2930.
    Berlin,
    /// London: EIP-1559, EIP-3198, EIP-3529, EIP-3541.
    London,
    /// Paris, the merge: EIP-3675, EIP-4399 (PREVRANDAO).
    Paris,
    /// Shanghai: EIP-3651, EIP-3855, EIP-3860, EIP-4895.
    Shanghai,
    /// Cancun: EIP-1153, EIP-4788, EIP-4844, EIP-5656, EIP-6780, EIP-7516.
    Cancun,
}

impl SpecId {
    /// Every supported fork, oldest first.
    pub const ALL: [SpecId; 13] = [
        SpecId::Frontier,
        SpecId::Homestead,
        SpecId::Tangerine,
        SpecId::SpuriousDragon,
        SpecId::Byzantium,
        SpecId::Constantinople,
        SpecId::Petersburg,
        SpecId::Istanbul,
        SpecId::Berlin,
        SpecId::London,
        SpecId::Paris,
        SpecId::Shanghai,
        SpecId::Cancun,
    ];

    /// The fork whose discriminant is `index` (0 = Frontier, ...), as compact encodings such as
    /// the EE's chain config write a fork.
    pub fn from_u8(index: u8) -> Option<SpecId> {
        SpecId::ALL.get(usize::from(index)).copied()
    }

    /// Whether the rules of `fork` apply under `self`.
    pub const fn is_enabled_in(self, fork: SpecId) -> bool {
        self as u8 >= fork as u8
    }

    /// The fork's name as ethereum/tests fixtures write it.
    pub const fn fixture_name(self) -> &'static str {
        match self {
            SpecId::Frontier => "Frontier",
            SpecId::Homestead => "Homestead",
            SpecId::Tangerine => "EIP150",
            SpecId::SpuriousDragon => "EIP158",
            SpecId::Byzantium => "Byzantium",
            SpecId::Constantinople => "Constantinople",
            SpecId::Petersburg => "ConstantinopleFix",
            SpecId::Istanbul => "Istanbul",
            SpecId::Berlin => "Berlin",
            SpecId::London => "London",
            SpecId::Paris => "Paris",
            SpecId::Shanghai => "Shanghai",
            SpecId::Cancun => "Cancun",
        }
    }

    /// Parses a fork name: the fixture names, the mainnet names and the usual aliases
    /// (`EIP150`/`TangerineWhistle`, `EIP158`/`SpuriousDragon`, `ConstantinopleFix`/`Petersburg`,
    /// `Merge`/`Paris`). Case-insensitive.
    pub fn from_name(name: &str) -> Option<SpecId> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "frontier" => SpecId::Frontier,
            "homestead" => SpecId::Homestead,
            "eip150" | "tangerine" | "tangerinewhistle" => SpecId::Tangerine,
            "eip158" | "spuriousdragon" => SpecId::SpuriousDragon,
            "byzantium" => SpecId::Byzantium,
            "constantinople" => SpecId::Constantinople,
            "constantinoplefix" | "petersburg" => SpecId::Petersburg,
            "istanbul" => SpecId::Istanbul,
            "berlin" => SpecId::Berlin,
            "london" => SpecId::London,
            "paris" | "merge" => SpecId::Paris,
            "shanghai" => SpecId::Shanghai,
            "cancun" => SpecId::Cancun,
            _ => return None,
        })
    }

    /// The `evm` crate's interpreter configuration for this fork.
    ///
    /// Constantinople shares Petersburg's configuration: the `evm` crate has no EIP-1283 switch,
    /// so evm-core meters SSTORE for Constantinople itself (see `execute::gas`).
    pub fn evm_config(self) -> &'static Config {
        static CONFIGS: [Config; 12] = [
            Config::frontier(),
            Config::homestead(),
            Config::tangerine_whistle(),
            Config::spurious_dragon(),
            Config::byzantium(),
            Config::petersburg(),
            Config::istanbul(),
            Config::berlin(),
            Config::london(),
            Config::london(),
            Config::shanghai(),
            Config::cancun(),
        ];
        let index = match self {
            SpecId::Frontier => 0,
            SpecId::Homestead => 1,
            SpecId::Tangerine => 2,
            SpecId::SpuriousDragon => 3,
            SpecId::Byzantium => 4,
            SpecId::Constantinople | SpecId::Petersburg => 5,
            SpecId::Istanbul => 6,
            SpecId::Berlin => 7,
            // Paris changes no interpreter rule the `evm` config knows about: PREVRANDAO reuses
            // the DIFFICULTY opcode through `block_randomness`.
            SpecId::London => 8,
            SpecId::Paris => 9,
            SpecId::Shanghai => 10,
            SpecId::Cancun => 11,
        };
        &CONFIGS[index]
    }
}

impl core::fmt::Display for SpecId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.fixture_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_holds() {
        for (i, spec) in SpecId::ALL.iter().enumerate() {
            assert_eq!(SpecId::from_name(spec.fixture_name()), Some(*spec));
            assert_eq!(*spec as usize, i);
            assert_eq!(SpecId::from_u8(i as u8), Some(*spec));
        }
        assert!(SpecId::Cancun.is_enabled_in(SpecId::Berlin));
        assert!(!SpecId::Byzantium.is_enabled_in(SpecId::Constantinople));
        assert_eq!(SpecId::from_name("Merge"), Some(SpecId::Paris));
        assert_eq!(SpecId::from_name("Prague"), None);
        assert_eq!(SpecId::from_u8(SpecId::ALL.len() as u8), None);
    }

    #[test]
    fn configs_follow_the_schedule() {
        assert!(!SpecId::Frontier.evm_config().eip7_delegate_call);
        assert!(SpecId::Homestead.evm_config().eip7_delegate_call);
        assert!(SpecId::Constantinople.evm_config().eip1014_create2);
        assert!(
            !SpecId::Constantinople
                .evm_config()
                .eip2200_sstore_gas_metering
        );
        assert!(SpecId::Cancun.evm_config().eip5656_mcopy);
        assert!(!SpecId::Shanghai.evm_config().eip1153_transient_storage);
    }
}
