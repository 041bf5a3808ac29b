/**
 * Verdicts: a headline read against its floor (no information) and its ceiling (another human
 * sample), in words a reader cannot mistake. One pure function for every headline (marginal
 * representativeness, structure agreement per method, group-level agreement).
 *
 * Floors and ceilings are population values (`Baseline.population`), like the headline, which
 * estimates the run population's value: comparing a bias-corrected headline with a floor measured
 * on a finite sample (biased the same way a run's sample is) would compare two different things.
 */
import type { ReferencePointName, ValueWithCi, Verdict } from '../report/model';

export interface ReferencePoint {
  baseline: ReferencePointName;
  value: number | null;
}

/** What a floor or ceiling is, in words ("below random answering"). */
const WORDS: Record<ReferencePointName, string> = {
  'uniform-random': 'random answering',
  'independent-marginals': 'no structure (items answered independently)',
  'permutation-null': 'no correspondence (items permuted)',
  'group-permutation-null': 'no correspondence (groups permuted)',
  'human-split-half': 'another human sample',
};

/**
 * The verdict of a headline against `floor` and `ceiling`, from its interval (or, without one, its
 * value alone, said in the text):
 * - `undefined`: no value, no floor or ceiling, a ceiling not above the floor, or an interval that
 *   reaches both (too uncertain to tell);
 * - `below-floor`: the interval lies entirely below the floor ("below random answering");
 * - `at-floor`: the interval contains the floor ("no better than random answering");
 * - `at-ceiling`: the interval reaches the ceiling ("at the human ceiling");
 * - `between`: above the floor and below the ceiling ("between random answering and another human sample").
 */
export function verdictOf(headline: Pick<ValueWithCi, 'value' | 'ci'>, floor: ReferencePoint | null, ceiling: ReferencePoint | null): Verdict {
  const f = floor && floor.value !== null && Number.isFinite(floor.value) ? { baseline: floor.baseline, value: floor.value } : null;
  const c = ceiling && ceiling.value !== null && Number.isFinite(ceiling.value) ? { baseline: ceiling.baseline, value: ceiling.value } : null;
  const undefinedVerdict = (text: string): Verdict => ({ code: 'undefined', text, floor: f, ceiling: c });
  const v = headline.value;
  if (v === null || !Number.isFinite(v)) return undefinedVerdict('no estimate');
  if (!f || !c) return undefinedVerdict(`no ${!f ? 'floor' : 'ceiling'} to compare with`);
  if (!(c.value > f.value)) return undefinedVerdict('the ceiling is not above the floor: nothing to compare with');
  const low = headline.ci?.low ?? v;
  const high = headline.ci?.high ?? v;
  const alone = headline.ci ? '' : ' (estimate alone: no interval)';
  const floorWords = WORDS[f.baseline];
  if (low <= f.value && high >= c.value) return undefinedVerdict(`too uncertain to tell: the interval reaches both ${floorWords} and ${WORDS[c.baseline]}`);
  if (high < f.value) return { code: 'below-floor', text: `below ${floorWords}${alone}`, floor: f, ceiling: c };
  if (low <= f.value) return { code: 'at-floor', text: `no better than ${floorWords}${alone}`, floor: f, ceiling: c };
  if (high >= c.value) return { code: 'at-ceiling', text: `at the human ceiling${alone}`, floor: f, ceiling: c };
  return { code: 'between', text: `between ${floorWords} and ${WORDS[c.baseline]}${alone}`, floor: f, ceiling: c };
}

/**
 * The verdict of the cultural map's mean distance between each group's human and model positions,
 * read as `verdictOf` reads a headline but with lower = better: the floor is the independent-
 * marginals run's mean distance (every group on the pooled human point), the ceiling the human
 * split-half's. All three are sample values, and the interval the replicates' percentiles. A pooled
 * run (one point) has no verdict: its floor is 0 by construction.
 */
export function mapDistanceVerdict(distance: Pick<ValueWithCi, 'value' | 'ci'>, floorValue: number | null, ceilingValue: number | null, pooled: boolean): Verdict {
  const floor = floorValue !== null && Number.isFinite(floorValue) ? { baseline: 'independent-marginals' as const, value: floorValue } : null;
  const ceiling = ceilingValue !== null && Number.isFinite(ceilingValue) ? { baseline: 'human-split-half' as const, value: ceilingValue } : null;
  const undef = (text: string): Verdict => ({ code: 'undefined', text, floor, ceiling });
  const v = distance.value;
  if (v === null || !Number.isFinite(v)) return undef('no estimate');
  if (pooled) return undef('the run is one point: its floor (the pooled human answers) is the pooled human point itself, so there is nothing to compare with');
  if (!floor || !ceiling) return undef(`no ${!floor ? 'floor' : 'ceiling'} to compare with`);
  if (!(ceiling.value < floor.value)) return undef('the human split-half is not closer than the floor: nothing to compare with');
  const low = distance.ci?.low ?? v;
  const high = distance.ci?.high ?? v;
  const alone = distance.ci ? '' : ' (estimate alone: no interval)';
  if (low <= ceiling.value && high >= floor.value) return undef('too uncertain to tell: the interval of the mean distance reaches both the floor (no differences between groups) and another human sample');
  if (low > floor.value) return { code: 'below-floor', text: `further from the human groups than no differences between groups at all${alone}`, floor, ceiling };
  if (high >= floor.value) return { code: 'at-floor', text: `no closer to the human groups than no differences between groups${alone}`, floor, ceiling };
  if (low <= ceiling.value) return { code: 'at-ceiling', text: `as close to the human groups as another human sample${alone}`, floor, ceiling };
  return { code: 'between', text: `closer than no differences between groups, further than another human sample${alone}`, floor, ceiling };
}
