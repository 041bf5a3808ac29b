/**
 * Input problems as the terminal shows them.
 *
 * A model that refuses writes the same sentence under every question, and the readers report it
 * once per item: 24 near-identical lines before the summary table in the demo. By default the
 * warnings and notes of one file with one code are one line, at the place the first of them
 * occurs (`file:line:column`, so terminals and editors still link it), saying how many items
 * they concern and quoting one. Errors are always listed one by one. `--verbose` lists every
 * diagnostic as the report holds it; the report itself always holds them all.
 */
import { formatDiagnostic, type InputDiagnostic } from '../core/report/diagnostics';

/** The lines to print for `diagnostics`, in the order their first member appears. */
export function diagnosticLines(diagnostics: readonly InputDiagnostic[], verbose = false): string[] {
  if (verbose) return diagnostics.map(formatDiagnostic);
  const groups = new Map<string, InputDiagnostic[]>();
  const order: (InputDiagnostic | InputDiagnostic[])[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'error') {
      order.push(d);
      continue;
    }
    const key = `${d.severity}\u0000${d.file ?? ''}\u0000${d.code}`;
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
      order.push(group);
    }
    group.push(d);
  }
  return order.map((x) => (Array.isArray(x) ? groupLine(x) : formatDiagnostic(x)));
}

/** Earlier in the file first; diagnostics without a line (JSON arrays, Parquet, summaries) last. */
function firstLocated(group: readonly InputDiagnostic[]): InputDiagnostic {
  let lead = group[0];
  for (const d of group) {
    if (d.line === undefined) continue;
    if (lead.line === undefined || d.line < lead.line || (d.line === lead.line && (d.column ?? 0) < (lead.column ?? 0))) lead = d;
  }
  return lead;
}

/** `Answer "X" of Q50 matches no option (...); counted as invalid (36 answers).` (src/core/read/resolve.ts) */
const INVALID_ANSWER = /^Answer (.+) of (\S+) matches no option \(.*\); counted as invalid \((\d+) answers?\)\.$/s;

function groupLine(group: readonly InputDiagnostic[]): string {
  if (group.length === 1) return formatDiagnostic(group[0]);
  const lead = firstLocated(group);
  const items = new Set(group.flatMap((d) => (d.item === undefined ? [] : [d.item])));
  // A member naming no item (a "more problems of this kind" summary) may stand for items not listed.
  const atLeast = group.some((d) => d.item === undefined) ? 'at least ' : '';
  const more = '--verbose lists each';
  const example = lead.code === 'data.invalid-answer' ? INVALID_ANSWER.exec(lead.message) : null;
  let message: string;
  if (example && items.size > 1) {
    const [, answer, item, count] = example;
    message = `${atLeast}${items.size} items have answers that match no option, e.g. ${answer} (${count} in ${item}); ${more}`;
  } else if (example) {
    const [, answer, item, count] = example;
    message = `${item} has several different answers that match no option, e.g. ${answer} (${count} in ${item}); ${more}`;
  } else {
    const spread = items.size > 1 ? `, in ${atLeast}${items.size} items` : '';
    message = `${lead.message} (and ${group.length - 1} more like it${lead.file ? ' in this file' : ''}${spread}; ${more})`;
  }
  return formatDiagnostic({ ...lead, message });
}
