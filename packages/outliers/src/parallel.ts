/**
 * Splits a euclidean neighbour search across Node's `worker_threads`, with results identical to
 * one thread: every thread runs the same kernel on its own slice of query rows. The module is
 * loaded lazily and only in Node, so browser bundles never see it; elsewhere, for other metrics
 * and for small inputs everything runs on the calling thread.
 *
 * The public API is synchronous, so the calling thread works on its own slice and then blocks on
 * `Atomics.wait` until the workers are done. A worker that fails or never starts has its slice
 * redone on the calling thread.
 */
import {
  buildEuclideanIndex,
  euclideanKernel,
  type NeighborMetric,
  type NeighborResult,
  type NeighborTask,
  projectRows,
  searchNeighbors,
} from './neighbors.js';

/** `'auto'` or a fixed number of threads (1 = the calling thread only). */
export type WorkersOption = 'auto' | number;

/** Query × training row pairs above which `'auto'` uses worker threads. */
export const PARALLEL_PAIRS = 1e8;
const MAX_AUTO_WORKERS = 8;
/** How long a worker may take to start before its slice is done on the calling thread. */
const START_TIMEOUT_MS = 10_000;

type WorkerThreads = typeof import('node:worker_threads');

/** Finds neighbours, in parallel where that is possible and worth it. */
export function findNeighbors(
  task: Omit<NeighborTask, 'metric' | 'excludeSelf'>,
  metric: NeighborMetric,
  excludeSelf: boolean,
  workers: WorkersOption,
): NeighborResult {
  const full: NeighborTask = { ...task, metric, excludeSelf };
  const rows = task.end - task.start;
  const threads = threadCount(workers, rows * task.trainRows);
  if (threads <= 1 || metric !== 'euclidean' || rows < 2 * threads) return searchNeighbors(full);
  const workerThreads = loadWorkerThreads();
  if (!workerThreads) return searchNeighbors(full);
  return parallelSearch(full, threads, workerThreads);
}

function threadCount(workers: WorkersOption, pairs: number): number {
  if (workers !== 'auto') return workers;
  if (pairs <= PARALLEL_PAIRS) return 1;
  const os = getBuiltin<typeof import('node:os')>('node:os');
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  return Math.max(1, Math.min(MAX_AUTO_WORKERS, cores));
}

function loadWorkerThreads(): WorkerThreads | undefined {
  const threads = getBuiltin<WorkerThreads>('node:worker_threads');
  return threads?.isMainThread ? threads : undefined;
}

/** A Node built-in module, or undefined outside Node (browsers) or on Node without the API. */
function getBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  try {
    return proc.getBuiltinModule(name) as T | undefined;
  } catch {
    return undefined;
  }
}

const PENDING = 0;
const STARTED = 1;
const DONE = 2;
const FAILED = 3;

function parallelSearch(
  task: NeighborTask,
  threads: number,
  workerThreads: WorkerThreads,
): NeighborResult {
  const { trainRows, cols, start, end, k, excludeSelf } = task;
  const rows = end - start;
  const index = task.index ?? buildEuclideanIndex(task.train, trainRows, cols);
  const projected = projectRows(index.axis, task.query, end, cols);
  const sorted = shared(index.sorted);
  const order = shared(index.order);
  const projection = shared(index.projection);
  const query = shared(task.query);
  const queryProjection = shared(projected.projection);
  const querySlack = shared(projected.slack);
  const distanceBuffer = new SharedArrayBuffer(rows * k * 8);
  const indexBuffer = new SharedArrayBuffer(rows * k * 4);
  const flags = new Int32Array(new SharedArrayBuffer(threads * 4));
  const bounds = Array.from(
    { length: threads + 1 },
    (_, t) => start + Math.round((rows * t) / threads),
  );
  const source = workerSource();

  const started: InstanceType<WorkerThreads['Worker']>[] = [];
  for (let t = 1; t < threads; t++) {
    try {
      const worker = new workerThreads.Worker(source, {
        eval: true,
        workerData: {
          sorted: sorted.buffer,
          order: order.buffer,
          projection: projection.buffer,
          trainSlack: index.slack,
          query: query.buffer,
          queryProjection: queryProjection.buffer,
          querySlack: querySlack.buffer,
          distances: distanceBuffer,
          indices: indexBuffer,
          flags: flags.buffer,
          slot: t,
          trainRows,
          cols,
          first: start,
          begin: bounds[t],
          end: bounds[t + 1],
          k,
          excludeSelf,
        },
      });
      worker.unref();
      worker.on('error', () => undefined);
      started.push(worker);
    } catch {
      Atomics.store(flags, t, FAILED);
    }
  }

  const runSlice = (t: number) => {
    const offset = (bounds[t] - start) * k;
    const length = (bounds[t + 1] - bounds[t]) * k;
    euclideanKernel(
      sorted,
      order,
      projection,
      index.slack,
      trainRows,
      cols,
      query,
      queryProjection,
      querySlack,
      bounds[t],
      bounds[t + 1],
      k,
      excludeSelf,
      new Float64Array(distanceBuffer, offset * 8, length),
      new Int32Array(indexBuffer, offset * 4, length),
    );
  };
  runSlice(0);

  let workersUsed = 0;
  for (let t = 1; t < threads; t++) {
    const waitedSince = Date.now();
    for (;;) {
      const flag = Atomics.load(flags, t);
      if (flag === DONE) {
        workersUsed++;
        break;
      }
      if (flag === FAILED || (flag === PENDING && Date.now() - waitedSince > START_TIMEOUT_MS)) {
        runSlice(t);
        break;
      }
      Atomics.wait(flags, t, flag, 50);
    }
  }
  for (const worker of started) void worker.terminate();

  return {
    distances: new Float64Array(distanceBuffer).slice(),
    indices: new Int32Array(indexBuffer).slice(),
    workersUsed,
  };
}

function shared<T extends Float64Array | Int32Array>(data: T): T {
  const Ctor = data.constructor as { new (buffer: SharedArrayBuffer): T };
  const copy = new Ctor(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}

let cachedSource: string | undefined;

/** The worker's script: the kernel's own source text plus a few lines to run it on its slice. */
function workerSource(): string {
  cachedSource ??= `
const { workerData: w } = require('node:worker_threads');
const flags = new Int32Array(w.flags);
Atomics.store(flags, w.slot, ${STARTED});
try {
  const kernel = (${euclideanKernel.toString()});
  const offset = (w.begin - w.first) * w.k;
  const length = (w.end - w.begin) * w.k;
  kernel(
    new Float64Array(w.sorted), new Int32Array(w.order), new Float64Array(w.projection),
    w.trainSlack, w.trainRows, w.cols, new Float64Array(w.query),
    new Float64Array(w.queryProjection), new Float64Array(w.querySlack),
    w.begin, w.end, w.k, w.excludeSelf,
    new Float64Array(w.distances, offset * 8, length), new Int32Array(w.indices, offset * 4, length),
  );
  Atomics.store(flags, w.slot, ${DONE});
} catch (error) {
  Atomics.store(flags, w.slot, ${FAILED});
}
Atomics.notify(flags, w.slot);
`;
  return cachedSource;
}
