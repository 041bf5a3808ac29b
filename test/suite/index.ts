// Entry point VS Code loads in the extension host when it runs the extension's tests
// (`extensionTestsPath`): runs mocha (tdd interface: `suite`, `test`) over every
// out/test/suite/*.test.js next to this file. test/e2e/run.ts opens a real VS Code
// (code-server) with this entry and reads what it prints.
//
// Besides mocha's own lines, it prints one line per test (`SUITE-TEST {"title":...,"ok":...}`)
// and a summary line (`SUITE-RESULT {"passed":n,"failed":m}`) that the e2e runner parses: the
// console is the only channel out of the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Marker of the per-test lines the e2e runner parses. */
export const TEST_LINE = 'SUITE-TEST ';
/** Marker of the summary line the e2e runner parses. */
export const RESULT_LINE = 'SUITE-RESULT ';

/**
 * Runs every suite test file; resolves when all pass, rejects (VS Code then exits the
 * extension host with code 1) when any fails or none is found.
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js file in ${__dirname}`));
      return;
    }
    let passed = 0;
    let failed = 0;
    const runner = mocha.run((failures) => {
      console.log(RESULT_LINE + JSON.stringify({ passed, failed }));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      passed++;
      console.log(TEST_LINE + JSON.stringify({ title: t.fullTitle(), ok: true, ms: t.duration ?? 0 }));
    });
    // 'fail' also fires for failing hooks, which count as failures of their suite.
    runner.on('fail', (t, err: Error) => {
      failed++;
      const error = err?.stack ?? String(err);
      console.log(TEST_LINE + JSON.stringify({ title: t.fullTitle(), ok: false, ms: t.duration ?? 0, error }));
    });
  });
}
