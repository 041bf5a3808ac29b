/**
 * Distribution layout: one row per item x answer option (x group) with a share or a count, as
 * OpinionQA (Santurkar et al. 2023) and GlobalOpinionQA (Durmus et al. 2023) style outputs give a
 * model's (or a population's) answer distribution instead of individual answers.
 *
 * Values are kept as given (shares or counts): the statistics normalise inside, so nothing is
 * renormalised here; shares that do not sum to 1 are reported, not corrected. Options are codes,
 * labels or `4: label`, resolved against the codebook exactly as respondent answers are; options
 * that match no valid code are reported where they first occur and their mass is kept per item and
 * group (`DistributionData.invalidMass`).
 */
import type { ItemCodebook } from './codebook';
import type { DistributionData } from './dataset';
import type { DiagnosticBag } from '../report/diagnostics';
import { TokenColumn, type RawToken } from './columns';
import type { DistributionColumns, DistributionValues, HeaderLocation } from './options';

export type { DistributionColumns, DistributionValues } from './options';
import { INVALID, inferItem, labelIndexOf, resolveToken, showValue, type InferencePolicy } from './resolve';
import { MISSING } from './dataset';

const ITEM_NAMES = ['item', 'item_id', 'question', 'question_id', 'qid', 'qkey', 'variable'];
const OPTION_NAMES = ['option', 'answer', 'response', 'choice', 'category', 'code', 'label', 'selection', 'option_label', 'answer_option', 'option_code'];
const SHARE_NAMES = ['share', 'shares', 'probability', 'prob', 'proportion', 'prop', 'p', 'percent', 'pct', 'percentage', 'fraction', 'mass', 'value'];
const COUNT_NAMES = ['count', 'counts', 'n', 'freq', 'frequency', 'number'];
const GROUP_NAMES = ['group', 'subgroup', 'group_name', 'country', 'population', 'demographic', 'persona', 'segment', 'attribute'];

/**
 * The distribution layout's columns when the header looks like one (an item, an option and a
 * share/probability/count column, optionally a group column, among few columns), else null.
 * Names compare case-insensitively. Columns the caller names as group columns (e.g. the run's
 * persona column of the evaluation's `groupBy`) are taken as the group before the usual names.
 */
export function detectDistributionColumns(header: string[], groupColumns: readonly string[] = []): DistributionColumns | null {
  if (header.length > 30) return null;
  const lower = header.map((h) => h.trim().toLowerCase());
  const find = (names: string[], taken: string[] = []) => {
    for (const n of names) {
      const i = lower.indexOf(n);
      if (i >= 0 && !taken.includes(header[i])) return header[i];
    }
    return undefined;
  };
  const item = find(ITEM_NAMES);
  if (!item) return null;
  const option = find(OPTION_NAMES, [item]);
  if (!option) return null;
  const value = find([...COUNT_NAMES, ...SHARE_NAMES], [item, option]);
  if (!value) return null;
  const group = find([...groupColumns.map((g) => g.trim().toLowerCase()), ...GROUP_NAMES], [item, option, value]);
  return group ? { item, option, value, group } : { item, option, value };
}

/** Role of a field in the distribution layout. */
export const DIST_ITEM = 0;
export const DIST_OPTION = 1;
export const DIST_VALUE = 2;
export const DIST_GROUP = 3;

interface OptionEntry {
  token: RawToken;
  value: number;
  line: number;
  column: number;
}

interface ItemEntry {
  id: string;
  location: HeaderLocation;
  /** Options in first-seen order over all groups, with where each first occurs. */
  options: Map<RawToken, { line: number; column: number; rows: number }>;
}

/** A non-negative or negative decimal number, as shares and counts are written. */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+(?:\.0*)?$/;

/** A location for a diagnostic, or none when the record had no line (JSON arrays, Parquet). */
function located(l: HeaderLocation): Partial<HeaderLocation> {
  return l.line ? l : {};
}

/** Tolerance on the sum of an item's shares before it is reported: shares printed with ~7 digits still pass. */
export const SHARE_SUM_TOLERANCE = 1e-6;


export interface DistributionRead {
  distribution: DistributionData;
  codebook: ItemCodebook[];
  inferred: boolean;
  itemLocations: Record<string, HeaderLocation>;
  values: DistributionValues;
}

/**
 * Collects the rows of a distribution file while it is read (cell by cell, from delimited text or
 * records), then resolves options against the codebook.
 */
export class DistributionRows {
  private item = '';
  private itemColumn = 0;
  private option = '';
  private optionColumn = 0;
  private value = '';
  private valueColumn = 0;
  private group = '';
  private readonly items = new Map<string, ItemEntry>();
  /** group -> item -> option token -> entry (the first row of a repeated option counts). */
  private readonly rows = new Map<string, Map<string, Map<RawToken, OptionEntry>>>();
  private allIntegers = true;
  private maxValue = 0;
  skipped = 0;

  constructor(
    readonly columns: DistributionColumns,
    private readonly file: string,
    private readonly bag: DiagnosticBag,
  ) {}

  begin(): void {
    this.item = this.option = this.value = this.group = '';
    this.itemColumn = this.optionColumn = this.valueColumn = 0;
  }

  /** One cell of the current row; `column` is the cell's 1-based column. */
  cell(role: number, text: string, column: number): void {
    if (role === DIST_ITEM) {
      this.item = text;
      this.itemColumn = column;
    } else if (role === DIST_OPTION) {
      this.option = text;
      this.optionColumn = column;
    } else if (role === DIST_VALUE) {
      this.value = text;
      this.valueColumn = column;
    } else this.group = text.trim();
  }

  /** The current row is complete (and well formed): keep it or report why not. */
  commit(line: number): void {
    const file = this.file;
    const id = this.item.trim();
    // Records without lines (JSON arrays, Parquet) have no column either.
    const at = (column: number, text: string) =>
      line ? { file, line, column: column || undefined, endColumn: column && text.length ? column + text.length : undefined } : { file };
    if (id === '') {
      this.skipped++;
      this.bag.add({ severity: 'error', code: 'data.missing-item', message: 'This row names no item; it was skipped.', ...at(this.itemColumn, this.item) });
      return;
    }
    const optionText = this.option.trim();
    if (optionText === '') {
      this.skipped++;
      this.bag.add({ severity: 'error', code: 'data.missing-option', message: `This row of ${id} names no answer option; it was skipped.`, ...at(this.optionColumn, this.option), item: id });
      return;
    }
    const raw = this.value.trim();
    const value = NUMBER.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(value) || value < 0) {
      this.skipped++;
      const negative = value < 0;
      this.bag.add({
        severity: 'error',
        code: negative ? 'data.negative-share' : 'data.invalid-share',
        message: negative
          ? `The ${this.columns.value} ${raw} of ${id} is negative; shares and counts must be zero or more. The row was skipped.`
          : `The ${this.columns.value} ${raw === '' ? '(empty)' : showValue(raw)} of ${id} is not a number; the row was skipped.`,
        ...at(this.valueColumn, this.value),
        item: id,
      });
      return;
    }
    if (!Number.isInteger(value)) this.allIntegers = false;
    if (value > this.maxValue) this.maxValue = value;
    const token: RawToken = INTEGER.test(optionText) && Number.isSafeInteger(Number(optionText)) ? Number(optionText) : optionText;
    let item = this.items.get(id);
    if (!item) {
      item = { id, location: { line, column: this.itemColumn || 1, endColumn: (this.itemColumn || 1) + this.item.length }, options: new Map() };
      this.items.set(id, item);
    }
    const seen = item.options.get(token);
    if (seen) seen.rows++;
    else item.options.set(token, { line, column: this.optionColumn, rows: 1 });
    let byItem = this.rows.get(this.group);
    if (!byItem) this.rows.set(this.group, (byItem = new Map()));
    let options = byItem.get(id);
    if (!options) byItem.set(id, (options = new Map()));
    const first = options.get(token);
    if (first) {
      this.skipped++;
      this.bag.add({
        severity: 'warning',
        code: 'data.duplicate-option',
        message: `Option ${showValue(optionText)} of ${id}${this.group ? ` in group "${this.group}"` : ''} is given again; only the first row${first.line ? ` (line ${first.line})` : ''} counts.`,
        ...at(this.optionColumn, this.option),
        item: id,
      });
      return;
    }
    options.set(token, { token, value, line, column: this.optionColumn });
  }

  /**
   * Resolves options against the codebook (or infers one per item from its options: integer
   * codes give an ordinal item over the observed codes, labels a nominal one) and builds the
   * per-group distributions.
   */
  finish(codebook: ItemCodebook[] | undefined, wanted: string[] | null, policy: InferencePolicy): DistributionRead {
    const file = this.file;
    const bag = this.bag;
    const byId = new Map((codebook ?? []).map((c) => [c.id, c]));
    const values: DistributionValues = COUNT_NAMES.includes(this.columns.value.trim().toLowerCase()) || (this.allIntegers && this.maxValue > 1) ? 'counts' : 'shares';
    const items: ItemCodebook[] = [];
    const itemLocations: Record<string, HeaderLocation> = {};
    const inferredNotes: string[] = [];
    const ignored: string[] = [];
    for (const entry of this.items.values()) {
      if (wanted && !wanted.includes(entry.id)) {
        ignored.push(entry.id);
        continue;
      }
      let item = byId.get(entry.id) ?? null;
      if (!item) {
        const col = new TokenColumn(entry.id, 0, 0);
        for (const [token, where] of entry.options) {
          if (typeof token === 'number') col.addInt(token, where.line, where.column);
          else col.addText(token, where.line, where.column || 1);
        }
        const guess = inferItem(col, new Float64Array(col.tokens.length + 1).fill(1), policy, true);
        if (!guess.item) {
          bag.add({ severity: 'error', code: 'data.not-an-item', message: `The options of ${entry.id} cannot be read as an item's answers: ${guess.note}.`, file, ...located(entry.location), item: entry.id });
          continue;
        }
        item = guess.item;
        inferredNotes.push(`${entry.id}: ${guess.note}`);
      }
      items.push(item);
      if (entry.location.line) itemLocations[entry.id] = entry.location;
    }
    if (wanted) {
      for (const id of wanted) {
        if (!this.items.has(id)) bag.add({ severity: 'error', code: 'data.unknown-item', message: `Item "${id}" has no distribution in this file.`, file, item: id });
      }
    }
    if (ignored.length) {
      bag.add({ severity: 'info', code: 'data.items-ignored', message: `${ignored.length} item${ignored.length === 1 ? '' : 's'} not asked for ${ignored.length === 1 ? 'was' : 'were'} ignored: ${ignored.slice(0, 20).join(', ')}${ignored.length > 20 ? ', ...' : ''}.`, file });
    }
    if (inferredNotes.length) {
      bag.add({
        severity: 'info',
        code: 'codebook.inferred',
        message: `No codebook for ${inferredNotes.length} item${inferredNotes.length === 1 ? '' : 's'}; inferred from the options in the file (integer codes in ascending order${policy.negativeMissing ? ', negative codes as missing' : ''}; labels alone make a nominal item in alphabetical order): ${inferredNotes.join('; ')}.`,
        file,
      });
    }

    const distributions = new Map<string, Map<string, Float64Array>>();
    const invalidMass = new Map<string, Map<string, number>>();
    const offSums: string[] = [];
    const missingOptions: string[] = [];
    for (const item of items) {
      const entry = this.items.get(item.id)!;
      const labels = labelIndexOf(item);
      const resolved = new Map<RawToken, number>();
      for (const [token, where] of entry.options) {
        const k = resolveToken(token, item, labels);
        resolved.set(token, k);
        const shown = showValue(token);
        if (k === INVALID) {
          bag.add({
            severity: 'warning',
            code: 'data.invalid-option',
            message: `Option ${shown} of ${item.id} matches no valid code (${item.codes.join(', ')}); its ${values === 'counts' ? 'count' : 'share'} is counted as invalid mass, not as an answer.`,
            file,
            ...(where.line ? { line: where.line, column: where.column || undefined, endColumn: where.column ? where.column + String(token).length : undefined } : {}),
            item: item.id,
          });
        } else if (k === MISSING) missingOptions.push(`${item.id} ${shown}`);
      }
      for (const [group, byItem] of this.rows) {
        const options = byItem.get(item.id);
        if (!options) continue;
        const weights = new Float64Array(item.codes.length);
        let invalid = 0;
        let total = 0;
        for (const o of options.values()) {
          const k = resolved.get(o.token)!;
          total += o.value;
          if (k === INVALID) invalid += o.value;
          else if (k !== MISSING) weights[k] += o.value;
        }
        let g = distributions.get(group);
        if (!g) distributions.set(group, (g = new Map()));
        g.set(item.id, weights);
        let m = invalidMass.get(group);
        if (!m) invalidMass.set(group, (m = new Map()));
        m.set(item.id, invalid);
        if (values === 'shares' && Math.abs(total - 1) > SHARE_SUM_TOLERANCE) offSums.push(`${item.id}${group ? ` (${group})` : ''} ${total}`);
        if (weights.every((w) => w === 0)) {
          bag.add({ severity: 'warning', code: 'data.empty-distribution', message: `${item.id}${group ? ` in group "${group}"` : ''} has no mass on any valid option.`, file, ...located(entry.location), item: item.id });
        }
      }
    }
    if (missingOptions.length) {
      bag.add({ severity: 'info', code: 'data.missing-options', message: `Options taken as missing (not answers) were left out: ${missingOptions.slice(0, 20).join(', ')}${missingOptions.length > 20 ? ', ...' : ''}.`, file });
    }
    if (offSums.length) {
      bag.add({
        severity: 'info',
        code: 'data.shares-not-one',
        message: `The shares of ${offSums.length} item distribution${offSums.length === 1 ? '' : 's'} do not sum to 1 (kept as given; the statistics normalise them): ${offSums.slice(0, 20).join('; ')}${offSums.length > 20 ? '; ...' : ''}.`,
        file,
      });
    }
    if (this.skipped) {
      bag.add({ severity: 'warning', code: 'data.rows-skipped', message: `${this.skipped} row${this.skipped === 1 ? ' was' : 's were'} skipped because of the problems reported.`, file });
    }
    return {
      distribution: { source: file, items, distributions, invalidMass },
      codebook: items,
      inferred: inferredNotes.length > 0,
      itemLocations,
      values,
    };
  }
}
