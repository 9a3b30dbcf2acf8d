/**
 * A fully connected layer, y = x·W + b, on inputs of any rank (the last axis is the features).
 *
 * Its gradient is written out with explicit transposes: tf's own matMul gradient uses the
 * transpose flags of matMul, which the wasm backend runs several times slower than a transpose
 * followed by a plain matMul.
 */
import type { Random } from '@decoders/core';
import { tf } from './backend.js';
import { type Initializer, initialValues } from './init.js';
import type { ParameterStore } from './parameters.js';

/** Options of {@link Dense}. */
export interface DenseOptions {
  /** Initialiser of the weight matrix. Default `'glorot'`. */
  init?: Initializer;
  /** Whether the layer adds a bias. Default `true`. */
  bias?: boolean;
  /** Initialiser of the bias (fans: inputSize, outputSize). Default `'zeros'`. */
  biasInit?: Initializer;
}

type CustomGradArgument = Parameters<typeof tf.customGrad>[0];
type Linear = (x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.Tensor2D;

// The bias gradient is a product with a row of ones: wasm's Sum over the first axis transposes
// its input first and is slower than the matMul.
const linearNoBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)];
    },
  };
}) as unknown as CustomGradArgument) as unknown as Linear;

const linearWithBias = tf.customGrad(((
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  save: tf.GradSaveFunc,
) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const ones = tf.ones([1, dy.shape[0]]);
      return [
        tf.matMul(dy, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy),
        tf.reshape(tf.matMul(ones, dy), [dy.shape[1]]),
      ];
    },
  };
}) as unknown as CustomGradArgument) as unknown as Linear;

/** x·W (+ b) for a 2-D x, with the transpose-free gradient described at the top of this file. */
export function matMulFast(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b === undefined ? linearNoBias(x, w) : linearWithBias(x, w, b);
}

/** A dense (linear) layer whose weights live in a {@link ParameterStore}. */
export class Dense {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  /**
   * @param store where the weights are created, as `<name>.weight` [inputSize, outputSize] and
   *   `<name>.bias` [outputSize]
   * @param random draws the initial weights
   */
  constructor(
    store: ParameterStore,
    readonly name: string,
    readonly inputSize: number,
    readonly outputSize: number,
    random: Random,
    options: DenseOptions = {},
  ) {
    const init = options.init ?? 'glorot';
    this.weight = store.create(
      `${name}.weight`,
      [inputSize, outputSize],
      initialValues(init, inputSize * outputSize, inputSize, outputSize, random),
    );
    this.bias =
      options.bias === false
        ? undefined
        : store.create(
            `${name}.bias`,
            [outputSize],
            initialValues(options.biasInit ?? 'zeros', outputSize, inputSize, outputSize, random),
          );
  }

  /** Applies the layer to `x` [..., inputSize], giving [..., outputSize]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = x.shape;
      const flat = shape.length === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, this.inputSize]);
      const y = matMulFast(
        flat as tf.Tensor2D,
        this.weight as tf.Tensor2D,
        this.bias as tf.Tensor1D | undefined,
      );
      return shape.length === 2 ? y : tf.reshape(y, [...shape.slice(0, -1), this.outputSize]);
    });
  }
}
