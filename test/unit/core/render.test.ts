import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { escapeHtml, jsonForHtml, reportToCsv, reportToHtml, reportToJson } from '../../../src/core/render';
import type { EvaluationReport } from '../../../src/core/report';

const xss = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

function tinyReport(): EvaluationReport {
  return {
    schemaVersion: 1,
    tool: { name: 'representativeness-lens', version: '0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    settings: { seed: 1, bootstrap: 0, polychoricBootstrap: 0, permutations: 0, association: [], thresholds: { w1Normalized: 0.1, tvd: 0.2, invalid: 0.05, pairDifference: 0.2, fdr: 0.05 }, weight: null },
    reference: { path: 'r.csv', respondents: 10, items: ['Q1'], weighted: false },
    runs: [
      {
        name: 'run, "one"',
        path: 'p.csv',
        producedBy: [],
        respondents: 5,
        level: 'respondents',
        items: ['Q1'],
        marginal: {
          items: [
            {
              item: 'Q1', label: xss, type: 'ordinal', codes: [1, 2], n: 5, referenceN: 10, w1Normalized: NaN, tvd: 0.25, jsDistance: null, jsDivergence: null, kl: null, klSmoothing: 0, meanDiff: null, varianceRatio: Infinity,
              referenceModalShare: null, runModalShare: null, invalid: 0, invalidCount: 0, referenceDistribution: [0.5, 0.5], runDistribution: [0.25, 0.75], weak: true, reasons: ['TVD 0.250 > 0.2'],
            },
          ],
          summary: {
            meanW1Normalized: { value: null, ci: null },
            representativeness: { value: null, ci: null },
            meanTvd: { value: 0.25, ci: null },
            meanJsDistance: { value: null, ci: null },
          },
        },
        structure: { individual: {}, group: null },
        baselines: [],
        groups: [],
        weakItems: [],
        weakPairs: [],
        itemLocations: {},
      },
    ],
    diagnostics: [],
    notes: [],
  };
}

test('JSON reports never carry NaN or Infinity: undefined numbers are null', () => {
  const parsed = JSON.parse(reportToJson(tinyReport()));
  assert.equal(parsed.runs[0].marginal.items[0].w1Normalized, null);
  assert.equal(parsed.runs[0].marginal.items[0].varianceRatio, null);
  assert.equal(parsed.runs[0].marginal.items[0].tvd, 0.25);
  const odd = { a: NaN, b: [Infinity, -Infinity, 1, null], c: { d: -0, e: 0.1 + 0.2 } } as unknown as EvaluationReport;
  assert.equal(reportToJson(odd), JSON.stringify(odd, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  assert.deepEqual(JSON.parse(reportToJson(odd)), { a: null, b: [null, null, 1, null], c: { d: 0, e: 0.30000000000000004 } });
});

test('the HTML report cannot be broken out of by a data string', () => {
  const html = reportToHtml(tinyReport(), { webviewJs: 'var s = "</script>";', css: 'a{}' });
  // Exactly the two script elements the template writes: the data block and the renderer.
  assert.equal((html.match(/<script/gi) ?? []).length, 2);
  assert.equal((html.match(/<\/script>/gi) ?? []).length, 2);
  assert.ok(!html.includes('<img'));
  // The embedded data still round-trips to the same label.
  const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
  assert.equal(JSON.parse(data).runs[0].marginal.items[0].label, xss);
  assert.equal(escapeHtml(xss).includes('<'), false);
  assert.ok(!jsonForHtml({ a: xss }).includes('<'));
});

test('CSV fields with commas and quotes are quoted', () => {
  const csv = reportToCsv(tinyReport());
  const row = csv.split('\n')[1];
  assert.ok(row.startsWith('"run, ""one""",item,,Q1,'));
});

test('the JSON report in pieces joins to reportToJson exactly (the demo report and random values)', async () => {
  const { reportJsonChunks } = await import('../../../src/core/render');
  const fc = (await import('fast-check')).default;
  const same = (value: unknown, label: string) => assert.equal([...reportJsonChunks(value as EvaluationReport)].join(''), JSON.stringify(value, null, 2) + '\n', label);
  same(tinyReport(), 'tiny report');
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8'));
  same(golden, 'golden demo report');
  // Deep nesting past the depth at which objects are written whole, arrays of objects and of
  // primitives, empty ones, holes, undefined, functions, NaN, -0, dates, typed arrays, null prototypes.
  const odd = { a: [1, { b: undefined, c: () => 1, d: [NaN, -0, Infinity] }, undefined, [], {}], e: new Float64Array([1.5, 2]), f: new Date(0), g: Object.assign(Object.create(null), { h: [[{ i: [{ j: { k: { l: 'm\n"\u2028😀' } } }] }]] }) };
  same(odd, 'odd values');
  const sparse: unknown[] = [1, { a: 1 }];
  sparse[5] = { b: 2 };
  same({ sparse }, 'sparse array');
  fc.assert(
    fc.property(fc.object({ depthSize: 'medium', values: [fc.anything({ withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withTypedArray: true, withDate: true, withObjectString: true })] }), (v) => {
      same(v, 'random');
    }),
    { numRuns: 300, seed: 7 },
  );
});
