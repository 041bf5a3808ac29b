/**
 * Shared by the reliability tests: the corpus of bad inputs (test/fixtures/reliability, made by
 * generate.mjs), its manifest of where each problem was put, and checks that a reader or an
 * evaluation failed only the way a user can act on.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemCodebook } from '../../../src/core/read/codebook';
import { InputError, type InputDiagnostic } from '../../../src/core/report/diagnostics';
import { parseConfig, type EvaluationConfig } from '../../../src/core/evaluate/config';

export const CORPUS = 'test/fixtures/reliability';
export const ITEMS = ['Q1', 'Q2', 'Q3', 'Q4'];

/** What generate.mjs says about each file: the class of damage and where it put it. */
export interface Expectation {
  class: string;
  code?: string;
  line?: number;
  column?: number;
  item?: string;
  rows?: number;
  skipped?: number;
  invalid?: number;
  mentions?: string[];
  also?: { code: string; line?: number; column?: number; item?: string }[];
  [key: string]: unknown;
}

export function manifest(dir = CORPUS): Record<string, Expectation> {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, Expectation>;
}

export function codebookOf(name = 'codebook.json'): ItemCodebook[] {
  return (JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as { items: ItemCodebook[] }).items;
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Runs `work`, which may only succeed or throw an InputError; checks the file it reads is byte for
 * byte the same afterwards. Returns the value or the InputError.
 */
export async function guarded<T>(paths: string[], work: () => Promise<T>): Promise<{ value?: T; error?: InputError }> {
  const before = paths.map(sha256);
  let out: { value?: T; error?: InputError };
  try {
    out = { value: await work() };
  } catch (e) {
    if (!(e instanceof InputError)) assert.fail(`expected a result or an InputError, got ${(e as Error)?.stack ?? String(e)}`);
    out = { error: e };
  }
  assert.deepEqual(paths.map(sha256), before, 'an input file changed while it was read');
  return out;
}

/** The first diagnostic with `code`, failing with the list when there is none. */
export function find(diagnostics: InputDiagnostic[], code: string, where?: { item?: string; line?: number }): InputDiagnostic {
  const d = diagnostics.find((x) => x.code === code && (where?.item === undefined || x.item === where.item) && (where?.line === undefined || x.line === where.line));
  assert.ok(d, `no ${code}${where?.item ? ` for ${where.item}` : ''} among:\n${diagnostics.map((x) => `  ${x.code} ${x.line}:${x.column} ${x.message.slice(0, 120)}`).join('\n')}`);
  return d;
}

/** The diagnostic is in `file` at exactly `line`:`column`, and its message is a readable sentence naming what it is about. */
export function assertLocated(d: InputDiagnostic, file: string, exp: { line?: number; column?: number; item?: string; mentions?: string[] }): void {
  assert.equal(d.file, file, `${d.code}: file`);
  if (exp.line !== undefined) assert.equal(d.line, exp.line, `${d.code}: line`);
  if (exp.column !== undefined) assert.equal(d.column, exp.column, `${d.code}: column`);
  assertReadable(d);
  if (exp.item) assert.ok(d.message.includes(exp.item), `${d.code}: the message names ${exp.item}: ${d.message}`);
  for (const m of exp.mentions ?? []) assert.ok(d.message.includes(m), `${d.code}: the message mentions ${m}: ${d.message}`);
}

/** A message a person can read: a sentence, not a stack trace or a megabyte of cell. */
export function assertReadable(d: InputDiagnostic): void {
  assert.ok(d.message.length >= 10 && d.message.length <= 600, `${d.code}: message of ${d.message.length} characters`);
  assert.ok(!/\bat .+:\d+:\d+\)/.test(d.message), `${d.code}: no stack trace in the message`);
  // Quoted cell values ("NaN") may say anything; the sentence around them may not.
  const prose = d.message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  assert.ok(!/undefined|NaN|\[object /.test(prose), `${d.code}: no undefined/NaN/[object] in: ${d.message}`);
}

/** Every located diagnostic is inside the file: 1 <= line <= lines, column >= 1. */
export function assertInside(diagnostics: InputDiagnostic[], lineCount: number): void {
  for (const d of diagnostics) {
    if (d.line === undefined) continue;
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount, `${d.code}: line ${d.line} of ${lineCount}`);
    if (d.column !== undefined) assert.ok(Number.isInteger(d.column) && d.column >= 1, `${d.code}: column ${d.column}`);
  }
}

/** Lines of a text as the readers count them (LF, CRLF and lone CR end a line). */
export function lineCount(text: string): number {
  return text.split(/\r\n|\n|\r/).length;
}

/** A config over the corpus: the small reference with its codebook and weight, and the given runs. */
export function corpusConfig(runs: (string | { path: string; name?: string; layout?: string })[], reference: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): EvaluationConfig {
  const text = JSON.stringify({
    reference: { path: 'reference.csv', codebook: 'codebook.json', weight: 'weight', ...reference },
    runs,
    bootstrap: 20,
    permutations: 19,
    seed: 3,
    ...extra,
  });
  const parsed = parseConfig(text, join(CORPUS, 'reliability.json'));
  assert.deepEqual(parsed.diagnostics, []);
  return parsed.config!;
}
