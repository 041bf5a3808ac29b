/**
 * Reference statistics kept between evaluations. Researchers re-evaluate one run many times
 * against the same large reference (a WVS file of 97,000 respondents takes seconds to read and
 * count); everything derived from the reference alone (the read data, its pair tables, its
 * matrices, its split-half and group-level ceilings) is kept here under a fingerprint of the
 * reference file, its codebook and the reading options, and dropped as soon as any of them
 * changes. The extension's worker holds one cache for its lifetime; an evaluation without one (the
 * command line) uses a fresh cache of its own, so its runs still share the reference's work.
 *
 * Reuse never changes a number: every cached quantity draws its randomness from its own seeded
 * stream (see `streamSeed`), so a report computed with a warm cache equals one computed cold.
 */
import { stat } from 'node:fs/promises';
import { identityOf } from '../read/memory';

/**
 * A file's identity for caching: its path and `identityOf` (size, modification time, inode,
 * device), the identity the readers check a file against while reading it; null if it is gone.
 */
export async function fileFingerprint(path: string): Promise<string | null> {
  try {
    const id = identityOf(await stat(path, { bigint: true }));
    return [path, id.size, id.mtimeNs, id.ino, id.dev].join('\u0000');
  } catch {
    return null;
  }
}

export class ReferenceCache {
  private key: string | null = null;
  private readonly values = new Map<string, unknown>();
  /** Lookups answered from the cache / computed, since the cache was created (for the log and tests). */
  hits = 0;
  misses = 0;

  /**
   * Binds the cache to one reference identity; a different identity drops everything held.
   * Returns whether the held values belong to this identity (a warm cache).
   */
  bind(key: string): boolean {
    this.warm = key === this.key;
    if (!this.warm) {
      this.values.clear();
      this.key = key;
    }
    return this.warm;
  }

  /** Whether the last `bind` found the values of its identity (the reference was unchanged). */
  warm = false;

  /** Number of values held. */
  get size(): number {
    return this.values.size;
  }

  /** The value stored under `part`, computed by `make` on a miss; a throwing `make` stores nothing. */
  get<T>(part: string, make: () => T): T {
    if (this.values.has(part)) {
      this.hits++;
      return this.values.get(part) as T;
    }
    this.misses++;
    const v = make();
    this.values.set(part, v);
    return v;
  }

  async getAsync<T>(part: string, make: () => Promise<T>): Promise<T> {
    if (this.values.has(part)) {
      this.hits++;
      return this.values.get(part) as T;
    }
    this.misses++;
    const v = await make();
    this.values.set(part, v);
    return v;
  }

  /** `get` for a value computed in slices (a generator that yields between them): none when cached. */
  *getSteps<T>(part: string, make: () => Generator<void, T, void>): Generator<void, T, void> {
    if (this.values.has(part)) {
      this.hits++;
      return this.values.get(part) as T;
    }
    this.misses++;
    const v = yield* make();
    this.values.set(part, v);
    return v;
  }
}

/** A memo that computes on every call: the evaluation's code path is the same with or without a cache. */
export const NO_CACHE = {
  get<T>(_part: string, make: () => T): T {
    return make();
  },
  getAsync<T>(_part: string, make: () => Promise<T>): Promise<T> {
    return make();
  },
  getSteps<T>(_part: string, make: () => Generator<void, T, void>): Generator<void, T, void> {
    return make();
  },
};

export type Memo = Pick<ReferenceCache, 'get' | 'getAsync' | 'getSteps'>;

/**
 * A seed for an independent random stream, from the report's seed and the stream's coordinates
 * (a fixed stream number, a run's or group's name hash, ...): each part of the evaluation draws
 * from its own stream, so its numbers depend neither on which other runs or groups are in the
 * report nor on whether a cached part was recomputed.
 */
export function streamSeed(seed: number, ...coordinates: number[]): number {
  // MurmurHash3 (x86, 32-bit) over the words [seed, ...coordinates].
  let h = 0x9e3779b9;
  for (const word of [seed, ...coordinates]) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= 4 * (coordinates.length + 1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of a name (FNV-1a over UTF-16 code units), for `streamSeed` coordinates. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The stream numbers of the evaluation's random parts. */
export const STREAM = {
  run: 1,
  subgroup: 2,
  splitHalf: 3,
  independentMarginals: 4,
  uniformRandom: 5,
  groupCeiling: 6,
  groupLevel: 7,
} as const;
