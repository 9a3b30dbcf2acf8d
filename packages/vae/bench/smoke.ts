import { Random } from '@decoders/core';
import { initBackend } from '@decoders/nn';
import { PatchTransformerVAE } from '../src/index.js';

const backend = process.argv[2] ?? 'wasm';
const cols = Number(process.argv[3] ?? 64);
await initBackend({ backend });
const r = new Random(1);
const n = 4096;
const data = new Float32Array(n * cols).map(() => r.normal());
const vae = new PatchTransformerVAE({ maxEpochs: 2, seed: 0 });
const t0 = performance.now();
const h = await vae.fit(
  { data, rows: n, cols },
  { onEpochEnd: (e) => console.log(backend, e.epoch, e.loss.toFixed(4), e.seconds.toFixed(2)) },
);
console.log(
  backend,
  'cols',
  cols,
  's/epoch',
  ((performance.now() - t0) / 2000).toFixed(2),
  h.bestEpoch,
);
