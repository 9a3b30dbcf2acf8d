/**
 * Builds the page, serves it on 127.0.0.1 with node:http, and scores pasted rows in headless
 * Chromium with a model fitted here in Node; the page's scores must equal Node's.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DetectionPipeline } from '@decoders/pipeline';
import { parseCsv, readCsv } from '@decoders/preprocess';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicDir = join(root, 'public');
const dataFile = join(root, '..', 'data', 'nsl-kdd', 'nsl_kdd_train20.csv');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

let server: Server;
let browser: Browser;
let base = '';
let modelBytes: Uint8Array;
let pipeline: DetectionPipeline;
let sampleCsv = '';

beforeAll(async () => {
  const { stdout } = await run(process.execPath, ['build.mjs'], { cwd: root });
  expect(stdout).toContain('built public/dist/app.js');

  const table = await readCsv(dataFile);
  const every = Math.floor(table.rowCount / 1500);
  const fitRows = Int32Array.from({ length: 1500 }, (_, i) => i * every);
  pipeline = new DetectionPipeline({ preset: 'quick', seed: 5 });
  await pipeline.fit(table.selectRows(fitRows), { target: 'is_attack', drop: ['attack_type'] });
  modelBytes = await pipeline.toBuffer();

  const lines = (await readFile(dataFile, 'utf8')).split('\n');
  sampleCsv = `${[lines[0], ...lines.slice(1, 1 + 2 * 12).filter((_, i) => i % 2 === 1)].join('\n')}\n`;

  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    if (path === '/model.decoders') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(modelBytes);
      return;
    }
    const file = join(publicDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(publicDir)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

it('loads a saved model and scores pasted CSV rows as Node does', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('requestfailed', (request) => errors.push(`failed: ${request.url()}`));

  await page.goto(`${base}/`);
  await page.click('#load-url');
  await page.waitForSelector('body[data-model="ready"]', { timeout: 60_000 });
  expect(await page.textContent('#status')).toContain('model model.decoders loaded');

  await page.fill('#csv', sampleCsv);
  await page.click('#score');
  await page.waitForSelector('#scores');
  const shown = await page.$$eval('#scores td[data-score]', (cells) =>
    cells.map((c) => Number(c.getAttribute('data-score'))),
  );
  const expected = pipeline.scoreColumns(parseCsv(sampleCsv)).score;
  expect(shown).toHaveLength(12);
  for (let i = 0; i < shown.length; i++) expect(shown[i]).toBeCloseTo(expected[i], 4);
  expect(await page.textContent('#status')).toMatch(/scored 12 rows/);
  expect(errors).toEqual([]);
  await page.close();
});

it('says what is wrong with a file that is not a model', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.setInputFiles('#model-file', {
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hello'),
  });
  await page.waitForSelector('#status.error');
  expect(await page.textContent('#status')).toMatch(
    /could not load notes\.txt: not a Decoders model/,
  );
  await page.close();
});
