/**
 * The latent-structure sections of the Markdown and HTML reports (README "Latent structure"): the
 * cultural map's agreement with its floor and ceiling, each group's positions, and the factor
 * congruence with the items whose loadings move most. Pure text; no DOM.
 */
import type { CulturalMapReport, EvaluationReport, Interval, RunReport } from './model';
import { pText } from './p-value';

function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/**
 * A map number with its replicates' percentiles, written apart ("0.946; percentiles 0.783 to
 * 1.593"): the map's numbers are sample values, and a percentile interval is about the resampled
 * value, so it need not contain the estimate (never "x [a, b]" for it).
 */
function withCi(value: number | null, ci: Interval | null): string {
  return ci ? `${num(value)}; percentiles ${num(ci.low)} to ${num(ci.high)}` : num(value);
}

function pos(p: [number, number] | null): string {
  return p ? `(${num(p[0])}, ${num(p[1])})` : 'n/a';
}

/** The Procrustes correlation's floor: the permutation null's mean, its percentiles and p. */
function shapeFloor(map: CulturalMapReport): string {
  const n = map.agreement.procrustesNull;
  return n ? `${num(n.mean)}; percentiles ${num(n.low)} to ${num(n.high)}; ${pText(n.p)}` : 'n/a';
}

/** Rows of the latent-structure section of one run: [heading, table rows...] as Markdown lines. */
export function latentMarkdown(run: RunReport, cell: (s: string) => string): string[] {
  const latent = run.latent;
  if (!latent) return [];
  const out: string[] = ['### Latent structure', ''];
  const map = latent.culturalMap;
  if (map) {
    const a = map.agreement;
    out.push(
      `Inglehart-Welzel cultural map (${map.indicators.length} indicators, human groups by ${cell(map.groupBy.reference)}${map.pooled ? '; the run is one point against the pooled human point' : ''}):`,
      '',
      '| | mean distance | Procrustes correlation | Pearson axis 1 | Pearson axis 2 |',
      '|---|---|---|---|---|',
      `| ${cell(run.name)} (sample; replicates' 2.5-97.5th percentiles) | ${withCi(a.meanDistance.value, a.meanDistance.ci)} | ${withCi(a.procrustes?.correlation ?? null, a.procrustesCorrelationCi)} | ${num(a.pearson[0])} | ${num(a.pearson[1])} |`,
      `| floor: independent marginals (distance); groups permuted (Procrustes) | ${num(map.floor.meanDistance)} | ${shapeFloor(map)} | | |`,
      `| ceiling: human split-half | ${num(map.ceiling.meanDistance)}; splits ${num(map.ceiling.meanDistanceLow)} to ${num(map.ceiling.meanDistanceHigh)} | ${num(map.ceiling.procrustesCorrelation)}; splits ${num(map.ceiling.procrustesCorrelationLow)} to ${num(map.ceiling.procrustesCorrelationHigh)} | | |`,
      `| verdict | ${cell(a.meanDistance.verdict?.text ?? 'n/a')} | ${cell(a.procrustesVerdict?.text ?? 'n/a')} | | |`,
      '',
      `| group | human (${map.axes[0].low} → ${map.axes[0].high}, ${map.axes[1].low} → ${map.axes[1].high}) | model | distance (sample; percentiles) |`,
      '|---|---|---|---|',
      ...map.points.map((p) => `| ${cell(p.group)} | ${pos(p.reference)} | ${pos(p.run)} | ${withCi(p.distance, p.distanceCi)} |`),
      '',
    );
    if (map.missingIndicators.length) out.push(`Indicators left out: ${map.missingIndicators.map((m) => `${m.id} (${cell(m.reason)})`).join('; ')}.`, '');
  } else if (latent.culturalMapUnavailable) out.push(`Cultural map: ${cell(latent.culturalMapUnavailable)}`, '');
  const f = latent.factors;
  if (f) {
    out.push(
      `Factor structure (${f.method}, minres, ${f.factors} factor${f.factors === 1 ? '' : 's'} from ${f.factorsFrom === 'config' ? 'the config' : 'the reference\'s parallel analysis'}; the model's loadings rotated to the humans' by Procrustes): Tucker congruence overall ${num(f.congruence.overall)}, per factor ${f.congruence.perFactor.map((v) => num(v)).join(', ')}.`,
      '',
      '| item | loading distance | human loadings | model loadings |',
      '|---|---|---|---|',
      ...f.movers.map((m) => `| ${cell(m.item)} | ${num(m.distance)} | ${m.reference.map((v) => num(v, 2)).join(', ')} | ${m.run.map((v) => num(v, 2)).join(', ')} |`),
      '',
    );
  } else if (latent.factorsUnavailable) out.push(`Factor structure: ${cell(latent.factorsUnavailable)}`, '');
  return out;
}

/**
 * A static HTML section with the same tables, after the panel's renderer in the standalone report,
 * inside `<noscript>`: readable without JavaScript, and not shown twice when the renderer draws its
 * "Latent structure" view. Every data string is escaped.
 */
export function latentHtml(report: EvaluationReport, escapeHtml: (s: string) => string): string {
  const runs = report.runs.filter((r) => r.latent);
  if (!runs.length) return '';
  const parts: string[] = ['<section id="latent-structure" aria-label="Latent structure"><h2>Latent structure</h2>'];
  const table = (head: string[], rows: string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  for (const run of runs) {
    const { culturalMap: map, factors: f } = run.latent!;
    parts.push(`<h3>${escapeHtml(run.name)}</h3>`);
    if (map) {
      const a = map.agreement;
      parts.push(
        `<p>Inglehart-Welzel cultural map: ${map.indicators.length} indicators, human groups by ${escapeHtml(map.groupBy.reference)}.</p>`,
        table(['', 'mean distance', 'Procrustes correlation'], [
          [run.name, withCi(a.meanDistance.value, a.meanDistance.ci), withCi(a.procrustes?.correlation ?? null, a.procrustesCorrelationCi)],
          ['floor: independent marginals (distance); groups permuted (Procrustes)', num(map.floor.meanDistance), shapeFloor(map)],
          ['ceiling: human split-half', num(map.ceiling.meanDistance), num(map.ceiling.procrustesCorrelation)],
          ['verdict', a.meanDistance.verdict?.text ?? 'n/a', a.procrustesVerdict?.text ?? 'n/a'],
        ]),
        table(['group', 'human', 'model', 'distance (sample; percentiles)'], map.points.map((p) => [p.group, pos(p.reference), pos(p.run), withCi(p.distance, p.distanceCi)])),
      );
    } else parts.push(`<p>Cultural map: ${escapeHtml(run.latent!.culturalMapUnavailable ?? 'n/a')}</p>`);
    if (f) {
      parts.push(
        `<p>Factor structure (${escapeHtml(f.method)}, ${f.factors} factors): Tucker congruence overall ${num(f.congruence.overall)}, per factor ${f.congruence.perFactor.map((v) => num(v)).join(', ')}.</p>`,
        table(['item', 'loading distance', 'human loadings', 'model loadings'], f.movers.map((m) => [m.item, num(m.distance), m.reference.map((v) => num(v, 2)).join(', '), m.run.map((v) => num(v, 2)).join(', ')])),
      );
    } else parts.push(`<p>Factor structure: ${escapeHtml(run.latent!.factorsUnavailable ?? 'n/a')}</p>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** A row of the CSV report (`reportToCsv`'s columns; absent = empty). */
export type CsvRow = Record<string, string | number | boolean | null>;

/**
 * The latent structure's rows of the tidy CSV report, one number a row, in the report's columns
 * (docs/report-format.md): `kind` says which part, `measure` which number. The map's numbers are
 * sample values with percentile bootstrap intervals, so they fill `value` and `sample` and the
 * interval `percentileLow` / `percentileHigh` (`ciLow` / `ciHigh` are the bias-corrected
 * headlines' basic intervals: none here); `floor` / `ceiling` / `verdict` beside the map's two
 * agreements are the report's own (sample values; the Procrustes floor is its permutation null's
 * mean, with the null's percentiles and p in the row `procrustesNull`).
 */
export function latentCsvRows(run: RunReport): CsvRow[] {
  const rows: CsvRow[] = [];
  const sampleWith = (value: number | null, ci: { low: number | null; high: number | null } | null) => ({ value, sample: value, percentileLow: ci?.low ?? null, percentileHigh: ci?.high ?? null });
  const map = run.latent?.culturalMap;
  if (map) {
    const a = map.agreement;
    const stat = (measure: string, cells: CsvRow): CsvRow => ({ run: run.name, kind: 'map', measure, ...cells });
    rows.push(
      stat('groups', { value: a.groups }),
      stat('meanDistance', { ...sampleWith(a.meanDistance.value, a.meanDistance.ci), verdict: a.meanDistance.verdict?.code ?? null, floor: map.floor.meanDistance, ceiling: map.ceiling.meanDistance }),
      stat('procrustesCorrelation', { ...sampleWith(a.procrustes?.correlation ?? null, a.procrustesCorrelationCi), verdict: a.procrustesVerdict?.code ?? null, floor: a.procrustesNull?.mean ?? null, ceiling: map.ceiling.procrustesCorrelation }),
      stat('procrustesNull', { ...sampleWith(a.procrustesNull?.mean ?? null, a.procrustesNull ? { low: a.procrustesNull.low, high: a.procrustesNull.high } : null), n: a.procrustesNull?.permutations ?? null, p: a.procrustesNull?.p ?? null }),
      stat('procrustesSymmetricSs', { value: a.procrustes?.symmetricSs ?? null }),
      stat('procrustesSs', { value: a.procrustes?.ss ?? null }),
      stat('pearsonAxis1', { value: a.pearson[0] }),
      stat('pearsonAxis2', { value: a.pearson[1] }),
      stat('floorMeanDistance', { value: map.floor.meanDistance }),
      stat('floorProcrustesCorrelation', { value: map.floor.procrustesCorrelation }),
      stat('ceilingMeanDistance', sampleWith(map.ceiling.meanDistance, { low: map.ceiling.meanDistanceLow, high: map.ceiling.meanDistanceHigh })),
      stat('ceilingProcrustesCorrelation', sampleWith(map.ceiling.procrustesCorrelation, { low: map.ceiling.procrustesCorrelationLow, high: map.ceiling.procrustesCorrelationHigh })),
    );
    map.axes.forEach((ax, k) => rows.push({ run: run.name, kind: 'map-axis', measure: 'varianceExplained', item: `axis${k + 1}`, item2: `${ax.low} -> ${ax.high}`, value: ax.varianceExplained }));
    for (const p of map.points) {
      const base = { run: run.name, kind: 'map-point', item: p.group, n: p.runN, referenceN: p.referenceN };
      rows.push(
        { ...base, measure: 'axis1', reference: p.reference?.[0] ?? null, model: p.run?.[0] ?? null },
        { ...base, measure: 'axis2', reference: p.reference?.[1] ?? null, model: p.run?.[1] ?? null },
        { ...base, measure: 'distance', ...sampleWith(p.distance, p.distanceCi) },
      );
    }
    for (const g of map.referenceGroups) {
      for (const k of [0, 1]) rows.push({ run: run.name, kind: 'map-human-group', measure: `axis${k + 1}`, item: g.group, referenceN: g.n, reference: g.position[k] });
    }
    if (map.floor.position) for (const k of [0, 1]) rows.push({ run: run.name, kind: 'map-floor', measure: `axis${k + 1}`, value: map.floor.position[k] });
    for (const ind of map.indicators) {
      const base = { run: run.name, kind: 'map-indicator', item: ind.id, item2: Object.values(ind.columns).join('+') };
      rows.push({ ...base, measure: 'loadingAxis1', value: ind.loadings[0] }, { ...base, measure: 'loadingAxis2', value: ind.loadings[1] }, { ...base, measure: 'center', value: ind.center }, { ...base, measure: 'scale', value: ind.scale });
    }
  }
  const f = run.latent?.factors;
  if (f) {
    const base = { run: run.name, method: f.method };
    f.congruence.perFactor.forEach((phi, j) => rows.push({ ...base, kind: 'factor-congruence', measure: `F${j + 1}`, value: phi }));
    rows.push({ ...base, kind: 'factor-congruence', measure: 'mean', value: f.congruence.mean }, { ...base, kind: 'factor-congruence', measure: 'overall', value: f.congruence.overall });
    f.items.forEach((item, i) => {
      for (let j = 0; j < f.factors; j++) rows.push({ ...base, kind: 'factor-loading', measure: `F${j + 1}`, item, reference: f.reference.loadings[i][j], model: f.run.loadings[i][j] });
      rows.push({ ...base, kind: 'factor-loading', measure: 'communality', item, reference: f.reference.communalities[i], model: f.run.communalities[i] });
    });
    for (const m of f.movers) rows.push({ ...base, kind: 'factor-mover', measure: 'loadingDistance', item: m.item, value: m.distance });
  }
  return rows;
}
