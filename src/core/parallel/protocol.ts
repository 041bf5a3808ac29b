import type { BatchCountingInput, CorrelationTargets } from './batch-count';
import type { ItemCodebook } from '../read/codebook';
import type { CountingInput } from '../count/counting-input';
import type { GlobalFits, globalFitsAt } from '../stats/polychoric';
import type { PartJob, PartRows } from '../read/part';

/** Main thread -> counting worker: pair tables of one table set. Typed arrays are views of SharedArrayBuffers: no copy. */
export interface CountRequest {
  id: number;
  kind: 'tables';
  input: CountingInput;
  pairOffset: Int32Array;
  pairWeights: Float64Array;
  pairCounts: Float64Array;
  start: number;
  step: number;
}

/** Main thread -> counting worker: pair tables of a batch of bootstrap replicates (`countPairTablesBatch`). */
export interface BatchRequest {
  id: number;
  kind: 'batch';
  input: BatchCountingInput;
  pairOffset: Int32Array;
  outputs: Float64Array[];
  start: number;
  step: number;
  /** Also the replicates' correlations of the same pairs (`associationValues`), into `values[method][lane]`. */
  derive?: BatchDerive;
}

export interface BatchDerive {
  methods: ('pearson' | 'spearman')[];
  values: Float64Array[][];
  items: ItemCodebook[];
  k: Int32Array;
  pairCounts: Float64Array;
}

/** Main thread -> counting worker: a batch's correlations without its tables (`countPairCorrelationsBatch`). */
export interface CorrelationsRequest {
  id: number;
  kind: 'correlations';
  input: BatchCountingInput;
  pairOffset: Int32Array;
  targets: CorrelationTargets;
  start: number;
  step: number;
}

/** Main thread -> counting worker: polychoric fits of a matrix's pairs (`globalFitsAt`). */
export interface PolychoricRequest {
  id: number;
  kind: 'polychoric';
  stats: Parameters<typeof globalFitsAt>[0];
  thresholds: number[][];
  start: Float64Array | null;
  wantSe: boolean;
  out: GlobalFits;
  start0: number;
  step: number;
}

/** Main thread -> counting worker: read a later part of a delimited file (src/core/read/split.ts). */
export interface ReadPartRequest {
  id: number;
  kind: 'read-part';
  job: PartJob;
}

export type WorkerRequest = CountRequest | BatchRequest | CorrelationsRequest | PolychoricRequest | ReadPartRequest;

export type CountReply = { id: number; ok: true; part?: PartRows } | { id: number; ok: false; message: string };
