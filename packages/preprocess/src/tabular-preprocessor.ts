/**
 * A column transformer for mixed tables, after scikit-learn's
 * `ColumnTransformer([('num', RobustScaler(), num), ('cat', OneHotEncoder(handle_unknown='ignore'),
 * cat)])`: numeric features first, in table order, then one-hot blocks, in table order.
 * Numeric gaps are imputed with the training median; a categorical gap is the category `nan`.
 */
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  type DenseMatrix,
  denseMatrix,
  FormatError,
  type Logger,
  loadState,
  NotFittedError,
  saveState,
  silentLogger,
  ValidationError,
} from '@decoders/core';
import { parseNumber } from './csv.js';
import { OneHotEncoder, type OneHotEncoderOptions } from './one-hot-encoder.js';
import { quantiles, RobustScaler, type RobustScalerOptions } from './robust-scaler.js';
import { type ColumnData, describeNames, Table } from './table.js';
import { dayOfWeek, hourOfDay, isIsoTimestamp, parseTimestamp } from './timestamp.js';

/** How a column is treated: scaled, one-hot encoded, or expanded as a timestamp. */
export type ColumnType = 'numeric' | 'categorical' | 'timestamp';

/** Options of {@link TabularPreprocessor}. */
export interface TabularPreprocessorOptions {
  /** Column types that override inference. Default: inferred (all-number columns are numeric). */
  schema?: Readonly<Record<string, ColumnType>>;
  /** Columns left out of the features. Default `[]`. */
  drop?: readonly string[];
  /** The label column, left out of the features. Default: none. */
  target?: string;
  /**
   * The columns to transform; every other column (beyond `drop` and `target`) goes to
   * `remainder`. Default: all columns.
   */
  columns?: readonly string[];
  /** Columns the identifier guard must keep. Default `[]`. */
  keepIdentifiers?: readonly string[];
  /** Options of the numeric scaler. Default `{ withCentering: true, withScaling: true }`. */
  scaler?: RobustScalerOptions;
  /** Options of the one-hot encoder. Default `{ handleUnknown: 'ignore' }`. */
  encoder?: Omit<OneHotEncoderOptions, 'columnNames'>;
  /**
   * Columns outside `columns`: `'drop'` them, or `'passthrough'` their raw numbers (missing
   * values imputed with the training median) after the one-hot blocks. Default `'drop'`.
   */
  remainder?: 'drop' | 'passthrough';
  /** One-hot output width above which a warning is logged. Default `1000`. */
  maxWidth?: number;
  /** Timestamps: `'expand'` to hour-of-day and day-of-week, or `'drop'`. Default `'expand'`. */
  timestamps?: 'expand' | 'drop';
  /**
   * A text column with more distinct values than this fraction of rows is an identifier
   * (checked on tables of at least 20 rows). Default `0.5`.
   */
  identifierRatio?: number;
  /** Receives the encoded width, identifier warnings and width warnings. Default: silent. */
  logger?: Logger;
}

interface ResolvedOptions {
  schema: Map<string, ColumnType>;
  drop: string[];
  target: string | undefined;
  columns: string[] | undefined;
  keepIdentifiers: string[];
  scaler: RobustScalerOptions;
  encoder: Omit<OneHotEncoderOptions, 'columnNames'>;
  remainder: 'drop' | 'passthrough';
  maxWidth: number;
  timestamps: 'expand' | 'drop';
  identifierRatio: number;
}

/** One numeric output before scaling: a column's value, or a part of its timestamp. */
interface NumericFeature {
  source: string;
  name: string;
  extract: 'value' | 'hour' | 'dayofweek';
}

interface Fitted {
  inputColumns: string[];
  numeric: NumericFeature[];
  /** Training medians of the numeric features, used to fill gaps. */
  fill: Float64Array;
  scaler: RobustScaler | null;
  categorical: string[];
  encoder: OneHotEncoder | null;
  passthrough: string[];
  passthroughFill: Float64Array;
  dropped: string[];
}

const FORMAT = 'decoders.tabular-preprocessor';
const VERSION = 1;
/** Text that stands for a missing categorical cell, as pandas' `astype(str)` writes NaN. */
const MISSING_CATEGORY = 'nan';
/**
 * Last name tokens that mark an identifier (`user_id`, `src_ip`, `device`, `SessionID`); a
 * name that only starts with one (`device_type`, `user_count`) is a feature.
 */
const IDENTIFIER_TOKENS = new Set([
  'id',
  'uuid',
  'guid',
  'user',
  'userid',
  'username',
  'device',
  'deviceid',
  'ip',
  'ipaddr',
  'ipaddress',
  'mac',
  'session',
  'sessionid',
  'email',
]);
const IDENTIFIER_MIN_ROWS = 20;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i;
const MAC = /^(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;

/**
 * Turns a mixed table into a dense, model-ready matrix: numeric columns through a
 * {@link RobustScaler}, categorical columns through a {@link OneHotEncoder}.
 *
 * Output names follow scikit-learn's `get_feature_names_out` without transformer prefixes:
 * a numeric column keeps its name, a one-hot column is `<column>_<value>` (a missing value
 * reads `nan`, the infrequent group `<column>_infrequent_sklearn`), a timestamp gives
 * `<column>_hour` and `<column>_dayofweek`.
 *
 * @example
 * const table = Table.fromRows([{ bytes: 10, proto: 'tcp' }, { bytes: 30, proto: 'udp' }]);
 * const pre = new TabularPreprocessor();
 * const X = pre.fitTransform(table); // 2 x 3
 * pre.featureNamesOut; // ['bytes', 'proto_tcp', 'proto_udp']
 */
export class TabularPreprocessor {
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private state: Fitted | null = null;

  constructor(options: TabularPreprocessorOptions = {}) {
    this.options = resolveOptions(options);
    this.logger = options.logger ?? silentLogger;
  }

  private fitted(method: string): Fitted {
    if (this.state === null) throw new NotFittedError('TabularPreprocessor', method);
    return this.state;
  }

  /** Output column names (see the class comment for the naming rule). */
  get featureNamesOut(): string[] {
    const s = this.fitted('featureNamesOut');
    return [
      ...s.numeric.map((f) => f.name),
      ...(s.encoder?.featureNamesOut ?? []),
      ...s.passthrough,
    ];
  }

  /** The input column behind each output column. */
  get featureSources(): string[] {
    const s = this.fitted('featureSources');
    const sources = s.numeric.map((f) => f.source);
    s.encoder?.blockWidths.forEach((w, j) => {
      for (let k = 0; k < w; k++) sources.push(s.categorical[j]);
    });
    return [...sources, ...s.passthrough];
  }

  /** The columns `transform` reads, in table order. */
  get inputColumns(): string[] {
    return [...this.fitted('inputColumns').inputColumns];
  }

  /** Columns scaled as numbers (timestamps excluded). */
  get numericColumns(): string[] {
    const s = this.fitted('numericColumns');
    return s.numeric.filter((f) => f.extract === 'value').map((f) => f.source);
  }

  /** Columns one-hot encoded. */
  get categoricalColumns(): string[] {
    return [...this.fitted('categoricalColumns').categorical];
  }

  /** Columns the identifier guard or the timestamp policy left out. */
  get droppedColumns(): string[] {
    return [...this.fitted('droppedColumns').dropped];
  }

  /** Number of output columns. */
  get outputWidth(): number {
    return this.featureNamesOut.length;
  }

  /** The fitted scaler, or null when there is no numeric feature. */
  get scaler(): RobustScaler | null {
    return this.fitted('scaler').scaler;
  }

  /** The fitted encoder, or null when there is no categorical column. */
  get encoder(): OneHotEncoder | null {
    return this.fitted('encoder').encoder;
  }

  /**
   * Learns column types, medians, ranges and categories from `table`.
   * @throws ValidationError on an empty table, unknown column names in the options, an
   * all-missing column, text in a column declared numeric, or no feature left.
   */
  fit(table: Table): this {
    checkTable(table, 'fit');
    if (table.rowCount === 0) {
      throw new ValidationError('table is empty: fit needs at least one row');
    }
    const o = this.options;
    const named = [...o.drop, ...o.keepIdentifiers, ...o.schema.keys(), ...(o.columns ?? [])];
    if (o.target !== undefined) named.push(o.target);
    const unknown = named.filter((name) => !table.hasColumn(name));
    if (unknown.length > 0) {
      throw new ValidationError(
        `options name ${describeNames(unknown)} but the table has no such column: ` +
          `its columns are ${describeNames(table.columnNames)}`,
      );
    }
    const excluded = new Set(o.drop);
    if (o.target !== undefined) excluded.add(o.target);
    const selected = new Set(o.columns ?? table.columnNames);
    const numeric: NumericFeature[] = [];
    const categorical: string[] = [];
    const passthrough: string[] = [];
    const dropped: string[] = [];
    for (const name of table.columnNames) {
      if (excluded.has(name)) continue;
      const data = table.columnData(name);
      if (!selected.has(name)) {
        if (o.remainder === 'passthrough') {
          checkPassthrough(data, name);
          passthrough.push(name);
        }
        continue;
      }
      const type = this.columnType(name, data, table.rowCount);
      if (type === 'identifier') {
        dropped.push(name);
      } else if (type === 'timestamp') {
        if (o.timestamps === 'drop') {
          this.logger.info?.(`dropped timestamp column ${JSON.stringify(name)}`, { column: name });
          dropped.push(name);
        } else {
          numeric.push({ source: name, name: `${name}_hour`, extract: 'hour' });
          numeric.push({ source: name, name: `${name}_dayofweek`, extract: 'dayofweek' });
        }
      } else if (type === 'numeric') {
        numeric.push({ source: name, name, extract: 'value' });
      } else {
        categorical.push(name);
      }
    }
    if (numeric.length + categorical.length + passthrough.length === 0) {
      throw new ValidationError(
        'no feature column is left after drop, target and the identifier guard: ' +
          'keep at least one column (see keepIdentifiers)',
      );
    }

    const n = table.rowCount;
    const numericMatrix = new Float64Array(n * numeric.length);
    numeric.forEach((feature, j) => {
      const values = featureValues(table.columnData(feature.source), feature);
      for (let i = 0; i < n; i++) {
        // Infinite values count as gaps, as the reference maps them to NaN before scaling.
        const v = values[i];
        numericMatrix[i * numeric.length + j] = Number.isFinite(v) ? v : Number.NaN;
      }
    });
    const fill = new Float64Array(numeric.length);
    numeric.forEach((feature, j) => {
      fill[j] = presentMedian(numericMatrix, numeric.length, j, feature.source);
    });
    const scaler =
      numeric.length > 0
        ? new RobustScaler(o.scaler).fit(denseMatrix(numericMatrix, n, numeric.length))
        : null;

    let encoder: OneHotEncoder | null = null;
    if (categorical.length > 0) {
      const counts = categorical.map((name) => categoryCounts(table.columnData(name)));
      encoder = new OneHotEncoder({ handleUnknown: 'ignore', ...o.encoder }).fitCounts(
        categorical,
        counts,
        n,
      );
    }

    const passthroughFill = new Float64Array(passthrough.length);
    passthrough.forEach((name, j) => {
      const values = numericValues(table.columnData(name), name);
      passthroughFill[j] = presentMedian(values, 1, 0, name);
    });

    const used = new Set([...numeric.map((f) => f.source), ...categorical, ...passthrough]);
    this.state = {
      inputColumns: table.columnNames.filter((name) => used.has(name)),
      numeric,
      fill,
      scaler,
      categorical,
      encoder,
      passthrough,
      passthroughFill,
      dropped,
    };
    const oneHot = encoder?.outputWidth ?? 0;
    this.logger.info?.(
      `encoded width ${numeric.length + oneHot + passthrough.length}: ` +
        `${numeric.length} numeric, ${oneHot} one-hot, ${passthrough.length} passthrough`,
      { numeric: numeric.length, oneHot, passthrough: passthrough.length },
    );
    if (oneHot > o.maxWidth) {
      this.logger.warn?.(
        `one-hot output is ${oneHot} columns wide, above maxWidth ${o.maxWidth}: ` +
          'group rare values with minFrequency or maxCategories, or drop high-cardinality columns',
        { oneHot, maxWidth: o.maxWidth },
      );
    }
    return this;
  }

  private columnType(name: string, data: ColumnData, rows: number): ColumnType | 'identifier' {
    const declared = this.options.schema.get(name);
    if (declared === 'timestamp') return 'timestamp';
    if (declared === undefined && data.kind === 'text' && looksLikeTimestamps(data)) {
      return 'timestamp';
    }
    const type: ColumnType = declared ?? (data.kind === 'numeric' ? 'numeric' : 'categorical');
    if (type === 'numeric') numericValues(data, name);
    if (allMissing(data)) {
      throw new ValidationError(
        `column ${JSON.stringify(name)} has only missing values: list it in drop`,
      );
    }
    if (this.options.keepIdentifiers.includes(name)) return type;
    const reason = identifierReason(name, data, type, rows, this.options.identifierRatio);
    if (reason === null) return type;
    this.logger.warn?.(
      `column ${JSON.stringify(name)} looks like an identifier (${reason}) and was dropped: ` +
        'list it in keepIdentifiers to keep it',
      { column: name, reason },
    );
    return 'identifier';
  }

  /**
   * Encodes `table` with the fitted state. Extra columns are ignored.
   * @throws ValidationError when a fitted column is missing or a numeric column holds text.
   */
  transform(table: Table): DenseMatrix<Float64Array> {
    const s = this.fitted('transform()');
    checkTable(table, 'transform');
    const missing = s.inputColumns.filter((name) => !table.hasColumn(name));
    if (missing.length > 0) {
      throw new ValidationError(
        `table lacks column ${describeNames(missing)} seen in fit: ` +
          'add it (its cells may be empty)',
      );
    }
    const n = table.rowCount;
    const nNumeric = s.numeric.length;
    const oneHot = s.encoder?.outputWidth ?? 0;
    const width = nNumeric + oneHot + s.passthrough.length;
    const out = new Float64Array(n * width);

    if (s.scaler !== null) {
      const center = s.scaler.center;
      const scale = s.scaler.scale;
      s.numeric.forEach((feature, j) => {
        const values = featureValues(table.columnData(feature.source), feature);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          const x = Number.isFinite(v) ? v : s.fill[j];
          out[i * width + j] = (x - center[j]) / scale[j];
        }
      });
    }

    if (s.encoder !== null) {
      const encoder = s.encoder;
      s.categorical.forEach((name, j) => {
        const slots = categorySlots(table.columnData(name), encoder, j);
        for (let i = 0; i < n; i++) {
          const slot = slots(i);
          if (slot >= 0) out[i * width + nNumeric + slot] = 1;
        }
      });
    }

    s.passthrough.forEach((name, j) => {
      const values = numericValues(table.columnData(name), name);
      const col = nNumeric + oneHot + j;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i * width + col] = Number.isFinite(v) ? v : s.passthroughFill[j];
      }
    });
    return denseMatrix(out, n, width);
  }

  /** `fit(table)` then `transform(table)`. */
  fitTransform(table: Table): DenseMatrix<Float64Array> {
    return this.fit(table).transform(table);
  }

  /** Saved state (the logger is not saved). */
  toJSON() {
    const s = this.fitted('toJSON()');
    const o = this.options;
    return saveState(FORMAT, VERSION, {
      options: {
        schema: [...o.schema.entries()],
        drop: o.drop,
        target: o.target ?? null,
        columns: o.columns ?? null,
        keepIdentifiers: o.keepIdentifiers,
        scaler: o.scaler,
        encoder: o.encoder,
        remainder: o.remainder,
        maxWidth: o.maxWidth,
        timestamps: o.timestamps,
        identifierRatio: o.identifierRatio,
      },
      inputColumns: s.inputColumns,
      numeric: s.numeric,
      fill: Array.from(s.fill),
      scaler: s.scaler?.toJSON() ?? null,
      categorical: s.categorical,
      encoder: s.encoder?.toJSON() ?? null,
      passthrough: s.passthrough,
      passthroughFill: Array.from(s.passthroughFill),
      dropped: s.dropped,
    });
  }

  /**
   * Restores a preprocessor saved by `toJSON()`.
   * @throws FormatError on corrupt or foreign input.
   */
  static fromJSON(json: unknown, logger?: Logger): TabularPreprocessor {
    // biome-ignore lint/suspicious/noExplicitAny: shape is checked field by field below
    const state = loadState<any>(json, FORMAT, VERSION);
    try {
      const so = state.options;
      const schema: Record<string, ColumnType> = Object.create(null);
      for (const [name, type] of so.schema as [string, ColumnType][]) schema[name] = type;
      const pre = new TabularPreprocessor({
        schema,
        drop: so.drop,
        target: so.target ?? undefined,
        columns: so.columns ?? undefined,
        keepIdentifiers: so.keepIdentifiers,
        scaler: so.scaler,
        encoder: so.encoder,
        remainder: so.remainder,
        maxWidth: so.maxWidth,
        timestamps: so.timestamps,
        identifierRatio: so.identifierRatio,
        logger,
      });
      const numeric = (state.numeric as NumericFeature[]).map((f) => ({
        source: stringOf(f.source),
        name: stringOf(f.name),
        extract: checkOneOf('extract', f.extract, ['value', 'hour', 'dayofweek'] as const),
      }));
      const scaler = state.scaler === null ? null : RobustScaler.fromJSON(state.scaler);
      const encoder = state.encoder === null ? null : OneHotEncoder.fromJSON(state.encoder);
      const fill = Float64Array.from(state.fill as number[]);
      const passthroughFill = Float64Array.from(state.passthroughFill as number[]);
      const categorical = (state.categorical as unknown[]).map(stringOf);
      const passthrough = (state.passthrough as unknown[]).map(stringOf);
      if (
        fill.length !== numeric.length ||
        (scaler?.nFeatures ?? 0) !== numeric.length ||
        (encoder?.nFeatures ?? 0) !== categorical.length ||
        passthroughFill.length !== passthrough.length
      ) {
        throw new FormatError('fitted parts disagree in size');
      }
      pre.state = {
        inputColumns: (state.inputColumns as unknown[]).map(stringOf),
        numeric,
        fill,
        scaler,
        categorical,
        encoder,
        passthrough,
        passthroughFill,
        dropped: (state.dropped as unknown[]).map(stringOf),
      };
      return pre;
    } catch (error) {
      if (error instanceof FormatError && error.message.startsWith('saved ')) throw error;
      throw new FormatError(
        `saved ${FORMAT} is malformed (${(error as Error).message}): the file is corrupt`,
      );
    }
  }
}

/** A passthrough column must hold numbers: text cannot reach a model unencoded. */
function checkPassthrough(data: ColumnData, name: string): void {
  try {
    numericValues(data, name);
  } catch {
    throw new ValidationError(
      `remainder column ${JSON.stringify(name)} holds text, which passthrough cannot pass to a ` +
        'model: list it in columns to encode it, or drop it',
    );
  }
}

function stringOf(value: unknown): string {
  if (typeof value !== 'string') throw new FormatError(`expected a string, got ${typeof value}`);
  return value;
}

function checkTable(table: unknown, method: string): asserts table is Table {
  if (!(table instanceof Table)) {
    throw new ValidationError(
      `${method} needs a Table: build one with Table.fromRows, Table.fromColumns or readCsv`,
    );
  }
}

function allMissing(data: ColumnData): boolean {
  if (data.kind === 'numeric') return data.values.every((v) => Number.isNaN(v));
  return data.codes.every((c) => c < 0);
}

function presentMedian(values: Float64Array, stride: number, j: number, name: string): number {
  const present = new Float64Array(Math.ceil((values.length - j) / stride));
  let n = 0;
  for (let k = j; k < values.length; k += stride) {
    const v = values[k];
    if (Number.isFinite(v)) present[n++] = v;
  }
  if (n === 0) {
    throw new ValidationError(
      `column ${JSON.stringify(name)} has no finite value: list it in drop`,
    );
  }
  return quantiles(present.subarray(0, n), [])[0];
}

/**
 * The numbers of a column; a text column declared numeric is parsed, and a cell that is not a
 * number fails naming its row. Missing cells are NaN; infinite values are kept (treated as gaps).
 */
function numericValues(data: ColumnData, name: string): Float64Array {
  if (data.kind === 'numeric') return data.values;
  const parsed = data.levels.map((level) => parseNumber(level));
  const out = new Float64Array(data.codes.length);
  for (let i = 0; i < out.length; i++) {
    const c = data.codes[i];
    if (c < 0) {
      out[i] = Number.NaN;
      continue;
    }
    const v = parsed[c];
    if (v === undefined) {
      throw new ValidationError(
        `column ${JSON.stringify(name)} is numeric but row ${i} holds ` +
          `${JSON.stringify(data.levels[c])}: ` +
          'fix the value, or declare the column categorical in schema',
      );
    }
    out[i] = v;
  }
  return out;
}

function featureValues(data: ColumnData, feature: NumericFeature): Float64Array {
  if (feature.extract === 'value') return numericValues(data, feature.source);
  const part = feature.extract === 'hour' ? hourOfDay : dayOfWeek;
  const n = data.kind === 'numeric' ? data.values.length : data.codes.length;
  const out = new Float64Array(n);
  const levelTimes =
    data.kind === 'text' ? data.levels.map((level) => parseTimestamp(level)) : null;
  for (let i = 0; i < n; i++) {
    let ms: number;
    if (data.kind === 'numeric') {
      const v = data.values[i];
      ms = Number.isNaN(v) ? Number.NaN : parseTimestamp(v);
    } else {
      const c = data.codes[i];
      if (c < 0) {
        out[i] = Number.NaN;
        continue;
      }
      ms = levelTimes![c];
      if (Number.isNaN(ms)) {
        throw new ValidationError(
          `column ${JSON.stringify(feature.source)} holds timestamps but row ${i} is ` +
            `${JSON.stringify(data.levels[c])}: use ISO-8601 text or epoch numbers`,
        );
      }
    }
    out[i] = Number.isNaN(ms) ? Number.NaN : part(ms);
  }
  return out;
}

function looksLikeTimestamps(data: { codes: Int32Array; levels: readonly string[] }): boolean {
  return data.levels.length > 0 && data.levels.every(isIsoTimestamp);
}

/** Counts per category; a missing cell counts as the category `nan`. */
function categoryCounts(data: ColumnData): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string, k: number) => counts.set(key, (counts.get(key) ?? 0) + k);
  if (data.kind === 'numeric') {
    for (const v of data.values) add(Number.isNaN(v) ? MISSING_CATEGORY : String(v), 1);
    return counts;
  }
  const perLevel = new Float64Array(data.levels.length);
  let missing = 0;
  for (const c of data.codes) {
    if (c < 0) missing++;
    else perLevel[c]++;
  }
  data.levels.forEach((level, k) => {
    if (perLevel[k] > 0) add(level, perLevel[k]);
  });
  if (missing > 0) add(MISSING_CATEGORY, missing);
  return counts;
}

/** A function from row to output slot of one categorical column, caching per distinct value. */
function categorySlots(
  data: ColumnData,
  encoder: OneHotEncoder,
  column: number,
): (row: number) => number {
  const UNSEEN = -2;
  if (data.kind === 'text') {
    const perLevel = new Int32Array(data.levels.length).fill(UNSEEN);
    let missingSlot = UNSEEN;
    return (i) => {
      const c = data.codes[i];
      if (c < 0) {
        if (missingSlot === UNSEEN) missingSlot = encoder.slotOf(column, MISSING_CATEGORY, i);
        return missingSlot;
      }
      if (perLevel[c] === UNSEEN) perLevel[c] = encoder.slotOf(column, data.levels[c], i);
      return perLevel[c];
    };
  }
  const cache = new Map<number, number>();
  return (i) => {
    const v = data.values[i];
    let slot = cache.get(v);
    if (slot === undefined) {
      slot = encoder.slotOf(column, Number.isNaN(v) ? MISSING_CATEGORY : String(v), i);
      cache.set(v, slot);
    }
    return slot;
  };
}

function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function identifierReason(
  name: string,
  data: ColumnData,
  type: ColumnType,
  rows: number,
  ratio: number,
): string | null {
  const tokens = nameTokens(name);
  const joined = tokens.join('');
  const last = tokens.at(-1) ?? '';
  const previous = tokens.at(-2) ?? '';
  const address =
    (last === 'address' || last === 'addr') && ['ip', 'mac', 'email'].includes(previous);
  if (IDENTIFIER_TOKENS.has(last) || IDENTIFIER_TOKENS.has(joined) || address) {
    return `its name ends in ${JSON.stringify(address ? `${previous}_${last}` : last)}`;
  }
  if (data.kind !== 'text' || type !== 'categorical') return null;
  const sample = data.levels.slice(0, 100);
  if (sample.length > 0 && sample.every((v) => IPV4.test(v) || IPV6.test(v) || MAC.test(v))) {
    return 'its values are network addresses';
  }
  if (rows >= IDENTIFIER_MIN_ROWS && data.levels.length > ratio * rows) {
    return `${data.levels.length} distinct values on ${rows} rows`;
  }
  return null;
}

function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ValidationError(`${name} must be an array of column names`);
  }
  return [...value];
}

function resolveOptions(options: TabularPreprocessorOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('TabularPreprocessor options must be an object');
  }
  const schema = new Map<string, ColumnType>();
  if (options.schema !== undefined) {
    if (options.schema === null || typeof options.schema !== 'object') {
      throw new ValidationError('schema must map column names to column types');
    }
    for (const name of Object.keys(options.schema)) {
      const type = Object.getOwnPropertyDescriptor(options.schema, name)?.value;
      schema.set(
        name,
        checkOneOf(`schema[${JSON.stringify(name)}]`, type, [
          'numeric',
          'categorical',
          'timestamp',
        ] as const),
      );
    }
  }
  if (options.target !== undefined && typeof options.target !== 'string') {
    throw new ValidationError(`target must be a column name, got ${typeof options.target}`);
  }
  const columns =
    options.columns === undefined ? undefined : stringList('columns', options.columns);
  if (columns !== undefined && columns.length === 0) {
    throw new ValidationError('columns must name at least one column (or be left out)');
  }
  const scaler = { withCentering: true, withScaling: true, ...(options.scaler ?? {}) };
  new RobustScaler(scaler);
  const encoder = { ...(options.encoder ?? {}) };
  new OneHotEncoder({ handleUnknown: 'ignore', ...encoder });
  return {
    schema,
    drop: stringList('drop', options.drop),
    target: options.target,
    columns,
    keepIdentifiers: stringList('keepIdentifiers', options.keepIdentifiers),
    scaler,
    encoder,
    remainder: checkOneOf('remainder', options.remainder ?? 'drop', [
      'drop',
      'passthrough',
    ] as const),
    maxWidth: checkInteger('maxWidth', options.maxWidth ?? 1000, { min: 1 }),
    timestamps: checkOneOf('timestamps', options.timestamps ?? 'expand', [
      'expand',
      'drop',
    ] as const),
    identifierRatio: checkNumber('identifierRatio', options.identifierRatio ?? 0.5, {
      min: 0,
      max: 1,
      minExclusive: true,
    }),
  };
}
