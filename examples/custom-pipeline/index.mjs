/**
 * Composing the Decoders packages by hand, without the pipeline and without labels:
 * CSV -> TabularPreprocessor -> Isolation Forest + Local Outlier Factor -> RankFusion,
 * then an evaluation with @decoders/metrics (the labels are used only to grade the result).
 *
 *   node index.mjs [--rows 8000] [--attack-rate 0.05] [--seed 42] [--json summary.json]
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { denseMatrix, Random } from '@decoders/core';
import { RankFusion } from '@decoders/fusion';
import { classificationReport, evaluate } from '@decoders/metrics';
import { IsolationForest, LocalOutlierFactor } from '@decoders/outliers';
import { readCsv, TabularPreprocessor, trainTestSplit } from '@decoders/preprocess';

const here = dirname(fileURLToPath(import.meta.url));
const dataFile = join(here, '..', 'data', 'nsl-kdd', 'nsl_kdd_train20.csv');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '8000' },
    'attack-rate': { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '42' },
    json: { type: 'string' },
  },
});
const rows = Number(values.rows);
const attackRate = Number(values['attack-rate']);
const seed = Number(values.seed);

/**
 * NSL-KDD is about half attacks; unsupervised detectors assume attacks are rare. Keep every
 * normal row and a seeded sample of attacks so that they make up `rate` of the result, then
 * take `total` rows at random.
 */
function lowPrevalenceSample(table, rate, total, random) {
  const labels = table.column('is_attack');
  const normal = [];
  const attack = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? attack : normal).push(i);
  const wantedAttacks = Math.round((normal.length * rate) / (1 - rate));
  const kept = [...normal, ...random.sample(attack.length, wantedAttacks).map((k) => attack[k])];
  const chosen = random.sample(kept.length, Math.min(total, kept.length)).map((k) => kept[k]);
  return table.selectRows(Int32Array.from(chosen).sort());
}

/** Puts per-detector score vectors side by side: [rows, detectors]. */
function scoreMatrix(columns) {
  const n = columns[0].length;
  const data = new Float64Array(n * columns.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < columns.length; j++) data[i * columns.length + j] = columns[j][i];
  }
  return denseMatrix(data, n, columns.length);
}

const started = performance.now();
const random = new Random(seed);
const table = lowPrevalenceSample(await readCsv(dataFile), attackRate, rows, random);
const labels = Uint8Array.from(table.column('is_attack'));
const { train, test } = trainTestSplit({ n: table.rowCount, labels, testSize: 0.3, seed });
const trainTable = table.selectRows(train);
const testTable = table.selectRows(test);
const testLabels = Uint8Array.from(test, (i) => labels[i]);

// attack_type is the label written out as a name: it must never become a feature
const preprocessor = new TabularPreprocessor({ target: 'is_attack', drop: ['attack_type'] });
const trainX = preprocessor.fitTransform(trainTable);
const testX = preprocessor.transform(testTable);
console.log(
  `${table.rowCount} rows (${(100 * attackRate).toFixed(1)} % attacks), ` +
    `${trainX.cols} features after preprocessing; train ${train.length}, test ${test.length}`,
);

// No labels from here on: the detectors and the fusion learn from the training rows only.
const forest = new IsolationForest({ nEstimators: 200, seed }).fit(trainX);
const lof = new LocalOutlierFactor({ nNeighbors: 35, novelty: true }).fit(trainX);
const trainScores = scoreMatrix([forest.scoreSamples(trainX), lof.scoreSamples(trainX)]);
const testDetectorScores = [forest.scoreSamples(testX), lof.scoreSamples(testX)];

const fusion = new RankFusion({ method: 'max', contamination: attackRate });
await fusion.fit(trainScores);
const fused = fusion.predictProba(scoreMatrix(testDetectorScores));

// Grading only: the labels never reached a model.
const results = {
  isolationForest: evaluate(testLabels, testDetectorScores[0], forest.threshold),
  localOutlierFactor: evaluate(testLabels, testDetectorScores[1], lof.threshold),
  rankFusion: evaluate(testLabels, fused, fusion.threshold),
};
console.log('\nmodel                ROC-AUC  PR-AUC  precision  recall  F1');
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(20)} ${r.rocAuc.toFixed(4)}   ${r.prAuc.toFixed(4)}  ${r.precision.toFixed(4)}` +
      `     ${r.recall.toFixed(4)}  ${r.f1.toFixed(4)}`,
  );
}
const predicted = Uint8Array.from(fused, (s) => (s >= fusion.threshold ? 1 : 0));
console.log(`\nrank fusion at threshold ${fusion.threshold.toFixed(4)}:`);
console.log(classificationReport(testLabels, predicted));
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (values.json) {
  await writeFile(values.json, JSON.stringify({ rows: table.rowCount, results }, null, 2));
}
