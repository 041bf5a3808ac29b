/**
 * The pure parts of the "Latent structure" view (no DOM, unit-tested in node): what the cultural
 * map's scorecard track shows, the map's axis ranges, where its labels go, and why a run has no
 * latent section. Every number and verdict shown is the report's.
 */
import type { CulturalMapReport, MapPosition, RunReport, ValueWithCi, Verdict } from '../src/core/report/model';
import { fmt, pText } from './format';

/**
 * The cultural map's headline for a run's scorecard, in the shape of `Headline` (webview/scorecard.ts):
 * `scoreTrack(track, domain)` draws it, and `floor` / `ceiling` repeat what its marks are for a
 * caller that draws its own track.
 */
export interface MapAgreementTrack {
  key: 'map';
  label: string;
  /**
   * The Procrustes correlation, a sample value: `ci` null (the report has no bias-corrected map
   * headline with a basic interval, what the cards' intervals are), `sample` and `percentile` the
   * report's numbers, `verdict` the report's (`agreement.procrustesVerdict`: against the
   * permutation null's mean and the human split-half mean).
   */
  value: ValueWithCi;
  range: readonly [number, number];
  explain: string;
  /** The correlation's percentiles and permutation p, and the mean distance with its percentiles and its own verdict, in words. */
  usable: string;
  /** The permutation null's mean (the run's positions matched to the wrong groups). */
  floor: number | null;
  /** The human split-half ceiling of the Procrustes correlation (mean of the splits). */
  ceiling: number | null;
}

/** A report without a verdict where one is expected (none is made up here). */
const NO_VERDICT: Verdict = { code: 'undefined', text: 'no verdict in this report', floor: null, ceiling: null };

/**
 * The map's agreement for the scorecard: the Procrustes correlation (0..1, 1 = the same
 * configuration up to translation, rotation and scale) on a track with its floor, the permutation
 * null's mean (with few groups unrelated configurations already reach a sizeable correlation,
 * about 0.5 on average for 6 groups, so 0 is no floor), and its human split-half ceiling; beside
 * it the mean distance with its verdict. Null without a map.
 */
export function mapAgreementTrack(run: RunReport): MapAgreementTrack | null {
  const map = run.latent?.culturalMap;
  if (!map) return null;
  const a = map.agreement;
  const r = a.procrustes?.correlation ?? null;
  const ci = a.procrustesCorrelationCi;
  const nul = a.procrustesNull;
  const verdict = a.procrustesVerdict ?? NO_VERDICT;
  const d = a.meanDistance.verdict ?? NO_VERDICT;
  return {
    key: 'map',
    label: 'Cultural map agreement (Procrustes r)',
    value: { value: r, ci: null, sample: r, percentile: ci ? { low: ci.low, high: ci.high } : null, verdict },
    range: [0, 1],
    explain:
      `Inglehart-Welzel cultural map, ${a.groups} group${a.groups === 1 ? '' : 's'}: Procrustes correlation of the human and the model positions (vegan::protest; 1 = same configuration up to shift, rotation and scale), the sample value (not bias-corrected, so no interval on the track; the replicates' percentiles are written beside it). ` +
      `Floor: the run's positions matched to the wrong groups (${nul ? `mean of ${nul.permutations} permutations` : 'no permutations'}); ceiling: human split-half.`,
    // Percentile intervals written apart from their estimates (they need not contain them).
    usable:
      `${ci ? `Replicates' 2.5-97.5th percentiles ${fmt(ci.low)} to ${fmt(ci.high)}` : 'No interval'}${nul?.p != null ? `; permutation ${pText(nul.p)}` : ''}. ` +
      `Mean distance ${fmt(a.meanDistance.value)}${a.meanDistance.ci ? `; percentiles ${fmt(a.meanDistance.ci.low)} to ${fmt(a.meanDistance.ci.high)}` : ''} (floor ${fmt(map.floor.meanDistance)}, ceiling ${fmt(map.ceiling.meanDistance)}): ${d.text}`,
    floor: nul?.mean ?? null,
    ceiling: map.ceiling.procrustesCorrelation,
  };
}

/** The map's axis ranges: one span for both axes (a square plot keeps distances true), every point inside with a margin. */
export interface MapExtent {
  x: [number, number];
  y: [number, number];
}

export function mapExtent(points: readonly (MapPosition | null)[], margin = 0.12): MapExtent {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of points) {
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
    xs.push(p[0]);
    ys.push(p[1]);
  }
  if (!xs.length) return { x: [-1, 1], y: [-1, 1] };
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // Scores are standardised (SD about 1 across the human groups): never zoom in below +-0.5.
  const half = Math.max(x1 - x0, y1 - y0, 1) * (0.5 + margin);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

/** A label to place: its anchor (the point, CSS px), the marker's radius and the label's size. */
export interface LabelRequest {
  x: number;
  y: number;
  radius: number;
  width: number;
  height: number;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A placed label: its box, and whether it sits away from its point (a leader line is drawn). */
export interface PlacedLabel {
  box: Box;
  leader: boolean;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Greedy label placement: each label, in the order given (the most important first), goes to the
 * first of eight positions around its point (right, left, above, below, then the diagonals), at
 * increasing distances, whose box lies inside `area` and overlaps neither a label already placed
 * nor any marker (`obstacles`, boxes around every point). A label with no free position within
 * three rings is left out (null): the hover and the data table still name the point. Deterministic:
 * the same inputs give the same places on every redraw.
 */
export function placeLabels(labels: readonly LabelRequest[], area: Box, obstacles: readonly Box[], gap = 3): (PlacedLabel | null)[] {
  const placed: Box[] = [];
  return labels.map((l) => {
    for (let ring = 0; ring < 3; ring++) {
      const d = l.radius + gap + ring * (l.height + 2);
      const candidates: [number, number][] = [
        [l.x + d, l.y - l.height / 2],
        [l.x - d - l.width, l.y - l.height / 2],
        [l.x - l.width / 2, l.y - d - l.height],
        [l.x - l.width / 2, l.y + d],
        [l.x + d * 0.7, l.y - d * 0.7 - l.height],
        [l.x - d * 0.7 - l.width, l.y - d * 0.7 - l.height],
        [l.x + d * 0.7, l.y + d * 0.7],
        [l.x - d * 0.7 - l.width, l.y + d * 0.7],
      ];
      for (const [left, top] of candidates) {
        const box = { left, top, right: left + l.width, bottom: top + l.height };
        if (box.left < area.left || box.right > area.right || box.top < area.top || box.bottom > area.bottom) continue;
        if (placed.some((b) => overlaps(b, box)) || obstacles.some((b) => overlaps(b, box))) continue;
        placed.push(box);
        return { box, leader: ring > 0 };
      }
    }
    return null;
  });
}

/**
 * Why the view has no map or no factor structure, in words: the engine's reason when it gave one,
 * otherwise what is known (an older report has no latent section at all).
 */
export function latentAbsence(run: RunReport): { map: string | null; factors: string | null } {
  const latent = run.latent;
  if (!latent) {
    const why =
      run.level === 'distribution'
        ? `Run ${run.name} gives answer distributions only; the latent structure needs respondents who answer many items.`
        : 'This report has no latent-structure section: it was made by a version of Representativeness Lens before the cultural map and the factor structure were added. Evaluate again to compute them.';
    return { map: why, factors: why };
  }
  return {
    map: latent.culturalMap ? null : latent.culturalMapUnavailable ?? 'The cultural map was not computed for this run.',
    factors: latent.factors ? null : latent.factorsUnavailable ?? 'The factor structure was not computed for this run.',
  };
}
