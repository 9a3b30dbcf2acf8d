/**
 * Training speed: the default model for a fixed number of epochs on a fixed generated
 * 20,000 × 64 matrix, against the reference PyTorch model (imported from
 * shared/reference/pipeline.py) on the same matrix in the same run, at the same thread count:
 * one thread, and the machine's logical cores (the wasm backend's default in Node) when that is
 * more. Each of our runs is a child process, since the wasm thread pool is fixed when the backend
 * starts. Also times one training step on each tfjs backend. Writes bench/results/speed.json.
 * Env: BENCH_EPOCHS (default 2), BENCH_CPU_STEPS (default 2; 0 skips the cpu backend).
 * `tsx bench/speed.ts --ours` runs only our epochs, at DECODERS_WASM_THREADS, and prints JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denseMatrix, Random } from '@decoders/core';
import { AdamW, initBackend, tf, trainStep, wasmThreadCount } from '@decoders/nn';
import { PatchTransformerVAE } from '../src/index.js';
import { VaeNetwork } from '../src/network.js';
import { SHARED } from './data.js';

const ROWS = 20_000;
const COLS = 64;
const epochs = Number(process.env.BENCH_EPOCHS ?? 2);
const cpuSteps = Number(process.env.BENCH_CPU_STEPS ?? 2);

/** Seconds per epoch, wall-clock and CPU (all threads). */
export interface EpochTimes {
  secondsPerEpoch: number;
  cpuSecondsPerEpoch: number;
}

/** Both sides at one thread count. */
export interface SpeedPair {
  threads: number;
  ours: EpochTimes & { backend: string };
  torch: (EpochTimes & { threads: number }) | null;
  torchNote: string;
}

export interface SpeedResult {
  rows: number;
  cols: number;
  epochs: number;
  pairs: SpeedPair[];
  /** Wall-clock seconds of one training step, by tfjs backend (wasm at the default threads). */
  stepSeconds: Record<string, number>;
  loadAverage: number[];
}

function matrix() {
  const random = new Random(0);
  const data = new Float32Array(ROWS * COLS);
  for (let i = 0; i < data.length; i++) data[i] = random.normal();
  return denseMatrix(data, ROWS, COLS);
}

/** The default model's sizes (the reference's), without the number of features. */
export const DEFAULT_SIZES = {
  patchSize: 32,
  dModel: 128,
  nLayers: 2,
  nHeads: 4,
  latentDim: 32,
  dropout: 0.1,
  positionalEmbedding: false,
};

/** The default model's network for `nFeatures` columns, seed 0. */
export function defaultNetwork(nFeatures: number): VaeNetwork {
  return new VaeNetwork({ nFeatures, ...DEFAULT_SIZES }, new Random(0));
}

/** Mean wall-clock seconds of one default-model training step on a 1024-row batch. */
async function stepSeconds(backend: string, steps: number, data: Float32Array): Promise<number> {
  await initBackend({ backend });
  const network = defaultNetwork(COLS);
  const x = tf.tensor2d(data.subarray(0, 1024 * COLS), [1024, COLS]);
  const optimizer = new AdamW({ weightDecay: 1e-4 });
  const random = new Random(1);
  const step = () =>
    trainStep(
      optimizer,
      network.store.variables,
      () => network.loss(x, x, 0.5, random, random).total,
    );
  step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - start) / 1000 / steps;
  x.dispose();
  optimizer.dispose();
  network.dispose();
  return seconds;
}

const mean = (v: number[]) => v.reduce((sum, a) => sum + a, 0) / v.length;

type OurEpochs = EpochTimes & { backend: string; threads: number };

/** Our epochs in this process, at the thread count the wasm backend starts with. */
async function ourEpochs(): Promise<OurEpochs> {
  const x = matrix();
  const backend = await initBackend({ backend: 'wasm' });
  const vae = new PatchTransformerVAE({ maxEpochs: epochs, patience: epochs + 1, seed: 0 });
  const wall: number[] = [];
  const cpu: number[] = [];
  let mark = process.cpuUsage();
  await vae.fit(x, {
    onEpochEnd: (e) => {
      const used = process.cpuUsage(mark);
      mark = process.cpuUsage();
      wall.push(e.seconds);
      cpu.push((used.user + used.system) / 1e6);
    },
  });
  vae.dispose();
  return {
    backend,
    threads: wasmThreadCount(),
    secondsPerEpoch: mean(wall),
    cpuSecondsPerEpoch: mean(cpu),
  };
}

/** Our epochs in a child process whose wasm backend starts with `threads` threads. */
function ourEpochsWith(threads: number): OurEpochs {
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, new URL(import.meta.url).pathname, '--ours'],
    { encoding: 'utf8', env: { ...process.env, DECODERS_WASM_THREADS: String(threads) } },
  );
  const line = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !line) {
    throw new Error(`our speed run with ${threads} thread(s) failed: ${run.stderr}`);
  }
  return JSON.parse(line);
}

/** The reference's epochs on `x` with torch.set_num_threads(threads), or why there are none. */
function torchEpochs(
  x: Float32Array,
  threads: number,
): { torch: SpeedPair['torch']; torchNote: string } {
  const python = '/usr/bin/python3';
  const reference = `${SHARED}reference`;
  if (!existsSync(python) || !existsSync(`${reference}/pipeline.py`)) {
    return { torch: null, torchNote: 'reference unavailable' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vae-bench-'));
  const file = join(dir, 'matrix.f32');
  writeFileSync(file, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  const script = new URL('./torch_epoch.py', import.meta.url).pathname;
  const run = spawnSync(
    python,
    [script, file, String(ROWS), String(COLS), String(epochs), String(threads), reference],
    { encoding: 'utf8' },
  );
  rmSync(dir, { recursive: true, force: true });
  const line = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !line) {
    const why = (run.stderr ?? '').trim().split('\n').at(-1) ?? 'no output';
    return { torch: null, torchNote: `reference unavailable (${why})` };
  }
  const parsed = JSON.parse(line);
  return {
    torch: {
      secondsPerEpoch: mean(parsed.seconds),
      cpuSecondsPerEpoch: mean(parsed.cpu_seconds),
      threads: parsed.threads,
    },
    torchNote: `PyTorch ${parsed.torch}, torch.set_num_threads(${parsed.threads})`,
  };
}

export async function runSpeed(log: (line: string) => void = console.log): Promise<SpeedResult> {
  const x = matrix();
  const stepTimes: Record<string, number> = {};
  stepTimes.wasm = await stepSeconds('wasm', 5, x.data);
  if (cpuSteps > 0) stepTimes.cpu = await stepSeconds('cpu', cpuSteps, x.data);
  log(
    `one training step (s, wasm with ${wasmThreadCount()} thread(s)): ${JSON.stringify(stepTimes)}`,
  );

  const { availableParallelism, loadavg } = await import('node:os');
  const counts = [...new Set([1, Math.min(8, availableParallelism())])];
  const pairs: SpeedPair[] = [];
  for (const threads of counts) {
    const { threads: used, ...ours } = ourEpochsWith(threads);
    const { torch, torchNote } = torchEpochs(x.data, threads);
    pairs.push({ threads: used, ours, torch, torchNote });
    log(
      `${used} thread(s): ours (${ours.backend}) ${ours.secondsPerEpoch.toFixed(2)} s/epoch wall, ` +
        `${ours.cpuSecondsPerEpoch.toFixed(2)} CPU s/epoch; ` +
        (torch
          ? `torch ${torch.secondsPerEpoch.toFixed(2)} s/epoch wall, ${torch.cpuSecondsPerEpoch.toFixed(2)} CPU s/epoch; ` +
            `ratio ${(ours.secondsPerEpoch / torch.secondsPerEpoch).toFixed(2)}×`
          : torchNote),
    );
  }
  const result: SpeedResult = {
    rows: ROWS,
    cols: COLS,
    epochs,
    pairs,
    stepSeconds: stepTimes,
    loadAverage: loadavg(),
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/speed.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--ours')) console.log(JSON.stringify(await ourEpochs()));
  else await runSpeed();
}
