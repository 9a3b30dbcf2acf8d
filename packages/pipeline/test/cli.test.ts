import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './helpers.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const data = fixture('cardio-600.csv');
const dir = mkdtempSync(join(tmpdir(), 'decoders-cli-'));

function decoders(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error: exit 2 and exactly one line on stderr. */
function expectUsageError(result: ReturnType<typeof decoders>, pattern: RegExp) {
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe('');
}

const QUICK = ['--preset', 'quick', '--epochs', '3', '--seed', '1', '--backend', 'cpu'];

describe('decoders CLI usage errors', () => {
  it('shows help on every command and exits 0', () => {
    for (const command of [[], ['run'], ['fit'], ['evaluate'], ['score']]) {
      const r = decoders(...command, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: decoders/);
    }
  });

  it('rejects a missing target column', () => {
    expectUsageError(decoders('run', data, '--target', 'label'), /target 'label' is not a column/);
  });

  it('rejects an unknown column in --drop', () => {
    expectUsageError(decoders('run', data, '--target', 'is_anomaly', '--drop', 'f1,zz'), /'zz'/);
  });

  it('rejects a target with one class', () => {
    expectUsageError(
      decoders('run', data, '--target', 'is_anomaly', '--normal-value', '7'),
      /one class only/,
    );
  });

  it('rejects an empty file and a missing file', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expectUsageError(decoders('run', empty, '--target', 'y'), /empty/);
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'a,y\n');
    expectUsageError(decoders('run', header, '--target', 'y'), /empty/);
    expectUsageError(decoders('run', join(dir, 'nope.csv'), '--target', 'y'), /does not exist/);
  });

  it('rejects missing options and bad values', () => {
    expectUsageError(decoders('run', data), /--target/);
    expectUsageError(
      decoders('run', data, '--target', 'is_anomaly', '--test-size', '3'),
      /--test-size/,
    );
    expectUsageError(decoders('frobnicate'), /unknown command/);
    for (const threads of ['0', '9', 'two']) {
      expectUsageError(
        decoders('run', data, '--target', 'is_anomaly', '--threads', threads),
        /--threads must be an integer from 1 to 8/,
      );
    }
  });
});

describe('decoders run, evaluate and score', () => {
  const out = join(dir, 'run');
  interface M {
    confusionMatrix: { tn: number; fp: number; fn: number; tp: number };
  }
  let result: {
    dataset: unknown;
    test: { fusion: M & { threshold: number }; detectors: Record<string, M> };
    timings: Record<string, number>;
  };

  beforeAll(() => {
    const r = decoders('run', data, '--target', 'is_anomaly', '--out', out, '--json', ...QUICK);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    result = JSON.parse(r.stdout);
  }, 240_000);

  it('prints only the agreed JSON and writes model, metrics and report', () => {
    expect(result.dataset).toEqual({ rows: 600, features: 21, positives: 60 });
    expect(Object.keys(result.test.detectors)).toEqual(
      expect.arrayContaining([
        'isolationForest',
        'oneClassSvm',
        'localOutlierFactor',
        'vaeReconstruction',
        'isolationForestRaw',
      ]),
    );
    for (const m of [result.test.fusion, ...Object.values(result.test.detectors)]) {
      expect(Object.keys(m).sort()).toEqual(
        [
          'accuracy',
          'confusionMatrix',
          'f1',
          'prAuc',
          'precision',
          'recall',
          'rocAuc',
          'threshold',
        ].sort(),
      );
      const cm = m.confusionMatrix;
      expect(cm.tn + cm.fp + cm.fn + cm.tp).toBe(120);
    }
    expect(Object.keys(result.timings)).toEqual([
      'preprocess',
      'vae',
      'detectors',
      'fusion',
      'total',
    ]);
    for (const file of ['model.decoders', 'metrics.json', 'report.html']) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.test).toEqual(result.test);
  });

  it('evaluates the saved model with the same metrics objects', () => {
    const r = decoders(
      'evaluate',
      join(out, 'model.decoders'),
      data,
      '--json',
      '--out',
      join(dir, 'ev'),
    );
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(Object.keys(e)).toEqual(['fusion', 'detectors']);
    expect(e.fusion.threshold).toBe(result.test.fusion.threshold);
    expect(existsSync(join(dir, 'ev', 'report.html'))).toBe(true);
  });

  it('scores a CSV, appending the score columns to every row', () => {
    const scored = join(dir, 'scored.csv');
    const r = decoders(
      'score',
      join(out, 'model.decoders'),
      data,
      '--out',
      scored,
      '--chunk-size',
      '250',
    );
    expect(r.code).toBe(0);
    const lines = readFileSync(scored, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(601);
    const header = lines[0].split(',');
    expect(header.slice(0, 22)).toEqual(readFileSync(data, 'utf8').split('\n')[0].split(','));
    expect(header).toContain('anomaly_score');
    expect(header).toContain('is_anomaly_score');
    expect(header).toContain('localOutlierFactorRaw');
    const flag = header.indexOf('is_anomaly_score');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[flag]))).toEqual(new Set(['0', '1']));
  });

  it('rejects a truncated or edited model in one line, exit 1', () => {
    const bytes = readFileSync(join(out, 'model.decoders'));
    const broken = join(dir, 'broken.decoders');
    writeFileSync(broken, bytes.subarray(0, bytes.length - 100));
    const r = decoders('evaluate', broken, data);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/truncated or corrupt/);
    const foreign = join(dir, 'foreign.decoders');
    writeFileSync(foreign, '{"format":"something-else","version":1}');
    const f = decoders('score', foreign, data);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/decoders.pipeline/);
  });

  it('rejects --threads for a model saved with the cpu backend', () => {
    expectUsageError(
      decoders('score', join(out, 'model.decoders'), data, '--threads', '1'),
      /threads applies to the wasm backend only/,
    );
  });
});
