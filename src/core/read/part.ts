/**
 * The hand-off between two readers of one delimited file (src/core/read/split.ts): the first
 * reads the header and the rows up to a record boundary, another thread reads the rest with the
 * same header, and the first absorbs its rows. Types only (and one constant): both sides import it.
 */
import type { InputDiagnostic } from '../report/diagnostics';
import type { RawToken } from './columns';
import type { ReadOptions } from './options';

/** The line a part's scanner starts at; the absorbing reader shifts every line by its own line there minus this. */
export const PART_FIRST_LINE = 2;

/** The header as the first reader read it. */
export interface PartHeader {
  names: string[];
  headerLine: number;
  headerColumns: number[];
  delimiter: number;
}

/** What the other thread is asked to read: `path` from byte `start` (a line start) to its end. */
export interface PartJob {
  path: string;
  /** The file's size when the first reader opened it (the part ends there). */
  size: number;
  start: number;
  header: PartHeader;
  /** The read's options without what cannot cross threads (signal, callbacks). */
  options: ReadOptions;
}

/** A part's rows, as `RowsToColumns.partRows` gives them. */
export interface PartRows {
  rows: number;
  /** Per selected item column, in the header plan's order. */
  columns: { tokens: RawToken[]; firstLine: number[]; firstColumn: number[]; overflow: boolean; values: Uint16Array }[];
  weights: Float64Array | null;
  lines: Uint32Array;
  /** Group columns: each row's index into the column's distinct values. */
  attributes: { field: number; dictionary: string[]; codes: Uint32Array }[];
  /** Every diagnostic of the part's rows, in order, lines counted from PART_FIRST_LINE. */
  diagnostics: InputDiagnostic[];
  skippedRows: number;
  ragged: number;
  encodingReported: boolean;
}

/** Reads a part on another thread; null when no other thread is available. */
export type PartReader = (job: PartJob) => Promise<PartRows> | null;
