import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@decoders/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  downsampleCurve,
  MAX_CURVE_POINTS,
  type ReportData,
  renderReport,
  reportData,
  scoreHistogram,
  writeReport,
} from '../src/report.js';
import { syntheticReportData } from './report-fixture.js';

const data = syntheticReportData();
const html = await renderReport(data);

describe('downsampleCurve', () => {
  it('keeps short curves whole', () => {
    const out = downsampleCurve([0, 0.5, 1], [0, 0.7, 1]);
    expect(out).toEqual({ x: [0, 0.5, 1], y: [0, 0.7, 1] });
  });

  it('thins long curves to the limit and keeps both ends', () => {
    const n = 20_000;
    const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const y = Float64Array.from(x, (v) => Math.sqrt(v));
    const out = downsampleCurve(x, y);
    expect(out.x.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
    expect(out.x.length).toBeGreaterThan(MAX_CURVE_POINTS * 0.9);
    expect(out.x[0]).toBe(0);
    expect(out.x[out.x.length - 1]).toBe(1);
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]).toBeGreaterThan(out.x[i - 1]);
  });

  it('keeps the corner of a curve that jumps straight up', () => {
    const n = 5000;
    // 4999 points crowd near the origin, then one jump to (1, 1): the jump must survive.
    const x = Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? i * 1e-6 : 1));
    const y = Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? i * 1e-6 : 1));
    const out = downsampleCurve(x, y, 50);
    expect(out.x.length).toBeLessThanOrEqual(50);
    expect(out.x[out.x.length - 1]).toBe(1);
    expect(out.x[out.x.length - 2]).toBeLessThan(0.01);
  });

  it('rejects coordinates of different lengths', () => {
    expect(() => downsampleCurve([0, 1], [0])).toThrow(ValidationError);
  });
});

describe('scoreHistogram', () => {
  it('gives each class shares summing to one, outliers included', () => {
    const scores = Array.from({ length: 1000 }, (_, i) => (i === 999 ? 1e9 : i / 100));
    const labels = scores.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const rows = scoreHistogram(scores, labels, 4);
    expect(rows).toHaveLength(4);
    const normal = rows.reduce((s, r) => s + r.normal, 0);
    const attack = rows.reduce((s, r) => s + r.attack, 0);
    expect(normal).toBeCloseTo(1, 12);
    expect(attack).toBeCloseTo(1, 12);
    // the huge outlier does not stretch the axis: it lands in the last bin
    expect(rows[3].end).toBeLessThan(1e6);
  });

  it('handles a constant score', () => {
    const rows = scoreHistogram([2, 2, 2, 2], [0, 1, 0, 1], 5);
    expect(rows.reduce((s, r) => s + r.attack, 0)).toBeCloseTo(1, 12);
    expect(rows[0].start).toBeLessThan(2);
    expect(rows[4].end).toBeGreaterThan(2);
  });
});

describe('renderReport', () => {
  it('is one self-contained document with no script and no external reference', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('has every chart as inline SVG', () => {
    const ids = [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([
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
    expect(html.match(/<svg /g)?.length).toBe(ids.length);
  });

  it('shows the metrics of every model and the per-attack table', () => {
    for (const set of [data.fusion, ...data.detectors]) {
      expect(html).toContain(`<th scope="row">${set.name}</th>`);
      expect(html).toContain(set.evaluation.rocAuc.toFixed(4));
    }
    for (const row of data.attackTypes ?? []) {
      expect(html).toContain(`<th scope="row">${row.type}</th><td>${row.count}</td>`);
    }
    const m = data.fusion.evaluation.confusionMatrix;
    expect(html).toContain(`TP ${m.tp.toLocaleString('en-US')}`);
    expect(html).toContain(`FP ${m.fp.toLocaleString('en-US')}`);
  });

  it('keeps its size bounded on large inputs because curves are thinned', async () => {
    const big = await renderReport(syntheticReportData(40_000, 3));
    expect(big.length).toBeLessThan(2_500_000);
  });

  it('leaves out optional sections that have no data', async () => {
    const bare: ReportData = { ...data, attention: undefined, attackTypes: undefined };
    const out = await renderReport(bare);
    expect(out).not.toContain('data-chart="attention"');
    expect(out).not.toContain('data-chart="attack-types"');
    expect(out).toContain('data-chart="roc"');
  });

  it('tells attack types never seen in training apart when told', async () => {
    const rows = (data.attackTypes ?? []).map((r, i) => ({ ...r, seenInTraining: i % 2 === 0 }));
    const out = await renderReport({ ...data, attackTypes: rows });
    expect(out).toContain('<th>in training</th>');
    expect(out).toContain('never in training</text>');
    expect(out).not.toContain('>unknown</text>');
    const unseen = rows.filter((r) => !r.seenInTraining);
    const count = unseen.reduce((s, r) => s + r.count, 0);
    expect(out).toContain(`<tfoot><tr><th scope="row">never in training</th><td>${count}</td>`);
    expect(html).not.toContain('<th>in training</th>');
    await expect(
      renderReport({ ...data, attackTypes: [{ ...rows[0], seenInTraining: 'yes' as never }] }),
    ).rejects.toThrow(/seenInTraining/);
  });

  it('escapes names taken from the data', async () => {
    const named: ReportData = {
      ...data,
      title: 'a <b>bold</b> title',
      attackTypes: [{ type: '<img src=x>', count: 2, detected: 1, recall: 0.5 }],
    };
    const out = await renderReport(named);
    expect(out).not.toContain('<b>bold</b>');
    expect(out).not.toContain('<img src=x>');
    expect(out).toContain('&lt;img src=x&gt;');
  });

  it('shows long model names whole in legends and axes', async () => {
    const long = 'localOutlierFactorRawFeatures';
    const renamed: ReportData = {
      ...data,
      detectors: data.detectors.map((d, i) => (i === 2 ? { ...d, name: long } : d)),
      attention: {
        detectorNames: ['isolationForest', 'vaeReconstruction', long],
        mean: [0.5, 0.3, 0.2],
      },
    };
    const out = await renderReport(renamed);
    expect(out).toContain(`>${long} (AUC `);
    expect(out).toContain(`>${long}</text>`);
    expect(out).not.toContain('…');
  });

  it('does not change the data it is given', async () => {
    const fresh = syntheticReportData(500, 11);
    const before = Array.from(fresh.fusion.scores);
    await renderReport(fresh);
    expect(Array.from(fresh.fusion.scores)).toEqual(before);
  });

  it('rejects inconsistent data with a ValidationError naming the input', async () => {
    const cases: [Partial<ReportData>, RegExp][] = [
      [{ labels: new Uint8Array(data.labels.length) }, /single class/],
      [{ labels: [] }, /labels are empty/],
      [{ fusion: { ...data.fusion, scores: [1, 2, 3] } }, /fusion\.scores has 3 values/],
      [
        {
          fusion: {
            ...data.fusion,
            scores: Float64Array.from(data.fusion.scores, () => Number.NaN),
          },
        },
        /fusion\.scores\[0\]/,
      ],
      [{ detectors: [data.detectors[0], data.detectors[0]] }, /used twice/],
      [{ attention: { detectorNames: ['a', 'b'], mean: [1] } }, /one mean per detector/],
      [
        { attackTypes: [{ type: 'smurf', count: 2, detected: 3, recall: 1 }] },
        /attackTypes\[0\]\.detected/,
      ],
      [{ title: '' }, /title/],
      [{ timings: { fit: -1 } }, /timings\.fit/],
    ];
    for (const [change, message] of cases) {
      const bad = { ...data, ...change } as ReportData;
      await expect(renderReport(bad)).rejects.toThrow(ValidationError);
      await expect(renderReport(bad)).rejects.toThrow(message);
    }
  });
});

describe('reportData', () => {
  it('builds report data from a pipeline evaluation', () => {
    const evaluation = {
      rows: data.labels.length,
      positives: data.dataset.positives,
      fusion: data.fusion.evaluation,
      detectors: Object.fromEntries(data.detectors.map((d) => [d.name, d.evaluation])),
      attackTypes: data.attackTypes,
      attention: data.attention,
      labels: data.labels,
      scores: {
        fusion: data.fusion.scores,
        detectors: Object.fromEntries(data.detectors.map((d) => [d.name, d.scores])),
      },
    };
    const built = reportData(evaluation, { dataset: 'test.csv', features: 12 });
    expect(built.title).toBe('Decoders evaluation: test.csv');
    expect(built.detectors.map((d) => d.name)).toEqual(data.detectors.map((d) => d.name));
    expect(built.detectors[1].scores).toBe(data.detectors[1].scores);
    expect(built.dataset).toEqual({ name: 'test.csv', rows: 3000, features: 12, positives: 270 });

    const missing = { ...evaluation, scores: { fusion: data.fusion.scores, detectors: {} } };
    expect(() => reportData(missing, { dataset: 'x' })).toThrow(/no scores for it/);
  });
});

describe('writeReport', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes the rendered document, creating missing folders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'decoders-report-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'out', 'report.html');
    await writeReport(path, data);
    const written = await readFile(path, 'utf8');
    expect(written).toContain('<h1>Synthetic evaluation</h1>');
    expect(written.match(/<svg /g)?.length).toBe(9);
  });

  it('rejects an empty path', async () => {
    await expect(writeReport('', data)).rejects.toThrow(ValidationError);
  });
});
