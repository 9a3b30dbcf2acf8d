// A small, runnable tour of @decoders/metrics on real data: the ODDS Thyroid set (3,772 patients,
// 6 features, 93 hyperfunction cases labelled 1), scored by a deliberately simple detector, the
// largest absolute per-feature z-score of each row.
//
// Run from the repository root: pnpm demo   (builds the package, then runs this file)
// or, once built:               node packages/metrics/examples/demo.mjs
import { readFileSync } from 'node:fs';
import {
  bestF1Threshold,
  classificationReport,
  evaluate,
  thresholdForContamination,
  thresholdForFalsePositiveRate,
} from '@decoders/metrics';

const text = readFileSync(new URL('./thyroid.csv', import.meta.url), 'utf8').trim();
const [header, ...lines] = text.split('\n');
const columns = header.split(',');
const labelColumn = columns.indexOf('is_anomaly');
const rows = lines.map((line) => line.split(',').map(Number));
const labels = Uint8Array.from(rows, (row) => row[labelColumn]);
const features = columns.map((_, j) => j).filter((j) => j !== labelColumn);

// Mean and standard deviation of each feature, then each row's most extreme z-score.
const stats = features.map((j) => {
  const mean = rows.reduce((sum, row) => sum + row[j], 0) / rows.length;
  const variance = rows.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0) / rows.length;
  return { j, mean, std: Math.sqrt(variance) || 1 };
});
const scores = Float64Array.from(rows, (row) =>
  Math.max(...stats.map(({ j, mean, std }) => Math.abs(row[j] - mean) / std)),
);

// Without labels: flag the 2.5 % most extreme rows, the known attack (anomaly) rate.
const threshold = thresholdForContamination(scores, 0.025);
const result = evaluate(labels, scores, threshold);
const predicted = scores.map((s) => (s >= threshold ? 1 : 0));

const round = (v) => Math.round(v * 1e4) / 1e4;
console.log(
  `ODDS Thyroid: ${rows.length} rows, ${result.confusionMatrix.tp + result.confusionMatrix.fn} anomalies`,
);
console.log('\nevaluate() at the 2.5 % contamination threshold:');
console.log(
  JSON.stringify(result, (_key, value) => (typeof value === 'number' ? round(value) : value), 2),
);
console.log('\nclassificationReport():');
console.log(classificationReport(labels, predicted, { targetNames: ['normal', 'hyperfunction'] }));

// With labels (in practice from a validation split, never from the test set):
const best = bestF1Threshold(labels, scores);
console.log(
  `bestF1Threshold(): flag score >= ${round(best.threshold)} for F1 ${round(best.f1)} ` +
    `(precision ${round(best.precision)}, recall ${round(best.recall)}); in-sample, so optimistic`,
);
const budget = thresholdForFalsePositiveRate(labels, scores, 0.01);
console.log(`thresholdForFalsePositiveRate(0.01): flag score >= ${round(budget)}`);
