;; The group level's item-item correlations across groups for a bootstrap replicate (see
;; ../stats/group-structure.ts, compareReplicate): for every pair i < j of m columns, each centred
;; over the G groups with sum of squares ss,
;;   r_ij = clamp(sum_g c[g, i] c[g, j] / sqrt(ss_i ss_j), -1, 1),   NaN unless ss_i > 0 and ss_j > 0,
;; the cross product summed over g in order from 0, so the JavaScript loop's numbers bit for bit
;; (wasm has no fused multiply-add; f64x2.sqrt and f64x2.div are correctly rounded as Math's are).
;; Two pairs (i, j), (i, j + 1) per f64x2: the centred values are row-major by group, c[g, j] at
;; $c + 8 (g m + j), so columns j and j + 1 are adjacent. Written by hand because JavaScript has no
;; SIMD: the bootstrap computes 15,225 such correlations for each of 200 replicates.
(module
  (memory (export "memory") 1)

  ;; $c: G x m f64; $ss: m f64; $out: the upper triangle in pair order (i < j, i major), f64.
  (func (export "correlations") (param $c i32) (param $ss i32) (param $m i32) (param $G i32) (param $out i32)
    (local $i i32) (local $j i32) (local $g i32) (local $o i32) (local $rowStep i32) (local $p i32)
    (local $ci i32) (local $cj i32) (local $ssi f64) (local $acc v128) (local $r v128) (local $ok v128)
    (local $sacc f64) (local $sr f64)
    (local.set $rowStep (i32.shl (local.get $m) (i32.const 3)))
    (local.set $p (local.get $out))
    (block $iDone (loop $iLoop
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $ssi (f64.load (i32.add (local.get $ss) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $ci (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $j (i32.add (local.get $i) (i32.const 1)))
      ;; Two columns a step.
      (block $jDone (loop $jLoop
        (br_if $jDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $m)))
        (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $g (i32.const 0))
        (local.set $o (i32.const 0))
        (block $gDone (loop $gLoop
          (br_if $gDone (i32.ge_u (local.get $g) (local.get $G)))
          (local.set $acc (f64x2.add (local.get $acc)
            (f64x2.mul (v128.load64_splat (i32.add (local.get $ci) (local.get $o))) (v128.load (i32.add (local.get $cj) (local.get $o))))))
          (local.set $o (i32.add (local.get $o) (local.get $rowStep)))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $gLoop)))
        (local.set $ok (v128.load (i32.add (local.get $ss) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $r (f64x2.div (local.get $acc) (f64x2.sqrt (f64x2.mul (f64x2.splat (local.get $ssi)) (local.get $ok)))))
        (local.set $r (f64x2.max (v128.const f64x2 -1 -1) (f64x2.min (v128.const f64x2 1 1) (local.get $r))))
        (local.set $ok (v128.and (f64x2.gt (f64x2.splat (local.get $ssi)) (v128.const f64x2 0 0)) (f64x2.gt (local.get $ok) (v128.const f64x2 0 0))))
        (v128.store (local.get $p) (v128.bitselect (local.get $r) (v128.const f64x2 nan nan) (local.get $ok)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jLoop)))
      ;; The last column when an odd number are left.
      (if (i32.lt_u (local.get $j) (local.get $m))
        (then
          (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 3))))
          (local.set $sacc (f64.const 0))
          (local.set $g (i32.const 0))
          (local.set $o (i32.const 0))
          (block $gDone (loop $gLoop
            (br_if $gDone (i32.ge_u (local.get $g) (local.get $G)))
            (local.set $sacc (f64.add (local.get $sacc)
              (f64.mul (f64.load (i32.add (local.get $ci) (local.get $o))) (f64.load (i32.add (local.get $cj) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (local.get $rowStep)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $gLoop)))
          (local.set $sr (f64.load (i32.add (local.get $ss) (i32.shl (local.get $j) (i32.const 3)))))
          (f64.store (local.get $p)
            (if (result f64) (i32.and (f64.gt (local.get $ssi) (f64.const 0)) (f64.gt (local.get $sr) (f64.const 0)))
              (then (f64.max (f64.const -1) (f64.min (f64.const 1) (f64.div (local.get $sacc) (f64.sqrt (f64.mul (local.get $ssi) (local.get $sr)))))))
              (else (f64.const nan))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iLoop))))
)
