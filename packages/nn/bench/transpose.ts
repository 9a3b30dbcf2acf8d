/**
 * Nanoseconds per element of tf.transpose (last two axes) on the wasm backend, stock kernel against the
 * SIMD one of src/transpose.ts, on the shapes of a VAE training step and a few batched ones.
 * `tsx bench/transpose.ts`.
 * Reports CPU time (min over REPEATS, default 30), as the shared machine is usually busy.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

tf.env().set('PROD', true);
await tf.setBackend('wasm');
await tf.ready();

// Each shape is transposed over its last two axes.
const SHAPES: number[][] = [
  [2048, 512],
  [2048, 128],
  [512, 128],
  [128, 128],
  [3000, 130],
  [4096, 2, 32],
  [4096, 32, 2],
  [4096, 8, 8],
  [1024, 16, 16],
  [256, 32, 32],
  [16, 128, 128],
];
const REPEATS = Number(process.env.REPEATS ?? 30);

function nsPerElement(shape: number[]): number {
  const x = tf.randomNormal(shape);
  const perm = shape.map((_, axis) => axis);
  perm.splice(-2, 2, shape.length - 1, shape.length - 2);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEATS + 3; i++) {
    const c0 = process.cpuUsage();
    const y = tf.transpose(x, perm);
    const c = process.cpuUsage(c0);
    y.dispose();
    if (i >= 3) best = Math.min(best, (c.user + c.system) * 1000);
  }
  x.dispose();
  return best / x.size;
}

const stock = SHAPES.map(nsPerElement);
const { installFastTranspose } = await import('../src/transpose.js');
installFastTranspose();
const tiled = SHAPES.map(nsPerElement);
for (let i = 0; i < SHAPES.length; i++) {
  const name = `[${SHAPES[i]!.join(', ')}]`.padEnd(16);
  console.log(`${name} stock ${stock[i]!.toFixed(2)} ns, tiled ${tiled[i]!.toFixed(2)} ns`);
}
