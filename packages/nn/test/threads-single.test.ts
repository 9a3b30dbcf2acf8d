// The single-threaded build, asked for with threads: 1 (and the checks of the thread count that
// must run before the backend starts). Its own file: the backend starts once per process.
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { initBackend, tf, wasmThreadCount } from '../src/index.js';

describe('wasm without a thread pool', () => {
  it('rejects a bad thread count, from the option or the environment, before starting', async () => {
    for (const threads of [0, 9, 1.5, Number.NaN]) {
      await expect(initBackend({ threads })).rejects.toThrow(ValidationError);
    }
    await expect(initBackend({ threads: 0 })).rejects.toThrow(/threads must be an integer/);
    await expect(initBackend({ backend: 'cpu', threads: 2 })).rejects.toThrow(/wasm backend only/);
    process.env.DECODERS_WASM_THREADS = 'many';
    try {
      await expect(initBackend()).rejects.toThrow(/DECODERS_WASM_THREADS/);
    } finally {
      delete process.env.DECODERS_WASM_THREADS;
    }
    expect(wasmThreadCount()).toBe(0);
  });

  it('starts the single-threaded build for threads: 1', async () => {
    expect(await initBackend({ threads: 1 })).toBe('wasm');
    expect(wasmThreadCount()).toBe(1);
    const backend = tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } };
    expect(backend.wasm.asm.memory.buffer).toBeInstanceOf(ArrayBuffer);
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.matMul(x, x);
    expect(Array.from(y.dataSync())).toEqual([7, 10, 15, 22]);
    tf.dispose([x, y]);
    await expect(initBackend({ threads: 2 })).rejects.toThrow(ValidationError);
    // After the application chose cpu, a thread count cannot apply.
    expect(await initBackend({ backend: 'cpu' })).toBe('cpu');
    await expect(initBackend({ threads: 1 })).rejects.toThrow(/wasm backend only/);
    expect(await initBackend({ backend: 'wasm', threads: 1 })).toBe('wasm');
  });
});
