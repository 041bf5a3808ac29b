// The extension as VS Code sees it: present, activates, and registers its command.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

import { EXTENSION_ID } from './workspace';

suite('Activation', () => {
  test('the extension is present', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is not among the loaded extensions`);
  });

  test('the extension activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('Evaluate Representativeness is a registered command', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    // Only commands with a handler are listed: a contributed title alone does not count.
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('representativeness.evaluate'), 'representativeness.evaluate is not registered');
  });
});
