/**
 * Times rocAuc, averagePrecision and bestF1Threshold on one million rows beside scikit-learn
 * (run through /usr/bin/python3 in the same session), or beside a straightforward JavaScript
 * implementation when scikit-learn cannot be imported. Prints a table of medians and the ratio
 * ours / reference, checks that the values agree, and writes the table into README.md.
 *
 * Run: pnpm bench   (from packages/metrics, or from the repository root)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@decoders/core';
import { averagePrecision, bestF1Threshold, rocAuc } from '../src/index.js';

const ROWS = 1_000_000;
const REPEATS = 5;
/** The Python that runs scikit-learn; `DECODERS_PYTHON` overrides it (e.g. to test the fallback). */
const PYTHON = process.env.DECODERS_PYTHON ?? '/usr/bin/python3';

interface Timing {
  seconds: number;
  value: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(run: () => number): Timing {
  let value = run();
  const seconds: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    value = run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: median(seconds), value };
}

/** 5 % attacks; attack scores are shifted up, so AUC is about 0.85. */
function makeData(): { labels: Uint8Array; scores: Float64Array } {
  const random = new Random(2024);
  const labels = new Uint8Array(ROWS);
  const scores = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    labels[i] = random.next() < 0.05 ? 1 : 0;
    scores[i] = random.normal() + 1.5 * labels[i];
  }
  return { labels, scores };
}

const PYTHON_SCRIPT = `
import json, sys, time
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score, precision_recall_curve
labels = np.fromfile(sys.argv[1], dtype=np.uint8).astype(np.int64)
scores = np.fromfile(sys.argv[2], dtype=np.float64)
repeats = int(sys.argv[3])
def best_f1(y, s):
    p, r, t = precision_recall_curve(y, s)
    p, r = p[:-1], r[:-1]
    with np.errstate(invalid='ignore', divide='ignore'):
        f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    k = len(f1) - 1 - int(np.argmax(f1[::-1]))
    return float(t[k])
def timed(fn):
    value = fn(labels, scores)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn(labels, scores)
        runs.append(time.perf_counter() - start)
    return {"seconds": float(np.median(runs)), "value": float(value)}
import sklearn
print(json.dumps({"version": sklearn.__version__,
    "rocAuc": timed(roc_auc_score), "averagePrecision": timed(average_precision_score),
    "bestF1Threshold": timed(best_f1)}))
`;

function scikitLearn(
  labels: Uint8Array,
  scores: Float64Array,
): { version: string; results: Record<string, Timing> } | string {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `${PYTHON} cannot import sklearn`;
  const dir = mkdtempSync(join(tmpdir(), 'decoders-metrics-bench-'));
  try {
    writeFileSync(join(dir, 'labels.bin'), labels);
    writeFileSync(join(dir, 'scores.bin'), new Uint8Array(scores.buffer));
    const out = execFileSync(
      PYTHON,
      ['-c', PYTHON_SCRIPT, join(dir, 'labels.bin'), join(dir, 'scores.bin'), String(REPEATS)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const parsed = JSON.parse(out) as { version: string } & Record<string, Timing>;
    const { version, ...results } = parsed;
    return { version, results: results as Record<string, Timing> };
  } catch (error) {
    return `scikit-learn run failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows sorted by decreasing score with a comparator, then one pass per metric: the obvious code. */
function straightforward(labels: Uint8Array, scores: Float64Array): Record<string, () => number> {
  const sortedRows = () => {
    const order = Array.from({ length: labels.length }, (_, i) => i);
    order.sort((a, b) => scores[b] - scores[a]);
    return order;
  };
  const groups = (order: number[], visit: (tp: number, fp: number, score: number) => void) => {
    let tp = 0;
    let fp = 0;
    for (let k = 0; k < order.length; k++) {
      if (labels[order[k]] === 1) tp++;
      else fp++;
      if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
        visit(tp, fp, scores[order[k]]);
      }
    }
    return tp;
  };
  return {
    rocAuc: () => {
      let area = 0;
      let lastTp = 0;
      let lastFp = 0;
      const positives = groups(sortedRows(), (tp, fp) => {
        area += ((fp - lastFp) * (tp + lastTp)) / 2;
        lastTp = tp;
        lastFp = fp;
      });
      return area / (positives * (labels.length - positives));
    },
    averagePrecision: () => {
      let sum = 0;
      let lastTp = 0;
      const positives = groups(sortedRows(), (tp, fp) => {
        sum += (tp - lastTp) * (tp / (tp + fp));
        lastTp = tp;
      });
      return sum / positives;
    },
    bestF1Threshold: () => {
      const order = sortedRows();
      let positives = 0;
      for (const label of labels) positives += label;
      let best = -1;
      let threshold = Number.NaN;
      groups(order, (tp, fp, score) => {
        const f1 = (2 * tp) / (tp + fp + positives);
        if (f1 > best) {
          best = f1;
          threshold = score;
        }
      });
      return threshold;
    },
  };
}

/** A markdown table with padded columns, laid out as Biome formats it, so a run leaves it clean. */
function markdownTable(rows: string[][], rightAligned: boolean[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((row) => row[c].length)));
  const cell = (text: string, c: number) =>
    rightAligned[c] ? text.padStart(widths[c]) : text.padEnd(widths[c]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = widths.map((w, c) => (rightAligned[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [
    line(rows[0].map((text, c) => text.padEnd(widths[c]))),
    line(rule),
    ...rows.slice(1).map((row) => line(row.map(cell))),
  ];
}

function format(seconds: number): string {
  return `${(seconds * 1000).toFixed(1)} ms`;
}

function main(): void {
  const { labels, scores } = makeData();
  const ours: Record<string, Timing> = {
    rocAuc: time(() => rocAuc(labels, scores)),
    averagePrecision: time(() => averagePrecision(labels, scores)),
    bestF1Threshold: time(() => bestF1Threshold(labels, scores).threshold),
  };

  const python = scikitLearn(labels, scores);
  let referenceName: string;
  let reference: Record<string, Timing>;
  let note = '';
  if (typeof python === 'string') {
    note = `scikit-learn reference unavailable (${python}); compared with a straightforward JS implementation.`;
    referenceName = 'straightforward JS';
    const plain = straightforward(labels, scores);
    reference = Object.fromEntries(Object.entries(plain).map(([name, run]) => [name, time(run)]));
  } else {
    referenceName = `scikit-learn ${python.version}`;
    reference = python.results;
  }

  const rows = [
    [
      'metric (1,000,000 rows)',
      '@decoders/metrics',
      referenceName,
      'ours / reference',
      'values agree',
    ],
  ];
  for (const name of Object.keys(ours)) {
    const a = ours[name];
    const b = reference[name];
    const agree = Math.abs(a.value - b.value) <= 1e-9 * Math.max(1, Math.abs(b.value));
    const ratio = (a.seconds / b.seconds).toFixed(2);
    rows.push([
      name,
      format(a.seconds),
      format(b.seconds),
      ratio,
      agree ? 'yes' : `NO (${a.value} vs ${b.value})`,
    ]);
  }
  const lines = markdownTable(rows, [false, true, true, true, false]);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
  const table = [
    ...lines,
    '',
    `Median of ${REPEATS} runs after one warm-up, in one process each, on ${machine}; ` +
      `${new Date().toISOString().slice(0, 10)}. Produced by \`pnpm bench\` in packages/metrics. ` +
      'Timings on a shared machine are noisy; the ratio, measured in the same run, is the figure to read.',
    ...(note ? ['', note] : []),
  ].join('\n');
  console.log(table);
  writeReadme(table);
}

function writeReadme(table: string): void {
  const path = new URL('../README.md', import.meta.url);
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return;
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
}

main();
