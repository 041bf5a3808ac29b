// SPSS and Stata files in the editor: a .sav reference evaluated from the explorer's context menu
// shows the same scores as its CSV twin. The workspace is made here from the reader fixtures
// (test/fixtures/formats: survey.sav written by R haven, survey.csv the same data) and a run made
// from the CSV. Screenshots: test-results/formats-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import type { EvaluationReport } from '../../src/core/report/model';
import type { Scenario, ScenarioContext } from './harness';
import { sleep } from './processes';
import { EVALUATE, cliReport, expectedNumbers, panelNumbers, until, type PanelNumbers } from './scenarios';
import { contextMenuItem, waitForExplorer } from './workbench';

const ITEMS = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5'];

/**
 * A folder of its own beside the shared test workspace: reference.sav (haven's survey.sav), the
 * same data as reference.csv, a run of 150 "respondents" (the reference's answers shifted by one
 * row, some moved up the scale, -1..-5 kept: missing against both), and a config for each reference.
 */
function makeWorkspace(ctx: ScenarioContext): { dir: string; savConfig: string; csvConfig: string } {
  const dir = path.join(path.dirname(ctx.workspace), 'workspace-formats');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'csv'), { recursive: true });
  const fixtures = path.join(ctx.repoRoot, 'test', 'fixtures', 'formats');
  fs.copyFileSync(path.join(fixtures, 'survey.sav'), path.join(dir, 'reference.sav'));
  fs.copyFileSync(path.join(fixtures, 'survey.csv'), path.join(dir, 'csv', 'reference.csv'));
  const lines = fs.readFileSync(path.join(fixtures, 'survey.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',').map((h) => h.replace(/"/g, ''));
  const rows = lines.slice(1).map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')));
  const cols = ITEMS.map((k) => header.indexOf(k));
  // Every third respondent moved one step up the scale (where the answer is a code, not missing),
  // so the scores are not trivially 1.
  const top = [4, 10, 5, 4, 2]; // Q1..Q5's highest code
  const answer = (v: string, i: number, k: number) => (i % 3 === 0 && Number(v) > 0 && Number(v) < top[k] ? String(Number(v) + 1) : v);
  const run = [ITEMS.join(','), ...rows.slice(0, 150).map((_, i) => cols.map((c, k) => answer(rows[(i + 1) % rows.length][c], i, k)).join(','))];
  fs.writeFileSync(path.join(dir, 'runs', 'shifted.csv'), run.join('\n') + '\n');
  const config = (reference: string, runPath: string) => ({ reference: { path: reference, weight: 'W_WEIGHT' }, runs: [{ name: 'shifted', path: runPath }], items: ITEMS });
  const savConfig = path.join(dir, 'representativeness.json');
  fs.writeFileSync(savConfig, JSON.stringify(config('reference.sav', 'runs/shifted.csv'), null, 2) + '\n');
  // The CSV twin's config, for the CLI only (outside the folder the extension evaluates from).
  const csvConfig = path.join(dir, 'csv', 'representativeness.json');
  fs.writeFileSync(csvConfig, JSON.stringify(config('reference.csv', '../runs/shifted.csv'), null, 2) + '\n');
  return { dir, savConfig, csvConfig };
}

/** The panel's document (the webview's inner frame with `main#app`), once it shows the final report. */
async function finalPanel(page: Page, run: string, timeoutMs = 120_000): Promise<Frame> {
  let found: Frame | null = null;
  await until(`the panel with the final report of ${run}`, async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if ((await frame.locator('main#app').count().catch(() => 0)) === 0) continue;
      if (await frame.locator('#preliminary').count()) return 'point estimates only, so far';
      if ((await frame.locator(`.card[data-run="${run}"]`).count()) === 0) return `no card for ${run}`;
      found = frame;
      return true;
    }
    return 'no Representativeness panel';
  }, timeoutMs);
  return found!;
}

/** The numbers that do not depend on where the reference came from (not the answer labels, which only the .sav has). */
function scoresOnly(n: PanelNumbers): unknown {
  return {
    scores: n.scores,
    summary: n.summary,
    pairs: n.pairs,
    shares: Object.fromEntries(Object.entries(n.items).map(([item, rows]) => [item, rows.map((r) => [r[0], r[2], r[3]])])),
  };
}

export const formatScenarios: Scenario[] = [
  {
    title: 'SPSS reference from the explorer: the CSV twin\'s scores',
    async run(step, page, ctx) {
      const ws = makeWorkspace(ctx);
      let savReport: EvaluationReport | undefined;
      let csvReport: EvaluationReport | undefined;

      await step('formats-01-explorer', async () => {
        savReport = cliReport(ctx.repoRoot, ws.savConfig);
        csvReport = cliReport(ctx.repoRoot, ws.csvConfig);
        // The CLI already agrees (test/unit/cli/survey-formats.test.ts checks every number).
        assert.deepEqual(savReport.runs[0].marginal.summary, csvReport.runs[0].marginal.summary);
        await page.goto(`${new URL(ctx.url).origin}/?folder=${encodeURIComponent(ws.dir)}`);
        await waitForExplorer(page, 'reference.sav', 90_000);
      });

      let item: Locator | undefined;
      await step('formats-02-context-menu-on-sav', async () => {
        // The menu stays open for the screenshot; the next step clicks its item.
        item = await contextMenuItem(page, 'reference.sav', EVALUATE);
        assert.ok(await item.isVisible(), 'the menu offers Evaluate Representativeness on a .sav');
      });

      await step('formats-03-panel-equals-csv', async () => {
        if (!item || !(await item.isVisible())) item = await contextMenuItem(page, 'reference.sav', EVALUATE);
        await item.hover();
        await item.click();
        // A click that lands while the menu is still animating in is lost: click again then.
        await sleep(700);
        if (await item.isVisible().catch(() => false)) await item.click().catch(() => undefined);
        const frame = await finalPanel(page, 'shifted');
        await frame.locator('canvas').first().waitFor({ state: 'visible' });
        const shown = await panelNumbers(frame, 'shifted');
        // What the panel shows is the CLI's report of the .sav reference, labels from the file included...
        assert.deepEqual(shown, expectedNumbers(savReport!.runs[0], null));
        // ...and its scores, shares and pairs are the CSV twin's.
        assert.deepEqual(scoresOnly(shown), scoresOnly(expectedNumbers(csvReport!.runs[0], null)));
        assert.ok(shown.scores.length >= 2 && shown.scores.every((s) => /\d\.\d{3}/.test(s)), JSON.stringify(shown.scores));
        // The answer labels come from the .sav's dictionary.
        assert.equal(shown.items.Q1?.[0]?.[1], 'Very important');
        // Status bar: the run's headline, the CLI's numbers.
        await page.locator('.statusbar-item').filter({ hasText: /shifted: marginals \d\.\d{3}/ }).first().waitFor();
      });
    },
  },
];
