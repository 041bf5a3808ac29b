import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGroupStructure, respondentGroups } from '../../../src/core/evaluate/group-evaluation';
import { MAX_BATCH_LANES } from '../../../src/core/parallel/batch-count';
import { DiagnosticBag } from '../../../src/core/report/diagnostics';
import { acrossGroupCorrelation, acrossGroupUpper, compareUpperTriangles, compareUpperVectors, groupMeanMatrix, nestedGroupWeights, topicMeanMatrix, upperTriangleOf } from '../../../src/core/stats/group-structure';
import { meanOfDefined } from '../../../src/core/stats/descriptive';
import { percentile } from '../../../src/core/stats/resample';
import { Prng } from '../../../src/core/stats/prng';
import type { SurveyData } from '../../../src/core/read/dataset';
import { readJson, readNumericCsv, surveyData } from '../marginal/data';

// Reference: test/fixtures/group/generate.py (pandas/numpy on psychTools::bfi): "human" = aged
// under 30, "model" = aged 30 and over, groups = gender x education.
const ref = readJson<{ items: string[]; comparison: { pearson: number; rmse: number }; topicComparison: { pearson: number; rmse: number } }>('test/fixtures/group/group.json');
const csv = readNumericCsv('test/fixtures/data/bfi.csv');
const items = ref.items.map((id) => ({ id, codes: [1, 2, 3, 4, 5, 6] }));

function subset(data: SurveyData, keep: (r: number) => boolean): SurveyData {
  const rows = [...Array(data.n).keys()].filter(keep);
  const group = rows.map((r) => {
    const g = csv.get('gender')![r];
    const e = csv.get('education')![r];
    return Number.isNaN(g) || Number.isNaN(e) ? '' : `${g}-${e}`;
  });
  return {
    ...data,
    n: rows.length,
    columns: data.columns.map((c) => ({ ...c, item: { ...c.item, topic: c.item.id[0] }, values: Uint8Array.from(rows, (r) => c.values[r]) })),
    attributes: new Map([['group', group]]),
  };
}

const all = surveyData(csv, items);
const age = csv.get('age')!;
const human = subset(all, (r) => age[r] < 30);
const model = subset(all, (r) => age[r] >= 30);

function run(reference: SurveyData, runData: SurveyData, seed = 3) {
  const bag = new DiagnosticBag();
  const cols = items.map((_, j) => j);
  const g = evaluateGroupStructure({
    reference,
    run: respondentGroups(runData, cols, 'group'),
    referenceColumns: cols,
    items: reference.columns.map((c) => c.item),
    referenceGroupColumn: 'group',
    runGroupColumn: 'group',
    bootstrap: 50,
    permutations: 200,
    splits: 10,
    rng: new Prng(seed),
    ceilingSeed: seed + 1,
    bag,
    runPath: 'run.csv',
    referencePath: 'ref.csv',
  });
  return { g: g!, bag };
}

test('the observed group-level comparison equals the pandas reference (item and topic level)', () => {
  const { g } = run(human, model);
  // Closed form over 10 groups; see group-structure.test.ts for the tolerance.
  assert.ok(Math.abs(g.comparison.pearson! - ref.comparison.pearson) < 1e-12);
  assert.ok(Math.abs(g.comparison.rmse! - ref.comparison.rmse) < 1e-12);
  assert.ok(Math.abs(g.topics!.comparison.pearson! - ref.topicComparison.pearson) < 1e-12);
  assert.equal(g.groups.length, 10);
});

test('reference points behave: the null is centred near 0, the ceiling is high, the CI brackets the estimate', () => {
  const { g } = run(human, model);
  // 200 permutations of 25 items: the null rho has sd ~ 1/sqrt(300 pairs) ~ 0.06 at most; its
  // mean over 200 draws is within 4 * 0.06 / sqrt(200) ~ 0.02 of 0 for an exchangeable null,
  // 0.1 leaves room for the dependence between pairs.
  assert.ok(Math.abs(g.null.mean!) < 0.1, `null mean ${g.null.mean}`);
  assert.ok(g.null.low! < 0 && g.null.high! > 0);
  // Split halves hold half the respondents of each group, so with a small reference (here ~700
  // under-30s in 10 groups) the ceiling is noisy and can sit below a full-size comparison; it must
  // still be far above the null.
  assert.ok(g.ceiling.pearson! > g.null.high!, `ceiling ${g.ceiling.pearson} vs null ${g.null.high}`);
  assert.ok(g.comparison.pearsonCi!.low! <= g.comparison.pearson! + 0.05 && g.comparison.pearsonCi!.high! >= g.comparison.pearson! - 0.05);
  assert.ok(g.null.p! < 0.05, 'a real shared structure beats the null');
});

test('a run identical to the reference agrees perfectly; the same seed gives the same numbers', () => {
  const a = run(human, human).g;
  assert.ok(Math.abs(a.comparison.pearson! - 1) < 1e-12);
  assert.ok(Math.abs(a.comparison.rmse!) < 1e-12);
  const b = run(human, model, 9).g;
  const c = run(human, model, 9).g;
  assert.deepEqual(b, c);
});

test('too few shared groups or a missing group column give a diagnostic, not a crash', () => {
  const noGroups = { ...model, attributes: new Map() };
  const r1 = run(human, noGroups);
  assert.equal(r1.g, null);
  assert.ok(r1.bag.items.some((d) => d.code === 'group.column-missing'));
  const two = { ...model, attributes: new Map([['group', model.attributes.get('group')!.map((v) => (v.startsWith('1-1') || v.startsWith('2-1') ? v : ''))]]) };
  const r2 = run(human, two);
  assert.equal(r2.g, null);
  assert.ok(r2.bag.items.some((d) => d.code === 'group.too-few'));
});

test('a batch of up to 32 replicates within groups (one kernel pass per item) equals the replicates drawn and counted one at a time', () => {
  const side = respondentGroups(model, items.map((_, j) => j), 'group')!;
  const groups = side.groups;
  for (const count of [MAX_BATCH_LANES, 9, 3]) {
    const batch = side.resample(groups, new Prng(11), count)!;
    const single = new Prng(11);
    assert.equal(batch.length, count);
    for (let l = 0; l < count; l++) {
      const one = side.resample(groups, single, 1)![0];
      assert.deepStrictEqual(batch[l].groups.map((g) => Array.from(g)), one.groups.map((g) => Array.from(g)), `${count} a batch, replicate ${l}`);
      assert.deepStrictEqual(Array.from(batch[l].offsets), Array.from(one.offsets));
    }
  }
});

test('the bootstrap intervals are those of the replicates compared through the group mean matrix, bit for bit (item and topic level)', () => {
  const seed = 5;
  const { g } = run(human, model, seed);
  // The same stream replayed: the permutation null's draws (one permutation of the items each),
  // then the replicates in batches, each compared through the matrices.
  const rng = new Prng(seed);
  for (let k = 0; k < 200; k++) rng.permutation(items.length);
  const side = respondentGroups(model, items.map((_, j) => j), 'group')!;
  const codebook = human.columns.map((c) => c.item);
  const topicOf = new Map(codebook.map((i) => [i.id, i.topic]));
  const refUpper = upperTriangleOf(g.reference.correlation);
  const rho: number[] = [];
  const rmse: number[] = [];
  const topicRho: number[] = [];
  for (let b = 0; b < 50; b += MAX_BATCH_LANES) {
    for (const replicate of side.resample(g.groups, rng, Math.min(MAX_BATCH_LANES, 50 - b))!) {
      const a = groupMeanMatrix(g.groups, codebook, nestedGroupWeights(replicate));
      const c = compareUpperVectors(refUpper, acrossGroupUpper(a));
      if (c.pearson !== null) rho.push(c.pearson);
      if (c.rmse !== null) rmse.push(c.rmse);
      const t = topicMeanMatrix(a, (col) => topicOf.get(col));
      const tr = compareUpperTriangles(g.topics!.reference, acrossGroupCorrelation(t).values).pearson;
      if (tr !== null) topicRho.push(tr);
    }
  }
  const interval = (v: number[]) => {
    const tail = (100 * (1 - 0.95)) / 2;
    return { low: percentile(v, tail), high: percentile(v, 100 - tail), confidence: 0.95, method: 'percentile', replicates: v.length, bootstrapMean: meanOfDefined(v) };
  };
  assert.strictEqual(rho.length, 50);
  assert.deepStrictEqual(g.comparison.pearsonCi, interval(rho));
  assert.deepStrictEqual(g.comparison.rmseCi, interval(rmse));
  assert.deepStrictEqual(g.topics!.comparison.pearsonCi, interval(topicRho));
  // And a replay off by one draw does not match.
  const shifted = new Prng(seed);
  for (let k = 0; k < 201; k++) shifted.permutation(items.length);
  const other = side.resample(g.groups, shifted, 1)![0];
  assert.notStrictEqual(compareUpperVectors(refUpper, acrossGroupUpper(groupMeanMatrix(g.groups, codebook, nestedGroupWeights(other)))).pearson, rho[0]);
});
