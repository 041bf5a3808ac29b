/**
 * From raw tokens to categories: apply a codebook (recode, reverse, missing codes, valid codes,
 * labels) or infer one from the data, once per distinct token, and count every answer that is
 * missing or matches no option so nothing is dropped silently.
 */
import type { ItemCodebook } from './codebook';
import { MAX_CATEGORIES, MISSING, type ItemColumn } from './dataset';
import type { DiagnosticBag } from '../report/diagnostics';
import { EMPTY_SLOT, OVERFLOW_SLOT, type RawToken, type TokenColumn } from './columns';
import { isFileMissing, type FileItemHints } from './file-codebook';

/** How a codebook is inferred for a column that has none. */
export interface InferencePolicy {
  /** Negative codes are missing (when the column also has non-negative codes). WVS convention. */
  negativeMissing: boolean;
  /** Keep -1 ("don't know") as a category; the item then becomes nominal. */
  dontKnowCategory: boolean;
  /** Most distinct valid codes a column may have to be taken as an item when not asked for by name. */
  maxCodes: number;
  topicOf?: (id: string) => string | undefined;
  recodeOf?: (id: string) => Record<string, number> | undefined;
  /** Codes that are missing whatever their sign (e.g. 99 "refused"). */
  missingCodes?: readonly number[];
  /** SPSS/Stata dictionary of the file being read, by item: labels, user-missing, level (file-codebook.ts). */
  fileItems?: FileItemHints;
  /**
   * Items whose missing answers the file writes as Stata extended missing values `.a`-`.z` (labelled
   * in its dictionary or found in its data). With `negativeMissing`, their inferred codebook says
   * every negative code is missing (`ItemCodebook.negativeMissing`).
   */
  extendedMissing?: ReadonlySet<string>;
}

export const DEFAULT_INFERENCE: InferencePolicy = {
  negativeMissing: true,
  dontKnowCategory: false,
  maxCodes: 15,
};

/** Tokens read as "no answer" when no label of the item matches them. */
const NA_TOKENS = new Set(['na', 'n/a', 'nan', 'null', 'none', '.', '#n/a']);

/** `4: Agree strongly`, `4 - Agree`, `4) Agree`, `4. Agree`, `4 Agree`: a code followed by its label. */
const CODE_AND_LABEL = /^([-+]?\d+)\s*(?:[:)=\u2013]|\.(?=\s)|-(?=\s)|\s)\s*(\D.*)$/;

/** Labels compare case- and whitespace-insensitively. */
export function normaliseLabel(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

type Resolution = number; // category index, or MISSING, or INVALID
/** What `resolveToken` returns for a token that matches no valid code and no missing code. */
export const INVALID = 256;

/** The category a raw token means under `item`: index into item.codes, MISSING or INVALID. */
export function resolveToken(token: RawToken, item: ItemCodebook, labelIndex?: Map<string, number>): Resolution {
  if (token === '') return MISSING;
  if (typeof token === 'number') return resolveCode(token, item);
  const m = CODE_AND_LABEL.exec(token);
  if (m) return resolveCode(Number(m[1]), item);
  const byLabel = (labelIndex ?? labelIndexOf(item)).get(normaliseLabel(token));
  if (byLabel !== undefined) {
    // Labels are given by code after recoding: no recode/reverse.
    const k = item.codes.indexOf(byLabel);
    if (k >= 0) return k;
    return item.missing?.includes(byLabel) || (item.negativeMissing && byLabel < 0) ? MISSING : INVALID;
  }
  if (NA_TOKENS.has(token.toLowerCase())) return MISSING;
  // Decimal notation only: `Number` also reads `0x3`, `0b11` and `0o3` as 3, which no survey writes.
  if (DECIMAL.test(token.trim())) {
    const num = Number(token);
    if (Number.isInteger(num)) return resolveCode(num, item);
  }
  return INVALID;
}

/** A number in decimal notation, optionally with an exponent (`1e0`, `3.0`). */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Most characters of a cell quoted in a message: a 1 MB cell must not make a 1 MB message. */
const SHOWN_CHARACTERS = 60;

/** A raw value as a message shows it: JSON-quoted, cut after SHOWN_CHARACTERS with its length said. */
export function showValue(value: RawToken): string {
  if (typeof value === 'number') return String(value);
  if (value.length <= SHOWN_CHARACTERS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, SHOWN_CHARACTERS))}... (${value.length} characters)`;
}

function resolveCode(raw: number, item: ItemCodebook): Resolution {
  if (item.missing?.includes(raw)) return MISSING;
  let c = item.recode?.[String(raw)] ?? raw;
  if (item.reverse) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of item.codes) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    c = lo + hi - c;
  }
  const k = item.codes.indexOf(c);
  if (k >= 0) return k;
  return item.negativeMissing && raw < 0 ? MISSING : INVALID;
}

export function labelIndexOf(item: ItemCodebook): Map<string, number> {
  const out = new Map<string, number>();
  for (const [code, label] of Object.entries(item.labels ?? {})) out.set(normaliseLabel(label), Number(code));
  return out;
}

export interface Inferred {
  item: ItemCodebook | null;
  /** Why the column is not an item, or what was assumed. */
  note: string;
}

/**
 * Infers an item's codebook from the tokens that occur in it: integer codes (or `code: label`
 * tokens) become an ordinal item whose codes are the observed valid codes sorted; negative codes
 * are missing when the policy says so; a column of labels only becomes a nominal item (labels in
 * alphabetical order) when it was asked for by name.
 */
export function inferItem(col: TokenColumn, counts: Float64Array, policy: InferencePolicy, explicit: boolean): Inferred {
  if (col.overflow) return { item: null, note: 'more than 65,534 distinct values' };
  // An empty header cell names no question: an item "" could not be told apart or named in a config.
  if (col.name.trim() === '') return { item: null, note: 'the column has no name' };
  const ints = new Set<number>();
  const labels = new Map<number, string>();
  const texts = new Set<string>();
  let decimals = 0;
  for (let s = 1; s < col.tokens.length; s++) {
    if (counts[s] === 0) continue;
    const t = col.tokens[s];
    if (typeof t === 'number') {
      ints.add(t);
      continue;
    }
    const m = CODE_AND_LABEL.exec(t);
    if (m) {
      const code = Number(m[1]);
      ints.add(code);
      if (!labels.has(code)) labels.set(code, m[2].trim());
    } else if (NA_TOKENS.has(t.toLowerCase())) {
      continue;
    } else if (Number.isFinite(Number(t))) {
      decimals++;
    } else {
      texts.add(t);
    }
  }
  if (decimals > 0) return { item: null, note: 'non-integer numbers' };
  const id = col.name;
  const topic = policy.topicOf?.(id);
  if (ints.size === 0 && texts.size > 0) {
    if (!explicit) return { item: null, note: `text values (${texts.size} distinct)` };
    const sorted = [...new Map([...texts].map((t) => [normaliseLabel(t), t.trim()])).values()].sort((a, b) =>
      a.localeCompare(b),
    );
    if (sorted.length > MAX_CATEGORIES) return { item: null, note: `${sorted.length} distinct answers (at most ${MAX_CATEGORIES})` };
    const item: ItemCodebook = {
      id,
      type: 'nominal',
      codes: sorted.map((_, i) => i + 1),
      labels: Object.fromEntries(sorted.map((l, i) => [String(i + 1), l])),
      ...(topic ? { topic } : {}),
    };
    return { item, note: `nominal with ${sorted.length} answer labels in alphabetical order` };
  }
  if (texts.size > 0 && !explicit) return { item: null, note: `mixes numbers and text (${texts.size} distinct texts)` };
  const hint = policy.fileItems?.get(id);
  const hasNonNegative = [...ints].some((v) => v >= 0);
  const missing: number[] = [];
  const recode = policy.recodeOf?.(id);
  const valid = new Set<number>();
  const isMissing = (v: number, nonNegative: boolean) =>
    (policy.negativeMissing && nonNegative && v < 0 && !(policy.dontKnowCategory && v === -1)) || policy.missingCodes?.includes(v) === true || (hint !== undefined && isFileMissing(hint, v));
  for (const v of ints) {
    if (isMissing(v, hasNonNegative)) missing.push(v);
    else valid.add(recode?.[String(v)] ?? v);
  }
  if (hint?.labels && valid.size > 0) {
    // A labelled code nobody chose is still on the scale (a 1-4 item whose 4 is unobserved has range
    // 3); labelled missing codes make a run's "Don't know" a missing answer rather than an invalid one.
    for (const key of Object.keys(hint.labels)) {
      const v = Number(key);
      if (!Number.isSafeInteger(v) || ints.has(v)) continue;
      if (isMissing(v, true)) missing.push(v);
      else valid.add(recode?.[key] ?? v);
    }
  }
  const limit = explicit ? MAX_CATEGORIES : policy.maxCodes;
  if (valid.size === 0) return { item: null, note: 'no valid answers' };
  if (valid.size > limit) return { item: null, note: `${valid.size} distinct values (at most ${limit} for an item)` };
  const codes = [...valid].sort((a, b) => a - b);
  const dkCategory = policy.dontKnowCategory && valid.has(-1);
  const item: ItemCodebook = {
    id,
    type: dkCategory ? 'nominal' : 'ordinal',
    codes,
    ...(missing.length ? { missing: missing.sort((a, b) => a - b) } : {}),
    ...(labels.size ? { labels: Object.fromEntries([...labels].map(([c, l]) => [String(recode?.[String(c)] ?? c), l])) } : {}),
    ...(recode ? { recode } : {}),
    ...(topic ? { topic } : {}),
  };
  // The file writes this item's missing answers as .a-.z: negative codes (a run's -1) are missing,
  // as they are against the same data written with -1..-5.
  const extended = policy.negativeMissing && policy.extendedMissing?.has(id) === true;
  if (extended) item.negativeMissing = true;
  if (hint) {
    if (hint.label) item.label = hint.label;
    // The file's value labels win over labels written into the answers ("1: Agree"): they are its codebook.
    if (hint.labels) item.labels = { ...item.labels, ...Object.fromEntries(Object.entries(hint.labels).map(([c, l]) => [String(recode?.[c] ?? c), l])) };
    if (hint.nominal) item.type = 'nominal';
  }
  let note = `${item.type} ${codes.join(',')}`;
  if (hint && (hint.labels || hint.missingValues.length || hint.missingRange)) note += ' (labels and missing values from the file)';
  if (missing.length) note += ` (missing ${missing.join(',')})`;
  if (extended) note += ' (negative codes missing: the file writes missing answers as .a-.z)';
  if (recode) note += ` after recoding ${Object.entries(recode).map(([a, b]) => `${a}->${b}`).join(', ')}`;
  if (dkCategory) note += '; "don\'t know" (-1) kept as a category, so the item is nominal';
  return { item, note };
}

/**
 * Maps a column's slots to category indices under `item`, counting missing and invalid answers;
 * answers that match no option are reported (up to five distinct ones per item, each with how
 * often it occurs and where it first occurs).
 */
export function resolveColumn(col: TokenColumn, n: number, item: ItemCodebook, counts: Float64Array, file: string, bag: DiagnosticBag): ItemColumn {
  const labelIndex = labelIndexOf(item);
  const map = new Uint8Array(col.tokens.length);
  const invalidSlots: number[] = [];
  let missing = 0;
  let invalid = 0;
  for (let s = 0; s < col.tokens.length; s++) {
    const r = s === EMPTY_SLOT ? MISSING : resolveToken(col.tokens[s], item, labelIndex);
    if (r === INVALID) {
      map[s] = MISSING;
      invalid += counts[s];
      if (counts[s] > 0) invalidSlots.push(s);
    } else {
      map[s] = r;
      if (r === MISSING) missing += counts[s];
    }
  }
  const overflowCount = counts[col.tokens.length];
  invalid += overflowCount;
  const values = new Uint8Array(n);
  const raw = col.values;
  for (let r = 0; r < n; r++) {
    const s = raw[r];
    values[r] = s === OVERFLOW_SLOT ? MISSING : map[s];
  }
  invalidSlots.sort((a, b) => col.firstLine[a] - col.firstLine[b] || col.firstColumn[a] - col.firstColumn[b]);
  for (const s of invalidSlots.slice(0, 5)) {
    const token = col.tokens[s];
    const shown = showValue(token);
    bag.add({
      severity: 'warning',
      code: 'data.invalid-answer',
      message: `Answer ${shown} of ${item.id} matches no option (${describeOptions(item)}); counted as invalid (${counts[s]} answer${counts[s] === 1 ? '' : 's'}).`,
      file,
      line: col.firstLine[s] || undefined,
      // Records without lines (JSON arrays, Parquet) have no column either.
      column: (col.firstLine[s] && col.firstColumn[s]) || undefined,
      endColumn: col.firstLine[s] && col.firstColumn[s] ? col.firstColumn[s] + String(token).length : undefined,
      item: item.id,
    });
  }
  if (invalidSlots.length > 5) {
    const rest = invalidSlots.slice(5).reduce((a, s) => a + counts[s], 0);
    bag.add({
      severity: 'warning',
      code: 'data.invalid-answer',
      message: `${item.id} has ${invalidSlots.length - 5} more distinct answers matching no option (${rest} answers), also counted as invalid.`,
      file,
      item: item.id,
    });
  }
  return { item, values, invalid, missing };
}

function describeOptions(item: ItemCodebook): string {
  const codes = item.codes.length > 12 ? `${item.codes.slice(0, 12).join(', ')}, ...` : item.codes.join(', ');
  return `valid codes ${codes}${item.missing?.length ? `; missing codes ${item.missing.join(', ')}` : ''}${item.negativeMissing ? '; negative codes missing' : ''}`;
}
