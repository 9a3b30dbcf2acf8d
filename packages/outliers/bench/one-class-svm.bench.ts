/**
 * One-Class SVM benchmark: the exact solver against scikit-learn on the shared generated matrix
 * (a suite of bench/index.ts), and a report on the approximate mode: its time on 100,000 rows
 * against the exact model's projected time, and its ROC-AUC next to the exact model's on ODDS
 * cardio and on a 100,000-row labelled generated set.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '@decoders/core';
import { OneClassSVM } from '../src/one-class-svm.js';
import { type BenchSuite, generateMatrix } from './common.js';
import {
  generateMatrix as generateLabelled,
  type Labelled,
  loadCardio,
  normalHalfSplit,
  rocAuc,
  subset,
} from './one-class-svm-data.js';

const here = dirname(fileURLToPath(import.meta.url));
const CARDIO = join(here, '..', '..', '..', '..', 'shared', 'data', 'odds_cardio.csv');

/** Exact timings measured by the suite, per row count, for the projection. */
const exactTimings = new Map<number, { fit: number; score: number }>();

/** Threads `workers: 'auto'` uses for large scoring jobs on this machine. */
function cores(): number {
  return Math.min(8, availableParallelism());
}

const seconds = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);

function timed<T>(run: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** The exact solver with scikit-learn's defaults (rbf, ν = 0.5, γ = 'scale'), one run each. */
export const oneClassSvmBench: BenchSuite = {
  name: 'One-Class SVM',
  settings: `exact, rbf, nu 0.5, gamma 'scale'; scoring on ${cores()} threads (workers 'auto')`,
  ours(x) {
    const fit = timed(() => new OneClassSVM({ mode: 'exact' }).fit(x));
    const score = timed(() => fit.value.scoreSamples(x));
    exactTimings.set(x.rows, { fit: fit.seconds, score: score.seconds });
    return { fit: fit.seconds, score: score.seconds };
  },
  python: [
    '    from sklearn.svm import OneClassSVM',
    '    model = OneClassSVM()',
    '    start = time.perf_counter(); model.fit(X); fit = time.perf_counter() - start',
    '    start = time.perf_counter(); model.score_samples(X); score = time.perf_counter() - start',
    '    return fit, score',
  ].join('\n'),
};

interface QualityRow {
  data: string;
  fitOn: string;
  exact: number;
  approximate: number;
}

function quality(
  name: string,
  fitOn: string,
  fitExact: Labelled,
  fitApprox: Labelled,
  test: Labelled,
  nu: number,
): QualityRow {
  const exact = new OneClassSVM({ nu, mode: 'exact' }).fit(fitExact.x);
  const approximate = new OneClassSVM({ nu, mode: 'approximate', seed: 0 }).fit(fitApprox.x);
  return {
    data: name,
    fitOn,
    exact: rocAuc(test.labels, exact.scoreSamples(test.x)),
    approximate: rocAuc(test.labels, approximate.scoreSamples(test.x)),
  };
}

/**
 * Times the approximate mode on the shared 100,000 × 32 matrix and compares its ROC-AUC with
 * the exact model's. Without BENCH_LARGE=1 the exact model on the generated set is fitted on
 * a seeded 20,000-row subsample (the approximate one on all rows), and the exact time at
 * 100,000 rows is projected from the 20,000-row tier as n².
 */
export function oneClassSvmApproximateReport(large: boolean): string {
  const lines: string[] = [];
  const x = generateMatrix(100_000, 32);
  const fit = timed(() => new OneClassSVM({ mode: 'approximate' }).fit(x));
  const score = timed(() => fit.value.scoreSamples(x));
  const measured = exactTimings.get(100_000);
  const base = exactTimings.get(20_000);
  const exactTotal = measured
    ? measured.fit + measured.score
    : base
      ? (base.fit + base.score) * 25
      : undefined;
  const approximateTotal = fit.seconds + score.seconds;
  lines.push(
    '| approximate mode, 100,000 × 32 | fit | score | exact fit + score | approximate / exact |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| Nyström 200 + SGD, nu 0.5 | ${seconds(fit.seconds)} | ${seconds(score.seconds)} | ` +
      `${exactTotal === undefined ? '–' : `${seconds(exactTotal)}${measured ? '' : ' (projected: 20,000-row time × 25)'}`} | ` +
      `${exactTotal === undefined ? '–' : (approximateTotal / exactTotal).toFixed(3)} |`,
    '',
  );

  const rows: QualityRow[] = [];
  const cardio = loadCardio(CARDIO);
  if (cardio) {
    const { fit: train, test } = normalHalfSplit(cardio, 1);
    rows.push(
      quality(
        'ODDS cardio (1,831 × 21)',
        'a seeded half of the normal rows; tested on the rest',
        train,
        train,
        test,
        0.05,
      ),
    );
  }
  const generated = generateLabelled(100_000, 32, 7);
  const sample = large
    ? generated
    : subset(
        generated,
        Array.from(new Random(3).sample(100_000, 20_000)).sort((a, b) => a - b),
      );
  rows.push(
    quality(
      'generated 100,000 × 32, 3% anomalies',
      large
        ? 'all rows (both models); tested on all rows'
        : 'exact: a seeded 20,000-row subsample, approximate: all rows; tested on all rows',
      sample,
      generated,
      generated,
      0.05,
    ),
  );
  lines.push(
    '| data (ν = 0.05, rbf, γ scale) | fitted on | exact ROC-AUC | approximate ROC-AUC | difference |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.data} | ${r.fitOn} | ${r.exact.toFixed(4)} | ${r.approximate.toFixed(4)} | ${(r.approximate - r.exact).toFixed(4)} |`,
    ),
  );
  if (!cardio) lines.push('', `ODDS cardio not found at ${CARDIO}: that row is left out.`);
  return lines.join('\n');
}
