/**
 * The header decides how a file is read: its layout (wide, long or distribution), which fields are
 * items, which is the weight, which are group columns, and which are skipped. Pure: names in, a plan
 * and located diagnostics out; `RowsToColumns` then fills the columns the plan keeps.
 */
import { MAX_CATEGORIES } from './dataset';
import type { DiagnosticBag } from '../report/diagnostics';
import type { SurveyPreset } from './presets/wvs7';
import { TokenColumn } from './columns';
import { FIELD_CODE, FIELD_TEXT } from './formats/delimited';
import { detectLongColumns, type LongColumns } from './long';
import { DIST_GROUP, DIST_ITEM, DIST_OPTION, DIST_VALUE, detectDistributionColumns, type DistributionColumns } from './distribution';
import type { SelectedItem } from './item-columns';
import type { HeaderLocation, ReadOptions } from './options';

/** Column names that identify respondents rather than ask them something. */
const RESPONDENT_ID = /^(?:id|_?row|respondent(?:_?id)?|resp(?:ondent)?_?id|case_?id|uuid|index|unnamed: ?0)$/i;

/**
 * Names surveys give their weights: `W_WEIGHT` (WVS), `pspwght` / `dweight` / `anweight` (ESS),
 * `weight`, `wt`, `WT_FINAL`, `perwt`, `finalwt`, `w_trim`. A column so named holds how much a
 * respondent counts, not an answer.
 */
const WEIGHT_NAME = /weight|wght|^wt(?:_|\d|$)|_wt(?:_|\d|$)|^w_|^(?:p|d|f|s|an|hh|per|pers|final|svy|samp|base|trim|post)_?wt\d*$/i;

/** Whether a column's name says it is a survey weight (see WEIGHT_NAME). */
export function isWeightLikeName(name: string): boolean {
  return WEIGHT_NAME.test(name.trim());
}

export interface HeaderContext {
  path: string;
  /** The header's line, and each field's column in it (1-based). */
  line: number;
  columns: number[];
  options: ReadOptions;
  preset: SurveyPreset | undefined;
  bag: DiagnosticBag;
}

/** One row per item x option (x group): the four fields' roles (-1: skipped). */
export interface DistributionPlan {
  layout: 'distribution';
  columns: DistributionColumns;
  distRoles: Int8Array<ArrayBuffer>;
  roles: Uint8Array<ArrayBuffer>;
}

/** One row per respondent (wide) or per answer (long, pivoted at the end). */
export interface RespondentPlan {
  layout: 'wide' | 'long';
  long: LongColumns | null;
  /** Each field's role (FIELD_SKIP, FIELD_CODE, FIELD_TEXT). */
  roles: Uint8Array<ArrayBuffer>;
  /** The item column an answer field fills (FIELD_CODE fields). */
  codeColumns: (TokenColumn | null)[];
  /** The weight's field, -1 for none. */
  weightField: number;
  /** Group / demographic / persona fields, each with its values (filled row by row). */
  attributeFields: Map<number, string[]>;
  /** Fields that are both a group column and an item: read as text, fed to the item's column too. */
  textItems: Map<number, TokenColumn>;
  /** Item columns to resolve, in output order. */
  selected: SelectedItem[];
  /** Where each item's header cell is. */
  itemLocations: Record<string, HeaderLocation>;
}

export type HeaderPlan = DistributionPlan | RespondentPlan;

/** Plans the reading of a file from its header `names`. */
export function planHeader(names: string[], ctx: HeaderContext): HeaderPlan {
  const { path: file, bag, options: opts, preset } = ctx;
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (name.trim() === '') {
      bag.add({
        severity: 'warning',
        code: 'csv.empty-header',
        message: `Column ${i + 1} has no name in the header; it is not read.`,
        file,
        line: ctx.line,
        column: ctx.columns[i],
      });
      return;
    }
    if (index.has(name)) {
      bag.add({
        severity: 'error',
        code: 'csv.duplicate-column',
        message: `Column "${name}" appears twice (first as column ${index.get(name)! + 1}); only the first one is read.`,
        file,
        line: ctx.line,
        column: ctx.columns[i],
        endColumn: ctx.columns[i] + name.length,
      });
    } else index.set(name, i);
  });
  if (opts.layout === 'distribution' || (opts.layout === undefined && opts.distribution)) {
    const plan = distributionPlan(names, index, ctx);
    if (plan) return plan;
  }
  let long: LongColumns | null = null;
  if (opts.layout === 'long' || (opts.layout === undefined && !preset && !opts.distribution)) {
    long = opts.long ?? detectLongColumns(names);
    if (long && !opts.long && opts.layout === undefined && detectDistributionColumns(names, opts.attributes)?.group === long.respondent) {
      // `question, choice, p, persona`: the "respondent" is a persona whose answer shares are given.
      long = null;
    }
    if (long) {
      const absent = [long.respondent, long.item, long.answer].filter((c) => !index.has(c));
      if (absent.length) {
        bag.add({
          severity: 'error',
          code: 'data.unknown-column',
          message: `The long layout needs the column${absent.length === 1 ? '' : 's'} ${absent.map((c) => `"${c}"`).join(', ')}, which ${absent.length === 1 ? 'is' : 'are'} not in the file.`,
          file,
          line: ctx.line,
          column: 1,
        });
        long = null;
      }
    } else if (opts.layout === 'long') {
      bag.add({
        severity: 'error',
        code: 'data.long-columns',
        message: 'The long layout needs respondent, item and answer columns; name them in "long" (none of the usual names were found). Read as wide instead.',
        file,
        line: ctx.line,
        column: 1,
      });
    }
  }
  if (!long && opts.layout === undefined && !preset && !opts.distribution) {
    const detected = detectDistributionColumns(names, opts.attributes);
    if (detected) {
      const plan = distributionPlan(names, index, ctx, detected);
      if (plan) return plan;
    }
  }
  const roles = new Uint8Array(names.length);
  const codeColumns: (TokenColumn | null)[] = new Array(names.length).fill(null);
  let weightField = -1;
  const attributeFields = new Map<number, string[]>();
  const textItems = new Map<number, TokenColumn>();
  const selected: SelectedItem[] = [];
  const itemLocations: Record<string, HeaderLocation> = {};

  // Weight.
  const weight = opts.weight !== undefined ? opts.weight : (preset?.weight ?? null);
  if (weight !== null) {
    const w = index.get(weight);
    if (w === undefined) {
      bag.add({
        severity: 'error',
        code: 'data.unknown-weight',
        message: `The weight column "${weight}" is not in the file, so no weight was applied: respondents are weighted equally.${weightSuggestion(weight, names)}`,
        file,
        line: ctx.line,
        column: 1,
      });
    } else {
      weightField = w;
      roles[w] = FIELD_TEXT;
    }
  }

  // Attributes (groups, demographics, personas).
  let attributes = opts.attributes ?? preset?.attributes.filter((a) => index.has(a)) ?? [];
  if (long) attributes = [...new Set([long.respondent, long.item, long.answer, ...attributes])];
  // Optional columns present in the file; those that are not also required attributes may still be items.
  const optionalOnly = new Set<number>();
  for (const a of opts.optionalAttributes ?? []) {
    const f = index.get(a);
    if (f === undefined || attributes.includes(a)) continue;
    attributes = [...attributes, a];
    optionalOnly.add(f);
  }
  for (const a of attributes) {
    const f = index.get(a);
    if (f === undefined) {
      bag.add({
        severity: 'error',
        code: 'data.unknown-column',
        message: `The group column "${a}" is not in the file.`,
        file,
        line: ctx.line,
        column: 1,
      });
      continue;
    }
    if (f === weightField) continue;
    roles[f] = FIELD_TEXT;
    attributeFields.set(f, []);
  }

  // Items.
  const byId = new Map((opts.codebook ?? []).map((c) => [c.id, c]));
  let wanted: string[];
  let explicit: boolean;
  if (long) {
    wanted = [];
    explicit = true;
  } else if (opts.items) {
    wanted = opts.items;
    explicit = true;
  } else if (opts.codebook) {
    wanted = opts.codebook.map((c) => c.id);
    explicit = true;
  } else {
    wanted = names.filter((n, i) => index.get(n) === i && i !== weightField && (!attributeFields.has(i) || optionalOnly.has(i)) && (preset ? preset.isItem(n) : !RESPONDENT_ID.test(n)));
    // A weight holding whole numbers (1, 2, 3) would otherwise pass for a three-point item, and a
    // run without that column would then miss an "item". Only asked-for items may have such names.
    const likelyWeights = wanted.filter((n) => isWeightLikeName(n));
    for (const n of likelyWeights) {
      const f = index.get(n)!;
      const using = weightField >= 0 ? ` The weight used is "${names[weightField]}".` : '';
      bag.add({
        severity: 'info',
        code: 'data.likely-weight',
        message:
          `Column "${n}" looks like a survey weight, so it was not taken as an item.${using} ` +
          `To weight the respondents by it, name it as the weight: "weight": "${n}" in the "reference" of representativeness.json (command line: --weight ${n}). ` +
          `To evaluate it as an item instead, list it in "items" or in the codebook.`,
        file,
        line: ctx.line,
        column: ctx.columns[f],
        endColumn: ctx.columns[f] + n.length,
      });
    }
    if (likelyWeights.length) wanted = wanted.filter((n) => !isWeightLikeName(n));
    if (preset) for (const a of attributes) if (preset.isItem(a) && index.has(a)) wanted.push(a);
    explicit = false;
  }
  const seen = new Set<string>();
  for (const id of wanted) {
    if (seen.has(id)) continue;
    seen.add(id);
    const f = index.get(id);
    if (f === undefined) {
      bag.add({
        severity: 'error',
        code: 'data.unknown-item',
        message: `Item "${id}" is not a column of this file${byId.has(id) ? ' (it is in the codebook)' : ''}; it was left out.`,
        file,
        line: ctx.line,
        column: 1,
        item: id,
      });
      continue;
    }
    if (f === weightField) continue;
    const codebook = byId.get(id) ?? null;
    if (codebook && codebook.codes.length > MAX_CATEGORIES) {
      bag.add({
        severity: 'error',
        code: 'codebook.too-many-codes',
        message: `Item "${id}" has ${codebook.codes.length} valid codes; at most ${MAX_CATEGORIES} are supported, so it was left out.`,
        file,
        item: id,
      });
      continue;
    }
    const column = new TokenColumn(id, f, 0);
    if (attributeFields.has(f)) textItems.set(f, column);
    else {
      roles[f] = FIELD_CODE;
      codeColumns[f] = column;
    }
    selected.push({ name: id, column, codebook, explicit });
    itemLocations[id] = { line: ctx.line, column: ctx.columns[f], endColumn: ctx.columns[f] + id.length };
  }
  return { layout: long ? 'long' : 'wide', long, roles, codeColumns, weightField, attributeFields, textItems, selected, itemLocations };
}

/**
 * ` Did you mean "W_WEIGHT"?` when the file has a column that the wanted name probably meant: the
 * same name in other case or spacing, one a couple of edits away, or else its only weight-like column.
 */
function weightSuggestion(wanted: string, names: string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const target = norm(wanted);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const n of names) {
    if (n.trim() === '') continue;
    const d = editDistance(norm(n), target);
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  if (best !== null && bestDistance <= Math.max(1, Math.floor(target.length / 4))) return ` Did you mean "${best}"?`;
  const weights = names.filter((n) => isWeightLikeName(n));
  return weights.length === 1 ? ` The file's weight-like column is "${weights[0]}".` : '';
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment: `W_WIEGHT` is one edit from
 * `W_WEIGHT`), for short column names.
 */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The distribution layout: its item, option, value (and group) columns are read as text, every
 * other column is skipped. Null (after reporting why) when the columns are not there.
 */
function distributionPlan(names: string[], index: Map<string, number>, ctx: HeaderContext, detected?: DistributionColumns): DistributionPlan | null {
  const cols = detected ?? ctx.options.distribution ?? detectDistributionColumns(names, ctx.options.attributes);
  const at = { file: ctx.path, line: ctx.line, column: 1 };
  if (!cols) {
    ctx.bag.add({
      severity: 'error',
      code: 'data.distribution-columns',
      message: 'The distribution layout needs item, option and share (or count) columns; name them in "distribution" (none of the usual names were found). Read as wide instead.',
      ...at,
    });
    return null;
  }
  const wanted: [string | undefined, number][] = [
    [cols.item, DIST_ITEM],
    [cols.option, DIST_OPTION],
    [cols.value, DIST_VALUE],
    [cols.group, DIST_GROUP],
  ];
  const absent = wanted.filter(([c]) => c !== undefined && !index.has(c)).map(([c]) => c!);
  if (absent.length) {
    ctx.bag.add({
      severity: 'error',
      code: 'data.unknown-column',
      message: `The distribution layout needs the column${absent.length === 1 ? '' : 's'} ${absent.map((c) => `"${c}"`).join(', ')}, which ${absent.length === 1 ? 'is' : 'are'} not in the file. Read as wide instead.`,
      ...at,
    });
    return null;
  }
  const distRoles = new Int8Array(names.length).fill(-1);
  const roles = new Uint8Array(names.length);
  for (const [c, role] of wanted) {
    if (c === undefined) continue;
    const f = index.get(c)!;
    distRoles[f] = role;
    roles[f] = FIELD_TEXT;
  }
  return { layout: 'distribution', columns: cols, distRoles, roles };
}
