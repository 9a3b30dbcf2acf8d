import {
  AbortError,
  FormatError,
  NotFittedError,
  type ProgressEvent,
  ValidationError,
} from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { fusionFromJSON, MetaFeatures, RankFusion } from '../src/index.js';
import { DETECTOR_NAMES, loadFixture } from './fixture.js';

// Four detectors over ten training rows; detector j's training scores are 1..10 (times j+1).
const train = Array.from({ length: 10 }, (_, i) => [1, 2, 3, 4].map((k) => (i + 1) * k));
// ranks of this row: 0.2, 0.9, 0.5, 1.0
const row = [2, 18, 15, 40];

describe('RankFusion', () => {
  it('combines ECDF ranks by mean, max, aom and moa', async () => {
    const fused = async (method: 'mean' | 'max' | 'aom' | 'moa') => {
      const fusion = new RankFusion({ method });
      await fusion.fit(train);
      return fusion.predictProba([row])[0];
    };
    expect(await fused('mean')).toBeCloseTo((0.2 + 0.9 + 0.5 + 1) / 4, 12);
    expect(await fused('max')).toBe(1);
    // default groups deal detectors round-robin: {0, 2} and {1, 3}
    expect(await fused('aom')).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(await fused('moa')).toBeCloseTo((0.9 + 1) / 2, 12);
  });

  it('uses explicit groups and rejects groups that do not partition the detectors', async () => {
    const fusion = new RankFusion({
      method: 'aom',
      groups: [
        [0, 1],
        [2, 3],
      ],
    });
    await fusion.fit(train);
    expect(fusion.groups).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(fusion.predictProba([row])[0]).toBeCloseTo((0.9 + 1) / 2, 12);
    await expect(
      new RankFusion({
        groups: [
          [0, 1],
          [1, 2, 3],
        ],
      }).fit(train),
    ).rejects.toThrow(/detector 1 is in more than one group/);
    await expect(new RankFusion({ groups: [[0, 1]] }).fit(train)).rejects.toThrow(
      /each of the 4 detectors/,
    );
    await expect(new RankFusion({ method: 'moa', nGroups: 5 }).fit(train)).rejects.toThrow(
      /only 4 detectors/,
    );
  });

  it('sets the threshold from the contamination rate of the training rows', async () => {
    const { train: t } = loadFixture();
    const fusion = new RankFusion({ contamination: 0.1 });
    await fusion.fit(t.scores);
    const flagged = fusion.predict(t.scores).reduce((a, b) => a + b, 0);
    expect(flagged / t.scores.rows).toBeGreaterThan(0.08);
    expect(flagged / t.scores.rows).toBeLessThan(0.12);
  });

  it('can set the threshold from validation labels instead', async () => {
    const { train: t, val } = loadFixture();
    const fusion = new RankFusion({ threshold: { strategy: 'precision', target: 0.5 } });
    await fusion.fit(t.scores, undefined, {
      validationScores: val.scores,
      validationLabels: val.labels,
    });
    const predicted = fusion.predict(val.scores);
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < predicted.length; i++) {
      if (predicted[i]) val.labels[i] ? tp++ : fp++;
    }
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.5);
    await expect(new RankFusion({ threshold: { strategy: 'f1' } }).fit(t.scores)).rejects.toThrow(
      /needs labels/,
    );
  });

  it('explains each row by the detectors share of the fused score, and the ranks', async () => {
    const mean = new RankFusion();
    await mean.fit(train, undefined, { detectorNames: DETECTOR_NAMES });
    const [e] = mean.explain([row]);
    expect(e.ranks).toEqual([0.2, 0.9, 0.5, 1]);
    expect(e.attention.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(e.attention[3]).toBeCloseTo(1 / 2.6, 12);
    const max = new RankFusion({ method: 'max' });
    await max.fit(train);
    expect(max.explain([row])[0].attention).toEqual([0, 0, 0, 1]);
    expect(max.detectorNames).toEqual(['detector0', 'detector1', 'detector2', 'detector3']);
  });

  it('scores a row the same alone or in a batch', async () => {
    const { train: t, test } = loadFixture();
    const fusion = new RankFusion({ method: 'aom' });
    await fusion.fit(t.scores);
    const batch = fusion.predictProba(test.scores);
    const alone = fusion.predictProba([Array.from(test.scores.data.subarray(20, 24))]);
    expect(alone[0]).toBe(batch[5]);
  });

  it('round-trips through JSON and fusionFromJSON', async () => {
    const { train: t, test } = loadFixture();
    const fusion = new RankFusion({ method: 'moa', contamination: 0.03 });
    await fusion.fit(t.scores, t.labels, { detectorNames: DETECTOR_NAMES });
    const loaded = fusionFromJSON(JSON.stringify(fusion.toJSON()));
    expect(loaded).toBeInstanceOf(RankFusion);
    expect(loaded.threshold).toBe(fusion.threshold);
    expect(loaded.detectorNames).toEqual(DETECTOR_NAMES);
    expect(loaded.predictProba(test.scores)).toEqual(fusion.predictProba(test.scores));
    expect(loaded.explain(test.scores)).toEqual(fusion.explain(test.scores));
    expect(() => fusionFromJSON(new MetaFeatures().fit(train).toJSON())).toThrow(FormatError);
    expect(() => fusionFromJSON('{not json')).toThrow(FormatError);
  });

  it('reports one progress event and honours an aborted signal', async () => {
    const events: ProgressEvent[] = [];
    await new RankFusion().fit(train, undefined, { onProgress: (e) => events.push(e) });
    expect(events.map((e) => [e.stage, e.fraction])).toEqual([['fusion', 1]]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      new RankFusion().fit(train, undefined, { signal: controller.signal }),
    ).rejects.toThrow(AbortError);
  });

  it('rejects bad options and input with typed errors', async () => {
    expect(() => new RankFusion({ method: 'median' as never })).toThrow(/method must be one of/);
    expect(() => new RankFusion({ contamination: 0.9 })).toThrow(ValidationError);
    expect(() => new RankFusion().predict([[1]])).toThrow(NotFittedError);
    await expect(new RankFusion().fit(train, [0, 1])).rejects.toThrow(/2 labels but the scores/);
    await expect(new RankFusion().fit(train, undefined, { detectorNames: ['a'] })).rejects.toThrow(
      /one name per score column/,
    );
    const fusion = new RankFusion();
    await fusion.fit(train);
    expect(() => fusion.predictProba([[1, 2]])).toThrow(/2 columns but 4 were expected/);
  });
});
