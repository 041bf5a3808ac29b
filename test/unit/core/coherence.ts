// Report coherence: a headline's interval contains its value, wherever in the report it is.
import assert from 'node:assert/strict';

/** Every object with `value` and `ci` (a headline) has its value inside its interval, anywhere in the report. */
export function assertCoherent(r: unknown): void {
  let checked = 0;
  const walk = (v: unknown, where: string): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
    const o = v as Record<string, unknown>;
    if ('value' in o && 'ci' in o) {
      const ci = o.ci as { low: number | null; high: number | null } | null;
      if (ci && typeof o.value === 'number') {
        assert.ok(ci.low !== null && ci.high !== null, `${where}: interval without bounds`);
        assert.ok(ci.low! <= o.value && o.value <= ci.high!, `${where}: ${o.value} outside [${ci.low}, ${ci.high}]`);
        checked++;
      }
    }
    for (const [k, x] of Object.entries(o)) walk(x, `${where}.${k}`);
  };
  walk(r, 'report');
  assert.ok(checked > 0, 'no headline found');
}
