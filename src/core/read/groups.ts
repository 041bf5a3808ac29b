/**
 * Subgroups: named filters on columns, e.g. `B_COUNTRY_ALPHA in [DEU, USA]`, `Q240 in 1..3`,
 * `Q260 = 2`, combined with `and`. Groups may overlap; each yields the row indices it selects, so
 * the same definitions apply to the reference survey and to model runs.
 */
import { MISSING, type SurveyData } from './dataset';
import type { InputDiagnostic } from '../report/diagnostics';

export type Clause =
  | { column: string; op: 'in'; values: string[] }
  | { column: string; op: 'range'; from: number; to: number }
  | { column: string; op: '=' | '!='; value: string };

export interface ParsedFilter {
  clauses: Clause[];
}

export interface FilterError {
  message: string;
  /** 1-based column in the expression where the problem starts. */
  column: number;
}

const CLAUSE = /^\s*([A-Za-z_][\w.]*)\s*(?:(in)\s*(\[[^\]]*\]|-?\d+(?:\.\d+)?\s*\.\.\s*-?\d+(?:\.\d+)?)|(!=|=)\s*("[^"]*"|'[^']*'|[^\s]+))\s*$/i;

function unquote(s: string): string {
  const t = s.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
}

/** Parses a filter expression; clauses joined by `and` (case-insensitive). */
export function parseFilter(expr: string): ParsedFilter | FilterError {
  const clauses: Clause[] = [];
  let offset = 0;
  for (const part of expr.split(/\band\b/i)) {
    const m = CLAUSE.exec(part);
    if (!m) {
      const lead = part.length - part.trimStart().length;
      return {
        message: `Cannot read "${part.trim()}": write COLUMN in [A, B], COLUMN in 1..3, COLUMN = value or COLUMN != value, joined by "and".`,
        column: offset + lead + 1,
      };
    }
    const column = m[1];
    if (m[2]) {
      const arg = m[3];
      if (arg.startsWith('[')) {
        const values = arg.slice(1, -1).split(',').map(unquote).filter((v) => v !== '');
        clauses.push({ column, op: 'in', values });
      } else {
        const [from, to] = arg.split('..').map((x) => Number(x.trim()));
        clauses.push({ column, op: 'range', from, to });
      }
    } else {
      clauses.push({ column, op: m[4] as '=' | '!=', value: unquote(m[5]) });
    }
    offset += part.length + 3;
  }
  return { clauses };
}

/** Raw value of row r in a column: an attribute string, or an item's code ('' when missing). */
function columnReader(data: SurveyData, name: string): ((r: number) => string) | null {
  const attr = data.attributes.get(name);
  if (attr) return (r) => attr[r] ?? '';
  const col = data.columns.find((c) => c.item.id === name);
  if (col) return (r) => (col.values[r] === MISSING ? '' : String(col.item.codes[col.values[r]]));
  return null;
}

function matches(clause: Clause, raw: string): boolean {
  const v = raw.trim();
  switch (clause.op) {
    case 'in':
      return clause.values.includes(v);
    case 'range': {
      if (v === '') return false;
      const x = Number(v);
      return Number.isFinite(x) && x >= clause.from && x <= clause.to;
    }
    case '=':
      return v === clause.value || (v !== '' && clause.value !== '' && Number(v) === Number(clause.value));
    case '!=':
      return !(v === clause.value || (v !== '' && clause.value !== '' && Number(v) === Number(clause.value)));
  }
}

/**
 * Row indices per named group. A filter that cannot be parsed or names a column the data lack is
 * reported (the group is left out); an empty group is reported as a warning.
 */
export function selectGroups(
  data: SurveyData,
  groups: Record<string, string>,
  where?: { file?: string },
): { rows: Map<string, Uint32Array>; diagnostics: InputDiagnostic[] } {
  const rows = new Map<string, Uint32Array>();
  const diagnostics: InputDiagnostic[] = [];
  for (const [name, expr] of Object.entries(groups)) {
    const parsed = parseFilter(expr);
    if ('message' in parsed) {
      diagnostics.push({ severity: 'error', code: 'group.syntax', message: `Group "${name}": ${parsed.message}`, file: where?.file });
      continue;
    }
    const readers: ((r: number) => string)[] = [];
    let ok = true;
    for (const c of parsed.clauses) {
      const read = columnReader(data, c.column);
      if (!read) {
        diagnostics.push({
          severity: 'error',
          code: 'group.unknown-column',
          message: `Group "${name}" filters on "${c.column}", which is not a group column or item of ${data.source}; the group was left out.`,
          file: where?.file,
        });
        ok = false;
      }
      readers.push(read ?? (() => ''));
    }
    if (!ok) continue;
    const out: number[] = [];
    for (let r = 0; r < data.n; r++) {
      let keep = true;
      for (let k = 0; k < parsed.clauses.length && keep; k++) keep = matches(parsed.clauses[k], readers[k](r));
      if (keep) out.push(r);
    }
    if (out.length === 0) {
      diagnostics.push({ severity: 'warning', code: 'group.empty', message: `Group "${name}" (${expr}) selects no respondents in ${data.source}.`, file: where?.file });
    }
    rows.set(name, Uint32Array.from(out));
  }
  return { rows, diagnostics };
}
