/**
 * The ten indicators of the Inglehart-Welzel cultural map (Inglehart & Welzel 2005, "Modernization,
 * Cultural Change and Democracy"; the WVS "cultural map"; docs/domain.md "Latent structure") as
 * respondent-level values computed from World Values Survey wave 7 columns, each recoded so that
 * higher = secular-rational (dimension 1) or self-expressive (dimension 2).
 *
 * Codes and recodes (WVS wave 7 master questionnaire, Haerpfer et al. 2022; the integrated WVS/EVS
 * variable names F063, Y003, ... in brackets). A respondent's indicator is missing (null) when any
 * column it needs is missing or outside its valid codes (negative WVS codes included):
 * - god (F063; Q164, 1 not at all .. 10 very important): 11 - x, so 10 = not important;
 * - autonomy (Y003; Q8 independence, Q14 determination and perseverance, Q15 religious faith,
 *   Q17 obedience; 1 mentioned, 2 not mentioned): [Q8] + [Q14] - [Q15] - [Q17], -2 .. 2;
 * - abortion (F120; Q184, 1 never .. 10 always justifiable): as is;
 * - pride (G006; Q254, 1 very proud .. 4 not at all proud): as is (less proud = secular);
 * - authority (E018; Q45 "greater respect for authority", 1 good, 2 don't mind, 3 bad): as is;
 * - postmaterialism (Y002; first and second choices Q154, Q155: 1 maintaining order and 3 fighting
 *   rising prices materialist, 2 giving people more say and 4 protecting freedom of speech post-
 *   materialist): 1 + [first post-materialist] + [second post-materialist] (both post-materialist
 *   3, both materialist 1, else 2);
 * - happiness (A008; Q46, 1 very happy .. 4 not at all happy): 5 - x;
 * - homosexuality (F118; Q182, 1 never .. 10 always justifiable): as is;
 * - petition (E025; Q209, 1 have done, 2 might do, 3 would never do): 1 for "have done", else 0,
 *   so its mean is the share who have signed;
 * - trust (A165; Q57, 1 most people can be trusted, 2 need to be very careful): 1 for code 1, else 0.
 * The indicator functions are linear in their parts' indicator codes, so a group's mean indicator is
 * an additive statistic (sums of weights and of weighted values), mergeable across chunks and
 * resampled respondents.
 */

export type CulturalMapIndicatorId = 'god' | 'autonomy' | 'abortion' | 'pride' | 'authority' | 'postmaterialism' | 'happiness' | 'homosexuality' | 'petition' | 'trust';

export interface CulturalMapIndicatorDefinition {
  id: CulturalMapIndicatorId;
  /** Integrated WVS/EVS name of the published indicator. */
  code: string;
  name: string;
  dimension: 1 | 2;
  /** The parts the indicator is computed from (role names, the config's keys for multi-column indicators). */
  parts: readonly string[];
  /** WVS wave 7 column of each part. */
  wvs7: Readonly<Record<string, string>>;
  /** The indicator from its parts' codes, null when a code is not valid. */
  value(parts: readonly number[]): number | null;
}

const inRange = (x: number, lo: number, hi: number) => Number.isInteger(x) && x >= lo && x <= hi;
/** A child quality: 1 mentioned, 2 not mentioned. */
const mentioned = (x: number) => (x === 1 ? 1 : x === 2 ? 0 : null);
/** Post-materialist choice (2, 4) = 1, materialist (1, 3) = 0. */
const postMaterialist = (x: number) => (x === 2 || x === 4 ? 1 : x === 1 || x === 3 ? 0 : null);

export const CULTURAL_MAP_INDICATORS: readonly CulturalMapIndicatorDefinition[] = [
  { id: 'god', code: 'F063', name: 'God is not important in life', dimension: 1, parts: ['column'], wvs7: { column: 'Q164' }, value: ([x]) => (inRange(x, 1, 10) ? 11 - x : null) },
  {
    id: 'autonomy',
    code: 'Y003',
    name: 'Autonomy index (independence, determination vs religious faith, obedience)',
    dimension: 1,
    parts: ['independence', 'determination', 'religiousFaith', 'obedience'],
    wvs7: { independence: 'Q8', determination: 'Q14', religiousFaith: 'Q15', obedience: 'Q17' },
    value: (xs) => {
      const m = xs.map(mentioned);
      return m.some((v) => v === null) ? null : (m[0] as number) + (m[1] as number) - (m[2] as number) - (m[3] as number);
    },
  },
  { id: 'abortion', code: 'F120', name: 'Abortion is justifiable', dimension: 1, parts: ['column'], wvs7: { column: 'Q184' }, value: ([x]) => (inRange(x, 1, 10) ? x : null) },
  { id: 'pride', code: 'G006', name: 'Not proud of nationality', dimension: 1, parts: ['column'], wvs7: { column: 'Q254' }, value: ([x]) => (inRange(x, 1, 4) ? x : null) },
  { id: 'authority', code: 'E018', name: 'More respect for authority would be bad', dimension: 1, parts: ['column'], wvs7: { column: 'Q45' }, value: ([x]) => (inRange(x, 1, 3) ? x : null) },
  {
    id: 'postmaterialism',
    code: 'Y002',
    name: 'Post-materialist values',
    dimension: 2,
    parts: ['first', 'second'],
    wvs7: { first: 'Q154', second: 'Q155' },
    value: ([a, b]) => {
      const pa = postMaterialist(a);
      const pb = postMaterialist(b);
      return pa === null || pb === null ? null : 1 + pa + pb;
    },
  },
  { id: 'happiness', code: 'A008', name: 'Feeling happy', dimension: 2, parts: ['column'], wvs7: { column: 'Q46' }, value: ([x]) => (inRange(x, 1, 4) ? 5 - x : null) },
  { id: 'homosexuality', code: 'F118', name: 'Homosexuality is justifiable', dimension: 2, parts: ['column'], wvs7: { column: 'Q182' }, value: ([x]) => (inRange(x, 1, 10) ? x : null) },
  { id: 'petition', code: 'E025', name: 'Has signed a petition', dimension: 2, parts: ['column'], wvs7: { column: 'Q209' }, value: ([x]) => (x === 1 ? 1 : x === 2 || x === 3 ? 0 : null) },
  { id: 'trust', code: 'A165', name: 'Most people can be trusted', dimension: 2, parts: ['column'], wvs7: { column: 'Q57' }, value: ([x]) => (x === 1 ? 1 : x === 2 ? 0 : null) },
];

export const CULTURAL_MAP_AXES = [
  { name: 'Traditional vs secular-rational values', low: 'traditional', high: 'secular-rational' },
  { name: 'Survival vs self-expression values', low: 'survival', high: 'self-expression' },
] as const;

/** An indicator with the columns it is read from in one evaluation. */
export interface CulturalMapIndicatorColumns {
  definition: CulturalMapIndicatorDefinition;
  /** Column of each part, in `definition.parts` order. */
  columns: string[];
}

/**
 * The indicators' columns: the config's `culturalMap.items` entries over the wvs7 preset's
 * columns (an entry null leaves the indicator out); without the preset, only what the config names.
 */
export function culturalMapColumns(preset: string | undefined, items: Readonly<Record<string, Readonly<Record<string, string>> | null>> = {}): CulturalMapIndicatorColumns[] {
  const out: CulturalMapIndicatorColumns[] = [];
  for (const definition of CULTURAL_MAP_INDICATORS) {
    const configured = items[definition.id];
    if (configured === null) continue;
    const source = configured ?? (preset === 'wvs7' ? definition.wvs7 : undefined);
    if (!source) continue;
    out.push({ definition, columns: definition.parts.map((p) => source[p]) });
  }
  return out;
}

/** One indicator's value for each row (NaN = missing), from the rows' raw text of its columns. */
export function indicatorValues(indicator: CulturalMapIndicatorColumns, column: (name: string) => readonly string[] | undefined, n: number): Float64Array {
  const parts = indicator.columns.map((c) => column(c));
  const out = new Float64Array(n).fill(NaN);
  if (parts.some((p) => !p)) return out;
  const codes = new Array<number>(parts.length);
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (let k = 0; k < parts.length; k++) {
      const text = parts[k]![r];
      // Raw cells: empty, NA or text are missing; "1.0" is code 1 as elsewhere in the reader.
      const x = text === '' ? NaN : Number(text);
      if (!Number.isFinite(x)) {
        ok = false;
        break;
      }
      codes[k] = x;
    }
    if (!ok) continue;
    const v = indicator.definition.value(codes);
    if (v !== null) out[r] = v;
  }
  return out;
}
