/**
 * Parity check against the reference PyTorch PatchTransformerVAE (part 1 of 2; the comparison
 * is bench/torch_parity.py, which imports the model class from /work/shared/reference).
 *
 * Builds our VaeNetwork, writes its initial weights, a batch and fixed reparameterisation noise,
 * then our forward pass (mu, logVar, reconstruction, loss), the gradient of every weight, and
 * the weights after each of STEPS AdamW steps on that batch (dropout off, same noise every step).
 *
 *   npx tsx bench/torch-parity.ts [outDir=/tmp/vae-parity] [backend=wasm]
 *   /usr/bin/python3 bench/torch_parity.py [outDir=/tmp/vae-parity]
 *
 * Three inputs are written: 'small' (72 standard-normal columns), 'large' (72 NSL-KDD-like
 * columns: a few heavy-tailed ones reaching 1e1..1e5, one-hot ones, the rest around 0) and, when
 * /work/shared/data is there, 'nsl' (PARITY_NSL_ROWS random preprocessed NSL-KDD training rows).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Random } from '@decoders/core';
import { AdamW, initBackend, tf } from '@decoders/nn';
import { VaeNetwork } from '../src/network.js';
import { datasetAvailable, loadDataset } from './data.js';
import { DEFAULT_SIZES } from './speed.js';

const outDir = process.argv[2] ?? '/tmp/vae-parity';
const backend = process.argv[3] ?? 'wasm';
const STEPS = Number(process.env.PARITY_STEPS ?? 3);
const BATCH = Number(process.env.PARITY_BATCH ?? 64);
const NSL_ROWS = Number(process.env.PARITY_NSL_ROWS ?? 256);
const BETA = 0.5;
const LR = 1e-3;
const WEIGHT_DECAY = 1e-4;

mkdirSync(outDir, { recursive: true });
await initBackend({ backend });

interface Entry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** Writes float32 arrays back to back into `<file>.bin`; returns their manifest. */
function dump(file: string, arrays: [string, number[], Float32Array][]): Entry[] {
  const total = arrays.reduce((n, [, , a]) => n + a.length, 0);
  const out = new Float32Array(total);
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, shape, values] of arrays) {
    out.set(values, offset);
    entries.push({ name, shape, offset, size: values.length });
    offset += values.length;
  }
  writeFileSync(`${outDir}/${file}.bin`, Buffer.from(out.buffer));
  return entries;
}

function weightsOf(network: VaeNetwork): [string, number[], Float32Array][] {
  return network.store
    .entries()
    .map(([name, v]) => [name, [...v.shape], v.dataSync() as Float32Array]);
}

const FEATURES = 72;

function makeInput(kind: 'small' | 'large', random: Random): Float32Array {
  const x = new Float32Array(BATCH * FEATURES);
  for (let i = 0; i < BATCH; i++) {
    for (let j = 0; j < FEATURES; j++) {
      let value = random.normal();
      if (kind === 'large') {
        if (j < 8) {
          // RobustScaler'd byte counts: mostly small, a heavy tail up to ~1e5.
          const scale = 10 ** (1 + (j % 5)); // 1e1 .. 1e5
          value = random.next() < 0.05 ? scale * Math.exp(random.normal()) : random.normal();
        } else if (j >= 40) {
          value = random.next() < 0.2 ? 1 : 0; // one-hot columns
        }
      }
      x[i * FEATURES + j] = value;
    }
  }
  return x;
}

const manifest: Record<string, unknown> = {
  backend: tf.getBackend(),
  beta: BETA,
  lr: LR,
  weightDecay: WEIGHT_DECAY,
  steps: STEPS,
  config: DEFAULT_SIZES,
  cases: {} as Record<string, unknown>,
};

const inputs: [string, Float32Array, number][] = [];
{
  const random = new Random(7);
  inputs.push(['small', makeInput('small', random), FEATURES]);
  inputs.push(['large', makeInput('large', random), FEATURES]);
  if (datasetAvailable('nsl_kdd_train20')) {
    const train = loadDataset('nsl_kdd_train20').train;
    const rows = random.sample(train.rows, NSL_ROWS);
    const x = new Float32Array(NSL_ROWS * train.cols);
    for (const [k, r] of rows.entries()) {
      x.set(train.data.subarray(r * train.cols, (r + 1) * train.cols), k * train.cols);
    }
    inputs.push(['nsl', x, train.cols]);
  }
}

for (const [kind, x, FEATURES] of inputs) {
  const BATCH = x.length / FEATURES;
  const random = new Random(kind === 'small' ? 1 : 2);
  const config = { ...(manifest.config as object), nFeatures: FEATURES };
  const network = new VaeNetwork(config as never, random.fork());
  const width = network.paddedWidth;
  const padded = new Float32Array(BATCH * width);
  for (let i = 0; i < BATCH; i++) {
    padded.set(x.subarray(i * FEATURES, (i + 1) * FEATURES), i * width);
  }
  const noise = random.fork();
  const eps = new Float32Array(BATCH * 32);
  for (let i = 0; i < eps.length; i++) eps[i] = noise.normal();

  const xPadded = tf.tensor2d(padded, [BATCH, width]);
  const target = tf.tensor2d(x, [BATCH, FEATURES]);
  const epsilon = tf.tensor2d(eps, [BATCH, 32]);
  // The loss of VaeNetwork.loss with the noise given instead of drawn, and no dropout.
  const forward = () =>
    tf.tidy(() => {
      const { mu, logVar } = network.encode(xPadded);
      const z = tf.add(mu, tf.mul(epsilon, tf.exp(tf.mul(logVar, 0.5)))) as tf.Tensor2D;
      const recon = network.decode(z);
      const reconstruction = tf.mean(tf.square(tf.sub(recon, target)));
      const kl = tf.mul(
        tf.mean(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar))),
        -0.5,
      );
      const total = tf.add(reconstruction, tf.mul(kl, BETA)) as tf.Scalar;
      return { mu, logVar, recon, reconstruction, kl, total };
    });

  const files: Record<string, Entry[]> = {};
  files.init = dump(`${kind}.init`, weightsOf(network));
  files.input = dump(`${kind}.input`, [
    ['x', [BATCH, FEATURES], x],
    ['eps', [BATCH, 32], eps],
  ]);
  const out = forward();
  files.forward = dump(`${kind}.forward`, [
    ['mu', out.mu.shape, out.mu.dataSync() as Float32Array],
    ['logvar', out.logVar.shape, out.logVar.dataSync() as Float32Array],
    ['recon', out.recon.shape, out.recon.dataSync() as Float32Array],
    ['recon_loss', [], out.reconstruction.dataSync() as Float32Array],
    ['kl', [], out.kl.dataSync() as Float32Array],
    ['loss', [], out.total.dataSync() as Float32Array],
  ]);
  tf.dispose(Object.values(out));

  // Evaluation-mode gradient, then STEPS AdamW steps on the same batch and noise.
  const variables = network.store.variables;
  const names = network.store.entries().map(([name]) => name);
  const optimizer = new AdamW({ learningRate: LR, weightDecay: WEIGHT_DECAY });
  const losses: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    const { value, grads } = tf.variableGrads(() => forward().total, variables);
    losses.push(value.dataSync()[0]);
    const ordered = variables.map((v) => grads[v.name]);
    files[`grad${step}`] = dump(
      `${kind}.grad${step}`,
      ordered.map((g, i) => [names[i], [...g.shape], g.dataSync() as Float32Array]),
    );
    optimizer.applyGradients(variables, ordered);
    files[`step${step}`] = dump(`${kind}.step${step}`, weightsOf(network));
    value.dispose();
    tf.dispose(grads);
  }
  optimizer.dispose();
  tf.dispose([xPadded, target, epsilon]);
  network.dispose();
  (manifest.cases as Record<string, unknown>)[kind] = {
    files,
    losses,
    batch: BATCH,
    features: FEATURES,
  };
  console.log(`${kind}: losses per step ${losses.map((l) => l.toPrecision(8)).join(', ')}`);
}
writeFileSync(`${outDir}/manifest.json`, JSON.stringify(manifest, null, 1));
console.log(`wrote ${outDir} (backend ${tf.getBackend()})`);
