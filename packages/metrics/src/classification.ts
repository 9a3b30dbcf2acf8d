/**
 * Metrics of hard 0/1 predictions. A ratio whose denominator is zero is 0, as scikit-learn does
 * with `zero_division=0`: no alerts means precision 0, no attacks means recall 0.
 */
import { checkNumber } from '@decoders/core';
import { checkLabelsAndPredictions } from './input.js';

/** Counts of a binary confusion matrix; label 1 (attack) is the positive class. */
export interface ConfusionMatrix {
  /** Normal rows predicted normal. */
  tn: number;
  /** Normal rows predicted as attacks (false alarms). */
  fp: number;
  /** Attacks predicted normal (misses). */
  fn: number;
  /** Attacks predicted as attacks. */
  tp: number;
}

/** Divides, returning 0 where the denominator is 0 (scikit-learn's `zero_division=0`). */
export function safeRatio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Counts after the inputs were checked. */
export function countConfusion(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): ConfusionMatrix {
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let tp = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) {
      if (yPred[i] === 1) tp++;
      else fn++;
    } else if (yPred[i] === 1) fp++;
    else tn++;
  }
  return { tn, fp, fn, tp };
}

/** F-beta from counts: (1 + b²)·tp / ((1 + b²)·tp + b²·fn + fp), 0 when that is 0 / 0. */
export function fBetaFromCounts(m: ConfusionMatrix, beta: number): number {
  const b2 = beta * beta;
  return safeRatio((1 + b2) * m.tp, (1 + b2) * m.tp + b2 * m.fn + m.fp);
}

/**
 * The confusion matrix of 0/1 labels against 0/1 predictions.
 * @param yTrue true labels, 0 (normal) or 1 (attack)
 * @param yPred predicted labels, 0 or 1, one per row of `yTrue`
 * @throws ValidationError on empty input, a length mismatch or a value other than 0 and 1
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): ConfusionMatrix {
  checkLabelsAndPredictions(yTrue, yPred);
  return countConfusion(yTrue, yPred);
}

/** Fraction of rows predicted correctly. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const m = confusionMatrix(yTrue, yPred);
  return (m.tp + m.tn) / yTrue.length;
}

/** tp / (tp + fp): the fraction of alerts that are attacks; 0 when nothing is predicted 1. */
export function precision(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const m = confusionMatrix(yTrue, yPred);
  return safeRatio(m.tp, m.tp + m.fp);
}

/** tp / (tp + fn): the fraction of attacks that raise an alert; 0 when there is no attack. */
export function recall(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const m = confusionMatrix(yTrue, yPred);
  return safeRatio(m.tp, m.tp + m.fn);
}

/** The harmonic mean of precision and recall; 0 when both are 0. */
export function f1Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return fBetaFromCounts(confusionMatrix(yTrue, yPred), 1);
}

/**
 * The F-beta score: recall weighs `beta` times as much as precision (beta 2 favours catching
 * attacks, beta 0.5 favours fewer false alarms, beta 0 is precision).
 * @param beta a finite number >= 0; default 1 (F1)
 */
export function fBetaScore(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, beta = 1): number {
  checkNumber('beta', beta, { min: 0 });
  return fBetaFromCounts(confusionMatrix(yTrue, yPred), beta);
}
