/** What a reader is asked for (`ReadOptions`) and what it returns (`ReadResult`). */
import type { ItemCodebook } from './codebook';
import type { DistributionData, SurveyData } from './dataset';
import type { InputDiagnostic } from '../report/diagnostics';
import type { FileItemHints } from './file-codebook';
import type { PartReader } from './part';

export type Layout = 'wide' | 'long' | 'distribution';
export type Format = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'spss' | 'stata';

export interface ReadOptions {
  /** When given, only these items are read (unless `items` says otherwise). */
  codebook?: ItemCodebook[];
  /** Item columns to read; default: the codebook's items, else every column that looks like an item. */
  items?: string[];
  /** Weight column; null for none (overrides a preset's weight). */
  weight?: string | null;
  /** Group / demographic / persona columns kept as strings. */
  attributes?: string[];
  /**
   * Columns kept as strings when the file has them, without a diagnostic when it does not (the
   * cultural map's indicator columns: their absence is reported by the map, per indicator).
   */
  optionalAttributes?: string[];
  preset?: 'wvs7';
  /** WVS -1: missing (default) or a category of its own. */
  dontKnow?: 'missing' | 'category';
  /** Raw codes that mean missing when the codebook is inferred, besides the negative-code rule. */
  missingCodes?: number[];
  format?: Format;
  layout?: Layout;
  /** Column names for the long layout. */
  long?: { respondent: string; item: string; answer: string };
  /**
   * Column names for the distribution layout (one row per item x option (x group) with a share or
   * a count); naming them selects that layout unless `layout` says otherwise.
   */
  distribution?: DistributionColumns;
  signal?: AbortSignal;
  /** Bytes read per chunk (default 4 MiB); tests use tiny chunks to exercise records split across reads. */
  chunkBytes?: number;
  /**
   * Bytes the read may materialise (columns as typed arrays, group columns as strings); a file
   * needing more is refused with `file.too-large`. Default: the smaller of the V8 heap limit and
   * half the machine's memory (src/core/read/memory.ts).
   */
  maxMemoryBytes?: number;
  /** Longest record (CSV row, JSON line or array element) buffered; longer ones are reported and skipped. Default 64 MiB. */
  maxRecordBytes?: number;
  onProgress?: (fraction: number) => void;
  /**
   * Reads the second half of a large CSV / TSV file on another thread (src/core/read/split.ts; the
   * evaluation passes the counting threads' `readPartOnWorker`); the result is the same as read on
   * one thread. Files under `splitMinBytes` (default 16 MiB) are read on one thread.
   */
  partReader?: PartReader;
  splitMinBytes?: number;
  /**
   * Set by readSurvey for SPSS and Stata files, not by callers: the file's dictionary by variable,
   * used when inferring an item's codebook (src/core/read/file-codebook.ts).
   */
  fileItems?: FileItemHints;
  /**
   * Set by readSurvey for Stata files, not by callers: the variables whose dictionary labels Stata
   * extended missing values `.a`-`.z` (those found in the data are added while reading).
   */
  extendedMissing?: string[];
}

export interface HeaderLocation {
  line: number;
  column: number;
  endColumn: number;
}

export interface ReadResult {
  kind: 'respondents' | 'distribution';
  data?: SurveyData;
  distribution?: DistributionData;
  codebook: ItemCodebook[];
  /** True when some item's codebook was inferred from the data rather than given. */
  inferred: boolean;
  diagnostics: InputDiagnostic[];
  /** Where each item's column header is: for editor diagnostics on the header cell. */
  itemLocations: Record<string, HeaderLocation>;
  layout: Layout;
  format: string;
  /** Distribution layout: whether the values are shares (probabilities) or counts. */
  distributionValues?: DistributionValues;
  /** SPSS: the weight variable the file declares (WEIGHT BY), when it was used because the options named none. */
  fileWeight?: string;
}

/** Names of the distribution layout's columns in a file. */
export interface DistributionColumns {
  item: string;
  option: string;
  /** Share, probability or count of the option. */
  value: string;
  /** Group / country / persona the distribution belongs to; rows without one are the whole population (''). */
  group?: string;
}

/** Whether the values are shares (probabilities, percentages) or counts. */
export type DistributionValues = 'shares' | 'counts';
