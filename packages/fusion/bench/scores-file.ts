/** Reads the Python reference's `<name>.scores.csv.gz` files into train/val/test arrays. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DenseMatrix } from '@decoders/core';

/** The four detector scores the reference fusion (variant b) uses as tokens. */
export const DETECTORS = ['iforest', 'ocsvm', 'lof', 'vae_recon_mu'] as const;

/** One split of a scores file. */
export interface Split {
  scores: DenseMatrix<Float64Array>;
  labels: Uint8Array;
  /** The reference (original design) fusion's probability per row. */
  referenceFusion: Float64Array;
}

/** Reads a scores file (gzip or plain CSV); undefined when it does not exist. */
export function readScoresFile(path: string): Record<'train' | 'val' | 'test', Split> | undefined {
  if (!existsSync(path)) return undefined;
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const column = (name: string) => {
    const at = header.indexOf(name);
    if (at < 0) throw new Error(`${path} has no column ${name}`);
    return at;
  };
  const splitAt = column('split');
  const yAt = column('y');
  const fusionAt = column('fusion_prob');
  const scoreAt = DETECTORS.map(column);
  const parts: Record<string, { scores: number[]; labels: number[]; fusion: number[] }> = {
    train: { scores: [], labels: [], fusion: [] },
    val: { scores: [], labels: [], fusion: [] },
    test: { scores: [], labels: [], fusion: [] },
  };
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    const part = parts[cells[splitAt]];
    if (!part) continue;
    for (const at of scoreAt) part.scores.push(Number(cells[at]));
    part.labels.push(Number(cells[yAt]));
    part.fusion.push(Number(cells[fusionAt]));
  }
  const toSplit = (p: (typeof parts)[string]): Split => ({
    scores: {
      data: Float64Array.from(p.scores),
      rows: p.labels.length,
      cols: DETECTORS.length,
    },
    labels: Uint8Array.from(p.labels),
    referenceFusion: Float64Array.from(p.fusion),
  });
  return { train: toSplit(parts.train), val: toSplit(parts.val), test: toSplit(parts.test) };
}
