// A distribution-level run (one row per group x item x option with a count, as OpinionQA-style
// pipelines write them) carries exactly the per-group answer counts of a respondent-level run, so
// its marginals and group-level structure must equal those of the respondent-level run, number
// for number; individual-level structure must be reported as unavailable, not faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EvaluationReport } from '../../../src/core/report/model';

const ROOT = path.resolve(__dirname, '../../../..');

function evaluate(config: object, dir: string, name: string): EvaluationReport {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', '--config', file, '--quiet'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as EvaluationReport;
}

test('a distribution run with the counts of a respondent run gives the same marginals and group structure', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-dist-'));
  const lines = readFileSync(path.join(ROOT, 'demo/runs/persona.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const counts = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const group = cells[1];
    for (let j = 2; j < cells.length; j++) {
      const key = `${group},${header[j]},${cells[j]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const dist = path.join(dir, 'persona-distribution.csv');
  writeFileSync(dist, 'persona_country,question,option,count\n' + [...counts].map(([k, n]) => `${k},${n}`).join('\n') + '\n');

  const base = {
    reference: { path: path.join(ROOT, 'demo/reference.csv'), codebook: path.join(ROOT, 'demo/codebook.json'), weight: 'W_WEIGHT' },
    groupBy: { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' },
    association: ['pearson'],
    bootstrap: 10,
    permutations: 49,
    seed: 5,
  };
  const resp = evaluate({ ...base, runs: [{ name: 'p', path: path.join(ROOT, 'demo/runs/persona.csv') }] }, dir, 'resp').runs[0];
  const dr = evaluate({ ...base, runs: [{ name: 'p', path: dist }] }, dir, 'dist').runs[0];

  assert.equal(dr.level, 'distribution');
  assert.equal(dr.respondents, 1200);
  assert.deepEqual(dr.structure.individual, {});
  assert.match(dr.structure.individualUnavailable!, /distributions, not respondents/);
  // Same counts -> the same closed-form numbers (1e-12: only summation order may differ).
  const close = (a: number | null, b: number | null, what: string) => assert.ok(a === b || Math.abs(a! - b!) < 1e-12, `${what}: ${a} vs ${b}`);
  // The sample estimates (the bias-corrected headlines depend on how each is resampled).
  close(dr.marginal.summary.representativeness.sample!, resp.marginal.summary.representativeness.sample!, 'representativeness');
  close(dr.marginal.summary.meanTvd.sample!, resp.marginal.summary.meanTvd.sample!, 'mean TVD');
  close(dr.marginal.summary.invalidShare, resp.marginal.summary.invalidShare, 'invalid share');
  dr.marginal.items.forEach((it, k) => {
    const r = resp.marginal.items[k];
    assert.equal(it.item, r.item);
    close(it.w1Normalized, r.w1Normalized, `${it.item} W1`);
    close(it.jsDivergence, r.jsDivergence, `${it.item} JSD`);
  });
  const g = dr.structure.group!;
  const h = resp.structure.group!;
  assert.deepEqual(g.groups, h.groups);
  close(g.comparison.pearson, h.comparison.pearson, 'group rho');
  close(g.comparison.rmse, h.comparison.rmse, 'group RMSE');
  close(g.topics!.comparison.pearson, h.topics!.comparison.pearson, 'topic rho');
  assert.deepEqual(g.groupSizes.run, h.groupSizes.run);
  // Counts allow resampling: intervals exist (multinomial within group x item).
  assert.ok(dr.marginal.summary.representativeness.ci && g.comparison.pearsonCi);
});
