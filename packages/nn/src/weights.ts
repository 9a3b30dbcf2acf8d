/**
 * Weight (de)serialisation to JSON-safe base64, through core's encodeArray/decodeArray, so it
 * works in Node and in the browser without tfjs-node's file handlers.
 */
import { decodeArray, encodeArray, FormatError } from '@decoders/core';
import { tf } from './backend.js';
import type { ParameterStore } from './parameters.js';

/** One saved tensor. */
export interface SavedTensor {
  shape: number[];
  /** float32 values, little-endian, base64. */
  data: string;
}

/** Saved weights by parameter name. */
export type SavedWeights = Record<string, SavedTensor>;

/** Reads every variable of `store` into JSON-safe form. */
export function saveWeights(store: ParameterStore): SavedWeights {
  const out: SavedWeights = {};
  for (const [name, variable] of store.entries()) {
    out[name] = {
      shape: [...variable.shape],
      data: encodeArray(variable.dataSync() as Float32Array),
    };
  }
  return out;
}

/**
 * Writes saved weights into the variables of `store`, which must have exactly the same names
 * and shapes (build the model from the same configuration first).
 * @throws FormatError when a weight is missing, extra, of another shape or not decodable.
 */
export function loadWeights(store: ParameterStore, saved: unknown): void {
  if (saved === null || typeof saved !== 'object') {
    throw new FormatError('saved weights must be an object of { shape, data } entries');
  }
  const entries = saved as Record<string, unknown>;
  const expected = new Set(store.entries().map(([name]) => name));
  for (const name of Object.keys(entries)) {
    if (!expected.has(name)) {
      throw new FormatError(`saved weights hold '${name}', which this model does not have`);
    }
  }
  const decoded: [string, Float32Array][] = [];
  for (const [name, variable] of store.entries()) {
    const entry = entries[name] as Partial<SavedTensor> | undefined;
    if (entry === undefined || entry === null || typeof entry !== 'object') {
      throw new FormatError(`saved weights lack '${name}': the file is truncated or foreign`);
    }
    const shape = entry.shape;
    if (
      !Array.isArray(shape) ||
      shape.length !== variable.shape.length ||
      shape.some((d, i) => d !== variable.shape[i])
    ) {
      throw new FormatError(
        `saved weight '${name}' has shape ${JSON.stringify(shape)}, expected [${variable.shape}]`,
      );
    }
    const values = decodeArray(entry.data, 'float32', `weight '${name}'`);
    if (values.length !== variable.size) {
      throw new FormatError(
        `saved weight '${name}' has ${values.length} values, expected ${variable.size}`,
      );
    }
    decoded.push([name, values]);
  }
  for (const [name, values] of decoded) {
    const variable = store.get(name)!;
    const value = tf.tensor(values, variable.shape, 'float32');
    variable.assign(value);
    value.dispose();
  }
}
