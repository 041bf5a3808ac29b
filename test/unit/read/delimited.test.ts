import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { DelimitedScanner, FIELD_TEXT, parseDelimited, sniffDelimiter, type ScanProblem, type ScanSink } from '../../../src/core/read/formats/delimited';

/** A CSV field written correctly: quoted when it holds a delimiter, quote or line break. */
const quotedField = fc
  .array(fc.constantFrom('a', 'b', '1', ' ', 'é', '😀', ',', '"', '\n', '\r\n'), { maxLength: 6 })
  .map((cs) => `"${cs.join('').replace(/"/g, '""')}"`);
/** An unquoted field, possibly malformed (a stray or unbalanced quote). */
const rawField = fc.array(fc.constantFrom('a', 'Z', '7', '-', ' ', 'é', '"'), { maxLength: 5 }).map((cs) => cs.join(''));
const record = fc.array(fc.oneof(quotedField, rawField), { minLength: 2, maxLength: 5 });
const csvText = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 6 }),
  eol: fc.constantFrom('\n', '\r\n'),
  trailing: fc.boolean(),
});

/** Scans `text` fed in chunks of the given sizes, carrying partial records as readSurvey does. */
function scanInChunks(text: string, chunkSizes: number[]): { records: string[][]; problems: ScanProblem[] } {
  const bytes = Buffer.from(text, 'utf8');
  const records: string[][] = [];
  const problems: ScanProblem[] = [];
  let current: string[] = [];
  const sink: ScanSink = {
    roles: new Uint8Array(64).fill(FIELD_TEXT),
    codeColumns: [],
    row: 0,
    beginRecord: () => (current = []),
    text: (field, value) => (current[field] = value),
    endRecord: (fields, _line, found) => {
      current.length = fields;
      records.push(current);
      if (found) problems.push(...found);
    },
  };
  const scanner = new DelimitedScanner(44, sink);
  let buf = Buffer.alloc(0);
  let offset = 0;
  let k = 0;
  while (offset < bytes.length) {
    const size = chunkSizes[k++ % chunkSizes.length];
    const next = bytes.subarray(offset, offset + size);
    offset += next.length;
    buf = Buffer.concat([buf, next]);
    const final = offset >= bytes.length;
    const consumed = scanner.scan(buf, 0, buf.length, final);
    buf = buf.subarray(consumed);
    scanner.shift(consumed);
  }
  return { records, problems };
}

test('property: random CSV parses exactly as csv-parse does, or yields a located problem', () => {
  let malformed = 0;
  fc.assert(
    fc.property(csvText, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), ({ records, eol, trailing }, chunks) => {
      const text = records.map((r) => r.join(',')).join(eol) + (trailing ? eol : '');
      let expected: string[][] | null = null;
      try {
        // Like ours, any of LF, CRLF, CR ends a record (csv-parse otherwise fixes one from the first it sees).
        expected = parse(text, { relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
      } catch {
        expected = null;
      }
      const ours = parseDelimited(text, 44);
      const chunked = scanInChunks(text, chunks);
      // Reading in chunks never changes the result.
      assert.deepEqual(chunked.records, ours.records.map((r) => r.fields));
      assert.deepEqual(chunked.problems, ours.problems);
      if (expected) {
        assert.deepEqual(ours.problems, [], text);
        assert.deepEqual(ours.records.map((r) => r.fields), expected, JSON.stringify(text));
      } else {
        malformed++;
        assert.ok(ours.problems.length > 0, `csv-parse rejects ${JSON.stringify(text)}, we must say where`);
        for (const p of ours.problems) assert.ok(p.line >= 1 && p.column >= 1);
      }
    }),
    { seed: 20240607, numRuns: 200 },
  );
  assert.ok(malformed > 10, `the generator must produce malformed files too (${malformed})`);
});

test('locations: lines count through quoted line breaks, columns in UTF-16 units', () => {
  const { records, problems } = parseDelimited('a,b\n"x\ny",é😀"\n1,"open', 44);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 4]);
  // é is 1 UTF-16 unit, 😀 is 2: the stray quote after them is at column 1 + 4 + 1 + 2 + 1 = ... counted:
  // line 3 is `y",é😀"`: y(1) "(2) ,(3) é(4) 😀(5-6) "(7)
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.column]), [
    ['csv.stray-quote', 3, 7],
    ['csv.unclosed-quote', 4, 3],
  ]);
});

test('delimiter sniffing: comma, semicolon, tab, pipe; quoted delimiters ignored', () => {
  const sniff = (s: string) => String.fromCharCode(sniffDelimiter(Buffer.from(s), 0, s.length));
  assert.equal(sniff('a;b;c\n1;2;3\n'), ';');
  assert.equal(sniff('a\tb\tc\n1\t2\t3\n'), '\t');
  assert.equal(sniff('a|b\n1|2\n'), '|');
  assert.equal(sniff('"x;y;z",b\n"1;2;3",2\n'), ',');
  assert.equal(sniff('single\n1\n'), ',');
});
