// A path that is not a readable regular file (a directory, a missing file, a FIFO) given as a run or
// as the reference is a located input error with exit 2, not an internal error with a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const REFERENCE = path.join(ROOT, 'demo/reference.csv');

function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', ...args, '--bootstrap', '5', '--permutations', '5'], { encoding: 'utf8', timeout: 60_000 });
}

test('a directory, a missing file or a FIFO as a run: exit 2 with the path and what it is', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-notfile-'));
  const folder = path.join(dir, 'some-folder.csv');
  mkdirSync(folder);
  const cases: [string, RegExp, string][] = [
    [folder, /is a directory/, 'file.not-a-file'],
    [path.join(dir, 'missing.csv'), /no such file/, 'file.unreadable'],
  ];
  if (process.platform !== 'win32') {
    const fifo = path.join(dir, 'pipe.csv');
    if (spawnSync('mkfifo', [fifo]).status === 0) cases.push([fifo, /named pipe/, 'file.not-a-file']);
  }
  for (const [run, what, code] of cases) {
    for (const args of [['--reference', REFERENCE, '--run', run], ['--reference', run, '--run', REFERENCE]]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${run}: error:`), r.stderr);
      assert.match(r.stderr, what);
      assert.ok(r.stderr.includes(`[${code}]`), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  }
});
