/**
 * A generic mini-batch training loop: seeded shuffling, batching, early stopping on a
 * validation quantity with the best weights restored, progress callbacks and cancellation.
 * What one step does is up to the caller, so the same loop trains the VAE and the fusion model.
 */
import {
  AbortError,
  checkInteger,
  checkNumber,
  checkOneOf,
  type Logger,
  type ProgressCallback,
  type Random,
  silentLogger,
  ValidationError,
} from '@decoders/core';
import { tf } from './backend.js';

/** What a training run did, epoch by epoch. */
export interface TrainingHistory {
  /** Epochs run (early stopping may end before `maxEpochs`). */
  epochs: number;
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  /** Mean training loss per epoch (each batch weighted by its number of rows). */
  loss: number[];
  /** The monitored validation value per epoch; empty when no validation function was given. */
  validation: number[];
}

/** What {@link EpochEndCallback} receives after each epoch. */
export interface EpochInfo {
  /** 1-based epoch. */
  epoch: number;
  loss: number;
  /** The validation value, when a validation function was given. */
  validation?: number;
  /** Whether this epoch is the best so far. */
  improved: boolean;
  /** Seconds the epoch took, validation included. */
  seconds: number;
}

/** Called after every epoch. */
export type EpochEndCallback = (info: EpochInfo) => void;

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  /** Number of training rows; batches are drawn from 0..nSamples-1. */
  nSamples: number;
  /** Rows per batch; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Upper bound on epochs. */
  maxEpochs: number;
  /** Shuffles the rows each epoch. */
  random: Random;
  /** Runs one optimisation step on the rows `indices` and returns its mean loss. */
  step: (indices: Int32Array, epoch: number) => number;
  /**
   * Computes the monitored value after each epoch (a validation loss or a metric). Without it
   * the epoch's training loss is monitored, in mode 'min'.
   */
  validate?: (epoch: number) => number;
  /** 'min' when a lower monitored value is better (losses), 'max' for metrics. Default 'min'. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. Default 8. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Variables whose best-epoch values are restored at the end. */
  variables: readonly tf.Variable[];
  /** Name reported in progress events. Default 'train'. */
  stage?: string;
  onEpochEnd?: EpochEndCallback;
  onProgress?: ProgressCallback;
  /** Cancels training between batches; the weights are then those of the last step. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** Lets pending events (progress rendering, an abort) run between training steps. */
export const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains for up to `maxEpochs`, stops after `patience` epochs without an improvement larger
 * than `minDelta`, and restores the variables of the best epoch.
 * @throws AbortError when `signal` fires; ValidationError on bad options or a non-finite loss.
 */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainingHistory> {
  const n = checkInteger('nSamples', options.nSamples, { min: 1 });
  const batchSize = checkInteger('batchSize', options.batchSize, { min: 1 });
  const maxEpochs = checkInteger('maxEpochs', options.maxEpochs, { min: 1 });
  const patience = checkInteger('patience', options.patience ?? 8, { min: 1 });
  const minDelta = checkNumber('minDelta', options.minDelta ?? 0, { min: 0 });
  const mode = checkOneOf('mode', options.mode ?? 'min', ['min', 'max'] as const);
  const stage = options.stage ?? 'train';
  const logger = options.logger ?? silentLogger;
  const sign = mode === 'min' ? 1 : -1;

  const history: TrainingHistory = { epochs: 0, bestEpoch: 0, loss: [], validation: [] };
  let best = Number.POSITIVE_INFINITY;
  let wait = 0;
  let snapshot: tf.Tensor[] | undefined;
  const started = now();
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const epochStart = now();
      const order = options.random.permutation(n);
      let total = 0;
      for (let start = 0; start < n; start += batchSize) {
        if (options.signal?.aborted) throw new AbortError(stage);
        const indices = Int32Array.from(order.subarray(start, Math.min(n, start + batchSize)));
        const loss = options.step(indices, epoch);
        if (!Number.isFinite(loss)) {
          throw new ValidationError(
            `${stage} loss became ${loss} at epoch ${epoch}: lower learningRate or scale the input`,
          );
        }
        total += loss * indices.length;
        await yieldToEventLoop();
      }
      const loss = total / n;
      const monitored = options.validate ? options.validate(epoch) : loss;
      history.epochs = epoch;
      history.loss.push(loss);
      if (options.validate) history.validation.push(monitored);

      // A NaN monitored value never counts as an improvement.
      const improved = sign * monitored < best - minDelta;
      if (improved) {
        best = sign * monitored;
        history.bestEpoch = epoch;
        wait = 0;
        tf.dispose(snapshot);
        snapshot = options.variables.map((v) => tf.clone(v));
      } else {
        wait += 1;
      }
      const seconds = now() - epochStart;
      const info: EpochInfo = { epoch, loss, improved, seconds };
      if (options.validate) info.validation = monitored;
      options.onEpochEnd?.(info);
      options.onProgress?.({
        stage,
        epoch,
        maxEpochs,
        loss,
        ...(options.validate ? { validation: monitored } : {}),
        fraction: epoch / maxEpochs,
        elapsed: now() - started,
      });
      logger.debug?.(`${stage} epoch ${epoch}`, { loss, validation: monitored, seconds });
      if (wait >= patience) {
        logger.info?.(`${stage} stopped early at epoch ${epoch}; best epoch ${history.bestEpoch}`);
        break;
      }
    }
    if (snapshot) {
      const saved = snapshot;
      for (let i = 0; i < saved.length; i++) options.variables[i].assign(saved[i]);
    }
    return history;
  } finally {
    tf.dispose(snapshot);
  }
}

function now(): number {
  return performance.now() / 1000;
}

/** Copies the rows `indices` of a row-major matrix into a new float32 array (a batch). */
export function gatherRows(
  data: Float32Array | Float64Array,
  cols: number,
  indices: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(indices.length * cols);
  if (data instanceof Float32Array) {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      out.set(data.subarray(i * cols, (i + 1) * cols), k * cols);
    }
  } else {
    for (let k = 0; k < indices.length; k++) {
      const offset = indices[k] * cols;
      for (let j = 0; j < cols; j++) out[k * cols + j] = data[offset + j];
    }
  }
  return out;
}
