/**
 * Exact k-nearest-neighbour search, keeping the k best of each query row in a bounded max-heap.
 *
 * Euclidean distances use a direct kernel over flat row-major arrays, pruned twice without
 * changing any result. The training rows are sorted by their projection on the principal axis
 * and scanned outward from the query's own projection; since a projection on a unit vector
 * never exceeds the distance, the scan stops on a side once the projection gap alone exceeds the
 * heap's worst (the sorted-projection search of Friedman, Baskett and Shustek, 1975). And a
 * pair's squared differences are summed four columns at a time, stopping as soon as the partial
 * sum cannot enter the heap; a pair summed to the end has exactly the value of a plain loop.
 * The other metrics call `ml-distance` on every pair, which is two to three times slower.
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
  const projected = projectRows(index.axis, query, end, cols);
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
  );
}

/**
 * The euclidean search of query rows `start..end` into `outDistances` / `outIndices` (row r at
 * `(r - start) * k`), over training rows sorted by projection (see {@link EuclideanIndex}).
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
): void {
  const values = new Float64Array(k);
  const indices = new Int32Array(k);

  // Max-heap on (squared distance, index): the root is the worst neighbour kept so far.
  const siftDown = (size: number, v: number, idx: number) => {
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= size) break;
      let child = left;
      const right = left + 1;
      if (
        right < size &&
        (values[right] > values[left] ||
          (values[right] === values[left] && indices[right] > indices[left]))
      ) {
        child = right;
      }
      if (values[child] < v || (values[child] === v && indices[child] < idx)) break;
      values[parent] = values[child];
      indices[parent] = indices[child];
      parent = child;
    }
    values[parent] = v;
    indices[parent] = idx;
  };
  const siftUp = (size: number, v: number, idx: number) => {
    let child = size;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (values[parent] > v || (values[parent] === v && indices[parent] > idx)) break;
      values[child] = values[parent];
      indices[child] = indices[parent];
      child = parent;
    }
    values[child] = v;
    indices[child] = idx;
  };

  for (let i = start; i < end; i++) {
    const qOffset = i * cols;
    const p = queryProjection[i];
    const slack = querySlack[i] + trainSlack;
    let low = 0;
    let high = trainRows;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (projection[middle] < p) low = middle + 1;
      else high = middle;
    }
    let down = low - 1;
    let up = low;
    let size = 0;
    let worst = Number.POSITIVE_INFINITY;
    let worstIndex = -1;
    // A side is done once its projection gap, less the rounding slack, squared exceeds the
    // worst kept distance; the 1e-9 margin covers the rounding of the distances themselves.
    let limit = Number.POSITIVE_INFINITY;

    while (down >= 0 || up < trainRows) {
      let s: number;
      if (up >= trainRows || (down >= 0 && p - projection[down] <= projection[up] - p)) {
        const gap = p - projection[down] - slack;
        if (gap > 0 && gap * gap > limit) {
          down = -1;
          continue;
        }
        s = down--;
      } else {
        const gap = projection[up] - p - slack;
        if (gap > 0 && gap * gap > limit) {
          up = trainRows;
          continue;
        }
        s = up++;
      }
      const j = order[s];
      if (excludeSelf && j === i) continue;

      const tOffset = s * cols;
      // Four columns per step, added in column order so the sum is the plain loop's.
      let sum = 0;
      let c = 0;
      for (; c + 4 <= cols; c += 4) {
        const d0 = query[qOffset + c] - sorted[tOffset + c];
        const d1 = query[qOffset + c + 1] - sorted[tOffset + c + 1];
        const d2 = query[qOffset + c + 2] - sorted[tOffset + c + 2];
        const d3 = query[qOffset + c + 3] - sorted[tOffset + c + 3];
        sum = sum + d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
        if (sum > worst) break;
      }
      if (sum <= worst) {
        for (; c < cols; c++) {
          const d = query[qOffset + c] - sorted[tOffset + c];
          sum += d * d;
        }
      }
      if (size < k) {
        siftUp(size, sum, j);
        size++;
        if (size === k) {
          worst = values[0];
          worstIndex = indices[0];
          limit = worst * (1 + 1e-9);
        }
      } else if (sum < worst || (sum === worst && j < worstIndex)) {
        siftDown(k, sum, j);
        worst = values[0];
        worstIndex = indices[0];
        limit = worst * (1 + 1e-9);
      }
    }

    const offset = (i - start) * k;
    for (let remaining = size; remaining > 0; remaining--) {
      outDistances[offset + remaining - 1] = Math.sqrt(values[0]);
      outIndices[offset + remaining - 1] = indices[0];
      siftDown(remaining - 1, values[remaining - 1], indices[remaining - 1]);
    }
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
