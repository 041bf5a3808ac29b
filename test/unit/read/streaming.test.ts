import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readSurvey, readSurveyText, type ReadOptions, type ReadResult } from '../../../src/core/read/index';
import { bytesBuffer, readParquet } from '../../../src/core/read/formats/parquet';
import { byCode, errorOf, fixture, tempWriter } from './stream-helpers';
import { parseDelimited } from '../../../src/core/read/formats/delimited';
import fc from 'fast-check';

// Big-file behaviour of readSurvey: records longer than the record bound, the memory guard, files
// that change while they are read, and Parquet read through the file handle.

const write = tempWriter('replens-big-');
const codes = (r: ReadResult, id: string) => {
  const c = r.data!.columns.find((x) => x.item.id === id)!;
  return Array.from(c.values, (v) => (v === 255 ? null : c.item.codes[v]));
};

// ---------------------------------------------------------------- records longer than the bound

const BOUND: ReadOptions = { maxRecordBytes: 1024, chunkBytes: 100 };

test('a CSV row longer than the record bound is reported at its line and skipped; the rows after it are read on their own lines', async () => {
  const long = 'x'.repeat(3000);
  const text = ['id,Q1,Q2', '1,1,2', `2,${long},3`, '3,2,1', '4,3,3'].join('\r\n');
  const r = await readSurvey(write('long-row.csv', text), { ...BOUND, items: ['Q1', 'Q2'] });
  assert.deepEqual(byCode(r, 'csv.record-too-long').map((d) => [d.line, d.column]), [[3, 1]]);
  assert.deepEqual([...r.data!.lines!], [2, 4, 5]);
  assert.deepEqual(codes(r, 'Q1'), [1, 2, 3]);
  assert.equal(byCode(r, 'data.rows-skipped').length, 1);
});

test('a quoted field longer than the bound that does close: reported at its opening quote, reading goes on after it', async () => {
  const field = `"${'ab,\n"" '.repeat(500)}"`; // quoted line breaks, commas and doubled quotes
  const text = ['id,Q1,note', '1,1,ok', `2,2,${field}`, '3,3,"é"', '4,1,'].join('\n');
  const lines = text.split('\n');
  const after = lines.findIndex((l) => l.startsWith('3,3')) + 1;
  const r = await readSurvey(write('long-field.csv', text), { ...BOUND, items: ['Q1'] });
  assert.deepEqual(byCode(r, 'csv.record-too-long').map((d) => [d.line, d.column]), [[3, 5]]);
  assert.match(byCode(r, 'csv.record-too-long')[0].message, /quote is probably never closed/);
  assert.deepEqual([...r.data!.lines!], [2, after, after + 1]);
  assert.deepEqual(codes(r, 'Q1'), [1, 3, 1]);
});

test('an unclosed quote that runs past the bound is located at the quote (UTF-16 column), the rows before it are kept', async () => {
  const text = ['id,Q1,note', '1,1,a', '2,2,b', '3,3,é😀 "x"', '4,1,😀"', `5,2,"${'z\n'.repeat(800)}`].join('\n');
  for (const chunkBytes of [7, 100, 1000]) {
    const r = await readSurvey(write('unclosed.csv', text), { maxRecordBytes: 1024, chunkBytes, items: ['Q1'] });
    const found = byCode(r, 'csv.record-too-long');
    assert.deepEqual(found.map((d) => [d.line, d.column]), [[6, 5]], `chunks of ${chunkBytes}`);
    assert.deepEqual(codes(r, 'Q1'), [1, 2, 3, 1]);
  }
  // Within the bound, the same file gives the scanner's own unclosed-quote error at the same place.
  const small = readSurveyText(text, 'unclosed.csv', { items: ['Q1'] });
  assert.deepEqual(byCode(small, 'csv.unclosed-quote').map((d) => [d.line, d.column]), [[6, 5]]);
});

test('a header longer than the bound: the file is refused at line 1', async () => {
  const e = await errorOf(readSurvey(write('wide-header.csv', `${'x,'.repeat(2000)}y\n1,2\n`), BOUND));
  assert.equal(e.diagnostic.code, 'csv.record-too-long');
  assert.equal(e.diagnostic.line, 1);
});

test('JSON lines: a line longer than the bound is reported at its line, the others are read', async () => {
  const text = ['{"Q1": 1}', `{"Q1": 2, "note": "${'é'.repeat(2000)}"}`, '{"Q1": 3}', '', '{"Q1": 1}'].join('\n');
  for (const chunkBytes of [5, 100]) {
    const r = await readSurvey(write('long-line.jsonl', text), { maxRecordBytes: 1024, chunkBytes, items: ['Q1'] });
    assert.deepEqual(byCode(r, 'json.line-too-long').map((d) => [d.line, d.column]), [[2, 1]]);
    assert.deepEqual([...r.data!.lines!], [1, 3, 5]);
  }
});

test('JSON array: an element longer than the bound is refused where it starts', async () => {
  const text = `[{"Q1": 1},\n  {"Q1": 2, "note": "${'x'.repeat(3000)}"}]`;
  const e = await errorOf(readSurvey(write('long-element.json', text), BOUND));
  assert.deepEqual([e.diagnostic.code, e.diagnostic.line, e.diagnostic.column], ['json.record-too-long', 2, 3]);
});

// ---------------------------------------------------------------- memory guard

function wideCsv(rows: number, items: number): string {
  const header = ['id', 'country', ...Array.from({ length: items }, (_, i) => `Q${i + 1}`)];
  const out = [header.join(',')];
  for (let r = 0; r < rows; r++) out.push([r, r % 2 ? 'DEU' : 'USA', ...Array.from({ length: items }, (_, i) => ((r + i) % 4) + 1)].join(','));
  return out.join('\n') + '\n';
}

test('memory guard: a CSV whose selected columns would not fit is refused before they are filled, naming size, need and limit', async () => {
  const file = write('guard.csv', wideCsv(5000, 20));
  const progress: number[] = [];
  const e = await errorOf(readSurvey(file, { maxMemoryBytes: 50_000, chunkBytes: 8192, attributes: ['country'], onProgress: (f) => progress.push(f) }));
  assert.equal(e.diagnostic.code, 'file.too-large');
  assert.equal(e.diagnostic.file, file);
  assert.match(e.diagnostic.message, /The file \(\d+ kB\) is too large .*(about|more than) [\d,]+ rows x 21 selected columns would need about \d+ kB, more than the limit of 50 kB\. Select fewer items/);
  // Refused from the estimate after the first chunk, not after reading the file.
  assert.ok(progress[progress.length - 1] < 0.2, `progress when refused: ${progress}`);
  // Fewer items fit.
  const r = await readSurvey(file, { maxMemoryBytes: 50_000, chunkBytes: 8192, items: ['Q1', 'Q2'], weight: null });
  assert.equal(r.data!.n, 5000);
  // With the default limit the whole file reads.
  assert.equal((await readSurvey(file, { attributes: ['country'] })).data!.columns.length, 20);
});

test('memory guard: rows beyond the estimate are still checked as the columns grow', async () => {
  // Short first rows make the estimate low; the long rest must still be refused, not read.
  const head = wideCsv(200, 3);
  const tail = Array.from({ length: 20000 }, (_, r) => `${r},DEU,1,2,3`).join('\n');
  const file = write('guard-grow.csv', head + tail);
  const e = await errorOf(readSurvey(file, { maxMemoryBytes: 30_000, chunkBytes: 1 << 20 }));
  assert.equal(e.diagnostic.code, 'file.too-large');
  // id is not an item; country is a candidate item (no attributes named).
  assert.match(e.diagnostic.message, /more than [\d,]+ rows x 4 selected columns/);
});

test('memory guard: JSON lines, long layout and Parquet are refused the same way', async () => {
  const jsonl = Array.from({ length: 3000 }, (_, r) => JSON.stringify({ id: r, Q1: (r % 4) + 1, Q2: (r % 3) + 1, persona: 'DEU' })).join('\n');
  let e = await errorOf(readSurvey(write('guard.jsonl', jsonl), { maxMemoryBytes: 20_000, chunkBytes: 4096, attributes: ['persona'] }));
  assert.equal(e.diagnostic.code, 'file.too-large');
  const long = Array.from({ length: 3000 }, (_, r) => JSON.stringify({ respondent: `r${r >> 2}`, item: `Q${r % 4}`, answer: 1 })).join('\n');
  e = await errorOf(readSurvey(write('guard-long.jsonl', long), { maxMemoryBytes: 20_000, chunkBytes: 4096 }));
  assert.equal(e.diagnostic.code, 'file.too-large');
  e = await errorOf(readSurvey(fixture('wide.parquet'), { maxMemoryBytes: 50, weight: 'weight', attributes: ['country'] }));
  assert.equal(e.diagnostic.code, 'file.too-large');
  assert.match(e.diagnostic.message, /: 5 rows x 5 selected columns would need/);
});

// ---------------------------------------------------------------- changed while being read

/** Reads `file` in small chunks, calling `change` once, after the first chunk. */
function readChanging(file: string, change: () => void, options: ReadOptions = {}): Promise<ReadResult> {
  let done = false;
  return readSurvey(file, {
    chunkBytes: 64,
    ...options,
    onProgress: () => {
      if (!done) {
        done = true;
        change();
      }
    },
  });
}

const CSV = wideCsv(200, 4);

test('a CSV appended to, truncated, rewritten, replaced or deleted while read: file.changed-while-reading, never a mixed result', async () => {
  const changes: [string, (f: string) => void, RegExp][] = [
    ['appended', (f) => fs.appendFileSync(f, '999,DEU,1,1,1,1\n'), /size went from/],
    ['truncated', (f) => fs.truncateSync(f, 500), /got shorter/],
    ['emptied', (f) => fs.truncateSync(f, 0), /got shorter/],
    ['rewritten in place, same size', (f) => {
      fs.writeFileSync(f, CSV.replace(/,1\n/g, ',2\n'));
      const t = new Date(Date.now() + 5000);
      fs.utimesSync(f, t, t); // a later modification time, as the next clock tick would give
    }, /written to/],
    ['replaced by a new file', (f) => {
      fs.writeFileSync(f + '.new', CSV);
      fs.renameSync(f + '.new', f);
    }, /replaced/],
    ['deleted', (f) => fs.unlinkSync(f), /deleted/],
  ];
  for (const [what, change, message] of changes) {
    const file = write('changing.csv', CSV);
    const e = await errorOf(readChanging(file, () => change(file)));
    assert.equal(e.diagnostic.code, 'file.changed-while-reading', what);
    assert.equal(e.diagnostic.file, file);
    assert.match(e.diagnostic.message, message, what);
    assert.match(e.diagnostic.message, /will be read again on its next change/);
  }
  // Unchanged, the same reading succeeds.
  const r = await readChanging(write('steady.csv', CSV), () => {});
  assert.equal(r.data!.n, 200);
});

test('JSON lines, JSON and Parquet changed while read are refused too', async () => {
  const jsonl = Array.from({ length: 100 }, (_, r) => JSON.stringify({ id: r, Q1: (r % 4) + 1 })).join('\n');
  let file = write('changing.jsonl', jsonl);
  let e = await errorOf(readChanging(file, () => fs.appendFileSync(file, '\n{"id": 1000, "Q1": 2}')));
  assert.equal(e.diagnostic.code, 'file.changed-while-reading');
  file = write('changing.json', JSON.stringify(JSON.parse(`[${jsonl.split('\n').join(',')}]`), null, 1));
  e = await errorOf(readChanging(file, () => fs.truncateSync(file, 300)));
  assert.equal(e.diagnostic.code, 'file.changed-while-reading');
  // Parquet: progress is reported after each row group; the next column chunk read finds the file short.
  file = write('changing.parquet', fs.readFileSync(fixture('wide.parquet')));
  e = await errorOf(readChanging(file, () => fs.truncateSync(file, 40), { weight: 'weight' }));
  assert.equal(e.diagnostic.code, 'file.changed-while-reading');
  // A Parquet file rewritten after its last column chunk was read: caught by the final identity check.
  file = write('changing2.parquet', fs.readFileSync(fixture('wide.parquet')));
  let calls = 0;
  e = await errorOf(
    readSurvey(file, {
      weight: 'weight',
      onProgress: (f) => {
        if (f === 1 && calls++ === 0) fs.appendFileSync(file, 'x');
      },
    }),
  );
  assert.equal(e.diagnostic.code, 'file.changed-while-reading');
});

// ---------------------------------------------------------------- Parquet through the handle

test('Parquet is read through the file: only the footer and the selected columns\' chunks', async () => {
  // 12 columns x 20,000 rows, uncompressed so each column chunk has its full size.
  const n = 20000;
  const columnData = Array.from({ length: 12 }, (_, c) => ({ name: `Q${c + 1}`, data: Array.from({ length: n }, (_, r) => ((r * (c + 3)) % 97) + 1), type: 'INT32' as const }));
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData, codec: 'UNCOMPRESSED' }));
  const file = write('twelve.parquet', bytes);
  let read = 0;
  const inner = bytesBuffer(bytes);
  const counting = { byteLength: inner.byteLength, slice: (s: number, e?: number) => ((read += (e ?? inner.byteLength) - s), inner.slice(s, e)) };
  const fed: unknown[][] = [];
  const sink = {
    roles: new Uint8Array(0),
    feedRecord(values: ReadonlyArray<unknown>) {
      if (fed.length === 0) {
        // The header: keep Q3 only.
        this.roles = new Uint8Array(values.length);
        this.roles[2] = 1;
      }
      fed.push([...values]);
    },
  };
  await readParquet(counting, file, sink);
  assert.equal(fed.length, n + 1);
  assert.equal(fed[5][2], ((4 * 5) % 97) + 1);
  assert.ok(read < bytes.length / 6, `read ${read} of ${bytes.length} bytes`);
  // And through readSurvey, the same values as decoding the whole file in memory.
  const r = await readSurvey(file, { items: ['Q3', 'Q7'] });
  assert.equal(r.data!.n, n);
  assert.deepEqual(codes(r, 'Q3').slice(0, 3), [1, 6, 11]);
});

// ---------------------------------------------------------------- property: the record bound

/** A short field: plain, or quoted with commas, line breaks, doubled quotes and multi-byte text. */
const shortField = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{0,6}$/),
  fc.array(fc.constantFrom('a', 'é', '😀', ',', '\n', '\r\n', '""', ' '), { maxLength: 6 }).map((cs) => `"${cs.join('')}"`),
);
/** A field far longer than the bound (3-4 times): quoted with line breaks, or plain. */
const longField = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map((seed) => `"${Array.from({ length: 300 }, (_, i) => ['x', 'é', '\n', ',', '""', '😀'][(seed + i * 7) % 6]).join('')}"`),
  fc.integer({ min: 800, max: 1000 }).map((n) => 'y'.repeat(n)),
);
const boundedCsv = fc.record({
  rows: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(shortField, shortField, shortField).map((fields) => ({ fields, long: false })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', 'ab', 'é😀x', '12'), longField).map(([a, b]) => ({ fields: [a, b, '1'], long: true })) },
    ),
    { minLength: 1, maxLength: 15 },
  ),
  eol: fc.constantFrom('\n', '\r\n'),
  chunkBytes: fc.integer({ min: 5, max: 300 }),
});

test('property: with a 256-byte record bound, short rows read on their own lines and each long row is reported where it (or its quote) starts, at any chunk size', async () => {
  await fc.assert(
    fc.asyncProperty(boundedCsv, async ({ rows, eol, chunkBytes }) => {
      const text = ['a,b,c', ...rows.map((r) => r.fields.join(','))].join(eol) + eol;
      // The scanner's own whole-text parse says where each record and field starts.
      const records = parseDelimited(text, 44).records.slice(1);
      assert.equal(records.length, rows.length);
      const file = write('bounded.csv', text);
      const r = await readSurvey(file, { maxRecordBytes: 256, chunkBytes, items: ['a'], weight: null });
      const kept = records.filter((_, i) => !rows[i].long);
      assert.deepEqual([...(r.data?.lines ?? [])], kept.map((k) => k.line));
      const expected = records.flatMap((rec, i) => (rows[i].long ? [rows[i].fields[1].startsWith('"') ? [rec.line, rec.columns[1]] : [rec.line, 1]] : []));
      assert.deepEqual(byCode(r, 'csv.record-too-long').map((d) => [d.line, d.column]), expected);
      // Without the bound, the same file reads every row.
      const all = await readSurvey(file, { chunkBytes, items: ['a'], weight: null });
      assert.deepEqual([...all.data!.lines!], records.map((k) => k.line));
    }),
    { seed: 20261202, numRuns: 120 },
  );
});
