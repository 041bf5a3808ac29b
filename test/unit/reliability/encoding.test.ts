/**
 * Text that is not UTF-8, found by the delimited scanner: reported once per file, at the first such
 * byte of a field that is read, also after line breaks inside quotes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDelimited } from '../../../src/core/read/formats/delimited';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('a Latin-1 byte in a quoted field after a line break inside it: located on its own line', () => {
  const { problems } = parseDelimited(bytes('a,b\n1,"x\ny', [0xe8], 'z"\n2,', [0xe9], '\n'));
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.column]), [['csv.encoding', 3, 2]]);
  assert.match(problems[0].message, /0xE8.*Latin-1/);
});

test('a Latin-1 byte after multi-byte characters: the column counts characters, not bytes', () => {
  const { problems } = parseDelimited(bytes('q\n"é😀', [0xe8], '"\n'));
  // "é" is one UTF-16 unit, "😀" two, after the quote at column 1.
  assert.deepEqual(problems.map((p) => [p.line, p.column]), [[2, 5]]);
});

test('valid UTF-8, including U+FFFD written as UTF-8, is not reported', () => {
  assert.deepEqual(parseDelimited(bytes('a,b\n"\uFFFD",é😀\n')).problems, []);
});

test('NUL bytes: reported once, at the first', () => {
  const { problems } = parseDelimited(bytes('a,b\n1,x', [0], 'y\n2,', [0], '\n'));
  assert.deepEqual(problems.map((p) => [p.code, p.line, p.column]), [['csv.encoding', 2, 4]]);
  assert.match(problems[0].message, /NUL byte/);
});
