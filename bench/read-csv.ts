/**
 * Reader benchmark: reads the generated WVS-shaped file (bench/generate-wvs.mjs) and materialises
 * 175 item columns + W_WEIGHT + 4 group columns, with our scanner and with csv-parse (the design
 * card's parser) on the same file. Compare with bench/anchors/read_csv.py (pandas).
 *
 *   npm run build && node out/bench/read-csv.js [file] [ours|ours-split|compare|csv-parse]
 *
 * `ours-split` reads the second half of the file on a counting thread (`readPartOnWorker`, as the
 * evaluation reads its reference); `compare` reads the file both ways, alternately, checks that the
 * results are the same (every slot, value, first location, weight, line, group value, diagnostic)
 * and prints each way's wall and CPU time (all threads) with the load average.
 *
 * Run each parser in its own process so peak RSS is its own.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { isDeepStrictEqual } from 'node:util';
import { loadavg } from 'node:os';
import { readSurvey } from '../src/core/read/index';
import { prestartCountingThreads, readPartOnWorker } from '../src/core/parallel';
import { wvs7Topic } from '../src/core/read/presets/wvs7';

const file = process.argv[2] ?? 'bench/data/wvs7-shaped.csv';
const which = process.argv[3] ?? 'ours';
const groups = ['B_COUNTRY_ALPHA', 'Q260', 'Q262', 'Q240'];

async function headerOf(path: string): Promise<string[]> {
  const stream = createReadStream(path, { end: 1 << 16 });
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text.slice(0, text.indexOf('\n')).split(',');
}

async function main(): Promise<void> {
  const header = await headerOf(file);
  const items = header.filter((h) => /^Q\d+$/.test(h) && wvs7Topic(h) && !groups.includes(h)).slice(0, 175);
  if (which === 'compare') {
    prestartCountingThreads();
    await new Promise((r) => setTimeout(r, 500));
    const times: Record<string, { wall: number; cpu: number }[]> = { one: [], split: [] };
    let last: Record<string, unknown> = {};
    for (let i = 0; i < Number(process.argv[4] ?? 3); i++) {
      for (const way of ['one', 'split'] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await readSurvey(file, { items, weight: 'W_WEIGHT', attributes: groups, ...(way === 'split' ? { partReader: (job) => readPartOnWorker(job) } : {}) });
        const c = process.cpuUsage(c0);
        times[way].push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
        last[way] = r;
      }
      if (!isDeepStrictEqual(last.one, last.split)) throw new Error('the split read differs from the one-thread read');
      last = {};
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(2);
    for (const way of ['one', 'split']) console.log(`${way}: wall median ${med(times[way].map((t) => t.wall))} s (${times[way].map((t) => t.wall.toFixed(2)).join(', ')}), CPU median ${med(times[way].map((t) => t.cpu))} s`);
    console.log(`the same result both ways; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    process.exit(0);
  }
  const t0 = performance.now();
  let summary: string;
  if (which === 'ours' || which === 'ours-split') {
    if (which === 'ours-split') prestartCountingThreads();
    const r = await readSurvey(file, { items, weight: 'W_WEIGHT', attributes: groups, ...(which === 'ours-split' ? { partReader: (job) => readPartOnWorker(job) } : {}) });
    const d = r.data!;
    const missing = d.columns.reduce((a, c) => a + c.missing, 0);
    summary = `${d.n} rows, ${d.columns.length} items, ${d.attributes.size} groups, ${missing} missing answers, ${r.diagnostics.filter((x) => x.severity === 'error').length} errors`;
  } else {
    // csv-parse, streaming, converting the same columns: the cheapest fair use of it.
    const idx = items.map((i) => header.indexOf(i));
    const w = header.indexOf('W_WEIGHT');
    const g = groups.map((x) => header.indexOf(x));
    const cols = idx.map(() => new Int32Array(100000));
    const weights = new Float64Array(100000);
    const groupValues: string[][] = g.map(() => []);
    let n = 0;
    const parser = createReadStream(file, { highWaterMark: 4 << 20 }).pipe(parse({ from_line: 2 }));
    for await (const rec of parser as AsyncIterable<string[]>) {
      for (let k = 0; k < idx.length; k++) cols[k][n] = Number(rec[idx[k]]);
      weights[n] = Number(rec[w]);
      for (let k = 0; k < g.length; k++) groupValues[k].push(rec[g[k]]);
      n++;
    }
    summary = `${n} rows, ${cols.length} items`;
  }
  const seconds = (performance.now() - t0) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`${which}: ${seconds.toFixed(2)} s, peak RSS ${rssMb.toFixed(0)} MB (${summary})`);
}

void main();
