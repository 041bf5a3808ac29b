/**
 * "Save PNG": the chart as the panel draws it, with what a figure needs to stand on its own
 * drawn into the image: a title (the item, or the matrix and run), a subtitle (run, subgroup,
 * measures), and the legend (the bar colours, or the heatmap's colour scale with its numbers and
 * what the scale is). An opaque background in the theme's colour, so the image reads in any
 * viewer; the title and legend also as PNG text metadata.
 */
import { withExportDrawing } from './charts';
import { pngWithText, wrapLines } from './export-layout';
import { diverging, type Palette } from './theme';

export type ExportLegend =
  | { kind: 'swatches'; entries: { label: string; colour: string; line?: boolean; marker?: 'circle' | 'triangle' | 'cross' }[] }
  | {
      kind: 'scale';
      /** Tick positions -1..1 on the bar, and their text. */
      ticks: { at: number; text: string }[];
      /** What the scale is: fixed -1..1, or stretched to what. */
      note: string;
      /** Whether undefined (hatched) cells are explained. */
      undefinedCells: boolean;
    };

export interface ExportSpec {
  title: string;
  subtitle: string[];
  legend: ExportLegend | null;
  palette: Palette;
}

const PAD = 16;
const TITLE_PX = 16;
const TEXT_PX = 12;

/** The chart on `canvas` composed with its title and legend, as a PNG data URL; null when nothing is drawn there. */
export function chartExportPng(canvas: HTMLCanvasElement, spec: ExportSpec): string | null {
  return withExportDrawing(canvas, (source) => compose(source, spec));
}

function compose(source: HTMLCanvasElement, spec: ExportSpec): string {
  const p = spec.palette;
  // The chart's own pixel density (devicePixelRatio when it was drawn): text is drawn to match.
  const scale = source.clientWidth > 0 ? source.width / source.clientWidth : 1;
  const cssWidth = Math.max(source.width / scale, 420);
  const textWidth = cssWidth;
  const out = document.createElement('canvas');
  const probe = out.getContext('2d')!;
  const font = (px: number, bold = false) => `${bold ? 'bold ' : ''}${px}px ${p.fontFamily}`;
  probe.font = font(TITLE_PX, true);
  const titleLines = wrapLines(spec.title, textWidth, (s) => probe.measureText(s).width, 3);
  probe.font = font(TEXT_PX);
  const subLines = spec.subtitle.flatMap((s) => wrapLines(s, textWidth, (t) => probe.measureText(t).width, 3));
  const legendHeight = spec.legend ? legendSize(spec.legend, textWidth, probe, font) : 0;
  const titleHeight = titleLines.length * (TITLE_PX + 5) + subLines.length * (TEXT_PX + 4) + 8;
  const chartHeight = source.height / scale;
  const width = cssWidth + 2 * PAD;
  const height = PAD + titleHeight + chartHeight + (legendHeight ? legendHeight + 10 : 0) + PAD;
  out.width = Math.round(width * scale);
  out.height = Math.round(height * scale);
  const ctx = out.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'top';
  let y = PAD;
  ctx.fillStyle = p.foreground;
  ctx.font = font(TITLE_PX, true);
  for (const l of titleLines) {
    ctx.fillText(l, PAD, y);
    y += TITLE_PX + 5;
  }
  ctx.fillStyle = p.muted;
  ctx.font = font(TEXT_PX);
  for (const l of subLines) {
    ctx.fillText(l, PAD, y);
    y += TEXT_PX + 4;
  }
  y += 8;
  ctx.drawImage(source, PAD, y, source.width / scale, chartHeight);
  y += chartHeight + 10;
  if (spec.legend) drawLegend(ctx, spec.legend, PAD, y, textWidth, p, font);
  const dataUrl = out.toDataURL('image/png');
  const meta: Record<string, string> = { Title: spec.title, Description: [...spec.subtitle, legendText(spec.legend)].filter(Boolean).join('\n'), Software: 'Representativeness Lens' };
  return `data:image/png;base64,${toBase64(pngWithText(fromBase64(dataUrl.slice(dataUrl.indexOf(',') + 1)), meta))}`;
}

const BAR_HEIGHT = 12;

function legendSize(legend: ExportLegend, width: number, probe: CanvasRenderingContext2D, font: (px: number, bold?: boolean) => string): number {
  probe.font = font(TEXT_PX);
  if (legend.kind === 'swatches') return swatchRows(legend.entries, width, probe).length * (TEXT_PX + 8);
  const note = wrapLines(legend.note, width, (s) => probe.measureText(s).width, 3);
  return BAR_HEIGHT + 4 + TEXT_PX + 6 + note.length * (TEXT_PX + 4) + (legend.undefinedCells ? TEXT_PX + 6 : 0);
}

/** Swatch entries laid out in rows that fit `width`. */
function swatchRows(entries: { label: string }[], width: number, probe: CanvasRenderingContext2D): number[][] {
  const rows: number[][] = [[]];
  let x = 0;
  entries.forEach((e, i) => {
    const w = 18 + probe.measureText(e.label).width + 18;
    if (x > 0 && x + w > width) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push(i);
    x += w;
  });
  return rows;
}

function drawLegend(ctx: CanvasRenderingContext2D, legend: ExportLegend, x0: number, y0: number, width: number, p: Palette, font: (px: number, bold?: boolean) => string): void {
  ctx.font = font(TEXT_PX);
  ctx.textBaseline = 'middle';
  if (legend.kind === 'swatches') {
    let y = y0 + TEXT_PX / 2 + 2;
    for (const row of swatchRows(legend.entries, width, ctx)) {
      let x = x0;
      for (const i of row) {
        const e = legend.entries[i];
        if (e.line) {
          ctx.strokeStyle = e.colour;
          ctx.lineWidth = 2;
          ctx.setLineDash([4, 3]);
          ctx.beginPath();
          ctx.moveTo(x, y);
          ctx.lineTo(x + 12, y);
          ctx.stroke();
          ctx.setLineDash([]);
        } else if (e.marker) {
          // The marker as the chart draws it (a scatter's point style), so the legend matches the plot.
          drawMarker(ctx, e.marker, x + 6, y, e.colour, p.foreground);
        } else {
          ctx.fillStyle = e.colour;
          ctx.fillRect(x, y - 6, 12, 12);
        }
        ctx.fillStyle = p.foreground;
        ctx.fillText(e.label, x + 18, y);
        x += 18 + ctx.measureText(e.label).width + 18;
      }
      y += TEXT_PX + 8;
    }
    return;
  }
  // The colour bar, drawn with the same colour function as the cells.
  const barWidth = Math.min(width, 320);
  for (let i = 0; i < barWidth; i++) {
    ctx.fillStyle = diverging(p, (i / (barWidth - 1)) * 2 - 1);
    ctx.fillRect(x0 + i, y0, 1, BAR_HEIGHT);
  }
  ctx.strokeStyle = p.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 + 0.5, y0 + 0.5, barWidth - 1, BAR_HEIGHT - 1);
  let y = y0 + BAR_HEIGHT + 4;
  ctx.fillStyle = p.foreground;
  ctx.textBaseline = 'top';
  for (const t of legend.ticks) {
    const x = x0 + ((t.at + 1) / 2) * (barWidth - 1);
    ctx.fillRect(x, y - 4, 1, 3);
    ctx.textAlign = t.at <= -1 ? 'left' : t.at >= 1 ? 'right' : 'center';
    ctx.fillText(t.text, x, y);
  }
  ctx.textAlign = 'left';
  y += TEXT_PX + 6;
  ctx.fillStyle = p.muted;
  for (const l of wrapLines(legend.note, width, (s) => ctx.measureText(s).width, 3)) {
    ctx.fillText(l, x0, y);
    y += TEXT_PX + 4;
  }
  if (legend.undefinedCells) {
    ctx.fillStyle = p.background;
    ctx.fillRect(x0, y, 12, 12);
    ctx.strokeStyle = p.muted;
    ctx.beginPath();
    ctx.moveTo(x0, y + 12);
    ctx.lineTo(x0 + 12, y);
    ctx.stroke();
    ctx.strokeRect(x0 + 0.5, y + 0.5, 11, 11);
    ctx.fillText('Hatched: undefined (no variance or too few pairs)', x0 + 18, y);
  }
}

function drawMarker(ctx: CanvasRenderingContext2D, marker: 'circle' | 'triangle' | 'cross', x: number, y: number, colour: string, outline: string): void {
  ctx.save();
  ctx.lineWidth = 1;
  ctx.strokeStyle = outline;
  ctx.fillStyle = colour;
  ctx.beginPath();
  if (marker === 'circle') ctx.arc(x, y, 5, 0, 2 * Math.PI);
  else if (marker === 'triangle') {
    ctx.moveTo(x, y - 6);
    ctx.lineTo(x + 6, y + 5);
    ctx.lineTo(x - 6, y + 5);
    ctx.closePath();
  } else {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.moveTo(x - 5, y - 5);
    ctx.lineTo(x + 5, y + 5);
    ctx.moveTo(x + 5, y - 5);
    ctx.lineTo(x - 5, y + 5);
    ctx.stroke();
    ctx.restore();
    return;
  }
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}

function legendText(legend: ExportLegend | null): string {
  if (!legend) return '';
  if (legend.kind === 'swatches') return `Legend: ${legend.entries.map((e) => e.label).join('; ')}`;
  return `Colour scale ${legend.ticks.map((t) => t.text).join(' … ')}. ${legend.note}`;
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
