/**
 * One post-norm Transformer encoder block, as torch.nn.TransformerEncoderLayer with its
 * defaults (norm_first=False) and activation='gelu':
 *   h = LayerNorm(x + Dropout(SelfAttention(x)))
 *   y = LayerNorm(h + Dropout(Linear(Dropout(GELU(Linear(h))))))
 */
import type { Random } from '@decoders/core';
import {
  Dense,
  dropout,
  gelu,
  LayerNorm,
  MultiHeadSelfAttention,
  type ParameterStore,
  tf,
} from '@decoders/nn';
import { TORCH_LINEAR } from './torch-init.js';

/** A Transformer encoder block whose weights live in a ParameterStore. */
export class EncoderBlock {
  private readonly attention: MultiHeadSelfAttention;
  private readonly norm1: LayerNorm;
  private readonly feedForward1: Dense;
  private readonly feedForward2: Dense;
  private readonly norm2: LayerNorm;

  constructor(
    store: ParameterStore,
    name: string,
    dModel: number,
    nHeads: number,
    feedForwardSize: number,
    private readonly dropoutRate: number,
    random: Random,
  ) {
    this.attention = new MultiHeadSelfAttention(store, `${name}.attention`, dModel, random, {
      nHeads,
      dropout: dropoutRate,
    });
    this.norm1 = new LayerNorm(store, `${name}.norm1`, dModel);
    this.feedForward1 = new Dense(
      store,
      `${name}.ff1`,
      dModel,
      feedForwardSize,
      random,
      TORCH_LINEAR,
    );
    this.feedForward2 = new Dense(
      store,
      `${name}.ff2`,
      feedForwardSize,
      dModel,
      random,
      TORCH_LINEAR,
    );
    this.norm2 = new LayerNorm(store, `${name}.norm2`, dModel);
  }

  /** Applies the block to `x` [B, T, dModel]; `random` seeds dropout and is given only in training. */
  apply(x: tf.Tensor3D, random: Random | undefined): tf.Tensor3D {
    return tf.tidy(() => {
      const rate = this.dropoutRate;
      const { output } = this.attention.apply(x, random ? { random } : {});
      const h = this.norm1.apply(tf.add(x, dropout(output, rate, random)));
      const inner = dropout(gelu(this.feedForward1.apply(h)), rate, random);
      const ff = dropout(this.feedForward2.apply(inner), rate, random);
      return this.norm2.apply(tf.add(h, ff)) as tf.Tensor3D;
    });
  }
}
