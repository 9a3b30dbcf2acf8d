/**
 * A linear one-class SVM trained by averaged stochastic gradient descent, the model behind
 * scikit-learn's `SGDOneClassSVM`. It minimises the primal of Schölkopf et al. (2001), scaled
 * by ν so the step size follows the Pegasos schedule (Shalev-Shwartz et al., 2007):
 *
 *   J(w, ρ) = ν/2 ‖w‖² − νρ + (1/n) Σᵢ max(0, ρ − w·fᵢ)
 *
 * with step ηₜ = 1 / (ν (t + t₀)), and averages the iterates after the first epoch
 * (Polyak–Ruppert, every eighth iterate) to damp the noise of single-row steps.
 */
import type { Random } from '@decoders/core';

/** Options of {@link fitSgdOneClass}. */
export interface SgdOneClassOptions {
  /** ν in (0, 1]: the upper bound on the fraction of training rows outside the boundary. */
  nu: number;
  /** Passes over the data. */
  epochs: number;
  /** Shuffles the row order of every pass. */
  random: Random;
}

/** A fitted linear one-class model: decision w·f − ρ. */
export interface LinearOneClassModel {
  weights: Float64Array;
  rho: number;
}

/**
 * Trains on the rows of `features` (row-major `rows × dim`). Returns the averaged iterate.
 */
export function fitSgdOneClass(
  features: Float32Array | Float64Array,
  rows: number,
  dim: number,
  options: SgdOneClassOptions,
): LinearOneClassModel {
  const { nu, epochs, random } = options;
  // w = scale · v, so the shrink of every step costs one multiplication, not `dim`.
  const v = new Float64Array(dim);
  let scale = 1;
  let rho = 0;
  const average = new Float64Array(dim);
  let averageRho = 0;
  let averaged = 0;
  // t₀ makes the first step 1: the features have norm about 1 for a normalised kernel.
  const t0 = 1 / nu;
  let t = 0;
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;

  for (let epoch = 0; epoch < epochs; epoch++) {
    random.shuffle(order);
    const averaging = epoch > 0 || epochs === 1;
    for (let k = 0; k < rows; k++) {
      const base = order[k] * dim;
      const eta = 1 / (nu * (t + t0));
      t++;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += v[j] * features[base + j];
      const margin = scale * dot;
      scale *= 1 - eta * nu;
      if (rho - margin > 0) {
        const step = eta / scale;
        for (let j = 0; j < dim; j++) v[j] += step * features[base + j];
        rho += eta * (nu - 1);
      } else {
        rho += eta * nu;
      }
      if (scale < 1e-9) {
        for (let j = 0; j < dim; j++) v[j] *= scale;
        scale = 1;
      }
      // Averaging every 8th iterate: late steps are small, so this is the running mean.
      if (averaging && (t & 7) === 0) {
        averaged++;
        const weight = 1 / averaged;
        for (let j = 0; j < dim; j++) average[j] += (scale * v[j] - average[j]) * weight;
        averageRho += (rho - averageRho) * weight;
      }
    }
  }
  if (averaged === 0) {
    for (let j = 0; j < dim; j++) average[j] = scale * v[j];
    averageRho = rho;
  }
  return { weights: average, rho: averageRho };
}
