/**
 * Rank fusion without labels: each detector's score becomes its ECDF rank against the training
 * scores, and the ranks are combined by mean, max, average-of-maximum or maximum-of-average.
 * The aom/moa combinations follow Aggarwal and Sathe, "Theoretical foundations and algorithms
 * for outlier ensembles" (SIGKDD Explorations, 2015).
 */
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  FormatError,
  loadState,
  type MatrixInput,
  NotFittedError,
  type SavedState,
  saveState,
  throwIfAborted,
  ValidationError,
} from '@decoders/core';
import { checkDetectorNames, checkLabels, checkScores, checkThresholdStrategy } from './checks.js';
import { MetaFeatures } from './meta-features.js';
import { chooseThreshold } from './threshold.js';
import type {
  Explanation,
  Fusion,
  FusionFitOptions,
  ThresholdStrategy,
  TrainingHistory,
} from './types.js';

/** Format name of a saved {@link RankFusion}. */
export const RANK_FUSION_FORMAT = 'decoders.rank-fusion';
const RANK_FUSION_VERSION = 1;

/** How {@link RankFusion} combines the ranks of one row. */
export type RankMethod = 'mean' | 'max' | 'aom' | 'moa';

/** Options of {@link RankFusion}. */
export interface RankFusionOptions {
  /** Combination of the ranks: 'mean', 'max', 'aom' (average of group maxima) or 'moa'
   * (maximum of group averages). Default `'mean'`. */
  method?: RankMethod;
  /** Share of training rows flagged, which sets the threshold. Default `0.05`. */
  contamination?: number;
  /** Number of detector groups for 'aom'/'moa' when `groups` is not given: detectors are dealt
   * to groups in column order, detector j to group j mod nGroups. Default `2`. */
  nGroups?: number;
  /** Explicit groups for 'aom'/'moa': lists of detector column indices, each detector in
   * exactly one group. Default: dealt by `nGroups`. */
  groups?: number[][];
  /** Threshold rule; a label-based rule uses the validation labels of `fit`, else its own
   * labels. Default `{ strategy: 'contamination', rate: contamination }`. */
  threshold?: ThresholdStrategy;
}

interface ResolvedOptions {
  method: RankMethod;
  contamination: number;
  nGroups: number;
  groups: number[][] | undefined;
  threshold: ThresholdStrategy;
}

interface RankFusionState {
  options: ResolvedOptions;
  detectorNames: string[];
  groups: number[][];
  threshold: number;
  meta: SavedState;
}

/**
 * Fuses detector scores without labels by combining their ECDF ranks. Same interface as
 * {@link AttentionFusion}, so a pipeline can use either.
 *
 * Groups for 'aom' and 'moa': by default the M detectors are dealt round-robin into
 * `nGroups` groups (detector j goes to group j mod nGroups; with M = 4 and 2 groups that is
 * {0, 2} and {1, 3}). Put detectors that see the data the same way (e.g. two density
 * detectors) in different groups so that each group is a diverse mini-ensemble, or pass
 * `groups` explicitly. 'aom' averages the group maxima (one alarm per group suffices, several
 * groups must agree); 'moa' takes the largest group average.
 *
 * @example
 * const fusion = new RankFusion({ method: 'max', contamination: 0.03 });
 * await fusion.fit(trainScores, undefined, { detectorNames: ['iforest', 'ocsvm', 'lof'] });
 * const flags = fusion.predict(newScores);
 */
export class RankFusion implements Fusion {
  private readonly options: ResolvedOptions;
  private meta: MetaFeatures | undefined;
  private groups_: number[][] = [];
  private names: string[] = [];
  private threshold_ = Number.NaN;

  constructor(options: RankFusionOptions = {}) {
    this.options = resolveOptions(options);
  }

  /** Decision threshold on the fused rank score. */
  get threshold(): number {
    this.checkFitted('threshold');
    return this.threshold_;
  }

  /** Name of each detector, in column order. */
  get detectorNames(): string[] {
    this.checkFitted('detectorNames');
    return [...this.names];
  }

  /** The detector groups used by 'aom' and 'moa' (column indices). */
  get groups(): number[][] {
    this.checkFitted('groups');
    return this.groups_.map((g) => [...g]);
  }

  /**
   * Freezes the rank statistics of `scores` `[N, M]` and sets the threshold. `labels` are
   * optional and only used by a label-based threshold rule when no validation data is given.
   */
  async fit(
    scores: MatrixInput,
    labels?: ArrayLike<number>,
    options: FusionFitOptions = {},
  ): Promise<TrainingHistory | undefined> {
    throwIfAborted(options.signal, 'rank fusion');
    const started = performance.now();
    const s = checkScores(scores, 'scores');
    if (labels !== undefined) checkLabels(labels, s.rows, 'labels', false);
    const names = checkDetectorNames(options.detectorNames, s.cols);
    const groups = resolveGroups(this.options, s.cols);
    let thresholdScores: MatrixInput = s;
    let thresholdLabels = labels;
    if (options.validationScores !== undefined) {
      const v = checkScores(options.validationScores, 'validationScores', s.cols);
      if (options.validationLabels !== undefined) {
        checkLabels(options.validationLabels, v.rows, 'validationLabels', false);
      }
      thresholdScores = v;
      thresholdLabels = options.validationLabels;
    }

    const meta = new MetaFeatures().fit(s);
    this.meta = meta;
    this.groups_ = groups;
    this.names = names;
    const fused = this.predictProba(thresholdScores);
    this.threshold_ = chooseThreshold(this.options.threshold, fused, thresholdLabels);
    options.onProgress?.({
      stage: 'fusion',
      fraction: 1,
      elapsed: (performance.now() - started) / 1000,
      message: 'rank statistics fitted',
    });
    options.logger?.info?.('rank fusion fitted', {
      method: this.options.method,
      threshold: this.threshold_,
    });
    return undefined;
  }

  /** Fused rank score per row in [0, 1]; higher = more anomalous. */
  predictProba(scores: MatrixInput): Float64Array {
    this.checkFitted('predictProba()');
    const ranks = this.meta!.ranks(scores);
    const out = new Float64Array(ranks.rows);
    for (let i = 0; i < ranks.rows; i++) {
      out[i] = this.combine(ranks.data.subarray(i * ranks.cols, (i + 1) * ranks.cols));
    }
    return out;
  }

  /** 1 where the fused score is at or above the threshold, else 0. */
  predict(scores: MatrixInput): Uint8Array {
    const p = this.predictProba(scores);
    const out = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = p[i] >= this.threshold_ ? 1 : 0;
    return out;
  }

  /** Per row: each detector's share of the fused score (sums to 1) and its rank. */
  explain(scores: MatrixInput): Explanation[] {
    this.checkFitted('explain()');
    const ranks = this.meta!.ranks(scores);
    const out: Explanation[] = [];
    for (let i = 0; i < ranks.rows; i++) {
      const r = Array.from(ranks.data.subarray(i * ranks.cols, (i + 1) * ranks.cols));
      out.push({ attention: this.shares(r), ranks: r });
    }
    return out;
  }

  /** Saved state: options, detector names, groups, threshold and rank statistics. */
  toJSON(): SavedState<RankFusionState> {
    this.checkFitted('toJSON()');
    return saveState(RANK_FUSION_FORMAT, RANK_FUSION_VERSION, {
      options: this.options,
      detectorNames: this.names,
      groups: this.groups_,
      threshold: this.threshold_,
      meta: this.meta!.toJSON(),
    });
  }

  /** Restores a {@link RankFusion} saved by `toJSON()` (object or JSON text). */
  static fromJSON(json: unknown): RankFusion {
    const state = loadState<RankFusionState>(json, RANK_FUSION_FORMAT, RANK_FUSION_VERSION);
    let fusion: RankFusion;
    try {
      fusion = new RankFusion(state.options);
    } catch (error) {
      throw new FormatError(`saved rank fusion has invalid options: ${(error as Error).message}`);
    }
    const meta = MetaFeatures.fromJSON(state.meta);
    const m = meta.nDetectors;
    try {
      fusion.names = checkDetectorNames(state.detectorNames, m);
      fusion.groups_ = checkGroups(state.groups, m);
    } catch (error) {
      throw new FormatError(`saved rank fusion is inconsistent: ${(error as Error).message}`);
    }
    if (typeof state.threshold !== 'number' || Number.isNaN(state.threshold)) {
      throw new FormatError('saved rank fusion has no valid threshold');
    }
    fusion.threshold_ = state.threshold;
    fusion.meta = meta;
    return fusion;
  }

  private combine(r: Float64Array): number {
    switch (this.options.method) {
      case 'max':
        return Math.max(...r);
      case 'aom': {
        let sum = 0;
        for (const g of this.groups_) sum += Math.max(...g.map((j) => r[j]));
        return sum / this.groups_.length;
      }
      case 'moa': {
        let best = 0;
        for (const g of this.groups_) best = Math.max(best, groupMean(r, g));
        return best;
      }
      default: {
        let sum = 0;
        for (let j = 0; j < r.length; j++) sum += r[j];
        return sum / r.length;
      }
    }
  }

  /** Each detector's contribution to the fused score, normalised to sum to 1. */
  private shares(r: number[]): number[] {
    const m = r.length;
    const part = new Array<number>(m).fill(0);
    const addMax = (members: number[], weight: number) => {
      const top = Math.max(...members.map((j) => r[j]));
      const winners = members.filter((j) => r[j] === top);
      for (const j of winners) part[j] += (weight * top) / winners.length;
    };
    switch (this.options.method) {
      case 'max':
        addMax(
          r.map((_, j) => j),
          1,
        );
        break;
      case 'aom':
        for (const g of this.groups_) addMax(g, 1 / this.groups_.length);
        break;
      case 'moa': {
        const means = this.groups_.map((g) => groupMean(Float64Array.from(r), g));
        const top = Math.max(...means);
        const winners = this.groups_.filter((_, k) => means[k] === top);
        for (const g of winners) for (const j of g) part[j] += r[j] / g.length / winners.length;
        break;
      }
      default:
        for (let j = 0; j < m; j++) part[j] = r[j] / m;
    }
    const total = part.reduce((a, b) => a + b, 0);
    if (total <= 0) return new Array<number>(m).fill(1 / m);
    return part.map((p) => p / total);
  }

  private checkFitted(method: string): void {
    if (!this.meta) throw new NotFittedError('RankFusion', method);
  }
}

function groupMean(r: Float64Array, group: number[]): number {
  let sum = 0;
  for (const j of group) sum += r[j];
  return sum / group.length;
}

function resolveOptions(options: RankFusionOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('RankFusion options must be an object');
  }
  const method = checkOneOf('method', options.method ?? 'mean', ['mean', 'max', 'aom', 'moa']);
  const contamination = checkNumber('contamination', options.contamination ?? 0.05, {
    min: 0,
    max: 0.5,
    minExclusive: true,
  });
  const nGroups = checkInteger('nGroups', options.nGroups ?? 2, { min: 1 });
  const threshold = checkThresholdStrategy(
    options.threshold ?? { strategy: 'contamination', rate: contamination },
    ['contamination', 'f1', 'precision', 'fpr'],
  );
  let groups: number[][] | undefined;
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups) || options.groups.length === 0) {
      throw new ValidationError('groups must be a non-empty array of detector index arrays');
    }
    groups = options.groups.map((g) => (Array.isArray(g) ? [...g] : g));
  }
  return { method, contamination, nGroups, groups, threshold };
}

function resolveGroups(options: ResolvedOptions, m: number): number[][] {
  if (options.groups) return checkGroups(options.groups, m);
  if (options.nGroups > m && (options.method === 'aom' || options.method === 'moa')) {
    throw new ValidationError(
      `nGroups is ${options.nGroups} but there are only ${m} detectors: use at most ${m} groups`,
    );
  }
  const count = Math.min(options.nGroups, m);
  const groups: number[][] = Array.from({ length: count }, () => []);
  for (let j = 0; j < m; j++) groups[j % count].push(j);
  return groups;
}

function checkGroups(groups: unknown, m: number): number[][] {
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new ValidationError('groups must be a non-empty array of detector index arrays');
  }
  const seen = new Set<number>();
  for (const g of groups) {
    if (!Array.isArray(g) || g.length === 0) {
      throw new ValidationError('groups: every group must be a non-empty array of column indices');
    }
    for (const j of g) {
      if (!Number.isInteger(j) || j < 0 || j >= m) {
        throw new ValidationError(`groups: detector index ${j} is outside 0..${m - 1}`);
      }
      if (seen.has(j)) {
        throw new ValidationError(`groups: detector ${j} is in more than one group`);
      }
      seen.add(j);
    }
  }
  if (seen.size !== m) {
    throw new ValidationError(`groups must place each of the ${m} detectors in exactly one group`);
  }
  return (groups as number[][]).map((g) => [...g]);
}
