/**
 * The reference model's weight initialisation. Every torch.nn.Linear draws weight and bias from
 * U(±1/√fanIn); attention projections follow torch.nn.MultiheadAttention (see @decoders/nn).
 * Matching it matters on wide-ranged data: with Glorot weights the NSL-KDD run stalled early.
 */
export const TORCH_LINEAR = { init: 'fanIn', biasInit: 'fanIn' } as const;
