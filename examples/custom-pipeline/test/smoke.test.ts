import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('runs as it is and grades the hand-built pipeline on held-out rows', async () => {
  dir = await mkdtemp(join(tmpdir(), 'decoders-custom-'));
  const summary = join(dir, 'summary.json');
  const { stdout } = await run(
    process.execPath,
    ['index.mjs', '--rows', '1500', '--seed', '3', '--json', summary],
    { cwd: root },
  );
  expect(stdout).toContain('rankFusion');
  expect(stdout).toContain('rank fusion at threshold');

  const { rows, results } = JSON.parse(await readFile(summary, 'utf8'));
  expect(rows).toBe(1500);
  for (const name of ['isolationForest', 'localOutlierFactor', 'rankFusion']) {
    const m = results[name].confusionMatrix;
    expect(m.tn + m.fp + m.fn + m.tp).toBe(450);
    expect(results[name].rocAuc).toBeGreaterThanOrEqual(0);
  }
  // NSL-KDD attacks stand far from normal traffic for Isolation Forest, and the max-rank fusion
  // keeps most of that even though LOF is weak on this data (see the README)
  expect(results.isolationForest.rocAuc).toBeGreaterThan(0.85);
  expect(results.rankFusion.rocAuc).toBeGreaterThan(0.8);
});
