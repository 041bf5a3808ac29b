import { closeSync, openSync, writeSync } from 'node:fs';

/** UTF-16 units written per call: 1 Mi, at most 3 MB of UTF-8. */
const CHUNK = 1 << 20;

/**
 * Writes the concatenation of `pieces` to `file` as UTF-8, the same bytes as
 * `writeFileSync(file, pieces.join(''))`, about `chunk` characters a write: small pieces are
 * gathered, a long one is cut into slices. With the JSON report's pieces (`reportJsonChunks`) the
 * whole text never exists at once, nor its UTF-8 copy (119 MB each for the WVS-sized case with
 * polychoric structure: they were the evaluation's peak memory). A slice never ends between the two
 * halves of a surrogate pair, which would write each half as a replacement character.
 */
export function writeTextFile(file: string, pieces: Iterable<string>, chunk = CHUNK): void {
  if (!(Number.isInteger(chunk) && chunk >= 2)) throw new RangeError(`writeTextFile: chunk of ${chunk} characters`);
  const fd = openSync(file, 'w');
  const write = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    for (let o = 0; o < bytes.length; ) o += writeSync(fd, bytes, o, bytes.length - o);
  };
  try {
    let held: string[] = [];
    let length = 0;
    const flush = () => {
      if (length > 0) write(held.join(''));
      held = [];
      length = 0;
    };
    for (const piece of pieces) {
      if (piece.length < chunk) {
        held.push(piece);
        length += piece.length;
        if (length >= chunk) flush();
        continue;
      }
      flush();
      for (let i = 0; i < piece.length; ) {
        let end = Math.min(piece.length, i + chunk);
        const last = piece.charCodeAt(end - 1);
        if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end--;
        write(piece.slice(i, end));
        i = end;
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
}
