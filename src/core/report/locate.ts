/**
 * Finding where an item is named in text files (a config, a codebook, the script or prompt
 * template that produced a run), so diagnostics land on the string literal `"Q46"` itself.
 */
import { LineIndex } from './line-index';

export interface TextLocation {
  line: number;
  column: number;
  endColumn: number;
}

/**
 * Every quoted occurrence ("ID", 'ID' or `ID`) of the given ids. Positions are 1-based and point
 * at the opening quote's next character, i.e. the id itself.
 */
export function findItemLiterals(text: string, ids: ReadonlySet<string>): Map<string, TextLocation[]> {
  const out = new Map<string, TextLocation[]>();
  const lines = new LineIndex(text);
  const re = /(["'`])([^"'`\r\n\\]{1,200})\1/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    // Every quote may open a literal: in `"Q1", "Q2"` the text `", "` between two literals also
    // looks like one, and must not swallow the quote that opens "Q2". So resume right after this
    // match's opening quote whatever it matched.
    re.lastIndex = m.index + 1;
    const id = m[2];
    if (!ids.has(id)) continue;
    const loc = lines.locate(m.index + 1);
    const list = out.get(id) ?? [];
    list.push({ line: loc.line, column: loc.column, endColumn: loc.column + id.length });
    out.set(id, list);
  }
  return out;
}
