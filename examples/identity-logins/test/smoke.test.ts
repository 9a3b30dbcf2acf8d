import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { IDENTIFIERS, SCENARIOS } from '../simulate.mjs';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('runs as it is: fits on simulated logins and reports per attack type', async () => {
  dir = await mkdtemp(join(tmpdir(), 'decoders-logins-'));
  const summaryPath = join(dir, 'summary.json');
  const { stdout } = await run(
    process.execPath,
    ['index.mjs', '--rows', '4000', '--preset', 'quick', '--out', dir, '--json', summaryPath],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  expect(stdout).toContain('attack type');

  const summary = JSON.parse(await readFile(summaryPath, 'utf8'));
  expect(summary.testRows).toBe(1200);
  // identifiers and the attack name never reach the model
  for (const feature of summary.features as string[]) {
    for (const id of [...IDENTIFIERS, 'attack_type', 'is_attack']) {
      expect(feature.startsWith(id)).toBe(false);
    }
  }
  const types = (summary.attackTypes as { type: string; count: number }[]).map((r) => r.type);
  for (const scenario of Object.keys(SCENARIOS)) expect(types).toContain(scenario);
  // the scenarios leave clear traces (foreign logins, failures, new devices): well above chance
  expect(summary.fusion.rocAuc).toBeGreaterThan(0.8);

  const html = await readFile(summary.report, 'utf8');
  expect(html).toContain('data-chart="roc"');
  expect(html).toContain('data-chart="attack-types"');
});

it('adds the context columns as features with --context', async () => {
  const out = join(dir, 'context');
  const summaryPath = join(out, 'summary.json');
  await run(
    process.execPath,
    ['index.mjs', '--rows', '3000', '--context', '--out', out, '--json', summaryPath],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  const summary = JSON.parse(await readFile(summaryPath, 'utf8'));
  for (const column of ['hours_since_last_login', 'country_changed', 'ip_failures_last_hour']) {
    expect(summary.features).toContain(column);
  }
  expect(summary.fusion.rocAuc).toBeGreaterThan(0.7);
});
