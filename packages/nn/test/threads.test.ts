// The multi-threaded wasm build in Node. This file starts the backend itself (two threads, on any
// machine), so it runs in its own process as every test file does.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { initBackend, tf, wasmThreadCount } from '../src/index.js';

const script = fileURLToPath(new URL('./fixtures/thread-run.mjs', import.meta.url));

/** Runs the fixture with `threads` threads; it must exit by itself within the time limit. */
function run(threads: string): {
  status: number | null;
  out: { threads: number; checksum: string };
} {
  const child = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, DECODERS_WASM_THREADS: threads },
  });
  if (child.status !== 0) throw new Error(`exit ${child.status} ${child.signal}: ${child.stderr}`);
  return { status: child.status, out: JSON.parse(child.stdout.trim().split('\n').at(-1)!) };
}

describe('wasm with a thread pool', () => {
  it('starts the threaded build with the requested count, on shared memory', async () => {
    expect(wasmThreadCount()).toBe(0);
    expect(await initBackend({ threads: 2 })).toBe('wasm');
    expect(wasmThreadCount()).toBe(2);
    const backend = tf.backend() as unknown as {
      wasm: {
        wasmMemory?: WebAssembly.Memory;
        PThread: { runningWorkers: unknown[]; unusedWorkers: unknown[] };
      };
    };
    expect(backend.wasm.wasmMemory?.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The calling thread plus one worker; the workers Emscripten started beyond that are ended.
    expect(backend.wasm.PThread.runningWorkers).toHaveLength(1);
    expect(backend.wasm.PThread.unusedWorkers).toHaveLength(0);
  });

  it('computes products and tiled transposes as the cpu backend does', async () => {
    const rows = 300;
    const cols = 260;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 1000) / 100);
    const onWasm = tf.tidy(() => {
      const x = tf.tensor2d(data, [rows, cols]);
      return [tf.matMul(x, tf.transpose(x)).dataSync(), tf.transpose(x).dataSync()];
    });
    await initBackend({ backend: 'cpu' });
    const onCpu = tf.tidy(() => {
      const x = tf.tensor2d(data, [rows, cols]);
      return [tf.matMul(x, tf.transpose(x)).dataSync(), tf.transpose(x).dataSync()];
    });
    await initBackend({ backend: 'wasm' });
    expect(Array.from(onWasm[1]!)).toEqual(Array.from(onCpu[1]!));
    for (let i = 0; i < onCpu[0]!.length; i += 97) {
      expect(onWasm[0]![i]).toBeCloseTo(onCpu[0]![i]!, 1);
    }
  });

  it('keeps the pool it started with: another count is a typed error, the same one is not', async () => {
    await expect(initBackend({ threads: 3 })).rejects.toThrow(ValidationError);
    await expect(initBackend({ threads: 3 })).rejects.toThrow(/already runs with 2 thread/);
    await expect(initBackend({ backend: 'wasm', threads: 1 })).rejects.toThrow(ValidationError);
    expect(await initBackend({ threads: 2 })).toBe('wasm');
    expect(wasmThreadCount()).toBe(2);
  });

  it('trains to the same bits on 1 and 2 threads, and lets Node exit', () => {
    const one = run('1');
    const two = run('2');
    expect(one.out.threads).toBe(1);
    expect(two.out.threads).toBe(2);
    expect(two.out.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(two.out.checksum).toBe(one.out.checksum);
  });
});
