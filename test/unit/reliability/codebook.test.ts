/**
 * Codebook files read with positions (parseCodebook): bad entries are located and left out, the
 * others kept, and nothing throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCodebook } from '../../../src/core/read/codebook';
import { LineIndex } from '../../../src/core/report/line-index';
import { CORPUS, assertLocated } from './corpus-helpers';

test('the corpus codebook reads to exactly its JSON', () => {
  const text = readFileSync(join(CORPUS, 'codebook.json'), 'utf8');
  const { items, diagnostics } = parseCodebook(text, 'codebook.json');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(items, (JSON.parse(text) as { items: unknown[] }).items);
});

test('a syntax error is located at the stray comma', () => {
  const file = join(CORPUS, 'codebook-syntax.json');
  const text = readFileSync(file, 'utf8');
  const { items, diagnostics } = parseCodebook(text, file);
  assert.equal(items, undefined);
  const at = new LineIndex(text).locate(text.indexOf('"Importance",,') + '"Importance",'.length);
  assert.equal(diagnostics.length, 1);
  assertLocated(diagnostics[0], file, { ...at });
  assert.equal(diagnostics[0].code, 'codebook.syntax');
});

/** Entry text, the property the problem is at (its value's first character), what the message names. */
const BAD: [string, string, string][] = [
  ['{"id":"Q1","type":"ordinal","codes":"abc"}', '"abc"', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[]}', '[]', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[1,2,2]}', '[1,2,2]', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[1,2.5]}', '[1,2.5]', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[1,2],"missing":7}', '7', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[1,2],"recode":"x"}', '"x"', 'Q1'],
  ['{"id":"Q1","type":"ordinal","codes":[1,2],"reverse":"yes"}', '"yes"', 'Q1'],
  ['{"id":"Q1","type":"weird","codes":[1,2]}', '"weird"', 'Q1'],
  ['{"id":"","type":"ordinal","codes":[1,2]}', '""', 'id'],
  ['{"id":7,"type":"ordinal","codes":[1,2]}', '7', 'id'],
  ['null', 'null', 'Entry 2'],
  ['3', '3', 'Entry 2'],
];

for (const [entry, at, names] of BAD) {
  test(`codebook entry ${entry}: located at ${at}, left out, the good entry kept`, () => {
    const good = '{"id":"Q2","type":"nominal","codes":[1,2,3]}';
    const text = `{\n  "items": [\n    ${good},\n    ${entry}\n  ]\n}\n`;
    const { items, diagnostics } = parseCodebook(text, 'cb.json');
    assert.deepEqual(items, [JSON.parse(good)]);
    assert.equal(diagnostics.length, 1, diagnostics.map((d) => d.message).join('\n'));
    const offset = text.indexOf(at, text.lastIndexOf(entry));
    assertLocated(diagnostics[0], 'cb.json', { ...new LineIndex(text).locate(offset), mentions: [names] });
  });
}

test('a repeated item: the first entry is used, the second located', () => {
  const text = '{"items":[{"id":"Q1","type":"ordinal","codes":[1,2]},\n{"id":"Q1","type":"ordinal","codes":[1,2,3]}]}';
  const { items, diagnostics } = parseCodebook(text, 'cb.json');
  assert.deepEqual(items!.map((i) => i.codes), [[1, 2]]);
  assert.deepEqual([diagnostics[0].line, diagnostics[0].column], [2, 7]);
});

test('a labels map with a non-string label is ignored with a warning, the item kept', () => {
  const { items, diagnostics } = parseCodebook('[{"id":"Q1","type":"ordinal","codes":[1,2],"labels":{"1":5}}]', 'cb.json');
  assert.deepEqual(items, [{ id: 'Q1', type: 'ordinal', codes: [1, 2] }]);
  assert.equal(diagnostics[0].severity, 'warning');
});

test('not a codebook at all: { "items": {} } and null', () => {
  for (const text of ['{"items":{}}', 'null', '"x"']) {
    const { items, diagnostics } = parseCodebook(text, 'cb.json');
    assert.equal(items, undefined, text);
    assert.equal(diagnostics[0].line, 1);
  }
});
