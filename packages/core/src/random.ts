/**
 * Seeded random numbers that give the same stream on every platform: xoshiro128** on 32-bit
 * integer arithmetic (Blackman and Vigna, 2018), seeded through splitmix32.
 */
import { ValidationError } from './errors.js';

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** A seeded pseudo-random generator. Not for cryptography. */
export class Random {
  private readonly state = new Uint32Array(4);
  private spareNormal: number | undefined;

  /** @param seed any integer (only its low 32 bits are used); the same seed gives the same stream. */
  constructor(seed = 0) {
    if (!Number.isFinite(seed)) {
      throw new ValidationError(`seed must be a finite integer, got ${seed}`);
    }
    const next = splitmix32(Math.trunc(seed) >>> 0);
    for (let i = 0; i < 4; i++) this.state[i] = next();
  }

  /** The next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** A float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** An integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new ValidationError(`int(n) needs a positive integer n, got ${n}`);
    }
    if (n > TWO_POW_32) return Math.floor(this.next() * n);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A standard normal draw (Marsaglia's polar method). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + std * u * factor;
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** `k` distinct indices from 0..n-1, in random order. */
  sample(n: number, k: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0) {
      throw new ValidationError(`sample(n, k) needs a non-negative integer n, got ${n}`);
    }
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new ValidationError(`sample(n, k) needs 0 <= k <= n, got n=${n}, k=${k}`);
    }
    if (k * 4 < n) {
      const chosen = new Set<number>();
      const out = new Uint32Array(k);
      let filled = 0;
      while (filled < k) {
        const candidate = this.int(n);
        if (!chosen.has(candidate)) {
          chosen.add(candidate);
          out[filled++] = candidate;
        }
      }
      return out;
    }
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    return all.slice(0, k);
  }

  /** A new generator whose stream is independent of this one's continuation. */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
