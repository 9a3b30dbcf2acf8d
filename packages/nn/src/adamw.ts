/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019, "Decoupled weight decay
 * regularization"), updating as torch.optim.AdamW does: the weights first shrink by
 * learningRate · weightDecay, then take the bias-corrected Adam step. With weightDecay 0 it is
 * plain Adam. tfjs's own Adam has no weight decay.
 */
import { checkNumber } from '@decoders/core';
import { tf } from './backend.js';

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Step size. Default 1e-3. */
  learningRate?: number;
  /** Decay of the first-moment estimate. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment estimate. Default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment. Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay per step, relative to the learning rate. Default 1e-2 (torch's). */
  weightDecay?: number;
}

/** The AdamW optimiser over a fixed list of variables. */
export class AdamW {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private steps = 0;
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();

  constructor(options: AdamWOptions = {}) {
    this.learningRate = checkNumber('learningRate', options.learningRate ?? 1e-3, {
      min: 0,
      minExclusive: true,
    });
    this.beta1 = checkNumber('beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2 ?? 0.999, {
      min: 0,
      max: 1,
      maxExclusive: true,
    });
    this.epsilon = checkNumber('epsilon', options.epsilon ?? 1e-8, { min: 0, minExclusive: true });
    this.weightDecay = checkNumber('weightDecay', options.weightDecay ?? 1e-2, { min: 0 });
  }

  /** Number of steps taken so far. */
  get iterations(): number {
    return this.steps;
  }

  /** Takes one step: `gradients[i]` is the gradient of the loss for `variables[i]`. */
  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void {
    this.steps += 1;
    const t = this.steps;
    const stepSize = this.learningRate / (1 - this.beta1 ** t);
    const secondCorrection = 1 / Math.sqrt(1 - this.beta2 ** t);
    const shrink = 1 - this.learningRate * this.weightDecay;
    tf.tidy(() => {
      for (let i = 0; i < variables.length; i++) {
        const p = variables[i];
        const g = gradients[i];
        if (g === undefined) continue;
        const state = this.stateOf(p);
        const m = tf.add(tf.mul(state.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        state.m.assign(m);
        state.v.assign(v);
        const denominator = tf.add(tf.mul(tf.sqrt(v), secondCorrection), this.epsilon);
        const decayed = shrink === 1 ? p : tf.mul(p, shrink);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
      }
    });
  }

  private stateOf(p: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let state = this.moments.get(p);
    if (state === undefined) {
      state = {
        m: tf.variable(tf.zerosLike(p), false),
        v: tf.variable(tf.zerosLike(p), false),
      };
      this.moments.set(p, state);
    }
    return state;
  }

  /** Frees the moment estimates. */
  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}

/**
 * Computes the gradients of `loss` (a scalar-valued function of `variables`), applies one
 * optimiser step and returns the loss value. Frees every intermediate tensor.
 */
export function trainStep(
  optimizer: AdamW,
  variables: readonly tf.Variable[],
  loss: () => tf.Scalar,
): number {
  const { value, grads } = tf.variableGrads(loss, variables as tf.Variable[]);
  const ordered = variables.map((v) => grads[v.name]);
  optimizer.applyGradients(variables, ordered);
  const result = value.dataSync()[0];
  value.dispose();
  tf.dispose(grads);
  return result;
}
