/**
 * UTF-16 text files (Excel's "Unicode text", PowerShell's default `Out-File`): recognised from a
 * byte order mark or from the NUL bytes that ASCII text has in every other byte, and decoded to
 * UTF-8 on the fly for the delimited reader, chunk by chunk, so line and column numbers are those
 * an editor shows for the decoded text.
 */
import { TextDecoder } from 'node:util';
import type { ChunkConsumer } from './json-stream';

export interface Utf16Sniff {
  encoding: 'utf-16le' | 'utf-16be';
  /** How it was recognised: a byte order mark, or NUL bytes in ASCII text. */
  evidence: 'byte order mark' | 'NUL byte';
  /** 1-based byte position of the evidence in the first line (the BOM, or the first NUL byte). */
  column: number;
}

/**
 * UTF-16 or not, from the file's first bytes: a BOM (FF FE / FE FF), or, without one, at least
 * 40 of the first (up to) 512 byte pairs with a NUL on the same side (4 times more often than on
 * the other side, where a character such as U+DE00 puts one), and no pair with two NULs.
 */
export function sniffUtf16(head: Uint8Array): Utf16Sniff | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', evidence: 'byte order mark', column: 1 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', evidence: 'byte order mark', column: 1 };
  let evenNul = 0;
  let oddNul = 0;
  const pairs = Math.min(512, head.length >> 1);
  for (let i = 0; i < pairs; i++) {
    const a = head[2 * i];
    const b = head[2 * i + 1];
    if (a === 0 && b === 0) return null;
    if (a === 0) evenNul++;
    else if (b === 0) oddNul++;
  }
  const enough = Math.min(40, Math.max(1, pairs >> 1));
  if (oddNul >= enough && oddNul >= 4 * evenNul) return { encoding: 'utf-16le', evidence: 'NUL byte', column: head.indexOf(0) + 1 };
  if (evenNul >= enough && evenNul >= 4 * oddNul) return { encoding: 'utf-16be', evidence: 'NUL byte', column: head.indexOf(0) + 1 };
  return null;
}

/**
 * Feeds `inner` (a UTF-8 consumer) with the UTF-8 form of UTF-16 bytes. Takes every byte it is
 * given (the decoder keeps a split character for the next chunk), so the raw pump never overflows;
 * the UTF-8 side keeps the inner consumer's record bound.
 */
export class Utf16Consumer implements ChunkConsumer {
  private readonly decoder: TextDecoder;
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly inner: ChunkConsumer, encoding: 'utf-16le' | 'utf-16be', private readonly maxRecord: number) {
    this.decoder = new TextDecoder(encoding);
  }

  consume(buf: Uint8Array, end: number, final: boolean): number {
    const text = this.decoder.decode(buf.subarray(0, end), { stream: !final });
    let data = this.pending.length ? Buffer.concat([this.pending, Buffer.from(text, 'utf8')]) : Buffer.from(text, 'utf8');
    for (;;) {
      let consumed = this.inner.consume(data, data.length, final);
      if (final) break;
      if (consumed === 0 && data.length >= this.maxRecord) consumed = this.inner.overflow(data, data.length, this.maxRecord);
      if (consumed === 0) break;
      this.inner.shift(consumed);
      data = data.subarray(consumed);
      if (data.length < this.maxRecord) break;
    }
    this.pending = Buffer.from(data);
    return end;
  }

  shift(): void {
    // Every raw byte was taken: nothing carried on the raw side.
  }

  overflow(_buf: Uint8Array, filled: number): number {
    return filled;
  }
}
