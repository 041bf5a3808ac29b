// Headlines that cannot be flattered (the issue "Never flatter a run"): whole evaluations of
// generated surveys. A reference of 2,000 respondents in 4 countries (20 ordinal items from a
// two-factor latent model, one nominal item), no codebook (inferred, as a user without one gets);
// a clean run from a nearby population; the same run with 10 of its 20 items written as option
// labels (all invalid without a codebook); the same run with 35% refusals on every item; and the
// reference itself as a run. Each of these scored 0.94-1.00 before: invalid answers dropped out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import { DEFAULTS, type EvaluationConfig } from '../../../src/core/evaluate/config';
import { DEFAULT_THRESHOLDS, type EvaluationReport, type RunReport } from '../../../src/core/report/model';
import { Prng } from '../../../src/core/stats/prng';
import { assertCoherent } from './coherence';

const COUNTRIES = ['AAA', 'BBB', 'CCC', 'DDD'];
const ITEMS = Array.from({ length: 20 }, (_, j) => `Q${j + 1}`);
const LABELS = ['Very important', 'Rather important', 'Not very important', 'Not at all important'];

function normal(rng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** n respondents: two latent traits shifted by country, item j loading on trait j % 2; `tilt` moves the run's population. */
function respondents(n: number, seed: number, tilt: number): { country: string; answers: number[]; nominal: number }[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, (_, r) => {
    const g = r % COUNTRIES.length;
    const t = [normal(rng) + 0.6 * (g - 1.5) + tilt, normal(rng) - 0.4 * (g - 1.5)];
    const answers = ITEMS.map((_, j) => {
      const z = (0.8 - 0.02 * j) * t[j % 2] * (j % 3 === 0 ? -1 : 1) + 0.7 * normal(rng);
      const k = j % 4 === 3 ? 10 : 4;
      return Math.max(1, Math.min(k, Math.round((k + 1) / 2 + z * (k / 4))));
    });
    return { country: COUNTRIES[g], answers, nominal: 1 + ((g + Math.floor(3 * rng.nextFloat())) % 3) };
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'replens-honest-'));
function write(name: string, rows: { country: string; answers: (number | string)[]; nominal: number }[]): string {
  const file = path.join(dir, name);
  const cell = (v: number | string) => (typeof v === 'string' && /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  writeFileSync(file, ['country,' + ITEMS.join(',') + ',N1', ...rows.map((r) => [r.country, ...r.answers, r.nominal].map(cell).join(','))].join('\n') + '\n');
  return file;
}

const reference = write('reference.csv', respondents(2000, 1, 0));
const cleanRows = respondents(600, 2, 0.15);
const clean = write('clean.csv', cleanRows);
// Labels instead of codes on the first 10 items (4-point items take the importance labels, 10-point items "Agree"/"Disagree").
const labels = write('labels.csv', cleanRows.map((r) => ({ ...r, answers: r.answers.map((a, j) => (j < 10 ? (j % 4 === 3 ? (a > 5 ? 'Agree' : 'Disagree') : LABELS[a - 1]) : a)) })));
// 35% of every item's answers are refusals.
const refusalRng = new Prng(9);
const refusals = write('refusals.csv', cleanRows.map((r) => ({ ...r, answers: r.answers.map((a) => (refusalRng.nextFloat() < 0.35 ? 'As an AI, I cannot answer that.' : a)) })));

function config(runs: Record<string, string>, extra: Partial<EvaluationConfig> = {}): EvaluationConfig {
  return {
    configPath: null,
    reference: { path: reference },
    runs: Object.entries(runs).map(([name, p]) => ({ name, path: p, producedBy: [] })),
    groups: {},
    items: ITEMS,
    groupBy: { reference: 'country', run: 'country' },
    association: ['pearson'],
    thresholds: { ...DEFAULT_THRESHOLDS },
    bootstrap: 60,
    polychoricBootstrap: DEFAULTS.polychoricBootstrap,
    permutations: 49,
    seed: 4,
    dontKnow: 'missing',
    ...extra,
  };
}

let report: EvaluationReport | undefined;
async function scenario(): Promise<EvaluationReport> {
  report ??= await evaluate(config({ clean, labels, refusals }), { now: () => new Date(0) });
  return report;
}
const runOf = (r: EvaluationReport, name: string): RunReport => r.runs.find((x) => x.name === name)!;

test('labels without a codebook: 10 of 20 items all invalid score far below the clean run, not above it', async () => {
  const r = await scenario();
  const c = runOf(r, 'clean').marginal.summary;
  const l = runOf(r, 'labels').marginal.summary;
  assert.equal(runOf(r, 'labels').marginal.items.filter((i) => i.notValidShare === 1).length, 10);
  assert.ok(Math.abs(l.invalidShare! - 0.5) < 1e-12, String(l.invalidShare));
  // The valid-only number (the paper's, what the headline was) flatters the label run: kept, but not the headline.
  assert.ok(l.validOnly.representativeness.sample! > c.representativeness.sample! - 0.02);
  // Half its items at distance 1: the headline is about half the clean run's.
  assert.ok(l.representativeness.value! < c.representativeness.value! - 0.3, `${l.representativeness.value} vs ${c.representativeness.value}`);
  assert.ok(Math.abs(l.representativeness.sample! - (1 - (10 + 10 * (1 - l.validOnly.representativeness.sample!)) / 20)) < 1e-12);
  // Structure: only pairs of the 10 coded items are usable, 45 of 190.
  const ls = runOf(r, 'labels').structure.individual.pearson;
  const cs = runOf(r, 'clean').structure.individual.pearson;
  assert.ok(Math.abs(ls.usableShare! - 45 / 190) < 1e-12, String(ls.usableShare));
  assert.ok(ls.agreement.value! < cs.agreement.value! - 0.4, `${ls.agreement.value} vs ${cs.agreement.value}`);
  // And the hint says why and what to do.
  assert.match(runOf(r, 'labels').hints.join('\n'), /look like labels \("Very important"|look like labels \(.*"Rather important"/);
  assert.match(runOf(r, 'labels').hints.join('\n'), /add a codebook with labels/);
});

test('35% refusals on every item: the headline drops by about a third, the structure more; a hint names the refusals', async () => {
  const r = await scenario();
  const c = runOf(r, 'clean');
  const f = runOf(r, 'refusals');
  const share = f.marginal.summary.invalidShare!;
  assert.ok(share > 0.32 && share < 0.38, String(share));
  // (1 - s) d + s per item: representativeness about (1 - s) x the valid-only one.
  const expected = 1 - f.marginal.items.reduce((sum, i) => sum + (1 - i.notValidShare!) * i.w1Normalized! + i.notValidShare!, 0) / 20;
  assert.ok(Math.abs(f.marginal.summary.representativeness.sample! - expected) < 1e-12);
  assert.ok(f.marginal.summary.representativeness.value! < c.marginal.summary.representativeness.value! - 0.25);
  const u = f.structure.individual.pearson.usableShare!;
  assert.ok(u > 0.62 ** 2 && u < 0.68 ** 2, String(u));
  assert.ok(f.structure.individual.pearson.agreement.value! < 0.7 * c.structure.individual.pearson.agreement.value!);
  assert.ok(Math.abs(f.structure.individual.pearson.agreement.sample! - u * f.structure.individual.pearson.agreementValidOnly.sample!) < 1e-12);
  assert.match(f.hints.join('\n'), /Refusals \("As an AI, I cannot answer that\."\) on 20 items: at least \d+ answers \(3\d\.\d%; the reference leaves 0\.0% unanswered/);
  // The group level is attenuated the same way.
  const g = f.structure.group!;
  assert.ok(Math.abs(g.agreement.sample! - g.usableShare! * g.comparison.pearson!) < 1e-12);
});

test('every headline has its verdict, and every {value, ci} is coherent', async () => {
  const r = await scenario();
  for (const run of r.runs) {
    assert.ok(run.marginal.summary.representativeness.verdict);
    assert.ok(run.structure.individual.pearson.agreement.verdict);
    assert.ok(run.structure.group!.agreement.verdict);
  }
  assert.equal(runOf(r, 'labels').marginal.summary.representativeness.verdict!.code, 'below-floor');
  assertCoherent(r);
});

test('a run that is the reference itself gives a loud reference.same-as-run warning', async () => {
  const r = await evaluate(config({ itself: reference }, { bootstrap: 10, permutations: 9 }), { now: () => new Date(0) });
  const d = r.diagnostics.find((x) => x.code === 'reference.same-as-run');
  assert.ok(d, 'warning present');
  assert.equal(d!.severity, 'warning');
  assert.equal(d!.file, reference);
  assert.match(d!.message, /same answer distribution as the reference on every item/);
  // Not raised for a run of its own.
  const ok = await scenario();
  assert.ok(!ok.diagnostics.some((x) => x.code === 'reference.same-as-run'));
});

test('nominal items are left out of the group level unless the config names them', async () => {
  // A codebook saying N1 is nominal (its codes 1-3 are categories without an order).
  const codebook = path.join(dir, 'codebook.json');
  writeFileSync(codebook, JSON.stringify({ items: [...ITEMS.map((id, j) => ({ id, type: 'ordinal', codes: Array.from({ length: j % 4 === 3 ? 10 : 4 }, (_, k) => k + 1) })), { id: 'N1', type: 'nominal', codes: [1, 2, 3] }] }));
  const withCodebook = (extra: Partial<EvaluationConfig>) => config({ clean }, { items: undefined, reference: { path: reference, codebook }, bootstrap: 5, permutations: 9, ...extra });
  const r = await evaluate(withCodebook({}), { now: () => new Date(0) });
  const g = runOf(r, 'clean').structure.group!;
  assert.deepEqual(g.excludedNominal, ['N1']);
  assert.ok(!g.items.includes('N1'));
  assert.equal(g.items.length, 20);
  assert.ok(r.notes.some((n) => /Nominal items are left out of the group-level structure.*N1/.test(n)));
  const kept = await evaluate(withCodebook({ groupLevelNominal: ['N1'] }), { now: () => new Date(0) });
  const gk = kept.runs[0].structure.group!;
  assert.deepEqual(gk.excludedNominal, []);
  assert.ok(gk.items.includes('N1'));
  assert.deepEqual(kept.settings.groupLevelNominal, ['N1']);
});

test('empty answers at the reference\'s own rate cost nothing; beyond it they count', async () => {
  // A reference with 10% empty answers on every item (humans' "no answer"), runs with 10% and 40%.
  const blank = (rows: ReturnType<typeof respondents>, share: number, seed: number) => {
    const rng = new Prng(seed);
    return rows.map((r) => ({ ...r, answers: r.answers.map((a) => (rng.nextFloat() < share ? '' : a)) }));
  };
  const gappy = write('reference-gappy.csv', blank(respondents(2000, 1, 0), 0.1, 21));
  const human = write('run-10.csv', blank(cleanRows, 0.1, 22));
  const silent = write('run-40.csv', blank(cleanRows, 0.4, 23));
  const r = await evaluate({ ...config({ human, silent }, { bootstrap: 20, permutations: 9 }), reference: { path: gappy } }, { now: () => new Date(0) });
  const h = runOf(r, 'human').marginal.summary;
  const s = runOf(r, 'silent').marginal.summary;
  assert.ok(Math.abs(h.referenceInvalidShare! - 0.1) < 0.01, String(h.referenceInvalidShare));
  // At the humans' rate: within sampling noise of the valid-only number.
  assert.ok(Math.abs(h.representativeness.sample! - h.validOnly.representativeness.sample!) < 0.01, `${h.representativeness.sample} vs ${h.validOnly.representativeness.sample}`);
  // 30 points beyond it: about 30% of the distance budget at 1.
  assert.ok(s.representativeness.sample! < s.validOnly.representativeness.sample! - 0.25, `${s.representativeness.sample} vs ${s.validOnly.representativeness.sample}`);
  const hs = runOf(r, 'human').structure.individual.pearson;
  assert.ok(Math.abs(hs.agreement.sample! - hs.agreementValidOnly.sample!) < 0.03);
  assert.ok(runOf(r, 'silent').hints.some((x) => /empty or a missing code, against 10\.\d% in the reference/.test(x)));
  assert.ok(!runOf(r, 'human').hints.some((x) => /empty or a missing code/.test(x)));
});
