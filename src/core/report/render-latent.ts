/**
 * The latent-structure sections of the Markdown and HTML reports (README "Latent structure"): the
 * cultural map's agreement with its floor and ceiling, each group's positions, and the factor
 * congruence with the items whose loadings move most. Pure text; no DOM.
 */
import type { EvaluationReport, Interval, RunReport } from './model';

function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

function withCi(value: number | null, ci: Interval | null): string {
  return ci ? `${num(value)} [${num(ci.low)}, ${num(ci.high)}]` : num(value);
}

function pos(p: [number, number] | null): string {
  return p ? `(${num(p[0])}, ${num(p[1])})` : 'n/a';
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
      `| ${cell(run.name)} (95% CI) | ${withCi(a.meanDistance.value, a.meanDistance.ci)} | ${withCi(a.procrustes?.correlation ?? null, a.procrustesCorrelationCi)} | ${num(a.pearson[0])} | ${num(a.pearson[1])} |`,
      `| floor: independent marginals | ${num(map.floor.meanDistance)} | ${num(map.floor.procrustesCorrelation)} | | |`,
      `| ceiling: human split-half | ${num(map.ceiling.meanDistance)} [${num(map.ceiling.meanDistanceLow)}, ${num(map.ceiling.meanDistanceHigh)}] | ${num(map.ceiling.procrustesCorrelation)} [${num(map.ceiling.procrustesCorrelationLow)}, ${num(map.ceiling.procrustesCorrelationHigh)}] | | |`,
      '',
      `| group | human (${map.axes[0].low} → ${map.axes[0].high}, ${map.axes[1].low} → ${map.axes[1].high}) | model | distance (95% CI) |`,
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
 * A static HTML section with the same tables, after the panel's renderer in the standalone report
 * (readable without JavaScript). Every data string is escaped.
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
          ['floor: independent marginals', num(map.floor.meanDistance), num(map.floor.procrustesCorrelation)],
          ['ceiling: human split-half', num(map.ceiling.meanDistance), num(map.ceiling.procrustesCorrelation)],
        ]),
        table(['group', 'human', 'model', 'distance (95% CI)'], map.points.map((p) => [p.group, pos(p.reference), pos(p.run), withCi(p.distance, p.distanceCi)])),
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
