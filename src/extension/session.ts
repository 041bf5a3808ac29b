/**
 * What the host decides about a report besides evaluating it, apart from VS Code so that it can be
 * tested in node: whose problems the Problems panel lists, where a problem of the config belongs,
 * and whether a report restored after a reload is still up to date.
 */
import type { ReportDiagnostic, RunReport, ValueWithCi } from '../core/report/model';

export { relocateConfigProblems } from '../core/evaluate/config';

export type InputChange = 'changed' | 'created' | 'deleted';

/** The one run whose problems are published, and the files of the other runs (theirs are left out). */
export interface ProblemScope {
  run: string;
  otherRunFiles: ReadonlySet<string>;
}

/**
 * The Problems panel after evaluating one run of several (a right-click on it): that run's problems
 * and those of the shared inputs; the other runs' files and producing scripts are left out.
 * Undefined (every run's) when no run was pointed at or there is only one.
 */
export function scopeOfProblems(runs: ReadonlyArray<{ name: string; path: string; producedBy: string[] }>, focusRun: string | undefined): ProblemScope | undefined {
  const focus = runs.find((r) => r.name === focusRun);
  if (!focus || runs.length < 2) return undefined;
  const own = new Set([focus.path, ...focus.producedBy]);
  const otherRunFiles = new Set<string>();
  for (const r of runs) if (r !== focus) for (const f of [r.path, ...r.producedBy]) if (!own.has(f)) otherRunFiles.add(f);
  return { run: focus.name, otherRunFiles };
}

/**
 * Whether a report's inputs changed after it was made (a report restored after a reload): the
 * sentence the panel and the status bar show, or null. `mtimeMs` null: the file is gone.
 */
export function staleSince(inputs: ReadonlyArray<{ file: string; mtimeMs: number | null }>, createdAt: string): string | null {
  const made = Date.parse(createdAt);
  const deleted = inputs.filter((i) => i.mtimeMs === null).map((i) => i.file);
  const changed = inputs.filter((i) => i.mtimeMs !== null && Number.isFinite(made) && i.mtimeMs > made).map((i) => i.file);
  const parts = [...deleted.map((f) => `${f} was deleted`), ...changed.map((f) => `${f} was changed`)];
  return parts.length ? `Inputs changed since: ${parts.join(', ')}.` : null;
}

/**
 * The status bar's scores of a run: the headlines the panel shows (never the valid-answers-only
 * sample values, which a run that did not answer can flatter), "(below floor)" / "(at floor)" where
 * the verdict says so, and every verdict in words for the tooltip.
 */
export function statusScores(run: RunReport): { text: string; verdicts: string } {
  const [method, s] = Object.entries(run.structure.individual)[0] ?? [];
  const part = (name: string, v: ValueWithCi | undefined) => {
    const x = v?.value ?? null;
    const low = v?.verdict?.code === 'below-floor' ? ' (below floor)' : v?.verdict?.code === 'at-floor' ? ' (at floor)' : '';
    return `${name} ${x === null ? 'n/a' : x.toFixed(3)}${low}`;
  };
  const text = `${run.name}: ${part('marginals', run.marginal.summary.representativeness)} · ${part('structure', s?.agreement)}`;
  const words = [
    `Marginal representativeness: ${run.marginal.summary.representativeness.verdict?.text ?? 'no verdict'}`,
    ...(method && s ? [`Structure agreement (${method}): ${s.agreement.verdict?.text ?? 'no verdict'}`] : []),
  ];
  return { text, verdicts: words.join('\n') };
}
