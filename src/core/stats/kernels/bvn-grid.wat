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
;; these exponentials: two per SIMD instruction here (two grid points, one node: a pass over all
;; the points per node, so consecutive exponentials are independent and overlap in the pipeline),
;; against one Math.exp call each in JavaScript (measured with bench/polychoric-replicates.ts; see
;; bench/README-polychoric.md).
;;
;; exp(x) for x <= 0 (every argument here is: |sn| < 1 and h k <= (h^2 + k^2) / 2): x is clamped at
;; -700 (exp(-700) ~ 1e-304 adds nothing to sums of order 1e-17 and above), x = j ln2 + r with
;; j = nearest(x / ln2), |r| <= ln2 / 2 (ln2 in two parts, Cody-Waite, so r is exact to ~1e-20),
;; exp(r) by its Taylor polynomial of degree 13 (truncation error 0.347^14 / 14! ~ 4e-18; Estrin's scheme), and the
;; result scaled by 2^j by adding j to the exponent field. Relative error ~2e-16, like Math.exp.
;; The exponential is written out in the loop (V8 does not inline calls between WebAssembly functions).
(module
  (memory (export "memory") 1)
  ;; The exponential's constants, each twice (one f64x2), at the first 288 bytes of memory; the
  ;; caller's data starts at byte 512. Loaded from memory in the loop: written as constants, each
  ;; was materialised in the loop by three instructions (V8 does not keep them in registers there).
  ;;     0: -700
  ;;    16: 1.4426950408889634 (1 / ln2)
  ;;    32: 6755399441055744 (1.5 x 2^52)
  ;;    48: 0.6931471803691238 (ln2, high part)
  ;;    64: 1.9082149292705877e-10 (ln2, low part)
  ;;    80: 1
  ;;    96: 0.5 (1/2!)
  ;;   112: 0.16666666666666666 (1/3!)
  ;;   128: 0.041666666666666664 (1/4!)
  ;;   144: 0.008333333333333333 (1/5!)
  ;;   160: 0.001388888888888889 (1/6!)
  ;;   176: 0.0001984126984126984 (1/7!)
  ;;   192: 2.48015873015873e-05 (1/8!)
  ;;   208: 2.7557319223985893e-06 (1/9!)
  ;;   224: 2.755731922398589e-07 (1/10!)
  ;;   240: 2.505210838544172e-08 (1/11!)
  ;;   256: 2.08767569878681e-09 (1/12!)
  ;;   272: 1.6059043836821613e-10 (1/13!)
  (data (i32.const 0) "\00\00\00\00\00\e0\85\c0\00\00\00\00\00\e0\85\c0\fe\82\2b\65\47\15\f7\3f\fe\82\2b\65\47\15\f7\3f\00\00\00\00\00\00\38\43\00\00\00\00\00\00\38\43\00\00\e0\fe\42\2e\e6\3f\00\00\e0\fe\42\2e\e6\3f\76\3c\79\35\ef\39\ea\3d\76\3c\79\35\ef\39\ea\3d\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\e0\3f\00\00\00\00\00\00\e0\3f\55\55\55\55\55\55\c5\3f\55\55\55\55\55\55\c5\3f\55\55\55\55\55\55\a5\3f\55\55\55\55\55\55\a5\3f\11\11\11\11\11\11\81\3f\11\11\11\11\11\11\81\3f\17\6c\c1\16\6c\c1\56\3f\17\6c\c1\16\6c\c1\56\3f\1a\a0\01\1a\a0\01\2a\3f\1a\a0\01\1a\a0\01\2a\3f\1a\a0\01\1a\a0\01\fa\3e\1a\a0\01\1a\a0\01\fa\3e\34\c7\56\a5\e3\1d\c7\3e\34\c7\56\a5\e3\1d\c7\3e\5c\9f\78\b7\4f\7e\92\3e\5c\9f\78\b7\4f\7e\92\3e\e4\44\f5\67\45\e6\5a\3e\e4\44\f5\67\45\e6\5a\3e\98\d8\f8\ef\d8\ee\21\3e\98\d8\f8\ef\d8\ee\21\3e\09\6d\a8\13\46\12\e6\3d\09\6d\a8\13\46\12\e6\3d")

  ;; One evaluation of the polychoric log-likelihood's derivatives (../stats/polychoric.ts,
  ;; TableLikelihood) for a ki x kj table, infinite thresholds given as +-1e10 (where every term
  ;; vanishes). Memory, Float64: nodes sn[n + 1], inv[n + 1], wt[n + 1] (the last: phi2 at rho,
  ;; as densityNode makes it); h[ki - 1], k[kj - 1]; phiR[ki + 1],
  ;; phiC[kj + 1] (Phi at the cut points); the table; the interior Phi2 grid gi[(ki - 1)(kj - 1)],
  ;; kept between calls; the full grids g, d1, d2, d3 [(ki + 1)(kj + 1)], whose boundary rows and
  ;; columns the caller has set (g: 0 at -Inf, Phi at +Inf; the densities 0).
  ;; $mode 0: gi = node sum + Phi(h) Phi(k) (Genz, n nodes); 1: gi += node sum (an increment);
  ;; 2: gi as given (the caller computed it). Then, with A = rho / s + q / s^2, q = (h - rho k)(k - rho h),
  ;; s = 1 - rho^2: g = gi, d1 = phi2, d2 = phi2 A, d3 = phi2 (A^2 + A'), and over the cells with
  ;; n_ab > 0: out[0] = l' = sum n P'/P, out[1] = -l'' = sum n ((P'/P)^2 - P''/P),
  ;; out[2] = l''' = sum n (P'''/P - 3 (P'/P)(P''/P) + 2 (P'/P)^3). Returns 0 (outputs not written)
  ;; when a cell with n_ab > 0 has P_ab <= 0. $work: scratch space, 16-byte aligned, of 5 x (the
  ;; interior points rounded up to even) doubles: h k and (h^2 + k^2) / 2 per point, the even and
  ;; the odd nodes' sums, the density.
  (func (export "evaluate") (param $rho f64) (param $nodes i32) (param $n i32) (param $mode i32) (param $ki i32) (param $kj i32)
    (param $h i32) (param $k i32) (param $phiR i32) (param $phiC i32) (param $table i32) (param $gi i32)
    (param $g i32) (param $d1 i32) (param $d2 i32) (param $d3 i32) (param $out i32) (param $work i32) (result i32)
    (local $a i32) (local $b i32) (local $i i32) (local $bytes i32) (local $all i32) (local $stride i32) (local $o i32) (local $c i32)
    (local $np i32) (local $pb i32) (local $u i32) (local $t i32) (local $sn v128) (local $inv v128) (local $wt v128)
    (local $hv f64) (local $kv f64) (local $e v128) (local $t2 v128) (local $s f64) (local $d f64)
    (local $x v128) (local $j v128) (local $r v128) (local $p v128) (local $r2 v128) (local $r4 v128)
    (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $rp f64) (local $rhoS f64) (local $a0 f64) (local $q f64) (local $A f64) (local $dA f64)
    (local $nab f64) (local $pr f64) (local $g1 f64) (local $g2 f64) (local $g3 f64) (local $score f64) (local $info f64) (local $third f64)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 3)))
    ;; The node arrays hold n + 1 entries each.
    (local.set $all (i32.add (local.get $bytes) (i32.const 8)))
    (local.set $stride (i32.add (local.get $kj) (i32.const 1)))
    (local.set $s1 (f64.sub (f64.const 1) (f64.mul (local.get $rho) (local.get $rho))))
    ;; $s2, $s3: 1 / s^2 and 1 / s^3.
    (local.set $s2 (f64.div (f64.const 1) (f64.mul (local.get $s1) (local.get $s1))))
    (local.set $s3 (f64.div (local.get $s2) (local.get $s1)))
    (local.set $rhoS (f64.div (local.get $rho) (local.get $s1)))
    (local.set $a0 (f64.mul (f64.add (f64.const 1) (f64.mul (local.get $rho) (local.get $rho))) (local.get $s2)))
    ;; The interior points p = a (kj - 1) + b in a row of their own, two to a SIMD instruction:
    ;; hk[p] = h_a k_b and hs[p] = (h_a^2 + k_b^2) / 2, padded to an even count (the pad lane's
    ;; sums are never read).
    (local.set $np (i32.mul (i32.sub (local.get $ki) (i32.const 1)) (i32.sub (local.get $kj) (i32.const 1))))
    (local.set $pb (i32.shl (i32.and (i32.add (local.get $np) (i32.const 1)) (i32.const -2)) (i32.const 3)))
    (local.set $u (i32.const 0))
    (block $gridDone
      (loop $grid
        (br_if $gridDone (i32.ge_u (local.get $a) (i32.sub (local.get $ki) (i32.const 1))))
        (local.set $hv (f64.load (i32.add (local.get $h) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $b (i32.const 0))
        (block $gridColsDone
          (loop $gridCols
            (br_if $gridColsDone (i32.ge_u (local.get $b) (i32.sub (local.get $kj) (i32.const 1))))
            (local.set $kv (f64.load (i32.add (local.get $k) (i32.shl (local.get $b) (i32.const 3)))))
            (f64.store (i32.add (local.get $work) (local.get $u)) (f64.mul (local.get $hv) (local.get $kv)))
            (f64.store (i32.add (i32.add (local.get $work) (local.get $pb)) (local.get $u))
              (f64.mul (f64.const 0.5) (f64.add (f64.mul (local.get $hv) (local.get $hv)) (f64.mul (local.get $kv) (local.get $kv)))))
            (local.set $u (i32.add (local.get $u) (i32.const 8)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $gridCols)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $grid)))
    (if (i32.lt_u (local.get $u) (local.get $pb))
      (then
        (f64.store (i32.add (local.get $work) (local.get $u)) (f64.const 0))
        (f64.store (i32.add (i32.add (local.get $work) (local.get $pb)) (local.get $u)) (f64.const 0))))
    ;; The node sums, node by node over all points: the even nodes' terms summed in acc0, the odd
    ;; ones' in acc1, in node order (as the two lanes of a pair of nodes would sum them, so
    ;; Phi2 = acc0 + acc1 is the same number), and the density node's term (node n) kept apart.
    (memory.fill (i32.add (local.get $work) (i32.shl (local.get $pb) (i32.const 1))) (i32.const 0) (i32.shl (local.get $pb) (i32.const 1)))
    (local.set $i (i32.const 0))
    (block $nodesDone
      (loop $each
        (br_if $nodesDone (i32.gt_u (local.get $i) (local.get $bytes)))
        (local.set $sn (v128.load64_splat (i32.add (local.get $nodes) (local.get $i))))
        (local.set $inv (v128.load64_splat (i32.add (i32.add (local.get $nodes) (local.get $all)) (local.get $i))))
        (local.set $wt (v128.load64_splat (i32.add (i32.add (local.get $nodes) (i32.shl (local.get $all) (i32.const 1))) (local.get $i))))
        ;; acc0 at work + 2 pb, acc1 at work + 3 pb, the density at work + 4 pb.
        (local.set $t
          (i32.add (local.get $work)
            (i32.mul (local.get $pb)
              (select (i32.const 4) (i32.add (i32.const 2) (i32.and (i32.shr_u (local.get $i) (i32.const 3)) (i32.const 1))) (i32.eq (local.get $i) (local.get $bytes))))))
        (local.set $u (i32.const 0))
        (block $pointsDone
          (loop $points
            (br_if $pointsDone (i32.ge_u (local.get $u) (local.get $pb)))
            ;; e = wt * exp((sn * hk - hs) * inv) for points u, u + 1 (x clamped at -700).
            (local.set $x
              (f64x2.pmax
                (f64x2.mul
                  (f64x2.sub (f64x2.mul (local.get $sn) (v128.load (i32.add (local.get $work) (local.get $u)))) (v128.load (i32.add (i32.add (local.get $work) (local.get $pb)) (local.get $u))))
                  (local.get $inv))
                (v128.load offset=0 (i32.const 0) (; -700 ;))))
            ;; x = j ln2 + r, j = nearest(x / ln2) by adding and subtracting 1.5 x 2^52 (rounds to
            ;; the nearest integer, ties to even, as f64x2.nearest); $t2 keeps j in its low bits.
            (local.set $t2 (f64x2.add (f64x2.mul (local.get $x) (v128.load offset=16 (i32.const 0) (; 1 / ln2 ;))) (v128.load offset=32 (i32.const 0) (; 1.5 x 2^52 ;))))
            (local.set $j (f64x2.sub (local.get $t2) (v128.load offset=32 (i32.const 0) (; 1.5 x 2^52 ;))))
            (local.set $r
              (f64x2.sub
                (f64x2.sub (local.get $x) (f64x2.mul (local.get $j) (v128.load offset=48 (i32.const 0) (; ln2, high part ;))))
                (f64x2.mul (local.get $j) (v128.load offset=64 (i32.const 0) (; ln2, low part ;)))))
            ;; exp(r) by its Taylor polynomial of degree 13 in Estrin's scheme (pairs c_i + c_(i+1) r,
            ;; then combined with r^2, r^4, r^8): four levels of dependent operations instead of
            ;; Horner's thirteen.
            (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
            (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
            (local.set $p
              (f64x2.add
                (f64x2.add
                  (f64x2.add (f64x2.add (v128.load offset=80 (i32.const 0) (; 1 ;)) (local.get $r)) (f64x2.mul (f64x2.add (v128.load offset=96 (i32.const 0) (; 1/2! ;)) (f64x2.mul (v128.load offset=112 (i32.const 0) (; 1/3! ;)) (local.get $r))) (local.get $r2)))
                  (f64x2.mul (f64x2.add (f64x2.add (v128.load offset=128 (i32.const 0) (; 1/4! ;)) (f64x2.mul (v128.load offset=144 (i32.const 0) (; 1/5! ;)) (local.get $r))) (f64x2.mul (f64x2.add (v128.load offset=160 (i32.const 0) (; 1/6! ;)) (f64x2.mul (v128.load offset=176 (i32.const 0) (; 1/7! ;)) (local.get $r))) (local.get $r2))) (local.get $r4)))
                (f64x2.mul
                  (f64x2.add
                    (f64x2.add (f64x2.add (v128.load offset=192 (i32.const 0) (; 1/8! ;)) (f64x2.mul (v128.load offset=208 (i32.const 0) (; 1/9! ;)) (local.get $r))) (f64x2.mul (f64x2.add (v128.load offset=224 (i32.const 0) (; 1/10! ;)) (f64x2.mul (v128.load offset=240 (i32.const 0) (; 1/11! ;)) (local.get $r))) (local.get $r2)))
                    (f64x2.mul (f64x2.add (v128.load offset=256 (i32.const 0) (; 1/12! ;)) (f64x2.mul (v128.load offset=272 (i32.const 0) (; 1/13! ;)) (local.get $r))) (local.get $r4)))
                  (f64x2.mul (local.get $r4) (local.get $r4)))))
            (local.set $e
              (f64x2.mul (local.get $wt)
                (i64x2.add (local.get $p) (i64x2.shl (local.get $t2) (i32.const 52)))))
            (if (i32.eq (local.get $i) (local.get $bytes))
              (then (v128.store (i32.add (local.get $t) (local.get $u)) (local.get $e)))
              (else (v128.store (i32.add (local.get $t) (local.get $u)) (f64x2.add (v128.load (i32.add (local.get $t) (local.get $u))) (local.get $e)))))
            (local.set $u (i32.add (local.get $u) (i32.const 16)))
            (br $points)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $each)))
    (local.set $a (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $a) (i32.sub (local.get $ki) (i32.const 1))))
        (local.set $hv (f64.load (i32.add (local.get $h) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $b (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $b) (i32.sub (local.get $kj) (i32.const 1))))
            (local.set $kv (f64.load (i32.add (local.get $k) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $u (i32.shl (i32.add (i32.mul (local.get $a) (i32.sub (local.get $kj) (i32.const 1))) (local.get $b)) (i32.const 3)))
            (local.set $d (f64.load (i32.add (i32.add (local.get $work) (i32.shl (local.get $pb) (i32.const 2))) (local.get $u))))
            (local.set $s
              (f64.add
                (f64.load (i32.add (i32.add (local.get $work) (i32.shl (local.get $pb) (i32.const 1))) (local.get $u)))
                (f64.load (i32.add (i32.add (local.get $work) (i32.mul (local.get $pb) (i32.const 3))) (local.get $u)))))
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
