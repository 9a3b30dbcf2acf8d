/**
 * Fusion settings measured on fixed detector scores: fits the pipeline once per data set on the
 * reference splits, then retrains only the attention fusion under each setting and reports the
 * test PR-AUC. Used to choose the fusion defaults of the pipeline presets.
 *   tsx bench/tune-fusion.ts odds_cardio [pipeline seed] [fusion seeds, e.g. 0,1,2,3,4]
 * The ensemble column is the mean probability of the seeds' networks (AttentionFusion's
 * ensembleSize with consecutive seeds).
 * Prints, per setting, the test ROC-AUC and PR-AUC of each fusion seed and their means.
 */

import { denseMatrix } from '@decoders/core';
import { AttentionFusion } from '@decoders/fusion';
import { averagePrecision, rocAuc } from '@decoders/metrics';
import { readCsv, readSplitFile } from '@decoders/preprocess';
import { DetectionPipeline } from '../src/index.js';

const name = process.argv[2] ?? 'odds_cardio';
const seed = Number(process.argv[3] ?? 0);
const fusionSeeds = (process.argv[4] ?? String(seed)).split(',').map(Number);
const shared = '/work/shared';
const csv = name.startsWith('nsl_kdd_train20') ? 'nsl_kdd_train20.csv' : `${name}.csv`;
const target = name.startsWith('nsl') ? 'is_attack' : 'is_anomaly';

const table = await readCsv(`${shared}/data/${csv}`);
const split = await readSplitFile(`${shared}/reference/results/${name}.splits.csv.gz`);
const p = new DetectionPipeline({ seed, fusion: { attention: { maxEpochs: 1 } } });
const t0 = performance.now();
await p.fit(table, {
  target,
  drop: name.startsWith('nsl') ? ['attack_type'] : [],
  split: { method: 'indices', train: split.train, validation: split.validation },
});
console.log('fit', ((performance.now() - t0) / 1000).toFixed(1), 's', p.fitSummary.timings);
const tokens = p.tokenNames;
const part = (rows: ArrayLike<number>) => {
  const t = table.selectRows(rows);
  const s = p.scoreColumns(t);
  const m = tokens.length;
  const data = new Float64Array(t.rowCount * m);
  tokens.forEach((k, j) => {
    for (let i = 0; i < t.rowCount; i++) data[i * m + j] = s.detectors[k][i];
  });
  const y = t.column(target).map((v) => Number(v));
  return { x: denseMatrix(data, t.rowCount, m), y };
};
const train = part(split.train);
const val = part(split.validation);
const test = part(split.test);
const settings: Record<string, object> = {
  b512lr1e2e100p15: { batchSize: 512, learningRate: 1e-2, maxEpochs: 100, patience: 15 },
  b128lr1e2e100p15: { batchSize: 128, learningRate: 1e-2, maxEpochs: 100, patience: 15 },
  b128lr3e3e100p15: { batchSize: 128, learningRate: 3e-3, maxEpochs: 100, patience: 15 },
  b128lr1e3e100p15: { batchSize: 128, learningRate: 1e-3, maxEpochs: 100, patience: 15 },
  b128lr1e3e50p8: { batchSize: 128, learningRate: 1e-3, maxEpochs: 50, patience: 8 },
  b64lr1e2e100p15: { batchSize: 64, learningRate: 1e-2, maxEpochs: 100, patience: 15 },
  b64lr3e3e100p15: { batchSize: 64, learningRate: 3e-3, maxEpochs: 100, patience: 15 },
  b64lr1e3e100p15: { batchSize: 64, learningRate: 1e-3, maxEpochs: 100, patience: 15 },
};
// TUNE_SETTINGS=label,label runs only those settings.
const chosen = process.env.TUNE_SETTINGS?.split(',');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
for (const [label, o] of Object.entries(settings)) {
  if (chosen && !chosen.includes(label)) continue;
  const roc: number[] = [];
  const pr: number[] = [];
  const epochs: string[] = [];
  const t = performance.now();
  const ensemble = new Float64Array(test.y.length);
  for (const s of fusionSeeds) {
    const f = new AttentionFusion({ identityEmbedding: true, seed: s, ...o });
    const h = await f.fit(train.x, train.y, {
      validationScores: val.x,
      validationLabels: val.y,
      detectorNames: tokens,
    });
    const p = f.predictProba(test.x);
    for (let i = 0; i < p.length; i++) ensemble[i] += p[i] / fusionSeeds.length;
    roc.push(rocAuc(test.y, p));
    pr.push(averagePrecision(test.y, p));
    epochs.push(`${h?.epochs}(${h?.bestEpoch})`);
    f.dispose();
  }
  console.log(
    label.padEnd(18),
    'test roc',
    mean(roc).toFixed(3),
    'pr',
    mean(pr).toFixed(3),
    'ensemble of the seeds: pr',
    averagePrecision(test.y, ensemble).toFixed(3),
    'per seed',
    pr.map((v) => v.toFixed(3)).join(' '),
    'epochs',
    epochs.join(' '),
    `${((performance.now() - t) / 1000 / fusionSeeds.length).toFixed(1)} s per fit`,
  );
}
