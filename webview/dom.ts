/**
 * A tiny element builder. Text from data files only ever reaches the page through `textContent`
 * or attribute setters, never through HTML parsing, so an item label like
 * `<img src=x onerror=alert(1)>` shows as text.
 */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Custom elements (e.g. @vscode-elements) by tag name. */
export function custom(tag: string, attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: HTMLElement, attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

function append(el: HTMLElement, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export { fmt } from './format';

/** A table's cells as CSV (RFC 4180 quoting), header rows included, as the user sees them. */
export function tableCsv(table: HTMLTableElement): string {
  const field = (t: string) => (/[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
  const lines: string[] = [];
  for (const row of table.rows) lines.push(Array.from(row.cells, (c) => field((c.textContent ?? '').trim())).join(','));
  return lines.join('\n') + '\n';
}
