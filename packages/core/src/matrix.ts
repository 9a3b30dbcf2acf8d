/**
 * The dense matrix input every Decoders package accepts, and cheap conversions between its
 * forms. Row-major typed arrays are the working form: conversions from them never copy.
 */
import { AbstractMatrix, Matrix } from 'ml-matrix';
import { ValidationError } from './errors.js';

/** A row-major dense matrix over a typed array: element (i, j) is `data[i * cols + j]`. */
export interface DenseMatrix<T extends Float64Array | Float32Array = Float64Array | Float32Array> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;
}

/** Any of the matrix forms the public APIs accept. */
export type MatrixInput = readonly (readonly number[])[] | DenseMatrix | Matrix;

/** Options of {@link toDense}. */
export interface ToDenseOptions {
  /** Name of the argument, used in error messages. Default `'X'`. */
  name?: string;
  /** Element type of the result. Default: keep a typed array's own type, else `'float64'`. */
  dtype?: 'float64' | 'float32';
  /** Accept NaN (missing values). Infinite values are always rejected. Default `false`. */
  allowNaN?: boolean;
  /** Accept a matrix with no rows. Default `false`. */
  allowEmpty?: boolean;
  /** Required number of columns, e.g. the width seen at fit time. */
  cols?: number;
}

/** Builds a {@link DenseMatrix}, checking that `data.length === rows * cols`. */
export function denseMatrix<T extends Float64Array | Float32Array>(
  data: T,
  rows: number,
  cols: number,
): DenseMatrix<T> {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ValidationError(`matrix shape must be non-negative integers, got [${rows}, ${cols}]`);
  }
  if (data.length !== rows * cols) {
    throw new ValidationError(
      `matrix data has ${data.length} values but shape [${rows}, ${cols}] needs ${rows * cols}`,
    );
  }
  return { data, rows, cols };
}

/** True when `value` looks like a {@link DenseMatrix}. */
export function isDenseMatrix(value: unknown): value is DenseMatrix {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<DenseMatrix>;
  return (
    (v.data instanceof Float64Array || v.data instanceof Float32Array) &&
    typeof v.rows === 'number' &&
    typeof v.cols === 'number'
  );
}

/** An all-zero matrix. */
export function zeros(rows: number, cols: number, dtype: 'float64' | 'float32' = 'float64') {
  const data = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  return denseMatrix(data, rows, cols);
}

/**
 * Converts any {@link MatrixInput} to a validated {@link DenseMatrix}. A typed-array input of the
 * requested type is returned as is, without copying: treat the result as read-only.
 */
export function toDense(input: MatrixInput, options: ToDenseOptions = {}): DenseMatrix {
  const name = options.name ?? 'X';
  let dense = convert(input, name, options.dtype);
  if (dense.rows === 0 && Array.isArray(input) && options.cols !== undefined) {
    // An empty number[][] carries no width: take the one expected rather than reject it.
    dense = denseMatrix(allocate(options.dtype, 0), 0, options.cols);
  }
  if (dense.rows === 0 && !options.allowEmpty) {
    throw new ValidationError(`${name} is empty: pass at least one row`);
  }
  if (dense.rows > 0 && dense.cols === 0) {
    throw new ValidationError(`${name} has no columns: pass at least one feature`);
  }
  if (options.cols !== undefined && dense.cols !== options.cols) {
    throw new ValidationError(
      `${name} has ${dense.cols} columns but ${options.cols} were expected (the width seen at fit time)`,
    );
  }
  checkValues(dense, name, options.allowNaN ?? false);
  return dense;
}

function convert(input: MatrixInput, name: string, dtype: ToDenseOptions['dtype']): DenseMatrix {
  if (isDenseMatrix(input)) {
    denseMatrix(input.data, input.rows, input.cols);
    if (dtype === 'float64' && !(input.data instanceof Float64Array)) {
      return denseMatrix(Float64Array.from(input.data), input.rows, input.cols);
    }
    if (dtype === 'float32' && !(input.data instanceof Float32Array)) {
      return denseMatrix(Float32Array.from(input.data), input.rows, input.cols);
    }
    return input;
  }
  if (AbstractMatrix.isMatrix(input)) {
    const m = input as Matrix;
    const out = allocate(dtype, m.rows * m.columns);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.columns; j++) out[i * m.columns + j] = m.get(i, j);
    }
    return denseMatrix(out, m.rows, m.columns);
  }
  if (Array.isArray(input)) {
    const rows = input.length;
    const cols = rows > 0 && Array.isArray(input[0]) ? input[0].length : 0;
    const out = allocate(dtype, rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = input[i];
      if (!Array.isArray(row)) {
        throw new ValidationError(`${name}[${i}] is not an array: pass rows as arrays of numbers`);
      }
      if (row.length !== cols) {
        throw new ValidationError(
          `${name} is ragged: row ${i} has ${row.length} values but row 0 has ${cols}`,
        );
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') {
          throw new ValidationError(
            `${name}[${i}][${j}] is ${typeof v}, not a number: encode the table first (see @decoders/preprocess)`,
          );
        }
        out[i * cols + j] = v;
      }
    }
    return denseMatrix(out, rows, cols);
  }
  throw new ValidationError(
    `${name} must be number[][], a DenseMatrix ({ data, rows, cols }) or an ml-matrix Matrix`,
  );
}

function allocate(dtype: ToDenseOptions['dtype'], length: number): Float64Array | Float32Array {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

function checkValues(m: DenseMatrix, name: string, allowNaN: boolean): void {
  const { data, cols } = m;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (v - v !== 0) {
      const row = Math.floor(k / cols);
      const col = k % cols;
      if (Number.isNaN(v) && allowNaN) continue;
      throw new ValidationError(
        `${name}[${row}][${col}] is ${v}: ${name} must hold finite numbers (impute or drop missing values first)`,
      );
    }
  }
}

/** The values of row `i`, as a view that shares memory with `m`. */
export function rowView<T extends Float64Array | Float32Array>(m: DenseMatrix<T>, i: number): T {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols) as T;
}

/** The rows of `m` as plain arrays. */
export function toRows(m: DenseMatrix): number[][] {
  const out: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(rowView(m, i));
  return out;
}

/** An `ml-matrix` `Matrix` holding a copy of `m`. */
export function toMlMatrix(m: DenseMatrix): Matrix {
  const out = new Matrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out.set(i, j, m.data[i * m.cols + j]);
  }
  return out;
}

/** A new matrix with the given rows of `m`, in the given order. */
export function selectRows<T extends Float64Array | Float32Array>(
  m: DenseMatrix<T>,
  indices: ArrayLike<number>,
): DenseMatrix<T> {
  const Ctor = m.data.constructor as { new (n: number): T };
  const out = new Ctor(indices.length * m.cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= m.rows) {
      throw new ValidationError(`row index ${i} is out of range for a matrix of ${m.rows} rows`);
    }
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  }
  return denseMatrix(out, indices.length, m.cols);
}

/** Columns side by side: `[A | B | ...]`, all with the same number of rows. */
export function concatColumns(parts: readonly DenseMatrix[]): DenseMatrix<Float64Array> {
  if (parts.length === 0) throw new ValidationError('concatColumns needs at least one matrix');
  const rows = parts[0].rows;
  let cols = 0;
  for (const p of parts) {
    if (p.rows !== rows) {
      throw new ValidationError(`concatColumns: matrices have ${rows} and ${p.rows} rows`);
    }
    cols += p.cols;
  }
  const out = new Float64Array(rows * cols);
  let offset = 0;
  for (const p of parts) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < p.cols; j++) out[i * cols + offset + j] = p.data[i * p.cols + j];
    }
    offset += p.cols;
  }
  return denseMatrix(out, rows, cols);
}
