/**
 * Profiles one default-model training step (batch 1024): CPU ms per step (min and median over
 * STEPS, default 12), then tf.profile's kernel times grouped by kernel name and input shapes.
 * `tsx bench/profile-step.ts`; NOPROF=1 skips tf.profile, BACKEND=cpu profiles the cpu backend,
 * THREADS=n sets the wasm thread count (default: the cores). Wall time is printed too: with
 * threads, CPU time counts every thread.
 *
 * On the shared 2-core machine the per-step CPU time varies by ±10 % between runs (another job
 * usually runs), so compare variants alternately over several runs, on the minimum. For the
 * whole picture, wasm functions included, run it under the V8 profiler:
 * `NOPROF=1 node --cpu-prof --import tsx bench/profile-step.ts`. What that showed (Dec 2026):
 * XNNPACK's f32 GEMM is about half of a step (~4.9 GFLOP at 15-25 GFLOP/s); rank-2 transposes
 * (the explicit xᵀ of each Dense weight gradient, ~7 ns per element) and XNNPACK's transposing
 * pack of the right operand (tfjs always passes XNN_FLAG_TRANSPOSE_WEIGHTS) about a quarter;
 * the copies that tape saving makes (Identity) a few per cent.
 */
import { Random } from '@decoders/core';
import { AdamW, initBackend, tf, trainStep, wasmThreadCount } from '@decoders/nn';
import { defaultNetwork } from './speed.js';

await initBackend({
  backend: process.env.BACKEND ?? 'wasm',
  ...(process.env.THREADS ? { threads: Number(process.env.THREADS) } : {}),
});
const COLS = 64;
const network = defaultNetwork(COLS);
const random = new Random(2);
const data = new Float32Array(1024 * COLS);
for (let i = 0; i < data.length; i++) data[i] = random.normal();
const x = tf.tensor2d(data, [1024, COLS]);
const optimizer = new AdamW({ weightDecay: 1e-4 });
const step = () =>
  trainStep(
    optimizer,
    network.store.variables,
    () => network.loss(x, x, 0.5, random, random).total,
  );
for (let i = 0; i < 3; i++) step();
const n = Number(process.env.STEPS ?? 12);
const times: number[] = [];
const walls: number[] = [];
for (let i = 0; i < n; i++) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  step();
  walls.push(performance.now() - w0);
  const c = process.cpuUsage(c0);
  times.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
walls.sort((a, b) => a - b);
console.log(
  `${wasmThreadCount()} wasm thread(s); step CPU ms (all threads): min ${times[0]!.toFixed(1)}, ` +
    `median ${times[n >> 1]!.toFixed(1)}; wall ms: min ${walls[0]!.toFixed(1)}, ` +
    `median ${walls[n >> 1]!.toFixed(1)}`,
);
if (process.env.NOPROF !== '1') {
  const info = await tf.profile(() => {
    step();
  });
  const groups = new Map<string, { ms: number; count: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    if (k.name !== 'unnamed scope') total += ms;
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
    const g = groups.get(key) ?? { ms: 0, count: 0 };
    g.ms += ms;
    g.count += 1;
    groups.set(key, g);
  }
  const byName = new Map<string, number>();
  for (const [key, g] of groups)
    byName.set(key.split(' ')[0], (byName.get(key.split(' ')[0]) ?? 0) + g.ms);
  console.log(`kernels: ${info.kernels.length}, total kernel ms ${total.toFixed(1)}`);
  console.log(
    [...byName]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k.padEnd(24)} ${v.toFixed(1)}`)
      .join('\n'),
  );
  console.log('---');
  console.log(
    [...groups]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 45)
      .map(([k, g]) => `${g.ms.toFixed(1).padStart(7)} ${String(g.count).padStart(3)}  ${k}`)
      .join('\n'),
  );
}
tf.dispose(x);
optimizer.dispose();
network.dispose();
