// UI scenarios of what the panel's charts, tables and exports say, and of the standalone HTML
// report: each checks a way the panel could mislead (colours stretched without saying so,
// unreadable axes, tables cut off, bare exported images, controls out of theme, "p 0.0000",
// unnamed controls). They run after the scenarios of scenarios.ts, in folders of their own in the
// test workspace (generated here, seeded).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { EvaluationReport, IndividualStructure } from '../../src/core/report/model';
import { pngText } from '../../webview/export-layout';
import { significant, tuckerReading } from '../../webview/format';
import type { Scenario } from './harness';
import { sleep } from './processes';
import { clickTab, cliReport, fmt, panel, scenarios, until } from './scenarios';
import { answerSaveDialog, chooseInPanel, contextMenuItem, expandFolder, runCommand, waitForExplorer } from './workbench';

const EVALUATE = 'Evaluate Representativeness';

// ---------------------------------------------------------------------------------------------
// Generated workspaces

/** A seeded uniform / standard normal generator (mulberry32, Box-Muller). */
function random(seed: number): { u: () => number; n: () => number } {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { u, n: () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()) };
}

interface FactorModel {
  items: string[];
  /** loadings[item][factor] */
  loadings: number[][];
  cuts: number[][];
}

/** Ordinal answers 1..cuts+1 from a factor model: z = loadings . f + unique noise, cut at the item's thresholds. */
function answer(model: FactorModel, k: number, factors: number[], noise: number): number {
  const l = model.loadings[k];
  let z = 0;
  let common = 0;
  for (let f = 0; f < l.length; f++) {
    z += l[f] * factors[f];
    common += l[f] * l[f];
  }
  z += Math.sqrt(Math.max(0.05, 1 - common)) * noise;
  let c = 1;
  for (const t of model.cuts[k]) if (z > t) c++;
  return c;
}

function csv(header: string[], rows: (string | number)[][]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

function codebook(model: FactorModel, topics: string[], scale: string[]): string {
  return JSON.stringify(
    {
      items: model.items.map((id, k) => ({
        id,
        label: `Statement ${k + 1} on ${topics[k % topics.length]}`,
        topic: topics[k % topics.length],
        type: 'ordinal',
        codes: scale.map((_, i) => i + 1),
        labels: Object.fromEntries(scale.map((l, i) => [String(i + 1), l])),
        missing: [-1, -2, -3, -4, -5],
      })),
    },
    null,
    2,
  );
}

const AGREE5 = ['Strongly agree', 'Agree', 'Neither', 'Disagree', 'Strongly disagree'];

/**
 * wide/: 175 five-point items on five factors; a reference of 8,000 respondents and a run drawn
 * from the same model (8,000 more): a near-perfect run, whose largest |difference| of
 * correlations is sampling noise (about 0.06).
 */
function writeWide(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const K = 175;
  const F = 5;
  const items = Array.from({ length: K }, (_, k) => `Q${k + 1}`);
  const loadings = items.map((_, k) => {
    const l = new Array<number>(F).fill(0);
    l[k % F] = (k % 7 === 3 ? -1 : 1) * (0.45 + (0.35 * ((k * 37) % 100)) / 100);
    if (k % 3 === 0) l[(k + 1) % F] = 0.2;
    return l;
  });
  const cuts = items.map((_, k) => [-1.2, -0.4, 0.3, 1.0].map((c) => c + (((k * 13) % 9) - 4) / 20));
  const model = { items, loadings, cuts };
  const sample = (seed: number, n: number) => {
    const r = random(seed);
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) {
      const f = Array.from({ length: F }, () => r.n());
      rows.push([i + 1, ...items.map((_, k) => answer(model, k, f, r.n()))]);
    }
    return rows;
  };
  fs.writeFileSync(path.join(dir, 'wide-reference.csv'), csv(['id', ...items], sample(11, 8000)));
  fs.writeFileSync(path.join(dir, 'near-perfect.csv'), csv(['id', ...items], sample(22, 8000)));
  fs.writeFileSync(path.join(dir, 'wide-codebook.json'), codebook(model, ['trust', 'religion', 'work', 'politics', 'family'], AGREE5));
  fs.writeFileSync(
    path.join(dir, 'representativeness.json'),
    JSON.stringify(
      { reference: { path: 'wide-reference.csv', codebook: 'wide-codebook.json' }, runs: [{ name: 'near-perfect', path: 'near-perfect.csv' }], association: ['pearson'], bootstrap: 0, permutations: 0, seed: 1 },
      null,
      2,
    ),
  );
}

/**
 * compare/: 16 four-point items on two factors, three countries; four runs (a faithful one, a
 * persona-like one with collapsed answers and weak structure, one sampled item by item, one with
 * the second factor reversed) and three subgroups, Pearson and Spearman: the side-by-side tables
 * are wide.
 */
function writeCompare(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const K = 16;
  const items = Array.from({ length: K }, (_, k) => `V${k + 1}`);
  const loadings = items.map((_, k) => (k < 8 ? [0.75 - 0.03 * k, 0.1] : [0.1, 0.7 - 0.03 * (k - 8)]));
  const cuts = items.map((_, k) => [-0.9, 0, 0.8].map((c) => c + ((k % 5) - 2) / 10));
  const model = { items, loadings, cuts };
  const countries = [
    { code: 'DEU', shift: [0.3, -0.2] },
    { code: 'JPN', shift: [-0.4, 0.3] },
    { code: 'USA', shift: [0.1, 0.4] },
  ];
  const sample = (seed: number, n: number, tweak: (l: number[][]) => number[][], collapse = false) => {
    const r = random(seed);
    const m = { ...model, loadings: tweak(model.loadings) };
    const rows: (string | number)[][] = [];
    for (let i = 0; i < n; i++) {
      const c = countries[i % countries.length];
      const f = c.shift.map((s) => s + r.n());
      rows.push([i + 1, c.code, ...items.map((_, k) => {
        const a = answer(m, k, f, r.n());
        return collapse ? Math.min(3, Math.max(2, a)) : a;
      })]);
    }
    return rows;
  };
  const same = (l: number[][]) => l;
  const header = ['id', 'country', ...items];
  const reference = sample(31, 1500, same);
  fs.writeFileSync(path.join(dir, 'compare-reference.csv'), csv(header, reference));
  fs.writeFileSync(path.join(dir, 'faithful.csv'), csv(header, sample(32, 900, same)));
  fs.writeFileSync(path.join(dir, 'persona-like.csv'), csv(header, sample(33, 600, (l) => l.map((x) => x.map((v) => v * 0.35)), true)));
  fs.writeFileSync(path.join(dir, 'reversed.csv'), csv(header, sample(34, 900, (l) => l.map((x, k) => (k >= 8 ? x.map((v) => -v) : x)))));
  // Item by item: each column of the reference shuffled on its own (the marginals kept, the structure gone).
  const r = random(35);
  const independent = reference.slice(0, 900).map((row) => [...row]);
  for (let k = 2; k < header.length; k++) {
    const col = reference.map((row) => row[k]);
    for (let i = col.length - 1; i > 0; i--) {
      const j = Math.floor(r.u() * (i + 1));
      [col[i], col[j]] = [col[j], col[i]];
    }
    independent.forEach((row, i) => (row[k] = col[i]));
  }
  fs.writeFileSync(path.join(dir, 'item-by-item.csv'), csv(header, independent));
  fs.writeFileSync(path.join(dir, 'compare-codebook.json'), codebook(model, ['values', 'institutions'], ['Very much', 'Somewhat', 'Not much', 'Not at all']));
  fs.writeFileSync(
    path.join(dir, 'representativeness.json'),
    JSON.stringify(
      {
        reference: { path: 'compare-reference.csv', codebook: 'compare-codebook.json' },
        runs: [
          { name: 'faithful', path: 'faithful.csv' },
          { name: 'persona-like', path: 'persona-like.csv' },
          { name: 'item-by-item', path: 'item-by-item.csv' },
          { name: 'reversed', path: 'reversed.csv' },
        ],
        groups: { Germany: 'country in [DEU]', Japan: 'country in [JPN]', 'United States': 'country in [USA]' },
        groupBy: 'country',
        association: ['pearson', 'spearman'],
        bootstrap: 50,
        permutations: 199,
        seed: 1,
      },
      null,
      2,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Evaluates `file` (a run named by its folder's config) from the explorer, and waits for its card. */
async function evaluateFromExplorer(page: Page, folder: string, file: string, run: string): Promise<Frame> {
  await waitForExplorer(page, folder);
  await expandFolder(page, folder, file);
  const item = await contextMenuItem(page, file, EVALUATE);
  await item.hover();
  await item.click();
  await sleep(1000);
  if (await item.isVisible().catch(() => false)) await item.click();
  let frame: Frame | undefined;
  await until(`the panel shows run ${run}`, async () => {
    frame = await panel(page, 0);
    return (await frame.locator(`.card[data-run="${run}"]`).count()) > 0 || 'not yet';
  }, 120_000);
  return frame!;
}

/** Closes every editor (and the panel), so the next one opens alone: a known layout. */
async function closeAllEditors(page: Page): Promise<void> {
  // The workbench must be up (and hold the focus) before the command palette answers F1.
  await waitForExplorer(page, 'reference.csv');
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await runCommand(page, 'View: Close All Editor Groups');
  await until('no editor is open', async () => (await page.locator('.tabs-container .tab').count()) === 0 || 'tabs still open');
}

/**
 * Resizes the browser until the panel (the webview) is about `target` CSS px wide, whatever the
 * editor layout around it; returns the width reached.
 */
async function setPanelWidth(page: Page, target: number): Promise<number> {
  let ratio = 1;
  let last: { vp: number; w: number } | null = null;
  for (let i = 0; i < 8; i++) {
    const frame = await panel(page, 0);
    const w = await frame.evaluate(() => window.innerWidth);
    const vp = page.viewportSize()!;
    if (Math.abs(w - target) <= 30) return w;
    if (last && vp.width !== last.vp && w !== last.w) ratio = Math.max(0.2, (w - last.w) / (vp.width - last.vp));
    last = { vp: vp.width, w };
    const next = Math.round(Math.min(4000, Math.max(700, vp.width + (target - w) / ratio)));
    await page.setViewportSize({ width: next, height: vp.height });
    await sleep(1200);
  }
  return (await panel(page, 0)).evaluate(() => window.innerWidth);
}

/** The structure of a run in the CLI's report, and its items in the panel's (clustered) order. */
function structureOf(report: EvaluationReport, run: string, method: string): { s: IndividualStructure; ids: string[] } {
  const r = report.runs.find((x) => x.name === run);
  assert.ok(r, `the CLI evaluated ${run}`);
  const s = r.structure.individual[method];
  assert.ok(s, `${run} has ${method} structure`);
  const order = s.order.length === s.items.length ? s.order : s.items.map((_, i) => i);
  return { s, ids: order.map((i) => s.items[i]) };
}

interface CanvasReading {
  /** Largest position on the diverging scale (0 neutral .. 1 end colour) among the cell pixels. */
  maxSaturation: number;
  cells: [number, number, number, number];
  /** Ink bands (text lines) in the left and bottom label gutters. */
  rowLabelBands: number;
  colLabelBands: number;
}

/**
 * Reads a heatmap's pixels in the panel: how saturated its most saturated cell is on the theme's
 * diverging scale (pixels on the line from the background colour to the positive or negative
 * colour; text and outlines lie off it), and how many separate labels the gutters hold.
 */
function readHeatmap(frame: Frame, key: string): Promise<CanvasReading> {
  return frame.evaluate((which) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`figure.heat[data-heat="${which}"] canvas`);
    if (!canvas || !canvas.dataset.cells) throw new Error(`heatmap ${which} is not drawn`);
    const cells = canvas.dataset.cells.split(',').map(Number) as [number, number, number, number];
    const ctx = canvas.getContext('2d')!;
    const { width, height } = canvas;
    const scale = width / canvas.clientWidth;
    const data = ctx.getImageData(0, 0, width, height).data;
    const css = getComputedStyle(document.body);
    const rgb = (v: string): number[] => {
      const s = v.trim();
      const m = /^#([0-9a-f]{6})/i.exec(s);
      if (m) {
        const n = parseInt(m[1], 16);
        return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
      }
      const r = /rgba?\(([^)]+)\)/.exec(s);
      if (r) return r[1].split(',').slice(0, 3).map(Number);
      throw new Error(`colour ${s}`);
    };
    const neutral = rgb(css.getPropertyValue('--vscode-editor-background'));
    const ends = [rgb(css.getPropertyValue('--vscode-charts-red')), rgb(css.getPropertyValue('--vscode-charts-blue'))];
    let maxSaturation = 0;
    const [l, t, r, b] = cells.map((v) => Math.round(v * scale));
    for (let y = t + 1; y < b - 1; y++) {
      for (let x = l + 1; x < r - 1; x++) {
        const i = (y * width + x) * 4;
        if (data[i + 3] < 255) continue;
        for (const end of ends) {
          const d = end.map((e, k) => e - neutral[k]);
          const v = [0, 1, 2].map((k) => data[i + k] - neutral[k]);
          const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
          const tt = (v[0] * d[0] + v[1] * d[1] + v[2] * d[2]) / dd;
          const res = Math.hypot(v[0] - tt * d[0], v[1] - tt * d[1], v[2] - tt * d[2]);
          if (tt > 0 && res < 8) maxSaturation = Math.max(maxSaturation, Math.min(1, tt));
        }
      }
    }
    const ink = (x: number, y: number) => data[(y * width + x) * 4 + 3] > 80;
    // Label lines in the left gutter (rows with ink, grouped), and in the bottom gutter (columns).
    let rowLabelBands = 0;
    let inBand = false;
    for (let y = t; y < b; y++) {
      let any = false;
      for (let x = 0; x < l - 3 * scale && !any; x++) any = ink(x, y);
      if (any && !inBand) rowLabelBands++;
      inBand = any;
    }
    let colLabelBands = 0;
    inBand = false;
    for (let x = l; x < r; x++) {
      let any = false;
      for (let y = b + 3 * scale; y < height && !any; y++) any = ink(x, Math.round(y));
      if (any && !inBand) colLabelBands++;
      inBand = any;
    }
    return { maxSaturation, cells, rowLabelBands, colLabelBands };
  }, key);
}

/** Whether the heatmap `key` shows a focus-coloured outline at the row `row` and column `col`. */
function highlightAt(frame: Frame, key: string, row: number, col: number, size: number): Promise<{ row: boolean; col: boolean }> {
  return frame.evaluate(
    ([which, r, c, n]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`figure.heat[data-heat="${which}"] canvas`)!;
      const [l, t, right, b] = canvas.dataset.cells!.split(',').map(Number);
      const scale = canvas.width / canvas.clientWidth;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const m = /^#([0-9a-f]{6})/i.exec(getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim());
      const focus = m ? [(parseInt(m[1], 16) >> 16) & 255, (parseInt(m[1], 16) >> 8) & 255, parseInt(m[1], 16) & 255] : [0, 120, 212];
      const near = (x: number, y: number) => {
        const i = (Math.round(y * scale) * canvas.width + Math.round(x * scale)) * 4;
        return data[i + 3] > 60 && Math.hypot(data[i] - focus[0], data[i + 1] - focus[1], data[i + 2] - focus[2]) < 60;
      };
      const ch = (b - t) / n;
      const cw = (right - l) / n;
      // The row's outline where it leaves the cells on the right; the column's above the cells.
      const rowY = t + (r + 0.5) * ch;
      const colX = l + (c + 0.5) * cw;
      let rowHit = false;
      let colHit = false;
      // Outside the cells only: a cell's own colour never counts.
      for (let d = 0.5; d <= 2.5; d += 0.5) {
        rowHit ||= near(right + d, rowY);
        colHit ||= near(colX, t - d);
      }
      return { row: rowHit, col: colHit };
    },
    [key, row, col, size] as const,
  );
}

/** PNG file header: width and height. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Rows of an image (a PNG file, decoded by the panel's browser) that hold ink: pixels unlike the top-left one. */
function inkRows(frame: Frame, png: Buffer): Promise<boolean[]> {
  return frame.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [d[0], d[1], d[2]];
    const rows: boolean[] = [];
    for (let y = 0; y < c.height; y++) {
      let any = false;
      for (let x = 0; x < c.width && !any; x++) {
        const i = (y * c.width + x) * 4;
        any = Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 60;
      }
      rows.push(any);
    }
    return rows;
  }, png.toString('base64'));
}

/** Saves the chart under `button` through the save dialog; returns the written file's bytes. */
async function savePng(page: Page, button: ReturnType<Frame['locator']>, file: string): Promise<Buffer> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  await button.scrollIntoViewIfNeeded();
  await button.click();
  await answerSaveDialog(page, file);
  await until(`${path.basename(file)} is written`, async () => (fs.existsSync(file) && fs.statSync(file).size > 100) || 'not yet');
  await sleep(500);
  return fs.readFileSync(file);
}

/** WCAG relative luminance and contrast ratio of CSS colours "rgb(r, g, b)". */
function luminance(css: string): number {
  const [r, g, b] = (/rgba?\(([^)]+)\)/.exec(css)?.[1] ?? '0,0,0').split(',').map((v) => Number(v) / 255);
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

interface ControlColours {
  kind: string;
  label: string;
  background: string;
  color: string;
}

/**
 * The colours a reader sees on each control of the page: the inner part of a @vscode-elements
 * control (its shadow root) that draws it, with the background it shows through to.
 */
function controlColours(page: Page): Promise<{ body: { background: string; color: string }; controls: ControlColours[] }> {
  return page.evaluate(() => {
    const opaque = (c: string) => c !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(c);
    const background = (start: Element): string => {
      let el: Element | null = start;
      while (el) {
        const c = getComputedStyle(el).backgroundColor;
        if (opaque(c)) return c;
        el = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host ?? null);
      }
      return getComputedStyle(document.documentElement).backgroundColor;
    };
    const parts: [string, string][] = [
      ['vscode-single-select', '.select-face'],
      ['vscode-textfield', 'input'],
      ['vscode-checkbox', '.icon'],
      ['vscode-button', '.wrapper'],
      ['vscode-tab-header', ''],
    ];
    const controls: ControlColours[] = [];
    for (const [tag, inner] of parts) {
      for (const host of Array.from(document.querySelectorAll(tag))) {
        if (!(host as HTMLElement).offsetParent) continue;
        const el = (inner && host.shadowRoot?.querySelector(inner)) || host;
        const textEl = tag === 'vscode-checkbox' ? host : el;
        controls.push({ kind: tag, label: host.getAttribute('aria-label') ?? '', background: background(el), color: getComputedStyle(textEl).color });
      }
    }
    const body = getComputedStyle(document.body);
    return { body: { background: body.backgroundColor, color: body.color }, controls };
  });
}

/** Every element of the panel (and of the open shadow roots in it) with an empty aria-label, and every chart or control without one. */
function ariaAudit(frame: Frame): Promise<{ empty: string[]; unnamed: string[]; counted: number }> {
  return frame.evaluate(() => {
    const empty: string[] = [];
    const unnamed: string[] = [];
    let counted = 0;
    const describe = (el: Element, where: string) => `${where}${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    const controls = 'canvas, button, input, select, textarea, vscode-button, vscode-single-select, vscode-textfield, vscode-checkbox, vscode-tab-header, [role="combobox"], [role="listbox"], [role="img"]';
    const walk = (root: Document | ShadowRoot, where: string) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const label = el.getAttribute('aria-label');
        if (label !== null && !label.trim()) empty.push(describe(el, where));
        if (el.matches(controls) && !(el.getAttribute('type') === 'hidden')) {
          counted++;
          const name = (label ?? '').trim() || (el.getAttribute('aria-labelledby') ? 'labelled' : '');
          // An inner part of a control is named by its label element or by the control's text.
          const inner = where !== '' && (el.matches('input[type="checkbox"]') || el.matches('button') && (el.textContent ?? '').trim());
          if (!name && !inner) unnamed.push(describe(el, where));
        }
        if (el.shadowRoot) walk(el.shadowRoot, `${where}${el.tagName.toLowerCase()} > `);
      }
    };
    walk(document, '');
    return { empty: [...new Set(empty)], unnamed: [...new Set(unnamed)], counted };
  });
}

/** Cells of the side-by-side tables a reader cannot see whole at this width (clipped or overflowing). */
function cutOff(f: Frame): Promise<{ bad: string[]; cells: number; stacked: boolean[]; width: number }> {
  return f.evaluate(() => {
    const view = document.querySelector('.side-by-side-view') ?? document.querySelector('table.side-by-side')?.parentElement;
    if (!view) throw new Error('no side-by-side view');
    const clip = (el: Element) => {
      // The visible box: the window, narrowed by every ancestor that hides what overflows it.
      let right = window.innerWidth;
      let left = 0;
      let node: Element | null = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host ?? null);
      while (node) {
        const o = getComputedStyle(node).overflowX;
        if (o === 'hidden' || o === 'clip') {
          const r = node.getBoundingClientRect();
          right = Math.min(right, r.right);
          left = Math.max(left, r.left);
        }
        node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null);
      }
      return { left, right };
    };
    const bad: string[] = [];
    let cells = 0;
    for (const cell of Array.from(view.querySelectorAll('th, td'))) {
      // A reflowed table's header row is hidden (each card names its columns).
      if (cell.closest('.stacked thead')) continue;
      const r = cell.getBoundingClientRect();
      if (!r.width) continue;
      cells++;
      const box = clip(cell);
      const text = (cell.textContent ?? '').trim().slice(0, 30);
      if (r.right > box.right + 0.5 || r.left < box.left - 0.5) bad.push(`"${text}" at ${Math.round(r.left)}-${Math.round(r.right)}, visible ${Math.round(box.left)}-${Math.round(box.right)}`);
      else if ((cell as HTMLElement).scrollWidth > (cell as HTMLElement).clientWidth + 1) bad.push(`"${text}" overflows its cell`);
    }
    const stacked = Array.from(view.querySelectorAll('.table-box'), (b) => b.classList.contains('stacked'));
    return { bad, cells, stacked, width: window.innerWidth };
  });
}

/**
 * The panel showing the four runs of compare/ (written and evaluated unless a panel restored from
 * the previous window shows them already), and the CLI's report of them.
 */
async function showCompare(page: Page, workspace: string, repoRoot: string): Promise<{ frame: Frame; report: EvaluationReport }> {
  const dir = path.join(workspace, 'compare');
  if (!fs.existsSync(path.join(dir, 'representativeness.json'))) writeCompare(dir);
  const report = cliReport(repoRoot, path.join(dir, 'representativeness.json'));
  assert.equal(report.runs.length, 4);
  await waitForExplorer(page, 'reference.csv');
  try {
    const frame = await panel(page, 0);
    await frame.locator('.card[data-run="item-by-item"]').waitFor({ timeout: 5000 });
    if ((await frame.locator('.card').count()) === 4) return { frame, report };
  } catch {
    /* not shown: evaluate */
  }
  await closeAllEditors(page);
  await evaluateFromExplorer(page, 'compare', 'faithful.csv', 'faithful');
  let frame: Frame | undefined;
  await until('all four runs are shown', async () => {
    frame = await panel(page, 0);
    return (await frame.locator('.card').count()) === 4 || 'not yet';
  }, 120_000);
  return { frame: frame!, report };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

export const panelScenarios: Scenario[] = [
  {
    title: 'Heatmaps: one fixed colour scale with its legend, labels at 175 items',
    async run(step, page, ctx) {
      const dir = path.join(ctx.workspace, 'wide');
      let report: EvaluationReport | undefined;
      let frame: Frame | undefined;

      await step('30-heatmaps-fixed-scale-near-perfect-run', async () => {
        writeWide(dir);
        report = cliReport(ctx.repoRoot, path.join(dir, 'representativeness.json'));
        const { s } = structureOf(report, 'near-perfect', 'pearson');
        const maxDiff = s.comparison.maxAbsDiff!;
        assert.ok(maxDiff > 0.02 && maxDiff < 0.1, `the run is near-perfect: max |difference| ${maxDiff}`);
        await closeAllEditors(page);
        frame = await evaluateFromExplorer(page, 'wide', 'near-perfect.csv', 'near-perfect');
        await setPanelWidth(page, 1400);
        frame = await panel(page, 0);
        await clickTab(frame, 'Structure');
        await until('three heatmaps are drawn', async () => (await frame!.locator('figure.heat canvas').count()) === 3 || 'not yet', 60_000);
        await sleep(1000);
        const legends = await frame.locator('figure.heat').evaluateAll((figs) => figs.map((f) => f.querySelectorAll('.heat-legend').length));
        assert.deepEqual(legends, [1, 1, 1], 'each heatmap has its colour legend');
        for (const key of ['human', 'model', 'difference']) {
          const legend = frame.locator(`figure.heat[data-heat="${key}"] .heat-legend`);
          assert.equal(await legend.getAttribute('data-stretched'), 'false', `${key}: fixed scale by default`);
          assert.match(await legend.locator('.scale-note').innerText(), /^Fixed scale −1 to \+1: comparable across runs\./);
          assert.deepEqual(await legend.locator('.ticks span').allInnerTexts(), ['−1', '−0.5', '0', '0.5', '+1']);
        }
        // On the fixed scale, the largest difference (about 0.06) is drawn about 6% of the way to
        // the end colour: pale, not saturated noise.
        const diff = await readHeatmap(frame, 'difference');
        assert.ok(Math.abs(diff.maxSaturation - maxDiff) < 0.04, `the most saturated difference cell sits at ${diff.maxSaturation.toFixed(3)} of the scale; max |difference| is ${maxDiff.toFixed(3)}`);
        await frame.locator('figure.heat').first().scrollIntoViewIfNeeded();
        await sleep(300);
      });

      await step('31-heatmaps-stretched-legend-says-so', async () => {
        const { s } = structureOf(report!, 'near-perfect', 'pearson');
        const maxDiff = s.comparison.maxAbsDiff!;
        let maxCorr = 0;
        for (const m of [s.reference, s.run]) m.forEach((row, a) => row.forEach((v, b) => { if (a !== b && v !== null) maxCorr = Math.max(maxCorr, Math.abs(v)); }));
        frame = await panel(page, 0);
        await frame.locator('vscode-checkbox#heat-stretch').click();
        const legend = frame.locator('figure.heat[data-heat="difference"] .heat-legend');
        await until('the difference legend says it is stretched', async () => (await legend.getAttribute('data-stretched')) === 'true' || 'not yet');
        assert.equal(await legend.locator('.scale-note').innerText(), `Colours stretched to ±${significant(maxDiff, 2)} (the largest |difference|): not comparable across runs.`);
        assert.equal((await legend.locator('.ticks span').allInnerTexts()).at(-1), `+${significant(maxDiff, 2)}`);
        assert.equal(
          await frame.locator('figure.heat[data-heat="human"] .scale-note').innerText(),
          `Colours stretched to ±${significant(maxCorr, 2)} (the largest |correlation| off the diagonal): not comparable across runs.`,
        );
        await until('the difference heatmap is redrawn stretched', async () => {
          const d = await readHeatmap(frame!, 'difference');
          return d.maxSaturation > 0.9 || `most saturated cell at ${d.maxSaturation.toFixed(3)}`;
        });
        await frame.locator('figure.heat').first().scrollIntoViewIfNeeded();
        await sleep(300);
        await page.screenshot({ path: path.join(ctx.repoRoot, 'test-results', '31-heatmaps-stretched.png') });
        // Back to the fixed scale, which the panel keeps.
        await frame.locator('vscode-checkbox#heat-stretch').click();
        await until('the fixed scale is back', async () => (await legend.getAttribute('data-stretched')) === 'false' || 'not yet');
      });

      await step('32-heatmap-labels-175-items', async () => {
        const { ids } = structureOf(report!, 'near-perfect', 'pearson');
        frame = await panel(page, 0);
        await until('the heatmaps are drawn', async () => (await frame!.locator('figure.heat canvas[data-cells]').count()) === 3 || 'not yet');
        for (const key of ['human', 'difference']) {
          const r = await readHeatmap(frame, key);
          const cell = (r.cells[3] - r.cells[1]) / ids.length;
          // Every k-th label, k the fewest cells a 10 px label needs: at 175 items and these sizes about 30 a side.
          const expected = Math.ceil(ids.length / Math.ceil(12 / cell));
          assert.ok(Math.abs(r.rowLabelBands - expected) <= 2, `${key}: ${r.rowLabelBands} separate row labels, expected about ${expected} (cells ${cell.toFixed(2)} px)`);
          assert.ok(Math.abs(r.colLabelBands - expected) <= 2, `${key}: ${r.colLabelBands} separate column labels, expected about ${expected}`);
        }
        // Hovering a row label shows the item's full id and label.
        const canvas = frame.locator('figure.heat[data-heat="difference"] canvas');
        await canvas.scrollIntoViewIfNeeded();
        const [l, t, , b] = ((await canvas.getAttribute('data-cells')) ?? '').split(',').map(Number);
        const row = 100;
        await canvas.hover({ position: { x: l - 6, y: t + ((row + 0.5) * (b - t)) / ids.length } });
        const tip = frame.locator('figure.heat[data-heat="difference"] .heat-tip');
        await tip.waitFor({ state: 'visible' });
        const k = Number(ids[row].slice(1)) - 1;
        const topics = ['trust', 'religion', 'work', 'politics', 'family'];
        assert.equal(await tip.innerText(), `${ids[row]}: Statement ${k + 1} on ${topics[k % 5]}`);
        await until('the row is highlighted in the other heatmaps', async () => {
          const h = await highlightAt(frame!, 'human', row, 0, ids.length);
          return h.row || 'no outline at the row';
        });
      });

      await step('33-heatmap-hover-highlights-row-and-column', async () => {
        const { ids, s } = structureOf(report!, 'near-perfect', 'pearson');
        frame = await panel(page, 0);
        const canvas = frame.locator('figure.heat[data-heat="human"] canvas');
        const [l, t, r, b] = ((await canvas.getAttribute('data-cells')) ?? '').split(',').map(Number);
        const row = 20;
        const col = 140;
        await canvas.hover({ position: { x: l + ((col + 0.5) * (r - l)) / ids.length, y: t + ((row + 0.5) * (b - t)) / ids.length } });
        const a = s.items.indexOf(ids[row]);
        const c = s.items.indexOf(ids[col]);
        await until('the readout names the pair and its values', async () => {
          const text = await frame!.locator('#heat-readout').innerText();
          return (text.startsWith(`${ids[row]}: Statement`) && text.includes(`× ${ids[col]}: Statement`) && text.includes(`human ${fmt(s.reference[a][c])} · model ${fmt(s.run[a][c])} · difference ${fmt(s.difference[a][c])}`)) || text;
        });
        for (const key of ['model', 'difference']) {
          await until(`${key}: the row and the column are highlighted`, async () => {
            const h = await highlightAt(frame!, key, row, col, ids.length);
            return (h.row && h.col) || JSON.stringify(h);
          });
        }
      });
    },
  },

  {
    title: 'Runs side by side: nothing cut off at 600 and 1400 px',
    async run(step, page, ctx) {
      await step('40-runs-side-by-side-600px', async () => {
        await showCompare(page, ctx.workspace, ctx.repoRoot);
        const width = await setPanelWidth(page, 600);
        const frame = await panel(page, 0);
        await clickTab(frame, 'Runs side by side');
        await frame.locator('table.side-by-side').waitFor({ state: 'visible' });
        await sleep(800);
        const r = await cutOff(frame);
        assert.ok(r.cells > 40, `${r.cells} cells`);
        assert.deepEqual(r.bad, [], `at ${width} px, cells cut off`);
        await frame.locator('table.side-by-side').scrollIntoViewIfNeeded();
      });

      await step('41-runs-side-by-side-1400px', async () => {
        const width = await setPanelWidth(page, 1400);
        const frame = await panel(page, 0);
        await sleep(800);
        const r = await cutOff(frame);
        assert.deepEqual(r.bad, [], `at ${width} px, cells cut off`);
        assert.equal(r.stacked[0], false, 'at this width the runs are a table');
        await frame.locator('table.side-by-side').scrollIntoViewIfNeeded();
      });
    },
  },

  {
    title: "p-values and Tucker's φ say what they are",
    async run(step, page, ctx) {
      await step('42-p-values-and-tucker-phi', async () => {
        const { report } = await showCompare(page, ctx.workspace, ctx.repoRoot);
        const run = report.runs.find((x) => x.name === 'reversed')!;
        const c = run.structure.individual.pearson.comparison;
        assert.ok(c.steiger.p !== null && c.steiger.p < 0.001, `Steiger p of the reversed run is below 0.001 (${c.steiger.p})`);
        const frame = await panel(page, 0);
        await chooseInPanel(frame, 'run-select', 'reversed');
        await until('the reversed run is shown', async () => ((await frame.locator('.card.active').getAttribute('data-run')) === 'reversed') || 'not yet');
        await clickTab(frame, 'Structure');
        const table = frame.locator('#structure-comparison');
        await table.waitFor({ state: 'visible' });
        const rows = await table.locator('tr').evaluateAll((trs) => trs.map((tr) => [(tr.querySelector('th')?.textContent ?? '').trim(), (tr.querySelector('td')?.textContent ?? '').trim()]));
        const cell = (head: RegExp) => rows.find(([k]) => head.test(k))?.[1] ?? `no row ${head}`;
        for (const [k, v] of rows) assert.doesNotMatch(v, /\b0\.0000\b/, `${k}: ${v}`);
        assert.equal(cell(/^Steiger/), `${c.steiger.chi2!.toFixed(1)} (df ${c.steiger.df}, p < 0.001)`);
        const mantelP = c.mantel.p!;
        assert.equal(cell(/^Mantel/), `${fmt(c.mantel.r)} (${mantelP < 0.001 ? 'p < 0.001' : `p = ${mantelP.toPrecision(3)}`}, ${c.mantel.permutations} permutations)`);
        const tucker = rows.find(([k]) => k.startsWith("Tucker's φ (first principal components)"));
        assert.ok(tucker, `a Tucker row labelled with what it is: ${rows.map(([k]) => k).join(' | ')}`);
        assert.match(tucker[0], /≥ 0\.95 equal · 0\.85–0\.94 fair similarity · below 0\.85 not similar \(Lorenzo-Seva & ten Berge 2006\)/);
        assert.equal(tucker[1], c.tucker.congruence.map((phi, k) => `PC${k + 1} ${fmt(phi)}${tuckerReading(phi) ? ` (${tuckerReading(phi)})` : ''}`).join(''));
        await table.scrollIntoViewIfNeeded();
      });
    },
  },

  {
    title: 'Every chart and control has an accessible name',
    async run(step, page, ctx) {
      await step('43-no-empty-aria-labels', async () => {
        await showCompare(page, ctx.workspace, ctx.repoRoot);
        const frame = await panel(page, 0);
        // Every view drawn: the structure tab's heatmaps and controls too.
        await clickTab(frame, 'Structure');
        await frame.locator('figure.heat canvas').first().waitFor({ state: 'visible' });
        const audit = await ariaAudit(frame);
        assert.ok(audit.counted > 50, `${audit.counted} charts and controls audited`);
        assert.deepEqual(audit.empty, [], 'elements with an empty aria-label');
        assert.deepEqual(audit.unnamed, [], 'charts and controls without an accessible name');
      });
    },
  },

  {
    title: 'Saved chart PNGs carry their title, legend and item',
    async run(step, page, ctx) {
      await step('44-save-marginal-png-names-the-item', async () => {
        await showCompare(page, ctx.workspace, ctx.repoRoot);
        const frame = await panel(page, 0);
        await chooseInPanel(frame, 'run-select', 'persona-like');
        await until('the persona-like run is shown', async () => ((await frame.locator('.card.active').getAttribute('data-run')) === 'persona-like') || 'not yet');
        await clickTab(frame, 'Marginals');
        const card = frame.locator('article.item').first();
        const item = (await card.getAttribute('data-item'))!;
        await card.locator('canvas').scrollIntoViewIfNeeded();
        await until('the chart is drawn', async () => (await card.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).height > 0)) || 'not yet');
        const size = await card.locator('canvas').evaluate((c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
        const file = path.join(ctx.workspace, 'exports', 'marginal.png');
        const bytes = await savePng(page, card.locator('vscode-button.save-png'), file);
        const png = pngSize(bytes);
        assert.ok(png.height >= size.height + 60, `the image (${png.width}x${png.height}) holds the chart (${size.width}x${size.height}) with a title and a legend`);
        const k = Number(item.slice(1)) - 1;
        const text = pngText(new Uint8Array(bytes));
        assert.equal(text.Title, `${item}: Statement ${k + 1} on ${['values', 'institutions'][k % 2]}`);
        assert.match(text.Description ?? '', /Legend: Human \(reference\); Model \(persona-like\)/);
        const rows = await inkRows(frame, bytes);
        assert.ok(rows.slice(10, 40).some(Boolean), 'the title is drawn at the top');
        assert.ok(rows.slice(-40, -10).some(Boolean), 'the legend is drawn at the bottom');
        fs.copyFileSync(file, path.join(ctx.repoRoot, 'test-results', '44-exported-marginal-chart.png'));
      });

      await step('45-save-heatmap-png-with-title-and-legend', async () => {
        const frame = await panel(page, 0);
        await clickTab(frame, 'Structure');
        const fig = frame.locator('figure.heat').last();
        await fig.locator('canvas').scrollIntoViewIfNeeded();
        await frame.locator('body').hover({ position: { x: 2, y: 2 } });
        const size = await fig.locator('canvas').evaluate((c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
        const file = path.join(ctx.workspace, 'exports', 'difference.png');
        const bytes = await savePng(page, fig.locator('vscode-button.save-png'), file);
        const png = pngSize(bytes);
        assert.ok(png.width >= size.width && png.height >= size.height + 80, `the image (${png.width}x${png.height}) holds the chart (${size.width}x${size.height}) with a title and a legend`);
        const text = pngText(new Uint8Array(bytes));
        assert.equal(text.Title, 'Difference (model − human): pearson correlations');
        assert.match(text.Description ?? '', /^Run persona-like vs reference compare-reference\.csv/);
        assert.match(text.Description ?? '', /Fixed scale −1 to \+1: comparable across runs\./);
        const rows = await inkRows(frame, bytes);
        assert.ok(rows.slice(10, 40).some(Boolean), 'the title is drawn at the top');
        assert.ok(rows.slice(-60, -10).some(Boolean), 'the legend is drawn at the bottom');
        fs.copyFileSync(file, path.join(ctx.repoRoot, 'test-results', '45-exported-difference-heatmap.png'));
      });
    },
  },

  {
    title: "The HTML report follows the reader's light or dark theme",
    async run(step, page, ctx) {
      const file = path.join(ctx.workspace, 'exports', 'compare-report.html');

      const check = async (scheme: 'dark' | 'light') => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.locator('.card').first().waitFor();
        await sleep(500);
        const { body, controls } = await controlColours(page);
        const bodyL = luminance(body.background);
        assert.ok(scheme === 'dark' ? bodyL < 0.05 : bodyL > 0.85, `a ${scheme} page: body ${body.background}`);
        assert.ok(controls.length >= 6, `${controls.length} controls on the page`);
        assert.ok(contrast(body.color, body.background) >= 7, `body text ${body.color} on ${body.background}`);
        for (const c of controls) {
          const l = luminance(c.background);
          assert.ok(scheme === 'dark' ? l < 0.1 : l > 0.6, `${c.kind} "${c.label}": background ${c.background} in a ${scheme} page (${body.background})`);
          assert.ok(contrast(c.color, c.background) >= 4.5, `${c.kind} "${c.label}": text ${c.color} on ${c.background}`);
        }
      };

      await step('50-html-report-dark', async () => {
        const dir = path.join(ctx.workspace, 'compare');
        if (!fs.existsSync(path.join(dir, 'representativeness.json'))) writeCompare(dir);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        execFileSync(process.execPath, [path.join(ctx.repoRoot, 'out', 'cli.js'), 'evaluate', '--config', path.join(dir, 'representativeness.json'), '--format', 'html', '--out', file, '--quiet'], { stdio: 'ignore' });
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.setViewportSize({ width: 1200, height: 900 });
        await page.goto(`file://${file}`);
        await check('dark');
      });

      await step('51-html-report-light', async () => {
        await check('light');
      });

      await step('52-html-report-dark-structure', async () => {
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.locator('vscode-tab-header').filter({ hasText: /^\s*Structure\s*$/ }).click();
        await page.locator('figure.heat canvas').first().waitFor();
        await check('dark');
        await page.locator('figure.heat').first().scrollIntoViewIfNeeded();
      });
    },
  },
];

/** The scenarios of scenarios.ts, then these. */
export const allScenarios: Scenario[] = [...scenarios, ...panelScenarios];
