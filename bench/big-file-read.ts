/**
 * One measured reading for bench/big-file.mjs, in its own process so its peak RSS is its own:
 * readSurvey on a big file (175 WVS items + W_WEIGHT + 4 group columns, as bench/read-csv.ts),
 * then the sufficient statistics (per-item counts and all 15,225 pair tables, one thread).
 * Prints one JSON line: times, rows, peak RSS, or the InputError the reader refused the file with.
 *
 *   npm run build && node out/bench/big-file-read.js <file> [wide|long] [maxMemoryMB]
 */
import { open } from 'node:fs/promises';
import { readSurvey } from '../src/core/read/index';
import { computeSufficientStats } from '../src/core/count/sufficient';
import { InputError } from '../src/core/report/diagnostics';
import { wvs7Topic } from '../src/core/read/presets/wvs7';

const file = process.argv[2];
const layout = process.argv[3] ?? 'wide';
const maxMemoryMB = process.argv[4] ? Number(process.argv[4]) : undefined;
const groups = ['B_COUNTRY_ALPHA', 'Q260', 'Q262', 'Q240'];

/** The header's column names: the CSV's first line, or the first JSON line's keys. */
async function headerOf(path: string): Promise<string[]> {
  const handle = await open(path, 'r');
  const buf = Buffer.alloc(1 << 16);
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  await handle.close();
  const first = buf.toString('utf8', 0, bytesRead).split('\n')[0];
  return first.startsWith('{') ? Object.keys(JSON.parse(first)) : first.split(',');
}

function peakMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
  const header = layout === 'wide' ? await headerOf(file) : [];
  const items =
    layout === 'wide'
      ? header.filter((h) => /^Q\d+$/.test(h) && wvs7Topic(h) && !groups.includes(h)).slice(0, 175)
      : Array.from({ length: 175 }, (_, i) => `Q${i + 1}`);
  const t0 = performance.now();
  try {
    const r = await readSurvey(file, {
      items,
      ...(layout === 'wide' ? { weight: 'W_WEIGHT', attributes: groups } : { attributes: ['country'] }),
      ...(maxMemoryMB ? { maxMemoryBytes: maxMemoryMB * 1e6 } : {}),
    });
    const t1 = performance.now();
    const d = r.data!;
    const stats = computeSufficientStats(d);
    const t2 = performance.now();
    console.log(
      JSON.stringify({
        ok: true,
        rows: d.n,
        items: d.columns.length,
        groups: d.attributes.size,
        errors: r.diagnostics.filter((x) => x.severity === 'error').length,
        pairs: stats.pairOffset.length,
        readSeconds: +((t1 - t0) / 1000).toFixed(1),
        statsSeconds: +((t2 - t1) / 1000).toFixed(1),
        peakRssMB: peakMB(),
      }),
    );
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.log(JSON.stringify({ ok: false, code: e.diagnostic.code, message: e.diagnostic.message, seconds: +((performance.now() - t0) / 1000).toFixed(1), peakRssMB: peakMB() }));
  }
}

void main();
