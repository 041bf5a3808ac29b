import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseConfig, DEFAULTS, type EvaluationConfig, type ConfigLoadResult } from '../core/evaluate/config';
import { editorColumnBesidePanel } from './panel';
import { DEFAULT_THRESHOLDS, type ReportDiagnostic, type Thresholds } from '../core/report/model';

export const CONFIG_FILE = 'representativeness.json';
const REFERENCE_KEY = 'representativeness.referenceFile';

/** What one "Evaluate" gesture evaluates, and which run it is about. */
export interface EvaluationTarget {
  config: EvaluationConfig;
  /** The config file this came from, when there is one (watched in live mode). */
  configUri?: vscode.Uri;
  /** The run the user pointed at, shown first in the panel. */
  focusRun?: string;
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

/**
 * Decides what to evaluate for a file the user pointed at:
 * - the config itself: every run in it;
 * - a run the config names: the config, with that run first;
 * - the config's reference: every run;
 * - another data file: that file as a new run against the configured reference;
 * - no config at all: ask for the reference file (remembered per workspace) and offer to write a config.
 */
export async function resolveTarget(uri: vscode.Uri, state: vscode.Memento): Promise<EvaluationTarget | undefined> {
  const configs = await findConfigs();
  // Prefer the config closest to the file (the deepest folder that contains it).
  const ranked = configs
    .filter((c) => uri.fsPath.startsWith(path.dirname(c.fsPath) + path.sep) || uri.fsPath === c.fsPath)
    .sort((a, b) => b.fsPath.length - a.fsPath.length);
  for (const configUri of ranked.length ? ranked : configs) {
    const loaded = await loadConfigFile(configUri);
    if (!loaded.config) throw new ConfigProblem(`${CONFIG_FILE} has problems; see the Problems panel.`, loaded.diagnostics);
    const config = loaded.config;
    if (uri.fsPath === configUri.fsPath || uri.fsPath === config.reference.path) return { config, configUri };
    const run = config.runs.find((r) => r.path === uri.fsPath);
    if (run) return { config, configUri, focusRun: run.name };
    if (ranked.length) {
      const name = path.basename(uri.fsPath).replace(/\.[^.]+$/, '');
      return { config: { ...config, runs: [{ name, path: uri.fsPath, producedBy: [] }] }, configUri, focusRun: name };
    }
  }
  return askForReference(uri, state);
}

async function askForReference(uri: vscode.Uri, state: vscode.Memento): Promise<EvaluationTarget | undefined> {
  const remembered = state.get<string>(REFERENCE_KEY);
  const candidates = await vscode.workspace.findFiles('**/*.{csv,tsv,jsonl,json,parquet,sav,zsav,dta}', '**/node_modules/**', 500);
  type Pick = vscode.QuickPickItem & { file?: string; browse?: boolean };
  const items: Pick[] = [];
  if (remembered && remembered !== uri.fsPath) items.push({ label: path.basename(remembered), description: vscode.workspace.asRelativePath(remembered), detail: 'last used reference', file: remembered });
  for (const c of candidates) {
    if (c.fsPath === uri.fsPath || c.fsPath === remembered || c.fsPath.endsWith(CONFIG_FILE)) continue;
    items.push({ label: path.basename(c.fsPath), description: vscode.workspace.asRelativePath(c), file: c.fsPath });
  }
  items.push({ label: 'Browse…', browse: true, alwaysShow: true });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Evaluate Representativeness: choose the human reference survey',
    placeHolder: `Reference data to compare ${path.basename(uri.fsPath)} with (e.g. the World Values Survey file)`,
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  let reference = pick.file;
  if (pick.browse) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use as reference', filters: { 'Survey data': ['csv', 'tsv', 'jsonl', 'json', 'parquet', 'sav', 'zsav', 'dta'] } });
    reference = chosen?.[0]?.fsPath;
  }
  if (!reference) return undefined;
  await state.update(REFERENCE_KEY, reference);
  const name = path.basename(uri.fsPath).replace(/\.[^.]+$/, '');
  const config: EvaluationConfig = {
    configPath: null,
    reference: { path: reference },
    runs: [{ name, path: uri.fsPath, producedBy: [] }],
    groups: {},
    association: [...DEFAULTS.association],
    thresholds: thresholdsFromSettings(uri),
    bootstrap: DEFAULTS.bootstrap,
    polychoricBootstrap: DEFAULTS.polychoricBootstrap,
    permutations: DEFAULTS.permutations,
    seed: DEFAULTS.seed,
    dontKnow: 'missing',
  };
  void offerToWriteConfig(config, uri);
  return { config, focusRun: name };
}

/** Offers to save the choices as a config next to the run, so the next evaluation needs no questions. */
async function offerToWriteConfig(config: EvaluationConfig, runUri: vscode.Uri): Promise<void> {
  const folder = vscode.workspace.getWorkspaceFolder(runUri)?.uri ?? vscode.Uri.file(path.dirname(runUri.fsPath));
  const target = vscode.Uri.joinPath(folder, CONFIG_FILE);
  const answer = await vscode.window.showInformationMessage(`Save these choices as ${vscode.workspace.asRelativePath(target)}?`, 'Write Config', 'Not Now');
  if (answer !== 'Write Config') return;
  try {
    await vscode.workspace.fs.stat(target);
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} already exists; it was left as it is.`);
    return;
  } catch {
    // Does not exist: safe to write.
  }
  const rel = (p: string) => path.relative(folder.fsPath, p).split(path.sep).join('/');
  const json = {
    reference: { path: rel(config.reference.path) },
    runs: config.runs.map((r) => ({ name: r.name, path: rel(r.path) })),
    association: config.association,
    bootstrap: config.bootstrap,
    seed: config.seed,
  };
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'));
  await vscode.window.showTextDocument(target, { preview: false, viewColumn: editorColumnBesidePanel() });
}
