/** The actions behind `decoders run | fit | evaluate | score`. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ValidationError } from '@decoders/core';
import type { EvaluationResult } from '@decoders/metrics';
import type { Table } from '@decoders/preprocess';
import {
  iterateCsv,
  readCsv,
  readSplitFile,
  trainTestSplit,
  trainValidationTestSplit,
} from '@decoders/preprocess';
import { applyLabelRule, countPositives, resolveLabelRule } from '../labels.js';
import type { DetectionPipelineOptions } from '../options.js';
import type { DetectionPipeline, PipelineEvaluation } from '../pipeline.js';
import { reportData, writeReport } from '../report.js';
import { checkIndices, timeOrder } from '../split.js';
import { csvHeader, csvRows } from './csv-writer.js';
import { progressView } from './progress.js';
import { UsageError } from './usage-error.js';

/** Options shared by the commands that fit a pipeline. */
export interface TrainFlags {
  target: string;
  normalValue?: string;
  drop?: string[];
  seed: number;
  epochs?: number;
  preset: 'quick' | 'full';
  detectorInput?: 'latent' | 'raw' | 'both';
  outOfFold?: number;
  reconstructionToken?: boolean;
  leaveOneOut?: boolean;
  backend?: string;
  threads?: number;
  quiet?: boolean;
  json?: boolean;
}

/** Flags of `decoders run`. */
export interface RunFlags extends TrainFlags {
  testSize: number;
  valSize: number;
  splitFile?: string;
  testFile?: string;
  timeColumn?: string;
  out: string;
  attackTypeColumn?: string;
  report: boolean;
}

/** Flags of `decoders fit`. */
export interface FitFlags extends TrainFlags {
  valSize: number;
  splitFile?: string;
  timeColumn?: string;
  out: string;
}

/** Flags of `decoders evaluate`. */
export interface EvaluateFlags {
  target?: string;
  attackTypeColumn?: string;
  json?: boolean;
  out?: string;
  threads?: number;
  quiet?: boolean;
}

/** Flags of `decoders score`. */
export interface ScoreFlags {
  out?: string;
  chunkSize: number;
  threads?: number;
  quiet?: boolean;
}

/** The metrics of one scorer as `--json` prints them. */
export function metricsJson(e: EvaluationResult) {
  const cm = e.confusionMatrix;
  return {
    accuracy: e.accuracy,
    precision: e.precision,
    recall: e.recall,
    f1: e.f1,
    rocAuc: e.rocAuc,
    prAuc: e.prAuc,
    threshold: e.threshold,
    confusionMatrix: { tn: cm.tn, fp: cm.fp, fn: cm.fn, tp: cm.tp },
  };
}

function evaluationJson(e: PipelineEvaluation) {
  const detectors: Record<string, ReturnType<typeof metricsJson>> = {};
  for (const [name, m] of Object.entries(e.detectors)) detectors[name] = metricsJson(m);
  return { fusion: metricsJson(e.fusion), detectors };
}

async function readTable(path: string, what: string): Promise<Table> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(`cannot read ${what} '${path}': the file does not exist`);
  }
  let table: Table;
  try {
    table = await readCsv(path);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new UsageError(`${what} '${path}' cannot be read: ${error.message}`);
    }
    throw error;
  }
  if (table.rowCount === 0 || table.columnNames.length === 0) {
    throw new UsageError(`${what} '${path}' is empty: it needs a header line and at least one row`);
  }
  return table;
}

function checkColumn(table: Table, column: string, role: string, path: string): void {
  if (!table.hasColumn(column)) {
    throw new UsageError(
      `${role} '${column}' is not a column of '${path}': columns are ${table.columnNames.join(', ')}`,
    );
  }
}

/** Checks target, drop and attack-type columns and that both classes are present. */
function checkTrainingTable(table: Table, flags: TrainFlags, path: string, extraDrop: string[]) {
  checkColumn(table, flags.target, 'target', path);
  for (const c of [...(flags.drop ?? []), ...extraDrop])
    checkColumn(table, c, '--drop column', path);
  let labels: Uint8Array;
  try {
    const rule = resolveLabelRule(flags.target, table.column(flags.target), flags.normalValue);
    labels = applyLabelRule(flags.target, table.column(flags.target), rule);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const positives = countPositives(labels);
  if (positives === 0 || positives === labels.length) {
    throw new UsageError(
      `target '${flags.target}' has one class only (${positives === 0 ? 'no attack rows' : 'no normal rows'}): the pipeline needs both; check --target and --normal-value`,
    );
  }
  return { labels, positives };
}

function pipelineOptions(flags: TrainFlags): DetectionPipelineOptions {
  const options: DetectionPipelineOptions = { preset: flags.preset, seed: flags.seed };
  if (flags.detectorInput) options.detectorInput = flags.detectorInput;
  if (flags.outOfFold !== undefined) options.outOfFold = flags.outOfFold;
  if (flags.reconstructionToken === false) options.reconstructionToken = false;
  if (flags.leaveOneOut === false) options.leaveOneOut = false;
  if (flags.backend) options.backend = flags.backend;
  if (flags.threads !== undefined) options.threads = flags.threads;
  if (flags.epochs !== undefined) {
    options.vae = { maxEpochs: flags.epochs };
    options.fusion = { attention: { maxEpochs: flags.epochs } };
  }
  return options;
}

/** The pipeline module (and tfjs with it) loads only once a command needs a model. */
async function pipelineModule() {
  return import('../pipeline.js');
}

function datasetName(path: string): string {
  return basename(path, extname(path));
}

interface ThreeWay {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array | null;
}

async function threeWaySplit(table: Table, labels: Uint8Array, flags: RunFlags): Promise<ThreeWay> {
  const n = table.rowCount;
  if (flags.splitFile) {
    let split: { train: ArrayLike<number>; validation: ArrayLike<number>; test: ArrayLike<number> };
    try {
      split = await readSplitFile(flags.splitFile);
    } catch (error) {
      throw new UsageError(
        `--split-file '${flags.splitFile}' cannot be used: ${(error as Error).message}`,
      );
    }
    try {
      return {
        train: checkIndices('split file train rows', split.train, n),
        validation: checkIndices('split file val rows', split.validation, n),
        test: flags.testFile ? null : checkIndices('split file test rows', split.test, n),
      };
    } catch (error) {
      throw new UsageError(`--split-file '${flags.splitFile}': ${(error as Error).message}`);
    }
  }
  if (flags.timeColumn) {
    checkColumn(table, flags.timeColumn, '--time-column', 'the data');
    const order = timeOrder(table, flags.timeColumn);
    const nTest = flags.testFile ? 0 : Math.round(n * flags.testSize);
    const nValidation = Math.round((n - nTest) * flags.valSize);
    const nTrain = n - nTest - nValidation;
    const part = (a: number, b: number) => Int32Array.from(order.subarray(a, b)).sort();
    return {
      train: part(0, nTrain),
      validation: part(nTrain, nTrain + nValidation),
      test: flags.testFile ? null : part(nTrain + nValidation, n),
    };
  }
  if (flags.testFile) {
    const { train, test } = trainTestSplit({
      n,
      labels,
      testSize: flags.valSize,
      seed: flags.seed,
    });
    return { train: Int32Array.from(train), validation: Int32Array.from(test), test: null };
  }
  const split = trainValidationTestSplit({
    n,
    labels,
    testSize: flags.testSize,
    validationSize: flags.valSize,
    seed: flags.seed,
  });
  return {
    train: Int32Array.from(split.train),
    validation: Int32Array.from(split.validation),
    test: Int32Array.from(split.test),
  };
}

async function writeBytes(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(path, bytes);
}

function stdoutJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `decoders run`: split, fit, evaluate on the test rows, write model, metrics and report. */
export async function runCommand(
  data: string,
  flags: RunFlags,
  signal: AbortSignal,
): Promise<void> {
  const start = performance.now();
  const view = progressView(flags.quiet ?? false);
  const table = await readTable(data, 'data file');
  const extraDrop = flags.attackTypeColumn ? [flags.attackTypeColumn] : [];
  const { labels, positives } = checkTrainingTable(table, flags, data, extraDrop);
  let testTable: Table | undefined;
  if (flags.testFile) {
    testTable = await readTable(flags.testFile, 'test file');
    checkColumn(testTable, flags.target, 'target', flags.testFile);
  }
  const split = await threeWaySplit(table, labels, flags);
  view.note(
    `${datasetName(data)}: ${table.rowCount} rows, ${positives} attacks | train ${split.train.length}, validation ${split.validation.length}, test ${split.test?.length ?? testTable!.rowCount}`,
  );

  const { DetectionPipeline } = await pipelineModule();
  const pipeline = new DetectionPipeline(pipelineOptions(flags));
  await pipeline.fit(table, {
    target: flags.target,
    normalValue: flags.normalValue,
    drop: [...new Set([...(flags.drop ?? []), ...extraDrop])],
    split: { method: 'indices', train: split.train, validation: split.validation },
    onProgress: (event) => view.onProgress(event),
    signal,
  });
  view.stop();
  const test = testTable ?? table.selectRows(split.test!);
  const evaluation = pipeline.evaluate(test, { attackTypeColumn: flags.attackTypeColumn });
  const fitTimings = pipeline.fitSummary.timings;
  const timings = {
    preprocess: fitTimings.preprocess,
    vae: fitTimings.vae,
    detectors: fitTimings.detectors,
    fusion: fitTimings.fusion,
    total: (performance.now() - start) / 1000,
  };
  const dataset = {
    rows: table.rowCount,
    features: pipeline.schema.featureNames.length,
    positives,
  };
  const result = { dataset, test: evaluationJson(evaluation), timings };

  await mkdir(flags.out, { recursive: true });
  await pipeline.save(join(flags.out, 'model.decoders'));
  const metrics = {
    ...result,
    splits: {
      train: split.train.length,
      validation: split.validation.length,
      test: test.rowCount,
      testPositives: evaluation.positives,
    },
    validation: pipeline.fitSummary.validation,
    attackTypes: evaluation.attackTypes,
    attention: evaluation.attention,
    epochs: {
      vae: pipeline.fitSummary.vae.epochs,
      vaeBest: pipeline.fitSummary.vae.bestEpoch,
      fusion: pipeline.fitSummary.fusion?.epochs ?? null,
      fusionBest: pipeline.fitSummary.fusion?.bestEpoch ?? null,
    },
    options: pipeline.resolvedOptions,
  };
  await writeBytes(join(flags.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  if (flags.report) {
    await writeReport(
      join(flags.out, 'report.html'),
      reportData(evaluation, {
        dataset: datasetName(data),
        features: dataset.features,
        timings,
      }),
    );
  }
  view.note(
    `wrote ${join(flags.out, 'model.decoders')}, metrics.json${flags.report ? ', report.html' : ''}`,
  );
  if (flags.json) stdoutJson(result);
  else printSummary(evaluation);
}

function printSummary(e: PipelineEvaluation): void {
  const rows = [['fusion', e.fusion] as const, ...Object.entries(e.detectors)];
  const lines = ['scorer                   ROC-AUC  PR-AUC      F1  precision  recall'];
  for (const [name, m] of rows) {
    lines.push(
      `${name.padEnd(24)} ${m.rocAuc.toFixed(4)}  ${m.prAuc.toFixed(4)}  ${m.f1.toFixed(4)}     ${m.precision.toFixed(4)}  ${m.recall.toFixed(4)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `decoders fit`: fit on one file (validation split off it) and save the model. */
export async function fitCommand(
  data: string,
  flags: FitFlags,
  signal: AbortSignal,
): Promise<void> {
  const view = progressView(flags.quiet ?? false);
  const table = await readTable(data, 'data file');
  checkTrainingTable(table, flags, data, []);
  let split: import('../split.js').SplitOption = {
    method: 'stratified',
    validationSize: flags.valSize,
    seed: flags.seed,
  };
  if (flags.timeColumn) {
    checkColumn(table, flags.timeColumn, '--time-column', data);
    split = { method: 'time', column: flags.timeColumn, validationSize: flags.valSize };
  } else if (flags.splitFile) {
    const rows = await readSplitFile(flags.splitFile).catch((error: Error) => {
      throw new UsageError(`--split-file '${flags.splitFile}' cannot be used: ${error.message}`);
    });
    split = { method: 'indices', train: rows.train, validation: rows.validation };
  }
  const { DetectionPipeline } = await pipelineModule();
  const pipeline = new DetectionPipeline(pipelineOptions(flags));
  await pipeline.fit(table, {
    target: flags.target,
    normalValue: flags.normalValue,
    drop: flags.drop,
    split,
    onProgress: (event) => view.onProgress(event),
    signal,
  });
  view.stop();
  await pipeline.save(flags.out);
  view.note(`wrote ${flags.out}`);
  const summary = pipeline.fitSummary;
  const result = {
    model: flags.out,
    rows: summary.rows,
    features: pipeline.schema.featureNames.length,
    validation: summary.validation
      ? {
          fusion: metricsJson(summary.validation.fusion),
          detectors: Object.fromEntries(
            Object.entries(summary.validation.detectors).map(([k, v]) => [k, metricsJson(v)]),
          ),
        }
      : null,
    timings: summary.timings,
  };
  if (flags.json) stdoutJson(result);
}

async function loadModel(path: string, threads?: number): Promise<DetectionPipeline> {
  try {
    await stat(path);
  } catch {
    throw new UsageError(`cannot read model '${path}': the file does not exist`);
  }
  const { DetectionPipeline } = await pipelineModule();
  return DetectionPipeline.load(path, threads === undefined ? {} : { threads });
}

/** `decoders evaluate`: metrics of a saved model on a labelled file. */
export async function evaluateCommand(
  modelPath: string,
  data: string,
  flags: EvaluateFlags,
): Promise<void> {
  const view = progressView(flags.quiet ?? false);
  const pipeline = await loadModel(modelPath, flags.threads);
  const table = await readTable(data, 'data file');
  const target = flags.target ?? pipeline.schema.target;
  if (!target) throw new UsageError('the model was fitted without labels: pass --target <column>');
  checkColumn(table, target, 'target', data);
  if (flags.attackTypeColumn)
    checkColumn(table, flags.attackTypeColumn, '--attack-type-column', data);
  let evaluation: PipelineEvaluation;
  try {
    evaluation = pipeline.evaluate(table, { target, attackTypeColumn: flags.attackTypeColumn });
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.message);
    throw error;
  }
  const result = evaluationJson(evaluation);
  if (flags.out) {
    await mkdir(flags.out, { recursive: true });
    const metrics = {
      ...result,
      rows: evaluation.rows,
      positives: evaluation.positives,
      attackTypes: evaluation.attackTypes,
      attention: evaluation.attention,
    };
    await writeBytes(join(flags.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    await writeReport(
      join(flags.out, 'report.html'),
      reportData(evaluation, {
        dataset: datasetName(data),
        features: pipeline.schema.featureNames.length,
      }),
    );
    view.note(`wrote ${join(flags.out, 'metrics.json')} and report.html`);
  }
  if (flags.json) stdoutJson(result);
  else printSummary(evaluation);
}

function formatScore(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(9))) : '';
}

/** `decoders score`: streams a CSV through a saved model, appending scores to every row. */
export async function scoreCommand(
  modelPath: string,
  data: string,
  flags: ScoreFlags,
  signal: AbortSignal,
): Promise<void> {
  const view = progressView(flags.quiet ?? false);
  const pipeline = await loadModel(modelPath, flags.threads);
  try {
    await stat(data);
  } catch {
    throw new UsageError(`cannot read data file '${data}': the file does not exist`);
  }
  const out = flags.out ? createWriteStream(flags.out) : process.stdout;
  const names = pipeline.detectorNames;
  let rows = 0;
  let header: string[] | null = null;
  const start = performance.now();
  for await (const chunk of iterateCsv(data, { chunkSize: flags.chunkSize })) {
    if (signal.aborted) break;
    if (chunk.rowCount === 0) continue;
    if (!header) {
      const taken = new Set(chunk.columnNames);
      const extra = ['anomaly_score', 'is_anomaly', ...names].map((n) =>
        taken.has(n) ? `${n}_score` : n,
      );
      header = [...chunk.columnNames, ...extra];
      out.write(csvHeader(header));
    }
    let scored: ReturnType<DetectionPipeline['scoreColumns']>;
    try {
      scored = pipeline.scoreColumns(chunk);
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(error.message);
      throw error;
    }
    const extra = [scored.score, scored.isAnomaly, ...names.map((n) => scored.detectors[n])];
    const text = csvRows(chunk, extra, (j, v) => (j === 1 ? String(v) : formatScore(v as number)));
    if (!out.write(text)) await once(out, 'drain');
    rows += chunk.rowCount;
    view.note(`scored ${rows} rows (${((performance.now() - start) / 1000).toFixed(1)}s)`);
  }
  if (!header)
    throw new UsageError(
      `data file '${data}' is empty: it needs a header line and at least one row`,
    );
  if (flags.out) {
    const file = out as ReturnType<typeof createWriteStream>;
    await new Promise<void>((resolve, reject) => {
      file.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    view.note(`wrote ${flags.out}`);
  }
  if (signal.aborted) throw new Error('scoring was interrupted');
}
