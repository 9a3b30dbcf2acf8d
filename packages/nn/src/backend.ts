/**
 * TensorFlow.js set-up shared by every Decoders model. All packages import `tf` from here so
 * that one engine (one backend, one tensor registry) serves them all.
 */
import { type Logger, silentLogger, ValidationError } from '@decoders/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Imported for its side effect: it registers the gradients of every tfjs-core op, without which
// tf.variableGrads fails on the first op (tfjs-core alone registers none).
import '@tensorflow/tfjs-layers';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { installFastTranspose } from './transpose.js';
import {
  defaultThreadCount,
  isNode,
  MAX_THREADS,
  startThreadedWasm,
  THREADS_VARIABLE,
} from './wasm-threads.js';

export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
export { tf };

// Libraries never print: without PROD, the cpu backend's first use in Node writes a banner
// suggesting tfjs-node through console.warn. PROD only disables tf's debug-time checks.
tf.env().set('PROD', true);

// Called here rather than run on import: the bundler drops a bare import of a module that
// `sideEffects` in package.json does not list. Before any model runs, as it replaces a kernel.
installFastTranspose();
shareIdentityOnWasm();

/**
 * Makes the wasm backend's Identity (what `tf.clone` runs, and the tape's copies of the tensors a
 * gradient keeps) share the input's memory, with a reference count, as the cpu backend's
 * Identity and the wasm backend's own Reshape do; the stock kernel copies every element. No wasm
 * kernel writes into its inputs, so a shared buffer is never changed under a clone. Measured on
 * a default VAE training step: about 6 % less CPU time, bit-identical losses.
 */
function shareIdentityOnWasm(): void {
  const stock = tf.getKernel(tf.Identity, 'wasm');
  if (stock === undefined) return;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const backend = args.backend as unknown as { incRef?(dataId: object): void };
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') return stock.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /**
   * Backend to use: `'wasm'`, `'cpu'` or the name of any backend registered with tf (for example
   * `'tensorflow'` after importing `@tensorflow/tfjs-node`, or `'webgpu'`). Default `'wasm'`,
   * falling back to `'cpu'` when WebAssembly cannot start.
   */
  backend?: string;
  /**
   * Threads for the wasm backend's matrix products and convolutions (XNNPACK's pool), 1 to 8.
   * In Node the default is the environment variable DECODERS_WASM_THREADS when set, else the
   * number of logical cores (at most 8), and any count above 1 starts
   * tfjs's multi-threaded WebAssembly build, which tfjs itself only starts in browsers; 1 keeps
   * the single-threaded build. In a browser tfjs decides (threads need a cross-origin-isolated
   * page) and this count caps its pool. The pool is made when the wasm backend first starts, so
   * only the call that starts it can choose. Results do not depend on the count: each product's
   * sums run in the same order whichever thread computes them.
   */
  threads?: number;
  /** Receives a warning when the default backend falls back. Default: silent. */
  logger?: Logger;
}

/**
 * The size of the wasm backend's thread pool: 1 for the single-threaded build, and 0 while the
 * wasm backend has not started.
 */
export function wasmThreadCount(): number {
  if (!started('wasm')) return 0;
  return Math.max(1, getThreadsCount());
}

// The engine's table of started backends: tf.findBackend would start one that has not started,
// and a setBackend after it would start it a second time (the first instance left running).
function started(name: string): boolean {
  return tf.engine().registry[name] !== undefined;
}

function checkThreads(threads: number, name = 'threads'): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new ValidationError(
      `${name} must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`,
    );
  }
}

function checkRunningThreads(threads: number): void {
  const running = wasmThreadCount();
  if (threads !== running) {
    throw new ValidationError(
      `the wasm backend already runs with ${running} thread(s); the thread count can only be ` +
        `chosen by the first initBackend call, before any model runs`,
    );
  }
}

/**
 * Before the wasm backend first starts in Node, puts the multi-threaded build in front of tfjs's
 * own start-up, which stays as the fallback; afterwards only checks that a requested thread
 * count is the one the pool has.
 */
async function prepareWasm(threads: number | undefined, logger: Logger): Promise<void> {
  if (started('wasm')) {
    if (threads !== undefined) checkRunningThreads(threads);
    return;
  }
  const entry = tf.engine().registryFactory.wasm;
  if (entry === undefined) return;
  if (!isNode()) {
    if (threads !== undefined) setThreadsCount(threads);
    return;
  }
  const count = threads ?? (await defaultThreadCount());
  if (threads === undefined) checkThreads(count, `${THREADS_VARIABLE} (environment variable)`);
  // Re-registered every time, so that the latest request decides until the backend starts.
  const stock = stockWasmFactory ?? entry.factory;
  stockWasmFactory = stock;
  tf.removeBackend('wasm');
  if (count === 1) {
    setThreadsCount(1);
    tf.registerBackend('wasm', stock, entry.priority);
    return;
  }
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        return await startThreadedWasm(count);
      } catch (error) {
        logger.warn?.(
          `the multi-threaded wasm build failed to start (${String(error)}); ` +
            `using the single-threaded one`,
        );
        setThreadsCount(1);
        return stock();
      }
    },
    entry.priority,
  );
}

let stockWasmFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;

/** The backend that a plain {@link initBackend} call selects. */
export const DEFAULT_BACKEND = 'wasm';

let selected: string | undefined;

/**
 * Selects and initialises a TensorFlow.js backend, and returns the name of the one in use.
 * Calling it again is cheap: a call without `backend` keeps whatever an earlier call selected
 * (so models can call it at `fit` time without undoing the application's choice); a call
 * naming another backend switches to it.
 * @throws ValidationError when a named backend is not registered or fails to start.
 */
export async function initBackend(options: BackendOptions = {}): Promise<string> {
  const logger = options.logger ?? silentLogger;
  const requested = options.backend;
  if (requested !== undefined && (typeof requested !== 'string' || requested.length === 0)) {
    throw new ValidationError(`backend must be a backend name such as 'wasm' or 'cpu'`);
  }
  if (options.threads !== undefined) checkThreads(options.threads);
  const kept = requested === undefined && selected !== undefined && tf.getBackend() === selected;
  const wanted = kept ? selected! : (requested ?? DEFAULT_BACKEND);
  if (options.threads !== undefined && wanted !== 'wasm') {
    throw new ValidationError(
      `threads applies to the wasm backend only, not '${wanted}': leave it out for '${wanted}'`,
    );
  }
  if (kept) {
    if (options.threads !== undefined) checkRunningThreads(options.threads);
    return wanted;
  }
  if (wanted === 'wasm') await prepareWasm(options.threads, logger);
  if (started(wanted) && tf.getBackend() === wanted) return (selected = wanted);
  if (tf.findBackendFactory(wanted) === null) {
    const known = Object.keys(tf.engine().registryFactory).join(', ');
    throw new ValidationError(
      `backend '${wanted}' is not registered (registered: ${known}): import its package first`,
    );
  }
  let ok = false;
  try {
    ok = await tf.setBackend(wanted);
  } catch {
    ok = false;
  }
  if (ok) {
    await tf.ready();
    return (selected = tf.getBackend());
  }
  if (requested !== undefined) {
    throw new ValidationError(`backend '${wanted}' failed to initialise on this platform`);
  }
  logger.warn?.(`the ${wanted} backend failed to start; falling back to cpu`);
  await tf.setBackend('cpu');
  await tf.ready();
  return (selected = tf.getBackend());
}
