/**
 * The save format shared by every fitted object: a format name, a version and a checksum
 * around any JSON-safe state, checked on load. Loading only parses JSON; nothing in a file
 * is ever executed.
 */
import { FormatError, ValidationError } from './errors.js';

/** A saved object: JSON-safe state wrapped with what is needed to check it on load. */
export interface SavedState<S = unknown> {
  /** What kind of object this is, e.g. `'decoders.isolation-forest'`. */
  format: string;
  /** Version of that object's state layout; newer versions are refused by older code. */
  version: number;
  /** Checksum of `JSON.stringify(state)`; any edit or truncation changes it. */
  checksum: string;
  state: S;
}

/** Wraps `state` (which must survive `JSON.stringify`) in a checked envelope. */
export function saveState<S>(format: string, version: number, state: S): SavedState<S> {
  const text = serialise(state);
  if (text === undefined) {
    throw new ValidationError(
      `state of ${format} must be JSON-safe (an object, array, string, number, boolean or null), got ${typeof state}`,
    );
  }
  return { format, version, checksum: checksum(text), state };
}

/** `JSON.stringify`, or undefined where the value has no JSON form (undefined, a BigInt...). */
function serialise(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Checks a saved envelope (an object or its JSON text) and returns its state.
 * @throws FormatError when the input is not JSON, is of another format, comes from a newer
 * version than `maxVersion`, or fails its checksum.
 */
export function loadState<S = unknown>(input: unknown, format: string, maxVersion: number): S {
  let envelope: unknown = input;
  if (typeof input === 'string') {
    try {
      envelope = JSON.parse(input);
    } catch (error) {
      throw new FormatError(
        `saved ${format} is not valid JSON (${(error as Error).message}): the file is corrupt or truncated`,
      );
    }
  }
  if (envelope === null || typeof envelope !== 'object') {
    const kind = envelope === null ? 'null' : typeof envelope;
    throw new FormatError(`saved ${format} must be an object from toJSON(), got ${kind}`);
  }
  const e = envelope as Partial<SavedState<S>>;
  if (e.format !== format) {
    throw new FormatError(
      `expected a saved ${format} but found ${JSON.stringify(e.format ?? null)}: load it with the matching class`,
    );
  }
  if (typeof e.version !== 'number' || !Number.isInteger(e.version) || e.version < 1) {
    throw new FormatError(`saved ${format} has no valid version number`);
  }
  if (e.version > maxVersion) {
    throw new FormatError(
      `saved ${format} has format version ${e.version}, newer than ${maxVersion} which this release reads: upgrade @decoders packages`,
    );
  }
  if (!('state' in e) || typeof e.checksum !== 'string') {
    throw new FormatError(
      `saved ${format} is missing its state or checksum: the file is truncated`,
    );
  }
  const text = serialise(e.state);
  if (text === undefined) {
    throw new FormatError(`saved ${format} has a state that is not JSON: the file is corrupt`);
  }
  const actual = checksum(text);
  if (actual !== e.checksum) {
    throw new FormatError(
      `saved ${format} fails its checksum (stored ${e.checksum}, computed ${actual}): the file was edited or corrupted`,
    );
  }
  return e.state as S;
}

/**
 * A 64-bit FNV-1a hash of a string, as 16 hex digits. It detects accidental corruption; it is
 * not a cryptographic signature.
 */
export function checksum(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193) >>> 0;
    h2 = (h2 + (h1 >>> 7)) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/** Encodes a typed array's bytes (little-endian, as on every platform we run on) as base64. */
export function encodeArray(array: Float32Array | Float64Array | Int32Array | Uint8Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

type ArrayKind = 'float32' | 'float64' | 'int32' | 'uint8';
type ArrayOf<K extends ArrayKind> = K extends 'float32'
  ? Float32Array
  : K extends 'float64'
    ? Float64Array
    : K extends 'int32'
      ? Int32Array
      : Uint8Array;

/**
 * Decodes base64 written by {@link encodeArray}.
 * @throws FormatError when the text is not base64 or its length does not fit the element type.
 */
export function decodeArray<K extends ArrayKind>(
  text: unknown,
  kind: K,
  name = 'array',
): ArrayOf<K> {
  if (typeof text !== 'string') throw new FormatError(`saved ${name} must be a base64 string`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new FormatError(`saved ${name} is not valid base64: the file is corrupt`);
  }
  const size = kind === 'float64' ? 8 : kind === 'uint8' ? 1 : 4;
  if (binary.length % size !== 0) {
    throw new FormatError(
      `saved ${name} has ${binary.length} bytes, not a whole number of ${kind}`,
    );
  }
  const buffer = new ArrayBuffer(binary.length);
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  switch (kind) {
    case 'float32':
      return new Float32Array(buffer) as ArrayOf<K>;
    case 'float64':
      return new Float64Array(buffer) as ArrayOf<K>;
    case 'int32':
      return new Int32Array(buffer) as ArrayOf<K>;
    default:
      return bytes as ArrayOf<K>;
  }
}
