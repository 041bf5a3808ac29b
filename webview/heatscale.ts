/**
 * The colour scale and the axis labels of the correlation heatmaps. Pure (no DOM): what the
 * panel draws, what its legend says and what the exported PNG says all come from here.
 *
 * By default every heatmap (human, model, difference) uses one fixed scale, -1 to +1, so a colour
 * means the same correlation (or difference) in every run and every heatmap: a near-perfect run's
 * difference heatmap is pale, not saturated noise. Stretching the colours to the data's range is
 * an explicit choice, and the legend then says so and to what.
 */
import { significant } from './format';

export interface HeatScale {
  /** The value drawn at full colour (either sign). */
  max: number;
  /** Colours stretched to the data's range (the user's choice) rather than the fixed -1..1. */
  stretched: boolean;
  /** The largest |value| in the data (off the diagonal for correlation matrices); null: none defined. */
  dataMax: number | null;
  /** Some values lie beyond `max` and are drawn at the end colours. */
  clipped: boolean;
}

/** The fixed scale: -1 to +1. */
export const FIXED_MAX = 1;

/**
 * The scale shared by `matrices` (one legend for all of them). With `skipDiagonal`, the diagonal
 * (a correlation of an item with itself, always 1) neither sets the stretched range nor counts as
 * clipped. Stretching to a range of 0 or to no defined value keeps the fixed scale.
 */
export function heatScale(matrices: readonly (readonly (number | null)[])[][], stretch: boolean, skipDiagonal: boolean): HeatScale {
  let dataMax: number | null = null;
  for (const m of matrices) {
    for (let a = 0; a < m.length; a++) {
      const row = m[a];
      for (let b = 0; b < row.length; b++) {
        const v = row[b];
        if (v === null || !Number.isFinite(v) || (skipDiagonal && a === b)) continue;
        const x = Math.abs(v);
        if (dataMax === null || x > dataMax) dataMax = x;
      }
    }
  }
  const stretched = stretch && dataMax !== null && dataMax > 0;
  const max = stretched ? (dataMax as number) : FIXED_MAX;
  return { max, stretched, dataMax, clipped: dataMax !== null && dataMax > max * (1 + 1e-12) };
}

/** Where a value sits on the scale: -1 (full negative colour) .. 1 (full positive), clamped. */
export function scalePosition(v: number, scale: Pick<HeatScale, 'max'>): number {
  return Math.max(-1, Math.min(1, v / scale.max));
}

/** The legend's tick values: the ends, their halves and 0. */
export function legendTicks(scale: Pick<HeatScale, 'max'>): number[] {
  const m = scale.max;
  return [-m, -m / 2, 0, m / 2, m];
}

/** A tick's text: two significant digits, a true minus sign, "+" on the positive end. */
export function tickText(v: number, scale: Pick<HeatScale, 'max'>): string {
  const s = significant(v, 2);
  return v > 0 && v === scale.max ? `+${s}` : s;
}

/**
 * What the legend says about the scale. `what` names the values ("correlation", "difference");
 * the stretched note says to what range and that colours are then not comparable across runs.
 */
export function scaleNote(scale: HeatScale, what: string, skipDiagonal: boolean): string {
  if (scale.stretched) {
    return `Colours stretched to ±${significant(scale.max, 2)} (the largest |${what}|${skipDiagonal ? ' off the diagonal' : ''}): not comparable across runs.`;
  }
  const base = 'Fixed scale −1 to +1: comparable across runs.';
  if (scale.clipped && scale.dataMax !== null) return `${base} Values beyond ±1 (up to ±${significant(scale.dataMax, 2)}) drawn at the end colours.`;
  return base;
}

/**
 * Every k-th axis label, so labels `labelPx` tall never overlap on cells `cellPx` apart: the
 * smallest k with k * cellPx >= labelPx.
 */
export function labelStep(cellPx: number, labelPx: number): number {
  if (!(cellPx > 0)) return Number.MAX_SAFE_INTEGER;
  return Math.max(1, Math.ceil(labelPx / cellPx - 1e-9));
}

/**
 * Which of `count` axis labels are drawn: every `step`-th, and each of `selected` (the highlighted
 * row or column) with the labels closer than `step` to it hidden, so the drawn labels stay at
 * least `step` cells apart (two selected labels on one axis closer than that may touch).
 */
export function shownLabels(count: number, step: number, selected: readonly (number | null)[] = []): boolean[] {
  const show = Array.from({ length: count }, (_, i) => i % step === 0);
  for (const s of selected) {
    if (s === null || s < 0 || s >= count) continue;
    for (let j = Math.max(0, s - step + 1); j <= Math.min(count - 1, s + step - 1); j++) show[j] = false;
  }
  for (const s of selected) if (s !== null && s >= 0 && s < count) show[s] = true;
  return show;
}

/** `text` cut to at most `maxChars` characters, with an ellipsis when cut. */
export function shortLabel(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}
