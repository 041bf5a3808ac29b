import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { crc32, pngText, pngWithText, wrapLines } from '../../../webview/export-layout';

test('CRC-32 of the check string (ISO 3309)', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

/** A valid 1x1 PNG written here (signature, IHDR, IDAT, IEND). */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 1);
  new DataView(ihdr.buffer).setUint32(4, 1);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const idat = new Uint8Array(deflateSync(Buffer.from([0, 255, 0, 0, 255])));
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('an exported PNG carries its title and legend as UTF-8 text chunks with valid checksums', () => {
  const png = tinyPng();
  const out = pngWithText(png, { Title: 'Difference (model − human): pearson correlations', Description: 'Colours stretched to ±0.047' });
  assert.deepEqual(pngText(out), { Title: 'Difference (model − human): pearson correlations', Description: 'Colours stretched to ±0.047' });
  // Every chunk's CRC is right, and the image chunks are untouched.
  const view = new DataView(out.buffer);
  const types: string[] = [];
  for (let at = 8; at < out.length; ) {
    const len = view.getUint32(at);
    types.push(String.fromCharCode(...out.subarray(at + 4, at + 8)));
    assert.equal(view.getUint32(at + 8 + len), crc32(out, at + 4, at + 8 + len));
    at += 12 + len;
  }
  assert.deepEqual(types, ['IHDR', 'iTXt', 'iTXt', 'IDAT', 'IEND']);
  assert.throws(() => pngWithText(new Uint8Array(40), {}), /not a PNG/);
});

test('titles wrap to the image width, at most the given lines, an ellipsis when cut', () => {
  const measure = (s: string) => s.length * 10;
  assert.deepEqual(wrapLines('Q164: Importance of God', 1000, measure), ['Q164: Importance of God']);
  assert.deepEqual(wrapLines('one two three four', 90, measure), ['one two', 'three', 'four']);
  const cut = wrapLines('aaaa bbbb cccc dddd eeee', 90, measure, 2);
  assert.equal(cut.length, 2);
  assert.ok(cut[1].endsWith('…'));
  for (const l of cut) assert.ok(measure(l) <= 90, l);
  assert.deepEqual(wrapLines('averyveryverylongword', 60, measure), ['avery…']);
});
