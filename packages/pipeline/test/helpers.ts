import { fileURLToPath } from 'node:url';
import type { DetectionPipelineOptions } from '../src/index.js';

export const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A tiny configuration so that a fit takes seconds. */
export const TINY: DetectionPipelineOptions = {
  preset: 'quick',
  seed: 3,
  backend: 'cpu',
  vae: { dModel: 16, nLayers: 1, nHeads: 2, latentDim: 8, maxEpochs: 2, patience: 2 },
  detectors: [
    { kind: 'isolationForest', options: { nEstimators: 50 } },
    { kind: 'oneClassSvm' },
    { kind: 'localOutlierFactor', options: { nNeighbors: 10 } },
  ],
  fusion: { attention: { dModel: 16, nHeads: 2, maxEpochs: 12, patience: 12, batchSize: 64 } },
};
