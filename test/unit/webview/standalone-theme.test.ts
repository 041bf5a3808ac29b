/**
 * The standalone HTML report has no VS Code to define the theme variables: its stylesheet must
 * define, for the light and the dark scheme, every variable the page's @vscode-elements controls
 * read (their built-in fallbacks are dark-theme colours: a light page would get dark controls, a
 * dark one light text on them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { reportToHtml } from '../../../src/core/report/render';
import type { EvaluationReport } from '../../../src/core/report/model';

const root = process.cwd();
const css = readFileSync(path.join(root, 'media', 'panel.css'), 'utf8');

/** The declarations of the first `body.standalone { ... }` block after `from`. */
function block(from: number): Map<string, string> {
  const start = css.indexOf('body.standalone {', from);
  assert.ok(start >= 0, 'a body.standalone block');
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return new Map([...body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}

const light = block(0);
const darkAt = css.indexOf('@media (prefers-color-scheme: dark)');
assert.ok(darkAt >= 0, 'a dark scheme');
const dark = new Map([...light, ...block(darkAt)]);

/** Every --vscode-* variable the controls the panel imports read. */
function controlVariables(): Set<string> {
  const main = readFileSync(path.join(root, 'webview', 'main.ts'), 'utf8');
  const components = [...main.matchAll(/@vscode-elements\/elements\/dist\/(vscode-[a-z-]+)\/index\.js/g)].map((m) => m[1]);
  assert.ok(components.length >= 8, `components: ${components.join(', ')}`);
  const dist = path.join(root, 'node_modules', '@vscode-elements', 'elements', 'dist');
  const vars = new Set<string>();
  const scan = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) scan(path.join(dir, e.name));
      else if (e.name.endsWith('.js')) for (const m of readFileSync(path.join(dir, e.name), 'utf8').matchAll(/var\((--vscode-[\w.-]+)/g)) vars.add(m[1]);
    }
  };
  for (const dir of [...components, 'includes']) scan(path.join(dist, dir));
  return vars;
}

test('the standalone report defines every theme variable its controls read, light and dark', () => {
  const used = controlVariables();
  assert.ok(used.size > 30, `${used.size} variables`);
  const missing = [...used].filter((v) => !light.has(v));
  assert.deepEqual(missing, [], 'variables the light scheme leaves to the controls\' dark fallbacks');
  // Colours differ between the schemes, but for those VS Code's own light and dark themes share.
  const shared = new Set(['--vscode-button-foreground', '--vscode-inputValidation-errorBorder', '--vscode-toolbar-hoverOutline']);
  const same = [...used].filter((v) => !/font/.test(v) && !shared.has(v) && light.get(v) === dark.get(v));
  assert.deepEqual(same, [], 'colours the dark scheme leaves as in the light one');
});

test('the page and its native controls follow the reader\'s colour scheme', () => {
  assert.match(css, /body\.standalone \{\s*color-scheme: light;/);
  assert.match(css, /@media \(prefers-color-scheme: dark\) \{\s*body\.standalone \{\s*color-scheme: dark;/);
  for (const v of ['--vscode-editor-background', '--vscode-foreground', '--vscode-settings-dropdownBackground', '--vscode-settings-textInputBackground', '--vscode-button-background']) {
    assert.notEqual(light.get(v), dark.get(v), v);
  }
  const html = reportToHtml({ runs: [], reference: { path: 'r.csv', respondents: 0, items: [], weighted: false } } as unknown as EvaluationReport, { webviewJs: '', css: '' });
  assert.match(html, /<meta name="color-scheme" content="light dark">/);
  assert.match(html, /<body class="standalone">/);
});
