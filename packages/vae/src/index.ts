/**
 * @decoders/vae: a Patch-Transformer variational autoencoder for tabular rows.
 * @packageDocumentation
 */

export type {
  PatchTransformerVAEOptions,
  TrainingHistory,
  VaeFitOptions,
} from './patch-transformer-vae.js';
export { PatchTransformerVAE } from './patch-transformer-vae.js';
