/**
 * Measures one AttentionFusion configuration on a reference scores file: test PR-AUC per seed
 * and their mean. Used to choose the defaults (see "How the defaults were chosen" in the README).
 *
 *   tsx bench/tune.ts <dataset> '<options JSON>' [seeds, default 0,1,2,3,4] [backend]
 *   tsx bench/tune.ts odds_thyroid '{"identityEmbedding":false,"batchSize":128}'
 */
import { join, resolve } from 'node:path';
import { averagePrecision } from '@decoders/metrics';
import { AttentionFusion, initBackend } from '../src/index.js';
import { readScoresFile } from './scores-file.js';

const [name, optionsText, seedsText, backend] = process.argv.slice(2);
const shared =
  process.env.FUSION_BENCH_SHARED ?? resolve(import.meta.dirname, '../../../../shared');
const data = readScoresFile(join(shared, `reference/results/${name}.scores.csv.gz`));
if (!data) throw new Error(`no reference scores for ${name} under ${shared}`);
const used = await initBackend(backend ? { backend } : {});
const results: number[] = [];
const started = performance.now();
for (const seed of (seedsText ?? '0,1,2,3,4').split(',').map(Number)) {
  const fusion = new AttentionFusion({ seed, ...JSON.parse(optionsText ?? '{}') });
  const history = await fusion.fit(data.train.scores, data.train.labels, {
    validationScores: data.val.scores,
    validationLabels: data.val.labels,
  });
  results.push(averagePrecision(data.test.labels, fusion.predictProba(data.test.scores)));
  fusion.dispose();
  process.stderr.write(`seed ${seed}: ${history.epochs} epochs (best ${history.bestEpoch})\n`);
}
const mean = results.reduce((a, b) => a + b, 0) / results.length;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `${name} ${optionsText ?? '{}'} ${used} ${results.map((r) => r.toFixed(3)).join(' ')} ` +
    `mean ${mean.toFixed(3)} ${seconds}s`,
);
