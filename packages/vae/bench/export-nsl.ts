/**
 * Writes the preprocessed NSL-KDD rows of bench/data.ts (reference split, RobustScaler + one-hot
 * fitted on the training normals) as raw float32 files for the Python scripts of the bench:
 *   <outDir>/nsl.train.f32        training normals           (bench/torch_seeds.py, reference_seeds.py)
 *   <outDir>/nsl.validation.f32   validation rows            (same)
 *   <outDir>/nsl.test.f32         test rows                  (reference_seeds.py; with --test)
 *   <outDir>/nsl.test.labels.u8   test labels, 1 = attack    (reference_seeds.py; with --test)
 *   <outDir>/nsl.json             column count and row counts
 * Rows are in CSV row order. bench/seed-spread.ts calls exportNsl itself.
 *
 *   npx tsx bench/export-nsl.ts [outDir=/tmp/vae-parity] [--test]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { DenseMatrix } from '@decoders/core';
import { loadDataset } from './data.js';

export function exportNsl(outDir: string, withTest = false): void {
  mkdirSync(outDir, { recursive: true });
  const data = loadDataset('nsl_kdd_train20');
  const parts: [string, DenseMatrix<Float32Array>][] = [
    ['train', data.train],
    ['validation', data.validation],
  ];
  if (withTest) parts.push(['test', data.test]);
  for (const [name, m] of parts) {
    writeFileSync(
      `${outDir}/nsl.${name}.f32`,
      Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
    );
  }
  if (withTest) writeFileSync(`${outDir}/nsl.test.labels.u8`, data.testLabels);
  writeFileSync(
    `${outDir}/nsl.json`,
    JSON.stringify({
      cols: data.features,
      train: data.train.rows,
      validation: data.validation.rows,
      ...(withTest ? { test: data.test.rows } : {}),
    }),
  );
  console.log(
    `wrote ${outDir}: train ${data.train.rows} x ${data.features}, validation ${data.validation.rows}` +
      (withTest ? `, test ${data.test.rows}` : ''),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  exportNsl(positional[0] ?? '/tmp/vae-parity', process.argv.includes('--test'));
}
