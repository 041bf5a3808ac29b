/**
 * Benchmark-only stand-in for src/core/read/parquet.ts (bench/read-formats.mjs puts it in place
 * of readSurvey's import): `readParquet` hands .sav/.zsav files to readSpss and .dta files to
 * readStata, so readSurvey(file, { format: 'parquet' }) runs the path integration will add.
 */
import { promises as fs } from 'node:fs';
import type { AsyncBuffer } from 'hyparquet';
import type { ReadableBuffer } from '../src/core/read/formats/survey-file';
import { readParquet as parquet } from '../src/core/read/formats/parquet';
import type { RecordSink } from '../src/core/read/formats/parquet';
import { readSpss } from '../src/core/read/formats/spss';
import { readStata } from '../src/core/read/formats/stata';

export { bytesBuffer, type RecordSink } from '../src/core/read/formats/parquet';

export async function readParquet(file: AsyncBuffer, path: string, sink: RecordSink, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<void> {
  if (!/\.(z?sav|dta)$/i.test(path)) return parquet(file, path, sink, signal, onProgress);
  // Integration gives readInto on readSurvey's own handle; here a second handle on the file stands in.
  const handle = process.env.FORMATS_NO_READINTO ? null : await fs.open(path, 'r');
  const readable: ReadableBuffer = handle ? { byteLength: file.byteLength, slice: file.slice, readInto: async (target, position) => (await handle.read(target, 0, target.length, position)).bytesRead } : file;
  try {
    // FORMATS_CHUNK: the chunk size to try (bytes); default, the readers' own.
    const options = process.env.FORMATS_CHUNK ? { chunkBytes: Number(process.env.FORMATS_CHUNK) } : {};
    if (/\.dta$/i.test(path)) await readStata(readable, path, sink, signal, onProgress, options);
    else await readSpss(readable, path, sink, signal, onProgress, options);
  } finally {
    await handle?.close();
  }
}
