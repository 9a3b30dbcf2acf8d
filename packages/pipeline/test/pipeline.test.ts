import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent } from '@decoders/core';
import { AbortError, FormatError, NotFittedError, ValidationError } from '@decoders/core';
import { wasmThreadCount } from '@decoders/nn';
import type { Table } from '@decoders/preprocess';
import { readCsv } from '@decoders/preprocess';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionPipeline, resolveOptions } from '../src/index.js';
import { fixture, TINY } from './helpers.js';

let table: Table;
let pipeline: DetectionPipeline;
const events: ProgressEvent[] = [];

beforeAll(async () => {
  table = await readCsv(fixture('cardio-600.csv'));
  pipeline = new DetectionPipeline(TINY);
  await pipeline.fit(table, { target: 'is_anomaly', onProgress: (e) => events.push(e) });
}, 300_000);

describe('DetectionPipeline', () => {
  it('fits every stage and reports progress for each', () => {
    expect(pipeline.isFitted).toBe(true);
    const stages = new Set(events.map((e) => e.stage));
    for (const stage of ['preprocess', 'vae', 'detectors', 'fusion', 'done']) {
      expect(stages.has(stage)).toBe(true);
    }
    expect(events.some((e) => e.stage === 'vae' && e.epoch === 1 && e.loss !== undefined)).toBe(
      true,
    );
    expect(pipeline.tokenNames).toEqual([
      'isolationForest',
      'isolationForestRaw',
      'oneClassSvm',
      'oneClassSvmRaw',
      'localOutlierFactor',
      'localOutlierFactorRaw',
      'vaeReconstruction',
    ]);
    const summary = pipeline.fitSummary;
    expect(summary.rows.train + summary.rows.validation).toBe(600);
    expect(summary.validation?.fusion.threshold).toBe(pipeline.threshold);
    expect(Object.keys(summary.validation?.detectors ?? {})).toHaveLength(7);
  });

  it('scores rows with detector ranks, attention and top features', () => {
    const rows = pipeline.score(table.selectRows([0, 1, 2]));
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.isAnomaly).toBe(r.score >= pipeline.threshold);
      expect(Object.keys(r.detectors)).toHaveLength(7);
      for (const d of Object.values(r.detectors)) {
        expect(d.rank).toBeGreaterThanOrEqual(0);
        expect(d.rank).toBeLessThanOrEqual(1);
      }
      const total = Object.values(r.attention).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 4);
      expect(r.topFeatures).toHaveLength(3);
      expect(r.topFeatures[0].error).toBeGreaterThanOrEqual(r.topFeatures[1].error);
      expect(table.columnNames).toContain(r.topFeatures[0].column);
    }
  });

  it('evaluates the fusion and every detector at its own threshold', () => {
    const e = pipeline.evaluate(table);
    expect(e.rows).toBe(600);
    expect(e.positives).toBe(60);
    expect(e.fusion.threshold).toBe(pipeline.threshold);
    expect(e.detectors.isolationForest.threshold).toBe(pipeline.detectorThresholds.isolationForest);
    expect(e.fusion.rocAuc).toBeGreaterThan(0.5);
    expect(e.attention.mean.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const cm = e.fusion.confusionMatrix;
    expect(cm.tn + cm.fp + cm.fn + cm.tp).toBe(600);
  });

  it('saves and loads to identical scores, in a file and in bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decoders-'));
    const path = join(dir, 'model.decoders');
    await pipeline.save(path);
    const loaded = await DetectionPipeline.load(path);
    const a = pipeline.scoreColumns(table);
    const b = loaded.scoreColumns(table);
    expect(Array.from(b.score)).toEqual(Array.from(a.score));
    expect(Array.from(b.detectors.localOutlierFactorRaw)).toEqual(
      Array.from(a.detectors.localOutlierFactorRaw),
    );
    expect(loaded.threshold).toBe(pipeline.threshold);
    expect(loaded.fitSummary.validation).toEqual(pipeline.fitSummary.validation);
    const fromBytes = await DetectionPipeline.fromBuffer(
      await pipeline.toBuffer({ compress: false }),
    );
    expect(Array.from(fromBytes.scoreColumns(table).score)).toEqual(Array.from(a.score));
    // The thread count is the caller's: an error for the saved cpu backend, and on wasm the
    // pool, once started, can be named again but not resized.
    const buffer = await pipeline.toBuffer({ compress: false });
    await expect(DetectionPipeline.fromBuffer(buffer, { threads: 1 })).rejects.toThrow(
      /threads applies to the wasm backend only/,
    );
    const onWasm = await DetectionPipeline.fromBuffer(buffer, { backend: 'wasm', threads: 1 });
    expect(wasmThreadCount()).toBe(1);
    expect(onWasm.scoreColumns(table).score).toHaveLength(table.rowCount);
    await expect(
      DetectionPipeline.fromBuffer(buffer, { backend: 'wasm', threads: 2 }),
    ).rejects.toThrow(ValidationError);
    await expect(DetectionPipeline.fromBuffer(buffer, { backend: 'nope' })).rejects.toThrow(
      ValidationError,
    );
    await DetectionPipeline.fromBuffer(buffer); // back to the saved cpu backend

    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'truncated.decoders'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(DetectionPipeline.load(join(dir, 'truncated.decoders'))).rejects.toThrow(
      FormatError,
    );
    const plain = new TextDecoder().decode(await pipeline.toBuffer({ compress: false }));
    const edited = plain.replace(/"threshold":([0-9.e-]+)/, '"threshold":0.123456');
    expect(edited).not.toBe(plain);
    writeFileSync(join(dir, 'edited.decoders'), edited);
    await expect(DetectionPipeline.load(join(dir, 'edited.decoders'))).rejects.toThrow(/checksum/);
  });

  it('rejects bad input with a clear error', async () => {
    const p = new DetectionPipeline(TINY);
    expect(() => p.score(table)).toThrow(NotFittedError);
    await expect(p.fit(table, { target: 'nope' })).rejects.toThrow(/target column 'nope'/);
    await expect(p.fit(table, { target: 'is_anomaly', drop: ['f0', 'zz'] })).rejects.toThrow(
      /unknown column\(s\) zz/,
    );
    await expect(p.fit(table.selectRows([]), { target: 'is_anomaly' })).rejects.toThrow(/empty/);
    const normals = Array.from({ length: 600 }, (_, i) => i).filter(
      (i) => table.column('is_anomaly')[i] === 0,
    );
    await expect(p.fit(table.selectRows(normals), { target: 'is_anomaly' })).rejects.toThrow(
      /only normal rows/,
    );
    expect(() => pipeline.score(table.dropColumns(['f3']))).toThrow(/f3/);
    expect(() => pipeline.evaluate(table.selectRows(normals))).toThrow(ValidationError);
  });

  it('stops when its AbortSignal fires', async () => {
    const controller = new AbortController();
    const p = new DetectionPipeline(TINY);
    const run = p.fit(table, {
      target: 'is_anomaly',
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === 'vae') controller.abort();
      },
    });
    await expect(run).rejects.toThrow(AbortError);
    expect(p.isFitted).toBe(false);
  });
});

describe('DetectionPipeline options', () => {
  it('runs detectors on the latent only, with out-of-fold fusion scores', async () => {
    const p = new DetectionPipeline({ ...TINY, detectorInput: 'latent', outOfFold: 3 });
    await p.fit(table, { target: 'is_anomaly' });
    expect(p.tokenNames).toEqual([
      'isolationForest',
      'oneClassSvm',
      'localOutlierFactor',
      'vaeReconstruction',
    ]);
    expect(p.evaluate(table).fusion.rocAuc).toBeGreaterThan(0.5);
  });

  it('gives the fusion leave-one-out LOF scores for the training normals unless told not to', async () => {
    // The LOF token's training mean, as the fusion's frozen meta-features hold it.
    const lofTrainingMean = async (leaveOneOut: boolean) => {
      const p = new DetectionPipeline({
        ...TINY,
        detectors: [{ kind: 'localOutlierFactor', input: 'raw', options: { nNeighbors: 10 } }],
        reconstructionToken: false,
        leaveOneOut,
      });
      await p.fit(table, { target: 'is_anomaly' });
      const saved = JSON.parse(new TextDecoder().decode(await p.toBuffer({ compress: false })));
      return saved.state.fusion.state.meta.state.mean[0] as number;
    };
    // In-sample, every training normal is its own nearest neighbour at distance 0 and looks
    // more normal than any new row; left out of its own neighbourhood it scores as new rows do.
    expect(await lofTrainingMean(true)).toBeGreaterThan(await lofTrainingMean(false));
    expect(resolveOptions({}).leaveOneOut).toBe(true);
    expect(() => resolveOptions({ leaveOneOut: 'yes' as never })).toThrow(/leaveOneOut/);
  });

  it('fits without labels using rank fusion and a contamination threshold', async () => {
    const p = new DetectionPipeline({ ...TINY, contamination: 0.1 });
    await p.fit(table.dropColumns(['is_anomaly']));
    const flagged = p.scoreColumns(table).isAnomaly.reduce((a, b) => a + b, 0);
    expect(flagged).toBeGreaterThan(10);
    expect(flagged).toBeLessThan(200);
    expect(p.fitSummary.validation).toBeNull();
    expect(p.evaluate(table, { target: 'is_anomaly' }).rows).toBe(600);
  });

  it('handles categorical data, a separate validation table and recall per attack type', async () => {
    const kdd = await readCsv(fixture('nsl-kdd-400.csv'));
    const train = kdd.selectRows(Array.from({ length: 300 }, (_, i) => i));
    const validation = kdd.selectRows(Array.from({ length: 100 }, (_, i) => i + 300));
    const p = new DetectionPipeline({ ...TINY, detectorInput: 'raw' });
    await p.fit(train, { target: 'is_attack', drop: ['attack_type'], validation });
    expect(p.schema.inputColumns).not.toContain('attack_type');
    expect(p.schema.featureNames.length).toBeGreaterThan(40);
    const e = p.evaluate(kdd, { attackTypeColumn: 'attack_type' });
    const types = e.attackTypes ?? [];
    expect(types.reduce((a, t) => a + t.count, 0)).toBe(e.positives);
    expect(types.every((t) => t.type !== 'normal')).toBe(true);
    const rows = p.score(kdd.selectRows([0]));
    expect(p.schema.inputColumns).toContain(rows[0].topFeatures[0].column);
  });
});
