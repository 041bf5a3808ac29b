// What the suite tests share: the extension under test and the test workspace's files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../../src/core/report/model';

export const EXTENSION_ID = 'representativeness-lens.representativeness-lens';

/** The extension's API (what `activate` returns); `T` narrows it for the tests that use more of it. */
export async function api<T = { lastReport(): EvaluationReport | undefined }>(): Promise<T> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return (await ext.activate()) as T;
}

/** A file of the open test workspace. */
export function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, rel);
}
