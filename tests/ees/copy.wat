;; A test EE: post-state = the block data, which must be 32 bytes; anything else is rejected
;; with the reason "bad block length". Used by the node's HTTP, explorer and end-to-end tests and
;; its load benchmark.
(module
  (import "env" "eth2_blockDataSize" (func $size (result i32)))
  (import "env" "eth2_blockDataCopy" (func $copy (param i32 i32 i32)))
  (import "env" "eth2_savePostStateRoot" (func $save (param i32)))
  (import "debug" "printMem" (func $pm (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 1000) "bad block length")
  (func (export "main") (local $n i32)
    (local.set $n (call $size))
    (if (i32.ne (local.get $n) (i32.const 32))
      (then (call $pm (i32.const 1000) (i32.const 16)) unreachable))
    (call $copy (i32.const 0) (i32.const 0) (local.get $n))
    (call $save (i32.const 0))))
