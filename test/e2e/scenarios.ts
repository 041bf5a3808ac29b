// What a user does with the packaged extension, step by step. Add a scenario to the list, or
// steps to one: each `step` is a test result and leaves a screenshot test-results/<name>.png.
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { Scenario } from './harness';
import { contextMenuItem, expandFolder, explorerRow, openProblems, waitForExplorer, waitForWebview } from './workbench';

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
    },
  },
];
