/**
 * A column-oriented table of mixed cells. Columns are stored compactly: numbers in a
 * Float64Array (NaN = missing), text as dictionary codes into a list of distinct values
 * (-1 = missing). Column names live in a Map, so names such as `__proto__` are plain keys.
 */
import { ValidationError } from '@decoders/core';

/** One cell: a number, a string, or `null` for a missing value. */
export type CellValue = string | number | null;

/** Numeric column: NaN marks a missing cell. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly values: Float64Array;
}

/** Text column: `codes[i]` indexes `levels`, -1 marks a missing cell. */
export interface TextColumn {
  readonly kind: 'text';
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

/** The stored form of one column. */
export type ColumnData = NumericColumn | TextColumn;

/** An immutable table of named columns, all of the same length. */
export class Table {
  /** Column names in table order. */
  readonly columnNames: readonly string[];
  /** Number of rows. */
  readonly rowCount: number;
  private readonly store: Map<string, ColumnData>;

  /**
   * Builds a table from stored columns; prefer {@link Table.fromRows},
   * {@link Table.fromColumns} or the CSV readers.
   */
  constructor(names: readonly string[], columns: readonly ColumnData[], rowCount: number) {
    if (names.length !== columns.length) {
      throw new ValidationError(`table has ${names.length} names but ${columns.length} columns`);
    }
    const store = new Map<string, ColumnData>();
    for (let j = 0; j < names.length; j++) {
      const name = names[j];
      if (typeof name !== 'string') {
        throw new ValidationError(`column name ${j} must be a string, got ${typeof name}`);
      }
      if (store.has(name)) {
        throw new ValidationError(
          `column name ${JSON.stringify(name)} appears twice: give every column a distinct name`,
        );
      }
      const column = columns[j];
      const length = column.kind === 'numeric' ? column.values.length : column.codes.length;
      if (length !== rowCount) {
        throw new ValidationError(
          `column ${JSON.stringify(name)} has ${length} rows but the table has ${rowCount}`,
        );
      }
      store.set(name, column);
    }
    this.columnNames = Object.freeze([...names]);
    this.rowCount = rowCount;
    this.store = store;
  }

  /**
   * A table from an array of row objects. Column order is the order in which keys first
   * appear; a key absent from a row is a missing cell. Numbers stay numbers (NaN is missing),
   * strings are kept verbatim, booleans become `'true'`/`'false'`, `null`/`undefined` are missing.
   * A column holding any string is a text column (its numbers are written as text).
   */
  static fromRows(rows: readonly Record<string, unknown>[]): Table {
    if (!Array.isArray(rows)) {
      throw new ValidationError('rows must be an array of objects, one per row');
    }
    const index = new Map<string, CellValue[]>();
    const order: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new ValidationError(`rows[${i}] must be an object mapping column names to values`);
      }
      for (const key of Object.keys(row)) {
        let cells = index.get(key);
        if (cells === undefined) {
          cells = new Array<CellValue>(rows.length).fill(null);
          index.set(key, cells);
          order.push(key);
        }
        cells[i] = toCell(Object.getOwnPropertyDescriptor(row, key)?.value, key, i);
      }
    }
    return new Table(
      order,
      order.map((name) => buildColumn(index.get(name)!)),
      rows.length,
    );
  }

  /** A table from an object of equally long column arrays (same cell rules as `fromRows`). */
  static fromColumns(columns: Readonly<Record<string, readonly unknown[]>>): Table {
    if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) {
      throw new ValidationError('columns must be an object mapping column names to arrays');
    }
    const names = Object.keys(columns);
    let rowCount = -1;
    const built: ColumnData[] = [];
    for (const name of names) {
      const values = Object.getOwnPropertyDescriptor(columns, name)?.value as unknown;
      if (!Array.isArray(values)) {
        throw new ValidationError(`column ${JSON.stringify(name)} must be an array of cells`);
      }
      if (rowCount === -1) rowCount = values.length;
      if (values.length !== rowCount) {
        throw new ValidationError(
          `column ${JSON.stringify(name)} has ${values.length} values but ` +
            `${JSON.stringify(names[0])} has ${rowCount}: give every column the same length`,
        );
      }
      built.push(buildColumn(values.map((v, i) => toCell(v, name, i))));
    }
    return new Table(names, built, Math.max(rowCount, 0));
  }

  /** True when the table has a column of that name. */
  hasColumn(name: string): boolean {
    return this.store.has(name);
  }

  /** The cells of a column as a new array. @throws ValidationError for an unknown column. */
  column(name: string): readonly CellValue[] {
    const data = this.columnData(name);
    const out = new Array<CellValue>(this.rowCount);
    if (data.kind === 'numeric') {
      for (let i = 0; i < out.length; i++) {
        const v = data.values[i];
        out[i] = Number.isNaN(v) ? null : v;
      }
    } else {
      for (let i = 0; i < out.length; i++) {
        const c = data.codes[i];
        out[i] = c < 0 ? null : data.levels[c];
      }
    }
    return out;
  }

  /**
   * The stored form of a column (shared with the table: do not modify it).
   * @throws ValidationError for an unknown column.
   */
  columnData(name: string): ColumnData {
    const data = this.store.get(name);
    if (data === undefined) {
      throw new ValidationError(
        `table has no column ${JSON.stringify(name)}: ` +
          `its columns are ${describeNames(this.columnNames)}`,
      );
    }
    return data;
  }

  /** `'numeric'` when every present cell is a number, else `'text'`. */
  columnKind(name: string): 'numeric' | 'text' {
    return this.columnData(name).kind;
  }

  /** A new table with the given rows, in the given order. */
  selectRows(indices: ArrayLike<number>): Table {
    const n = indices.length;
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.rowCount) {
        throw new ValidationError(
          `row index ${i} (position ${k}) is out of range for a table of ${this.rowCount} rows`,
        );
      }
    }
    const columns = this.columnNames.map((name): ColumnData => {
      const data = this.store.get(name)!;
      if (data.kind === 'numeric') {
        const values = new Float64Array(n);
        for (let k = 0; k < n; k++) values[k] = data.values[indices[k]];
        return { kind: 'numeric', values };
      }
      const codes = new Int32Array(n);
      for (let k = 0; k < n; k++) codes[k] = data.codes[indices[k]];
      return { kind: 'text', codes, levels: data.levels };
    });
    return new Table(this.columnNames, columns, n);
  }

  /** A new table without the named columns. @throws ValidationError for an unknown name. */
  dropColumns(names: readonly string[]): Table {
    const drop = new Set<string>();
    for (const name of names) {
      this.columnData(name);
      drop.add(name);
    }
    const keep = this.columnNames.filter((name) => !drop.has(name));
    return new Table(
      keep,
      keep.map((name) => this.store.get(name)!),
      this.rowCount,
    );
  }
}

/** Lists names for an error message, shortened when there are many. */
export function describeNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => JSON.stringify(n));
  return names.length > 12 ? `${shown.join(', ')}, ... (${names.length} in all)` : shown.join(', ');
}

function toCell(value: unknown, column: string, row: number): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return Number(value);
  throw new ValidationError(
    `row ${row} of column ${JSON.stringify(column)} is ${typeof value}: cells must be ` +
      'numbers, strings, booleans or null',
  );
}

/** Stores cells compactly: numeric when no present cell is a string. */
export function buildColumn(cells: readonly CellValue[]): ColumnData {
  let numeric = true;
  for (const cell of cells) {
    if (typeof cell === 'string') {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const values = new Float64Array(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      values[i] = cell === null ? Number.NaN : (cell as number);
    }
    return { kind: 'numeric', values };
  }
  const lookup = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null) {
      codes[i] = -1;
      continue;
    }
    const text = typeof cell === 'string' ? cell : String(cell);
    let code = lookup.get(text);
    if (code === undefined) {
      code = levels.length;
      levels.push(text);
      lookup.set(text, code);
    }
    codes[i] = code;
  }
  return { kind: 'text', codes, levels };
}
