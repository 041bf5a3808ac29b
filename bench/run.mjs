#!/usr/bin/env node
// End-to-end benchmark: Representativeness Lens's CLI against the strong numpy anchor
// (bench/anchors/strong.py) on the same WVS-shaped files, run alternately. Before any time is
// printed, the deterministic numbers of both are compared (marginal W1/TVD per item, Pearson and
// Spearman reference and run matrices, group-level rho and RMSE); a disagreement stops the bench.
//
// Usage: npm run bench -- [--runs N] [--quick] [--skip-check] [--keep]
//   --runs N   runs of each tool (default 3), alternating ours / strong
//   --quick    a small data set (20,000 x 150 columns, 60 items, runs of 2,000) in bench/data/quick
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
const configPath = join(dataDir, 'representativeness.json');
writeFileSync(configPath, JSON.stringify(config, null, 2));

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
const ours = [];
const strong = [];
const strongStages = [];
const load = [];
for (let i = 0; i < N; i++) {
  load.push(loadavg()[0]);
  const o = await timed(process.execPath, [join(root, 'out', 'cli.js'), 'evaluate', '--config', configPath, '--format', 'json', '--out', join(resultsDir, `ours-${i}.json`), '--quiet']);
  ours.push(o.seconds);
  console.error(`ours   #${i + 1}: ${o.seconds.toFixed(2)} s`);
  const sArgs = ['bench/anchors/strong.py', '--reference', join(dataDir, 'reference.csv'), ...runFiles.flatMap((f) => ['--run', join(dataDir, f)]), '--items', items, '--weight', 'W_WEIGHT', '--group-ref', 'B_COUNTRY_ALPHA', '--group-run', 'persona_country', '--bootstrap', '200', '--permutations', '999', '--splits', '20', '--seed', '1', '--out', join(resultsDir, `strong-${i}.json`)];
  if (i === 0) sArgs.push('--matrices');
  const s = await timed(PY, sArgs);
  strong.push(s.seconds);
  strongStages.push(JSON.parse(readFileSync(join(resultsDir, `strong-${i}.json`), 'utf8')).timings);
  console.error(`strong #${i + 1}: ${s.seconds.toFixed(2)} s`);
}
load.push(loadavg()[0]);

// 4. Agreement of the deterministic numbers (before any time is reported).
function check() {
  const a = JSON.parse(readFileSync(join(resultsDir, 'ours-0.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(resultsDir, 'strong-0.json'), 'utf8'));
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
    for (const method of ['pearson', 'spearman']) {
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
let agreement = null;
if (!skipCheck) {
  agreement = check();
  console.error(`Agreement: ${agreement.compared} deterministic numbers, worst |diff| ${agreement.worst.toExponential(2)}`);
}

// 5. Report.
const med = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs) => `${med(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
const summary = {
  data: quick ? 'quick' : 'full',
  runs: N,
  ours: ours,
  strong: strong,
  strongStages,
  ratio: med(strong) / med(ours),
  load1min: load,
  agreement,
  date: new Date().toISOString(),
};
writeFileSync(join(resultsDir, 'summary.json'), JSON.stringify(summary, null, 2));
console.log(`data:   ${quick ? 'quick (20,000 x 150, 60 items, 3 runs x 2,000)' : 'full (97,000 x 600, 175 items, 3 runs x 5,000)'}; ${N} runs each, alternating`);
console.log(`ours:   ${fmt(ours)}`);
console.log(`strong: ${fmt(strong)}`);
console.log(`strong / ours (medians): ${summary.ratio.toFixed(2)}x`);
console.log(`load (1-min) before each pair and at the end: ${load.map((x) => x.toFixed(2)).join(', ')}`);
