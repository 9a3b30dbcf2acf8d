/**
 * Seeded train / validation / test splits, optionally stratified by label, and a split in
 * time order. Every function returns sorted Int32Array row indices and gives the same result
 * on every platform for the same seed (core's xoshiro128** `Random`).
 */
import { checkInteger, checkNumber, Random, ValidationError } from '@decoders/core';
import type { Table } from './table.js';
import { parseTimestamp } from './timestamp.js';

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Number of rows to split. */
  n: number;
  /** One label per row, for stratification. Default: none. */
  labels?: ArrayLike<number | string>;
  /** Test share: a fraction in (0, 1) or a row count >= 1. */
  testSize: number;
  /** Seed of the shuffle. Default `0`. */
  seed?: number;
  /** Keep each label's share equal in both parts. Default `true` when labels are given. */
  stratify?: boolean;
}

/** Options of {@link trainValidationTestSplit}. */
export interface TrainValidationTestSplitOptions {
  /** Number of rows to split. */
  n: number;
  /** One label per row, for stratification of both splits. Default: none. */
  labels?: ArrayLike<number | string>;
  /** Test share of all rows, a fraction in (0, 1). */
  testSize: number;
  /** Validation share of the rows left after the test split, a fraction in (0, 1). */
  validationSize: number;
  /** Seed of the shuffles. Default `0`. */
  seed?: number;
  /** Stratify both splits. Default `true` when labels are given. */
  stratify?: boolean;
}

/** Row indices of a two-way split. */
export interface TrainTestIndices {
  train: Int32Array;
  test: Int32Array;
}

/** Row indices of a three-way split. */
export interface TrainValidationTestIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits `n` rows at random into train and test. With labels (and `stratify`), each label
 * keeps its share in both parts: per-label test counts are rounded by largest remainder so
 * they sum to the test size.
 * @throws ValidationError for a bad size, a labels length other than `n`, or, when
 * stratifying, a label with a single row.
 */
export function trainTestSplit(options: TrainTestSplitOptions): TrainTestIndices {
  const { n, labels, stratify } = checkCommon(options);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  return splitRows(
    rows,
    n,
    labels,
    stratify,
    options.testSize,
    'testSize',
    new Random(options.seed ?? 0),
  );
}

/**
 * Splits `n` rows into train, validation and test as the Python reference does: first
 * `testSize` of all rows to test, then `validationSize` of the rest to validation.
 */
export function trainValidationTestSplit(
  options: TrainValidationTestSplitOptions,
): TrainValidationTestIndices {
  const { n, labels, stratify } = checkCommon(options);
  checkFraction('testSize', options.testSize);
  checkFraction('validationSize', options.validationSize);
  const random = new Random(options.seed ?? 0);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const first = splitRows(rows, n, labels, stratify, options.testSize, 'testSize', random);
  const second = splitRows(
    first.train,
    n,
    labels,
    stratify,
    options.validationSize,
    'validationSize',
    random,
  );
  return { train: second.train, validation: second.test, test: first.test };
}

/**
 * Splits a table in time order: the latest `testSize` of rows are test, the latest
 * `validationSize` of the rest are validation, the earliest are train. Ties keep row order.
 * @throws ValidationError for an unknown column or a cell that is not a timestamp.
 */
export function timeOrderedSplit(
  table: Table,
  column: string,
  options: { testSize: number; validationSize?: number },
): TrainValidationTestIndices {
  checkFraction('testSize', options.testSize);
  const validationSize = options.validationSize ?? 0;
  if (validationSize !== 0) checkFraction('validationSize', validationSize);
  const cells = table.column(column);
  const times = new Float64Array(cells.length);
  cells.forEach((cell, i) => {
    const t = cell === null ? Number.NaN : parseTimestamp(cell);
    if (Number.isNaN(t)) {
      throw new ValidationError(
        `column ${JSON.stringify(column)} row ${i} is ${JSON.stringify(cell)}, not a timestamp: ` +
          'fill or drop rows without a time before a time-ordered split',
      );
    }
    times[i] = t;
  });
  const order = Array.from({ length: cells.length }, (_, i) => i).sort(
    (a, b) => times[a] - times[b] || a - b,
  );
  const n = order.length;
  const nTest = partSize(n, options.testSize, 'testSize');
  const rest = n - nTest;
  const nValidation = validationSize === 0 ? 0 : partSize(rest, validationSize, 'validationSize');
  const nTrain = rest - nValidation;
  return {
    train: sorted(order.slice(0, nTrain)),
    validation: sorted(order.slice(nTrain, rest)),
    test: sorted(order.slice(rest)),
  };
}

function checkCommon(options: TrainTestSplitOptions | TrainValidationTestSplitOptions) {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('split options must be an object with n, testSize and seed');
  }
  const n = checkInteger('n', options.n, { min: 2 });
  if (options.seed !== undefined) checkInteger('seed', options.seed);
  const labels = options.labels;
  if (labels !== undefined && labels.length !== n) {
    throw new ValidationError(`labels has ${labels.length} values but n is ${n}: pass one per row`);
  }
  const stratify = options.stratify ?? labels !== undefined;
  if (stratify && labels === undefined) {
    throw new ValidationError('stratify needs labels: pass one label per row');
  }
  return { n, labels: stratify ? labels : undefined, stratify };
}

function checkFraction(name: string, value: number): void {
  checkNumber(name, value, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
}

/** Rows in the second part: ceil(fraction * n) as scikit-learn, or a count; no part empty. */
function partSize(n: number, size: number, name: string): number {
  checkNumber(name, size, { min: 0, minExclusive: true });
  const count = size < 1 ? Math.ceil(size * n) : size;
  if (!Number.isInteger(count) || count < 1 || count >= n) {
    throw new ValidationError(
      `${name} ${size} leaves an empty part of ${n} rows: ` +
        `use a fraction in (0, 1) or a count below ${n}`,
    );
  }
  return count;
}

function splitRows(
  rows: Int32Array,
  n: number,
  labels: ArrayLike<number | string> | undefined,
  stratify: boolean,
  size: number,
  name: string,
  random: Random,
): TrainTestIndices {
  const total = rows.length;
  const nTest = partSize(total, size, name);
  if (!stratify || labels === undefined) {
    const shuffled = random.shuffle(Int32Array.from(rows));
    return { train: sorted(shuffled.subarray(nTest)), test: sorted(shuffled.subarray(0, nTest)) };
  }
  const groups = new Map<number | string, number[]>();
  for (const row of rows) {
    if (row >= n) throw new ValidationError(`row ${row} is out of range`);
    const label = labels[row];
    if (typeof label !== 'number' && typeof label !== 'string') {
      throw new ValidationError(
        `labels[${row}] is ${typeof label}: labels must be numbers or strings`,
      );
    }
    if (typeof label === 'number' && Number.isNaN(label)) {
      throw new ValidationError(`labels[${row}] is NaN: drop rows without a label first`);
    }
    let group = groups.get(label);
    if (group === undefined) groups.set(label, (group = []));
    group.push(row);
  }
  const keys = [...groups.keys()].sort((a, b) =>
    typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1,
  );
  for (const key of keys) {
    if (groups.get(key)!.length < 2) {
      throw new ValidationError(
        `label ${JSON.stringify(key)} has a single row, too few to stratify: ` +
          'merge rare labels or pass stratify: false',
      );
    }
  }
  // Largest-remainder rounding of each label's share of the test rows; ties go to larger groups.
  const exact = keys.map((k) => (groups.get(k)!.length * nTest) / total);
  const counts = exact.map(Math.floor);
  let left = nTest - counts.reduce((a, b) => a + b, 0);
  const byRemainder = keys
    .map((_, g) => g)
    .sort(
      (a, b) =>
        exact[b] - counts[b] - (exact[a] - counts[a]) ||
        groups.get(keys[b])!.length - groups.get(keys[a])!.length ||
        a - b,
    );
  for (const g of byRemainder) {
    if (left === 0) break;
    counts[g]++;
    left--;
  }
  const train: number[] = [];
  const test: number[] = [];
  keys.forEach((key, g) => {
    const shuffled = random.shuffle([...groups.get(key)!]);
    for (let k = 0; k < shuffled.length; k++) (k < counts[g] ? test : train).push(shuffled[k]);
  });
  return { train: sorted(train), test: sorted(test) };
}

function sorted(values: ArrayLike<number>): Int32Array {
  return Int32Array.from(values).sort();
}
