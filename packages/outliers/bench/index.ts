/**
 * `pnpm bench`: times fit and score of every detector on one generated 20,000 × 32 matrix and on
 * NSL-KDD's numeric columns (when the shared data folder is present), and scikit-learn on the
 * same matrices in the same run, then prints ours/scikit-learn and writes the table into the
 * README's Benchmarks section. BENCH_LARGE=1 adds a generated 100,000-row tier. When the
 * One-Class SVM suite runs, its approximate-mode report (time on 100,000 rows against the exact
 * model's, ROC-AUC against the exact model's) follows the table.
 * A detector joins by adding its suite to `allSuites`.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchRow,
  type BenchSuite,
  generateMatrix,
  loadNslKdd,
  markdownTable,
  referenceTimings,
  writeReadme,
} from './common.js';
import { isolationForestBench } from './isolation-forest.bench.js';
import { localOutlierFactorBench } from './local-outlier-factor.bench.js';
import { oneClassSvmApproximateReport, oneClassSvmBench } from './one-class-svm.bench.js';

const allSuites = [isolationForestBench, localOutlierFactorBench, oneClassSvmBench];
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

// Uses the exact timings the One-Class SVM suite recorded in the tiers above (20,000 rows, and
// 100,000 under BENCH_LARGE=1), so it runs after the loop.
const approximateReport = suites.includes(oneClassSvmBench)
  ? oneClassSvmApproximateReport(large)
  : undefined;

/** "best of two runs for A, one run for B and C", from each suite's `repeats`. */
function runsText(selected: readonly BenchSuite[]): string {
  const words = ['one', 'two', 'three', 'four', 'five'];
  const groups = new Map<number, string[]>();
  for (const suite of selected) {
    const repeats = suite.repeats ?? 1;
    groups.set(repeats, [...(groups.get(repeats) ?? []), suite.name]);
  }
  const names = (list: string[]) =>
    list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0];
  return [...groups.entries()]
    .sort(([a], [b]) => b - a)
    .map(([repeats, list]) => {
      const count = words[repeats - 1] ?? String(repeats);
      return `${repeats > 1 ? `best of ${count} runs` : 'one run'} for ${names(list)}`;
    })
    .join(', ');
}

const table = markdownTable(rows);
const command = `${large ? 'BENCH_LARGE=1 ' : ''}pnpm bench`;
const body = [
  `Produced by \`${command}\` in packages/outliers on ${new Date().toISOString().slice(0, 10)}`,
  `(Node ${process.version}; scikit-learn through /usr/bin/python3 in the same run; each side`,
  `${runsText(suites)}${large ? ', one run of each on the 100,000-row tier' : ''}).`,
  `The machine has ${availableParallelism()} logical cores and may be shared with other`,
  'processes, so absolute times are noisy.',
  '',
  table,
  ...(notes.length > 0 ? ['', `Reference notes: ${notes.join('; ')}`] : []),
  ...(approximateReport === undefined
    ? []
    : [
        '',
        'One-Class SVM, approximate mode (Nyström + SGD) against the exact solver:',
        '',
        approximateReport,
      ]),
].join('\n');
console.log(`\n${table}`);
if (notes.length > 0) console.log(`reference notes: ${notes.join('; ')}`);
if (approximateReport !== undefined) console.log(`\n${approximateReport}`);
if (only) console.log('BENCH_ONLY is set: README left unchanged');
else if (writeReadme(join(here, '..', 'README.md'), body)) console.log('README Benchmarks updated');
