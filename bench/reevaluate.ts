/**
 * Benchmark: re-evaluating one changed run against a cached reference, as the extension's worker
 * does in live mode (a script rewrote the run file; the reference is unchanged).
 *
 *   npm run build && node out/bench/reevaluate.js [--data bench/data] [--repeats 5] [--profile warm.cpuprofile] [--association pearson] [--alone] [--check]
 *
 * Uses the data of `npm run bench` (bench/data: a 97,000 x 600 reference, 175 items, runs of
 * 5,000) and its settings (Pearson and Spearman, 200 bootstraps, 999 permutations, group-level
 * structure by country; `--association pearson` for the Pearson-only case; `--alone`: each stage alone, as REPLENS_STAGE_TIMES=alone; `--check`: the last warm report compared byte for byte with a fresh evaluation's). One process, one `ReferenceCache`, as in the worker: a cold evaluation
 * first, then the run file is rewritten (alternately with run2's and run1's answers) and
 * re-evaluated `--repeats` times. Prints the cold time, the warm times (median, min, max) and the CPU
 * time of all threads they took, the stages of the last warm evaluation and the process's peak RSS;
 * `--profile` writes a CPU profile of the warm evaluations only. Never run from the tests.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReferenceCache } from '../src/core/evaluate/cache';
import { parseConfig } from '../src/core/evaluate/config';
import { evaluate } from '../src/core/evaluate/evaluate';
import { arg } from './args';
import { reportToJson } from '../src/core/report/render';
import type { EvaluationReport } from '../src/core/report/model';
import { splitCounts } from '../src/core/read/split';

/** CPU seconds of the main thread (Linux: /proc/self/task/<pid>/stat, clock ticks of 10 ms); NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const data = path.resolve(arg('data', 'bench/data'));
  const repeats = Number(arg('repeats', '5'));
  const base = JSON.parse(readFileSync(path.join(data, 'representativeness.json'), 'utf8'));
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-reevaluate-'));
  const runFile = path.join(dir, 'run.csv');
  copyFileSync(path.join(data, 'run1.csv'), runFile);
  const association = arg('association', '');
  if (association) base.association = association.split(',');
  const text = JSON.stringify({ ...base, reference: { ...base.reference, path: path.join(data, base.reference.path) }, runs: [{ name: 'run', path: runFile }] });
  const loaded = parseConfig(text, path.join(data, 'representativeness.json'));
  if (!loaded.config) throw new Error(JSON.stringify(loaded.diagnostics));
  const config = loaded.config;
  const cache = new ReferenceCache();

  // CPU time of all the process's threads (the counting threads included) during the warm evaluations.
  const cpu: number[] = [];
  const mainCpu: number[] = [];
  const alone = process.argv.includes('--alone');
  const fixedNow = () => new Date('2026-01-01T00:00:00Z');
  let lastReport: EvaluationReport | null = null;
  const timed = async (stages?: [string, number][]) => {
    const c0 = process.cpuUsage();
    const m0 = mainThreadCpu();
    const t0 = performance.now();
    lastReport = await evaluate(config, { cache, now: fixedNow, sequential: alone, onStage: stages ? (s, ms) => stages.push([s, ms]) : undefined });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    mainCpu.push(mainThreadCpu() - m0);
    return (performance.now() - t0) / 1000;
  };
  const cold = await timed();
  cpu.length = 0;
  mainCpu.length = 0;
  console.log(`cold (reads and counts the reference): ${cold.toFixed(2)} s; reference read on two threads: ${splitCounts.absorbed > 0 ? 'yes' : 'no'}`);
  const profile = arg('profile', '');
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const warm: number[] = [];
  if (process.env.REEVALUATE_MARK) console.error(`warm-start-us ${process.hrtime.bigint() / 1000n}`);
  let stages: [string, number][] = [];
  for (let i = 0; i < repeats; i++) {
    copyFileSync(path.join(data, i % 2 === 0 ? 'run2.csv' : 'run1.csv'), runFile);
    stages = [];
    warm.push(await timed(stages));
  }
  if (process.argv.includes('--check')) {
    // The last warm re-evaluation against a fresh evaluation of the same files without the cache: the same bytes.
    const fresh = reportToJson(await evaluate(config, { now: fixedNow }));
    const same = fresh === reportToJson(lastReport!);
    console.log(`check: the last warm re-evaluation's JSON report ${same ? 'is byte-identical to' : 'DIFFERS from'} a fresh evaluation's (${fresh.length} bytes)`);
    if (!same) process.exitCode = 1;
  }
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(p));
    session.disconnect();
  }
  // What the extension shows first: the same evaluation without resampling (point estimates).
  if (process.env.REEVALUATE_MARK) console.error(`warm-end-us ${process.hrtime.bigint() / 1000n}`);
  const quick: number[] = [];
  for (let i = 0; i < repeats; i++) {
    copyFileSync(path.join(data, i % 2 === 0 ? 'run1.csv' : 'run2.csv'), runFile);
    const t0 = performance.now();
    await evaluate({ ...config, bootstrap: 0, permutations: 0 }, { cache });
    quick.push((performance.now() - t0) / 1000);
  }
  quick.sort((a, b) => a - b);
  console.log(`warm, point estimates only (bootstrap 0, permutations 0; shown first by the extension): median ${quick[quick.length >> 1].toFixed(2)} s (min ${quick[0].toFixed(2)}, max ${quick[quick.length - 1].toFixed(2)})`);
  const sorted = [...warm].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(`warm, run rewritten (${repeats}x): median ${median.toFixed(2)} s (min ${sorted[0].toFixed(2)}, max ${sorted[sorted.length - 1].toFixed(2)})`);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  console.log(`CPU time of all threads a warm evaluation: median ${cpuSorted[cpuSorted.length >> 1].toFixed(2)} s (min ${cpuSorted[0].toFixed(2)}, max ${cpuSorted[cpuSorted.length - 1].toFixed(2)})`);
  const mainSorted = [...mainCpu].sort((a, b) => a - b);
  if (mainSorted.length) console.log(`  of which the main thread: median ${mainSorted[mainSorted.length >> 1].toFixed(2)} s (min ${mainSorted[0].toFixed(2)}, max ${mainSorted[mainSorted.length - 1].toFixed(2)}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`cache: ${cache.size} parts, ${cache.hits} hits, ${cache.misses} computed`);
  console.log('stages of the last warm evaluation (ms):');
  for (const [s, ms] of stages) console.log(`  ${s.padEnd(48)} ${ms.toFixed(0)}`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
