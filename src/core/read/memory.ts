/**
 * Memory guard and file identity for the readers: a file is streamed, but what is materialised
 * from it (the selected columns, as typed arrays, plus strings for group columns) grows with its
 * rows. Before a column grows, the bytes it will need are checked against a limit, so a file too
 * big for this process is refused with a message saying what to do, instead of crashing the
 * process (or the extension host) with an out-of-memory error.
 */
import { getHeapStatistics } from 'node:v8';
import { totalmem } from 'node:os';
import type { BigIntStats } from 'node:fs';
import { promises as fs } from 'node:fs';
import { InputError } from '../report/diagnostics';

/**
 * The longest record (a CSV row, a JSON line, an element of a JSON array) read before the reader
 * gives up on it: 64 MiB. Survey rows are kilobytes; a record this long is a quote that never
 * closes or a file that is not delimited text, and buffering it further would only grow memory.
 */
export const MAX_RECORD_BYTES = 64 << 20;

/**
 * Default budget for what a read materialises: the smaller of the V8 heap limit of this thread
 * (the extension host's worker and the CLI each have their own) and half of the machine's memory.
 * Typed arrays live outside the V8 heap, strings inside it; one budget for both is deliberately
 * conservative.
 */
export function defaultMemoryLimit(): number {
  return Math.min(getHeapStatistics().heap_size_limit, totalmem() / 2);
}

/** Bytes of a short string on the V8 heap besides its characters (header, hash, alignment). */
export const STRING_CELL_BYTES = 40;

/** Bytes per row of a column of shared strings: an 8-byte reference, with the array's growth slack. */
export const STRING_REF_BYTES = 20;

/** "1.9 GB", "512 MB", "900 kB": decimal units, as file managers show sizes. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} bytes`;
}

/**
 * The refusal: `what` says what would need the memory (e.g. "about 1,200,000 rows x 175 items");
 * the message names the need, the limit and the ways out.
 */
export function tooLarge(file: string, fileSize: number, needed: number, limit: number, what: string, line?: number): InputError {
  return new InputError({
    code: 'file.too-large',
    message:
      `The file (${formatBytes(fileSize)}) is too large to read with the memory available: ${what} would need about ${formatBytes(needed)}, ` +
      `more than the limit of ${formatBytes(limit)}. Select fewer items or group columns, split the file, ` +
      `or raise the limit ("maxMemoryMB" in representativeness.json, --max-memory on the command line) if this machine has the memory.`,
    file,
    ...(line !== undefined ? { line, column: 1 } : {}),
  });
}

/** What identifies a file's content cheaply: size, modification time (ns), inode and device. */
export interface FileIdentity {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

export function identityOf(s: BigIntStats): FileIdentity {
  return { size: s.size, mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev };
}

/**
 * Thrown when the file was deleted, truncated, replaced or rewritten while it was read: what was
 * read may mix two versions, so it is discarded; the caller (a watcher) reads it again when it
 * changes next.
 */
export function changedWhileReading(file: string, how: string): InputError {
  return new InputError({
    code: 'file.changed-while-reading',
    message: `The file changed while it was being read (${how}), so what was read was discarded; it will be read again on its next change.`,
    file,
  });
}

/**
 * Checks, after the last byte was read, that the file at `path` is still the one that was opened
 * (same inode and device) with the same size and modification time.
 */
export async function assertUnchanged(path: string, opened: FileIdentity): Promise<void> {
  let now: FileIdentity;
  try {
    now = identityOf(await fs.stat(path, { bigint: true }));
  } catch {
    throw changedWhileReading(path, 'it was deleted or moved');
  }
  if (now.ino !== opened.ino || now.dev !== opened.dev) throw changedWhileReading(path, 'it was replaced by another file');
  if (now.size !== opened.size) throw changedWhileReading(path, `its size went from ${opened.size} to ${now.size} bytes`);
  if (now.mtimeNs !== opened.mtimeNs) throw changedWhileReading(path, 'it was written to');
}
