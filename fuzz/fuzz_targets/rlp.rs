//! The strict RLP reader on arbitrary bytes: never panics, and a list's `count` agrees with
//! reading it item by item, at every depth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use witness::rlp::{self, Item};

/// Walks every nested item; returns how many items were read.
fn walk(item: Item<'_>) -> usize {
    match item {
        Item::Bytes(_) => 1,
        Item::List(list) => {
            let counted = list.count();
            let mut reader = list;
            let mut read = 0;
            let mut total = 1;
            while let Ok(Some((item, raw))) = reader.next_raw() {
                // The raw bytes of an item decode on their own to the same item.
                assert_eq!(rlp::decode_exact(raw), Ok(item));
                total += walk(item);
                read += 1;
            }
            if let Ok(count) = counted {
                assert_eq!(count, read);
                assert!(reader.is_empty());
            }
            total
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(item) = rlp::decode_exact(data) {
        walk(item);
    }
});
