export {
  checkContamination,
  decisionFromScores,
  percentile,
  predictFromScores,
  thresholdForRate,
} from './detector.js';
export type { Contamination, Detector } from './detector.js';
