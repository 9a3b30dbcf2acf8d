/**
 * What every detector's benchmark shares: the generated matrix (written to a binary file so that
 * scikit-learn times the very same numbers), one Python run for all reference timings, and the
 * README table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DenseMatrix, denseMatrix, Random } from '@decoders/core';

/** One detector's benchmark: our timing and the scikit-learn code that does the same. */
export interface BenchSuite {
  /** Row label, e.g. `'Isolation Forest'`. */
  name: string;
  /** Short description of the settings, for the table. */
  settings: string;
  /** Runs of each side below 50,000 rows, keeping the best (one run above). Default 1. */
  repeats?: number;
  /** Fits on `x`, then scores `x`, best of `repeats`; returns both durations in seconds. */
  ours(x: DenseMatrix<Float64Array>, repeats?: number): { fit: number; score: number };
  /**
   * Body of a Python function `run(X)` (indented 4 spaces) that fits and scores `X` with
   * scikit-learn and returns `(fit_seconds, score_seconds)`; `time` and `numpy as np` are imported.
   */
  python: string;
}

/** Timings of one suite at one size. */
export interface BenchRow {
  name: string;
  /** Which matrix: `'generated'` (the default) or a data set's name. */
  data?: string;
  settings: string;
  rows: number;
  cols: number;
  fit: number;
  score: number;
  referenceFit?: number;
  referenceScore?: number;
}

/**
 * `rows × cols` from four Gaussian clusters with 2% of rows drawn from a wide uniform box, the
 * kind of mixture the detectors are meant for.
 */
export function generateMatrix(rows: number, cols: number, seed = 42): DenseMatrix<Float64Array> {
  const random = new Random(seed);
  const centres = Array.from({ length: 4 }, () =>
    Array.from({ length: cols }, () => random.normal(0, 3)),
  );
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const outlier = random.next() < 0.02;
    const centre = centres[random.int(4)];
    for (let j = 0; j < cols; j++) {
      data[i * cols + j] = outlier ? random.uniform(-10, 10) : centre[j] + random.normal();
    }
  }
  return denseMatrix(data, rows, cols);
}

/**
 * The 38 numeric columns of NSL-KDD's `KDDTrain+_20Percent` (the label and the three categorical
 * columns dropped), each standardised to mean 0 and variance 1 (constant columns become 0);
 * undefined when the shared data folder is absent.
 */
export function loadNslKdd(path: string): DenseMatrix<Float64Array> | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const skip = new Set(['protocol_type', 'service', 'flag', 'attack_type', 'is_attack']);
  const keep = header.map((name, j) => (skip.has(name) ? -1 : j)).filter((j) => j >= 0);
  const rows = lines.length - 1;
  const cols = keep.length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(',');
    for (let c = 0; c < cols; c++) data[i * cols + c] = Number(cells[keep[c]]);
  }
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + c] / rows;
    let variance = 0;
    for (let i = 0; i < rows; i++) variance += (data[i * cols + c] - mean) ** 2 / rows;
    const scale = variance > 0 ? Math.sqrt(variance) : 1;
    for (let i = 0; i < rows; i++) data[i * cols + c] = (data[i * cols + c] - mean) / scale;
  }
  return denseMatrix(data, rows, cols);
}

/** Seconds taken by `run`, best of `repeats`. */
export function bestOf(repeats: number, run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

const PYTHON = '/usr/bin/python3';

function repeatsOf(suite: BenchSuite, runs: boolean | number): number {
  if (typeof runs === 'number') return runs;
  return runs ? 1 : (suite.repeats ?? 1);
}

/**
 * Times every suite's scikit-learn code on `x` in one Python process. Returns undefined per suite
 * (with the reason) when Python or scikit-learn is unavailable.
 */
export function referenceTimings(
  suites: readonly BenchSuite[],
  x: DenseMatrix<Float64Array>,
  /** `true` for one run per suite; a number for that many runs of every suite. */
  runs: boolean | number = false,
): { timings: ({ fit: number; score: number } | undefined)[]; note?: string } {
  if (!existsSync(PYTHON)) {
    return { timings: suites.map(() => undefined), note: `${PYTHON} not found` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'outliers-bench-'));
  try {
    const matrixPath = join(dir, 'x.f64');
    writeFileSync(matrixPath, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
    const script = [
      'import json, sys, time',
      'import numpy as np',
      `X = np.fromfile(${JSON.stringify(matrixPath)}, dtype='<f8').reshape(${x.rows}, ${x.cols})`,
      'results = []',
      ...suites.flatMap((suite) => [
        'def run(X):',
        suite.python,
        'try:',
        `    best = [min(t) for t in zip(*[run(X) for _ in range(${repeatsOf(suite, runs)})])]`,
        '    results.append(best)',
        'except Exception as error:',
        '    results.append(str(error))',
      ]),
      'print(json.dumps(results))',
    ].join('\n');
    const scriptPath = join(dir, 'reference.py');
    writeFileSync(scriptPath, script);
    let output: string;
    try {
      output = execFileSync(PYTHON, [scriptPath], { encoding: 'utf8', maxBuffer: 1 << 24 });
    } catch (error) {
      return {
        timings: suites.map(() => undefined),
        note: (error as Error).message.split('\n')[0],
      };
    }
    const parsed = JSON.parse(output.trim().split('\n').pop()!) as (number[] | string)[];
    const notes = parsed.filter((p): p is string => typeof p === 'string');
    return {
      timings: parsed.map((p) => (typeof p === 'string' ? undefined : { fit: p[0], score: p[1] })),
      note: notes.length > 0 ? notes.join('; ') : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seconds = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const ratio = (ours: number, reference?: number) =>
  reference === undefined ? 'reference unavailable' : `${(ours / reference).toFixed(2)}×`;

/** The rows as a markdown table. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| detector | settings | data | rows × cols | fit | score | scikit-learn fit | scikit-learn score | fit ours/sklearn | score ours/sklearn |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.settings} | ${r.data ?? 'generated'} | ${r.rows.toLocaleString('en')} × ${r.cols} | ` +
        `${seconds(r.fit)} | ` +
        `${seconds(r.score)} | ${r.referenceFit === undefined ? '–' : seconds(r.referenceFit)} | ` +
        `${r.referenceScore === undefined ? '–' : seconds(r.referenceScore)} | ` +
        `${ratio(r.fit, r.referenceFit)} | ${ratio(r.score, r.referenceScore)} |`,
    );
  }
  return lines.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Replaces the text between the bench markers of the README with `body`. */
export function writeReadme(readmePath: string, body: string): boolean {
  if (!existsSync(readmePath)) return false;
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return false;
  writeFileSync(readmePath, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`);
  return true;
}
