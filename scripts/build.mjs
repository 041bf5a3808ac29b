// One build for every world: the extension host, its worker, the CLI (node, CommonJS), the
// webview (browser, IIFE) and the test bundles. `--production` minifies and drops source maps;
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/**
 * hyparquet (1.31.5, and 1.33.0 still) can spin forever in one synchronous call on a damaged
 * page, where no cancellation can stop it (test/fixtures/reliability/parquet-hang.parquet, found
 * by fuzzing): a page header with missing fields leaves the reader's offset NaN, every read then
 * returns byte 0, a run of length zero, and the RLE / bit-packed loop never advances; a corrupt run
 * header can also claim billions of values. Here a run that consumes no bytes is an error, and
 * runs are bounded to the values the page still expects (values past that are never stored, and
 * the offset is reset from the block's length afterwards), so valid files decode as before. The build fails if the
 * patched lines change in a new hyparquet, so the bound is never lost silently.
 */
const boundParquetRuns = {
  name: 'bound-parquet-runs',
  setup(build) {
    build.onLoad({ filter: /hyparquet[\\/]src[\\/]encoding\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const patches = [
        // A run must consume bytes: a damaged page header leaves the offset NaN (every read then
        // returns byte 0, a zero-length run, forever).
        ['    const header = readVarInt(reader)\n', '    const before = reader.offset\n    const header = readVarInt(reader)\n    if (!(reader.offset > before)) throw new Error(`parquet: damaged page (run header at offset ${before})`)\n'],
        ['readRle(reader, count, width, output, seen)', 'readRle(reader, Math.max(0, Math.min(count, output.length - seen)), width, output, seen)'],
        ['let count = header >> 1 << 3 // values to read', 'let count = Math.max(0, Math.min(header >> 1 << 3, output.length - seen)) // values to read, bounded'],
      ];
      for (const [from, to] of patches) {
        if (!text.includes(from)) throw new Error(`bound-parquet-runs: "${from}" not found in ${args.path}; re-check the bound for this hyparquet version`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * WebAssembly kernels are written as text (src/core/{count,stats,parallel}/kernels/*.wat) and compiled here with wabt, the
 * WebAssembly binary toolkit; the bundle embeds the bytes (esbuild's binary loader), so nothing is
 * fetched or compiled from files at run time. The module is validated, so a bad kernel fails the build.
 */
const wat = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => {
      const wabt = await (await import('wabt')).default();
      const module = wabt.parseWat(args.path, await readFile(args.path, 'utf8'), { simd: true, bulk_memory: true });
      try {
        module.validate();
        return { contents: module.toBinary({}).buffer, loader: 'binary' };
      } finally {
        module.destroy();
      }
    });
  },
};

// Prefer ES module entry points: some packages' UMD builds (jsonc-parser) hide requires from the bundler.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], plugins: [boundParquetRuns, wat] };

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
      // The benchmarks count on every core like the CLI: their counting worker sits beside them.
      entryPoints: { ...Object.fromEntries(bench.map((f) => [f.replace(/\.ts$/, ''), f])), 'bench/sufficient-worker': 'src/core/parallel/worker.ts' },
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
