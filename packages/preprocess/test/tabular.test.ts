import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError, NotFittedError, ValidationError } from '@decoders/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { iterateCsv, parseCsv, readCsv, Table, TabularPreprocessor } from '../src/index.js';

const NSL = new URL('./fixtures/nsl_kdd_train20.csv.gz', import.meta.url).pathname;

function recorder() {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    logger: {
      info: (message: string) => lines.push({ level: 'info', message }),
      warn: (message: string) => lines.push({ level: 'warn', message }),
    },
  };
}

describe('TabularPreprocessor on NSL-KDD (train20)', () => {
  let table: Table;
  beforeAll(async () => {
    table = await readCsv(NSL);
  });
  const options = { drop: ['attack_type'], target: 'is_attack' };

  it('is 118 wide fitted on all rows, in ColumnTransformer order', () => {
    const { logger, lines } = recorder();
    const pre = new TabularPreprocessor({ ...options, logger });
    const X = pre.fitTransform(table);
    expect([X.rows, X.cols]).toEqual([25192, 118]);
    const names = pre.featureNamesOut;
    expect(names.slice(0, 3)).toEqual(['duration', 'src_bytes', 'dst_bytes']);
    expect(names[37]).toBe('dst_host_srv_rerror_rate');
    expect(names.slice(38, 41)).toEqual([
      'protocol_type_icmp',
      'protocol_type_tcp',
      'protocol_type_udp',
    ]);
    // Python sorts by code point: upper-case services come first.
    expect(names.slice(41, 44)).toEqual(['service_IRC', 'service_X11', 'service_Z39_50']);
    expect(names.filter((n) => n.startsWith('service_')).length).toBe(66);
    expect(names.slice(107)).toEqual([
      'flag_OTH',
      'flag_REJ',
      'flag_RSTO',
      'flag_RSTOS0',
      'flag_RSTR',
      'flag_S0',
      'flag_S1',
      'flag_S2',
      'flag_S3',
      'flag_SF',
      'flag_SH',
    ]);
    expect(pre.featureSources[50]).toBe('service');
    expect(pre.droppedColumns).toEqual([]);
    expect(pre.inputColumns.length).toBe(41);
    expect(lines.some((l) => l.level === 'warn')).toBe(false);
    expect(lines.find((l) => l.level === 'info')?.message).toMatch(/encoded width 118/);
    // every row has exactly one 1 per one-hot block, and no NaN
    for (let i = 0; i < 500; i++) {
      let ones = 0;
      for (let j = 38; j < 118; j++) ones += X.data[i * 118 + j];
      expect(ones).toBe(3);
    }
    expect(X.data.some(Number.isNaN)).toBe(false);
  });

  it('gives the same matrix when the file is streamed in chunks', async () => {
    const pre = new TabularPreprocessor(options).fit(table);
    const full = pre.transform(table);
    let offset = 0;
    for await (const chunk of iterateCsv(NSL, { chunkSize: 4000 })) {
      const X = pre.transform(chunk);
      let mismatches = 0;
      for (let k = 0; k < X.data.length; k++) {
        if (X.data[k] !== full.data[offset * 118 + k]) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(X.data.length).toBe(X.rows * 118);
      offset += X.rows;
    }
    expect(offset).toBe(25192);
  });

  it('reads the same table with parseCsv as with readCsv', () => {
    const text = gunzipSync(readFileSync(NSL)).toString('utf8');
    const parsed = parseCsv(text);
    expect(parsed.columnNames).toEqual(table.columnNames);
    for (const name of ['duration', 'service', 'dst_host_srv_rerror_rate', 'attack_type']) {
      expect(parsed.column(name)).toEqual(table.column(name));
    }
  });

  it('is 72 wide fitted on normal rows only, and encodes unseen services as zeros', () => {
    const labels = table.column('is_attack');
    const normal = labels.flatMap((v, i) => (v === 0 ? [i] : []));
    const pre = new TabularPreprocessor(options).fit(table.selectRows(normal));
    expect(pre.outputWidth).toBe(72);
    const X = pre.transform(table);
    expect(X.cols).toBe(72);
    const services = pre.featureNamesOut.filter((n) => n.startsWith('service_')).length;
    const start = pre.featureNamesOut.indexOf(
      pre.featureNamesOut.find((n) => n.startsWith('service_'))!,
    );
    let zeroBlocks = 0;
    for (let i = 0; i < X.rows; i++) {
      let s = 0;
      for (let j = start; j < start + services; j++) s += X.data[i * 72 + j];
      if (s === 0) zeroBlocks++;
    }
    expect(zeroBlocks).toBeGreaterThan(0);
    const restored = TabularPreprocessor.fromJSON(JSON.stringify(pre.toJSON()));
    expect(restored.featureNamesOut).toEqual(pre.featureNamesOut);
    expect(Array.from(restored.transform(table.selectRows([0, 1, 2, 3])).data)).toEqual(
      Array.from(X.data.subarray(0, 4 * 72)),
    );
  });
});

describe('TabularPreprocessor behaviour', () => {
  const base = Table.fromRows([
    { bytes: 10, proto: 'tcp', port: 80, label: 0 },
    { bytes: 30, proto: 'udp', port: 443, label: 0 },
    { bytes: null, proto: null, port: 80, label: 1 },
    { bytes: 50, proto: 'tcp', port: 22, label: 0 },
  ]);

  it('imputes numeric gaps with the median (0 after scaling) and encodes missing as nan', () => {
    const pre = new TabularPreprocessor({ target: 'label', schema: { port: 'categorical' } });
    const X = pre.fitTransform(base);
    expect(pre.featureNamesOut).toEqual([
      'bytes',
      'proto_nan',
      'proto_tcp',
      'proto_udp',
      'port_22',
      'port_443',
      'port_80',
    ]);
    expect(X.data[2 * 7]).toBe(0);
    expect(Array.from(X.data.subarray(14, 21))).toEqual([0, 1, 0, 0, 0, 0, 1]);
    // a gap never seen in fit is unknown: all zeros
    const pre2 = new TabularPreprocessor({ target: 'label', drop: ['port'] }).fit(
      base.selectRows([0, 1, 3]),
    );
    const Y = pre2.transform(base);
    expect(pre2.featureNamesOut).toEqual(['bytes', 'proto_tcp', 'proto_udp']);
    expect(Array.from(Y.data.subarray(6, 9))).toEqual([0, 0, 0]);
  });

  it('fails naming a fitted column that is missing at transform time', () => {
    const pre = new TabularPreprocessor({ target: 'label' }).fit(base);
    expect(() => pre.transform(base.dropColumns(['proto']))).toThrow(/lacks column "proto"/);
    expect(pre.transform(base.dropColumns(['label'])).cols).toBe(pre.outputWidth);
  });

  it('rejects text in a schema-numeric column, an all-missing column and an empty table', () => {
    const bad = Table.fromRows([{ n: '1' }, { n: '2' }, { n: 'abc' }]);
    expect(() => new TabularPreprocessor({ schema: { n: 'numeric' } }).fit(bad)).toThrow(
      /column "n" is numeric but row 2 holds "abc"/,
    );
    const ok = new TabularPreprocessor({ schema: { n: 'numeric' } }).fit(bad.selectRows([0, 1]));
    expect(ok.featureNamesOut).toEqual(['n']);
    const gaps = Table.fromColumns({ a: [1, 2], empty: [null, null] });
    expect(() => new TabularPreprocessor().fit(gaps)).toThrow(/"empty" has only missing values/);
    expect(new TabularPreprocessor({ drop: ['empty'] }).fit(gaps).outputWidth).toBe(1);
    expect(() => new TabularPreprocessor().fit(Table.fromRows([]))).toThrow(/empty/);
    expect(() => new TabularPreprocessor({ drop: ['nope'] }).fit(gaps)).toThrow(/"nope"/);
    expect(() => new TabularPreprocessor().transform(gaps)).toThrow(NotFittedError);
    expect(() => new TabularPreprocessor({ remainder: 'keep' as 'drop' })).toThrow(/remainder/);
  });

  it('drops identifier-like columns with a warning unless kept', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      user_id: `u${i}`,
      src: `10.0.0.${i % 3}`,
      token: `t${i}`,
      kind: i % 2 ? 'a' : 'b',
      count: i,
      device_type: i % 3 ? 'mobile' : 'desktop',
      user_count: i % 5,
    }));
    const table = Table.fromRows(rows);
    const { logger, lines } = recorder();
    const pre = new TabularPreprocessor({ logger }).fit(table);
    expect(pre.droppedColumns).toEqual(['user_id', 'src', 'token']);
    expect(pre.featureNamesOut).toEqual([
      'count',
      'user_count',
      'kind_a',
      'kind_b',
      'device_type_desktop',
      'device_type_mobile',
    ]);
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.length).toBe(3);
    expect(warnings[0]).toMatch(/"user_id" looks like an identifier/);
    const kept = new TabularPreprocessor({ keepIdentifiers: ['src'] }).fit(table);
    expect(kept.categoricalColumns).toEqual(['src', 'kind', 'device_type']);
    const addresses = Table.fromColumns({ ip_address: ['a', 'b'], SessionID: [1, 2], n: [1, 2] });
    expect(new TabularPreprocessor().fit(addresses).droppedColumns).toEqual([
      'ip_address',
      'SessionID',
    ]);
  });

  it('expands timestamps into hour-of-day and day-of-week', () => {
    const table = Table.fromRows([
      { at: '2024-01-01T10:00:00Z', epoch: 1704103200, n: 1 }, // Monday 10:00, Monday 10:00
      { at: '2024-01-06 23:30:00', epoch: 1704583800000, n: 2 }, // Saturday 23:30 (ms epoch)
      { at: '2024-01-07T01:00:00+02:00', epoch: null, n: 3 }, // Saturday 23:00 UTC
    ]);
    const pre = new TabularPreprocessor({
      schema: { epoch: 'timestamp' },
      scaler: { withCentering: false, withScaling: false },
    });
    const X = pre.fitTransform(table);
    expect(pre.featureNamesOut).toEqual([
      'at_hour',
      'at_dayofweek',
      'epoch_hour',
      'epoch_dayofweek',
      'n',
    ]);
    expect(Array.from(X.data.subarray(0, 5))).toEqual([10, 0, 10, 0, 1]);
    expect(Array.from(X.data.subarray(5, 10))).toEqual([23, 5, 23, 5, 2]);
    // a missing epoch is imputed with the training medians (16.5 h, day 2.5)
    expect(Array.from(X.data.subarray(10, 15))).toEqual([23, 5, 16.5, 2.5, 3]);
    const dropped = new TabularPreprocessor({ timestamps: 'drop' }).fit(table);
    expect(dropped.featureNamesOut).toEqual(['epoch', 'n']);
  });

  it('warns when one-hot output exceeds maxWidth and passes remainder columns through', () => {
    const table = Table.fromRows(
      Array.from({ length: 30 }, (_, i) => ({ c: `v${i % 12}`, x: i, extra: i % 2 ? null : 7 })),
    );
    const { logger, lines } = recorder();
    const pre = new TabularPreprocessor({
      maxWidth: 10,
      logger,
      columns: ['c', 'x'],
      remainder: 'passthrough',
    });
    const X = pre.fitTransform(table);
    expect(lines.some((l) => l.level === 'warn' && /maxWidth 10/.test(l.message))).toBe(true);
    expect(pre.featureNamesOut.at(-1)).toBe('extra');
    expect(X.data[1 * X.cols + X.cols - 1]).toBe(7);
    expect(() =>
      new TabularPreprocessor({ columns: ['x'], remainder: 'passthrough' }).fit(table),
    ).toThrow(/remainder column "c" holds text/);
    const dropped = new TabularPreprocessor({ columns: ['c', 'x'] }).fit(table);
    expect(dropped.featureNamesOut.includes('extra')).toBe(false);
  });

  it('round-trips through JSON and refuses a corrupt file', () => {
    const pre = new TabularPreprocessor({ target: 'label', encoder: { minFrequency: 2 } }).fit(
      base,
    );
    const json = JSON.stringify(pre.toJSON());
    const back = TabularPreprocessor.fromJSON(json);
    expect(Array.from(back.transform(base).data)).toEqual(Array.from(pre.transform(base).data));
    expect(back.featureNamesOut).toEqual(pre.featureNamesOut);
    expect(() => TabularPreprocessor.fromJSON(json.replace('"bytes"', '"bytez"'))).toThrow(
      FormatError,
    );
    expect(() => TabularPreprocessor.fromJSON('{')).toThrow(FormatError);
  });

  it('treats prototype-polluting column names as ordinary columns', () => {
    const rows = JSON.parse(
      '[{"__proto__":"a","constructor":1,"toString":"x"},{"__proto__":"b","constructor":3,"toString":"y"}]',
    );
    const table = Table.fromRows(rows);
    const schema = JSON.parse('{"__proto__":"categorical","constructor":"numeric"}');
    const pre = new TabularPreprocessor({ schema, drop: ['toString'] });
    const X = pre.fitTransform(table);
    expect(pre.featureNamesOut).toEqual(['constructor', '__proto___a', '__proto___b']);
    expect(Array.from(X.data)).toEqual([-1, 1, 0, 1, 0, 1]);
    const back = TabularPreprocessor.fromJSON(JSON.stringify(pre.toJSON()));
    expect(Array.from(back.transform(table).data)).toEqual(Array.from(X.data));
    expect(({} as Record<string, unknown>).a).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('rejects duplicate column names', () => {
    expect(
      () =>
        new Table(
          ['a', 'a'],
          [
            { kind: 'numeric', values: new Float64Array(1) },
            { kind: 'numeric', values: new Float64Array(1) },
          ],
          1,
        ),
    ).toThrow(/"a" appears twice/);
  });

  it('does not mutate the input table and rejects non-tables', () => {
    const before = base.column('bytes');
    new TabularPreprocessor({ target: 'label' }).fitTransform(base);
    expect(base.column('bytes')).toEqual(before);
    expect(() => new TabularPreprocessor().fit([[1]] as unknown as Table)).toThrow(ValidationError);
  });
});

describe('TabularPreprocessor against scikit-learn on NSL-KDD', () => {
  it('has the reference names, medians, ranges and values, fitted on all and on normal rows', async () => {
    const golden = JSON.parse(
      readFileSync(new URL('./fixtures/nsl_kdd_reference.json', import.meta.url), 'utf8'),
    );
    const table = await readCsv(NSL);
    const labels = table.column('is_attack');
    const normal = labels.flatMap((v, i) => (v === 0 ? [i] : []));
    const head = table.selectRows(Array.from({ length: 20 }, (_, i) => i));
    for (const [name, rows] of [
      ['all', table],
      ['normal', table.selectRows(normal)],
    ] as const) {
      const ref = golden[name];
      const pre = new TabularPreprocessor({ drop: ['attack_type'], target: 'is_attack' }).fit(rows);
      expect(pre.featureNamesOut).toEqual(ref.feature_names_out);
      expect(Array.from(pre.scaler!.center)).toEqual(ref.center);
      const scale = pre.scaler!.scale;
      ref.scale.forEach((s: number, j: number) => {
        expect(Math.abs(scale[j] - s)).toBeLessThanOrEqual(1e-12 * Math.abs(s));
      });
      const X = pre.transform(head);
      const expected = (ref.transform_head as number[][]).flat();
      let worst = 0;
      for (let k = 0; k < expected.length; k++) {
        worst = Math.max(
          worst,
          Math.abs(X.data[k] - expected[k]) / Math.max(1, Math.abs(expected[k])),
        );
      }
      expect(worst).toBeLessThanOrEqual(1e-12);
    }
  });
});
