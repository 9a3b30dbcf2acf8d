/**
 * `pnpm bench`: times fit and score of every detector on one generated 20,000 × 32 matrix and on
 * NSL-KDD's numeric columns (when the shared data folder is present), and scikit-learn on the
 * same matrices in the same run, then prints ours/scikit-learn and writes the table into the
 * README's Benchmarks section. BENCH_LARGE=1 adds a generated 100,000-row tier.
 * A detector joins by adding its suite to `allSuites`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchRow,
  generateMatrix,
  loadNslKdd,
  markdownTable,
  referenceTimings,
  writeReadme,
} from './common.js';
import { isolationForestBench } from './isolation-forest.bench.js';
import { localOutlierFactorBench } from './local-outlier-factor.bench.js';

const allSuites = [isolationForestBench, localOutlierFactorBench];
// BENCH_ONLY=name selects the suites whose name contains it (case-insensitive).
const only = process.env.BENCH_ONLY?.toLowerCase();
const suites = only ? allSuites.filter((s) => s.name.toLowerCase().includes(only)) : allSuites;

const here = dirname(fileURLToPath(import.meta.url));
const large = process.env.BENCH_LARGE === '1';
const cols = 32;
const nslKdd = join(here, '..', '..', '..', '..', 'shared', 'data', 'nsl_kdd_train20.csv');
const tiers = [
  { data: 'generated', load: () => generateMatrix(20_000, cols) },
  { data: 'NSL-KDD train20, numeric', load: () => loadNslKdd(nslKdd) },
  ...(large ? [{ data: 'generated', load: () => generateMatrix(100_000, cols) }] : []),
];
const rows: BenchRow[] = [];
const notes: string[] = [];

for (const tier of tiers) {
  const x = tier.load();
  if (!x) {
    notes.push(`${tier.data}: data not found, skipped`);
    continue;
  }
  const reference = referenceTimings(suites, x, x.rows > 50_000);
  if (reference.note) notes.push(`${tier.data} ${x.rows} rows: ${reference.note}`);
  suites.forEach((suite, s) => {
    const ours = suite.ours(x, x.rows > 50_000 ? 1 : (suite.repeats ?? 1));
    const ref = reference.timings[s];
    const row: BenchRow = {
      name: suite.name,
      data: tier.data,
      settings: suite.settings,
      rows: x.rows,
      cols: x.cols,
      fit: ours.fit,
      score: ours.score,
      referenceFit: ref?.fit,
      referenceScore: ref?.score,
    };
    rows.push(row);
    console.log(markdownTable([row]).split('\n').pop());
  });
}

const table = markdownTable(rows);
const command = `${large ? 'BENCH_LARGE=1 ' : ''}pnpm bench`;
const body = [
  `Produced by \`${command}\` in packages/outliers on ${new Date().toISOString().slice(0, 10)}`,
  `(Node ${process.version}; scikit-learn through /usr/bin/python3 in the same run; each side`,
  'best of two runs for Isolation Forest, one run for Local Outlier Factor). The machine was',
  'shared by several busy processes on two cores, so absolute times are noisy.',
  '',
  table,
  ...(notes.length > 0 ? ['', `Reference notes: ${notes.join('; ')}`] : []),
].join('\n');
console.log(`\n${table}`);
if (notes.length > 0) console.log(`reference notes: ${notes.join('; ')}`);
if (only) console.log('BENCH_ONLY is set: README left unchanged');
else if (writeReadme(join(here, '..', 'README.md'), body)) console.log('README Benchmarks updated');
