// Shared by the SPSS and Stata reader tests: a sink that collects records, the fixtures and
// their oracles (what R haven read back, test/fixtures/formats/generate.R).
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { FIELD_SKIP, FIELD_TEXT } from '../../../src/core/read/formats/delimited';
import { bytesBuffer, type RecordSink } from '../../../src/core/read/formats/parquet';
import type { AsyncBuffer } from 'hyparquet';
import type { ReadableBuffer, SurveyFileMetadata, SurveyReadOptions, SurveySink } from '../../../src/core/read/formats/survey-file';
import { InputError } from '../../../src/core/report/diagnostics';

const root = path.resolve(__dirname, '../../../..');
export const formatsFixture = (name: string) => path.join(root, 'test/fixtures/formats', name);
export const fixtureBytes = (name: string) => new Uint8Array(fs.readFileSync(formatsFixture(name)));

export interface OracleColumn {
  name: string;
  type: 'numeric' | 'string';
  label: string | null;
  format: string | null;
  valueLabels: { value: number | string; label: string }[] | null;
  naValues: number[] | null;
  naRange: [number | null, number | null] | null;
  values: (number | string | null)[];
}
export interface Oracle {
  file: string;
  rows: number;
  columns: OracleColumn[];
}
export const oracleOf = (name: string): Oracle => JSON.parse(fs.readFileSync(formatsFixture(`${name}.oracle.json`), 'utf8'));
/** The `readstat` command's summary of a fixture, as key -> value. */
export function readstatSummary(name: string): Record<string, string> {
  const text = fs.readFileSync(formatsFixture(`${name}.readstat.txt`), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
}

/** Collects the header and the records; keeps the columns `keep` accepts (all by default). */
export class CollectingSink implements RecordSink {
  roles = new Uint8Array(0);
  header: string[] | null = null;
  rows: unknown[][] = [];
  expected: number | null = null;
  constructor(private readonly keep: (name: string) => boolean = () => true) {}
  feedRecord(values: ReadonlyArray<unknown>, line: number): void {
    if (!this.header) {
      assert.equal(line, 1);
      this.header = values.map(String);
      this.roles = Uint8Array.from(this.header, (n) => (this.keep(n) ? FIELD_TEXT : FIELD_SKIP));
      return;
    }
    assert.equal(line, 0);
    this.rows.push([...values]);
  }
  expectRows(n: number): void {
    this.expected = n;
  }
  column(name: string): unknown[] {
    const i = this.header!.indexOf(name);
    assert.ok(i >= 0, `no column ${name}`);
    return this.rows.map((r) => r[i]);
  }
}

/** An AsyncBuffer that counts the bytes asked for (to show a file is read in bounded chunks). */
export function countingBuffer(bytes: Uint8Array): AsyncBuffer & { largest: number; total: number } {
  const inner = bytesBuffer(bytes);
  const b = {
    byteLength: bytes.length,
    largest: 0,
    total: 0,
    slice(start: number, end?: number) {
      const n = (end ?? bytes.length) - start;
      b.largest = Math.max(b.largest, n);
      b.total += n;
      return inner.slice(start, end);
    },
  };
  return b;
}

/** A buffer with `readInto` (as over a file handle): the readers then reuse one chunk buffer. */
export function readIntoBuffer(bytes: Uint8Array): ReadableBuffer {
  return {
    ...bytesBuffer(bytes),
    async readInto(target: Uint8Array, position: number) {
      // Short reads on purpose (at most 1000 bytes), as a file handle may return.
      const n = Math.max(0, Math.min(target.length, 1000, bytes.length - position));
      target.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}

/** Numbers equal to the oracle's 17 significant digits; everything else exactly. */
export function assertSameValues(actual: unknown[], expected: unknown[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (let r = 0; r < expected.length; r++) {
    const a = actual[r];
    const e = expected[r];
    if (typeof e === 'number' && typeof a === 'number') {
      assert.ok(a === e || Math.abs(a - e) <= 1e-15 * Math.abs(e), `${what}, row ${r + 1}: ${a} != ${e}`);
    } else assert.deepEqual(a, e, `${what}, row ${r + 1}`);
  }
}

/** Value labels compared as sets (haven sorts them by value; files keep their own order). */
export function sortedLabels(labels: { value: number | string; label: string }[] | null): { value: number | string; label: string }[] {
  return [...(labels ?? [])].map(({ value, label }) => ({ value, label })).sort((a, b) => String(a.value).localeCompare(String(b.value)) || a.label.localeCompare(b.label));
}

export { mulberry32 } from '../../random';

/** readSpss or readStata. */
export type SurveyFileReader = (file: ReadableBuffer, path: string, sink: SurveySink, signal?: AbortSignal, onProgress?: (fraction: number) => void, options?: SurveyReadOptions) => Promise<SurveyFileMetadata>;

/** A reader's test helpers: read bytes into a collecting sink (in chunks of `chunkBytes`), or the InputError it ends with. */
export function readerHelpers(readFile: SurveyFileReader) {
  const read = async (bytes: Uint8Array, name: string, sink = new CollectingSink(), chunkBytes?: number): Promise<{ sink: CollectingSink; meta: SurveyFileMetadata }> => {
    const meta = await readFile(bytesBuffer(bytes), name, sink, undefined, undefined, { chunkBytes });
    return { sink, meta };
  };
  /** The InputError a read ends with, or null when it succeeds. */
  const failureOf = async (bytes: Uint8Array, name: string, chunkBytes?: number): Promise<InputError | null> => {
    try {
      await read(bytes, name, new CollectingSink(), chunkBytes);
      return null;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e;
    }
  };
  /** The fixture `name` read whole, in 16- to 4099-byte chunks, and into a reused buffer: the same records. */
  const assertChunksAgree = async (name: string): Promise<void> => {
    const whole = (await read(fixtureBytes(name), name)).sink.rows;
    for (const chunk of [16, 37, 512, 4099]) {
      assert.deepEqual((await read(fixtureBytes(name), name, new CollectingSink(), chunk)).sink.rows, whole, `chunk ${chunk}`);
      const sink = new CollectingSink();
      await readFile(readIntoBuffer(fixtureBytes(name)), name, sink, undefined, undefined, { chunkBytes: chunk });
      assert.deepEqual(sink.rows, whole, `chunk ${chunk}, readInto`);
    }
  };
  return { read, failureOf, assertChunksAgree };
}
