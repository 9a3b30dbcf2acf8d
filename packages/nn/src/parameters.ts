/**
 * A named set of trainable variables: what a model owns, what the optimiser updates and what is
 * saved. Names are kept here rather than on the tf.Variable because tf requires variable names
 * to be unique across the whole engine, which two models of the same kind would break.
 */
import { ValidationError } from '@decoders/core';
import { tf } from './backend.js';

/** The trainable variables of a model, by name. */
export class ParameterStore {
  private readonly byName = new Map<string, tf.Variable>();

  /** Creates a trainable float32 variable holding `values` with `shape`. */
  create(name: string, shape: number[], values: Float32Array): tf.Variable {
    if (this.byName.has(name)) {
      throw new ValidationError(`parameter '${name}' already exists: give each layer its own name`);
    }
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, true);
    initial.dispose();
    this.byName.set(name, variable);
    return variable;
  }

  /** The variables in creation order. */
  get variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  /** `[name, variable]` pairs in creation order. */
  entries(): [string, tf.Variable][] {
    return [...this.byName.entries()];
  }

  /** The variable called `name`, or undefined. */
  get(name: string): tf.Variable | undefined {
    return this.byName.get(name);
  }

  /** Number of scalar weights. */
  get size(): number {
    let n = 0;
    for (const v of this.byName.values()) n += v.size;
    return n;
  }

  /** Frees every variable; the store is empty afterwards. */
  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
