/**
 * Reads, fits and transforms a generated 500,000-row x 20-column mixed CSV, beside a
 * csv-parse parse-only pass over the same file and, where available, scikit-learn's
 * ColumnTransformer (pandas read_csv + RobustScaler | OneHotEncoder). Writes the table into
 * the README section "Benchmarks".
 *
 * Run: pnpm bench   (ROWS=100000 pnpm bench for a quicker run)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@decoders/core';
import { parse } from 'csv-parse';
import { iterateCsv, readCsv, TabularPreprocessor } from '../src/index.js';

const ROWS = Number(process.env.ROWS ?? 500_000);
const NUMERIC = 15;
const CATEGORIES = [3, 5, 8, 12, 24];

async function generate(path: string): Promise<void> {
  const random = new Random(42);
  const out = createWriteStream(path);
  const header = [
    ...Array.from({ length: NUMERIC }, (_, j) => `num${j}`),
    ...CATEGORIES.map((_, j) => `cat${j}`),
  ];
  out.write(`${header.join(',')}\n`);
  let buffer = '';
  for (let i = 0; i < ROWS; i++) {
    const cells: string[] = [];
    for (let j = 0; j < NUMERIC; j++) {
      if (random.next() < 0.01) cells.push('NA');
      else if (j % 3 === 0) cells.push(String(random.int(1000)));
      else cells.push((random.normal() * (j + 1)).toFixed(4));
    }
    CATEGORIES.forEach((k, j) => {
      // skewed category frequencies, as in logs
      const v = Math.floor(k * random.next() ** 2);
      cells.push(random.next() < 0.005 ? '' : `c${j}_${v}`);
    });
    buffer += `${cells.join(',')}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve) => out.end(resolve));
}

async function parseOnly(path: string): Promise<number> {
  let n = 0;
  for await (const _ of createReadStream(path).pipe(parse())) n++;
  return n - 1;
}

interface Clock {
  wall: number;
  cpu: number;
}

function start(): Clock {
  const u = process.cpuUsage();
  return { wall: performance.now(), cpu: u.user + u.system };
}

/** Wall-clock and CPU seconds since `from`; CPU time is the steadier figure on a busy machine. */
function since(from: Clock): Clock {
  const u = process.cpuUsage();
  return {
    wall: (performance.now() - from.wall) / 1000,
    cpu: (u.user + u.system - from.cpu) / 1e6,
  };
}

function python(path: string): Record<string, number> | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0)
    return 'reference unavailable (python3 with scikit-learn and pandas not found)';
  const script = `
import json, sys, time, resource
import numpy as np, pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, RobustScaler
clock = time.process_time
t0 = time.perf_counter(); c0 = clock(); df = pd.read_csv(sys.argv[1]); t1 = time.perf_counter(); c1 = clock()
num = [c for c in df.columns if is_numeric_dtype(df[c])]; cat = [c for c in df.columns if c not in num]
for c in cat: df[c] = df[c].astype(str)
pre = ColumnTransformer([("num", RobustScaler(), num),
  ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat)], remainder="drop")
t2 = time.perf_counter(); c2 = clock(); pre.fit(df); t3 = time.perf_counter(); c3 = clock()
X = np.nan_to_num(pre.transform(df), nan=0.0); t4 = time.perf_counter(); c4 = clock()
print(json.dumps({"read": t1 - t0, "fit": t3 - t2, "transform": t4 - t3,
  "readCpu": c1 - c0, "fitCpu": c3 - c2, "transformCpu": c4 - c3, "width": X.shape[1],
  "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', script, path], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' },
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } catch (error) {
    return `reference failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'decoders-preprocess-bench-'));
  const path = join(dir, 'mixed.csv');
  try {
    await generate(path);
    const sizeMB = statSync(path).size / 1e6;
    console.log(
      `generated ${ROWS} rows x ${NUMERIC + CATEGORIES.length} columns (${sizeMB.toFixed(1)} MB)`,
    );

    let t = start();
    const parsed = await parseOnly(path);
    const parseTime = since(t);
    if (parsed !== ROWS) throw new Error(`parse-only pass saw ${parsed} rows`);

    t = start();
    const table = await readCsv(path);
    const readTime = since(t);
    t = start();
    const pre = new TabularPreprocessor().fit(table);
    const fitTime = since(t);
    t = start();
    const X = pre.transform(table);
    const transformTime = since(t);
    const width = X.cols;
    const rssAfterTransform = process.memoryUsage().rss / 2 ** 20;

    // Bounded-memory scoring: stream the file again in chunks through the fitted preprocessor.
    t = start();
    let streamed = 0;
    for await (const chunk of iterateCsv(path, { chunkSize: 50_000 })) {
      streamed += pre.transform(chunk).rows;
    }
    const streamTime = since(t);
    if (streamed !== ROWS) throw new Error(`streamed ${streamed} rows`);

    const peakMB = process.resourceUsage().maxRSS / 1024;
    const ref = python(path);
    const total: Clock = {
      wall: readTime.wall + fitTime.wall + transformTime.wall,
      cpu: readTime.cpu + fitTime.cpu + transformTime.cpu,
    };
    const cell = (c: Clock) => `${c.wall.toFixed(2)} | ${c.cpu.toFixed(2)}`;
    const ratio = (c: Clock) => (c.cpu / parseTime.cpu).toFixed(2);
    const vs = (ours: number, theirs: number) => (ours / theirs).toFixed(2);
    const refCell = (label: string, wall: number, cpu: number, ours: Clock) =>
      `${label}: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU; ours/ref CPU ${vs(ours.cpu, cpu)}`;
    const rows: string[][] = [
      ['csv-parse, parse only', cell(parseTime), '1.00', ''],
      ['readCsv (parse + typed columns)', cell(readTime), ratio(readTime), ''],
      ['TabularPreprocessor.fit', cell(fitTime), '', ''],
      ['TabularPreprocessor.transform', cell(transformTime), '', ''],
      ['read + fit + transform', cell(total), ratio(total), ''],
      ['iterateCsv + transform (50k-row chunks)', cell(streamTime), ratio(streamTime), ''],
    ];
    let refLine: string;
    if (typeof ref === 'string') {
      refLine = ref;
      rows[4][3] = ref;
    } else {
      rows[1][3] = refCell('pandas read_csv', ref.read, ref.readCpu, readTime);
      rows[2][3] = refCell('ColumnTransformer.fit', ref.fit, ref.fitCpu, fitTime);
      rows[3][3] = refCell(
        'ColumnTransformer.transform',
        ref.transform,
        ref.transformCpu,
        transformTime,
      );
      const refWall = ref.read + ref.fit + ref.transform;
      const refCpu = ref.readCpu + ref.fitCpu + ref.transformCpu;
      rows[4][3] =
        `${refCell('scikit-learn + pandas', refWall, refCpu, total)}; ` +
        `width ${ref.width}, peak RSS ${ref.peakMB.toFixed(0)} MB`;
      refLine = `reference: scikit-learn ${refWall.toFixed(2)} s wall`;
    }
    const table_md = [
      '| step | wall s | CPU s | CPU ratio to parse-only | reference (same run) |',
      '| --- | ---: | ---: | ---: | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    const summary =
      `${ROWS.toLocaleString('en-US')} rows x 20 columns (15 numeric, 5 categorical), ` +
      `${sizeMB.toFixed(1)} MB CSV, output width ${width}. ` +
      `Peak RSS (process.resourceUsage().maxRSS) ${peakMB.toFixed(0)} MB; RSS after transform ` +
      `${rssAfterTransform.toFixed(0)} MB. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. ` +
      'Measured on a shared 2-core machine with other jobs running: wall times are noisy, ' +
      'CPU times and ratios are steadier.';
    console.log(table_md);
    console.log(summary);
    console.log(refLine);
    if (peakMB >= 1024) console.log(`WARNING: peak RSS ${peakMB.toFixed(0)} MB is above 1 GB`);
    writeReadme(`${summary}\n\nCommand: \`pnpm bench\` (in packages/preprocess).\n\n${table_md}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeReadme(section: string): void {
  const readme = new URL('../README.md', import.meta.url);
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.log('README has no bench markers; table not written');
    return;
  }
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${section}${text.slice(b)}`);
}

await main();
