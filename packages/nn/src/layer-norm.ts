/** Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016), as torch.nn.LayerNorm. */
import { tf } from './backend.js';
import type { ParameterStore } from './parameters.js';

/**
 * Normalises `x` over its last axis (biased variance, like torch), then scales by `gamma` and
 * shifts by `beta` (each broadcast against x: [size], or [..., size] for stacked layers).
 */
export function layerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

/** LayerNorm with a learned scale (`<name>.gamma`, ones) and shift (`<name>.beta`, zeros). */
export class LayerNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  /** @param epsilon added to the variance before the square root; torch's default 1e-5. */
  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly size: number,
    readonly epsilon = 1e-5,
  ) {
    this.gamma = store.create(`${name}.gamma`, [size], new Float32Array(size).fill(1));
    this.beta = store.create(`${name}.beta`, [size], new Float32Array(size));
  }

  /** Normalises `x` [..., size] over its last axis (biased variance, like torch). */
  apply(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.gamma, this.beta, this.epsilon);
  }
}
