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
