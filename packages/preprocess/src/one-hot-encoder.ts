/**
 * One-hot encoding of categorical columns, as scikit-learn's OneHotEncoder (dense output):
 * sorted categories, unknown-value policies, and grouping of rare values into one
 * `<column>_infrequent_sklearn` column.
 */
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  type DenseMatrix,
  denseMatrix,
  FormatError,
  loadState,
  NotFittedError,
  saveState,
  ValidationError,
} from '@decoders/core';
import type { CellValue } from './table.js';

/** Options of {@link OneHotEncoder}. */
export interface OneHotEncoderOptions {
  /**
   * What `transform` does with a value not seen by `fit`: `'error'` throws, `'ignore'` writes an
   * all-zero block, `'infrequentIfExist'` uses the infrequent column when the column has one
   * (else all zeros). Default `'error'` (as scikit-learn).
   */
  handleUnknown?: 'error' | 'ignore' | 'infrequentIfExist';
  /**
   * Categories seen fewer times than this are grouped as infrequent: an integer count, or a
   * fraction of the rows in (0, 1). Default: no grouping.
   */
  minFrequency?: number;
  /** Most output columns per input column, infrequent one included (>= 2). Default: no limit. */
  maxCategories?: number;
  /** Input column names for `featureNamesOut`. Default `x0`, `x1`, ... */
  columnNames?: readonly string[];
}

interface ResolvedOptions {
  handleUnknown: 'error' | 'ignore' | 'infrequentIfExist';
  minFrequency: number | undefined;
  maxCategories: number | undefined;
  columnNames: readonly string[] | undefined;
}

/** The fitted encoding of one input column. */
interface ColumnCode {
  /** Sorted categories; a missing value (null) sorts last. */
  categories: CellValue[];
  /** Indices into `categories` grouped as infrequent. */
  infrequent: number[];
  /** Output offset (within the whole output) of each category. */
  slots: Map<string | number, number>;
  nullSlot: number;
  /** Output offset of the infrequent column, or -1. */
  infrequentSlot: number;
}

const FORMAT = 'decoders.one-hot-encoder';
const VERSION = 1;
/** `slotOf` result for an unknown value that maps to an all-zero block. */
export const NO_SLOT = -1;

/**
 * Encodes each categorical input column as a block of 0/1 indicator columns.
 *
 * @example
 * const enc = new OneHotEncoder({ columnNames: ['proto'] }).fit([['tcp'], ['udp']]);
 * enc.featureNamesOut; // ['proto_tcp', 'proto_udp']
 */
export class OneHotEncoder {
  /** The resolved options. */
  readonly options: Readonly<ResolvedOptions>;
  private names: string[] | null = null;
  private codes: ColumnCode[] | null = null;
  private width = 0;

  constructor(options: OneHotEncoderOptions = {}) {
    this.options = resolveOptions(options);
  }

  /**
   * Learns the categories of each column of `X` (rows of strings, numbers or null).
   * @throws ValidationError on empty or ragged input, or a column mixing numbers and strings.
   */
  fit(X: readonly (readonly CellValue[])[]): this {
    const cols = checkRows(X, undefined);
    const counts: Map<CellValue, number>[] = [];
    for (let j = 0; j < cols; j++) counts.push(new Map());
    for (const row of X) {
      for (let j = 0; j < cols; j++) {
        const v = cellOf(row[j]);
        counts[j].set(v, (counts[j].get(v) ?? 0) + 1);
      }
    }
    const names = this.options.columnNames ?? counts.map((_, j) => `x${j}`);
    if (names.length !== cols) {
      throw new ValidationError(
        `columnNames has ${names.length} names but X has ${cols} columns: pass one name per column`,
      );
    }
    return this.fitCounts(names, counts, X.length);
  }

  /**
   * Fits from per-column value counts (what `fit` computes); for callers that already hold
   * counted columns, such as {@link TabularPreprocessor}.
   */
  fitCounts(
    names: readonly string[],
    counts: readonly Map<CellValue, number>[],
    rows: number,
  ): this {
    if (rows < 1) throw new ValidationError('X is empty: pass at least one row');
    const codes: ColumnCode[] = [];
    let offset = 0;
    for (let j = 0; j < counts.length; j++) {
      const categories = sortCategories([...counts[j].keys()], names[j]);
      const frequency = categories.map((c) => counts[j].get(c) ?? 0);
      const infrequent = this.findInfrequent(frequency, rows);
      const code = buildCode(categories, infrequent, offset);
      offset += blockWidth(code);
      codes.push(code);
    }
    this.names = [...names];
    this.codes = codes;
    this.width = offset;
    return this;
  }

  /** scikit-learn's rule: below `minFrequency`, then the rarest beyond `maxCategories - 1`. */
  private findInfrequent(counts: number[], rows: number): number[] {
    const { minFrequency, maxCategories } = this.options;
    const mask = new Array<boolean>(counts.length).fill(false);
    if (minFrequency !== undefined) {
      const threshold = minFrequency < 1 ? minFrequency * rows : minFrequency;
      for (let k = 0; k < counts.length; k++) mask[k] = counts[k] < threshold;
    }
    const current = counts.length - mask.filter(Boolean).length + 1;
    if (maxCategories !== undefined && maxCategories < current) {
      // A stable ascending sort by count: among equal counts the earlier category is rarer.
      const order = counts.map((_, k) => k).sort((a, b) => counts[a] - counts[b] || a - b);
      for (const k of order.slice(0, order.length - maxCategories + 1)) mask[k] = true;
    }
    return mask.flatMap((m, k) => (m ? [k] : []));
  }

  private fitted(method: string): ColumnCode[] {
    if (this.codes === null) throw new NotFittedError('OneHotEncoder', method);
    return this.codes;
  }

  /** Number of input columns. */
  get nFeatures(): number {
    return this.fitted('nFeatures').length;
  }

  /** Number of output columns. */
  get outputWidth(): number {
    this.fitted('outputWidth');
    return this.width;
  }

  /** Sorted categories of each input column (null, for missing, sorts last). */
  get categories(): CellValue[][] {
    return this.fitted('categories').map((c) => [...c.categories]);
  }

  /** Infrequent categories of each input column, or null where none. */
  get infrequentCategories(): (CellValue[] | null)[] {
    return this.fitted('infrequentCategories').map((c) =>
      c.infrequent.length > 0 ? c.infrequent.map((k) => c.categories[k]) : null,
    );
  }

  /** Output names: `<column>_<category>`, then `<column>_infrequent_sklearn` last in a block. */
  get featureNamesOut(): string[] {
    const codes = this.fitted('featureNamesOut');
    const out: string[] = [];
    codes.forEach((code, j) => {
      const name = this.names![j];
      const infrequent = new Set(code.infrequent);
      code.categories.forEach((c, k) => {
        if (!infrequent.has(k)) out.push(`${name}_${categoryText(c)}`);
      });
      if (code.infrequentSlot >= 0) out.push(`${name}_infrequent_sklearn`);
    });
    return out;
  }

  /** Output widths of each input column's block. */
  get blockWidths(): number[] {
    return this.fitted('blockWidths').map(blockWidth);
  }

  /**
   * Output column of `value` in input column `column`, or {@link NO_SLOT} for an unknown
   * value that encodes as all zeros.
   * @throws ValidationError for an unknown value when `handleUnknown` is `'error'`.
   */
  slotOf(column: number, value: CellValue, row?: number): number {
    const code = this.fitted('slotOf')[column];
    const slot = value === null ? code.nullSlot : code.slots.get(value);
    if (slot !== undefined && slot >= 0) return slot;
    const { handleUnknown } = this.options;
    if (handleUnknown === 'error') {
      const where = row === undefined ? '' : ` in row ${row}`;
      throw new ValidationError(
        `column ${JSON.stringify(this.names![column])} has value ${JSON.stringify(value)}` +
          `${where} that was not seen in fit: refit, or set handleUnknown to 'ignore' or ` +
          "'infrequentIfExist'",
      );
    }
    if (handleUnknown === 'infrequentIfExist' && code.infrequentSlot >= 0) {
      return code.infrequentSlot;
    }
    return NO_SLOT;
  }

  /** The 0/1 indicator matrix of `X`, one block per input column. */
  transform(X: readonly (readonly CellValue[])[]): DenseMatrix<Float64Array> {
    const codes = this.fitted('transform()');
    checkRows(X, codes.length, true);
    const out = new Float64Array(X.length * this.width);
    for (let i = 0; i < X.length; i++) {
      for (let j = 0; j < codes.length; j++) {
        const slot = this.slotOf(j, cellOf(X[i][j]), i);
        if (slot >= 0) out[i * this.width + slot] = 1;
      }
    }
    return denseMatrix(out, X.length, this.width);
  }

  /** `fit(X)` then `transform(X)`. */
  fitTransform(X: readonly (readonly CellValue[])[]): DenseMatrix<Float64Array> {
    return this.fit(X).transform(X);
  }

  /** Saved state: options, column names, categories and infrequent groups. */
  toJSON() {
    const codes = this.fitted('toJSON()');
    return saveState(FORMAT, VERSION, {
      options: {
        handleUnknown: this.options.handleUnknown,
        minFrequency: this.options.minFrequency,
        maxCategories: this.options.maxCategories,
      },
      names: [...this.names!],
      columns: codes.map((c) => ({ categories: c.categories, infrequent: c.infrequent })),
    });
  }

  /** Restores an encoder saved by `toJSON()`. @throws FormatError on corrupt or foreign input. */
  static fromJSON(json: unknown): OneHotEncoder {
    const state = loadState<{
      options: OneHotEncoderOptions;
      names: unknown;
      columns: { categories: unknown; infrequent: unknown }[];
    }>(json, FORMAT, VERSION);
    let encoder: OneHotEncoder;
    try {
      encoder = new OneHotEncoder({ ...state.options, columnNames: state.names as string[] });
    } catch (error) {
      throw new FormatError(`saved ${FORMAT} has invalid options: ${(error as Error).message}`);
    }
    const names = state.names;
    if (
      !Array.isArray(names) ||
      !Array.isArray(state.columns) ||
      names.length !== state.columns.length
    ) {
      throw new FormatError(
        `saved ${FORMAT} has mismatched names and columns: the file is corrupt`,
      );
    }
    const codes: ColumnCode[] = [];
    let offset = 0;
    for (const column of state.columns) {
      const { categories, infrequent } = column ?? {};
      if (
        !Array.isArray(categories) ||
        !categories.every((c) => c === null || typeof c === 'string' || typeof c === 'number') ||
        !Array.isArray(infrequent) ||
        !infrequent.every((k) => Number.isInteger(k) && k >= 0 && k < categories.length)
      ) {
        throw new FormatError(`saved ${FORMAT} has a malformed column: the file is corrupt`);
      }
      const code = buildCode(categories as CellValue[], infrequent as number[], offset);
      offset += blockWidth(code);
      codes.push(code);
    }
    encoder.names = names as string[];
    encoder.codes = codes;
    encoder.width = offset;
    return encoder;
  }
}

function buildCode(categories: CellValue[], infrequent: number[], offset: number): ColumnCode {
  const rare = new Set(infrequent);
  const frequentCount = categories.length - rare.size;
  const infrequentSlot = rare.size > 0 ? offset + frequentCount : -1;
  const slots = new Map<string | number, number>();
  let nullSlot = -1;
  let next = offset;
  categories.forEach((c, k) => {
    const slot = rare.has(k) ? infrequentSlot : next++;
    if (c === null) nullSlot = slot;
    else slots.set(c, slot);
  });
  return {
    categories,
    infrequent: [...rare].sort((a, b) => a - b),
    slots,
    nullSlot,
    infrequentSlot,
  };
}

function blockWidth(code: ColumnCode): number {
  return code.categories.length - code.infrequent.length + (code.infrequentSlot >= 0 ? 1 : 0);
}

/** How a category appears in a feature name (a missing value reads `nan`, as in scikit-learn). */
export function categoryText(c: CellValue): string {
  return c === null ? 'nan' : String(c);
}

/**
 * Sorts as scikit-learn does: strings by code point (Python's order), numbers numerically, a
 * missing value last. A column may not mix strings and numbers.
 */
export function sortCategories(values: CellValue[], column: string): CellValue[] {
  const hasNull = values.includes(null);
  const present = values.filter((v) => v !== null) as (string | number)[];
  const strings = present.filter((v) => typeof v === 'string') as string[];
  if (strings.length > 0 && strings.length < present.length) {
    throw new ValidationError(
      `column ${JSON.stringify(column)} mixes numbers and strings: convert it to one type`,
    );
  }
  const sorted: CellValue[] =
    strings.length > 0
      ? strings.sort(compareCodePoints)
      : (present as number[]).sort((a, b) => a - b);
  if (hasNull) sorted.push(null);
  return sorted;
}

/** Compares strings by Unicode code point, as Python does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF, so they outrank U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function cellOf(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'string') return value;
  throw new ValidationError(
    `X holds a ${typeof value}: categorical cells must be strings, numbers or null`,
  );
}

function checkRows(X: unknown, cols: number | undefined, allowEmpty = false): number {
  if (!Array.isArray(X)) throw new ValidationError('X must be an array of rows');
  if (X.length === 0 && !allowEmpty) throw new ValidationError('X is empty: pass at least one row');
  const width = cols ?? (Array.isArray(X[0]) ? X[0].length : 0);
  for (let i = 0; i < X.length; i++) {
    if (!Array.isArray(X[i]) || X[i].length !== width) {
      throw new ValidationError(
        `X row ${i} must be an array of ${width} cells ` +
          `(the width ${cols === undefined ? 'of row 0' : 'seen in fit'})`,
      );
    }
  }
  if (width === 0 && X.length > 0) throw new ValidationError('X has no columns');
  return width;
}

function resolveOptions(options: OneHotEncoderOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('OneHotEncoder options must be an object');
  }
  const handleUnknown = checkOneOf('handleUnknown', options.handleUnknown ?? 'error', [
    'error',
    'ignore',
    'infrequentIfExist',
  ] as const);
  let minFrequency: number | undefined;
  if (options.minFrequency !== undefined) {
    minFrequency = checkNumber('minFrequency', options.minFrequency, {
      min: 0,
      minExclusive: true,
    });
    if (minFrequency >= 1 && !Number.isInteger(minFrequency)) {
      throw new ValidationError(
        `minFrequency must be an integer count or a fraction in (0, 1), got ${minFrequency}`,
      );
    }
  }
  const maxCategories =
    options.maxCategories === undefined
      ? undefined
      : checkInteger('maxCategories', options.maxCategories, { min: 2 });
  const columnNames = options.columnNames;
  if (
    columnNames !== undefined &&
    (!Array.isArray(columnNames) || columnNames.some((n) => typeof n !== 'string'))
  ) {
    throw new ValidationError('columnNames must be an array of strings');
  }
  return { handleUnknown, minFrequency, maxCategories, columnNames };
}
