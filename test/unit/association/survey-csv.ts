/**
 * Test helper: reads the exported real data sets (test/fixtures/data/*.csv) into `SurveyData`
 * without the product's readers, so the association tests depend only on the data model. Each
 * chosen column becomes an ordinal item whose codes are the distinct numeric values in the file,
 * in increasing order; an empty field is MISSING.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';

/** The repository root, from the built test file in out/test/unit/association/. */
export const repoRoot = path.resolve(__dirname, '../../../..');

export interface CsvTable {
  header: string[];
  /** Numeric value per column name per row, null for an empty field. */
  column(name: string): (number | null)[];
  rows: number;
}

/** Parses a CSV of the repository (path from the repo root) into numeric columns. */
export function readCsv(relativePath: string): CsvTable {
  const text = fs.readFileSync(path.join(repoRoot, relativePath), 'utf8');
  const records: string[][] = parse(text, { relax_column_count: false });
  const header = records[0];
  const body = records.slice(1);
  return {
    header,
    rows: body.length,
    column(name: string) {
      const c = header.indexOf(name);
      if (c < 0) throw new Error(`${relativePath} has no column ${name}`);
      return body.map((r) => {
        if (r[c] === '') return null;
        const v = Number(r[c]);
        if (!Number.isFinite(v)) throw new Error(`${relativePath}: ${name} has a non-numeric value ${r[c]}`);
        return v;
      });
    },
  };
}

/** SurveyData over the given columns (all rows of the file), optionally with per-row weights. */
export function surveyFromCsv(table: CsvTable, items: string[], weights: Float64Array | null = null): SurveyData {
  const columns = items.map((id) => {
    const raw = table.column(id);
    const codes = [...new Set(raw.filter((v): v is number => v !== null))].sort((a, b) => a - b);
    const index = new Map(codes.map((c, i) => [c, i]));
    let missing = 0;
    const values = Uint8Array.from(raw, (v) => {
      if (v === null) {
        missing++;
        return MISSING;
      }
      return index.get(v) as number;
    });
    return { item: { id, type: 'ordinal' as const, codes }, values, invalid: 0, missing };
  });
  return { source: 'test', n: table.rows, columns, weights, attributes: new Map() };
}

/** Row indices where `keep` holds. */
export function rowsWhere(values: (number | null)[], keep: (v: number | null) => boolean): number[] {
  const out: number[] = [];
  values.forEach((v, r) => {
    if (keep(v)) out.push(r);
  });
  return out;
}

/** A JSON fixture of test/fixtures/association, as written by generate.R / generate.py. */
export function readFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/association', name), 'utf8')) as T;
}

/** Largest |a - b| over two matrices; fails on a null in one but not the other. */
export function maxAbsDiff(a: (number | null)[][], b: (number | null)[][]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a.length; j++) {
      const x = a[i][j];
      const y = b[i][j];
      if (x === null || y === null) {
        if (x !== y) throw new Error(`entry ${i},${j}: ${x} vs ${y}`);
        continue;
      }
      worst = Math.max(worst, Math.abs(x - y));
    }
  }
  return worst;
}
