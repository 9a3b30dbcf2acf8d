/** Element-wise activations and dropout shared by the models. */
import type { Random } from '@decoders/core';
import { tf } from './backend.js';

/** Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as torch.nn.GELU() computes it. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * Inverted dropout with a mask seeded from `random`, so a training run is reproducible. Returns
 * `x` itself when `rate` is 0 or `random` is undefined (inference).
 */
export function dropout(x: tf.Tensor, rate: number, random: Random | undefined): tf.Tensor {
  if (random === undefined || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, random.nextUint32());
}
