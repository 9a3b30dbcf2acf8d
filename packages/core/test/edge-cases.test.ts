import { describe, expect, it } from 'vitest';
import {
  FormatError,
  loadState,
  Random,
  saveState,
  toDense,
  ValidationError,
} from '../src/index.js';

describe('edge cases', () => {
  it('gives an empty number[][] the expected width instead of rejecting it', () => {
    const empty = toDense([], { allowEmpty: true, cols: 3 });
    expect([empty.rows, empty.cols, empty.data.length]).toEqual([0, 3, 0]);
    expect(toDense([], { allowEmpty: true, cols: 2, dtype: 'float32' }).data).toBeInstanceOf(
      Float32Array,
    );
    expect(() => toDense([], { cols: 3 })).toThrow(/empty/);
    expect(() => toDense([[1, 2]], { cols: 3, allowEmpty: true })).toThrow(/3 were expected/);
  });

  it('rejects state with no JSON form with a typed error', () => {
    expect(() => saveState('decoders.test', 1, undefined)).toThrow(ValidationError);
    expect(() => saveState('decoders.test', 1, { n: 1n })).toThrow(/must be JSON-safe/);
    const broken = { format: 'decoders.test', version: 1, checksum: '0', state: undefined };
    expect(() => loadState(broken, 'decoders.test', 1)).toThrow(FormatError);
  });

  it('names null as null when a saved file holds it', () => {
    expect(() => loadState('null', 'decoders.test', 1)).toThrow(/got null/);
  });

  it('checks n in sample(n, k)', () => {
    expect(() => new Random(0).sample(2.5, 1)).toThrow(/non-negative integer n, got 2.5/);
    expect(new Random(0).sample(0, 0).length).toBe(0);
  });
});
