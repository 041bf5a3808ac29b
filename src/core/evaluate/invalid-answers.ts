/**
 * What a run's answers that are not valid do to its scores, and what they tell its author: the
 * share of usable answer pairs behind the structure headline, hints naming fixes (answers that look
 * like labels, refusals, answers off the scale, empty answers), and the check that a run is not the
 * reference itself.
 */
import type { SufficientStats } from '../count/tables';
import type { ItemCodebook } from '../read/codebook';
import { MISSING, type SurveyData } from '../read/dataset';
import type { InputDiagnostic } from '../report/diagnostics';
import { sum } from './marginal-summary';

/**
 * Per respondent (row of `data`): the number of pairs of the `columns` it answers validly, c (c - 1) / 2
 * with c its valid answers. Summed over respondents (under bootstrap multiplicities, over a
 * replicate's), this is the sum over item pairs of the pair's complete count, so
 * `usableShareOf(sum, n, columns.length)` is the mean over pairs of the share of respondents with both
 * answers valid, in O(rows) instead of O(rows x pairs).
 */
export function usablePairValues(data: SurveyData, columns: readonly number[]): Float64Array {
  const valid = new Uint16Array(data.n);
  for (const c of columns) {
    const v = data.columns[c].values;
    for (let r = 0; r < data.n; r++) if (v[r] !== MISSING) valid[r]++;
  }
  const out = new Float64Array(data.n);
  for (let r = 0; r < data.n; r++) out[r] = (valid[r] * (valid[r] - 1)) / 2;
  return out;
}

/**
 * The reference's side: per item, its (weighted) share of respondents without a valid answer, and
 * the mean over pairs of its (weighted) share with both answers valid. What a run may leave
 * unanswered without it counting: humans' own "don't know", "no answer" and "not asked".
 */
export function referenceAnswerShares(data: SurveyData, columns: readonly number[]): { notValid: number[]; usable: number | null } {
  const w = data.weights;
  const n = data.n;
  let total = 0;
  for (let r = 0; r < n; r++) total += w ? w[r] : 1;
  // One pass per column: each row's valid answers counted, the column's valid weight summed.
  const valid = new Uint16Array(n);
  const notValid = columns.map((c) => {
    const v = data.columns[c].values;
    let validWeight = 0;
    if (w) {
      for (let r = 0; r < n; r++) {
        if (v[r] !== MISSING) {
          valid[r]++;
          validWeight += w[r];
        }
      }
    } else {
      for (let r = 0; r < n; r++) {
        if (v[r] !== MISSING) {
          valid[r]++;
          validWeight++;
        }
      }
    }
    return total > 0 ? Math.max(0, Math.min(1, 1 - validWeight / total)) : 1;
  });
  let pairs = 0;
  for (let r = 0; r < n; r++) pairs += (w ? w[r] : 1) * ((valid[r] * (valid[r] - 1)) / 2);
  return { notValid, usable: usableShareOf(pairs, total, columns.length) };
}

/**
 * The factor structure agreement is multiplied by: 1 - e, with e the run's share of unusable answer
 * pairs beyond the reference's own, max(0, referenceUsable - usable): those pairs count as no
 * structure (0). 1 when either share is undefined.
 */
export function usableFactor(usable: number | null, referenceUsable: number | null): number {
  if (usable === null || !Number.isFinite(usable)) return 1;
  return 1 - Math.max(0, (referenceUsable ?? 1) - usable);
}

/** Mean over the m (m - 1) / 2 item pairs of (respondents with both answers valid) / n, from `usablePairValues`' sum; null without pairs or respondents. */
export function usableShareOf(pairSum: number, n: number, m: number): number | null {
  const pairs = (m * (m - 1)) / 2;
  if (!(pairs > 0) || !(n > 0)) return null;
  const u = pairSum / (pairs * n);
  return u < 0 ? 0 : u > 1 ? 1 : u;
}

/**
 * A run without respondents (distribution level): the mean over item pairs of (1 - s_i)(1 - s_j),
 * s_i the item's share without a valid answer (its answers taken as independent across items: there
 * is no respondent to pair them).
 */
export function usableShareOfItems(notValid: readonly (number | null)[]): number | null {
  const v = notValid.map((s) => 1 - (s ?? 1));
  const m = v.length;
  if (m < 2) return null;
  // sum_{i<j} v_i v_j = ((sum v)^2 - sum v^2) / 2
  let s1 = 0;
  let s2 = 0;
  for (const x of v) {
    s1 += x;
    s2 += x * x;
  }
  return (s1 * s1 - s2) / 2 / ((m * (m - 1)) / 2);
}

/**
 * Whether the run's answer distribution equals the reference's on every item both answer (the same
 * data on both sides): shares equal within 1e-12 (against the reference's weighted shares) or counts
 * equal (against its unweighted counts). Such a comparison scores 1 on everything and says nothing.
 */
export function sameAsReference(ref: SufficientStats, run: readonly Float64Array[]): boolean {
  let compared = 0;
  for (let i = 0; i < ref.items.length; i++) {
    const rw = ref.itemWeights[i];
    const rc = ref.itemCounts[i];
    const q = run[i];
    const rt = sum(rw);
    const qt = sum(q);
    if (!(rt > 0) && !(qt > 0)) continue;
    if (!(rt > 0) || !(qt > 0)) return false;
    let sameCounts = true;
    let sameShares = true;
    for (let c = 0; c < q.length; c++) {
      if (q[c] !== rc[c]) sameCounts = false;
      if (Math.abs(q[c] / qt - rw[c] / rt) > 1e-12) sameShares = false;
    }
    if (!sameCounts && !sameShares) return false;
    compared++;
  }
  return compared > 0;
}

/** An invalid answer the reader reported: the value as written, the item, and how often. */
interface InvalidAnswer {
  value: string | number;
  item: string;
  count: number;
}

/**
 * The invalid answers named in the reader's `data.invalid-answer` diagnostics ("Answer "x" of Q1
 * matches no option (...); counted as invalid (31 answers).": the five most frequent distinct
 * values per item, src/core/read/resolve.ts). A message in another form is skipped.
 */
export function invalidAnswersOf(diagnostics: readonly InputDiagnostic[]): InvalidAnswer[] {
  const out: InvalidAnswer[] = [];
  for (const d of diagnostics) {
    if (d.code !== 'data.invalid-answer') continue;
    const m = /^Answer ("(?:[^"\\]|\\.)*"|[^ ]+)(?:\.\.\. \(\d+ characters\))? of (.+?) matches no option .*counted as invalid \((\d+) answers?\)\.$/s.exec(d.message);
    if (!m) continue;
    let value: string | number;
    try {
      value = m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : Number(m[1]);
    } catch {
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out.push({ value, item: d.item ?? m[2], count: Number(m[3]) });
  }
  return out;
}

/** Text a language model writes when it does not answer. */
const REFUSAL = /\b(as an ai|an ai (language )?model|language model|i (cannot|can't|can not|am unable to|won't|do not|don't) (answer|provide|have|give|express|share|choose|take|hold|form)|i'?m (sorry|unable|not able)|i am (sorry|not able)|no personal (opinion|view|belief)s?|not (able|appropriate) (to|for me to) (answer|say|choose)|prefer not to (answer|say)|decline to)\b/i;

/** Numbers written as text, as the reader would take them. */
const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

export interface HintInput {
  /** The run's reading diagnostics (its own file's). */
  diagnostics: readonly InputDiagnostic[];
  items: readonly ItemCodebook[];
  /** All of the run's answers (respondents x items, or answer mass), and how many are not valid. */
  answers: number;
  notValid: number;
  /** Answers that were empty or a declared missing code (respondent-level runs; 0 otherwise). */
  missing: number;
  /** The reference's share without a valid answer (mean over items): what humans leave unanswered. */
  referenceShare: number;
}

/**
 * What to fix, in words, most important first: answers that look like option labels (text that is
 * not a number, not a refusal, and recurs), refusals, numbers off the scale, empty answers or
 * missing codes. Each hint says what was seen and what to do.
 */
export function invalidAnswerHints(input: HintInput): string[] {
  const found = invalidAnswersOf(input.diagnostics);
  const hints: string[] = [];
  const pct = (x: number) => `${((100 * x) / Math.max(1, input.answers)).toFixed(1)}%`;
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v));
  const listItems = (ids: Set<string>) => {
    const all = [...ids];
    return all.length > 5 ? `${all.slice(0, 5).join(', ')} and ${all.length - 5} more` : all.join(', ');
  };

  const refusals = found.filter((a) => typeof a.value === 'string' && REFUSAL.test(a.value));
  const numbers = found.filter((a) => typeof a.value === 'number' || NUMERIC.test(a.value));
  const texts = found.filter((a) => !refusals.includes(a) && !numbers.includes(a));
  // A label recurs: written more than once, or the same text on several items.
  const itemsOfText = new Map<string, Set<string>>();
  for (const a of texts) {
    const key = String(a.value).trim().toLowerCase();
    if (!itemsOfText.has(key)) itemsOfText.set(key, new Set());
    itemsOfText.get(key)!.add(a.item);
  }
  const labels = texts.filter((a) => a.count > 1 || itemsOfText.get(String(a.value).trim().toLowerCase())!.size > 1);
  if (labels.length) {
    const n = labels.reduce((s, a) => s + a.count, 0);
    const examples = [...new Set(labels.sort((a, b) => b.count - a.count).map((a) => quote(a.value)))].slice(0, 3).join(', ');
    const items = new Set(labels.map((a) => a.item));
    const labelled = input.items.some((it) => items.has(it.id) && it.labels && Object.keys(it.labels).length);
    hints.push(
      `Answers look like labels (${examples}) on ${items.size} item${items.size === 1 ? '' : 's'} (${listItems(items)}; at least ${n} answers, ${pct(n)}): ` +
        (labelled
          ? 'they match none of the codebook\'s labels: make the prompt give the options\' labels exactly as the codebook has them, or map the labels to codes.'
          : 'add a codebook with labels (`labels` per item) or map the labels to codes, and evaluate again; until then they count as invalid answers.'),
    );
  }
  if (refusals.length) {
    const n = refusals.reduce((s, a) => s + a.count, 0);
    const examples = [...new Set(refusals.sort((a, b) => b.count - a.count).map((a) => quote(a.value)))].slice(0, 2).join(', ');
    const items = new Set(refusals.map((a) => a.item));
    hints.push(`Refusals (${examples}) on ${items.size} item${items.size === 1 ? '' : 's'}: at least ${n} answers (${pct(n)}; the reference leaves ${(100 * input.referenceShare).toFixed(1)}% unanswered, and answers without a valid code beyond that count at the maximal distance). Make the prompt ask for one of the options (and offer "don't know" where the survey does), then re-run.`);
  }
  if (numbers.length) {
    const n = numbers.reduce((s, a) => s + a.count, 0);
    const a = numbers.sort((x, y) => y.count - x.count)[0];
    const items = new Set(numbers.map((x) => x.item));
    hints.push(`Answers off the scale (${quote(a.value)} on ${a.item}${items.size > 1 ? ` and others on ${items.size - 1} more item${items.size === 2 ? '' : 's'}` : ''}; at least ${n} answers): check that the prompt offers the codebook's codes, or recode them in the codebook.`);
  }
  const missingShare = input.missing / Math.max(1, input.answers);
  if (input.missing > 0 && missingShare - input.referenceShare >= 0.05) {
    hints.push(`${pct(input.missing)} of the answers are empty or a missing code, against ${(100 * input.referenceShare).toFixed(1)}% in the reference: the excess counts against the run like invalid answers. Check the parsing of the model's output; if the survey offers "don't know", set "dontKnow": "category" to compare it as an answer.`);
  }
  if (input.notValid / Math.max(1, input.answers) > 0.5) {
    hints.unshift(`More than half of the answers (${pct(input.notValid)}) are not valid: the scores mostly measure the missing answers. Fix the answers first.`);
  }
  return hints;
}
