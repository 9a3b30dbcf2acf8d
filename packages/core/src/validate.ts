/** Small checks for options and arguments, each throwing a {@link ValidationError} that names the input. */
import { ValidationError } from './errors.js';

/** Bounds for {@link checkNumber} and {@link checkInteger}. */
export interface Bounds {
  min?: number;
  max?: number;
  /** Exclude `min` itself. */
  minExclusive?: boolean;
  /** Exclude `max` itself. */
  maxExclusive?: boolean;
}

function describe(bounds: Bounds): string {
  const low = bounds.min === undefined ? '' : `${bounds.minExclusive ? '>' : '>='} ${bounds.min}`;
  const high = bounds.max === undefined ? '' : `${bounds.maxExclusive ? '<' : '<='} ${bounds.max}`;
  return [low, high].filter(Boolean).join(' and ');
}

/** Checks that `value` is a finite number within `bounds`, and returns it. */
export function checkNumber(name: string, value: unknown, bounds: Bounds = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (bounds.min === undefined ||
      (bounds.minExclusive ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? value < bounds.max : value <= bounds.max));
  if (!ok) {
    const range = describe(bounds);
    throw new ValidationError(
      `${name} must be a finite number${range ? ` ${range}` : ''}, got ${String(value)}`,
    );
  }
  return value as number;
}

/** Checks that `value` is an integer within `bounds`, and returns it. */
export function checkInteger(name: string, value: unknown, bounds: Bounds = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ValidationError(`${name} must be an integer, got ${String(value)}`);
  }
  return checkNumber(name, value, bounds);
}

/** Checks that `value` is one of `allowed`, and returns it. */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Checks that every value of `values` is finite (NaN and ±Infinity rejected). */
export function checkFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || v - v !== 0) {
      throw new ValidationError(`${name}[${i}] is ${v}: ${name} must hold finite numbers`);
    }
  }
}

/** Checks that `values` holds only 0 and 1 (labels), and returns how many are 1. */
export function checkBinaryLabels(name: string, values: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 1) positives++;
    else if (v !== 0) {
      throw new ValidationError(`${name}[${i}] is ${v}: labels must be 0 (normal) or 1 (attack)`);
    }
  }
  return positives;
}
