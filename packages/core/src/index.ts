export {
  AbortError,
  DecodersError,
  FormatError,
  NotFittedError,
  throwIfAborted,
  ValidationError,
} from './errors.js';
export type { SavedState } from './format.js';
export { checksum, decodeArray, encodeArray, loadState, saveState } from './format.js';
export type { Logger, ProgressCallback, ProgressEvent } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { DenseMatrix, MatrixInput, ToDenseOptions } from './matrix.js';
export {
  concatColumns,
  denseMatrix,
  isDenseMatrix,
  rowView,
  selectRows,
  toDense,
  toMlMatrix,
  toRows,
  zeros,
} from './matrix.js';
export { Random } from './random.js';
export type { Bounds } from './validate.js';
export {
  checkBinaryLabels,
  checkFinite,
  checkInteger,
  checkNumber,
  checkOneOf,
} from './validate.js';
