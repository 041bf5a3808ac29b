/**
 * `representativeness.json`: what to evaluate. Parsed with positions (jsonc-parser) so every
 * problem in it is reported at its line and column, and so editors can put diagnostics and
 * CodeLenses on the entry of a run or an item.
 */
import { parseTree, findNodeAtLocation, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import * as path from 'node:path';
import type { InputDiagnostic } from '../report/diagnostics';
import { LineIndex } from '../report/line-index';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../report/model';

export type AssociationChoice = 'pearson' | 'spearman' | 'polychoric' | 'cramer';
export const ASSOCIATION_CHOICES: readonly AssociationChoice[] = ['pearson', 'spearman', 'polychoric', 'cramer'];

export interface SourceOptions {
  /** Absolute path of the data file. */
  path: string;
  format?: 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet';
  layout?: 'wide' | 'long' | 'distribution';
  /** Column names of a long layout. */
  long?: { respondent: string; item: string; answer: string };
}

export interface ReferenceConfig extends SourceOptions {
  preset?: 'wvs7';
  /** Absolute path of a codebook JSON file. */
  codebook?: string;
  /** Survey weight column; null for unweighted. */
  weight?: string | null;
  /** Which raw codes mean "missing" when no codebook says so: all negative codes, or a list. */
  missing?: 'negative' | number[];
}

export interface RunConfig extends SourceOptions {
  name: string;
  /** Scripts or prompt templates that produced the run (absolute paths), for diagnostics. */
  producedBy: string[];
}

export interface EvaluationConfig {
  /** Absolute path of the config file, or null when built from command-line flags. */
  configPath: string | null;
  reference: ReferenceConfig;
  runs: RunConfig[];
  /** Items to evaluate; default: every item the reference and the run share. */
  items?: string[];
  /**
   * Named subgroups, each a filter on the reference's columns and one on the run's (the same
   * expression when the config gives a string), e.g. `B_COUNTRY_ALPHA in [DEU]` and
   * `persona_country = DEU`. Groups may overlap.
   */
  groups: Record<string, { reference: string; run: string }>;
  /**
   * Group-level structure: the reference column whose values define the groups (e.g.
   * `B_COUNTRY_ALPHA`) and the run column that carries the same values (e.g. a persona column).
   */
  groupBy?: { reference: string; run: string };
  association: AssociationChoice[];
  /**
   * Nominal items to keep in the group-level structure (left out by default: the mean of unordered
   * codes means nothing), e.g. a yes/no item whose mean is the share of one answer.
   */
  groupLevelNominal?: string[];
  thresholds: Thresholds;
  bootstrap: number;
  /**
   * Bootstrap replicates for the polychoric structure interval (each refits every pair by maximum
   * likelihood); at most `bootstrap`. Default 50; 0: no polychoric interval.
   */
  polychoricBootstrap?: number;
  permutations: number;
  seed: number;
  dontKnow: 'missing' | 'category';
  /**
   * Memory a file's selected columns may take when read, in MB (10^6 bytes); default: the smaller
   * of the JavaScript heap limit and half the machine's memory. Past it a file is refused
   * (`file.too-large`) instead of exhausting memory.
   */
  maxMemoryMB?: number;
}

export const DEFAULTS = {
  association: ['pearson', 'spearman'] as AssociationChoice[],
  bootstrap: 200,
  polychoricBootstrap: 50,
  permutations: 999,
  seed: 1,
};

export interface ConfigLoadResult {
  config: EvaluationConfig | null;
  diagnostics: InputDiagnostic[];
  /** Where each run's entry starts in the config text (by run name), for CodeLenses. */
  runLocations: Record<string, { line: number; column: number }>;
  /** Where each item id appears in the config's `items` list. */
  itemLocations: Record<string, { line: number; column: number; endColumn: number }>;
}


/** Parse and validate a config text. `file` is its path (relative paths in it resolve from its folder). */
export function parseConfig(text: string, file: string): ConfigLoadResult {
  const diagnostics: InputDiagnostic[] = [];
  const lines = new LineIndex(text);
  const at = (node: Node | undefined) => (node ? lines.locate(node.offset) : { line: 1, column: 1 });
  const problem = (node: Node | undefined, code: string, message: string, severity: 'error' | 'warning' = 'error') => {
    const loc = at(node);
    diagnostics.push({
      severity,
      code,
      message,
      file,
      line: loc.line,
      column: loc.column,
      endColumn: node && node.length < 200 && !text.slice(node.offset, node.offset + node.length).includes('\n') ? loc.column + node.length : undefined,
    });
  };
  const result: ConfigLoadResult = { config: null, diagnostics, runLocations: {}, itemLocations: {} };

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const e of errors) {
    const loc = lines.locate(e.offset);
    diagnostics.push({
      severity: 'error',
      code: 'config.syntax',
      message: `The configuration is not valid JSON: ${printParseErrorCode(e.error)}.`,
      file,
      line: loc.line,
      column: loc.column,
    });
  }
  if (!root || errors.length) return result;
  if (root.type !== 'object') {
    problem(root, 'config.shape', 'The configuration must be a JSON object with "reference" and "runs".');
    return result;
  }
  const dir = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(dir, p);

  const str = (node: Node | undefined, what: string): string | undefined => {
    if (!node) return undefined;
    if (node.type !== 'string' || !String(node.value).trim()) {
      problem(node, 'config.type', `${what} must be a non-empty string.`);
      return undefined;
    }
    return String(node.value);
  };
  const known = (node: Node, allowed: string[], where: string) => {
    for (const prop of node.children ?? []) {
      const key = prop.children?.[0];
      if (key && !allowed.includes(String(key.value))) {
        problem(key, 'config.unknown-key', `Unknown setting "${key.value}" in ${where}; expected one of ${allowed.join(', ')}.`, 'warning');
      }
    }
  };
  const source = (node: Node, where: string): SourceOptions | null => {
    const p = str(findNodeAtLocation(node, ['path']), `${where}.path`);
    if (!p) {
      if (!findNodeAtLocation(node, ['path'])) problem(node, 'config.missing-key', `${where} needs a "path" to a data file.`);
      return null;
    }
    const out: SourceOptions = { path: resolve(p) };
    const fmt = findNodeAtLocation(node, ['format']);
    if (fmt) {
      if (['csv', 'tsv', 'jsonl', 'json', 'parquet'].includes(String(fmt.value))) out.format = fmt.value;
      else problem(fmt, 'config.value', `${where}.format must be one of csv, tsv, jsonl, json, parquet.`);
    }
    const layout = findNodeAtLocation(node, ['layout']);
    if (layout) {
      if (['wide', 'long', 'distribution'].includes(String(layout.value))) out.layout = layout.value;
      else problem(layout, 'config.value', `${where}.layout must be one of wide, long, distribution.`);
    }
    const long = findNodeAtLocation(node, ['long']);
    if (long) {
      const r = str(findNodeAtLocation(long, ['respondent']), `${where}.long.respondent`);
      const i = str(findNodeAtLocation(long, ['item']), `${where}.long.item`);
      const a = str(findNodeAtLocation(long, ['answer']), `${where}.long.answer`);
      if (r && i && a) out.long = { respondent: r, item: i, answer: a };
      else problem(long, 'config.value', `${where}.long needs "respondent", "item" and "answer" column names.`);
    }
    return out;
  };

  known(root, ['$schema', 'reference', 'runs', 'items', 'groups', 'groupBy', 'groupLevelNominal', 'association', 'thresholds', 'bootstrap', 'polychoricBootstrap', 'permutations', 'seed', 'dontKnow', 'maxMemoryMB'], 'the configuration');

  const refNode = findNodeAtLocation(root, ['reference']);
  let reference: ReferenceConfig | null = null;
  if (!refNode) problem(root, 'config.missing-key', 'The configuration needs a "reference": the human survey to compare with.');
  else if (refNode.type === 'string') reference = { path: resolve(String(refNode.value)) };
  else if (refNode.type !== 'object') problem(refNode, 'config.type', '"reference" must be a path or an object with "path".');
  else {
    known(refNode, ['path', 'format', 'layout', 'long', 'preset', 'codebook', 'weight', 'missing'], '"reference"');
    const src = source(refNode, 'reference');
    if (src) {
      reference = { ...src };
      const preset = findNodeAtLocation(refNode, ['preset']);
      if (preset) {
        if (preset.value === 'wvs7') reference.preset = 'wvs7';
        else problem(preset, 'config.value', 'reference.preset must be "wvs7" (World Values Survey wave 7).');
      }
      const cb = str(findNodeAtLocation(refNode, ['codebook']), 'reference.codebook');
      if (cb) reference.codebook = resolve(cb);
      const w = findNodeAtLocation(refNode, ['weight']);
      if (w) {
        if (w.type === 'null') reference.weight = null;
        else reference.weight = str(w, 'reference.weight');
      }
      const miss = findNodeAtLocation(refNode, ['missing']);
      if (miss) {
        if (miss.value === 'negative') reference.missing = 'negative';
        else if (miss.type === 'array' && miss.children?.every((c) => c.type === 'number')) reference.missing = miss.children.map((c) => Number(c.value));
        else problem(miss, 'config.value', 'reference.missing must be "negative" or a list of numeric codes.');
      }
    }
  }

  const runsNode = findNodeAtLocation(root, ['runs']);
  const runs: RunConfig[] = [];
  if (!runsNode) problem(root, 'config.missing-key', 'The configuration needs "runs": a list of model runs to evaluate.');
  else if (runsNode.type !== 'array') problem(runsNode, 'config.type', '"runs" must be a list.');
  else {
    const names = new Set<string>();
    for (const [k, rn] of (runsNode.children ?? []).entries()) {
      const where = `runs[${k}]`;
      let run: RunConfig | null = null;
      if (rn.type === 'string') {
        const p = String(rn.value);
        run = { name: path.basename(p).replace(/\.[^.]+$/, ''), path: resolve(p), producedBy: [] };
      } else if (rn.type === 'object') {
        known(rn, ['name', 'path', 'format', 'layout', 'long', 'producedBy'], where);
        const src = source(rn, where);
        if (src) {
          const name = str(findNodeAtLocation(rn, ['name']), `${where}.name`) ?? path.basename(src.path).replace(/\.[^.]+$/, '');
          const prod = findNodeAtLocation(rn, ['producedBy']);
          const producedBy: string[] = [];
          if (prod) {
            const list = prod.type === 'array' ? prod.children ?? [] : [prod];
            for (const p of list) {
              const s = str(p, `${where}.producedBy`);
              if (s) producedBy.push(resolve(s));
            }
          }
          run = { ...src, name, producedBy };
        }
      } else problem(rn, 'config.type', `${where} must be a path or an object with "path".`);
      if (run) {
        if (names.has(run.name)) {
          problem(rn, 'config.duplicate-run', `Two runs are named "${run.name}"; give each run its own "name".`);
          continue;
        }
        names.add(run.name);
        runs.push(run);
        result.runLocations[run.name] = at(rn);
      }
    }
  }

  let items: string[] | undefined;
  const itemsNode = findNodeAtLocation(root, ['items']);
  if (itemsNode) {
    if (itemsNode.type !== 'array') problem(itemsNode, 'config.type', '"items" must be a list of item ids.');
    else {
      items = [];
      for (const c of itemsNode.children ?? []) {
        const s = str(c, 'items[]');
        if (s) {
          items.push(s);
          const loc = at(c);
          result.itemLocations[s] = { ...loc, endColumn: loc.column + c.length };
        }
      }
    }
  }

  const groups: Record<string, { reference: string; run: string }> = {};
  const groupsNode = findNodeAtLocation(root, ['groups']);
  if (groupsNode) {
    if (groupsNode.type !== 'object') problem(groupsNode, 'config.type', '"groups" must map group names to filters, e.g. { "Germany": "B_COUNTRY_ALPHA in [DEU]" }.');
    else
      for (const prop of groupsNode.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || !v) continue;
        if (v.type === 'object') {
          const r = str(findNodeAtLocation(v, ['reference']), `groups.${k.value}.reference`);
          const u = str(findNodeAtLocation(v, ['run']), `groups.${k.value}.run`);
          if (r && u) groups[String(k.value)] = { reference: r, run: u };
          else problem(v, 'config.value', `groups.${k.value} needs a "reference" and a "run" filter.`);
        } else {
          const s = str(v, `groups.${k.value}`);
          if (s) groups[String(k.value)] = { reference: s, run: s };
        }
      }
  }

  let groupBy: EvaluationConfig['groupBy'];
  const gbNode = findNodeAtLocation(root, ['groupBy']);
  if (gbNode) {
    if (gbNode.type === 'string' && String(gbNode.value).trim()) groupBy = { reference: String(gbNode.value), run: String(gbNode.value) };
    else if (gbNode.type === 'object') {
      const r = str(findNodeAtLocation(gbNode, ['reference']), 'groupBy.reference');
      const u = str(findNodeAtLocation(gbNode, ['run']), 'groupBy.run');
      if (r && u) groupBy = { reference: r, run: u };
      else problem(gbNode, 'config.value', '"groupBy" needs "reference" and "run" column names, e.g. { "reference": "B_COUNTRY_ALPHA", "run": "persona_country" }.');
    } else problem(gbNode, 'config.type', '"groupBy" must be a column name or { "reference": COLUMN, "run": COLUMN }.');
  }

  let groupLevelNominal: string[] | undefined;
  const glnNode = findNodeAtLocation(root, ['groupLevelNominal']);
  if (glnNode) {
    if (glnNode.type !== 'array') problem(glnNode, 'config.type', '"groupLevelNominal" must be a list of item ids, e.g. ["Q57"]: the nominal items to keep in the group-level structure.');
    else {
      groupLevelNominal = [];
      for (const c of glnNode.children ?? []) {
        const s = str(c, 'groupLevelNominal[]');
        if (s) groupLevelNominal.push(s);
      }
    }
  }

  let association = [...DEFAULTS.association];
  const assocNode = findNodeAtLocation(root, ['association']);
  if (assocNode) {
    const list = assocNode.type === 'array' ? assocNode.children ?? [] : [assocNode];
    const chosen: AssociationChoice[] = [];
    for (const c of list) {
      if (ASSOCIATION_CHOICES.includes(c.value)) chosen.push(c.value);
      else problem(c, 'config.value', `Unknown association measure ${JSON.stringify(c.value)}; expected one of ${ASSOCIATION_CHOICES.join(', ')}.`);
    }
    association = chosen;
  }

  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS };
  const thrNode = findNodeAtLocation(root, ['thresholds']);
  if (thrNode) {
    known(thrNode, Object.keys(DEFAULT_THRESHOLDS), '"thresholds"');
    for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]) {
      const n = findNodeAtLocation(thrNode, [key]);
      if (!n) continue;
      if (n.type === 'number' && n.value >= 0) thresholds[key] = n.value;
      else problem(n, 'config.value', `thresholds.${key} must be a number >= 0.`);
    }
  }

  const int = (key: string, def: number, min: number): number => {
    const n = findNodeAtLocation(root, [key]);
    if (!n) return def;
    if (n.type === 'number' && Number.isInteger(n.value) && n.value >= min) return n.value;
    problem(n, 'config.value', `"${key}" must be a whole number >= ${min}.`);
    return def;
  };
  const bootstrap = int('bootstrap', DEFAULTS.bootstrap, 0);
  const polychoricBootstrap = int('polychoricBootstrap', DEFAULTS.polychoricBootstrap, 0);
  const permutations = int('permutations', DEFAULTS.permutations, 0);
  const seed = int('seed', DEFAULTS.seed, 0);
  const maxMemory = findNodeAtLocation(root, ['maxMemoryMB']);
  let maxMemoryMB: number | undefined;
  if (maxMemory) {
    if (maxMemory.type === 'number' && maxMemory.value > 0) maxMemoryMB = maxMemory.value;
    else problem(maxMemory, 'config.value', '"maxMemoryMB" must be a positive number of megabytes.');
  }
  let dontKnow: 'missing' | 'category' = 'missing';
  const dk = findNodeAtLocation(root, ['dontKnow']);
  if (dk) {
    if (dk.value === 'missing' || dk.value === 'category') dontKnow = dk.value;
    else problem(dk, 'config.value', '"dontKnow" must be "missing" or "category".');
  }

  if (reference && !diagnostics.some((d) => d.severity === 'error')) {
    result.config = { configPath: path.resolve(file), reference, runs, items, groups, groupBy, ...(groupLevelNominal ? { groupLevelNominal } : {}), association, thresholds, bootstrap, polychoricBootstrap, permutations, seed, dontKnow, ...(maxMemoryMB !== undefined ? { maxMemoryMB } : {}) };
  }
  return result;
}
