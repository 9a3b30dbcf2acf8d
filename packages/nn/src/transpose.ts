/**
 * A faster Transpose kernel for the wasm backend, for the permutations our layers use: the swap
 * of the last two axes, the leading axes kept ([m, n] → [n, m], [b, m, n] → [b, n, m], ...).
 *
 * tfjs-backend-wasm's own kernel reads the input with a stride of one row per output element.
 * For the tall matrices of a Dense weight gradient, whose rows are a power of two long (xᵀ of a
 * [2048, 512] activation), those reads alias in the cache: about 11 ns per element within a VAE
 * training step. This kernel cuts each matrix into 32 × 32 tiles and transposes a tile 4 × 4
 * floats at a time with WebAssembly SIMD shuffles, in a 445-byte module that works directly on
 * the backend's memory (no copy in or out); the last rows and columns past a multiple of 4 are
 * copied in JavaScript. Other permutations and dtypes, and matrices under 16384 elements, go to
 * the stock kernel, as does everything when the module cannot start. With the multi-threaded
 * wasm build, whose memory is shared, the same module is used with its memory import declared
 * shared.
 */
import * as tf from '@tensorflow/tfjs-core';
// Imported for its side effect, before the override: it registers the stock wasm kernels.
import '@tensorflow/tfjs-backend-wasm';

/** The parts of tfjs-backend-wasm's BackendWasm that the kernel reads. */
interface WasmBackend {
  // The memory is an export of the single-threaded build, and made in JavaScript and imported
  // (wasmMemory) by the threaded one.
  wasm: { HEAPF32: Float32Array; asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * tile(src, dst, rows, cols, r0, r1, c0, c1) writes, for the row-major float32 [rows, cols]
 * matrix at byte address src, the block of rows [r0, r1) and columns [c0, c1) (multiples of 4)
 * transposed into the [cols, rows] matrix at dst. Each 4 × 4 block is four v128.load, two rounds
 * of four i8x16.shuffle (interleave the float pairs of rows 0-1 and 2-3, then their halves) and
 * four v128.store. The module imports its memory as env.memory and exports only tile; it is
 * written by scripts/transpose-wasm.py.
 */
const MODULE_BASE64 =
  'AGFzbQEAAAABDAFgCH9/f39/f39/AAIPAQNlbnYGbWVtb3J5AgAAAwIBAAcIAQR0aWxlAAAKhQMBggMCBn8IeyAD' +
  'QQJ0IQwgAkECdCENIAQhCAJAA0AgCCAFTw0BIAYhCQJAA0AgCSAHTw0BIAAgCCADbCAJakECdGohCiABIAkgAmwg' +
  'CGpBAnRqIQsgCv0AAgAhDiAKIAxqIQogCv0AAgAhDyAKIAxqIQogCv0AAgAhECAKIAxqIQogCv0AAgAhESAOIA/9' +
  'DQABAgMQERITBAUGBxQVFhchEiAOIA/9DQgJCgsYGRobDA0ODxwdHh8hEyAQIBH9DQABAgMQERITBAUGBxQVFhch' +
  'FCAQIBH9DQgJCgsYGRobDA0ODxwdHh8hFSALIBIgFP0NAAECAwQFBgcQERITFBUWF/0LAgAgCyANaiELIAsgEiAU' +
  '/Q0ICQoLDA0ODxgZGhscHR4f/QsCACALIA1qIQsgCyATIBX9DQABAgMEBQYHEBESExQVFhf9CwIAIAsgDWohCyAL' +
  'IBMgFf0NCAkKCwwNDg8YGRobHB0eH/0LAgAgCUEEaiEJDAALCyAIQQRqIQgMAAsLCw==';

// 32 × 32 float32 tiles: 4 KiB read and 4 KiB written per call (measured in a training step:
// 64 is as fast for [2048, 128], 16 is slower).
const TILE = 32;

// Under 16384 elements (64 KiB) a matrix fits in L1 and the stock kernel is as fast or faster
// (about 0.4 ns per element for batches of 8 × 8 to 32 × 32 matrices).
const MIN_MATRIX = 16_384;

type TileFunction = (
  src: number,
  dst: number,
  rows: number,
  cols: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
) => void;

let tileMemory: WebAssembly.Memory | undefined;
let tileFunction: TileFunction | undefined;

/**
 * The module with its memory import declared shared, with the largest maximum (65536 pages, as
 * the threaded build's memory has): a shared memory can only be imported as shared, and a
 * declared maximum at least the memory's own. The import section is the second section and holds
 * only the memory, whose limits (flag 0, minimum 0) are its last two bytes.
 */
function withSharedMemory(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const typeSize = bytes[9]!;
  const at = 10 + typeSize; // the import section's id, after the header and the type section
  if (bytes[at] !== 2 || bytes[8] !== 1 || typeSize > 127) throw new Error('unexpected layout');
  const end = at + 2 + bytes[at + 1]!;
  // flag 3 (maximum, shared), minimum 0, maximum 65536 in LEB128
  const limits = [3, 0, 0x80, 0x80, 0x04];
  const out = new Uint8Array(bytes.length + limits.length - 2);
  out.set(bytes.subarray(0, end - 2));
  out[at + 1] = bytes[at + 1]! + limits.length - 2;
  out.set(limits, end - 2);
  out.set(bytes.subarray(end), end - 2 + limits.length);
  return out;
}

/** The tile function bound to `memory`, or undefined when the module cannot use it. */
function tileFor(memory: unknown): TileFunction | undefined {
  if (memory === tileMemory) return tileFunction;
  tileMemory = memory as WebAssembly.Memory;
  tileFunction = undefined;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  try {
    const plain = Uint8Array.from(atob(MODULE_BASE64), (char) => char.charCodeAt(0));
    const shared =
      typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = shared ? withSharedMemory(plain) : plain;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    tileFunction = instance.exports.tile as TileFunction;
  } catch {
    tileFunction = undefined;
  }
  return tileFunction;
}

/**
 * Writes the transpose of each of `batch` row-major [rows, cols] float32 matrices at element
 * index `from` of the heap to `to`, as [cols, rows].
 */
function transposeMatrices(
  tile: TileFunction,
  heap: Float32Array,
  from: number,
  to: number,
  batch: number,
  rows: number,
  cols: number,
): void {
  const size = rows * cols;
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let b = 0; b < batch; b++) {
    const source = from + b * size;
    const target = to + b * size;
    for (let r0 = 0; r0 < rows4; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows4);
      for (let c0 = 0; c0 < cols4; c0 += TILE) {
        tile(4 * source, 4 * target, rows, cols, r0, r1, c0, Math.min(c0 + TILE, cols4));
      }
    }
    for (let r = 0; r < rows; r++) {
      for (let c = r < rows4 ? cols4 : 0; c < cols; c++) {
        heap[target + c * rows + r] = heap[source + r * cols + c];
      }
    }
  }
}

/**
 * The [batch, rows, cols] view of a swap of the last two axes, or undefined for any other
 * permutation (the identity included).
 */
function lastTwoSwap(
  shape: number[],
  perm: number[],
): { batch: number; rows: number; cols: number } | undefined {
  const rank = shape.length;
  if (rank < 2 || perm.length !== rank) return undefined;
  for (let axis = 0; axis < rank - 2; axis++) {
    if (perm[axis] !== axis) return undefined;
  }
  if (perm[rank - 2] !== rank - 1 || perm[rank - 1] !== rank - 2) return undefined;
  let batch = 1;
  for (let axis = 0; axis < rank - 2; axis++) batch *= shape[axis];
  return { batch, rows: shape[rank - 2], cols: shape[rank - 1] };
}

let installed = false;

/**
 * Replaces the wasm backend's Transpose kernel by the tiled one, keeping the stock kernel for
 * what the tiled one does not handle; later calls do nothing. It works whether or not the wasm
 * backend has started: the stock kernel's set-up (which binds its wasm function) is carried over
 * to the override, and the engine runs it when the backend starts.
 */
export function installFastTranspose(): void {
  if (installed) return;
  const stock = tf.getKernel(tf.Transpose, 'wasm');
  if (stock === undefined) return;
  const stockKernel = stock.kernelFunc;

  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as unknown as tf.TransposeAttrs).perm;
    const swap = x.dtype === 'float32' ? lastTwoSwap(x.shape, perm) : undefined;
    if (swap === undefined || swap.rows * swap.cols < MIN_MATRIX) return stockKernel(args);
    const backend = args.backend as unknown as WasmBackend;
    const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
    const tile = tileFor(memory);
    if (tile === undefined) return stockKernel(args);

    const { batch, rows, cols } = swap;
    const outShape = x.shape.slice();
    outShape[outShape.length - 2] = cols;
    outShape[outShape.length - 1] = rows;
    const out = backend.makeOutput(outShape, 'float32');
    // Read the view after makeOutput: its malloc may grow the heap and detach older views (a
    // shared memory's views are never detached, but may stop short of a grown heap).
    let heap = backend.wasm.HEAPF32;
    const buffer = (memory as WebAssembly.Memory).buffer;
    if (heap.buffer.byteLength !== buffer.byteLength) heap = new Float32Array(buffer);
    const from = backend.dataIdMap.get(x.dataId)!.memoryOffset >>> 2;
    const to = backend.dataIdMap.get(out.dataId)!.memoryOffset >>> 2;
    if (rows === 1 || cols === 1) {
      heap.copyWithin(to, from, from + batch * rows * cols);
    } else {
      transposeMatrices(tile, heap, from, to, batch, rows, cols);
    }
    return out;
  };

  tf.unregisterKernel(tf.Transpose, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  installed = true;
}
