/**
 * Options of the {@link DetectionPipeline}, their defaults and presets, validated in one place.
 * The defaults follow the best configuration the Python reference measured: the three classic
 * detectors on both the VAE latent and the preprocessed features, the VAE reconstruction error
 * as an extra fusion token, and a learned detector-identity embedding in the fusion.
 */

import type { Logger } from '@decoders/core';
import { checkInteger, checkNumber, checkOneOf, ValidationError } from '@decoders/core';
import type { AttentionFusion, RankFusion } from '@decoders/fusion';
import type { Detector } from '@decoders/outliers';
import type { TabularPreprocessor } from '@decoders/preprocess';
import type { PatchTransformerVAE } from '@decoders/vae';

/** Options of the preprocessing stage (the target and dropped columns come from `fit`). */
export type PreprocessStageOptions = Omit<
  NonNullable<ConstructorParameters<typeof TabularPreprocessor>[0]>,
  'target' | 'drop' | 'logger'
>;
/** Options of the Patch-Transformer VAE stage. */
export type VaeStageOptions = NonNullable<ConstructorParameters<typeof PatchTransformerVAE>[0]>;
/** Options of the attention fusion. */
export type AttentionStageOptions = NonNullable<ConstructorParameters<typeof AttentionFusion>[0]>;
/** Options of the rank fusion. */
export type RankStageOptions = NonNullable<ConstructorParameters<typeof RankFusion>[0]>;

/** The built-in detector kinds. */
export const BUILT_IN_DETECTORS = ['isolationForest', 'oneClassSvm', 'localOutlierFactor'] as const;
/** A built-in detector kind. */
export type BuiltInDetectorKind = (typeof BUILT_IN_DETECTORS)[number];
/** Which features a detector sees: the VAE latent mean, the preprocessed features, or both. */
export type DetectorInput = 'latent' | 'raw' | 'both';

/** One detector of the pipeline. */
export interface DetectorConfig {
  /** A built-in kind or a key of `customDetectors`. Required. */
  kind: string;
  /** Name in scores, metrics and reports. Default: the kind, plus `Raw` on preprocessed features. */
  name?: string;
  /** Features it sees. Default: the pipeline's `detectorInput`; `'both'` fits two detectors. */
  input?: DetectorInput;
  /** Constructor options, merged over the pipeline's defaults for this kind. Default `{}`. */
  options?: Record<string, unknown>;
}

/**
 * A detector kind supplied by the caller. `fromJSON` is needed again at load time (pass it to
 * `DetectionPipeline.load`): a model file names a kind but never carries code.
 */
export interface CustomDetector {
  /** Builds an unfitted detector from its options. */
  create(options: Record<string, unknown>): Detector;
  /** Restores a fitted detector from its `toJSON()` output. */
  fromJSON(json: unknown): Detector;
}

/** Options of the fusion stage. */
export interface FusionStageOptions {
  /** `'attention'` (needs labels) or `'rank'` (unsupervised). Default: attention with labels. */
  method?: 'attention' | 'rank';
  /** Attention fusion options. Default: identity embedding on, preset's epochs. */
  attention?: AttentionStageOptions;
  /** Rank fusion options. Default: mean of ranks, the pipeline's contamination. */
  rank?: RankStageOptions;
}

/** Options of {@link DetectionPipeline}: every stage's options, nested. */
export interface DetectionPipelineOptions {
  /** Size preset: `'full'` (the reference's sizes) or `'quick'` (small VAE, fewer epochs). Default `'full'`. */
  preset?: 'full' | 'quick';
  /** Seed of every random stage (splits, VAE, detectors, fusion). Default `0`. */
  seed?: number;
  /** Preprocessing options (schema, scaler, encoder). Default: schema inferred from the data. */
  preprocess?: PreprocessStageOptions;
  /** VAE options. Default (full): dModel 128, 2 layers, 4 heads, latent 32, up to 50 epochs. */
  vae?: VaeStageOptions;
  /** Detectors to fit. Default: Isolation Forest (400 trees), One-Class SVM (nu 0.05, gamma 'scale'), LOF (35 neighbours, novelty). */
  detectors?: DetectorConfig[];
  /** Features the detectors see when a detector does not say. Default `'both'`. */
  detectorInput?: DetectorInput;
  /** Caller-supplied detector kinds, by kind name. Default none. */
  customDetectors?: Record<string, CustomDetector>;
  /** Add the VAE reconstruction error as a fusion token. Default `true`. */
  reconstructionToken?: boolean;
  /** Train the fusion on k-fold out-of-fold detector scores of the training normals; 0 = off. Default `0`. */
  outOfFold?: number;
  /**
   * Give the fusion's training normals the scores of Local Outlier Factor detectors that leave
   * each row out of its own neighbourhood (LOF's outlier-mode factor, scikit-learn's
   * `negative_outlier_factor_`), as any new row is scored, instead of in-sample novelty scores in
   * which every row is its own nearest neighbour. Ignored when `outOfFold` is on. Default `true`.
   */
  leaveOneOut?: boolean;
  /** Fusion options. */
  fusion?: FusionStageOptions;
  /** Expected share of attacks, used for thresholds when there are no labels. Default `0.05`. */
  contamination?: number;
  /** How many columns with the largest reconstruction error `score()` reports per row. Default `3`. */
  explainTopK?: number;
  /** tfjs backend for the neural stages, e.g. `'wasm'` or `'cpu'`. Default: @decoders/nn's choice. */
  backend?: string;
  /**
   * Threads of the wasm backend's pool, 1 to 8. A setting of this machine, not of the model, so
   * it is not saved in the model file. Default: @decoders/nn's (`DECODERS_WASM_THREADS`, else one
   * per logical core, at most 8).
   */
  threads?: number;
  /** Diagnostics. Default: silent. */
  logger?: Logger;
}

/** A detector after defaults are applied: one input space, one name. */
export interface ResolvedDetector {
  name: string;
  kind: string;
  input: 'latent' | 'raw';
  options: Record<string, unknown>;
}

/** Options after defaults and the preset are applied; JSON-safe (saved in the model file). */
export interface ResolvedOptions {
  preset: 'full' | 'quick';
  seed: number;
  preprocess: PreprocessStageOptions;
  vae: VaeStageOptions;
  detectors: ResolvedDetector[];
  reconstructionToken: boolean;
  outOfFold: number;
  leaveOneOut: boolean;
  fusionMethod: 'attention' | 'rank' | 'auto';
  attention: AttentionStageOptions;
  rank: RankStageOptions;
  contamination: number;
  explainTopK: number;
  backend?: string;
}

/** Detector defaults of the original design. */
export const DETECTOR_DEFAULTS: Record<BuiltInDetectorKind, Record<string, unknown>> = {
  isolationForest: { nEstimators: 400 },
  oneClassSvm: { kernel: 'rbf', nu: 0.05, gamma: 'scale' },
  localOutlierFactor: { nNeighbors: 35, novelty: true },
};

const PRESETS = {
  full: {
    vae: {
      patchSize: 32,
      dModel: 128,
      nLayers: 2,
      nHeads: 4,
      latentDim: 32,
      maxEpochs: 50,
      patience: 8,
    },
    attention: {
      identityEmbedding: true,
      learningRate: 1e-2,
      batchSize: 'auto',
      maxEpochs: 200,
      patience: 40,
      ensembleSize: 5,
    },
    trees: 400,
  },
  quick: {
    vae: {
      patchSize: 32,
      dModel: 32,
      nLayers: 1,
      nHeads: 2,
      latentDim: 16,
      maxEpochs: 8,
      patience: 3,
    },
    attention: {
      identityEmbedding: true,
      learningRate: 1e-2,
      batchSize: 512,
      maxEpochs: 30,
      patience: 8,
    },
    trees: 100,
  },
} as const;

const OPTION_KEYS = new Set([
  'preset',
  'seed',
  'preprocess',
  'vae',
  'detectors',
  'detectorInput',
  'customDetectors',
  'reconstructionToken',
  'outOfFold',
  'leaveOneOut',
  'fusion',
  'contamination',
  'explainTopK',
  'backend',
  'threads',
  'logger',
]);

function suffix(input: 'latent' | 'raw'): string {
  return input === 'raw' ? 'Raw' : '';
}

/**
 * Applies the preset and defaults to `options` and checks every field.
 * @throws ValidationError naming the first bad option.
 */
export function resolveOptions(options: DetectionPipelineOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('pipeline options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new ValidationError(
        `unknown pipeline option '${key}': allowed are ${[...OPTION_KEYS].join(', ')}`,
      );
    }
  }
  const preset = checkOneOf('preset', options.preset ?? 'full', ['full', 'quick']);
  const seed = checkInteger('seed', options.seed ?? 0);
  const detectorInput = checkOneOf('detectorInput', options.detectorInput ?? 'both', [
    'latent',
    'raw',
    'both',
  ]);
  const outOfFold = checkInteger('outOfFold', options.outOfFold ?? 0, { min: 0, max: 20 });
  if (outOfFold === 1) {
    throw new ValidationError('outOfFold must be 0 (off) or at least 2 folds, got 1');
  }
  const contamination = checkNumber('contamination', options.contamination ?? 0.05, {
    min: 0,
    max: 0.5,
    minExclusive: true,
  });
  const explainTopK = checkInteger('explainTopK', options.explainTopK ?? 3, { min: 0 });
  const leaveOneOut = options.leaveOneOut ?? true;
  if (typeof leaveOneOut !== 'boolean') {
    throw new ValidationError(`leaveOneOut must be true or false, got ${String(leaveOneOut)}`);
  }
  const reconstructionToken = options.reconstructionToken ?? true;
  if (typeof reconstructionToken !== 'boolean') {
    throw new ValidationError(
      `reconstructionToken must be true or false, got ${reconstructionToken}`,
    );
  }
  const fusion = options.fusion ?? {};
  const fusionMethod =
    fusion.method === undefined
      ? 'auto'
      : checkOneOf('fusion.method', fusion.method, ['attention', 'rank']);
  if (options.backend !== undefined && typeof options.backend !== 'string') {
    throw new ValidationError("backend must be a tfjs backend name such as 'wasm' or 'cpu'");
  }
  // 8 is @decoders/nn's MAX_THREADS, not imported so that this module does not load tfjs.
  if (options.threads !== undefined) checkInteger('threads', options.threads, { min: 1, max: 8 });
  const p = PRESETS[preset];
  const custom = options.customDetectors ?? {};
  const configs: DetectorConfig[] =
    options.detectors ?? BUILT_IN_DETECTORS.map((kind) => ({ kind }));
  if (!Array.isArray(configs) || configs.length === 0) {
    throw new ValidationError(
      'detectors must be a non-empty array of { kind, name?, input?, options? }',
    );
  }
  const detectors: ResolvedDetector[] = [];
  for (const [i, config] of configs.entries()) {
    const kind = config?.kind;
    const builtIn = (BUILT_IN_DETECTORS as readonly string[]).includes(kind);
    if (!builtIn && !(typeof kind === 'string' && kind in custom)) {
      throw new ValidationError(
        `detectors[${i}].kind is ${JSON.stringify(kind)}: use ${BUILT_IN_DETECTORS.join(', ')} or a key of customDetectors`,
      );
    }
    const input = checkOneOf(`detectors[${i}].input`, config.input ?? detectorInput, [
      'latent',
      'raw',
      'both',
    ]);
    const base: Record<string, unknown> = builtIn
      ? { ...DETECTOR_DEFAULTS[kind as BuiltInDetectorKind] }
      : {};
    if (kind === 'isolationForest') base.nEstimators = p.trees;
    const merged = { ...base, ...(config.options ?? {}) };
    const spaces: ('latent' | 'raw')[] = input === 'both' ? ['latent', 'raw'] : [input];
    for (const space of spaces) {
      const name =
        config.name !== undefined && spaces.length === 1
          ? config.name
          : `${config.name ?? kind}${suffix(space)}`;
      detectors.push({ name, kind, input: space, options: merged });
    }
  }
  const names = new Set<string>();
  for (const d of detectors) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(d.name)) {
      throw new ValidationError(`detector name '${d.name}' must be letters, digits and _`);
    }
    if (names.has(d.name) || d.name === 'vaeReconstruction') {
      throw new ValidationError(
        `detector name '${d.name}' is used twice: give each detector a distinct name`,
      );
    }
    names.add(d.name);
  }
  return {
    preset,
    seed,
    preprocess: { ...(options.preprocess ?? {}) },
    vae: { ...p.vae, seed, ...(options.vae ?? {}) },
    detectors,
    reconstructionToken,
    outOfFold,
    leaveOneOut,
    fusionMethod,
    attention: { ...p.attention, seed, ...(fusion.attention ?? {}) },
    rank: { contamination, ...(fusion.rank ?? {}) },
    contamination,
    explainTopK,
    backend: options.backend,
  };
}
