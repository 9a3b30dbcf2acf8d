// When the threaded build cannot start, initBackend falls back to the single-threaded one and
// warns. The start is replaced by one that fails; its own file, as the backend starts once.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/wasm-threads.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/wasm-threads.js')>()),
  startThreadedWasm: () => Promise.reject(new Error('no shared memory here')),
}));

const { initBackend, tf, wasmThreadCount } = await import('../src/index.js');

describe('wasm when the threaded build fails to start', () => {
  it('runs single-threaded and tells the logger why', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    expect(await initBackend({ threads: 2, logger })).toBe('wasm');
    expect(wasmThreadCount()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no shared memory here.*single-threaded/);
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(Array.from(tf.matMul(x, x).dataSync())).toEqual([7, 10, 15, 22]);
  });
});
