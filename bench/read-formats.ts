/**
 * SPSS / Stata reader benchmark: reads the generated WVS-shaped files (bench/generate-sav.R: the
 * same 97,000 x 601 values as .sav, .zsav, .dta and CSV) and materialises 175 items + W_WEIGHT +
 * B_COUNTRY_ALPHA (177 columns).
 *
 *   Rscript bench/generate-sav.R                      # -> bench/data/wvs7-shaped*.{csv,sav,zsav,dta}
 *   npm run build                                     # builds out/bench/read-formats.js
 *   node out/bench/read-formats.js FILE MODE [CSV]
 *
 * MODE
 *   survey   readSurvey(FILE) with the same options as for the CSV (.sav/.zsav/.dta go to readSpss /
 *            readStata through readSurvey), so the whole path is measured: reader, the file's
 *            dictionary as codebook hints, codebook inference, category columns.
 *   parser   readSpss / readStata alone into a sink that keeps the same 177 columns as typed arrays
 *            (the reader's own cost).
 * CSV (survey mode): take the variable names from this CSV twin instead of a header pass over
 * FILE (the same names; keeps the header pass out of the peak RSS).
 * Run each in its own process so peak RSS is its own.
 */
import { promises as fs } from 'node:fs';
import { readSurvey } from '../src/core/read/index';
import { wvs7Topic } from '../src/core/read/presets/wvs7';
import { FIELD_SKIP, FIELD_TEXT } from '../src/core/read/formats/delimited';
import { readSpss } from '../src/core/read/formats/spss';
import { readStata } from '../src/core/read/formats/stata';
import type { RecordSink } from '../src/core/read/formats/parquet';
import type { ReadableBuffer } from '../src/core/read/formats/survey-file';

const file = process.argv[2] ?? 'bench/data/wvs7-shaped.sav';
const mode = process.argv[3] ?? 'survey';
const isSpss = /\.z?sav$/i.test(file);
const isStata = /\.dta$/i.test(file);

/** The 175 WVS items the CSV benchmark reads (bench/read-csv.ts), from the variable names. */
function itemsOf(names: string[]): string[] {
  return names.filter((h) => /^Q\d+$/.test(h) && wvs7Topic(h) && !['Q260', 'Q262', 'Q240'].includes(h)).slice(0, 175);
}

async function open(path: string): Promise<{ buffer: ReadableBuffer; close: () => Promise<void> }> {
  const handle = await fs.open(path, 'r');
  const size = (await handle.stat()).size;
  return {
    buffer: {
      byteLength: size,
      async slice(start: number, end = size) {
        const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await handle.read(bytes, got, bytes.length - got, start + got);
          if (bytesRead === 0) throw new Error('short read');
          got += bytesRead;
        }
        return bytes.buffer;
      },
      readInto: async (target: Uint8Array, position: number) => (await handle.read(target, 0, target.length, position)).bytesRead,
    },
    close: () => handle.close(),
  };
}

/** Keeps the items as Int32Array codes, the weight as Float64Array, the country as strings. */
class TypedColumns implements RecordSink {
  roles = new Uint8Array(0);
  names: string[] = [];
  kept: number[] = [];
  items: Int32Array[] = [];
  weight = new Float64Array(0);
  country: string[] = [];
  private wIndex = -1;
  private cIndex = -1;
  n = 0;
  feedRecord(values: ReadonlyArray<unknown>): void {
    if (this.names.length === 0) {
      this.names = values.map(String);
      const items = new Set(itemsOf(this.names));
      this.wIndex = this.names.indexOf('W_WEIGHT');
      this.cIndex = this.names.indexOf('B_COUNTRY_ALPHA');
      this.roles = Uint8Array.from(this.names, (n, i) => (items.has(n) || i === this.wIndex || i === this.cIndex ? FIELD_TEXT : FIELD_SKIP));
      this.kept = this.names.flatMap((n, i) => (items.has(n) ? [i] : []));
      return;
    }
    const r = this.n++;
    for (let k = 0; k < this.kept.length; k++) {
      const v = values[this.kept[k]];
      this.items[k][r] = typeof v === 'number' ? v : -99;
    }
    this.weight[r] = values[this.wIndex] as number;
    this.country.push(values[this.cIndex] as string);
  }
  expectRows(rows: number): void {
    this.items = this.kept.map(() => new Int32Array(rows));
    this.weight = new Float64Array(rows);
  }
}

/** CPU time is counted from here: after the header pass (for readSurvey: the items are picked from it). */
let cpuBefore = process.cpuUsage();

async function main(): Promise<void> {
  let t0 = performance.now();
  let summary: string;
  if (mode === 'parser') {
    const { buffer, close } = await open(file);
    const sink = new TypedColumns();
    const meta = isSpss ? await readSpss(buffer, file, sink) : await readStata(buffer, file, sink);
    await close();
    summary = `${sink.n} rows, ${sink.kept.length} items + weight + country of ${meta.variables.length} variables (${meta.compression}, ${meta.encoding})`;
  } else {
    let names: string[];
    // The items are picked from the variable names: from the CSV twin when given (no header pass).
    const namesFrom = process.argv[4] ?? ((isSpss || isStata) ? null : file);
    if (namesFrom === null) {
      // The dictionary only: a sink that keeps nothing, stopped after the header.
      const { buffer, close } = await open(file);
      const header: RecordSink = {
        roles: new Uint8Array(0),
        feedRecord(values) {
          names = values.map(String);
          throw new Error('header');
        },
      };
      await (isSpss ? readSpss : readStata)(buffer, file, header).catch((e) => {
        if ((e as Error).message !== 'header') throw e;
      });
      await close();
    } else {
      const handle = await fs.open(namesFrom, 'r');
      const head = Buffer.alloc(1 << 16);
      await handle.read(head, 0, head.length, 0);
      await handle.close();
      const text = head.toString('utf8');
      names = text.slice(0, text.indexOf('\n')).split(',');
    }
    const t1 = performance.now();
    cpuBefore = process.cpuUsage();
    const items = itemsOf(names!);
    const r = await readSurvey(file, { items, weight: 'W_WEIGHT', attributes: ['B_COUNTRY_ALPHA'] });
    const d = r.data!;
    const missing = d.columns.reduce((a, c) => a + c.missing, 0);
    summary = `${d.n} rows, ${d.columns.length} items, ${d.attributes.size} groups, ${missing} missing answers, ${r.diagnostics.filter((x) => x.severity === 'error').length} errors (header pass ${((t1 - t0) / 1000).toFixed(2)} s, not counted)`;
    t0 = t1;
  }
  const seconds = (performance.now() - t0) / 1000;
  const usage = process.resourceUsage();
  const spent = process.cpuUsage(cpuBefore);
  const cpu = (spent.user + spent.system) / 1e6;
  // CPU time as well as wall time: the shared machine's other jobs stretch the wall time.
  const heap = process.memoryUsage();
  console.log(`${file} ${mode}: ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, peak RSS ${(usage.maxRSS / 1024).toFixed(0)} MB (${summary}; at the end: heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MB, array buffers ${(heap.arrayBuffers / 2 ** 20).toFixed(0)} MB)`);
}

void main();
