;; Bootstrap pair tables, eight replicates at once (pairBatch8) or 32 (pairBatch8x4), or a triple's
;; table (tripleBatch8, tripleBatch8x4) and its pairs' tables as its margins (blockSum), and the
;; replicates' Pearson and Spearman from them (pairCorrelations); see ../batch-count.ts.
;;
;; A replicate's table of a pair is sum over rows of m_r e_{a_r b_r}: the row's multiplicity added to
;; the cell of its two answers. Eight replicates share the cell index of a row, so one 128-bit
;; addition updates the eight counts of that cell: the table is cells x 8 uint16 lanes (16 bytes a
;; cell, replicate l in lane l) and the multiplicities are rows x 8 uint8 (replicate l at byte l).
;; Hand-written because plain JavaScript has no SIMD: counting the replicates one by one costs eight
;; scalar increments where this costs one vector addition (measured in bench/bootstrap.ts).
;;
;; Exact while every lane's total stays below 65,536 (the caller checks: rows x multiplicity sums)
;; and every multiplicity below 256. With 32 replicates a row's four batches are 32 bytes of
;; multiplicities and a cell's four vectors 64 bytes (replicate l at uint16 index 32c + l).
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

  (func (export "pairBatch8x8") (param $a i32) (param $b i32) (param $n i32) (param $stride i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $c i32) (local $m i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 7)))
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
              (i32.const 7))))
        (v128.store offset=0 (local.get $c)
          (i16x8.add (v128.load offset=0 (local.get $c)) (v128.load8x8_u offset=0 (local.get $m))))
        (v128.store offset=16 (local.get $c)
          (i16x8.add (v128.load offset=16 (local.get $c)) (v128.load8x8_u offset=8 (local.get $m))))
        (v128.store offset=32 (local.get $c)
          (i16x8.add (v128.load offset=32 (local.get $c)) (v128.load8x8_u offset=16 (local.get $m))))
        (v128.store offset=48 (local.get $c)
          (i16x8.add (v128.load offset=48 (local.get $c)) (v128.load8x8_u offset=24 (local.get $m))))
        (v128.store offset=64 (local.get $c)
          (i16x8.add (v128.load offset=64 (local.get $c)) (v128.load8x8_u offset=32 (local.get $m))))
        (v128.store offset=80 (local.get $c)
          (i16x8.add (v128.load offset=80 (local.get $c)) (v128.load8x8_u offset=40 (local.get $m))))
        (v128.store offset=96 (local.get $c)
          (i16x8.add (v128.load offset=96 (local.get $c)) (v128.load8x8_u offset=48 (local.get $m))))
        (v128.store offset=112 (local.get $c)
          (i16x8.add (v128.load offset=112 (local.get $c)) (v128.load8x8_u offset=56 (local.get $m))))
        (local.set $m (i32.add (local.get $m) (i32.const 64)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; The table of three items at once (tripleBatch8, tripleBatch8x4): cell a * sa + b * sb + c, the
  ;; rows' multiplicities added as in pairBatch8 / pairBatch8x4. Its three two-way margins (blockSum)
  ;; are the three pairs' tables, so one pass over the rows counts three pairs where pair passes take
  ;; three, and the margins cost a read of each cell (fewer cells than rows: see ../batch-count.ts).
  (func (export "tripleBatch8") (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $sa i32) (param $sb i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $p i32) (local $m i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 4)))
    (local.set $m (local.get $mult))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $p
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.add
                  (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $r))) (local.get $sa))
                  (i32.mul (i32.load8_u (i32.add (local.get $b) (local.get $r))) (local.get $sb)))
                (i32.load8_u (i32.add (local.get $c) (local.get $r))))
              (i32.const 4))))
        (v128.store (local.get $p)
          (i16x8.add (v128.load (local.get $p)) (v128.load8x8_u (local.get $m))))
        (local.set $m (i32.add (local.get $m) (i32.const 8)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  (func (export "tripleBatch8x4") (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $sa i32) (param $sb i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $p i32) (local $m i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 6)))
    (local.set $m (local.get $mult))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $p
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.add
                  (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $r))) (local.get $sa))
                  (i32.mul (i32.load8_u (i32.add (local.get $b) (local.get $r))) (local.get $sb)))
                (i32.load8_u (i32.add (local.get $c) (local.get $r))))
              (i32.const 6))))
        (v128.store offset=0 (local.get $p)
          (i16x8.add (v128.load offset=0 (local.get $p)) (v128.load8x8_u offset=0 (local.get $m))))
        (v128.store offset=16 (local.get $p)
          (i16x8.add (v128.load offset=16 (local.get $p)) (v128.load8x8_u offset=8 (local.get $m))))
        (v128.store offset=32 (local.get $p)
          (i16x8.add (v128.load offset=32 (local.get $p)) (v128.load8x8_u offset=16 (local.get $m))))
        (v128.store offset=48 (local.get $p)
          (i16x8.add (v128.load offset=48 (local.get $p)) (v128.load8x8_u offset=24 (local.get $m))))
        (local.set $m (i32.add (local.get $m) (i32.const 32)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; pairBatch8x8 / tripleBatch8x8: the same for eight batches of eight replicates (64): a row's 64
  ;; bytes of multiplicities, a cell's eight vectors (128 bytes). Finding the row's cell is shared by
  ;; twice as many replicates, and a replicate's share of a row costs about a quarter less than with
  ;; four vectors (measured: 0.077-0.083 against 0.102-0.115 ns a row and replicate on a table of
  ;; 1,000 cells).
  (func (export "tripleBatch8x8") (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $sa i32) (param $sb i32) (param $mult i32) (param $t i32) (param $cells i32)
    (local $r i32) (local $p i32) (local $m i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.shl (local.get $cells) (i32.const 7)))
    (local.set $m (local.get $mult))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $p
          (i32.add (local.get $t)
            (i32.shl
              (i32.add
                (i32.add
                  (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $r))) (local.get $sa))
                  (i32.mul (i32.load8_u (i32.add (local.get $b) (local.get $r))) (local.get $sb)))
                (i32.load8_u (i32.add (local.get $c) (local.get $r))))
              (i32.const 7))))
        (v128.store offset=0 (local.get $p)
          (i16x8.add (v128.load offset=0 (local.get $p)) (v128.load8x8_u offset=0 (local.get $m))))
        (v128.store offset=16 (local.get $p)
          (i16x8.add (v128.load offset=16 (local.get $p)) (v128.load8x8_u offset=8 (local.get $m))))
        (v128.store offset=32 (local.get $p)
          (i16x8.add (v128.load offset=32 (local.get $p)) (v128.load8x8_u offset=16 (local.get $m))))
        (v128.store offset=48 (local.get $p)
          (i16x8.add (v128.load offset=48 (local.get $p)) (v128.load8x8_u offset=24 (local.get $m))))
        (v128.store offset=64 (local.get $p)
          (i16x8.add (v128.load offset=64 (local.get $p)) (v128.load8x8_u offset=32 (local.get $m))))
        (v128.store offset=80 (local.get $p)
          (i16x8.add (v128.load offset=80 (local.get $p)) (v128.load8x8_u offset=40 (local.get $m))))
        (v128.store offset=96 (local.get $p)
          (i16x8.add (v128.load offset=96 (local.get $p)) (v128.load8x8_u offset=48 (local.get $m))))
        (v128.store offset=112 (local.get $p)
          (i16x8.add (v128.load offset=112 (local.get $p)) (v128.load8x8_u offset=56 (local.get $m))))
        (local.set $m (i32.add (local.get $m) (i32.const 64)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; Sums of blocks, in 16-byte vectors of uint16 lanes: dst[o * inner + j] = sum over s < count of
  ;; src[(o * count + s) * inner + j], for o < outer and j < inner. A triple table's margins are three
  ;; such sums (see ../batch-count.ts). Four vectors a pass down the blocks where four are left
  ;; (integers, so any order gives the same sums).
  (func (export "blockSum") (param $src i32) (param $dst i32) (param $outer i32) (param $count i32) (param $inner i32)
    (local $o i32) (local $j i32) (local $s i32) (local $p i32) (local $acc v128) (local $step i32) (local $base i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $step (i32.shl (local.get $inner) (i32.const 4)))
    (block $outerDone
      (loop $outerLoop
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $base (i32.add (local.get $src) (i32.mul (i32.mul (local.get $o) (local.get $count)) (local.get $step))))
        (local.set $j (i32.const 0))
        ;; Four vectors (64 bytes) at a time: one pass down the blocks for four sums.
        (block $fourDone
          (loop $fourLoop
            (br_if $fourDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $inner)))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $a1 (v128.const i64x2 0 0))
            (local.set $a2 (v128.const i64x2 0 0))
            (local.set $a3 (v128.const i64x2 0 0))
            (local.set $s (i32.const 0))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.ge_u (local.get $s) (local.get $count)))
                (local.set $a0 (i16x8.add (local.get $a0) (v128.load offset=0 (local.get $p))))
                (local.set $a1 (i16x8.add (local.get $a1) (v128.load offset=16 (local.get $p))))
                (local.set $a2 (i16x8.add (local.get $a2) (v128.load offset=32 (local.get $p))))
                (local.set $a3 (i16x8.add (local.get $a3) (v128.load offset=48 (local.get $p))))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $sum)))
            (v128.store offset=0 (local.get $dst) (local.get $a0))
            (v128.store offset=16 (local.get $dst) (local.get $a1))
            (v128.store offset=32 (local.get $dst) (local.get $a2))
            (v128.store offset=48 (local.get $dst) (local.get $a3))
            (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $fourLoop)))
        (block $innerDone
          (loop $innerLoop
            (br_if $innerDone (i32.ge_u (local.get $j) (local.get $inner)))
            (local.set $p (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $acc (v128.const i64x2 0 0))
            (local.set $s (i32.const 0))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.ge_u (local.get $s) (local.get $count)))
                (local.set $acc (i16x8.add (local.get $acc) (v128.load (local.get $p))))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $sum)))
            (v128.store (local.get $dst) (local.get $acc))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $innerLoop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerLoop))))

  ;; Pearson and Spearman of every replicate's table of one pair, four replicates an iteration as
  ;; two f64x2 (A: lanes l, l + 1; B: lanes l + 2, l + 3; see ../batch-count.ts,
  ;; countPairCorrelationsBatch). Each lane does the operations of tableMargins and
  ;; correlationFromMargins (../stats/correlation.ts) in their order, and wasm has no fused
  ;; multiply-add, so each replicate's value is the JavaScript one bit for bit. The two vectors'
  ;; sums are independent chains in the same loops: each sum waits on its previous addition, and
  ;; two at a time keep the pipeline busy (measured in bench/bootstrap.ts).
  ;;   table: cell (a * stride + b), replicate l: uint16 at $t + 2 (cell * width + l)
  ;;   $xv, $yv: the items' code values (f64, k of them); $outP / $outS: replicate l's Pearson /
  ;;   Spearman at +8l (f64; NaN where undefined), or -1 for a method not asked for; lanes are done
  ;;   in fours, so lanes up to `lanes` rounded up to a multiple of 4 are written (width is 8 or 32).
  ;;   $s: scratch of 8 x 32 x max(ki, kj) bytes (per category, vector A at +0 and B at +16).
  (func (export "pairCorrelations")
    (param $t i32) (param $width i32) (param $lanes i32) (param $ki i32) (param $kj i32) (param $stride i32)
    (param $xv i32) (param $yv i32) (param $outP i32) (param $outS i32) (param $s i32)
    (local $l i32) (local $a i32) (local $b i32) (local $p i32) (local $q i32) (local $k32 i32) (local $cellStep i32) (local $rowStep i32)
    (local $rowSum i32) (local $colSum i32) (local $px i32) (local $py i32) (local $rx i32) (local $ry i32) (local $dx i32) (local $dy i32)
    (local $rsA v128) (local $rsB v128) (local $wA v128) (local $wB v128)
    (local.set $k32 (i32.shl (select (local.get $ki) (local.get $kj) (i32.gt_u (local.get $ki) (local.get $kj))) (i32.const 5)))
    (local.set $rowSum (local.get $s))
    (local.set $colSum (i32.add (local.get $rowSum) (local.get $k32)))
    (local.set $px (i32.add (local.get $colSum) (local.get $k32)))
    (local.set $py (i32.add (local.get $px) (local.get $k32)))
    (local.set $rx (i32.add (local.get $py) (local.get $k32)))
    (local.set $ry (i32.add (local.get $rx) (local.get $k32)))
    (local.set $dx (i32.add (local.get $ry) (local.get $k32)))
    (local.set $dy (i32.add (local.get $dx) (local.get $k32)))
    (local.set $cellStep (i32.shl (local.get $width) (i32.const 1)))
    (local.set $rowStep (i32.mul (local.get $stride) (local.get $cellStep)))
    ;; Pearson's scores: each item's code values, the same in every lane.
    (call $splat (local.get $xv) (local.get $px) (local.get $ki))
    (call $splat (local.get $yv) (local.get $py) (local.get $kj))
    (block $lanesDone (loop $laneQuad
      (br_if $lanesDone (i32.ge_u (local.get $l) (local.get $lanes)))
      ;; Margins (tableMargins).
      (memory.fill (local.get $colSum) (i32.const 0) (i32.shl (local.get $kj) (i32.const 5)))
      (local.set $a (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
        (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $l) (i32.const 1)))))
        (local.set $q (local.get $colSum))
        (local.set $rsA (v128.const i64x2 0 0))
        (local.set $rsB (v128.const i64x2 0 0))
        (local.set $b (i32.const 0))
        (block $colsDone (loop $col
          (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
          (local.set $wA (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero (local.get $p)))))
          (local.set $wB (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero offset=4 (local.get $p)))))
          (local.set $rsA (f64x2.add (local.get $rsA) (local.get $wA)))
          (local.set $rsB (f64x2.add (local.get $rsB) (local.get $wB)))
          (v128.store offset=0 (local.get $q) (f64x2.add (v128.load offset=0 (local.get $q)) (local.get $wA)))
          (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $wB)))
          (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $col)))
        (local.set $q (i32.add (local.get $rowSum) (i32.shl (local.get $a) (i32.const 5))))
        (v128.store offset=0 (local.get $q) (local.get $rsA))
        (v128.store offset=16 (local.get $q) (local.get $rsB))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $row)))
      (if (i32.ge_s (local.get $outP) (i32.const 0))
        (then
          (call $correlation (local.get $t) (local.get $l) (local.get $ki) (local.get $kj) (local.get $rowStep) (local.get $cellStep)
            (local.get $rowSum) (local.get $colSum) (local.get $px) (local.get $py) (local.get $dx) (local.get $dy)
            (i32.add (local.get $outP) (i32.shl (local.get $l) (i32.const 3))))))
      (if (i32.ge_s (local.get $outS) (i32.const 0))
        (then
          (call $midRanks (local.get $rowSum) (local.get $rx) (local.get $ki))
          (call $midRanks (local.get $colSum) (local.get $ry) (local.get $kj))
          (call $correlation (local.get $t) (local.get $l) (local.get $ki) (local.get $kj) (local.get $rowStep) (local.get $cellStep)
            (local.get $rowSum) (local.get $colSum) (local.get $rx) (local.get $ry) (local.get $dx) (local.get $dy)
            (i32.add (local.get $outS) (i32.shl (local.get $l) (i32.const 3))))))
      (local.set $l (i32.add (local.get $l) (i32.const 4)))
      (br $laneQuad))))

  ;; $dst[c] = the f64 at $src + 8c in all four lanes (32 bytes), c < $k.
  (func $splat (param $src i32) (param $dst i32) (param $k i32)
    (local $c i32) (local $v v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $v (v128.load64_splat (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 3)))))
      (v128.store offset=0 (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 5))) (local.get $v))
      (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 5))) (local.get $v))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next))))

  ;; Mid-ranks of a margin (categoryMidRanks), four lanes: $out[c] = before + ($freq[c] + 1) / 2,
  ;; before the sum of $freq below c; c < $k, two f64x2 per category.
  (func $midRanks (param $freq i32) (param $out i32) (param $k i32)
    (local $c i32) (local $o i32) (local $wA v128) (local $wB v128) (local $beforeA v128) (local $beforeB v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $o (i32.shl (local.get $c) (i32.const 5)))
      (local.set $wA (v128.load offset=0 (i32.add (local.get $freq) (local.get $o))))
      (local.set $wB (v128.load offset=16 (i32.add (local.get $freq) (local.get $o))))
      (v128.store offset=0 (i32.add (local.get $out) (local.get $o))
        (f64x2.add (local.get $beforeA) (f64x2.div (f64x2.add (local.get $wA) (v128.const f64x2 1 1)) (v128.const f64x2 2 2))))
      (v128.store offset=16 (i32.add (local.get $out) (local.get $o))
        (f64x2.add (local.get $beforeB) (f64x2.div (f64x2.add (local.get $wB) (v128.const f64x2 1 1)) (v128.const f64x2 2 2))))
      (local.set $beforeA (f64x2.add (local.get $beforeA) (local.get $wA)))
      (local.set $beforeB (f64x2.add (local.get $beforeB) (local.get $wB)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next))))

  ;; correlationFromMargins for lanes l .. l + 3, scores $xs / $ys (two f64x2 per category), the four
  ;; values to $out (f64 each; NaN where it returns NO_WEIGHT or ZERO_VARIANCE).
  (func $correlation
    (param $t i32) (param $l i32) (param $ki i32) (param $kj i32) (param $rowStep i32) (param $cellStep i32)
    (param $rowSum i32) (param $colSum i32) (param $xs i32) (param $ys i32) (param $dx i32) (param $dy i32) (param $out i32)
    (local $a i32) (local $b i32) (local $p i32) (local $o i32) (local $q i32)
    (local $wA v128) (local $dA v128) (local $totalA v128) (local $sxA v128) (local $syA v128) (local $xUsedA v128) (local $yUsedA v128)
    (local $xbarA v128) (local $ybarA v128) (local $sxxA v128) (local $syyA v128) (local $sxyA v128) (local $accA v128) (local $rA v128)
    (local $wB v128) (local $dB v128) (local $totalB v128) (local $sxB v128) (local $syB v128) (local $xUsedB v128) (local $yUsedB v128)
    (local $xbarB v128) (local $ybarB v128) (local $sxxB v128) (local $syyB v128) (local $sxyB v128) (local $accB v128) (local $rB v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $o (i32.shl (local.get $a) (i32.const 5)))
      (local.set $wA (v128.load offset=0 (i32.add (local.get $rowSum) (local.get $o))))
      (local.set $wB (v128.load offset=16 (i32.add (local.get $rowSum) (local.get $o))))
      (local.set $xUsedA (i64x2.sub (local.get $xUsedA) (f64x2.gt (local.get $wA) (v128.const f64x2 0 0))))
      (local.set $xUsedB (i64x2.sub (local.get $xUsedB) (f64x2.gt (local.get $wB) (v128.const f64x2 0 0))))
      (local.set $totalA (f64x2.add (local.get $totalA) (local.get $wA)))
      (local.set $totalB (f64x2.add (local.get $totalB) (local.get $wB)))
      (local.set $sxA (f64x2.add (local.get $sxA) (f64x2.mul (local.get $wA) (v128.load offset=0 (i32.add (local.get $xs) (local.get $o))))))
      (local.set $sxB (f64x2.add (local.get $sxB) (f64x2.mul (local.get $wB) (v128.load offset=16 (i32.add (local.get $xs) (local.get $o))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $next)))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $b) (local.get $kj)))
      (local.set $o (i32.shl (local.get $b) (i32.const 5)))
      (local.set $wA (v128.load offset=0 (i32.add (local.get $colSum) (local.get $o))))
      (local.set $wB (v128.load offset=16 (i32.add (local.get $colSum) (local.get $o))))
      (local.set $yUsedA (i64x2.sub (local.get $yUsedA) (f64x2.gt (local.get $wA) (v128.const f64x2 0 0))))
      (local.set $yUsedB (i64x2.sub (local.get $yUsedB) (f64x2.gt (local.get $wB) (v128.const f64x2 0 0))))
      (local.set $syA (f64x2.add (local.get $syA) (f64x2.mul (local.get $wA) (v128.load offset=0 (i32.add (local.get $ys) (local.get $o))))))
      (local.set $syB (f64x2.add (local.get $syB) (f64x2.mul (local.get $wB) (v128.load offset=16 (i32.add (local.get $ys) (local.get $o))))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next)))
    (local.set $xbarA (f64x2.div (local.get $sxA) (local.get $totalA)))
    (local.set $xbarB (f64x2.div (local.get $sxB) (local.get $totalB)))
    (local.set $ybarA (f64x2.div (local.get $syA) (local.get $totalA)))
    (local.set $ybarB (f64x2.div (local.get $syB) (local.get $totalB)))
    (local.set $a (i32.const 0))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $o (i32.shl (local.get $a) (i32.const 5)))
      (local.set $dA (f64x2.sub (v128.load offset=0 (i32.add (local.get $xs) (local.get $o))) (local.get $xbarA)))
      (local.set $dB (f64x2.sub (v128.load offset=16 (i32.add (local.get $xs) (local.get $o))) (local.get $xbarB)))
      (v128.store offset=0 (i32.add (local.get $dx) (local.get $o)) (local.get $dA))
      (v128.store offset=16 (i32.add (local.get $dx) (local.get $o)) (local.get $dB))
      (local.set $sxxA (f64x2.add (local.get $sxxA) (f64x2.mul (f64x2.mul (v128.load offset=0 (i32.add (local.get $rowSum) (local.get $o))) (local.get $dA)) (local.get $dA))))
      (local.set $sxxB (f64x2.add (local.get $sxxB) (f64x2.mul (f64x2.mul (v128.load offset=16 (i32.add (local.get $rowSum) (local.get $o))) (local.get $dB)) (local.get $dB))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $next)))
    (local.set $b (i32.const 0))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $b) (local.get $kj)))
      (local.set $o (i32.shl (local.get $b) (i32.const 5)))
      (local.set $dA (f64x2.sub (v128.load offset=0 (i32.add (local.get $ys) (local.get $o))) (local.get $ybarA)))
      (local.set $dB (f64x2.sub (v128.load offset=16 (i32.add (local.get $ys) (local.get $o))) (local.get $ybarB)))
      (v128.store offset=0 (i32.add (local.get $dy) (local.get $o)) (local.get $dA))
      (v128.store offset=16 (i32.add (local.get $dy) (local.get $o)) (local.get $dB))
      (local.set $syyA (f64x2.add (local.get $syyA) (f64x2.mul (f64x2.mul (v128.load offset=0 (i32.add (local.get $colSum) (local.get $o))) (local.get $dA)) (local.get $dA))))
      (local.set $syyB (f64x2.add (local.get $syyB) (f64x2.mul (f64x2.mul (v128.load offset=16 (i32.add (local.get $colSum) (local.get $o))) (local.get $dB)) (local.get $dB))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next)))
    (local.set $a (i32.const 0))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $l) (i32.const 1)))))
      (local.set $q (local.get $dy))
      (local.set $accA (v128.const i64x2 0 0))
      (local.set $accB (v128.const i64x2 0 0))
      (local.set $b (i32.const 0))
      (block $colsDone (loop $col
        (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
        (local.set $accA (f64x2.add (local.get $accA)
          (f64x2.mul (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero (local.get $p)))) (v128.load offset=0 (local.get $q)))))
        (local.set $accB (f64x2.add (local.get $accB)
          (f64x2.mul (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero offset=4 (local.get $p)))) (v128.load offset=16 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $col)))
      (local.set $o (i32.shl (local.get $a) (i32.const 5)))
      (local.set $sxyA (f64x2.add (local.get $sxyA) (f64x2.mul (v128.load offset=0 (i32.add (local.get $dx) (local.get $o))) (local.get $accA))))
      (local.set $sxyB (f64x2.add (local.get $sxyB) (f64x2.mul (v128.load offset=16 (i32.add (local.get $dx) (local.get $o))) (local.get $accB))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $row)))
    (v128.store offset=0 (local.get $out)
      (call $finish (local.get $sxyA) (local.get $sxxA) (local.get $syyA) (local.get $totalA) (local.get $xUsedA) (local.get $yUsedA)))
    (v128.store offset=16 (local.get $out)
      (call $finish (local.get $sxyB) (local.get $sxxB) (local.get $syyB) (local.get $totalB) (local.get $xUsedB) (local.get $yUsedB))))

  ;; r = sxy / sqrt(sxx syy) clamped to [-1, 1] for two lanes, NaN where there is no weight or a
  ;; side has fewer than two categories used.
  (func $finish (param $sxy v128) (param $sxx v128) (param $syy v128) (param $total v128) (param $xUsed v128) (param $yUsed v128) (result v128)
    (local $r v128)
    (local.set $r (f64x2.div (local.get $sxy) (f64x2.sqrt (f64x2.mul (local.get $sxx) (local.get $syy)))))
    ;; r > 1 ? 1 : r < -1 ? -1 : r
    (local.set $r (v128.bitselect (v128.const f64x2 1 1) (local.get $r) (f64x2.gt (local.get $r) (v128.const f64x2 1 1))))
    (local.set $r (v128.bitselect (v128.const f64x2 -1 -1) (local.get $r) (f64x2.lt (local.get $r) (v128.const f64x2 -1 -1))))
    (v128.bitselect (local.get $r) (v128.const f64x2 nan nan)
      (v128.and (f64x2.gt (local.get $total) (v128.const f64x2 0 0))
        (v128.and (i64x2.ge_s (local.get $xUsed) (v128.const i64x2 2 2)) (i64x2.ge_s (local.get $yUsed) (v128.const i64x2 2 2))))))
)
