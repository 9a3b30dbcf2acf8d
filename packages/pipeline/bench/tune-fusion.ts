/**
 * Fusion settings measured on fixed detector scores. For each data set and pipeline seed it fits
 * the pipeline once on the reference splits and keeps exactly the token matrices the fusion
 * would be trained, stopped and tested on (leave-one-out LOF scores included), cached under
 * TUNE_CACHE (default: the system's temporary folder). Then it retrains only the attention
 * fusion under each setting, on top of the previous full preset's fusion options (below), and
 * reports the test ROC-AUC and PR-AUC averaged over the pipeline seeds, as the end-to-end bench
 * does. The setting `preset` is today's full preset; the README's table lists the others.
 *   tsx bench/tune-fusion.ts odds_cardio [pipeline seeds, e.g. 0,1,2,3,4]
 * Env: TUNE_SETTINGS=label,label runs only those settings; TUNE_CACHE=dir.
 * Used to choose the fusion defaults of the pipeline presets.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DenseMatrix, denseMatrix } from '@decoders/core';
import { AttentionFusion, type AttentionFusionOptions } from '@decoders/fusion';
import { averagePrecision, rocAuc } from '@decoders/metrics';
import { readCsv, readSplitFile } from '@decoders/preprocess';
import { DetectionPipeline } from '../src/index.js';

const name = process.argv[2] ?? 'odds_cardio';
const seeds = (process.argv[3] ?? (name.startsWith('nsl') ? '42' : '0,1,2,3,4'))
  .split(',')
  .map(Number);
const shared = process.env.DECODERS_SHARED ?? resolve(import.meta.dirname, '../../../../shared');
const cacheDir = process.env.TUNE_CACHE ?? join(tmpdir(), 'decoders-tune-fusion');
const csv = name.startsWith('nsl_kdd_train20') ? 'nsl_kdd_train20.csv' : `${name}.csv`;
const target = name.startsWith('nsl') ? 'is_attack' : 'is_anomaly';

interface Part {
  x: DenseMatrix<Float64Array>;
  y: Uint8Array;
}
interface Tokens {
  names: string[];
  train: Part;
  validation: Part;
  test: Part;
}

const pack = (p: Part) => ({ rows: p.x.rows, cols: p.x.cols, x: [...p.x.data], y: [...p.y] });
const unpack = (p: ReturnType<typeof pack>): Part => ({
  x: denseMatrix(Float64Array.from(p.x), p.rows, p.cols),
  y: Uint8Array.from(p.y),
});

/** The fusion's training, validation and test tokens of one pipeline fit, cached. */
async function tokensFor(seed: number): Promise<Tokens> {
  const file = join(cacheDir, `${name}-${seed}.json`);
  if (existsSync(file)) {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    return {
      names: c.names,
      train: unpack(c.train),
      validation: unpack(c.validation),
      test: unpack(c.test),
    };
  }
  const table = await readCsv(join(shared, 'data', csv));
  const split = await readSplitFile(join(shared, 'reference/results', `${name}.splits.csv.gz`));
  // Keep what the pipeline hands the fusion; the one-epoch fusion itself is thrown away.
  let captured: { train: Part; validation: Part } | undefined;
  const fit = AttentionFusion.prototype.fit;
  AttentionFusion.prototype.fit = function (this: AttentionFusion, x, y, options) {
    const v = options!;
    captured = {
      train: { x: x as DenseMatrix<Float64Array>, y: Uint8Array.from(y as ArrayLike<number>) },
      validation: {
        x: v.validationScores as DenseMatrix<Float64Array>,
        y: Uint8Array.from(v.validationLabels as ArrayLike<number>),
      },
    };
    return fit.call(this, x, y, options);
  };
  const p = new DetectionPipeline({
    seed,
    fusion: { attention: { maxEpochs: 1, ensembleSize: 1 } },
  });
  const t0 = performance.now();
  await p.fit(table, {
    target,
    drop: name.startsWith('nsl') ? ['attack_type'] : [],
    split: { method: 'indices', train: split.train, validation: split.validation },
  });
  AttentionFusion.prototype.fit = fit;
  console.log(
    `${name} seed ${seed}: pipeline fitted in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const names = p.tokenNames;
  const testTable = table.selectRows(split.test);
  const columns = p.scoreColumns(testTable);
  const m = names.length;
  const data = new Float64Array(testTable.rowCount * m);
  names.forEach((k, j) => {
    for (let i = 0; i < testTable.rowCount; i++) data[i * m + j] = columns.detectors[k][i];
  });
  const tokens: Tokens = {
    names: [...names],
    ...captured!,
    test: {
      x: denseMatrix(data, testTable.rowCount, m),
      y: Uint8Array.from(testTable.column(target), (v) => (Number(v) === 1 ? 1 : 0)),
    },
  };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      names: tokens.names,
      train: pack(tokens.train),
      validation: pack(tokens.validation),
      test: pack(tokens.test),
    }),
  );
  return tokens;
}

// The full preset's fusion options before patience 40 and batchSize 'auto' (identity embedding,
// lr 1e-2, batch 128, 100 epochs, patience 15, five networks).
const previous: AttentionFusionOptions = {
  identityEmbedding: true,
  learningRate: 1e-2,
  batchSize: 128,
  maxEpochs: 100,
  patience: 15,
  ensembleSize: 5,
};
/** The step size 1e-2, scaled down once an epoch holds more than ten batches of 128. */
const scaledRate = (rows: number) => 1e-2 * Math.min(1, 10 / Math.ceil(rows / 128));
/** Each setting, or a function of the number of training rows that gives it. */
const settings: Record<
  string,
  AttentionFusionOptions | ((rows: number) => AttentionFusionOptions)
> = {
  previous: {},
  preset: { batchSize: 'auto', patience: 40, maxEpochs: 200 },
  single: { ensembleSize: 1 },
  ensemble10: { ensembleSize: 10 },
  lr3e3: { learningRate: 3e-3 },
  dropout02: { dropout: 0.2 },
  dropout0: { dropout: 0 },
  d64: { dModel: 64 },
  balanced: { positiveWeight: 'balanced' },
  patience25: { patience: 25, maxEpochs: 150 },
  b64: { batchSize: 64 },
  lr1e3: { learningRate: 1e-3 },
  reference: { learningRate: 1e-3, batchSize: 512, maxEpochs: 50, patience: 8, ensembleSize: 1 },
  reference5: { learningRate: 1e-3, batchSize: 512, maxEpochs: 50, patience: 8 },
  d16: { dModel: 16 },
  heads2: { nHeads: 2 },
  patience40: { patience: 40, maxEpochs: 200 },
  scaled: (rows) => ({ learningRate: scaledRate(rows) }),
  scaledP25: (rows) => ({ learningRate: scaledRate(rows), patience: 25, maxEpochs: 150 }),
  scaledP40: (rows) => ({ learningRate: scaledRate(rows), patience: 40, maxEpochs: 200 }),
};
const chosen = process.env.TUNE_SETTINGS?.split(',');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const all: Tokens[] = [];
for (const seed of seeds) all.push(await tokensFor(seed));
console.log(`${name}: tokens ${all[0].names.join(', ')}; pipeline seeds ${seeds.join(',')}`);
for (const [label, setting] of Object.entries(settings)) {
  if (chosen && !chosen.includes(label)) continue;
  const roc: number[] = [];
  const pr: number[] = [];
  const epochs: string[] = [];
  const t = performance.now();
  for (const [k, tokens] of all.entries()) {
    const own = typeof setting === 'function' ? setting(tokens.train.y.length) : setting;
    const f = new AttentionFusion({ ...previous, seed: seeds[k], ...own });
    const h = await f.fit(tokens.train.x, tokens.train.y, {
      validationScores: tokens.validation.x,
      validationLabels: tokens.validation.y,
      detectorNames: tokens.names,
    });
    const p = f.predictProba(tokens.test.x);
    roc.push(rocAuc(tokens.test.y, p));
    pr.push(averagePrecision(tokens.test.y, p));
    epochs.push(h.members ? h.members.map((m) => m.bestEpoch).join('/') : String(h.bestEpoch));
    f.dispose();
  }
  console.log(
    `${label.padEnd(12)} roc ${mean(roc).toFixed(3)} pr ${mean(pr).toFixed(3)} | per seed pr ${pr
      .map((v) => v.toFixed(3))
      .join(
        ' ',
      )} | best epochs ${epochs.join(' ')} | ${((performance.now() - t) / 1000 / all.length).toFixed(1)} s per fit`,
  );
}
