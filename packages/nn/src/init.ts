/**
 * Seeded weight initialisers. They draw from core's Random rather than tf.random so that a seed
 * gives the same weights on every backend and every run.
 */
import type { Random } from '@decoders/core';

/** How a weight matrix is initialised. */
export type Initializer = 'glorot' | 'he' | 'fanIn' | 'zeros' | 'ones';

/**
 * Values for a weight of `size` elements with the given fans: Glorot (Xavier) uniform
 * U(±√(6 / (fanIn + fanOut))), He (Kaiming) uniform U(±√(6 / fanIn)), `'fanIn'` uniform
 * U(±1 / √fanIn) (what torch.nn.Linear draws for its weight and bias), or constants.
 */
export function initialValues(
  kind: Initializer,
  size: number,
  fanIn: number,
  fanOut: number,
  random: Random,
): Float32Array {
  const out = new Float32Array(size);
  if (kind === 'zeros') return out;
  if (kind === 'ones') return out.fill(1);
  const limit =
    kind === 'glorot'
      ? Math.sqrt(6 / (fanIn + fanOut))
      : kind === 'he'
        ? Math.sqrt(6 / fanIn)
        : 1 / Math.sqrt(fanIn);
  for (let i = 0; i < size; i++) out[i] = (2 * random.next() - 1) * limit;
  return out;
}
