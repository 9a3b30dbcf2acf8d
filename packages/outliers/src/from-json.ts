/** Restores any detector of this package from its saved state. */
import { FormatError, loadState } from '@decoders/core';
import type { Detector } from './detector.js';
import { IsolationForest } from './isolation-forest.js';
import { LocalOutlierFactor } from './local-outlier-factor.js';
import { OneClassSVM } from './one-class-svm.js';

/**
 * Restores a detector saved by its `toJSON()` (the object or its JSON text), choosing the class
 * from the saved `format`.
 * @throws FormatError when the format is not one of this package's detectors, or the state is
 * corrupt or from a newer version.
 */
export function detectorFromJSON(json: unknown): Detector {
  const format = formatOf(json);
  switch (format) {
    case 'decoders.isolation-forest':
      return IsolationForest.fromJSON(json);
    case 'decoders.local-outlier-factor':
      return LocalOutlierFactor.fromJSON(json);
    case 'decoders.one-class-svm':
      return OneClassSVM.fromJSON(json);
    default:
      // Let core's loader explain what is wrong with the file in its usual words.
      loadState(json, 'decoders detector', 1);
      throw new FormatError(`saved format ${JSON.stringify(format)} is not a detector`);
  }
}

function formatOf(json: unknown): unknown {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object'
    ? (value as { format?: unknown }).format
    : undefined;
}
