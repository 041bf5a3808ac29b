/**
 * What counting invalid answers adds to a run's bootstrap (README, "Invalid answers count against
 * the run"): per replicate, both marginal headlines (`marginalHeadlines`) instead of the valid-only
 * one (`marginalHeadline`), and the replicate's usable answer pairs (a multiplicity-weighted sum over
 * respondents); once a run, each respondent's valid pairs (`usablePairValues`); once a reference (kept
 * between runs and evaluations), its own shares (`referenceAnswerShares`, 97,000 weighted rows). WVS-sized: 175 items
 * of 4 to 10 codes, 5,000 respondents with 5% invalid answers, 200 replicates. CPU time of this
 * thread (process.cpuUsage), the median of `--repeats` runs: the machine's load moves wall time.
 *
 *   npm run build && node out/bench/headline-cost.js [--repeats 7]
 */
import { arg } from './args';
import { computeSufficientStats } from '../src/core/count/sufficient';
import { MISSING, type SurveyData } from '../src/core/read/dataset';
import { marginalHeadline, marginalHeadlines } from '../src/core/evaluate/marginal-summary';
import { referenceAnswerShares, usablePairValues } from '../src/core/evaluate/invalid-answers';
import { Prng } from '../src/core/stats/prng';
import { bootstrapMultiplicities } from '../src/core/stats/resample';

const repeats = Number(arg('repeats', '7'));
const m = 175;
const n = 5000;
const B = 200;
const rng = new Prng(1);
const items = Array.from({ length: m }, (_, j) => ({ id: `Q${j + 1}`, type: 'ordinal' as const, codes: Array.from({ length: 4 + (j % 7) }, (_, k) => k + 1) }));
const data = (rows: number, invalid: number): SurveyData => ({
  source: 'bench',
  n: rows,
  columns: items.map((item) => ({ item, values: Uint8Array.from({ length: rows }, () => (rng.nextFloat() < invalid ? MISSING : rng.nextInt(item.codes.length))), invalid: 0, missing: 0 })),
  weights: null,
  attributes: new Map(),
});
const ref = computeSufficientStats(data(20000, 0.02), { weights: null, marginalsOnly: true });
const run = data(n, 0.05);
const columns = items.map((_, j) => j);
// The replicates' item weights, as the counting threads hand them over.
const replicates = Array.from({ length: B }, () => computeSufficientStats(run, { weights: bootstrapMultiplicities(n, rng), marginalsOnly: true }).itemWeights);
const mults = Array.from({ length: B }, () => bootstrapMultiplicities(n, rng));
const answers = items.map(() => n);

function cpu(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
const median = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)];

let sink = 0;
const before: number[] = [];
const after: number[] = [];
for (let k = 0; k < repeats; k++) {
  before.push(cpu(() => {
    for (const w of replicates) sink += marginalHeadline(ref, w).representativeness ?? 0;
  }));
  after.push(cpu(() => {
    const rows = usablePairValues(run, columns);
    for (let b = 0; b < B; b++) {
      const h = marginalHeadlines(ref, replicates[b], answers);
      sink += (h.counted.representativeness ?? 0) + (h.validOnly.representativeness ?? 0);
      let pairs = 0;
      const mu = mults[b];
      for (let r = 0; r < n; r++) pairs += mu[r] * rows[r];
      sink += pairs;
    }
  }));
}
console.log(`${B} replicates, ${m} items, ${n} respondents (CPU ms, median of ${repeats}; ${sink > 0 ? 'ok' : ''})`);
console.log(`  valid-only headline per replicate (before): ${median(before).toFixed(1)} ms a run`);
console.log(`  both headlines + usable pairs (now):        ${median(after).toFixed(1)} ms a run`);
console.log(`  added: ${(median(after) - median(before)).toFixed(1)} ms a run`);
const reference = { ...data(97000, 0.06), weights: Float64Array.from({ length: 97000 }, () => 0.5 + rng.nextFloat()) };
const once: number[] = [];
for (let k = 0; k < repeats; k++) once.push(cpu(() => (sink += referenceAnswerShares(reference, columns).usable ?? 0)));
console.log(`  the reference's own shares, once a reference (97,000 x ${m}, weighted): ${median(once).toFixed(1)} ms`);
