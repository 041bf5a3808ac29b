// Subgroup scores (config "groups") through the command line: a subgroup is the evaluation of
// the rows its filters select, so its numbers must equal a whole evaluation of files holding just
// those rows; its intervals come from its own seeded stream, so other groups do not move them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EvaluationReport } from '../../../src/core/report/model';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'out', 'cli.js');
const DEMO = path.join(ROOT, 'demo');

function evaluateConfig(dir: string, name: string, config: object): EvaluationReport {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, [CLI, 'evaluate', '--config', file, '--quiet'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as EvaluationReport;
}

/** The header and the rows of a plain (unquoted) demo CSV whose column `column` equals `value`. */
function filterCsv(file: string, column: string, value: string): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const at = lines[0].split(',').indexOf(column);
  assert.ok(at >= 0, `${column} in ${file}`);
  return [lines[0], ...lines.slice(1).filter((l) => l.split(',')[at] === value)].join('\n') + '\n';
}

const common = {
  codebook: path.join(DEMO, 'codebook.json'),
  association: ['pearson', 'spearman'],
  bootstrap: 60,
  permutations: 99,
  seed: 7,
};

function config(reference: string, run: string, groups: Record<string, unknown>) {
  return {
    reference: { path: reference, codebook: common.codebook, weight: 'W_WEIGHT' },
    runs: [{ name: 'persona', path: run }],
    groups,
    association: common.association,
    bootstrap: common.bootstrap,
    permutations: common.permutations,
    seed: common.seed,
  };
}

const germany = { reference: 'B_COUNTRY_ALPHA = DEU', run: 'persona_country = DEU' };
const nigeria = { reference: 'B_COUNTRY_ALPHA = NGA', run: 'persona_country = NGA' };

test('subgroup scores equal an evaluation of the subgroup rows alone, with intervals from their own stream', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-groups-'));
  const refDeu = path.join(dir, 'reference-deu.csv');
  const runDeu = path.join(dir, 'persona-deu.csv');
  writeFileSync(refDeu, filterCsv(path.join(DEMO, 'reference.csv'), 'B_COUNTRY_ALPHA', 'DEU'));
  writeFileSync(runDeu, filterCsv(path.join(DEMO, 'runs', 'persona.csv'), 'persona_country', 'DEU'));

  const both = evaluateConfig(dir, 'both.json', config(path.join(DEMO, 'reference.csv'), path.join(DEMO, 'runs', 'persona.csv'), { Germany: germany, Nigeria: nigeria }));
  const alone = evaluateConfig(dir, 'alone.json', config(path.join(DEMO, 'reference.csv'), path.join(DEMO, 'runs', 'persona.csv'), { Germany: germany }));
  const whole = evaluateConfig(dir, 'deu.json', config(refDeu, runDeu, {}));

  const g = both.runs[0].groups.find((x) => x.name === 'Germany')!;
  const w = whole.runs[0];
  assert.equal(g.referenceRespondents, whole.reference.respondents);
  assert.equal(g.runRespondents, w.respondents);

  // Point estimates: the same tables, so the same numbers up to summation order (1e-12: sums of
  // a few thousand weights in a different order differ in the last bits only).
  const close = (a: number | null, b: number | null, where: string) => {
    assert.ok(a !== null && b !== null, `${where}: ${a} vs ${b}`);
    assert.ok(Math.abs(a - b) <= 1e-12, `${where}: ${a} vs ${b}`);
  };
  // The subgroup's `marginal` holds the valid-answers-only sample values; its `headline` the headline's.
  close(g.marginal.representativeness, w.marginal.summary.validOnly.representativeness.sample!, 'representativeness');
  close(g.marginal.meanTvd, w.marginal.summary.validOnly.meanTvd.sample!, 'mean TVD');
  close(g.marginal.meanJsDistance, w.marginal.summary.validOnly.meanJsDistance.sample!, 'mean JS distance');
  close(g.headline.representativeness.sample!, w.marginal.summary.representativeness.sample!, 'headline representativeness');
  close(g.headline.invalidShare, w.marginal.summary.invalidShare, 'invalid share');
  assert.deepEqual(g.items.map((x) => x.item), w.items);
  for (const [k, it] of g.items.entries()) {
    const m = w.marginal.items[k];
    assert.equal(it.n, m.n);
    assert.equal(it.referenceN, m.referenceN);
    it.runDistribution.forEach((p, c) => close(p, m.runDistribution[c], `${it.item} run share ${c}`));
    it.referenceDistribution.forEach((p, c) => close(p, m.referenceDistribution[c], `${it.item} reference share ${c}`));
    if (m.w1Normalized !== null) close(it.w1Normalized, m.w1Normalized, `${it.item} W1`);
  }
  for (const method of common.association) {
    close(g.structure[method].pearson, w.structure.individual[method].comparison.pearson, `${method} agreement`);
    const gm = g.matrices[method];
    const wm = w.structure.individual[method];
    for (let i = 0; i < wm.items.length; i++) {
      for (let j = 0; j < wm.items.length; j++) {
        if (wm.reference[i][j] === null) assert.equal(gm.reference[i][j], null);
        else close(gm.reference[i][j], wm.reference[i][j], `${method} reference ${i},${j}`);
        if (wm.run[i][j] === null) assert.equal(gm.run[i][j], null);
        else close(gm.run[i][j], wm.run[i][j], `${method} run ${i},${j}`);
      }
    }
  }

  // Intervals: percentile intervals of the requested replicates that bracket a sensible range.
  for (const ci of [g.intervals.representativeness, g.intervals.meanTvd, g.intervals.structure.pearson, g.intervals.structure.spearman]) {
    assert.ok(ci && ci.low !== null && ci.high !== null);
    assert.ok(ci.low < ci.high, `${ci.low} < ${ci.high}`);
    assert.equal(ci.method, 'percentile');
  }
  assert.equal(g.intervals.representativeness!.replicates, common.bootstrap);
  // The estimate of a marginal distance lies near its interval (resampling raises distances, so
  // the bootstrap mean is above the estimate; within the interval's width of it).
  const tvdCi = g.intervals.meanTvd!;
  assert.ok(g.marginal.meanTvd! > tvdCi.low! - (tvdCi.high! - tvdCi.low!) && g.marginal.meanTvd! < tvdCi.high!);

  // Independent streams: Germany's intervals are the same whether or not Nigeria is scored.
  const ga = alone.runs[0].groups.find((x) => x.name === 'Germany')!;
  assert.deepEqual(ga.intervals, g.intervals);
  // And a different seed gives different draws.
  const reseeded = evaluateConfig(dir, 'seed.json', { ...config(path.join(DEMO, 'reference.csv'), path.join(DEMO, 'runs', 'persona.csv'), { Germany: germany }), seed: 8 });
  assert.notDeepEqual(reseeded.runs[0].groups[0].intervals.representativeness, g.intervals.representativeness);
});

test('a subgroup with too few respondents is reported as not scored, not dropped silently', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-groups-'));
  const r = evaluateConfig(dir, 'empty.json', config(path.join(DEMO, 'reference.csv'), path.join(DEMO, 'runs', 'persona.csv'), { Nowhere: { reference: 'B_COUNTRY_ALPHA = XXX', run: 'persona_country = XXX' } }));
  assert.equal(r.runs[0].groups.length, 0);
  const d = r.diagnostics.find((x) => x.code === 'group.too-small');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /Nowhere has 0 reference and 0 run respondents/);
});
