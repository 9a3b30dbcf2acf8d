/**
 * Nyström approximation of a kernel feature map (Williams and Seeger, "Using the Nyström
 * method to speed up kernel machines", NIPS 2001), as scikit-learn's `Nystroem` builds it:
 * m landmark rows drawn at random, and features φ(x) = K_mm^{-1/2} k(x), where k(x) holds the
 * kernel values between x and the landmarks, so that φ(a)·φ(b) approximates K(a, b).
 */
import { type Random, ValidationError } from '@decoders/core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type KernelSpec, kernelRow, kernelRows4, rowSquaredNorms } from './svm-kernels.js';

/** A fitted Nyström map. */
export interface NystroemMap {
  /** The landmark rows, row-major `nComponents × cols`. */
  readonly landmarks: Float64Array;
  /** Squared norms of the landmark rows. */
  readonly landmarkNorms: Float64Array;
  /** K_mm^{-1/2}, row-major `nComponents × nComponents` (symmetric). */
  readonly normalization: Float64Array;
  /** Training-row index of each landmark. */
  readonly indices: Uint32Array;
  readonly nComponents: number;
  readonly cols: number;
}

/**
 * Draws `nComponents` distinct landmark rows with `random` and computes K_mm^{-1/2} from the
 * eigendecomposition of their kernel matrix. Eigen-directions whose eigenvalue is at most
 * 1e-10 of the largest (duplicated landmarks, or the negative directions of a sigmoid kernel,
 * which is not positive definite) are dropped instead of being amplified.
 */
export function fitNystroem(
  x: Float64Array,
  rows: number,
  cols: number,
  spec: KernelSpec,
  nComponents: number,
  random: Random,
): NystroemMap {
  if (nComponents > rows) {
    throw new ValidationError(
      `nComponents (${nComponents}) exceeds the ${rows} training rows: lower nComponents`,
    );
  }
  const chosen = random.sample(rows, nComponents);
  const m = nComponents;
  const landmarks = new Float64Array(m * cols);
  for (let k = 0; k < m; k++) {
    landmarks.set(x.subarray(chosen[k] * cols, (chosen[k] + 1) * cols), k * cols);
  }
  const landmarkNorms = rowSquaredNorms(landmarks, m, cols);

  const kernel = new Matrix(m, m);
  const row = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    kernelRow(
      spec,
      landmarks,
      i * cols,
      landmarkNorms[i],
      landmarks,
      landmarkNorms,
      cols,
      0,
      m,
      row,
    );
    for (let j = 0; j < m; j++) kernel.set(i, j, row[j]);
  }
  // Symmetrise what rounding left uneven so the symmetric eigen-solver applies.
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const v = (kernel.get(i, j) + kernel.get(j, i)) / 2;
      kernel.set(i, j, v);
      kernel.set(j, i, v);
    }
  }
  const evd = new EigenvalueDecomposition(kernel, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  let largest = 0;
  for (const v of values) largest = Math.max(largest, v);
  const floor = largest * 1e-10;

  const normalization = new Float64Array(m * m);
  for (let c = 0; c < m; c++) {
    const lambda = values[c];
    if (!(lambda > floor)) continue;
    const scale = 1 / Math.sqrt(lambda);
    for (let i = 0; i < m; i++) {
      const ui = vectors.get(i, c) * scale;
      for (let j = 0; j < m; j++) normalization[i * m + j] += ui * vectors.get(j, c);
    }
  }
  return { landmarks, landmarkNorms, normalization, indices: chosen, nComponents: m, cols };
}

/**
 * The Nyström features of every row of `x`, row-major `rows × nComponents`, in single
 * precision to halve the memory of large training sets. Rows go four at a time, so each
 * landmark and each row of K_mm^{-1/2} is loaded once per four rows.
 */
export function nystroemFeatures(
  map: NystroemMap,
  x: Float64Array,
  rows: number,
  spec: KernelSpec,
) {
  const { landmarks, landmarkNorms, normalization, nComponents: m, cols } = map;
  const out = new Float32Array(rows * m);
  const kernelValues = new Float64Array(4 * m);
  const norms = rowSquaredNorms(x, rows, cols);
  for (let r = 0; r < rows; r += 4) {
    const count = Math.min(4, rows - r);
    const r1 = r + Math.min(1, count - 1);
    const r2 = r + Math.min(2, count - 1);
    const r3 = r + Math.min(3, count - 1);
    kernelRows4(
      spec,
      x,
      r,
      r1,
      r2,
      r3,
      norms,
      landmarks,
      landmarkNorms,
      cols,
      0,
      m,
      kernelValues,
      m,
    );
    for (let i = 0; i < m; i++) {
      const nBase = i * m;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < m; j++) {
        const v = normalization[nBase + j];
        s0 += v * kernelValues[j];
        s1 += v * kernelValues[m + j];
        s2 += v * kernelValues[2 * m + j];
        s3 += v * kernelValues[3 * m + j];
      }
      out[r * m + i] = s0;
      if (count > 1) out[(r + 1) * m + i] = s1;
      if (count > 2) out[(r + 2) * m + i] = s2;
      if (count > 3) out[(r + 3) * m + i] = s3;
    }
  }
  return out;
}

/**
 * Folds a linear model w on the Nyström features back onto the landmarks: since
 * w·φ(x) = w·(N k(x)) = (Nᵀw)·k(x), the model is a kernel expansion over the landmarks with
 * coefficients Nᵀw, scored exactly like support vectors.
 */
export function foldWeights(map: NystroemMap, weights: Float64Array): Float64Array {
  const m = map.nComponents;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const wi = weights[i];
    for (let j = 0; j < m; j++) out[j] += map.normalization[i * m + j] * wi;
  }
  return out;
}
