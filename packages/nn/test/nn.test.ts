import { AbortError, FormatError, Random, ValidationError } from '@decoders/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdamW,
  Dense,
  gatherRows,
  gelu,
  initBackend,
  initialValues,
  LayerNorm,
  loadWeights,
  MultiHeadSelfAttention,
  ParameterStore,
  saveWeights,
  tf,
  trainLoop,
  trainStep,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('initBackend', () => {
  it('starts wasm by default and is idempotent', async () => {
    const name = await initBackend();
    expect(['wasm', 'cpu']).toContain(name);
    expect(await initBackend()).toBe(name);
    expect(tf.getBackend()).toBe(name);
  });

  it('switches to a named registered backend and back', async () => {
    expect(await initBackend({ backend: 'cpu' })).toBe('cpu');
    // A plain call keeps the application's earlier choice.
    expect(await initBackend()).toBe('cpu');
    expect(await initBackend({ backend: 'wasm' })).toBe('wasm');
  });

  it('rejects an unregistered backend with a typed error', async () => {
    await expect(initBackend({ backend: 'no-such-backend' })).rejects.toThrow(ValidationError);
  });

  it('clones on wasm by sharing memory, freed once the last tensor goes', async () => {
    await initBackend({ backend: 'wasm' });
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const copy = tf.clone(x);
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    copy.dispose();
    expect(buffers()).toBe(before);

    // A variable assigned a new value leaves its snapshot (a clone) as it was.
    const initial = tf.tensor1d([1, 2]);
    const v = tf.variable(initial);
    const snapshot = tf.clone(v);
    const next = tf.tensor1d([7, 8]);
    v.assign(next);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([7, 8]);
    tf.dispose([initial, v, snapshot, next]);

    const strings = tf.tensor1d(['a', 'b'], 'string');
    const stringCopy = tf.clone(strings);
    expect(stringCopy.arraySync()).toEqual(['a', 'b']);
    tf.dispose([strings, stringCopy]);
    expect(buffers()).toBe(before);
  });
});

describe('initialisers and layers', () => {
  it('draws the same weights for the same seed, within the Glorot bound', () => {
    const a = initialValues('glorot', 600, 20, 30, new Random(3));
    const b = initialValues('glorot', 600, 20, 30, new Random(3));
    const c = initialValues('glorot', 600, 20, 30, new Random(4));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const limit = Math.sqrt(6 / 50);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.9 * limit);
  });

  it('draws fanIn weights within ±1/√fanIn, as torch.nn.Linear', () => {
    const values = initialValues('fanIn', 4000, 16, 3, new Random(1));
    const largest = Math.max(...values.map(Math.abs));
    expect(largest).toBeLessThanOrEqual(0.25);
    expect(largest).toBeGreaterThan(0.24);
  });

  it('computes exact GELU', () => {
    const out = tf.tidy(() => gelu(tf.tensor1d([-1, 0, 1, 2])).dataSync());
    const expected = [-0.15865525, 0, 0.84134475, 1.95449974];
    expected.forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 5);
    });
  });

  it('gives the same Dense gradients as tf.matMul', () => {
    const store = new ParameterStore();
    const dense = new Dense(store, 'd', 5, 3, new Random(1));
    const x = tf.randomNormal([7, 5], 0, 1, 'float32', 1);
    const ours = tf.variableGrads(() => tf.sum(tf.square(dense.apply(x))), store.variables);
    const theirs = tf.variableGrads(
      () => tf.sum(tf.square(tf.add(tf.matMul(x, dense.weight), dense.bias!))),
      store.variables,
    );
    for (const v of store.variables) {
      const a = ours.grads[v.name].dataSync();
      const b = theirs.grads[v.name].dataSync();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
    tf.dispose([x, ours.value, theirs.value, ours.grads, theirs.grads]);
    store.dispose();
  });

  it('applies Dense to rank-3 input', () => {
    const store = new ParameterStore();
    const dense = new Dense(store, 'd', 4, 6, new Random(1));
    const y = tf.tidy(() => dense.apply(tf.ones([2, 3, 4])));
    expect(y.shape).toEqual([2, 3, 6]);
    y.dispose();
    store.dispose();
  });

  it('normalises each row with LayerNorm', () => {
    const store = new ParameterStore();
    const norm = new LayerNorm(store, 'ln', 8);
    const out = tf.tidy(() =>
      Array.from(norm.apply(tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8])).dataSync()),
    );
    const mean = out.reduce((s, v) => s + v, 0) / 8;
    const variance = out.reduce((s, v) => s + (v - mean) ** 2, 0) / 8;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 3);
    store.dispose();
  });

  it('returns attention weights [B, heads, T, T] whose rows sum to 1, without leaks', () => {
    const store = new ParameterStore();
    const attention = new MultiHeadSelfAttention(store, 'att', 8, new Random(2), {
      nHeads: 2,
      dropout: 0.1,
    });
    const x = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 7) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { output, weights } = attention.apply(x, { returnWeights: true });
    expect(output.shape).toEqual([3, 5, 8]);
    expect(weights!.shape).toEqual([3, 2, 5, 5]);
    const sums = tf.tidy(() => tf.sum(weights!, -1).dataSync());
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    tf.dispose([output, weights!]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    store.dispose();
  });

  it('rejects a head count that does not divide the width', () => {
    const store = new ParameterStore();
    expect(
      () => new MultiHeadSelfAttention(store, 'att', 10, new Random(0), { nHeads: 4 }),
    ).toThrow(ValidationError);
    store.dispose();
  });
});

describe('AdamW', () => {
  it('decays weights by lr · weightDecay independently of the gradient', () => {
    const p = tf.variable(tf.tensor1d([1, -2, 4]));
    const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0.5 });
    const zero = tf.zeros([3]);
    optimizer.applyGradients([p], [zero]);
    const values = p.dataSync();
    [0.95, -1.9, 3.8].forEach((v, i) => {
      expect(values[i]).toBeCloseTo(v, 6);
    });
    tf.dispose([p, zero]);
    optimizer.dispose();
  });

  it('matches tf Adam when weightDecay is 0, and differs from L2 regularisation', () => {
    const start = [0.5, -1.5, 2];
    const ours = tf.variable(tf.tensor1d(start));
    const theirs = tf.variable(tf.tensor1d(start));
    const adamw = new AdamW({ learningRate: 0.05, weightDecay: 0, epsilon: 1e-7 });
    const adam = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
    const loss = (v: tf.Variable) => () => tf.sum(tf.mul(tf.square(v), tf.tensor1d([1, 2, 3])));
    for (let i = 0; i < 5; i++) {
      trainStep(adamw, [ours], loss(ours) as () => tf.Scalar);
      adam.minimize(loss(theirs) as () => tf.Scalar, false, [theirs]);
    }
    const a = ours.dataSync();
    const b = theirs.dataSync();
    for (let i = 0; i < 3; i++) expect(a[i]).toBeCloseTo(b[i], 5);

    // Decoupled decay: the shrink is lr · wd · p, not scaled by Adam's normaliser as an L2 term
    // in the gradient would be.
    const decayed = tf.variable(tf.tensor1d([3]));
    const decoupled = new AdamW({ learningRate: 0.01, weightDecay: 0.1 });
    trainStep(decoupled, [decayed], () => tf.sum(tf.mul(decayed, 2)) as tf.Scalar);
    // Adam's first step moves by lr · sign(g) = 0.01; the decay removes 0.01 · 0.1 · 3 = 0.003.
    expect(decayed.dataSync()[0]).toBeCloseTo(3 - 0.003 - 0.01, 5);
    tf.dispose([ours, theirs, decayed]);
    adamw.dispose();
    decoupled.dispose();
    adam.dispose();
  });
});

describe('trainLoop', () => {
  it('stops early and restores the best epoch (mode min)', async () => {
    const w = tf.variable(tf.scalar(0));
    const scripted = [5, 4, 2, 3, 3.5, 4, 6, 7, 8];
    const history = await trainLoop({
      nSamples: 10,
      batchSize: 4,
      maxEpochs: 9,
      random: new Random(0),
      step: (_indices, epoch) => {
        w.assign(tf.scalar(epoch));
        return 1 / epoch;
      },
      validate: (epoch) => scripted[epoch - 1],
      patience: 3,
      variables: [w],
    });
    expect(history.bestEpoch).toBe(3);
    expect(history.epochs).toBe(6);
    expect(history.validation).toEqual(scripted.slice(0, 6));
    expect(history.loss[1]).toBeCloseTo(0.5, 10);
    expect(w.dataSync()[0]).toBe(3);
    w.dispose();
  });

  it('maximises a metric in mode max and honours minDelta', async () => {
    const w = tf.variable(tf.scalar(0));
    const scripted = [0.5, 0.7, 0.705, 0.71, 0.6];
    const history = await trainLoop({
      nSamples: 3,
      batchSize: 3,
      maxEpochs: 5,
      random: new Random(0),
      step: (_indices, epoch) => {
        w.assign(tf.scalar(epoch));
        return 1;
      },
      validate: (epoch) => scripted[epoch - 1],
      mode: 'max',
      minDelta: 0.02,
      patience: 2,
      variables: [w],
    });
    expect(history.bestEpoch).toBe(2);
    expect(history.epochs).toBe(4);
    expect(w.dataSync()[0]).toBe(2);
    w.dispose();
  });

  it('shuffles the same way under the same seed and covers every row each epoch', async () => {
    const run = async (seed: number) => {
      const seen: number[][] = [];
      await trainLoop({
        nSamples: 11,
        batchSize: 4,
        maxEpochs: 2,
        random: new Random(seed),
        step: (indices) => {
          seen.push([...indices]);
          return 1;
        },
        variables: [],
      });
      return seen;
    };
    const a = await run(5);
    expect(a).toEqual(await run(5));
    expect(a).not.toEqual(await run(6));
    expect(a.map((b) => b.length)).toEqual([4, 4, 3, 4, 4, 3]);
    expect(
      a
        .slice(0, 3)
        .flat()
        .sort((x, y) => x - y),
    ).toEqual([...Array(11).keys()]);
  });

  it('cancels through an AbortSignal', async () => {
    const controller = new AbortController();
    let steps = 0;
    const run = trainLoop({
      nSamples: 100,
      batchSize: 1,
      maxEpochs: 100,
      random: new Random(0),
      step: () => {
        steps++;
        if (steps === 5) controller.abort();
        return 1;
      },
      signal: controller.signal,
      variables: [],
    });
    await expect(run).rejects.toThrow(AbortError);
    expect(steps).toBe(5);
  });

  it('reports progress and rejects a non-finite loss', async () => {
    const events: number[] = [];
    await trainLoop({
      nSamples: 2,
      batchSize: 2,
      maxEpochs: 3,
      random: new Random(0),
      step: () => 1,
      onProgress: (e) => events.push(e.epoch!),
      variables: [],
    });
    expect(events).toEqual([1, 2, 3]);
    await expect(
      trainLoop({
        nSamples: 2,
        batchSize: 2,
        maxEpochs: 3,
        random: new Random(0),
        step: () => Number.NaN,
        variables: [],
      }),
    ).rejects.toThrow(ValidationError);
  });

  it('fits a linear regression with Dense, AdamW and gatherRows', async () => {
    const random = new Random(9);
    const n = 256;
    const x = new Float32Array(n * 3);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 3; j++) x[i * 3 + j] = random.normal();
      y[i] = 2 * x[i * 3] - x[i * 3 + 1] + 0.5 * x[i * 3 + 2] + 1;
    }
    const store = new ParameterStore();
    const dense = new Dense(store, 'lin', 3, 1, random);
    const optimizer = new AdamW({ learningRate: 0.05, weightDecay: 0 });
    const before = tf.memory().numTensors;
    const history = await trainLoop({
      nSamples: n,
      batchSize: 32,
      maxEpochs: 30,
      random: new Random(1),
      variables: store.variables,
      step: (indices) => {
        const xb = tf.tensor2d(gatherRows(x, 3, indices), [indices.length, 3]);
        const yb = tf.tensor2d(gatherRows(y, 1, indices), [indices.length, 1]);
        const loss = trainStep(optimizer, store.variables, () =>
          tf.mean(tf.square(tf.sub(dense.apply(xb), yb))),
        );
        tf.dispose([xb, yb]);
        return loss;
      },
    });
    expect(history.loss[history.loss.length - 1]).toBeLessThan(history.loss[0] / 20);
    // Only the optimiser's moment estimates remain (two per variable).
    expect(tf.memory().numTensors).toBe(before + 2 * store.variables.length);
    optimizer.dispose();
    store.dispose();
  });
});

describe('weights', () => {
  const build = (seed: number) => {
    const store = new ParameterStore();
    new Dense(store, 'a', 4, 3, new Random(seed));
    new LayerNorm(store, 'n', 3);
    return store;
  };

  it('round-trips through JSON exactly', () => {
    const source = build(1);
    const target = build(2);
    const saved = JSON.parse(JSON.stringify(saveWeights(source)));
    loadWeights(target, saved);
    for (const [name, v] of source.entries()) {
      expect(target.get(name)!.dataSync()).toEqual(v.dataSync());
    }
    source.dispose();
    target.dispose();
  });

  it('rejects missing, extra, reshaped and corrupt weights', () => {
    const store = build(1);
    const saved = saveWeights(store);
    const { 'a.bias': _dropped, ...missing } = saved;
    expect(() => loadWeights(store, missing)).toThrow(FormatError);
    expect(() => loadWeights(store, { ...saved, extra: saved['a.bias'] })).toThrow(FormatError);
    expect(() =>
      loadWeights(store, { ...saved, 'a.bias': { ...saved['a.bias'], shape: [4] } }),
    ).toThrow(FormatError);
    expect(() => loadWeights(store, { ...saved, 'a.bias': { shape: [3], data: 'AAAA' } })).toThrow(
      FormatError,
    );
    expect(() => loadWeights(store, null)).toThrow(FormatError);
    store.dispose();
  });

  it('rejects duplicate parameter names', () => {
    const store = new ParameterStore();
    new Dense(store, 'a', 2, 2, new Random(0));
    expect(() => new Dense(store, 'a', 2, 2, new Random(0))).toThrow(ValidationError);
    store.dispose();
  });
});

describe('dropout', () => {
  it('zeroes about `rate` of the values, rescales the rest and repeats under a seed', async () => {
    const { dropout } = await import('../src/index.js');
    const x = tf.ones([200, 50]);
    const a = tf.tidy(() => dropout(x, 0.25, new Random(3)).dataSync());
    const b = tf.tidy(() => dropout(x, 0.25, new Random(3)).dataSync());
    expect(a).toEqual(b);
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    expect(a.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(dropout(x, 0.25, undefined)).toBe(x);
    x.dispose();
  });
});
