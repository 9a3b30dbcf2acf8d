/**
 * Kernel functions of the support vector models, on row-major dense data. The radial basis
 * function is computed as exp(-γ(‖a‖² + ‖b‖² − 2a·b)) with the squared norms computed once,
 * as libsvm does, so a kernel row costs one dot product per entry.
 */

/** The kernels the support vector models know. */
export type KernelName = 'rbf' | 'linear' | 'poly' | 'sigmoid';

/** Every kernel name, for validation. */
export const KERNEL_NAMES: readonly KernelName[] = ['rbf', 'linear', 'poly', 'sigmoid'];

/** A kernel with its resolved parameters. */
export interface KernelSpec {
  readonly kernel: KernelName;
  /** Resolved γ (never 'scale' or 'auto' here). */
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
}

/** Squared Euclidean norm of every row of a row-major matrix. */
export function rowSquaredNorms(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let k = 0; k < cols; k++) {
      const v = data[base + k];
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * Maps a dot product (and, for rbf, the two squared norms) to a kernel value. Kept separate
 * from the dot products so the inner loops stay monomorphic.
 */
export function kernelFromDot(spec: KernelSpec, dot: number, normA: number, normB: number) {
  switch (spec.kernel) {
    case 'rbf':
      return Math.exp(-spec.gamma * (normA + normB - 2 * dot));
    case 'linear':
      return dot;
    case 'poly':
      return (spec.gamma * dot + spec.coef0) ** spec.degree;
    default:
      return Math.tanh(spec.gamma * dot + spec.coef0);
  }
}

/**
 * Writes K(a, b_j) into `out[j]` for the rows j in [from, to) of `b`, where `a` is the row of
 * `aData` starting at `aOffset`. `normsB` holds the squared norms of `b`'s rows.
 */
export function kernelRow(
  spec: KernelSpec,
  aData: Float64Array,
  aOffset: number,
  normA: number,
  b: Float64Array,
  normsB: Float64Array,
  cols: number,
  from: number,
  to: number,
  out: Float32Array | Float64Array,
): void {
  const gamma = spec.gamma;
  if (spec.kernel === 'rbf') {
    for (let j = from; j < to; j++) {
      const base = j * cols;
      let s = 0;
      for (let k = 0; k < cols; k++) s += aData[aOffset + k] * b[base + k];
      out[j] = Math.exp(-gamma * (normA + normsB[j] - 2 * s));
    }
    return;
  }
  for (let j = from; j < to; j++) {
    const base = j * cols;
    let s = 0;
    for (let k = 0; k < cols; k++) s += aData[aOffset + k] * b[base + k];
    out[j] = kernelFromDot(spec, s, 0, 0);
  }
}

/**
 * Σ_j coef_j · K(x_i, sv_j) for every row x_i of `x`: the kernel expansion that the support
 * vector decision functions share. Rows are processed in blocks so the support vectors stay
 * in cache while a block of query rows is scored.
 */
export function kernelExpansion(
  spec: KernelSpec,
  x: Float64Array,
  rows: number,
  supportVectors: Float64Array,
  supportNorms: Float64Array,
  coefficients: Float64Array,
  cols: number,
): Float64Array {
  const nSupport = coefficients.length;
  const out = new Float64Array(rows);
  const block = 32;
  const dots = new Float64Array(block * nSupport);
  const gamma = spec.gamma;
  for (let start = 0; start < rows; start += block) {
    const end = Math.min(rows, start + block);
    for (let i = start; i < end; i++) {
      const xBase = i * cols;
      const dBase = (i - start) * nSupport;
      for (let j = 0; j < nSupport; j++) {
        const sBase = j * cols;
        let s = 0;
        for (let k = 0; k < cols; k++) s += x[xBase + k] * supportVectors[sBase + k];
        dots[dBase + j] = s;
      }
    }
    for (let i = start; i < end; i++) {
      const dBase = (i - start) * nSupport;
      let sum = 0;
      if (spec.kernel === 'rbf') {
        let normX = 0;
        for (let k = 0; k < cols; k++) normX += x[i * cols + k] * x[i * cols + k];
        for (let j = 0; j < nSupport; j++) {
          sum +=
            coefficients[j] * Math.exp(-gamma * (normX + supportNorms[j] - 2 * dots[dBase + j]));
        }
      } else {
        for (let j = 0; j < nSupport; j++) {
          sum += coefficients[j] * kernelFromDot(spec, dots[dBase + j], 0, 0);
        }
      }
      out[i] = sum;
    }
  }
  return out;
}
