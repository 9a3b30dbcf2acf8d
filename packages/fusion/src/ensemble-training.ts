/**
 * Trains the K networks of an attention-fusion ensemble together: each step runs one batched
 * graph over the members still training (the wide network of {@link StackedNetworks}: one
 * forward and backward pass, one loss and one AdamW update for all of them), so the per-op
 * overhead of the tfjs backend is paid once per step rather than K times. Member by member it is
 * nn's trainLoop: its own seeded batch order and dropout stream, mini-batch AdamW on its mean
 * weighted log-loss, early stopping on validation PR-AUC with its own patience, and its best
 * epoch's weights kept; a member whose patience ran out leaves the batch.
 */
import {
  AbortError,
  type Logger,
  type ProgressCallback,
  type Random,
  ValidationError,
} from '@decoders/core';
import { averagePrecision } from '@decoders/metrics';
import { AdamW, gatherRows, tf, trainStep, yieldToEventLoop } from '@decoders/nn';
import { type FusionNetwork, TOKEN_WIDTH } from './attention-network.js';
import { StackedNetworks } from './stacked-networks.js';
import type { TrainingHistory } from './types.js';

/** What {@link trainEnsemble} needs. */
export interface EnsembleTrainingOptions {
  /** The members, holding their initial weights; each receives its best epoch's weights. */
  networks: readonly FusionNetwork[];
  /** Per member: the stream that shuffles its rows each epoch. */
  shuffles: readonly Random[];
  /** Per member: the stream that seeds its dropout masks. */
  dropouts: readonly Random[];
  /** Training meta-features [N, M, 3], row-major, and their labels. */
  train: Float32Array;
  y: Float32Array;
  /** Validation meta-features and labels, for the early stopping metric. */
  validation: Float32Array;
  yValidation: Float64Array;
  positiveWeight: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  /** Rows (of all members together) per forward pass when validating; bounds memory only. */
  scoringChunk: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  logger: Logger;
}

const STAGE = 'fusion';

/** Where one member stands. */
interface MemberState {
  history: TrainingHistory;
  /** Best validation PR-AUC so far, negated (trainLoop's mode 'max'). */
  best: number;
  /** Epochs since the last improvement. */
  wait: number;
  finished: boolean;
}

/**
 * Trains every member with early stopping (mode 'max' on validation average precision, NaN never
 * improving); a member whose patience ran out is finished and drops out of later steps. Returns
 * each member's history; the networks then hold each member's best weights (or, for a member
 * that never improved, its last ones).
 * @throws AbortError when `signal` fires (between batches); ValidationError on a non-finite loss.
 */
export async function trainEnsemble(options: EnsembleTrainingOptions): Promise<TrainingHistory[]> {
  const { networks, train, y, validation, yValidation, batchSize, maxEpochs, patience } = options;
  const size = networks.length;
  const m = networks[0].config.nDetectors;
  const width = m * TOKEN_WIDTH;
  const n = y.length;
  const logger = options.logger;
  const members: MemberState[] = networks.map(() => ({
    history: { epochs: 0, bestEpoch: 0, loss: [], validation: [] },
    best: Number.POSITIVE_INFINITY,
    wait: 0,
    finished: false,
  }));
  const stacked = new StackedNetworks(networks);
  const optimizer = new AdamW({ learningRate: options.learningRate, weightDecay: 0 });
  const started = now();
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const active = members.flatMap((member, k) => (member.finished ? [] : [k]));
      if (active.length === 0) break;
      const a = active.length;
      const orders = active.map((k) => options.shuffles[k].permutation(n));
      const dropouts = active.map((k) => options.dropouts[k]);
      const totals = new Float64Array(a);
      for (let start = 0; start < n; start += batchSize) {
        if (options.signal?.aborted) throw new AbortError(STAGE);
        const count = Math.min(n, start + batchSize) - start;
        const kept: { loss?: tf.Tensor1D } = {};
        let losses: Float32Array;
        try {
          losses = tf.tidy(() => {
            const batches: Float32Array[] = [];
            const target = new Float32Array(a * count);
            for (let k = 0; k < a; k++) {
              const indices = orders[k].subarray(start, start + count);
              batches.push(gatherRows(train, width, indices));
              for (let i = 0; i < count; i++) target[k * count + i] = y[indices[i]];
            }
            const x = stacked.input(batches);
            const t = tf.tensor2d(target, [a, count]);
            trainStep(optimizer, stacked.variables, () => {
              const logits = stacked.apply(x, active, dropouts);
              kept.loss = tf.keep(weightedLogLoss(logits, t, options.positiveWeight));
              // Each member's gradient is that of its own mean loss: the sum only adds them.
              return tf.sum(kept.loss);
            });
            return kept.loss!.dataSync() as Float32Array;
          });
        } finally {
          kept.loss?.dispose();
        }
        for (let k = 0; k < a; k++) {
          if (!Number.isFinite(losses[k])) {
            throw new ValidationError(
              `${STAGE} loss became ${losses[k]} at epoch ${epoch}: lower learningRate or ` +
                'scale the input',
            );
          }
          totals[k] += losses[k] * count;
        }
        await yieldToEventLoop();
      }

      const scores = stacked.logits(validation, active, options.scoringChunk);
      const improved: number[] = [];
      const ranOut: number[] = [];
      active.forEach((k, i) => {
        const member = members[k];
        const loss = totals[i] / n;
        const monitored = averagePrecision(yValidation, scores[i]);
        member.history.epochs = epoch;
        member.history.loss.push(loss);
        member.history.validation.push(monitored);
        // A NaN monitored value never counts as an improvement.
        if (-monitored < member.best) {
          member.best = -monitored;
          member.history.bestEpoch = epoch;
          member.wait = 0;
          improved.push(k);
        } else {
          member.wait += 1;
          if (member.wait >= patience) ranOut.push(k);
        }
      });
      stacked.copyMembers(
        improved,
        improved.map((k) => networks[k]),
      );
      for (const k of ranOut) {
        const member = members[k];
        member.finished = true;
        // Like trainLoop: without any improvement the weights are those of the last step.
        if (member.history.bestEpoch === 0) stacked.copyMembers([k], [networks[k]]);
        logger.info?.(
          `${STAGE} ${size > 1 ? `member ${k + 1} ` : ''}stopped early at epoch ${epoch}; ` +
            `best epoch ${member.history.bestEpoch}`,
        );
      }

      const losses = active.map((k) => members[k].history.loss[epoch - 1]);
      const monitored = active.map((k) => members[k].history.validation[epoch - 1]);
      const loss = mean(losses);
      const validationValue = mean(monitored);
      options.onProgress?.({
        stage: STAGE,
        epoch,
        maxEpochs,
        loss,
        validation: validationValue,
        fraction: epoch / maxEpochs,
        elapsed: now() - started,
        ...(size > 1 ? { message: `${a} of ${size} ensemble members trained this epoch` } : {}),
      });
      logger.debug?.(`${STAGE} epoch ${epoch}`, {
        loss: size > 1 ? losses : loss,
        validation: size > 1 ? monitored : validationValue,
      });
    }
    // Members still training at maxEpochs that never improved keep their last weights.
    const neverImproved = members.flatMap((member, k) =>
      !member.finished && member.history.bestEpoch === 0 ? [k] : [],
    );
    stacked.copyMembers(
      neverImproved,
      neverImproved.map((k) => networks[k]),
    );
    return members.map((member) => member.history);
  } finally {
    optimizer.dispose();
    stacked.dispose();
  }
}

/**
 * Per member, binary cross-entropy on logits [a, B] with the positive class weighted, averaged
 * over the member's rows as torch's BCEWithLogitsLoss(pos_weight) does:
 * (1 - y)·z + (1 + (w - 1)·y)·log(1 + e^(-z)), with log(1 + e^(-z)) written in its
 * overflow-free form. Returns [a].
 */
function weightedLogLoss(logits: tf.Tensor2D, y: tf.Tensor2D, weight: number): tf.Tensor1D {
  return tf.tidy(() => {
    const softplusNegative = tf.add(
      tf.relu(tf.neg(logits)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    const scale = weight === 1 ? tf.onesLike(y) : tf.add(tf.mul(y, weight - 1), 1);
    const perRow = tf.add(tf.mul(tf.sub(1, y), logits), tf.mul(scale, softplusNegative));
    return tf.mean(perRow, 1) as tf.Tensor1D;
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function now(): number {
  return performance.now() / 1000;
}
