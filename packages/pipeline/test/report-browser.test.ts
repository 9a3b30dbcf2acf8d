/**
 * Opens a written report in headless Chromium (Debian's /usr/bin/chromium, or the path in
 * CHROMIUM_PATH) and checks that every chart was drawn and that nothing was fetched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report.js';
import { syntheticReportData } from './report-fixture.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface ChartCheck {
  id: string;
  width: number;
  height: number;
  marks: number;
}

describe('report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'decoders-report-browser-'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('renders every chart with a size and visible marks, offline', async () => {
    const path = join(dir, 'report.html');
    await writeReport(path, syntheticReportData());

    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });

    const charts: ChartCheck[] = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        // vega puts each mark in a group whose class names its role; count drawn shapes there
        const shapes = svg
          ? Array.from(svg.querySelectorAll('g.role-mark > *')).filter((el) => {
              const b = (el as SVGGraphicsElement).getBBox();
              return b.width > 0 || b.height > 0;
            })
          : [];
        return {
          id: figure.getAttribute('data-chart') ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: shapes.length,
        };
      }),
    );

    expect(charts.map((c) => c.id)).toEqual([
      'roc',
      'pr',
      'confusion',
      'histogram-0',
      'histogram-1',
      'histogram-2',
      'histogram-3',
      'attention',
      'attack-types',
    ]);
    for (const chart of charts) {
      expect(chart.width, `${chart.id} width`).toBeGreaterThan(100);
      expect(chart.height, `${chart.id} height`).toBeGreaterThan(100);
      expect(chart.marks, `${chart.id} marks`).toBeGreaterThan(0);
    }

    // one line per model on each curve chart, and 2 x 40 bars per histogram
    const lines = await page.$$eval(
      'figure[data-chart="roc"] g.mark-line.role-mark path',
      (paths) => paths.map((p) => (p.getAttribute('d') ?? '').length),
    );
    expect(lines).toHaveLength(4);
    for (const d of lines) expect(d).toBeGreaterThan(20);
    const bars = await page.$$eval(
      'figure[data-chart="histogram-0"] g.mark-rect.role-mark path',
      (paths) => paths.length,
    );
    expect(bars).toBe(80);

    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
