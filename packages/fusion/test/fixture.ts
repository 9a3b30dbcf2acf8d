import { readFileSync } from 'node:fs';
import type { DenseMatrix } from '@decoders/core';

export interface FixtureSplit {
  scores: DenseMatrix<Float64Array>;
  labels: Uint8Array;
}

/** The cardio scores slice, by split. */
export function loadFixture(): Record<'train' | 'val' | 'test', FixtureSplit> {
  const text = readFileSync(new URL('./fixtures/cardio-scores-slice.csv', import.meta.url), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  const parts: Record<string, { scores: number[]; labels: number[] }> = {
    train: { scores: [], labels: [] },
    val: { scores: [], labels: [] },
    test: { scores: [], labels: [] },
  };
  for (const line of lines) {
    const cells = line.split(',');
    const part = parts[cells[names.indexOf('split')]];
    part.labels.push(Number(cells[names.indexOf('y')]));
    for (const d of ['iforest', 'ocsvm', 'lof', 'vae_recon_mu']) {
      part.scores.push(Number(cells[names.indexOf(d)]));
    }
  }
  const out = {} as Record<'train' | 'val' | 'test', FixtureSplit>;
  for (const key of ['train', 'val', 'test'] as const) {
    const p = parts[key];
    out[key] = {
      scores: { data: Float64Array.from(p.scores), rows: p.labels.length, cols: 4 },
      labels: Uint8Array.from(p.labels),
    };
  }
  return out;
}

export const DETECTOR_NAMES = ['iforest', 'ocsvm', 'lof', 'vae_recon_mu'];
