;; The library library_user.wat links as "numbers".
(module
  (func (export "seven") (result i32) (i32.const 7)))
