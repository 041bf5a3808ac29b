// The "Latent structure" view on the bundled demo (issue 20): the cultural map's groups, lines,
// labels and table against the CLI's JSON, the hover, the loadings and congruence, Save PNG and
// Save CSV, an item opened from the loadings, the view in the light and the dark theme, and the
// docs' picture (test-results/docs/latent.png; scripts/screenshots.sh copies it to docs/).
//   E2E_ONLY='^Latent structure' npm run test:vscode
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CulturalMapReport, EvaluationReport, RunReport } from '../../src/core/report/model';
import { pngText } from '../../webview/export-layout';
import { pText, tuckerReading } from '../../webview/format';
import type { Scenario } from './harness';
import { sleep } from './processes';
import { command, demoWorkspace, settled } from './scenarios-docs';
import { clickTab, cliReport, editorStatus, EVALUATE, fmt, headerCell, panel, until } from './scenarios';
import { answerSaveDialog, contextMenuItem, expandFolder, explorerRow, waitForExplorer, waitForWebview } from './workbench';

/** The title E2E_ONLY matches (scripts/screenshots.sh runs it for docs/latent.png). */
export const LATENT_TITLE = 'Latent structure: the cultural map and the factor structure of the demo';

const RUN = 'persona';

/** The view's "sample; percentiles low to high" (webview/latent.ts withPercentiles). */
function withPercentiles(value: number | null, ci: { low: number | null; high: number | null } | null): string {
  return `${fmt(value)}${ci ? `; percentiles ${fmt(ci.low)} to ${fmt(ci.high)}` : ''}`;
}

interface Mark {
  group: string;
  side: 'human' | 'model' | 'context' | 'floor';
  x: number;
  y: number;
}

interface Label {
  text: string;
  side: string;
  box: [number, number, number, number] | null;
}

/** What the map's canvas says it drew (webview/latent.ts writes it for these tests). */
async function drawn(frame: Frame): Promise<{ marks: Mark[]; labels: Label[]; lines: { group: string; from: number[]; to: number[] }[]; width: number; height: number }> {
  const canvas = frame.locator('#cultural-map canvas');
  await until('the map is drawn', async () => ((await canvas.getAttribute('data-labels')) ? true : 'not yet'));
  return canvas.evaluate((c) => ({
    marks: JSON.parse((c as HTMLCanvasElement).dataset.marks ?? '[]'),
    labels: JSON.parse((c as HTMLCanvasElement).dataset.labels ?? '[]'),
    lines: JSON.parse((c as HTMLCanvasElement).dataset.lines ?? '[]'),
    width: (c as HTMLCanvasElement).clientWidth,
    height: (c as HTMLCanvasElement).clientHeight,
  }));
}

/** Colours of the map's canvas at CSS-pixel points, and the theme's run colour. */
function pixels(frame: Frame, at: [number, number][]): Promise<{ colours: [number, number, number][][]; run: [number, number, number]; background: [number, number, number] }> {
  return frame.locator('#cultural-map canvas').evaluate((c, points) => {
    const canvas = c as HTMLCanvasElement;
    const scale = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d')!;
    const rgb = (css: string): [number, number, number] => {
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const d = probe.getImageData(0, 0, 1, 1).data;
      return [d[0], d[1], d[2]];
    };
    const style = getComputedStyle(document.body);
    return {
      // Each point's 3 x 3 neighbourhood (device pixels): a thin anti-aliased line covers some of them fully.
      colours: points.map(([x, y]) => {
        const d = ctx.getImageData(Math.round(x * scale) - 1, Math.round(y * scale) - 1, 3, 3).data;
        return Array.from({ length: 9 }, (_, k) => [d[4 * k], d[4 * k + 1], d[4 * k + 2]] as [number, number, number]);
      }),
      run: rgb(style.getPropertyValue('--vscode-charts-orange').trim() || '#d18616'),
      background: rgb(style.getPropertyValue('--vscode-editor-background').trim() || '#ffffff'),
    };
  }, at);
}

const close = (a: [number, number, number], b: [number, number, number], tolerance: number) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) <= tolerance;

function overlap(a: number[], b: number[]): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** The rows of a table of the panel, cell texts. */
function rows(frame: Frame, selector: string): Promise<string[][]> {
  return frame.locator(`${selector} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => (c.textContent ?? '').trim())));
}

/** The map's positions table as the CLI's JSON says it must read. */
function expectedMapTable(map: CulturalMapReport): string[][] {
  const compared = new Set(map.points.map((p) => p.group));
  return [
    ...map.points.map((p) => [p.group, fmt(p.reference?.[0]), fmt(p.reference?.[1]), fmt(p.run?.[0]), fmt(p.run?.[1]), fmt(p.distance), p.distanceCi ? `${fmt(p.distanceCi.low)} to ${fmt(p.distanceCi.high)}` : 'n/a', String(p.referenceN), String(p.runN)]),
    ...map.referenceGroups.filter((g) => map.pooled || !compared.has(g.group)).map((g) => [g.group, fmt(g.position[0]), fmt(g.position[1]), map.pooled ? 'pooled' : 'not in run', '', '', '', String(g.n), '']),
  ];
}

/** Saves through the save dialog what `click` exports; returns the file's bytes. */
async function saveThrough(page: Page, click: () => Promise<void>, file: string): Promise<Buffer> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  await click();
  await answerSaveDialog(page, file);
  await until(`${path.basename(file)} is written`, async () => (fs.existsSync(file) && fs.statSync(file).size > 0) || 'not yet');
  await sleep(500);
  return fs.readFileSync(file);
}

export const latentScenarios: Scenario[] = [
  {
    title: LATENT_TITLE,
    async run(step, page, ctx) {
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-'));
      try {
        await latent(step, page, ctx.repoRoot, ctx.url, parent);
      } finally {
        fs.rmSync(parent, { recursive: true, force: true });
      }
    },
  },
];

async function latent(step: Parameters<Scenario['run']>[0], page: Page, repoRoot: string, url: string, parent: string): Promise<void> {
  let demo = '';
  let report: EvaluationReport | undefined;
  let run: RunReport | undefined;
  let frame: Frame | undefined;
  const shots = path.join(repoRoot, 'test-results');
  const exports = path.join(parent, 'exports');

  await step('latent-01-demo-evaluated', async () => {
    demo = demoWorkspace(repoRoot, parent);
    await page.goto(`${new URL(url).origin}/?folder=${encodeURIComponent(demo)}`);
    await waitForExplorer(page, 'representativeness.json');
    await expandFolder(page, 'runs', 'persona.csv');
    await explorerRow(page, 'persona.csv').click();
    const item = await contextMenuItem(page, 'persona.csv', EVALUATE);
    await item.hover();
    await item.click();
    frame = await waitForWebview(page, 'Representativeness', 1);
    await frame.locator(`.card[data-run="${RUN}"]`).waitFor();
    await settled(page, frame);
    // The numbers to compare with: the CLI on the same config (same seed, same report).
    report = cliReport(repoRoot, path.join(demo, 'representativeness.json'));
    run = report.runs.find((r) => r.name === RUN);
    assert.ok(run?.latent?.culturalMap && run.latent.factors, 'the CLI computed the map and the factors');
    // The panel alone, as wide as the window: the map and the loadings side by side.
    await command(page, 'View: Toggle Primary Side Bar Visibility');
    await page.locator('.tabs-container .tab').filter({ hasText: /^Representativeness$/ }).first().click();
    await command(page, 'View: Toggle Maximize Editor Group');
    frame = await panel(page);
  });

  await step('latent-02-map-groups-lines-table', async () => {
    frame = await panel(page);
    await clickTab(frame, 'Latent structure');
    await frame.locator('#cultural-map canvas').waitFor({ state: 'visible' });
    const map = run!.latent!.culturalMap!;
    const { marks, labels, lines, width, height } = await drawn(frame);
    assert.ok(Math.abs(width - height) <= 2, `a square map (${width} x ${height})`);
    // Every compared group twice (human, model), the floor once; no other human groups here.
    const groups = map.points.map((p) => p.group).sort();
    assert.deepEqual(marks.filter((m) => m.side === 'human').map((m) => m.group).sort(), groups);
    assert.deepEqual(marks.filter((m) => m.side === 'model').map((m) => m.group).sort(), groups);
    assert.equal(marks.filter((m) => m.side === 'floor').length, 1);
    // Where each mark is drawn is the report's position, on one scale for both axes (distances true).
    const pts = map.points.flatMap((p) => [
      { at: p.reference!, m: marks.find((m) => m.side === 'human' && m.group === p.group)! },
      { at: p.run!, m: marks.find((m) => m.side === 'model' && m.group === p.group)! },
    ]);
    const [lo, hi] = [pts.reduce((a, b) => (b.at[0] < a.at[0] ? b : a)), pts.reduce((a, b) => (b.at[0] > a.at[0] ? b : a))];
    const [bottom, top] = [pts.reduce((a, b) => (b.at[1] < a.at[1] ? b : a)), pts.reduce((a, b) => (b.at[1] > a.at[1] ? b : a))];
    const perUnitX = (hi.m.x - lo.m.x) / (hi.at[0] - lo.at[0]);
    const perUnitY = (bottom.m.y - top.m.y) / (top.at[1] - bottom.at[1]);
    assert.ok(Math.abs(perUnitX - perUnitY) / perUnitX < 0.01, `one scale: ${perUnitX.toFixed(2)} px per unit across, ${perUnitY.toFixed(2)} up`);
    for (const { at, m } of pts) {
      assert.ok(Math.abs(lo.m.x + (at[0] - lo.at[0]) * perUnitX - m.x) < 1.5, `${m.side} ${m.group} x`);
      assert.ok(Math.abs(bottom.m.y - (at[1] - bottom.at[1]) * perUnitY - m.y) < 1.5, `${m.side} ${m.group} y`);
    }
    // A line from each human group to its model counterpart (ending at the model's marker, where
    // the arrowhead is), in the run's colour.
    assert.deepEqual(lines.map((l) => l.group).sort(), groups);
    for (const l of lines) {
      const h = marks.find((m) => m.side === 'human' && m.group === l.group)!;
      const m = marks.find((x) => x.side === 'model' && x.group === l.group)!;
      assert.ok(Math.hypot(l.from[0] - h.x, l.from[1] - h.y) < 1, `the line of ${l.group} starts at the human point`);
      assert.ok(Math.hypot(l.to[0] - m.x, l.to[1] - m.y) < 10, `the line of ${l.group} ends at the model point`);
    }
    const samples = map.points.map((p) => {
      const h = marks.find((m) => m.side === 'human' && m.group === p.group)!;
      const m = marks.find((x) => x.side === 'model' && x.group === p.group)!;
      return [0.25, 0.35, 0.45, 0.55, 0.65, 0.75].map((t) => [h.x + (m.x - h.x) * t, h.y + (m.y - h.y) * t] as [number, number]);
    });
    const px = await pixels(frame, samples.flat());
    // The line is drawn at 85% opacity over the background.
    const line = px.run.map((c, k) => 0.85 * c + 0.15 * px.background[k]) as [number, number, number];
    const isLine = (c: [number, number, number]) => close(c, line, 70) || close(c, px.run, 70);
    let hitsAll = 0;
    samples.forEach((along, g) => {
      const seen = px.colours.slice(along.length * g, along.length * (g + 1));
      // Markers and labels (with their halo) may cross a line: it shows somewhere along it.
      const hits = seen.filter((near) => near.some(isLine)).length;
      hitsAll += hits;
      assert.ok(hits >= 1, `the line of ${map.points[g].group} is seen in the run's colour (${JSON.stringify(seen.map((n) => n[4]))} vs ${line})`);
    });
    assert.ok(hitsAll >= 0.7 * samples.flat().length, `the lines are seen at ${hitsAll} of ${samples.flat().length} points`);
    // Labels: every mark labelled, inside the canvas, none over another.
    assert.equal(labels.length, marks.length);
    const boxes = labels.map((l) => l.box);
    assert.ok(boxes.every((b) => b !== null), `labels left out: ${labels.filter((l) => !l.box).map((l) => `${l.side} ${l.text}`).join(', ')}`);
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i]!;
      assert.ok(b[0] >= 0 && b[1] >= 0 && b[2] <= width && b[3] <= height, `label ${labels[i].text} inside the map`);
      for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(b, boxes[j]!), `labels ${labels[i].side} ${labels[i].text} and ${labels[j].side} ${labels[j].text} overlap`);
    }
    // The poles named (drawn on the canvas; its accessible name says them too).
    const aria = (await frame.locator('#cultural-map canvas').getAttribute('aria-label')) ?? '';
    for (const ax of map.axes) assert.ok(aria.includes(`${ax.low} to ${ax.high}`), `${aria} names ${ax.low} and ${ax.high}`);
    // The data table and the agreement: the CLI's numbers.
    assert.deepEqual(await rows(frame, '#map-table'), expectedMapTable(map));
    const agreement = Object.fromEntries((await rows(frame, '#map-agreement')).map(([k, v]) => [k, v]));
    const a = map.agreement;
    assert.equal(agreement["Mean distance, human to model (sample; replicates' 2.5-97.5th percentiles)"], withPercentiles(a.meanDistance.value, a.meanDistance.ci));
    assert.equal(agreement["Procrustes correlation (sample; replicates' 2.5-97.5th percentiles)"], withPercentiles(a.procrustes!.correlation, a.procrustesCorrelationCi));
    assert.equal(agreement['Pearson of positions, axis 1 · axis 2'], `${fmt(a.pearson[0])} · ${fmt(a.pearson[1])}`);
    assert.match(agreement['Floor of the mean distance: independent marginals'], new RegExp(`^${fmt(map.floor.meanDistance)} `));
    const nul = a.procrustesNull!;
    assert.equal(agreement["Floor of the Procrustes r: groups permuted (the null's mean; its 2.5-97.5th percentiles)"], `${withPercentiles(nul.mean, { low: nul.low, high: nul.high })} (${nul.permutations} permutations; ${pText(nul.p)})`);
    assert.match(agreement['Ceiling, human split-half: mean distance · Procrustes r (mean of the splits; their 2.5-97.5th percentiles)'], new RegExp(`^${fmt(map.ceiling.meanDistance)}; percentiles `));
    assert.equal(agreement['Verdict (mean distance against floor and ceiling)'], a.meanDistance.verdict!.text);
    assert.equal(agreement['Verdict (Procrustes r against floor and ceiling)'], a.procrustesVerdict.text);
    // The persona run pushes the countries outward: further than the floor; its shape is the
    // humans' stretched, above the matchings to the wrong groups.
    assert.equal(await frame.locator('#map-agreement').getAttribute('data-verdict'), 'below-floor');
    assert.equal(await frame.locator('#map-agreement').getAttribute('data-shape-verdict'), a.procrustesVerdict.code);
    assert.notEqual(a.procrustesVerdict.code, 'undefined');
    // The screenshot: the agreement table with both floors, the ceiling and the two verdicts.
    await frame.locator('#map-agreement').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  });

  await step('latent-03-hover-a-point', async () => {
    frame = await panel(page);
    const map = run!.latent!.culturalMap!;
    const p = [...map.points].sort((x, y) => (y.distance ?? 0) - (x.distance ?? 0))[0];
    const { marks } = await drawn(frame);
    const m = marks.find((x) => x.side === 'model' && x.group === p.group)!;
    const canvas = frame.locator('#cultural-map canvas');
    await canvas.scrollIntoViewIfNeeded();
    await canvas.hover({ position: { x: m.x, y: m.y } });
    const readout = frame.locator('#map-readout');
    await until(`the hover names ${p.group}`, async () => ((await readout.innerText()).startsWith(p.group) ? true : `readout: ${await readout.innerText()}`));
    const text = await readout.innerText();
    const [ax1, ax2] = map.axes;
    assert.ok(text.includes(`human ${ax1.high} ${fmt(p.reference![0])}, ${ax2.high} ${fmt(p.reference![1])}`), text);
    assert.ok(text.includes(`model ${ax1.high} ${fmt(p.run![0])}, ${ax2.high} ${fmt(p.run![1])}`), text);
    assert.ok(text.includes(`distance ${withPercentiles(p.distance, p.distanceCi)} · n human ${p.referenceN} · n model ${p.runN}`), text);
    await sleep(300);
  });

  await step('latent-04-loadings-and-congruence', async () => {
    frame = await panel(page);
    const f = run!.latent!.factors!;
    const congruence = await rows(frame, '#congruence-table');
    const reading = (phi: number | null) => tuckerReading(phi) ?? 'undefined';
    assert.deepEqual(congruence, [
      ...f.congruence.perFactor.map((phi, j) => [`Factor ${j + 1}`, fmt(phi), reading(phi)]),
      ['Mean over factors', fmt(f.congruence.mean), reading(f.congruence.mean)],
      ['Overall (all loadings)', fmt(f.congruence.overall), reading(f.congruence.overall)],
    ]);
    const movers = new Set(f.movers.map((m) => m.item));
    const loadings = await rows(frame, '#loadings-table');
    assert.deepEqual(
      loadings,
      f.items.map((item, i) => [
        `${item}${movers.has(item) ? 'moves' : ''}`,
        ...Array.from({ length: f.factors }, (_, j) => [fmt(f.reference.loadings[i][j], 2), fmt(f.run.loadings[i][j], 2)]).flat(),
        fmt(f.reference.communalities[i], 2),
        fmt(f.run.communalities[i], 2),
      ]),
    );
    assert.deepEqual(await rows(frame, '#movers-table'), f.movers.map((m) => [m.item, fmt(m.distance), m.reference.map((v) => fmt(v, 2)).join(', '), m.run.map((v) => fmt(v, 2)).join(', ')]));
    await frame.locator('#congruence-table').scrollIntoViewIfNeeded();
  });

  await step('latent-05-docs-picture-light', async () => {
    frame = await panel(page);
    await page.mouse.move(1100, 8);
    const section = frame.locator('section.latent');
    await section.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await sleep(800);
    const view = await page.locator('iframe.webview.ready').first().boundingBox();
    const top = await section.boundingBox();
    // Down to the hover line under the map (its Save PNG button left out).
    const map = await frame.locator('#map-readout').boundingBox();
    assert.ok(view && top && map, 'the view is on screen');
    const y = Math.max(view.y, top.y - 8);
    const bottom = Math.min(view.y + view.height, map.y + map.height + 6);
    assert.ok(bottom - y > 400, `the map fits in the window (${Math.round(bottom - y)} px)`);
    fs.mkdirSync(path.join(shots, 'docs'), { recursive: true });
    await page.screenshot({ path: path.join(shots, 'docs', 'latent.png'), clip: { x: view.x, y, width: view.width, height: bottom - y } });
  });

  await step('latent-06-save-map-png', async () => {
    frame = await panel(page);
    const canvas = frame.locator('#cultural-map canvas');
    const size = await canvas.evaluate((c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
    const file = path.join(exports, 'map.png');
    const bytes = await saveThrough(page, () => frame!.locator('#cultural-map vscode-button.save-png').click(), file);
    assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG file');
    const png = { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    assert.ok(png.height >= size.height + 80, `the image (${png.width}x${png.height}) holds the map (${size.width}x${size.height}) with a title and a legend`);
    const text = pngText(new Uint8Array(bytes));
    assert.equal(text.Title, `Cultural map: human vs model ${RUN}`);
    assert.match(text.Description ?? '', /Legend: Human groups; Model groups, persona \(labels in italics\); Human → model; Floor/);
    assert.match(text.Description ?? '', new RegExp(`Mean distance ${fmt(run!.latent!.culturalMap!.agreement.meanDistance.value)}; percentiles `));
    fs.copyFileSync(file, path.join(shots, 'latent-06-exported-map.png'));
  });

  await step('latent-07-save-map-csv', async () => {
    frame = await panel(page);
    const file = path.join(exports, 'map.csv');
    const bytes = await saveThrough(page, () => frame!.locator('section.latent-map > vscode-button.save-csv').first().click(), file);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    assert.equal(lines[0], "Group,Human axis 1,Human axis 2,Model axis 1,Model axis 2,Distance,Distance: replicates' 2.5-97.5th percentiles,n human,n model");
    const csvCell = (t: string) => (/[",]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
    assert.deepEqual(lines.slice(1), expectedMapTable(run!.latent!.culturalMap!).map((r) => r.map(csvCell).join(',')));
  });

  await step('latent-08-dark-theme', async () => {
    frame = await panel(page);
    const settings = path.join(demo, '.vscode', 'settings.json');
    const s = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settings, JSON.stringify({ ...s, 'workbench.colorTheme': 'Default Dark Modern' }, null, 2));
    await until('the panel turns dark', async () => {
      frame = await panel(page);
      return (await frame.evaluate(() => document.body.classList.contains('vscode-dark'))) || 'still light';
    });
    await clickTab(frame!, 'Latent structure');
    const { marks, labels } = await drawn(frame!);
    assert.ok(labels.every((l) => l.box), 'every label placed in the dark theme too');
    const px = await pixels(frame!, [[4, 4]]);
    assert.ok(px.background[0] + px.background[1] + px.background[2] < 200, `a dark theme (${px.background})`);
    assert.ok(marks.length > 0);
    await frame!.locator('section.latent').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.mouse.move(1100, 8);
    await sleep(800);
  });

  await step('latent-09-mover-opens-its-column', async () => {
    frame = await panel(page);
    const item = run!.latent!.factors!.movers[0].item;
    const { start, length } = headerCell(path.join(demo, 'runs', 'persona.csv'), item);
    await frame.locator(`#movers-table tr[data-item="${item}"] button.link`).click();
    await until(`persona.csv opens with ${item}'s header cell selected`, async () => {
      const status = await editorStatus(page, 'persona.csv');
      return status === `Ln 1, Col ${start + length + 1} (${length} selected)` || `status bar: ${status}`;
    });
  });
}
