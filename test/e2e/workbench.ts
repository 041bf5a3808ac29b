// Helpers that drive the VS Code 1.100 workbench the way a user does. Selectors follow
// /work/shared/docs/vscode-e2e.md; Playwright locators pierce the open shadow roots VS Code
// uses for its menus.
import type { Frame, Locator, Page } from 'playwright-core';
import { sleep } from './processes';

/** Waits until the workbench shows the explorer with the workspace's files. */
export async function waitForExplorer(page: Page, someFile: string, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  await explorerRow(page, someFile).waitFor({ timeout: timeoutMs });
}

/** The explorer row whose label is exactly `name`. */
export function explorerRow(page: Page, name: string): Locator {
  return page
    .locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/**
 * Expands an explorer folder until `child` shows in it. A folder created a moment ago can be
 * drawn again, collapsed, when the explorer catches up with the files written into it, after a
 * first click had expanded it: expand it again then.
 */
export async function expandFolder(page: Page, name: string, child: string, timeoutMs = 30_000): Promise<void> {
  const row = explorerRow(page, name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await row.waitFor({ timeout: Math.max(1, deadline - Date.now()) });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    try {
      await explorerRow(page, child).waitFor({ timeout: 2000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`explorer folder ${name} does not show ${child}: ${(e as Error).message}`);
    }
  }
}

/**
 * Right-clicks an explorer row until its context menu offers `item`, and returns that menu
 * item. Extension commands reach menus only once the extension host has started, seconds
 * after the explorer renders: close the menu and try again until then.
 */
export async function contextMenuItem(page: Page, rowName: string, item: string, timeoutMs = 90_000): Promise<Locator> {
  const menuItem = page.locator('.context-view .monaco-menu .action-item').filter({ hasText: item });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await explorerRow(page, rowName).click({ button: 'right' });
    try {
      await menuItem.first().waitFor({ timeout: 3000 });
      return menuItem.first();
    } catch {
      if (Date.now() > deadline) throw new Error(`the context menu of ${rowName} never offered "${item}" (${timeoutMs / 1000} s)`);
      await page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
}

/** Messages of the error notifications on screen (toasts), e.g. "Evaluation failed: ...". */
export async function errorToasts(page: Page): Promise<string[]> {
  return page
    .locator('.notifications-toasts .notification-list-item')
    .filter({ has: page.locator('.codicon-error') })
    .locator('.notification-list-item-message')
    .allInnerTexts()
    .catch(() => []);
}

/**
 * Waits for a webview whose document shows `text` and holds at least `minCanvases` canvas
 * elements (the charts); returns the webview's inner frame. An error notification ends the
 * wait at once: the panel will not come.
 */
export async function waitForWebview(page: Page, text: string, minCanvases: number, timeoutMs = 90_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'no webview';
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        const hasText = (await frame.getByText(text).count()) > 0;
        const canvases = await frame.locator('canvas').count();
        if (hasText || canvases) seen = `a webview with text "${text}": ${hasText}, canvases: ${canvases}`;
        if (hasText && canvases >= minCanvases) return frame;
      } catch {
        /* the frame went away while we looked */
      }
    }
    const errors = await errorToasts(page);
    if (errors.length) throw new Error(`error notification while waiting for the panel: ${errors.join(' | ')} (${seen})`);
    if (Date.now() > deadline) throw new Error(`no webview showed "${text}" with ${minCanvases}+ canvas within ${timeoutMs / 1000} s (saw ${seen})`);
    await sleep(500);
  }
}

/** Opens the Problems panel (Ctrl+Shift+M) and waits for at least `minRows` rows. */
export async function openProblems(page: Page, minRows = 1, timeoutMs = 60_000): Promise<Locator> {
  const rows = page.locator('.markers-panel .monaco-list-row');
  // Focus the workbench (not a webview) so the key binding reaches it.
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('Control+Shift+M');
  try {
    await page.locator('.markers-panel').waitFor({ timeout: 5000 });
  } catch {
    await runCommand(page, 'Focus on Problems View');
  }
  await page.waitForFunction(
    (n) => document.querySelectorAll('.markers-panel .monaco-list-row').length >= n,
    minRows,
    { timeout: timeoutMs },
  );
  return rows;
}

/** Runs a command by its title from the command palette (F1). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await page.keyboard.press('Enter');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Chooses `label` in a @vscode-elements single-select of the panel: opens it with a click and
 * clicks the option (inside the element's shadow root), as a user does.
 */
export async function chooseInPanel(frame: Frame, selectId: string, label: string): Promise<void> {
  const select = frame.locator(`#${selectId}`);
  await select.click();
  const option = frame.locator(`#${selectId} li[role="option"]`).filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
  await option.first().click();
}

/**
 * Answers VS Code's own save dialog (the "simple" file dialog code-server shows in the quick
 * input) with an absolute path and accepts it.
 */
export async function answerSaveDialog(page: Page, file: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // The dialog fills in its default path asynchronously after it opens, which can replace what
  // was typed: type until the path stays.
  const deadline = Date.now() + 15_000;
  for (;;) {
    await input.fill(file);
    await sleep(400);
    if ((await input.inputValue()) === file) break;
    if (Date.now() > deadline) throw new Error(`the save dialog did not keep the path ${file} (shows ${await input.inputValue()})`);
  }
  await page.keyboard.press('Enter');
}

/** Waits for the quick input to show a title matching `pattern` (e.g. the save dialog's "... already exists" question); returns it. */
export async function quickInputTitle(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const title = page.locator('.quick-input-widget .quick-input-title').filter({ hasText: pattern });
  await title.first().waitFor({ timeout: timeoutMs });
  return title.first().innerText();
}

/** The editor status bar's cursor item, e.g. "Ln 1, Col 18 (2 selected)". */
export async function cursorStatus(page: Page): Promise<string> {
  const item = page.locator('[id="status.editor.selection"]');
  await item.waitFor();
  return item.innerText();
}

/** An editor group's active tab's label. */
const ACTIVE_TAB_LABEL = '.tabs-container .tab.active .label-name';

/** The label of the active tab of the active editor group. */
export async function activeTabLabel(page: Page): Promise<string> {
  return page.locator(`.editor-group-container.active ${ACTIVE_TAB_LABEL}`).first().innerText();
}

/** What each editor group shows: the label of its active tab, groups in layout order. */
export async function shownTabLabels(page: Page): Promise<string[]> {
  return page.locator(`.editor-group-container ${ACTIVE_TAB_LABEL}`).allInnerTexts();
}

/** The editor group whose active tab is `label`. */
export function editorGroupOf(page: Page, label: string): Locator {
  return page.locator('.editor-group-container').filter({ has: page.locator(ACTIVE_TAB_LABEL, { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
}
