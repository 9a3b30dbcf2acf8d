import { Readable } from 'node:stream';
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { iterateCsv, parseCsv, readCsv, Table } from '../src/index.js';

const SAMPLE = [
  'bytes,proto,"note, with comma",when',
  '10,tcp,"say ""hi""",2024-01-01T10:00:00Z',
  'NA,udp,,2024-01-02T11:30:00Z',
  '2.5e1,"tcp",plain,null',
  '',
  'NaN,icmp,"multi',
  'line",2024-01-03T00:00:00Z',
].join('\r\n');

async function* chunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('parseCsv', () => {
  it('reads a header, quoted fields, escapes, line breaks and missing markers', () => {
    const t = parseCsv(SAMPLE);
    expect(t.columnNames).toEqual(['bytes', 'proto', 'note, with comma', 'when']);
    expect(t.rowCount).toBe(4);
    expect(t.column('bytes')).toEqual([10, null, 25, null]);
    expect(t.columnKind('bytes')).toBe('numeric');
    expect(t.column('proto')).toEqual(['tcp', 'udp', 'tcp', 'icmp']);
    expect(t.column('note, with comma')).toEqual(['say "hi"', null, 'plain', 'multi\r\nline']);
    expect(t.column('when')[2]).toBeNull();
  });

  it('honours a chosen delimiter and missing-value list', () => {
    const t = parseCsv('a;b\n1;x\n-;y\n', { delimiter: ';', missingValues: ['-'] });
    expect(t.column('a')).toEqual([1, null]);
    expect(t.column('b')).toEqual(['x', 'y']);
  });

  it('keeps the spelling of numbers when a column turns out to be text', () => {
    const t = parseCsv('port\n80\n443\n1.0\nunknown\n');
    expect(t.columnKind('port')).toBe('text');
    expect(t.column('port')).toEqual(['80', '443', '1.0', 'unknown']);
  });

  it('keeps schema-categorical columns as text', () => {
    const t = parseCsv('code\n1\n2\n', { schema: { code: 'categorical' } });
    expect(t.column('code')).toEqual(['1', '2']);
  });

  it('rejects a ragged row naming its line', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n4,5\n')).toThrow(
      /CSV line 3 has 1 fields but the header has 2/,
    );
    expect(() => parseCsv('a,b\n"1\n2",2,3\n')).toThrow(/line 2/);
  });

  it('rejects duplicate column names, empty input and unclosed quotes', () => {
    expect(() => parseCsv('a,b,a\n1,2,3\n')).toThrow(/"a" twice/);
    expect(() => parseCsv('')).toThrow(ValidationError);
    expect(() => parseCsv('a\n"open\n')).toThrow(/never closed/);
    expect(() => parseCsv('a\n1\n', { delimiter: ';;' })).toThrow(/delimiter/);
  });

  it('keeps prototype-polluting column names as plain keys', () => {
    const t = parseCsv('__proto__,constructor,toString\n1,x,2\n');
    expect(t.columnNames).toEqual(['__proto__', 'constructor', 'toString']);
    expect(t.column('__proto__')).toEqual([1]);
    expect(t.column('constructor')).toEqual(['x']);
    expect(t.hasColumn('hasOwnProperty')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('readCsv and iterateCsv', () => {
  it('give the same table as parseCsv from a stream and from small chunks', async () => {
    const expected = parseCsv(SAMPLE);
    for (const source of [Readable.from([SAMPLE]), chunks(SAMPLE, 3)]) {
      const t = await readCsv(source);
      expect(t.columnNames).toEqual(expected.columnNames);
      for (const name of t.columnNames) expect(t.column(name)).toEqual(expected.column(name));
    }
  });

  it('reads a gzipped file and reports a ragged row with its line', async () => {
    const path = new URL('./fixtures/nsl_kdd_train20.csv.gz', import.meta.url).pathname;
    const t = await readCsv(path);
    expect(t.rowCount).toBe(25192);
    expect(t.columnNames.length).toBe(43);
    await expect(readCsv(chunks('a,b\n1,2\n3,4,5\n', 4))).rejects.toThrow(
      /CSV line 3 has 3 fields but the header has 2/,
    );
    await expect(readCsv('/nonexistent/file.csv')).rejects.toThrow(ValidationError);
  });

  it('yields chunks of at most chunkSize rows covering every row in order', async () => {
    const lines = ['x,y'];
    for (let i = 0; i < 25; i++) lines.push(`${i},${i % 3 === 0 ? 'a' : 'b'}`);
    const sizes: number[] = [];
    const xs: unknown[] = [];
    for await (const t of iterateCsv(chunks(lines.join('\n'), 7), { chunkSize: 10 })) {
      expect(t).toBeInstanceOf(Table);
      sizes.push(t.rowCount);
      xs.push(...t.column('x'));
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(xs).toEqual(Array.from({ length: 25 }, (_, i) => i));
    await expect(async () => {
      for await (const _ of iterateCsv(chunks('x\n1\n', 2), { chunkSize: 0 })) void _;
    }).rejects.toThrow(/chunkSize/);
  });
});

describe('Table', () => {
  it('builds from rows and columns, selects rows and drops columns without mutation', () => {
    const rows = [{ a: 1, b: 'x' }, { a: 2 }, { b: 'y', c: true }];
    const copy = JSON.parse(JSON.stringify(rows));
    const t = Table.fromRows(rows);
    expect(rows).toEqual(copy);
    expect(t.columnNames).toEqual(['a', 'b', 'c']);
    expect(t.column('a')).toEqual([1, 2, null]);
    expect(t.column('c')).toEqual([null, null, 'true']);
    const s = t.selectRows([2, 0]);
    expect(s.column('b')).toEqual(['y', 'x']);
    expect(t.dropColumns(['c']).columnNames).toEqual(['a', 'b']);
    expect(() => t.dropColumns(['zzz'])).toThrow(/no column "zzz"/);
    expect(() => t.column('zzz')).toThrow(ValidationError);
    expect(() => t.selectRows([3])).toThrow(/out of range/);
    const c = Table.fromColumns({ n: [1, NaN, 3], s: ['a', null, 'b'] });
    expect(c.column('n')).toEqual([1, null, 3]);
    expect(() => Table.fromColumns({ n: [1], s: ['a', 'b'] })).toThrow(/same length/);
    expect(() => Table.fromRows([{ a: {} }])).toThrow(/cells must be/);
  });

  it('stores a __proto__ key from JSON as a column', () => {
    const rows = JSON.parse('[{"__proto__": "evil", "constructor": 1}]');
    const t = Table.fromRows(rows);
    expect(t.columnNames).toEqual(['__proto__', 'constructor']);
    expect(t.column('__proto__')).toEqual(['evil']);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });
});
