import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  parseSplitFile,
  readSplitFile,
  Table,
  timeOrderedSplit,
  trainTestSplit,
  trainValidationTestSplit,
} from '../src/index.js';

describe('trainTestSplit', () => {
  it('partitions all rows, sorted, deterministically under a seed', () => {
    const a = trainTestSplit({ n: 100, testSize: 0.2, seed: 7 });
    const b = trainTestSplit({ n: 100, testSize: 0.2, seed: 7 });
    const c = trainTestSplit({ n: 100, testSize: 0.2, seed: 8 });
    expect(a.test.length).toBe(20);
    expect(a.train.length).toBe(80);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    const all = [...a.train, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a.test)).toEqual([...a.test].sort((x, y) => x - y));
  });

  it('stratifies by label', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const { train, test } = trainTestSplit({ n: 1000, labels, testSize: 0.25, seed: 1 });
    expect(test.length).toBe(250);
    expect(Array.from(test).filter((i) => labels[i] === 1).length).toBe(25);
    expect(Array.from(train).filter((i) => labels[i] === 1).length).toBe(75);
  });

  it('rejects bad sizes and single-row classes', () => {
    expect(() => trainTestSplit({ n: 10, testSize: 1.5, seed: 0 })).toThrow(/testSize/);
    expect(() => trainTestSplit({ n: 10, testSize: 0, seed: 0 })).toThrow(/testSize/);
    expect(() => trainTestSplit({ n: 3, labels: [0, 0, 1], testSize: 0.3 })).toThrow(/single row/);
    expect(() => trainTestSplit({ n: 3, labels: [0, 1], testSize: 0.3 })).toThrow(/labels has 2/);
  });
});

describe('trainValidationTestSplit', () => {
  it('takes the test share first, then validation from the rest (80/20 then 80/20)', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = trainValidationTestSplit({
      n: 1000,
      labels,
      testSize: 0.2,
      validationSize: 0.2,
      seed: 42,
    });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([640, 160, 200]);
    const seen = new Set([...s.train, ...s.validation, ...s.test]);
    expect(seen.size).toBe(1000);
    expect(Array.from(s.validation).filter((i) => labels[i] === 1).length).toBe(40);
  });
});

describe('timeOrderedSplit', () => {
  it('puts the latest rows in test and the next latest in validation', () => {
    const times = ['2024-01-05', '2024-01-01', '2024-01-03', '2024-01-02', '2024-01-04'];
    const t = Table.fromColumns({ at: times.map((d) => `${d}T00:00:00Z`) });
    const s = timeOrderedSplit(t, 'at', { testSize: 0.2, validationSize: 0.25 });
    expect(Array.from(s.test)).toEqual([0]);
    expect(Array.from(s.validation)).toEqual([4]);
    expect(Array.from(s.train)).toEqual([1, 2, 3]);
    expect(() =>
      timeOrderedSplit(Table.fromColumns({ at: ['x', 'y'] }), 'at', { testSize: 0.5 }),
    ).toThrow(/not a timestamp/);
  });
});

describe('split files', () => {
  const text = 'row,split\n0,train\n3,test\n1,val\n2,train\n';
  it('parses row,split text and .gz files', async () => {
    const s = parseSplitFile(text);
    expect(Array.from(s.train)).toEqual([0, 2]);
    expect(Array.from(s.validation)).toEqual([1]);
    expect(Array.from(s.test)).toEqual([3]);
    const dir = mkdtempSync(join(tmpdir(), 'splits-'));
    writeFileSync(join(dir, 's.csv.gz'), gzipSync(text));
    const g = await readSplitFile(join(dir, 's.csv.gz'));
    expect(Array.from(g.validation)).toEqual([1]);
  });

  it('rejects bad headers, split names and repeated rows', () => {
    expect(() => parseSplitFile('a,b\n')).toThrow(/row,split/);
    expect(() => parseSplitFile('row,split\n1,holdout\n')).toThrow(/line 2.*holdout/);
    expect(() => parseSplitFile('row,split\n1,train\n1,test\n')).toThrow(/repeats row 1/);
    expect(() => parseSplitFile('row,split\n-1,train\n')).toThrow(/row number/);
  });
});
