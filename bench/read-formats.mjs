#!/usr/bin/env node
// Builds out/bench/read-formats-integrated.js: bench/read-formats.ts with readSurvey's Parquet
// reader replaced by bench/formats-shim.ts (SPSS / Stata files go to readSpss / readStata), so
// the benchmark measures readSurvey end to end on .sav/.zsav/.dta before the readers are wired in.
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';

const shim = {
  name: 'formats-shim',
  setup(build) {
    build.onResolve({ filter: /^\.\/parquet$/ }, (args) => (/src[\\/]core[\\/]read$/.test(args.resolveDir) && args.importer.endsWith('index.ts') ? { path: resolve('bench/formats-shim.ts') } : undefined));
  },
};
await esbuild.build({
  entryPoints: ['bench/read-formats.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
  outfile: 'out/bench/read-formats-integrated.js',
  plugins: [shim],
  logLevel: 'warning',
});
console.log('out/bench/read-formats-integrated.js');
