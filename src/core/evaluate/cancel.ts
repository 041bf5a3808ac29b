/** Cancellation between the evaluation's steps (the extension's Cancel button, a newer request). */
export function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('Evaluation cancelled');
}
