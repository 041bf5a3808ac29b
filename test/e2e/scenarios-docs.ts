// The README's screenshots, taken by the end-to-end run so they show the extension as it is:
// the bundled demo workspace (demo/) opened in code-server, a run evaluated from the explorer,
// the panel beside the run file (test-results/docs/panel.png) and the structure view
// (test-results/docs/structure.png). scripts/screenshots.sh runs this scenario alone and copies
// the two pictures to docs/. The other scenarios run first, unchanged (scenarios.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Scenario, ScenarioContext, Step } from './harness';
import { scenarios as userScenarios } from './scenarios';
import { contextMenuItem, editorGroupOf, expandFolder, explorerRow, runCommand, waitForExplorer, waitForWebview } from './workbench';

/** The title E2E_ONLY matches (scripts/screenshots.sh). */
export const DOCS_TITLE = 'Docs screenshots: the panel beside a run, the structure view';

/** Where the pictures go; the script copies them to docs/. */
const OUT = 'test-results/docs';

/**
 * The demo's files, copied into `parent`, plus workspace settings that make the
 * pictures the same whatever the other scenarios did to the user settings (one scenario toggles
 * the theme): a light theme, no minimap, and the settings folder itself hidden.
 */
export function demoWorkspace(repoRoot: string, parent: string): string {
  const dest = path.join(parent, 'demo');
  fs.cpSync(path.join(repoRoot, 'demo'), dest, { recursive: true, filter: (src) => !['report.html', 'generate.mjs'].includes(path.basename(src)) });
  fs.mkdirSync(path.join(dest, '.vscode'));
  fs.writeFileSync(
    path.join(dest, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'workbench.colorTheme': 'Default Light Modern',
        'editor.minimap.enabled': false,
        'files.exclude': { '**/.vscode': true },
        'workbench.tips.enabled': false,
        'breadcrumbs.enabled': false,
      },
      null,
      2,
    ),
  );
  return dest;
}

/** Until no notification toast is on screen (the evaluation's progress, a hint) and the panel's report is final. */
export async function settled(page: Page, frame: Frame): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const toasts = await page.locator('.notifications-toasts .notification-list-item').count();
    // Point estimates come first, marked as such; the full report has the intervals.
    const preliminary = await frame.locator('#preliminary').count();
    if (!toasts && !preliminary) return;
    if (Date.now() > deadline) throw new Error(`still ${toasts} notification(s) and ${preliminary} point-estimate mark(s) after 60 s`);
    await page.waitForTimeout(500);
  }
}

/** A workbench command from the palette, with the focus first taken from the webview. */
export async function command(page: Page, title: string): Promise<void> {
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
  await runCommand(page, title);
}

/** Drags the vertical sash at `x` (the border between two parts) to `to`, halfway down the window. */
export async function dragSash(page: Page, x: number, to: number): Promise<void> {
  const y = 450;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let k = 1; k <= 5; k++) await page.mouse.move(x + ((to - x) * k) / 5, y);
  await page.mouse.up();
  // Off the sash, which stays highlighted while the pointer is on it: to the empty title bar.
  await page.mouse.move(1100, 8);
  await page.waitForTimeout(300);
}

export const docsScenarios: Scenario[] = [
  {
    title: DOCS_TITLE,
    async run(step, page, ctx) {
      fs.mkdirSync(path.join(ctx.repoRoot, OUT), { recursive: true });
      // A short folder name: the panel shows the reference's path.
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-'));
      try {
        await screenshots(step, page, ctx, parent);
      } finally {
        fs.rmSync(parent, { recursive: true, force: true });
      }
    },
  },
];

async function screenshots(step: Step, page: Page, ctx: ScenarioContext, parent: string): Promise<void> {
  let frame: Frame | undefined;

  await step('docs-01-demo-workspace', async () => {
    const demo = demoWorkspace(ctx.repoRoot, parent);
    await page.goto(`${new URL(ctx.url).origin}/?folder=${encodeURIComponent(demo)}`);
    await waitForExplorer(page, 'representativeness.json');
    await expandFolder(page, 'runs', 'persona.csv');
    // The run file open in the editor, as a researcher has it after their script wrote it.
    await explorerRow(page, 'persona.csv').click();
    await page.locator('.tabs-container .tab').filter({ hasText: 'persona.csv' }).first().waitFor();
  });

  await step('docs-02-panel-beside-the-run', async () => {
    const item = await contextMenuItem(page, 'persona.csv', 'Evaluate Representativeness');
    await item.hover();
    await item.click();
    frame = await waitForWebview(page, 'Representativeness', 1);
    await frame.locator('.card[data-run="persona"]').waitFor();
    await frame.locator('article.item canvas').first().waitFor({ state: 'visible' });
    await settled(page, frame);
    // The weak items' diagnostics are on the run file's header cells.
    await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    // More of the window to the panel: a narrower explorer, a wider panel (their sashes dragged,
    // as a user does; the keyboard would go to whichever part has the focus).
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    assert.ok(sidebar, 'the explorer is shown');
    await dragSash(page, sidebar.x + sidebar.width, 230);
    const group = await editorGroupOf(page, 'Representativeness').boundingBox();
    assert.ok(group, 'the panel is shown in an editor group');
    await dragSash(page, group.x, 640);
    const wider = await editorGroupOf(page, 'Representativeness').boundingBox();
    assert.ok(wider && wider.width > 700, `the panel is ${Math.round(wider?.width ?? 0)} px wide`);
    frame = await waitForWebview(page, 'Representativeness', 1);
    await frame.locator('.card[data-run="persona"]').waitFor();
    await page.waitForTimeout(800);
    const file = path.join(ctx.repoRoot, OUT, 'panel.png');
    await page.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 20_000, 'the picture has content');
  });

  await step('docs-03-structure-view', async () => {
    // The panel alone, as wide as the window: the three heatmaps side by side.
    await command(page, 'View: Toggle Primary Side Bar Visibility');
    frame = await waitForWebview(page, 'Representativeness', 1);
    await frame.locator('vscode-tab-header').filter({ hasText: /^\s*Structure\s*$/ }).first().click();
    await frame.locator('figure.heat canvas').nth(2).waitFor({ state: 'visible' });
    const panelTab = page.locator('.tabs-container .tab').filter({ hasText: /^Representativeness$/ }).first();
    await panelTab.click();
    await command(page, 'View: Toggle Maximize Editor Group');
    frame = await waitForWebview(page, 'Representativeness', 3);
    const heading = frame.locator('section.structure h2').first();
    await heading.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(1000);
    const top = await heading.boundingBox();
    const maps = await frame.locator('.heatmaps').boundingBox();
    const view = await page.locator('iframe.webview.ready').first().boundingBox();
    assert.ok(top && maps && view, 'the structure view is on screen');
    // Down to the colour legend, across to the third heatmap: the panel's empty right side left out.
    const third = await frame.locator('figure.heat').nth(2).boundingBox();
    assert.ok(third, 'the difference heatmap is on screen');
    const y = Math.max(view.y, top.y - 12);
    const bottom = Math.min(view.y + view.height, maps.y + maps.height + 12);
    const right = Math.min(view.x + view.width, third.x + third.width + 24);
    assert.ok(bottom - y > 300, `the heatmaps fit in the window (${Math.round(bottom - y)} px tall)`);
    await page.screenshot({ path: path.join(ctx.repoRoot, OUT, 'structure.png'), clip: { x: view.x, y, width: right - view.x, height: bottom - y } });
    assert.equal(await frame.locator('figure.heat canvas').count(), 3, 'human, model and difference');
  });
}

/** What run.ts runs: the user scenarios, then the screenshots. */
export const scenarios: Scenario[] = [...userScenarios, ...docsScenarios];
