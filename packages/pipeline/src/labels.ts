/**
 * Turning a target column into 0/1 labels (1 = attack), with the same rules at fit and at
 * evaluation time. Label strings are compared after trimming, lower-casing and dropping a
 * trailing '.', because NSL-KDD writes `normal.`.
 */
import { ValidationError } from '@decoders/core';
import type { CellValue } from '@decoders/preprocess';

/** How labels are read from the target column; stored in the model so evaluation agrees. */
export type LabelRule =
  | { kind: 'normal-value'; value: string | number }
  | { kind: 'binary' }
  | { kind: 'boolean' };

function normalise(value: CellValue): string {
  return String(value).trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Chooses the label rule for `values`: the given normal value, else 0/1, true/false, or
 * `'normal'` versus everything else.
 * @throws ValidationError when no rule fits.
 */
export function resolveLabelRule(
  target: string,
  values: readonly CellValue[],
  normalValue?: string | number,
): LabelRule {
  if (normalValue !== undefined && normalValue !== null) {
    return { kind: 'normal-value', value: normalValue };
  }
  const seen = new Set<string>();
  for (const v of values) {
    if (v !== null && v !== undefined) seen.add(normalise(v));
    if (seen.size > 64) break;
  }
  const within = (allowed: string[]) => [...seen].every((v) => allowed.includes(v));
  if (within(['0', '1'])) return { kind: 'binary' };
  if (within(['true', 'false'])) return { kind: 'boolean' };
  if (seen.has('normal')) return { kind: 'normal-value', value: 'normal' };
  const shown = [...seen].slice(0, 8).join(', ');
  throw new ValidationError(
    `target column '${target}' has values ${shown}: pass normalValue (--normal-value) to say which value means normal`,
  );
}

/**
 * Applies `rule` to `values`, returning 1 for attacks and 0 for normal rows.
 * @throws ValidationError on a missing label or a value the rule cannot read.
 */
export function applyLabelRule(
  target: string,
  values: readonly CellValue[],
  rule: LabelRule,
): Uint8Array {
  const out = new Uint8Array(values.length);
  const normalText = rule.kind === 'normal-value' ? normalise(rule.value) : '';
  const normalNumber = rule.kind === 'normal-value' ? Number(rule.value) : Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      throw new ValidationError(
        `target column '${target}' is missing at row ${i}: give every row a label or remove unlabelled rows`,
      );
    }
    if (rule.kind === 'normal-value') {
      if (typeof v === 'number' && Number.isFinite(normalNumber))
        out[i] = v === normalNumber ? 0 : 1;
      else out[i] = normalise(v) === normalText ? 0 : 1;
      continue;
    }
    const text = normalise(v);
    const positive = rule.kind === 'binary' ? '1' : 'true';
    const negative = rule.kind === 'binary' ? '0' : 'false';
    if (text === positive) out[i] = 1;
    else if (text !== negative) {
      throw new ValidationError(
        `target column '${target}' has value ${JSON.stringify(v)} at row ${i} where ${negative}/${positive} was expected: pass normalValue to read other labels`,
      );
    }
  }
  return out;
}

/** Number of ones in `labels`. */
export function countPositives(labels: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) n += labels[i] === 1 ? 1 : 0;
  return n;
}
