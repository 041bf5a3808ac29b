import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../src/core/count/sufficient';
import { mergeSufficientStats, pairTable } from '../../src/core/count/tables';
import { MISSING } from '../../src/core/read/dataset';
import { Prng } from '../../src/core/stats/prng';
import { randomSurvey } from './sufficient/helpers';

test('pair tables equal a direct count over each pair\'s complete rows', () => {
  const data = randomSurvey(500, [3, 5, 2, 7], 7, 'real');
  const s = computeSufficientStats(data);
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const t = pairTable(s, i, j);
      const expectW = new Float64Array(t.ki * t.kj);
      const expectC = new Float64Array(t.ki * t.kj);
      for (let r = 0; r < data.n; r++) {
        const a = data.columns[i].values[r];
        const b = data.columns[j].values[r];
        if (a === MISSING || b === MISSING) continue;
        expectW[a * t.kj + b] += data.weights![r];
        expectC[a * t.kj + b] += 1;
      }
      for (let x = 0; x < expectW.length; x++) {
        assert.ok(Math.abs(t.weights[x] - expectW[x]) < 1e-9, `pair ${i},${j} cell ${x}`);
        assert.equal(t.counts[x], expectC[x]);
      }
    }
  }
});

test('statistics of two halves merge into the statistics of the whole', () => {
  const data = randomSurvey(300, [4, 4, 6], 11, 'real');
  const whole = computeSufficientStats(data);
  const rows = Array.from({ length: 300 }, (_, r) => r);
  const a = computeSufficientStats(data, { rows: rows.slice(0, 120) });
  const b = computeSufficientStats(data, { rows: rows.slice(120) });
  const merged = mergeSufficientStats(a, b);
  assert.equal(merged.rows, 300);
  for (let x = 0; x < whole.pairWeights.length; x++) assert.ok(Math.abs(merged.pairWeights[x] - whole.pairWeights[x]) < 1e-9);
  for (let i = 0; i < 3; i++) assert.deepEqual(Array.from(merged.itemCounts[i]), Array.from(whole.itemCounts[i]));
});

test('the generator is reproducible from its seed and uniform enough', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
  const rng = new Prng(1);
  const bins = new Float64Array(10);
  const N = 100000;
  for (let i = 0; i < N; i++) bins[rng.nextInt(10)]++;
  // Each bin ~ Binomial(N, 0.1): sd = sqrt(N * 0.09) ~ 95; 5 sd is a bound a fair generator never crosses.
  for (const c of bins) assert.ok(Math.abs(c - N / 10) < 5 * Math.sqrt(N * 0.09), `bin count ${c}`);
});
