// Golden reports: the JSON the command line writes for the demo with a fixed seed, compared with
// the committed one. A deliberate change of numbers or fields regenerates it:
//   npm run build && UPDATE_GOLDEN=1 node --test out/test/unit/cli/golden.test.js
// and the diff of test/fixtures/golden/*.json is then reviewed like code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

/** Absolute paths differ between machines; the report's own timestamp differs between runs. */
function normalise(report: Record<string, unknown>): unknown {
  const text = JSON.stringify({ ...report, createdAt: '<time>' }).split(JSON.stringify(ROOT).slice(1, -1)).join('<root>');
  return JSON.parse(text);
}

/**
 * Same numbers to 1e-9 relative: the engine is deterministic for a seed, but Math.exp/log may
 * differ in the last bits between Node versions; anything larger is a real change.
 */
function same(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${where}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: length`);
    expected.forEach((e, i) => same((actual as unknown[])[i], e, `${where}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${where}: object`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${where}: fields`);
    for (const k of Object.keys(expected)) same((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${where}.${k}`);
  } else assert.equal(actual, expected, where);
}

const cases = [
  { name: 'demo-report', args: ['--config', 'demo/representativeness.json', '--bootstrap', '20', '--permutations', '99', '--seed', '3', '--association', 'pearson,spearman,polychoric,cramer', '--items', 'Q1,Q6,Q46,Q57,Q164,Q182,Q184,Q240'] },
];

function evaluateCli(args: string[], env: NodeJS.ProcessEnv = process.env): unknown {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', ...args, '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  assert.equal(r.status, 0, r.stderr);
  return normalise(JSON.parse(r.stdout));
}

for (const c of cases) {
  test(`golden report: ${c.name}`, () => {
    const actual = evaluateCli(c.args);
    const file = path.join(ROOT, 'test/fixtures/golden', `${c.name}.json`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, JSON.stringify(actual, null, 1) + '\n');
    same(actual, JSON.parse(readFileSync(file, 'utf8')), c.name);
  });
}

test('the report does not depend on what overlaps what: every stage alone (REPLENS_STAGE_TIMES=alone) gives the same report exactly', () => {
  const c = cases[0];
  const overlapped = evaluateCli(c.args, { ...process.env, REPLENS_STAGE_TIMES: '' });
  const alone = evaluateCli(c.args, { ...process.env, REPLENS_STAGE_TIMES: 'alone' });
  // Exactly: the group level and the comparisons draw from their own streams, wherever they run.
  assert.deepEqual(alone, overlapped);
});
