/**
 * `pnpm demo`: the whole Decoders pipeline on the embedded NSL-KDD data. It fits on
 * KDDTrain+_20Percent (25,192 connections) and reports on KDDTest+ (22,544), which holds 18
 * attack types never seen in training; it prints the test metrics, recall per attack type and
 * the path of the HTML report.
 *
 * It uses the quick preset (a small VAE trained for at most 8 epochs, fusion for at most 30,
 * 100-tree forests) so that it finishes in a few minutes on a laptop; pass --preset full for the
 * reference sizes (VAE d_model 128, two layers, up to 50 epochs), which takes far longer.
 *
 *   node examples/demo.mjs [--preset quick|full] [--seed 42] [--out out/demo]
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Inside this repository the packages are workspace members, not installed at the root, so the
// demo loads their builds directly. In your own project: import from '@decoders/pipeline'.
const here = dirname(fileURLToPath(import.meta.url));
const { DetectionPipeline, reportData, writeReport } = await import(
  '../packages/pipeline/dist/index.js'
);
const { readCsv } = await import('../packages/preprocess/dist/index.js');

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: join('out', 'demo') },
    quiet: { type: 'boolean', default: false },
  },
});
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const note = (text) => {
  if (!values.quiet) process.stderr.write(`[${seconds().padStart(5)} s] ${text}\n`);
};

const dataDir = join(here, 'data', 'nsl-kdd');
const [train, test] = await Promise.all([
  readCsv(join(dataDir, 'nsl_kdd_train20.csv')),
  readCsv(join(dataDir, 'nsl_kdd_test.csv')),
]);
note(`read ${train.rowCount} training and ${test.rowCount} test rows`);

const pipeline = new DetectionPipeline({ preset: values.preset, seed: Number(values.seed) });
let lastStage = '';
await pipeline.fit(train, {
  target: 'is_attack',
  // attack_type is the label written out as a name: never a feature
  drop: ['attack_type'],
  onProgress: (event) => {
    const epoch = event.epoch === undefined ? '' : ` epoch ${event.epoch}/${event.maxEpochs}`;
    if (event.stage !== lastStage || epoch) note(`fit: ${event.stage}${epoch}`);
    lastStage = event.stage;
  },
});
const fitSeconds = Number(seconds());
note('fitted; scoring the test file');

const evaluation = pipeline.evaluate(test, { attackTypeColumn: 'attack_type' });
const seen = new Set(train.column('attack_type').map(String));

const row = (name, r) =>
  `${name.padEnd(24)} ${r.rocAuc.toFixed(4)}   ${r.prAuc.toFixed(4)}  ${r.f1.toFixed(4)}` +
  `  ${r.precision.toFixed(4)}     ${r.recall.toFixed(4)}  ${r.accuracy.toFixed(4)}`;
console.log(
  `\nKDDTest+ (${evaluation.rows} rows, ${evaluation.positives} attacks), model fitted on ` +
    `KDDTrain+_20Percent with the ${values.preset} preset\n`,
);
console.log('model                    ROC-AUC  PR-AUC  F1      precision  recall  accuracy');
console.log(row('fusion', evaluation.fusion));
for (const [name, r] of Object.entries(evaluation.detectors)) console.log(row(name, r));
const m = evaluation.fusion.confusionMatrix;
console.log(
  `\nfusion at threshold ${evaluation.fusion.threshold.toFixed(4)} (chosen on validation F1): ` +
    `tn ${m.tn}  fp ${m.fp}  fn ${m.fn}  tp ${m.tp}`,
);

let unseenRows = 0;
let unseenDetected = 0;
const lines = [];
for (const t of evaluation.attackTypes ?? []) {
  const isNew = !seen.has(t.type);
  if (isNew) {
    unseenRows += t.count;
    unseenDetected += t.detected;
  }
  lines.push(
    `  ${t.type.padEnd(18)} ${String(t.count).padStart(5)}  ${t.recall.toFixed(3)}` +
      `${isNew ? '  (never in training)' : ''}`,
  );
}
console.log('\nrecall per attack type (rows, recall):');
console.log(lines.join('\n'));
if (unseenRows > 0) {
  console.log(
    `\nattack types never seen in training: ${unseenRows} rows, recall ` +
      `${(unseenDetected / unseenRows).toFixed(3)}`,
  );
}

/** The evaluation with each attack type marked as seen in training or not, for the report. */
function markSeen(result) {
  const attackTypes = result.attackTypes?.map((t) => ({ ...t, seenInTraining: seen.has(t.type) }));
  return { ...result, attackTypes };
}

const reportPath = join(values.out, 'report.html');
await writeReport(
  reportPath,
  reportData(markSeen(evaluation), {
    title: 'Decoders on NSL-KDD: fitted on KDDTrain+_20Percent, tested on KDDTest+',
    dataset: 'KDDTest+ (nsl_kdd_test.csv)',
    features: pipeline.schema.featureNames.length,
    timings: { ...pipeline.fitSummary.timings, 'demo total': Number(seconds()) },
  }),
);
console.log(`\nfit ${fitSeconds.toFixed(1)} s, total ${seconds()} s`);
console.log(`report: ${relative(process.cwd(), reportPath) || reportPath}`);
