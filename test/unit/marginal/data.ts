// Loads the real data exports (test/fixtures/data) as SurveyData for the marginal tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import type { ItemType } from '../../../src/core/read/codebook';

/** Repository root, from out/test/unit/marginal/<file>.js. */
export const ROOT = path.resolve(__dirname, '../../../..');

export function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, relative), 'utf8')) as T;
}

/** The CSV as numeric columns (empty field = NaN). The exports hold plain numbers, no quoted commas. */
export function readNumericCsv(relative: string): Map<string, number[]> {
  const lines = readFileSync(path.join(ROOT, relative), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
  const cols = header.map(() => [] as number[]);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    cells.forEach((c, j) => cols[j].push(c === '' ? NaN : Number(c)));
  }
  return new Map(header.map((h, j) => [h, cols[j]]));
}

/** SurveyData with the given columns as items with the given codes (answers off the codes are missing). */
export function surveyData(csv: Map<string, number[]>, items: { id: string; codes: number[]; type?: ItemType }[]): SurveyData {
  const n = csv.values().next().value!.length;
  return {
    source: 'test',
    n,
    columns: items.map((it) => {
      const raw = csv.get(it.id)!;
      return {
        item: { id: it.id, type: it.type ?? 'ordinal', codes: it.codes },
        values: Uint8Array.from(raw, (x) => {
          const k = it.codes.indexOf(x);
          return k < 0 ? MISSING : k;
        }),
        invalid: 0,
        missing: 0,
      };
    }),
    weights: null,
    attributes: new Map(),
  };
}

/** Row indices where column `name` equals `value`. */
export function rowsWhere(csv: Map<string, number[]>, name: string, value: number): Uint32Array {
  const col = csv.get(name)!;
  const rows: number[] = [];
  col.forEach((x, r) => {
    if (x === value) rows.push(r);
  });
  return Uint32Array.from(rows);
}

/** |actual - expected| <= tol, with a message; null must match null. */
export function close(actual: number | null, expected: number | null, tol: number, what: string): void {
  if (actual === undefined || expected === undefined) throw new Error(`${what}: undefined value`);
  if (expected === null || actual === null) {
    if (actual !== expected) throw new Error(`${what}: ${actual} vs ${expected}`);
    return;
  }
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: ${actual} vs ${expected} (diff ${actual - expected}, tol ${tol})`);
}
