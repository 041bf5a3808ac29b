import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findItemLiterals } from '../../../src/core/report/locate';

test('every id of a quoted list is found, not every other one', () => {
  const found = findItemLiterals('ask("Q1", "Q2", \'Q3\', "Q4")', new Set(['Q1', 'Q2', 'Q3', 'Q4']));
  assert.deepEqual([...found.keys()], ['Q1', 'Q2', 'Q3', 'Q4']);
  assert.deepEqual(found.get('Q2'), [{ line: 1, column: 12, endColumn: 14 }]);
});

test('item ids are found as quoted literals only, at the id itself', () => {
  const text = 'items = ["Q1", \'Q46\']\n# Q46 in a comment is not a literal\nask(`Q1`) ; "Q10"\n"Q1""Q46"';
  const found = findItemLiterals(text, new Set(['Q1', 'Q46']));
  assert.deepEqual(found.get('Q1'), [
    { line: 1, column: 11, endColumn: 13 },
    { line: 3, column: 6, endColumn: 8 },
    { line: 4, column: 2, endColumn: 4 },
  ]);
  assert.deepEqual(found.get('Q46'), [
    { line: 1, column: 17, endColumn: 20 },
    { line: 4, column: 6, endColumn: 9 },
  ]);
});
