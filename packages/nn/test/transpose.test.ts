import { Random } from '@decoders/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

function values(size: number, dtype: tf.DataType, seed = 1): number[] {
  const random = new Random(seed);
  return Array.from({ length: size }, () =>
    dtype === 'float32' ? random.normal() : Math.floor(random.uniform() * 1000),
  );
}

interface Results {
  cpu: tf.TypedArray;
  wasm: tf.TypedArray;
  cpuShape: number[];
  wasmShape: number[];
}

/** tf.transpose of the same values on the cpu backend and on wasm, as flat arrays. */
async function bothBackends(
  shape: number[],
  perm: number[] | undefined,
  dtype: tf.DataType = 'float32',
): Promise<Results> {
  const data = values(
    shape.reduce((a, b) => a * b, 1),
    dtype,
  );
  const run = () => {
    const x = tf.tensor(data, shape, dtype);
    const y = tf.transpose(x, perm);
    const result = { values: y.dataSync() as tf.TypedArray, shape: y.shape };
    tf.dispose([x, y]);
    return result;
  };
  await initBackend({ backend: 'cpu' });
  const cpu = run();
  await initBackend({ backend: 'wasm' });
  const wasm = run();
  return { cpu: cpu.values, wasm: wasm.values, cpuShape: cpu.shape, wasmShape: wasm.shape };
}

/** The number of positions where two arrays differ (toEqual is slow on long typed arrays). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let count = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) count++;
  return count;
}

/** The swap of the last two axes of a tensor of the given rank. */
function lastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  perm.splice(-2, 2, rank - 1, rank - 2);
  return perm;
}

describe('wasm Transpose kernel', () => {
  it('replaces the stock kernel', () => {
    expect(tf.getKernel(tf.Transpose, 'wasm')?.kernelFunc.name).toBe('kernelFunc');
  });

  it.each([
    [[3000, 130]],
    [[129, 131]],
    [[128, 128]],
    [[2048, 36]],
    [[1, 20_000]],
    [[20_000, 1]],
    [[37, 45]],
    [[3, 130, 131]],
    [[2, 2, 100, 170]],
    [[4096, 2, 32]],
  ])('swaps the last two axes of %j exactly as the cpu backend', async (shape) => {
    const result = await bothBackends(shape, lastTwo(shape.length));
    expect(result.wasmShape).toEqual(result.cpuShape);
    expect(differences(result.wasm, result.cpu)).toBe(0);
  });

  it.each([
    [[200, 130], undefined, 'float32'],
    [[129, 131], [1, 0], 'int32'],
    [[129, 131], [1, 0], 'bool'],
    [[30, 40, 50], [1, 0, 2], 'float32'],
    [[30, 40, 50], [2, 0, 1], 'float32'],
    [[30, 40, 50], [0, 1, 2], 'float32'],
    [[4, 130, 131], [0, 2, 1], 'int32'],
  ] as [number[], number[] | undefined, tf.DataType][])(
    'leaves %j with perm %j (%s) to the stock kernel, with the cpu result',
    async (shape, perm, dtype) => {
      const result = await bothBackends(shape, perm, dtype);
      expect(result.wasmShape).toEqual(result.cpuShape);
      expect(differences(result.wasm, result.cpu)).toBe(0);
    },
  );

  it('gives the right gradient through tf.transpose', async () => {
    const data = values(150 * 130, 'float32', 2);
    const weights = values(150 * 130, 'float32', 3);
    const gradient = () => {
      const x = tf.tensor2d(data, [130, 150]);
      const w = tf.tensor2d(weights, [150, 130]);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.transpose(input), w)))(x);
      const result = dx.dataSync();
      tf.dispose([x, w, dx]);
      return result;
    };
    await initBackend({ backend: 'cpu' });
    const cpu = gradient();
    await initBackend({ backend: 'wasm' });
    expect(differences(gradient(), cpu)).toBe(0);
  });

  it('leaks no tensor', () => {
    const x = tf.randomNormal([300, 200]);
    const before = tf.memory().numTensors;
    const sums = tf.tidy(() => tf.sum(tf.transpose(tf.transpose(x))).dataSync());
    tf.dispose(tf.transpose(x, [1, 0]));
    expect(tf.memory().numTensors).toBe(before);
    expect(sums[0]).toBeCloseTo(tf.sum(x).dataSync()[0]!, 1);
    x.dispose();
  });
});
