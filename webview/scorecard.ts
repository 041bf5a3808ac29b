/**
 * The scorecards' headlines: each score with its interval, drawn on a track between its floor (no
 * information) and its ceiling (another human sample), its verdict in words, and how much of the
 * run's answers it could use. The floors and ceilings drawn are the ones the verdict compares with
 * (population values, `Verdict.floor` / `Verdict.ceiling`), so what the eye reads off the track and
 * what the words say cannot disagree.
 */
import type { ReferencePointName, RunReport, ValueWithCi, Verdict } from '../src/core/report/model';
import { h } from './dom';
import { fmt, percentText } from './format';
import { mapAgreementTrack } from './latent-model';
import type { ScopeView } from './scope';
import { trackDomain, trackPercent, type TrackDomain } from './track';

export interface Headline {
  /** Which measure (cards showing the same key share one track stretch). */
  key: string;
  label: string;
  value: ValueWithCi;
  /** The measure's whole range: [0, 1] for representativeness, [-1, 1] for agreements. */
  range: readonly [number, number];
  /** What the number is, for the label's tooltip. */
  explain: string;
  /** How much of the run's answers the score could use, beside the number. */
  usable?: string | null;
  /** The paper's number (valid answers only, not bias-corrected, percentile interval), when it differs. */
  paper?: ValueWithCi | null;
  /** Why there is no verdict (a subgroup), instead of the verdict. */
  noVerdict?: string;
}

/** A reference point in a few words, for the marks' tooltips and the screen reader. */
const POINT_WORDS: Record<ReferencePointName, string> = {
  'uniform-random': 'random answering',
  'independent-marginals': 'items answered independently',
  'permutation-null': 'items permuted',
  'group-permutation-null': 'groups permuted',
  'human-split-half': 'another human sample',
};


/** The whole run's headlines, in the order the card shows them. */
export function runHeadlines(run: RunReport): Headline[] {
  const out: Headline[] = [];
  const m = run.marginal.summary;
  out.push({
    key: 'marginal',
    label: 'Marginal representativeness',
    value: m.representativeness,
    range: [0, 1],
    explain: 'OpinionQA representativeness: 1 - mean over items of the Wasserstein-1 distance divided by the scale range; answers without a valid code beyond the humans\' own share count at the maximal distance.',
    usable:
      m.invalidShare === null
        ? null
        : `Answers without a valid code: ${percentText(m.invalidShare)} (humans ${percentText(m.referenceInvalidShare)})${(m.invalidShare ?? 0) > (m.referenceInvalidShare ?? 0) ? '; the excess counts at the maximal distance' : ''}`,
    paper: m.validOnly.representativeness,
  });
  for (const [method, s] of Object.entries(run.structure.individual).slice(0, 1)) {
    out.push({
      key: `structure:${method}`,
      label: `Structure agreement (${method})`,
      value: s.agreement,
      range: [-1, 1],
      explain: 'Pearson correlation between the human and the model item-item correlations (off-diagonal pairs), times the share of usable answer pairs beyond the humans\' own.',
      usable: s.usableShare === null ? null : `Usable answer pairs: ${percentText(s.usableShare)} (humans ${percentText(s.referenceUsableShare)})`,
      paper: s.agreementValidOnly,
    });
  }
  const g = run.structure.group;
  if (g) {
    out.push({
      key: 'group',
      label: 'Group-level structure ρ',
      value: g.agreement,
      range: [-1, 1],
      explain: `arXiv 2601.15755: correlation of the item-item correlations of scaled group means across ${g.groups.length} groups of ${g.groupBy.reference}, human vs model.`,
      usable: `${g.usableShare === null ? '' : `Usable answer pairs: ${percentText(g.usableShare)} (humans ${percentText(g.referenceUsableShare)}) · `}${g.groups.length} groups · ${g.items.length} items${g.excludedNominal.length ? ` (nominal left out: ${g.excludedNominal.join(', ')})` : ''}`,
      paper: { value: g.comparison.pearson, ci: g.comparison.pearsonCi ? { ...g.comparison.pearsonCi } : null },
    });
  }
  // The cultural map's agreement (the whole run's; floor: the run's positions matched to the wrong groups).
  const map = mapAgreementTrack(run);
  if (map) out.push(map);
  return out;
}

/** A subgroup's headlines: invalid answers counted, bias-corrected, basic intervals; no verdict. */
export function subgroupHeadlines(scope: ScopeView): Headline[] {
  const g = scope.group!;
  const noVerdict = 'No verdict: floors and ceilings are measured for the whole run only.';
  const out: Headline[] = [
    {
      key: 'marginal',
      label: 'Marginal representativeness',
      value: g.headline.representativeness,
      range: [0, 1],
      explain: "OpinionQA representativeness within the subgroup; interval: bootstrap over the subgroup's model respondents.",
      usable: g.headline.invalidShare === null ? null : `Answers without a valid code: ${percentText(g.headline.invalidShare)}`,
      noVerdict,
    },
  ];
  const method = scope.methods[0];
  const st = method ? g.headline.structure[method] : undefined;
  if (method && st) {
    out.push({ key: `structure:${method}`, label: `Structure agreement (${method})`, value: st, range: [-1, 1], explain: 'Pearson correlation between the human and the model item-item correlations within the subgroup.', noVerdict });
  }
  return out;
}

/** Everything a headline draws, for the stretch its track spans. */
function drawnValues(hl: Headline): (number | null | undefined)[] {
  return [hl.value.value, hl.value.ci?.low, hl.value.ci?.high, hl.value.verdict?.floor?.value, hl.value.verdict?.ceiling?.value];
}

/** The track stretch per measure over every headline shown (so that the runs' cards compare). */
export function sharedDomains(headlines: Headline[][]): Map<string, TrackDomain> {
  const values = new Map<string, { range: readonly [number, number]; xs: (number | null | undefined)[] }>();
  for (const list of headlines) {
    for (const hl of list) {
      const v = values.get(hl.key) ?? { range: hl.range, xs: [] };
      v.xs.push(...drawnValues(hl));
      values.set(hl.key, v);
    }
  }
  return new Map([...values].map(([k, v]) => [k, trackDomain(v.xs, v.range)]));
}

function verdictChip(v: Verdict | undefined, noVerdict: string | undefined): HTMLElement | null {
  if (!v) return noVerdict ? h('p', { class: 'verdict verdict-none' }, noVerdict) : null;
  return h('p', { class: `verdict verdict-${v.code}`, 'data-verdict': v.code }, v.text);
}

/** A mark on the track with its label above (ceiling) or below (floor) the track, at the mark. */
function mark(kind: 'floor' | 'ceiling', at: number, value: number, name: ReferencePointName): HTMLElement[] {
  const title = `${kind} ${fmt(value)}: ${POINT_WORDS[name]}`;
  const tick = h('div', { class: `mark ${kind}`, title });
  tick.style.left = `${at}%`;
  // translateX(-at%) keeps the label inside the track: left-aligned at 0%, centred at 50%, right-aligned at 100%.
  const label = h('span', { class: `mark-label ${kind}`, title }, `${kind} ${fmt(value)}`);
  label.style.left = `${at}%`;
  label.style.transform = `translateX(-${at}%)`;
  return [tick, label];
}

/** One headline: label, number with interval, verdict, usable share, and its track. */
export function scoreTrack(hl: Headline, domain: TrackDomain): HTMLElement {
  const v = hl.value;
  const floor = v.verdict?.floor ?? null;
  const ceiling = v.verdict?.ceiling ?? null;
  const aria = [
    `${hl.label} ${fmt(v.value)}`,
    v.ci ? `95% interval ${fmt(v.ci.low)} to ${fmt(v.ci.high)}` : 'no interval',
    floor ? `floor ${fmt(floor.value)} (${POINT_WORDS[floor.baseline]})` : 'no floor',
    ceiling ? `ceiling ${fmt(ceiling.value)} (${POINT_WORDS[ceiling.baseline]})` : 'no ceiling',
    v.verdict ? `verdict: ${v.verdict.text}` : hl.noVerdict ?? '',
    `track from ${fmt(domain.low, 2)} to ${fmt(domain.high, 2)}`,
  ].filter(Boolean);
  const track = h('div', { class: 'track', role: 'img', 'aria-label': aria.join('; ') });
  const at = (x: number | null | undefined) => trackPercent(x, domain);
  const f = at(floor?.value);
  const c = at(ceiling?.value);
  if (f !== null && c !== null && c > f) {
    const band = h('div', { class: 'band' });
    band.style.left = `${f}%`;
    band.style.width = `${c - f}%`;
    track.append(band);
  }
  const lo = at(v.ci?.low);
  const hi = at(v.ci?.high);
  if (lo !== null && hi !== null) {
    const ci = h('div', { class: 'ci' });
    ci.style.left = `${lo}%`;
    ci.style.width = `${Math.max(hi - lo, 0.5)}%`;
    track.append(ci);
  }
  const dotAt = at(v.value);
  if (dotAt !== null) {
    const dot = h('div', { class: 'dot', title: `${hl.label} ${fmt(v.value)}` });
    dot.style.left = `${dotAt}%`;
    track.append(dot);
  }
  const above = h('div', { class: 'mark-row above' });
  const below = h('div', { class: 'mark-row below' });
  if (c !== null && ceiling) {
    const [tick, label] = mark('ceiling', c, ceiling.value, ceiling.baseline);
    track.append(tick);
    above.append(label);
  }
  if (f !== null && floor) {
    const [tick, label] = mark('floor', f, floor.value, floor.baseline);
    track.append(tick);
    below.append(label);
  }
  const paper = hl.paper && hl.paper.value !== null && (hl.paper.sample ?? hl.paper.value) !== v.value ? hl.paper : null;
  return h(
    'div',
    { class: 'score', 'data-key': hl.key },
    h('div', { class: 'score-label', title: hl.explain }, hl.label),
    h(
      'div',
      { class: 'score-value' },
      h('span', { class: 'estimate' }, fmt(v.value)),
      v.ci ? h('span', { class: 'ci-text', title: 'basic bootstrap 95% interval of the bias-corrected estimate' }, ` [${fmt(v.ci.low)}, ${fmt(v.ci.high)}]`) : h('span', { class: 'ci-text' }, ' (no interval)'),
    ),
    verdictChip(v.verdict, hl.noVerdict),
    hl.usable ? h('p', { class: 'usable' }, hl.usable) : null,
    h(
      'div',
      { class: 'track-row' },
      h('span', { class: 'track-end', 'aria-hidden': 'true' }, fmt(domain.low, 2)),
      h('div', { class: 'track-box' }, above, track, below),
      h('span', { class: 'track-end', 'aria-hidden': 'true' }, fmt(domain.high, 2)),
    ),
    paper
      ? h(
          'p',
          { class: 'paper', title: "arXiv 2601.15755's number: valid answers only, the plain sample estimate, the replicates' 2.5th-97.5th percentiles" },
          // Not "estimate [interval]": the percentile interval is about the resampled value and
          // need not contain the sample estimate, so the two are named apart.
          `Paper's numbers (valid answers only): sample ${fmt(paper.sample ?? paper.value)}${paperInterval(paper)}`,
        )
      : null,
  );
}

function paperInterval(paper: ValueWithCi): string {
  const p = paper.percentile ?? paper.ci;
  return p ? ` · replicates' 2.5-97.5th percentiles ${fmt(p.low)} to ${fmt(p.high)}` : '';
}

/** What the track's marks mean, once above the cards. */
export function trackKey(): HTMLElement {
  return h(
    'p',
    { class: 'track-key' },
    h('span', { class: 'key-dot', 'aria-hidden': 'true' }),
    'estimate (bias-corrected) ',
    h('span', { class: 'key-ci', 'aria-hidden': 'true' }),
    '95% interval ',
    h('span', { class: 'key-floor', 'aria-hidden': 'true' }),
    'floor: no information ',
    h('span', { class: 'key-ceiling', 'aria-hidden': 'true' }),
    'ceiling: another human sample. Tracks show the part of the scale the runs use; its ends are written beside them.',
  );
}
