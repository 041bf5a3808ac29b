;; Bootstrap pair tables, eight replicates at once (pairBatch8), 32 (pairBatch8x4) or 64
;; (pairBatch8x8), or a triple's table (tripleBatch8, tripleBatch8x4, tripleBatch8x8) and its pairs'
;; tables as its margins (blockSum), and the replicates' Pearson and Spearman from them
;; (pairCorrelationsExact; pairCorrelations for Pearson of other codes); see ../batch-count.ts.
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

  ;; Pearson of every replicate's table of one pair by the centred route (items whose codes are not
  ;; small integers; the others take pairCorrelationsExact below, and so does Spearman), four
  ;; replicates an iteration as two f64x2 (A: lanes l, l + 1; B: lanes l + 2, l + 3; see
  ;; ../batch-count.ts, countPairCorrelationsBatch). Each lane does the operations of tableMargins
  ;; and correlationFromMargins's centred route (../stats/correlation.ts) in their order, and wasm
  ;; has no fused multiply-add, so each replicate's value is the JavaScript one bit for bit. The two
  ;; vectors' sums are independent chains in the same loops: each sum waits on its previous
  ;; addition, and two at a time keep the pipeline busy (measured in bench/bootstrap.ts).
  ;;   table: cell (a * stride + b), replicate l: uint16 at $t + 2 (cell * width + l)
  ;;   $xv, $yv: the items' code values (f64, k of them); $outP: replicate l's Pearson at +8l (f64;
  ;;   NaN where undefined); lanes are done in fours, so lanes up to `lanes` rounded up to a
  ;;   multiple of 4 are written.
  ;;   $s: scratch of 6 x 32 x max(ki, kj) bytes (per category, vector A at +0 and B at +16).
  (func (export "pairCorrelations")
    (param $t i32) (param $width i32) (param $lanes i32) (param $ki i32) (param $kj i32) (param $stride i32)
    (param $xv i32) (param $yv i32) (param $outP i32) (param $s i32)
    (local $l i32) (local $a i32) (local $b i32) (local $p i32) (local $q i32) (local $k32 i32) (local $cellStep i32) (local $rowStep i32)
    (local $rowSum i32) (local $colSum i32) (local $px i32) (local $py i32) (local $dx i32) (local $dy i32)
    (local $rsA v128) (local $rsB v128) (local $wA v128) (local $wB v128)
    (local.set $k32 (i32.shl (select (local.get $ki) (local.get $kj) (i32.gt_u (local.get $ki) (local.get $kj))) (i32.const 5)))
    (local.set $rowSum (local.get $s))
    (local.set $colSum (i32.add (local.get $rowSum) (local.get $k32)))
    (local.set $px (i32.add (local.get $colSum) (local.get $k32)))
    (local.set $py (i32.add (local.get $px) (local.get $k32)))
    (local.set $dx (i32.add (local.get $py) (local.get $k32)))
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
      (call $correlation (local.get $t) (local.get $l) (local.get $ki) (local.get $kj) (local.get $rowStep) (local.get $cellStep)
        (local.get $rowSum) (local.get $colSum) (local.get $px) (local.get $py) (local.get $dx) (local.get $dy)
        (i32.add (local.get $outP) (i32.shl (local.get $l) (i32.const 3))))
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

  ;; Exact Pearson and Spearman of every replicate's table of one pair (correlationFromMargins'
  ;; exact routes, ../stats/correlation.ts: exactCodeCorrelation, exactRankCorrelation), eight
  ;; replicates (one vector of uint16 lanes) at a time. The tables hold counts below 65,536, so
  ;; every sum is an integer: the margins in uint16 lanes; a row's sum of counts times the other
  ;; item's scores in 32-bit lanes (codes minus the smallest, at most 255: at most 65,535 x 255;
  ;; centred doubled ranks d: |d_b| <= N - f_b, so at most N^2 / 2 < 2^31 in size); the sums over
  ;; rows in 64-bit lanes (at most N^3). Exact sums are the same in any order; they are converted to
  ;; f64 (exact below 2^53) for JavaScript's last operations in its order (no fused multiply-add in
  ;; wasm), so each replicate's value is the JavaScript one bit for bit. A lane group costs two
  ;; passes over the table's cells, eight replicates an operation, and integer work a row, where
  ;; pairCorrelations takes three passes, two replicates an operation, and f64 work a row.
  ;;   table, $width, $lanes, $ki, $kj, $stride, $outP, $outS: as pairCorrelations (lanes are done in
  ;;   eights: lanes up to `lanes` rounded up to a multiple of 8 are written);
  ;;   $xs, $ys: the items' scores for Pearson, code minus the item's smallest code (f64, integers in
  ;;   0..255), read only when $outP >= 0;
  ;;   $s: scratch of 112 x max(ki, kj) + 704 bytes.
  (func (export "pairCorrelationsExact")
    (param $t i32) (param $width i32) (param $lanes i32) (param $ki i32) (param $kj i32) (param $stride i32)
    (param $xs i32) (param $ys i32) (param $outP i32) (param $outS i32) (param $s i32)
    (local $g i32) (local $a i32) (local $b i32) (local $p i32) (local $q i32) (local $x i32)
    (local $cellStep i32) (local $rowStep i32) (local $kmax i32)
    (local $colQ i32) (local $rowR i32) (local $ysp i32) (local $rc i32) (local $rd i32) (local $st i32)
    (local $v v128) (local $acc v128) (local $lo v128) (local $hi v128) (local $nLo v128) (local $nHi v128)
    (local $n16 v128) (local $xUsed v128) (local $yUsed v128) (local $xsp v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128) (local $cLo v128) (local $cHi v128)
    (local.set $kmax (select (local.get $ki) (local.get $kj) (i32.gt_u (local.get $ki) (local.get $kj))))
    (local.set $colQ (local.get $s))
    (local.set $rowR (i32.add (local.get $colQ) (i32.shl (local.get $kmax) (i32.const 4))))
    (local.set $ysp (i32.add (local.get $rowR) (i32.shl (local.get $kmax) (i32.const 4))))
    (local.set $rc (i32.add (local.get $ysp) (i32.shl (local.get $kmax) (i32.const 4))))
    (local.set $rd (i32.add (local.get $rc) (i32.shl (local.get $kmax) (i32.const 5))))
    (local.set $st (i32.add (local.get $rd) (i32.shl (local.get $kmax) (i32.const 5))))
    (local.set $cellStep (i32.shl (local.get $width) (i32.const 1)))
    (local.set $rowStep (i32.mul (local.get $stride) (local.get $cellStep)))
    ;; The column item's Pearson scores as uint16 splats.
    (if (i32.ge_s (local.get $outP) (i32.const 0))
      (then
        (local.set $b (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $b) (local.get $kj)))
          (v128.store (i32.add (local.get $ysp) (i32.shl (local.get $b) (i32.const 4)))
            (i16x8.splat (i32.trunc_f64_u (f64.load (i32.add (local.get $ys) (i32.shl (local.get $b) (i32.const 3)))))))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $next)))))
    (block $groupsDone (loop $group
      (br_if $groupsDone (i32.ge_u (i32.shl (local.get $g) (i32.const 3)) (local.get $lanes)))
      ;; Pass 1: row sums, column sums and (Pearson) S_xy = sum_a x_a (sum_b w_ab y_b).
      (memory.fill (local.get $colQ) (i32.const 0) (i32.shl (local.get $kj) (i32.const 4)))
      (local.set $e0 (v128.const i64x2 0 0))
      (local.set $e1 (v128.const i64x2 0 0))
      (local.set $e2 (v128.const i64x2 0 0))
      (local.set $e3 (v128.const i64x2 0 0))
      (local.set $a (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
        (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $g) (i32.const 4)))))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $b (i32.const 0))
        (local.set $q (local.get $colQ))
        (if (i32.ge_s (local.get $outP) (i32.const 0))
          (then
            (local.set $lo (v128.const i64x2 0 0))
            (local.set $hi (v128.const i64x2 0 0))
            (local.set $x (local.get $ysp))
            (block $colsDone (loop $col
              (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
              (local.set $v (v128.load (local.get $p)))
              (local.set $acc (i16x8.add (local.get $acc) (local.get $v)))
              (v128.store (local.get $q) (i16x8.add (v128.load (local.get $q)) (local.get $v)))
              (local.set $lo (i32x4.add (local.get $lo) (i32x4.extmul_low_i16x8_u (local.get $v) (v128.load (local.get $x)))))
              (local.set $hi (i32x4.add (local.get $hi) (i32x4.extmul_high_i16x8_u (local.get $v) (v128.load (local.get $x)))))
              (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $x (i32.add (local.get $x) (i32.const 16)))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $col)))
            (local.set $xsp (i32x4.splat (i32.trunc_f64_u (f64.load (i32.add (local.get $xs) (i32.shl (local.get $a) (i32.const 3)))))))
            (local.set $e0 (i64x2.add (local.get $e0) (i64x2.extmul_low_i32x4_u (local.get $lo) (local.get $xsp))))
            (local.set $e1 (i64x2.add (local.get $e1) (i64x2.extmul_high_i32x4_u (local.get $lo) (local.get $xsp))))
            (local.set $e2 (i64x2.add (local.get $e2) (i64x2.extmul_low_i32x4_u (local.get $hi) (local.get $xsp))))
            (local.set $e3 (i64x2.add (local.get $e3) (i64x2.extmul_high_i32x4_u (local.get $hi) (local.get $xsp)))))
          (else
            (block $colsDone (loop $col
              (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
              (local.set $v (v128.load (local.get $p)))
              (local.set $acc (i16x8.add (local.get $acc) (local.get $v)))
              (v128.store (local.get $q) (i16x8.add (v128.load (local.get $q)) (local.get $v)))
              (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $col)))))
        (v128.store (i32.add (local.get $rowR) (i32.shl (local.get $a) (i32.const 4))) (local.get $acc))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $row)))
      (call $storeI64 (i32.add (local.get $st) (i32.const 320)) (local.get $e0) (local.get $e1) (local.get $e2) (local.get $e3))
      ;; Totals and categories used (uint16 lanes; a category counts where its margin is not 0).
      (local.set $n16 (v128.const i64x2 0 0))
      (local.set $xUsed (v128.const i64x2 0 0))
      (local.set $yUsed (v128.const i64x2 0 0))
      (local.set $a (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $ki)))
        (local.set $v (v128.load (i32.add (local.get $rowR) (i32.shl (local.get $a) (i32.const 4)))))
        (local.set $n16 (i16x8.add (local.get $n16) (local.get $v)))
        (local.set $xUsed (i16x8.sub (local.get $xUsed) (i16x8.ne (local.get $v) (v128.const i64x2 0 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $next)))
      (local.set $b (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $b) (local.get $kj)))
        (local.set $yUsed (i16x8.sub (local.get $yUsed)
          (i16x8.ne (v128.load (i32.add (local.get $colQ) (i32.shl (local.get $b) (i32.const 4)))) (v128.const i64x2 0 0))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $next)))
      (local.set $nLo (i32x4.extend_low_i16x8_u (local.get $n16)))
      (local.set $nHi (i32x4.extend_high_i16x8_u (local.get $n16)))
      (call $storeU32 (local.get $st) (local.get $nLo) (local.get $nHi))
      (call $storeU32 (i32.add (local.get $st) (i32.const 576)) (i32x4.extend_low_i16x8_u (local.get $xUsed)) (i32x4.extend_high_i16x8_u (local.get $xUsed)))
      (call $storeU32 (i32.add (local.get $st) (i32.const 640)) (i32x4.extend_low_i16x8_u (local.get $yUsed)) (i32x4.extend_high_i16x8_u (local.get $yUsed)))
      (if (i32.ge_s (local.get $outP) (i32.const 0))
        (then
          ;; S_x = sum_a f_a x_a and S_xx = sum_a f_a x_a^2 in uint32 lanes (at most 65,535 x 255^2),
          ;; then the same for y.
          (call $codeSums (local.get $rowR) (local.get $xs) (local.get $ki) (i32.add (local.get $st) (i32.const 64)))
          (call $codeSums (local.get $colQ) (local.get $ys) (local.get $kj) (i32.add (local.get $st) (i32.const 192)))
          (call $finishCodes (local.get $st) (i32.add (local.get $outP) (i32.shl (local.get $g) (i32.const 6))))))
      (if (i32.ge_s (local.get $outS) (i32.const 0))
        (then
          ;; Centred doubled ranks c_a = 2 F_{a-1} + f_a - N (int32 lanes) and S_xx = sum_a f_a c_a^2.
          (call $centredRanks (local.get $rowR) (local.get $rc) (local.get $ki) (local.get $nLo) (local.get $nHi) (i32.add (local.get $st) (i32.const 384)))
          (call $centredRanks (local.get $colQ) (local.get $rd) (local.get $kj) (local.get $nLo) (local.get $nHi) (i32.add (local.get $st) (i32.const 448)))
          ;; Pass 2: S_xy = sum_a c_a (sum_b w_ab d_b), the inner sums in int32 lanes, the outer in int64.
          (local.set $e0 (v128.const i64x2 0 0))
          (local.set $e1 (v128.const i64x2 0 0))
          (local.set $e2 (v128.const i64x2 0 0))
          (local.set $e3 (v128.const i64x2 0 0))
          (local.set $a (i32.const 0))
          (block $rowsDone (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
            (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $g) (i32.const 4)))))
            (local.set $q (local.get $rd))
            (local.set $lo (v128.const i64x2 0 0))
            (local.set $hi (v128.const i64x2 0 0))
            (local.set $b (i32.const 0))
            (block $colsDone (loop $col
              (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
              (local.set $v (v128.load (local.get $p)))
              (local.set $lo (i32x4.add (local.get $lo) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $v)) (v128.load offset=0 (local.get $q)))))
              (local.set $hi (i32x4.add (local.get $hi) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $v)) (v128.load offset=16 (local.get $q)))))
              (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
              (local.set $q (i32.add (local.get $q) (i32.const 32)))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $col)))
            (local.set $x (i32.add (local.get $rc) (i32.shl (local.get $a) (i32.const 5))))
            (local.set $cLo (v128.load offset=0 (local.get $x)))
            (local.set $cHi (v128.load offset=16 (local.get $x)))
            (local.set $e0 (i64x2.add (local.get $e0) (i64x2.extmul_low_i32x4_s (local.get $lo) (local.get $cLo))))
            (local.set $e1 (i64x2.add (local.get $e1) (i64x2.extmul_high_i32x4_s (local.get $lo) (local.get $cLo))))
            (local.set $e2 (i64x2.add (local.get $e2) (i64x2.extmul_low_i32x4_s (local.get $hi) (local.get $cHi))))
            (local.set $e3 (i64x2.add (local.get $e3) (i64x2.extmul_high_i32x4_s (local.get $hi) (local.get $cHi))))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $row)))
          (call $storeI64 (i32.add (local.get $st) (i32.const 512)) (local.get $e0) (local.get $e1) (local.get $e2) (local.get $e3))
          (call $finishRanks (local.get $st) (i32.add (local.get $outS) (i32.shl (local.get $g) (i32.const 6))))))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $group))))

  ;; Eight uint32 lanes (lo: 0..3, hi: 4..7) as eight f64 at $dst.
  (func $storeU32 (param $dst i32) (param $lo v128) (param $hi v128)
    (v128.store offset=0 (local.get $dst) (f64x2.convert_low_i32x4_u (local.get $lo)))
    (v128.store offset=16 (local.get $dst) (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
    (v128.store offset=32 (local.get $dst) (f64x2.convert_low_i32x4_u (local.get $hi)))
    (v128.store offset=48 (local.get $dst) (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi)))))

  ;; Eight int64 lanes (two a vector) as eight f64 at $dst (exact: each is below 2^53 in size).
  (func $storeI64 (param $dst i32) (param $e0 v128) (param $e1 v128) (param $e2 v128) (param $e3 v128)
    (f64.store offset=0 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 0 (local.get $e0))))
    (f64.store offset=8 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 1 (local.get $e0))))
    (f64.store offset=16 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 0 (local.get $e1))))
    (f64.store offset=24 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 1 (local.get $e1))))
    (f64.store offset=32 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 0 (local.get $e2))))
    (f64.store offset=40 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 1 (local.get $e2))))
    (f64.store offset=48 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 0 (local.get $e3))))
    (f64.store offset=56 (local.get $dst) (f64.convert_i64_s (i64x2.extract_lane 1 (local.get $e3)))))

  ;; S = sum_c f_c x_c and S2 = sum_c f_c x_c^2 of a margin (eight uint16 lanes a category at $freq)
  ;; and scores x (f64 integers in 0..255 at $scores), in uint32 lanes (at most 65,535 x 255^2),
  ;; as eight f64 each at $dst and $dst + 64.
  (func $codeSums (param $freq i32) (param $scores i32) (param $k i32) (param $dst i32)
    (local $c i32) (local $x i32) (local $f v128) (local $xsp v128) (local $x2sp v128)
    (local $sLo v128) (local $sHi v128) (local $s2Lo v128) (local $s2Hi v128)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $f (v128.load (i32.add (local.get $freq) (i32.shl (local.get $c) (i32.const 4)))))
      (local.set $x (i32.trunc_f64_u (f64.load (i32.add (local.get $scores) (i32.shl (local.get $c) (i32.const 3))))))
      (local.set $xsp (i16x8.splat (local.get $x)))
      (local.set $x2sp (i16x8.splat (i32.mul (local.get $x) (local.get $x))))
      (local.set $sLo (i32x4.add (local.get $sLo) (i32x4.extmul_low_i16x8_u (local.get $f) (local.get $xsp))))
      (local.set $sHi (i32x4.add (local.get $sHi) (i32x4.extmul_high_i16x8_u (local.get $f) (local.get $xsp))))
      (local.set $s2Lo (i32x4.add (local.get $s2Lo) (i32x4.extmul_low_i16x8_u (local.get $f) (local.get $x2sp))))
      (local.set $s2Hi (i32x4.add (local.get $s2Hi) (i32x4.extmul_high_i16x8_u (local.get $f) (local.get $x2sp))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next)))
    (call $storeU32 (local.get $dst) (local.get $sLo) (local.get $sHi))
    (call $storeU32 (i32.add (local.get $dst) (i32.const 64)) (local.get $s2Lo) (local.get $s2Hi)))

  ;; Centred doubled ranks of a margin (eight uint16 lanes a category at $freq): $out[c] (int32 lanes
  ;; lo at +0, hi at +16) = 2 F_{c-1} + f_c - N, and sum_c f_c c^2 as eight f64 at $sq (int64 lanes:
  ;; f_c |c| <= f_c (N - f_c) < 2^30, the sum at most N^3).
  (func $centredRanks (param $freq i32) (param $out i32) (param $k i32) (param $nLo v128) (param $nHi v128) (param $sq i32)
    (local $c i32) (local $f v128) (local $fLo v128) (local $fHi v128) (local $beforeLo v128) (local $beforeHi v128) (local $rLo v128) (local $rHi v128)
    (local $fr v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $f (v128.load (i32.add (local.get $freq) (i32.shl (local.get $c) (i32.const 4)))))
      (local.set $fLo (i32x4.extend_low_i16x8_u (local.get $f)))
      (local.set $fHi (i32x4.extend_high_i16x8_u (local.get $f)))
      (local.set $rLo (i32x4.sub (i32x4.add (i32x4.shl (local.get $beforeLo) (i32.const 1)) (local.get $fLo)) (local.get $nLo)))
      (local.set $rHi (i32x4.sub (i32x4.add (i32x4.shl (local.get $beforeHi) (i32.const 1)) (local.get $fHi)) (local.get $nHi)))
      (v128.store offset=0 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 5))) (local.get $rLo))
      (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 5))) (local.get $rHi))
      (local.set $beforeLo (i32x4.add (local.get $beforeLo) (local.get $fLo)))
      (local.set $beforeHi (i32x4.add (local.get $beforeHi) (local.get $fHi)))
      (local.set $fr (i32x4.mul (local.get $fLo) (local.get $rLo)))
      (local.set $e0 (i64x2.add (local.get $e0) (i64x2.extmul_low_i32x4_s (local.get $fr) (local.get $rLo))))
      (local.set $e1 (i64x2.add (local.get $e1) (i64x2.extmul_high_i32x4_s (local.get $fr) (local.get $rLo))))
      (local.set $fr (i32x4.mul (local.get $fHi) (local.get $rHi)))
      (local.set $e2 (i64x2.add (local.get $e2) (i64x2.extmul_low_i32x4_s (local.get $fr) (local.get $rHi))))
      (local.set $e3 (i64x2.add (local.get $e3) (i64x2.extmul_high_i32x4_s (local.get $fr) (local.get $rHi))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next)))
    (call $storeI64 (local.get $sq) (local.get $e0) (local.get $e1) (local.get $e2) (local.get $e3)))

  ;; Lanes defined: total above 0 and two categories used on each side (stats at $st: N at +0,
  ;; used at +576 and +640; two lanes at offset $o).
  (func $defined (param $st i32) (param $o i32) (result v128)
    (v128.and (f64x2.gt (v128.load offset=0 (i32.add (local.get $st) (local.get $o))) (v128.const f64x2 0 0))
      (v128.and (f64x2.ge (v128.load offset=576 (i32.add (local.get $st) (local.get $o))) (v128.const f64x2 2 2))
        (f64x2.ge (v128.load offset=640 (i32.add (local.get $st) (local.get $o))) (v128.const f64x2 2 2)))))

  ;; r clamped to [-1, 1], NaN where $ok is false.
  (func $clampDefined (param $r v128) (param $ok v128) (result v128)
    (local.set $r (v128.bitselect (v128.const f64x2 1 1) (local.get $r) (f64x2.gt (local.get $r) (v128.const f64x2 1 1))))
    (local.set $r (v128.bitselect (v128.const f64x2 -1 -1) (local.get $r) (f64x2.lt (local.get $r) (v128.const f64x2 -1 -1))))
    (v128.bitselect (local.get $r) (v128.const f64x2 nan nan) (local.get $ok)))

  ;; Pearson of eight lanes, exactCodeCorrelation's last operations: (N S_xy - S_x S_y) /
  ;; sqrt((N S_xx - S_x S_x) (N S_yy - S_y S_y)); stats at $st (N +0, S_x +64, S_xx +128, S_y +192,
  ;; S_yy +256, S_xy +320), eight f64 to $out.
  (func $finishCodes (param $st i32) (param $out i32)
    (local $o i32) (local $n v128) (local $sx v128) (local $sy v128) (local $p i32)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $o) (i32.const 64)))
      (local.set $p (i32.add (local.get $st) (local.get $o)))
      (local.set $n (v128.load offset=0 (local.get $p)))
      (local.set $sx (v128.load offset=64 (local.get $p)))
      (local.set $sy (v128.load offset=192 (local.get $p)))
      (v128.store (i32.add (local.get $out) (local.get $o))
        (call $clampDefined
          (f64x2.div
            (f64x2.sub (f64x2.mul (local.get $n) (v128.load offset=320 (local.get $p))) (f64x2.mul (local.get $sx) (local.get $sy)))
            (f64x2.sqrt (f64x2.mul
              (f64x2.sub (f64x2.mul (local.get $n) (v128.load offset=128 (local.get $p))) (f64x2.mul (local.get $sx) (local.get $sx)))
              (f64x2.sub (f64x2.mul (local.get $n) (v128.load offset=256 (local.get $p))) (f64x2.mul (local.get $sy) (local.get $sy))))))
          (call $defined (local.get $st) (local.get $o))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $next))))

  ;; Spearman of eight lanes, exactRankCorrelation's last operations: S_xy / sqrt(S_xx S_yy); stats
  ;; at $st (S_xx +384, S_yy +448, S_xy +512), eight f64 to $out.
  (func $finishRanks (param $st i32) (param $out i32)
    (local $o i32) (local $p i32)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $o) (i32.const 64)))
      (local.set $p (i32.add (local.get $st) (local.get $o)))
      (v128.store (i32.add (local.get $out) (local.get $o))
        (call $clampDefined
          (f64x2.div (v128.load offset=512 (local.get $p))
            (f64x2.sqrt (f64x2.mul (v128.load offset=384 (local.get $p)) (v128.load offset=448 (local.get $p)))))
          (call $defined (local.get $st) (local.get $o))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $next))))
)
