import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeTextFile } from '../../../src/cli/write-text';

const dir = mkdtempSync(path.join(tmpdir(), 'replens-write-'));

test('a report written a slice at a time has the bytes writeFileSync writes, astral characters across slice ends included', () => {
  // "😀" is a surrogate pair; with chunks of 2 to 7 characters some slices would end between its halves.
  const text = `{"label": "a😀b\u00e9\u4e2d😀😀", "x": [1.5, null]}\n`.repeat(13);
  for (const chunk of [2, 3, 4, 5, 7, 1 << 20]) {
    const ours = path.join(dir, `ours-${chunk}.json`);
    const plain = path.join(dir, `plain-${chunk}.json`);
    writeTextFile(ours, [text], chunk);
    writeFileSync(plain, text);
    assert.deepEqual(readFileSync(ours), readFileSync(plain), `chunk ${chunk}`);
  }
  // A lone surrogate is written as writeFileSync writes it (a replacement character), not dropped.
  writeTextFile(path.join(dir, 'lone.txt'), ['a\ud800b'], 2);
  writeFileSync(path.join(dir, 'lone-plain.txt'), 'a\ud800b');
  assert.deepEqual(readFileSync(path.join(dir, 'lone.txt')), readFileSync(path.join(dir, 'lone-plain.txt')));
});

test('pieces short and long are written in their order, gathered or sliced', () => {
  const pieces = ['{', '"a": 1', ',', 'x'.repeat(23), '😀', 'é'.repeat(5), '', '}\n', '😀'.repeat(9)];
  for (const chunk of [2, 3, 8, 16, 64]) {
    const file = path.join(dir, `pieces-${chunk}.txt`);
    writeTextFile(file, pieces, chunk);
    assert.equal(readFileSync(file, 'utf8'), pieces.join(''), `chunk ${chunk}`);
  }
});

test('an empty text makes an empty file; a chunk below two characters is refused', () => {
  const file = path.join(dir, 'empty.json');
  writeTextFile(file, []);
  assert.equal(readFileSync(file).length, 0);
  writeTextFile(file, ['', '']);
  assert.equal(readFileSync(file).length, 0);
  assert.throws(() => writeTextFile(file, ['x'], 1), RangeError);
});
