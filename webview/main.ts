/**
 * The report renderer: the VS Code panel and the standalone HTML report run this same code.
 * In the panel, data arrive by message from the extension host; in the standalone file, from an
 * embedded `<script type="application/json" id="report-data">` block.
 */
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { EvaluationReport, IndividualStructure, MarginalItem, RunReport, ValueWithCi } from '../src/core/report/model';
import type { ExportFormat, FromWebviewMessage, PanelAlert, PanelNotice, ToWebviewMessage } from '../src/protocol';
import { chartPng, charts, destroyCharts, HeatSelection, heatmap, marginalChart, pairScatter, type HeatCell } from './charts';
import { custom, fmt, h, tableCsv } from './dom';
import { chartExportPng, type ExportSpec } from './export';
import { formatP, percentText, pText, tuckerReading } from './format';
import { heatScale, legendTicks, scaleNote, tickText, type HeatScale } from './heatscale';
import { latentView } from './latent';
import { ALL_RESPONDENTS, countedDistance, groupNames, scopeOf, type ScopeView, type StructureView } from './scope';
import { runHeadlines, scoreTrack, sharedDomains, subgroupHeadlines, trackKey } from './scorecard';
import { palette } from './theme';
import { progressText } from './status';

interface VsCodeApi {
  postMessage(m: FromWebviewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode: VsCodeApi | null = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;

interface ViewState {
  report: EvaluationReport | null;
  run: string | null;
  /** Subgroup name (config "groups"), or '' for all respondents. */
  group: string;
  method: string | null;
  filter: string;
  topic: string;
  sort: 'divergence' | 'item' | 'invalid';
  tab: number;
  /** Heatmap colours stretched to the data's range instead of the fixed -1..1. */
  stretch?: boolean;
  /** The report holds point estimates only; the full one (intervals, p-values) is on its way. */
  preliminary?: boolean;
  /** Why the report shown no longer matches its inputs (null: it does). */
  stale?: string | null;
  /** The one current error (or cancellation notice), until the next evaluation starts. */
  notice?: PanelNotice | null;
  /** What the host says about these scores besides the report (the reference is another run...). */
  alerts?: PanelAlert[];
  /** The Problems panel shows only this run's problems. */
  problemsOf?: string | null;
}

const state: ViewState = { report: null, run: null, group: ALL_RESPONDENTS, method: null, filter: '', topic: '', sort: 'divergence', tab: 0, stale: null, notice: null, alerts: [], problemsOf: null };

const app = document.getElementById('app')!;

function saveState(): void {
  vscode?.setState({ ...state });
}

function currentRun(): RunReport | null {
  const r = state.report;
  if (!r || !r.runs.length) return null;
  return r.runs.find((x) => x.name === state.run) ?? r.runs[0];
}

function render(): void {
  destroyCharts();
  lazy.disconnect();
  app.replaceChildren(h('div', { id: 'banners' }));
  renderBanners();
  const report = state.report;
  if (!report) {
    if (!state.notice) {
      app.append(
        h(
          'div',
          { class: 'placeholder', id: 'empty-state' },
          h('p', {}, 'Representativeness Lens: no evaluation yet.'),
          h('p', {}, 'Right-click a model run file (CSV, TSV, JSONL, JSON or Parquet) in the Explorer and choose "Evaluate Representativeness", or run "Evaluate All Runs" with a representativeness.json in the workspace.'),
        ),
      );
    }
    return;
  }
  const run = currentRun();
  if (!groupNames(report.runs).includes(state.group)) state.group = ALL_RESPONDENTS;
  app.append(header(report, run));
  const alerts = trustAlerts(report);
  if (alerts) app.append(alerts);
  app.append(scorecards(report));
  if (report.diagnostics.length) app.append(problems(report));
  if (!run) return;
  const scope = scopeOf(run, state.group);
  if (!scope) {
    app.append(h('p', { class: 'failure', role: 'status' }, `Subgroup "${state.group}" was not scored for run ${run.name}: too few respondents (see the input problems). Choose another group or run.`));
    return;
  }
  const tabs = custom('vscode-tabs', { 'selected-index': state.tab, 'aria-label': 'Report views' });
  tabs.addEventListener('vsc-tabs-select', (e) => {
    state.tab = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    saveState();
  });
  tabs.append(
    custom('vscode-tab-header', { slot: 'header', 'aria-label': 'Marginals' }, 'Marginals'),
    custom('vscode-tab-panel', {}, marginals(run, scope)),
    custom('vscode-tab-header', { slot: 'header', 'aria-label': 'Structure' }, 'Structure'),
    custom('vscode-tab-panel', {}, structure(run, scope)),
    custom('vscode-tab-header', { slot: 'header', 'aria-label': 'Latent structure' }, 'Latent structure'),
    custom('vscode-tab-panel', {}, latentView(run, { subgroup: scope.group?.name ?? null, reference: fileName(report.reference.path), pngButton, csvButton, openItem: vscode ? (item) => vscode.postMessage({ type: 'openItem', item, run: run.name }) : null })),
    custom('vscode-tab-header', { slot: 'header', 'aria-label': 'Runs side by side' }, 'Runs side by side'),
    custom('vscode-tab-panel', {}, sideBySide(report)),
  );
  app.append(tabs);
}

/**
 * A @vscode-elements control named for assistive technology twice: `aria-label` on the element and
 * its `label`, which the element copies to the inner part that takes the focus (left empty, that
 * part announces nothing).
 */
function labelled(tag: string, label: string, attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {}): HTMLElement {
  const el = custom(tag, { 'aria-label': label, ...attrs });
  // A property, not an attribute: vscode-textfield does not read a `label` attribute.
  (el as HTMLElement & { label: string }).label = label;
  return el;
}

function header(report: EvaluationReport, run: RunReport | null): HTMLElement {
  const runSelect = labelled('vscode-single-select', 'Run', { id: 'run-select' });
  for (const r of report.runs) runSelect.append(custom('vscode-option', { value: r.name, selected: r.name === run?.name }, r.name));
  runSelect.addEventListener('change', () => {
    state.run = (runSelect as unknown as { value: string }).value;
    saveState();
    render();
  });
  const names = groupNames(report.runs);
  let groupSelect: HTMLElement | null = null;
  if (names.length) {
    groupSelect = labelled('vscode-single-select', 'Respondents: all or one subgroup', { id: 'group-select' });
    groupSelect.append(custom('vscode-option', { value: ALL_RESPONDENTS, selected: state.group === ALL_RESPONDENTS }, 'All respondents'));
    for (const n of names) groupSelect.append(custom('vscode-option', { value: n, selected: state.group === n }, n));
    groupSelect.addEventListener('change', () => {
      state.group = (groupSelect as unknown as { value: string }).value;
      saveState();
      render();
    });
  }
  const exports = h('div', { class: 'exports', role: 'group', 'aria-label': 'Export report' });
  if (vscode) {
    for (const f of ['json', 'md', 'csv', 'html'] as ExportFormat[]) {
      exports.append(custom('vscode-button', { secondary: true, 'aria-label': `Export the report as ${f.toUpperCase()}`, onclick: () => vscode.postMessage({ type: 'export', format: f }) }, `Export ${f.toUpperCase()}`));
    }
  }
  return h(
    'header',
    {},
    h('h1', {}, 'Representativeness'),
    h('p', { class: 'subtitle', id: 'evaluated-at', 'data-created-at': report.createdAt }, `Evaluated ${new Date(report.createdAt).toLocaleString('en')}`),
    ...(state.preliminary ? [h('p', { class: 'subtitle', id: 'preliminary', role: 'status' }, 'Point estimates: the confidence intervals and permutation p-values are still being computed.')] : []),
    h('p', { class: 'subtitle' }, `Reference: ${report.reference.path} · ${report.reference.respondents.toLocaleString('en')} respondents${report.reference.weighted ? ' (weighted)' : ''} · ${report.reference.items.length} items`),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'run-select' }, 'Run '),
      runSelect,
      groupSelect ? h('label', { for: 'group-select' }, 'Respondents ') : null,
      groupSelect,
      exports,
    ),
    // The method notes (how the headlines are made, what was left out) open on request, so that the
    // scores come first; what cannot be trusted is an alert above the cards, never only a note.
    report.notes.length
      ? h('details', { class: 'notes', id: 'notes' }, h('summary', {}, `How these numbers were made (${report.notes.length} note${report.notes.length === 1 ? '' : 's'})`), h('ul', {}, report.notes.map((n) => h('li', {}, n))))
      : null,
  );
}

function scorecards(report: EvaluationReport): HTMLElement {
  const section = h('section', { id: 'scorecards', 'aria-label': state.group ? `Scores per run, subgroup ${state.group}` : 'Scores per run' });
  const cards = report.runs.map((run) => {
    const scope = scopeOf(run, state.group);
    return { run, scope, headlines: !scope ? [] : scope.group ? subgroupHeadlines(scope) : runHeadlines(run) };
  });
  // One track stretch per measure across the cards, so that the runs compare at a glance.
  const domains = sharedDomains(cards.map((c) => c.headlines));
  for (const { run, scope, headlines } of cards) {
    const card = h('article', { class: `card${run.name === currentRun()?.name ? ' active' : ''}`, 'data-run': run.name }, h('h2', {}, run.name));
    if (!scope) card.append(h('p', { class: 'meta' }, `Subgroup "${state.group}" was not scored for this run: too few respondents.`));
    else {
      card.append(
        h(
          'p',
          { class: 'meta' },
          scope.group
            ? `Subgroup ${scope.group.name}: ${scope.runRespondents.toLocaleString('en')} model / ${(scope.referenceRespondents ?? 0).toLocaleString('en')} human respondents · ${scope.items.length} items`
            : `${run.respondents.toLocaleString('en')} ${run.level === 'respondents' ? 'respondents' : 'distribution rows'} · ${run.items.length} items · ${run.weakItems.length} weak items`,
        ),
      );
      for (const hl of headlines) card.append(scoreTrack(hl, domains.get(hl.key)!));
      if (!scope.group && !Object.keys(run.structure.individual).length) card.append(h('p', { class: 'meta' }, run.structure.individualUnavailable ?? 'No individual-level structure.'));
      if (!scope.group && run.hints.length) {
        card.append(h('div', { class: 'hints', role: 'note', 'aria-label': `What to fix in run ${run.name}` }, h('p', { class: 'hints-title' }, 'What to fix'), h('ul', {}, run.hints.map((t) => h('li', {}, t)))));
      }
    }
    card.addEventListener('click', () => {
      state.run = run.name;
      saveState();
      render();
    });
    section.append(card);
  }
  return h('div', { class: 'scorecards-view' }, trackKey(), section);
}

function problems(report: EvaluationReport): HTMLElement {
  const list = report.diagnostics.slice(0, 50);
  const scoped = state.problemsOf && report.runs.length > 1 && vscode;
  return h(
    'details',
    { class: 'problems' },
    h('summary', {}, `${report.diagnostics.length} input problem${report.diagnostics.length === 1 ? '' : 's'} (also in the Problems panel${scoped ? `, for run ${state.problemsOf} and the shared inputs` : ''})`),
    scoped
      ? h(
          'p',
          { class: 'meta', id: 'problems-scope' },
          `The Problems panel lists run ${state.problemsOf}'s problems, the one you evaluated, and those of the reference and the config. `,
          custom('vscode-button', { secondary: true, id: 'show-all-problems', onclick: () => vscode!.postMessage({ type: 'showAllProblems' }) }, 'Show every run\'s problems'),
        )
      : null,
    h(
      'ul',
      {},
      list.map((d) => h('li', { class: d.severity }, `${d.file ? d.file.split(/[\\/]/).pop() : ''}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''} ${d.severity}: ${d.message}`)),
    ),
  );
}

function itemTitle(it: MarginalItem): string {
  return it.label ? `${it.item}: ${it.label}` : it.item;
}

function marginals(run: RunReport, scope: ScopeView): HTMLElement {
  const wrap = h('section', { class: 'marginals', 'aria-label': scope.group ? `Marginal distributions per item, subgroup ${scope.group.name}` : 'Marginal distributions per item' });
  const topics = [...new Set(scope.items.map((i) => i.topic).filter((t): t is string => !!t))].sort();
  const search = labelled('vscode-textfield', 'Search items', { placeholder: 'Search items', value: state.filter });
  const topicSel = labelled('vscode-single-select', 'Topic');
  topicSel.append(custom('vscode-option', { value: '', selected: state.topic === '' }, 'All topics'));
  for (const t of topics) topicSel.append(custom('vscode-option', { value: t, selected: state.topic === t }, t));
  const sortSel = labelled('vscode-single-select', 'Sort items by');
  for (const [v, l] of [['divergence', 'Worst first (unusable items first)'], ['item', 'Item id'], ['invalid', 'Most answers without a valid code']] as const) sortSel.append(custom('vscode-option', { value: v, selected: state.sort === v }, l));
  const grid = h('div', { class: 'item-grid' });
  wrap.append(
    h(
      'p',
      { class: 'summary', id: 'marginal-summary' },
      `${scope.group ? `Subgroup ${scope.group.name}: ` : ''}Mean normalised W1 ${fmt(scope.meanW1Normalized.value)} · mean TVD ${fmt(scope.meanTvd.value)} · mean Jensen-Shannon distance (base 2) ${fmt(scope.meanJsDistance.value)}`,
    ),
    h('div', { class: 'toolbar' }, search, topics.length ? topicSel : null, sortSel),
    h('p', { class: 'key', 'aria-hidden': 'true' }, h('span', { class: 'swatch reference' }), 'Human (reference)', h('span', { class: 'swatch run' }), `Model (${run.name})`),
    grid,
  );
  const fill = () => {
    for (const c of [...charts]) if (grid.contains(c.canvas)) { c.destroy(); charts.delete(c); }
    for (const holder of grid.querySelectorAll('.chart')) lazy.unobserve(holder);
    grid.replaceChildren();
    const q = state.filter.trim().toLowerCase();
    const key = (it: MarginalItem) => (state.sort === 'invalid' ? -(it.notValidShare ?? it.invalid ?? 0) : -countedDistance(it));
    const items = [...scope.items]
      .filter((it) => (!q || itemTitle(it).toLowerCase().includes(q)) && (!state.topic || it.topic === state.topic))
      .sort((a, b) => (state.sort === 'item' ? 0 : key(a) - key(b)) || a.item.localeCompare(b.item, 'en', { numeric: true }));
    for (const it of items) grid.append(itemCard(it, run, scope));
  };
  search.addEventListener('input', () => {
    state.filter = (search as unknown as { value: string }).value;
    saveState();
    fill();
  });
  topicSel.addEventListener('change', () => {
    state.topic = (topicSel as unknown as { value: string }).value;
    saveState();
    fill();
  });
  sortSel.addEventListener('change', () => {
    state.sort = (sortSel as unknown as { value: ViewState['sort'] }).value;
    saveState();
    fill();
  });
  fill();
  return wrap;
}

const lazy = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      const el = e.target as HTMLElement & { draw?: () => void };
      lazy.unobserve(el);
      el.draw?.();
    }
  },
  { rootMargin: '300px' },
);

function itemCard(it: MarginalItem, run: RunReport, scope: ScopeView): HTMLElement {
  const where = scope.group ? `, subgroup ${scope.group.name}` : '';
  const canvas = h('canvas', { role: 'img', 'aria-label': `Answer shares of ${itemTitle(it)}: human (reference) vs model (${run.name})${where}; the data table below lists them` });
  const holder = h('div', { class: 'chart small' }, canvas) as HTMLElement & { draw?: () => void };
  holder.draw = () => marginalChart(canvas, it, run.name, palette());
  lazy.observe(holder);
  const table = h(
    'table',
    {},
    h('caption', {}, `Answer shares for ${it.item}${scope.group ? ` (subgroup ${scope.group.name})` : ''}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'Label'), h('th', { scope: 'col' }, 'Human'), h('th', { scope: 'col' }, 'Model'))),
    h(
      'tbody',
      {},
      it.codes.map((c, k) => h('tr', {}, h('td', {}, c), h('td', {}, it.labels?.[String(c)] ?? ''), h('td', {}, fmt(it.referenceDistribution[k])), h('td', {}, fmt(it.runDistribution[k])))),
    ),
  );
  const title = h(
    'button',
    { class: 'link', title: 'Open where this item is defined', 'aria-label': `Open ${itemTitle(it)} where it is defined`, onclick: () => vscode?.postMessage({ type: 'openItem', item: it.item, run: run.name }) },
    itemTitle(it),
  );
  const measures = scope.group
    ? `${it.type === 'ordinal' ? `W1/range ${fmt(it.w1Normalized)} · ` : ''}TVD ${fmt(it.tvd)} · n ${it.n} vs ${it.referenceN}`
    : `${it.type === 'ordinal' ? `W1/range ${fmt(it.w1Normalized)} · ` : ''}TVD ${fmt(it.tvd)} · JS dist ${fmt(it.jsDistance)} · Δmean ${fmt(it.meanDiff)} · var ratio ${fmt(it.varianceRatio)} · n ${it.n} vs ${it.referenceN}${it.invalidCount ? ` · invalid ${it.invalidCount}` : ''}`;
  const unusable = it.n === 0;
  const excess = Math.max(0, (it.notValidShare ?? 0) - (it.referenceNotValidShare ?? 0));
  const validity = unusable
    ? 'No valid answer: the item counts at the maximal distance (1) in the headline.'
    : excess > 0
      ? `No valid answer from ${percentText(it.notValidShare)} of the run (humans ${percentText(it.referenceNotValidShare)}): counted distance ${fmt(countedDistance(it))}.`
      : null;
  const exportSpec = (): ExportSpec => {
    const p = palette();
    return {
      title: itemTitle(it),
      subtitle: [`Answer shares, human (${fileName(state.report?.reference.path)}) vs model (${run.name})${where}`, measures],
      legend: { kind: 'swatches', entries: [{ label: 'Human (reference)', colour: p.reference }, { label: `Model (${run.name})`, colour: p.run }] },
      palette: p,
    };
  };
  return h(
    'article',
    { class: `item${it.weak || unusable ? ' weak' : ''}${unusable ? ' unusable' : ''}`, 'data-item': it.item },
    h('h3', {}, title, unusable ? h('span', { class: 'badge unusable' }, 'unusable') : it.weak ? h('span', { class: 'badge' }, 'weak') : null),
    h('p', { class: 'measures' }, measures),
    validity ? h('p', { class: `validity${unusable ? ' unusable' : ''}` }, validity) : null,
    it.reasons.length ? h('p', { class: 'reasons' }, it.reasons.join('; ')) : null,
    holder,
    pngButton(canvas, `${run.name}-${scope.group ? `${scope.group.name}-` : ''}${it.item}`, `the answer shares of ${it.item}`, exportSpec, () => holder.draw?.()),
    h('details', {}, h('summary', {}, 'Data table'), table, csvButton(table, `${run.name}-${scope.group ? `${scope.group.name}-` : ''}${it.item}-shares`, `the answer shares of ${it.item}`)),
  );
}

function structure(run: RunReport, scope: ScopeView): HTMLElement {
  const methods = scope.methods;
  const wrap = h('section', { class: 'structure', 'aria-label': scope.group ? `Correlation structure, subgroup ${scope.group.name}` : 'Correlation structure' });
  // The group-level comparison is across the groupBy groups of the whole sample, not within a subgroup.
  const group = scope.group
    ? h('section', { class: 'group', 'aria-label': 'Group-level structure' }, h('h2', {}, 'Group level'), h('p', { class: 'meta' }, 'The group-level structure compares groups of the whole sample: choose "All respondents" to see it.'))
    : groupView(run);
  if (!methods.length) {
    wrap.append(h('p', {}, run.structure.individualUnavailable ?? 'No individual-level structure was computed for this run.'), group);
    return wrap;
  }
  const method = state.method && methods.includes(state.method) ? state.method : methods[0];
  const sel = labelled('vscode-single-select', 'Association measure');
  for (const m of methods) sel.append(custom('vscode-option', { value: m, selected: m === method }, m));
  sel.addEventListener('change', () => {
    state.method = (sel as unknown as { value: string }).value;
    saveState();
    render();
  });
  const s = scope.structure(method)!;
  wrap.append(
    h('h2', {}, scope.group ? `Respondent level, subgroup ${scope.group.name}` : 'Respondent level'),
    h('div', { class: 'toolbar' }, h('span', {}, 'Association '), sel),
    s.full ? comparisonTable(s.full) : subgroupComparisonTable(s, scope),
    heatmaps(s, run, scope),
    scatter(s, run, scope),
    pairTable(s, run, scope),
    group,
  );
  return wrap;
}

/** Group-level structure (arXiv 2601.15755): item-item correlation of scaled group means. */
function groupView(run: RunReport): HTMLElement {
  const g = run.structure.group;
  const wrap = h('section', { class: 'group', 'aria-label': 'Group-level structure' }, h('h2', {}, 'Group level'));
  if (!g) {
    wrap.append(h('p', { class: 'meta' }, run.structure.groupUnavailable ?? 'Not computed: set "groupBy" in representativeness.json (e.g. the country column) to compare the structure across groups.'));
    return wrap;
  }
  const c = g.comparison;
  wrap.append(
    h('p', { class: 'meta' }, `${g.groups.length} groups by ${g.groupBy.reference} (run: ${g.groupBy.run}); item-item Pearson correlation of scaled group means, compared over ${c.pairs} pairs.`),
    ...runHeadlines(run)
      .filter((hl) => hl.key === 'group')
      .map((hl) => scoreTrack(hl, sharedDomains([[hl]]).get('group')!)),
  );
  const rows: [string, string][] = [
    ['Agreement, the headline (invalid answers counted, bias-corrected, basic 95% CI)', ciText(g.agreement)],
    ["ρ items, the paper's number (sample; replicates' 2.5-97.5th percentiles)", paperText(c.pearson, c.pearsonCi)],
    ["RMSE items (sample; replicates' 2.5-97.5th percentiles)", paperText(c.rmse, c.rmseCi)],
    ['Permutation null ρ: mean; 2.5-97.5th percentiles; p', `${fmt(g.null.mean)}; ${fmt(g.null.low)} to ${fmt(g.null.high)}; ${pText(g.null.p)} (${g.null.permutations} permutations)`],
    ['Human split-half ceiling ρ: sample; 2.5-97.5th percentiles; RMSE', `${fmt(g.ceiling.pearson)}; ${fmt(g.ceiling.low)} to ${fmt(g.ceiling.high)}; RMSE ${fmt(g.ceiling.rmse)} (${g.ceiling.splits} splits)`],
  ];
  if (g.topics) rows.push(["ρ topics (sample; replicates' 2.5-97.5th percentiles), RMSE", `${paperText(g.topics.comparison.pearson, g.topics.comparison.pearsonCi)}; RMSE ${fmt(g.topics.comparison.rmse)} over ${g.topics.topics.length} topics`]);
  if (g.reference.zeroVariance.length || g.run.zeroVariance.length) rows.push(['Items with no variation across groups (undefined correlations)', `human: ${g.reference.zeroVariance.join(', ') || 'none'}; model: ${g.run.zeroVariance.join(', ') || 'none'}`]);
  wrap.append(h('table', { class: 'comparison' }, h('caption', {}, 'Group-level structure, human vs model'), h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))));
  const means = h(
    'table',
    {},
    h('caption', {}, 'Scaled group means (0 = lowest code, 1 = highest): human / model'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), g.groups.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, g.items.map((it, j) => h('tr', {}, h('th', { scope: 'row' }, it), g.groups.map((_, k) => h('td', {}, `${fmt(g.reference.means[k][j], 2)} / ${fmt(g.run.means[k][j], 2)}`))))),
  );
  wrap.append(h('details', {}, h('summary', {}, 'Group means table'), tableBox(means, 'scroll')));
  return wrap;
}

function verdictCell(v: ValueWithCi | undefined): HTMLElement {
  return v?.verdict ? h('td', { class: `verdict-cell verdict-${v.verdict.code}` }, v.verdict.text) : h('td', {}, 'n/a');
}

/**
 * The paper's sample estimate and its percentile interval, written apart ("0.624; percentiles
 * 0.426 to 0.564"): that interval is about the resampled value and need not contain the estimate,
 * so it is never written as "estimate [interval]".
 */
function paperText(sample: number | null, percentile: { low: number | null; high: number | null } | null): string {
  return `${fmt(sample)}${percentile ? `; percentiles ${fmt(percentile.low)} to ${fmt(percentile.high)}` : ''}`;
}

function ciText(v: ValueWithCi): string {
  return `${fmt(v.value)}${v.ci ? ` [${fmt(v.ci.low)}, ${fmt(v.ci.high)}]` : ''}`;
}

function subgroupComparisonTable(s: StructureView, scope: ScopeView): HTMLElement {
  const rows: [string, string][] = [
    ['Agreement (Pearson of off-diagonal correlations, 95% CI)', ciText(s.agreement)],
    ['RMSE over pairs', fmt(s.rmse)],
    ['Respondents (model / human)', `${scope.runRespondents} / ${scope.referenceRespondents ?? 'n/a'}`],
  ];
  return h('table', { class: 'comparison', id: 'structure-comparison' }, h('caption', {}, `Human vs model ${s.method} matrices, subgroup ${scope.group!.name}`), h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

/** Tucker's phi per principal component with its conventional reading. */
function tuckerCell(values: (number | null)[]): HTMLElement | string {
  if (!values.length) return 'n/a (undefined: a matrix has undefined entries)';
  return h(
    'span',
    { class: 'tucker' },
    values.map((phi, k) => {
      const reading = tuckerReading(phi);
      return h('span', { class: `phi ${reading ? reading.replace(/ /g, '-') : 'undefined'}` }, `PC${k + 1} ${fmt(phi)}${reading ? ` (${reading})` : ''}`);
    }),
  );
}

const TUCKER_EXPLAINED =
  "Tucker's congruence coefficient φ = Σab / √(Σa² Σb²) between the loadings of the human and the model matrices' principal components, each pair sign-aligned; the components are unrotated and paired in the order of their eigenvalues, so a later component with a close eigenvalue can swap places.";

function comparisonTable(s: IndividualStructure): HTMLElement {
  const c = s.comparison;
  const rows: [Node | string, Node | string][] = [
    ['Agreement, the headline (invalid answers counted, bias-corrected, basic 95% CI)', ciText(s.agreement)],
    ["Pearson of off-diagonal correlations, valid answers only (the paper's number: sample; replicates' 2.5-97.5th percentiles)", paperText(c.pearson, s.agreementValidOnly.percentile ?? null)],
    ['Spearman of off-diagonal correlations', fmt(c.spearman)],
    ['RMSE over pairs', fmt(c.rmse)],
    ['MAE over pairs', fmt(c.mae)],
    ['Max |difference|', `${fmt(c.maxAbsDiff)}${c.maxAbsDiffPair ? ` (${c.maxAbsDiffPair.join(' × ')})` : ''}`],
    ['Frobenius norm of the difference (full matrix)', fmt(c.frobenius)],
    ['Sign agreement', fmt(c.signAgreement)],
    ['Mantel r (p, permutations)', `${fmt(c.mantel.r)} (${pText(c.mantel.p)}, ${c.mantel.permutations} permutations)`],
    ['Steiger χ² (df, p)', `${fmt(c.steiger.chi2, 1)} (df ${c.steiger.df}, ${pText(c.steiger.p)})`],
    [
      h(
        'span',
        { title: TUCKER_EXPLAINED },
        "Tucker's φ (first principal components)",
        h('span', { class: 'convention' }, '≥ 0.95 equal · 0.85–0.94 fair similarity · below 0.85 not similar (Lorenzo-Seva & ten Berge 2006)'),
      ),
      tuckerCell(c.tucker.congruence),
    ],
    ['Pairs compared (excluded)', `${c.pairs} (${c.excludedPairs})`],
  ];
  return h('table', { class: 'comparison', id: 'structure-comparison' }, h('caption', {}, `Human vs model ${s.method} matrices`), h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

/** The file name of a path (the reference, in subtitles). */
function fileName(path: string | undefined): string {
  return path ? path.split(/[\\/]/).pop() ?? path : '';
}

/** "id: label" of every item of the run (the marginal items carry the codebook's labels). */
function itemNames(run: RunReport): Map<string, string> {
  return new Map(run.marginal.items.map((it) => [it.item, itemTitle(it)]));
}

/** The highlighted heatmap row and column by item id, kept while the panel re-draws (theme, stretch, tab). */
let heatPin: { row: string | null; col: string | null } | null = null;

interface HeatPanel {
  key: 'human' | 'model' | 'difference';
  title: string;
  matrix: (number | null)[][];
  scale: HeatScale;
  what: string;
}

/** The colour legend under a heatmap: the bar, its numbers, what the scale is, what hatching means. */
function heatLegend(scale: HeatScale, what: string, hasUndefined: boolean): HTMLElement {
  return h(
    'div',
    { class: 'heat-legend', 'data-scale-max': scale.max, 'data-stretched': scale.stretched ? 'true' : 'false' },
    h('div', { class: 'bar', role: 'img', 'aria-label': `Colour scale: negative ${what} blue, 0 the background colour, positive red` }),
    h('div', { class: 'ticks' }, legendTicks(scale).map((t) => h('span', {}, tickText(t, scale)))),
    h('p', { class: 'scale-note' }, scaleNote(scale, what, what !== 'difference')),
    hasUndefined ? h('p', { class: 'undefined-note' }, h('span', { class: 'swatch undefined', 'aria-hidden': 'true' }), 'Hatched: undefined (no variance or too few pairs)') : null,
  );
}

function heatmaps(s: StructureView, run: RunReport, scope: ScopeView): HTMLElement {
  const section = h('section', { class: 'heat-section', 'aria-label': `Heatmaps of the ${s.method} correlations` });
  const order = s.order;
  const ids = order.map((i) => s.items[i]);
  const names = itemNames(run);
  const fullNames = ids.map((id) => names.get(id) ?? id);
  const where = scope.group ? `, subgroup ${scope.group.name}` : '';
  const size = ids.length;
  const at = (m: (number | null)[][], row: number, col: number) => m[order[row]][order[col]];
  const pairLines = (row: number, col: number): string[] => {
    const lines = [fullNames[row], `× ${fullNames[col]}`, `human ${fmt(at(s.reference, row, col))} · model ${fmt(at(s.run, row, col))} · difference ${fmt(at(s.difference, row, col))}`];
    const nh = s.referenceN?.[order[row]]?.[order[col]];
    const nm = s.runN?.[order[row]]?.[order[col]];
    if (nh !== undefined || nm !== undefined) lines.push(`n human ${nh ?? 'n/a'} · n model ${nm ?? 'n/a'}`);
    return lines;
  };
  const readout = h('p', { class: 'heat-readout', id: 'heat-readout' });
  const describeSelection = (row: number | null, col: number | null, pinned: boolean) => {
    if (row === null && col === null) {
      readout.textContent = 'Hover a cell or an axis label to highlight its row and column in the three heatmaps; click to pin it.';
      return;
    }
    const text =
      row !== null && col !== null
        ? (([a, b, values, n]) => `${a} ${b}: ${values}${n ? ` · ${n}` : ''}`)(pairLines(row, col))
        : row !== null
          ? `Row ${fullNames[row]}`
          : `Column ${fullNames[col as number]}`;
    readout.textContent = `${pinned ? 'Pinned: ' : ''}${text}${pinned ? ' (click it again to release)' : ''}`;
  };
  const toggle = custom(
    'vscode-checkbox',
    { 'aria-label': "Stretch the heatmap colours to the data's range", id: 'heat-stretch', checked: state.stretch === true },
    "Stretch colours to the data's range",
  );
  const figures = h('div', { class: `heatmaps${size > 60 ? ' many' : ''}` });
  toggle.addEventListener('change', () => {
    state.stretch = (toggle as unknown as { checked: boolean }).checked;
    saveState();
    draw();
  });
  const draw = () => {
    for (const c of [...charts]) if (figures.contains(c.canvas)) { c.destroy(); charts.delete(c); }
    const stretch = state.stretch === true;
    // Human and model share one scale, so their colours compare with each other.
    const corr = heatScale([s.reference, s.run], stretch, true);
    const diff = heatScale([s.difference], stretch, true);
    const panels: HeatPanel[] = [
      { key: 'human', title: 'Human', matrix: s.reference, scale: corr, what: 'correlation' },
      { key: 'model', title: `Model (${run.name})`, matrix: s.run, scale: corr, what: 'correlation' },
      { key: 'difference', title: 'Difference (model − human)', matrix: s.difference, scale: diff, what: 'difference' },
    ];
    const pinRow = heatPin?.row ? ids.indexOf(heatPin.row) : -1;
    const pinCol = heatPin?.col ? ids.indexOf(heatPin.col) : -1;
    const selection = new HeatSelection(pinRow >= 0 || pinCol >= 0 ? { row: pinRow >= 0 ? pinRow : null, col: pinCol >= 0 ? pinCol : null } : null);
    selection.onChange(({ row, col, pinned }) => {
      describeSelection(row, col, pinned);
      const pin = selection.pinned;
      heatPin = pin ? { row: pin.row === null ? null : ids[pin.row], col: pin.col === null ? null : ids[pin.col] } : null;
    });
    describeSelection(selection.row, selection.col, selection.showsPin);
    const p = palette();
    figures.replaceChildren(
      ...panels.map((panel) => {
        const cells: HeatCell[] = [];
        let hasUndefined = false;
        for (let row = 0; row < size; row++) {
          for (let col = 0; col < size; col++) {
            const v = at(panel.matrix, row, col);
            if (v === null) hasUndefined = true;
            cells.push({ x: ids[col], y: ids[row], row, col, v });
          }
        }
        const canvas = h('canvas', {
          role: 'img',
          'aria-label': `${panel.title} heatmap of the ${s.method} correlations of ${size} items${where}. ${scaleNote(panel.scale, panel.what, panel.what !== 'difference')} The pair table below lists every value.`,
        });
        const tip = h('div', { class: 'heat-tip', role: 'tooltip', hidden: true });
        const legend = heatLegend(panel.scale, panel.what, hasUndefined);
        const exportSpec = (): ExportSpec => {
          const q = palette();
          return {
            title: `${panel.title}: ${s.method} correlations`,
            subtitle: [
              `Run ${run.name} vs reference ${fileName(state.report?.reference.path)}${where}`,
              `${size} items in clustered order · structure agreement ${fmt(s.agreement.value)} · RMSE ${fmt(s.rmse)}`,
            ],
            legend: {
              kind: 'scale',
              ticks: legendTicks(panel.scale).map((t) => ({ at: t / panel.scale.max, text: tickText(t, panel.scale) })),
              note: scaleNote(panel.scale, panel.what, panel.what !== 'difference'),
              undefinedCells: hasUndefined,
            },
            palette: q,
          };
        };
        const fig = h(
          'figure',
          { class: 'heat', 'data-heat': panel.key },
          h('figcaption', {}, panel.title),
          h('div', { class: 'chart square' }, canvas, tip),
          legend,
          pngButton(canvas, `${run.name}${scope.group ? `-${scope.group.name}` : ''}-${s.method}-${panel.key}`, `the ${panel.key} heatmap`, exportSpec),
        );
        requestAnimationFrame(() => {
          if (!canvas.isConnected) return;
          const chart = heatmap(
            canvas,
            {
              title: panel.title,
              ids,
              names: fullNames,
              cells,
              scale: panel.scale,
              describe: (c) => pairLines(c.row, c.col),
              onCellClick: (c) => {
                if (c.x !== c.y) vscode?.postMessage({ type: 'openPair', i: c.y, j: c.x, run: run.name });
              },
              selection,
              tip,
            },
            p,
          );
          selection.add(chart);
        });
        return fig;
      }),
    );
  };
  draw();
  section.append(h('div', { class: 'toolbar heat-toolbar' }, toggle), readout, figures);
  return section;
}

function scatter(s: StructureView, run: RunReport, scope: ScopeView): HTMLElement {
  const points = s.pairs.filter((q) => q.reference !== null && q.run !== null).map((q) => ({ x: q.reference as number, y: q.run as number, label: `${q.i} × ${q.j}` }));
  const where = scope.group ? `, subgroup ${scope.group.name}` : '';
  const canvas = h('canvas', { role: 'img', 'aria-label': `Scatter of ${points.length} item pairs${where}: human ${s.method} correlation (x) against model correlation (y), with the identity line` });
  requestAnimationFrame(() => {
    if (canvas.isConnected) pairScatter(canvas, points, palette());
  });
  const exportSpec = (): ExportSpec => ({
    title: `Human vs model ${s.method} correlation per item pair`,
    subtitle: [`Run ${run.name} vs reference ${fileName(state.report?.reference.path)}${where}`, `${points.length} pairs · structure agreement ${fmt(s.agreement.value)} · RMSE ${fmt(s.rmse)}`],
    // The chart draws its own legend (item pairs, identity line).
    legend: null,
    palette: palette(),
  });
  return h(
    'figure',
    { class: 'scatter' },
    h('figcaption', {}, 'Human vs model correlation per item pair'),
    h('div', { class: 'chart' }, canvas),
    pngButton(canvas, `${run.name}${scope.group ? `-${scope.group.name}` : ''}-${s.method}-scatter`, 'the scatter of pair correlations', exportSpec),
  );
}

function pairTable(s: StructureView, run: RunReport, scope: ScopeView): HTMLElement {
  const rows = [...s.pairs].sort((a, b) => Math.abs(b.difference ?? 0) - Math.abs(a.difference ?? 0));
  const shown = rows.slice(0, 200);
  const pairButton = (i: string, j: string) =>
    h('button', { class: 'link', title: 'Open where these items are defined', 'aria-label': `Open ${i} and ${j} where they are defined`, onclick: () => vscode?.postMessage({ type: 'openPair', i, j, run: run.name }) }, `${i} × ${j}`);
  const table = h(
    'table',
    { id: 'pair-table' },
    h('caption', {}, `${s.method} correlations per item pair${scope.group ? `, subgroup ${scope.group.name}` : ''}`),
    h('thead', {}, h('tr', {}, ['Pair', 'Human', 'Model', 'Difference', 'q (BH)', 'n human', 'n model'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      shown.map((q) =>
        h(
          'tr',
          { 'data-pair': `${q.i}|${q.j}` },
          h('th', { scope: 'row' }, pairButton(q.i, q.j)),
          h('td', {}, fmt(q.reference)),
          h('td', {}, fmt(q.run)),
          h('td', {}, fmt(q.difference)),
          h('td', {}, formatP(q.q)),
          h('td', {}, q.referenceN ?? 'n/a'),
          h('td', {}, q.runN ?? 'n/a'),
        ),
      ),
    ),
  );
  return h(
    'details',
    { class: 'pairs' },
    h('summary', {}, `Pair table (${rows.length} pairs, largest differences first${rows.length > shown.length ? `; first ${shown.length} shown, all in the exported CSV` : ''})`),
    tableBox(table, 'scroll'),
    csvButton(table, `${run.name}${scope.group ? `-${scope.group.name}` : ''}-${s.method}-pairs`, 'the pair table'),
  );
}

/** "Save PNG" under a chart (in the panel only): the chart with its title and legend; the host asks where to save it. */
function pngButton(canvas: HTMLCanvasElement, name: string, what: string, spec: () => ExportSpec, drawFirst?: () => void): HTMLElement | null {
  if (!vscode) return null;
  const api = vscode;
  return custom(
    'vscode-button',
    {
      secondary: true,
      class: 'save-png',
      'aria-label': `Save ${what} as PNG, with its title and legend`,
      onclick: () => {
        let png = chartExportPng(canvas, spec());
        if (!png && drawFirst) {
          drawFirst();
          png = chartExportPng(canvas, spec());
        }
        if (png) api.postMessage({ type: 'exportPng', name, dataUrl: png });
      },
    },
    'Save PNG',
  );
}

/** "Save CSV" under a data table (in the panel only). */
function csvButton(table: HTMLTableElement, name: string, what: string): HTMLElement | null {
  if (!vscode) return null;
  const api = vscode;
  return custom('vscode-button', { secondary: true, class: 'save-csv', 'aria-label': `Save ${what} as CSV`, onclick: () => api.postMessage({ type: 'exportCsv', name, csv: tableCsv(table) }) }, 'Save CSV');
}

/**
 * Tables wider than the panel are never cut off. `reflow`: when the table does not fit, each row
 * becomes a card of "column: value" lines, the cards side by side as far as the width allows
 * (the summary tables of runs and subgroups); `scroll`: it scrolls sideways in its own box (the
 * matrices, whose columns belong together).
 */
function tableBox(table: HTMLTableElement, mode: 'reflow' | 'scroll'): HTMLElement {
  const box = h('div', { class: `table-box ${mode}` }, table);
  if (mode === 'reflow') {
    const heads = Array.from(table.tHead?.rows[0]?.cells ?? [], (c) => (c.textContent ?? '').trim());
    // Explicit roles: a table laid out as cards keeps being read as a table.
    table.setAttribute('role', 'table');
    for (const section of [table.tHead, ...Array.from(table.tBodies)]) section?.setAttribute('role', 'rowgroup');
    for (const row of Array.from(table.rows)) {
      row.setAttribute('role', 'row');
      Array.from(row.cells).forEach((c, i) => {
        const header = c.tagName === 'TH';
        c.setAttribute('role', header ? (c.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader') : 'cell');
        if (row.parentElement !== table.tHead && heads[i]) c.setAttribute('data-label', heads[i]);
      });
    }
    fitObserver.observe(box);
  }
  return box;
}

const boxWidths = new WeakMap<Element, number>();

/** Reflows a table box whose width changed (on the next frame: never inside the observer's own layout pass). */
const fitObserver = new ResizeObserver((entries) => {
  const changed = entries.filter((e) => boxWidths.get(e.target) !== Math.round(e.contentRect.width));
  for (const e of changed) boxWidths.set(e.target, Math.round(e.contentRect.width));
  if (changed.length) requestAnimationFrame(() => {
    for (const e of changed) {
      const box = e.target as HTMLElement;
      const table = box.querySelector('table');
      if (!table || !box.isConnected) continue;
      box.classList.remove('stacked');
      if (table.getBoundingClientRect().width > box.clientWidth + 1) box.classList.add('stacked');
    }
  });
});

function sideBySide(report: EvaluationReport): HTMLElement {
  const runs = runsTable(report);
  const groups = subgroupTable(report);
  return h('div', { class: 'side-by-side-view' }, tableBox(runs, 'reflow'), csvButton(runs, 'runs', 'the runs table'), groups ? tableBox(groups, 'reflow') : null, groups ? csvButton(groups, 'subgroups', 'the subgroups table') : null);
}

/** Scores per named subgroup (config "groups") for every run. */
function subgroupTable(report: EvaluationReport): HTMLTableElement | null {
  const rows = report.runs.flatMap((r) => r.groups.map((g) => ({ run: r.name, g })));
  if (!rows.length) return null;
  const methods = [...new Set(rows.flatMap((x) => Object.keys(x.g.structure)))];
  const head = ['Run', 'Subgroup', 'Respondents (human / model)', 'Representativeness (95% CI)', 'No valid answer', 'Mean TVD', ...methods.map((m) => `Structure ${m} (95% CI)`)];
  return h(
    'table',
    { class: 'subgroups' },
    h('caption', {}, 'Subgroups'),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      rows.map(({ run, g }) =>
        h(
          'tr',
          {},
          h('td', {}, run),
          h('th', { scope: 'row' }, g.name),
          h('td', {}, `${g.referenceRespondents} / ${g.runRespondents}`),
          h('td', {}, ciText(g.headline.representativeness)),
          h('td', {}, percentText(g.headline.invalidShare)),
          h('td', {}, fmt(g.marginal.meanTvd)),
          methods.map((m) => h('td', {}, g.headline.structure[m] ? ciText(g.headline.structure[m]) : 'n/a')),
        ),
      ),
    ),
  );
}

function runsTable(report: EvaluationReport): HTMLTableElement {
  const methods = [...new Set(report.runs.flatMap((r) => Object.keys(r.structure.individual)))];
  const head = ['Run', 'Level', 'Respondents', 'No valid answer', 'Representativeness (95% CI)', 'Verdict', 'Mean TVD', 'Mean JS distance', ...methods.flatMap((m) => [`Structure ${m} (95% CI)`, 'Verdict']), ...methods.map((m) => `Structure ${m} RMSE`), 'Weak items'];
  return h(
    'table',
    { class: 'side-by-side' },
    h('caption', {}, 'All runs against the same reference'),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      report.runs.map((r) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, r.name),
          h('td', {}, r.level),
          h('td', {}, r.respondents),
          h('td', {}, percentText(r.marginal.summary.invalidShare)),
          h('td', {}, ciText(r.marginal.summary.representativeness)),
          verdictCell(r.marginal.summary.representativeness),
          h('td', {}, fmt(r.marginal.summary.meanTvd.value)),
          h('td', {}, fmt(r.marginal.summary.meanJsDistance.value)),
          methods.flatMap((m) => {
            const a = r.structure.individual[m]?.agreement;
            return [h('td', {}, a ? ciText(a) : 'n/a'), verdictCell(a)];
          }),
          methods.map((m) => h('td', {}, fmt(r.structure.individual[m]?.comparison.rmse ?? null))),
          h('td', {}, r.weakItems.length),
        ),
      ),
    ),
  );
}

function progress(message: string, fraction: number | null): void {
  let bar = document.getElementById('progress');
  if (!bar) {
    bar = h('div', { id: 'progress', role: 'status' });
    app.prepend(bar);
  }
  bar.replaceChildren(custom('vscode-progress-ring', {}), h('span', {}, progressText(message, fraction)));
}

/**
 * What makes the scores below mean less than they seem, above them where it cannot be missed: the
 * weight was not applied, the reference has the run's data or is another run, a run is missing.
 * From the report's own diagnostics (so the exported HTML says it too) and from the host.
 */
function trustAlerts(report: EvaluationReport): HTMLElement | null {
  const alerts: PanelAlert[] = [];
  for (const d of report.diagnostics) {
    if (d.code === 'data.unknown-weight' || d.code === 'data.zero-weights') alerts.push({ severity: 'error', message: `Weight not applied: ${d.message}` });
    else if (d.code === 'reference.same-as-run') alerts.push({ severity: 'error', message: `The reference has the run's data: ${d.message}` });
  }
  for (const a of state.alerts ?? []) if (!alerts.some((x) => x.message === a.message)) alerts.push(a);
  if (!alerts.length) return null;
  return h(
    'section',
    { id: 'alerts', 'aria-label': 'What these scores do not show' },
    alerts.map((a) => h('div', { class: `alert ${a.severity}`, role: 'alert' }, h('strong', {}, a.severity === 'error' ? 'Error: ' : 'Warning: '), a.message)),
  );
}

/**
 * The banners above everything: the one current error (or "cancelled"), and the mark that the
 * report shown is out of date, with why. Redrawn alone (no chart is touched) when they change.
 */
function renderBanners(): void {
  const holder = document.getElementById('banners');
  app.classList.toggle('is-stale', !!(state.stale && state.report));
  if (!holder) return;
  holder.replaceChildren();
  if (state.notice) {
    const failed = state.notice.kind === 'failed';
    holder.append(h('div', { class: failed ? 'failure' : 'notice', id: failed ? 'failure' : 'notice', role: failed ? 'alert' : 'status' }, failed ? h('strong', {}, 'Evaluation failed: ') : null, state.notice.message));
  }
  if (state.stale && state.report) {
    const when = new Date(state.report.createdAt).toLocaleString('en');
    // The error above says what failed; the mark says that the results are older than it.
    const why = state.notice?.kind === 'failed' && state.stale === `The last evaluation failed: ${state.notice.message}` ? 'The last evaluation failed (see above).' : state.stale;
    holder.append(h('div', { class: 'stale-banner', id: 'stale', role: 'status' }, h('strong', {}, 'Out of date: '), `${why} The results below are from the evaluation of ${when}.`));
  }
}

window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'report':
      state.report = m.report;
      state.preliminary = m.preliminary === true;
      state.alerts = m.alerts ?? [];
      state.problemsOf = m.problemsOf ?? null;
      // Numbers of the current inputs: not stale, and the earlier error is no longer current.
      state.stale = null;
      state.notice = null;
      if (m.focusRun) state.run = m.focusRun;
      if (m.view === 'runs') state.tab = 3;
      saveState();
      render();
      break;
    case 'progress':
      progress(m.message, m.fraction);
      break;
    case 'clear':
      state.report = null;
      state.preliminary = false;
      state.alerts = [];
      saveState();
      render();
      break;
    case 'stale':
      state.stale = m.reason;
      saveState();
      renderBanners();
      break;
    case 'notice':
      if (m.notice) document.getElementById('progress')?.remove();
      state.notice = m.notice;
      saveState();
      if (state.report) renderBanners();
      else render();
      break;
    case 'exported':
      break;
  }
});

// The standalone HTML report follows the reader's light or dark preference (its stylesheet
// defines both themes); the panel follows VS Code's theme.
if (!vscode && document.body.classList.contains('standalone')) {
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    document.body.classList.toggle('vscode-dark', dark.matches);
    document.body.classList.toggle('vscode-light', !dark.matches);
  };
  apply();
  dark.addEventListener('change', apply);
}

// Re-draw in the new colours when the user switches theme (VS Code swaps the body class).
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const saved = vscode?.getState() as Partial<ViewState> | undefined;
if (saved?.report || saved?.notice) Object.assign(state, saved);
else {
  const embedded = document.getElementById('report-data');
  if (embedded?.textContent) state.report = JSON.parse(embedded.textContent) as EvaluationReport;
}
render();
vscode?.postMessage({ type: 'ready' });
