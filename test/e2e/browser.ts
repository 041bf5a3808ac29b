// The browser that drives VS Code: Debian's chromium through playwright-core, never a browser
// downloaded by Playwright. Its profile, home and temp folders live in the test run's folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { atCleanup } from './processes';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

/** A fresh headless chromium profile in `dir`; closed at the end of the run whatever happens. */
export async function launchBrowser(dir: string, env: NodeJS.ProcessEnv): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const profile = path.join(dir, 'chromium-profile');
  fs.mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    env: env as Record<string, string>,
    viewport: { width: 1400, height: 900 },
    // The run's own signal handlers stop chromium together with code-server (run.ts); Playwright's
    // would exit the process first and leave code-server running.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  atCleanup(() => closeQuietly(context));
  return context;
}

async function closeQuietly(context: BrowserContext): Promise<void> {
  // A wedged browser must not wedge the cleanup: give close() 10 s, then move on (the process
  // sweep in processes.ts stops what is left).
  await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
}
