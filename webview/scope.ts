/**
 * What the panel draws for one run in one scope: all respondents, or one named subgroup of the
 * config's "groups" (the report's `runs[].groups[]`). Pure data, no DOM: the scorecards, the
 * marginal bar charts, the heatmaps and their data tables all read the same view, so switching
 * the group selector switches every one of them, and every number shown is a number of the
 * report (the only derived value is the difference matrix, model minus human, as the report
 * defines it).
 */
import type { IndividualStructure, Interval, MarginalItem, RunReport, SubgroupScores, ValueWithCi, WeakPair } from '../src/core/report/model';

/** The group selector's value for the whole sample. */
export const ALL_RESPONDENTS = '';

/** A pair as the panel lists it: the report's pair fields (q is null for subgroups) and the pair's n on each side. */
export type PairView = Pick<WeakPair, 'i' | 'j' | 'reference' | 'run' | 'difference' | 'q'> & {
  referenceN: number | null;
  runN: number | null;
};

export interface StructureView {
  method: string;
  items: string[];
  /** Item order that shows blocks (the whole run's clustering, restricted to these items). */
  order: number[];
  reference: (number | null)[][];
  run: (number | null)[][];
  difference: (number | null)[][];
  referenceN: number[][] | null;
  runN: number[][] | null;
  pairs: PairView[];
  agreement: ValueWithCi;
  rmse: number | null;
  /** The whole run's structure with every comparison statistic; null for a subgroup. */
  full: IndividualStructure | null;
}

export interface ScopeView {
  /** null: all respondents. */
  group: SubgroupScores | null;
  items: MarginalItem[];
  representativeness: ValueWithCi;
  meanW1Normalized: ValueWithCi;
  meanTvd: ValueWithCi;
  meanJsDistance: ValueWithCi;
  runRespondents: number;
  referenceRespondents: number | null;
  methods: string[];
  structure(method: string): StructureView | null;
}

/** Every subgroup name of the report, in config order (a group too small for a run is missing there). */
export function groupNames(runs: RunReport[]): string[] {
  const names: string[] = [];
  for (const r of runs) for (const g of r.groups) if (!names.includes(g.name)) names.push(g.name);
  return names;
}

/** The view of `run` for `group`; null when that subgroup was not scored for this run. */
export function scopeOf(run: RunReport, group: string): ScopeView | null {
  if (group === ALL_RESPONDENTS) return wholeRun(run);
  const g = run.groups.find((x) => x.name === group);
  return g ? subgroup(run, g) : null;
}

function wholeRun(run: RunReport): ScopeView {
  const s = run.marginal.summary;
  return {
    group: null,
    items: run.marginal.items,
    representativeness: s.representativeness,
    meanW1Normalized: s.meanW1Normalized,
    meanTvd: s.meanTvd,
    meanJsDistance: s.meanJsDistance,
    runRespondents: run.respondents,
    referenceRespondents: null,
    methods: Object.keys(run.structure.individual),
    structure: (method) => {
      const s = run.structure.individual[method];
      if (!s) return null;
      return {
        method,
        items: s.items,
        order: s.order.length === s.items.length ? s.order : s.items.map((_, i) => i),
        reference: s.reference,
        run: s.run,
        difference: s.difference,
        referenceN: s.referenceN,
        runN: s.runN,
        pairs: s.pairs.map((p) => ({ i: p.i, j: p.j, reference: p.reference, run: p.run, difference: p.difference, q: p.q, referenceN: p.referenceN, runN: p.runN })),
        agreement: s.agreement,
        rmse: s.comparison.rmse,
        full: s,
      };
    },
  };
}

const noCi = (value: number | null, ci: Interval | null = null): ValueWithCi => ({ value, ci });

function subgroup(run: RunReport, g: SubgroupScores): ScopeView {
  const whole = new Map(run.marginal.items.map((it) => [it.item, it]));
  const items: MarginalItem[] = [];
  for (const gi of g.items) {
    const base = whole.get(gi.item);
    if (!base) continue;
    // The subgroup's own numbers; the measures the report does not give per subgroup are null
    // (never the whole run's, which would be wrong for the group).
    items.push({
      ...base,
      n: gi.n,
      referenceN: gi.referenceN,
      referenceDistribution: gi.referenceDistribution,
      runDistribution: gi.runDistribution,
      w1Normalized: gi.w1Normalized,
      tvd: gi.tvd,
      jsDistance: null,
      jsDivergence: null,
      kl: null,
      meanDiff: null,
      varianceRatio: null,
      referenceModalShare: null,
      runModalShare: null,
      invalid: null,
      invalidCount: 0,
      // Not given per subgroup: the item is sorted by its distance alone (no valid answer: 1).
      notValidShare: null,
      referenceNotValidShare: null,
      weak: false,
      reasons: [],
    });
  }
  const itemIds = g.items.map((x) => x.item);
  return {
    group: g,
    items,
    // The subgroup's headline, as the whole run's: invalid answers counted, bias-corrected, basic interval.
    representativeness: g.headline.representativeness,
    meanW1Normalized: noCi(g.marginal.meanW1Normalized, g.intervals.meanW1Normalized),
    meanTvd: noCi(g.marginal.meanTvd, g.intervals.meanTvd),
    meanJsDistance: noCi(g.marginal.meanJsDistance),
    runRespondents: g.runRespondents,
    referenceRespondents: g.referenceRespondents,
    methods: Object.keys(g.matrices),
    structure: (method) => {
      const m = g.matrices[method];
      if (!m) return null;
      const k = itemIds.length;
      const difference = m.run.map((row, a) => row.map((v, b) => (v === null || m.reference[a][b] === null ? null : v - (m.reference[a][b] as number))));
      const pairs: PairView[] = [];
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          pairs.push({ i: itemIds[a], j: itemIds[b], reference: m.reference[a][b], run: m.run[a][b], difference: difference[a][b], q: null, referenceN: null, runN: null });
        }
      }
      return {
        method,
        items: itemIds,
        order: clusteredOrder(run.structure.individual[method], itemIds),
        reference: m.reference,
        run: m.run,
        difference,
        referenceN: null,
        runN: null,
        pairs,
        agreement: g.headline.structure[method] ?? noCi(g.structure[method]?.pearson ?? null),
        rmse: g.structure[method]?.rmse ?? null,
        full: null,
      };
    },
  };
}

/** The whole run's block order, restricted to `items`; items it does not cover go last. */
function clusteredOrder(full: IndividualStructure | undefined, items: string[]): number[] {
  const out: number[] = [];
  if (full && full.order.length === full.items.length) {
    for (const k of full.order) {
      const at = items.indexOf(full.items[k]);
      if (at >= 0 && !out.includes(at)) out.push(at);
    }
  }
  for (let i = 0; i < items.length; i++) if (!out.includes(i)) out.push(i);
  return out;
}

/**
 * An item's distance as the headline counts it (README, "Invalid answers count against the run"):
 * (1 - s) x d + s, with d the normalised W1 (TVD for nominal items) and s the run's share without a
 * valid answer beyond the humans' own; an item without any valid answer counts at 1. "Worst first"
 * sorts by it, so an unusable item comes first, not last.
 */
export function countedDistance(it: Pick<MarginalItem, 'n' | 'w1Normalized' | 'tvd' | 'notValidShare' | 'referenceNotValidShare'>): number {
  if (it.n === 0) return 1;
  const d = it.w1Normalized ?? it.tvd;
  if (d === null) return 1;
  const s = Math.max(0, (it.notValidShare ?? 0) - (it.referenceNotValidShare ?? 0));
  return (1 - s) * d + s;
}
