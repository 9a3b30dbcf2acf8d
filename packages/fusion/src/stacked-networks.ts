/**
 * K fusion networks trained as one wide network. Every parameter of the K {@link FusionNetwork}s
 * is stacked along a leading member axis ([K, in, out] weights, [K, out] biases, …), and a
 * forward pass runs all members side by side in one graph: activations hold the members next to
 * each other along the feature axis ([rows, a·D]), the dense layers multiply by block-diagonal
 * weights (member k's [in, out] block on the diagonal, zeros elsewhere), and the a members' H
 * attention heads are simply a·H heads. A member's block never mixes with another's, so each
 * member computes the function `FusionNetwork.apply` computes, and its gradients are its own.
 *
 * Two rewrites keep the block-diagonal products small (they are exact in real arithmetic; in
 * float32 they round differently from `FusionNetwork.apply`, by a few ulp): the token projection
 * is folded into the query, key and value projections (q = x·(Wp·Wq) + (bp + identity)·Wq + bq,
 * 3 input features instead of dModel), and the tokens are averaged before the attention's output
 * projection rather than after (both are linear).
 *
 * Why not a rank-3 (batched) matMul per layer: on the wasm backend a batched matMul takes tfjs's
 * naive loop, about 8 times slower than the XNNPACK kernel that 2-D products get, and taking a
 * stacked tensor apart into per-member 2-D operands copies the whole tensor once per member.
 */
import type { Random } from '@decoders/core';
import { dropoutMask, layerNorm, matMulFast, tf } from '@decoders/nn';
import { type FusionNetwork, type NetworkConfig, TOKEN_WIDTH } from './attention-network.js';

/** The parameters of a {@link FusionNetwork}, by the names its ParameterStore gives them. */
const PARAMETERS = [
  'projection.weight',
  'projection.bias',
  'attention.query.weight',
  'attention.query.bias',
  'attention.key.weight',
  'attention.key.bias',
  'attention.value.weight',
  'attention.value.bias',
  'attention.out.weight',
  'attention.out.bias',
  'pool.norm.gamma',
  'pool.norm.beta',
  'pool.dense.weight',
  'pool.dense.bias',
  'head.weight',
  'head.bias',
  'identity',
] as const;
type ParameterName = (typeof PARAMETERS)[number];

type CustomGradArgument = Parameters<typeof tf.customGrad>[0];

/**
 * The block-diagonal matrix [a·in, a·out] with w[k] [in, out] as its k-th diagonal block, for
 * w [a, in, out]. Gradients flow back to the blocks only.
 */
function blockDiagonal(w: tf.Tensor3D): tf.Tensor2D {
  const [a, rows, cols] = w.shape;
  if (a === 1) return tf.reshape(w, [rows, cols]);
  const eye = new Float32Array(a * a);
  for (let k = 0; k < a; k++) eye[k * a + k] = 1;
  const blocks = tf.mul(tf.reshape(w, [a, rows, 1, cols]), tf.tensor4d(eye, [a, 1, a, 1]));
  return tf.reshape(blocks, [a * rows, a * cols]);
}

/**
 * x · w for data `x` and a weight `w`. Only `w` gets a gradient (x's is returned as zeros: x is
 * the input rows), computed as (dyᵀ·x)ᵀ: XNNPACK packs the right operand of each product, and x
 * is narrow where dy is wide.
 */
const projectData = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, [saved]: tf.Tensor2D[]) => [
      tf.zerosLike(saved),
      tf.transpose(tf.matMul(tf.transpose(dy), saved)),
    ],
  };
}) as unknown as CustomGradArgument) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Writes member `member`'s inverted-dropout mask into `mask`, laid out as [rows, a, chunk] (the
 * member's [rows, chunk] elements at [r, member, ·]): the mask nn's `dropout` draws from `random`
 * for the member's own [rows, chunk] tensor.
 */
function fillDropoutMask(
  mask: Float32Array,
  a: number,
  member: number,
  chunk: number,
  rate: number,
  random: Random,
): void {
  const rows = mask.length / (a * chunk);
  const own = dropoutMask(rows * chunk, rate, random);
  for (let r = 0; r < rows; r++) {
    mask.set(own.subarray(r * chunk, (r + 1) * chunk), (r * a + member) * chunk);
  }
}

/** The K members' parameters, stacked, and the wide forward pass over any subset of them. */
export class StackedNetworks {
  /** Number of members K. */
  readonly size: number;
  readonly config: NetworkConfig;
  /**
   * The one trainable variable [K, P]: row k holds member k's P weights, its parameters
   * flattened one after another in the networks' parameter order. One variable rather than one
   * per parameter: the optimiser's step costs a dozen ops per variable whatever its size.
   */
  readonly weights: tf.Variable;
  private readonly names: string[];
  private readonly shapes: number[][];
  private readonly sizes: number[];

  /** Stacks the current weights of `networks`, which must share one configuration. */
  constructor(networks: readonly FusionNetwork[]) {
    this.size = networks.length;
    this.config = networks[0].config;
    const entries = networks[0].store.entries();
    this.names = entries.map(([name]) => name);
    this.shapes = entries.map(([, variable]) => [...variable.shape]);
    this.sizes = entries.map(([, variable]) => variable.size);
    const known = new Set<string>(PARAMETERS);
    const unknown = this.names.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`StackedNetworks does not know the parameters ${unknown.join(', ')}`);
    }
    this.weights = tf.tidy(() =>
      tf.variable(
        tf.stack(
          networks.map((network) =>
            tf.concat(this.names.map((name) => tf.reshape(network.store.get(name)!, [-1]))),
          ),
        ),
      ),
    );
  }

  /** The trainable variables (one). */
  get variables(): tf.Variable[] {
    return [this.weights];
  }

  /**
   * Logits [a, B] of the members `active` (indices into 0..K-1, a of them) on `x`, their rows
   * laid out by {@link StackedNetworks.input}. With `randoms` (one stream per active
   * member) the dropout layers are active and draw each member's masks from its own stream as
   * `FusionNetwork.apply(x, random)` would; without, the members run in inference mode.
   */
  apply(x: tf.Tensor2D, active: readonly number[], randoms?: readonly Random[]): tf.Tensor2D {
    const { nDetectors: m, dModel: d, nHeads, dropout: rate, identityEmbedding } = this.config;
    const a = active.length;
    const rows = x.shape[0] / m;
    const headSize = d / nHeads;
    return tf.tidy(() => {
      const p = this.parameters(active);
      // Token t = x·Wp + bp (+ identity), then each projection t·W + b, folded into
      // x·(Wp·W) + ((bp (+ identity))·W + b), with the members' blocks side by side: the input
      // carries indicator columns that pick each token's offset row, so one product
      // [B·M, a·3 + E]·[a·3 + E, a·D] gives the projection (E = M with the identity embedding,
      // whose offset differs per token, else 1).
      let base: tf.Tensor3D = tf.expandDims(p('projection.bias'), 1);
      if (identityEmbedding) base = tf.add(base, p('identity'));
      const baseRows = tf.reshape(tf.transpose(base, [1, 0, 2]), [-1, a * d]) as tf.Tensor2D;
      const projection = blockDiagonal(p('projection.weight'));
      const [q, k, v] = (['query', 'key', 'value'] as const).map((name) => {
        const w = blockDiagonal(p(`attention.${name}.weight`));
        const bias = tf.reshape(p(`attention.${name}.bias`), [a * d]) as tf.Tensor1D;
        const folded = tf.concat([matMulFast(projection, w), matMulFast(baseRows, w, bias)]);
        const projected = projectData(x, folded);
        // [B, M, a·H, dh] → [B, a·H, M, dh]: member k's heads are heads kH … kH + H − 1.
        return tf.transpose(tf.reshape(projected, [rows, m, a * nHeads, headSize]), [0, 2, 1, 3]);
      });
      // q·kᵀ with the transpose flag rather than nn's explicit transpose: the same sums, and on
      // this (naive, batched) product both operands are then read along contiguous rows.
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headSize));
      const weights = this.dropout(tf.softmax(scores), a, nHeads * m * m, rate, randoms);
      const attended = tf.matMul(weights, v);
      // Mean over the tokens, then the output projection (equal to projecting, then averaging).
      const pooledTokens = tf.reshape(tf.mean(attended, 2), [rows, a * d]) as tf.Tensor2D;
      const output = matMulFast(
        pooledTokens,
        blockDiagonal(p('attention.out.weight')),
        tf.reshape(p('attention.out.bias'), [a * d]),
      );
      // nn's LayerNorm per member: gamma and beta are [a, d].
      const scaled = layerNorm(
        tf.reshape(output, [rows, a, d]),
        p('pool.norm.gamma'),
        p('pool.norm.beta'),
      );
      const hidden = tf.relu(
        matMulFast(
          tf.reshape(scaled, [rows, a * d]),
          blockDiagonal(p('pool.dense.weight')),
          tf.reshape(p('pool.dense.bias'), [a * d]),
        ),
      );
      const dropped = this.dropout(hidden, a, d, rate, randoms) as tf.Tensor2D;
      const logits = matMulFast(
        dropped,
        blockDiagonal(p('head.weight')),
        tf.reshape(p('head.bias'), [a]),
      );
      return tf.transpose(logits) as tf.Tensor2D;
    });
  }

  /**
   * The input {@link StackedNetworks.apply} reads, [B·M, a·3 + E]: `batches[k]` holds member k's
   * rows [B, M, 3] (row-major, the same B for all), and row b·M + t of the result holds token t
   * of each member's b-th row, member k's 3 features in columns 3k … 3k + 2, then E indicator
   * columns that select the per-token offsets (with the identity embedding E = M and column
   * a·3 + t is 1; without, E = 1 and that column is 1).
   */
  input(batches: readonly Float32Array[]): tf.Tensor2D {
    const m = this.config.nDetectors;
    const a = batches.length;
    const extra = this.config.identityEmbedding ? m : 1;
    const width = a * TOKEN_WIDTH + extra;
    const tokens = batches[0].length / TOKEN_WIDTH;
    const out = new Float32Array(tokens * width);
    for (let t = 0; t < tokens; t++) {
      const row = t * width;
      for (let k = 0; k < a; k++) {
        const from = t * TOKEN_WIDTH;
        const to = row + k * TOKEN_WIDTH;
        out[to] = batches[k][from];
        out[to + 1] = batches[k][from + 1];
        out[to + 2] = batches[k][from + 2];
      }
      out[row + a * TOKEN_WIDTH + (extra === 1 ? 0 : t % m)] = 1;
    }
    return tf.tensor2d(out, [tokens, width]);
  }

  /**
   * Inference-mode logits of every member in `active` on `features` [N, M, 3] (row-major) with
   * the current weights, one array per member, computed for at most `chunkRows` rows of all
   * members together per pass (which bounds memory only).
   */
  logits(features: Float32Array, active: readonly number[], chunkRows: number): Float64Array[] {
    const m = this.config.nDetectors;
    const a = active.length;
    const rows = features.length / (m * TOKEN_WIDTH);
    const out = active.map(() => new Float64Array(rows));
    const step = Math.max(1, Math.floor(chunkRows / a));
    for (let start = 0; start < rows; start += step) {
      const count = Math.min(step, rows - start);
      const chunk = features.subarray(start * m * TOKEN_WIDTH, (start + count) * m * TOKEN_WIDTH);
      const logits = tf.tidy(() => this.apply(this.input(active.map(() => chunk)), active));
      const values = logits.dataSync();
      logits.dispose();
      for (let k = 0; k < a; k++) out[k].set(values.subarray(k * count, (k + 1) * count), start);
    }
    return out;
  }

  /** Writes the current weights of members `members[i]` into `networks[i]`. */
  copyMembers(members: readonly number[], networks: readonly FusionNetwork[]): void {
    if (members.length === 0) return;
    tf.tidy(() => {
      const rows = tf.unstack(this.weights);
      members.forEach((k, i) => {
        const parts = tf.split(rows[k], this.sizes);
        this.names.forEach((name, j) => {
          networks[i].store.get(name)!.assign(tf.reshape(parts[j], this.shapes[j]));
        });
      });
    });
  }

  /** Frees the stacked variable. */
  dispose(): void {
    this.weights.dispose();
  }

  /**
   * The parameters of the members `active`, [a, ...parameter shape] by name, taken apart from
   * the stacked variable by operations that gradients flow through.
   */
  private parameters(active: readonly number[]): <T extends tf.Tensor>(name: ParameterName) => T {
    const all = active.length === this.size && active.every((k, i) => k === i);
    let rows: tf.Tensor2D = this.weights as tf.Tensor as tf.Tensor2D;
    if (!all) {
      const parts = tf.unstack(this.weights);
      rows = tf.stack(active.map((k) => parts[k])) as tf.Tensor2D;
    }
    const a = active.length;
    const parts = tf.split(rows, this.sizes, 1);
    const byName = new Map<string, tf.Tensor>();
    this.names.forEach((name, j) => {
      byName.set(name, tf.reshape(parts[j], [a, ...this.shapes[j]]));
    });
    return <T extends tf.Tensor>(name: ParameterName) => byName.get(name)! as T;
  }

  /**
   * Inverted dropout on `x` laid out as [rows, a, chunk] (members side by side), each member's
   * mask drawn from its own stream; `x` itself without `randoms` or rate.
   */
  private dropout(
    x: tf.Tensor,
    a: number,
    chunk: number,
    rate: number,
    randoms: readonly Random[] | undefined,
  ): tf.Tensor {
    if (randoms === undefined || rate <= 0) return x;
    const mask = new Float32Array(x.size);
    for (let k = 0; k < a; k++) fillDropoutMask(mask, a, k, chunk, rate, randoms[k]);
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
  }
}
