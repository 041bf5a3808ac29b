/** Colours from the VS Code theme (light, dark, high contrast), read from its CSS variables. */
export interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  reference: string;
  run: string;
  negative: string;
  positive: string;
  neutral: string;
  background: string;
  /** The highlighted row and column of a heatmap (the theme's focus border). */
  focus: string;
  fontFamily: string;
  highContrast: boolean;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function palette(): Palette {
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  return {
    foreground: cssVar('--vscode-editor-foreground', dark ? '#cccccc' : '#333333'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    reference: cssVar('--vscode-charts-blue', '#3794ff'),
    run: cssVar('--vscode-charts-orange', '#d18616'),
    negative: cssVar('--vscode-charts-blue', '#3794ff'),
    positive: cssVar('--vscode-charts-red', '#f14c4c'),
    neutral: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    background: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    focus: cssVar('--vscode-focusBorder', dark ? '#0078d4' : '#005fb8'),
    fontFamily: cssVar('--vscode-font-family', getComputedStyle(document.body).fontFamily || 'sans-serif'),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

export function parseColor(c: string): [number, number, number] {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])([0-9a-f])?$/i.exec(c.trim());
  if (short) return [parseInt(short[1] + short[1], 16), parseInt(short[2] + short[2], 16), parseInt(short[3] + short[3], 16)];
  const m = /^#([0-9a-f]{6})/i.exec(c.trim());
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const r = /rgba?\(([^)]+)\)/.exec(c);
  if (r) {
    const [a, b, d] = r[1].split(',').map((x) => parseFloat(x));
    return [a, b, d];
  }
  return [128, 128, 128];
}

/**
 * Diverging colour for a value in [-1, 1]: negative -> `negative`, 0 -> background, positive ->
 * `positive`, linear in between. Null (undefined) values get a hatched grey in the caller.
 */
export function diverging(p: Palette, value: number): string {
  const t = Math.max(-1, Math.min(1, value));
  const end = parseColor(t < 0 ? p.negative : p.positive);
  const mid = parseColor(p.neutral);
  const a = Math.abs(t);
  const mix = end.map((e, i) => Math.round(mid[i] + (e - mid[i]) * a));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}
