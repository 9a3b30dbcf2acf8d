/**
 * scikit-learn's `classification_report` text table for binary labels, character for character,
 * including its round-half-even formatting of numbers.
 */
import { checkInteger, ValidationError } from '@decoders/core';
import { countConfusion, safeRatio } from './classification.js';
import { checkLabelsAndPredictions } from './input.js';

/** Options of {@link classificationReport}. */
export interface ClassificationReportOptions {
  /** Row names of class 0 and class 1. Default `['0', '1']`. */
  targetNames?: readonly [string, string];
  /** Decimal places of precision, recall and F1, an integer in [0, 15]. Default 2. */
  digits?: number;
}

/**
 * Formats `value` with `digits` decimals from its exact binary value, ties to even, as Python's
 * `format(value, '.Nf')` does (JavaScript's `toFixed` rounds ties up).
 */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const negative = high >>> 31 === 1;
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent = biased - 1075;
  if (biased === 0) exponent = -1074;
  else mantissa |= 1n << 52n;

  let scaled = mantissa * 10n ** BigInt(digits);
  if (exponent >= 0) scaled <<= BigInt(exponent);
  else {
    const denominator = 1n << BigInt(-exponent);
    const quotient = scaled / denominator;
    const twiceRest = 2n * (scaled % denominator);
    const roundUp = twiceRest > denominator || (twiceRest === denominator && quotient % 2n === 1n);
    scaled = roundUp ? quotient + 1n : quotient;
  }

  const text = scaled.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative && scaled !== 0n ? `-${body}` : body;
}

/**
 * The per-class precision / recall / F1 / support table of scikit-learn's
 * `classification_report`, then accuracy, macro and weighted averages. Both classes are always
 * listed, even when one is absent from the data (its ratios are then 0).
 * @param yTrue labels, 0 (normal) or 1 (attack)
 * @param yPred predictions, 0 or 1
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ClassificationReportOptions = {},
): string {
  checkLabelsAndPredictions(yTrue, yPred);
  const digits = checkInteger('digits', options.digits ?? 2, { min: 0, max: 15 });
  const names = options.targetNames ?? ['0', '1'];
  if (!Array.isArray(names) || names.length !== 2 || names.some((n) => typeof n !== 'string')) {
    throw new ValidationError(
      'targetNames must be two strings, the names of class 0 and class 1, e.g. ["normal", "attack"]',
    );
  }

  const m = countConfusion(yTrue, yPred);
  const rows = [classRow(m.tn, m.fn, m.fp, m.tn + m.fp), classRow(m.tp, m.fp, m.fn, m.tp + m.fn)];
  const total = yTrue.length;
  const width = Math.max(names[0].length, names[1].length, 'weighted avg'.length, digits);
  const number = (v: number) => formatFixed(v, digits).padStart(9);
  const line = (name: string, cells: string[]) =>
    `${name.padStart(width)} ${cells.map((c) => ` ${c}`).join('')}\n`;

  let report = line(
    '',
    ['precision', 'recall', 'f1-score', 'support'].map((h) => h.padStart(9)),
  );
  report += '\n';
  rows.forEach((row, c) => {
    report += line(names[c], [...row.values.map(number), String(row.support).padStart(9)]);
  });
  report += '\n';
  const blank = ''.padStart(9);
  report += line('accuracy', [blank, blank, number((m.tp + m.tn) / total), pad(total)]);
  const macro = [0, 1, 2].map((j) => (rows[0].values[j] + rows[1].values[j]) / 2);
  report += line('macro avg', [...macro.map(number), pad(total)]);
  const weighted = [0, 1, 2].map(
    (j) => (rows[0].values[j] * rows[0].support + rows[1].values[j] * rows[1].support) / total,
  );
  report += line('weighted avg', [...weighted.map(number), pad(total)]);
  return report;
}

function pad(count: number): string {
  return String(count).padStart(9);
}

/**
 * Precision, recall and F1 of one class. F1 is computed from precision and recall as
 * scikit-learn 1.2 does, so that the rounded text matches it exactly.
 */
function classRow(hits: number, falseAlarms: number, misses: number, support: number) {
  const p = safeRatio(hits, hits + falseAlarms);
  const r = safeRatio(hits, hits + misses);
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return { values: [p, r, f1], support };
}
