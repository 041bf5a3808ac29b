import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseConfig, DEFAULTS, type EvaluationConfig, type ConfigLoadResult } from '../core/evaluate/config';
import { DEFAULT_THRESHOLDS, type ReportDiagnostic, type Thresholds } from '../core/report/model';
import type { PanelAlert } from '../protocol';
import { rankReferences, sameBytes, sniffTable, judgeReference, type ReferenceCandidate, type TableSniff } from './referenceChoice';

export const CONFIG_FILE = 'representativeness.json';
const REFERENCE_KEY = 'representativeness.referenceFile';
/** Set once "Save these choices" was offered in this workspace: it is not asked again. */
export const CONFIG_OFFERED_KEY = 'representativeness.configOffered';

type Location = { line: number; column: number; endColumn?: number };

/** What one "Evaluate" gesture evaluates, and which run it is about. */
export interface EvaluationTarget {
  config: EvaluationConfig;
  /** The config file this came from, when there is one (watched in live mode). */
  configUri?: vscode.Uri;
  /** The run the user pointed at, shown first in the panel (its problems alone in the Problems panel). */
  focusRun?: string;
  /** Where the config gives the runs, the reference and its weight: problems with them are reported there. */
  locations?: { runs: Record<string, Location>; reference?: Location; weight?: Location };
  /** Problems found before the evaluation (a configured run that is missing), reported with its result. */
  preflight?: ReportDiagnostic[];
  /** What the panel must say above the scores about this comparison (the reference is another run...). */
  alerts?: PanelAlert[];
  /** The same, found before the evaluation (a run left out); found again at each evaluation. */
  preflightAlerts?: PanelAlert[];
  /** Runs of the config left out because their file is missing (watched: their return is a change). */
  leftOut?: string[];
  /** Choices made without a config; offered to be saved as one after the evaluation succeeds. */
  proposal?: ProposedConfig;
}

/** Reference, weight and groups chosen without a config (to be written as representativeness.json). */
export interface ProposedConfig {
  reference: string;
  weight: string | null;
  groupBy: { reference: string; run: string } | null;
}

export class ConfigProblem extends Error {
  constructor(message: string, readonly diagnostics: ReportDiagnostic[]) {
    super(message);
  }
}

/** Thresholds from the user's settings; a config file's own thresholds take precedence. */
export function thresholdsFromSettings(scope?: vscode.Uri): Thresholds {
  const s = vscode.workspace.getConfiguration('representativeness.thresholds', scope);
  const out = { ...DEFAULT_THRESHOLDS };
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]) {
    const v = s.get<number>(key);
    if (typeof v === 'number' && v >= 0) out[key] = v;
  }
  return out;
}

export async function loadConfigFile(uri: vscode.Uri): Promise<ConfigLoadResult> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  const text = new TextDecoder('utf-8').decode(bytes);
  const result = parseConfig(text, uri.fsPath);
  if (result.config && !/"thresholds"\s*:/.test(text)) result.config.thresholds = thresholdsFromSettings(uri);
  return result;
}

async function findConfigs(): Promise<vscode.Uri[]> {
  return vscode.workspace.findFiles(`**/${CONFIG_FILE}`, '**/node_modules/**', 20);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

function rel(file: string): string {
  return vscode.workspace.asRelativePath(file);
}

/** Every file that is a run of some config of the workspace, with the run's name (configs that cannot be read are skipped). */
async function configuredRuns(configs: vscode.Uri[]): Promise<Map<string, string>> {
  const runs = new Map<string, string>();
  for (const c of configs) {
    try {
      const loaded = await loadConfigFile(c);
      for (const r of loaded.config?.runs ?? []) runs.set(r.path, r.name);
    } catch {
      // Unreadable: it names no run.
    }
  }
  return runs;
}

/**
 * Decides what to evaluate for a file the user pointed at:
 * - the config itself: every run in it;
 * - a run the config names: the config, with that run first;
 * - the config's reference: every run;
 * - another data file: that file as a new run against the configured reference;
 * - no config at all: ask for the reference file (the likeliest proposed, remembered per
 *   workspace; never another run without a loud warning) and offer to write a config.
 * Then checks what would make the scores mean nothing before anything is evaluated: a run that is
 * the reference (or the same data), a missing run or reference, a reference that is another run.
 */
export async function resolveTarget(uri: vscode.Uri, state: vscode.Memento): Promise<EvaluationTarget | undefined> {
  const configs = await findConfigs();
  // Prefer the config closest to the file (the deepest folder that contains it).
  const ranked = configs
    .filter((c) => uri.fsPath.startsWith(path.dirname(c.fsPath) + path.sep) || uri.fsPath === c.fsPath)
    .sort((a, b) => b.fsPath.length - a.fsPath.length);
  for (const configUri of ranked.length ? ranked : configs) {
    const loaded = await loadConfigFile(configUri);
    if (!loaded.config) throw new ConfigProblem(configProblemMessage(loaded.diagnostics), loaded.diagnostics);
    const config = loaded.config;
    const locations = { runs: loaded.runLocations, reference: loaded.referenceLocation, weight: loaded.weightLocation };
    let target: EvaluationTarget | undefined;
    if (uri.fsPath === configUri.fsPath || uri.fsPath === config.reference.path) target = { config, configUri, locations };
    else {
      const run = config.runs.find((r) => r.path === uri.fsPath);
      if (run) target = { config, configUri, locations, focusRun: run.name };
      else if (ranked.length) {
        const name = path.basename(uri.fsPath).replace(/\.[^.]+$/, '');
        target = { config: { ...config, runs: [{ name, path: uri.fsPath, producedBy: [] }] }, configUri, locations: { ...locations, runs: {} }, focusRun: name };
      }
    }
    if (target) return preflight(target, configs);
  }
  return askForReference(uri, state, configs);
}

/** The sentence an error notification gives for a config that cannot be used: its first problem, where it is. */
function configProblemMessage(diagnostics: ReportDiagnostic[]): string {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  if (!first) return `${CONFIG_FILE} cannot be used; see the Problems panel.`;
  const where = `${first.file ? rel(first.file) : CONFIG_FILE}${first.line ? `:${first.line}` : ''}${first.line && first.column ? `:${first.column}` : ''}`;
  return `${where}: ${first.message}`;
}

/**
 * Checks a configured target before it is evaluated. Runs that are missing, or that are the
 * reference itself (or its bytes), are left out and reported at their entry in the config; with no
 * run left the evaluation is refused. A reference that is a run of some config evaluates with a
 * warning the panel shows above the scores.
 */
/** `preflight` for a target made earlier (live mode): the checks again, on the files as they are now. */
export async function preflightTarget(target: EvaluationTarget): Promise<EvaluationTarget> {
  const base = { ...target, preflight: [], preflightAlerts: [], leftOut: [] };
  return preflight(base, await findConfigs());
}

async function preflight(target: EvaluationTarget, configs: vscode.Uri[]): Promise<EvaluationTarget> {
  const { config } = target;
  const configFile = target.configUri?.fsPath;
  const at = (loc: Location | undefined) => (configFile ? { file: configFile, line: loc?.line ?? 1, column: loc?.column ?? 1, endColumn: loc?.endColumn } : {});
  const problems: ReportDiagnostic[] = [];
  const alerts: PanelAlert[] = [];
  const leftOut: string[] = [];
  const ref = config.reference.path;
  if (!(await exists(ref))) {
    const d: ReportDiagnostic = { severity: 'error', code: 'reference.missing', message: `The reference file ${rel(ref)} does not exist (deleted or moved?): nothing can be evaluated.`, ...at(target.locations?.reference) };
    throw new ConfigProblem(d.message, [d]);
  }
  const kept = [];
  for (const run of config.runs) {
    const entry = at(target.locations?.runs[run.name]);
    const fallback = configFile ? entry : { file: run.path, line: 1, column: 1 };
    if (run.path === ref || (await sameBytes(run.path, ref))) {
      const what = run.path === ref ? 'is the reference file itself' : `has the same data as the reference ${rel(ref)}`;
      problems.push({ severity: 'error', code: 'run.same-as-reference', message: `Run "${run.name}" ${what}: a run compared with its own data scores 1.000 by construction and says nothing about representativeness. It was not evaluated.`, ...fallback });
      alerts.push({ severity: 'error', message: `Run "${run.name}" ${what}; it was not evaluated.` });
    } else if (!(await exists(run.path))) {
      leftOut.push(run.path);
      problems.push({ severity: 'error', code: 'run.missing', message: `Run "${run.name}": ${rel(run.path)} does not exist (deleted or moved?); it was not evaluated.`, ...(configFile ? entry : {}) });
      alerts.push({ severity: 'warning', message: `Run "${run.name}" was not evaluated: ${rel(run.path)} does not exist.` });
    } else kept.push(run);
  }
  if (!kept.length) throw new ConfigProblem(problems[0]?.message ?? `${CONFIG_FILE} names no run to evaluate.`, problems);
  // A run of this config that is the reference is reported above (not evaluated) already.
  const asRun = config.runs.some((r) => r.path === ref) ? undefined : (await configuredRuns(configs)).get(ref);
  if (asRun !== undefined) {
    const message = `The reference ${rel(ref)} is the model run "${asRun}" of a ${CONFIG_FILE}: these scores compare two runs, not a run with the human survey.`;
    problems.push({ severity: 'warning', code: 'reference.is-a-run', message, ...at(target.locations?.reference) });
    alerts.push({ severity: 'warning', message });
  }
  let focusRun = target.focusRun;
  if (focusRun && !kept.some((r) => r.name === focusRun)) focusRun = undefined;
  return { ...target, focusRun, config: { ...config, runs: kept }, preflight: problems, preflightAlerts: alerts, leftOut };
}

/**
 * No config: a quick pick of the workspace's data files with the likeliest reference first (a file
 * sharing the run's columns; with a survey weight before one without; the largest), the last used
 * reference first when it still fits, files that look like other runs apart with why, and files
 * that cannot be a reference (the run itself, the same data, empty files) left out.
 */
async function askForReference(uri: vscode.Uri, state: vscode.Memento, configs: vscode.Uri[]): Promise<EvaluationTarget | undefined> {
  const runSniff = await sniffTable(uri.fsPath);
  const remembered = state.get<string>(REFERENCE_KEY);
  type Pick = vscode.QuickPickItem & { candidate?: ReferenceCandidate; browse?: boolean };
  let judged: ReferenceCandidate[] = [];
  const items = (async (): Promise<Pick[]> => {
    const files = await vscode.workspace.findFiles('**/*.{csv,tsv,jsonl,json,parquet,sav,zsav,dta}', '{**/node_modules/**,**/.vscode-test/**}', 500);
    const paths = files.map((f) => f.fsPath).filter((p) => path.basename(p) !== CONFIG_FILE);
    const sniffs: TableSniff[] = [];
    // A few at a time: 500 files are read in well under a second, without 500 open handles.
    for (let k = 0; k < paths.length; k += 16) sniffs.push(...(await Promise.all(paths.slice(k, k + 16).map((p) => sniffTable(p)))));
    const sameAsRun = new Set<string>();
    for (const s of sniffs) if (s.path !== uri.fsPath && s.size === runSniff.size && (await sameBytes(s.path, uri.fsPath))) sameAsRun.add(s.path);
    judged = rankReferences(runSniff, sniffs, { configuredRuns: await configuredRuns(configs), sameAsRun });
    const usable = judged.filter((c) => c.verdict !== 'excluded');
    // The last used reference comes first when it still fits.
    const last = usable.find((c) => c.path === remembered && c.verdict !== 'run-like');
    const ordered = last ? [last, ...usable.filter((c) => c !== last)] : usable;
    const out: Pick[] = [];
    let section = '';
    for (const c of ordered) {
      const heading = c.verdict === 'run-like' ? 'Model runs, not references' : c === ordered[0] ? '' : 'Other data files';
      if (heading && heading !== section) out.push({ label: heading, kind: vscode.QuickPickItemKind.Separator });
      section = heading || section;
      const tag = c === last ? 'last used reference' : c.verdict === 'proposed' ? 'proposed' : '';
      const detail = c.verdict === 'run-like' ? `$(warning) Another run: ${c.reasons.join('; ')}` : [tag, ...c.reasons].filter(Boolean).join(' · ');
      out.push({ label: path.basename(c.path), description: rel(c.path), detail, candidate: c });
    }
    out.push({ label: 'Browse…', browse: true, alwaysShow: true, detail: 'A file outside this list (e.g. the survey as downloaded)' });
    return out;
  })();
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Evaluate Representativeness: choose the human reference survey',
    placeHolder: `Reference data to compare ${path.basename(uri.fsPath)} with (e.g. the World Values Survey file)`,
    matchOnDescription: true,
    matchOnDetail: false,
  });
  if (!pick) return undefined;
  let candidate = pick.candidate;
  if (pick.browse) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use as reference', filters: { 'Survey data': ['csv', 'tsv', 'jsonl', 'json', 'parquet', 'sav', 'zsav', 'dta'] } });
    const file = chosen?.[0]?.fsPath;
    if (!file) return undefined;
    const sameAsRun = file !== uri.fsPath && (await sameBytes(file, uri.fsPath)) ? new Set([file]) : new Set<string>();
    candidate = judged.find((c) => c.path === file) ?? judgeReference(runSniff, await sniffTable(file), { configuredRuns: await configuredRuns(configs), sameAsRun });
  }
  if (!candidate) return undefined;
  const runName = path.basename(uri.fsPath);
  const refName = path.basename(candidate.path);
  const alerts: PanelAlert[] = [];
  if (candidate.verdict === 'excluded') {
    // The run itself, the same bytes, an empty file: refused, there is nothing to compare.
    await vscode.window.showErrorMessage(
      `${refName} cannot be the reference of ${runName}: ${candidate.reasons.join('; ')}.`,
      { modal: true, detail: 'A run compared with its own data scores 1.000 by construction, above the human ceiling; it says nothing about representativeness. Choose the human survey (e.g. the World Values Survey file).' },
    );
    return undefined;
  }
  if (candidate.verdict === 'run-like') {
    const compare = 'Compare Anyway';
    const answer = await vscode.window.showWarningMessage(
      `${refName} looks like another model run, not a human reference survey: ${candidate.reasons.join('; ')}.`,
      { modal: true, detail: `Comparing ${runName} with it measures how alike two runs are, not how representative either is of a human population: scores near 1.000 would mean nothing. Choose the human survey instead unless that is what you want.` },
      compare,
    );
    if (answer !== compare) return undefined;
    alerts.push({ severity: 'warning', message: `The reference ${rel(candidate.path)} looks like another model run (${candidate.reasons.join('; ')}): these scores compare two runs, not ${runName} with a human survey.` });
  } else await state.update(REFERENCE_KEY, candidate.path);
  const name = runName.replace(/\.[^.]+$/, '');
  const config: EvaluationConfig = {
    configPath: null,
    reference: { path: candidate.path, ...(candidate.weight ? { weight: candidate.weight } : {}) },
    runs: [{ name, path: uri.fsPath, producedBy: [] }],
    groups: {},
    ...(candidate.groupBy ? { groupBy: candidate.groupBy } : {}),
    association: [...DEFAULTS.association],
    thresholds: thresholdsFromSettings(uri),
    bootstrap: DEFAULTS.bootstrap,
    polychoricBootstrap: DEFAULTS.polychoricBootstrap,
    permutations: DEFAULTS.permutations,
    seed: DEFAULTS.seed,
    dontKnow: 'missing',
  };
  const proposal = candidate.verdict === 'run-like' ? undefined : { reference: candidate.path, weight: candidate.weight, groupBy: candidate.groupBy };
  return { config, focusRun: name, alerts, proposal };
}

/** "reference.csv, weight W_WEIGHT, groups B_COUNTRY_ALPHA ↔ persona_country": the choices in words. */
export function describeProposal(p: ProposedConfig): string {
  return [`reference ${rel(p.reference)}`, p.weight ? `weight ${p.weight}` : 'no weight', p.groupBy ? `groups ${p.groupBy.reference} ↔ ${p.groupBy.run}` : 'no groups'].join(', ');
}

/**
 * Offers (once per workspace) to save the choices made without a config as representativeness.json
 * next to the run's workspace folder, so the next evaluation needs no questions. Never replaces a
 * file.
 */
export async function offerToWriteConfig(target: EvaluationTarget, runUri: vscode.Uri, state: vscode.Memento, openBeside: () => vscode.ViewColumn): Promise<void> {
  const proposal = target.proposal;
  if (!proposal || state.get<boolean>(CONFIG_OFFERED_KEY)) return;
  await state.update(CONFIG_OFFERED_KEY, true);
  const folder = vscode.workspace.getWorkspaceFolder(runUri)?.uri ?? vscode.Uri.file(path.dirname(runUri.fsPath));
  const file = vscode.Uri.joinPath(folder, CONFIG_FILE);
  const answer = await vscode.window.showInformationMessage(`Save these choices (${describeProposal(proposal)}) as ${rel(file.fsPath)}?`, 'Write Config', 'Not Now');
  if (answer !== 'Write Config') return;
  if (await exists(file.fsPath)) {
    void vscode.window.showWarningMessage(`${rel(file.fsPath)} already exists; it was left as it is.`);
    return;
  }
  const config = target.config;
  const relPath = (p: string) => path.relative(folder.fsPath, p).split(path.sep).join('/');
  const json = {
    reference: { path: relPath(proposal.reference), ...(proposal.weight ? { weight: proposal.weight } : {}) },
    runs: config.runs.map((r) => ({ name: r.name, path: relPath(r.path) })),
    ...(proposal.groupBy ? { groupBy: proposal.groupBy } : {}),
    association: config.association,
    bootstrap: config.bootstrap,
    seed: config.seed,
  };
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'));
  await vscode.window.showTextDocument(file, { preview: false, viewColumn: openBeside() });
}
