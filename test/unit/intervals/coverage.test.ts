// Coverage of the headline intervals (src/core/stats/bias-corrected.ts) by simulation: 200 runs of
// 250 respondents drawn from a known population (5 items, a one-factor structure, 10% of the
// answers invalid at random) against a fixed reference. The basic interval of the bias-corrected
// headline must contain the run population's value about 95% of the time (within three binomial
// standard deviations of 200 runs: 0.904..0.996); the percentile interval of the sample estimate
// misses the agreement's population value far more often (its replicates carry the noise twice).
// The larger study, with the regimes where the correction is not enough: bench/README-intervals.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factorCorrelation, populationPearson, simulateCoverage, type ThresholdedNormal } from './coverage-simulation';
import { bivariateNormalRectangle } from '../../../src/core/stats/bivariate-normal';

const cuts = (shift: number) => [-0.8 + shift, 0.1 + shift, 0.9 + shift];
const human: ThresholdedNormal = { corr: factorCorrelation([0.7, 0.6, -0.5, 0.45, 0.65]), cuts: [0, 0.2, -0.1, 0.3, -0.2].map(cuts) };
const model: ThresholdedNormal = { corr: factorCorrelation([0.55, 0.45, -0.25, 0.5, 0.4]), cuts: [0.3, 0.5, 0.2, 0, 0.1].map(cuts) };

test('simulation: the population Pearson correlation of thresholded codes is exact (cells sum to 1; a large sample agrees)', () => {
  let total = 0;
  const e = [-Infinity, ...human.cuts[0], Infinity];
  const f = [-Infinity, ...human.cuts[1], Infinity];
  for (let a = 0; a + 1 < e.length; a++) for (let b = 0; b + 1 < f.length; b++) total += bivariateNormalRectangle(e[a], e[a + 1], f[b], f[b + 1], human.corr[0][1]);
  assert.ok(Math.abs(total - 1) < 1e-12);
  const r = populationPearson(human)[0][1]!;
  // Thresholding attenuates: |r| below the latent 0.42, and above 0.42 x 0.9 for 4-point codes.
  assert.ok(r < 0.42 && r > 0.42 * 0.85, String(r));
});

test('coverage: the basic interval covers the run population\'s value ~95% of the time; the percentile interval misses the agreement', () => {
  const r = simulateCoverage({ reference: human, referenceN: 3000, run: model, n: 250, invalid: 0.1, simulations: 200, bootstrap: 100, seed: 11 });
  for (const [name, c] of Object.entries(r)) {
    const basic = c.basic / c.simulations;
    assert.equal(c.coherent, c.simulations, `${name}: every headline inside its interval`);
    assert.ok(basic >= 0.904 && basic <= 0.996, `${name}: basic coverage ${basic}`);
  }
  // The sample agreement is biased low (noise attenuates it); the headline removes most of that.
  const a = r.agreement;
  assert.ok(a.meanSample < a.truth - 0.02, `sample ${a.meanSample} vs truth ${a.truth}`);
  assert.ok(Math.abs(a.meanHeadline - a.truth) < (a.truth - a.meanSample) / 2, `headline ${a.meanHeadline} vs truth ${a.truth}`);
  assert.ok(a.percentile / a.simulations < 0.8, `percentile coverage of the agreement ${a.percentile / a.simulations}`);
});
