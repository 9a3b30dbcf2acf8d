/**
 * Bytes of a saved pipeline: gzip-compressed UTF-8 JSON of a core `saveState` envelope. The
 * compression uses the web-standard `CompressionStream`, present in Node 18+ and browsers, so
 * this module imports nothing from Node. Reading only decompresses and parses JSON.
 */

import type { SavedState } from '@decoders/core';
import { FormatError, loadState, saveState } from '@decoders/core';

/** Format name of a saved pipeline. */
export const MODEL_FORMAT = 'decoders.pipeline';
/** Newest model layout this release writes and reads. */
export const MODEL_VERSION = 1;

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream) {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Serialises `state` as a checked envelope; gzip-compressed unless `compress` is false. */
export async function encodeModel(state: unknown, compress = true): Promise<Uint8Array> {
  const text = JSON.stringify(saveState(MODEL_FORMAT, MODEL_VERSION, state));
  const bytes = new TextEncoder().encode(text);
  return compress ? pipe(bytes, new CompressionStream('gzip')) : bytes;
}

/**
 * Reads bytes written by {@link encodeModel} (compressed or not) and returns the checked state.
 * @throws FormatError for bytes that are not a model, are truncated or edited, or come from a
 * newer format version.
 */
export async function decodeModel(bytes: Uint8Array): Promise<unknown> {
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError('a model must be given as bytes (Uint8Array or Buffer)');
  }
  if (bytes.length === 0) throw new FormatError('the model file is empty');
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = await pipe(bytes, new DecompressionStream('gzip'));
    } catch (error) {
      throw new FormatError(
        `the model file is a damaged gzip stream (${(error as Error).message}): it is truncated or corrupt, save it again`,
      );
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new FormatError('not a Decoders model file: it is neither gzip nor UTF-8 JSON');
  }
  if (!text.trimStart().startsWith('{')) {
    throw new FormatError('not a Decoders model file: it is neither gzip nor a JSON object');
  }
  return loadState(text, MODEL_FORMAT, MODEL_VERSION);
}

/** Exposed for tests and tools: wraps state as {@link encodeModel} does, without bytes. */
export function modelEnvelope(state: unknown): SavedState {
  return saveState(MODEL_FORMAT, MODEL_VERSION, state);
}
