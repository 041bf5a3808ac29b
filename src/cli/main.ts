/**
 * `replens`: the command line over the same engine as the editor.
 *
 * Exit codes: 0 success, 1 a --fail-under gate failed, 2 bad input (a located message on stderr).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { writeTextFile } from './write-text';
import { diagnosticLines } from './diagnostic-lines';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ASSOCIATION_CHOICES, DEFAULTS, parseConfig, relocateConfigProblems, type AssociationChoice, type EvaluationConfig } from '../core/evaluate/config';
import { formatDiagnostic, InputError, type InputDiagnostic } from '../core/report/diagnostics';
import { evaluate, TOOL_VERSION } from '../core/evaluate/evaluate';
import { renderReport, reportJsonChunks, type ReportFormat } from '../core/report/render';
import { DEFAULT_THRESHOLDS, type EvaluationReport, type ValueWithCi, type Verdict } from '../core/report/model';
import { pText } from '../core/report/p-value';

const USAGE = `Usage:
  replens evaluate --reference FILE --run FILE [--run FILE ...] [options]
  replens evaluate --config representativeness.json [options]

Options:
  --config FILE          representativeness.json (reference, runs, items, groups, thresholds...)
  --reference FILE       the human reference survey (CSV, TSV, JSONL, JSON, Parquet, SPSS .sav/.zsav, Stata .dta)
  --run FILE             a model run; repeat for several runs (name = file name, or NAME=FILE)
  --codebook FILE        codebook JSON for the reference
  --preset wvs7          World Values Survey wave 7 conventions
  --items ID,ID,...      items to evaluate (default: all items shared by reference and run)
  --weight COL           survey weight column of the reference
  --group-by COL         group-level structure across the values of COL (REF_COL:RUN_COL when
                         the run names it differently, e.g. B_COUNTRY_ALPHA:persona_country)
  --group-level-nominal ID,ID,...
                         nominal items to keep in the group-level structure (left out by default)
  --association LIST     pearson,spearman,polychoric,cramer (default pearson,spearman)
  --bootstrap N          bootstrap replicates for confidence intervals (default ${DEFAULTS.bootstrap})
  --polychoric-bootstrap N
                         replicates of the polychoric structure interval, at most --bootstrap
                         (default ${DEFAULTS.polychoricBootstrap}; 0: none)
  --permutations N       Mantel permutations (default ${DEFAULTS.permutations})
  --seed N               random seed (default ${DEFAULTS.seed})
  --max-memory MB        memory one file's selected columns may take when read (default: the
                         smaller of the JavaScript heap limit and half the machine's memory)
  --format FMT           json | md | csv | html (default: json to stdout, or from --out's extension)
  --out PATH             write the report there and print a summary table to stdout
  --fail-under LIST      e.g. marginal=0.9,structure=0.5: exit 1 when a run's headline
                         (representativeness, first method's structure agreement) is below
  --quiet                no progress on stderr
  --verbose              every input problem on its own line (default: repeated warnings of one
                         file and code as one line at their first location; errors always each)
  --version, --help`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function parseFailUnder(s: string | undefined): { marginal?: number; structure?: number } {
  if (!s) return {};
  const out: { marginal?: number; structure?: number } = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=');
    const x = Number(v);
    if ((k !== 'marginal' && k !== 'structure') || v === undefined || !Number.isFinite(x)) fail(`--fail-under takes marginal=X,structure=Y; got "${part}"`);
    out[k] = x;
  }
  return out;
}

function writeDiagnostics(diagnostics: readonly InputDiagnostic[], verbose: boolean): void {
  for (const line of diagnosticLines(diagnostics, verbose)) process.stderr.write(line + '\n');
}

type Location = { line: number; column: number; endColumn?: number };

/** The evaluation config from the flags (and `--config`), with where the config names the weight. */
function buildConfig(values: Record<string, string | string[] | boolean | undefined>): { config: EvaluationConfig; weightLocation: Location | undefined } {
  let config: EvaluationConfig;
  let weightLocation: Location | undefined;
  const str = (k: string) => values[k] as string | undefined;
  if (str('config')) {
    const file = str('config')!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError({ code: 'config.unreadable', message: `Cannot read the configuration: ${(e as Error).message}`, file });
    }
    const parsed = parseConfig(text, file);
    writeDiagnostics(parsed.diagnostics, values.verbose === true);
    if (!parsed.config) throw new InputError({ ...(parsed.diagnostics.find((d) => d.severity === 'error') ?? { code: 'config.invalid', message: 'The configuration is not usable.', file }) });
    config = parsed.config;
    weightLocation = parsed.weightLocation;
  } else {
    if (!str('reference')) fail('--reference (or --config) is required');
    config = {
      configPath: null,
      reference: { path: path.resolve(str('reference')!) },
      runs: [],
      groups: {},
      association: [...DEFAULTS.association],
      thresholds: { ...DEFAULT_THRESHOLDS },
      bootstrap: DEFAULTS.bootstrap,
      polychoricBootstrap: DEFAULTS.polychoricBootstrap,
      permutations: DEFAULTS.permutations,
      seed: DEFAULTS.seed,
      dontKnow: 'missing',
    };
  }
  const runs = (values.run as string[] | undefined) ?? [];
  if (runs.length) {
    config.runs = runs.map((r) => {
      const m = /^([^=]+)=(.+)$/.exec(r);
      const file = m && !existsSync(r) ? m[2] : r;
      const name = m && !existsSync(r) ? m[1] : path.basename(file).replace(/\.[^.]+$/, '');
      return { name, path: path.resolve(file), producedBy: [] };
    });
  }
  if (!config.runs.length) fail('at least one --run (or runs in --config) is required');
  const names = new Set<string>();
  for (const r of config.runs) {
    if (names.has(r.name)) fail(`two runs are named "${r.name}": use NAME=FILE to tell them apart`);
    names.add(r.name);
  }
  if (str('codebook')) config.reference.codebook = path.resolve(str('codebook')!);
  if (str('preset')) {
    if (str('preset') !== 'wvs7') fail('--preset must be wvs7');
    config.reference.preset = 'wvs7';
  }
  if (str('weight')) {
    // The flag's value is the user's, not the config's: a typo in it is not located in the config.
    config.reference.weight = str('weight');
    weightLocation = undefined;
  }
  const groupBy = str('group-by');
  if (groupBy) {
    const [reference, run = reference] = groupBy.split(':').map((c) => c.trim());
    if (!reference || !run) fail('--group-by takes COLUMN or REFERENCE_COLUMN:RUN_COLUMN');
    config.groupBy = { reference, run };
  }
  if (str('items')) config.items = str('items')!.split(',').map((s) => s.trim()).filter(Boolean);
  if (str('group-level-nominal')) config.groupLevelNominal = str('group-level-nominal')!.split(',').map((s) => s.trim()).filter(Boolean);
  if (str('association')) {
    const list = str('association')!.split(',').map((s) => s.trim());
    for (const a of list) if (!ASSOCIATION_CHOICES.includes(a as AssociationChoice)) fail(`unknown --association "${a}"; choose from ${ASSOCIATION_CHOICES.join(', ')}`);
    config.association = list as AssociationChoice[];
  }
  const int = (k: string, min: number): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) fail(`--${k} must be a whole number >= ${min}`);
    return n;
  };
  config.bootstrap = int('bootstrap', 0) ?? config.bootstrap;
  config.polychoricBootstrap = int('polychoric-bootstrap', 0) ?? config.polychoricBootstrap;
  config.permutations = int('permutations', 0) ?? config.permutations;
  config.seed = int('seed', 0) ?? config.seed;
  const maxMemory = str('max-memory');
  if (maxMemory !== undefined) {
    const mb = Number(maxMemory);
    if (!(mb > 0)) fail('--max-memory must be a positive number of megabytes');
    config.maxMemoryMB = mb;
  }
  return { config, weightLocation };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function num(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : x.toFixed(3);
}

/** A verdict's code as a table cell. */
const VERDICT_CELL: Record<Verdict['code'], string> = { 'below-floor': 'BELOW FLOOR', 'at-floor': 'at floor', between: 'between', 'at-ceiling': 'at ceiling', undefined: 'undefined' };

function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`;
}

/**
 * The side-by-side summary a user reads in the terminal: each run's headlines (bias-corrected, with
 * their basic intervals and verdicts), the share of its answers that are not valid, then the floors
 * and ceilings as the population values the verdicts use, each run's verdicts and hints in words,
 * and warnings (a run compared with itself).
 */
export function summaryTable(report: EvaluationReport): string {
  const methods = [...new Set(report.runs.flatMap((r) => Object.keys(r.structure.individual)))];
  const head = ['run', 'respondents', 'invalid', 'representativeness [95% CI]', 'verdict', 'mean TVD', ...methods.flatMap((m) => [`structure ${m} [95% CI]`, 'verdict']), ...methods.map((m) => `RMSE ${m}`), 'weak items', ...latentHead(report)];
  const ci = (v: ValueWithCi | undefined) => (v ? (v.ci ? `${num(v.value)} [${num(v.ci.low)}, ${num(v.ci.high)}]` : num(v.value)) : 'n/a');
  const verdict = (v: ValueWithCi | undefined) => (v?.verdict ? VERDICT_CELL[v.verdict.code] : '');
  const rows = report.runs.map((r) => {
    const rep = r.marginal.summary.representativeness;
    return [
      r.name,
      String(r.respondents),
      percent(r.marginal.summary.invalidShare),
      ci(rep),
      verdict(rep),
      num(r.marginal.summary.meanTvd.value),
      ...methods.flatMap((m) => [ci(r.structure.individual[m]?.agreement), verdict(r.structure.individual[m]?.agreement)]),
      ...methods.map((m) => num(r.structure.individual[m]?.comparison.rmse ?? null)),
      String(r.weakItems.length),
      ...latentCells(report, r),
    ];
  });
  // Floors and ceilings: representativeness and structure as population values (what verdicts
  // compare with), mean TVD and RMSE as sample values at the first run's size.
  const floors = report.runs.slice(0, 1).flatMap((r) =>
    r.baselines.map((b) => [
      `(${b.name})`,
      '',
      '',
      num(b.population.representativeness),
      '',
      num(b.marginal.meanTvd),
      ...methods.flatMap((m) => [num(b.population.structure[m] ?? null), '']),
      ...methods.map((m) => num(b.structure[m]?.rmse ?? null)),
      '',
      ...latentBaselineCells(report, r, b.name),
    ]),
  );
  const all = [head, ...rows, ...floors];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const lines = all.map((r) => r.map((v, c) => pad(v, widths[c])).join('  ').trimEnd());
  lines.push('', 'Headlines estimate the run population\'s value (bias-corrected, basic 95% intervals); answers without a valid code count against the run. Floors and ceilings are population values; mean TVD and RMSE of the reference points are sample values.');
  for (const r of report.runs) {
    const said: string[] = [];
    const rep = r.marginal.summary.representativeness.verdict;
    if (rep) said.push(`representativeness ${rep.text}`);
    for (const m of methods) {
      const v = r.structure.individual[m]?.agreement.verdict;
      if (v) said.push(`structure (${m}) ${v.text}`);
    }
    const g = r.structure.group?.agreement.verdict;
    if (g) said.push(`group level ${g.text}`);
    const map = r.latent?.culturalMap?.agreement;
    if (map?.meanDistance.verdict) said.push(`map distance ${map.meanDistance.verdict.text}`);
    if (map?.procrustesVerdict && map.procrustes) {
      const nul = map.procrustesNull;
      said.push(`map shape ${map.procrustesVerdict.text}${nul ? ` (floor: groups permuted, mean ${num(nul.mean)}; ${pText(nul.p)})` : ''}`);
    }
    if (said.length) lines.push(`${r.name}: ${said.join('; ')}.`);
    for (const h of r.hints) lines.push(`  hint: ${h}`);
  }
  for (const d of report.diagnostics.filter((x) => x.code === 'reference.same-as-run')) lines.push(`WARNING: ${d.message}`);
  return lines.join('\n') + '\n';
}

/** Latent-structure columns of the summary: cultural-map mean distance and Procrustes correlation, factor congruence. */
function latentHead(report: EvaluationReport): string[] {
  return report.runs.some((r) => r.latent) ? ['map distance', 'map Procrustes r', 'factor congruence'] : [];
}

function latentCells(report: EvaluationReport, r: EvaluationReport['runs'][number]): string[] {
  if (!latentHead(report).length) return [];
  const map = r.latent?.culturalMap;
  const md = map?.agreement.meanDistance;
  // The map's distance is a sample value with the replicates' percentiles, which need not contain
  // it: written apart, never as "x [a, b]".
  return [map ? (md!.ci ? `${num(md!.value)} (pct ${num(md!.ci.low)}-${num(md!.ci.high)})` : num(md!.value)) : 'n/a', num(map?.agreement.procrustes?.correlation ?? null), num(r.latent?.factors?.congruence.overall ?? null)];
}

/** The map's floor beside the independent-marginals row, its ceiling beside the human split-half row. */
function latentBaselineCells(report: EvaluationReport, r: EvaluationReport['runs'][number], baseline: string): string[] {
  if (!latentHead(report).length) return [];
  const map = r.latent?.culturalMap;
  // The Procrustes correlation's floor is not this row's: it is each run's permutation null (said under the table).
  if (map && baseline === 'independent-marginals') return [num(map.floor.meanDistance), '', ''];
  if (map && baseline === 'human-split-half') return [num(map.ceiling.meanDistance), num(map.ceiling.procrustesCorrelation), ''];
  return ['', '', ''];
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      reference: { type: 'string' },
      run: { type: 'string', multiple: true },
      codebook: { type: 'string' },
      preset: { type: 'string' },
      items: { type: 'string' },
      weight: { type: 'string' },
      'group-by': { type: 'string' },
      'group-level-nominal': { type: 'string' },
      association: { type: 'string' },
      bootstrap: { type: 'string' },
      permutations: { type: 'string' },
      'polychoric-bootstrap': { type: 'string' },
      seed: { type: 'string' },
      'max-memory': { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'fail-under': { type: 'string' },
      quiet: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.version) {
    process.stdout.write(`replens ${TOOL_VERSION}\n`);
    return 0;
  }
  if (values.help || !positionals.length) {
    process.stdout.write(USAGE + '\n');
    return positionals.length || values.help ? 0 : 2;
  }
  if (positionals[0] !== 'evaluate') fail(`unknown command "${positionals[0]}"`);
  const { config, weightLocation } = buildConfig(values);
  const out = values.out;
  let format = values.format as ReportFormat | undefined;
  if (!format && out) format = ({ '.json': 'json', '.md': 'md', '.csv': 'csv', '.html': 'html', '.htm': 'html' } as Record<string, ReportFormat>)[path.extname(out).toLowerCase()];
  format ??= 'json';
  if (!['json', 'md', 'csv', 'html'].includes(format)) fail(`--format must be json, md, csv or html`);
  const failUnder = parseFailUnder(values['fail-under']);

  if (out) {
    // The tool never writes over its inputs.
    const inputs = [config.reference.path, ...config.runs.map((r) => r.path), config.configPath, config.reference.codebook].filter((p): p is string => !!p);
    const real = (p: string) => (existsSync(p) ? realpathSync(p) : path.resolve(p));
    if (inputs.some((p) => real(p) === real(out))) fail(`--out ${out} is one of the input files; refusing to overwrite it`);
  }

  const quiet = values.quiet === true;
  let lastLine = '';
  const report = await evaluate(config, {
    onProgress: (message, fraction) => {
      if (quiet) return;
      const line = fraction === null ? message : `${message} ${Math.round(fraction * 100)}%`;
      if (line === lastLine) return;
      lastLine = line;
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
      else process.stderr.write(line + '\n');
    },
    // REPLENS_STAGE_TIMES=1: one `stage <name> <ms>` line per stage on stderr, for profiling;
    // REPLENS_STAGE_TIMES=alone: the same with every stage run alone (no overlap), to time each.
    onStage: process.env.REPLENS_STAGE_TIMES ? (stage, ms) => process.stderr.write(`stage\t${stage}\t${ms.toFixed(1)}\n`) : undefined,
    sequential: process.env.REPLENS_STAGE_TIMES === 'alone',
  });
  if (!quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  // A weight the reference lacks is the config's mistake: reported on its "weight" line.
  report.diagnostics = relocateConfigProblems(report.diagnostics, config.reference.path, config.configPath ?? undefined, weightLocation);
  writeDiagnostics(report.diagnostics, values.verbose === true);
  // A run compared with its own data scores 1.000 everywhere: said again, last, where it is seen.
  for (const d of report.diagnostics.filter((x) => x.code === 'reference.same-as-run')) process.stderr.write(`replens: WARNING: ${d.message}\n`);

  const assets =
    format === 'html'
      ? { webviewJs: readFileSync(path.join(__dirname, 'webview.js'), 'utf8'), css: readFileSync(path.join(__dirname, '..', 'media', 'panel.css'), 'utf8') }
      : {};
  if (out) {
    // JSON in pieces: the whole text is never held (see writeTextFile).
    writeTextFile(out, format === 'json' ? reportJsonChunks(report) : [renderReport(report, format, assets)]);
    process.stdout.write(summaryTable(report));
    process.stdout.write(`\nReport written to ${out}\n`);
  } else process.stdout.write(renderReport(report, format, assets));

  // Results computed without the weight the user asked for are not what was asked: the report is
  // written (its notes say so) but the exit code says bad input, so CI cannot pass on them.
  let code = 0;
  const unweighted = report.diagnostics.find((d) => d.code === 'data.unknown-weight');
  if (unweighted) {
    process.stderr.write(`replens: the weight was not applied (${unweighted.file ? `${unweighted.file}${unweighted.line ? `:${unweighted.line}:${unweighted.column ?? 1}` : ''}` : 'see above'}): exit 2\n`);
    code = 2;
  }
  // The gates read the headlines (invalid answers counted, bias-corrected), as the table shows them.
  for (const run of report.runs) {
    const m = run.marginal.summary.representativeness.value;
    if (failUnder.marginal !== undefined && (m === null || m < failUnder.marginal)) {
      process.stderr.write(`fail-under: run ${run.name} marginal representativeness ${num(m)} < ${failUnder.marginal}\n`);
      code = Math.max(code, 1);
    }
    const s = Object.values(run.structure.individual)[0]?.agreement.value ?? null;
    if (failUnder.structure !== undefined && (s === null || s < failUnder.structure)) {
      process.stderr.write(`fail-under: run ${run.name} structure agreement ${num(s)} < ${failUnder.structure}\n`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputError) process.stderr.write(formatDiagnostic(e.diagnostic) + '\n');
    else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) process.stderr.write(`replens: ${(e as Error).message}\n\n${USAGE}\n`);
    else {
      process.stderr.write(`replens: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 3;
      return;
    }
    process.exitCode = 2;
  },
);
