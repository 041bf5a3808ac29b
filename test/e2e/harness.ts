// Results of an end-to-end run and the `step` helper the UI scenarios are written with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  name: string;
  outcome: Outcome;
  ms: number;
  error?: string;
}

/** Collects and prints one line per test; `summary()` is the line CI parses. */
export class Results {
  readonly all: TestResult[] = [];

  add(r: TestResult): void {
    this.all.push(r);
    const mark = r.outcome === 'passed' ? 'PASS' : r.outcome === 'failed' ? 'FAIL' : 'SKIP';
    console.log(`${mark} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`);
    if (r.error) console.log(indent(r.error));
  }

  count(o: Outcome): number {
    return this.all.filter((r) => r.outcome === o).length;
  }

  /** Exactly `N passed, N failed`: the last line of the run. */
  summary(): string {
    return `${this.count('passed')} passed, ${this.count('failed')} failed`;
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export type StepFn = (page: Page) => Promise<void>;
/** Runs one named step of a scenario; screenshots `<name>.png` after it, `<name>-failed.png` if it throws. */
export type Step = (name: string, fn: StepFn) => Promise<void>;

/** What a scenario may need besides the page: the folder VS Code has open, the repository. */
export interface ScenarioContext {
  /** The copy of the fixture workspace this code-server has open (scenarios may change it). */
  workspace: string;
  repoRoot: string;
  /** The workbench URL of the workspace (a reload opens it again). */
  url: string;
}

export interface Scenario {
  title: string;
  run(step: Step, page: Page, ctx: ScenarioContext): Promise<void>;
}

/**
 * Runs a scenario's steps in order. Each step is one test result named `<scenario> > <step>`;
 * once a step fails, the later steps of the same scenario are reported as skipped (they would
 * only fail for the same reason).
 */
export async function runScenario(scenario: Scenario, page: Page, ctx: ScenarioContext, results: Results, shotsDir: string, stepTimeoutMs: number): Promise<void> {
  fs.mkdirSync(shotsDir, { recursive: true });
  let broken = false;
  const step: Step = async (name, fn) => {
    const full = `${scenario.title} > ${name}`;
    if (broken) {
      results.add({ name: full, outcome: 'skipped', ms: 0 });
      return;
    }
    const started = Date.now();
    try {
      await withTimeout(fn(page), stepTimeoutMs, `step "${name}" timed out after ${stepTimeoutMs / 1000} s`);
      await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
      results.add({ name: full, outcome: 'passed', ms: Date.now() - started });
    } catch (e) {
      broken = true;
      const shot = path.join(shotsDir, `${name}-failed.png`);
      await page.screenshot({ path: shot, timeout: 10_000 }).catch(() => undefined);
      const message = e instanceof Error ? e.message : String(e);
      results.add({ name: full, outcome: 'failed', ms: Date.now() - started, error: `${message}\nscreenshot: ${shot}` });
    }
  };
  try {
    await scenario.run(step, page, ctx);
  } catch (e) {
    // A throw outside any step is a failure of the scenario itself.
    results.add({ name: scenario.title, outcome: 'failed', ms: 0, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
