/**
 * The pure parts of an exported chart image (no DOM, unit-tested): wrapping its title to the
 * image's width, and writing its title and legend into the PNG file as text metadata (iTXt
 * chunks, UTF-8), so a figure saved from the panel says what it shows even to tools that only
 * read the file.
 */

/**
 * Greedy word wrap of `text` to lines at most `maxWidth` wide as `measure` measures them; a word
 * wider than a line on its own is cut with an ellipsis. At most `maxLines` lines: the last one
 * ends with an ellipsis when text was left out.
 */
export function wrapLines(text: string, maxWidth: number, measure: (s: string) => number, maxLines = 3): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  const fit = (s: string): string => {
    if (measure(s) <= maxWidth) return s;
    const chars = Array.from(s);
    while (chars.length > 1 && measure(`${chars.join('')}…`) > maxWidth) chars.pop();
    return `${chars.join('')}…`;
  };
  for (const w of words) {
    const candidate = line ? `${line} ${w}` : w;
    if (measure(candidate) <= maxWidth) line = candidate;
    else {
      if (line) lines.push(line);
      line = fit(w);
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = fit(`${kept[maxLines - 1].replace(/…$/, '')}…`);
  return kept;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, the PNG chunk checksum). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** An iTXt chunk (uncompressed UTF-8 text; the keyword is Latin-1, 1-79 characters). */
function itxtChunk(keyword: string, text: string): Uint8Array {
  const enc = new TextEncoder();
  const key = Array.from(keyword.slice(0, 79), (ch) => ch.charCodeAt(0) & 0xff);
  const body = enc.encode(text);
  // keyword \0, compression flag 0, method 0, language tag "" \0, translated keyword "" \0, text.
  const data = new Uint8Array(key.length + 5 + body.length);
  data.set(key, 0);
  data.set(body, key.length + 5);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set([0x69, 0x54, 0x58, 0x74], 4); // "iTXt"
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk, 4, 8 + data.length));
  return chunk;
}

/**
 * `png` with one iTXt chunk per entry inserted right after its IHDR chunk (standard keywords:
 * "Title", "Description", "Software"). Throws when `png` is not a PNG file.
 */
export function pngWithText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  if (png.length < 33 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG file');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const ihdrEnd = 8 + 12 + view.getUint32(8);
  const chunks = Object.entries(entries).map(([k, v]) => itxtChunk(k, v));
  const extra = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(png.length + extra);
  out.set(png.subarray(0, ihdrEnd), 0);
  let at = ihdrEnd;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(ihdrEnd), at);
  return out;
}

/** The iTXt and tEXt entries of a PNG file (to check what an export carries). */
export function pngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const dec = new TextDecoder();
  for (let at = 8; at + 12 <= png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'tEXt' || type === 'iTXt') {
      const zero = data.indexOf(0);
      const key = String.fromCharCode(...data.subarray(0, zero));
      if (type === 'tEXt') out[key] = String.fromCharCode(...data.subarray(zero + 1));
      else if (data[zero + 1] === 0) {
        // Skip compression flag and method, then the language tag and the translated keyword.
        let p = zero + 3;
        p = data.indexOf(0, p) + 1;
        p = data.indexOf(0, p) + 1;
        out[key] = dec.decode(data.subarray(p));
      }
    }
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return out;
}
