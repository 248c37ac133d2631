;; A test EE that links a library (Scout's `libraries`): it asks the library "numbers" for a
;; byte and saves a post-state of that byte followed by zeros. It cannot load without the
;; library. Used by node/tests/node.rs and chain/tests/scout_file.rs with numbers.wat.
(module
  (import "env" "eth2_savePostStateRoot" (func $save (param i32)))
  (import "numbers" "seven" (func $seven (result i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (i32.store8 (i32.const 0) (call $seven))
    (call $save (i32.const 0))))
