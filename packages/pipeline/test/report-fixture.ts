/** Seeded synthetic evaluation data shared by the report tests. */
import { Random } from '@decoders/core';
import { bestF1Threshold, evaluate } from '@decoders/metrics';
import type { CurveSet, ReportData } from '../src/report.js';

function curveSet(name: string, labels: Uint8Array, scores: Float64Array): CurveSet {
  const { threshold } = bestF1Threshold(labels, scores);
  return { name, scores, evaluation: evaluate(labels, scores, threshold) };
}

/**
 * `n` rows with about 10 % attacks and four detectors of different quality and scale: a good
 * fused score, a Gaussian-ish detector, a heavy-tailed one and one with heavily tied scores.
 */
export function syntheticReportData(n = 3000, seed = 7): ReportData {
  const random = new Random(seed);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = random.next() < 0.1 ? 1 : 0;

  const fused = new Float64Array(n);
  const gaussian = new Float64Array(n);
  const heavy = new Float64Array(n);
  const tied = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    fused[i] = 1 / (1 + Math.exp(-(3 * y - 1.5 + random.normal())));
    gaussian[i] = 0.8 * y + random.normal();
    heavy[i] = Math.exp(1.2 * random.normal() + y);
    tied[i] = Math.round(2 * y + 2 * random.normal());
  }

  const attackRows: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] === 1) attackRows.push(i);
  const fusion = curveSet('fusion', labels, fused);
  const names = ['neptune', 'smurf', 'guess_passwd', 'mscan'];
  const attackTypes = names.map((type, t) => {
    const rows = attackRows.filter((_, k) => k % names.length === t);
    const detected = rows.filter((i) => fused[i] >= fusion.evaluation.threshold).length;
    return { type, count: rows.length, detected, recall: detected / rows.length };
  });

  const positives = attackRows.length;
  return {
    title: 'Synthetic evaluation',
    dataset: { name: 'synthetic', rows: n, features: 12, positives },
    labels,
    fusion,
    detectors: [
      curveSet('isolationForest', labels, gaussian),
      curveSet('vaeReconstruction', labels, heavy),
      curveSet('localOutlierFactor', labels, tied),
    ],
    attention: {
      detectorNames: ['isolationForest', 'vaeReconstruction', 'localOutlierFactor'],
      mean: [0.5, 0.3, 0.2],
    },
    attackTypes,
    timings: { fit: 1.25, score: 0.5 },
    generatedAt: '2026-01-01T00:00:00.000Z',
  };
}
