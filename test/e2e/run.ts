// End-to-end tests of Representativeness Lens in a real VS Code (code-server 4.100.3 from npm)
// driven by a real browser (Debian chromium through playwright-core), offline.
//
//   npm run test:vscode        (packages the extension, then runs this file)
//
// 1. Extension-host tests: the workbench loads the repository as a development extension and
//    runs the mocha suite out/test/suite/index.js inside the extension host.
// 2. UI tests: the packaged out/representativeness-lens.vsix is installed into a second,
//    fresh code-server, as a user would, and the scenarios of scenarios.ts click through it.
//
// Each test prints one PASS/FAIL/SKIP line; the last line is `N passed, N failed` (CI parses
// it) and the exit code is 1 when anything failed. Everything the run creates lives in
// .vscode-test/run-<time>/ (kept when something failed, with e2e.log), screenshots go to
// test-results/. Environment: E2E_TIMEOUT_MS (whole run, default 1500000), E2E_CHROMIUM, and
// E2E_ONLY=<regular expression> to run only the parts whose title matches it: the UI scenarios
// by their title, the extension-host suite as "extension host" (while working on one of them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './browser';
import { installExtension, makeSandbox, startCodeServer } from './codeServer';
import { runExtensionHostTests, testWorkbenchUrl } from './extensionHost';
import { Results, runScenario, withTimeout } from './harness';
import { atCleanup, cleanupAll, stopStragglers } from './processes';
import { scenarios as baseScenarios } from './scenarios-docs';
import { trustScenarios } from './scenarios-trust';
import { panelScenarios } from './scenarios-panel';
import { verdictScenarios } from './scenarios-verdicts';
import { latentScenarios } from './scenarios-latent';
import { formatScenarios } from './scenarios-formats';

/** Every UI scenario: the user's walk-through, the docs' screenshots, then each issue's own. */
const scenarios = [...baseScenarios, ...trustScenarios, ...panelScenarios, ...verdictScenarios, ...latentScenarios, ...formatScenarios];

const repoRoot = path.resolve(__dirname, '../../..');
const vsix = path.join(repoRoot, 'out', 'representativeness-lens.vsix');
const suiteEntry = path.join(repoRoot, 'out', 'test', 'suite', 'index.js');
const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
const shotsDir = path.join(repoRoot, 'test-results');
const overallTimeoutMs = Number(process.env.E2E_TIMEOUT_MS ?? 1_500_000);
const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : null;
const selected = (title: string) => !only || only.test(title);

// run-20260131-235959-123: sortable and unique enough; short, for the unix socket paths in it.
const runRoot = path.join(repoRoot, '.vscode-test', `run-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19)}`);
const results = new Results();
const logFile = path.join(runRoot, 'e2e.log');

function log(line: string): void {
  fs.appendFileSync(logFile, line.endsWith('\n') ? line : `${line}\n`);
}

/** A copy of the fixture workspace (without its generator), so tests never touch the original. */
function copyWorkspace(name: string): string {
  const dest = path.join(runRoot, name);
  fs.cpSync(fixtureWorkspace, dest, { recursive: true, filter: (src) => path.basename(src) !== 'generate.mjs' });
  return dest;
}

async function phase(name: string, fn: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await fn();
  } catch (e) {
    results.add({ name, outcome: 'failed', ms: Date.now() - started, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}

async function extensionHostTests(): Promise<void> {
  await phase('extension host tests start', async () => {
    if (!fs.existsSync(suiteEntry)) throw new Error(`${suiteEntry} is missing: run \`npm run build\` first`);
    const sandbox = makeSandbox(path.join(runRoot, 'ext'));
    const workspace = copyWorkspace('workspace-ext-host');
    const server = await startCodeServer(repoRoot, sandbox, workspace);
    atCleanup(() => log(`--- code-server (extension host tests) output ---\n${server.output()}`));
    const browser = await launchBrowser(path.join(sandbox.dir, 'browser'), sandbox.env);
    const url = testWorkbenchUrl(server, workspace, repoRoot, suiteEntry);
    log(`extension host tests: ${url}`);
    await runExtensionHostTests(browser, url, results, log, 600_000);
    await browser.close();
    await server.stop();
  });
}

async function uiTests(): Promise<void> {
  await phase('UI tests start (install the packaged extension)', async () => {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
    const sandbox = makeSandbox(path.join(runRoot, 'ui'));
    const workspace = copyWorkspace('workspace-ui');
    log(await installExtension(repoRoot, sandbox, vsix));
    const installed = fs.readdirSync(sandbox.extensionsDir).filter((d) => d.startsWith('representativeness-lens.'));
    if (installed.length !== 1) throw new Error(`expected the extension in ${sandbox.extensionsDir}, found: ${installed.join(', ') || 'nothing'}`);
    const server = await startCodeServer(repoRoot, sandbox, workspace);
    atCleanup(() => log(`--- code-server (UI tests) output ---\n${server.output()}`));
    const browser = await launchBrowser(path.join(sandbox.dir, 'browser'), sandbox.env);
    const url = `${server.origin}/?folder=${encodeURIComponent(workspace)}`;
    for (const scenario of scenarios.filter((s) => selected(s.title))) {
      const page = await browser.newPage();
      page.on('console', (m) => log(`[${scenario.title} console.${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => log(`[${scenario.title} error] ${e.message}`));
      await page.goto(url);
      await runScenario(scenario, page, { workspace, repoRoot, url }, results, shotsDir, 120_000);
      await page.close();
    }
    await browser.close();
    await server.stop();
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  fs.mkdirSync(runRoot, { recursive: true });
  fs.mkdirSync(shotsDir, { recursive: true });
  // A partial run (E2E_ONLY) keeps the other scenarios' screenshots.
  if (!only) for (const f of fs.readdirSync(shotsDir)) if (f.endsWith('.png')) fs.rmSync(path.join(shotsDir, f));
  console.log(`End-to-end tests in code-server + chromium; run folder ${path.relative(repoRoot, runRoot)}`);

  let timedOut = false;
  await withTimeout(
    (async () => {
      if (selected('extension host')) await extensionHostTests();
      if (scenarios.some((s) => selected(s.title))) await uiTests();
    })(),
    overallTimeoutMs,
    'overall timeout',
  ).catch(() => {
    timedOut = true;
  });
  if (timedOut) {
    results.add({ name: 'whole run', outcome: 'failed', ms: Date.now() - started, error: `the run did not finish within ${overallTimeoutMs / 1000} s (E2E_TIMEOUT_MS)` });
  }

  await cleanup();
  const failed = results.count('failed');
  const skipped = results.count('skipped');
  console.log(`${failed ? `run folder kept: ${path.relative(repoRoot, runRoot)} (log: e2e.log)\n` : ''}screenshots: ${path.relative(repoRoot, shotsDir)}/`);
  if (failed === 0) fs.rmSync(runRoot, { recursive: true, force: true });
  console.log(`e2e wall time ${((Date.now() - started) / 1000).toFixed(1)} s${skipped ? `, ${skipped} skipped` : ''}`);
  console.log(results.summary());
  return failed === 0 && results.count('passed') > 0 ? 0 : 1;
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await cleanupAll();
    const left = await stopStragglers(runRoot);
    if (left.length) log(`stopped leftover processes: ${left.join(' ')}`);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping code-server and chromium`);
    void cleanup().finally(() => process.exit(130));
  });
}

// A stray error anywhere must not end the process before code-server and chromium are stopped.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e: unknown) => {
    console.error(`${event}:`, e);
    void cleanup().finally(() => {
      console.log(`${results.count('passed')} passed, ${results.count('failed') + 1} failed`);
      process.exit(1);
    });
  });
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(e);
    await cleanup();
    console.log(`${results.count('passed')} passed, ${results.count('failed') + 1} failed`);
    process.exit(1);
  },
);
