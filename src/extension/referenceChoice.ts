/**
 * Which file of the workspace is the human reference for a run, when no config says so: a look at
 * each candidate's first rows (its columns and a sample of values), then a ranking that proposes
 * the likeliest reference and keeps files that are runs themselves out of the way. No `vscode`
 * here (node's fs only), so it is tested in node.
 *
 * A model run compared with another run (or with itself) scores near 1.000, above the human
 * ceiling, and says nothing about representativeness: those files are never proposed, and are
 * named for what they are.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonTolerant, type ParseError } from 'jsonc-parser';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { FIELD_TEXT, parseDelimited } from '../core/read/formats/delimited';
import { readSpss } from '../core/read/formats/spss';
import { readStata } from '../core/read/formats/stata';
import { isWeightLikeName } from '../core/read/header-plan';
import { detectDistributionColumns } from '../core/read/distribution';
import { WVS7 } from '../core/read/presets/wvs7';

/** Bytes read from the start of a file to learn its columns and a sample of its values. */
const SNIFF_BYTES = 128 * 1024;
/** Rows of values kept per file. */
const SAMPLE_ROWS = 200;

/** What the start of a data file says about it. */
export interface TableSniff {
  path: string;
  size: number;
  /**
   * `table`: records with named columns; `empty`: no bytes, or a header without rows;
   * `not-a-table`: JSON that is not a list of records (a codebook, a config, a report);
   * `unreadable`: could not be opened or parsed.
   */
  kind: 'table' | 'empty' | 'not-a-table' | 'unreadable';
  columns: string[];
  /** Values of the first rows, per column (as text; empty cells left out). */
  samples: Record<string, string[]>;
}

const DATA_EXTENSIONS = new Set(['.csv', '.tsv', '.jsonl', '.json', '.parquet', '.sav', '.zsav', '.dta']);

/** Reads the first rows of a data file (never the whole file: a WVS file is 200 MB). */
export async function sniffTable(file: string): Promise<TableSniff> {
  const out: TableSniff = { path: file, size: 0, kind: 'unreadable', columns: [], samples: {} };
  const ext = path.extname(file).toLowerCase();
  if (!DATA_EXTENSIONS.has(ext)) return out;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return out;
  }
  try {
    out.size = (await handle.stat()).size;
    if (out.size === 0) return { ...out, kind: 'empty' };
    if (ext === '.parquet') return await sniffParquet(handle, out);
    if (ext === '.sav' || ext === '.zsav' || ext === '.dta') return await sniffSurveyFile(handle, file, ext, out);
    const length = Math.min(out.size, SNIFF_BYTES);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, 0);
    const whole = length === out.size;
    let text = buf.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (ext === '.json') return sniffJson(text, out);
    // Only complete lines (the last one may be cut by the sniff).
    if (!whole) text = text.slice(0, Math.max(0, text.lastIndexOf('\n') + 1));
    return ext === '.jsonl' ? sniffJsonLines(text, out) : sniffDelimited(text, out, ext === '.tsv' ? 9 : undefined);
  } catch {
    return { ...out, kind: 'unreadable' };
  } finally {
    await handle.close();
  }
}

function addRecord(out: TableSniff, record: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(record)) {
    if (!(k in out.samples)) {
      out.columns.push(k);
      out.samples[k] = [];
    }
    if (v !== null && v !== undefined && v !== '' && typeof v !== 'object') out.samples[k].push(String(v));
  }
}

function sniffDelimited(text: string, out: TableSniff, delimiter?: number): TableSniff {
  const { records } = parseDelimited(text, delimiter);
  const nonBlank = records.filter((r) => r.fields.some((f) => f !== undefined && f.trim() !== ''));
  if (!nonBlank.length) return { ...out, kind: 'empty' };
  const [header, ...rows] = nonBlank;
  out.columns = header.fields.map((f) => (f ?? '').trim());
  for (const c of out.columns) out.samples[c] = [];
  for (const r of rows.slice(0, SAMPLE_ROWS)) {
    r.fields.forEach((v, k) => {
      const c = out.columns[k];
      if (c !== undefined && v !== undefined && v.trim() !== '') out.samples[c].push(v.trim());
    });
  }
  return { ...out, kind: rows.length ? 'table' : 'empty' };
}

function sniffJsonLines(text: string, out: TableSniff): TableSniff {
  let records = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        addRecord(out, v as Record<string, unknown>);
        if (++records >= SAMPLE_ROWS) break;
      }
    } catch {
      // A damaged line: the reader reports it; the sniff looks at the others.
    }
  }
  return { ...out, kind: records ? 'table' : 'not-a-table' };
}

function sniffJson(text: string, out: TableSniff): TableSniff {
  // Error-tolerant: a file cut by the sniff still gives its first records.
  const errors: ParseError[] = [];
  const value = parseJsonTolerant(text, errors, { allowTrailingComma: true }) as unknown;
  if (!Array.isArray(value)) return { ...out, kind: 'not-a-table' };
  let records = 0;
  for (const v of value) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      addRecord(out, v as Record<string, unknown>);
      if (++records >= SAMPLE_ROWS) break;
    }
  }
  return { ...out, kind: records ? 'table' : value.length ? 'not-a-table' : 'empty' };
}

async function sniffParquet(handle: fs.FileHandle, out: TableSniff): Promise<TableSniff> {
  if (out.size < 12) return out;
  const tail = Buffer.alloc(8);
  await handle.read(tail, 0, 8, out.size - 8);
  const footer = tail.readUInt32LE(0);
  if (tail.toString('latin1', 4) !== 'PAR1' || footer + 8 > out.size) return out;
  const buf = Buffer.alloc(footer + 8);
  await handle.read(buf, 0, footer + 8, out.size - footer - 8);
  const metadata = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  out.columns = parquetSchema(metadata).children.map((c) => c.element.name);
  for (const c of out.columns) out.samples[c] = [];
  return { ...out, kind: Number(metadata.num_rows) > 0 ? 'table' : 'empty' };
}

/**
 * The columns and first rows of an SPSS or Stata file, through the engine's own readers, which stop
 * (by their abort signal) once `SAMPLE_ROWS` rows are in: a WVS .sav is read only as far as that.
 */
async function sniffSurveyFile(handle: fs.FileHandle, file: string, ext: string, out: TableSniff): Promise<TableSniff> {
  const stop = new AbortController();
  let rows = 0;
  const sink = {
    roles: new Uint8Array(0),
    feedRecord(values: ReadonlyArray<unknown>, line: number): void {
      if (line === 1) {
        out.columns = values.map(String);
        for (const c of out.columns) out.samples[c] = [];
        sink.roles = new Uint8Array(values.length).fill(FIELD_TEXT);
        return;
      }
      values.forEach((v, i) => {
        if (v !== null && v !== undefined && v !== '') out.samples[out.columns[i]].push(String(v));
      });
      if (++rows >= SAMPLE_ROWS) stop.abort();
    },
  };
  const buffer = {
    byteLength: out.size,
    async slice(start: number, end = out.size): Promise<ArrayBuffer> {
      const bytes = Buffer.alloc(Math.max(0, Math.min(end, out.size) - start));
      await handle.read(bytes, 0, bytes.length, start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    },
  };
  try {
    await (ext === '.dta' ? readStata : readSpss)(buffer, file, sink, stop.signal);
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  }
  return { ...out, kind: out.columns.length ? (rows > 0 ? 'table' : 'empty') : 'unreadable' };
}

/** Columns a model run has and a human survey does not: who the model played, which model, which prompt. */
const RUN_COLUMN = /persona|^model(?:_?(?:name|id|version))?$|^llm|^prompt|^temperature$|^completion|^raw_?(?:answer|response|output)|^generation/i;

/** The run's own columns (persona, model, prompt...): a file that has them is another run. */
export function runOwnColumns(run: TableSniff): string[] {
  return run.columns.filter((c) => RUN_COLUMN.test(c));
}

/** Whether every sampled value is a positive finite number (a weight's values). */
function positiveNumbers(values: string[]): boolean {
  if (!values.length) return false;
  return values.every((v) => {
    const x = Number(v);
    return v.trim() !== '' && Number.isFinite(x) && x > 0;
  });
}

/**
 * The survey weight to use: `W_WEIGHT` (World Values Survey) first, then a column named like a
 * weight (weight, wt, w_*, pspwght...) whose sampled values are all positive numbers. Null when
 * there is none. A file without sampled values (Parquet) is judged by the names alone.
 */
export function proposeWeight(sniff: TableSniff): string | null {
  const ok = (c: string) => (sniff.samples[c]?.length ? positiveNumbers(sniff.samples[c]) : true);
  const named = sniff.columns.filter((c) => isWeightLikeName(c) && !RUN_COLUMN.test(c));
  const wvs = named.find((c) => c === WVS7.weight);
  if (wvs && ok(wvs)) return wvs;
  return named.find(ok) ?? null;
}

/** A column naming the country: WVS's `B_COUNTRY_ALPHA`, `country`, ESS's `cntry`, `iso3`. */
const COUNTRY = /^(?:b_country_alpha|b_country|country|cntry|country_?(?:code|iso3?|alpha3?|name)|iso_?3?|nation)$/i;
/** The same in a run, said of the persona the model played: `persona_country`, `persona_cntry`. */
const PERSONA_COUNTRY = /^persona_?(?:b_country_alpha|b_country|country|cntry|nation|iso3?)(?:_?(?:code|alpha3?|name))?$/i;

/**
 * The columns that define the groups of the group-level structure (arXiv 2601.15755: countries):
 * the reference's country column and the run's persona country column (or a country column of the
 * same name). Null when either side has none.
 */
export function proposeGroupBy(reference: TableSniff, run: TableSniff): { reference: string; run: string } | null {
  const refCol = reference.columns.find((c) => c === 'B_COUNTRY_ALPHA') ?? reference.columns.find((c) => COUNTRY.test(c));
  if (!refCol) return null;
  const runCol = run.columns.find((c) => PERSONA_COUNTRY.test(c)) ?? run.columns.find((c) => c === refCol) ?? run.columns.find((c) => COUNTRY.test(c));
  return runCol ? { reference: refCol, run: runCol } : null;
}

/** Whether two files hold the same bytes (read only when their sizes are equal). */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([fs.stat(a), fs.stat(b)]);
    if (sa.ino === sb.ino && sa.dev === sb.dev) return true;
    if (sa.size !== sb.size) return false;
    const hash = async (f: string) => {
      const h = createHash('sha256');
      const handle = await fs.open(f, 'r');
      try {
        for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
      } finally {
        await handle.close().catch(() => undefined);
      }
      return h.digest('hex');
    };
    return (await hash(a)) === (await hash(b));
  } catch {
    return false;
  }
}

export type ReferenceVerdict =
  /** The likeliest reference: the default of the quick pick. */
  | 'proposed'
  /** Could be a reference. */
  | 'possible'
  /** Another model run: listed apart, with why; choosing it needs a confirmation. */
  | 'run-like'
  /** Cannot be a reference at all (the run itself, the same data, empty, not a table): not listed. */
  | 'excluded';

export interface ReferenceCandidate {
  path: string;
  size: number;
  verdict: ReferenceVerdict;
  /** Why, in a few words each (shown under the file in the quick pick). */
  reasons: string[];
  /** Items (columns) it shares with the run. */
  sharedItems: number;
  weight: string | null;
  groupBy: { reference: string; run: string } | null;
}

export interface RankOptions {
  /** Files that are runs in some representativeness.json of the workspace, with the run's name. */
  configuredRuns: ReadonlyMap<string, string>;
  /** Files whose bytes equal the run's. */
  sameAsRun: ReadonlySet<string>;
}

function list(names: string[], max = 3): string {
  return names.slice(0, max).join(', ') + (names.length > max ? `, +${names.length - max} more` : '');
}

/** How one file fits as the reference of `run`. */
export function judgeReference(run: TableSniff, candidate: TableSniff, options: RankOptions): ReferenceCandidate {
  const base = { path: candidate.path, size: candidate.size, sharedItems: 0, weight: null, groupBy: null };
  const excluded = (reason: string): ReferenceCandidate => ({ ...base, verdict: 'excluded', reasons: [reason] });
  if (path.resolve(candidate.path) === path.resolve(run.path)) return excluded('the run itself');
  if (options.sameAsRun.has(candidate.path)) return excluded(`the same data as ${path.basename(run.path)}`);
  if (candidate.kind === 'empty') return excluded('empty: no respondents');
  if (candidate.kind !== 'table') return excluded(candidate.kind === 'not-a-table' ? 'not a table of respondents' : 'cannot be read');
  const own = runOwnColumns(run);
  const runItems = run.columns.filter((c) => !own.includes(c));
  const has = new Set(candidate.columns);
  const sharedItems = runItems.filter((c) => has.has(c)).length;
  const weight = proposeWeight(candidate);
  const groupBy = proposeGroupBy(candidate, run);
  const judged = { ...base, sharedItems, weight, groupBy };

  const runReasons: string[] = [];
  const configured = options.configuredRuns.get(candidate.path);
  if (configured !== undefined) runReasons.push(`is run "${configured}" in representativeness.json`);
  const sharedOwn = own.filter((c) => has.has(c));
  if (sharedOwn.length) runReasons.push(`has the run's columns ${list(sharedOwn)}`);
  else {
    const modelColumns = candidate.columns.filter((c) => RUN_COLUMN.test(c));
    if (modelColumns.length) runReasons.push(`has model-run columns (${list(modelColumns)})`);
  }
  if (detectDistributionColumns(candidate.columns)) runReasons.push('holds answer shares per item (a distribution table: only runs can be)');
  const sameColumns = candidate.columns.length === run.columns.length && run.columns.every((c) => has.has(c));
  if (!runReasons.length && sameColumns && !weight && path.dirname(candidate.path) === path.dirname(run.path)) {
    runReasons.push('has exactly the run\'s columns, in the run\'s folder');
  }
  if (runReasons.length) return { ...judged, verdict: 'run-like', reasons: runReasons };

  // The facts a user decides on first: the quick pick cuts the line at its width.
  const reasons: string[] = [];
  if (weight) reasons.push(`weight ${weight}`);
  if (groupBy) reasons.push(`groups ${groupBy.reference} ↔ ${groupBy.run}`);
  reasons.push(sharedItems ? `${sharedItems} of the run's ${runItems.length} columns` : 'no column in common with the run');
  return { ...judged, verdict: 'possible', reasons };
}

/**
 * Every candidate judged and ordered: the proposed reference first (among files sharing columns
 * with the run: one with a survey weight before one without, then the largest), then the other
 * possible references, then the run-like files; excluded files last (callers leave them out).
 */
export function rankReferences(run: TableSniff, candidates: TableSniff[], options: RankOptions): ReferenceCandidate[] {
  const judged = candidates.map((c) => judgeReference(run, c, options));
  const order: Record<ReferenceVerdict, number> = { proposed: 0, possible: 1, 'run-like': 2, excluded: 3 };
  const key = (c: ReferenceCandidate) => [order[c.verdict], c.sharedItems > 0 ? 0 : 1, c.weight ? 0 : 1, -c.size];
  judged.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.path.localeCompare(b.path);
  });
  const first = judged[0];
  if (first && first.verdict === 'possible' && first.sharedItems > 0) {
    first.verdict = 'proposed';
    const rivals = judged.filter((c) => c.verdict === 'possible' && c.sharedItems > 0).length;
    const why = rivals === 0 ? 'the only file sharing the run\'s columns' : first.weight ? 'has a survey weight; the largest such file' : 'the largest file sharing the run\'s columns';
    first.reasons.push(why);
  }
  return judged;
}
