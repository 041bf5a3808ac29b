// "Never flatter a run": what the panel, the status bar and the Problems panel say must not
// mislead. Each scenario opens a workspace of its own (small synthetic WVS-like files made from
// the fixture workspace), so that what another scenario did (a remembered reference, a written
// config, an open panel) cannot help or hide anything. Screenshots: test-results/trust-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import type { EvaluationReport } from '../../src/core/report/model';
import type { Scenario, ScenarioContext } from './harness';
import { sleep } from './processes';
import { EVALUATE, cliReport, fmt, scenarios, until } from './scenarios';
import { contextMenuItem, expandFolder, explorerRow, openProblems, quickInputTitle, waitForExplorer } from './workbench';

// ---------------------------------------------------------------------------------------------
// Workspaces

/** A folder of its own beside the shared test workspace, made of the fixture's files. */
export function makeWorkspace(ctx: ScenarioContext, name: string, files: Record<string, string>): string {
  const dir = path.join(path.dirname(ctx.workspace), name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export function fixture(ctx: ScenarioContext, rel: string): string {
  return fs.readFileSync(path.join(ctx.repoRoot, 'test', 'fixtures', 'workspace', rel), 'utf8');
}

function table(text: string): string[][] {
  return text.trimEnd().split(/\r?\n/).map((l) => l.split(','));
}

function csv(rows: string[][]): string {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

/** The fixture's human reference as WVS names it: `B_COUNTRY_ALPHA`; weights as given, or rounded to whole numbers. */
export function wvsReference(ctx: ScenarioContext, opts: { integerWeights?: boolean; copies?: number } = {}): string {
  const [head, ...rows] = table(fixture(ctx, 'reference.csv'));
  const header = head.map((c) => (c === 'country' ? 'B_COUNTRY_ALPHA' : c));
  const w = header.indexOf('W_WEIGHT');
  const out = [header];
  for (let k = 0; k < (opts.copies ?? 1); k++) {
    for (const r of rows) out.push(r.map((v, i) => (i === w && opts.integerWeights ? String(Math.max(1, Math.round(Number(v)))) : i === 0 ? String(Number(v) + k * 10_000) : v)));
  }
  return csv(out);
}

const COUNTRIES = ['DEU', 'JPN', 'USA'];

/** The fixture's persona run with the country each persona was told it lives in. */
function personaRun(ctx: ScenarioContext, shift = 0, copies = 1): string {
  const [head, ...rows] = table(fixture(ctx, 'runs/persona.csv'));
  const out = [[head[0], 'persona_country', ...head.slice(1)]];
  for (let k = 0; k < copies; k++) {
    rows.forEach((r, i) => out.push([`${r[0]}-${k}`, COUNTRIES[i % 3], ...r.slice(1).map((v) => String(Math.min(4, Math.max(1, Number(v) + shift))))]));
  }
  return csv(out);
}

/** Opens `dir` in the workbench (a new window of code-server for that folder). */
export async function openWorkspace(page: Page, ctx: ScenarioContext, dir: string, someFile: string): Promise<void> {
  await page.goto(`${new URL(ctx.url).origin}/?folder=${encodeURIComponent(dir)}`);
  await waitForExplorer(page, someFile, 90_000);
}

// ---------------------------------------------------------------------------------------------
// What the user sees

/**
 * The panel's document (the inner frame of the webview that holds `main#app`), brought to the
 * front if it is in a background tab. Unlike the other scenarios' helper it does not give up on an
 * error notification: several steps here make evaluations fail on purpose.
 */
export async function panelFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  let clicked = false;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if ((await frame.locator('main#app').count().catch(() => 0)) > 0) return frame;
    }
    if (!clicked && Date.now() > deadline - timeoutMs + 3000) {
      const tab = page.locator('.tabs-container .tab').filter({ hasText: /^Representativeness$/ });
      if (await tab.count()) await tab.first().click().catch(() => undefined);
      clicked = true;
    }
    if (Date.now() > deadline) throw new Error(`no Representativeness panel within ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

/** When the report the panel shows was made (its `createdAt`), or null. */
async function shownReportTime(page: Page): Promise<string | null> {
  const frame = await panelFrame(page, 5000).catch(() => null);
  return frame ? frame.locator('#evaluated-at').getAttribute('data-created-at', { timeout: 1000 }).catch(() => null) : null;
}

/** Waits for the panel to show a report made after `before` with a card for `run`. */
export async function newReport(page: Page, before: string | null, run: string, timeoutMs = 120_000): Promise<Frame> {
  await until(`a new report with run ${run}`, async () => {
    const frame = await panelFrame(page, 5000);
    const at = await frame.locator('#evaluated-at').getAttribute('data-created-at', { timeout: 1000 }).catch(() => null);
    if (!at || at === before) return `the panel shows ${at ?? 'no report'}`;
    if (await frame.locator('#preliminary').count()) return 'point estimates only, so far';
    return (await frame.locator(`.card[data-run="${run}"]`).count()) > 0 || `no card for ${run}`;
  }, timeoutMs);
  return panelFrame(page);
}

/** Right-clicks a file in the explorer and chooses "Evaluate Representativeness". */
export async function evaluateFromExplorer(page: Page, file: string): Promise<void> {
  const item = await contextMenuItem(page, file, EVALUATE);
  await item.hover();
  await item.click();
  // A click that lands while the menu is still animating in is lost: click again then.
  await sleep(700);
  if (await item.isVisible().catch(() => false)) await item.click().catch(() => undefined);
}

/** The rows of the open quick pick (label, description and detail of each), in order. */
async function quickPickRows(page: Page): Promise<string[]> {
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  // The items are computed (each candidate file read) before they show: wait until the list settles.
  let last = '';
  for (let k = 0; k < 20; k++) {
    const now = JSON.stringify(await rows.allInnerTexts());
    if (now === last) break;
    last = now;
    await sleep(300);
  }
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** A modal dialog's message and detail, once it shows. */
async function dialogText(page: Page, timeoutMs = 30_000): Promise<string> {
  const box = page.locator('.monaco-dialog-box');
  await box.waitFor({ timeout: timeoutMs });
  return (await box.innerText()).replace(/\s+/g, ' ');
}

function dialogButton(page: Page, label: string): Locator {
  return page.locator('.monaco-dialog-box .monaco-button').filter({ hasText: new RegExp(`^${label}$`) });
}

function toastButton(page: Page, label: string): Locator {
  return page.locator('.notifications-toasts .notification-list-item .monaco-button').filter({ hasText: new RegExp(`^${label}$`) });
}

/** The Representativeness item of the status bar. */
function statusItem(page: Page): Locator {
  return page.locator('.statusbar-item').filter({ hasText: /marginals|Representativeness/ }).first();
}

/**
 * Every row of the Problems panel (file rows and marker rows), read by scrolling its virtualised
 * tree: `level` 1 is a file, 2 a problem in it.
 */
async function problemRows(page: Page): Promise<{ level: number; text: string }[]> {
  await openProblems(page, 0);
  const list = page.locator('.markers-panel .monaco-list').first();
  await list.waitFor();
  await list.hover();
  for (let k = 0; k < 10; k++) await page.mouse.wheel(0, -2000);
  const seen = new Map<number, { level: number; text: string }>();
  let quiet = 0;
  for (let k = 0; k < 80 && quiet < 3; k++) {
    const rows = await page.locator('.markers-panel .monaco-list-row[aria-level]').evaluateAll((els) =>
      els.map((e) => ({ index: Number(e.getAttribute('data-index')), level: Number(e.getAttribute('aria-level')), text: (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim() })),
    );
    const before = seen.size;
    for (const r of rows) if (!seen.has(r.index)) seen.set(r.index, { level: r.level, text: r.text });
    quiet = seen.size === before ? quiet + 1 : 0;
    await page.mouse.wheel(0, 150);
    await sleep(100);
  }
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

/** 1-based line and column of the first `needle` in `text` (as the Problems panel writes them). */
function lineColumn(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} in the text`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

// ---------------------------------------------------------------------------------------------

export const trustScenarios: Scenario[] = [
  {
    title: 'Trust: without a config, the human survey is proposed, never another run',
    async run(step, page, ctx) {
      const dir = makeWorkspace(ctx, 'trust-reference', {
        'runs/persona.csv': personaRun(ctx),
        // An earlier run of the same script: the largest file here, and another run all the same.
        'runs/persona-v1.csv': personaRun(ctx, -1, 12),
        'runs/empty.csv': '',
        'survey/wvs_wave7_sample.csv': wvsReference(ctx, { copies: 2 }),
      });

      await step('trust-01-reference-proposed', async () => {
        await openWorkspace(page, ctx, dir, 'survey');
        await expandFolder(page, 'runs', 'persona.csv');
        await evaluateFromExplorer(page, 'persona.csv');
        await quickInputTitle(page, /choose the human reference survey/, 60_000);
        const rows = await quickPickRows(page);
        assert.match(rows[0], /wvs_wave7_sample\.csv/, `first choice: ${rows[0]}`);
        assert.match(rows[0], /proposed/, rows[0]);
        assert.match(rows[0], /weight W_WEIGHT/, rows[0]);
        assert.match(rows[0], /groups B_COUNTRY_ALPHA ↔ persona_country/, rows[0]);
        const sibling = rows.findIndex((r) => r.includes('persona-v1.csv'));
        assert.ok(sibling > 0, `persona-v1.csv listed after the survey: ${JSON.stringify(rows)}`);
        assert.match(rows[sibling], /Another run: has the run's columns persona_id, persona_country/);
        assert.ok(!rows.some((r) => /empty\.csv/.test(r)), `an empty file is no reference: ${JSON.stringify(rows)}`);
        assert.ok(!rows.some((r) => /^persona\.csv/.test(r)), 'the run is not its own reference');
      });

      await step('trust-02-another-run-needs-confirmation', async () => {
        // The user picks the earlier run anyway: a warning they cannot miss, before anything is evaluated.
        await page.locator('.quick-input-widget input').fill('persona-v1');
        await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'persona-v1.csv' }).first().waitFor();
        await page.keyboard.press('Enter');
        const text = await dialogText(page);
        assert.match(text, /persona-v1\.csv looks like another model run, not a human reference survey/);
        assert.match(text, /measures how alike two runs are/);
        await dialogButton(page, 'Compare Anyway').waitFor();
      });

      await step('trust-03-compared-anyway-says-so', async () => {
        await dialogButton(page, 'Compare Anyway').click();
        const frame = await newReport(page, null, 'persona');
        const alert = await frame.locator('#alerts .alert.warning').first().innerText();
        assert.match(alert, /looks like another model run/);
        assert.match(alert, /these scores compare two runs/);
        assert.match(await statusItem(page).innerText(), /persona: marginals/);
        // Such a choice is never offered to be saved as the config.
        await sleep(3000);
        assert.equal(await toastButton(page, 'Write Config').count(), 0, 'no offer to save a run as the reference');
      });

      let shown: string | null = null;
      await step('trust-04-enter-takes-the-survey', async () => {
        shown = await shownReportTime(page);
        await evaluateFromExplorer(page, 'persona.csv');
        await quickInputTitle(page, /choose the human reference survey/, 60_000);
        await quickPickRows(page);
        await page.keyboard.press('Enter');
        const frame = await newReport(page, shown, 'persona');
        const subtitle = (await frame.locator('header .subtitle').allInnerTexts()).join(' ');
        assert.match(subtitle, /wvs_wave7_sample\.csv · 600 respondents \(weighted\) · 6 items/, subtitle);
        assert.equal(await frame.locator('#alerts').count(), 0, 'nothing to warn about');
        await toastButton(page, 'Not Now').first().waitFor({ timeout: 60_000 });
        await toastButton(page, 'Not Now').first().click();
      });

      await step('trust-05-save-offered-once-per-workspace', async () => {
        shown = await shownReportTime(page);
        await evaluateFromExplorer(page, 'persona.csv');
        await quickInputTitle(page, /choose the human reference survey/, 60_000);
        const rows = await quickPickRows(page);
        assert.match(rows[0], /wvs_wave7_sample\.csv.*last used reference/, rows[0]);
        await page.keyboard.press('Enter');
        await newReport(page, shown, 'persona');
        // The offer came with the first evaluation; it does not come back with every one.
        await sleep(4000);
        assert.equal(await toastButton(page, 'Write Config').count(), 0, '"Save these choices" asked a second time');
        assert.ok(!fs.existsSync(path.join(dir, 'representativeness.json')));
      });
    },
  },

  {
    title: 'Trust: a survey weight and country groups without a config',
    async run(step, page, ctx) {
      const dir = makeWorkspace(ctx, 'trust-weight', {
        // W_WEIGHT holding whole numbers (1, 2): a three-code "item" to a reader that guesses items.
        'reference.csv': wvsReference(ctx, { integerWeights: true }),
        'runs/persona.csv': personaRun(ctx),
      });
      const configFile = path.join(dir, 'representativeness.json');
      let frame: Frame | undefined;

      await step('trust-06-weight-and-groups-proposed', async () => {
        await openWorkspace(page, ctx, dir, 'reference.csv');
        await expandFolder(page, 'runs', 'persona.csv');
        await evaluateFromExplorer(page, 'persona.csv');
        await quickInputTitle(page, /choose the human reference survey/, 60_000);
        const rows = await quickPickRows(page);
        assert.match(rows[0], /reference\.csv.*weight W_WEIGHT.*groups B_COUNTRY_ALPHA ↔ persona_country/, rows[0]);
        await page.keyboard.press('Enter');
        frame = await newReport(page, null, 'persona');
      });

      await step('trust-07-weighted-grouped-no-weight-item', async () => {
        frame ??= await panelFrame(page);
        const subtitle = (await frame.locator('header .subtitle').allInnerTexts()).join(' ');
        assert.match(subtitle, /reference\.csv · 300 respondents \(weighted\) · 6 items/, `W_WEIGHT is the weight, not a 7th item: ${subtitle}`);
        const card = frame.locator('.card[data-run="persona"]');
        await card.getByText('Group-level structure ρ').waitFor();
        const problems = await problemRows(page);
        assert.ok(!problems.some((p) => /W_WEIGHT/.test(p.text) && /not a column/.test(p.text)), `no "W_WEIGHT is not a column": ${JSON.stringify(problems)}`);
        assert.ok(!problems.some((p) => /error/i.test(p.text) && p.level > 1 && /W_WEIGHT/.test(p.text)));
      });

      await step('trust-08-written-config-carries-them', async () => {
        await toastButton(page, 'Write Config').first().waitFor({ timeout: 60_000 });
        const offer = await page.locator('.notifications-toasts .notification-list-item-message').filter({ hasText: 'Save these choices' }).first().innerText();
        assert.match(offer, /weight W_WEIGHT/);
        assert.match(offer, /groups B_COUNTRY_ALPHA ↔ persona_country/);
        await toastButton(page, 'Write Config').first().click();
        await until('representativeness.json is written', async () => fs.existsSync(configFile) || 'not yet');
        await sleep(300);
        const written = JSON.parse(fs.readFileSync(configFile, 'utf8'));
        assert.deepEqual(written.reference, { path: 'reference.csv', weight: 'W_WEIGHT' });
        assert.deepEqual(written.groupBy, { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' });
        assert.deepEqual(written.runs, [{ name: 'persona', path: 'runs/persona.csv' }]);
        // The command line reads the written config the same way: weighted, with the group level,
        // and the panel showed its numbers.
        const cli = cliReport(ctx.repoRoot, configFile);
        assert.equal(cli.reference.weighted, true);
        assert.ok(cli.runs[0].structure.group, 'group-level structure');
        frame = await panelFrame(page);
        const scores = await frame.locator('.card[data-run="persona"] .score-value').allInnerTexts();
        const m = cli.runs[0].marginal.summary.representativeness;
        assert.ok(scores[0].startsWith(fmt(m.value)), `panel ${scores[0]} vs CLI ${fmt(m.value)}`);
      });
    },
  },

  {
    title: 'Trust: out-of-date results are marked, one error at a time',
    async run(step, page, ctx) {
      const config = {
        reference: { path: 'reference.csv', codebook: 'codebook.json', weight: 'W_WEIGHT' },
        runs: [
          { name: 'persona', path: 'runs/persona.csv' },
          { name: 'base', path: 'runs/base.csv' },
        ],
        bootstrap: 50,
        permutations: 99,
      };
      const configText = JSON.stringify(config, null, 2) + '\n';
      const dir = makeWorkspace(ctx, 'trust-stale', {
        'representativeness.json': configText,
        'reference.csv': fixture(ctx, 'reference.csv'),
        'codebook.json': fixture(ctx, 'codebook.json'),
        'runs/persona.csv': fixture(ctx, 'runs/persona.csv'),
        'runs/base.csv': personaRun(ctx, -1).split('\n').map((l) => l.split(',').filter((_, i) => i !== 1).join(',')).join('\n'),
        // Files that share no item with the reference: evaluating them fails.
        'scratch/notes-a.csv': 'x,y\n1,2\n',
        'scratch/notes-b.csv': 'u,v\n3,4\n',
      });
      const configFile = path.join(dir, 'representativeness.json');
      let shown: string | null = null;

      await step('trust-09-evaluated', async () => {
        await openWorkspace(page, ctx, dir, 'representativeness.json');
        await expandFolder(page, 'runs', 'persona.csv');
        // What the panel's progress line says, from the first evaluation on.
        await evaluateFromExplorer(page, 'persona.csv');
        const frame = await newReport(page, null, 'persona');
        assert.equal(await frame.locator('#stale').count(), 0);
        await until('the status bar shows the scores', async () => /persona: marginals \d/.test(await statusItem(page).innerText()) || await statusItem(page).innerText());
        shown = await shownReportTime(page);
      });

      await step('trust-10-progress-never-done-early', async () => {
        const frame = await panelFrame(page);
        await frame.evaluate(() => {
          const w = window as unknown as { progressSeen: string[] };
          w.progressSeen = [];
          new MutationObserver(() => {
            const t = document.getElementById('progress')?.textContent;
            if (t && w.progressSeen[w.progressSeen.length - 1] !== t) w.progressSeen.push(t);
          }).observe(document.getElementById('app')!, { subtree: true, childList: true, characterData: true });
        });
        await evaluateFromExplorer(page, 'persona.csv');
        await newReport(page, shown, 'persona');
        shown = await shownReportTime(page);
        const seen = await (await panelFrame(page)).evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
        assert.ok(seen.length > 0, 'progress was shown');
        const early = seen.filter((t) => /^Done\b/.test(t) && /%/.test(t));
        assert.deepEqual(early, [], `progress lines: ${JSON.stringify(seen)}`);
      });

      await step('trust-11-config-syntax-error-marks-results', async () => {
        // A stray comma: live mode reads the config again and cannot.
        fs.writeFileSync(configFile, configText.replace('"weight": "W_WEIGHT"\n  },', '"weight": "W_WEIGHT"\n  },,'));
        const frame = await panelFrame(page);
        await frame.locator('#failure').waitFor({ timeout: 60_000 });
        await until('the results are marked out of date, with why', async () => {
          const stale = (await frame.locator('#stale').innerText().catch(() => '')).replace(/\s+/g, ' ');
          return /Out of date: The last evaluation failed \(see above\)\. The results below are from the evaluation of /.test(stale) || stale;
        });
        const failure = await frame.locator('#failure').innerText();
        assert.match(failure, /representativeness\.json:6:5: The configuration is not valid JSON: a property name is expected here/, failure);
        assert.doesNotMatch(failure, /PropertyNameExpected/);
        await until('the status bar says the scores are out of date', async () => /persona: marginals .* \(out of date\)/.test(await statusItem(page).innerText()) || await statusItem(page).innerText());
        const problems = await problemRows(page);
        assert.ok(problems.some((p) => /a property name is expected here/.test(p.text) && /Ln 6, Col 5/.test(p.text)), JSON.stringify(problems));
        assert.ok(!problems.some((p) => /PropertyNameExpected/.test(p.text)));
      });

      await step('trust-12-one-error-at-a-time', async () => {
        fs.writeFileSync(configFile, configText);
        await newReport(page, shown, 'persona');
        // Two failing evaluations in a row: only the newer error is shown.
        await expandFolder(page, 'scratch', 'notes-a.csv');
        await evaluateFromExplorer(page, 'notes-a.csv');
        let frame = await panelFrame(page);
        await frame.locator('.failure').filter({ hasText: 'notes-a.csv' }).first().waitFor({ timeout: 90_000 });
        await evaluateFromExplorer(page, 'notes-b.csv');
        frame = await panelFrame(page);
        await frame.locator('.failure').filter({ hasText: 'notes-b.csv' }).first().waitFor({ timeout: 90_000 });
        assert.equal(await frame.locator('.failure').count(), 1, `errors shown: ${JSON.stringify(await frame.locator('.failure').allInnerTexts())}`);
        assert.match(await frame.locator('#stale').innerText(), /The last evaluation failed/);
        assert.match(await statusItem(page).innerText(), /\(out of date\)/);
        // The panel in view says it: no notification is left behind per failure.
        const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
        assert.ok(!toasts.some((t) => /Evaluation failed/.test(t)), `notifications: ${JSON.stringify(toasts)}`);
      });

      await step('trust-13-next-evaluation-clears-them', async () => {
        shown = await shownReportTime(page);
        await evaluateFromExplorer(page, 'persona.csv');
        const frame = await newReport(page, shown, 'persona');
        shown = await shownReportTime(page);
        assert.equal(await frame.locator('.failure').count(), 0);
        assert.equal(await frame.locator('#stale').count(), 0);
        await until('the status bar is current again', async () => !/out of date/.test(await statusItem(page).innerText()) || await statusItem(page).innerText());
      });

      await step('trust-14-deleted-run-re-evaluated', async () => {
        fs.rmSync(path.join(dir, 'runs', 'base.csv'));
        const frame = await newReport(page, shown, 'persona');
        shown = await shownReportTime(page);
        assert.equal(await frame.locator('.card[data-run="base"]').count(), 0, 'the deleted run is gone from the panel');
        assert.match(await frame.locator('#alerts').innerText(), /Run "base" was not evaluated: runs\/base\.csv does not exist/);
        const at = lineColumn(configText, '{\n      "name": "base"');
        const problems = await problemRows(page);
        const missing = problems.find((p) => /Run "base": runs\/base\.csv does not exist/.test(p.text));
        assert.ok(missing, JSON.stringify(problems));
        assert.match(missing.text, new RegExp(`Ln ${at.line}, Col ${at.column}`));
      });

      await step('trust-15-settings-re-evaluate', async () => {
        const frame = await panelFrame(page);
        const weakBefore = await frame.locator('.card[data-run="persona"] .meta').first().innerText();
        assert.doesNotMatch(weakBefore, / 0 weak items/);
        // Thresholds so lenient that no item is weak: the panel follows without being asked.
        fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
        fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'representativeness.thresholds.w1Normalized': 5, 'representativeness.thresholds.tvd': 1, 'representativeness.thresholds.invalid': 1 }, null, 2));
        const after = await newReport(page, shown, 'persona');
        await until('no weak item under the new thresholds', async () => / 0 weak items/.test(await after.locator('.card[data-run="persona"] .meta').first().innerText()) || await after.locator('.card[data-run="persona"] .meta').first().innerText());
      });
    },
  },

  {
    title: 'Trust: problems where they belong',
    async run(step, page, ctx) {
      const configText = JSON.stringify(
        {
          // A typo in the weight's name.
          reference: { path: 'reference.csv', codebook: 'codebook.json', weight: 'W_WIEGHT' },
          runs: [
            { name: 'persona', path: 'runs/persona.csv' },
            { name: 'base', path: 'runs/base.csv' },
          ],
          bootstrap: 50,
          permutations: 99,
        },
        null,
        2,
      ) + '\n';
      const dir = makeWorkspace(ctx, 'trust-problems', {
        'representativeness.json': configText,
        'reference.csv': fixture(ctx, 'reference.csv'),
        'codebook.json': fixture(ctx, 'codebook.json'),
        'runs/persona.csv': fixture(ctx, 'runs/persona.csv'),
        'runs/base.csv': personaRun(ctx, -1).split('\n').map((l) => l.split(',').filter((_, i) => i !== 1).join(',')).join('\n'),
      });
      const cli: EvaluationReport = cliReport(ctx.repoRoot, path.join(dir, 'representativeness.json'), { unweighted: true });
      const baseWeak = cli.runs.find((r) => r.name === 'base')!.weakItems.length;
      assert.ok(baseWeak > 0 && cli.runs[0].weakItems.length > 0, 'both runs have weak items');

      await step('trust-16-no-evaluate-on-config-or-codebook', async () => {
        await openWorkspace(page, ctx, dir, 'representativeness.json');
        await expandFolder(page, 'runs', 'persona.csv');
        // The extension is up (a data file offers the command) ...
        await contextMenuItem(page, 'persona.csv', EVALUATE);
        await page.keyboard.press('Escape');
        // ... and the config and the codebook do not offer it.
        for (const file of ['representativeness.json', 'codebook.json']) {
          await sleep(500);
          await explorerRow(page, file).click({ button: 'right' });
          await page.locator('.context-view .monaco-menu .action-item').first().waitFor();
          const items = await page.locator('.context-view .monaco-menu .action-item').allInnerTexts();
          await page.screenshot({ path: path.join(ctx.repoRoot, 'test-results', `trust-16-menu-${file}.png`) });
          await page.keyboard.press('Escape');
          assert.ok(!items.some((t) => t.includes(EVALUATE)), `${file} offers ${EVALUATE}: ${JSON.stringify(items)}`);
        }
      });

      await step('trust-17-weight-typo-at-the-config-line', async () => {
        await evaluateFromExplorer(page, 'persona.csv');
        const frame = await newReport(page, null, 'persona');
        const alert = await frame.locator('#alerts .alert.error').first().innerText();
        assert.match(alert, /Weight not applied: The weight column "W_WIEGHT" is not in reference\.csv, so no weight was applied/);
        assert.match(alert, /Did you mean "W_WEIGHT"\?/);
        const at = lineColumn(configText, '"W_WIEGHT"');
        const problems = await problemRows(page);
        const weight = problems.find((p) => /W_WIEGHT/.test(p.text));
        assert.ok(weight, JSON.stringify(problems));
        assert.match(weight.text, new RegExp(`Ln ${at.line}, Col ${at.column}`), weight.text);
        // Under the config, not under reference.csv.
        const file = problems.slice(0, problems.indexOf(weight)).reverse().find((p) => p.level === 1);
        assert.match(file?.text ?? '', /representativeness\.json/);
        assert.match(await statusItem(page).innerText(), /persona: marginals/);
      });

      await step('trust-18-clicked-run-problems-only', async () => {
        const problems = await problemRows(page);
        assert.ok(problems.some((p) => /Representativeness \(persona\): item/.test(p.text)), `persona's weak items: ${JSON.stringify(problems)}`);
        assert.ok(!problems.some((p) => /Representativeness \(base\)/.test(p.text) || (p.level === 1 && /base\.csv/.test(p.text))), `base's problems flood in: ${JSON.stringify(problems)}`);
        await page.screenshot({ path: path.join(ctx.repoRoot, 'test-results', 'trust-18a-problems-of-the-clicked-run.png') });
        // On request, every run's.
        const frame = await panelFrame(page);
        await frame.locator('details.problems summary').click();
        await frame.locator('#show-all-problems').click();
        await until('base\'s weak items are listed too', async () => {
          const all = await problemRows(page);
          return all.filter((p) => /Representativeness \(base\)/.test(p.text)).length >= baseWeak || JSON.stringify(all);
        });
      });

      await step('trust-19-diagnostics-back-after-reload', async () => {
        await page.reload();
        await waitForExplorer(page, 'representativeness.json', 90_000);
        // Nothing is evaluated: the restored panel and its problems come back by themselves.
        const frame = await panelFrame(page, 90_000);
        await frame.locator('.card[data-run="persona"]').waitFor({ timeout: 60_000 });
        await until('weak items are in the Problems panel again', async () => {
          const problems = await problemRows(page);
          return problems.some((p) => /Representativeness \(persona\): item/.test(p.text)) || JSON.stringify(problems);
        }, 60_000);
        await frame.locator('#alerts .alert.error').first().waitFor();
      });
    },
  },
];

/** The scenarios of scenarios.ts, then these (each in its own workspace, so they can come last). */
export const allScenarios: Scenario[] = [...scenarios, ...trustScenarios];
