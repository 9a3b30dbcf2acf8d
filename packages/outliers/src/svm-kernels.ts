/**
 * Kernel functions of the support vector models, on row-major dense data. The radial basis
 * function is computed as exp(-γ(‖a‖² + ‖b‖² − 2a·b)) with the squared norms computed once,
 * as libsvm does, so a kernel row costs one dot product per entry.
 */

/** The kernels the support vector models know. */
export type KernelName = 'rbf' | 'linear' | 'poly' | 'sigmoid';

/** Every kernel name, for validation. */
export const KERNEL_NAMES: readonly KernelName[] = ['rbf', 'linear', 'poly', 'sigmoid'];

/** A kernel with its resolved parameters. */
export interface KernelSpec {
  readonly kernel: KernelName;
  /** Resolved γ (never 'scale' or 'auto' here). */
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
}

/** Squared Euclidean norm of every row of a row-major matrix. */
export function rowSquaredNorms(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let k = 0; k < cols; k++) {
      const v = data[base + k];
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * Maps a dot product (and, for rbf, the two squared norms) to a kernel value. Kept separate
 * from the dot products so the inner loops stay monomorphic.
 */
export function kernelFromDot(spec: KernelSpec, dot: number, normA: number, normB: number) {
  switch (spec.kernel) {
    case 'rbf':
      return Math.exp(-spec.gamma * (normA + normB - 2 * dot));
    case 'linear':
      return dot;
    case 'poly':
      return (spec.gamma * dot + spec.coef0) ** spec.degree;
    default:
      return Math.tanh(spec.gamma * dot + spec.coef0);
  }
}

/**
 * Writes K(a, b_j) into `out[j]` for the rows j in [from, to) of `b`, where `a` is the row of
 * `aData` starting at `aOffset`. `normsB` holds the squared norms of `b`'s rows.
 */
export function kernelRow(
  spec: KernelSpec,
  aData: Float64Array,
  aOffset: number,
  normA: number,
  b: Float64Array,
  normsB: Float64Array,
  cols: number,
  from: number,
  to: number,
  out: Float32Array | Float64Array,
): void {
  const gamma = spec.gamma;
  const rbf = spec.kernel === 'rbf';
  const a = aData.subarray(aOffset, aOffset + cols);
  let j = from;
  // Eight rows of b per pass share each load of a's values.
  for (; j + 7 < to; j += 8) {
    const base = j * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let k = 0; k < cols; k++) {
      const v = a[k];
      const o = base + k;
      s0 += v * b[o];
      s1 += v * b[o + cols];
      s2 += v * b[o + 2 * cols];
      s3 += v * b[o + 3 * cols];
      s4 += v * b[o + 4 * cols];
      s5 += v * b[o + 5 * cols];
      s6 += v * b[o + 6 * cols];
      s7 += v * b[o + 7 * cols];
    }
    if (rbf) {
      out[j] = Math.exp(-gamma * (normA + normsB[j] - 2 * s0));
      out[j + 1] = Math.exp(-gamma * (normA + normsB[j + 1] - 2 * s1));
      out[j + 2] = Math.exp(-gamma * (normA + normsB[j + 2] - 2 * s2));
      out[j + 3] = Math.exp(-gamma * (normA + normsB[j + 3] - 2 * s3));
      out[j + 4] = Math.exp(-gamma * (normA + normsB[j + 4] - 2 * s4));
      out[j + 5] = Math.exp(-gamma * (normA + normsB[j + 5] - 2 * s5));
      out[j + 6] = Math.exp(-gamma * (normA + normsB[j + 6] - 2 * s6));
      out[j + 7] = Math.exp(-gamma * (normA + normsB[j + 7] - 2 * s7));
    } else {
      out[j] = kernelFromDot(spec, s0, 0, 0);
      out[j + 1] = kernelFromDot(spec, s1, 0, 0);
      out[j + 2] = kernelFromDot(spec, s2, 0, 0);
      out[j + 3] = kernelFromDot(spec, s3, 0, 0);
      out[j + 4] = kernelFromDot(spec, s4, 0, 0);
      out[j + 5] = kernelFromDot(spec, s5, 0, 0);
      out[j + 6] = kernelFromDot(spec, s6, 0, 0);
      out[j + 7] = kernelFromDot(spec, s7, 0, 0);
    }
  }
  for (; j < to; j++) {
    const base = j * cols;
    let s = 0;
    for (let k = 0; k < cols; k++) s += aData[aOffset + k] * b[base + k];
    out[j] = rbf
      ? Math.exp(-gamma * (normA + normsB[j] - 2 * s))
      : kernelFromDot(spec, s, normA, normsB[j]);
  }
}

/**
 * Writes the kernel rows of four rows of `a` (at row indices r0..r3, with squared norms
 * `normsA` indexed like `a`'s rows) against rows [from, to) of `b`: row k of the block goes to
 * `out[k * stride + j]`. Four rows share each load of a `b` row, which roughly halves the
 * time of the dot products in JavaScript; each dot product is still summed in column order,
 * so values equal those of {@link kernelRow} exactly.
 */
export function kernelRows4(
  spec: KernelSpec,
  a: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  normsA: Float64Array,
  b: Float64Array,
  normsB: Float64Array,
  cols: number,
  from: number,
  to: number,
  out: Float32Array | Float64Array,
  stride: number,
): void {
  const o0 = r0 * cols;
  const o1 = r1 * cols;
  const o2 = r2 * cols;
  const o3 = r3 * cols;
  const n0 = normsA[r0];
  const n1 = normsA[r1];
  const n2 = normsA[r2];
  const n3 = normsA[r3];
  const gamma = spec.gamma;
  const rbf = spec.kernel === 'rbf';
  let j = from;
  // Two rows of b per pass as well: eight sums from six loads per column.
  for (; j + 1 < to; j += 2) {
    const base = j * cols;
    const next = base + cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let k = 0; k < cols; k++) {
      const v = b[base + k];
      const w = b[next + k];
      const a0 = a[o0 + k];
      const a1 = a[o1 + k];
      const a2 = a[o2 + k];
      const a3 = a[o3 + k];
      s0 += a0 * v;
      s1 += a1 * v;
      s2 += a2 * v;
      s3 += a3 * v;
      t0 += a0 * w;
      t1 += a1 * w;
      t2 += a2 * w;
      t3 += a3 * w;
    }
    const nb = normsB[j];
    const nc = normsB[j + 1];
    if (rbf) {
      out[j] = Math.exp(-gamma * (n0 + nb - 2 * s0));
      out[stride + j] = Math.exp(-gamma * (n1 + nb - 2 * s1));
      out[2 * stride + j] = Math.exp(-gamma * (n2 + nb - 2 * s2));
      out[3 * stride + j] = Math.exp(-gamma * (n3 + nb - 2 * s3));
      out[j + 1] = Math.exp(-gamma * (n0 + nc - 2 * t0));
      out[stride + j + 1] = Math.exp(-gamma * (n1 + nc - 2 * t1));
      out[2 * stride + j + 1] = Math.exp(-gamma * (n2 + nc - 2 * t2));
      out[3 * stride + j + 1] = Math.exp(-gamma * (n3 + nc - 2 * t3));
    } else {
      out[j] = kernelFromDot(spec, s0, n0, nb);
      out[stride + j] = kernelFromDot(spec, s1, n1, nb);
      out[2 * stride + j] = kernelFromDot(spec, s2, n2, nb);
      out[3 * stride + j] = kernelFromDot(spec, s3, n3, nb);
      out[j + 1] = kernelFromDot(spec, t0, n0, nc);
      out[stride + j + 1] = kernelFromDot(spec, t1, n1, nc);
      out[2 * stride + j + 1] = kernelFromDot(spec, t2, n2, nc);
      out[3 * stride + j + 1] = kernelFromDot(spec, t3, n3, nc);
    }
  }
  for (; j < to; j++) {
    const base = j * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < cols; k++) {
      const v = b[base + k];
      s0 += a[o0 + k] * v;
      s1 += a[o1 + k] * v;
      s2 += a[o2 + k] * v;
      s3 += a[o3 + k] * v;
    }
    const nb = normsB[j];
    out[j] = kernelFromDot(spec, s0, n0, nb);
    out[stride + j] = kernelFromDot(spec, s1, n1, nb);
    out[2 * stride + j] = kernelFromDot(spec, s2, n2, nb);
    out[3 * stride + j] = kernelFromDot(spec, s3, n3, nb);
  }
}

/**
 * Σ_j coef_j · K(x_i, sv_j) for the rows i in [begin, end) of `x`, written to `out[i]`: the
 * kernel expansion that the support vector decision functions share. For rbf, query rows go
 * four at a time so each support vector is loaded once per four rows; a row's value never
 * depends on the rows scored with it. The function refers to nothing outside itself (kernel
 * formulas included, equal to {@link kernelFromDot}'s) so its source can run in a worker.
 */
export function kernelExpansionRange(
  kernel: string,
  gamma: number,
  degree: number,
  coef0: number,
  x: Float64Array,
  begin: number,
  end: number,
  supportVectors: Float64Array,
  supportNorms: Float64Array,
  coefficients: Float64Array,
  cols: number,
  out: Float64Array,
): void {
  const nSupport = coefficients.length;
  const norms = new Float64Array(4);
  let i = begin;
  if (kernel === 'rbf') {
    for (; i + 3 < end; i += 4) {
      const o0 = i * cols;
      const o1 = o0 + cols;
      const o2 = o1 + cols;
      const o3 = o2 + cols;
      for (let r = 0; r < 4; r++) {
        let n = 0;
        for (let k = 0; k < cols; k++) n += x[o0 + r * cols + k] * x[o0 + r * cols + k];
        norms[r] = n;
      }
      const n0 = norms[0];
      const n1 = norms[1];
      const n2 = norms[2];
      const n3 = norms[3];
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let j = 0; j < nSupport; j++) {
        const base = j * cols;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < cols; k++) {
          const v = supportVectors[base + k];
          s0 += x[o0 + k] * v;
          s1 += x[o1 + k] * v;
          s2 += x[o2 + k] * v;
          s3 += x[o3 + k] * v;
        }
        const c = coefficients[j];
        const ns = supportNorms[j];
        sum0 += c * Math.exp(-gamma * (n0 + ns - 2 * s0));
        sum1 += c * Math.exp(-gamma * (n1 + ns - 2 * s1));
        sum2 += c * Math.exp(-gamma * (n2 + ns - 2 * s2));
        sum3 += c * Math.exp(-gamma * (n3 + ns - 2 * s3));
      }
      out[i] = sum0;
      out[i + 1] = sum1;
      out[i + 2] = sum2;
      out[i + 3] = sum3;
    }
  }
  for (; i < end; i++) {
    const o = i * cols;
    let normX = 0;
    for (let k = 0; k < cols; k++) normX += x[o + k] * x[o + k];
    let sum = 0;
    for (let j = 0; j < nSupport; j++) {
      const base = j * cols;
      let s = 0;
      for (let k = 0; k < cols; k++) s += x[o + k] * supportVectors[base + k];
      let value: number;
      if (kernel === 'rbf') value = Math.exp(-gamma * (normX + supportNorms[j] - 2 * s));
      else if (kernel === 'linear') value = s;
      else if (kernel === 'poly') value = (gamma * s + coef0) ** degree;
      else value = Math.tanh(gamma * s + coef0);
      sum += coefficients[j] * value;
    }
    out[i] = sum;
  }
}

/** `'auto'` or a fixed number of threads (1 = the calling thread only). */
export type ScoringWorkers = 'auto' | number;

/** Multiply-adds (rows × support vectors × columns) above which `'auto'` uses worker threads. */
export const PARALLEL_WORK = 2e8;
const MAX_AUTO_WORKERS = 8;
/** How long a worker may take to start before its slice is done on the calling thread. */
const START_TIMEOUT_MS = 10_000;
const PENDING = 0;
const STARTED = 1;
const DONE = 2;
const FAILED = 3;

type WorkerThreads = typeof import('node:worker_threads');

let workersUsedLast = 0;

/** How many worker threads finished a slice in the latest {@link kernelExpansion} (for tests). */
export function lastScoringWorkers(): number {
  return workersUsedLast;
}

/**
 * {@link kernelExpansionRange} over every row of `x`, split across Node `worker_threads` when
 * the work is large (`workers: 'auto'`) or when asked. Each thread runs the same function on
 * its own rows, so results are identical to one thread. `worker_threads` is reached lazily
 * through `process.getBuiltinModule`, so browser bundles never import it; without it (browsers,
 * older Node, a worker thread) everything runs on the calling thread. The call stays
 * synchronous: the calling thread scores its share, then waits on `Atomics.wait`.
 */
export function kernelExpansion(
  spec: KernelSpec,
  x: Float64Array,
  rows: number,
  supportVectors: Float64Array,
  supportNorms: Float64Array,
  coefficients: Float64Array,
  cols: number,
  workers: ScoringWorkers = 1,
): Float64Array {
  const threads = threadCount(workers, rows * coefficients.length * cols);
  const threadsModule = threads > 1 && rows >= 8 * threads ? loadWorkerThreads() : undefined;
  workersUsedLast = 0;
  if (!threadsModule) {
    const out = new Float64Array(rows);
    const { kernel, gamma, degree, coef0 } = spec;
    kernelExpansionRange(
      kernel,
      gamma,
      degree,
      coef0,
      x,
      0,
      rows,
      supportVectors,
      supportNorms,
      coefficients,
      cols,
      out,
    );
    return out;
  }
  return parallelExpansion(
    spec,
    x,
    rows,
    supportVectors,
    supportNorms,
    coefficients,
    cols,
    threads,
    threadsModule,
  );
}

function threadCount(workers: ScoringWorkers, work: number): number {
  if (workers !== 'auto') return workers;
  if (work <= PARALLEL_WORK) return 1;
  const os = getBuiltin<typeof import('node:os')>('node:os');
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  return Math.max(1, Math.min(MAX_AUTO_WORKERS, cores));
}

function loadWorkerThreads(): WorkerThreads | undefined {
  const threads = getBuiltin<WorkerThreads>('node:worker_threads');
  return threads?.isMainThread ? threads : undefined;
}

/** A Node built-in module, or undefined outside Node or on Node without the API. */
function getBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  try {
    return proc.getBuiltinModule(name) as T | undefined;
  } catch {
    return undefined;
  }
}

function sharedCopy(data: Float64Array): Float64Array {
  const copy = new Float64Array(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}

function parallelExpansion(
  spec: KernelSpec,
  x: Float64Array,
  rows: number,
  supportVectors: Float64Array,
  supportNorms: Float64Array,
  coefficients: Float64Array,
  cols: number,
  threads: number,
  workerThreads: WorkerThreads,
): Float64Array {
  const query = sharedCopy(x.subarray(0, rows * cols));
  const vectors = sharedCopy(supportVectors);
  const norms = sharedCopy(supportNorms);
  const coef = sharedCopy(coefficients);
  const out = new Float64Array(new SharedArrayBuffer(rows * 8));
  const flags = new Int32Array(new SharedArrayBuffer(threads * 4));
  const bounds = Array.from({ length: threads + 1 }, (_, t) => Math.round((rows * t) / threads));
  const { kernel, gamma, degree, coef0 } = spec;

  const started: InstanceType<WorkerThreads['Worker']>[] = [];
  for (let t = 1; t < threads; t++) {
    try {
      const worker = new workerThreads.Worker(workerSource(), {
        eval: true,
        workerData: {
          kernel,
          gamma,
          degree,
          coef0,
          query: query.buffer,
          vectors: vectors.buffer,
          norms: norms.buffer,
          coef: coef.buffer,
          out: out.buffer,
          flags: flags.buffer,
          slot: t,
          begin: bounds[t],
          end: bounds[t + 1],
          cols,
        },
      });
      worker.unref();
      worker.on('error', () => undefined);
      started.push(worker);
    } catch {
      Atomics.store(flags, t, FAILED);
    }
  }

  const runSlice = (t: number) =>
    kernelExpansionRange(
      kernel,
      gamma,
      degree,
      coef0,
      query,
      bounds[t],
      bounds[t + 1],
      vectors,
      norms,
      coef,
      cols,
      out,
    );
  runSlice(0);
  for (let t = 1; t < threads; t++) {
    const waitedSince = Date.now();
    for (;;) {
      const flag = Atomics.load(flags, t);
      if (flag === DONE) {
        workersUsedLast++;
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
  return out.slice();
}

let cachedSource: string | undefined;

/** The worker's script: the expansion's own source text plus the lines that run its slice. */
function workerSource(): string {
  cachedSource ??= `
const { workerData: w } = require('node:worker_threads');
const flags = new Int32Array(w.flags);
Atomics.store(flags, w.slot, ${STARTED});
try {
  const expansion = (${kernelExpansionRange.toString()});
  expansion(w.kernel, w.gamma, w.degree, w.coef0, new Float64Array(w.query), w.begin, w.end,
    new Float64Array(w.vectors), new Float64Array(w.norms), new Float64Array(w.coef), w.cols,
    new Float64Array(w.out));
  Atomics.store(flags, w.slot, ${DONE});
} catch (error) {
  Atomics.store(flags, w.slot, ${FAILED});
}
Atomics.notify(flags, w.slot);
`;
  return cachedSource;
}
