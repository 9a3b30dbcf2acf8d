export type { Contamination, Detector } from './detector.js';
export {
  checkContamination,
  decisionFromScores,
  percentile,
  predictFromScores,
  thresholdForRate,
} from './detector.js';
export { detectorFromJSON } from './from-json.js';
export type { IsolationForestOptions } from './isolation-forest.js';
export { averagePathLength, IsolationForest } from './isolation-forest.js';
export type { LocalOutlierFactorOptions } from './local-outlier-factor.js';
export { LocalOutlierFactor } from './local-outlier-factor.js';
export type { NeighborMetric } from './neighbors.js';
export { NEIGHBOR_METRICS } from './neighbors.js';
export type { OneClassSVMMode, OneClassSVMOptions } from './one-class-svm.js';
export { OneClassSVM } from './one-class-svm.js';
export type { WorkersOption } from './parallel.js';
export type { KernelName, ScoringWorkers } from './svm-kernels.js';
export { KERNEL_NAMES } from './svm-kernels.js';
