/**
 * Sequential minimal optimisation for the dual of the ν-one-class SVM (Schölkopf et al., 2001),
 * solved the way libsvm solves it (Chang and Lin, "LIBSVM: a library for support vector
 * machines", 2011): second-order working-set selection (Fan, Chen and Lin, "Working set
 * selection using second order information for training SVM", JMLR 2005), shrinking with
 * gradient reconstruction, and an LRU cache of single-precision kernel rows.
 *
 * The problem is  min ½ αᵀQα  subject to  0 ≤ αᵢ ≤ 1,  Σαᵢ = νl,  with Qᵢⱼ = K(xᵢ, xⱼ); every
 * label is +1 and the linear term is zero. Following libsvm keeps the solution (and hence the
 * support vectors and ρ) aligned with scikit-learn's, which wraps libsvm.
 */
import type { Logger } from '@decoders/core';
import {
  type KernelSpec,
  kernelFromDot,
  kernelRow,
  kernelRows4,
  rowSquaredNorms,
} from './svm-kernels.js';

/** Options of {@link solveOneClass}. */
export interface SmoOptions {
  /** Stopping tolerance on the maximal violating pair, libsvm's `eps`. */
  tol: number;
  /** Kernel cache size in megabytes (at least two rows are always cached). */
  cacheSize: number;
  /** Use libsvm's shrinking heuristic. */
  shrinking: boolean;
  /** Iteration cap; libsvm's is max(10⁷, 100·l). */
  maxIterations?: number;
  /** Receives a warning when the iteration cap is reached. */
  logger?: Logger;
}

/** The solution of the dual. */
export interface SmoResult {
  /** αᵢ for every training row, in the caller's row order. */
  alpha: Float64Array;
  /** ρ: the decision function is Σ αᵢ K(xᵢ, x) − ρ. */
  rho: number;
  /** SMO iterations run. */
  iterations: number;
  /** Whether the tolerance was met before the iteration cap. */
  converged: boolean;
}

const TAU = 1e-12;
const LOWER = 0;
const UPPER = 1;
const FREE = 2;

/**
 * An LRU cache of kernel rows over the solver's current (permuted) row order. A row is
 * filled only up to the length last asked for, as shrinking rarely needs whole rows.
 */
class KernelCache {
  private readonly slotOf: Int32Array;
  private readonly filled: Int32Array;
  private readonly ownerOf: Int32Array;
  private readonly slots: Float32Array[] = [];
  /** Slots given up by {@link swap}, reused before growing or evicting. */
  private readonly freeSlots: number[] = [];
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly capacity: number;
  private readonly head: number;

  constructor(
    private readonly spec: KernelSpec,
    private readonly x: Float64Array,
    private readonly norms: Float64Array,
    private readonly cols: number,
    private readonly l: number,
    cacheBytes: number,
  ) {
    this.capacity = Math.max(2, Math.min(l, Math.floor(cacheBytes / (4 * l))));
    this.slotOf = new Int32Array(l).fill(-1);
    this.filled = new Int32Array(l);
    this.ownerOf = new Int32Array(this.capacity).fill(-1);
    this.prev = new Int32Array(l + 1);
    this.next = new Int32Array(l + 1);
    this.head = l;
    this.prev[l] = l;
    this.next[l] = l;
  }

  private unlink(i: number): void {
    this.next[this.prev[i]] = this.next[i];
    this.prev[this.next[i]] = this.prev[i];
  }

  private append(i: number): void {
    const tail = this.prev[this.head];
    this.next[tail] = i;
    this.prev[i] = tail;
    this.next[i] = this.head;
    this.prev[this.head] = i;
  }

  /** The slot of row `i`, claimed (empty) if the row is not cached; marks it most recent. */
  private claim(i: number): number {
    let slot = this.slotOf[i];
    if (slot >= 0) {
      this.unlink(i);
    } else {
      if (this.freeSlots.length > 0) {
        slot = this.freeSlots.pop() as number;
      } else if (this.slots.length < this.capacity) {
        slot = this.slots.length;
        this.slots.push(new Float32Array(this.l));
      } else {
        const victim = this.next[this.head];
        this.unlink(victim);
        slot = this.slotOf[victim];
        this.slotOf[victim] = -1;
        this.filled[victim] = 0;
      }
      this.slotOf[i] = slot;
      this.ownerOf[slot] = i;
      this.filled[i] = 0;
    }
    this.append(i);
    return slot;
  }

  /** Row `i` of Q, valid at least on positions [0, len). */
  get(i: number, len: number): Float32Array {
    const row = this.slots[this.claim(i)];
    const have = this.filled[i];
    if (have < len) {
      const { spec, x, norms, cols } = this;
      kernelRow(spec, x, i * cols, norms[i], x, norms, cols, have, len, row);
      this.filled[i] = len;
    }
    return row;
  }

  /** Caches a whole row computed elsewhere (`source[offset .. offset + l)`). */
  store(i: number, source: Float32Array, offset: number): void {
    const row = this.slots[this.claim(i)];
    row.set(source.subarray(offset, offset + this.l));
    this.filled[i] = this.l;
  }

  /** Follows a swap of rows i and j in the solver's order (libsvm's Cache::swap_index). */
  swap(i: number, j: number): void {
    if (i === j) return;
    const si = this.slotOf[i];
    const sj = this.slotOf[j];
    if (si >= 0) this.unlink(i);
    if (sj >= 0) this.unlink(j);
    this.slotOf[i] = sj;
    this.slotOf[j] = si;
    const fi = this.filled[i];
    this.filled[i] = this.filled[j];
    this.filled[j] = fi;
    if (sj >= 0) {
      this.ownerOf[sj] = i;
      this.append(i);
    }
    if (si >= 0) {
      this.ownerOf[si] = j;
      this.append(j);
    }
    const low = Math.min(i, j);
    const high = Math.max(i, j);
    for (let slot = 0; slot < this.slots.length; slot++) {
      const owner = this.ownerOf[slot];
      if (owner < 0) continue;
      const len = this.filled[owner];
      if (len <= low) continue;
      if (len > high) {
        const row = this.slots[slot];
        const t = row[low];
        row[low] = row[high];
        row[high] = t;
      } else {
        // Only one of the two entries is present: the row cannot be kept consistent.
        this.unlink(owner);
        this.slotOf[owner] = -1;
        this.filled[owner] = 0;
        this.ownerOf[slot] = -1;
        this.freeSlots.push(slot);
      }
    }
  }
}

/**
 * Solves the ν-one-class dual on the rows of `data` (row-major, `rows × cols`).
 * `data` is not modified: the solver permutes a private copy while shrinking.
 */
export function solveOneClass(
  data: Float64Array,
  rows: number,
  cols: number,
  spec: KernelSpec,
  nu: number,
  options: SmoOptions,
): SmoResult {
  const solver = new OneClassSolver(data, rows, cols, spec, nu, options);
  return solver.solve();
}

class OneClassSolver {
  private readonly l: number;
  private readonly x: Float64Array;
  private readonly norms: Float64Array;
  private readonly qd: Float64Array;
  private readonly alpha: Float64Array;
  private readonly status: Uint8Array;
  private readonly gradient: Float64Array;
  private readonly gradientBar: Float64Array;
  private readonly activeSet: Int32Array;
  private activeSize: number;
  private unshrink = false;
  private readonly cache: KernelCache;
  private workI = -1;
  private workJ = -1;

  constructor(
    data: Float64Array,
    rows: number,
    private readonly cols: number,
    spec: KernelSpec,
    nu: number,
    private readonly options: SmoOptions,
  ) {
    const l = rows;
    this.l = l;
    this.x = Float64Array.from(data.subarray(0, rows * cols));
    this.norms = rowSquaredNorms(this.x, rows, cols);
    this.qd = new Float64Array(l);
    for (let i = 0; i < l; i++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += this.x[i * cols + k] * this.x[i * cols + k];
      this.qd[i] = kernelFromDot(spec, dot, this.norms[i], this.norms[i]);
    }
    this.cache = new KernelCache(spec, this.x, this.norms, cols, l, options.cacheSize * 2 ** 20);

    // libsvm's start: the first ⌊νl⌋ alphas at the bound, the next one takes the remainder.
    this.alpha = new Float64Array(l);
    const nuL = nu * l;
    const whole = Math.floor(nuL);
    for (let i = 0; i < whole && i < l; i++) this.alpha[i] = 1;
    if (whole < l) this.alpha[whole] = nuL - whole;

    this.status = new Uint8Array(l);
    for (let i = 0; i < l; i++) this.updateStatus(i);
    this.activeSet = new Int32Array(l);
    for (let i = 0; i < l; i++) this.activeSet[i] = i;
    this.activeSize = l;
    this.gradient = new Float64Array(l);
    this.gradientBar = new Float64Array(l);
    this.initialiseGradient(spec);
  }

  /**
   * ∇f = Qα and ḡ = Σ_{αᵢ = 1} Qᵢ over the rows with αᵢ > 0, four kernel rows at a time
   * (about νl rows, the bulk of the kernel work on large problems); the rows are cached.
   */
  private initialiseGradient(spec: KernelSpec): void {
    const { l, cols, x, norms } = this;
    const nonZero: number[] = [];
    for (let i = 0; i < l; i++) if (this.status[i] !== LOWER) nonZero.push(i);
    const block = new Float32Array(4 * l);
    for (let start = 0; start < nonZero.length; start += 4) {
      const count = Math.min(4, nonZero.length - start);
      const r = [0, 1, 2, 3].map((k) => nonZero[start + Math.min(k, count - 1)]);
      kernelRows4(spec, x, r[0], r[1], r[2], r[3], norms, x, norms, cols, 0, l, block, l);
      for (let k = 0; k < count; k++) {
        const i = r[k];
        const offset = k * l;
        const a = this.alpha[i];
        for (let j = 0; j < l; j++) this.gradient[j] += a * block[offset + j];
        if (this.status[i] === UPPER) {
          for (let j = 0; j < l; j++) this.gradientBar[j] += block[offset + j];
        }
        this.cache.store(i, block, offset);
      }
    }
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= 1 ? UPPER : a <= 0 ? LOWER : FREE;
  }

  solve(): SmoResult {
    const l = this.l;
    const maxIterations = this.options.maxIterations ?? Math.max(10_000_000, 100 * l);
    let counter = Math.min(l, 1000) + 1;
    let iterations = 0;
    let converged = false;
    while (iterations < maxIterations) {
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (this.options.shrinking) this.shrink();
      }
      if (!this.selectWorkingSet()) {
        this.reconstructGradient();
        this.activeSize = l;
        if (!this.selectWorkingSet()) {
          converged = true;
          break;
        }
        counter = 1;
      }
      iterations++;
      this.step(this.workI, this.workJ);
    }
    if (!converged) {
      this.reconstructGradient();
      this.activeSize = l;
      this.options.logger?.warn?.(
        `one-class SVM solver stopped at its iteration cap (${maxIterations}) before reaching tol`,
        { iterations },
      );
    }
    const rho = this.computeRho();
    const alpha = new Float64Array(l);
    for (let i = 0; i < l; i++) alpha[this.activeSet[i]] = this.alpha[i];
    return { alpha, rho, iterations, converged };
  }

  /** One analytic update of the pair (i, j); every label is +1, so Σα stays fixed. */
  private step(i: number, j: number): void {
    const active = this.activeSize;
    const rowI = this.cache.get(i, active);
    const rowJ = this.cache.get(j, active);
    const alpha = this.alpha;
    const oldI = alpha[i];
    const oldJ = alpha[j];

    let quad = this.qd[i] + this.qd[j] - 2 * rowI[j];
    if (quad <= 0) quad = TAU;
    const delta = (this.gradient[i] - this.gradient[j]) / quad;
    const sum = oldI + oldJ;
    let ai = oldI - delta;
    let aj = oldJ + delta;
    if (sum > 1) {
      if (ai > 1) {
        ai = 1;
        aj = sum - 1;
      }
    } else if (aj < 0) {
      aj = 0;
      ai = sum;
    }
    if (sum > 1) {
      if (aj > 1) {
        aj = 1;
        ai = sum - 1;
      }
    } else if (ai < 0) {
      ai = 0;
      aj = sum;
    }
    alpha[i] = ai;
    alpha[j] = aj;

    const dI = ai - oldI;
    const dJ = aj - oldJ;
    const g = this.gradient;
    for (let k = 0; k < active; k++) g[k] += rowI[k] * dI + rowJ[k] * dJ;

    const wasUpperI = this.status[i] === UPPER;
    const wasUpperJ = this.status[j] === UPPER;
    this.updateStatus(i);
    this.updateStatus(j);
    this.refreshGradientBar(i, wasUpperI);
    this.refreshGradientBar(j, wasUpperJ);
  }

  private refreshGradientBar(i: number, wasUpper: boolean): void {
    const isUpper = this.status[i] === UPPER;
    if (wasUpper === isUpper) return;
    const l = this.l;
    const row = this.cache.get(i, l);
    const bar = this.gradientBar;
    if (wasUpper) for (let k = 0; k < l; k++) bar[k] -= row[k];
    else for (let k = 0; k < l; k++) bar[k] += row[k];
  }

  /**
   * WSS3: i maximises −∇f over rows that can grow, j minimises the second-order decrease
   * over rows that can shrink. Returns false when the pair violates optimality by < tol.
   */
  private selectWorkingSet(): boolean {
    const active = this.activeSize;
    const g = this.gradient;
    const status = this.status;
    let gMax = Number.NEGATIVE_INFINITY;
    let gMax2 = Number.NEGATIVE_INFINITY;
    let iBest = -1;
    for (let t = 0; t < active; t++) {
      if (status[t] !== UPPER && -g[t] >= gMax) {
        gMax = -g[t];
        iBest = t;
      }
    }
    let jBest = -1;
    let objMin = Number.POSITIVE_INFINITY;
    if (iBest >= 0) {
      const rowI = this.cache.get(iBest, active);
      const qdI = this.qd[iBest];
      for (let t = 0; t < active; t++) {
        if (status[t] === LOWER) continue;
        const gt = g[t];
        if (gt >= gMax2) gMax2 = gt;
        const gradDiff = gMax + gt;
        if (gradDiff > 0) {
          const quad = qdI + this.qd[t] - 2 * rowI[t];
          const obj = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (obj <= objMin) {
            jBest = t;
            objMin = obj;
          }
        }
      }
    } else {
      for (let t = 0; t < active; t++) {
        if (status[t] !== LOWER && g[t] >= gMax2) gMax2 = g[t];
      }
    }
    if (gMax + gMax2 < this.options.tol || jBest === -1) return false;
    this.workI = iBest;
    this.workJ = jBest;
    return true;
  }

  private beShrunk(i: number, gMax1: number, gMax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER) return -this.gradient[i] > gMax1;
    if (s === LOWER) return this.gradient[i] > gMax2;
    return false;
  }

  private shrink(): void {
    const g = this.gradient;
    let gMax1 = Number.NEGATIVE_INFINITY;
    let gMax2 = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.activeSize; i++) {
      if (this.status[i] !== UPPER && -g[i] >= gMax1) gMax1 = -g[i];
      if (this.status[i] !== LOWER && g[i] >= gMax2) gMax2 = g[i];
    }
    if (!this.unshrink && gMax1 + gMax2 <= this.options.tol * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.beShrunk(i, gMax1, gMax2)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!this.beShrunk(this.activeSize, gMax1, gMax2)) {
          this.swapIndex(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
  }

  private swapIndex(i: number, j: number): void {
    this.cache.swap(i, j);
    const cols = this.cols;
    const x = this.x;
    for (let k = 0; k < cols; k++) {
      const t = x[i * cols + k];
      x[i * cols + k] = x[j * cols + k];
      x[j * cols + k] = t;
    }
    swap(this.norms, i, j);
    swap(this.qd, i, j);
    swap(this.gradient, i, j);
    swap(this.status, i, j);
    swap(this.alpha, i, j);
    swap(this.activeSet, i, j);
    swap(this.gradientBar, i, j);
  }

  /** Recomputes the gradient of shrunk rows from ḡ and the free alphas. */
  private reconstructGradient(): void {
    const l = this.l;
    const active = this.activeSize;
    if (active === l) return;
    const g = this.gradient;
    for (let j = active; j < l; j++) g[j] = this.gradientBar[j];
    let nFree = 0;
    for (let j = 0; j < active; j++) if (this.status[j] === FREE) nFree++;
    if (nFree * l > 2 * active * (l - active)) {
      for (let i = active; i < l; i++) {
        const row = this.cache.get(i, active);
        let s = 0;
        for (let j = 0; j < active; j++) if (this.status[j] === FREE) s += this.alpha[j] * row[j];
        g[i] += s;
      }
    } else {
      for (let i = 0; i < active; i++) {
        if (this.status[i] !== FREE) continue;
        const row = this.cache.get(i, l);
        const a = this.alpha[i];
        for (let j = active; j < l; j++) g[j] += a * row[j];
      }
    }
  }

  /**
   * ρ as libsvm computes it: the mean gradient over free alphas, else the midpoint of the
   * bounds, or the finite one when the other is infinite.
   */
  private computeRho(): number {
    let upper = Number.POSITIVE_INFINITY;
    let lower = Number.NEGATIVE_INFINITY;
    let nFree = 0;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const gi = this.gradient[i];
      if (this.status[i] === UPPER) lower = Math.max(lower, gi);
      else if (this.status[i] === LOWER) upper = Math.min(upper, gi);
      else {
        nFree++;
        sumFree += gi;
      }
    }
    if (nFree > 0) return sumFree / nFree;
    // With ν = 1 every α sits at its upper bound and libsvm's midpoint is infinite (scikit-learn
    // then refuses the fit); the finite bound is the tightest ρ the optimality conditions allow.
    if (upper === Number.POSITIVE_INFINITY) return lower;
    if (lower === Number.NEGATIVE_INFINITY) return upper;
    return (upper + lower) / 2;
  }
}

function swap(a: Float64Array | Int32Array | Uint8Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
