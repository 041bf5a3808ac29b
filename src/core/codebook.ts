/**
 * The codebook: what each survey item is and how its raw answers map to ordered categories.
 */
export type ItemType = 'ordinal' | 'nominal';

export interface ItemCodebook {
  /** Column name / item id, e.g. `Q46`. */
  id: string;
  /** Question wording or short label. */
  label?: string;
  /** Topic the item belongs to, e.g. `Happiness`; used for topic-level structure. */
  topic?: string;
  type: ItemType;
  /**
   * Valid answer codes in scale order (after recoding and reverse coding). For ordinal items the
   * numeric value of a code is its position on the scale; Wasserstein distances and correlations
   * use these values, and the range is `max(codes) - min(codes)`.
   */
  codes: number[];
  /** Answer labels by code (after recoding), e.g. `{ "1": "Very important" }`. */
  labels?: Record<string, string>;
  /** Raw codes that mean "missing" (WVS: all negative codes). Answers not valid and not missing are invalid. */
  missing?: number[];
  /** Raw code -> code, applied before validation, e.g. WVS Q56 swaps 2 and 3: `{ "2": 3, "3": 2 }`. */
  recode?: Record<string, number>;
  /** Reverse the scale: code c becomes min + max - c (applied after `recode`). */
  reverse?: boolean;
}

/** Scale range used to normalise distances and scale means to 0..1; 0 for a one-code item. */
export function itemRange(item: Pick<ItemCodebook, 'codes'>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of item.codes) {
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  return item.codes.length ? hi - lo : 0;
}
