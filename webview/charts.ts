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
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { MarginalItem } from '../src/core/report/model';
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
  v: number | null;
  other?: number | null;
  n?: number;
}

/** Item x item heatmap on a diverging scale from -1 to 1 (or -max..max for differences). */
export function heatmap(
  canvas: HTMLCanvasElement,
  items: string[],
  cells: HeatCell[],
  title: string,
  scaleMax: number,
  p: Palette,
  describe: (c: HeatCell) => string[],
  onCellClick?: (c: HeatCell) => void,
): Chart {
  const size = items.length;
  return make(canvas, {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: title,
          data: cells as never,
          backgroundColor: (ctx: { raw?: unknown }) => {
            const c = ctx.raw as HeatCell | undefined;
            if (!c || c.v === null) return p.grid;
            return diverging(p, c.v / scaleMax);
          },
          borderWidth: 0,
          width: ({ chart }: { chart: Chart }) => (chart.chartArea?.width ?? 0) / size,
          height: ({ chart }: { chart: Chart }) => (chart.chartArea?.height ?? 0) / size,
        } as never,
      ],
    },
    options: {
      ...baseOptions(p),
      onClick: (_e: unknown, elements: { index: number }[]) => {
        const hit = elements[0];
        if (hit && onCellClick) onCellClick(cells[hit.index]);
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (ctx: { raw: unknown }) => describe(ctx.raw as HeatCell),
          },
        },
      },
      scales: {
        x: { type: 'category', labels: items, offset: true, ticks: { color: p.muted, display: size <= 40, font: { size: 9 } }, grid: { display: false } },
        y: { type: 'category', labels: items, offset: true, reverse: false, ticks: { color: p.muted, display: size <= 40, font: { size: 9 } }, grid: { display: false } },
      },
    } as never,
  });
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
