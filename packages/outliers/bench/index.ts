/**
 * `pnpm bench`: times fit and score of every detector on one generated 20,000 × 32 matrix, and
 * scikit-learn on the same matrix in the same run, then prints ours/scikit-learn and writes the
 * table into the README's Benchmarks section. BENCH_LARGE=1 adds a 100,000-row tier.
 * A detector joins by adding its suite to `suites`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchRow,
  generateMatrix,
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
const tiers = process.env.BENCH_LARGE === '1' ? [20_000, 100_000] : [20_000];
const cols = 32;
const rows: BenchRow[] = [];
const notes: string[] = [];

for (const n of tiers) {
  const x = generateMatrix(n, cols);
  const reference = referenceTimings(suites, x, n > 20_000 ? 1 : 2);
  if (reference.note) notes.push(`${n} rows: ${reference.note}`);
  suites.forEach((suite, s) => {
    const ours = suite.ours(x);
    const ref = reference.timings[s];
    const row: BenchRow = {
      name: suite.name,
      settings: suite.settings,
      rows: n,
      cols,
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
const command = `${process.env.BENCH_LARGE === '1' ? 'BENCH_LARGE=1 ' : ''}pnpm bench`;
const body = [
  `Produced by \`${command}\` in packages/outliers on ${new Date().toISOString().slice(0, 10)}`,
  `(Node ${process.version}; scikit-learn through /usr/bin/python3 in the same run).`,
  '',
  table,
  ...(notes.length > 0 ? ['', `Reference notes: ${notes.join('; ')}`] : []),
].join('\n');
console.log(`\n${table}`);
if (notes.length > 0) console.log(`reference notes: ${notes.join('; ')}`);
if (only) console.log('BENCH_ONLY is set: README left unchanged');
else if (writeReadme(join(here, '..', 'README.md'), body)) console.log('README Benchmarks updated');
