/**
 * Test helper: the real-data CSV exports in test/fixtures/data as SurveyData (numeric answers,
 * empty field = missing). Each item's codes are its observed values in numeric order, so a
 * category index is the answer's rank among the values used.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';

/** Repository root, from the built test file in out/test/unit/polychoric/. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export function readFixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/polychoric', name), 'utf8')) as T;
}

/** Numbers from the fixtures, where R wrote +-Inf as the strings "Infinity" / "-Infinity". */
export function num(x: number | string | null): number {
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  if (x === null) return NaN;
  return x as number;
}

/** A CSV export in test/fixtures/data (file name only), the given item columns, optionally the first `rows` rows. */
export function readSurveyCsv(file: string, items: readonly string[], options: { rows?: number } = {}): SurveyData {
  return readSurveyCsvAt(path.join(REPO_ROOT, 'test/fixtures/data', file), items, options);
}

/** Same as readSurveyCsv for a CSV at an absolute path (the benchmark's own repository root). */
export function readSurveyCsvAt(file: string, items: readonly string[], options: { rows?: number } = {}): SurveyData {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = csvHeader(lines[0]);
  const nRows = Math.min(lines.length - 1, options.rows ?? Infinity);
  const cols = items.map((id) => {
    const c = header.indexOf(id);
    if (c < 0) throw new Error(`${file}: no column ${id}`);
    return c;
  });
  const raw: (number | null)[][] = cols.map(() => new Array<number | null>(nRows));
  for (let r = 0; r < nRows; r++) {
    const f = lines[r + 1].split(',');
    cols.forEach((c, x) => {
      const v = f[c];
      raw[x][r] = v === '' || v === 'NA' ? null : Number(v);
    });
  }
  return {
    source: file,
    n: nRows,
    columns: items.map((id, x) => {
      const codes = [...new Set(raw[x].filter((v): v is number => v !== null))].sort((a, b) => a - b);
      const index = new Map(codes.map((c, i) => [c, i]));
      const values = Uint8Array.from(raw[x], (v) => (v === null ? MISSING : index.get(v)!));
      return { item: { id, type: 'ordinal' as const, codes }, values, invalid: 0, missing: values.filter((v) => v === MISSING).length };
    }),
    weights: null,
    attributes: new Map(),
  };
}

function csvHeader(line: string): string[] {
  return line.split(',').map((h) => h.replace(/^"|"$/g, ''));
}

/** Column names of a CSV file. */
export function csvColumns(file: string): string[] {
  return csvHeader(readFileSync(file, 'utf8').split(/\r?\n/, 1)[0]);
}
