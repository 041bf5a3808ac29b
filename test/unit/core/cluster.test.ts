import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterOrder } from '../../../src/core/stats/cluster';

test('clustering puts the items of each correlated block next to each other', () => {
  // Items 0, 2, 4 form one block, 1, 3 another; null = undefined correlation.
  const block = [0, 1, 0, 1, 0];
  const m = block.map((a, i) => block.map((b, j) => (i === j ? 1 : a === b ? 0.7 + 0.01 * (i + j) : i + j === 7 ? null : 0.05)));
  const order = clusterOrder(m);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  const pos = order.map((i) => block[i]);
  const switches = pos.slice(1).filter((b, k) => b !== pos[k]).length;
  assert.equal(switches, 1, `order ${order} splits a block`);
});
