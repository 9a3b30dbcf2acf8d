/** Argument checks shared by the fusion models. */
import {
  checkBinaryLabels,
  checkNumber,
  checkOneOf,
  type DenseMatrix,
  type MatrixInput,
  toDense,
  ValidationError,
} from '@decoders/core';
import type { ThresholdStrategy } from './types.js';

/** Validates a score matrix: finite, at least one row, `cols` columns when given. */
export function checkScores(
  scores: MatrixInput,
  name: string,
  cols?: number,
): DenseMatrix<Float64Array> {
  return toDense(scores, { name, dtype: 'float64', cols }) as DenseMatrix<Float64Array>;
}

/**
 * Validates labels against `rows` and returns how many are positive. With `needBoth`, a single
 * class is refused with a message that points to RankFusion.
 */
export function checkLabels(
  labels: ArrayLike<number> | undefined,
  rows: number,
  name: string,
  needBoth: boolean,
): number {
  if (labels === undefined || labels === null || typeof labels.length !== 'number') {
    throw new ValidationError(
      `${name} are missing: pass one label (0 normal, 1 attack) per row, ` +
        'or use RankFusion, which needs no labels',
    );
  }
  if (labels.length !== rows) {
    throw new ValidationError(
      `${name} has ${labels.length} labels but the scores have ${rows} rows`,
    );
  }
  const positives = checkBinaryLabels(name, labels);
  if (needBoth && (positives === 0 || positives === rows)) {
    const only = positives === 0 ? 'normal (0)' : 'attack (1)';
    throw new ValidationError(
      `${name} hold a single class (every row is ${only}): AttentionFusion learns from both ` +
        'normal and attack rows; without both, use RankFusion, which needs no labels',
    );
  }
  return positives;
}

/** Validates a threshold strategy; `allowed` lists the strategies the caller supports. */
export function checkThresholdStrategy(
  value: unknown,
  allowed: readonly ThresholdStrategy['strategy'][],
): ThresholdStrategy {
  if (value === null || typeof value !== 'object') {
    throw new ValidationError(
      `threshold must be an object such as { strategy: 'f1' }, got ${String(value)}`,
    );
  }
  const v = value as Record<string, unknown>;
  const strategy = checkOneOf('threshold.strategy', v.strategy, allowed);
  switch (strategy) {
    case 'precision':
    case 'fpr': {
      const bounds = { min: 0, max: 1, minExclusive: true, maxExclusive: strategy === 'fpr' };
      return { strategy, target: checkNumber('threshold.target', v.target, bounds) };
    }
    case 'contamination':
      return {
        strategy,
        rate: checkNumber('threshold.rate', v.rate, { min: 0, max: 0.5, minExclusive: true }),
      };
    default:
      return { strategy: 'f1' };
  }
}

/** Validates detector names, or makes `detector0..M-1`. */
export function checkDetectorNames(names: string[] | undefined, m: number): string[] {
  if (names === undefined) return Array.from({ length: m }, (_, j) => `detector${j}`);
  if (!Array.isArray(names) || names.length !== m) {
    const got = Array.isArray(names) ? names.length : typeof names;
    throw new ValidationError(
      `detectorNames must list one name per score column (${m}), got ${got}`,
    );
  }
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ValidationError('detectorNames must be non-empty strings');
    }
  }
  if (new Set(names).size !== names.length) {
    throw new ValidationError(`detectorNames must be distinct, got ${names.join(', ')}`);
  }
  return [...names];
}
