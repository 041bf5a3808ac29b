;; Bootstrap pair tables, eight replicates at once (see ../batch-count.ts).
;;
;; A replicate's table of a pair is sum over rows of m_r e_{a_r b_r}: the row's multiplicity added to
;; the cell of its two answers. Eight replicates share the cell index of a row, so one 128-bit
;; addition updates the eight counts of that cell: the table is cells x 8 uint16 lanes (16 bytes a
;; cell, replicate l in lane l) and the multiplicities are rows x 8 uint8 (replicate l at byte l).
;; Hand-written because plain JavaScript has no SIMD: counting the replicates one by one costs eight
;; scalar increments where this costs one vector addition (measured in bench/bootstrap.ts).
;;
;; Exact while every lane's total stays below 65,536 (the caller checks: rows x multiplicity sums)
;; and every multiplicity below 256.
(module
  (memory (export "memory") 1)

  ;; Zeroes `cells` cells at $t, then adds, for r = 0..n-1, the eight multiplicities at
  ;; $mult + 8r to cell (a[r] * stride + b[r]) of the table at $t. a and b are one byte per row.
  (func (export "pairBatch8") (param $a i32) (param $b i32) (param $n i32) (param $stride i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $c i32) (local $end i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 4)))
    ;; Two rows an iteration (loop overhead), then the odd last row.
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $c
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $r))) (local.get $stride))
                (i32.load8_u (i32.add (local.get $b) (local.get $r))))
              (i32.const 4))))
        (v128.store (local.get $c)
          (i16x8.add (v128.load (local.get $c))
            (v128.load8x8_u (i32.add (local.get $mult) (i32.shl (local.get $r) (i32.const 3))))))
        (local.set $c
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.mul (i32.load8_u offset=1 (i32.add (local.get $a) (local.get $r))) (local.get $stride))
                (i32.load8_u offset=1 (i32.add (local.get $b) (local.get $r))))
              (i32.const 4))))
        (v128.store (local.get $c)
          (i16x8.add (v128.load (local.get $c))
            (v128.load8x8_u offset=8 (i32.add (local.get $mult) (i32.shl (local.get $r) (i32.const 3))))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rows)))
    (if (i32.lt_u (local.get $end) (local.get $n))
      (then
        (local.set $c
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $end))) (local.get $stride))
                (i32.load8_u (i32.add (local.get $b) (local.get $end))))
              (i32.const 4))))
        (v128.store (local.get $c)
          (i16x8.add (v128.load (local.get $c))
            (v128.load8x8_u (i32.add (local.get $mult) (i32.shl (local.get $end) (i32.const 3)))))))))

  ;; pairBatch8 for four batches of eight replicates at once: the row's cell is found once and its
  ;; four vectors (64 bytes, batch q at +16q) take the row's four batches' multiplicities (32 bytes
  ;; a row at $mult + 32r, batch q at +8q). Zeroes `cells` x 64 bytes at $t first.
  (func (export "pairBatch8x4") (param $a i32) (param $b i32) (param $n i32) (param $stride i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $c i32) (local $m i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 6)))
    (local.set $m (local.get $mult))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $c
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $r))) (local.get $stride))
                (i32.load8_u (i32.add (local.get $b) (local.get $r))))
              (i32.const 6))))
        (v128.store offset=0 (local.get $c)
          (i16x8.add (v128.load offset=0 (local.get $c)) (v128.load8x8_u offset=0 (local.get $m))))
        (v128.store offset=16 (local.get $c)
          (i16x8.add (v128.load offset=16 (local.get $c)) (v128.load8x8_u offset=8 (local.get $m))))
        (v128.store offset=32 (local.get $c)
          (i16x8.add (v128.load offset=32 (local.get $c)) (v128.load8x8_u offset=16 (local.get $m))))
        (v128.store offset=48 (local.get $c)
          (i16x8.add (v128.load offset=48 (local.get $c)) (v128.load8x8_u offset=24 (local.get $m))))
        (local.set $m (i32.add (local.get $m) (i32.const 32)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)
