/** Writing tables as CSV text, one chunk at a time (RFC 4180 quoting). */
import type { CellValue, Table } from '@decoders/preprocess';

/** One CSV field: empty for missing, quoted when it holds a comma, quote or line break. */
export function csvField(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line for `columns`. */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(csvField).join(',')}\n`;
}

/** The rows of `table` followed by `extra` columns, as CSV lines (no header). */
export function csvRows(
  table: Table,
  extra: readonly (ArrayLike<number> | readonly (string | number)[])[],
  format: (column: number, value: number | string) => string,
): string {
  const columns = table.columnNames.map((name) => table.column(name));
  const lines: string[] = new Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) {
    const fields: string[] = columns.map((c) => csvField(c[i]));
    extra.forEach((values, j) => {
      fields.push(format(j, values[i] as number | string));
    });
    lines[i] = fields.join(',');
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
