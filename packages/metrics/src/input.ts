/**
 * Argument checks shared by every metric. Each throws a {@link ValidationError} that names the
 * argument and says how to fix it, so that no metric ever returns NaN for bad input.
 */
import { checkBinaryLabels, checkFinite, ValidationError } from '@decoders/core';

function checkArrayLike(name: string, values: unknown): asserts values is ArrayLike<number> {
  const ok =
    values !== null &&
    typeof values === 'object' &&
    typeof (values as ArrayLike<number>).length === 'number';
  if (!ok) {
    throw new ValidationError(
      `${name} must be an array or typed array of numbers, got ${values === null ? 'null' : typeof values}`,
    );
  }
  if ((values as ArrayLike<number>).length === 0) {
    throw new ValidationError(`${name} is empty: pass at least one row`);
  }
}

function checkSameLength(
  firstName: string,
  first: ArrayLike<number>,
  secondName: string,
  second: ArrayLike<number>,
): void {
  if (first.length !== second.length) {
    throw new ValidationError(
      `${firstName} has ${first.length} values but ${secondName} has ${second.length}: ` +
        'pass one value per row in both',
    );
  }
}

/** Checks 0/1 labels and returns how many are 1. */
export function checkLabels(name: string, values: unknown): number {
  checkArrayLike(name, values);
  return checkBinaryLabels(name, values);
}

/** Checks non-empty, finite scores. */
export function checkScores(name: string, values: unknown): void {
  checkArrayLike(name, values);
  checkFinite(name, values);
}

/** Checks labels and predictions of the same length; returns the number of positive labels. */
export function checkLabelsAndPredictions(yTrue: unknown, yPred: unknown): number {
  const positives = checkLabels('yTrue', yTrue);
  checkLabels('yPred', yPred);
  checkSameLength('yTrue', yTrue as ArrayLike<number>, 'yPred', yPred as ArrayLike<number>);
  return positives;
}

/** Checks labels and scores of the same length; returns the number of positive labels. */
export function checkLabelsAndScores(yTrue: unknown, scores: unknown): number {
  const positives = checkLabels('yTrue', yTrue);
  checkArrayLike('scores', scores);
  checkSameLength('yTrue', yTrue as ArrayLike<number>, 'scores', scores as ArrayLike<number>);
  checkFinite('scores', scores as ArrayLike<number>);
  return positives;
}

/**
 * Rejects a label set that lacks a class a metric needs: ROC needs both, precision-based ranking
 * metrics need at least one positive.
 */
export function requireClasses(
  metric: string,
  positives: number,
  total: number,
  need: 'both' | 'positive' | 'negative',
): void {
  const negatives = total - positives;
  if ((need === 'both' || need === 'positive') && positives === 0) {
    throw new ValidationError(
      `${metric} is undefined when yTrue holds no positive (1) label: ` +
        'evaluate on data that contains at least one attack',
    );
  }
  if ((need === 'both' || need === 'negative') && negatives === 0) {
    throw new ValidationError(
      `${metric} is undefined when yTrue holds no negative (0) label: ` +
        'evaluate on data that contains at least one normal row',
    );
  }
}
