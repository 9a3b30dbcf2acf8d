/** Types shared by every fusion model. */
import type { Logger, MatrixInput, ProgressCallback, SavedState } from '@decoders/core';

/** How a fusion model picks its decision threshold. */
export type ThresholdStrategy =
  | { strategy: 'f1' }
  | { strategy: 'precision'; target: number }
  | { strategy: 'fpr'; target: number }
  | { strategy: 'contamination'; rate: number };

/** Why one row was scored as it was. */
export interface Explanation {
  /**
   * Weight of each detector in the decision, in detector order, summing to 1. For
   * {@link AttentionFusion} it is the attention the detector's token received (averaged over
   * heads and query tokens); for {@link RankFusion} it is the detector's share of the fused
   * score.
   */
  attention: number[];
  /** Each detector's ECDF rank in [0, 1] against the training scores. */
  ranks: number[];
}

/** Per-epoch record of a training run. */
export interface TrainingHistory {
  /** Epochs run. */
  epochs: number;
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation metric per epoch (PR-AUC for the fusion). */
  validation: number[];
  /** With an ensemble of several networks: each member's history (the fields above are the
   * first member's). */
  members?: TrainingHistory[];
}

/** Options of `fit` shared by every fusion model. */
export interface FusionFitOptions {
  /** Detector scores `[N, M]` of the validation rows (early stopping and threshold). */
  validationScores?: MatrixInput;
  /** Labels (0 normal, 1 attack) of the validation rows. */
  validationLabels?: ArrayLike<number>;
  /** Name of each of the M detectors, for explanations. Default `detector0`, `detector1`, … */
  detectorNames?: string[];
  /** Receives one event per epoch with stage `'fusion'`. */
  onProgress?: ProgressCallback;
  /** Cancels training; fit then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Diagnostics. Default: silent. */
  logger?: Logger;
}

/** What {@link AttentionFusion} and {@link RankFusion} have in common. */
export interface Fusion {
  /** Learns the combination of the M detector scores of each row. */
  fit(
    scores: MatrixInput,
    labels?: ArrayLike<number>,
    options?: FusionFitOptions,
  ): Promise<TrainingHistory | undefined>;
  /** Fused score per row in [0, 1]; higher = more anomalous. */
  predictProba(scores: MatrixInput): Float64Array;
  /** 1 where the fused score is at or above {@link threshold}, else 0. */
  predict(scores: MatrixInput): Uint8Array;
  /** Decision threshold on the fused score. */
  readonly threshold: number;
  /** Name of each detector, in column order. */
  readonly detectorNames: string[];
  /** Per row: each detector's weight in the decision and its rank. */
  explain(scores: MatrixInput): Explanation[];
  /** Saved state (core's save format). */
  toJSON(): SavedState;
}
