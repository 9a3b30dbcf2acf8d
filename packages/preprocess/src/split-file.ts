/**
 * Split files written by the Python reference (`--save-splits`): a `row,split` CSV whose split
 * is `train`, `val` or `test`, so both implementations can be compared on identical rows.
 */
import { ValidationError } from '@decoders/core';
import { importNode } from './node-import.js';
import type { TrainValidationTestIndices } from './split.js';

/**
 * Parses `row,split` CSV text (header required; `val` or `validation` both accepted). Rows
 * absent from the file are in no part.
 * @throws ValidationError for a bad header, row number or split name, or a repeated row.
 */
export function parseSplitFile(text: string): TrainValidationTestIndices {
  if (typeof text !== 'string') {
    throw new ValidationError(`split file content must be a string, got ${typeof text}`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  if (header.length !== 2 || header[0] !== 'row' || header[1] !== 'split') {
    throw new ValidationError(
      `split file must start with the header "row,split", got ${JSON.stringify(lines[0])}`,
    );
  }
  const parts: Record<'train' | 'validation' | 'test', number[]> = {
    train: [],
    validation: [],
    test: [],
  };
  const seen = new Set<number>();
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k].trim();
    if (line === '') continue;
    const fields = line.split(',');
    const row = Number(fields[0]);
    if (fields.length !== 2 || !/^\d+$/.test(fields[0].trim()) || row > 2147483647) {
      throw new ValidationError(
        `split file line ${k + 1} must be "<row>,<split>" with a row number, ` +
          `got ${JSON.stringify(line)}`,
      );
    }
    const name = fields[1].trim();
    const part =
      name === 'train'
        ? 'train'
        : name === 'val' || name === 'validation'
          ? 'validation'
          : name === 'test'
            ? 'test'
            : null;
    if (part === null) {
      throw new ValidationError(
        `split file line ${k + 1} has split ${JSON.stringify(name)}: use train, val or test`,
      );
    }
    if (seen.has(row)) {
      throw new ValidationError(
        `split file line ${k + 1} repeats row ${row}: each row may appear once`,
      );
    }
    seen.add(row);
    parts[part].push(row);
  }
  return {
    train: Int32Array.from(parts.train).sort(),
    validation: Int32Array.from(parts.validation).sort(),
    test: Int32Array.from(parts.test).sort(),
  };
}

/** Reads a split file from disk (gunzipped when the path ends in `.gz`); Node only. */
export async function readSplitFile(path: string): Promise<TrainValidationTestIndices> {
  if (typeof path !== 'string') throw new ValidationError('readSplitFile needs a file path');
  const { readFile } = await importNode<typeof import('node:fs/promises')>('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ValidationError(`cannot read split file ${path}: ${(error as Error).message}`);
  }
  if (path.endsWith('.gz')) {
    const { gunzipSync } = await importNode<typeof import('node:zlib')>('node:zlib');
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new ValidationError(
        `split file ${path} is not valid gzip: ${(error as Error).message}`,
      );
    }
  }
  return parseSplitFile(new TextDecoder().decode(bytes));
}
