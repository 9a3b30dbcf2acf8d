/** Element-wise activations and dropout shared by the models. */
import type { Random } from '@decoders/core';
import { tf } from './backend.js';

/** Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as torch.nn.GELU() computes it. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * The mask of an inverted dropout over `size` elements: each element is 0 with probability
 * `rate`, else 1 / (1 − rate). It comes from a xorshift32 stream seeded by one draw of `random`
 * (row-major order), so a training run is reproducible, rather than from tf.dropout, whose
 * per-element generator costs about a quarter of a VAE training step on wasm.
 */
export function dropoutMask(size: number, rate: number, random: Random): Float32Array {
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  const threshold = Math.floor(rate * 4294967296);
  // xorshift32 never leaves a zero state, so the seed is forced odd.
  let s = random.nextUint32() | 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    mask[i] = s >>> 0 >= threshold ? keep : 0;
  }
  return mask;
}

/**
 * Inverted dropout with a {@link dropoutMask} drawn from `random`. Returns `x` itself when `rate`
 * is 0 or `random` is undefined (inference).
 */
export function dropout(x: tf.Tensor, rate: number, random: Random | undefined): tf.Tensor {
  if (random === undefined || rate <= 0) return x;
  const mask = dropoutMask(x.size, rate, random);
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
