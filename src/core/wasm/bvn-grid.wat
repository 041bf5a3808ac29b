;; Bivariate normal sums over a grid of thresholds (../stats/bvn-grid.ts): for every pair
;; (h[a], k[b]), a < nh, b < nk,
;;   out[a * nk + b] (+)= sum_i wt[i] * exp((sn[i] * h[a] * k[b] - (h[a]^2 + k[b]^2) / 2) * inv[i])
;; with the n nodes (n even) at $nodes as three Float64 arrays sn[n], inv[n], wt[n]. This one form
;; is Genz's (2004) low-correlation quadrature of Phi2 (nodes sin(theta_i) on [0, asin rho]), the
;; same quadrature on a short interval [asin rho0, asin rho1] (an increment of Phi2 between two
;; values of rho), and the density phi2 itself (one node sn = rho, inv = 1 / (1 - rho^2),
;; wt = 1 / (2 pi sqrt(1 - rho^2)), and a zero-weight partner).
;;
;; Hand-written because the polychoric fits of bootstrap replicates spend most of their time in
;; these exponentials: two per SIMD instruction here, against one Math.exp call each in JavaScript
;; (measured with bench/polychoric-replicates.ts; see bench/README-polychoric.md).
;;
;; exp(x) for x <= 0 (every argument here is: |sn| < 1 and h k <= (h^2 + k^2) / 2): x is clamped at
;; -700 (exp(-700) ~ 1e-304 adds nothing to sums of order 1e-17 and above), x = j ln2 + r with
;; j = nearest(x / ln2), |r| <= ln2 / 2 (ln2 in two parts, Cody-Waite, so r is exact to ~1e-20),
;; exp(r) by its Taylor polynomial of degree 13 (truncation error 0.347^14 / 14! ~ 4e-18), and the
;; result scaled by 2^j by adding j to the exponent field. Relative error ~2e-16, like Math.exp.
;; The exponential is written out in the loop (V8 does not inline calls between WebAssembly functions).
(module
  (memory (export "memory") 1)

  (func (export "grid") (param $nodes i32) (param $n i32) (param $h i32) (param $nh i32) (param $k i32) (param $nk i32) (param $out i32) (param $accumulate i32)
    (local $a i32) (local $b i32) (local $i i32) (local $bytes i32) (local $o i32)
    (local $hv f64) (local $kv f64) (local $hk v128) (local $hs v128) (local $sum v128) (local $s f64)
    (local $x v128) (local $j v128) (local $r v128) (local $p v128)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 3)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $nh)))
        (local.set $hv (f64.load (i32.add (local.get $h) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $b (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $b) (local.get $nk)))
            (local.set $kv (f64.load (i32.add (local.get $k) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $hk (f64x2.splat (f64.mul (local.get $hv) (local.get $kv))))
            (local.set $hs (f64x2.splat (f64.mul (f64.const 0.5) (f64.add (f64.mul (local.get $hv) (local.get $hv)) (f64.mul (local.get $kv) (local.get $kv))))))
            (local.set $sum (f64x2.splat (f64.const 0)))
            (local.set $i (i32.const 0))
            (block $nodesDone
              (loop $each
                (br_if $nodesDone (i32.ge_u (local.get $i) (local.get $bytes)))
                ;; x = (sn * hk - hs) * inv for nodes i, i + 1, clamped at -700.
                (local.set $x
                  (f64x2.max
                    (f64x2.mul
                      (f64x2.sub (f64x2.mul (v128.load (i32.add (local.get $nodes) (local.get $i))) (local.get $hk)) (local.get $hs))
                      (v128.load (i32.add (i32.add (local.get $nodes) (local.get $bytes)) (local.get $i))))
                    (f64x2.splat (f64.const -700))))
                ;; x = j ln2 + r.
                (local.set $j (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
                (local.set $r
                  (f64x2.sub
                    (f64x2.sub (local.get $x) (f64x2.mul (local.get $j) (f64x2.splat (f64.const 0.6931471803691238))))
                    (f64x2.mul (local.get $j) (f64x2.splat (f64.const 1.9082149292705877e-10)))))
                ;; exp(r) by Horner from the r^13 coefficient 1/13! down to 1.
                (local.set $p (f64x2.splat (f64.const 1.6059043836821613e-10)))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 2.08767569878681e-09))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 2.505210838544172e-08))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 2.755731922398589e-07))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 2.7557319223985893e-06))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 2.48015873015873e-05))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.0001984126984126984))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.001388888888888889))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.008333333333333333))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.041666666666666664))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.16666666666666666))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 0.5))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 1))))
                (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $r)) (f64x2.splat (f64.const 1))))
                ;; sum += wt * p * 2^j, j (an integer in [-1010, 0]) added to the biased exponent of p in [0.7, 1.5].
                (local.set $sum
                  (f64x2.add (local.get $sum)
                    (f64x2.mul
                      (v128.load (i32.add (i32.add (local.get $nodes) (local.get $bytes)) (i32.add (local.get $bytes) (local.get $i))))
                      (i64x2.add (local.get $p)
                        (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $j))) (i32.const 52))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $each)))
            (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $nk)) (local.get $b)) (i32.const 3))))
            (if (local.get $accumulate)
              (then (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $s))))
              (else (f64.store (local.get $o) (local.get $s))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $cols)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $rows))))
)
