/**
 * The bootstrap over a run's respondents (the whole run, or one subgroup's respondents), shared by
 * the run's intervals and the subgroups' (src/core/evaluate/evaluate.ts).
 *
 * Every replicate gives its item weights (the marginal headline's input); the first replicates,
 * as many as each method's agreement array is long, also give the agreement of the replicate's
 * association matrix with the reference's. Replicates are counted in batches of up to 64 (eight
 * vectors of BATCH_LANES; BATCH_LANES when their tables are kept), all of a batch in one pass
 * (multiplicities drawn in the same order as one replicate at a time).
 * Pipelined: the counting threads work up to AHEAD batches ahead of the one this thread compares
 * (and, first, while it does the caller's `whileCounting` work); a set of buffers for each batch in
 * flight, taking turns, so a bootstrap allocates them once. Pearson and Spearman values, and
 * polychoric rho (each pair's fit started at the run's own estimate), are derived from each
 * replicate's tables by the counting threads, and the tables are not kept; Cramer's V needs them,
 * and is computed from the replicate's tables in this thread.
 */
import { BATCH_LANES, MAX_BATCH_LANES } from '../parallel/batch-count';
import type { AssociationChoice } from './config';
import type { SurveyData } from '../read/dataset';
import { bootstrapItemWeights, sharedView, startBootstrapBatch, startBootstrapCorrelations } from '../parallel';
import { associationMatrix, type AssociationMatrix } from '../stats/association';
import { compareUpperTriangles, upperTriangleOf, upperTrianglePearson } from '../stats/group-structure';
import { polychoricMatrix, polychoricUpperFromUpper } from '../stats/polychoric';
import type { Prng } from '../stats/prng';
import { bootstrapMultiplicities } from '../stats/resample';
import type { SufficientStats } from '../count/tables';

export interface RespondentBootstrap {
  /** The respondents resampled, and the item columns compared. */
  data: SurveyData;
  columns: readonly number[];
  /** Unweighted statistics of those columns over all of `data`'s rows. */
  unweighted: SufficientStats;
  replicates: number;
  /** Replicates with pair tables (the work budget); the agreement arrays are at most this long. */
  tableReplicates: number;
  rng: Prng;
  /** The reference's matrix of each method compared. */
  reference: ReadonlyMap<AssociationChoice, AssociationMatrix>;
  /** Output: replicate b's agreement (Pearson of the off-diagonal entries; NaN when undefined), per method. */
  agreement: ReadonlyMap<AssociationChoice, Float64Array>;
  /** The run's own polychoric matrix: where each replicate's fits start. */
  polychoricStart?: AssociationMatrix;
  /**
   * A value per respondent (row of `data`) whose sum under each replicate's multiplicities is passed
   * to `each` (e.g. each respondent's pairs of valid answers, for the share of usable pairs).
   */
  rowValues?: Float64Array;
  /** Replicate b's item weights (in order, b = 0, 1, ...), and sum_r m_r rowValues[r] (0 without `rowValues`). */
  each(b: number, itemWeights: Float64Array[], rowSum: number): void;
  /**
   * Work of the caller's own to do on this thread while the counting threads count the first
   * batches (e.g. comparing the observed matrices): it then costs no wall time of its own.
   */
  whileCounting?: () => void;
  /**
   * A slice of the caller's own work (a few milliseconds), called again and again while the next
   * batch is not counted yet, until it returns false (no work left): the thread's waiting time
   * spent on it. Its results must not depend on when it runs.
   */
  whileWaiting?: () => boolean;
}

/**
 * Batches queued on the counting threads ahead of the one being compared. One: with 64 replicates a
 * batch a set of values is 15.6 MB at 175 items, and two sets in turn kept the time of three or four
 * in the re-evaluation bench, with 0.5-0.55 GB peak instead of 0.55-0.62 GB (when the replicates'
 * tables are kept, 8 x 6 MB a set at WVS size, it is one too).
 */
const AHEAD = 1;

interface Counted {
  itemWeights: Float64Array[];
  stats?: SufficientStats;
}

export async function respondentBootstrap(input: RespondentBootstrap): Promise<void> {
  const { data, columns, unweighted, replicates: B, tableReplicates: tableB, rng, reference, agreement } = input;
  const m = unweighted.items.length;
  const npairs = (m * (m - 1)) / 2;
  const derived = [...agreement.keys()].filter((k): k is 'pearson' | 'spearman' => k === 'pearson' || k === 'spearman');
  const polyB = agreement.get('polychoric')?.length ?? 0;
  // Cramer's V is compared from the replicates' tables, which are then kept.
  const tablesNeeded = derived.length + (agreement.has('polychoric') ? 1 : 0) < agreement.size;
  const refUpper = new Map(derived.map((k) => [k, upperTriangleOf(reference.get(k)!.values)]));
  let refPolyUpper: Float64Array | undefined;
  const polyStart = polyB > 0 && !tablesNeeded ? sharedView(input.polychoricStart ? upperTriangleOf(input.polychoricStart.values) : new Float64Array(npairs).fill(NaN)) : null;
  const lanes = tablesNeeded ? BATCH_LANES : MAX_BATCH_LANES;
  const shared = (length: number) => new Float64Array(new SharedArrayBuffer(8 * length));
  // Each replicate's multiplicity-weighted sum of rowValues, taken when its multiplicities are drawn.
  const rowSums = new Float64Array(B);
  const rowValues = input.rowValues;
  const drawMultiplicities = (first: number, count: number): Float64Array[] =>
    Array.from({ length: count }, (_, q) => {
      const m = bootstrapMultiplicities(data.n, rng, new Float64Array(data.n));
      if (rowValues) {
        let sum = 0;
        for (let r = 0; r < m.length; r++) sum += m[r] * rowValues[r];
        rowSums[first + q] = sum;
      }
      return m;
    });
  const tableSets: Float64Array[][] = [];
  const valueSets: Float64Array[][][] = [];
  const polySets: Float64Array[][] = [];
  const startBatch = (first: number): Promise<Counted[]> => {
    const count = Math.min(lanes, tableB - first);
    const mults = drawMultiplicities(first, count);
    const set = (first / lanes) % (AHEAD + 1);
    valueSets[set] ??= derived.map(() => Array.from({ length: lanes }, () => shared(npairs)));
    let p: Promise<Counted[]>;
    if (!tablesNeeded) {
      const polychoric = polyStart && first < polyB ? { lanes: Math.min(count, polyB - first), values: (polySets[set] ??= Array.from({ length: lanes }, () => shared(npairs))), start: polyStart } : undefined;
      p = startBootstrapCorrelations(unweighted, data, { columns, multiplicities: mults, methods: derived, values: valueSets[set], polychoric }).then((ws) => ws.map((itemWeights) => ({ itemWeights })));
    } else {
      tableSets[set] ??= Array.from({ length: BATCH_LANES }, () => shared(unweighted.pairCounts.length));
      const into = tableSets[set].slice(0, count);
      p = startBootstrapBatch(unweighted, data, { columns, multiplicities: mults, into, derive: derived.length ? { methods: derived, values: valueSets[set] } : undefined }).then((ss) => ss.map((stats) => ({ itemWeights: stats.itemWeights, stats })));
    }
    p.catch(() => {}); // awaited below; an abort in between must not leave it unhandled
    return p;
  };

  // Batches are started in order (their multiplicities drawn in order): the one being compared and
  // at most `AHEAD` more, each with its own set of buffers.
  const queue: Promise<Counted[]>[] = [];
  let nextFirst = 0;
  const fill = () => {
    while (queue.length < AHEAD && nextFirst < tableB) {
      queue.push(startBatch(nextFirst));
      nextFirst += Math.min(lanes, tableB - nextFirst);
    }
  };
  fill();
  input.whileCounting?.();
  let batch: Counted[] = [];
  let batchFirst = 0;
  let marginalBatch: Float64Array[][] = [];
  let marginalFirst = tableB;
  for (let b = 0; b < B; b++) {
    if (b < tableB) {
      if (b === batchFirst + batch.length) {
        const next = queue.shift()!;
        if (input.whileWaiting) {
          let counted = false;
          next.then(
            () => (counted = true),
            () => (counted = true),
          );
          // Each slice, then a turn of the event loop so that the counting threads' messages arrive.
          while (!counted && input.whileWaiting()) await new Promise((resolve) => setImmediate(resolve));
        }
        batch = await next;
        batchFirst = b;
        fill();
      }
      const s = batch[b - batchFirst];
      const set = (batchFirst / lanes) % (AHEAD + 1);
      for (const [method, agree] of agreement) {
        if (b >= agree.length) continue;
        const mi = derived.indexOf(method as 'pearson' | 'spearman');
        let r: number | null;
        if (mi >= 0) r = upperTrianglePearson(refUpper.get(derived[mi])!, valueSets[set][mi][b - batchFirst]);
        else if (method === 'polychoric' && !tablesNeeded) r = upperTrianglePearson((refPolyUpper ??= upperTriangleOf(reference.get(method)!.values)), polychoricUpperFromUpper(polySets[set][b - batchFirst], m));
        else r = compareUpperTriangles(reference.get(method)!.values, tableMatrix(s.stats!, method).values).pearson;
        agree[b] = r ?? NaN;
      }
      input.each(b, s.itemWeights, rowSums[b]);
    } else {
      // Replicates without pair tables: their item weights, MAX_BATCH_LANES replicates a kernel pass.
      if (b === marginalFirst + marginalBatch.length) {
        const mults = drawMultiplicities(b, Math.min(MAX_BATCH_LANES, B - b));
        marginalBatch = bootstrapItemWeights(unweighted, data, { columns, multiplicities: mults });
        marginalFirst = b;
      }
      input.each(b, marginalBatch[b - marginalFirst], rowSums[b]);
    }
  }
}

/** A replicate's matrix from its tables, for the methods not derived on the counting threads. */
function tableMatrix(stats: SufficientStats, method: AssociationChoice): AssociationMatrix {
  return method === 'polychoric' ? (polychoricMatrix(stats) as unknown as AssociationMatrix) : associationMatrix(stats, method);
}
