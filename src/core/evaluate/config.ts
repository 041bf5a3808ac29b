/**
 * `representativeness.json`: what to evaluate. Parsed with positions (jsonc-parser) so every
 * problem in it is reported at its line and column, and so editors can put diagnostics and
 * CodeLenses on the entry of a run or an item.
 */
import { parseTree, findNodeAtLocation, type Node, type ParseError } from 'jsonc-parser';
import * as path from 'node:path';
import type { InputDiagnostic } from '../report/diagnostics';
import { jsonSyntaxProblem } from '../read/codebook';
import { LineIndex } from '../report/line-index';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../report/model';
import { CULTURAL_MAP_INDICATORS } from '../read/presets/cultural-map-wvs7';

export type AssociationChoice = 'pearson' | 'spearman' | 'polychoric' | 'cramer';
export const ASSOCIATION_CHOICES: readonly AssociationChoice[] = ['pearson', 'spearman', 'polychoric', 'cramer'];

export interface SourceOptions {
  /** Absolute path of the data file. */
  path: string;
  format?: 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'spss' | 'stata';
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
  /**
   * The Inglehart-Welzel cultural map's indicator columns (`culturalMap.items`): per indicator id a
   * column name (single-column indicators), an object of part -> column (autonomy: independence,
   * determination, religiousFaith, obedience; postmaterialism: first, second), or null to leave it
   * out; unnamed indicators take the wvs7 preset's columns. `enabled: false` turns the map off.
   */
  culturalMap?: { enabled: boolean; items: Record<string, Record<string, string> | null> };
  /** Factors of the item-level factor analysis; default: the reference's parallel analysis. */
  factors?: number;
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
  /**
   * Where the reference is given (its `path` value, or the string when "reference" is a path) and
   * where its `weight` value is: problems with them (a missing file, a weight the file lacks)
   * belong there, not at the data file's first line.
   */
  referenceLocation?: { line: number; column: number; endColumn?: number };
  weightLocation?: { line: number; column: number; endColumn?: number };
}


/** Parse and validate a config text. `file` is its path (relative paths in it resolve from its folder). */
export function parseConfig(text: string, file: string): ConfigLoadResult {
  const diagnostics: InputDiagnostic[] = [];
  const lines = new LineIndex(text);
  const at = (node: Node | undefined) => (node ? lines.locate(node.offset) : { line: 1, column: 1 });
  /** Where a node is, with its end when it is on one line (a value, a key). */
  const span = (node: Node | undefined) => {
    const loc = at(node);
    return { ...loc, endColumn: node && node.length < 200 && !text.slice(node.offset, node.offset + node.length).includes('\n') ? loc.column + node.length : undefined };
  };
  const problem = (node: Node | undefined, code: string, message: string, severity: 'error' | 'warning' = 'error') => {
    diagnostics.push({ severity, code, message, file, ...span(node) });
  };
  const result: ConfigLoadResult = { config: null, diagnostics, runLocations: {}, itemLocations: {} };

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  // The first error only: the parser recovers by guessing, and what follows a mistake is mostly
  // its echo (one missing comma can give three "errors").
  for (const e of errors.slice(0, 1)) {
    const loc = lines.locate(e.offset);
    diagnostics.push({
      severity: 'error',
      code: 'config.syntax',
      message: `The configuration is not valid JSON: ${jsonSyntaxProblem(e.error)}.`,
      file,
      line: loc.line,
      column: loc.column,
      ...(e.length > 0 && e.length < 200 ? { endColumn: loc.column + e.length } : {}),
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
      if (['csv', 'tsv', 'jsonl', 'json', 'parquet', 'spss', 'stata'].includes(String(fmt.value))) out.format = fmt.value;
      else problem(fmt, 'config.value', `${where}.format must be one of csv, tsv, jsonl, json, parquet, spss, stata.`);
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

  known(root, ['$schema', 'reference', 'runs', 'items', 'groups', 'groupBy', 'groupLevelNominal', 'association', 'thresholds', 'bootstrap', 'polychoricBootstrap', 'permutations', 'seed', 'dontKnow', 'maxMemoryMB', 'culturalMap', 'factors'], 'the configuration');

  const refNode = findNodeAtLocation(root, ['reference']);
  let reference: ReferenceConfig | null = null;
  if (!refNode) problem(root, 'config.missing-key', 'The configuration needs a "reference": the human survey to compare with.');
  else if (refNode.type === 'string') {
    reference = { path: resolve(String(refNode.value)) };
    result.referenceLocation = span(refNode);
  }
  else if (refNode.type !== 'object') problem(refNode, 'config.type', '"reference" must be a path or an object with "path".');
  else {
    known(refNode, ['path', 'format', 'layout', 'long', 'preset', 'codebook', 'weight', 'missing'], '"reference"');
    const src = source(refNode, 'reference');
    if (src) {
      reference = { ...src };
      result.referenceLocation = span(findNodeAtLocation(refNode, ['path']));
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
        result.weightLocation = span(w);
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

  const culturalMap = parseCulturalMap(findNodeAtLocation(root, ['culturalMap']), problem, known);
  const factorsNode = findNodeAtLocation(root, ['factors']);
  const factors = factorsNode ? int('factors', 0, 1) || undefined : undefined;

  if (reference && !diagnostics.some((d) => d.severity === 'error')) {
    result.config = { configPath: path.resolve(file), reference, runs, items, groups, groupBy, ...(groupLevelNominal ? { groupLevelNominal } : {}), association, thresholds, bootstrap, polychoricBootstrap, permutations, seed, dontKnow, ...(maxMemoryMB !== undefined ? { maxMemoryMB } : {}), ...(culturalMap ? { culturalMap } : {}), ...(factors !== undefined ? { factors } : {}) };
  }
  return result;
}

/**
 * `culturalMap`: false, or { "enabled"?: boolean, "items"?: { indicator id: column | { part: column } | null } },
 * each problem at its node.
 */
function parseCulturalMap(
  node: Node | undefined,
  problem: (node: Node | undefined, code: string, message: string, severity?: 'error' | 'warning') => void,
  known: (node: Node, allowed: string[], where: string) => void,
): EvaluationConfig['culturalMap'] | undefined {
  if (!node) return undefined;
  if (node.type === 'boolean') return { enabled: node.value === true, items: {} };
  if (node.type !== 'object') {
    problem(node, 'config.type', '"culturalMap" must be false or an object with "items", e.g. { "items": { "god": "F063" } }.');
    return undefined;
  }
  known(node, ['enabled', 'items'], '"culturalMap"');
  const out: NonNullable<EvaluationConfig['culturalMap']> = { enabled: true, items: {} };
  const enabled = findNodeAtLocation(node, ['enabled']);
  if (enabled) {
    if (enabled.type === 'boolean') out.enabled = enabled.value === true;
    else problem(enabled, 'config.type', 'culturalMap.enabled must be true or false.');
  }
  const items = findNodeAtLocation(node, ['items']);
  if (!items) return out;
  if (items.type !== 'object') {
    problem(items, 'config.type', 'culturalMap.items must map indicator ids to columns.');
    return out;
  }
  const ids = CULTURAL_MAP_INDICATORS.map((d) => d.id as string);
  for (const prop of items.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (!k || !v) continue;
    const id = String(k.value);
    const def = CULTURAL_MAP_INDICATORS.find((d) => d.id === id);
    if (!def) {
      problem(k, 'config.unknown-key', `Unknown cultural-map indicator "${id}"; expected one of ${ids.join(', ')}.`);
      continue;
    }
    const where = `culturalMap.items.${id}`;
    if (v.type === 'null') out.items[id] = null;
    else if (v.type === 'string' && String(v.value).trim() && def.parts.length === 1) out.items[id] = { column: String(v.value) };
    else if (v.type === 'object') {
      const parts: Record<string, string> = {};
      let ok = true;
      for (const part of def.parts) {
        const c = findNodeAtLocation(v, [part]);
        if (c && c.type === 'string' && String(c.value).trim()) parts[part] = String(c.value);
        else {
          ok = false;
          problem(c ?? v, 'config.value', `${where} needs a column name for "${part}" (its parts: ${def.parts.join(', ')}).`);
        }
      }
      known(v, [...def.parts], where);
      if (ok) out.items[id] = parts;
    } else if (def.parts.length > 1) problem(v, 'config.type', `${where} must be an object naming the columns of ${def.parts.join(', ')}, or null.`);
    else problem(v, 'config.type', `${where} must be a column name, { "column": NAME } or null.`);
  }
  return out;
}

/**
 * A weight the reference lacks is a mistake in the config (a typo, most often): the reader reports
 * it at the reference's first line, where nothing can be fixed. With a config, it goes to the
 * config's "weight" value instead, naming the file it is missing from.
 */
export function relocateConfigProblems<T extends InputDiagnostic>(
  diagnostics: T[],
  referencePath: string,
  configPath: string | undefined,
  weight: { line: number; column: number; endColumn?: number } | undefined,
): T[] {
  if (!configPath || !weight) return diagnostics;
  return diagnostics.map((d) => {
    if (d.code !== 'data.unknown-weight' || d.file !== referencePath) return d;
    return {
      ...d,
      message: d.message.replace('is not in the file', `is not in ${path.basename(referencePath)}`),
      file: configPath,
      line: weight.line,
      column: weight.column,
      endColumn: weight.endColumn,
    };
  });
}
