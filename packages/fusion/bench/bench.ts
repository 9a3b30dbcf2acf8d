/**
 * Fusion bench: quality on the Python reference's own detector scores and speed on 100,000 rows
 * × 4 detectors beside the PyTorch reference fusion. Prints the tables and writes them into the
 * package README between the bench markers.
 *
 *   pnpm bench                         every data set, seeds 0–4
 *   FUSION_BENCH_SEEDS=0,1 FUSION_BENCH_DATASETS=odds_cardio pnpm bench
 *   FUSION_BENCH_LARGE_SEEDS=0,1   seeds for data sets over 10,000 training rows
 *   FUSION_BENCH_SPEED_ROWS=20000  rows of the speed comparison (default 100,000)
 *   FUSION_BENCH_SHARED=/path/to/shared   where `reference/results` lives (default ../shared
 *                                      beside the repository root)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '@decoders/core';
import { averagePrecision, evaluate } from '@decoders/metrics';
import { AttentionFusion, initBackend, RankFusion } from '../src/index.js';
import { DETECTORS, readScoresFile } from './scores-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const shared = process.env.FUSION_BENCH_SHARED ?? resolve(repoRoot, '../shared');
const results = join(shared, 'reference/results');
const seeds = (process.env.FUSION_BENCH_SEEDS ?? '0,1,2,3,4').split(',').map(Number);
/** Seeds for data sets with more than 10,000 training rows (they take minutes per seed). */
const largeSeeds = (process.env.FUSION_BENCH_LARGE_SEEDS ?? seeds.join(',')).split(',').map(Number);
const datasets = (
  process.env.FUSION_BENCH_DATASETS ??
  'odds_thyroid,odds_cardio,nsl_kdd_train20_p3,nsl_kdd_train20,nsl_kdd_test'
)
  .split(',')
  .filter(Boolean);
const speedRows = Number(process.env.FUSION_BENCH_SPEED_ROWS ?? 100_000);
const python = '/usr/bin/python3';
/** The default batch size of AttentionFusion, used for both sides of the speed comparison. */
const SPEED_BATCH = 128;

const fmt = (v: number | undefined, digits = 3) =>
  v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits);
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

async function quality(): Promise<string> {
  const header = row([
    'data set',
    'rows train/val/test (attacks)',
    'best single detector (by val)',
    'RankFusion mean',
    'original design fusion',
    'reference fusion (b)',
    'AttentionFusion PR-AUC, mean ± sd (seeds)',
    'vs reference − 0.01',
    'AttentionFusion F1 at val threshold',
    'epochs (best)',
    's per fit',
  ]);
  const lines = [header, `|${' --- |'.repeat(11)}`];
  for (const name of datasets) {
    const data = readScoresFile(join(results, `${name}.scores.csv.gz`));
    if (!data) {
      lines.push(`| ${name} | reference scores unavailable |${' |'.repeat(8)}`);
      continue;
    }
    const { train, val, test } = data;
    const count = (y: Uint8Array) => y.reduce((a, b) => a + b, 0);
    const parts = [train, val, test];
    const sizes =
      `${parts.map((p) => p.labels.length).join('/')} ` +
      `(${parts.map((p) => count(p.labels)).join('/')})`;

    let best = { name: '', val: -1, test: 0 };
    for (let j = 0; j < DETECTORS.length; j++) {
      const column = (s: typeof val) =>
        Float64Array.from({ length: s.labels.length }, (_, i) => s.scores.data[i * 4 + j]);
      const v = averagePrecision(val.labels, column(val));
      if (v > best.val)
        best = { name: DETECTORS[j], val: v, test: averagePrecision(test.labels, column(test)) };
    }

    const rank = new RankFusion({ method: 'mean' });
    await rank.fit(train.scores);
    const rankAp = averagePrecision(test.labels, rank.predictProba(test.scores));
    const originalAp = averagePrecision(test.labels, test.referenceFusion);
    const variant = join(results, `variants/${name}__b_prauc_recon.json`);
    const reference = existsSync(variant)
      ? (JSON.parse(readFileSync(variant, 'utf8')).models.fusion.test.pr_auc as number)
      : undefined;

    const aps: number[] = [];
    const f1s: number[] = [];
    const epochs: string[] = [];
    const seconds: number[] = [];
    const runSeeds = train.labels.length > 10_000 ? largeSeeds : seeds;
    for (const seed of runSeeds) {
      const started = performance.now();
      const fusion = new AttentionFusion({ seed });
      const history = await fusion.fit(train.scores, train.labels, {
        validationScores: val.scores,
        validationLabels: val.labels,
        detectorNames: [...DETECTORS],
      });
      seconds.push((performance.now() - started) / 1000);
      const p = fusion.predictProba(test.scores);
      aps.push(averagePrecision(test.labels, p));
      f1s.push(evaluate(test.labels, p, fusion.threshold).f1);
      epochs.push(`${history.epochs} (${history.bestEpoch})`);
      fusion.dispose();
      process.stderr.write(`${name} seed ${seed}: PR-AUC ${fmt(aps.at(-1))}\n`);
    }
    const verdict =
      reference === undefined
        ? 'no reference'
        : `${mean(aps) >= reference - 0.01 ? 'pass' : 'FAIL'} (${fmt(mean(aps) - reference, 3)})`;
    lines.push(
      row([
        name,
        sizes,
        `${fmt(best.test)} (${best.name})`,
        fmt(rankAp),
        fmt(originalAp),
        fmt(reference),
        `${fmt(mean(aps))} ± ${fmt(sd(aps))} (${runSeeds.join(',')})`,
        verdict,
        fmt(mean(f1s)),
        epochs.join(', '),
        fmt(mean(seconds), 1),
      ]),
    );
    writeReadme(report(lines.join('\n'), '(speed comparison still running)'));
  }
  return lines.join('\n');
}

async function speed(): Promise<string> {
  const rows = speedRows;
  const m = 4;
  const epochs = 2;
  const batchSize = SPEED_BATCH;
  const random = new Random(123);
  const scores = new Float64Array(rows * m);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = random.next() < 0.05 ? 1 : 0;
    for (let j = 0; j < m; j++) scores[i * m + j] = random.normal(labels[i] ? 1 : 0, 1);
  }
  const matrix = { data: scores, rows, cols: m };
  // A small validation set keeps the per-epoch time about training.
  const validation = { data: scores.subarray(0, 1000 * m), rows: 1000, cols: m };
  const times: number[] = [];
  let last = 0;
  const fusion = new AttentionFusion({ maxEpochs: epochs, seed: 0, batchSize });
  await fusion.fit(matrix, labels, {
    validationScores: validation,
    validationLabels: labels.subarray(0, 1000),
    onProgress: (e) => {
      times.push(e.elapsed - last);
      last = e.elapsed;
    },
  });
  const started = performance.now();
  fusion.predictProba(matrix);
  const oursScore = rows / ((performance.now() - started) / 1000);
  const oursEpoch = Math.min(...times);
  fusion.dispose();

  let reference: { epochSeconds: number; scoreRowsPerSecond: number; torch: string } | undefined;
  let note = '';
  const dir = mkdtempSync(join(tmpdir(), 'fusion-bench-'));
  try {
    execFileSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    writeFileSync(join(dir, 'scores.f64'), scores);
    writeFileSync(join(dir, 'labels.u8'), labels);
    const out = execFileSync(
      python,
      [
        join(here, 'reference_fusion.py'),
        'timing',
        '--scores-bin',
        join(dir, 'scores.f64'),
        '--labels-bin',
        join(dir, 'labels.u8'),
        '--rows',
        String(rows),
        '--tokens',
        String(m),
        '--epochs',
        String(epochs),
        '--threads',
        '1',
        '--batch',
        String(batchSize),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    reference = JSON.parse(out);
  } catch {
    note = 'reference unavailable (/usr/bin/python3 with torch and numpy not found)';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    row([
      `${rows.toLocaleString('en-US')} rows × ${m} detectors`,
      `ours (tfjs, ${backend})`,
      'PyTorch reference (1 thread)',
      'ours / reference',
    ]),
    '| --- | --- | --- | --- |',
    row([
      `training, seconds per epoch (batch ${batchSize})`,
      fmt(oursEpoch, 2),
      fmt(reference?.epochSeconds, 2),
      reference ? fmt(oursEpoch / reference.epochSeconds, 2) : 'n/a',
    ]),
    row([
      'scoring, rows per second (meta-features included)',
      String(Math.round(oursScore)),
      reference ? String(Math.round(reference.scoreRowsPerSecond)) : 'n/a',
      reference ? fmt(oursScore / reference.scoreRowsPerSecond, 2) : 'n/a',
    ]),
  ];
  if (note) lines.push('', note);
  else lines.push('', `PyTorch ${reference?.torch}; best of ${epochs} epochs.`);
  return lines.join('\n');
}

let backend = '';
const started = new Date().toISOString().slice(0, 16).replace('T', ' ');

function report(q: string, s: string): string {
  return [
    `Produced by \`pnpm bench\` (\`tsx bench/bench.ts\`) on ${started} UTC, backend ${backend}.`,
    '',
    '**Quality**: test PR-AUC on the Python reference’s own detector scores (`iforest`, `ocsvm`,',
    '`lof`, `vae_recon_mu`; train rows fit, val rows stop early and set the threshold, test rows',
    'measure).',
    'Best single detector: the one with the highest validation PR-AUC. RankFusion: mean of ranks,',
    'labels unused. Original design fusion: the reference run’s own `fusion_prob` (F1-at-0.5',
    'early stopping). Reference fusion (b): the reference trained on the same four scores with',
    'PR-AUC early stopping (`variants/<name>__b_prauc_recon.json`, seed 42). AttentionFusion: this',
    'package with its defaults; F1 is on test rows at the threshold chosen on validation rows.',
    '',
    q,
    '',
    '**Speed**:',
    '',
    s,
    '',
    'Timings come from a shared 2-core machine under heavy load from other jobs: compare the',
    'ratio, measured in the same run, rather than the absolute figures.',
  ].join('\n');
}

function writeReadme(body: string): void {
  const readme = join(here, '../README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(readme, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
    }
  }
}

async function main() {
  backend = await initBackend();
  const q = await quality();
  const body = report(q, await speed());
  console.log(body);
  writeReadme(body);
}

await main();
