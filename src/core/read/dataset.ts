/**
 * Clean, typed, validated survey data: the form every reader produces and every statistic reads.
 *
 * Answers are stored per item as category indices into the item's `codes` (scale order) in a
 * `Uint8Array`, with `MISSING` for missing or invalid answers. One byte per answer keeps a
 * WVS-sized file (97,000 x 600) at ~58 MB and makes contingency tables a pure counting loop.
 */
import type { ItemCodebook } from './codebook';

/** Category index that marks a missing (or invalid) answer. Items may have at most 255 valid codes. */
export const MISSING = 255;
export const MAX_CATEGORIES = 255;

export interface ItemColumn {
  item: ItemCodebook;
  /** values[r] = index into item.codes for respondent r, or MISSING. */
  values: Uint8Array;
  /** Answers present in the file that matched no valid code and no missing code. */
  invalid: number;
  /** Answers that were a declared missing code or empty. */
  missing: number;
}

/** Respondent-level survey data: wide, one row per respondent. */
export interface SurveyData {
  /** Path of the source file, as given. */
  source: string;
  /** Number of respondents (rows). */
  n: number;
  columns: ItemColumn[];
  /** Survey weight per respondent, or null for equal weights. Never negative, never NaN. */
  weights: Float64Array | null;
  /** Group / demographic / persona columns by name, raw string values per respondent ('' = missing). */
  attributes: Map<string, string[]>;
  /** Respondent ids when the file has them (long layouts always do). */
  respondentIds?: string[];
  /** 1-based source line of each respondent's row, when the format has lines (for diagnostics). */
  lines?: Uint32Array;
}

/**
 * Distribution-level data: only per-item (and per-group) answer shares, as OpinionQA-style
 * outputs give them. Marginals and group-level structure can be computed; individual-level
 * structure cannot.
 */
export interface DistributionData {
  source: string;
  items: ItemCodebook[];
  /** group name ('' for the whole population) -> item id -> weights over item.codes (shares or counts). */
  distributions: Map<string, Map<string, Float64Array>>;
  /**
   * group -> item id -> mass (share or count, as given) of options that matched no valid code of
   * the item; 0 when every option matched. Not part of `distributions`: a consumer decides whether
   * to report it or to normalise over valid options only.
   */
  invalidMass?: Map<string, Map<string, number>>;
}

export function columnByItem(data: SurveyData): Map<string, ItemColumn> {
  return new Map(data.columns.map((c) => [c.item.id, c]));
}
