/**
 * Where a score track's marks go. Pure (no DOM), so the unit tests run it in node.
 *
 * A track spans the stretch of the measure's scale that holds what it shows (estimates, intervals,
 * floors and ceilings of every run's card), not the whole 0..1: marginal representativeness lives
 * between about 0.85 and 1, where floor (0.94) and ceiling (0.99) would be 15 px apart on a full
 * scale. All runs' cards share the stretch, so a dot further right is a better score on every card,
 * and the card writes the stretch's ends beside the track.
 */

export interface TrackDomain {
  low: number;
  high: number;
}

/**
 * The stretch holding `values` plus 15% of their spread on each side (at least 0.02 wide), its
 * ends on steps of 0.1, 0.05 or 0.01 (by its width), within the measure's `range`.
 */
export function trackDomain(values: ReadonlyArray<number | null | undefined>, range: readonly [number, number]): TrackDomain {
  const xs = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!xs.length) return { low: range[0], high: range[1] };
  const lo = Math.max(range[0], Math.min(...xs));
  const hi = Math.min(range[1], Math.max(...xs));
  const spread = Math.max(hi - lo, 0.02);
  const pad = 0.15 * spread;
  const width = spread + 2 * pad;
  const step = width > 0.3 ? 0.1 : width > 0.1 ? 0.05 : 0.01;
  // Rounded to the step's decimals so that 0.9500000001 reads 0.95.
  const round = (x: number) => Math.round(x / step) * step;
  const low = Math.max(range[0], round(Math.floor((lo - pad) / step) * step));
  const high = Math.min(range[1], round(Math.ceil((hi + pad) / step) * step));
  return { low: Number(low.toFixed(2)), high: Number(high.toFixed(2)) };
}

/** `x`'s place on the track in percent of its width, clamped to the track (null: not drawn). */
export function trackPercent(x: number | null | undefined, d: TrackDomain): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const t = (x - d.low) / (d.high - d.low);
  return Math.max(0, Math.min(1, t)) * 100;
}

