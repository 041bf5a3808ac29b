/**
 * The "Latent structure" view: the Inglehart-Welzel cultural map (human groups and the model's
 * groups on the humans' two axes, a line from each human group to its model counterpart) with its
 * agreement, floor and ceiling, and the factor structure of all items (human vs model loadings,
 * Tucker's congruence per factor, the items whose loadings move most). Numbers are the report's
 * (`runs[].latent`, docs/latent-structure.md); text from data files only ever becomes text nodes.
 * main.ts hooks it in as a tab and hands it the panel's export buttons and the `openItem` message.
 */
import { Chart, type ChartConfiguration, type Plugin } from 'chart.js';
import type { CulturalMapPoint, CulturalMapReport, FactorStructureReport, MapPosition, RunReport } from '../src/core/report/model';
import { charts } from './charts';
import { fmt, h } from './dom';
import type { ExportSpec } from './export';
import { pText, tuckerReading } from './format';
import { latentAbsence, mapAgreementTrack, mapExtent, placeLabels, type Box, type LabelRequest, type PlacedLabel } from './latent-model';
import type { Headline } from './scorecard';
import { diverging, palette, type Palette } from './theme';

export { mapAgreementTrack, type MapAgreementTrack } from './latent-model';

/**
 * The map's scorecard headline (`runHeadlines` can append it; `scoreTrack(headline, domain)` draws
 * it): `mapAgreementTrack` typed as a `Headline`, so a change to either fails the typecheck here.
 */
export function mapHeadline(run: RunReport): Headline | null {
  return mapAgreementTrack(run);
}

/** What the view needs from the panel around it (main.ts). */
export interface LatentEnv {
  /** The subgroup chosen in "Respondents" (the map and the factors are the whole run's), or null. */
  subgroup: string | null;
  /** The reference's file name, for exported figures. */
  reference: string;
  pngButton: (canvas: HTMLCanvasElement, name: string, what: string, spec: () => ExportSpec, drawFirst?: () => void) => HTMLElement | null;
  csvButton: (table: HTMLTableElement, name: string, what: string) => HTMLElement | null;
  /** Opens an item's column in the run file (the panel's `openItem` message); null in the HTML report. */
  openItem: ((item: string) => void) | null;
}

export function latentView(run: RunReport, env: LatentEnv): HTMLElement {
  const wrap = h('section', { class: 'latent', 'aria-label': 'Latent structure' });
  if (env.subgroup) {
    wrap.append(h('p', { class: 'meta', id: 'latent-scope' }, `The cultural map and the factor structure are computed for the whole run (all respondents); the subgroup ${env.subgroup} does not apply here.`));
  }
  const absent = latentAbsence(run);
  const map = run.latent?.culturalMap ?? null;
  const factors = run.latent?.factors ?? null;
  const mapPart = h('section', { class: 'latent-map', 'aria-label': 'Inglehart-Welzel cultural map' }, h('h2', {}, 'Cultural map (Inglehart-Welzel)'));
  if (map) mapPart.append(...culturalMap(run, map, env));
  else mapPart.append(h('p', { class: 'latent-absent', id: 'map-absent', role: 'status' }, absent.map ?? ''));
  const factorPart = h('section', { class: 'latent-factors', 'aria-label': 'Factor structure of all items' }, h('h2', {}, 'Factor structure of all items'));
  if (factors) factorPart.append(...factorStructure(run, factors, env));
  else factorPart.append(h('p', { class: 'latent-absent', id: 'factors-absent', role: 'status' }, absent.factors ?? ''));
  wrap.append(h('div', { class: 'latent-grid' }, mapPart, factorPart));
  return wrap;
}

// ---------------------------------------------------------------------------------------------
// The cultural map

const POINT_RADIUS = 5;
const LABEL_FONT = 11;

function pos(p: MapPosition | null): string {
  return p ? `(${fmt(p[0])}, ${fmt(p[1])})` : 'n/a';
}

/**
 * A sample value and its replicates' 2.5-97.5th percentiles, written apart ("4.238; percentiles
 * 4.034 to 4.534"): the map's intervals are percentile intervals of the resampled value, which
 * need not contain the estimate, so they are never written as "estimate [interval]" (the panel's
 * convention for the paper's numbers).
 */
export function withPercentiles(value: number | null, ci: { low: number | null; high: number | null } | null): string {
  return `${fmt(value)}${ci ? `; percentiles ${fmt(ci.low)} to ${fmt(ci.high)}` : ''}`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The human groups on the map that the run does not have (or all of them around a pooled point). */
function contextGroups(map: CulturalMapReport): { group: string; n: number; position: MapPosition }[] {
  if (map.pooled) return map.referenceGroups;
  const compared = new Set(map.points.map((p) => p.group));
  return map.referenceGroups.filter((g) => !compared.has(g.group));
}

function culturalMap(run: RunReport, map: CulturalMapReport, env: LatentEnv): HTMLElement[] {
  const a = map.agreement;
  const verdict = a.meanDistance.verdict;
  const shape = a.procrustesVerdict;
  const nul = a.procrustesNull;
  const [ax1, ax2] = map.axes;
  const context = contextGroups(map);
  const meta = h(
    'p',
    { class: 'meta', id: 'map-meta' },
    `${map.indicators.length} indicators, human groups by ${map.groupBy.reference}${map.pooled ? `; run ${run.name} has no column to group by, so all its respondents are one point, compared with all human respondents pooled` : ` (run: ${map.groupBy.run ?? ''})`}. Axis 1 ${ax1.low} → ${ax1.high} (${pct(ax1.varianceExplained)} of the variance of the group means), axis 2 ${ax2.low} → ${ax2.high} (${pct(ax2.varianceExplained)}). The run's ${map.pooled ? 'point is' : 'groups are'} placed with the humans' solution, so both share the axes.`,
  );
  const missing = map.missingIndicators.length
    ? h('p', { class: 'latent-missing', id: 'map-missing' }, `Indicators left out: ${map.missingIndicators.map((m) => `${m.id} (${m.reason})`).join('; ')}.`)
    : null;

  const canvas = h('canvas', {
    role: 'img',
    'aria-label': `Cultural map of ${map.points.length} group${map.points.length === 1 ? '' : 's'}: human positions (circles) and model ${run.name} positions (triangles), a line from each human group to its model counterpart; x: ${ax1.low} to ${ax1.high}, y: ${ax2.low} to ${ax2.high}. The table below lists every position.`,
  });
  const readout = h('p', { class: 'map-readout', id: 'map-readout', 'aria-live': 'polite' });
  const holder = h('div', { class: 'chart square map-chart' }, canvas);
  const draw = () => {
    if (canvas.isConnected && !Chart.getChart(canvas)) mapChart(canvas, run, map, readout, palette());
  };
  requestAnimationFrame(draw);
  const legend = h(
    'p',
    { class: 'key map-key' },
    h('span', { class: 'swatch reference round', 'aria-hidden': 'true' }),
    map.pooled ? 'All human respondents' : 'Human groups',
    h('span', { class: 'swatch run triangle', 'aria-hidden': 'true' }),
    map.pooled ? `Model (${run.name}, all respondents)` : `Model groups (${run.name}; labels in italics)`,
    h('span', { class: 'swatch line', 'aria-hidden': 'true' }),
    'Human → model',
    context.length ? [h('span', { class: 'swatch reference hollow', 'aria-hidden': 'true' }), map.pooled ? 'Human groups (pooled into the human point)' : 'Human groups not in the run'] : null,
    map.floor.position && !map.pooled ? [h('span', { class: 'swatch floor', 'aria-hidden': 'true' }, '×'), 'Floor: every group answering from the pooled human marginals'] : null,
  );
  const exportSpec = (): ExportSpec => {
    const p = palette();
    const entries: { label: string; colour: string; line?: boolean; marker?: 'circle' | 'triangle' | 'cross' }[] = [
      { label: map.pooled ? 'All human respondents' : 'Human groups', colour: p.reference, marker: 'circle' },
      { label: map.pooled ? `Model ${run.name}, all respondents` : `Model groups, ${run.name} (labels in italics)`, colour: p.run, marker: 'triangle' },
      { label: 'Human → model', colour: p.run, line: true },
    ];
    if (context.length) entries.push({ label: map.pooled ? 'Human groups (pooled into the human point)' : 'Human groups not in the run', colour: p.background, marker: 'circle' });
    if (map.floor.position && !map.pooled) entries.push({ label: 'Floor: every group answering from the pooled human marginals', colour: p.muted, marker: 'cross' });
    return {
      title: `Cultural map: human vs model ${run.name}`,
      subtitle: [
        `Inglehart-Welzel map of ${map.indicators.length} indicators, groups by ${map.groupBy.reference}; reference ${env.reference}`,
        `Mean distance ${withPercentiles(a.meanDistance.value, a.meanDistance.ci)} · Procrustes r ${withPercentiles(a.procrustes?.correlation ?? null, a.procrustesCorrelationCi)} · ceiling r ${fmt(map.ceiling.procrustesCorrelation)}`,
      ],
      legend: { kind: 'swatches', entries },
      palette: p,
    };
  };
  const figure = h(
    'figure',
    { class: 'map', id: 'cultural-map' },
    h('figcaption', {}, `Human and model (${run.name}) positions on the cultural map`),
    legend,
    holder,
    readout,
    env.pngButton(canvas, `${run.name}-cultural-map`, 'the cultural map', exportSpec, draw),
  );

  const agreementRows: [string, string][] = [
    ["Mean distance, human to model (sample; replicates' 2.5-97.5th percentiles)", withPercentiles(a.meanDistance.value, a.meanDistance.ci)],
    ["Procrustes correlation (sample; replicates' 2.5-97.5th percentiles)", a.procrustes ? withPercentiles(a.procrustes.correlation, a.procrustesCorrelationCi) : `n/a (${a.groups < 2 ? 'one point: no configuration to compare' : 'no spread'})`],
    ['Pearson of positions, axis 1 · axis 2', `${fmt(a.pearson[0])} · ${fmt(a.pearson[1])}`],
    ['Procrustes sum of squares: symmetric · non-symmetric (map units)', a.procrustes ? `${fmt(a.procrustes.symmetricSs)} · ${fmt(a.procrustes.ss)}` : 'n/a'],
    ['Floor of the mean distance: independent marginals', `${fmt(map.floor.meanDistance)} (every group on the pooled human point)`],
    [
      "Floor of the Procrustes r: groups permuted (the null's mean; its 2.5-97.5th percentiles)",
      nul ? `${withPercentiles(nul.mean, { low: nul.low, high: nul.high })} (${nul.permutations} permutations; ${pText(nul.p)})` : 'n/a',
    ],
    [
      "Ceiling, human split-half: mean distance · Procrustes r (mean of the splits; their 2.5-97.5th percentiles)",
      `${withPercentiles(map.ceiling.meanDistance, { low: map.ceiling.meanDistanceLow, high: map.ceiling.meanDistanceHigh })} · ${withPercentiles(map.ceiling.procrustesCorrelation, { low: map.ceiling.procrustesCorrelationLow, high: map.ceiling.procrustesCorrelationHigh })} (${map.ceiling.splits} splits)`,
    ],
    ['Verdict (mean distance against floor and ceiling)', verdict?.text ?? 'n/a'],
    ['Verdict (Procrustes r against floor and ceiling)', shape?.text ?? 'n/a'],
  ];
  const agreement = h(
    'table',
    { class: 'comparison', id: 'map-agreement', 'data-verdict': verdict?.code ?? 'undefined', 'data-shape-verdict': shape?.code ?? 'undefined' },
    h('caption', {}, `Map agreement, ${a.groups} group${a.groups === 1 ? '' : 's'}`),
    h('tbody', {}, agreementRows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))),
  );
  const note = h(
    'p',
    { class: 'meta map-note' },
    'Intervals: the 2.5-97.5th percentiles of bootstrap replicates (the run\'s respondents resampled within groups, the human map held fixed); they are about the resampled value and need not contain the estimate, so they are written apart from it. Floors and ceilings are sample values, like the distance and the correlation. With few groups even unrelated configurations reach a sizeable Procrustes correlation: its floor is what the run\'s own positions reach when matched to the wrong groups.',
  );

  const table = h(
    'table',
    { id: 'map-table' },
    h('caption', {}, `Positions on the map (axis 1: ${ax1.low} → ${ax1.high}; axis 2: ${ax2.low} → ${ax2.high})`),
    h('thead', {}, h('tr', {}, ['Group', 'Human axis 1', 'Human axis 2', 'Model axis 1', 'Model axis 2', 'Distance', "Distance: replicates' 2.5-97.5th percentiles", 'n human', 'n model'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      map.points.map((p) =>
        h(
          'tr',
          { 'data-group': p.group },
          h('th', { scope: 'row' }, p.group),
          h('td', {}, fmt(p.reference?.[0])),
          h('td', {}, fmt(p.reference?.[1])),
          h('td', {}, fmt(p.run?.[0])),
          h('td', {}, fmt(p.run?.[1])),
          h('td', {}, fmt(p.distance)),
          h('td', {}, p.distanceCi ? `${fmt(p.distanceCi.low)} to ${fmt(p.distanceCi.high)}` : 'n/a'),
          h('td', {}, p.referenceN),
          h('td', {}, p.runN),
        ),
      ),
      context.map((g) =>
        h(
          'tr',
          { 'data-group': g.group, class: 'context' },
          h('th', { scope: 'row' }, g.group),
          h('td', {}, fmt(g.position[0])),
          h('td', {}, fmt(g.position[1])),
          h('td', {}, map.pooled ? 'pooled' : 'not in run'),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', {}, g.n),
          h('td', {}, ''),
        ),
      ),
    ),
  );
  const indicators = h(
    'table',
    { id: 'map-indicators' },
    h('caption', {}, 'Indicators: columns read, rotated loadings, and the standardisation over the human groups'),
    h('thead', {}, h('tr', {}, ['Indicator', 'Code', 'Columns', 'Dimension', 'Loading axis 1', 'Loading axis 2', 'Mean of groups', 'SD of groups'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      map.indicators.map((i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${i.id}: ${i.name}`),
          h('td', {}, i.code),
          h('td', {}, Object.entries(i.columns).map(([part, col]) => (part === col || Object.keys(i.columns).length === 1 ? col : `${part} ${col}`)).join(', ')),
          h('td', {}, i.dimension === 1 ? `1 ${ax1.low}/${ax1.high}` : `2 ${ax2.low}/${ax2.high}`),
          h('td', {}, fmt(i.loadings[0])),
          h('td', {}, fmt(i.loadings[1])),
          h('td', {}, fmt(i.center)),
          h('td', {}, fmt(i.scale)),
        ),
      ),
    ),
  );
  return [
    meta,
    ...(missing ? [missing] : []),
    figure,
    agreement,
    note,
    h('div', { class: 'table-box scroll' }, table),
    ...[env.csvButton(table, `${run.name}-cultural-map`, 'the cultural map positions')].filter((x): x is HTMLElement => !!x),
    h('details', { class: 'map-indicators' }, h('summary', {}, `Indicators (${map.indicators.length})`), h('div', { class: 'table-box scroll' }, indicators), env.csvButton(indicators, `${run.name}-cultural-map-indicators`, 'the indicators table')),
  ];
}

/** One point of the map as drawn: which group, which side, where (map units). */
interface MapMark {
  group: string;
  side: 'human' | 'model' | 'context' | 'floor';
  at: MapPosition;
  point: CulturalMapPoint | null;
  n: number | null;
}

function mapMarks(map: CulturalMapReport): MapMark[][] {
  const human: MapMark[] = [];
  const model: MapMark[] = [];
  for (const p of map.points) {
    if (p.reference) human.push({ group: map.pooled ? 'All human respondents' : p.group, side: 'human', at: p.reference, point: p, n: p.referenceN });
    if (p.run) model.push({ group: p.group, side: 'model', at: p.run, point: p, n: p.runN });
  }
  const context = contextGroups(map).map((g): MapMark => ({ group: g.group, side: 'context', at: g.position, point: null, n: g.n }));
  // A pooled run's floor is the pooled human point itself (drawn already).
  const floor: MapMark[] = map.floor.position && !map.pooled ? [{ group: 'Floor', side: 'floor', at: map.floor.position, point: null, n: null }] : [];
  return [human, model, context, floor];
}

/** What the hover (tooltip and readout) says about a mark. */
function describeMark(m: MapMark, map: CulturalMapReport, runName: string): string[] {
  const [ax1, ax2] = map.axes;
  const coords = (p: MapPosition | null) => (p ? `${ax1.high} ${fmt(p[0])}, ${ax2.high} ${fmt(p[1])}` : 'n/a');
  if (m.side === 'floor') return ['Floor: independent marginals', `every group on the pooled human point: ${coords(m.at)}`, `mean distance ${fmt(map.floor.meanDistance)}`];
  if (m.side === 'context') return [`${m.group} (human${map.pooled ? ', pooled into the human point' : ', not in the run'})`, coords(m.at), `n ${m.n ?? 'n/a'}`];
  const p = m.point!;
  return [
    map.pooled ? `All respondents (run ${runName}) vs all human respondents` : `${p.group}`,
    `human ${coords(p.reference)}`,
    `model ${coords(p.run)}`,
    `distance ${withPercentiles(p.distance, p.distanceCi)} · n human ${p.referenceN} · n model ${p.runN}`,
  ];
}

function mapChart(canvas: HTMLCanvasElement, run: RunReport, map: CulturalMapReport, readout: HTMLElement, p: Palette): Chart {
  const sets = mapMarks(map);
  const [human, model, context, floor] = sets;
  const extent = mapExtent(sets.flat().map((m) => m.at));
  const [ax1, ax2] = map.axes;
  const font = (px: number, style = '') => `${style ? `${style} ` : ''}${px}px ${p.fontFamily}`;
  /** The hovered mark, and the group whose line is highlighted (a human or model mark's). */
  let hoverMark: MapMark | null = null;
  let hovered: string | null = null;
  let hiddenLabels = 0;
  const showReadout = () => {
    readout.textContent = hoverMark
      ? describeMark(hoverMark, map, run.name).join(' · ')
      : `Hover a point for its positions and distance.${hiddenLabels ? ` ${hiddenLabels} label${hiddenLabels === 1 ? '' : 's'} left out where points crowd: the table below names every point.` : ''}`;
  };
  const hover = (chart: Chart, m: MapMark | null) => {
    hoverMark = m;
    showReadout();
    const group = m && (m.side === 'human' || m.side === 'model') ? m.point!.group : null;
    if (group !== hovered) {
      hovered = group;
      chart.draw();
    }
  };

  const plugin: Plugin = {
    id: 'culturalMap',
    beforeDatasetsDraw(chart) {
      const a = chart.chartArea;
      const x = chart.scales.x;
      const y = chart.scales.y;
      const ctx = chart.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
      ctx.clip();
      // The human groups' centre (the scores' origin), so "more secular than average" reads at a glance.
      ctx.strokeStyle = p.muted;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      const x0 = x.getPixelForValue(0);
      const y0 = y.getPixelForValue(0);
      ctx.beginPath();
      ctx.moveTo(x0, a.top);
      ctx.lineTo(x0, a.bottom);
      ctx.moveTo(a.left, y0);
      ctx.lineTo(a.right, y0);
      ctx.stroke();
      ctx.setLineDash([]);
      // Human -> model: a line with an arrowhead at the model's end.
      const segments: { group: string; from: number[]; to: number[] }[] = [];
      for (const pt of map.points) {
        if (!pt.reference || !pt.run) continue;
        const hx = x.getPixelForValue(pt.reference[0]);
        const hy = y.getPixelForValue(pt.reference[1]);
        const mx = x.getPixelForValue(pt.run[0]);
        const my = y.getPixelForValue(pt.run[1]);
        const on = hovered === pt.group;
        ctx.strokeStyle = on ? p.focus : p.run;
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = on ? 3 : 1.5;
        ctx.globalAlpha = hovered && !on ? 0.35 : 0.85;
        const len = Math.hypot(mx - hx, my - hy);
        if (len < 1) continue;
        const ux = (mx - hx) / len;
        const uy = (my - hy) / len;
        // Stop at the marker's edge, so the arrowhead is seen.
        const ex = mx - ux * (POINT_RADIUS + 2);
        const ey = my - uy * (POINT_RADIUS + 2);
        segments.push({ group: pt.group, from: [hx, hy].map((v) => Math.round(v * 10) / 10), to: [ex, ey].map((v) => Math.round(v * 10) / 10) });
        ctx.beginPath();
        ctx.moveTo(hx, hy);
        ctx.lineTo(ex, ey);
        ctx.stroke();
        if (len > 18) {
          const head = on ? 9 : 7;
          ctx.beginPath();
          ctx.moveTo(ex, ey);
          ctx.lineTo(ex - ux * head - uy * head * 0.5, ey - uy * head + ux * head * 0.5);
          ctx.lineTo(ex - ux * head + uy * head * 0.5, ey - uy * head - ux * head * 0.5);
          ctx.closePath();
          ctx.fill();
        }
      }
      ctx.restore();
      // What was drawn, for the UI tests (CSS px).
      const lines = JSON.stringify(segments);
      if (canvas.dataset.lines !== lines) canvas.dataset.lines = lines;
    },
    afterDatasetsDraw(chart) {
      const a = chart.chartArea;
      const ctx = chart.ctx;
      const area: Box = { left: a.left + 2, top: a.top + 2, right: a.right - 2, bottom: a.bottom - 2 };
      // Every mark where it is drawn (CSS px): labels avoid them; the UI tests read them.
      const drawn = sets.map((set, d) => set.map((m, i) => ({ m, el: chart.getDatasetMeta(d).data[i] })).filter((x) => x.el));
      const obstacles: Box[] = drawn.flat().map(({ el }) => ({ left: el.x - POINT_RADIUS - 1, top: el.y - POINT_RADIUS - 1, right: el.x + POINT_RADIUS + 1, bottom: el.y + POINT_RADIUS + 1 }));
      // Human labels first (upright), then the model's (italic); the floor's last.
      const order = [...drawn[0], ...drawn[1], ...drawn[2], ...drawn[3]];
      const text = (m: MapMark) => (m.side === 'floor' ? 'floor' : m.side === 'human' && map.pooled ? 'humans (pooled)' : m.side === 'model' && map.pooled ? run.name : m.group);
      const style = (m: MapMark) => (m.side === 'model' ? 'italic' : m.side === 'human' ? 'bold' : '');
      const requests: LabelRequest[] = order.map(({ m, el }) => {
        ctx.font = font(LABEL_FONT, style(m));
        return { x: el.x, y: el.y, radius: POINT_RADIUS, width: Math.ceil(ctx.measureText(text(m)).width) + 2, height: LABEL_FONT + 3 };
      });
      const placed: (PlacedLabel | null)[] = placeLabels(requests, area, obstacles);
      ctx.save();
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.lineJoin = 'round';
      placed.forEach((pl, k) => {
        if (!pl) return;
        const { m, el } = order[k];
        const b = pl.box;
        if (pl.leader) {
          ctx.strokeStyle = p.muted;
          ctx.lineWidth = 0.75;
          ctx.beginPath();
          ctx.moveTo(el.x, el.y);
          ctx.lineTo(Math.max(b.left, Math.min(b.right, el.x)), Math.max(b.top, Math.min(b.bottom, el.y)));
          ctx.stroke();
        }
        ctx.font = font(LABEL_FONT, style(m));
        // A halo in the background colour keeps a label readable over the lines it crosses.
        ctx.strokeStyle = p.background;
        ctx.lineWidth = 3;
        ctx.strokeText(text(m), b.left + 1, (b.top + b.bottom) / 2);
        ctx.fillStyle = m.side === 'context' || m.side === 'floor' ? p.muted : p.foreground;
        ctx.fillText(text(m), b.left + 1, (b.top + b.bottom) / 2);
      });
      ctx.restore();
      hiddenLabels = placed.filter((x) => x === null).length;
      const marks = JSON.stringify(drawn.flat().map(({ m, el }) => ({ group: m.group, side: m.side, x: Math.round(el.x * 10) / 10, y: Math.round(el.y * 10) / 10 })));
      if (canvas.dataset.marks !== marks) canvas.dataset.marks = marks;
      const labels = JSON.stringify(placed.map((pl, k) => ({ text: text(order[k].m), side: order[k].m.side, box: pl ? [pl.box.left, pl.box.top, pl.box.right, pl.box.bottom].map((v) => Math.round(v * 10) / 10) : null })));
      if (canvas.dataset.labels !== labels) canvas.dataset.labels = labels;
      showReadout();
    },
    afterEvent(chart, args) {
      if (args.event.type === 'mouseout' && hoverMark) hover(chart, null);
    },
    afterDraw(chart) {
      // Axis names with their poles, in the padding below and left of the tick labels.
      const a = chart.chartArea;
      const ctx = chart.ctx;
      const xs = chart.scales.x;
      ctx.save();
      ctx.fillStyle = p.foreground;
      ctx.textBaseline = 'middle';
      const axisLines = (from: number, to: number, first: number, second: number, low: string, high: string, name: string, draw: (t: string, at: number, line: number, align: CanvasTextAlign) => void) => {
        ctx.font = font(11, 'bold');
        draw(`← ${low}`, from, first, 'left');
        draw(`${high} →`, to, first, 'right');
        ctx.font = font(11);
        draw(name, (from + to) / 2, second, 'center');
      };
      axisLines(a.left, a.right, xs.bottom + 12, xs.bottom + 28, ax1.low, ax1.high, `Axis 1: ${ax1.name} (${pct(ax1.varianceExplained)})`, (t, at, line, align) => {
        ctx.textAlign = align;
        ctx.fillText(t, at, line);
      });
      const ys = chart.scales.y;
      ctx.save();
      ctx.translate(ys.left - 12, 0);
      ctx.rotate(-Math.PI / 2);
      // Rotated: x runs upwards (-y of the canvas), so the bottom of the plot is -a.bottom.
      axisLines(-a.bottom, -a.top, 0, -16, ax2.low, ax2.high, `Axis 2: ${ax2.name} (${pct(ax2.varianceExplained)})`, (t, at, line, align) => {
        ctx.textAlign = align;
        ctx.fillText(t, at, line);
      });
      ctx.restore();
      ctx.restore();
    },
  };

  const dataset = (set: MapMark[], label: string, style: Record<string, unknown>) => ({ label, data: set.map((m) => ({ x: m.at[0], y: m.at[1] })), ...style });
  const config: ChartConfiguration = {
    type: 'scatter',
    data: {
      datasets: [
        dataset(human, 'Human groups', { pointStyle: 'circle', pointRadius: POINT_RADIUS, pointHoverRadius: POINT_RADIUS + 2, backgroundColor: p.reference, borderColor: p.foreground, borderWidth: p.highContrast ? 2 : 1 }),
        dataset(model, `Model groups (${run.name})`, { pointStyle: 'triangle', pointRadius: POINT_RADIUS + 1, pointHoverRadius: POINT_RADIUS + 3, backgroundColor: p.run, borderColor: p.foreground, borderWidth: p.highContrast ? 2 : 1 }),
        dataset(context, 'Other human groups', { pointStyle: 'circle', pointRadius: POINT_RADIUS - 1, pointHoverRadius: POINT_RADIUS + 1, backgroundColor: p.background, borderColor: p.reference, borderWidth: 1.5 }),
        dataset(floor, 'Floor', { pointStyle: 'crossRot', pointRadius: POINT_RADIUS + 2, pointHoverRadius: POINT_RADIUS + 4, borderColor: p.muted, borderWidth: 2 }),
      ] as never,
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: p.foreground,
      // Equal space left and below the plot (tick labels + two lines of axis text), and on the two
      // other sides, so a square canvas gives a square plot: one map unit is as long on both axes.
      layout: { padding: { left: 36, bottom: 36, top: 10, right: 10 } },
      scales: {
        x: { type: 'linear', min: extent.x[0], max: extent.x[1], ticks: { color: p.muted, maxTicksLimit: 9, includeBounds: false }, grid: { color: p.grid }, afterFit: (s) => { s.height = 40; } },
        y: { type: 'linear', min: extent.y[0], max: extent.y[1], ticks: { color: p.muted, maxTicksLimit: 9, includeBounds: false }, grid: { color: p.grid }, afterFit: (s) => { s.width = 40; } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (ctx) => describeMark(sets[ctx.datasetIndex][ctx.dataIndex], map, run.name),
          },
        },
      },
      onHover: (_e, elements, chart) => {
        const el = elements[0];
        const m = el ? sets[el.datasetIndex][el.index] : null;
        if (m !== hoverMark) hover(chart, m);
      },
    },
    plugins: [plugin],
  };
  const chart = new Chart(canvas, config);
  charts.add(chart);
  return chart;
}

// ---------------------------------------------------------------------------------------------
// The factor structure

function factorStructure(run: RunReport, f: FactorStructureReport, env: LatentEnv): HTMLElement[] {
  const k = f.factors;
  const names = new Map(run.marginal.items.map((it) => [it.item, it.label ? `${it.item}: ${it.label}` : it.item]));
  const itemButton = (item: string) =>
    env.openItem
      ? h('button', { class: 'link', title: `Open ${item} in the run file`, 'aria-label': `Open ${names.get(item) ?? item} where it is defined`, onclick: () => env.openItem!(item) }, item)
      : item;
  const meta = h(
    'p',
    { class: 'meta', id: 'factors-meta' },
    `Minimum-residual factor analysis of the ${f.method} correlations of ${f.items.length} items, ${k} factor${k === 1 ? '' : 's'} ${f.factorsFrom === 'config' ? 'as set in the config ("factors")' : `from the reference's parallel analysis${f.parallel ? ` (${f.parallel.iterations} simulated data sets of ${f.parallel.simulatedRespondents.toLocaleString('en')} respondents)` : ''}`}. The humans' loadings are varimax-rotated; the model's are rotated to them by orthogonal Procrustes, then compared.`,
  );
  const warnings: string[] = [];
  if (f.reference.heywood) warnings.push('the human solution has a Heywood case (a communality at or above 1)');
  if (f.run.heywood) warnings.push("the model's solution has a Heywood case");
  if (!f.reference.converged) warnings.push('the human solution did not converge');
  if (!f.run.converged) warnings.push("the model's solution did not converge");
  const warning = warnings.length ? h('p', { class: 'latent-missing', id: 'factors-warning' }, `Read with care: ${warnings.join('; ')}.`) : null;

  const phiRow = (label: string, phi: number | null, id: string) => {
    const reading = tuckerReading(phi);
    return h('tr', { 'data-factor': id }, h('th', { scope: 'row' }, label), h('td', {}, fmt(phi)), h('td', { class: `phi ${reading ? reading.replace(/ /g, '-') : 'undefined'}` }, reading ?? 'undefined'));
  };
  const congruence = h(
    'table',
    { class: 'comparison', id: 'congruence-table' },
    h('caption', {}, "Tucker's congruence φ, human vs model loadings"),
    h('thead', {}, h('tr', {}, ['Factor', 'φ', 'Reading'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      f.congruence.perFactor.map((phi, j) => phiRow(`Factor ${j + 1}`, phi, `F${j + 1}`)),
      phiRow('Mean over factors', f.congruence.mean, 'mean'),
      phiRow('Overall (all loadings)', f.congruence.overall, 'overall'),
    ),
  );
  const convention = h('p', { class: 'convention' }, '≥ 0.95 equal · 0.85–0.94 fair similarity · below 0.85 not similar (Lorenzo-Seva & ten Berge 2006)');

  const movers = h(
    'table',
    { id: 'movers-table' },
    h('caption', {}, 'Items whose loadings move most (distance between the human and the model loading rows)'),
    h('thead', {}, h('tr', {}, ['Item', 'Distance', 'Human loadings', 'Model loadings'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      f.movers.map((m) =>
        h('tr', { 'data-item': m.item }, h('th', { scope: 'row', title: names.get(m.item) ?? m.item }, itemButton(m.item)), h('td', {}, fmt(m.distance)), h('td', {}, m.reference.map((v) => fmt(v, 2)).join(', ')), h('td', {}, m.run.map((v) => fmt(v, 2)).join(', '))),
      ),
    ),
  );

  const moving = new Set(f.movers.map((m) => m.item));
  const p = palette();
  const loadingCell = (v: number) => {
    const td = h('td', { class: Math.abs(v) >= 0.4 ? 'salient' : undefined }, fmt(v, 2));
    // Half the heatmaps' colour strength: a tint that keeps the number readable in every theme.
    td.style.backgroundColor = diverging(p, 0.5 * v);
    return td;
  };
  const loadings = h(
    'table',
    { id: 'loadings-table' },
    h('caption', {}, `Loadings, human vs model, per factor (bold: |loading| ≥ 0.40; tint: blue negative, red positive)`),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Item'), Array.from({ length: k }, (_, j) => [h('th', { scope: 'col' }, `F${j + 1} human`), h('th', { scope: 'col' }, `F${j + 1} model`)]).flat(), h('th', { scope: 'col' }, 'Communality human'), h('th', { scope: 'col' }, 'Communality model')),
    ),
    h(
      'tbody',
      {},
      f.items.map((item, i) =>
        h(
          'tr',
          { 'data-item': item, class: moving.has(item) ? 'mover' : undefined },
          h('th', { scope: 'row', title: names.get(item) ?? item }, itemButton(item), moving.has(item) ? h('span', { class: 'badge', title: 'One of the items whose loadings move most' }, 'moves') : null),
          Array.from({ length: k }, (_, j) => [loadingCell(f.reference.loadings[i][j]), loadingCell(f.run.loadings[i][j])]).flat(),
          h('td', {}, fmt(f.reference.communalities[i], 2)),
          h('td', {}, fmt(f.run.communalities[i], 2)),
        ),
      ),
    ),
  );

  const parts: HTMLElement[] = [meta];
  if (warning) parts.push(warning);
  parts.push(congruence, convention);
  const csv = (t: HTMLTableElement, name: string, what: string) => env.csvButton(t, `${run.name}-${name}`, what);
  const push = (...xs: (HTMLElement | null)[]) => parts.push(...xs.filter((x): x is HTMLElement => !!x));
  push(csv(congruence, 'factor-congruence', 'the congruence table'));
  push(movers, csv(movers, 'factor-movers', 'the items that move most'));
  push(h('div', { class: 'table-box scroll loadings-box' }, loadings), csv(loadings, 'factor-loadings', 'the loadings table'));
  if (f.parallel) {
    const pa = f.parallel;
    const parallel = h(
      'table',
      { id: 'parallel-table' },
      h('caption', {}, 'Parallel analysis of the reference: factor eigenvalues against the 95th percentile of simulated data'),
      h('thead', {}, h('tr', {}, ['Factor', 'Observed', 'Simulated 95th percentile'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, pa.observed.slice(0, Math.max(k + 3, 5)).map((v, j) => h('tr', {}, h('th', { scope: 'row' }, `${j + 1}`), h('td', {}, fmt(v)), h('td', {}, fmt(pa.threshold[j]))))),
    );
    parts.push(h('details', {}, h('summary', {}, 'Parallel analysis'), parallel));
  }
  return parts;
}
