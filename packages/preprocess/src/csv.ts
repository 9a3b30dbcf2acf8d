/**
 * CSV input. `parseCsv` is a small synchronous RFC 4180 reader with no Node dependency, so it
 * works in a browser bundle; `readCsv` and `iterateCsv` stream through csv-parse and load their
 * Node modules lazily. Both fill the same column builders, so they infer the same types.
 */
import { DecodersError, ValidationError } from '@decoders/core';
import { importNode } from './node-import.js';
import { type ColumnData, describeNames, Table } from './table.js';

/** Options of the CSV readers. */
export interface CsvOptions {
  /** Field separator, one character. Default `','`. */
  delimiter?: string;
  /** Cell texts read as missing. Default `['', 'NA', 'NaN', 'null']`. */
  missingValues?: readonly string[];
  /**
   * Column types known in advance: `'categorical'` and `'timestamp'` columns are kept as text
   * even when every cell looks like a number. Default: infer every column.
   */
  schema?: Readonly<Record<string, 'numeric' | 'categorical' | 'timestamp'>>;
}

/** Options of {@link iterateCsv}. */
export interface IterateCsvOptions extends CsvOptions {
  /** Rows per yielded table. Default `10000`. */
  chunkSize?: number;
}

/** What `readCsv` and `iterateCsv` accept: a file path (`.gz` is unzipped), a stream or chunks. */
export type CsvSource = string | NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>;

const DEFAULT_MISSING = ['', 'NA', 'NaN', 'null'];
const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INFINITE = /^\s*([+-]?)(?:inf|infinity)\s*$/i;

/** Parses a cell text as a number, or returns undefined when it is not one. */
export function parseNumber(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  const inf = INFINITE.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return undefined;
}

interface ResolvedCsvOptions {
  delimiter: string;
  missing: Set<string>;
  schema: ReadonlyMap<string, string>;
}

function resolveOptions(options: CsvOptions | undefined): ResolvedCsvOptions {
  const o = options ?? {};
  const delimiter = o.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"') {
    throw new ValidationError(
      `delimiter must be one character other than '"', got ${JSON.stringify(delimiter)}`,
    );
  }
  const missingValues = o.missingValues ?? DEFAULT_MISSING;
  if (!Array.isArray(missingValues) || missingValues.some((m) => typeof m !== 'string')) {
    throw new ValidationError('missingValues must be an array of strings');
  }
  const schema = new Map<string, string>();
  if (o.schema !== undefined) {
    for (const [name, kind] of Object.entries(o.schema)) {
      if (kind !== 'numeric' && kind !== 'categorical' && kind !== 'timestamp') {
        throw new ValidationError(
          `schema[${JSON.stringify(name)}] must be 'numeric', 'categorical' or 'timestamp', ` +
            `got ${JSON.stringify(kind)}`,
        );
      }
      schema.set(name, kind);
    }
  }
  return { delimiter, missing: new Set(missingValues), schema };
}

/**
 * Accumulates one column's cells. It stays numeric while every present cell parses as a
 * number and switches to dictionary-coded text at the first cell that does not.
 */
class ColumnBuilder {
  private length = 0;
  private values: Float64Array | null = new Float64Array(256);
  /** Original spelling of numbers ("1.0", "080"), used if the column turns to text. */
  private spelled: Map<number, string> | null = new Map();
  private codes = new Int32Array(0);
  private lookup = new Map<string, number>();
  private levels: string[] = [];

  constructor(
    private readonly missing: Set<string>,
    forceText: boolean,
  ) {
    if (forceText) this.toText();
  }

  push(text: string): void {
    if (this.values !== null) {
      if (this.length === this.values.length) this.values = grow(this.values);
      if (this.missing.has(text)) {
        this.values[this.length++] = Number.NaN;
        return;
      }
      const v = parseNumber(text);
      if (v !== undefined) {
        // The first spelling of each of the first 4096 distinct numbers is kept; later ones
        // are rewritten as JavaScript prints them if the column turns to text.
        const spelled = this.spelled;
        if (spelled !== null && spelled.size < 4096 && !spelled.has(v)) spelled.set(v, text);
        this.values[this.length++] = v;
        return;
      }
      this.toText();
    }
    if (this.length === this.codes.length) this.codes = grow(this.codes);
    this.codes[this.length++] = this.missing.has(text) ? -1 : this.code(text);
  }

  private code(text: string): number {
    let code = this.lookup.get(text);
    if (code === undefined) {
      code = this.levels.length;
      this.levels.push(text);
      this.lookup.set(text, code);
    }
    return code;
  }

  /** Re-codes the numbers read so far as text, keeping their original spelling where known. */
  private toText(): void {
    const values = this.values!;
    this.codes = new Int32Array(Math.max(256, values.length));
    for (let i = 0; i < this.length; i++) {
      const v = values[i];
      this.codes[i] = Number.isNaN(v) ? -1 : this.code(this.spelled?.get(v) ?? String(v));
    }
    this.values = null;
    this.spelled = null;
  }

  finish(): ColumnData {
    if (this.values !== null) {
      return { kind: 'numeric', values: this.values.slice(0, this.length) };
    }
    return { kind: 'text', codes: this.codes.slice(0, this.length), levels: this.levels };
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const Ctor = array.constructor as { new (n: number): T };
  const bigger = new Ctor(Math.max(256, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** Turns records (arrays of field texts) into tables: the first record is the header. */
class TableSink {
  names: string[] | null = null;
  private builders: ColumnBuilder[] = [];
  rows = 0;

  constructor(readonly options: ResolvedCsvOptions) {}

  /** Adds one record; `line` (1-based, or -1 when unknown) is for the ragged-row error. */
  record(fields: readonly string[], line: number): void {
    if (this.names === null) {
      this.header(fields);
      return;
    }
    if (fields.length !== this.names.length) {
      const where = line > 0 ? `CSV line ${line}` : `CSV record ${this.rows + 2}`;
      throw new ValidationError(
        `${where} has ${fields.length} fields but the header has ${this.names.length}: ` +
          'fix the row or check the delimiter and quoting',
      );
    }
    for (let j = 0; j < fields.length; j++) this.builders[j].push(fields[j]);
    this.rows++;
  }

  private header(fields: readonly string[]): void {
    const names = fields.map((f, j) => (f === '' ? `Unnamed: ${j}` : f));
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new ValidationError(
          `CSV header names column ${JSON.stringify(name)} twice: ` +
            'give every column a distinct name',
        );
      }
      seen.add(name);
    }
    for (const name of this.options.schema.keys()) {
      if (!seen.has(name)) {
        throw new ValidationError(
          `schema names column ${JSON.stringify(name)} but the CSV header has only ` +
            describeNames(names),
        );
      }
    }
    this.names = names;
    this.reset();
  }

  reset(): void {
    const { missing, schema } = this.options;
    this.builders = this.names!.map((name) => {
      const kind = schema.get(name);
      return new ColumnBuilder(missing, kind === 'categorical' || kind === 'timestamp');
    });
    this.rows = 0;
  }

  /** The rows gathered since the last reset, as a table. */
  table(): Table {
    if (this.names === null) {
      throw new ValidationError('CSV input is empty: it needs at least a header row');
    }
    return new Table(
      this.names,
      this.builders.map((b) => b.finish()),
      this.rows,
    );
  }
}

/**
 * Parses CSV text synchronously (header row, `"`-quoted fields with `""` escapes, CRLF or LF
 * line ends, blank lines skipped). Works without Node: safe in a browser bundle.
 * @throws ValidationError for a ragged row (naming its line), an unclosed quote, a duplicate
 * column name or empty input.
 */
export function parseCsv(text: string, options?: CsvOptions): Table {
  if (typeof text !== 'string') {
    throw new ValidationError(`parseCsv needs the CSV text as a string, got ${typeof text}`);
  }
  const sink = new TableSink(resolveOptions(options));
  scanCsv(text, sink.options.delimiter, (fields, line) => sink.record(fields, line));
  return sink.table();
}

/** Splits CSV text into records, calling `emit` with each one and the line it starts on. */
function scanCsv(
  text: string,
  delimiter: string,
  emit: (fields: string[], line: number) => void,
): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const sep = delimiter.charCodeAt(0);
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let atLineEnd = false;
    while (!atLineEnd) {
      let field: string;
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let value = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            throw new ValidationError(
              `CSV line ${startLine} opens a quoted field that is never closed: ` +
                `add the closing '"'`,
            );
          }
          const part = text.slice(j, q);
          for (let k = 0; k < part.length; k++) if (part.charCodeAt(k) === 10) line++;
          value += part;
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        field = value;
        i = j;
        const c = text.charCodeAt(i);
        if (i < n && c !== sep && c !== 10 && c !== 13) {
          throw new ValidationError(
            `CSV line ${line} has text after a closing quote: quote the whole field`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === sep || c === 10 || c === 13) break;
          j++;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i >= n) {
        atLineEnd = true;
      } else if (text.charCodeAt(i) === sep) {
        i++;
        if (i >= n) fields.push('');
        atLineEnd = i >= n;
      } else {
        if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
        i++;
        line++;
        atLineEnd = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '')) emit(fields, startLine);
  }
}

/**
 * Reads a whole CSV file, stream or async iterable of chunks into a {@link Table}, streaming
 * through csv-parse. A path ending in `.gz` is gunzipped on the fly.
 * @throws ValidationError for a ragged row (naming its line), bad quoting, a duplicate column
 * name, empty input or an unreadable file.
 */
export async function readCsv(source: CsvSource, options?: CsvOptions): Promise<Table> {
  const sink = new TableSink(resolveOptions(options));
  for await (const batch of recordBatches(source, sink.options.delimiter)) {
    for (const fields of batch) sink.record(fields, -1);
  }
  return sink.table();
}

/**
 * Streams a CSV source as tables of at most `chunkSize` rows, so a file of any length can be
 * scored in bounded memory. Column types are inferred per chunk: pass `schema` to pin them.
 */
export async function* iterateCsv(
  source: CsvSource,
  options?: IterateCsvOptions,
): AsyncGenerator<Table, void, undefined> {
  const chunkSize = options?.chunkSize ?? 10000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new ValidationError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
  }
  const sink = new TableSink(resolveOptions(options));
  let yielded = false;
  for await (const batch of recordBatches(source, sink.options.delimiter)) {
    for (const fields of batch) {
      sink.record(fields, -1);
      if (sink.rows === chunkSize) {
        yield sink.table();
        yielded = true;
        sink.reset();
      }
    }
  }
  if (sink.rows > 0 || !yielded) yield sink.table();
}

/**
 * Records parsed by csv-parse, in batches of whatever is buffered, so the per-record cost of
 * async iteration is paid once per batch.
 */
async function* recordBatches(
  source: CsvSource,
  delimiter: string,
): AsyncGenerator<string[][], void, undefined> {
  const { parse } = await importNode<typeof import('csv-parse')>('csv-parse');
  const { Readable, pipeline } = await importNode<typeof import('node:stream')>('node:stream');
  // csv-parse checks every record's length against the header; its error carries the line.
  const parser = parse({ delimiter, bom: true, skip_empty_lines: true });
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  parser.on('readable', () => wake?.());
  parser.on('end', () => {
    ended = true;
    wake?.();
  });
  parser.on('error', (error) => {
    failure = error;
    wake?.();
  });
  const inputs = await openSource(source, Readable);
  pipeline([...inputs, parser], () => {});
  try {
    for (;;) {
      if (failure !== null) throw failure;
      const batch: string[][] = [];
      let record: string[] | null;
      while ((record = parser.read()) !== null) batch.push(record);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (ended) return;
      // Nothing buffered: sleep until csv-parse reports more records, the end or an error.
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } catch (error) {
    if (error instanceof DecodersError) throw error;
    const e = error as Error & { code?: string; lines?: number; record?: unknown[] };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(e.record)) {
      throw new ValidationError(
        `CSV line ${e.lines} has ${e.record.length} fields but the header has ` +
          `${/expect (\d+)/.exec(e.message)?.[1] ?? 'another number'}: ` +
          'fix the row or check the delimiter and quoting',
      );
    }
    const where = e.lines !== undefined ? ` near line ${e.lines}` : '';
    throw new ValidationError(`cannot read CSV${where}: ${e.message}`);
  } finally {
    parser.destroy();
  }
}

async function openSource(
  source: CsvSource,
  readable: typeof import('node:stream').Readable,
): Promise<NodeJS.ReadWriteStream[]> {
  if (typeof source === 'string') {
    const fs = await importNode<typeof import('node:fs')>('node:fs');
    const file = fs.createReadStream(source) as unknown as NodeJS.ReadWriteStream;
    if (!source.endsWith('.gz')) return [file];
    const zlib = await importNode<typeof import('node:zlib')>('node:zlib');
    return [file, zlib.createGunzip()];
  }
  if (source !== null && typeof source === 'object') {
    if (typeof (source as NodeJS.ReadableStream).pipe === 'function') {
      return [source as NodeJS.ReadWriteStream];
    }
    if (Symbol.asyncIterator in source) {
      const chunks = source as AsyncIterable<string | Uint8Array>;
      return [readable.from(chunks) as unknown as NodeJS.ReadWriteStream];
    }
  }
  throw new ValidationError(
    'CSV source must be a file path, a readable stream or an async iterable of text chunks',
  );
}
