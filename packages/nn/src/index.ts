/**
 * @decoders/nn: the TensorFlow.js building blocks shared by Decoders models (internal).
 * @packageDocumentation
 */

export { dropout, dropoutMask, gelu } from './activations.js';
export type { AdamWOptions } from './adamw.js';
export { AdamW, trainStep } from './adamw.js';
export type {
  AttentionCallOptions,
  AttentionOutput,
  MultiHeadSelfAttentionOptions,
} from './attention.js';
export { MultiHeadSelfAttention } from './attention.js';
export type { BackendOptions } from './backend.js';
export { DEFAULT_BACKEND, initBackend, setWasmPaths, tf, wasmThreadCount } from './backend.js';
export type { DenseOptions } from './dense.js';
export { Dense, matMulFast } from './dense.js';
export type { Initializer } from './init.js';
export { initialValues } from './init.js';
export { LayerNorm, layerNorm } from './layer-norm.js';
export { ParameterStore } from './parameters.js';
export type { EpochEndCallback, EpochInfo, TrainingHistory, TrainLoopOptions } from './train.js';
export { gatherRows, trainLoop, yieldToEventLoop } from './train.js';
export type { SavedTensor, SavedWeights } from './weights.js';
export { loadWeights, saveWeights } from './weights.js';
