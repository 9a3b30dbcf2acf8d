// The override installed after the wasm backend has started (the other test files install it
// before, on import): this file imports tf directly and the kernel's module only afterwards.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

describe('wasm Transpose kernel installed after the backend started', () => {
  it('replaces the running kernel and still falls back to the stock one', async () => {
    tf.env().set('PROD', true);
    expect(await tf.setBackend('wasm')).toBe(true);
    const stock = tf.getKernel(tf.Transpose, 'wasm');
    const { installFastTranspose } = await import('../src/transpose.js');
    installFastTranspose();
    installFastTranspose();
    expect(tf.getKernel(tf.Transpose, 'wasm')?.kernelFunc).not.toBe(stock?.kernelFunc);

    const shape = [130, 140];
    const data = Array.from({ length: 130 * 140 }, (_, i) => (i * 7919) % 1000);
    const expected = new Array<number>(data.length);
    for (let r = 0; r < 130; r++) {
      for (let c = 0; c < 140; c++) expected[c * 130 + r] = data[r * 140 + c]!;
    }
    for (const dtype of ['float32', 'int32'] as const) {
      const x = tf.tensor(data, shape, dtype);
      const y = tf.transpose(x);
      expect(y.shape).toEqual([140, 130]);
      expect(Array.from(y.dataSync())).toEqual(expected);
      tf.dispose([x, y]);
    }
  });
});
