import { Table } from '@decoders/preprocess';
import { describe, expect, it } from 'vitest';
import { splitRows, timeOrder } from '../src/split.js';

const table = Table.fromColumns({
  t: ['2024-01-03', '2024-01-01', '2024-01-05', '2024-01-02', '2024-01-04'],
  x: [1, 2, 3, 4, 5],
});

describe('splits', () => {
  it('orders rows by time and validates on the latest', () => {
    expect(Array.from(timeOrder(table, 't'))).toEqual([1, 3, 0, 4, 2]);
    const s = splitRows(table, undefined, { method: 'time', column: 't', validationSize: 0.4 }, 0);
    expect(Array.from(s.validation)).toEqual([2, 4]);
    expect(Array.from(s.train)).toEqual([0, 1, 3]);
  });

  it('is stratified and seeded', () => {
    const n = 200;
    const labels = new Uint8Array(n).map((_, i) => (i % 10 === 0 ? 1 : 0));
    const big = Table.fromColumns({ x: Array.from({ length: n }, (_, i) => i) });
    const a = splitRows(big, labels, undefined, 5);
    const b = splitRows(big, labels, undefined, 5);
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    expect(a.validation.length).toBe(40);
    expect(Array.from(a.validation).filter((i) => labels[i] === 1).length).toBe(4);
  });

  it('checks given indices', () => {
    expect(() =>
      splitRows(table, undefined, { method: 'indices', train: [0, 9], validation: [1] }, 0),
    ).toThrow(/split\.train\[1\] is 9/);
    expect(() =>
      splitRows(table, undefined, { method: 'indices', train: [0, 1], validation: [1] }, 0),
    ).toThrow(/both/);
    expect(() => splitRows(table, undefined, { method: 'time', column: 'nope' }, 0)).toThrow(
      /time column 'nope'/,
    );
  });
});
