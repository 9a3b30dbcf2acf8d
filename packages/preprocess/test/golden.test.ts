import { readFileSync } from 'node:fs';
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import {
  normalQuantile,
  OneHotEncoder,
  parseCsv,
  RobustScaler,
  TabularPreprocessor,
} from '../src/index.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const nanOf = (rows: (number | null)[][]) => rows.map((r) => r.map((v) => (v === null ? NaN : v)));

function expectClose(actual: ArrayLike<number>, expected: (number | null)[], tol = 1e-12) {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k];
    if (e === null) expect(Number.isNaN(actual[k])).toBe(true);
    else expect(Math.abs(actual[k] - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

describe('RobustScaler against scikit-learn 1.2 golden values', () => {
  const golden = fixture('robust_scaler.json');
  const params = (p: { quantile_range: [number, number]; unit_variance: boolean }) => ({
    quantileRange: p.quantile_range,
    unitVariance: p.unit_variance,
  });
  for (const c of golden.cases) {
    it(`matches center, scale and transform for ${JSON.stringify(c.params)}`, () => {
      const scaler = new RobustScaler(params(c.params)).fit(nanOf(golden.X_fit));
      expectClose(scaler.center, c.center);
      expectClose(scaler.scale, c.scale);
      const out = scaler.transform(nanOf(golden.X_test));
      expectClose(out.data, c.transform_test.flat());
      const restored = RobustScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
      expect(Array.from(restored.transform(nanOf(golden.X_test)).data)).toEqual(
        Array.from(out.data),
      );
    });
  }

  it('maps a constant column to 1 / 1.3490 with unitVariance', () => {
    const scaler = new RobustScaler({ unitVariance: true }).fit([[4], [4], [4]]);
    expect(scaler.scale[0]).toBeCloseTo(1 / 1.3489795003921634, 15);
    expect(scaler.transform([[5]]).data[0]).toBeCloseTo(1.3489795003921634, 14);
  });

  it('has a full-precision normal quantile', () => {
    expect(normalQuantile(0.75)).toBe(0.6744897501960817);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 15);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 13);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe('OneHotEncoder against scikit-learn 1.2 golden values', () => {
  const golden = fixture('one_hot_encoder.json');
  const options = (p: Record<string, unknown>) => ({
    handleUnknown: (p.handle_unknown === 'infrequent_if_exist'
      ? 'infrequentIfExist'
      : p.handle_unknown) as 'ignore' | 'infrequentIfExist',
    minFrequency: p.min_frequency as number | undefined,
    maxCategories: p.max_categories as number | undefined,
    columnNames: golden.column_names,
  });
  for (const c of golden.cases) {
    it(`matches categories, names and transform for ${JSON.stringify(c.params)}`, () => {
      const encoder = new OneHotEncoder(options(c.params)).fit(golden.X_fit);
      expect(encoder.categories).toEqual(c.categories);
      expect(encoder.infrequentCategories).toEqual(
        c.infrequent_categories ?? golden.column_names.map(() => null),
      );
      expect(encoder.featureNamesOut).toEqual(c.feature_names_out);
      const out = encoder.transform(golden.X_test);
      expectClose(out.data, c.transform_test.flat());
      const restored = OneHotEncoder.fromJSON(JSON.stringify(encoder.toJSON()));
      expect(restored.featureNamesOut).toEqual(c.feature_names_out);
      expect(Array.from(restored.transform(golden.X_test).data)).toEqual(Array.from(out.data));
    });
  }

  it("raises on an unseen value with handleUnknown 'error'", () => {
    const encoder = new OneHotEncoder({ columnNames: golden.column_names }).fit(golden.X_fit);
    expect(() => encoder.transform(golden.X_test)).toThrow(ValidationError);
    expect(() => encoder.transform(golden.X_test)).toThrow(/protocol_type.*"sctp"/);
    expect(encoder.transform(golden.X_fit).rows).toBe(golden.X_fit.length);
  });
});

describe('TabularPreprocessor against the Python reference preprocessing', () => {
  it('reproduces pipeline.py step 3 with gaps, infinities and unseen categories', () => {
    const golden = fixture('tabular_reference.json');
    const table = parseCsv(golden.csv);
    const pre = new TabularPreprocessor().fit(table.selectRows(golden.fit_rows));
    expect(pre.featureNamesOut).toEqual(golden.feature_names_out);
    const X = pre.transform(table);
    expect([X.rows, X.cols]).toEqual([golden.transform.length, golden.feature_names_out.length]);
    expectClose(X.data, golden.transform.flat());
  });
});
