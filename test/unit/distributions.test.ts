import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSf } from '../../src/core/stats/chi-square';
import { normalCdf, normalQuantile, normalSf } from '../../src/core/stats/distributions';

// Reference values from R 4.2.2 (Debian bookworm r-base-core), printed with sprintf("%.17g", ...). Closed forms: relative tolerance 1e-12.
function close(a: number, b: number, rel = 1e-12): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300), `${a} vs ${b}`);
}

test('normal distribution matches R pnorm / qnorm', () => {
  close(normalCdf(1.96), 0.97500210485177963); // R: pnorm(1.96)
  close(normalCdf(-3), 0.0013498980316300946); // R: pnorm(-3)
  close(normalSf(10), 7.6198530241605269e-24); // R: pnorm(10, lower.tail = FALSE)
  close(normalQuantile(0.975), 1.9599639845400536); // R: qnorm(0.975)
  close(normalQuantile(0.001), -3.0902323061678132); // R: qnorm(0.001)
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
});

test('chi-square upper tail matches R pchisq', () => {
  close(chiSquareSf(3.84, 1), 0.050043521248705224); // R: pchisq(3.84, 1, lower.tail = FALSE)
  close(chiSquareSf(300, 276), 0.15350983059666282); // R: pchisq(300, 276, lower.tail = FALSE)
  assert.equal(chiSquareSf(0, 5), 1);
});
