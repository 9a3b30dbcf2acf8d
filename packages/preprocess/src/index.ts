export type { CsvOptions, CsvSource, IterateCsvOptions } from './csv.js';
export { iterateCsv, parseCsv, parseNumber, readCsv } from './csv.js';
export { normalQuantile } from './inverse-normal.js';
export type { OneHotEncoderOptions } from './one-hot-encoder.js';
export { compareCodePoints, NO_SLOT, OneHotEncoder, sortCategories } from './one-hot-encoder.js';
export type { RobustScalerOptions } from './robust-scaler.js';
export { median, quantiles, RobustScaler } from './robust-scaler.js';
export type {
  TrainTestIndices,
  TrainTestSplitOptions,
  TrainValidationTestIndices,
  TrainValidationTestSplitOptions,
} from './split.js';
export { timeOrderedSplit, trainTestSplit, trainValidationTestSplit } from './split.js';
export { parseSplitFile, readSplitFile } from './split-file.js';
export type { CellValue, ColumnData, NumericColumn, TextColumn } from './table.js';
export { Table } from './table.js';
export type { ColumnType, TabularPreprocessorOptions } from './tabular-preprocessor.js';
export { TabularPreprocessor } from './tabular-preprocessor.js';
export { dayOfWeek, hourOfDay, isIsoTimestamp, parseTimestamp } from './timestamp.js';
