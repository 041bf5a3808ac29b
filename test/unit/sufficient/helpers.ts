import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { Prng } from '../../../src/core/stats/prng';

/** Random answers (10% missing) on items with the given numbers of categories. */
export function randomSurvey(n: number, ks: number[], seed: number, weights: 'none' | 'real' | 'integer'): SurveyData {
  const rng = new Prng(seed);
  return {
    source: 'random',
    n,
    columns: ks.map((k, c) => ({
      item: { id: `Q${c + 1}`, type: 'ordinal', codes: Array.from({ length: k }, (_, i) => i + 1) },
      values: Uint8Array.from({ length: n }, () => (rng.nextFloat() < 0.1 ? MISSING : rng.nextInt(k))),
      invalid: 0,
      missing: 0,
    })),
    weights: weights === 'none' ? null : Float64Array.from({ length: n }, () => (weights === 'real' ? 0.2 + rng.nextFloat() * 3 : rng.nextInt(4))),
    attributes: new Map(),
  };
}

/** Bootstrap-style multiplicities: n draws with replacement (about a third of the rows get 0). */
export function multiplicities(n: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  const m = new Float64Array(n);
  for (let d = 0; d < n; d++) m[rng.nextInt(n)] += 1;
  return m;
}

