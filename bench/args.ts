/**
 * What the benchmarks share (imported by them; nothing to run on its own): their `--name value`
 * options, and a standard normal deviate for the data some of them generate.
 */
import type { Prng } from '../src/core/stats/prng';

/** The value after `--name` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** A standard normal deviate by Box-Muller (1 - u avoids log(0)). */
export function normalDeviate(rng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
}
