/**
 * Timestamp parsing for log data: ISO-8601 text or Unix epochs, read as UTC instants and
 * expanded into hour-of-day and day-of-week features.
 */

const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Epochs at or above this magnitude are milliseconds, below it seconds (1e11 s is year 5138). */
const MILLISECOND_EPOCH = 1e11;

/** True when `text` is an ISO-8601 date or date-time. */
export function isIsoTimestamp(text: string): boolean {
  return ISO.test(text);
}

/**
 * Milliseconds since the Unix epoch, or NaN when the value is not a timestamp. A date-time
 * without an offset is read as UTC; numbers are epochs in seconds (or milliseconds from 1e11).
 */
export function parseTimestamp(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.NaN;
    return Math.abs(value) >= MILLISECOND_EPOCH ? value : value * 1000;
  }
  const m = ISO.exec(value.trim());
  if (m === null) return Number.NaN;
  const [, date, time, zone] = m;
  if (time === undefined) return Date.parse(`${date}T00:00:00Z`);
  let offset = zone ?? 'Z';
  if (offset !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    offset = `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2) || '00'}`;
  }
  return Date.parse(`${date}T${time}${offset}`);
}

/** Hour of day (0-23, UTC) of an epoch in milliseconds. */
export function hourOfDay(ms: number): number {
  return new Date(ms).getUTCHours();
}

/** Day of week (0 = Monday ... 6 = Sunday, as pandas' `dayofweek`, UTC) of an epoch in ms. */
export function dayOfWeek(ms: number): number {
  return (new Date(ms).getUTCDay() + 6) % 7;
}
