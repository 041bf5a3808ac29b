/**
 * Long layout (one row per answer: respondent, item, answer, optional group / persona columns),
 * as LLM pipelines usually write model runs, pivoted to one row per respondent.
 */
import type { ItemCodebook } from './codebook';
import type { DiagnosticBag } from '../report/diagnostics';
import { TokenColumn } from './columns';
import type { SelectedItem } from './item-columns';

export interface LongColumns {
  respondent: string;
  item: string;
  answer: string;
}

const RESPONDENT_NAMES = ['respondent', 'respondent_id', 'respondentid', 'persona', 'persona_id', 'id', 'rid', 'sample', 'sample_id', 'run', 'run_id'];
const ITEM_NAMES = ['item', 'item_id', 'question', 'question_id', 'qid', 'variable'];
const ANSWER_NAMES = ['answer', 'response', 'value', 'choice', 'answer_code', 'option'];

/**
 * The long layout's columns when the header looks like one (an item column and an answer column
 * among few columns), else null. Names compare case-insensitively.
 */
export function detectLongColumns(header: string[]): LongColumns | null {
  if (header.length > 30) return null;
  const find = (names: string[]) => header.find((h) => names.includes(h.trim().toLowerCase()));
  const item = find(ITEM_NAMES);
  const answer = find(ANSWER_NAMES);
  const respondent = find(RESPONDENT_NAMES);
  return item && answer && respondent ? { respondent, item, answer } : null;
}

export interface LongRows {
  n: number;
  respondent: string[];
  item: string[];
  answer: string[];
  lines: Uint32Array;
  weights: Float64Array | null;
  attributes: Map<string, string[]>;
}

export interface Pivoted {
  respondents: string[];
  selected: SelectedItem[];
  weights: Float64Array | null;
  attributes: Map<string, string[]>;
  lines: Uint32Array;
}

/**
 * Pivots answer rows to respondents x items. A second answer by the same respondent to the same
 * item is reported and ignored (the first one counts); per-respondent values (weight, groups)
 * that differ between a respondent's rows are reported and the first one kept.
 */
export function pivotLong(rows: LongRows, wanted: string[] | null, codebook: Map<string, ItemCodebook>, file: string, bag: DiagnosticBag): Pivoted {
  const index = new Map<string, number>();
  const respondents: string[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < rows.n; r++) {
    const id = rows.respondent[r];
    if (!index.has(id)) {
      index.set(id, respondents.length);
      respondents.push(id);
      firstRow.push(r);
    }
  }
  const m = respondents.length;
  const columns = new Map<string, { column: TokenColumn; seen: Uint8Array }>();
  const itemOrder: string[] = wanted ? [...wanted] : [];
  for (const id of itemOrder) columns.set(id, { column: new TokenColumn(id, columns.size, m), seen: new Uint8Array(m) });
  let ignored = 0;
  const ignoredItems = new Set<string>();
  let duplicates = 0;
  for (let r = 0; r < rows.n; r++) {
    const id = rows.item[r];
    let entry = columns.get(id);
    if (!entry) {
      if (wanted) {
        ignored++;
        ignoredItems.add(id);
        continue;
      }
      entry = { column: new TokenColumn(id, columns.size, m), seen: new Uint8Array(m) };
      columns.set(id, entry);
      itemOrder.push(id);
    }
    const p = index.get(rows.respondent[r])!;
    if (entry.seen[p]) {
      duplicates++;
      bag.add({
        severity: 'warning',
        code: 'data.duplicate-answer',
        message: `Respondent "${rows.respondent[r]}" answered ${id} again; only the first answer${rows.lines[r] ? ` (line ${rows.lines[firstRowOf(rows, r, p, id)]})` : ''} counts.`,
        file,
        line: rows.lines[r] || undefined,
        column: rows.lines[r] ? 1 : undefined,
        item: id,
      });
      continue;
    }
    entry.seen[p] = 1;
    entry.column.values[p] = entry.column.addText(rows.answer[r], rows.lines[r], 1);
  }
  if (ignored) {
    bag.add({
      severity: 'info',
      code: 'data.items-ignored',
      message: `${ignored} answer rows to ${ignoredItems.size} item${ignoredItems.size === 1 ? '' : 's'} not asked for were ignored: ${[...ignoredItems].slice(0, 20).join(', ')}.`,
      file,
    });
  }
  // Per-respondent values: the first row's, with disagreements reported.
  const attributes = new Map<string, string[]>();
  for (const [name, values] of rows.attributes) {
    const out = respondents.map((_, p) => values[firstRow[p]]);
    let conflicts = 0;
    let firstConflict = 0;
    for (let r = 0; r < rows.n; r++) {
      if (values[r] !== out[index.get(rows.respondent[r])!]) {
        if (!conflicts) firstConflict = r;
        conflicts++;
      }
    }
    if (conflicts) {
      bag.add({
        severity: 'warning',
        code: 'data.inconsistent-group',
        message: `"${name}" differs between rows of the same respondent in ${conflicts} rows; each respondent keeps the value of their first row.`,
        file,
        line: rows.lines[firstConflict] || undefined,
        column: 1,
      });
    }
    attributes.set(name, out);
  }
  let weights: Float64Array | null = null;
  if (rows.weights) {
    weights = Float64Array.from(firstRow, (r) => rows.weights![r]);
  }
  const selected: SelectedItem[] = itemOrder.map((id) => ({ name: id, column: columns.get(id)!.column, codebook: codebook.get(id) ?? null, explicit: true }));
  bag.add({
    severity: 'info',
    code: 'data.long-pivoted',
    message: `Long layout: ${rows.n} answer rows pivoted to ${m} respondents x ${itemOrder.length} items${duplicates ? ` (${duplicates} repeated answers ignored)` : ''}.`,
    file,
  });
  return { respondents, selected, weights, attributes, lines: Uint32Array.from(firstRow, (r) => rows.lines[r]) };
}

function firstRowOf(rows: LongRows, upTo: number, p: number, item: string): number {
  for (let r = 0; r < upTo; r++) if (rows.item[r] === item && rows.respondent[r] === rows.respondent[upTo]) return r;
  return upTo;
}
