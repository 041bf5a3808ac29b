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

  ;; Sums of blocks, in 16-byte vectors of uint16 lanes: dst[o * inner + j] = sum over s < count of
  ;; src[(o * count + s) * inner + j], for o < outer and j < inner. A triple table's margins are three
  ;; such sums (see ../batch-count.ts).
  (func (export "blockSum") (param $src i32) (param $dst i32) (param $outer i32) (param $count i32) (param $inner i32)
    (local $o i32) (local $j i32) (local $s i32) (local $p i32) (local $acc v128) (local $step i32) (local $base i32)
    (local.set $step (i32.shl (local.get $inner) (i32.const 4)))
    (block $outerDone
      (loop $outerLoop
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $base (i32.add (local.get $src) (i32.mul (i32.mul (local.get $o) (local.get $count)) (local.get $step))))
        (local.set $j (i32.const 0))
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

  ;; Pearson and Spearman of every replicate's table of one pair, two replicates per f64x2 (see
  ;; ../batch-count.ts, countPairCorrelationsBatch). Each lane does the operations of
  ;; tableMargins and correlationFromMargins (../stats/correlation.ts) in their order, and wasm has
  ;; no fused multiply-add, so each replicate's value is the JavaScript one bit for bit.
  ;;   table: cell (a * stride + b), replicate l: uint16 at $t + 2 (cell * width + l)
  ;;   $xv, $yv: the items' code values (f64, k of them); $outP / $outS: replicate l's Pearson /
  ;;   Spearman at +8l (f64; NaN where undefined), or -1 for a method not asked for; lanes are done
  ;;   in pairs, so lane `lanes` is written too when `lanes` is odd.
  ;;   $s: scratch of 8 x 16 x max(ki, kj) bytes.
  (func (export "pairCorrelations")
    (param $t i32) (param $width i32) (param $lanes i32) (param $ki i32) (param $kj i32) (param $stride i32)
    (param $xv i32) (param $yv i32) (param $outP i32) (param $outS i32) (param $s i32)
    (local $l i32) (local $a i32) (local $b i32) (local $p i32) (local $k16 i32) (local $cellStep i32) (local $rowStep i32)
    (local $rowSum i32) (local $colSum i32) (local $px i32) (local $py i32) (local $rx i32) (local $ry i32) (local $dx i32) (local $dy i32)
    (local $rs v128) (local $w v128)
    (local.set $k16 (i32.shl (select (local.get $ki) (local.get $kj) (i32.gt_u (local.get $ki) (local.get $kj))) (i32.const 4)))
    (local.set $rowSum (local.get $s))
    (local.set $colSum (i32.add (local.get $rowSum) (local.get $k16)))
    (local.set $px (i32.add (local.get $colSum) (local.get $k16)))
    (local.set $py (i32.add (local.get $px) (local.get $k16)))
    (local.set $rx (i32.add (local.get $py) (local.get $k16)))
    (local.set $ry (i32.add (local.get $rx) (local.get $k16)))
    (local.set $dx (i32.add (local.get $ry) (local.get $k16)))
    (local.set $dy (i32.add (local.get $dx) (local.get $k16)))
    (local.set $cellStep (i32.shl (local.get $width) (i32.const 1)))
    (local.set $rowStep (i32.mul (local.get $stride) (local.get $cellStep)))
    ;; Pearson's scores: each item's code values, the same in both lanes.
    (call $splat (local.get $xv) (local.get $px) (local.get $ki))
    (call $splat (local.get $yv) (local.get $py) (local.get $kj))
    (block $lanesDone (loop $lanePair
      (br_if $lanesDone (i32.ge_u (local.get $l) (local.get $lanes)))
      ;; Margins (tableMargins).
      (memory.fill (local.get $colSum) (i32.const 0) (i32.shl (local.get $kj) (i32.const 4)))
      (local.set $a (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
        (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $l) (i32.const 1)))))
        (local.set $rs (v128.const i64x2 0 0))
        (local.set $b (i32.const 0))
        (block $colsDone (loop $col
          (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
          (local.set $w (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero (local.get $p)))))
          (local.set $rs (f64x2.add (local.get $rs) (local.get $w)))
          (v128.store (i32.add (local.get $colSum) (i32.shl (local.get $b) (i32.const 4)))
            (f64x2.add (v128.load (i32.add (local.get $colSum) (i32.shl (local.get $b) (i32.const 4)))) (local.get $w)))
          (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $col)))
        (v128.store (i32.add (local.get $rowSum) (i32.shl (local.get $a) (i32.const 4))) (local.get $rs))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $row)))
      (if (i32.ge_s (local.get $outP) (i32.const 0))
        (then
          (v128.store (i32.add (local.get $outP) (i32.shl (local.get $l) (i32.const 3)))
            (call $correlation (local.get $t) (local.get $l) (local.get $ki) (local.get $kj) (local.get $rowStep) (local.get $cellStep)
              (local.get $rowSum) (local.get $colSum) (local.get $px) (local.get $py) (local.get $dx) (local.get $dy)))))
      (if (i32.ge_s (local.get $outS) (i32.const 0))
        (then
          (call $midRanks (local.get $rowSum) (local.get $rx) (local.get $ki))
          (call $midRanks (local.get $colSum) (local.get $ry) (local.get $kj))
          (v128.store (i32.add (local.get $outS) (i32.shl (local.get $l) (i32.const 3)))
            (call $correlation (local.get $t) (local.get $l) (local.get $ki) (local.get $kj) (local.get $rowStep) (local.get $cellStep)
              (local.get $rowSum) (local.get $colSum) (local.get $rx) (local.get $ry) (local.get $dx) (local.get $dy)))))
      (local.set $l (i32.add (local.get $l) (i32.const 2)))
      (br $lanePair))))

  ;; $dst[c] = the f64 at $src + 8c in both lanes, c < $k.
  (func $splat (param $src i32) (param $dst i32) (param $k i32)
    (local $c i32)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $c) (local.get $k)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 4)))
        (v128.load64_splat (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 3)))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next))))

  ;; Mid-ranks of a margin (categoryMidRanks), two lanes: $out[c] = before + ($freq[c] + 1) / 2,
  ;; before the sum of $freq below c; c < $k, f64x2 per category.
  (func $midRanks (param $freq i32) (param $out i32) (param $k i32)
    (local $c i32) (local $w v128) (local $before v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $w (v128.load (i32.add (local.get $freq) (i32.shl (local.get $c) (i32.const 4)))))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 4)))
        (f64x2.add (local.get $before) (f64x2.div (f64x2.add (local.get $w) (v128.const f64x2 1 1)) (v128.const f64x2 2 2))))
      (local.set $before (f64x2.add (local.get $before) (local.get $w)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next))))

  ;; correlationFromMargins for lanes l, l + 1, scores $xs / $ys (f64x2 per category); NaN where it
  ;; returns NO_WEIGHT or ZERO_VARIANCE.
  (func $correlation
    (param $t i32) (param $l i32) (param $ki i32) (param $kj i32) (param $rowStep i32) (param $cellStep i32)
    (param $rowSum i32) (param $colSum i32) (param $xs i32) (param $ys i32) (param $dx i32) (param $dy i32)
    (result v128)
    (local $a i32) (local $b i32) (local $p i32) (local $o i32)
    (local $w v128) (local $d v128) (local $total v128) (local $sx v128) (local $sy v128) (local $xUsed v128) (local $yUsed v128)
    (local $xbar v128) (local $ybar v128) (local $sxx v128) (local $syy v128) (local $sxy v128) (local $acc v128) (local $r v128) (local $valid v128)
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $o (i32.shl (local.get $a) (i32.const 4)))
      (local.set $w (v128.load (i32.add (local.get $rowSum) (local.get $o))))
      (local.set $xUsed (i64x2.sub (local.get $xUsed) (f64x2.gt (local.get $w) (v128.const f64x2 0 0))))
      (local.set $total (f64x2.add (local.get $total) (local.get $w)))
      (local.set $sx (f64x2.add (local.get $sx) (f64x2.mul (local.get $w) (v128.load (i32.add (local.get $xs) (local.get $o))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $next)))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $b) (local.get $kj)))
      (local.set $o (i32.shl (local.get $b) (i32.const 4)))
      (local.set $w (v128.load (i32.add (local.get $colSum) (local.get $o))))
      (local.set $yUsed (i64x2.sub (local.get $yUsed) (f64x2.gt (local.get $w) (v128.const f64x2 0 0))))
      (local.set $sy (f64x2.add (local.get $sy) (f64x2.mul (local.get $w) (v128.load (i32.add (local.get $ys) (local.get $o))))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next)))
    (local.set $valid
      (v128.and (f64x2.gt (local.get $total) (v128.const f64x2 0 0))
        (v128.and (i64x2.ge_s (local.get $xUsed) (v128.const i64x2 2 2)) (i64x2.ge_s (local.get $yUsed) (v128.const i64x2 2 2)))))
    (local.set $xbar (f64x2.div (local.get $sx) (local.get $total)))
    (local.set $ybar (f64x2.div (local.get $sy) (local.get $total)))
    (local.set $a (i32.const 0))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $o (i32.shl (local.get $a) (i32.const 4)))
      (local.set $d (f64x2.sub (v128.load (i32.add (local.get $xs) (local.get $o))) (local.get $xbar)))
      (v128.store (i32.add (local.get $dx) (local.get $o)) (local.get $d))
      (local.set $sxx (f64x2.add (local.get $sxx) (f64x2.mul (f64x2.mul (v128.load (i32.add (local.get $rowSum) (local.get $o))) (local.get $d)) (local.get $d))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $next)))
    (local.set $b (i32.const 0))
    (block $end (loop $next
      (br_if $end (i32.ge_u (local.get $b) (local.get $kj)))
      (local.set $o (i32.shl (local.get $b) (i32.const 4)))
      (local.set $d (f64x2.sub (v128.load (i32.add (local.get $ys) (local.get $o))) (local.get $ybar)))
      (v128.store (i32.add (local.get $dy) (local.get $o)) (local.get $d))
      (local.set $syy (f64x2.add (local.get $syy) (f64x2.mul (f64x2.mul (v128.load (i32.add (local.get $colSum) (local.get $o))) (local.get $d)) (local.get $d))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next)))
    (local.set $a (i32.const 0))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $ki)))
      (local.set $p (i32.add (local.get $t) (i32.add (i32.mul (local.get $a) (local.get $rowStep)) (i32.shl (local.get $l) (i32.const 1)))))
      (local.set $acc (v128.const i64x2 0 0))
      (local.set $b (i32.const 0))
      (block $colsDone (loop $col
        (br_if $colsDone (i32.ge_u (local.get $b) (local.get $kj)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul
            (f64x2.convert_low_i32x4_u (i32x4.extend_low_i16x8_u (v128.load32_zero (local.get $p))))
            (v128.load (i32.add (local.get $dy) (i32.shl (local.get $b) (i32.const 4)))))))
        (local.set $p (i32.add (local.get $p) (local.get $cellStep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $col)))
      (local.set $sxy (f64x2.add (local.get $sxy) (f64x2.mul (v128.load (i32.add (local.get $dx) (i32.shl (local.get $a) (i32.const 4)))) (local.get $acc))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $row)))
    (local.set $r (f64x2.div (local.get $sxy) (f64x2.sqrt (f64x2.mul (local.get $sxx) (local.get $syy)))))
    ;; r > 1 ? 1 : r < -1 ? -1 : r
    (local.set $r (v128.bitselect (v128.const f64x2 1 1) (local.get $r) (f64x2.gt (local.get $r) (v128.const f64x2 1 1))))
    (local.set $r (v128.bitselect (v128.const f64x2 -1 -1) (local.get $r) (f64x2.lt (local.get $r) (v128.const f64x2 -1 -1))))
    (v128.bitselect (local.get $r) (v128.const f64x2 nan nan) (local.get $valid)))
)
