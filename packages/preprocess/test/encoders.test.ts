import { FormatError, NotFittedError, ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, OneHotEncoder, RobustScaler, sortCategories } from '../src/index.js';

describe('OneHotEncoder details', () => {
  it('sorts strings by code point, numbers numerically, and missing last as nan', () => {
    expect(sortCategories(['b', 'B', '10', '9', 'é', '😀', '\uffff'], 'c')).toEqual([
      '10',
      '9',
      'B',
      'b',
      'é',
      '\uffff',
      '😀',
    ]);
    expect(compareCodePoints('😀', '\uffff')).toBeGreaterThan(0);
    expect(sortCategories([10, 9, null, -1], 'c')).toEqual([-1, 9, 10, null]);
    const enc = new OneHotEncoder({ columnNames: ['port'] }).fit([[443], [null], [80]]);
    expect(enc.featureNamesOut).toEqual(['port_80', 'port_443', 'port_nan']);
    expect(Array.from(enc.transform([[null]]).data)).toEqual([0, 0, 1]);
    expect(() => new OneHotEncoder().fit([['a'], [1]])).toThrow(/mixes numbers and strings/);
  });

  it('uses x0, x1 as default names and validates options and input', () => {
    const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit([['a', 'b']]);
    expect(enc.featureNamesOut).toEqual(['x0_a', 'x1_b']);
    expect(Array.from(enc.transform([['z', 'b']]).data)).toEqual([0, 1]);
    expect(() => enc.transform([['a']])).toThrow(/row 0 must be an array of 2 cells/);
    expect(() => new OneHotEncoder({ maxCategories: 1 })).toThrow(/maxCategories/);
    expect(() => new OneHotEncoder({ minFrequency: 2.5 })).toThrow(/minFrequency/);
    expect(() => new OneHotEncoder({ handleUnknown: 'skip' as 'ignore' })).toThrow(/handleUnknown/);
    expect(() => new OneHotEncoder().fit([])).toThrow(/empty/);
    expect(() => new OneHotEncoder().transform([['a']])).toThrow(NotFittedError);
  });

  it('groups by a fractional minFrequency', () => {
    const X = [['a'], ['a'], ['a'], ['b'], ['c'], ['c']];
    const enc = new OneHotEncoder({ minFrequency: 0.3, handleUnknown: 'infrequentIfExist' }).fit(X);
    expect(enc.featureNamesOut).toEqual(['x0_a', 'x0_c', 'x0_infrequent_sklearn']);
    expect(Array.from(enc.transform([['b'], ['zzz']]).data)).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it('refuses corrupt or foreign saved state', () => {
    const enc = new OneHotEncoder().fit([['a'], ['b']]);
    const json = JSON.stringify(enc.toJSON());
    expect(() => OneHotEncoder.fromJSON(json.replace('"a"', '"c"'))).toThrow(FormatError);
    expect(() => OneHotEncoder.fromJSON(new RobustScaler().fit([[1], [2]]).toJSON())).toThrow(
      /expected a saved decoders.one-hot-encoder/,
    );
  });
});

describe('RobustScaler details', () => {
  it('honours withCentering and withScaling', () => {
    const X = [[1], [2], [3], [10]];
    const plain = new RobustScaler({ withCentering: false, withScaling: false }).fit(X);
    expect(Array.from(plain.transform(X).data)).toEqual([1, 2, 3, 10]);
    const scaleOnly = new RobustScaler({ withCentering: false }).fit(X);
    expect(scaleOnly.center[0]).toBe(0);
    expect(scaleOnly.scale[0]).toBe(4.75 - 1.75);
  });

  it('rejects bad options and input, and corrupt state', () => {
    expect(() => new RobustScaler({ quantileRange: [75, 25] })).toThrow(/low < high/);
    expect(() => new RobustScaler({ quantileRange: [-1, 50] })).toThrow(/quantileRange\[0\]/);
    expect(() => new RobustScaler().fit([[NaN], [NaN]])).toThrow(
      /column 0 has only missing values/,
    );
    expect(() => new RobustScaler().fit([[Infinity]])).toThrow(ValidationError);
    const s = new RobustScaler().fit([
      [1, 2],
      [3, 4],
    ]);
    expect(() => s.transform([[1]])).toThrow(/2 were expected/);
    expect(() => new RobustScaler().transform([[1]])).toThrow(NotFittedError);
    const json = JSON.stringify(s.toJSON());
    expect(() => RobustScaler.fromJSON(json.slice(0, -5))).toThrow(FormatError);
    const input = [
      [1, 2],
      [3, 4],
    ];
    s.transform(input);
    expect(input).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
