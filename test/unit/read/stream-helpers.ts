// Shared by the streaming tests: temporary files, diagnostics by code, the InputError of a read.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../../src/core/report/diagnostics';
import type { ReadResult } from '../../../src/core/read/index';

const root = path.resolve(__dirname, '../../../..');
export const fixture = (name: string) => path.join(root, 'test/fixtures/read', name);

/** Writes test files into one temporary folder, each under a fresh name. */
export function tempWriter(prefix: string): (name: string, content: string | Uint8Array) => string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let counter = 0;
  return (name, content) => {
    const p = path.join(tmp, `${counter++}-${name}`);
    fs.writeFileSync(p, content);
    return p;
  };
}

export const byCode = (r: ReadResult, code: string) => r.diagnostics.filter((d) => d.code === code);

/** The InputError a read ends with (the test fails if it ends otherwise). */
export async function errorOf(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the read to fail');
}
