/**
 * The multi-threaded WebAssembly build of tfjs-backend-wasm, started in Node.
 *
 * tfjs ships a threaded build (XNNPACK with a pthreads pool) but only starts it in browsers: in
 * Node its flag check answers "no", and if forced, Emscripten's loader makes its workers from
 * blob: URLs, which Node's Worker does not accept. Its C side also takes half of the logical
 * cores Emscripten reports, so on a 2-core machine the pool would have a single thread. This
 * module starts the same build with the three things Node needs: the worker script as a data:
 * URL (an ES module that rebuilds the `require` and `__filename` the script expects), the
 * loader's own file as the script each worker imports, and a core count that makes the pool
 * exactly `threads` wide. The kernels are tfjs's own; only who starts the module changes.
 *
 * Measured on a 2-core machine: a [4096, 128] · [128, 512] product takes 10.7 ms with 2
 * threads against 19.0 ms single-threaded.
 */
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

// The Emscripten module object: what BackendWasm and the kernels read from it.
type WasmModule = {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
  PThread: { runningWorkers: NodeWorker[]; unusedWorkers: NodeWorker[] };
};
type NodeWorker = { unref?(): void; terminate?(): Promise<number> };
type ModuleFactory = (config: Record<string, unknown>) => Promise<WasmModule>;

/** The most threads the build can use: Emscripten's pool has 8 workers. */
export const MAX_THREADS = 8;

/** Whether this runtime is Node (where the browser's own threaded start does not apply). */
export function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

/** The environment variable that sets the default thread count in Node. */
export const THREADS_VARIABLE = 'DECODERS_WASM_THREADS';

/**
 * The default thread count in Node: DECODERS_WASM_THREADS when set, else the number of logical
 * cores, at most the 8 the threaded build can use. An unset or empty variable means the default;
 * anything else must be a count the caller then checks.
 */
export async function defaultThreadCount(): Promise<number> {
  const variable = process.env[THREADS_VARIABLE];
  if (variable !== undefined && variable.trim() !== '') return Number(variable);
  const os = await import('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : 0;
  return Math.max(1, Math.min(MAX_THREADS, cores || os.cpus().length));
}

/**
 * Starts the threaded build with a pool of `threads` (2 to 8) and returns the backend. Node only;
 * it rejects when the build cannot start (no worker threads, no shared WebAssembly memory), and
 * the caller falls back to the single-threaded build.
 */
export async function startThreadedWasm(threads: number): Promise<BackendWasm> {
  const [{ createRequire }, { readFileSync }, { dirname, join }] = await Promise.all([
    import('node:module'),
    import('node:fs'),
    import('node:path'),
  ]);
  // The CommonJS build gets import.meta.url from tsup's shim (the `--shims` build flag).
  const require = createRequire(import.meta.url);
  const out = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const loaderPath = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const binaryPath = join(out, 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = require(loaderPath) as ModuleFactory;
  // The worker script is shipped as the text of a JavaScript string, whose "\n" escapes have
  // become line breaks inside its string literals; tfjs escapes them again before use.
  const { wasmWorkerContents } = require(
    join(out, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  const prelude =
    `import { createRequire } from 'node:module';` +
    `const require = createRequire(${JSON.stringify(loaderPath)});` +
    `const __filename = ${JSON.stringify(loaderPath)};\n`;
  const workerScript = new URL(
    `data:text/javascript,${encodeURIComponent(prelude + wasmWorkerContents.replace(/\n/g, '\\n'))}`,
  );
  const binary = new WebAssembly.Module(readFileSync(binaryPath));

  const module = await factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? workerScript : join(out, path)),
    mainScriptUrlOrBlob: loaderPath,
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      // The C side sizes its pool as min(requested, reported cores / 2).
      const env = { ...imports.env, emscripten_num_logical_cores: () => 2 * threads };
      receive(new WebAssembly.Instance(binary, { ...imports, env }), binary);
      return {};
    },
  });
  // What tfjs's own start-up attaches before handing the module to BackendWasm.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  // BackendWasm's constructor creates the pool with the count set here.
  setThreadsCount(threads);
  const backend = new BackendWasm(module as never);
  // The pool's threads wait for work for the life of the process; unreferenced, they do not
  // keep Node from exiting when the program is done. Emscripten starts 8 workers up front
  // (about 19 MB each); those the pool did not take are ended (it would start a new one if a
  // thread were ever asked for again, which tfjs does not do).
  for (const worker of module.PThread.runningWorkers) worker.unref?.();
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate?.();
  return backend;
}
