/**
 * World Values Survey wave 7 (WVS_Cross-National_Wave_7_csv_v6_0.csv) as downloaded: which
 * columns are items, their topics, the weight and the grouping columns, and the conventions a
 * user would otherwise have to type into a codebook.
 *
 * Source of the conventions: WVS wave 7 master questionnaire and codebook (Haerpfer et al. 2022,
 * "World Values Survey: Round Seven - Country-Pooled Datafile Version 6.0", JD Systems Institute &
 * WVSA Secretariat): negative codes are missing (-1 don't know, -2 no answer, -3 not applicable,
 * -4 not asked in the survey, -5 missing / not available); `W_WEIGHT` is the survey weight;
 * `B_COUNTRY_ALPHA` the ISO 3166 alpha-3 country. Topic ranges follow the questionnaire's sections.
 */
import type { InferencePolicy } from '../resolve';

export interface SurveyPreset {
  name: string;
  /** Weight column. */
  weight: string;
  /** Columns kept as strings for subgroups (country, sex, age, left-right). */
  attributes: string[];
  /** Whether a column is a substantive item (not an id, weight or administrative variable). */
  isItem(column: string): boolean;
  inference(dontKnow: 'missing' | 'category'): InferencePolicy;
}

/** Questionnaire sections by question number (inclusive ranges). */
export const WVS7_TOPICS: ReadonlyArray<{ topic: string; from: number; to: number }> = [
  { topic: 'Social values', from: 1, to: 45 },
  { topic: 'Happiness and well-being', from: 46, to: 56 },
  { topic: 'Social capital and trust', from: 57, to: 105 },
  { topic: 'Economic values', from: 106, to: 111 },
  { topic: 'Corruption', from: 112, to: 120 },
  { topic: 'Migration', from: 121, to: 130 },
  { topic: 'Security', from: 131, to: 151 },
  { topic: 'Science and technology', from: 158, to: 163 },
  { topic: 'Religious values', from: 164, to: 175 },
  { topic: 'Ethical values and norms', from: 176, to: 198 },
  { topic: 'Political interest and participation', from: 199, to: 234 },
  { topic: 'Political culture and regimes', from: 235, to: 259 },
];

/** `Q46`, `Q82_AFRICANUNION`: the question number of a WVS item column, or null. */
export function wvs7QuestionNumber(column: string): number | null {
  const m = /^Q(\d+)(?:[A-Z]|_[A-Z0-9_]+)?$/.exec(column);
  return m ? Number(m[1]) : null;
}

export function wvs7Topic(column: string): string | undefined {
  const q = wvs7QuestionNumber(column);
  if (q === null) return undefined;
  return WVS7_TOPICS.find((t) => q >= t.from && q <= t.to)?.topic;
}

/**
 * Items whose codes must be recoded to run monotonically, each with the wording of its answers in
 * the WVS-7 master questionnaire (2017-2021) as public copies of it reproduce it (the official
 * codebook itself could not be consulted here):
 *
 * - Q56 "Comparing your standard of living with your parents' standard of living when they were
 *   about your age, would you say that you are better off, worse off, or about the same?":
 *   1 "Better off", 2 "Worse off", 3 "About the same", in the order the question reads them. Codes 2
 *   and 3 are swapped so the scale runs better off, about the same, worse off.
 *
 * Suspect, not recoded because the coding could not be verified (write a codebook entry with
 * `recode` or `missing` after checking the codebook of your data file):
 * - Q119 "On the whole, women are less corrupt than men": 1 "Strongly agree" .. 4 "Strongly
 *   disagree", and a "Hard to say" answer that one reproduction codes 0. A 0 would be inferred as a
 *   valid code below "Strongly agree". A recode cannot make it missing (recoded codes are valid), and
 *   placing it in the middle means shifting 3 and 4, which would leave a gap if the data have no 0.
 * - Q111 (environment vs economic growth: reproductions report an "other answer" code), Q221-Q222
 *   (voting in elections: a "not allowed to vote" code after "never"), Q254 (national pride:
 *   reproductions drop a code 5 after "not at all proud").
 *
 * Read in that wording and left alone, their answers listed in scale order (codes not checked
 * against the codebook either): Q1-Q6, Q27-Q55, Q57-Q89, Q94-Q105, Q106-Q110, Q112-Q118, Q120,
 * Q121, Q131-Q151. Not read: the other items (Q90-Q93, Q122-Q130, Q158 onwards).
 */
export const WVS7_RECODES: Readonly<Record<string, Record<string, number>>> = {
  Q56: { '2': 3, '3': 2 },
};

export const WVS7: SurveyPreset = {
  name: 'wvs7',
  weight: 'W_WEIGHT',
  attributes: ['B_COUNTRY_ALPHA', 'Q260', 'Q262', 'Q240'],
  isItem: (column) => wvs7Topic(column) !== undefined,
  inference: (dontKnow) => ({
    negativeMissing: true,
    dontKnowCategory: dontKnow === 'category',
    // The longest WVS wave 7 attitude scales have 10 points; party and country codes have more.
    maxCodes: 12,
    topicOf: wvs7Topic,
    recodeOf: (id) => WVS7_RECODES[id],
  }),
};

export const PRESETS: Readonly<Record<string, SurveyPreset>> = { wvs7: WVS7 };
