// The reference cache the extension's worker keeps between evaluations: a warm cache must give
// the very report a cold evaluation gives (every random part has its own seeded stream, so
// skipping a cached part moves no other number), and any change to the reference file drops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReferenceCache, streamSeed, nameHash } from '../../../src/core/evaluate/cache';
import { parseConfig } from '../../../src/core/evaluate/config';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import { reportToJson } from '../../../src/core/report/render';

const ROOT = path.resolve(__dirname, '../../../..');
const DEMO = path.join(ROOT, 'demo');
const now = () => new Date('2026-01-01T00:00:00Z');

/** The demo workspace's config with its reference copied to `dir` (so the test can rewrite it). */
function demoConfig(dir: string, runs = ['persona', 'base']) {
  const reference = path.join(dir, 'reference.csv');
  copyFileSync(path.join(DEMO, 'reference.csv'), reference);
  const text = JSON.stringify({
    reference: { path: reference, codebook: path.join(DEMO, 'codebook.json'), weight: 'W_WEIGHT' },
    runs: runs.map((name) => ({ name, path: path.join(DEMO, 'runs', `${name}.csv`) })),
    groupBy: { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' },
    groups: { Germany: { reference: 'B_COUNTRY_ALPHA = DEU', run: 'persona_country = DEU' } },
    association: ['pearson', 'spearman'],
    bootstrap: 30,
    permutations: 99,
    seed: 11,
  });
  const loaded = parseConfig(text, path.join(dir, 'representativeness.json'));
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return loaded.config;
}

test('a warm reference cache gives the same report as a cold evaluation, and skips the reference work', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-cache-'));
  const config = demoConfig(dir);
  const cold = await evaluate(config, { now });
  const cache = new ReferenceCache();
  const first = await evaluate(config, { now, cache });
  assert.deepEqual(first, cold, 'a cache being filled changes nothing');
  const filled = cache.misses;
  assert.ok(filled > 0 && cache.size === filled, `parts cached: ${cache.size}`);
  const second = await evaluate(config, { now, cache });
  assert.deepEqual(second, cold, 'a warm cache changes nothing');
  assert.equal(cache.misses, filled, 'nothing is recomputed when the reference is unchanged');
  assert.ok(cache.hits >= filled, `hits ${cache.hits}`);

  // Another seed: the cached read and tables serve it, the seeded parts (baselines, ceilings) do not.
  const reseeded = { ...config, seed: config.seed + 1 };
  assert.deepEqual(await evaluate(reseeded, { now, cache }), await evaluate(reseeded, { now }));

  // A run alone gives the numbers it had beside other runs (its own streams).
  const alone = await evaluate(demoConfig(dir, ['base']), { now, cache });
  assert.deepEqual(alone.runs[0], cold.runs[1]);
});

test('rewriting or touching the reference drops the cache', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-cache-'));
  const config = demoConfig(dir, ['persona']);
  const cache = new ReferenceCache();
  const before = await evaluate(config, { now, cache });
  const filled = cache.misses;

  // Same bytes, new modification time: read again (the cache cannot know the bytes are the same).
  const later = new Date(Date.now() + 5000);
  utimesSync(config.reference.path, later, later);
  const touched = await evaluate(config, { now, cache });
  assert.equal(cache.misses, 2 * filled, 'every part recomputed after a touch');
  assert.deepEqual(touched, before);

  // Different content: the report follows the file, not the cache.
  const lines = readFileSync(config.reference.path, 'utf8').trimEnd().split('\n');
  writeFileSync(config.reference.path, lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n');
  const halved = await evaluate(config, { now, cache });
  assert.equal(halved.reference.respondents, Math.floor(lines.length / 2) - 1);
  assert.notEqual(halved.reference.respondents, before.reference.respondents);
  const cold = await evaluate(config, { now });
  assert.deepEqual(halved, cold);
});

test('random streams are fixed functions of the seed and their coordinates', () => {
  // Independent of call order and of other streams; different coordinates give different seeds.
  const a = streamSeed(1, 1, nameHash('persona'));
  assert.equal(a, streamSeed(1, 1, nameHash('persona')));
  const seen = new Set<number>();
  for (let seed = 0; seed < 50; seed++) for (let s = 1; s <= 6; s++) for (const n of ['persona', 'base', 'finetuned']) seen.add(streamSeed(seed, s, nameHash(n)));
  assert.equal(seen.size, 50 * 6 * 3, 'no two coordinates share a stream');
  assert.notEqual(nameHash('ab'), nameHash('ba'));
});

test('a value computed in slices is cached like any other: computed once, then returned without slices', () => {
  const cache = new ReferenceCache();
  cache.bind('reference');
  let computed = 0;
  function* make(): Generator<void, number, void> {
    computed++;
    yield;
    yield;
    return 42;
  }
  const run = (): { value: number; slices: number } => {
    const steps = cache.getSteps('part', make);
    let slices = 0;
    let step = steps.next();
    while (!step.done) {
      slices++;
      step = steps.next();
    }
    return { value: step.value, slices };
  };
  assert.deepEqual(run(), { value: 42, slices: 2 });
  assert.deepEqual(run(), { value: 42, slices: 0 });
  assert.equal(computed, 1);
  assert.equal(cache.hits, 1);
  assert.equal(cache.misses, 1);
  // A different reference drops it.
  cache.bind('another reference');
  assert.deepEqual(run(), { value: 42, slices: 2 });
  assert.equal(computed, 2);
});

test('a run rewritten and re-evaluated against the warm cache gives the bytes of a fresh evaluation; a new size or item set misses the cache', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-cache-'));
  const run = path.join(dir, 'run.csv');
  copyFileSync(path.join(DEMO, 'runs', 'persona.csv'), run);
  const base = demoConfig(dir, ['persona']);
  const config = { ...base, runs: [{ ...base.runs[0], path: run }] };
  const cache = new ReferenceCache();
  const bytes = async (c: typeof config, withCache: boolean) => reportToJson(await evaluate(c, withCache ? { now, cache } : { now }));
  assert.equal(await bytes(config, true), await bytes(config, false));

  // Other answers, same respondents count and items: every reference part (baselines at the run's
  // size, ceilings, group-level reference side, matrices, orders) comes from the cache.
  copyFileSync(path.join(DEMO, 'runs', 'base.csv'), run);
  let misses = cache.misses;
  assert.equal(await bytes(config, true), await bytes(config, false));
  assert.equal(cache.misses, misses, 'nothing of the reference recomputed for new answers');

  // Fewer respondents: the baselines of the new size are computed, not taken from the old size's.
  const lines = readFileSync(run, 'utf8').trimEnd().split('\n');
  writeFileSync(run, lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n');
  misses = cache.misses;
  assert.equal(await bytes(config, true), await bytes(config, false));
  assert.equal(cache.misses, misses + 2, 'independent-marginals and uniform-random at the new size');

  // Fewer items: every part keyed by the items is computed anew.
  const items = [...readFileSync(path.join(DEMO, 'codebook.json'), 'utf8').matchAll(/"id"\s*:\s*"([^"]+)"/g)].map((m) => m[1]).slice(0, 12);
  assert.ok(items.length === 12);
  const fewer = { ...config, items };
  misses = cache.misses;
  assert.equal(await bytes(fewer, true), await bytes(fewer, false));
  assert.ok(cache.misses > misses + 2, `misses ${cache.misses - misses}`);
});
