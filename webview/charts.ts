import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { MarginalItem } from '../src/core/report/model';
import { labelStep, scalePosition, shortLabel, shownLabels, type HeatScale } from './heatscale';
import { diverging, type Palette } from './theme';

// LineElement draws the scatter's identity line (a dataset with showLine).
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, ScatterController, PointElement, LineElement, MatrixController, MatrixElement);

/** Every chart on the page, so they can be destroyed on re-render and exported as PNG. */
export const charts = new Set<Chart>();

export function destroyCharts(): void {
  for (const c of charts) c.destroy();
  charts.clear();
}

/** The chart drawn on `canvas` as a PNG data URL, or null when nothing is drawn there yet. */
export function chartPng(canvas: HTMLCanvasElement): string | null {
  const chart = Chart.getChart(canvas);
  return chart ? chart.toBase64Image('image/png', 1) : null;
}

function make(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  const chart = new Chart(canvas, config);
  charts.add(chart);
  return chart;
}

function baseOptions(p: Palette) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: p.foreground,
    plugins: { legend: { labels: { color: p.foreground } } },
  };
}

/** Grouped bars: human (reference) vs model (run) answer shares per code. */
export function marginalChart(canvas: HTMLCanvasElement, item: MarginalItem, runName: string, p: Palette): Chart {
  const labels = item.codes.map((c) => {
    const l = item.labels?.[String(c)];
    return l ? `${c}: ${l.length > 18 ? l.slice(0, 17) + '…' : l}` : String(c);
  });
  return make(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Human (reference)', data: item.referenceDistribution, backgroundColor: p.reference, borderColor: p.reference, borderWidth: p.highContrast ? 2 : 0 },
        { label: `Model (${runName})`, data: item.runDistribution, backgroundColor: p.run, borderColor: p.run, borderWidth: p.highContrast ? 2 : 0 },
      ],
    },
    options: {
      ...baseOptions(p),
      scales: {
        x: { ticks: { color: p.muted, maxRotation: 45, autoSkip: false, font: { size: 10 } }, grid: { color: p.grid } },
        y: { beginAtZero: true, ticks: { color: p.muted, callback: (v) => `${Math.round(Number(v) * 100)}%` }, grid: { color: p.grid } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${(Number(ctx.parsed.y) * 100).toFixed(1)}%` } },
      },
    },
  });
}

export interface HeatCell {
  x: string;
  y: string;
  /** Row and column in the heatmap's (clustered) order. */
  row: number;
  col: number;
  v: number | null;
  other?: number | null;
  n?: number;
}

interface RowCol {
  row: number | null;
  col: number | null;
}

/**
 * The highlighted row and column shared by the heatmaps of one view (human, model, difference:
 * one item order), in that order's indices. Hovering a cell highlights its row and column in all
 * of them, hovering an axis label its row or column; a click pins the highlight (a second click
 * on the same cell or label releases it), and leaving the heatmap shows the pinned one again.
 */
export class HeatSelection {
  private hover: RowCol | null = null;
  private pinnedAt: RowCol | null = null;
  private readonly members = new Set<Chart>();
  private readonly listeners = new Set<(s: RowCol & { pinned: boolean }) => void>();
  private frame = 0;

  constructor(pinned: RowCol | null = null) {
    this.pinnedAt = pinned;
  }

  get row(): number | null {
    return (this.hover ?? this.pinnedAt)?.row ?? null;
  }

  get col(): number | null {
    return (this.hover ?? this.pinnedAt)?.col ?? null;
  }

  get pinned(): RowCol | null {
    return this.pinnedAt;
  }

  add(chart: Chart): void {
    this.members.add(chart);
  }

  onChange(fn: (s: RowCol & { pinned: boolean }) => void): void {
    this.listeners.add(fn);
  }

  /** Whether what is shown is the pinned highlight. */
  get showsPin(): boolean {
    const p = this.pinnedAt;
    return p !== null && p.row === this.row && p.col === this.col;
  }

  /** Returns whether the highlight changed; the other heatmaps are redrawn on the next frame. */
  setHover(at: RowCol | null, source: Chart): boolean {
    const before = this.key();
    this.hover = at && (at.row !== null || at.col !== null) ? at : null;
    return this.changed(before, source);
  }

  /** Pins `at`, or releases the pin when `at` is what is pinned already. */
  togglePin(at: RowCol, source: Chart): boolean {
    const before = this.key();
    const same = this.pinnedAt && this.pinnedAt.row === at.row && this.pinnedAt.col === at.col;
    this.pinnedAt = same ? null : at;
    return this.changed(before, source);
  }

  private key(): string {
    return `${this.row},${this.col},${this.showsPin}`;
  }

  private changed(before: string, source: Chart): boolean {
    if (this.key() === before) return false;
    for (const fn of this.listeners) fn({ row: this.row, col: this.col, pinned: this.showsPin });
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      for (const c of this.members) if (c !== source && charts.has(c)) c.draw();
    });
    return true;
  }
}

export interface HeatmapSpec {
  title: string;
  /** Item ids in the heatmap's order (rows top to bottom, columns left to right). */
  ids: string[];
  /** "id: label" of each item, in the same order: the hover text of an axis label. */
  names: string[];
  /** Row-major: cells[row * ids.length + col]. */
  cells: HeatCell[];
  scale: HeatScale;
  describe: (c: HeatCell) => string[];
  onCellClick?: (c: HeatCell) => void;
  selection: HeatSelection;
  /** Shows the full id and label of a hovered axis label; positioned over the canvas. */
  tip: HTMLElement;
}

/** Axis label size (CSS px) and the longest label drawn (characters; the full one on hover). */
const LABEL_FONT = 10;
const LABEL_CHARS = 14;

/** Per heatmap: draw it without the highlight (for an exported image). */
const plainDraw = new WeakMap<Chart, () => void>();

/**
 * Item x item heatmap: cells coloured on `spec.scale` (fixed -1..1 unless stretched); undefined
 * cells hatched. Axis labels are drawn in gutters beside and below the cells, every k-th one so
 * they never overlap (any number of items), the highlighted row's and column's label always, in
 * the focus colour; the highlighted row and column are outlined.
 */
export function heatmap(canvas: HTMLCanvasElement, spec: HeatmapSpec, p: Palette): Chart {
  const size = spec.ids.length;
  const labels = spec.ids.map((id) => shortLabel(id, LABEL_CHARS));
  const font = `${LABEL_FONT}px ${p.fontFamily}`;
  const measure = canvas.getContext('2d');
  let widest = 0;
  if (measure) {
    measure.font = `bold ${font}`;
    for (const l of labels) widest = Math.max(widest, measure.measureText(l).width);
  }
  // Equal gutters left and below keep the cells square in a square canvas.
  const gutter = Math.ceil(Math.min(Math.max(widest, 16), 110)) + 8;
  const undefinedFill = hatch(p);
  let exporting = false;

  const axes: Plugin = {
    id: 'heatAxes',
    afterDatasetsDraw(chart) {
      const a = chart.chartArea;
      if (!a || !size) return;
      const ctx = chart.ctx;
      const cw = (a.right - a.left) / size;
      const ch = (a.bottom - a.top) / size;
      // Where the cells are (CSS px), for whoever reads the canvas (the UI tests).
      const area = `${a.left},${a.top},${a.right},${a.bottom}`;
      if (chart.canvas.dataset.cells !== area) chart.canvas.dataset.cells = area;
      const row = exporting ? null : spec.selection.row;
      const col = exporting ? null : spec.selection.col;
      ctx.save();
      // Highlight: lines along the row and the column, and the cell where they cross.
      ctx.strokeStyle = p.focus;
      ctx.lineWidth = 1.5;
      if (row !== null) ctx.strokeRect(a.left - 1, a.top + row * ch - 1, a.right - a.left + 2, ch + 2);
      if (col !== null) ctx.strokeRect(a.left + col * cw - 1, a.top - 1, cw + 2, a.bottom - a.top + 2);
      if (row !== null && col !== null) {
        ctx.lineWidth = 2.5;
        ctx.strokeRect(a.left + col * cw - 2, a.top + row * ch - 2, cw + 4, ch + 4);
      }
      const step = labelStep(Math.min(cw, ch), LABEL_FONT + 2);
      const drawLabel = (text: string, x: number, y: number, rotate: boolean, highlighted: boolean) => {
        ctx.save();
        ctx.translate(x, y);
        if (rotate) ctx.rotate(-Math.PI / 2);
        ctx.font = highlighted ? `bold ${font}` : font;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'middle';
        if (highlighted) {
          const w = ctx.measureText(text).width;
          ctx.fillStyle = p.background;
          ctx.fillRect(-w - 3, -LABEL_FONT / 2 - 2, w + 4, LABEL_FONT + 4);
          ctx.strokeStyle = p.focus;
          ctx.lineWidth = 1;
          ctx.strokeRect(-w - 3, -LABEL_FONT / 2 - 2, w + 4, LABEL_FONT + 4);
        }
        ctx.fillStyle = highlighted ? p.foreground : p.muted;
        ctx.fillText(text, 0, 0);
        ctx.restore();
      };
      const rows = shownLabels(size, step, [row]);
      const cols = shownLabels(size, step, [col]);
      for (let i = 0; i < size; i++) {
        if (rows[i]) drawLabel(labels[i], a.left - 4, a.top + (i + 0.5) * ch, false, i === row);
        if (cols[i]) drawLabel(labels[i], a.left + (i + 0.5) * cw, a.bottom + 4, true, i === col);
      }
      ctx.restore();
    },
    afterEvent(chart, args) {
      const e = args.event;
      const a = chart.chartArea;
      if (!a || !size || e.x === null || e.y === null) return;
      if (e.type === 'mouseout') {
        spec.tip.hidden = true;
        if (spec.selection.setHover(null, chart)) args.changed = true;
        return;
      }
      const cw = (a.right - a.left) / size;
      const ch = (a.bottom - a.top) / size;
      const inX = e.x >= a.left && e.x < a.right;
      const inY = e.y >= a.top && e.y < a.bottom;
      const row = inY ? Math.min(size - 1, Math.floor((e.y - a.top) / ch)) : null;
      const col = inX ? Math.min(size - 1, Math.floor((e.x - a.left) / cw)) : null;
      // Over the row labels (left of the cells) or the column labels (below them).
      const onRowLabel = row !== null && e.x < a.left;
      const onColLabel = col !== null && e.y >= a.bottom;
      const at: RowCol | null = inX && inY ? { row, col } : onRowLabel ? { row, col: null } : onColLabel ? { row: null, col } : null;
      if (e.type === 'click') {
        if (!at) return;
        spec.selection.togglePin(at, chart);
        args.changed = true;
        if (at.row !== null && at.col !== null) spec.onCellClick?.(spec.cells[at.row * size + at.col]);
        return;
      }
      if (e.type !== 'mousemove') return;
      if (spec.selection.setHover(at, chart)) args.changed = true;
      const item = onRowLabel ? row : onColLabel ? col : null;
      if (item === null) spec.tip.hidden = true;
      else {
        spec.tip.textContent = spec.names[item];
        spec.tip.hidden = false;
        // Beside the pointer, on the side with room.
        const width = chart.width;
        spec.tip.style.top = `${Math.round(e.y + 14)}px`;
        if (e.x < width / 2) {
          spec.tip.style.left = `${Math.round(e.x + 12)}px`;
          spec.tip.style.right = '';
        } else {
          spec.tip.style.right = `${Math.round(width - e.x + 12)}px`;
          spec.tip.style.left = '';
        }
      }
    },
  };

  const chart = make(canvas, {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: spec.title,
          data: spec.cells as never,
          backgroundColor: (ctx: { raw?: unknown }) => {
            const c = ctx.raw as HeatCell | undefined;
            if (!c || c.v === null) return undefinedFill;
            return diverging(p, scalePosition(c.v, spec.scale));
          },
          borderWidth: 0,
          width: ({ chart }: { chart: Chart }) => (chart.chartArea?.width ?? 0) / size,
          height: ({ chart }: { chart: Chart }) => (chart.chartArea?.height ?? 0) / size,
        } as never,
      ],
    },
    options: {
      ...baseOptions(p),
      layout: { padding: { left: gutter, bottom: gutter, top: 6, right: 6 } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (ctx: { raw: unknown }) => spec.describe(ctx.raw as HeatCell),
          },
        },
      },
      scales: {
        x: { type: 'category', labels: spec.ids, offset: true, display: false },
        y: { type: 'category', labels: spec.ids, offset: true, reverse: false, display: false },
      },
    } as never,
    plugins: [axes],
  });
  plainDraw.set(chart, () => {
    exporting = true;
    try {
      chart.draw();
    } finally {
      exporting = false;
    }
  });
  return chart;
}

/**
 * Runs `use` on the chart's canvas drawn as it is to be exported (a heatmap without its hover
 * highlight, no tooltip), then draws it as before.
 */
export function withExportDrawing<T>(canvas: HTMLCanvasElement, use: (c: HTMLCanvasElement) => T): T | null {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const tooltip = chart.tooltip;
  const active = tooltip?.getActiveElements() ?? [];
  if (active.length) tooltip?.setActiveElements([], { x: 0, y: 0 });
  const plain = plainDraw.get(chart);
  if (plain) plain();
  else chart.draw();
  try {
    return use(canvas);
  } finally {
    chart.draw();
  }
}

/** Undefined cells: hatched, so they never read as a correlation of 0. */
function hatch(p: Palette): CanvasPattern | string {
  const c = document.createElement('canvas');
  c.width = 6;
  c.height = 6;
  const x = c.getContext('2d');
  if (!x) return p.grid;
  x.fillStyle = p.background;
  x.fillRect(0, 0, 6, 6);
  x.strokeStyle = p.muted;
  x.lineWidth = 1;
  x.beginPath();
  x.moveTo(0, 6);
  x.lineTo(6, 0);
  x.stroke();
  return x.createPattern(c, 'repeat') ?? p.grid;
}

/** Human vs model correlation of every pair, with the identity line. */
export function pairScatter(canvas: HTMLCanvasElement, points: { x: number; y: number; label: string }[], p: Palette): Chart {
  return make(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'Item pairs', data: points, backgroundColor: p.run, pointRadius: points.length > 2000 ? 1.5 : 3 },
        { label: 'Identity (perfect agreement)', data: [{ x: -1, y: -1 }, { x: 1, y: 1 }], showLine: true, borderColor: p.muted, pointRadius: 0, borderDash: [4, 4] } as never,
      ],
    },
    options: {
      ...baseOptions(p),
      scales: {
        x: { min: -1, max: 1, title: { display: true, text: 'Human correlation', color: p.foreground }, ticks: { color: p.muted }, grid: { color: p.grid } },
        y: { min: -1, max: 1, title: { display: true, text: 'Model correlation', color: p.foreground }, ticks: { color: p.muted }, grid: { color: p.grid } },
      },
      plugins: {
        legend: { labels: { color: p.foreground } },
        tooltip: { callbacks: { label: (ctx) => { const r = ctx.raw as { x: number; y: number; label?: string }; return `${r.label ?? ''} human ${r.x.toFixed(3)}, model ${r.y.toFixed(3)}`; } } },
      },
    },
  });
}
