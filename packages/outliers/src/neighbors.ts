/**
 * Exact k-nearest-neighbour search by brute force: every query row against every training row,
 * keeping the k best in a bounded max-heap. Euclidean distances use a direct kernel over the
 * flat row-major arrays that stops summing a pair as soon as it cannot enter the heap; the other
 * metrics call `ml-distance` per pair, which is two to three times slower.
 *
 * Ties are broken by the lower training index, so the neighbours of a row are the k smallest
 * (distance, index) pairs, listed in that order.
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
}

/** Neighbours of rows `start..end`: row r's k entries at `(r - start) * k`, nearest first. */
export interface NeighborResult {
  distances: Float64Array;
  indices: Int32Array;
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
  euclideanKernel(
    train,
    trainRows,
    cols,
    query,
    start,
    end,
    k,
    excludeSelf,
    outDistances,
    outIndices,
  );
}

/**
 * The euclidean search of rows `start..end` into `outDistances` / `outIndices` (row r at
 * `(r - start) * k`). It is self-contained, helpers included, because worker threads run it
 * from its source text.
 */
export function euclideanKernel(
  train: Float64Array,
  trainRows: number,
  cols: number,
  query: Float64Array,
  start: number,
  end: number,
  k: number,
  excludeSelf: boolean,
  outDistances: Float64Array,
  outIndices: Int32Array,
): void {
  const values = new Float64Array(k);
  const indices = new Int32Array(k);

  // Max-heap on (distance, index): the root is the worst neighbour kept so far.
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
    let size = 0;
    let worst = Number.POSITIVE_INFINITY;
    for (let j = 0; j < trainRows; j++) {
      if (excludeSelf && j === i) continue;
      const tOffset = j * cols;
      let sum = 0;
      let c = 0;
      // Sum in blocks of eight columns and give up once the pair cannot beat the heap's worst;
      // a pair summed to the end gets exactly the value a plain loop gives. Rows are scanned in
      // index order, so a later row that ties with the worst loses the tie and is skipped.
      while (c < cols) {
        const stop = Math.min(c + 8, cols);
        for (; c < stop; c++) {
          const d = query[qOffset + c] - train[tOffset + c];
          sum += d * d;
        }
        if (sum >= worst) break;
      }
      if (size < k) {
        siftUp(size, sum, j);
        size++;
        if (size === k) worst = values[0];
      } else if (sum < worst) {
        siftDown(k, sum, j);
        worst = values[0];
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
