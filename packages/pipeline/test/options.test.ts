import { readFileSync } from 'node:fs';
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';
import { VERSION } from '../src/version.js';

describe('pipeline options', () => {
  it('defaults to the measured best configuration with the original detector settings', () => {
    const o = resolveOptions();
    expect(o.detectors.map((d) => d.name)).toEqual([
      'isolationForest',
      'isolationForestRaw',
      'oneClassSvm',
      'oneClassSvmRaw',
      'localOutlierFactor',
      'localOutlierFactorRaw',
    ]);
    const byName = Object.fromEntries(o.detectors.map((d) => [d.name, d]));
    expect(byName.isolationForest.options.nEstimators).toBe(400);
    expect(byName.oneClassSvmRaw.options).toMatchObject({ nu: 0.05, gamma: 'scale' });
    expect(byName.localOutlierFactor.options).toMatchObject({ nNeighbors: 35, novelty: true });
    expect(byName.localOutlierFactorRaw.input).toBe('raw');
    expect(o.reconstructionToken).toBe(true);
    expect(o.attention).toMatchObject({
      identityEmbedding: true,
      batchSize: 'auto',
      patience: 40,
      ensembleSize: 5,
    });
    expect(o.outOfFold).toBe(0);
    expect(o.vae).toMatchObject({ dModel: 128, nLayers: 2, maxEpochs: 50 });
  });

  it('lets a caller swap, drop and add detectors and choose their input', () => {
    const o = resolveOptions({
      detectorInput: 'latent',
      detectors: [
        { kind: 'isolationForest', options: { nEstimators: 10 } },
        { kind: 'localOutlierFactor', name: 'lofRaw', input: 'raw' },
      ],
    });
    expect(o.detectors.map((d) => [d.name, d.input, d.options.nEstimators])).toEqual([
      ['isolationForest', 'latent', 10],
      ['lofRaw', 'raw', undefined],
    ]);
    expect(resolveOptions({ preset: 'quick' }).vae.maxEpochs).toBeLessThan(50);
  });

  it('rejects bad options with a message that names them', () => {
    expect(() => resolveOptions({ outOfFold: 1 })).toThrow(/outOfFold/);
    expect(() => resolveOptions({ detectorInput: 'pixels' as never })).toThrow(/detectorInput/);
    expect(() => resolveOptions({ detectors: [{ kind: 'knn' }] })).toThrow(/detectors\[0\]\.kind/);
    expect(() => resolveOptions({ colour: 1 } as never)).toThrow(ValidationError);
    expect(() =>
      resolveOptions({
        detectors: [
          { kind: 'isolationForest', name: 'a', input: 'latent' },
          { kind: 'oneClassSvm', name: 'a', input: 'raw' },
        ],
      }),
    ).toThrow(/used twice/);
    for (const threads of [0, 9, 1.5]) {
      expect(() => resolveOptions({ threads })).toThrow(/threads/);
    }
  });

  it('keeps the thread count out of the saved options', () => {
    const resolved = resolveOptions({ threads: 1 });
    expect(resolved).not.toHaveProperty('threads');
  });

  it('keeps VERSION in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});
