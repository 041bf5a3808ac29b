import type { CountingInput } from '../sufficient';

/** Main thread -> counting worker. Typed arrays are views of SharedArrayBuffers: no copy. */
export interface CountRequest {
  id: number;
  input: CountingInput;
  pairOffset: Int32Array;
  pairWeights: Float64Array;
  pairCounts: Float64Array;
  start: number;
  step: number;
}

export type CountReply = { id: number; ok: true } | { id: number; ok: false; message: string };
