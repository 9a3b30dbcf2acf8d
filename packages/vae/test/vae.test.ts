import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AbortError,
  type DenseMatrix,
  denseMatrix,
  FormatError,
  NotFittedError,
  Random,
  selectRows,
  ValidationError,
} from '@decoders/core';
import { initBackend, tf } from '@decoders/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { PatchTransformerVAE, type PatchTransformerVAEOptions } from '../src/index.js';

/** A sample of ODDS cardio (every 4th row): 21 standardised features, label last. */
function loadCardio(): { x: DenseMatrix<Float64Array>; y: Uint8Array } {
  const path = fileURLToPath(new URL('./fixtures/cardio-sample.csv', import.meta.url));
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const cols = lines[0].split(',').length - 1;
  const data = new Float64Array(lines.length * cols);
  const y = new Uint8Array(lines.length);
  lines.forEach((line, i) => {
    const values = line.split(',').map(Number);
    for (let j = 0; j < cols; j++) data[i * cols + j] = values[j];
    y[i] = values[cols];
  });
  return { x: denseMatrix(data, lines.length, cols), y };
}

const tiny: PatchTransformerVAEOptions = {
  patchSize: 8,
  dModel: 16,
  nLayers: 1,
  nHeads: 2,
  latentDim: 4,
  batchSize: 64,
  maxEpochs: 3,
  seed: 1,
};

function randomMatrix(rows: number, cols: number, seed: number): DenseMatrix<Float32Array> {
  const random = new Random(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = random.normal();
  return denseMatrix(data, rows, cols);
}

const cardio = loadCardio();
const normals = selectRows(
  cardio.x,
  [...cardio.y.keys()].filter((i) => cardio.y[i] === 0),
);

beforeAll(async () => {
  await initBackend();
});

describe('PatchTransformerVAE', () => {
  it('gives outputs of the documented shapes, padding the row to whole patches', async () => {
    const x = randomMatrix(50, 13, 2);
    const vae = new PatchTransformerVAE(tiny);
    const history = await vae.fit(x);
    expect(vae.nFeatures).toBe(13);
    expect(vae.nPatches).toBe(2);
    expect(history.epochs).toBe(3);
    expect(history.loss).toHaveLength(3);
    expect(history.validation).toEqual([]);
    const z = vae.encode(x);
    expect(z.data).toBeInstanceOf(Float32Array);
    expect([z.rows, z.cols]).toEqual([50, 4]);
    const errors = vae.reconstructionError(x);
    expect(errors).toBeInstanceOf(Float64Array);
    expect(errors).toHaveLength(50);
    const byFeature = vae.reconstructionErrorByFeature(x);
    expect([byFeature.rows, byFeature.cols]).toEqual([50, 13]);
    // The row error is the mean of the per-feature errors.
    let sum = 0;
    for (let j = 0; j < 13; j++) sum += byFeature.data[7 * 13 + j];
    expect(errors[7]).toBeCloseTo(sum / 13, 5);
    vae.dispose();
  });

  it('is deterministic under a seed and differs across seeds', async () => {
    const x = randomMatrix(60, 10, 3);
    const fitEncode = async (seed: number) => {
      const vae = new PatchTransformerVAE({ ...tiny, seed });
      await vae.fit(x, { validation: randomMatrix(20, 10, 4) });
      const z = vae.encode(x).data;
      vae.dispose();
      return z;
    };
    const a = await fitEncode(5);
    expect(await fitEncode(5)).toEqual(a);
    expect(await fitEncode(6)).not.toEqual(a);
  });

  it('restores the weights of the best validation epoch', async () => {
    const x = randomMatrix(80, 12, 7);
    const validation = randomMatrix(40, 12, 8);
    // A large learning rate makes the validation loss bounce, so the best epoch is not the last.
    const vae = new PatchTransformerVAE({
      ...tiny,
      maxEpochs: 12,
      patience: 3,
      learningRate: 0.05,
    });
    const history = await vae.fit(x, { validation });
    const best = Math.min(...history.validation);
    expect(history.validation[history.bestEpoch - 1]).toBe(best);
    expect(history.bestEpoch).toBeLessThan(history.epochs);
    if (history.epochs < 12) expect(history.epochs).toBe(history.bestEpoch + 3);
    // The kept weights reproduce the best epoch's validation loss (same seeded noise).
    expect(vae.loss(validation)).toBeCloseTo(best, 4);
    vae.dispose();
  });

  it('round-trips through JSON with identical outputs', async () => {
    const x = randomMatrix(40, 9, 9);
    const vae = new PatchTransformerVAE({ ...tiny, positionalEmbedding: true });
    await vae.fit(x);
    const text = JSON.stringify(vae.toJSON());
    const copy = PatchTransformerVAE.fromJSON(text);
    expect(copy.encode(x).data).toEqual(vae.encode(x).data);
    expect(copy.reconstructionError(x)).toEqual(vae.reconstructionError(x));
    expect(copy.history).toEqual(vae.history);
    expect(copy.config).toEqual(vae.config);
    const edited = JSON.parse(text);
    edited.state.nFeatures = 10;
    expect(() => PatchTransformerVAE.fromJSON(edited)).toThrow(FormatError);
    expect(() => PatchTransformerVAE.fromJSON({ format: 'other', version: 1 })).toThrow(
      FormatError,
    );
    vae.dispose();
    copy.dispose();
  });

  it('leaves no tensor behind across fit, encode, reconstructionError and dispose', async () => {
    const x = randomMatrix(70, 11, 10);
    const before = tf.memory().numTensors;
    const vae = new PatchTransformerVAE({ ...tiny, inferenceBatchSize: 16 });
    await vae.fit(x, { validation: randomMatrix(30, 11, 11) });
    const afterFit = tf.memory().numTensors;
    vae.encode(x);
    vae.reconstructionError(x);
    vae.reconstructionErrorByFeature(x);
    vae.loss(x);
    expect(tf.memory().numTensors).toBe(afterFit);
    vae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lowers the loss on real data (ODDS cardio sample) and scores anomalies higher', async () => {
    const vae = new PatchTransformerVAE({
      dModel: 32,
      nLayers: 1,
      latentDim: 8,
      batchSize: 128,
      maxEpochs: 12,
      learningRate: 3e-3,
      seed: 0,
    });
    const history = await vae.fit(normals);
    expect(history.loss[history.loss.length - 1]).toBeLessThan(0.8 * history.loss[0]);
    const errors = vae.reconstructionError(cardio.x);
    let normal = 0;
    let anomalous = 0;
    let nAnomalous = 0;
    for (let i = 0; i < errors.length; i++) {
      if (cardio.y[i] === 1) {
        anomalous += errors[i];
        nAnomalous++;
      } else normal += errors[i];
    }
    expect(anomalous / nAnomalous).toBeGreaterThan(normal / (errors.length - nAnomalous));
    vae.dispose();
  });

  it('can be cancelled through an AbortSignal and is then unfitted', async () => {
    const controller = new AbortController();
    controller.abort();
    const vae = new PatchTransformerVAE(tiny);
    await expect(vae.fit(randomMatrix(20, 5, 1), { signal: controller.signal })).rejects.toThrow(
      AbortError,
    );
    expect(() => vae.encode(randomMatrix(2, 5, 1))).toThrow(NotFittedError);
  });
});

describe('PatchTransformerVAE input checks', () => {
  it('rejects bad options with typed errors', () => {
    expect(() => new PatchTransformerVAE({ latentDim: 0 })).toThrow(ValidationError);
    expect(() => new PatchTransformerVAE({ dModel: 10, nHeads: 4 })).toThrow(/nHeads/);
    expect(() => new PatchTransformerVAE({ dropout: 1 })).toThrow(ValidationError);
    expect(() => new PatchTransformerVAE({ patchSize: 2.5 })).toThrow(ValidationError);
  });

  it('rejects NaN, empty input and a width other than the fitted one', async () => {
    const bad = randomMatrix(10, 4, 1);
    const withNaN = denseMatrix(Float32Array.from(bad.data), 10, 4);
    withNaN.data[5] = Number.NaN;
    const vae = new PatchTransformerVAE(tiny);
    await expect(vae.fit(withNaN)).rejects.toThrow(ValidationError);
    await expect(vae.fit(withNaN)).rejects.toThrow(/X\[1\]\[1\] is NaN/);
    await expect(vae.fit(denseMatrix(new Float32Array(0), 0, 4))).rejects.toThrow(/empty/);
    await expect(vae.fit(bad, { validation: randomMatrix(3, 5, 2) })).rejects.toThrow(
      ValidationError,
    );
    expect(() => vae.reconstructionError(bad)).toThrow(NotFittedError);
    await vae.fit(bad);
    expect(() => vae.encode(randomMatrix(3, 6, 1))).toThrow(/6 columns but 4/);
    expect(() => vae.encode([])).toThrow(ValidationError);
    expect(() => vae.reconstructionErrorByFeature(withNaN)).toThrow(ValidationError);
    vae.dispose();
  });

  it('does not modify the caller data', async () => {
    const x = randomMatrix(20, 6, 4);
    const copy = Float32Array.from(x.data);
    const vae = new PatchTransformerVAE(tiny);
    await vae.fit(x, { validation: x });
    vae.reconstructionError(x);
    expect(x.data).toEqual(copy);
    vae.dispose();
  });
});
