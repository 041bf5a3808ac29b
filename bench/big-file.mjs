#!/usr/bin/env node
// Big files: reads ~2 GB survey files with bounded memory and reports time and peak RSS.
//
//   npm run build && node bench/big-file.mjs [--rows 1000000] [--keep] [--no-long]
//
// Generates into bench/data/big (git-ignored), each seeded and written as a stream:
//   1. a WVS-shaped CSV, --rows respondents x 600 columns (bench/generate-wvs.mjs: integer answers
//      with ~6% negative missing codes, W_WEIGHT, B_COUNTRY_ALPHA; 1,000,000 rows ~ 1.9 GB);
//   2. wide JSON lines: the CSV's first rows, one object of 600 keys per line, up to ~2 GB;
//   3. long-layout JSON lines (one answer per line: respondent, item, answer, country) for 175
//      items, up to ~2 GB: the long layout is pivoted in memory; it is read once with the default
//      memory limit and once with a 500 MB limit, which it exceeds: it must then be refused with a
//      clear message, not crash.
// Each file is then read in its own process (bench/big-file-read.ts: readSurvey with 175 items +
// W_WEIGHT + 4 group columns, then all pair tables) under /usr/bin/time -v when it exists, and
// time and peak RSS are printed. The files are deleted afterwards unless --keep.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const rows = Number(opt('--rows', 1000000));
const keep = args.includes('--keep');
const withLong = !args.includes('--no-long');
const TARGET = 2e9;
const dir = 'bench/data/big';
mkdirSync(dir, { recursive: true });
const csv = join(dir, `wvs7-${rows}.csv`);
const wideJsonl = join(dir, 'wvs7-wide.jsonl');
const longJsonl = join(dir, 'wvs7-long.jsonl');

if (!existsSync('out/bench/big-file-read.js')) {
  console.error('Build first: npm run build');
  process.exit(1);
}

function seconds(t0) {
  return ((performance.now() - t0) / 1000).toFixed(0);
}

async function writeLines(out, produce) {
  const stream = createWriteStream(out);
  let bytes = 0;
  let pending = [];
  const flush = async () => {
    const text = pending.join('');
    pending = [];
    bytes += Buffer.byteLength(text);
    if (!stream.write(text)) await new Promise((res) => stream.once('drain', res));
  };
  await produce(async (line) => {
    pending.push(line);
    if (pending.length >= 2000) await flush();
    return bytes;
  });
  await flush();
  stream.end();
  await new Promise((res) => stream.on('finish', res));
}

/** Rows of the CSV as objects (numbers where the cell is a number), until `stop` says so. */
async function eachCsvRow(onRow) {
  const lines = createInterface({ input: createReadStream(csv, { highWaterMark: 4 << 20 }), crlfDelay: Infinity });
  let header = null;
  for await (const line of lines) {
    const cells = line.split(',');
    if (!header) {
      header = cells;
      continue;
    }
    if (await onRow(header, cells)) break;
  }
  lines.close();
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const cell = (c) => (NUMBER.test(c) ? c : JSON.stringify(c.startsWith('"') ? c.slice(1, -1) : c));

let t0 = performance.now();
if (!existsSync(csv)) {
  console.error(`Generating ${csv} (${rows} rows x 600 columns)...`);
  const r = spawnSync('node', ['bench/generate-wvs.mjs', String(rows), csv], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  console.error(`  ${seconds(t0)} s`);
}
if (!existsSync(wideJsonl)) {
  t0 = performance.now();
  console.error(`Generating ${wideJsonl} (wide JSON lines up to ~2 GB)...`);
  await writeLines(wideJsonl, async (emit) => {
    await eachCsvRow(async (header, cells) => {
      let s = '{';
      for (let i = 0; i < header.length; i++) s += `${i ? ',' : ''}"${header[i]}":${cell(cells[i])}`;
      return (await emit(s + '}\n')) >= TARGET;
    });
  });
  console.error(`  ${seconds(t0)} s`);
}
if (withLong && !existsSync(longJsonl)) {
  t0 = performance.now();
  console.error(`Generating ${longJsonl} (long-layout JSON lines up to ~2 GB)...`);
  await writeLines(longJsonl, async (emit) => {
    let r = 0;
    await eachCsvRow(async (header, cells) => {
      r++;
      const country = cells[header.indexOf('B_COUNTRY_ALPHA')];
      let bytes = 0;
      for (let q = 1; q <= 175; q++) {
        const i = header.indexOf(`Q${q}`);
        bytes = await emit(`{"respondent":"r${r}","item":"Q${q}","answer":${cells[i]},"country":"${country}"}\n`);
      }
      return bytes >= TARGET;
    });
  });
  console.error(`  ${seconds(t0)} s`);
}

const timeV = existsSync('/usr/bin/time');
const results = [];
// The last case stands for a machine with less memory: a 500 MB limit the long layout exceeds.
const cases = [[csv, 'wide'], [wideJsonl, 'wide'], ...(withLong ? [[longJsonl, 'long'], [longJsonl, 'long', '500']] : [])];
for (const [file, layout, limitMB] of cases) {
  const size = statSync(file).size;
  console.error(`Reading ${file} (${(size / 1e9).toFixed(2)} GB, ${layout}${limitMB ? `, memory limit ${limitMB} MB` : ''})...`);
  const child = ['out/bench/big-file-read.js', file, layout, ...(limitMB ? [limitMB] : [])];
  const cmd = timeV ? ['/usr/bin/time', ['-v', 'node', ...child]] : ['node', child];
  const wall0 = performance.now();
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = (performance.now() - wall0) / 1000;
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  const maxRss = timeV ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]) / 1024 : out.peakRssMB;
  // CPU time says more than wall time on a machine shared with other jobs.
  const cpu = timeV ? +(Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1])).toFixed(1) : null;
  results.push({ file, layout, limitMB, sizeGB: +(size / 1e9).toFixed(2), wallSeconds: +wall.toFixed(1), cpuSeconds: cpu, peakRssMB: Math.round(maxRss), ...out, peakRssMB: Math.round(maxRss) });
  console.log(JSON.stringify(results[results.length - 1]));
}

console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
console.log(`\n| file | size | result | read | pair tables | process CPU (user + sys) | peak RSS |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  const name = r.file.split('/').pop() + (r.limitMB ? `, maxMemoryBytes ${r.limitMB} MB` : '');
  if (r.ok) console.log(`| ${name} (${r.layout}) | ${r.sizeGB} GB | ${r.rows.toLocaleString('en-US')} respondents x ${r.items} items${r.layout === 'wide' ? ' + weight' : ''} + ${r.groups} group column${r.groups === 1 ? '' : 's'}, ${r.errors} errors | ${r.readSeconds} s | ${r.pairs.toLocaleString('en-US')} tables, ${r.statsSeconds} s | ${r.cpuSeconds ?? ''} s | ${r.peakRssMB} MB |`);
  else console.log(`| ${name} (${r.layout}) | ${r.sizeGB} GB | refused: ${r.code} after ${r.seconds} s: "${r.message}" | | | ${r.cpuSeconds ?? ''} s | ${r.peakRssMB} MB |`);
}

if (!keep) {
  for (const f of [csv, wideJsonl, longJsonl]) rmSync(f, { force: true });
  console.error('Deleted the generated files (--keep keeps them).');
}
