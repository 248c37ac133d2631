//! Scout's YAML test format (`evm-ee run FILE.yaml`): `ScoutTest::parse` on arbitrary bytes.
//! No panic and no deep recursion (the nesting bound comes before the parser); what parses writes
//! back to YAML that parses to the same test.

#![no_main]

use chain::scout::ScoutTest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(test) = ScoutTest::parse(data) {
        let again = ScoutTest::parse(test.to_yaml().as_bytes()).expect("written YAML parses");
        assert_eq!(again, test);
    }
});
