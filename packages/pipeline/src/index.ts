export type { LabelRule } from './labels.js';
export { applyLabelRule, resolveLabelRule } from './labels.js';
export { decodeModel, encodeModel, MODEL_FORMAT, MODEL_VERSION } from './model-file.js';
export type {
  AttentionStageOptions,
  BuiltInDetectorKind,
  CustomDetector,
  DetectionPipelineOptions,
  DetectorConfig,
  DetectorInput,
  FusionStageOptions,
  PreprocessStageOptions,
  RankStageOptions,
  ResolvedDetector,
  ResolvedOptions,
  VaeStageOptions,
} from './options.js';
export { BUILT_IN_DETECTORS, DETECTOR_DEFAULTS, resolveOptions } from './options.js';
export type {
  EvaluateOptions,
  FitOptions,
  FitSummary,
  LoadOptions,
  ModelSchema,
  PipelineEvaluation,
  RowScore,
  ScoreColumns,
} from './pipeline.js';
export { DetectionPipeline, RECONSTRUCTION } from './pipeline.js';
export type { AttackTypeRecall, CurveSet, ReportContext, ReportData } from './report.js';
export { renderReport, reportData, writeReport } from './report.js';
export type { SplitOption, TrainValidation } from './split.js';
export { VERSION } from './version.js';
