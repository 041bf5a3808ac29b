;; The polychoric log-likelihood's derivatives for one table at one rho (../stats/bvn-grid.ts,
;; KernelLikelihood): the bivariate normal CDF Phi2 on the grid of thresholds, the density's
;; rho-derivatives there, and the sums over the cells, in one call. Phi2 and the density are sums
;; of one form over quadrature nodes,
;;   sum_i wt[i] * exp((sn[i] * h * k - (h^2 + k^2) / 2) * inv[i]),
;; which is Genz's (2004) low-correlation quadrature of Phi2 (nodes sin(theta_i) on [0, asin rho]),
;; the same quadrature on a short interval [asin rho0, asin rho1] (an increment of Phi2 between two
;; values of rho), and the density phi2 itself (one node sn = rho, inv = 1 / (1 - rho^2),
;; wt = 1 / (2 pi sqrt(1 - rho^2))): see ../stats/bivariate-normal.ts.
;;
;; Hand-written because the polychoric fits of bootstrap replicates spend most of their time in
;; these exponentials: two per SIMD instruction here, against one Math.exp call each in JavaScript
;; (measured with bench/polychoric-replicates.ts; see bench/README-polychoric.md).
;;
;; exp(x) for x <= 0 (every argument here is: |sn| < 1 and h k <= (h^2 + k^2) / 2): x is clamped at
;; -700 (exp(-700) ~ 1e-304 adds nothing to sums of order 1e-17 and above), x = j ln2 + r with
;; j = nearest(x / ln2), |r| <= ln2 / 2 (ln2 in two parts, Cody-Waite, so r is exact to ~1e-20),
;; exp(r) by its Taylor polynomial of degree 13 (truncation error 0.347^14 / 14! ~ 4e-18; Estrin's scheme), and the
;; result scaled by 2^j by adding j to the exponent field. Relative error ~2e-16, like Math.exp.
;; The exponential is written out in the loop (V8 does not inline calls between WebAssembly functions).
(module
  (memory (export "memory") 1)

  ;; One evaluation of the polychoric log-likelihood's derivatives (../stats/polychoric.ts,
  ;; TableLikelihood) for a ki x kj table, infinite thresholds given as +-1e10 (where every term
  ;; vanishes). Memory, Float64: nodes sn[n + 2], inv[n + 2], wt[n + 2] (the last two: phi2 at rho
  ;; and a zero-weight partner, as densityNode makes them); h[ki - 1], k[kj - 1]; phiR[ki + 1],
  ;; phiC[kj + 1] (Phi at the cut points); the table; the interior Phi2 grid gi[(ki - 1)(kj - 1)],
  ;; kept between calls; the full grids g, d1, d2, d3 [(ki + 1)(kj + 1)], whose boundary rows and
  ;; columns the caller has set (g: 0 at -Inf, Phi at +Inf; the densities 0).
  ;; $mode 0: gi = node sum + Phi(h) Phi(k) (Genz, n nodes); 1: gi += node sum (an increment);
  ;; 2: gi as given (the caller computed it). Then, with A = rho / s + q / s^2, q = (h - rho k)(k - rho h),
  ;; s = 1 - rho^2: g = gi, d1 = phi2, d2 = phi2 A, d3 = phi2 (A^2 + A'), and over the cells with
  ;; n_ab > 0: out[0] = l' = sum n P'/P, out[1] = -l'' = sum n ((P'/P)^2 - P''/P),
  ;; out[2] = l''' = sum n (P'''/P - 3 (P'/P)(P''/P) + 2 (P'/P)^3). Returns 0 (outputs not written)
  ;; when a cell with n_ab > 0 has P_ab <= 0.
  (func (export "evaluate") (param $rho f64) (param $nodes i32) (param $n i32) (param $mode i32) (param $ki i32) (param $kj i32)
    (param $h i32) (param $k i32) (param $phiR i32) (param $phiC i32) (param $table i32) (param $gi i32)
    (param $g i32) (param $d1 i32) (param $d2 i32) (param $d3 i32) (param $out i32) (result i32)
    (local $a i32) (local $b i32) (local $i i32) (local $bytes i32) (local $all i32) (local $stride i32) (local $o i32) (local $c i32)
    (local $hv f64) (local $kv f64) (local $hk v128) (local $hs v128) (local $sum v128) (local $e v128) (local $s f64) (local $d f64)
    (local $x v128) (local $j v128) (local $r v128) (local $p v128) (local $r2 v128) (local $r4 v128)
    (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $rp f64) (local $rhoS f64) (local $a0 f64) (local $q f64) (local $A f64) (local $dA f64)
    (local $nab f64) (local $pr f64) (local $g1 f64) (local $g2 f64) (local $g3 f64) (local $score f64) (local $info f64) (local $third f64)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 3)))
    ;; The node arrays hold n + 2 entries each.
    (local.set $all (i32.add (local.get $bytes) (i32.const 16)))
    (local.set $stride (i32.add (local.get $kj) (i32.const 1)))
    (local.set $s1 (f64.sub (f64.const 1) (f64.mul (local.get $rho) (local.get $rho))))
    ;; $s2, $s3: 1 / s^2 and 1 / s^3.
    (local.set $s2 (f64.div (f64.const 1) (f64.mul (local.get $s1) (local.get $s1))))
    (local.set $s3 (f64.div (local.get $s2) (local.get $s1)))
    (local.set $rhoS (f64.div (local.get $rho) (local.get $s1)))
    (local.set $a0 (f64.mul (f64.add (f64.const 1) (f64.mul (local.get $rho) (local.get $rho))) (local.get $s2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $a) (i32.sub (local.get $ki) (i32.const 1))))
        (local.set $hv (f64.load (i32.add (local.get $h) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $b (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $b) (i32.sub (local.get $kj) (i32.const 1))))
            (local.set $kv (f64.load (i32.add (local.get $k) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $hk (f64x2.splat (f64.mul (local.get $hv) (local.get $kv))))
            (local.set $hs (f64x2.splat (f64.mul (f64.const 0.5) (f64.add (f64.mul (local.get $hv) (local.get $hv)) (f64.mul (local.get $kv) (local.get $kv))))))
            (local.set $sum (f64x2.splat (f64.const 0)))
            (local.set $i (i32.const 0))
            (block $nodesDone
              (loop $each
                (br_if $nodesDone (i32.ge_u (local.get $i) (local.get $all)))
                ;; e = wt * exp((sn * hk - hs) * inv) for nodes i, i + 1 (x clamped at -700).
                (local.set $x
                  (f64x2.max
                    (f64x2.mul
                      (f64x2.sub (f64x2.mul (v128.load (i32.add (local.get $nodes) (local.get $i))) (local.get $hk)) (local.get $hs))
                      (v128.load (i32.add (i32.add (local.get $nodes) (local.get $all)) (local.get $i))))
                    (f64x2.splat (f64.const -700))))
                ;; x = j ln2 + r.
                (local.set $j (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
                (local.set $r
                  (f64x2.sub
                    (f64x2.sub (local.get $x) (f64x2.mul (local.get $j) (f64x2.splat (f64.const 0.6931471803691238))))
                    (f64x2.mul (local.get $j) (f64x2.splat (f64.const 1.9082149292705877e-10)))))
                ;; exp(r) by its Taylor polynomial of degree 13 in Estrin's scheme (pairs c_i + c_(i+1) r,
                ;; then combined with r^2, r^4, r^8): four levels of dependent operations instead of
                ;; Horner's thirteen, so the exponentials of successive nodes overlap in the pipeline.
                (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
                (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
                (local.set $p
                  (f64x2.add
                    (f64x2.add
                      (f64x2.add (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (f64x2.splat (f64.const 1)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (f64x2.splat (f64.const 0.16666666666666666)) (local.get $r))) (local.get $r2)))
                      (f64x2.mul (f64x2.add (f64x2.add (f64x2.splat (f64.const 0.041666666666666664)) (f64x2.mul (f64x2.splat (f64.const 0.008333333333333333)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 0.001388888888888889)) (f64x2.mul (f64x2.splat (f64.const 0.0001984126984126984)) (local.get $r))) (local.get $r2))) (local.get $r4)))
                    (f64x2.mul
                      (f64x2.add
                        (f64x2.add (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-05)) (f64x2.mul (f64x2.splat (f64.const 2.7557319223985893e-06)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-07)) (f64x2.mul (f64x2.splat (f64.const 2.505210838544172e-08)) (local.get $r))) (local.get $r2)))
                        (f64x2.mul (f64x2.add (f64x2.splat (f64.const 2.08767569878681e-09)) (f64x2.mul (f64x2.splat (f64.const 1.6059043836821613e-10)) (local.get $r))) (local.get $r4)))
                      (f64x2.mul (local.get $r4) (local.get $r4)))))
                (local.set $e
                  (f64x2.mul
                    (v128.load (i32.add (i32.add (local.get $nodes) (local.get $all)) (i32.add (local.get $all) (local.get $i))))
                    (i64x2.add (local.get $p)
                      (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $j))) (i32.const 52)))))
                (if (i32.lt_u (local.get $i) (local.get $bytes))
                  (then (local.set $sum (f64x2.add (local.get $sum) (local.get $e)))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $each)))
            ;; The last pair was the density node (lane 0) and its zero-weight partner.
            (local.set $d (f64x2.extract_lane 0 (local.get $e)))
            (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
            (local.set $o (i32.add (local.get $gi) (i32.shl (i32.add (i32.mul (local.get $a) (i32.sub (local.get $kj) (i32.const 1))) (local.get $b)) (i32.const 3))))
            (if (i32.eqz (local.get $mode))
              (then
                (f64.store (local.get $o)
                  (f64.add (local.get $s)
                    (f64.mul
                      (f64.load (i32.add (local.get $phiR) (i32.shl (i32.add (local.get $a) (i32.const 1)) (i32.const 3))))
                      (f64.load (i32.add (local.get $phiC) (i32.shl (i32.add (local.get $b) (i32.const 1)) (i32.const 3))))))))
              (else
                (if (i32.eq (local.get $mode) (i32.const 1))
                  (then (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $s)))))))
            ;; Full-grid point (a + 1, b + 1): Phi2 and the density's rho-derivatives.
            (local.set $c (i32.shl (i32.add (i32.mul (i32.add (local.get $a) (i32.const 1)) (local.get $stride)) (i32.add (local.get $b) (i32.const 1))) (i32.const 3)))
            (f64.store (i32.add (local.get $g) (local.get $c)) (f64.load (local.get $o)))
            (local.set $q (f64.mul (f64.sub (local.get $hv) (f64.mul (local.get $rho) (local.get $kv))) (f64.sub (local.get $kv) (f64.mul (local.get $rho) (local.get $hv)))))
            (local.set $A (f64.add (local.get $rhoS) (f64.mul (local.get $q) (local.get $s2))))
            (local.set $dA
              (f64.add
                (f64.add (local.get $a0)
                  (f64.mul
                    (f64.sub (f64.sub (f64.mul (f64.mul (f64.mul (f64.const 2) (local.get $rho)) (local.get $hv)) (local.get $kv)) (f64.mul (local.get $hv) (local.get $hv))) (f64.mul (local.get $kv) (local.get $kv)))
                    (local.get $s2)))
                (f64.mul (f64.mul (f64.mul (f64.const 4) (local.get $rho)) (local.get $q)) (local.get $s3))))
            (f64.store (i32.add (local.get $d1) (local.get $c)) (local.get $d))
            (f64.store (i32.add (local.get $d2) (local.get $c)) (f64.mul (local.get $d) (local.get $A)))
            (f64.store (i32.add (local.get $d3) (local.get $c)) (f64.mul (local.get $d) (f64.add (f64.mul (local.get $A) (local.get $A)) (local.get $dA))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $cols)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $rows)))
    ;; The cells with n_ab > 0: second differences of the grids around them. $c is the byte offset
    ;; of the cell's corner (a, b) in the full grids, $o a row of them.
    (local.set $o (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $a (i32.const 0))
    (block $cellRowsDone
      (loop $cellRows
        (br_if $cellRowsDone (i32.ge_u (local.get $a) (local.get $ki)))
        (local.set $b (i32.const 0))
        (block $cellColsDone
          (loop $cellCols
            (br_if $cellColsDone (i32.ge_u (local.get $b) (local.get $kj)))
            (local.set $nab (f64.load (i32.add (local.get $table) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $kj)) (local.get $b)) (i32.const 3)))))
            (if (f64.gt (local.get $nab) (f64.const 0))
              (then
                (local.set $c (i32.shl (i32.add (i32.mul (local.get $a) (local.get $stride)) (local.get $b)) (i32.const 3)))
                (local.set $pr
                  (f64.add
                    (f64.sub
                      (f64.sub
                        (f64.load offset=8 (i32.add (i32.add (local.get $g) (local.get $c)) (local.get $o)))
                        (f64.load offset=8 (i32.add (local.get $g) (local.get $c))))
                      (f64.load (i32.add (i32.add (local.get $g) (local.get $c)) (local.get $o))))
                    (f64.load (i32.add (local.get $g) (local.get $c)))))
                (if (i32.eqz (f64.gt (local.get $pr) (f64.const 0))) (then (return (i32.const 0))))
                (local.set $rp (f64.div (f64.const 1) (local.get $pr)))
                (local.set $g1
                  (f64.mul
                    (f64.add
                      (f64.sub
                        (f64.sub
                          (f64.load offset=8 (i32.add (i32.add (local.get $d1) (local.get $c)) (local.get $o)))
                          (f64.load offset=8 (i32.add (local.get $d1) (local.get $c))))
                        (f64.load (i32.add (i32.add (local.get $d1) (local.get $c)) (local.get $o))))
                      (f64.load (i32.add (local.get $d1) (local.get $c))))
                    (local.get $rp)))
                (local.set $g2
                  (f64.mul
                    (f64.add
                      (f64.sub
                        (f64.sub
                          (f64.load offset=8 (i32.add (i32.add (local.get $d2) (local.get $c)) (local.get $o)))
                          (f64.load offset=8 (i32.add (local.get $d2) (local.get $c))))
                        (f64.load (i32.add (i32.add (local.get $d2) (local.get $c)) (local.get $o))))
                      (f64.load (i32.add (local.get $d2) (local.get $c))))
                    (local.get $rp)))
                (local.set $g3
                  (f64.mul
                    (f64.add
                      (f64.sub
                        (f64.sub
                          (f64.load offset=8 (i32.add (i32.add (local.get $d3) (local.get $c)) (local.get $o)))
                          (f64.load offset=8 (i32.add (local.get $d3) (local.get $c))))
                        (f64.load (i32.add (i32.add (local.get $d3) (local.get $c)) (local.get $o))))
                      (f64.load (i32.add (local.get $d3) (local.get $c))))
                    (local.get $rp)))
                (local.set $score (f64.add (local.get $score) (f64.mul (local.get $nab) (local.get $g1))))
                (local.set $info (f64.add (local.get $info) (f64.mul (local.get $nab) (f64.sub (f64.mul (local.get $g1) (local.get $g1)) (local.get $g2)))))
                (local.set $third
                  (f64.add (local.get $third)
                    (f64.mul (local.get $nab)
                      (f64.add
                        (f64.sub (local.get $g3) (f64.mul (f64.mul (f64.const 3) (local.get $g1)) (local.get $g2)))
                        (f64.mul (f64.mul (f64.mul (f64.const 2) (local.get $g1)) (local.get $g1)) (local.get $g1))))))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $cellCols)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $cellRows)))
    (f64.store (local.get $out) (local.get $score))
    (f64.store offset=8 (local.get $out) (local.get $info))
    (f64.store offset=16 (local.get $out) (local.get $third))
    (i32.const 1))
)
