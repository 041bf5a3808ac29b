// UTF-16 files are decoded, chunk by chunk: the same data and the same located diagnostics as
// the file saved as UTF-8, whatever the chunk size (odd sizes split code units and surrogate pairs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSurvey } from '../../../src/core/read';
import { sniffUtf16 } from '../../../src/core/read/formats/encoding';

const TEXT = 'id,Q1,Q2,note\r\n1,1,4,Grüße\r\n2,2,3,"a ""quoted"", 😀 field"\r\n3,9,2,x\r\n4,3,1,€\r\n';

function utf16(text: string, be: boolean, bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  if (!be) return le;
  const out = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    out[i] = le[i + 1];
    out[i + 1] = le[i];
  }
  return out;
}

test('UTF-16 (LE/BE, with or without BOM) reads like its UTF-8 original at any chunk size', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-utf16-'));
  const utf8File = path.join(dir, 'utf8.csv');
  writeFileSync(utf8File, TEXT);
  const options = { items: ['Q1', 'Q2'], attributes: ['note'], codebook: [{ id: 'Q1', type: 'ordinal' as const, codes: [1, 2, 3] }, { id: 'Q2', type: 'ordinal' as const, codes: [1, 2, 3, 4] }] };
  const expected = await readSurvey(utf8File, options);
  const invalid = expected.diagnostics.find((d) => d.code === 'data.invalid-answer')!;
  assert.ok(invalid, 'the answer 9 is invalid');
  for (const be of [false, true]) {
    for (const bom of [true, false]) {
      const file = path.join(dir, `${be ? 'be' : 'le'}${bom ? '-bom' : ''}.csv`);
      writeFileSync(file, utf16(TEXT, be, bom));
      for (const chunkBytes of [3, 7, 64, 1 << 20]) {
        const r = await readSurvey(file, { ...options, chunkBytes });
        const where = `${path.basename(file)} chunk ${chunkBytes}`;
        assert.deepEqual(r.data!.columns.map((c) => Array.from(c.values)), expected.data!.columns.map((c) => Array.from(c.values)), where);
        assert.deepEqual(r.data!.attributes.get('note'), expected.data!.attributes.get('note'), where);
        const d = r.diagnostics.find((x) => x.code === 'data.invalid-answer')!;
        assert.deepEqual([d.line, d.column], [invalid.line, invalid.column], where);
        const enc = r.diagnostics.find((x) => x.code === 'csv.encoding')!;
        assert.match(enc.message, be ? /UTF-16 \(big-endian/ : /UTF-16 \(little-endian/, where);
      }
    }
  }
});

test('UTF-8 and Latin-1 text are not taken for UTF-16', () => {
  assert.equal(sniffUtf16(Buffer.from(TEXT)), null);
  assert.equal(sniffUtf16(Buffer.from('id;Q1\n1;Grüße\n', 'latin1')), null);
  assert.equal(sniffUtf16(Buffer.from([0, 0, 0, 0, 1, 2])), null, 'binary with NUL pairs');
});
