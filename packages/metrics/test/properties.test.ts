import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestF1Threshold,
  evaluate,
  f1Score,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
  thresholdForContamination,
  thresholdForFalsePositiveRate,
  thresholdForPrecision,
} from '../src/index.js';

/** Labels with both classes and scores drawn from a few values, so that ties are common. */
const labelledScores = fc
  .integer({ min: 2, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      fc.array(
        fc.oneof(
          fc.integer({ min: -3, max: 3 }),
          fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }),
        ),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .filter(([y]) => y.includes(0) && y.includes(1));

/** AUC as the Mann–Whitney statistic over every (positive, negative) pair; ties count 1/2. */
function naiveAuc(y: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

function permute<T>(values: T[], order: number[]): T[] {
  return order.map((i) => values[i]);
}

const withPermutation = labelledScores.chain(([y, s]) =>
  fc
    .shuffledSubarray(
      y.map((_, i) => i),
      { minLength: y.length, maxLength: y.length },
    )
    .map((order) => [y, s, order] as const),
);

describe('properties', () => {
  it('ROC-AUC equals the naive Mann–Whitney statistic', () => {
    fc.assert(
      fc.property(labelledScores, ([y, s]) => {
        expect(Math.abs(rocAuc(y, s) - naiveAuc(y, s))).toBeLessThan(1e-12);
      }),
    );
  });

  it('negating the scores turns AUC into 1 − AUC', () => {
    fc.assert(
      fc.property(labelledScores, ([y, s]) => {
        const negated = s.map((v) => -v);
        expect(Math.abs(rocAuc(y, negated) - (1 - rocAuc(y, s)))).toBeLessThan(1e-12);
      }),
    );
  });

  it('metrics do not change when the rows are permuted', () => {
    fc.assert(
      fc.property(withPermutation, ([y, s, order]) => {
        const py = permute(y, order);
        const ps = permute(s, order);
        expect(rocAuc(py, ps)).toBe(rocAuc(y, s));
        expect(averagePrecision(py, ps)).toBe(averagePrecision(y, s));
        expect(bestF1Threshold(py, ps)).toEqual(bestF1Threshold(y, s));
        expect(thresholdForContamination(ps, 0.2)).toBe(thresholdForContamination(s, 0.2));
        expect(evaluate(py, ps, 0.5)).toEqual(evaluate(y, s, 0.5));
      }),
    );
  });

  it('the F1-optimal threshold beats or ties every distinct score, and wins ties upward', () => {
    // Short inputs make equal F1 at two thresholds common, so the tie rule is exercised.
    const short = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 5 })), {
        minLength: 2,
        maxLength: 8,
      })
      .map((rows) => [rows.map((r) => r[0]), rows.map((r) => r[1])] as const)
      .filter(([y]) => y.includes(1));
    fc.assert(
      fc.property(fc.oneof(labelledScores, short), ([y, s]) => {
        const best = bestF1Threshold(y, s);
        for (const t of new Set(s)) {
          const f1 = f1Score(
            y,
            s.map((v) => (v >= t ? 1 : 0)),
          );
          expect(f1).toBeLessThanOrEqual(best.f1 + 1e-15);
          if (Math.abs(f1 - best.f1) < 1e-15) expect(t).toBeLessThanOrEqual(best.threshold);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('average precision is the step sum over the precision-recall curve', () => {
    fc.assert(
      fc.property(labelledScores, ([y, s]) => {
        const { precision, recall } = precisionRecallCurve(y, s);
        let sum = 0;
        for (let k = 0; k < recall.length - 1; k++) {
          sum += (recall[k] - recall[k + 1]) * precision[k];
        }
        expect(Math.abs(averagePrecision(y, s) - sum)).toBeLessThan(1e-12);
      }),
    );
  });

  it('the ROC curve integrates to ROC-AUC', () => {
    fc.assert(
      fc.property(labelledScores, ([y, s]) => {
        const { fpr, tpr } = rocCurve(y, s);
        let area = 0;
        for (let k = 1; k < fpr.length; k++)
          area += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
        expect(Math.abs(rocAuc(y, s) - area)).toBeLessThan(1e-12);
      }),
    );
  });

  it('alert-budget thresholds are the lowest that meet the target', () => {
    fc.assert(
      fc.property(labelledScores, fc.double({ min: 0, max: 1, noNaN: true }), ([y, s], target) => {
        const distinct = [...new Set(s)].sort((a, b) => a - b);
        const negatives = y.filter((v) => v === 0).length;
        const fprAt = (t: number) => y.filter((v, i) => v === 0 && s[i] >= t).length / negatives;
        const precisionAt = (t: number) => {
          const flagged = y.filter((_, i) => s[i] >= t);
          return flagged.filter((v) => v === 1).length / flagged.length;
        };
        const firstFpr = distinct.find((t) => fprAt(t) <= target);
        if (firstFpr === undefined)
          expect(() => thresholdForFalsePositiveRate(y, s, target)).toThrow();
        else expect(thresholdForFalsePositiveRate(y, s, target)).toBe(firstFpr);
        const firstPrecision = distinct.find((t) => precisionAt(t) >= target);
        if (firstPrecision === undefined)
          expect(() => thresholdForPrecision(y, s, target)).toThrow();
        else expect(thresholdForPrecision(y, s, target)).toBe(firstPrecision);
      }),
    );
  });
});
