;; Contingency tables of one pair of codes (see ../sufficient.ts, countJoint): for rows r = 0..n-1,
;; the cell p[r] * s2 + q[r] of the table gets one count (and, weighted, the row's weight).
;; Hand-written because the scalar JavaScript loop spends most of its instructions on bounds checks
;; of the four typed arrays it touches; WebAssembly's accesses are checked by the memory's guard
;; pages instead (measured with bench/association.ts: see its README).
(module
  (memory (export "memory") 1)

  ;; Int32 counts: zeroes `cells` cells at $t when $zero is not 0 (a table counted in row chunks is
  ;; zeroed before the first only), then counts the n rows of byte codes $p and $q.
  (func (export "count") (param $p i32) (param $q i32) (param $n i32) (param $s2 i32) (param $t i32) (param $cells i32) (param $zero i32)
    (local $r i32) (local $c i32) (local $end i32)
    (if (local.get $zero) (then (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 2)))))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $c (i32.add (local.get $t) (i32.shl (i32.add (i32.mul (i32.load8_u (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u (i32.add (local.get $q) (local.get $r)))) (i32.const 2))))
        (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (local.set $c (i32.add (local.get $t) (i32.shl (i32.add (i32.mul (i32.load8_u offset=1 (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u offset=1 (i32.add (local.get $q) (local.get $r)))) (i32.const 2))))
        (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (local.set $c (i32.add (local.get $t) (i32.shl (i32.add (i32.mul (i32.load8_u offset=2 (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u offset=2 (i32.add (local.get $q) (local.get $r)))) (i32.const 2))))
        (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (local.set $c (i32.add (local.get $t) (i32.shl (i32.add (i32.mul (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u offset=3 (i32.add (local.get $q) (local.get $r)))) (i32.const 2))))
        (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows)))
    (block $tail
      (loop $rest
        (br_if $tail (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $c (i32.add (local.get $t) (i32.shl (i32.add (i32.mul (i32.load8_u (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u (i32.add (local.get $q) (local.get $r)))) (i32.const 2))))
        (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rest))))

  ;; Float64 weight sums at $tw and Int32 counts at $tc (both zeroed first when $zero is not 0), row
  ;; weights at $w (8 bytes a row), rows in order: each cell adds its rows' weights in row order.
  (func (export "countWeighted") (param $p i32) (param $q i32) (param $n i32) (param $s2 i32) (param $tw i32) (param $tc i32) (param $w i32) (param $cells i32) (param $zero i32)
    (local $r i32) (local $x i32) (local $a i32)
    (if (local.get $zero)
      (then
        (memory.fill (local.get $tw) (i32.const 0) (i32.shl (local.get $cells) (i32.const 3)))
        (memory.fill (local.get $tc) (i32.const 0) (i32.shl (local.get $cells) (i32.const 2)))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $x (i32.add (i32.mul (i32.load8_u (i32.add (local.get $p) (local.get $r))) (local.get $s2)) (i32.load8_u (i32.add (local.get $q) (local.get $r)))))
        (local.set $a (i32.add (local.get $tw) (i32.shl (local.get $x) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.load (i32.add (local.get $w) (i32.shl (local.get $r) (i32.const 3))))))
        (local.set $a (i32.add (local.get $tc) (i32.shl (local.get $x) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; Per-row-set item sums (../sufficient.ts, rowSetItemSums): for each of the $nrows row numbers at
  ;; $rows (uint32), the row's m answer slots at $bytes + row * m (row-major, missing = k), its weight
  ;; at $w + 8 row; cell off[i] + slot of item i gets 1 in the Float64 counts at $cc and the weight
  ;; in the Float64 sums at $cw (both zeroed first, $cells cells). Rows in the given order.
  (func (export "rowSums") (param $bytes i32) (param $m i32) (param $rows i32) (param $nrows i32) (param $w i32) (param $off i32) (param $cc i32) (param $cw i32) (param $cells i32)
    (local $r i32) (local $base i32) (local $i i32) (local $c i32) (local $wr f64)
    (memory.fill (local.get $cc) (i32.const 0) (i32.shl (local.get $cells) (i32.const 3)))
    (memory.fill (local.get $cw) (i32.const 0) (i32.shl (local.get $cells) (i32.const 3)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $nrows)))
        (local.set $base (i32.load (i32.add (local.get $rows) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $wr (f64.load (i32.add (local.get $w) (i32.shl (local.get $base) (i32.const 3)))))
        (local.set $base (i32.add (local.get $bytes) (i32.mul (local.get $base) (local.get $m))))
        (local.set $i (i32.const 0))
        (block $row
          (loop $items
            (br_if $row (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $c (i32.shl (i32.add (i32.load (i32.add (local.get $off) (i32.shl (local.get $i) (i32.const 2)))) (i32.load8_u (i32.add (local.get $base) (local.get $i)))) (i32.const 3)))
            (f64.store (i32.add (local.get $cc) (local.get $c)) (f64.add (f64.load (i32.add (local.get $cc) (local.get $c))) (f64.const 1)))
            (f64.store (i32.add (local.get $cw) (local.get $c)) (f64.add (f64.load (i32.add (local.get $cw) (local.get $c))) (local.get $wr)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $items)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each))))
)
