/**
 * Data and helpers for the One-Class SVM benchmark: a seeded generated matrix that is
 * written to a binary file so scikit-learn fits the very same numbers, the ODDS cardio set
 * when the shared data folder is present, and a tie-aware ROC-AUC.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type DenseMatrix, denseMatrix, Random } from '@decoders/core';

/** A labelled matrix: `labels[i]` is 1 for an anomaly. */
export interface Labelled {
  x: DenseMatrix<Float64Array>;
  labels: Uint8Array;
}

/**
 * `rows × cols` rows from three unit-variance Gaussian clusters, with a fraction `rate` of
 * anomalies drawn around the same centres with 1.2 times the spread, so that the two
 * populations overlap and ROC-AUC stays informative (well below 1).
 */
export function generateMatrix(rows: number, cols: number, seed: number, rate = 0.03): Labelled {
  const random = new Random(seed);
  const centres: number[][] = [];
  for (let c = 0; c < 3; c++) {
    centres.push(Array.from({ length: cols }, () => random.normal(0, 1.5)));
  }
  const data = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const anomaly = random.next() < rate;
    labels[i] = anomaly ? 1 : 0;
    const centre = centres[random.int(3)];
    const spread = anomaly ? 1.2 : 1;
    for (let j = 0; j < cols; j++) data[i * cols + j] = centre[j] + spread * random.normal();
  }
  return { x: denseMatrix(data, rows, cols), labels };
}

/** The ODDS cardio set from the shared data folder, or undefined when it is absent. */
export function loadCardio(path: string): Labelled | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const labelColumn = header.indexOf('is_anomaly');
  const cols = header.length - 1;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(',');
    let j = 0;
    for (let c = 0; c < cells.length; c++) {
      if (c === labelColumn) labels[i] = Number(cells[c]);
      else data[i * cols + j++] = Number(cells[c]);
    }
  }
  return { x: denseMatrix(data, rows, cols), labels };
}

/** ROC-AUC as the Mann–Whitney statistic, ties counted one half. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The rows of `m` whose index is in `indices`, plus their labels. */
export function subset(m: Labelled, indices: ArrayLike<number>): Labelled {
  const cols = m.x.cols;
  const data = new Float64Array(indices.length * cols);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    data.set(m.x.data.subarray(i * cols, (i + 1) * cols), k * cols);
    labels[k] = m.labels[i];
  }
  return { x: denseMatrix(data, indices.length, cols), labels };
}

/**
 * Splits the rows of a labelled set: a seeded half of the normal rows to fit on, and the
 * other normal rows with every anomaly to evaluate on.
 */
export function normalHalfSplit(m: Labelled, seed: number): { fit: Labelled; test: Labelled } {
  const random = new Random(seed);
  const fit: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < m.labels.length; i++) {
    if (m.labels[i] === 1 || random.next() < 0.5) test.push(i);
    else fit.push(i);
  }
  return { fit: subset(m, fit), test: subset(m, test) };
}
