// Runs the mocha suite (out/test/suite/index.js) inside a real extension host. code-server
// refuses --extensionDevelopmentPath on its command line, but its workbench takes the same
// options from the `payload` of its URL when a browser opens it; the test runner's output and
// exit code come back through the window functions codeAutomationLog / codeAutomationExit.
import type { BrowserContext } from 'playwright-core';
import type { CodeServer } from './codeServer';
import type { Results } from './harness';

// Kept in step with test/suite/index.ts (TEST_LINE, RESULT_LINE); not imported so this bundle
// does not pull in mocha.
const TEST_LINE = 'SUITE-TEST ';
const RESULT_LINE = 'SUITE-RESULT ';

interface SuiteTest {
  title: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * The text of one console call of the extension host. The workbench hands it over as the JSON
 * of the call's arguments (`["%s passing", 2]`); printf-style placeholders are filled in the
 * way console.log does.
 */
export function consoleText(message: unknown): string {
  let args: unknown = message;
  if (typeof message === 'string') {
    try {
      args = JSON.parse(message);
    } catch {
      return message;
    }
  }
  if (!Array.isArray(args)) return typeof args === 'string' ? args : JSON.stringify(args);
  const str = (a: unknown) => (typeof a === 'string' ? a : JSON.stringify(a));
  const [first, ...rest] = args;
  if (typeof first !== 'string') return args.map(str).join(' ');
  const text = first.replace(/%[sdifoOj%]/g, (m) => (m === '%%' ? '%' : rest.length ? str(rest.shift()) : m));
  return [text, ...rest.map(str)].join(' ');
}

/** The workbench URL that opens `folder` with the repository as a development extension running its tests. */
export function testWorkbenchUrl(server: CodeServer, folder: string, extensionRoot: string, testsEntry: string): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionRoot)],
    ['extensionTestsPath', remote(testsEntry)],
  ];
  return `${server.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Opens the test workbench, waits for the extension host to exit, and adds one result per
 * mocha test (prefixed `extension host > `). A crash or timeout before mocha's summary is one
 * failed result carrying the output seen so far.
 */
export async function runExtensionHostTests(
  context: BrowserContext,
  url: string,
  results: Results,
  log: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  const page = await context.newPage();
  const lines: string[] = [];
  let summary: { passed: number; failed: number } | undefined;
  let reported = 0;
  let exit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exit = resolve));

  await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
    for (const line of consoleText(message).split('\n')) {
      lines.push(line);
      log(`[extension host ${level}] ${line}`);
      const t = line.indexOf(TEST_LINE);
      if (t >= 0) {
        const test = JSON.parse(line.slice(t + TEST_LINE.length)) as SuiteTest;
        reported++;
        results.add({
          name: `extension host > ${test.title}`,
          outcome: test.ok ? 'passed' : 'failed',
          ms: test.ms,
          error: test.error,
        });
      }
      const r = line.indexOf(RESULT_LINE);
      if (r >= 0) summary = JSON.parse(line.slice(r + RESULT_LINE.length));
    }
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
  page.on('console', (m) => log(`[test workbench console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log(`[test workbench error] ${e.message}`));

  await page.goto(url);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
  ]);
  clearTimeout(timer);
  await page.close().catch(() => undefined);

  const tail = lines.slice(-40).join('\n');
  if (code === null) {
    results.add({
      name: 'extension host tests finish',
      outcome: 'failed',
      ms: Date.now() - started,
      error: `no exit from the extension host within ${timeoutMs / 1000} s; last output:\n${tail}`,
    });
  } else if (!summary || reported === 0) {
    results.add({
      name: 'extension host tests run',
      outcome: 'failed',
      ms: Date.now() - started,
      error: `the extension host exited with ${code} without running the suite; last output:\n${tail}`,
    });
  } else if (code !== 0 && summary.failed === 0) {
    results.add({ name: 'extension host exit', outcome: 'failed', ms: 0, error: `exit code ${code} although every test passed:\n${tail}` });
  }
}
