import { FormatError, NotFittedError, ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { buildMetaFeatures, MetaFeatures } from '../src/index.js';
import { loadFixture } from './fixture.js';

const train = [
  [1, 10],
  [2, 20],
  [2, 30],
  [5, 40],
];

describe('MetaFeatures', () => {
  it('computes raw score, z-score against training mean/std and the ECDF rank', () => {
    const meta = new MetaFeatures().fit(train);
    const out = meta.transform([
      [2, 25],
      [0, 99],
    ]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(2 * 2 * 3);
    // detector 0: mean 2.5, population std sqrt(((1.5)^2 + .25 + .25 + 6.25) / 4) = 1.5
    expect(meta.mean[0]).toBeCloseTo(2.5, 12);
    expect(meta.std[0]).toBeCloseTo(1.5, 7);
    expect(out[0]).toBe(2);
    expect(out[1]).toBeCloseTo((2 - 2.5) / 1.5, 6);
    // ties count as at-or-below: two training scores equal 2, so three of four are <= 2
    expect(out[2]).toBe(0.75);
    // detector 1: 25 lies above 10 and 20
    expect(out[5]).toBe(0.5);
    // below every training score → 0; above every one → 1
    expect(out[6 + 2]).toBe(0);
    expect(out[6 + 5]).toBe(1);
  });

  it('gives a row the same meta-features alone or inside any batch', () => {
    const { train: t, test } = loadFixture();
    const meta = new MetaFeatures().fit(t.scores);
    const batch = meta.transform(test.scores);
    const m = test.scores.cols;
    for (const i of [0, 7, test.scores.rows - 1]) {
      const row = Array.from(test.scores.data.subarray(i * m, (i + 1) * m));
      const alone = meta.transform([row]);
      expect(Array.from(alone)).toEqual(Array.from(batch.subarray(i * m * 3, (i + 1) * m * 3)));
    }
  });

  it('accepts any number of detectors', () => {
    const one = new MetaFeatures().fit([[1], [2], [3]]);
    expect(one.transform([[2]]).length).toBe(3);
    const five = new MetaFeatures().fit([
      [1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1],
    ]);
    expect(five.nDetectors).toBe(5);
    expect(five.transform([[0, 0, 0, 0, 0]]).length).toBe(15);
  });

  it('gives z = 0 for a constant detector instead of NaN', () => {
    const meta = new MetaFeatures().fit([[3], [3], [3]]);
    expect(meta.transform([[3]])[1]).toBe(0);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => new MetaFeatures().transform([[1]])).toThrow(NotFittedError);
    expect(() => new MetaFeatures().fit([])).toThrow(ValidationError);
    expect(() => new MetaFeatures().fit([[1, Number.NaN]])).toThrow(/scores\[0\]\[1\] is NaN/);
    const meta = new MetaFeatures().fit(train);
    expect(() => meta.transform([[1, 2, 3]])).toThrow(/3 columns but 2 were expected/);
    expect(() => meta.transform([[1, Number.POSITIVE_INFINITY]])).toThrow(ValidationError);
  });

  it('does not modify the caller data', () => {
    const data = Float64Array.from([3, 1, 2, 0]);
    const copy = Float64Array.from(data);
    const meta = new MetaFeatures().fit({ data, rows: 4, cols: 1 });
    meta.transform({ data, rows: 4, cols: 1 });
    expect(data).toEqual(copy);
  });

  it('round-trips through JSON exactly and refuses corrupt state', () => {
    const { train: t, test } = loadFixture();
    const meta = new MetaFeatures().fit(t.scores);
    const text = JSON.stringify(meta.toJSON());
    const loaded = MetaFeatures.fromJSON(text);
    expect(Array.from(loaded.transform(test.scores))).toEqual(
      Array.from(meta.transform(test.scores)),
    );
    const saved = JSON.parse(text);
    saved.state.mean[0] += 1;
    expect(() => MetaFeatures.fromJSON(saved)).toThrow(FormatError);
    expect(() => MetaFeatures.fromJSON({ ...JSON.parse(text), format: 'x' })).toThrow(FormatError);
  });

  it('buildMetaFeatures fits on the training scores and transforms the others', () => {
    const out = buildMetaFeatures(train, [[5, 40]]);
    expect(Array.from(out.filter((_, k) => k % 3 === 2))).toEqual([1, 1]);
    expect(buildMetaFeatures(train).length).toBe(4 * 2 * 3);
  });
});
