/**
 * End-to-end benchmark of `decoders run` against the Python reference pipeline, on the
 * reference's own splits: fusion quality (test ROC-AUC and PR-AUC) against the reference's best
 * measured configuration, wall time against the reference run in the same session, a few
 * configuration variants, and peak memory of `decoders score` on a generated 2-million-row CSV.
 *
 * Writes docs/benchmarks.md and the "Benchmarks" section of this package's README.
 *   pnpm bench                      every seed (0-4 on ODDS, 42 on NSL-KDD), variants, memory
 *   BENCH_QUICK=1 pnpm bench        one seed per data set, no variants
 *   BENCH_REFERENCE=0 pnpm bench    skip running the Python reference (stored timings shown)
 *   BENCH_ONLY=odds_cardio,memory   only these parts (data set names, memory); the docs are
 *                                   rebuilt from every cached part in bench/results/
 *   BENCH_NSL_VARIANTS=1            also run the variants on NSL-KDD at 3% attacks (slow)
 */
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const repoRoot = resolve(packageRoot, '../..');
const shared = process.env.DECODERS_SHARED ?? resolve(repoRoot, '../shared');
const dataDir = join(shared, 'data');
const referenceDir = join(shared, 'reference');
const results = join(referenceDir, 'results');
const cli = join(packageRoot, 'dist/cli.js');
const quick = process.env.BENCH_QUICK === '1';
const runReference = process.env.BENCH_REFERENCE !== '0';
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const python = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'decoders-bench-'));

interface Dataset {
  name: string;
  csv: string;
  target: string;
  attackType?: string;
  seeds: number[];
  /** Reference result of its best measured configuration. */
  best: string;
  /** Reference result of the original design. */
  original: string;
  /** Extra reference arguments to reproduce the same rows. */
  referenceArgs: string[];
  variants: boolean;
}

const odds = (name: string): Dataset => ({
  name,
  csv: `${name}.csv`,
  target: 'is_anomaly',
  seeds: quick ? [0] : [0, 1, 2, 3, 4],
  best: `variants/${name}__d_idemb.json`,
  original: `variants/${name}__a_default.json`,
  referenceArgs: [],
  variants: !quick,
});

const DATASETS: Dataset[] = [
  odds('odds_thyroid'),
  odds('odds_cardio'),
  {
    name: 'nsl_kdd_train20_p3',
    csv: 'nsl_kdd_train20.csv',
    target: 'is_attack',
    attackType: 'attack_type',
    seeds: [42],
    best: 'variants/nsl_kdd_train20_p3__d_idemb.json',
    original: 'variants/nsl_kdd_train20_p3__a_default.json',
    referenceArgs: ['--pos-rate', '0.03'],
    // One run here costs about ten minutes on two cores, so the variants are measured on the
    // ODDS sets only unless BENCH_NSL_VARIANTS=1.
    variants: !quick && process.env.BENCH_NSL_VARIANTS === '1',
  },
  {
    name: 'nsl_kdd_test',
    csv: 'nsl_kdd_test.csv',
    target: 'is_attack',
    attackType: 'attack_type',
    seeds: [42],
    best: 'nsl_kdd_test.json',
    original: 'nsl_kdd_test.json',
    referenceArgs: [],
    variants: false,
  },
  {
    name: 'nsl_kdd_train20',
    csv: 'nsl_kdd_train20.csv',
    target: 'is_attack',
    attackType: 'attack_type',
    seeds: [42],
    best: 'nsl_kdd_train20.json',
    original: 'nsl_kdd_train20.json',
    referenceArgs: [],
    variants: false,
  },
];

/** The reference flags of our default configuration (its variant d). */
const REFERENCE_D = [
  '--detector-input',
  'both',
  '--fusion-tokens',
  'iforest,ocsvm,lof,iforest_raw,ocsvm_raw,lof_raw,vae_recon_mu',
  '--fusion-stop',
  'prauc',
  '--detector-id-embedding',
];

const VARIANTS: { name: string; args: string[] }[] = [
  { name: 'out-of-fold 5', args: ['--out-of-fold', '5'] },
  { name: 'in-sample LOF training scores', args: ['--no-leave-one-out'] },
  { name: 'raw only (4 tokens)', args: ['--detector-input', 'raw'] },
  { name: 'latent only (4 tokens)', args: ['--detector-input', 'latent'] },
];

interface Metrics {
  rocAuc: number;
  prAuc: number;
  f1: number;
}

interface RunResult {
  test: { fusion: Metrics; detectors: Record<string, Metrics> };
  timings: Record<string, number>;
  wall: number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function ours(d: Dataset, seed: number, extra: string[] = [], tag = 'default'): RunResult {
  const out = join(work, `${d.name}-${seed}-${tag.replace(/\W+/g, '_')}`);
  const args = [
    cli,
    'run',
    join(dataDir, d.csv),
    '--target',
    d.target,
    '--split-file',
    join(results, `${d.name}.splits.csv.gz`),
    '--seed',
    String(seed),
    '--out',
    out,
    '--json',
    '--quiet',
    '--no-report',
    ...(d.attackType ? ['--attack-type-column', d.attackType] : []),
    ...extra,
  ];
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`decoders run failed on ${d.name}: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as Omit<RunResult, 'wall'>), wall };
}

function referenceAvailable(): boolean {
  if (!runReference || !existsSync(python)) return false;
  const r = spawnSync(python, ['-c', 'import sklearn, torch, pandas'], { encoding: 'utf8' });
  return r.status === 0;
}

interface ReferenceRun {
  wall: number;
  fusion: Metrics;
  /** Test metrics of every model the reference scored, under its own names. */
  models: Record<string, Metrics>;
  timings: Record<string, number>;
}

/** The reference's model name for each of ours, for the per-stage table. */
const REFERENCE_NAMES: Record<string, string> = {
  fusion: 'fusion',
  isolationForest: 'iforest',
  oneClassSvm: 'ocsvm',
  localOutlierFactor: 'lof',
  isolationForestRaw: 'iforest_raw',
  oneClassSvmRaw: 'ocsvm_raw',
  localOutlierFactorRaw: 'lof_raw',
  vaeReconstruction: 'vae_recon_mu',
};

function referenceModels(json: {
  models: Record<string, { test: { roc_auc: number; pr_auc: number; f1: number } }>;
}): Record<string, Metrics> {
  const out: Record<string, Metrics> = {};
  for (const [name, m] of Object.entries(json.models)) {
    out[name] = { rocAuc: m.test.roc_auc, prAuc: m.test.pr_auc, f1: m.test.f1 };
  }
  return out;
}

/** The reference's stage seconds, grouped as ours are. */
function referenceStages(t: Record<string, number>): Record<string, number> {
  const sum = (...keys: string[]) => keys.reduce((a, k) => a + (t[k] ?? 0), 0);
  return {
    preprocess: sum('load_csv', 'preprocess_fit', 'preprocess_transform'),
    vae: sum('vae_train', 'vae_encode', 'vae_recon_score'),
    detectors: t.detectors_total ?? 0,
    fusion: sum('meta_features', 'fusion_train', 'fusion_score'),
    total: t.total ?? 0,
  };
}

function reference(d: Dataset): ReferenceRun | null {
  const out = join(work, `${d.name}-reference.json`);
  const args = [
    join(referenceDir, 'pipeline.py'),
    '--csv',
    join(dataDir, d.csv),
    '--target',
    d.target,
    ...(d.attackType ? ['--drop', d.attackType] : []),
    '--out',
    out,
    '--quiet',
    ...d.referenceArgs,
    ...REFERENCE_D,
  ];
  const start = performance.now();
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) {
    log(`reference failed on ${d.name}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return null;
  }
  const json = JSON.parse(readFileSync(out, 'utf8'));
  const models = referenceModels(json);
  return { wall, fusion: models.fusion, models, timings: referenceStages(json.timings_s) };
}

function stored(path: string) {
  const json = JSON.parse(readFileSync(join(results, path), 'utf8'));
  const models = json.models as Record<string, { test: { roc_auc: number; pr_auc: number } }>;
  let bestSingle = { name: '', prAuc: -1, rocAuc: 0 };
  for (const [name, m] of Object.entries(models)) {
    if (name === 'fusion' || name === 'vae_recon') continue;
    if (m.test.pr_auc > bestSingle.prAuc) {
      bestSingle = { name, prAuc: m.test.pr_auc, rocAuc: m.test.roc_auc };
    }
  }
  return {
    fusion: { rocAuc: models.fusion.test.roc_auc, prAuc: models.fusion.test.pr_auc },
    bestSingle,
    total: json.timings_s.total as number,
    models: referenceModels(json),
    timings: referenceStages(json.timings_s),
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const f3 = (v: number) => v.toFixed(3);
const f1 = (v: number) => v.toFixed(1);

function average(runs: RunResult[]) {
  const names = Object.keys(runs[0].test.detectors);
  const detectors = names.map((name) => ({
    name,
    rocAuc: mean(runs.map((r) => r.test.detectors[name].rocAuc)),
    prAuc: mean(runs.map((r) => r.test.detectors[name].prAuc)),
  }));
  detectors.sort((a, b) => b.prAuc - a.prAuc);
  const models: Record<string, Metrics> = {
    fusion: {
      rocAuc: mean(runs.map((r) => r.test.fusion.rocAuc)),
      prAuc: mean(runs.map((r) => r.test.fusion.prAuc)),
      f1: mean(runs.map((r) => r.test.fusion.f1)),
    },
  };
  for (const name of names) {
    models[name] = {
      rocAuc: mean(runs.map((r) => r.test.detectors[name].rocAuc)),
      prAuc: mean(runs.map((r) => r.test.detectors[name].prAuc)),
      f1: mean(runs.map((r) => r.test.detectors[name].f1)),
    };
  }
  return {
    models,
    rocAuc: mean(runs.map((r) => r.test.fusion.rocAuc)),
    prAuc: mean(runs.map((r) => r.test.fusion.prAuc)),
    f1: mean(runs.map((r) => r.test.fusion.f1)),
    bestSingle: detectors[0],
    wall: runs[0].wall,
    stages: runs[0].timings,
  };
}

/** Writes a thyroid-shaped CSV of `rows` rows (jittered copies of the real rows). */
async function generateCsv(path: string, rows: number): Promise<void> {
  const lines = readFileSync(join(dataDir, 'odds_thyroid.csv'), 'utf8').trim().split('\n');
  const header = lines[0];
  const body = lines.slice(1).map((l) => l.split(',').map(Number));
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = body[i % body.length];
    chunk.push(
      row
        .map((v, j) =>
          j === row.length - 1 ? String(v) : (v * (1 + 0.02 * (next() - 0.5))).toFixed(5),
        )
        .join(','),
    );
    if (chunk.length === 10000) {
      if (!out.write(`${chunk.join('\n')}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`);
  await new Promise<void>((r) => out.end(r));
}

function scoreMemory(model: string, csv: string): { rssMb: number; seconds: number } | null {
  if (!existsSync('/usr/bin/time')) return null;
  const start = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'maxrss_kb=%M', process.execPath, cli, 'score', model, csv, '--out', '/dev/null', '-q'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const seconds = (performance.now() - start) / 1000;
  const match = /maxrss_kb=(\d+)/.exec(r.stderr);
  if (r.status !== 0 || !match) {
    log(`score memory run failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return null;
  }
  return { rssMb: Number(match[1]) / 1024, seconds };
}

interface DatasetResult {
  name: string;
  quality: string;
  timing: string;
  /** Per-stage rows: test ROC-AUC / PR-AUC / F1 of every model, ours and the reference's. */
  stages: string[];
  /** Where the reference's per-stage figures come from. */
  stagesSource: string;
  variants: string[];
  pass: boolean;
  load: [number, number];
  at: string;
}

const cacheDir = join(here, 'results');

function save(name: string, value: unknown): void {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

function cached<T>(name: string): T | undefined {
  const path = join(cacheDir, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

function benchDataset(d: Dataset, hasReference: boolean): DatasetResult {
  const load0 = loadavg()[0];
  const runs: RunResult[] = [];
  for (const seed of d.seeds) {
    log(`${d.name}: decoders run, seed ${seed}`);
    runs.push(ours(d, seed));
  }
  const a = average(runs);
  const best = stored(d.best);
  const original = stored(d.original);
  const pass = a.rocAuc >= best.fusion.rocAuc - 0.01 && a.prAuc >= best.fusion.prAuc - 0.01;
  const seeds =
    d.seeds.length > 1 ? `${d.seeds[0]}–${d.seeds[d.seeds.length - 1]}` : `${d.seeds[0]}`;
  const bestName = d.best.replace(/^variants\//, '').replace(/\.json$/, '');
  const quality = `| ${d.name} | ${seeds} | **${f3(a.rocAuc)}** / **${f3(a.prAuc)}** | ${f3(best.fusion.rocAuc)} / ${f3(best.fusion.prAuc)} (${bestName}) | ${pass ? 'yes' : 'NO'} | ${f3(original.fusion.rocAuc)} / ${f3(original.fusion.prAuc)} | ${a.bestSingle.name} ${f3(a.bestSingle.rocAuc)} / ${f3(a.bestSingle.prAuc)} | ${best.bestSingle.name} ${f3(best.bestSingle.rocAuc)} / ${f3(best.bestSingle.prAuc)} |`;

  let refWall = '';
  let ratio = '';
  let refRun: ReferenceRun | null = null;
  if (hasReference) {
    log(`${d.name}: reference run`);
    refRun = reference(d);
    if (refRun) {
      refWall = f1(refRun.wall);
      ratio = `${(a.wall / refRun.wall).toFixed(2)}×`;
    }
  }
  if (!refWall) {
    refWall = `unavailable (stored ${f1(best.total)})`;
    ratio = `${(a.wall / best.total).toFixed(2)}× stored`;
  }
  const s = a.stages;
  const rs = refRun?.timings ?? best.timings;
  const stageTimes = (['preprocess', 'vae', 'detectors', 'fusion'] as const)
    .map((k) => `${f1(s[k])} vs ${f1(rs[k])}`)
    .join(' / ');
  const timing = `| ${d.name} | ${f1(a.wall)} | ${refWall} | ${ratio} | ${stageTimes} |`;
  const refModels = refRun?.models ?? best.models;
  const trio = (m: Metrics | undefined) =>
    m ? `${f3(m.rocAuc)} / ${f3(m.prAuc)} / ${f3(m.f1)}` : '–';
  const stages = Object.entries(a.models).map(([name, m]) => {
    const ref = refModels[REFERENCE_NAMES[name] ?? name];
    const diff = ref ? `${m.prAuc - ref.prAuc >= 0 ? '+' : ''}${f3(m.prAuc - ref.prAuc)}` : '–';
    return `| ${d.name} | ${name} | ${trio(m)} | ${trio(ref)} | ${diff} |`;
  });
  const stagesSource = refRun
    ? `${d.name}: reference run in this session`
    : `${d.name}: stored ${d.best}`;

  const variants: string[] = [];
  if (d.variants) {
    const base = average([runs[0]]);
    for (const v of VARIANTS) {
      // One seed per variant: enough to see large effects at a bearable cost.
      const seed = d.seeds[0];
      log(`${d.name}: variant ${v.name}, seed ${seed}`);
      const va = average([ours(d, seed, v.args, v.name)]);
      variants.push(
        `| ${d.name} | ${seed} | ${v.name} | ${f3(va.rocAuc)} / ${f3(va.prAuc)} | ${f3(base.rocAuc)} / ${f3(base.prAuc)} | ${f1(va.wall)} | ${f1(base.wall)} |`,
      );
    }
  }
  return {
    name: d.name,
    quality,
    timing,
    stages,
    stagesSource,
    variants,
    pass,
    load: [load0, loadavg()[0]],
    at: new Date().toISOString(),
  };
}

async function benchMemory(): Promise<string> {
  if (!existsSync('/usr/bin/time')) return 'not measured (/usr/bin/time is missing)';
  const thyroid = DATASETS[0];
  log('memory: fitting an odds_thyroid model (default configuration)');
  ours(thyroid, 0, [], 'memory-model');
  const model = join(work, `${thyroid.name}-0-memory_model`, 'model.decoders');
  const csv = join(work, 'two-million.csv');
  log('memory: generating a 2,000,000-row CSV');
  await generateCsv(csv, 2_000_000);
  log('memory: decoders score on 2,000,000 rows');
  const m = scoreMemory(model, csv);
  if (!m) return 'not measured (the score run failed)';
  const verdict = m.rssMb < 1024 ? 'under' : 'OVER';
  return `peak RSS **${m.rssMb.toFixed(0)} MB** (${verdict} the 1 GB bound) while scoring 2,000,000 rows in ${f1(m.seconds)} s (${(2_000_000 / m.seconds).toFixed(0)} rows/s), with an odds_thyroid model in the default configuration; measured ${new Date().toISOString()}, load ${loadavg()[0].toFixed(1)}.`;
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('build the package first: pnpm build');
  if (!existsSync(dataDir)) {
    log(`shared data not found at ${dataDir}: nothing to benchmark`);
    return;
  }
  const hasReference = referenceAvailable();
  log(`reference ${hasReference ? 'available' : 'unavailable'}; work dir ${work}`);
  for (const d of DATASETS) {
    if (only && !only.includes(d.name)) continue;
    if (!existsSync(join(dataDir, d.csv)) || !existsSync(join(results, d.best))) continue;
    save(d.name, benchDataset(d, hasReference));
  }
  if (!only || only.includes('memory')) save('memory', { text: await benchMemory() });
  writeDocs();
}

/** Renders every cached result (this run's and earlier partial runs') into the docs. */
function writeDocs(): void {
  const rows = DATASETS.map((d) => cached<DatasetResult>(d.name)).filter(
    (r): r is DatasetResult => r !== undefined,
  );
  const memory = cached<{ text: string }>('memory')?.text ?? 'Not measured yet.';
  const loads = rows.map((r) => `${r.name} ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}`);
  const allPass = rows.length > 0 && rows.every((r) => r.pass);
  const variantRows = rows.flatMap((r) => r.variants);
  const doc = [
    '# Benchmarks: the pipeline end to end',
    '',
    `Produced by \`pnpm bench\` in packages/pipeline${quick ? ' with BENCH_QUICK=1 (one seed)' : ''}; results are cached per data set in packages/pipeline/bench/results/ so that data sets can be run separately (\`BENCH_ONLY=name\`). Machine: ${cpus().length} cores shared with other work; 1-minute load average at the start and end of each data set: ${loads.join(', ')}. Times are noisy (several-fold under that load); ratios compare runs made back to back under the same load.`,
    '',
    'Every run is `decoders run <csv> --split-file <reference splits> --seed <s>` with the default',
    'configuration (detectors on the VAE latent and on the preprocessed features, the VAE',
    'reconstruction error as a token, a detector-identity embedding), on exactly the rows the',
    'Python reference trained, validated and tested on.',
    '',
    '## Quality: test ROC-AUC / PR-AUC of the fusion',
    '',
    "Target: at least the reference's best measured configuration minus 0.01 (ODDS: mean over seeds;",
    'NSL-KDD: seed 42). "Original design" is the reference with the notebook\'s settings. Best single',
    'detector: the highest test PR-AUC among the detectors alone (ours averaged over the seeds).',
    '',
    '| data set | seeds | Decoders fusion | reference best | meets target | reference original design | Decoders best single detector | reference best single detector |',
    '|---|---|---:|---:|---|---:|---:|---:|',
    ...rows.map((r) => r.quality),
    '',
    `All targets met: **${allPass ? 'yes' : 'no'}**.`,
    '',
    '## Quality per stage: every detector and the fusion, ours beside the reference',
    '',
    'Test ROC-AUC / PR-AUC / F1 (each model at its own validation-tuned F1 threshold). Ours: the',
    'mean over the seeds above; the reference: its variant d (the configuration our defaults',
    'follow) on the same rows, run in this session where Python is available, otherwise its',
    'stored result. Names: `…Raw` detectors see the preprocessed features, the others the VAE',
    "latent; `vaeReconstruction` is the reference's `vae_recon_mu`.",
    '',
    '| data set | model | Decoders ROC / PR / F1 | reference ROC / PR / F1 | PR-AUC difference |',
    '|---|---|---:|---:|---:|',
    ...rows.flatMap((r) => r.stages ?? []),
    '',
    `Reference figures: ${rows.map((r) => r.stagesSource ?? `${r.name}: not recorded`).join('; ')}.`,
    '',
    '## Time: `decoders run` beside the reference, same session',
    '',
    'Wall seconds of the whole command (read, split, fit, evaluate, save) for the first seed; the',
    'reference runs its variant d (the configuration our defaults follow; its own stratified split',
    'with seed 42, the same rows) with 2 threads, right after ours. Stage seconds are ours vs the',
    "reference's own timers (its `timings_s`).",
    '',
    '| data set | Decoders s | reference s | ratio | preprocess / vae / detectors / fusion s, ours vs reference |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => r.timing),
    '',
    '## Variants (choosing the defaults by measurement)',
    '',
    'One seed each, on the ODDS sets (a run on NSL-KDD costs several minutes;',
    '`BENCH_NSL_VARIANTS=1` adds NSL-KDD at 3% attacks). The default column is the same seed',
    'with the default configuration.',
    '',
    variantRows.length
      ? [
          '| data set | seed | variant | variant ROC / PR | default ROC / PR | variant s | default s |',
          '|---|---|---|---:|---:|---:|---:|',
          ...variantRows,
        ].join('\n')
      : 'Not run (BENCH_QUICK=1).',
    '',
    '## Memory: `decoders score` on 2,000,000 rows',
    '',
    memory,
    '',
    '## Each stage on its own',
    '',
    "The root `pnpm bench` runs every package's benchmark before this one; each writes its table,",
    'beside scikit-learn or PyTorch measured in the same run, into its package README:',
    '',
    '- [metrics](../packages/metrics/README.md#benchmarks): rocAuc, averagePrecision and',
    '  bestF1Threshold on 1,000,000 rows against scikit-learn;',
    '- [preprocess](../packages/preprocess/README.md#benchmarks): CSV read, fit and transform of',
    '  500,000 mixed rows against csv-parse alone and scikit-learn;',
    '- [outliers](../packages/outliers/README.md#benchmarks): Isolation Forest, Local Outlier Factor',
    '  and One-Class SVM fit and score against scikit-learn, and the approximate One-Class SVM;',
    '- [vae](../packages/vae/README.md#benchmarks): seconds per epoch against PyTorch, and',
    "  reconstruction-error ROC-AUC against the reference's `vae_recon_mu`;",
    "- [fusion](../packages/fusion/README.md#benchmarks): test PR-AUC on the reference's own",
    '  detector scores against its fusion, and training and scoring speed against PyTorch.',
    '',
  ].join('\n');
  process.stdout.write(`${doc}\n`);
  writeFileSync(join(repoRoot, 'docs/benchmarks.md'), doc);
  const readmePath = join(packageRoot, 'README.md');
  if (existsSync(readmePath)) {
    const readme = readFileSync(readmePath, 'utf8');
    const body = doc.split('\n').slice(2).join('\n').replace(/^## /gm, '### ');
    const section = `## Benchmarks\n\n${body}\n`;
    const pattern = /## Benchmarks\n[\s\S]*?(?=\n## |$)/;
    const next = pattern.test(readme)
      ? readme.replace(pattern, section)
      : `${readme.trimEnd()}\n\n${section}`;
    writeFileSync(readmePath, next);
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
