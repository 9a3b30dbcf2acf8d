/**
 * @decoders/fusion: combine detector scores into one decision, with attention learned from
 * labels (AttentionFusion) or by rank aggregation without labels (RankFusion), and explain it.
 * @packageDocumentation
 */
export { initBackend } from '@decoders/nn';
export type { AttentionFusionOptions } from './attention-fusion.js';
export { ATTENTION_FUSION_FORMAT, AttentionFusion } from './attention-fusion.js';
export { fusionFromJSON } from './from-json.js';
export {
  buildMetaFeatures,
  META_FEATURE_NAMES,
  META_FEATURES_FORMAT,
  MetaFeatures,
} from './meta-features.js';
export type { RankFusionOptions, RankMethod } from './rank-fusion.js';
export { RANK_FUSION_FORMAT, RankFusion } from './rank-fusion.js';
export type {
  Explanation,
  Fusion,
  FusionFitOptions,
  ThresholdStrategy,
  TrainingHistory,
} from './types.js';
