;; A test EE that also deposits: post-state = block data[0..32]; a 216-byte block also pushes
;; data[32..216] as a deposit (Scout's 184-byte layout); any other length is rejected with the
;; reason "bad block length". Used by chain/tests/scout_file.rs and node/tests/node.rs.
(module
  (import "env" "eth2_blockDataSize" (func $size (result i32)))
  (import "env" "eth2_blockDataCopy" (func $copy (param i32 i32 i32)))
  (import "env" "eth2_savePostStateRoot" (func $save (param i32)))
  (import "env" "eth2_pushNewDeposit" (func $deposit (param i32 i32)))
  (import "debug" "printMem" (func $pm (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 1000) "bad block length")
  (func (export "main") (local $n i32)
    (local.set $n (call $size))
    (if (i32.and (i32.ne (local.get $n) (i32.const 32)) (i32.ne (local.get $n) (i32.const 216)))
      (then (call $pm (i32.const 1000) (i32.const 16)) unreachable))
    (call $copy (i32.const 0) (i32.const 0) (local.get $n))
    (if (i32.eq (local.get $n) (i32.const 216))
      (then (call $deposit (i32.const 32) (i32.const 184))))
    (call $save (i32.const 0))))
