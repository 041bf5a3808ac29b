/**
 * Reading a large delimited file on two threads. The calling thread reads the header and the rows
 * up to a split point near the middle (just after a line feed); another thread reads from there to
 * the end with the same header (`readPart`, run by the counting threads of src/core/parallel); the
 * first reader then absorbs the second's rows (`RowsToColumns.absorb`), so the result is what one
 * reader would have produced: the same slots, values, first locations, diagnostics (lines shifted
 * by where the part starts) and the same report.
 *
 * A line feed inside a quoted field is not a record boundary, and only the first reader knows,
 * once it has read up to the split point, whether the split point is one: if a record is still
 * open there (a quoted line break, or a record too long to buffer), the part is discarded and the
 * first reader reads on by itself, as without a split.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ChunkConsumer } from './formats/json-stream';
import { MAX_RECORD_BYTES, changedWhileReading } from './memory';
import type { ReadOptions } from './options';
import type { PartJob, PartReader, PartRows } from './part';
import { RowsToColumns } from './rows-to-columns';

/** Bytes read per chunk: large enough that system calls do not matter, small for memory. */
export const CHUNK_BYTES = 4 << 20;

/** Files smaller than this are read on one thread (a hand-off costs a few milliseconds). */
export const SPLIT_MIN_BYTES = 16 << 20;

/**
 * Reads the file's bytes [start, stop) through `consumer` in chunks, carrying incomplete records
 * over. A record that fills a buffer of `maxRecordBytes` is handed to `consumer.overflow` instead
 * of growing the buffer further. Reads at explicit positions, so a second pass can follow on the
 * same handle. The last chunk is `final` when `stop` is the end of the file (`size`); otherwise
 * the bytes of a record still open at `stop` are returned as a count (the consumer already shifted
 * past what it consumed), so a later call from `stop - count` goes on exactly where this one ended.
 */
export async function pumpRange(handle: FileHandle, path: string, size: number, consumer: ChunkConsumer, options: ReadOptions, start: number, stop: number, progress: (fraction: number) => void): Promise<number> {
  const maxRecord = Math.max(16, options.maxRecordBytes ?? MAX_RECORD_BYTES);
  const span = stop - start;
  let buf = Buffer.allocUnsafe(Math.max(1, Math.min(options.chunkBytes ?? CHUNK_BYTES, span + 1, maxRecord)));
  let filled = 0;
  let total = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buf, filled, Math.min(buf.length - filled, span - total), start + total);
    if (bytesRead === 0 && total < span) throw changedWhileReading(path, `it got shorter: ${size} bytes when opened, ${start + total} bytes found`);
    filled += bytesRead;
    total += bytesRead;
    const atStop = total >= span;
    const final = atStop && stop >= size;
    let consumed = consumer.consume(buf, filled, final);
    progress(span > 0 ? Math.min(1, total / span) : 1);
    if (final) return 0;
    if (atStop) {
      consumer.shift(consumed);
      return filled - consumed;
    }
    if (consumed === 0 && filled === buf.length) {
      if (buf.length >= maxRecord) consumed = consumer.overflow(buf, filled, maxRecord);
      else {
        // One record longer than the buffer: grow, up to the record bound.
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxRecord));
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
        continue;
      }
    }
    buf.copy(buf, 0, consumed, filled);
    consumer.shift(consumed);
    filled -= consumed;
  }
}

/**
 * The whole file through `reader`, its second half read by `parts` on another thread when the
 * split point turns out to be a record boundary (see the file's comment); otherwise, or when no
 * thread takes the part, or it fails, the calling thread reads on alone.
 */
export async function pumpSplit(handle: FileHandle, path: string, size: number, reader: RowsToColumns, options: ReadOptions, parts: PartReader): Promise<void> {
  const report = options.onProgress ?? (() => {});
  const mid = Math.floor(size / 2);
  const probe = Buffer.allocUnsafe(Math.min(1 << 16, size - mid));
  const { bytesRead } = await handle.read(probe, 0, probe.length, mid);
  const lf = probe.subarray(0, bytesRead).indexOf(10);
  if (lf < 0 || mid + lf + 1 >= size) {
    await pumpRange(handle, path, size, reader, options, 0, size, report);
    return;
  }
  const split = mid + lf + 1;
  let job: Promise<PartRows> | null = null;
  let asked = false;
  const consumer: ChunkConsumer = {
    consume(buf, end, final) {
      const consumed = reader.consume(buf, end, final);
      if (!asked) {
        const header = reader.partHeader();
        if (header) {
          asked = true;
          const { signal: _s, onProgress: _p, partReader: _r, ...rest } = options;
          job = parts({ path, size, start: split, header, options: rest });
          job?.catch(() => {}); // awaited below, or abandoned when the split point is inside a record
        }
      }
      return consumed;
    },
    shift: (n) => reader.shift(n),
    overflow: (buf, filled, max) => reader.overflow(buf, filled, max),
  };
  const carried = await pumpRange(handle, path, size, consumer, options, 0, split, (f) => report((f * split) / size));
  if (job && carried === 0 && reader.partHeader()) {
    let part: PartRows | null = null;
    try {
      part = await job;
    } catch {
      part = null; // read on alone: the same problems, if any, are found and reported there
    }
    options.signal?.throwIfAborted();
    if (part !== null && reader.absorb(part)) {
      splitCounts.absorbed++;
      report(1);
      return;
    }
  }
  if (job) splitCounts.readAlone++;
  await pumpRange(handle, path, size, reader, options, split - carried, size, (f) => report((split + f * (size - split)) / size));
}

/** How often a part was absorbed, and how often the first reader read on alone after asking for one (tests, benches). */
export const splitCounts = { absorbed: 0, readAlone: 0 };

/** Reads a part (`PartJob`) of a file: on the other thread, what `pumpSplit`'s `parts` runs. */
export async function readPart(job: PartJob): Promise<PartRows> {
  const handle = await open(job.path, 'r');
  try {
    const reader = new RowsToColumns(job.path, job.options, job.size - job.start);
    reader.adoptHeader(job.header);
    await pumpRange(handle, job.path, job.size, reader, job.options, job.start, job.size, () => {});
    return reader.partRows();
  } finally {
    await handle.close();
  }
}

/** The typed arrays of a part, to transfer rather than copy between threads. */
export function partTransfer(part: PartRows): ArrayBuffer[] {
  const out = [part.lines.buffer, ...part.columns.map((c) => c.values.buffer), ...part.attributes.map((a) => a.codes.buffer)];
  if (part.weights) out.push(part.weights.buffer);
  return out as ArrayBuffer[];
}
