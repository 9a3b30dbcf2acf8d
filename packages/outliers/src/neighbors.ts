/**
 * Exact k-nearest-neighbour search, keeping the k best of each query row in a bounded max-heap.
 *
 * Euclidean search, pruned and screened without changing any result:
 *
 * - The training rows are sorted by their projection on the principal axis and scanned in
 *   blocks of four, outward from a block of four queries that are neighbours in that order;
 *   since a projection on a unit vector never exceeds the distance, a side stops once the
 *   projection gap alone exceeds every one of the four queries' worst kept distance (the
 *   sorted-projection search of Friedman, Baskett and Shustek, 1975).
 * - Each block pair (4 × 4 rows) is screened with squared distances expanded as
 *   ‖q‖² + ‖t‖² − 2 q·t on rows centred on the training mean, the dot products computed by a
 *   small WebAssembly SIMD function (a scalar loop where WebAssembly is missing). The expansion
 *   rounds differently from the plain formula, so it only decides which pairs to evaluate: both
 *   squared norms are lowered by 8 (cols + 8) ε, which bounds the rounding of the expansion, of
 *   the centring and of the plain formula with room to spare, and a pair is evaluated unless
 *   its lowered expansion exceeds the query's worst kept distance times 1 + 4 (cols + 4) ε. A
 *   pair that could enter the heap is therefore always evaluated, by the plain loop over the
 *   original rows in column order, and only those values are kept: distances are exactly the
 *   plain formula's.
 * - Fitting (every training row against all the others, on one thread) screens each pair once
 *   for both of its rows: a query block's upward scan also screens the later blocks' rows
 *   against it, and a block's downward scan skips the earlier blocks whose upward scan reached
 *   it.
 *
 * The other metrics call `ml-distance` on every pair.
 *
 * Ties are broken by the lower training index, so the neighbours of a row are the k smallest
 * (distance, index) pairs, listed in that order, whatever order the rows were scanned in.
 */
import { ValidationError } from '@decoders/core';
import { distance } from 'ml-distance';

/** Distances of `ml-distance` that are dissimilarities (0 for identical rows). */
export const NEIGHBOR_METRICS = [
  'euclidean',
  'manhattan',
  'chebyshev',
  'squaredEuclidean',
  'additiveSymmetric',
  'avg',
  'bhattacharyya',
  'canberra',
  'clark',
  'czekanowski',
  'dice',
  'divergence',
  'gower',
  'hellinger',
  'intersection',
  'jaccard',
  'jeffreys',
  'jensenDifference',
  'jensenShannon',
  'kdivergence',
  'kulczynski',
  'kullbackLeibler',
  'kumarJohnson',
  'lorentzian',
  'matusita',
  'neyman',
  'pearson',
  'probabilisticSymmetric',
  'soergel',
  'sorensen',
  'squared',
  'squaredChord',
  'taneja',
  'tanimoto',
  'topsoe',
  'waveHedges',
] as const;

/** A distance the neighbour search accepts. */
export type NeighborMetric = (typeof NEIGHBOR_METRICS)[number];

/** One neighbour search over a slice of query rows. */
export interface NeighborTask {
  /** Training rows, row-major. */
  train: Float64Array;
  trainRows: number;
  cols: number;
  /** Query rows, row-major; the training array itself when `excludeSelf` is set. */
  query: Float64Array;
  /** First query row to search (inclusive). */
  start: number;
  /** Last query row to search (exclusive). */
  end: number;
  k: number;
  metric: NeighborMetric;
  /** Query row i is training row i and is not its own neighbour. */
  excludeSelf: boolean;
  /** The euclidean search structure of `train`; built on the fly when absent. */
  index?: EuclideanIndex;
}

/** Training rows sorted along their principal axis, for the euclidean search. */
export interface EuclideanIndex {
  /** The training rows in projection order, row-major. */
  sorted: Float64Array;
  /** Original index of each sorted row. */
  order: Int32Array;
  /** Projection of each sorted row, ascending. */
  projection: Float64Array;
  /** Unit principal axis. */
  axis: Float64Array;
  /** Bound on the rounding error of any training row's projection. */
  slack: number;
}

/** Relative rounding bound of a dot product over `cols` terms, with a safety factor of 4. */
function roundingFactor(cols: number): number {
  return 4 * (cols + 2) * 2.220446049250313e-16;
}

/**
 * Sorts the training rows by their projection on the principal axis (a few power iterations
 * from a fixed start, so the same rows always give the same index).
 */
export function buildEuclideanIndex(
  train: Float64Array,
  rows: number,
  cols: number,
): EuclideanIndex {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) mean[c] += train[i * cols + c];
  }
  for (let c = 0; c < cols; c++) mean[c] /= rows;

  let axis = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  const along = new Float64Array(rows);
  for (let iteration = 0; iteration < 10; iteration++) {
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += (train[i * cols + c] - mean[c]) * axis[c];
      along[i] = sum;
    }
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < cols; c++) next[c] += (train[i * cols + c] - mean[c]) * along[i];
    }
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += next[c] * next[c];
    norm = Math.sqrt(norm);
    // Constant data has no principal axis; any unit vector keeps the search exact.
    if (!(norm > 0) || !Number.isFinite(norm)) break;
    for (let c = 0; c < cols; c++) next[c] /= norm;
    axis = next;
  }

  const { projection: unsorted, slack: rowSlack } = projectRows(axis, train, rows, cols);
  const order = Int32Array.from({ length: rows }, (_, i) => i).sort(
    (a, b) => unsorted[a] - unsorted[b] || a - b,
  );
  const sorted = new Float64Array(rows * cols);
  const projection = new Float64Array(rows);
  let slack = 0;
  for (let s = 0; s < rows; s++) {
    const o = order[s];
    sorted.set(train.subarray(o * cols, (o + 1) * cols), s * cols);
    projection[s] = unsorted[o];
    if (rowSlack[o] > slack) slack = rowSlack[o];
  }
  return { sorted, order, projection, axis, slack };
}

/** Projections of rows on `axis`, each with a bound on its rounding error. */
export function projectRows(
  axis: Float64Array,
  data: Float64Array,
  rows: number,
  cols: number,
): { projection: Float64Array; slack: Float64Array } {
  const projection = new Float64Array(rows);
  const slack = new Float64Array(rows);
  const factor = roundingFactor(cols);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    let magnitude = 0;
    for (let c = 0; c < cols; c++) {
      const term = data[i * cols + c] * axis[c];
      sum += term;
      magnitude += Math.abs(term);
    }
    projection[i] = sum;
    slack[i] = factor * magnitude;
  }
  return { projection, slack };
}

/** Neighbours of rows `start..end`: row r's k entries at `(r - start) * k`, nearest first. */
export interface NeighborResult {
  distances: Float64Array;
  indices: Int32Array;
  /** Worker threads that completed a share of the search (0 when it ran on one thread). */
  workersUsed?: number;
}

/** Runs a {@link NeighborTask} on this thread. */
export function searchNeighbors(task: NeighborTask): NeighborResult {
  const count = task.end - task.start;
  const distances = new Float64Array(count * task.k);
  const indices = new Int32Array(count * task.k);
  if (task.metric === 'euclidean') euclideanSearch(task, distances, indices);
  else metricSearch(task, distances, indices);
  return { distances, indices };
}

function euclideanSearch(task: NeighborTask, outDistances: Float64Array, outIndices: Int32Array) {
  const { train, trainRows, cols, query, start, end, k, excludeSelf } = task;
  const index = task.index ?? buildEuclideanIndex(train, trainRows, cols);
  // Every training row against all the others: pairs are shared by both of their rows.
  const allRows = excludeSelf && start === 0 && end === trainRows;
  const projected = allRows
    ? { projection: new Float64Array(0), slack: new Float64Array(0) }
    : projectRows(index.axis, query, end, cols);
  euclideanKernel(
    index.sorted,
    index.order,
    index.projection,
    index.slack,
    trainRows,
    cols,
    query,
    projected.projection,
    projected.slack,
    start,
    end,
    k,
    excludeSelf,
    outDistances,
    outIndices,
    allRows ? 0 : -1,
    allRows ? trainRows : -1,
  );
}

/**
 * The euclidean search of query rows `start..end` into `outDistances` / `outIndices` (row r at
 * `(r - start) * k`), over training rows sorted by projection (see {@link EuclideanIndex}).
 * With `sortedStart >= 0` the queries are instead the training rows at sorted positions
 * `sortedStart..sortedEnd`, each excluding itself, and training row `order[s]`'s neighbours go
 * to `order[s] * k` (the output arrays then cover every training row); a pair of two of those
 * rows is then screened once for both (see the module comment).
 * It is self-contained, helpers included, because worker threads run it from its source text.
 */
export function euclideanKernel(
  sorted: Float64Array,
  order: Int32Array,
  projection: Float64Array,
  trainSlack: number,
  trainRows: number,
  cols: number,
  query: Float64Array,
  queryProjection: Float64Array,
  querySlack: Float64Array,
  start: number,
  end: number,
  k: number,
  excludeSelf: boolean,
  outDistances: Float64Array,
  outIndices: Int32Array,
  sortedStart = -1,
  sortedEnd = -1,
): void {
  const EPSILON = 2.220446049250313e-16;
  // Screening bounds (see the module comment): a pair is evaluated exactly unless its expanded
  // squared distance, computed with both squared norms lowered by `normFactor`, exceeds the worst
  // kept distance raised by `worstFactor`.
  const normFactor = 1 - 8 * (cols + 8) * EPSILON;
  const worstFactor = 1 + 4 * (cols + 4) * EPSILON;
  const limitFactor = 1 + 1e-9;
  const byPosition = sortedStart >= 0;
  const queries = byPosition ? sortedEnd - sortedStart : end - start;
  const trainBlocks = (trainRows + 3) >> 2;
  const queryBlocks = (queries + 3) >> 2;

  // One buffer, WebAssembly memory where the runtime has SIMD: centred training rows and centred
  // queries (rows of an even number of columns, whole blocks of four rows), their squared norms
  // (NaN for padding rows, which no comparison admits) and each query's screening bound.
  const paddedCols = cols + (cols & 1);
  const stride = paddedCols * 8;
  const queryBase = trainBlocks * 4 * stride;
  const trainNormBase = queryBase + queryBlocks * 4 * stride;
  const queryNormBase = trainNormBase + trainBlocks * 4 * 8;
  const screenBase = queryNormBase + queryBlocks * 4 * 8;
  const sentinelBase = screenBase + queryBlocks * 4 * 8;
  const bytes = sentinelBase + 4 * 8;
  let screenBlock:
    | ((
        q: number,
        t: number,
        stride: number,
        qn: number,
        tn: number,
        qs: number,
        ts: number,
      ) => number)
    | undefined;
  let buffer: ArrayBuffer | undefined;
  try {
    const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
    const code = screenModule();
    if (wasm?.validate(code)) {
      const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
      const instance = new wasm.Instance(new wasm.Module(code), { m: { mem: memory } });
      screenBlock = instance.exports.screen as typeof screenBlock;
      buffer = memory.buffer;
    }
  } catch {
    screenBlock = undefined;
  }
  const memory = buffer ? new Float64Array(buffer, 0, bytes / 8) : new Float64Array(bytes / 8);
  const trainNorm = memory.subarray(trainNormBase / 8, queryNormBase / 8).fill(Number.NaN);
  const qNorm = memory.subarray(queryNormBase / 8, screenBase / 8).fill(Number.NaN);
  /** Worst kept distance raised by `worstFactor`: Infinity until the heap is full. */
  const screen = memory.subarray(screenBase / 8, sentinelBase / 8);
  screen.fill(Number.POSITIVE_INFINITY, 0, queries).fill(Number.NEGATIVE_INFINITY, queries);
  memory.fill(Number.NEGATIVE_INFINITY, sentinelBase / 8);

  // Centred on the training mean, so that dot products stay small next to distances.
  const mean = new Float64Array(cols);
  for (let s = 0; s < trainRows; s++) {
    for (let c = 0; c < cols; c++) mean[c] += sorted[s * cols + c];
  }
  for (let c = 0; c < cols; c++) mean[c] /= trainRows;
  for (let s = 0; s < trainRows; s++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) {
      const v = sorted[s * cols + c] - mean[c];
      memory[s * paddedCols + c] = v;
      norm += v * v;
    }
    trainNorm[s] = norm * normFactor;
  }

  // The queries in ascending projection.
  const qOriginal = new Float64Array(queries * cols);
  const qProjection = new Float64Array(queries);
  const qSlack = new Float64Array(queries);
  /** The sorted training position a query must skip (itself), or -1. */
  const qSelf = new Int32Array(queries).fill(-1);
  /** Where a query's neighbours go in the output arrays. */
  const qOut = new Int32Array(queries);
  const queryRow = queryBase / 8;
  if (byPosition) {
    for (let m = 0; m < queries; m++) {
      const s = sortedStart + m;
      memory.copyWithin(queryRow + m * paddedCols, s * paddedCols, (s + 1) * paddedCols);
      qNorm[m] = trainNorm[s];
      qOriginal.set(sorted.subarray(s * cols, (s + 1) * cols), m * cols);
      qProjection[m] = projection[s];
      qSlack[m] = 2 * trainSlack;
      qSelf[m] = s;
      qOut[m] = order[s] * k;
    }
  } else {
    const rows = Int32Array.from({ length: queries }, (_, m) => start + m).sort(
      (a, b) => queryProjection[a] - queryProjection[b] || a - b,
    );
    let position: Int32Array | undefined;
    if (excludeSelf) {
      position = new Int32Array(trainRows);
      for (let s = 0; s < trainRows; s++) position[order[s]] = s;
    }
    for (let m = 0; m < queries; m++) {
      const i = rows[m];
      let norm = 0;
      for (let c = 0; c < cols; c++) {
        const value = query[i * cols + c];
        const v = value - mean[c];
        memory[queryRow + m * paddedCols + c] = v;
        qOriginal[m * cols + c] = value;
        norm += v * v;
      }
      qNorm[m] = norm * normFactor;
      qProjection[m] = queryProjection[i];
      qSlack[m] = querySlack[i] + trainSlack;
      if (position) qSelf[m] = position[i];
      qOut[m] = (i - start) * k;
    }
  }
  // Squared norms beyond the float range (values near 1e154 and above) would make the screen
  // meaningless: every pair is then evaluated (zero rows and norms admit each real pair).
  let finite = true;
  for (let s = 0; s < trainRows; s++) if (!Number.isFinite(trainNorm[s])) finite = false;
  for (let m = 0; m < queries; m++) if (!Number.isFinite(qNorm[m])) finite = false;
  if (!finite) {
    memory.fill(0, 0, trainNormBase / 8);
    trainNorm.fill(0, 0, trainRows);
    qNorm.fill(0, 0, queries);
  }
  screenBlock ??= (q, t, rowBytes, qn, tn, qs, ts) =>
    screenScalar(memory, q / 8, t / 8, rowBytes / 8, qn / 8, tn / 8, qs / 8, ts / 8);

  // Symmetric sharing needs query blocks that are training blocks.
  const symmetric =
    byPosition && sortedStart % 4 === 0 && (sortedEnd % 4 === 0 || sortedEnd === trainRows);
  const firstBlock = symmetric ? sortedStart >> 2 : 0;
  const lastBlock = symmetric ? firstBlock + queryBlocks : 0;
  /** Per query block: its upward scan has screened every training block below this one. */
  const reachedUp = new Int32Array(queryBlocks);

  // One max-heap on (squared distance, index) per query: the root is the worst kept so far.
  const values = new Float64Array(queries * k);
  const indices = new Int32Array(queries * k);
  const sizes = new Int32Array(queries);
  /** Worst kept distance raised by 1e-9 for the projection bound: Infinity until full. */
  const limits = new Float64Array(queries).fill(Number.POSITIVE_INFINITY);

  for (let b = 0; b < queryBlocks; b++) {
    const q0 = 4 * b;
    const real = Math.min(4, queries - q0);
    const pLow = qProjection[q0];
    const pHigh = qProjection[q0 + real - 1];
    let slack = 0;
    for (let a = 0; a < real; a++) if (qSlack[q0 + a] > slack) slack = qSlack[q0 + a];
    let up: number;
    if (symmetric) {
      up = firstBlock + b;
    } else {
      const p = (pLow + pHigh) / 2;
      let low = 0;
      let high = trainRows;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (projection[middle] < p) low = middle + 1;
        else high = middle;
      }
      up = Math.min(low >> 2, trainBlocks - 1);
    }
    const own = up;
    let down = up - 1;
    let limit = Number.POSITIVE_INFINITY;

    // Blocks of training rows outward from the queries' projections, nearer side first; a side
    // is done once its projection gap, less the rounding slack, squared exceeds every query's
    // worst kept distance (raised by 1e-9 for the rounding of the distances themselves).
    while (down >= 0 || up < trainBlocks) {
      let tb: number;
      let upward: boolean;
      const gapUp = up < trainBlocks ? projection[4 * up] - pHigh : Number.POSITIVE_INFINITY;
      const gapDown =
        down >= 0
          ? pLow - projection[Math.min(4 * down + 3, trainRows - 1)]
          : Number.POSITIVE_INFINITY;
      if (gapDown <= gapUp) {
        const gap = gapDown - slack;
        if (gap > 0 && gap * gap > limit) {
          down = -1;
          continue;
        }
        tb = down--;
        upward = false;
        // Screened already, for both sides, by that block's own upward scan.
        if (symmetric && tb >= firstBlock && reachedUp[tb - firstBlock] > own) continue;
      } else {
        const gap = gapUp - slack;
        if (gap > 0 && gap * gap > limit) {
          up = trainBlocks;
          continue;
        }
        tb = up++;
        upward = true;
      }
      const both = symmetric && upward && tb > own && tb < lastBlock;
      if (symmetric && upward) reachedUp[b] = tb + 1;
      const t0 = 4 * tb;
      let mask = screenBlock(
        queryBase + q0 * stride,
        t0 * stride,
        stride,
        queryNormBase + q0 * 8,
        trainNormBase + t0 * 8,
        screenBase + q0 * 8,
        both ? screenBase + (t0 - sortedStart) * 8 : sentinelBase,
      );
      // Bit 4a + t: query q0 + a may have training row t0 + t among its neighbours; bit
      // 16 + 4t + a: training row t0 + t (a query too) may have query q0 + a among its.
      while (mask !== 0) {
        const bit = 31 - Math.clz32(mask & -mask);
        mask &= mask - 1;
        if (bit < 16) {
          offer(q0 + (bit >> 2), t0 + (bit & 3), (q0 + (bit >> 2)) * cols, qOriginal, sorted);
        } else {
          const t = t0 + ((bit - 16) >> 2);
          const s = sortedStart + q0 + (bit & 3);
          offer(t - sortedStart, s, t * cols, sorted, sorted);
        }
      }
      limit = limits[q0];
      for (let a = 1; a < real; a++) if (limits[q0 + a] > limit) limit = limits[q0 + a];
    }
  }

  for (let m = 0; m < queries; m++) {
    const base = m * k;
    const offset = qOut[m];
    for (let remaining = sizes[m]; remaining > 0; remaining--) {
      outDistances[offset + remaining - 1] = Math.sqrt(values[base]);
      outIndices[offset + remaining - 1] = indices[base];
      siftDown(base, remaining - 1, values[base + remaining - 1], indices[base + remaining - 1]);
    }
  }

  /**
   * Evaluates query m (row at `qOffset` of `qData`) against sorted training position s by the
   * plain formula, in column order, and keeps it if it belongs among the k nearest.
   */
  function offer(m: number, s: number, qOffset: number, qData: Float64Array, tData: Float64Array) {
    if (qSelf[m] === s) return;
    const tOffset = s * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const d = qData[qOffset + c] - tData[tOffset + c];
      sum += d * d;
    }
    const j = order[s];
    const base = m * k;
    const size = sizes[m];
    if (size < k) {
      let child = size;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        const pv = values[base + parent];
        if (pv > sum || (pv === sum && indices[base + parent] > j)) break;
        values[base + child] = pv;
        indices[base + child] = indices[base + parent];
        child = parent;
      }
      values[base + child] = sum;
      indices[base + child] = j;
      sizes[m] = size + 1;
      if (size + 1 < k) return;
    } else {
      const worst = values[base];
      if (sum > worst || (sum === worst && j > indices[base])) return;
      siftDown(base, k, sum, j);
    }
    screen[m] = values[base] * worstFactor;
    limits[m] = values[base] * limitFactor;
  }

  /** Max-heap sift-down on (value, index) of the heap at `base`. */
  function siftDown(base: number, size: number, v: number, idx: number) {
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= size) break;
      let child = left;
      const right = left + 1;
      if (
        right < size &&
        (values[base + right] > values[base + left] ||
          (values[base + right] === values[base + left] &&
            indices[base + right] > indices[base + left]))
      ) {
        child = right;
      }
      const cv = values[base + child];
      if (cv < v || (cv === v && indices[base + child] < idx)) break;
      values[base + parent] = cv;
      indices[base + parent] = indices[base + child];
      parent = child;
    }
    values[base + parent] = v;
    indices[base + parent] = idx;
  }

  /**
   * The screen without WebAssembly, on `memory` indices instead of byte addresses: the same
   * mask as the module's `screen` (see {@link screenModule}).
   */
  function screenScalar(
    mem: Float64Array,
    q: number,
    t: number,
    rowLength: number,
    qn: number,
    tn: number,
    qs: number,
    ts: number,
  ): number {
    let mask = 0;
    for (let tr = 0; tr < 4; tr++) {
      const u = t + tr * rowLength;
      for (let a = 0; a < 4; a++) {
        const r = q + a * rowLength;
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += mem[r + c] * mem[u + c];
        const h = mem[qn + a] + mem[tn + tr] - 2 * dot;
        if (h <= mem[qs + a]) mask |= 1 << (4 * a + tr);
        if (h <= mem[ts + tr]) mask |= 1 << (16 + 4 * tr + a);
      }
    }
    return mask;
  }

  /**
   * The bytes of a WebAssembly module (SIMD) importing memory `m.mem` and exporting
   * `screen(q, t, stride, qn, tn, qs, ts) -> mask`: the dot products of the four centred query
   * rows at byte `q` with the four training rows at byte `t` (rows `stride` bytes apart, two
   * columns per f64x2 step), each turned into h = qn[a] + tn[t] - 2 dot (f64 at bytes `qn`,
   * `tn`), and bit 4a + t set where h <= qs[a], bit 16 + 4t + a where h <= ts[t].
   */
  function screenModule(): Uint8Array<ArrayBuffer> {
    // Locals: parameters, then i32, f64 and v128 locals.
    const [Q, T, STRIDE, QN, TN, QS, TS] = [0, 1, 2, 3, 4, 5, 6];
    const [J, C, T0, T1, Q1, Q2, Q3, MASK, TNJ, TSJ] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const ACC = 18;
    const [X0, X1, Y] = [26, 27, 28];
    const get = (i: number) => [0x20, i];
    const set = (i: number) => [0x21, i];
    const tee = (i: number) => [0x22, i];
    const [add, shl, or, geU] = [0x6a, 0x74, 0x72, 0x4f];
    const int = (v: number) => [0x41, v]; // 0 <= v < 64
    const load = [0xfd, 0x00, 0x03, 0x00];
    const addPair = [0xfd, 0xf0, 0x01];
    const mulPair = [0xfd, 0xf2, 0x01];
    const lane = (l: number) => [0xfd, 0x21, l];
    const loadF64 = (offset: number) => [0x2b, 0x03, offset];
    const two = [0x44, 0, 0, 0, 0, 0, 0, 0, 0x40];
    const body: number[] = [0x03, 0x0a, 0x7f, 0x01, 0x7c, 0x0b, 0x7b];
    body.push(...get(Q), ...get(STRIDE), add, ...tee(Q1), ...get(STRIDE), add, ...tee(Q2));
    body.push(...get(STRIDE), add, ...set(Q3), ...int(0), ...set(J), ...int(0), ...set(MASK));
    body.push(0x02, 0x40, 0x03, 0x40); // block, loop over the two pairs of training rows
    body.push(...get(J), ...int(4), geU, 0x0d, 0x01);
    body.push(...get(T), ...get(J), ...get(STRIDE), 0x6c, add, ...tee(T0));
    body.push(...get(STRIDE), add, ...set(T1));
    for (let a = 0; a < 8; a++) body.push(0xfd, 0x0c, ...new Array(16).fill(0), ...set(ACC + a));
    body.push(...int(0), ...set(C), 0x02, 0x40, 0x03, 0x40); // block, loop over columns
    body.push(...get(C), ...get(STRIDE), geU, 0x0d, 0x01);
    body.push(...get(T0), ...get(C), add, ...load, ...set(X0));
    body.push(...get(T1), ...get(C), add, ...load, ...set(X1));
    [Q, Q1, Q2, Q3].forEach((q, a) => {
      body.push(...get(q), ...get(C), add, ...load, ...set(Y));
      for (const [x, acc] of [
        [X0, ACC + 2 * a],
        [X1, ACC + 2 * a + 1],
      ]) {
        body.push(...get(acc), ...get(Y), ...get(x), ...mulPair, ...addPair, ...set(acc));
      }
    });
    body.push(...get(C), ...int(16), add, ...set(C), 0x0c, 0x00, 0x0b, 0x0b);
    body.push(...get(TN), ...get(J), ...int(3), shl, add, ...set(TNJ));
    body.push(...get(TS), ...get(J), ...int(3), shl, add, ...set(TSJ));
    for (let a = 0; a < 4; a++) {
      for (let t = 0; t < 2; t++) {
        const acc = ACC + 2 * a + t;
        body.push(...get(QN), ...loadF64(8 * a), ...get(TNJ), ...loadF64(8 * t), 0xa0);
        body.push(...get(acc), ...lane(0), ...get(acc), ...lane(1), 0xa0, ...two, 0xa2, 0xa1);
        body.push(...tee(17), ...get(QS), ...loadF64(8 * a), 0x65);
        body.push(...int(4 * a + t), ...get(J), add, shl, ...get(MASK), or, ...set(MASK));
        body.push(...get(17), ...get(TSJ), ...loadF64(8 * t), 0x65);
        body.push(...int(16 + 4 * t + a), ...get(J), ...int(2), shl, add, shl);
        body.push(...get(MASK), or, ...set(MASK));
      }
    }
    body.push(...get(J), ...int(2), add, ...set(J), 0x0c, 0x00, 0x0b, 0x0b);
    body.push(...get(MASK), 0x0b);
    const leb = (value: number) => {
      const out: number[] = [];
      let v = value;
      do {
        let byte = v & 0x7f;
        v >>>= 7;
        if (v) byte |= 0x80;
        out.push(byte);
      } while (v);
      return out;
    };
    const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
    return Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, [0x01, 0x60, 0x07, ...new Array(7).fill(0x7f), 0x01, 0x7f]),
      ...section(2, [0x01, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01]),
      ...section(3, [0x01, 0x00]),
      ...section(7, [0x01, 0x06, ...Array.from('screen', (ch) => ch.charCodeAt(0)), 0x00, 0x00]),
      ...section(10, [0x01, ...leb(body.length), ...body]),
    ]);
  }
}

function metricSearch(task: NeighborTask, outDistances: Float64Array, outIndices: Int32Array) {
  const { train, trainRows, cols, query, start, end, k, excludeSelf, metric } = task;
  const measure = distance[metric] as (a: ArrayLike<number>, b: ArrayLike<number>) => number;
  const trainViews: Float64Array[] = new Array(trainRows);
  for (let j = 0; j < trainRows; j++) trainViews[j] = train.subarray(j * cols, (j + 1) * cols);
  const heapValues = new Float64Array(k);
  const heapIndices = new Int32Array(k);

  for (let i = start; i < end; i++) {
    const row = query.subarray(i * cols, (i + 1) * cols);
    let size = 0;
    for (let j = 0; j < trainRows; j++) {
      if (excludeSelf && j === i) continue;
      const value = measure(row, trainViews[j]);
      if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
        throw new ValidationError(
          `metric '${metric}' gave ${value} between query row ${i} and training row ${j}: ` +
            'this metric does not suit the data (e.g. it needs positive values); choose another',
        );
      }
      if (size < k) {
        heapPush(heapValues, heapIndices, size, value, j);
        size++;
      } else if (value < heapValues[0]) {
        heapReplaceTop(heapValues, heapIndices, k, value, j);
      }
    }
    drainSorted(heapValues, heapIndices, size, outDistances, outIndices, (i - start) * k);
  }
}

/** True when (a, ia) comes after (b, ib) in (distance, index) order. */
function after(a: number, ia: number, b: number, ib: number): boolean {
  return a > b || (a === b && ia > ib);
}

function heapPush(values: Float64Array, indices: Int32Array, size: number, v: number, idx: number) {
  let child = size;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!after(v, idx, values[parent], indices[parent])) break;
    values[child] = values[parent];
    indices[child] = indices[parent];
    child = parent;
  }
  values[child] = v;
  indices[child] = idx;
}

function heapReplaceTop(
  values: Float64Array,
  indices: Int32Array,
  size: number,
  v: number,
  idx: number,
) {
  let parent = 0;
  for (;;) {
    const left = 2 * parent + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (right < size && after(values[right], indices[right], values[left], indices[left])) {
      child = right;
    }
    if (!after(values[child], indices[child], v, idx)) break;
    values[parent] = values[child];
    indices[parent] = indices[child];
    parent = child;
  }
  values[parent] = v;
  indices[parent] = idx;
}

/** Empties the heap into `out*` at `offset`, nearest first. */
function drainSorted(
  values: Float64Array,
  indices: Int32Array,
  size: number,
  outValues: Float64Array,
  outIndices: Int32Array,
  offset: number,
) {
  for (let remaining = size; remaining > 0; remaining--) {
    outValues[offset + remaining - 1] = values[0];
    outIndices[offset + remaining - 1] = indices[0];
    const lastValue = values[remaining - 1];
    const lastIndex = indices[remaining - 1];
    heapReplaceTop(values, indices, remaining - 1, lastValue, lastIndex);
  }
}
