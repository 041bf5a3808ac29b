import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { escapeHtml, jsonForHtml, reportToCsv, reportToHtml, reportToJson } from '../../../src/core/report/render';
import type { EvaluationReport } from '../../../src/core/report/model';

const xss = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

function tinyReport(): EvaluationReport {
  return {
    schemaVersion: 3,
    tool: { name: 'representativeness-lens', version: '0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    settings: { seed: 1, bootstrap: 0, polychoricBootstrap: 0, permutations: 0, association: [], thresholds: { w1Normalized: 0.1, tvd: 0.2, invalid: 0.05, pairDifference: 0.2, fdr: 0.05 }, weight: null, groupLevelNominal: [] },
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
              referenceModalShare: null, runModalShare: null, invalid: 0, invalidCount: 0, notValidShare: 0, referenceNotValidShare: 0, referenceDistribution: [0.5, 0.5], runDistribution: [0.25, 0.75], weak: true, reasons: ['TVD 0.250 > 0.2'],
            },
          ],
          summary: {
            meanW1Normalized: { value: null, ci: null },
            representativeness: { value: null, ci: null },
            meanTvd: { value: 0.25, ci: null },
            meanJsDistance: { value: null, ci: null },
            invalidShare: 0,
            referenceInvalidShare: 0,
            validOnly: { meanW1Normalized: { value: null, ci: null }, representativeness: { value: null, ci: null }, meanTvd: { value: 0.25, ci: null }, meanJsDistance: { value: null, ci: null } },
          },
        },
        structure: { individual: {}, group: null },
        baselines: [],
        groups: [],
        weakItems: [],
        weakPairs: [],
        hints: [],
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
  assert.equal(withoutWhitespace(reportToJson(odd)), JSON.stringify(odd, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
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
  const row = csv.split('\n').slice(1).find((l) => l.includes(',item,'))!;
  assert.ok(row.startsWith('"run, ""one""",item,,,Q1,'), row);
});

test('CSV headline rows carry each headline with its interval, the paper\'s numbers and the verdict, in full precision', () => {
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
  const [head, ...lines] = reportToCsv(golden).trimEnd().split('\n');
  const cols = head.split(',');
  // No field of a headline row is quoted (no commas in run names or codes here).
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k], v]))).filter((r) => r.kind === 'headline');
  const num = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
  for (const run of golden.runs) {
    const m = run.marginal.summary;
    const r = rows.find((x) => x.run === run.name && x.measure === 'representativeness')!;
    assert.equal(r.value, num(m.representativeness.value));
    assert.equal(r.ciLow, num(m.representativeness.ci?.low));
    assert.equal(r.sample, num(m.representativeness.sample));
    assert.equal(r.percentileHigh, num(m.representativeness.percentile?.high));
    assert.equal(r.verdict, m.representativeness.verdict?.code ?? '');
    assert.equal(r.floor, num(m.representativeness.verdict?.floor?.value));
    assert.equal(r.notValidShare, num(m.invalidShare));
    for (const [method, s] of Object.entries(run.structure.individual)) {
      const sr = rows.find((x) => x.run === run.name && x.measure === 'structure' && x.method === method)!;
      assert.equal(sr.value, num(s.agreement.value));
      assert.equal(sr.ciHigh, num(s.agreement.ci?.high));
      assert.equal(sr.ceiling, num(s.agreement.verdict?.ceiling?.value));
    }
    if (run.structure.group) assert.equal(rows.find((x) => x.run === run.name && x.measure === 'group')!.value, num(run.structure.group.agreement.value));
  }
  assert.equal(rows.length, golden.runs.reduce((n, r) => n + 1 + Object.keys(r.structure.individual).length + (r.structure.group ? 1 : 0), 0));
});

/** JSON text without the whitespace between its tokens (strings kept as they are). */
function withoutWhitespace(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\n') out += c;
  }
  return out;
}

/** The layout the report's JSON promises, written out plainly: containers of containers one member a line, others on one line. */
function layout(v: unknown, indent: string): string {
  const proto = v !== null && typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  const walked = Array.isArray(v) || ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function');
  if (!walked) return JSON.stringify(v) ?? 'null';
  const skipped = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
  const entries: [string | null, unknown][] = Array.isArray(v) ? Array.from(v, (x) => [null, x]) : Object.entries(v as object).filter(([, x]) => !skipped(x));
  if (!entries.some(([, x]) => x !== null && typeof x === 'object')) return JSON.stringify(v);
  const inner = indent + '  ';
  const lines = entries.map(([k, x]) => inner + (k === null ? '' : JSON.stringify(k) + ': ') + (x !== null && typeof x === 'object' ? layout(x, inner) : skipped(x) ? 'null' : JSON.stringify(x)));
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

test('the JSON report is JSON.stringify\'s text with rows on one line and the rest one member a line; its pieces join to reportToJson', async () => {
  const { reportJsonChunks } = await import('../../../src/core/report/render');
  const fc = (await import('fast-check')).default;
  const same = (value: unknown, label: string) => {
    const text = [...reportJsonChunks(value as EvaluationReport)].join('');
    assert.equal(text, reportToJson(value as EvaluationReport), `${label}: pieces`);
    assert.equal(withoutWhitespace(text), JSON.stringify(value), `${label}: the data`);
    assert.equal(text, layout(value, '') + '\n', `${label}: the layout`);
  };
  same(tinyReport(), 'tiny report');
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8'));
  same(golden, 'golden demo report');
  // Deep nesting, arrays of objects and of primitives, empty ones, holes, undefined, functions,
  // NaN, -0, dates, typed arrays, boxed strings, null prototypes, strings with quotes, line breaks and
  // spaces.
  const odd = { a: [1, { b: undefined, c: () => 1, d: [NaN, -0, Infinity] }, undefined, [], {}], e: new Float64Array([1.5, 2]), f: new Date(0), s: Object('x y'), g: Object.assign(Object.create(null), { h: [[{ i: [{ j: { k: { l: 'm\n"\u2028 😀 ' } } }] }]] }) };
  same(odd, 'odd values');
  const sparse: unknown[] = [1, { a: 1 }];
  sparse[5] = { b: 2 };
  same({ sparse }, 'sparse array');
  const matrix: unknown[] = Array.from({ length: 60 }, (_, i) => [i, i / 3, null, NaN]);
  delete matrix[17];
  matrix[30] = undefined;
  same({ matrix, pairs: Array.from({ length: 50 }, (_, i) => ({ i, s: i % 3 ? 'q"' : undefined })) }, 'matrix rows and pairs\' rows');
  assert.equal(reportToJson({ m: [[1, 2], [3, 4]] } as unknown as EvaluationReport), '{\n  "m": [\n    [1,2],\n    [3,4]\n  ]\n}\n');
  fc.assert(
    fc.property(fc.object({ depthSize: 'medium', values: [fc.anything({ withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withTypedArray: true, withDate: true, withObjectString: true })] }), (v) => {
      same(v, 'random');
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('the Markdown report writes q-values as the panel does: "< 0.001", never "0.0000"', async () => {
  const { renderReport } = await import('../../../src/core/report/render');
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
  const md = renderReport(golden, 'md', {});
  const qCells = md.split('\n').filter((l) => / × .* \|$/.test(l)).map((l) => l.split('|').at(-2)!.trim());
  assert.ok(qCells.length >= 20, `weak pair rows: ${qCells.length}`);
  assert.ok(qCells.includes('< 0.001'), 'tiny q-values');
  for (const q of qCells) assert.match(q, /^(< 0\.001|\d\.\d{2,}|\d\.\d+e-\d+|n\/a)$/, q);
  assert.ok(!md.includes('| 0.0000 |'));
});

test('the Markdown report never writes an estimate beside an interval that does not contain it', async () => {
  const { renderReport } = await import('../../../src/core/report/render');
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
  const md = renderReport(golden, 'md', {});
  const found = [...md.matchAll(/(-?\d\.\d{3}) \[(-?\d\.\d{3}), (-?\d\.\d{3})\]/g)];
  assert.ok(found.length > 30, `${found.length} estimates with intervals`);
  for (const m of found) assert.ok(Number(m[2]) <= Number(m[1]) && Number(m[1]) <= Number(m[3]), m[0]);
  // The subgroups' rows are their headlines.
  const g = golden.runs[0].groups[0];
  const r = g.headline.representativeness;
  assert.ok(md.includes(`| ${g.name} | ${g.referenceRespondents} / ${g.runRespondents} | `) && md.includes(`${r.value!.toFixed(3)} [${r.ci!.low!.toFixed(3)}, ${r.ci!.high!.toFixed(3)}]`));
});
