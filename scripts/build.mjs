// One build for every world: the extension host, its worker, the CLI (node, CommonJS), the
// webview (browser, IIFE) and the test bundles. `--production` minifies and drops source maps;
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

function findTests(dir, suffix) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

// Prefer ES module entry points: some packages' UMD builds (jsonc-parser) hide requires from the bundler.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' }, outdir: 'out', external: ['vscode'] },
  { ...node, entryPoints: { worker: 'src/extension/worker.ts' }, outdir: 'out' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'out', banner: { js: '#!/usr/bin/env node' } },
  // Counting worker of computeSufficientStatsParallel (src/core/parallel): loaded by path from
  // beside the CLI / extension-worker bundles (out/sufficient-worker.js).
  { ...node, entryPoints: { 'sufficient-worker': 'src/core/parallel/worker.ts' }, outdir: 'out' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'out',
  },
];

if (!production) {
  const unit = findTests('test/unit', '.test.ts');
  if (unit.length) {
    builds.push({
      ...node,
      entryPoints: Object.fromEntries(unit.map((f) => [relative('test', f).replace(/\.ts$/, ''), f])),
      outdir: 'out/test',
    });
  }
  const suite = findTests('test/suite', '.ts');
  if (suite.length) {
    builds.push({
      ...node,
      entryPoints: Object.fromEntries(suite.map((f) => [relative('test', f).replace(/\.ts$/, ''), f])),
      outdir: 'out/test',
      external: ['vscode', 'mocha'],
    });
  }
  const e2e = findTests('test/e2e', '.ts');
  if (e2e.length) {
    builds.push({
      ...node,
      entryPoints: Object.fromEntries(e2e.map((f) => [relative('test', f).replace(/\.ts$/, ''), f])),
      outdir: 'out/test',
      external: ['playwright-core'],
    });
  }
  const bench = findTests('bench', '.ts');
  if (bench.length) {
    builds.push({
      ...node,
      entryPoints: Object.fromEntries(bench.map((f) => [f.replace(/\.ts$/, ''), f])),
      outdir: 'out',
    });
  }
}

mkdirSync('out', { recursive: true });
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
