;; Permutation nulls of a matrix correlation: for each permutation p of 0..m-1,
;;   sum over i < j (i ascending, then j ascending) of x[p(i) m + p(j)] * y[i m + j],
;; one accumulator from 0, so the same number bit for bit as that JavaScript loop (see
;; ../stats/permuted-cross.ts). x is read through the permutation (both triangles), y's strict
;; upper triangle in place.
;;
;; Written by hand because the JavaScript loop spends most of its time on bounds checks of its
;; three typed-array reads, and because four permutations share one pass here: each keeps its own
;; accumulator in its own order, so the four sums overlap in the pipeline (each alone waits on the
;; latency of its additions) and y's entry is read once for the four (measured in
;; ../stats/permuted-cross.ts's header).
(module
  (memory (export "memory") 1)

  ;; x, y: m x m f64; perms: count x m uint32 (permutation b at perms + 4 m b); out: count f64.
  (func (export "crossSums") (param $x i32) (param $y i32) (param $perms i32) (param $count i32) (param $m i32) (param $out i32)
    (local $b i32) (local $m4 i32)
    (local.set $m4 (i32.shl (local.get $m) (i32.const 2)))
    (block $fourDone (loop $fours
      (br_if $fourDone (i32.gt_u (i32.add (local.get $b) (i32.const 4)) (local.get $count)))
      (call $four (local.get $x) (local.get $y) (i32.add (local.get $perms) (i32.mul (local.get $b) (local.get $m4))) (local.get $m)
        (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br $fours)))
    (block $oneDone (loop $ones
      (br_if $oneDone (i32.ge_u (local.get $b) (local.get $count)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3)))
        (call $one (local.get $x) (local.get $y) (i32.add (local.get $perms) (i32.mul (local.get $b) (local.get $m4))) (local.get $m)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $ones))))

  ;; One permutation at $perm.
  (func $one (param $x i32) (param $y i32) (param $perm i32) (param $m i32) (result f64)
    (local $i i32) (local $row i32) (local $xrow i32) (local $yp i32) (local $pj i32) (local $end i32) (local $acc f64)
    (local.set $end (i32.add (local.get $perm) (i32.shl (local.get $m) (i32.const 2))))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $perm) (i32.shl (local.get $i) (i32.const 2))))
      ;; x's row p(i); y from (i, i + 1); p(j) from j = i + 1.
      (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (i32.load (local.get $row)) (local.get $m)) (i32.const 3))))
      (local.set $yp (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $m)) (i32.add (local.get $i) (i32.const 1))) (i32.const 3))))
      (local.set $pj (i32.add (local.get $row) (i32.const 4)))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $pj) (local.get $end)))
        (local.set $acc (f64.add (local.get $acc)
          (f64.mul (f64.load (i32.add (local.get $xrow) (i32.shl (i32.load (local.get $pj)) (i32.const 3)))) (f64.load (local.get $yp)))))
        (local.set $pj (i32.add (local.get $pj) (i32.const 4)))
        (local.set $yp (i32.add (local.get $yp) (i32.const 8)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (local.get $acc))

  ;; Four permutations at $perm + 4 m q (q < 4), their sums to $out + 8q.
  (func $four (param $x i32) (param $y i32) (param $perm i32) (param $m i32) (param $out i32)
    (local $i i32) (local $m4 i32) (local $row i32) (local $yp i32) (local $pj i32) (local $end i32) (local $v f64)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $a0 f64) (local $a1 f64) (local $a2 f64) (local $a3 f64)
    (local.set $m4 (i32.shl (local.get $m) (i32.const 2)))
    (local.set $o1 (local.get $m4))
    (local.set $o2 (i32.shl (local.get $m4) (i32.const 1)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $m4)))
    (local.set $end (i32.add (local.get $perm) (local.get $m4)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $row (i32.add (local.get $perm) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $x0 (i32.add (local.get $x) (i32.shl (i32.mul (i32.load (local.get $row)) (local.get $m)) (i32.const 3))))
      (local.set $x1 (i32.add (local.get $x) (i32.shl (i32.mul (i32.load (i32.add (local.get $row) (local.get $o1))) (local.get $m)) (i32.const 3))))
      (local.set $x2 (i32.add (local.get $x) (i32.shl (i32.mul (i32.load (i32.add (local.get $row) (local.get $o2))) (local.get $m)) (i32.const 3))))
      (local.set $x3 (i32.add (local.get $x) (i32.shl (i32.mul (i32.load (i32.add (local.get $row) (local.get $o3))) (local.get $m)) (i32.const 3))))
      (local.set $yp (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $m)) (i32.add (local.get $i) (i32.const 1))) (i32.const 3))))
      (local.set $pj (i32.add (local.get $row) (i32.const 4)))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $pj) (local.get $end)))
        (local.set $v (f64.load (local.get $yp)))
        (local.set $a0 (f64.add (local.get $a0)
          (f64.mul (f64.load (i32.add (local.get $x0) (i32.shl (i32.load (local.get $pj)) (i32.const 3)))) (local.get $v))))
        (local.set $a1 (f64.add (local.get $a1)
          (f64.mul (f64.load (i32.add (local.get $x1) (i32.shl (i32.load (i32.add (local.get $pj) (local.get $o1))) (i32.const 3)))) (local.get $v))))
        (local.set $a2 (f64.add (local.get $a2)
          (f64.mul (f64.load (i32.add (local.get $x2) (i32.shl (i32.load (i32.add (local.get $pj) (local.get $o2))) (i32.const 3)))) (local.get $v))))
        (local.set $a3 (f64.add (local.get $a3)
          (f64.mul (f64.load (i32.add (local.get $x3) (i32.shl (i32.load (i32.add (local.get $pj) (local.get $o3))) (i32.const 3)))) (local.get $v))))
        (local.set $pj (i32.add (local.get $pj) (i32.const 4)))
        (local.set $yp (i32.add (local.get $yp) (i32.const 8)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (f64.store (local.get $out) (local.get $a0))
    (f64.store offset=8 (local.get $out) (local.get $a1))
    (f64.store offset=16 (local.get $out) (local.get $a2))
    (f64.store offset=24 (local.get $out) (local.get $a3)))
)
