/**
 * Choosing the rows that train the pipeline and the rows that validate it, when the caller does
 * not pass a separate validation table: stratified and seeded, time-ordered, or given indices.
 */
import { checkNumber, ValidationError } from '@decoders/core';
import type { Table } from '@decoders/preprocess';
import { trainTestSplit } from '@decoders/preprocess';

/** How `fit` splits one table into training and validation rows. */
export type SplitOption =
  | {
      method: 'stratified';
      /** Share of rows kept for validation. Default `0.2`. */
      validationSize?: number;
      /** Seed of the split. Default: the pipeline's seed. */
      seed?: number;
    }
  | {
      method: 'time';
      /** Column holding a number or a date; the latest rows validate. Required. */
      column: string;
      /** Share of rows kept for validation. Default `0.2`. */
      validationSize?: number;
    }
  | {
      method: 'indices';
      /** 0-based training rows. */
      train: ArrayLike<number>;
      /** 0-based validation rows. */
      validation: ArrayLike<number>;
    };

/** Training and validation row indices. */
export interface TrainValidation {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Splits `table` as `split` says (stratified on `labels` by default).
 * @throws ValidationError for bad sizes, unknown columns, or indices out of range or overlapping.
 */
export function splitRows(
  table: Table,
  labels: Uint8Array | undefined,
  split: SplitOption | undefined,
  seed: number,
): TrainValidation {
  const n = table.rowCount;
  const option: SplitOption = split ?? { method: 'stratified' };
  if (option.method === 'indices') {
    const train = checkIndices('split.train', option.train, n);
    const validation = checkIndices('split.validation', option.validation, n);
    checkDisjoint(train, validation, n);
    return { train, validation };
  }
  const size = checkNumber('split.validationSize', option.validationSize ?? 0.2, {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  if (option.method === 'time') {
    const order = timeOrder(table, option.column);
    const nValidation = Math.max(1, Math.round(n * size));
    const train = Int32Array.from(order.subarray(0, n - nValidation)).sort();
    const validation = Int32Array.from(order.subarray(n - nValidation)).sort();
    return { train, validation };
  }
  if (option.method !== 'stratified') {
    throw new ValidationError(
      `split.method must be 'stratified', 'time' or 'indices', got ${JSON.stringify((option as { method: unknown }).method)}`,
    );
  }
  const { train, test } = trainTestSplit({
    n,
    labels,
    testSize: size,
    seed: option.seed ?? seed,
  });
  return { train: Int32Array.from(train), validation: Int32Array.from(test) };
}

function checkDisjoint(train: Int32Array, validation: Int32Array, n: number): void {
  const seen = new Uint8Array(n);
  for (const i of train) seen[i] = 1;
  for (const i of validation) {
    if (seen[i]) {
      throw new ValidationError(
        `row ${i} is in both split.train and split.validation: each row may be in one split only`,
      );
    }
  }
}

/** Checks 0-based row indices against a table of `n` rows and returns them sorted. */
export function checkIndices(name: string, indices: ArrayLike<number>, n: number): Int32Array {
  if (!indices || typeof indices.length !== 'number') {
    throw new ValidationError(`${name} must be an array of row indices`);
  }
  if (indices.length === 0)
    throw new ValidationError(`${name} is empty: it needs at least one row`);
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new ValidationError(`${name}[${i}] is ${v}, not a row of a table with ${n} rows`);
    }
    out[i] = v;
  }
  return out.sort();
}

/**
 * Row indices ordered by the time in `column` (numbers, or text that `Date.parse` reads); ties
 * keep file order.
 * @throws ValidationError when the column is unknown or a value is neither.
 */
export function timeOrder(table: Table, column: string): Int32Array {
  if (!table.hasColumn(column)) {
    throw new ValidationError(
      `time column '${column}' is not in the data: columns are ${table.columnNames.join(', ')}`,
    );
  }
  const values = table.column(column);
  const times = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = typeof v === 'number' ? v : v === null ? Number.NaN : Date.parse(v);
    if (!Number.isFinite(t)) {
      throw new ValidationError(
        `time column '${column}' has ${JSON.stringify(v)} at row ${i}: use numbers or ISO dates`,
      );
    }
    times[i] = t;
  }
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  return order.sort((a, b) => times[a] - times[b] || a - b);
}
