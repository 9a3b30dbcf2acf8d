import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DetectionPipeline } from '@decoders/pipeline';
import { parseCsv } from '@decoders/preprocess';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('streams a CSV through the pipeline chunk by chunk, with the same scores as in memory', async () => {
  dir = await mkdtemp(join(tmpdir(), 'decoders-streaming-'));
  const args = ['--rows', '9000', '--chunk', '2000', '--fit-rows', '1500'];
  const { stdout } = await run(process.execPath, [join(root, 'index.mjs'), ...args], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(stdout).toMatch(/scored 9000 rows/);
  expect(stdout).toMatch(/RSS: peak \d+ MB/);

  const lines = (await readFile(join(dir, 'out', 'scores.csv'), 'utf8')).trimEnd().split('\n');
  expect(lines).toHaveLength(9001);
  const header = lines[0].split(',');
  expect(header.slice(0, 3)).toEqual(['row', 'score', 'is_anomaly']);
  expect(lines[9000].split(',')[0]).toBe('8999');

  // rows 0..49 of the big file, scored in one go by the saved model, match the streamed scores
  const big = (await readFile(join(dir, 'out', 'big.csv'), 'utf8')).split('\n');
  const head = parseCsv(`${big.slice(0, 51).join('\n')}\n`);
  const model = await DetectionPipeline.load(join(dir, 'out', 'model.decoders'));
  const direct = model.scoreColumns(head).score;
  for (let i = 0; i < 50; i++) {
    const streamed = Number(lines[i + 1].split(',')[1]);
    expect(streamed).toBeCloseTo(direct[i], 5);
  }
});
