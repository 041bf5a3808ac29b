/**
 * The codebook: what each survey item is and how its raw answers map to ordered categories.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from '../report/line-index';
import type { InputDiagnostic } from '../report/diagnostics';
export type ItemType = 'ordinal' | 'nominal';

/**
 * What a JSON syntax error means, in words (jsonc-parser names them `PropertyNameExpected` and the
 * like): what is expected at the error's position, and the usual cause.
 */
export function jsonSyntaxProblem(code: ParseError['error']): string {
  switch (printParseErrorCode(code)) {
    case 'InvalidSymbol':
      return 'this is not a JSON value (text must be in double quotes; true, false and null are lower case)';
    case 'InvalidNumberFormat':
      return 'this number is not written as JSON writes numbers (e.g. 0.5, not .5 or 05)';
    case 'PropertyNameExpected':
      return 'a property name is expected here (in double quotes, e.g. "weight"; or remove the extra comma)';
    case 'ValueExpected':
      return 'a value is expected here (or remove the extra comma)';
    case 'ColonExpected':
      return 'a colon (:) is expected here, after the property name';
    case 'CommaExpected':
      return 'a comma is expected here, between two entries';
    case 'CloseBraceExpected':
      return 'a closing brace } is expected here';
    case 'CloseBracketExpected':
      return 'a closing bracket ] is expected here';
    case 'EndOfFileExpected':
      return 'the JSON value ended before this point: remove the text after it, or wrap both in one object or list';
    case 'InvalidCommentToken':
      return 'this comment is not valid';
    case 'UnexpectedEndOfComment':
      return 'this comment is never closed (*/ is missing)';
    case 'UnexpectedEndOfString':
      return 'this text is never closed (its closing double quote is missing)';
    case 'UnexpectedEndOfNumber':
      return 'this number ends too early';
    case 'InvalidUnicode':
      return 'this \\u escape is not four hexadecimal digits';
    case 'InvalidEscapeCharacter':
      return 'this backslash escape is not valid in JSON (write \\\\ for a backslash)';
    case 'InvalidCharacter':
      return 'this character is not allowed inside a JSON string (write a line break as \\n and a tab as \\t)';
    default:
      return 'the text cannot be read as JSON here';
  }
}

export interface ItemCodebook {
  /** Column name / item id, e.g. `Q46`. */
  id: string;
  /** Question wording or short label. */
  label?: string;
  /** Topic the item belongs to, e.g. `Happiness`; used for topic-level structure. */
  topic?: string;
  type: ItemType;
  /**
   * Valid answer codes in scale order (after recoding and reverse coding). For ordinal items the
   * numeric value of a code is its position on the scale; Wasserstein distances and correlations
   * use these values, and the range is `max(codes) - min(codes)`.
   */
  codes: number[];
  /** Answer labels by code (after recoding), e.g. `{ "1": "Very important" }`. */
  labels?: Record<string, string>;
  /** Raw codes that mean "missing" (WVS: all negative codes). Answers not valid and not missing are invalid. */
  missing?: number[];
  /**
   * Every negative raw code that is not a valid code is missing, listed in `missing` or not (the
   * WVS convention). Inferred for an item whose reference file writes its missing answers as
   * Stata's extended missing values `.a`-`.z` when negative codes are missing (the default, the
   * wvs7 preset, `"missing": "negative"`): a run's -1 "don't know" is then missing, as it is
   * against the same data with -1..-5 as codes (docs/configuration.md, "Missing answers").
   */
  negativeMissing?: boolean;
  /** Raw code -> code, applied before validation, e.g. WVS Q56 swaps 2 and 3: `{ "2": 3, "3": 2 }`. */
  recode?: Record<string, number>;
  /** Reverse the scale: code c becomes min + max - c (applied after `recode`). */
  reverse?: boolean;
}

/**
 * Where each item's codes start when per-code values of items with `k[i]` codes are laid end to end
 * (item i at offsets[i] .. offsets[i + 1]; offsets[k.length], the total).
 */
export function codeOffsets(k: ArrayLike<number>): Int32Array {
  const offsets = new Int32Array(k.length + 1);
  for (let i = 0; i < k.length; i++) offsets[i + 1] = offsets[i] + k[i];
  return offsets;
}

/** Scale range used to normalise distances and scale means to 0..1; 0 for a one-code item. */
export function itemRange(item: Pick<ItemCodebook, 'codes'>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of item.codes) {
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  return item.codes.length ? hi - lo : 0;
}

/**
 * Reads a codebook file's text (`{ "items": [...] }`, as schemas/codebook.schema.json describes, or a
 * bare array of items) with positions, so every problem is reported where it is: a syntax error at
 * its offset, a bad entry at the entry or the property. Entries that cannot be used (no id, codes
 * that are not a list of distinct integers, ...) are left out and reported; the others are kept.
 * Never throws. `items` is undefined when the file cannot be used at all.
 */
export function parseCodebook(text: string, file: string): { items: ItemCodebook[] | undefined; diagnostics: InputDiagnostic[] } {
  const diagnostics: InputDiagnostic[] = [];
  const lines = new LineIndex(text);
  const problem = (node: Node | undefined, message: string, severity: 'error' | 'warning' = 'error') => {
    const at = lines.locate(node?.offset ?? 0);
    diagnostics.push({ severity, code: 'codebook.invalid', message, file, line: at.line, column: at.column });
  };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (errors.length) {
    const e = errors[0];
    const at = lines.locate(e.offset);
    diagnostics.push({ severity: 'error', code: 'codebook.syntax', message: `The codebook is not valid JSON: ${jsonSyntaxProblem(e.error)}.`, file, line: at.line, column: at.column, ...(e.length > 0 && e.length < 200 ? { endColumn: at.column + e.length } : {}) });
    return { items: undefined, diagnostics };
  }
  const list = root?.type === 'array' ? root : root?.type === 'object' ? findNodeAtLocation(root, ['items']) : undefined;
  if (!list || list.type !== 'array') {
    problem(list ?? root, 'A codebook must be { "items": [ ... ] }: a list of items, each with "id", "type" and "codes".');
    return { items: undefined, diagnostics };
  }
  const items: ItemCodebook[] = [];
  const seen = new Set<string>();
  const integers = (node: Node | undefined): number[] | null =>
    node?.type === 'array' && node.children!.every((c) => c.type === 'number' && Number.isSafeInteger(c.value)) ? node.children!.map((c) => c.value as number) : null;
  const codeMap = <T>(node: Node | undefined, ok: (v: Node) => boolean): Record<string, T> | null => {
    if (node?.type !== 'object') return null;
    const out: Record<string, T> = {};
    for (const p of node.children ?? []) {
      const [k, v] = p.children ?? [];
      if (!k || !v || !/^-?\d+$/.test(String(k.value)) || !ok(v)) return null;
      out[String(k.value)] = v.value as T;
    }
    return out;
  };
  for (const [i, node] of (list.children ?? []).entries()) {
    if (node.type !== 'object') {
      problem(node, `Entry ${i + 1} of the codebook is not an object with "id", "type" and "codes"; it was left out.`);
      continue;
    }
    const idNode = findNodeAtLocation(node, ['id']);
    const id = idNode?.type === 'string' ? String(idNode.value).trim() : '';
    if (!id) {
      problem(idNode ?? node, `Entry ${i + 1} of the codebook has no "id" (a non-empty string naming the item's column); it was left out.`);
      continue;
    }
    if (seen.has(id)) {
      problem(idNode, `Item "${id}" is in the codebook twice; only the first entry is used.`);
      continue;
    }
    const typeNode = findNodeAtLocation(node, ['type']);
    if (typeNode?.value !== 'ordinal' && typeNode?.value !== 'nominal') {
      problem(typeNode ?? node, `Item "${id}" needs "type": "ordinal" or "nominal"; it was left out.`);
      continue;
    }
    const codesNode = findNodeAtLocation(node, ['codes']);
    const codes = integers(codesNode);
    if (!codes || codes.length === 0 || new Set(codes).size !== codes.length) {
      problem(codesNode ?? node, `Item "${id}" needs "codes": a non-empty list of distinct whole numbers, its valid answers in scale order; it was left out.`);
      continue;
    }
    const item: ItemCodebook = { id, type: typeNode.value, codes };
    let usable = true;
    for (const key of ['label', 'topic'] as const) {
      const n = findNodeAtLocation(node, [key]);
      if (n === undefined) continue;
      if (n.type === 'string') item[key] = n.value;
      else problem(n, `The "${key}" of item "${id}" must be a string; it was ignored.`, 'warning');
    }
    const labelsNode = findNodeAtLocation(node, ['labels']);
    if (labelsNode) {
      const labels = codeMap<string>(labelsNode, (v) => v.type === 'string');
      if (labels) item.labels = labels;
      else problem(labelsNode, `The "labels" of item "${id}" must map codes to strings, e.g. { "1": "Agree" }; they were ignored.`, 'warning');
    }
    const missingNode = findNodeAtLocation(node, ['missing']);
    if (missingNode) {
      const missing = integers(missingNode);
      if (missing) item.missing = missing;
      else {
        problem(missingNode, `The "missing" codes of item "${id}" must be a list of whole numbers; the item was left out.`);
        usable = false;
      }
    }
    const recodeNode = findNodeAtLocation(node, ['recode']);
    if (recodeNode) {
      const recode = codeMap<number>(recodeNode, (v) => v.type === 'number' && Number.isSafeInteger(v.value));
      if (recode) item.recode = recode;
      else {
        problem(recodeNode, `The "recode" of item "${id}" must map codes to whole numbers, e.g. { "2": 3, "3": 2 }; the item was left out.`);
        usable = false;
      }
    }
    const negativeNode = findNodeAtLocation(node, ['negativeMissing']);
    if (negativeNode) {
      if (negativeNode.type === 'boolean') {
        if (negativeNode.value) item.negativeMissing = true;
      } else problem(negativeNode, `"negativeMissing" of item "${id}" must be true or false; it was ignored.`, 'warning');
    }
    const reverseNode = findNodeAtLocation(node, ['reverse']);
    if (reverseNode) {
      if (reverseNode.type === 'boolean') item.reverse = reverseNode.value;
      else {
        problem(reverseNode, `"reverse" of item "${id}" must be true or false; the item was left out.`);
        usable = false;
      }
    }
    if (!usable) continue;
    seen.add(id);
    items.push(item);
  }
  return { items, diagnostics };
}
