// What a user does with the packaged extension, step by step. Add a scenario to the list, or
// steps to one: each `step` is a test result and leaves a screenshot test-results/<name>.png.
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { Scenario } from './harness';
import { contextMenuItem, expandFolder, explorerRow, openProblems, runCommand, waitForExplorer, waitForWebview } from './workbench';

const EVALUATE = 'Evaluate Representativeness';

export const scenarios: Scenario[] = [
  {
    title: 'Evaluate a model run from the explorer',
    async run(step, page) {
      await step('01-explorer', async () => {
        await waitForExplorer(page, 'representativeness.json');
        await expandFolder(page, 'runs');
        await explorerRow(page, 'persona.csv').waitFor();
      });

      let item: Locator | undefined;
      await step('02-context-menu', async () => {
        item = await contextMenuItem(page, 'persona.csv', EVALUATE);
        assert.ok(await item.isVisible());
      });

      await step('03-panel', async () => {
        // The menu is still open from the previous step (and in its screenshot).
        if (!item || !(await item.isVisible())) item = await contextMenuItem(page, 'persona.csv', EVALUATE);
        await item.click();
        const panel = await waitForWebview(page, 'Representativeness', 1);
        // Let the charts finish their first draw before the screenshot.
        await panel.locator('canvas').first().waitFor({ state: 'visible' });
      });

      await step('04-problems', async () => {
        const rows = await openProblems(page, 1);
        assert.ok((await rows.count()) >= 1);
      });

      await step('05-html-in-labels-is-text', async () => {
        // The workspace codebook labels Q1 `<img src=x onerror=alert(1)>` and an answer of Q2
        // `<script>alert(2)</script>`: they must show as text, create no element, run nothing.
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        const panel = await waitForWebview(page, 'Representativeness', 1);
        await panel.getByText('<img src=x onerror=alert(1)>', { exact: false }).first().waitFor();
        assert.equal(await panel.locator('img[src="x"]').count(), 0);
        assert.equal(await panel.locator('main script').count(), 0);
        await page.waitForTimeout(500);
        assert.deepEqual(dialogs, []);
      });

      await step('06-theme-switch', async () => {
        const panel = await waitForWebview(page, 'Representativeness', 1);
        const before = await panel.evaluate(() => document.body.className);
        const bg = () => panel.evaluate(() => getComputedStyle(document.body).backgroundColor);
        const bgBefore = await bg();
        await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
        const deadline = Date.now() + 20_000;
        let after = before;
        while (Date.now() < deadline && after === before) {
          await page.waitForTimeout(250);
          after = await panel.evaluate(() => document.body.className);
        }
        assert.notEqual(after, before, 'the panel follows the theme');
        assert.notEqual(await bg(), bgBefore, 'and redraws in its colours');
        assert.ok((await panel.locator('canvas').count()) >= 1, 'charts are drawn again');
      });
    },
  },
];
