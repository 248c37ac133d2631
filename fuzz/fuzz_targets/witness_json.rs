//! The JSON witness a user imports (`evm-ee witness import`): `Witness::from_json` on arbitrary
//! text. No panic; what parses writes back to JSON that parses to the same witness.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stateless::Witness;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(witness) = Witness::from_json(text) {
        let again = Witness::from_json(&witness.to_json()).expect("written JSON parses");
        assert_eq!(again, witness);
    }
});
