import { readFileSync } from 'node:fs';
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { classificationReport, thresholdForContamination } from '../src/index.js';
import { formatFixed } from '../src/report.js';

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const reports = fixture<{
  cases: {
    digits: number;
    target_names: [string, string] | null;
    y_true: number[];
    y_pred: number[];
    report: string;
  }[];
}>('classification_reports.json');

const percentiles = fixture<{ cases: { scores: number[]; rate: number; threshold: number }[] }>(
  'percentiles.json',
);

describe('classificationReport', () => {
  it.each(reports.cases.map((c, i) => [i, c] as const))(
    'reproduces scikit-learn character for character (%i)',
    (_, c) => {
      const options = {
        digits: c.digits,
        ...(c.target_names ? { targetNames: c.target_names } : {}),
      };
      expect(classificationReport(c.y_true, c.y_pred, options)).toBe(c.report);
    },
  );

  it('rejects bad options', () => {
    expect(() => classificationReport([0, 1], [0, 1], { digits: -1 })).toThrow(/digits/);
    expect(() => classificationReport([0, 1], [0, 1], { digits: 1.5 })).toThrow(ValidationError);
    const names = ['only one'] as unknown as [string, string];
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: names })).toThrow(
      /targetNames must be two strings/,
    );
    expect(() => classificationReport([0, 1], [0, 2])).toThrow(/yPred\[1\] is 2/);
  });
});

describe('formatFixed', () => {
  it('rounds exact ties to even and everything else to nearest, like Python', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.625, 2)).toBe('0.62');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    // 0.145 is stored as 0.1449999..., so it rounds down in Python too.
    expect(formatFixed(0.145, 2)).toBe('0.14');
    expect(formatFixed(1 / 3, 4)).toBe('0.3333');
    expect(formatFixed(0, 3)).toBe('0.000');
    expect(formatFixed(1, 2)).toBe('1.00');
    expect(formatFixed(-0.5, 0)).toBe('0');
    expect(formatFixed(-1.25, 1)).toBe('-1.2');
    expect(formatFixed(1234.5678, 2)).toBe('1234.57');
    expect(formatFixed(5e-324, 2)).toBe('0.00');
  });
});

describe('thresholdForContamination', () => {
  it.each(percentiles.cases.map((c) => [c.scores.length, c.rate, c] as const))(
    'equals numpy percentile (n = %i, rate = %f)',
    (_, __, c) => {
      // The same operations in the same order as numpy, so the result is bit-identical.
      expect(thresholdForContamination(c.scores, c.rate)).toBe(c.threshold);
    },
  );
});
