/**
 * Bench data loading and the reference pipeline's preprocessing (RobustScaler on numeric
 * columns, one-hot on categorical ones, both fitted on the training normals; NaN → 0 after
 * scaling), written here so the bench depends on nothing but this package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type DenseMatrix, denseMatrix } from '@decoders/core';

export const SHARED = new URL('../../../../shared/', import.meta.url).pathname;

export interface Dataset {
  name: string;
  train: DenseMatrix<Float32Array>;
  validation: DenseMatrix<Float32Array>;
  test: DenseMatrix<Float32Array>;
  testLabels: Uint8Array;
  features: number;
}

const DATASETS: Record<string, { target: string; drop: string[] }> = {
  odds_thyroid: { target: 'is_anomaly', drop: [] },
  odds_cardio: { target: 'is_anomaly', drop: [] },
  nsl_kdd_train20: { target: 'is_attack', drop: ['attack_type'] },
};

export function datasetAvailable(name: string): boolean {
  return (
    existsSync(`${SHARED}data/${name}.csv`) &&
    existsSync(`${SHARED}reference/results/${name}.splits.csv.gz`)
  );
}

/** numpy's default (linear) percentile of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function loadDataset(name: string): Dataset {
  const spec = DATASETS[name];
  const lines = readFileSync(`${SHARED}data/${name}.csv`, 'utf8').trim().split('\n');
  const header = lines[0].split(',').map((c) => c.trim());
  const rows = lines.slice(1).map((l) => l.split(','));
  const targetIndex = header.indexOf(spec.target);
  const labels = Uint8Array.from(rows, (r) => (Number(r[targetIndex]) === 1 ? 1 : 0));
  const columns = header
    .map((c, j) => ({ name: c, j }))
    .filter((c) => c.name !== spec.target && !spec.drop.includes(c.name));
  const numeric = columns.filter(({ j }) =>
    rows.every((r) => r[j].trim() === '' || Number.isFinite(Number(r[j]))),
  );
  const categorical = columns.filter((c) => !numeric.includes(c));

  const split = gunzipSync(readFileSync(`${SHARED}reference/results/${name}.splits.csv.gz`))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1);
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const line of split) {
    const [row, part] = line.split(',');
    const i = Number(row);
    if (part === 'train') {
      if (labels[i] === 0) train.push(i);
    } else if (part === 'val') validation.push(i);
    else if (part === 'test') test.push(i);
  }

  const value = (r: string[], j: number) => (r[j].trim() === '' ? Number.NaN : Number(r[j]));
  const scalers = numeric.map(({ j }) => {
    const values = Float64Array.from(
      train.map((i) => value(rows[i], j)).filter((v) => !Number.isNaN(v)),
    ).sort();
    const center = percentile(values, 50);
    const iqr = percentile(values, 75) - percentile(values, 25);
    return { j, center, scale: iqr === 0 ? 1 : iqr };
  });
  const encoders = categorical.map(({ j }) => ({
    j,
    categories: [...new Set(train.map((i) => rows[i][j]))].sort(),
  }));
  const width = scalers.length + encoders.reduce((s, e) => s + e.categories.length, 0);
  const transform = (indices: number[]) => {
    const out = new Float32Array(indices.length * width);
    indices.forEach((i, k) => {
      let c = 0;
      for (const s of scalers) {
        const v = (value(rows[i], s.j) - s.center) / s.scale;
        out[k * width + c++] = Number.isFinite(v) ? v : 0;
      }
      for (const e of encoders) {
        const slot = e.categories.indexOf(rows[i][e.j]);
        if (slot >= 0) out[k * width + c + slot] = 1;
        c += e.categories.length;
      }
    });
    return denseMatrix(out, indices.length, width);
  };
  return {
    name,
    train: transform(train),
    validation: transform(validation),
    test: transform(test),
    testLabels: Uint8Array.from(test, (i) => labels[i]),
    features: width,
  };
}

/** ROC-AUC by the Mann–Whitney statistic with average ranks for ties. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(order.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      rankSum += ranks[i];
    }
  }
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The reference pipeline's test ROC-AUC of vae_recon_mu, or undefined. */
export function referenceAuc(name: string): number | undefined {
  const path = `${SHARED}reference/results/${name}.json`;
  if (!existsSync(path)) return undefined;
  const result = JSON.parse(readFileSync(path, 'utf8'));
  return result.models?.vae_recon_mu?.test?.roc_auc;
}
