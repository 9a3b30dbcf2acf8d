import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantiles } from '../src/index.js';

/** numpy's linear quantile on a fully sorted copy, as the reference for quickselect. */
function sortedQuantile(values: number[], q: number): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const virtual = n * q + (1 + q * -1) - 1;
  const below = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  const gamma = virtual - Math.floor(virtual);
  const diff = s[above] - s[below];
  return gamma >= 0.5 ? s[above] - diff * (1 - gamma) : s[below] + diff * gamma;
}

describe('quantiles (quickselect)', () => {
  it('equals a full sort on random data with many ties', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -5, max: 5 }).map((v) => v / 2),
          { minLength: 1, maxLength: 60 },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        (values, qs) => {
          const got = quantiles(Float64Array.from(values), qs);
          for (let k = 0; k < qs.length; k++) expect(got[k]).toBe(sortedQuantile(values, qs[k]));
          expect(got[qs.length]).toBe(sortedQuantile(values, 0.5));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles sorted, reversed and constant input', () => {
    const up = Array.from({ length: 1001 }, (_, i) => i);
    expect(median(up)).toBe(500);
    expect(median([...up].reverse())).toBe(500);
    expect(quantiles(new Float64Array(100).fill(3), [0.25, 0.75])).toEqual([3, 3, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
