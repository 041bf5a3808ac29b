#!/usr/bin/env node
// End-to-end benchmark: Representativeness Lens's CLI against the strong numpy anchors on the same
// WVS-shaped files, run alternately, in two cases:
//   both     Pearson + Spearman (the default config) against bench/anchors/strong.py;
//   pearson  `association: ["pearson"]` against bench/anchors/strong_pearson.py (replicates' Pearson
//            from moments, the strongest numpy route when Spearman is not asked).
// Before any time is printed, the deterministic numbers of each pair are compared (marginal W1/TVD
// per item, the reference and run matrices, group-level rho and RMSE); a disagreement stops the bench.
// Per stage: each iteration also runs ours once with REPLENS_STAGE_TIMES=alone (every stage alone,
// the same report) and sets its stages beside the anchor's own timer.
//
// Usage: npm run bench -- [--runs N] [--quick] [--skip-check] [--case both|pearson] [--no-stages]
//   --runs N   runs of each tool (default 3), alternating ours / anchor
//   --quick    a small data set (20,000 x 150 columns, 60 items, runs of 2,000) in bench/data/quick
//   --case C   only that case (default: both cases, one after the other in each iteration)
// Data: generated once into bench/data (git-ignored) by bench/generate-bench-data.py; the anchors'
// OpenBLAS is unpacked by bench/install-anchors.sh when missing. Results: bench/results/.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runsArg = args.indexOf('--runs');
const N = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
const skipCheck = args.includes('--skip-check');
const caseArg = args.indexOf('--case');
const CASES = caseArg >= 0 ? [args[caseArg + 1]] : ['both', 'pearson'];
for (const c of CASES) if (c !== 'both' && c !== 'pearson') throw new Error(`--case ${c}: both or pearson`);
const withStages = !args.includes('--no-stages');
const PY = '/usr/bin/python3';

const dataDir = join(root, 'bench', 'data', quick ? 'quick' : '');
const resultsDir = join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status})`);
}

// 1. Data and anchors.
if (!existsSync(join(dataDir, 'reference.csv')) || !existsSync(join(dataDir, 'items.txt'))) {
  const gen = ['bench/generate-bench-data.py', '--out', dataDir];
  if (quick) gen.push('--rows', '20000', '--items', '60', '--cols', '150', '--runs', '3', '--run-rows', '2000');
  console.error(`Generating ${quick ? 'quick' : 'full-size'} data in ${dataDir}`);
  sh(PY, gen);
}
if (!existsSync(join(root, 'bench', 'data', '.openblas')) && !process.env.ANCHOR_NO_OPENBLAS) {
  console.error('Preparing the anchors (bench/install-anchors.sh)');
  sh('sh', ['bench/install-anchors.sh']);
}
const items = readFileSync(join(dataDir, 'items.txt'), 'utf8').trim();
const runFiles = ['run1.csv', 'run2.csv', 'run3.csv'].filter((f) => existsSync(join(dataDir, f)));
const config = {
  reference: { path: 'reference.csv', weight: 'W_WEIGHT' },
  runs: runFiles.map((f) => ({ name: f.replace(/\.csv$/, ''), path: f })),
  items: items.split(','),
  groupBy: { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' },
  association: ['pearson', 'spearman'],
  bootstrap: 200,
  permutations: 999,
  seed: 1,
};
const configPath = { both: join(dataDir, 'representativeness.json'), pearson: join(dataDir, 'representativeness-pearson.json') };
writeFileSync(configPath.both, JSON.stringify(config, null, 2));
writeFileSync(configPath.pearson, JSON.stringify({ ...config, association: ['pearson'] }, null, 2));
const anchorOf = { both: 'bench/anchors/strong.py', pearson: 'bench/anchors/strong_pearson.py' };

// 2. Build ours.
sh(process.execPath, ['scripts/build.mjs']);

// 3. Alternate runs.
function timed(cmd, argv, env) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) rej(new Error(`${cmd} exited ${code}\n${err.slice(-4000)}`));
      else res({ seconds: s, stderr: err });
    });
  });
}
// Our stages (REPLENS_STAGE_TIMES lines) summed into the anchors' stage names.
function ourStages(stderr) {
  const out = { read: 0, 'marginals+matrices': 0, comparisons: 0, 'group-level': 0, bootstrap: 0, baselines: 0, other: 0 };
  for (const line of stderr.split('\n')) {
    const m = /^stage\t(.*)\t([\d.]+)$/.exec(line);
    if (!m) continue;
    const [name, ms] = [m[1], Number(m[2]) / 1000];
    const key = /^read /.test(name) ? 'read'
      : /reference tables|tables and marginals|: matrices$/.test(name) ? 'marginals+matrices'
      : /structure comparisons$/.test(name) ? 'comparisons'
      : /group-level structure$/.test(name) ? 'group-level'
      : /: bootstrap$/.test(name) ? 'bootstrap'
      : /: baselines$/.test(name) ? 'baselines'
      : 'other';
    out[key] += ms;
  }
  return out;
}
function anchorStages(t) {
  return { read: t.read, 'marginals+matrices': t.marginals + t.pearson + (t.spearman ?? 0), comparisons: t.comparisons, 'group-level': t['group-level'], bootstrap: t.bootstrap, baselines: t.baselines ?? null, other: null };
}
const results = Object.fromEntries(CASES.map((c) => [c, { ours: [], anchor: [], oursStages: [], anchorStages: [], load: [] }]));
for (let i = 0; i < N; i++) {
  for (const c of CASES) {
    const R = results[c];
    R.load.push(loadavg()[0]);
    const o = await timed(process.execPath, [join(root, 'out', 'cli.js'), 'evaluate', '--config', configPath[c], '--format', 'json', '--out', join(resultsDir, `ours-${c}-${i}.json`), '--quiet']);
    R.ours.push(o.seconds);
    console.error(`${c}: ours   #${i + 1}: ${o.seconds.toFixed(2)} s (load ${loadavg()[0].toFixed(2)})`);
    const sArgs = [anchorOf[c], '--reference', join(dataDir, 'reference.csv'), ...runFiles.flatMap((f) => ['--run', join(dataDir, f)]), '--items', items, '--weight', 'W_WEIGHT', '--group-ref', 'B_COUNTRY_ALPHA', '--group-run', 'persona_country', '--bootstrap', '200', '--permutations', '999', '--splits', '20', '--seed', '1', '--out', join(resultsDir, `anchor-${c}-${i}.json`)];
    if (i === 0) sArgs.push('--matrices');
    const s = await timed(PY, sArgs);
    R.anchor.push(s.seconds);
    R.anchorStages.push(anchorStages(JSON.parse(readFileSync(join(resultsDir, `anchor-${c}-${i}.json`), 'utf8')).timings));
    console.error(`${c}: anchor #${i + 1}: ${s.seconds.toFixed(2)} s (load ${loadavg()[0].toFixed(2)})`);
    if (withStages) {
      const a = await timed(process.execPath, [join(root, 'out', 'cli.js'), 'evaluate', '--config', configPath[c], '--format', 'json', '--out', join(resultsDir, `ours-${c}-alone.json`), '--quiet'], { REPLENS_STAGE_TIMES: 'alone' });
      R.oursStages.push(ourStages(a.stderr));
    }
  }
}
for (const c of CASES) results[c].load.push(loadavg()[0]);

// 4. Agreement of the deterministic numbers (before any time is reported).
function check(c) {
  const a = JSON.parse(readFileSync(join(resultsDir, `ours-${c}-0.json`), 'utf8'));
  const b = JSON.parse(readFileSync(join(resultsDir, `anchor-${c}-0.json`), 'utf8'));
  // Both compute the same closed forms in double precision (the anchors agree with each other to
  // 1.5e-14); 1e-9 absolute leaves room for summation order over 97,000 weighted rows.
  const TOL = 1e-9;
  let worst = 0;
  let compared = 0;
  const cmp = (what, x, y) => {
    if (x === null || y === null || x === undefined || y === undefined) {
      if ((x ?? null) !== (y ?? null)) throw new Error(`${what}: ${x} vs ${y}`);
      return;
    }
    const d = Math.abs(x - y);
    compared++;
    if (d > worst) worst = d;
    if (!(d <= TOL)) throw new Error(`${what}: ours ${x} vs strong ${y} (|diff| ${d})`);
  };
  const idsB = b.items;
  for (const [r, runB] of b.runs.entries()) {
    const runA = a.runs[r];
    const byId = new Map(runA.marginal.items.map((it) => [it.item, it]));
    idsB.forEach((id, k) => {
      cmp(`run ${r} ${id} w1Normalized`, byId.get(id).w1Normalized, runB.marginals.perItem.w1Normalized[k]);
      cmp(`run ${r} ${id} tvd`, byId.get(id).tvd, runB.marginals.perItem.tvd[k]);
    });
    for (const method of c === 'both' ? ['pearson', 'spearman'] : ['pearson']) {
      const ind = runA.structure.individual[method];
      const pos = idsB.map((id) => ind.items.indexOf(id));
      const refB = b.reference.matrices[method];
      const runMB = runB.matrices[method];
      for (let i = 0; i < idsB.length; i++) {
        for (let j = i + 1; j < idsB.length; j++) {
          cmp(`reference ${method} ${idsB[i]},${idsB[j]}`, ind.reference[pos[i]][pos[j]], refB[i][j]);
          cmp(`run ${r} ${method} ${idsB[i]},${idsB[j]}`, ind.run[pos[i]][pos[j]], runMB[i][j]);
        }
      }
    }
    cmp(`run ${r} group-level rho`, runA.structure.group.comparison.pearson, runB.groupLevel.rho);
    cmp(`run ${r} group-level rmse`, runA.structure.group.comparison.rmse, runB.groupLevel.rmse);
  }
  return { compared, worst };
}
const agreement = {};
if (!skipCheck) {
  for (const c of CASES) {
    agreement[c] = check(c);
    console.error(`Agreement (${c}): ${agreement[c].compared} deterministic numbers, worst |diff| ${agreement[c].worst.toExponential(2)}`);
  }
}

// 5. Report.
const med = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs) => `${med(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
const summary = { data: quick ? 'quick' : 'full', runs: N, date: new Date().toISOString(), agreement, cases: {} };
console.log(`data: ${quick ? 'quick (20,000 x 150, 60 items, 3 runs x 2,000)' : 'full (97,000 x 600, 175 items, 3 runs x 5,000)'}; ${N} runs each, alternating`);
for (const c of CASES) {
  const R = results[c];
  const stageNames = Object.keys(R.anchorStages[0]);
  const stages = {};
  for (const k of stageNames) {
    const o = R.oursStages.map((x) => x[k]);
    const a = R.anchorStages.map((x) => x[k]).filter((x) => x !== null && x !== undefined);
    stages[k] = { ours: o.length ? med(o) : null, anchor: a.length ? med(a) : null };
    stages[k].ratio = stages[k].ours && stages[k].anchor ? stages[k].anchor / stages[k].ours : null;
  }
  summary.cases[c] = { anchor: anchorOf[c], ours: R.ours, anchorSeconds: R.anchor, ratio: med(R.anchor) / med(R.ours), load1min: R.load, stages, oursStages: R.oursStages, anchorStages: R.anchorStages };
  console.log(`\ncase ${c} (${anchorOf[c]})`);
  console.log(`  ours:   ${fmt(R.ours)}`);
  console.log(`  anchor: ${fmt(R.anchor)}`);
  console.log(`  anchor / ours (medians): ${summary.cases[c].ratio.toFixed(2)}x`);
  console.log(`  load (1-min) before each pair and at the end: ${R.load.map((x) => x.toFixed(2)).join(', ')}`);
  if (R.oursStages.length) {
    console.log('  stage (medians, s)      ours alone   anchor   anchor / ours');
    for (const k of stageNames) {
      const s = stages[k];
      console.log(`  ${k.padEnd(22)} ${s.ours === null ? '   -  ' : s.ours.toFixed(2).padStart(8)}   ${s.anchor === null ? '   -  ' : s.anchor.toFixed(2).padStart(6)}   ${s.ratio === null ? '-' : s.ratio.toFixed(2) + 'x'}`);
    }
  }
}
writeFileSync(join(resultsDir, 'summary.json'), JSON.stringify(summary, null, 2));
