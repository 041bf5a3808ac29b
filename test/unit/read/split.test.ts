import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readSurvey, type ReadOptions, type ReadResult } from '../../../src/core/read/index';
import { readPart, splitCounts } from '../../../src/core/read/split';
import type { PartJob } from '../../../src/core/read/part';
import { readPartOnWorker } from '../../../src/core/parallel';
import { byCode, tempWriter } from './stream-helpers';

// Reading a large CSV on two threads (src/core/read/split.ts): the result, diagnostics and their
// locations included, equals the one-thread read, whatever the file holds at or after the split.

const write = tempWriter('replens-split-');
const workerScript = path.join(path.resolve(__dirname, '../../../..'), 'out', 'sufficient-worker.js');

/** A deterministic file of `rows` respondents: items Q1-Q4 (1-5, -1 missing, empty), a weight, a country, a quoted note. */
function survey(rows: number, opts: { eol?: string; bom?: boolean; row?: (r: number) => string | null } = {}): string {
  const eol = opts.eol ?? '\n';
  const lines = ['id,Q1,Q2,W,country,Q3,note,Q4'];
  let x = 12345;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 1000;
  const code = () => {
    const v = next();
    return v < 40 ? '-1' : v < 60 ? '' : String(1 + (v % 5));
  };
  for (let r = 0; r < rows; r++) {
    const special = opts.row?.(r) ?? null;
    if (special !== null) {
      lines.push(special);
      continue;
    }
    const note = r % 7 === 0 ? `"said ""hi"",${eol}then left"` : r % 5 === 0 ? '"a, b"' : 'plain';
    const country = ['DEU', 'FRA', '"U,S"', 'JPN'][next() % 4];
    lines.push([r, code(), code(), (0.5 + next() / 700).toFixed(4), country, code(), note, code()].join(','));
  }
  return (opts.bom ? '\ufeff' : '') + lines.join(eol) + eol;
}

const OPTIONS: ReadOptions = { items: ['Q1', 'Q2', 'Q3', 'Q4'], weight: 'W', attributes: ['country'] };

/** Reads `file` on one thread and split (the part read by `parts`), asserts the same result, returns it. */
async function bothWays(file: string, options: ReadOptions = OPTIONS, parts: (job: PartJob) => Promise<ReturnType<typeof readPart> extends Promise<infer T> ? T : never> | null = readPart): Promise<{ one: ReadResult; absorbed: boolean; jobs: PartJob[] }> {
  const one = await readSurvey(file, options);
  const before = splitCounts.absorbed;
  const jobs: PartJob[] = [];
  const split = await readSurvey(file, { ...options, splitMinBytes: 0, partReader: (job) => (jobs.push(job), parts(job)) });
  assert.deepStrictEqual(split, one);
  return { one, absorbed: splitCounts.absorbed > before, jobs };
}

test('split reading equals one-thread reading: CRLF, byte order mark, weights, missing and empty answers, quoted line breaks', async () => {
  for (const [eol, bom] of [['\n', false], ['\r\n', true], ['\r\n', false]] as const) {
    const text = survey(8000, { eol, bom });
    const file = write('plain.csv', text);
    const { one, absorbed, jobs } = await bothWays(file);
    assert.equal(jobs.length, 1);
    // The split point is a line start near the middle, and the part was used.
    assert.ok(jobs[0].start > text.length / 2 - 2 && jobs[0].start < text.length / 2 + 200);
    assert.equal(absorbed || text.slice(0, jobs[0].start).split('"').length % 2 === 0, true);
    assert.equal(one.data!.n, 8000);
    assert.ok(one.data!.weights);
  }
});

test('split reading: located errors in the second part are at their own lines and columns', async () => {
  const rows = 8000;
  const bad = new Map<number, string>([
    [5100, '5100,1,2'], // ragged row
    [5200, '5200,1,2,heavy,DEU,3,x,4'], // weight not a number
    [5300, '5300,1,2,1.0,DEU,3,x"y,4'], // quote inside an unquoted field
    [5400, '5400,1,abc,1.0,FRA,3,x,4'], // an answer first seen here, not a code
    [5500, '5500,1,2,-1.5,FRA,3,x,4'], // negative weight
    [400, '400,1,2,1.0,DEU,3,x,4,5'], // ragged in the first part too
  ]);
  const text = survey(rows, { row: (r) => bad.get(r) ?? null });
  const file = write('errors.csv', text);
  const { one, absorbed } = await bothWays(file);
  assert.equal(absorbed, true);
  const lineOf = (prefix: string) => text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
  assert.deepEqual(byCode(one, 'csv.ragged-row').map((d) => d.line), [lineOf('400,'), lineOf('5100,')]);
  assert.deepEqual(byCode(one, 'data.invalid-weight').map((d) => [d.line, d.column]), [[lineOf('5200,'), 10]]);
  assert.deepEqual(byCode(one, 'data.negative-weight').map((d) => d.line), [lineOf('5500,')]);
  assert.deepEqual(byCode(one, 'csv.stray-quote').map((d) => [d.line, d.column]), [[lineOf('5300,'), '5300,1,2,1.0,DEU,3,x'.length + 1]]);
  const invalid = one.diagnostics.filter((d) => d.item === 'Q2' && /abc/.test(d.message));
  assert.equal(invalid.length > 0, true);
  assert.deepEqual([invalid[0].line, invalid[0].column], [lineOf('5400,'), '5400,1,'.length + 1]);
});

test('split reading: a quoted field with line breaks across the split point is read on one thread, the same result', async () => {
  const rows = 8000;
  const long = `"${'line, with ""quotes""\n'.repeat(400)}"`;
  const text = survey(rows, { row: (r) => (r === 3990 ? `3990,1,2,1.0,DEU,3,${long},4` : null) });
  const file = write('quote-spans.csv', text);
  // The field must hold the middle of the file for this test to mean anything.
  const at = text.indexOf(long);
  assert.ok(at < text.length / 2 && at + long.length > text.length / 2);
  const alone = splitCounts.readAlone;
  const { one, absorbed } = await bothWays(file);
  assert.equal(absorbed, false);
  assert.equal(splitCounts.readAlone, alone + 1);
  assert.equal(one.data!.n, rows);
});

test('split reading: small chunks, text that is not UTF-8 in both parts reported once, an unclosed quote at the end', async () => {
  const latin = Buffer.from('\xe9', 'latin1');
  const text = survey(8000, { row: (r) => (r === 7999 ? '7999,1,2,1.0,"DEU,3,x,4' : null) });
  const bytes = Buffer.from(text, 'utf8');
  // A Latin-1 byte in a group value of each half.
  const first = bytes.indexOf(Buffer.from('JPN'));
  const second = bytes.indexOf(Buffer.from('JPN'), Math.floor(bytes.length * 0.7));
  assert.ok(first > 0 && first < bytes.length / 2 && second > bytes.length / 2);
  latin.copy(bytes, first + 1);
  latin.copy(bytes, second + 1);
  const file = write('encoding.csv', bytes);
  const { one, absorbed } = await bothWays(file, { ...OPTIONS, chunkBytes: 1000 });
  assert.equal(absorbed, true);
  assert.equal(byCode(one, 'csv.encoding').length, 1);
  assert.equal(byCode(one, 'csv.unclosed-quote').length, 1);
});

test('split reading on a counting thread gives the one-thread result', async () => {
  const file = write('worker.csv', survey(4000, { eol: '\r\n', bom: true }));
  const { absorbed } = await bothWays(file, OPTIONS, (job) => readPartOnWorker(job, { workers: 2, workerScript }));
  assert.equal(absorbed, true);
});
