import {
  AbortError,
  decodeArray,
  FormatError,
  loadState,
  NotFittedError,
  type ProgressCallback,
  type ProgressEvent,
  Random,
  saveState,
  ValidationError,
} from '@decoders/core';
import { tf } from '@decoders/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBatchSize } from '../src/attention-fusion.js';
import { FusionNetwork, TOKEN_WIDTH } from '../src/attention-network.js';
import {
  AttentionFusion,
  type AttentionFusionOptions,
  fusionFromJSON,
  initBackend,
  MetaFeatures,
} from '../src/index.js';
import { StackedNetworks } from '../src/stacked-networks.js';
import { DETECTOR_NAMES, loadFixture } from './fixture.js';

const data = loadFixture();
const quick: AttentionFusionOptions = { maxEpochs: 3, batchSize: 128, seed: 7 };

async function trained(options: AttentionFusionOptions = {}, onProgress?: ProgressCallback) {
  const fusion = new AttentionFusion({ ...quick, ...options });
  const history = await fusion.fit(data.train.scores, data.train.labels, {
    validationScores: data.val.scores,
    validationLabels: data.val.labels,
    detectorNames: DETECTOR_NAMES,
    onProgress,
  });
  return { fusion, history };
}

/** Each ensemble member's weights, by parameter name, from a saved fusion. */
function memberWeights(fusion: AttentionFusion): Record<string, Float32Array>[] {
  const saved = fusion.toJSON();
  const state = loadState<{ members: Record<string, { data: string }>[] }>(saved, saved.format, 2);
  return state.members.map((member) =>
    Object.fromEntries(
      Object.entries(member).map(([name, w]) => [name, decodeArray(w.data, 'float32', name)]),
    ),
  );
}

let base: Awaited<ReturnType<typeof trained>>;

beforeAll(async () => {
  await initBackend();
  base = await trained();
});

describe('AttentionFusion', () => {
  it('trains, returns its history and scores probabilities in [0, 1]', () => {
    const { fusion, history } = base;
    expect(history.epochs).toBe(3);
    expect(history.loss).toHaveLength(3);
    expect(history.validation).toHaveLength(3);
    expect(history.bestEpoch).toBeGreaterThanOrEqual(1);
    const p = fusion.predictProba(data.test.scores);
    expect(p).toHaveLength(data.test.scores.rows);
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    expect(Number.isFinite(fusion.threshold)).toBe(true);
    const flags = fusion.predict(data.test.scores);
    for (let i = 0; i < p.length; i++) expect(flags[i]).toBe(p[i] >= fusion.threshold ? 1 : 0);
  });

  it('is deterministic under a seed and changes with the seed', async () => {
    const a = base;
    const b = await trained();
    const c = await trained({ seed: 8 });
    const pa = a.fusion.predictProba(data.test.scores);
    expect(b.fusion.predictProba(data.test.scores)).toEqual(pa);
    expect(b.history).toEqual(a.history);
    expect(c.fusion.predictProba(data.test.scores)).not.toEqual(pa);
    for (const x of [b, c]) x.fusion.dispose();
  });

  it('explains rows with attention summing to 1 and the detector ranks', () => {
    const { fusion } = base;
    const explanations = fusion.explain(data.test.scores);
    const ranks = new MetaFeatures().fit(data.train.scores).ranks(data.test.scores);
    expect(explanations).toHaveLength(data.test.scores.rows);
    explanations.forEach((e, i) => {
      expect(e.attention).toHaveLength(4);
      expect(e.attention.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      for (const a of e.attention) expect(a).toBeGreaterThan(0);
      for (let j = 0; j < 4; j++) expect(e.ranks[j]).toBeCloseTo(ranks.data[i * 4 + j], 6);
    });
    expect(fusion.detectorNames).toEqual(DETECTOR_NAMES);
  });

  it('scores a row the same alone or in a batch', () => {
    const { fusion } = base;
    const batch = fusion.predictProba(data.test.scores);
    const alone = fusion.predictProba([Array.from(data.test.scores.data.subarray(12, 16))]);
    expect(alone[0]).toBeCloseTo(batch[3], 6);
  });

  it('round-trips through JSON with the same predictions, threshold and explanations', async () => {
    const { fusion } = await trained({ identityEmbedding: true, positiveWeight: 'balanced' });
    const text = JSON.stringify(fusion.toJSON());
    const loaded = fusionFromJSON(text);
    expect(loaded).toBeInstanceOf(AttentionFusion);
    expect(loaded.threshold).toBe(fusion.threshold);
    expect(loaded.detectorNames).toEqual(DETECTOR_NAMES);
    expect((loaded as AttentionFusion).positiveWeight).toBe(fusion.positiveWeight);
    expect(loaded.predictProba(data.test.scores)).toEqual(fusion.predictProba(data.test.scores));
    expect(loaded.explain(data.test.scores)).toEqual(fusion.explain(data.test.scores));
    const broken = JSON.parse(text);
    broken.checksum = '0000000000000000';
    expect(() => AttentionFusion.fromJSON(broken)).toThrow(FormatError);
    fusion.dispose();
    (loaded as AttentionFusion).dispose();
  });

  it('leaks no tensors through fit, scoring, explanations, save/load and dispose', async () => {
    const before = tf.memory().numTensors;
    const { fusion } = await trained({ identityEmbedding: true });
    fusion.predictProba(data.test.scores);
    fusion.explain(data.test.scores);
    const loaded = AttentionFusion.fromJSON(fusion.toJSON());
    loaded.predict(data.test.scores);
    fusion.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress with stage fusion and stops on abort', async () => {
    const events: ProgressEvent[] = [];
    const fusion = new AttentionFusion({ ...quick, maxEpochs: 2 });
    await fusion.fit(data.train.scores, data.train.labels, {
      validationScores: data.val.scores,
      validationLabels: data.val.labels,
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => [e.stage, e.epoch, e.maxEpochs])).toEqual([
      ['fusion', 1, 2],
      ['fusion', 2, 2],
    ]);
    expect(typeof events[0].validation).toBe('number');
    fusion.dispose();

    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort();
    await expect(
      new AttentionFusion(quick).fit(data.train.scores, data.train.labels, {
        validationScores: data.val.scores,
        validationLabels: data.val.labels,
        signal: controller.signal,
      }),
    ).rejects.toThrow(AbortError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('picks the threshold for a target precision or false-positive rate', async () => {
    const { fusion } = await trained({ threshold: { strategy: 'fpr', target: 0.05 } });
    const flags = fusion.predict(data.val.scores);
    let fp = 0;
    let negatives = 0;
    for (let i = 0; i < flags.length; i++) {
      if (!data.val.labels[i]) {
        negatives++;
        fp += flags[i];
      }
    }
    expect(fp / negatives).toBeLessThanOrEqual(0.05);
    fusion.dispose();
    expect(() => new AttentionFusion({ threshold: { strategy: 'fpr', target: 1.5 } })).toThrow(
      /threshold.target/,
    );
  });

  it('refuses labels with a single class and points to RankFusion', async () => {
    const zeros = new Uint8Array(data.train.scores.rows);
    const fit = new AttentionFusion(quick).fit(data.train.scores, zeros, {
      validationScores: data.val.scores,
      validationLabels: data.val.labels,
    });
    await expect(fit).rejects.toThrow(ValidationError);
    await expect(fit).rejects.toThrow(/single class.*RankFusion/);
    const ones = new Uint8Array(data.val.scores.rows).fill(1);
    await expect(
      new AttentionFusion(quick).fit(data.train.scores, data.train.labels, {
        validationScores: data.val.scores,
        validationLabels: ones,
      }),
    ).rejects.toThrow(/validationLabels hold a single class/);
  });

  it('averages an ensemble of networks trained with consecutive seeds', async () => {
    const { fusion, history } = await trained({ ensembleSize: 3 });
    const members = [base, await trained({ seed: 8 }), await trained({ seed: 9 })];
    const p = fusion.predictProba(data.test.scores);
    const alone = members.map((m) => m.fusion.predictProba(data.test.scores));
    for (let i = 0; i < p.length; i++) {
      expect(p[i]).toBeCloseTo((alone[0][i] + alone[1][i] + alone[2][i]) / 3, 12);
    }
    expect(history.members).toHaveLength(3);
    expect(history.members![0]).toEqual({ ...base.history });
    expect(history.members![2]).toEqual(members[2].history);
    for (const e of fusion.explain(data.test.scores)) {
      expect(e.attention.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    const loaded = AttentionFusion.fromJSON(JSON.stringify(fusion.toJSON()));
    expect(loaded.predictProba(data.test.scores)).toEqual(p);
    expect(loaded.explain(data.test.scores)).toEqual(fusion.explain(data.test.scores));
    for (const m of members.slice(1)) m.fusion.dispose();
    fusion.dispose();
    loaded.dispose();
  });

  it('trains an ensemble in one batched graph with the weights of separate fits', async () => {
    // Dropout on, identity embedding on, and a short patience so that members stop at
    // different epochs (and the batch shrinks as they finish).
    const options: AttentionFusionOptions = {
      maxEpochs: 20,
      patience: 2,
      learningRate: 1e-2,
      dropout: 0.2,
      identityEmbedding: true,
    };
    const before = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const { fusion, history } = await trained({ ...options, ensembleSize: 3 }, (e) =>
      events.push(e),
    );
    const weights = memberWeights(fusion);
    fusion.dispose();
    expect(tf.memory().numTensors).toBe(before);

    expect(history.members).toHaveLength(3);
    const epochs = history.members!.map((h) => h.epochs);
    expect(new Set(epochs).size).toBeGreaterThan(1);
    expect(events).toHaveLength(Math.max(...epochs));
    expect(events.every((e) => e.stage === 'fusion' && /ensemble/.test(e.message ?? ''))).toBe(
      true,
    );
    for (let k = 0; k < 3; k++) {
      const alone = await trained({ ...options, seed: quick.seed! + k });
      const separate = memberWeights(alone.fusion)[0];
      alone.fusion.dispose();
      const member = history.members![k];
      expect(member.bestEpoch).toBe(alone.history.bestEpoch);
      expect(member.epochs).toBe(alone.history.epochs);
      for (let e = 0; e < member.epochs; e++) {
        expect(member.loss[e]).toBeCloseTo(alone.history.loss[e], 5);
        expect(member.validation[e]).toBeCloseTo(alone.history.validation[e], 5);
      }
      expect(Object.keys(weights[k])).toEqual(Object.keys(separate));
      for (const [name, values] of Object.entries(separate)) {
        const batched = weights[k][name];
        for (let i = 0; i < values.length; i++) {
          const tolerance = 1e-4 * Math.max(Math.abs(values[i]), Math.abs(batched[i])) + 1e-7;
          if (!(Math.abs(batched[i] - values[i]) <= tolerance)) {
            throw new Error(`member ${k} ${name}[${i}]: ${batched[i]} batched, ${values[i]} alone`);
          }
        }
      }
    }
  });

  it('computes in its batched graph what each member network computes', () => {
    for (const identityEmbedding of [true, false]) {
      const m = 4;
      const rows = 9;
      const config = { nDetectors: m, dModel: 8, nHeads: 2, dropout: 0.3, identityEmbedding };
      const networks = [0, 1, 2].map((k) => new FusionNetwork(config, new Random(k)));
      // Non-zero biases and identity embeddings, so that every folded term counts.
      for (const network of networks) {
        for (const [name, variable] of network.store.entries()) {
          if (name.endsWith('bias') || name === 'identity') {
            tf.tidy(() => variable.assign(tf.randomNormal(variable.shape, 0, 1, 'float32', 3)));
          }
        }
      }
      const random = new Random(11);
      const batches = networks.map(() =>
        Float32Array.from({ length: rows * m * TOKEN_WIDTH }, () => random.normal()),
      );
      const stacked = new StackedNetworks(networks);
      for (const training of [false, true]) {
        const streams = (offset: number) => [0, 1, 2].map((k) => new Random(100 + offset + k));
        const wide = tf.tidy(() =>
          stacked.apply(stacked.input(batches), [0, 1, 2], training ? streams(0) : undefined),
        );
        const logits = wide.arraySync();
        wide.dispose();
        networks.forEach((network, k) => {
          const alone = tf.tidy(
            () =>
              network.apply(
                tf.tensor3d(batches[k], [rows, m, TOKEN_WIDTH]),
                training ? streams(0)[k] : undefined,
              ).logits,
          );
          const expected = alone.dataSync();
          alone.dispose();
          for (let i = 0; i < rows; i++) {
            expect(Math.abs(logits[k][i] - expected[i])).toBeLessThan(
              1e-5 * (1 + Math.abs(expected[i])),
            );
          }
        });
      }
      // Each member's gradient (here of Σ c·logits, dropout on) is that of its own network.
      const c = Float32Array.from({ length: 3 * rows }, () => random.normal());
      const { grads } = tf.variableGrads(
        () =>
          tf.sum(
            tf.mul(
              stacked.apply(
                stacked.input(batches),
                [0, 1, 2],
                [0, 1, 2].map((k) => new Random(7 + k)),
              ),
              tf.tensor2d(c, [3, rows]),
            ),
          ) as tf.Scalar,
        stacked.variables,
      );
      const wideGradient = grads[stacked.weights.name].arraySync() as number[][];
      tf.dispose(grads);
      networks.forEach((network, k) => {
        const alone = tf.variableGrads(
          () =>
            tf.sum(
              tf.mul(
                network.apply(tf.tensor3d(batches[k], [rows, m, TOKEN_WIDTH]), new Random(7 + k))
                  .logits,
                tf.tensor1d(c.subarray(k * rows, (k + 1) * rows)),
              ),
            ) as tf.Scalar,
          network.variables,
        );
        const expected = network.variables.flatMap((v) =>
          Array.from(alone.grads[v.name].dataSync()),
        );
        tf.dispose([alone.value, alone.grads]);
        expect(wideGradient[k]).toHaveLength(expected.length);
        const scale = Math.max(...expected.map(Math.abs));
        expected.forEach((g, i) => {
          expect(Math.abs(wideGradient[k][i] - g)).toBeLessThan(1e-4 * scale);
        });
      });
      // A subset of the members (as when some have stopped) gives those members' logits.
      const subset = tf.tidy(() => stacked.apply(stacked.input([batches[2], batches[0]]), [2, 0]));
      const full = tf.tidy(() => stacked.apply(stacked.input(batches), [0, 1, 2]));
      const [s, f] = [subset.arraySync(), full.arraySync()];
      for (let i = 0; i < rows; i++) {
        expect(s[0][i]).toBeCloseTo(f[2][i], 5);
        expect(s[1][i]).toBeCloseTo(f[0][i], 5);
      }
      tf.dispose([subset, full]);
      stacked.dispose();
      for (const network of networks) network.dispose();
    }
  });

  it('loads a version 1 file, which holds one network', () => {
    const saved = base.fusion.toJSON();
    const state = loadState<Record<string, unknown>>(saved, saved.format, 2);
    const { members, ...rest } = state as { members: unknown[] };
    const v1 = saveState(saved.format, 1, { ...rest, weights: members[0] });
    const loaded = AttentionFusion.fromJSON(v1);
    expect(loaded.predictProba(data.test.scores)).toEqual(
      base.fusion.predictProba(data.test.scores),
    );
    loaded.dispose();
    const empty = saveState(saved.format, 2, { ...rest, members: [] });
    expect(() => AttentionFusion.fromJSON(empty)).toThrow(/no network weights/);
  });

  it("takes ten batches per epoch, of at least 128 rows, with batchSize 'auto'", async () => {
    expect(resolveBatchSize('auto', 1171)).toBe(128);
    expect(resolveBatchSize('auto', 1280)).toBe(128);
    expect(resolveBatchSize('auto', 8873)).toBe(888);
    expect(resolveBatchSize(64, 8873)).toBe(64);
    // A fit with 'auto' takes the batch size of the number of rows it sees (here four copies of
    // the training rows: 1,592 rows, batches of 160), and saves the rule.
    const copies = 4;
    const { scores, labels } = data.train;
    const tiled = {
      data: Float64Array.from(
        { length: scores.data.length * copies },
        (_, i) => scores.data[i % scores.data.length],
      ),
      rows: scores.rows * copies,
      cols: scores.cols,
    };
    const tiledLabels = Array.from(
      { length: labels.length * copies },
      (_, i) => labels[i % labels.length],
    );
    const size = resolveBatchSize('auto', tiled.rows);
    expect(size).toBe(160);
    const fit = async (batchSize: number | 'auto') => {
      const fusion = new AttentionFusion({ ...quick, batchSize });
      const history = await fusion.fit(tiled, tiledLabels, {
        validationScores: data.val.scores,
        validationLabels: data.val.labels,
        detectorNames: DETECTOR_NAMES,
      });
      return { fusion, history };
    };
    const auto = await fit('auto');
    const fixed = await fit(size);
    const other = await fit(128);
    expect(auto.history.loss).toEqual(fixed.history.loss);
    expect(auto.history.loss).not.toEqual(other.history.loss);
    other.fusion.dispose();
    const again = AttentionFusion.fromJSON(JSON.stringify(auto.fusion.toJSON()));
    expect(again.predictProba(data.test.scores)).toEqual(
      auto.fusion.predictProba(data.test.scores),
    );
    expect(() => new AttentionFusion({ batchSize: 'large' as never })).toThrow(/batchSize/);
    for (const f of [auto.fusion, fixed.fusion, again]) f.dispose();
  });

  it('rejects bad options and input with typed errors', async () => {
    expect(() => new AttentionFusion({ nHeads: 5 })).toThrow(/nHeads \(5\) must divide dModel/);
    expect(() => new AttentionFusion({ positiveWeight: -1 })).toThrow(/positiveWeight/);
    expect(() => new AttentionFusion({ dropout: 1 })).toThrow(/dropout/);
    expect(() => new AttentionFusion({ ensembleSize: 0 })).toThrow(/ensembleSize/);
    expect(() => new AttentionFusion().predictProba([[1, 2, 3, 4]])).toThrow(NotFittedError);
    await expect(
      new AttentionFusion(quick).fit(data.train.scores, data.train.labels),
    ).rejects.toThrow(/validationScores and validationLabels are required/);
    await expect(
      new AttentionFusion(quick).fit(data.train.scores, [0, 1, 2], {
        validationScores: data.val.scores,
        validationLabels: data.val.labels,
      }),
    ).rejects.toThrow(/3 labels but the scores have/);
    await expect(
      new AttentionFusion(quick).fit(data.train.scores, data.train.labels, {
        validationScores: [[1, 2]],
        validationLabels: [1],
      }),
    ).rejects.toThrow(/2 columns but 4 were expected/);
  });
});
