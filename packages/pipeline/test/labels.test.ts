import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { applyLabelRule, resolveLabelRule } from '../src/labels.js';

describe('label rules', () => {
  it('reads 0/1 numbers and strings', () => {
    const rule = resolveLabelRule('y', [0, 1, 1, 0]);
    expect(rule).toEqual({ kind: 'binary' });
    expect(Array.from(applyLabelRule('y', ['0', '1', 1, 0], rule))).toEqual([0, 1, 1, 0]);
  });

  it('reads true/false and normal versus attack names', () => {
    expect(
      Array.from(applyLabelRule('y', ['TRUE', 'false'], resolveLabelRule('y', ['TRUE', 'false']))),
    ).toEqual([1, 0]);
    const names = ['normal.', 'smurf', 'Normal', 'neptune'];
    expect(Array.from(applyLabelRule('y', names, resolveLabelRule('y', names)))).toEqual([
      0, 1, 0, 1,
    ]);
  });

  it('uses a given normal value, numeric or text', () => {
    expect(
      Array.from(applyLabelRule('y', [3, 4, 3], resolveLabelRule('y', [3, 4, 3], '3'))),
    ).toEqual([0, 1, 0]);
    expect(Array.from(applyLabelRule('y', ['ok', 'bad'], resolveLabelRule('y', [], 'OK')))).toEqual(
      [0, 1],
    );
  });

  it('rejects labels it cannot read, naming the column and the fix', () => {
    expect(() => resolveLabelRule('kind', ['a', 'b'])).toThrow(/target column 'kind'.*normalValue/);
    expect(() => applyLabelRule('y', [0, null, 1], { kind: 'binary' })).toThrow(ValidationError);
    expect(() => applyLabelRule('y', [0, 2], { kind: 'binary' })).toThrow(/value 2 at row 1/);
  });
});
