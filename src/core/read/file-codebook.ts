/**
 * The codebook an SPSS or Stata file carries in its dictionary, as hints for inferring an item's
 * codebook when the user gives none: the variable label (the question wording), numeric value
 * labels, SPSS user-missing declarations and the SPSS measurement level. Readers of these formats
 * hand the dictionary over before the data (src/core/read/formats/survey-file.ts `SurveySink`).
 *
 * Why hints and not a codebook: a codebook given in the options also selects the items (only its
 * items are read), while a file's dictionary describes every variable, ids and heights included.
 * The hints leave the choice of items and the observed codes to the inference every format shares
 * (resolve.ts `inferItem`), so a .sav, a .dta and the CSV export of the same data give the same
 * items and codes; the file adds what only it knows.
 */
import type { ItemCodebook } from './codebook';
import type { InputDiagnostic } from '../report/diagnostics';
import type { SurveyVariable } from './formats/survey-file';

export interface FileItemHint {
  /** The variable label: the question wording. */
  label?: string;
  /** Numeric value labels by raw code. */
  labels?: Record<string, string>;
  /** SPSS user-missing: the discrete values and the range (PSPP "Variable Record", missing values). */
  missingValues: number[];
  missingRange: { low: number; high: number } | null;
  /** SPSS measurement level nominal (record 7 subtype 11): the item is nominal. */
  nominal: boolean;
}

export function isFileMissing(hint: FileItemHint, v: number): boolean {
  return hint.missingValues.includes(v) || (hint.missingRange !== null && v >= hint.missingRange.low && v <= hint.missingRange.high);
}

/** Hints by variable name: what `ReadOptions.fileItems` and `conflictsWithFile` look up. */
export interface FileItemHints {
  get(name: string): FileItemHint | undefined;
}

/**
 * Numeric variables' hints by name, each made when first asked for (a file has hundreds of
 * variables, a reading uses a few: their labels are decoded only then); string variables are group
 * columns or text items, without hints.
 */
export function hintsFromDictionary(variables: SurveyVariable[]): FileItemHints {
  const byName = new Map<string, SurveyVariable>();
  for (const v of variables) byName.set(v.name, v);
  const made = new Map<string, FileItemHint | undefined>();
  return {
    get(name: string): FileItemHint | undefined {
      if (made.has(name)) return made.get(name);
      const v = byName.get(name);
      const hint = v && v.type === 'numeric' ? hintOf(v) : undefined;
      made.set(name, hint);
      return hint;
    },
  };
}

function hintOf(v: SurveyVariable): FileItemHint {
  // Stata's labels of `.a`-`.z` (strings) name extended missing values, which are read as missing.
  const numeric = v.valueLabels.filter((l) => typeof l.value === 'number' && Number.isFinite(l.value));
  const labels = numeric.length ? Object.fromEntries(numeric.map((l) => [String(l.value), l.label])) : undefined;
  const missingValues = (v.missing?.values ?? []).filter((x): x is number => typeof x === 'number');
  return {
    ...(v.label ? { label: v.label } : {}),
    ...(labels ? { labels } : {}),
    missingValues,
    missingRange: v.missing?.range ?? null,
    nominal: v.measure === 'nominal',
  };
}

/**
 * Where a codebook given beside the file (or the wvs7 preset's) disagrees with the file's own
 * labels or missing declarations: the given codebook is used, and each difference is reported so
 * a stale codebook or a mislabelled export is noticed.
 */
export function conflictsWithFile(codebook: ItemCodebook[], hints: FileItemHints, file: string, where: (id: string) => { line: number; column: number } | undefined): InputDiagnostic[] {
  const out: InputDiagnostic[] = [];
  for (const item of codebook) {
    const hint = hints.get(item.id);
    if (!hint) continue;
    const differences: string[] = [];
    if (item.labels && hint.labels) {
      for (const [code, text] of Object.entries(hint.labels)) {
        const given = item.labels[code];
        if (given !== undefined && given.trim().toLowerCase() !== text.trim().toLowerCase()) differences.push(`code ${code} is "${given}" in the codebook, "${text}" in the file`);
      }
    }
    const fileMissing = new Set(hint.missingValues);
    if (hint.missingRange) for (const c of [...item.codes, ...(item.missing ?? [])]) if (isFileMissing(hint, c)) fileMissing.add(c);
    const validButMissing = item.codes.filter((c) => fileMissing.has(c));
    if (validButMissing.length) differences.push(`code${validButMissing.length === 1 ? '' : 's'} ${validButMissing.join(', ')} ${validButMissing.length === 1 ? 'is a valid answer' : 'are valid answers'} in the codebook but declared missing in the file`);
    if (differences.length === 0) continue;
    const at = where(item.id);
    out.push({
      severity: 'warning',
      code: 'codebook.conflicts-file',
      message: `Item "${item.id}": the codebook given disagrees with the file's own dictionary (${differences.slice(0, 5).join('; ')}${differences.length > 5 ? `; and ${differences.length - 5} more` : ''}); the codebook given was used.`,
      file,
      ...(at ? { line: at.line, column: at.column } : { line: 1, column: 1 }),
      item: item.id,
    });
  }
  return out;
}
