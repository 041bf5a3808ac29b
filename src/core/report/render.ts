/**
 * Report formats: `json` (the data contract), `md` (a readable summary), `csv` (the per-item and
 * per-pair tables, one tidy table) and `html` (a standalone page drawn by the panel's own renderer,
 * with everything inlined: it opens offline).
 */
import { latentCsvRows, latentHtml, latentMarkdown } from './render-latent';
import { formatP } from './p-value';
import type { EvaluationReport, RunReport, ValueWithCi } from './model';

export type ReportFormat = 'json' | 'md' | 'csv' | 'html';

export interface RenderAssets {
  /** The bundled panel renderer (out/webview.js), for html. */
  webviewJs?: string;
  /** The panel stylesheet (media/panel.css), for html. */
  css?: string;
}

/**
 * The JSON report: objects and arrays that hold another object or array are written one member a
 * line, indented two spaces a level; those that hold none (a matrix row, a pair's row, a
 * distribution) on one line without spaces, as `JSON.stringify` writes them. The same text as
 * `JSON.stringify(report)` once the whitespace between tokens is taken out (tested), so the same
 * data: every non-finite number is null (JSON.stringify writes NaN and +-Infinity so; the report
 * never carries NaN). Half the bytes of `JSON.stringify(report, null, 2)`, which put every number
 * of a matrix on a line of its own (64 MB instead of 119 MB for the WVS-sized case with polychoric
 * structure), and half the time to write.
 */
export function reportToJson(report: EvaluationReport): string {
  return [...reportJsonChunks(report)].join('');
}

/**
 * `reportToJson` in pieces, the same text once joined: a writer never holds the whole text, nor its
 * UTF-8 copy (for the WVS-sized case with polychoric structure they were the evaluation's peak
 * memory). Values JSON.stringify treats specially (toJSON, typed arrays, boxed primitives, other
 * prototypes) are written by it, whole, on one line.
 */
export function* reportJsonChunks(report: EvaluationReport): Generator<string> {
  yield* jsonChunks(report, '');
  yield '\n';
}

/** Whether `jsonChunks` walks `value` (an array, or an object JSON.stringify writes by its keys). */
function walked(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isPlainObject(value);
}

/** What JSON.stringify leaves out of an object and writes as null in an array. */
function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function* jsonChunks(value: unknown, indent: string): Generator<string> {
  const whole = rowText(value);
  if (whole !== null) {
    yield whole;
    return;
  }
  const array = Array.isArray(value);
  const keys = array ? null : Object.keys(value as object).filter((k) => !skipped((value as Record<string, unknown>)[k]));
  const n = array ? (value as unknown[]).length : keys!.length;
  const inner = indent + '  ';
  let text = array ? '[\n' : '{\n';
  for (let i = 0; i < n; i++) {
    const v = array ? (value as unknown[])[i] : (value as Record<string, unknown>)[keys![i]];
    text += array ? inner : `${inner}${JSON.stringify(keys![i])}: `;
    if (v !== null && typeof v === 'object') {
      // A row (a pair's row, a matrix row) goes into the text at once: a generator per row cost a
      // quarter of the writing time for the WVS-sized case's 45,000 pair rows.
      const row = rowText(v);
      if (row !== null) text += row;
      else {
        yield text;
        yield* jsonChunks(v, inner);
        text = '';
      }
    } else text += skipped(v) ? 'null' : JSON.stringify(v);
    text += i < n - 1 ? ',\n' : '\n';
  }
  yield text + indent + (array ? ']' : '}');
}

/**
 * The whole text of a value written on one line: one JSON.stringify walks (what `walked` leaves to
 * it) or a row (a walked array or object holding no object or array); null for the others.
 */
function rowText(value: unknown): string | null {
  if (!walked(value)) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === 'object') return null;
    }
  } else {
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v !== null && typeof v === 'object') return null;
    }
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

function ci(v: { value: number | null; ci: { low: number | null; high: number | null } | null }): string {
  return v.ci ? `${num(v.value)} [${num(v.ci.low)}, ${num(v.ci.high)}]` : num(v.value);
}

/** Markdown-safe cell text: pipes and line breaks would break the table. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function headlineStructure(run: RunReport): { method: string; pearson: number | null; rmse: number | null; agreement: string; verdict: string } | null {
  const method = Object.keys(run.structure.individual)[0];
  if (!method) return null;
  const s = run.structure.individual[method];
  return { method, pearson: s.comparison.pearson, rmse: s.comparison.rmse, agreement: ci(s.agreement), verdict: s.agreement.verdict?.text ?? '' };
}

function percent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`;
}

export function reportToMarkdown(report: EvaluationReport): string {
  const out: string[] = [];
  out.push('# Representativeness report', '');
  out.push(`Reference: \`${report.reference.path}\`, ${report.reference.respondents} respondents${report.reference.weighted ? ' (weighted)' : ''}, ${report.reference.items.length} items.`, '');
  out.push('Headlines estimate the run population\'s value: bias-corrected, with basic 95% bootstrap intervals; answers without a valid code count against the run (the valid-answers-only numbers are in the JSON report). Verdicts compare each interval with the floor and ceiling as population values.', '');
  out.push('| run | level | respondents | invalid answers | representativeness (95% CI) | verdict | mean TVD | mean JS distance (base 2) | structure agreement (95% CI) | verdict | structure RMSE | weak items |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const run of report.runs) {
    const s = headlineStructure(run);
    const rep = run.marginal.summary.representativeness;
    out.push(
      `| ${cell(run.name)} | ${run.level} | ${run.respondents} | ${percent(run.marginal.summary.invalidShare)} | ${ci(rep)} | ${cell(rep.verdict?.text ?? '')} | ${num(run.marginal.summary.meanTvd.value)} | ${num(run.marginal.summary.meanJsDistance.value)} | ${s ? `${s.agreement} (${s.method})` : 'n/a'} | ${s ? cell(s.verdict) : ''} | ${s ? num(s.rmse) : 'n/a'} | ${run.weakItems.length} |`,
    );
  }
  out.push('');
  const same = report.diagnostics.filter((d) => d.code === 'reference.same-as-run');
  for (const d of same) out.push(`**Warning:** ${cell(d.message)}`, '');
  for (const run of report.runs) {
    out.push(`## ${run.name}`, '');
    if (run.hints.length) out.push('What to fix:', '', ...run.hints.map((h) => `- ${cell(h)}`), '');
    const sm = run.marginal.summary;
    out.push(`Representativeness ${ci(sm.representativeness)}: ${sm.representativeness.verdict?.text ?? 'no verdict'} (sample ${num(sm.representativeness.sample)}; valid answers only ${num(sm.validOnly.representativeness.sample)}, ${percent(sm.invalidShare)} of the answers not valid).`, '');
    for (const [m, st] of Object.entries(run.structure.individual)) {
      out.push(`Structure agreement (${m}) ${ci(st.agreement)}: ${st.agreement.verdict?.text ?? 'no verdict'} (sample ${num(st.agreementValidOnly.sample)} over valid answers, ${percent(st.usableShare)} of answer pairs usable).`, '');
    }
    const g = run.structure.group;
    if (g) {
      out.push(`Group-level agreement by ${cell(g.groupBy.reference)} ${ci(g.agreement)}: ${g.agreement.verdict?.text ?? 'no verdict'} (sample ${num(g.comparison.pearson)}${g.excludedNominal.length ? `; nominal items left out: ${cell(g.excludedNominal.join(', '))}` : ''}).`, '');
    }
    if (run.baselines.length) {
      out.push('| reference point | representativeness (population / sample) | structure agreement (population / sample) |', '|---|---|---|');
      for (const b of run.baselines) {
        const st = Object.entries(b.structure).map(([m, v]) => `${m} ${num(b.population.structure[m] ?? null)} / ${num(v.pearson)}`).join(', ');
        out.push(`| ${b.name} | ${num(b.population.representativeness)} / ${num(b.marginal.representativeness)} | ${st || 'n/a'} |`);
      }
      out.push('');
    }
    const worst = [...run.marginal.items].sort((a, b) => (b.w1Normalized ?? b.tvd ?? 0) - (a.w1Normalized ?? a.tvd ?? 0)).slice(0, 10);
    out.push('Worst items by marginal divergence:', '', '| item | W1/range | TVD | JS distance | mean diff | variance ratio | invalid | reasons |', '|---|---|---|---|---|---|---|---|');
    for (const it of worst) {
      out.push(`| ${cell(it.item)} | ${num(it.w1Normalized)} | ${num(it.tvd)} | ${num(it.jsDistance)} | ${num(it.meanDiff)} | ${num(it.varianceRatio)} | ${num(it.invalid)} | ${cell(it.reasons.join('; '))} |`);
    }
    out.push('');
    if (run.groups.length) {
      const methods = [...new Set(run.groups.flatMap((g) => Object.keys(g.structure)))];
      // The subgroups' headlines (invalid answers counted, bias-corrected, basic intervals); the
      // mean TVD is the sample value, its percentile interval need not contain it, so none is shown.
      out.push('Subgroups (headlines with basic 95% bootstrap intervals over the subgroup\'s model respondents; no verdict: floors and ceilings are the whole run\'s):', '', `| subgroup | respondents (human / model) | no valid answer | representativeness | mean TVD | ${methods.map((m) => `structure ${m}`).join(' | ')} |`, `|---|---|---|---|---|${methods.map(() => '---|').join('')}`);
      for (const g of run.groups) out.push(`| ${cell(g.name)} | ${g.referenceRespondents} / ${g.runRespondents} | ${percent(g.headline.invalidShare)} | ${ci(g.headline.representativeness)} | ${num(g.marginal.meanTvd)} | ${methods.map((m) => (g.headline.structure[m] ? ci(g.headline.structure[m]) : 'n/a')).join(' | ')} |`);
      out.push('');
    }
    if (run.weakPairs.length) {
      out.push(`Weak pairs (${run.weakPairs.length}):`, '', '| method | pair | human | model | difference | q |', '|---|---|---|---|---|---|');
      for (const p of run.weakPairs.slice(0, 20)) out.push(`| ${p.method} | ${cell(p.i)} × ${cell(p.j)} | ${num(p.reference)} | ${num(p.run)} | ${num(p.difference)} | ${formatP(p.q)} |`);
      out.push('');
    }
    if (run.structure.individualUnavailable) out.push(`Individual-level structure: ${run.structure.individualUnavailable}`, '');
    out.push(...latentMarkdown(run, cell));
  }
  if (report.notes.length) out.push('Notes:', '', ...report.notes.map((n) => `- ${n}`), '');
  if (report.diagnostics.length) {
    out.push(`Input problems (${report.diagnostics.length}):`, '');
    for (const d of report.diagnostics.slice(0, 50)) out.push(`- ${d.file ?? ''}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''} ${d.severity}: ${d.message}`);
    out.push('');
  }
  return out.join('\n');
}

function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A headline's CSV cells: the estimate, its interval, the paper's numbers and the verdict. */
function headlineCells(v: ValueWithCi): Record<string, string | number | null> {
  return {
    value: v.value,
    ciLow: v.ci?.low ?? null,
    ciHigh: v.ci?.high ?? null,
    sample: v.sample ?? null,
    percentileLow: v.percentile?.low ?? null,
    percentileHigh: v.percentile?.high ?? null,
    verdict: v.verdict?.code ?? null,
    floor: v.verdict?.floor?.value ?? null,
    ceiling: v.verdict?.ceiling?.value ?? null,
  };
}

/**
 * One tidy table: a row per run x headline (`kind=headline`: `measure` representativeness,
 * structure (per `method`) or group, with interval, paper's numbers, verdict, floor and ceiling),
 * per run x item (`kind=item`), per run x method x pair (`kind=pair`), and the latent structure's
 * numbers one a row (`kind` `map`, `map-point`, ..., `factor-loading`; `latentCsvRows`).
 */
export function reportToCsv(report: EvaluationReport): string {
  const cols = ['run', 'kind', 'measure', 'method', 'item', 'item2', 'n', 'referenceN', 'value', 'ciLow', 'ciHigh', 'sample', 'percentileLow', 'percentileHigh', 'verdict', 'floor', 'ceiling', 'notValidShare', 'referenceNotValidShare', 'w1Normalized', 'tvd', 'jsDistance', 'jsDivergence', 'kl', 'meanDiff', 'varianceRatio', 'invalid', 'reference', 'model', 'difference', 'z', 'p', 'q', 'weak', 'reasons'];
  const rows: string[] = [cols.join(',')];
  const push = (r: Record<string, string | number | boolean | null>) => rows.push(cols.map((c) => csvField(r[c])).join(','));
  for (const run of report.runs) {
    const m = run.marginal.summary;
    push({ run: run.name, kind: 'headline', measure: 'representativeness', n: run.respondents, ...headlineCells(m.representativeness), notValidShare: m.invalidShare, referenceNotValidShare: m.referenceInvalidShare });
    for (const [method, s] of Object.entries(run.structure.individual)) {
      push({ run: run.name, kind: 'headline', measure: 'structure', method, n: run.respondents, ...headlineCells(s.agreement), notValidShare: s.usableShare === null ? null : 1 - s.usableShare, referenceNotValidShare: s.referenceUsableShare === null ? null : 1 - s.referenceUsableShare });
    }
    const g = run.structure.group;
    if (g) {
      push({ run: run.name, kind: 'headline', measure: 'group', n: run.respondents, ...headlineCells(g.agreement), notValidShare: g.usableShare === null ? null : 1 - g.usableShare, referenceNotValidShare: g.referenceUsableShare === null ? null : 1 - g.referenceUsableShare });
    }
    for (const it of run.marginal.items) {
      const r: Record<string, string | number | boolean | null> = { run: run.name, kind: 'item', item: it.item, n: it.n, referenceN: it.referenceN, notValidShare: it.notValidShare, referenceNotValidShare: it.referenceNotValidShare, w1Normalized: it.w1Normalized, tvd: it.tvd, jsDistance: it.jsDistance, jsDivergence: it.jsDivergence, kl: it.kl, meanDiff: it.meanDiff, varianceRatio: it.varianceRatio, invalid: it.invalid, weak: it.weak, reasons: it.reasons.join('; ') };
      rows.push(cols.map((c) => csvField(r[c])).join(','));
    }
    for (const [method, s] of Object.entries(run.structure.individual)) {
      const weak = new Set(run.weakPairs.filter((w) => w.method === method).map((w) => `${w.i}\u0000${w.j}`));
      for (const p of s.pairs) {
        const r: Record<string, string | number | boolean | null> = { run: run.name, kind: 'pair', method, item: p.i, item2: p.j, n: p.runN, referenceN: p.referenceN, reference: p.reference, model: p.run, difference: p.difference, z: p.z, p: p.p, q: p.q, weak: weak.has(`${p.i}\u0000${p.j}`) };
        rows.push(cols.map((c) => csvField(r[c])).join(','));
      }
    }
    for (const r of latentCsvRows(run)) push(r);
  }
  return rows.join('\n') + '\n';
}

/** Escapes text for an HTML text node or attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON safe to embed in a `<script type="application/json">` block: `<`, `>`, `&` and the line
 * separators are written as \u escapes, so no data string can close the block or inject markup.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function reportToHtml(report: EvaluationReport, assets: RenderAssets): string {
  const js = (assets.webviewJs ?? '').replace(/<\/(script)/gi, '<\\/$1');
  const css = (assets.css ?? '').replace(/<\/(style)/gi, '<\\/$1');
  const title = `Representativeness report: ${report.runs.map((r) => r.name).join(', ')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body class="standalone">
<main id="app"><noscript>This report draws its charts with JavaScript; the data are in the JSON block of this file.</noscript></main>
<noscript>${latentHtml(report, escapeHtml)}</noscript>
<script type="application/json" id="report-data">${jsonForHtml(report)}</script>
<script>${js}</script>
</body>
</html>
`;
}

export function renderReport(report: EvaluationReport, format: ReportFormat, assets: RenderAssets = {}): string {
  switch (format) {
    case 'json':
      return reportToJson(report);
    case 'md':
      return reportToMarkdown(report);
    case 'csv':
      return reportToCsv(report);
    case 'html':
      return reportToHtml(report, assets);
  }
}
