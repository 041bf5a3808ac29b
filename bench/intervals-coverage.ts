/**
 * Coverage of the headline intervals by simulation (bench/README-intervals.md): for each setting,
 * runs drawn from a known population (thresholded multivariate normal, answers made invalid at
 * random), scored against a fixed reference sample with the engine's functions and bootstrap; the
 * share of runs whose basic interval (around the bias-corrected headline) and whose percentile
 * interval (arXiv 2601.15755) contain the run population's value.
 *
 *   npm run build && node out/bench/intervals-coverage.js [--simulations 1000] [--bootstrap 200] [--seed 1]
 */
import { arg } from './args';
import { factorCorrelation, simulateCoverage, type CoverageSetting, type ThresholdedNormal } from '../test/unit/intervals/coverage-simulation';

const simulations = Number(arg('simulations', '1000'));
const bootstrap = Number(arg('bootstrap', '200'));
const seed = Number(arg('seed', '1'));
/** Run only the settings whose names contain this text. */
const only = arg('only', '');

const cuts4 = (shift: number) => [-0.8 + shift, 0.1 + shift, 0.9 + shift];
const cuts5 = (shift: number) => [-1.2 + shift, -0.4 + shift, 0.3 + shift, 1.1 + shift];

function population(loadings: number[], shifts: number[], five = false): ThresholdedNormal {
  return { corr: factorCorrelation(loadings), cuts: shifts.map((s) => (five ? cuts5(s) : cuts4(s))) };
}

const human = population([0.7, 0.6, -0.5, 0.4, 0.65, -0.3, 0.55, 0.2], [0, 0.2, -0.1, 0.3, -0.2, 0.1, 0, -0.3]);
const settings: { name: string; setting: Omit<CoverageSetting, 'simulations' | 'bootstrap' | 'seed'> }[] = [
  {
    name: 'distinct run (shifted answers, weaker structure), 8 items, n = 300, 10% invalid',
    setting: { reference: human, referenceN: 4000, run: population([0.5, 0.5, -0.2, 0.5, 0.4, -0.4, 0.3, 0.3], [0.3, 0.5, 0.2, 0, 0.1, 0.4, 0.3, 0]), n: 300, invalid: 0.1 },
  },
  {
    name: 'the same, n = 1,000, no invalid answers',
    setting: { reference: human, referenceN: 4000, run: population([0.5, 0.5, -0.2, 0.5, 0.4, -0.4, 0.3, 0.3], [0.3, 0.5, 0.2, 0, 0.1, 0.4, 0.3, 0]), n: 1000, invalid: 0 },
  },
  {
    name: 'weak structure (loadings 0.15-0.25: the noise of n = 300 as large as the signal), 8 items',
    setting: { reference: human, referenceN: 4000, run: population([0.25, 0.2, -0.15, 0.2, 0.25, -0.15, 0.2, 0.15], [0.3, 0.5, 0.2, 0, 0.1, 0.4, 0.3, 0]), n: 300, invalid: 0 },
  },
  {
    name: 'boundary: the run population is the human population, n = 300',
    setting: { reference: human, referenceN: 4000, run: human, n: 300, invalid: 0 },
  },
];

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;
console.log(`simulations ${simulations}, bootstrap ${bootstrap}, seed ${seed}; binomial sd of a 95% coverage: ${(100 * Math.sqrt((0.95 * 0.05) / simulations)).toFixed(1)} points`);
for (const { name, setting } of settings.filter((s) => s.name.includes(only))) {
  const t = performance.now();
  const r = simulateCoverage({ ...setting, simulations, bootstrap, seed });
  console.log(`\n${name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  for (const [measure, c] of Object.entries(r)) {
    console.log(
      `  ${measure.padEnd(18)} truth ${c.truth.toFixed(4)}  mean sample ${c.meanSample.toFixed(4)}  mean headline ${c.meanHeadline.toFixed(4)}  ` +
        `coverage basic ${pct(c.basic, c.simulations)}  percentile ${pct(c.percentile, c.simulations)}  coherent ${pct(c.coherent, c.simulations)}`,
    );
  }
}
