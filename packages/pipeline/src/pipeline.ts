/**
 * The whole detection flow behind one object: preprocessing fitted on normal training rows, a
 * Patch-Transformer VAE, classic outlier detectors on its latent space and on the preprocessed
 * features, and a fusion of their scores whose threshold is tuned on validation rows by F1.
 */

import type { DenseMatrix, Logger, ProgressCallback, SavedState } from '@decoders/core';
import {
  AbortError,
  FormatError,
  NotFittedError,
  Random,
  rowView,
  selectRows,
  silentLogger,
  throwIfAborted,
  ValidationError,
} from '@decoders/core';
import type { Fusion } from '@decoders/fusion';
import { AttentionFusion, fusionFromJSON, RankFusion } from '@decoders/fusion';
import type { EvaluationResult } from '@decoders/metrics';
import { bestF1Threshold, evaluate, thresholdForContamination } from '@decoders/metrics';
import { initBackend } from '@decoders/nn';
import type { Detector } from '@decoders/outliers';
import {
  detectorFromJSON,
  IsolationForest,
  LocalOutlierFactor,
  OneClassSVM,
} from '@decoders/outliers';
import type { CellValue } from '@decoders/preprocess';
import { Table, TabularPreprocessor } from '@decoders/preprocess';
import type { TrainingHistory } from '@decoders/vae';
import { PatchTransformerVAE } from '@decoders/vae';
import type { LabelRule } from './labels.js';
import { applyLabelRule, countPositives, resolveLabelRule } from './labels.js';
import { decodeModel, encodeModel } from './model-file.js';
import type {
  CustomDetector,
  DetectionPipelineOptions,
  ResolvedDetector,
  ResolvedOptions,
} from './options.js';
import { BUILT_IN_DETECTORS, resolveOptions } from './options.js';
import type { AttackTypeRecall } from './report.js';
import { ecdfRank, pickLabels, quantileReference, stackColumns } from './scores.js';
import type { SplitOption } from './split.js';
import { splitRows } from './split.js';
import { VERSION } from './version.js';

/** Name of the VAE reconstruction-error score among the detectors. */
export const RECONSTRUCTION = 'vaeReconstruction';

/** Options of {@link DetectionPipeline.fit}. */
export interface FitOptions {
  /** Label column (1 = attack). Without it the pipeline is unsupervised (rank fusion). */
  target?: string;
  /** Label value meaning normal; every other value is an attack. Default: 0/1, true/false or 'normal'. */
  normalValue?: string | number;
  /** Columns never used as features (identifiers, label details). Default none. */
  drop?: string[];
  /** A separate validation table; when given, every row of the fit table trains. */
  validation?: Table;
  /** How to split the fit table when no validation table is given. Default: stratified, 20% validation. */
  split?: SplitOption;
  /** Receives progress events of every stage. */
  onProgress?: ProgressCallback;
  /** Cancels fitting between steps and inside training loops. */
  signal?: AbortSignal;
}

/** Options of {@link DetectionPipeline.evaluate}. */
export interface EvaluateOptions {
  /** Label column; default the fit target. */
  target?: string;
  /** Column of attack names for recall per attack type. Default none. */
  attackTypeColumn?: string;
}

/** Options of {@link DetectionPipeline.load} and {@link DetectionPipeline.fromBuffer}. */
export interface LoadOptions {
  /** The custom detector kinds the model was fitted with, by kind name. */
  customDetectors?: Record<string, CustomDetector>;
  /** tfjs backend; default the saved one, else @decoders/nn's choice. */
  backend?: string;
  /** Threads of the wasm backend's pool, 1 to 8; default @decoders/nn's. */
  threads?: number;
}

/** One scored row. */
export interface RowScore {
  /** Fused attack probability (attention fusion) or fused rank score (rank fusion). */
  score: number;
  /** `score >= threshold`. */
  isAnomaly: boolean;
  /** Each detector's raw score (higher = more anomalous) and its rank among training scores. */
  detectors: Record<string, { score: number; rank: number }>;
  /** The fusion's attention weight per token (sums to 1). */
  attention: Record<string, number>;
  /** Original columns with the largest VAE reconstruction error, largest first. */
  topFeatures: { column: string; error: number }[];
}

/** Scores of many rows, column by column (what the CLI streams). */
export interface ScoreColumns {
  score: Float64Array;
  isAnomaly: Uint8Array;
  /** Every detector's score, plus `vaeReconstruction`. */
  detectors: Record<string, Float64Array>;
}

/** What {@link DetectionPipeline.evaluate} measures. */
export interface PipelineEvaluation {
  rows: number;
  positives: number;
  fusion: EvaluationResult;
  /** Each detector alone at its own validation-tuned threshold. */
  detectors: Record<string, EvaluationResult>;
  attackTypes?: AttackTypeRecall[];
  /** Mean attention per fusion token over the evaluated rows. */
  attention: { detectorNames: string[]; mean: number[] };
  labels: Uint8Array;
  scores: { fusion: Float64Array; detectors: Record<string, Float64Array> };
}

/** The columns a model expects, and how it reads labels. */
export interface ModelSchema {
  target: string | null;
  labelRule: LabelRule | null;
  drop: string[];
  inputColumns: string[];
  featureNames: string[];
  featureSources: string[];
}

/** What fitting measured, saved with the model. */
export interface FitSummary {
  rows: {
    train: number;
    validation: number;
    trainNormals: number;
    trainPositives: number;
    validationPositives: number;
  };
  /** Metrics on the validation rows (null without labels). */
  validation: { fusion: EvaluationResult; detectors: Record<string, EvaluationResult> } | null;
  vae: TrainingHistory;
  fusion: TrainingHistory | null;
  /** Seconds per stage: preprocess, vae, detectors, fusion, total. */
  timings: Record<string, number>;
  fittedAt: string;
}

interface FittedDetector {
  spec: ResolvedDetector;
  model: Detector;
}

interface Fitted {
  schema: ModelSchema;
  preprocessor: TabularPreprocessor;
  vae: PatchTransformerVAE;
  detectors: FittedDetector[];
  tokens: string[];
  fusion: Fusion;
  threshold: number;
  thresholds: Record<string, number>;
  references: Record<string, Float64Array>;
  summary: FitSummary;
}

const now = () => performance.now() / 1000;

/**
 * Fits, scores, evaluates and saves the whole detection flow.
 *
 * @example
 * const pipeline = new DetectionPipeline({ preset: 'quick' });
 * await pipeline.fit(table, { target: 'is_attack' });
 * const [first] = pipeline.score(table.selectRows([0]));
 */
export class DetectionPipeline {
  private readonly options: ResolvedOptions;
  private readonly custom: Record<string, CustomDetector>;
  private readonly logger: Logger;
  private readonly threads: number | undefined;
  private fitted: Fitted | undefined;

  /** @throws ValidationError for a bad option. */
  constructor(options: DetectionPipelineOptions = {}) {
    this.options = resolveOptions(options);
    this.custom = options.customDetectors ?? {};
    this.logger = options.logger ?? silentLogger;
    this.threads = options.threads;
  }

  /** True once `fit` (or loading) has completed. */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** The options after defaults and the preset were applied. */
  get resolvedOptions(): ResolvedOptions {
    return this.options;
  }

  /** Names of every score: the detectors, then `vaeReconstruction`. */
  get detectorNames(): string[] {
    return [...this.need('detectorNames').detectors.map((d) => d.spec.name), RECONSTRUCTION];
  }

  /** Names of the fusion's input tokens, in order. */
  get tokenNames(): string[] {
    return [...this.need('tokenNames').tokens];
  }

  /** Threshold on the fused score, chosen on validation rows. */
  get threshold(): number {
    return this.need('threshold').threshold;
  }

  /** Each detector's own validation-tuned threshold. */
  get detectorThresholds(): Record<string, number> {
    return { ...this.need('detectorThresholds').thresholds };
  }

  /** Columns the model reads and how it reads labels. */
  get schema(): ModelSchema {
    return structuredClone(this.need('schema').schema);
  }

  /** What fitting measured (validation metrics, epochs, timings). */
  get fitSummary(): FitSummary {
    return structuredClone(this.need('fitSummary').summary);
  }

  /**
   * Fits every stage on `table`.
   * @throws ValidationError for unknown columns, empty data, unusable labels or a bad split;
   * AbortError when `options.signal` fires.
   */
  async fit(table: Table, options: FitOptions = {}): Promise<this> {
    const start = now();
    const o = this.options;
    const { onProgress, signal } = options;
    const emit: ProgressCallback = (event) => onProgress?.(event);
    checkTable('data', table);
    const target = options.target;
    const drop = [...(options.drop ?? [])];
    checkColumns(table, target, drop, 'data');
    if (options.validation !== undefined) {
      checkTable('validation', options.validation);
      checkColumns(options.validation, target, drop, 'validation');
      if (options.split !== undefined) {
        throw new ValidationError('pass either a validation table or a split, not both');
      }
    }
    const method = o.fusionMethod === 'auto' ? (target ? 'attention' : 'rank') : o.fusionMethod;
    if (method === 'attention' && !target) {
      throw new ValidationError(
        "attention fusion needs labels: pass target, or set fusion.method to 'rank' for unsupervised use",
      );
    }
    throwIfAborted(signal, 'fit');

    const labelRule = target
      ? resolveLabelRule(target, table.column(target), options.normalValue)
      : null;
    const labels =
      target && labelRule
        ? applyLabelRule(target, table.column(target), labelRule)
        : new Uint8Array(table.rowCount);
    let trainTable = table;
    let validationTable: Table;
    let trainLabels = labels;
    let validationLabels: Uint8Array;
    if (options.validation) {
      validationTable = options.validation;
      validationLabels =
        target && labelRule
          ? applyLabelRule(target, validationTable.column(target), labelRule)
          : new Uint8Array(validationTable.rowCount);
    } else {
      const split = splitRows(table, target ? labels : undefined, options.split, o.seed);
      trainTable = table.selectRows(split.train);
      validationTable = table.selectRows(split.validation);
      trainLabels = pickLabels(labels, split.train);
      validationLabels = pickLabels(labels, split.validation);
    }
    const trainPositives = countPositives(trainLabels);
    const validationPositives = countPositives(validationLabels);
    if (method === 'attention') {
      checkClasses('training', target!, trainLabels.length, trainPositives);
      checkClasses('validation', target!, validationLabels.length, validationPositives);
    }
    const normalRows: number[] = [];
    for (let i = 0; i < trainLabels.length; i++) if (trainLabels[i] === 0) normalRows.push(i);
    if (normalRows.length < 2) {
      throw new ValidationError(
        `the training rows hold ${normalRows.length} normal rows: the detectors need at least 2 (more is better)`,
      );
    }
    const timings: Record<string, number> = {};

    let t = now();
    emit({ stage: 'preprocess', fraction: 0, elapsed: 0 });
    const preprocessor = new TabularPreprocessor({
      ...o.preprocess,
      target: target ?? undefined,
      drop,
      logger: this.logger,
    });
    preprocessor.fit(trainTable.selectRows(normalRows));
    const xTrain = preprocessor.transform(trainTable);
    const xValidation = preprocessor.transform(validationTable);
    const xNormal = selectRows(xTrain, normalRows);
    timings.preprocess = now() - t;
    emit({ stage: 'preprocess', fraction: 1, elapsed: timings.preprocess });
    throwIfAborted(signal, 'fit');

    t = now();
    await initBackend({ backend: o.backend, threads: this.threads, logger: this.logger });
    const vae = new PatchTransformerVAE(o.vae);
    const vaeHistory = await vae.fit(xNormal, {
      validation: xValidation,
      onProgress: (event) => emit({ ...event, stage: 'vae' }),
      signal,
      logger: this.logger,
    });
    timings.vae = now() - t;

    t = now();
    const detectors: FittedDetector[] = [];
    const needLatent = o.detectors.some((d) => d.input === 'latent');
    const zTrain = needLatent ? vae.encode(xTrain) : undefined;
    const zValidation = needLatent ? vae.encode(xValidation) : undefined;
    const trainScores: Record<string, Float64Array> = {};
    const validationScores: Record<string, Float64Array> = {};
    for (const [index, spec] of o.detectors.entries()) {
      throwIfAborted(signal, 'fit');
      const inputTrain: DenseMatrix = spec.input === 'latent' ? zTrain! : xTrain;
      const inputValidation: DenseMatrix = spec.input === 'latent' ? zValidation! : xValidation;
      const normals = selectRows(inputTrain, normalRows);
      const model = this.createDetector(spec, index).fit(normals);
      detectors.push({ spec, model });
      validationScores[spec.name] = model.scoreSamples(inputValidation);
      if (o.outOfFold < 2 && o.leaveOneOut && model instanceof LocalOutlierFactor) {
        // The normals take their outlier-mode factor, which leaves each row out of its own
        // neighbourhood as a new row would be (row i of `normals` is training row
        // normalRows[i]); only the attack rows need a neighbour search.
        trainScores[spec.name] = this.leaveOneOutScores(model, inputTrain, normalRows);
      } else {
        trainScores[spec.name] = model.scoreSamples(inputTrain);
      }
      if (o.outOfFold >= 2) {
        this.outOfFoldScores(spec, index, normals, normalRows, trainScores[spec.name], signal);
      }
      emit({
        stage: 'detectors',
        fraction: (index + 1) / o.detectors.length,
        elapsed: now() - t,
        message: `${spec.name} fitted`,
      });
    }
    trainScores[RECONSTRUCTION] = vae.reconstructionError(xTrain);
    validationScores[RECONSTRUCTION] = vae.reconstructionError(xValidation);
    timings.detectors = now() - t;
    throwIfAborted(signal, 'fit');

    t = now();
    const tokens = [
      ...detectors.map((d) => d.spec.name),
      ...(o.reconstructionToken ? [RECONSTRUCTION] : []),
    ];
    const sTrain = stackColumns(trainScores, tokens, trainLabels.length);
    const sValidation = stackColumns(validationScores, tokens, validationLabels.length);
    let fusion: Fusion;
    let fusionHistory: TrainingHistory | null = null;
    const fusionProgress: ProgressCallback = (event) => emit({ ...event, stage: 'fusion' });
    if (method === 'attention') {
      const attention = new AttentionFusion(o.attention);
      fusionHistory = await attention.fit(sTrain, trainLabels, {
        validationScores: sValidation,
        validationLabels,
        detectorNames: tokens,
        onProgress: fusionProgress,
        signal,
        logger: this.logger,
      });
      fusion = attention;
    } else {
      const rank = new RankFusion(o.rank);
      await rank.fit(sTrain, target ? trainLabels : undefined, {
        detectorNames: tokens,
        onProgress: fusionProgress,
        signal,
        logger: this.logger,
      } as never);
      fusion = rank;
    }
    timings.fusion = now() - t;

    const labelled =
      target !== undefined &&
      validationPositives > 0 &&
      validationPositives < validationLabels.length;
    const fusedValidation = fusion.predictProba(sValidation);
    const threshold = labelled
      ? bestF1Threshold(validationLabels, fusedValidation).threshold
      : fusion.threshold;
    const thresholds: Record<string, number> = {};
    const references: Record<string, Float64Array> = {};
    for (const name of [...detectors.map((d) => d.spec.name), RECONSTRUCTION]) {
      thresholds[name] = labelled
        ? bestF1Threshold(validationLabels, validationScores[name]).threshold
        : thresholdForContamination(validationScores[name], o.contamination);
      references[name] = quantileReference(trainScores[name]);
    }
    let validation: FitSummary['validation'] = null;
    if (labelled) {
      const perDetector: Record<string, EvaluationResult> = {};
      for (const name of Object.keys(thresholds)) {
        perDetector[name] = evaluate(validationLabels, validationScores[name], thresholds[name]);
      }
      validation = {
        fusion: evaluate(validationLabels, fusedValidation, threshold),
        detectors: perDetector,
      };
    }
    timings.total = now() - start;
    emit({ stage: 'done', fraction: 1, elapsed: timings.total });

    this.fitted = {
      schema: {
        target: target ?? null,
        labelRule,
        drop,
        inputColumns: [...preprocessor.inputColumns],
        featureNames: [...preprocessor.featureNamesOut],
        featureSources: [...preprocessor.featureSources],
      },
      preprocessor,
      vae,
      detectors,
      tokens,
      fusion,
      threshold,
      thresholds,
      references,
      summary: {
        rows: {
          train: trainLabels.length,
          validation: validationLabels.length,
          trainNormals: normalRows.length,
          trainPositives,
          validationPositives,
        },
        validation,
        vae: vaeHistory,
        fusion: fusionHistory ?? null,
        timings,
        fittedAt: new Date().toISOString(),
      },
    };
    return this;
  }

  /**
   * Scores rows and explains each: detector scores and ranks, attention weights and the columns
   * the VAE reconstructs worst.
   * @throws NotFittedError before fit; ValidationError when a fitted column is missing.
   */
  score(rows: Table | Record<string, unknown>[]): RowScore[] {
    const f = this.need('score');
    const table = Array.isArray(rows) ? Table.fromRows(rows) : rows;
    checkTable('rows', table);
    const x = this.transform(table);
    const columns = this.scoreMatrix(x);
    const tokenMatrix = stackColumns(columns.detectors, f.tokens, x.rows);
    const explanations = f.fusion.explain(tokenMatrix);
    const top = this.topFeatures(x);
    const out: RowScore[] = new Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      const detectors: RowScore['detectors'] = {};
      for (const [name, values] of Object.entries(columns.detectors)) {
        detectors[name] = { score: values[i], rank: ecdfRank(f.references[name], values[i]) };
      }
      const attention: Record<string, number> = {};
      f.tokens.forEach((name, j) => {
        attention[name] = explanations[i].attention[j];
      });
      out[i] = {
        score: columns.score[i],
        isAnomaly: columns.isAnomaly[i] === 1,
        detectors,
        attention,
        topFeatures: top[i],
      };
    }
    return out;
  }

  /**
   * Scores rows column by column, without explanations: the fast path for large files.
   * @throws NotFittedError before fit; ValidationError when a fitted column is missing.
   */
  scoreColumns(table: Table): ScoreColumns {
    this.need('scoreColumns');
    checkTable('data', table);
    return this.scoreMatrix(this.transform(table));
  }

  /**
   * Measures the fusion and each detector alone on labelled rows, each at the threshold chosen
   * on validation at fit time; with `attackTypeColumn`, also recall per attack type.
   * @throws ValidationError when labels are missing, unreadable or of one class only.
   */
  evaluate(table: Table, options: EvaluateOptions = {}): PipelineEvaluation {
    const f = this.need('evaluate');
    checkTable('data', table);
    const target = options.target ?? f.schema.target;
    if (!target) {
      throw new ValidationError('evaluate needs labels: pass options.target (the label column)');
    }
    if (!table.hasColumn(target)) {
      throw new ValidationError(
        `target column '${target}' is not in the data: columns are ${table.columnNames.join(', ')}`,
      );
    }
    const rule = f.schema.labelRule ?? resolveLabelRule(target, table.column(target));
    const labels = applyLabelRule(target, table.column(target), rule);
    const positives = countPositives(labels);
    if (positives === 0 || positives === labels.length) {
      throw new ValidationError(
        `target column '${target}' has only ${positives === 0 ? 'normal' : 'attack'} rows: evaluation needs both classes`,
      );
    }
    let types: readonly CellValue[] | undefined;
    if (options.attackTypeColumn !== undefined) {
      if (!table.hasColumn(options.attackTypeColumn)) {
        throw new ValidationError(
          `attack type column '${options.attackTypeColumn}' is not in the data: columns are ${table.columnNames.join(', ')}`,
        );
      }
      types = table.column(options.attackTypeColumn);
    }
    const x = this.transform(table);
    const columns = this.scoreMatrix(x);
    const detectors: Record<string, EvaluationResult> = {};
    for (const [name, values] of Object.entries(columns.detectors)) {
      detectors[name] = evaluate(labels, values, f.thresholds[name]);
    }
    const tokenMatrix = stackColumns(columns.detectors, f.tokens, x.rows);
    const mean = new Array<number>(f.tokens.length).fill(0);
    for (const e of f.fusion.explain(tokenMatrix)) {
      for (let j = 0; j < mean.length; j++) mean[j] += e.attention[j] / x.rows;
    }
    return {
      rows: labels.length,
      positives,
      fusion: evaluate(labels, columns.score, f.threshold),
      detectors,
      attackTypes: types ? recallByType(types, labels, columns.isAnomaly) : undefined,
      attention: { detectorNames: [...f.tokens], mean },
      labels,
      scores: { fusion: columns.score, detectors: columns.detectors },
    };
  }

  /** The model as bytes: gzip-compressed checked JSON (see docs/model-format.md). */
  async toBuffer(options: { compress?: boolean } = {}): Promise<Uint8Array> {
    return encodeModel(this.toState(), options.compress ?? true);
  }

  /**
   * Restores a pipeline from {@link toBuffer} bytes. Nothing in the bytes is executed.
   * @throws FormatError for corrupt, truncated, foreign or newer-format bytes.
   */
  static async fromBuffer(
    bytes: Uint8Array,
    options: LoadOptions = {},
  ): Promise<DetectionPipeline> {
    const state = await decodeModel(bytes);
    return DetectionPipeline.fromState(state, options);
  }

  /** Writes the model to `path` (Node only; the `fs` module is loaded on first use). */
  async save(path: string): Promise<void> {
    this.need('save');
    const fs = await import('node:fs/promises');
    await fs.writeFile(path, await this.toBuffer());
  }

  /**
   * Reads a model written by {@link save} (Node only).
   * @throws FormatError for a file that is not a valid model; ValidationError when it is missing.
   */
  static async load(path: string, options: LoadOptions = {}): Promise<DetectionPipeline> {
    const fs = await import('node:fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path));
    } catch (error) {
      throw new ValidationError(`cannot read model file '${path}': ${(error as Error).message}`);
    }
    return DetectionPipeline.fromBuffer(bytes, options);
  }

  private toState(): SavedPipeline {
    const f = this.need('toBuffer');
    const references: Record<string, number[]> = {};
    for (const [name, values] of Object.entries(f.references))
      references[name] = Array.from(values);
    return {
      library: { name: '@decoders/pipeline', version: VERSION },
      options: this.options,
      schema: f.schema,
      preprocessor: f.preprocessor.toJSON(),
      vae: f.vae.toJSON(),
      detectors: f.detectors.map((d) => ({ ...d.spec, model: d.model.toJSON() })),
      tokens: f.tokens,
      fusion: f.fusion.toJSON(),
      threshold: f.threshold,
      thresholds: f.thresholds,
      references,
      summary: f.summary,
    };
  }

  private static async fromState(raw: unknown, options: LoadOptions): Promise<DetectionPipeline> {
    const s = raw as SavedPipeline;
    const fields = [
      'library',
      'options',
      'schema',
      'preprocessor',
      'vae',
      'detectors',
      'tokens',
      'fusion',
      'threshold',
      'thresholds',
      'references',
      'summary',
    ] as const;
    for (const field of fields) {
      if (s === null || typeof s !== 'object' || !(field in s)) {
        throw new FormatError(
          `the model file has no '${field}' section: it is not a complete Decoders model`,
        );
      }
    }
    if (!Array.isArray(s.detectors) || !Array.isArray(s.tokens)) {
      throw new FormatError('the model file has malformed detector lists');
    }
    const custom = options.customDetectors ?? {};
    const pipeline = new DetectionPipeline({ customDetectors: custom });
    Object.assign(pipeline, { options: s.options });
    // Outside the try: a backend or thread count this machine cannot give is the caller's
    // setting to change (a ValidationError), not a fault in the file.
    await initBackend({ backend: options.backend ?? s.options.backend, threads: options.threads });
    try {
      const detectors = s.detectors.map((d) => ({
        spec: { name: d.name, kind: d.kind, input: d.input, options: d.options },
        model: loadDetector(d.kind, d.model, custom),
      }));
      const references: Record<string, Float64Array> = {};
      for (const [name, values] of Object.entries(s.references)) {
        references[name] = Float64Array.from(values);
      }
      pipeline.fitted = {
        schema: s.schema,
        preprocessor: TabularPreprocessor.fromJSON(s.preprocessor),
        vae: PatchTransformerVAE.fromJSON(s.vae),
        detectors,
        tokens: s.tokens,
        fusion: fusionFromJSON(s.fusion),
        threshold: s.threshold,
        thresholds: s.thresholds,
        references,
        summary: s.summary,
      };
    } catch (error) {
      if (error instanceof FormatError || error instanceof AbortError) throw error;
      throw new FormatError(`the model file could not be restored: ${(error as Error).message}`);
    }
    return pipeline;
  }

  private need(method: string): Fitted {
    if (!this.fitted) throw new NotFittedError('DetectionPipeline', method);
    return this.fitted;
  }

  private createDetector(spec: ResolvedDetector, index: number): Detector {
    const seed = this.options.seed + 101 * (index + 1);
    const options = spec.options as never;
    switch (spec.kind) {
      case 'isolationForest':
        return new IsolationForest({ seed, ...(spec.options as object) } as never);
      case 'oneClassSvm':
        return new OneClassSVM({ seed, ...(spec.options as object) } as never);
      case 'localOutlierFactor':
        return new LocalOutlierFactor(options);
      default: {
        const custom = this.custom[spec.kind];
        if (!custom) {
          throw new ValidationError(`detector kind '${spec.kind}' is not in customDetectors`);
        }
        return custom.create(spec.options);
      }
    }
  }

  /** Training-row scores of a fitted LOF: its own factor for the normals, novelty scores for the rest. */
  private leaveOneOutScores(
    model: LocalOutlierFactor,
    input: DenseMatrix,
    normalRows: number[],
  ): Float64Array {
    const scores = new Float64Array(input.rows);
    const own = model.trainingScores;
    const isNormal = new Uint8Array(input.rows);
    for (let i = 0; i < normalRows.length; i++) {
      scores[normalRows[i]] = own[i];
      isNormal[normalRows[i]] = 1;
    }
    const others: number[] = [];
    for (let r = 0; r < input.rows; r++) if (!isNormal[r]) others.push(r);
    if (others.length > 0) {
      const novel = model.scoreSamples(selectRows(input, others));
      for (let k = 0; k < others.length; k++) scores[others[k]] = novel[k];
    }
    return scores;
  }

  /** Replaces the training normals' scores by k-fold out-of-fold scores, in place. */
  private outOfFoldScores(
    spec: ResolvedDetector,
    index: number,
    normals: DenseMatrix,
    normalRows: number[],
    trainScores: Float64Array,
    signal: AbortSignal | undefined,
  ): void {
    const k = this.options.outOfFold;
    const n = normals.rows;
    if (n < k * 2) {
      throw new ValidationError(
        `outOfFold ${k} needs at least ${k * 2} normal training rows, got ${n}: lower outOfFold`,
      );
    }
    const order = new Random(this.options.seed + 7919).permutation(n);
    for (let fold = 0; fold < k; fold++) {
      throwIfAborted(signal, 'fit');
      const held: number[] = [];
      const kept: number[] = [];
      for (let p = 0; p < n; p++) (p % k === fold ? held : kept).push(order[p]);
      const model = this.createDetector(spec, index).fit(selectRows(normals, kept));
      const scores = model.scoreSamples(selectRows(normals, held));
      held.forEach((row, j) => {
        trainScores[normalRows[row]] = scores[j];
      });
    }
  }

  private transform(table: Table): DenseMatrix<Float64Array> {
    const f = this.fitted!;
    const missing = f.schema.inputColumns.filter((c) => !table.hasColumn(c));
    if (missing.length > 0) {
      throw new ValidationError(
        `the data lacks column(s) ${missing.join(', ')} that the model was fitted on: add them`,
      );
    }
    return f.preprocessor.transform(table) as DenseMatrix<Float64Array>;
  }

  private scoreMatrix(x: DenseMatrix<Float64Array>): ScoreColumns {
    const f = this.fitted!;
    const needLatent = f.detectors.some((d) => d.spec.input === 'latent');
    const z = needLatent ? f.vae.encode(x) : undefined;
    const detectors: Record<string, Float64Array> = {};
    for (const d of f.detectors) {
      detectors[d.spec.name] = d.model.scoreSamples(d.spec.input === 'latent' ? z! : x);
    }
    detectors[RECONSTRUCTION] = f.vae.reconstructionError(x);
    const score = f.fusion.predictProba(stackColumns(detectors, f.tokens, x.rows));
    const isAnomaly = new Uint8Array(x.rows);
    for (let i = 0; i < x.rows; i++) isAnomaly[i] = score[i] >= f.threshold ? 1 : 0;
    return { score, isAnomaly, detectors };
  }

  private topFeatures(x: DenseMatrix<Float64Array>): RowScore['topFeatures'][] {
    const f = this.fitted!;
    const k = this.options.explainTopK;
    const out: RowScore['topFeatures'][] = [];
    if (k === 0) return Array.from({ length: x.rows }, () => []);
    const errors = f.vae.reconstructionErrorByFeature(x);
    const sources = f.schema.featureSources;
    const columns = [...new Set(sources)];
    const slot = sources.map((s) => columns.indexOf(s));
    const sums = new Float64Array(columns.length);
    for (let i = 0; i < x.rows; i++) {
      sums.fill(0);
      const row = rowView(errors, i);
      for (let j = 0; j < row.length; j++) sums[slot[j]] += row[j];
      const order = columns.map((_, c) => c).sort((a, b) => sums[b] - sums[a]);
      out.push(order.slice(0, k).map((c) => ({ column: columns[c], error: sums[c] })));
    }
    return out;
  }
}

interface SavedPipeline {
  library: { name: string; version: string };
  options: ResolvedOptions;
  schema: ModelSchema;
  preprocessor: SavedState | unknown;
  vae: SavedState | unknown;
  detectors: (ResolvedDetector & { model: unknown })[];
  tokens: string[];
  fusion: unknown;
  threshold: number;
  thresholds: Record<string, number>;
  references: Record<string, number[]>;
  summary: FitSummary;
}

function loadDetector(
  kind: string,
  json: unknown,
  custom: Record<string, CustomDetector>,
): Detector {
  if ((BUILT_IN_DETECTORS as readonly string[]).includes(kind))
    return detectorFromJSON(json as never);
  const loader = custom[kind];
  if (!loader) {
    throw new FormatError(
      `the model uses the custom detector kind '${kind}': pass customDetectors: { ${kind}: ... } to load it`,
    );
  }
  return loader.fromJSON(json);
}

function checkTable(name: string, table: unknown): asserts table is Table {
  const t = table as Table;
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.rowCount !== 'number' ||
    !Array.isArray(t.columnNames) ||
    typeof t.column !== 'function'
  ) {
    throw new ValidationError(
      `${name} must be a Table from @decoders/preprocess (readCsv, parseCsv or Table.fromRows)`,
    );
  }
  if (t.rowCount === 0) throw new ValidationError(`${name} is empty: it needs at least one row`);
}

function checkColumns(table: Table, target: string | undefined, drop: string[], name: string) {
  if (target !== undefined && !table.hasColumn(target)) {
    throw new ValidationError(
      `target column '${target}' is not in the ${name}: columns are ${table.columnNames.join(', ')}`,
    );
  }
  const unknown = drop.filter((c) => !table.hasColumn(c));
  if (unknown.length > 0) {
    throw new ValidationError(
      `cannot drop unknown column(s) ${unknown.join(', ')}: the ${name} has ${table.columnNames.join(', ')}`,
    );
  }
}

function checkClasses(split: string, target: string, n: number, positives: number): void {
  if (positives === 0 || positives === n) {
    throw new ValidationError(
      `the ${split} rows of target '${target}' hold only ${positives === 0 ? 'normal' : 'attack'} rows: attention fusion needs both classes (or use fusion.method 'rank')`,
    );
  }
}

function recallByType(
  types: readonly CellValue[],
  labels: Uint8Array,
  isAnomaly: Uint8Array,
): AttackTypeRecall[] {
  const counts = new Map<string, { count: number; detected: number }>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    const type = String(types[i] ?? 'missing');
    const entry = counts.get(type) ?? { count: 0, detected: 0 };
    entry.count++;
    entry.detected += isAnomaly[i];
    counts.set(type, entry);
  }
  return [...counts.entries()]
    .map(([type, c]) => ({ type, ...c, recall: c.detected / c.count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}
