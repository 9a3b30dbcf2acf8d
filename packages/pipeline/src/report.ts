/**
 * The HTML report: one self-contained, offline document with the evaluation of the fusion and
 * of every detector. Charts are written as vega-lite specifications, compiled to vega and
 * rendered to SVG in Node with vega's headless renderer, then inlined, so the file needs no
 * script, no font and no network to open.
 *
 * Node builtins, vega and vega-lite are loaded lazily inside the functions that need them, so
 * importing this module costs nothing and stays safe in a browser bundle.
 */
import {
  checkBinaryLabels,
  checkFinite,
  checkInteger,
  checkNumber,
  ValidationError,
} from '@decoders/core';
import { type EvaluationResult, precisionRecallCurve, rocCurve } from '@decoders/metrics';

/** Scores of one model on the evaluated rows, with their evaluation at its threshold. */
export interface CurveSet {
  /** Display name, e.g. `fusion` or `isolationForest`. */
  name: string;
  /** One score per evaluated row, higher = more anomalous. */
  scores: ArrayLike<number>;
  /** The evaluation of `scores` at the model's threshold. */
  evaluation: EvaluationResult;
}

/** One row of the per-attack-type table. */
export interface AttackTypeRecall {
  /** Attack name as found in the data. */
  type: string;
  /** Rows of this type among the evaluated rows. */
  count: number;
  /** Rows of this type flagged by the fusion. */
  detected: number;
  /** `detected / count`. */
  recall: number;
  /** Whether the type occurs in the training data. Default unknown; when given, the report
   * tells types seen in training from new ones. */
  seenInTraining?: boolean;
}

/** Everything the report shows. */
export interface ReportData {
  /** Heading of the document. */
  title: string;
  /** Summary of the evaluated data set. */
  dataset: { name: string; rows: number; features: number; positives: number };
  /** 0/1 labels of the evaluated rows. */
  labels: ArrayLike<number>;
  /** The fused score (named `fusion`). */
  fusion: CurveSet;
  /** The individual detectors. */
  detectors: CurveSet[];
  /** Mean attention given to each detector token by the attention fusion. */
  attention?: { detectorNames: string[]; mean: number[] };
  /** Recall of the fusion for each attack type, when attack names are known. */
  attackTypes?: AttackTypeRecall[];
  /** Duration of each stage, in seconds. */
  timings?: Record<string, number>;
  /** When the report was made (ISO 8601); shown as given. */
  generatedAt?: string;
}

/** Most points drawn per curve; longer curves are thinned along their length. */
export const MAX_CURVE_POINTS = 500;

/** Bins per score histogram. */
const HISTOGRAM_BINS = 40;

/** Share of each tail gathered into the edge bins of a histogram, so outliers keep it readable. */
const HISTOGRAM_TAIL = 0.005;

type Spec = Record<string, unknown>;

interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: Spec;
}

/**
 * Thins a curve to at most `maxPoints` points spread evenly along its length in the plotted
 * plane, always keeping the first and last point. Evenly spaced indices would instead drop the
 * long straight jumps that tied scores produce, which are exactly what a reader needs to see.
 */
export function downsampleCurve(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  maxPoints: number = MAX_CURVE_POINTS,
): { x: number[]; y: number[] } {
  if (x.length !== y.length) {
    throw new ValidationError(
      `curve coordinates differ in length (${x.length} and ${y.length}): pass one y per x`,
    );
  }
  checkInteger('maxPoints', maxPoints, { min: 2 });
  const n = x.length;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y) };

  const along = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    along[i] = along[i - 1] + Math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
  }
  const total = along[n - 1];
  const kept: number[] = [0];
  let cursor = 0;
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = (total * k) / (maxPoints - 1);
    while (cursor < n - 1 && along[cursor] < target) cursor++;
    if (cursor !== kept[kept.length - 1] && cursor !== n - 1) kept.push(cursor);
  }
  kept.push(n - 1);
  return { x: kept.map((i) => x[i]), y: kept.map((i) => y[i]) };
}

function checkCurveSet(where: string, set: CurveSet, n: number): void {
  if (set === null || typeof set !== 'object') {
    throw new ValidationError(`${where} must be an object { name, scores, evaluation }`);
  }
  if (typeof set.name !== 'string' || set.name.trim() === '') {
    throw new ValidationError(`${where}.name must be a non-empty string`);
  }
  if (set.scores === undefined || set.scores === null || typeof set.scores.length !== 'number') {
    throw new ValidationError(`${where}.scores must be an array of numbers`);
  }
  if (set.scores.length !== n) {
    throw new ValidationError(
      `${where}.scores has ${set.scores.length} values but labels has ${n}: ` +
        'pass one score per evaluated row',
    );
  }
  checkFinite(`${where}.scores`, set.scores);
  const e = set.evaluation;
  if (e === null || typeof e !== 'object' || typeof e.confusionMatrix !== 'object') {
    throw new ValidationError(`${where}.evaluation must be the result of metrics' evaluate()`);
  }
  for (const key of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'prAuc'] as const) {
    checkNumber(`${where}.evaluation.${key}`, e[key], { min: 0, max: 1 });
  }
  checkNumber(`${where}.evaluation.threshold`, e.threshold);
  for (const key of ['tn', 'fp', 'fn', 'tp'] as const) {
    checkInteger(`${where}.evaluation.confusionMatrix.${key}`, e.confusionMatrix[key], { min: 0 });
  }
}

/** Checks the whole of `data` once, so rendering can trust it. */
function checkReportData(data: ReportData): void {
  if (data === null || typeof data !== 'object') {
    throw new ValidationError('report data must be an object: see ReportData');
  }
  if (typeof data.title !== 'string' || data.title.trim() === '') {
    throw new ValidationError('report title must be a non-empty string');
  }
  const d = data.dataset;
  if (d === null || typeof d !== 'object' || typeof d.name !== 'string') {
    throw new ValidationError('report dataset must be { name, rows, features, positives }');
  }
  checkInteger('dataset.rows', d.rows, { min: 0 });
  checkInteger('dataset.features', d.features, { min: 0 });
  checkInteger('dataset.positives', d.positives, { min: 0, max: d.rows });

  if (data.labels === undefined || data.labels === null || data.labels.length === 0) {
    throw new ValidationError('report labels are empty: pass the 0/1 label of each evaluated row');
  }
  const n = data.labels.length;
  const positives = checkBinaryLabels('labels', data.labels);
  if (positives === 0 || positives === n) {
    throw new ValidationError(
      'report labels hold a single class: curves need both normal (0) and attack (1) rows',
    );
  }

  checkCurveSet('fusion', data.fusion, n);
  if (!Array.isArray(data.detectors)) {
    throw new ValidationError('report detectors must be an array of curve sets (it may be empty)');
  }
  const names = new Set([data.fusion.name]);
  data.detectors.forEach((set, i) => {
    checkCurveSet(`detectors[${i}]`, set, n);
    if (names.has(set.name)) {
      throw new ValidationError(
        `detectors[${i}].name '${set.name}' is used twice: names must differ`,
      );
    }
    names.add(set.name);
  });

  if (data.attention !== undefined) {
    const a = data.attention;
    if (!Array.isArray(a?.detectorNames) || !Array.isArray(a?.mean)) {
      throw new ValidationError(
        'report attention must be { detectorNames: string[], mean: number[] }',
      );
    }
    if (a.detectorNames.length !== a.mean.length || a.mean.length === 0) {
      throw new ValidationError(
        `attention has ${a.detectorNames.length} names and ${a.mean.length} means: ` +
          'pass one mean per detector name',
      );
    }
    a.mean.forEach((v, i) => {
      checkNumber(`attention.mean[${i}]`, v, { min: 0, max: 1 });
    });
  }

  if (data.attackTypes !== undefined) {
    if (!Array.isArray(data.attackTypes)) {
      throw new ValidationError(
        'report attackTypes must be an array of { type, count, detected, recall }',
      );
    }
    data.attackTypes.forEach((row, i) => {
      if (typeof row?.type !== 'string' || row.type === '') {
        throw new ValidationError(`attackTypes[${i}].type must be a non-empty string`);
      }
      checkInteger(`attackTypes[${i}].count`, row.count, { min: 1 });
      checkInteger(`attackTypes[${i}].detected`, row.detected, { min: 0, max: row.count });
      checkNumber(`attackTypes[${i}].recall`, row.recall, { min: 0, max: 1 });
      if (row.seenInTraining !== undefined && typeof row.seenInTraining !== 'boolean') {
        throw new ValidationError(`attackTypes[${i}].seenInTraining must be true, false or absent`);
      }
    });
  }

  if (data.timings !== undefined) {
    if (data.timings === null || typeof data.timings !== 'object') {
      throw new ValidationError('report timings must map stage names to seconds');
    }
    for (const [stage, seconds] of Object.entries(data.timings)) {
      checkNumber(`timings.${stage}`, seconds, { min: 0 });
    }
  }
}

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function fixed(value: number, digits = 4): string {
  return value.toFixed(digits);
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)} %`;
}

/** Shared look of every chart; no web font, so nothing is fetched. */
const CHART_CONFIG: Spec = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: '#d0d4da' },
  // without a canvas, vega estimates text widths generously: wide limits avoid truncated names
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eceef1', labelLimit: 400 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 500 },
};

function curveChart(data: ReportData, kind: 'roc' | 'pr'): Chart {
  const sets = [data.fusion, ...data.detectors];
  const values: Spec[] = [];
  const legendOrder: string[] = [];
  for (const set of sets) {
    let curve: { x: number[]; y: number[] };
    let label: string;
    if (kind === 'roc') {
      const roc = rocCurve(data.labels, set.scores);
      curve = downsampleCurve(roc.fpr, roc.tpr);
      label = `${set.name} (AUC ${fixed(set.evaluation.rocAuc, 3)})`;
    } else {
      const pr = precisionRecallCurve(data.labels, set.scores);
      curve = downsampleCurve(pr.recall, pr.precision);
      label = `${set.name} (AP ${fixed(set.evaluation.prAuc, 3)})`;
    }
    legendOrder.push(label);
    curve.x.forEach((x, i) => {
      values.push({ model: label, fused: set === data.fusion, x, y: curve.y[i], order: i });
    });
  }

  const prevalence = prevalenceOf(data.labels);
  const reference: Spec =
    kind === 'roc'
      ? {
          data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#9aa0a6' },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            x2: { field: 'x2' },
            y2: { field: 'y2' },
          },
        }
      : {
          data: { values: [{ y: prevalence }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#9aa0a6' },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        };

  const axes =
    kind === 'roc'
      ? { x: 'false positive rate', y: 'true positive rate (recall)' }
      : { x: 'recall', y: 'precision' };
  return {
    id: kind,
    title: kind === 'roc' ? 'ROC curves' : 'Precision–recall curves',
    caption:
      kind === 'roc'
        ? 'The dashed diagonal is a random ranking. Legend: area under each curve.'
        : `The dashed line is the attack share (${percent(prevalence)}), the precision of a ` +
          'random ranking. Legend: average precision (PR-AUC).',
    spec: {
      width: 380,
      height: 300,
      layer: [
        reference,
        {
          data: { values },
          mark: { type: 'line', interpolate: 'linear' },
          encoding: {
            x: {
              field: 'x',
              type: 'quantitative',
              title: axes.x,
              scale: { domain: [0, 1] },
            },
            y: {
              field: 'y',
              type: 'quantitative',
              title: axes.y,
              scale: { domain: [0, 1] },
            },
            order: { field: 'order', type: 'quantitative' },
            color: {
              field: 'model',
              type: 'nominal',
              title: null,
              sort: legendOrder,
              legend: { orient: 'bottom', columns: 1 },
            },
            strokeWidth: {
              condition: { test: 'datum.fused', value: 3 },
              value: 1.5,
            },
          },
        },
      ],
    },
  };
}

function prevalenceOf(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return positives / labels.length;
}

function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/**
 * Per-class histogram of one score, as the share of each class in each bin, so that a rare
 * class is as visible as a common one. The extreme {@link HISTOGRAM_TAIL} of each side is
 * counted in the edge bins rather than stretching the axis.
 */
export function scoreHistogram(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins: number = HISTOGRAM_BINS,
): { start: number; end: number; normal: number; attack: number }[] {
  const sorted = Float64Array.from(scores).sort();
  let low = quantile(sorted, HISTOGRAM_TAIL);
  let high = quantile(sorted, 1 - HISTOGRAM_TAIL);
  if (!(high > low)) {
    low = sorted[0];
    high = sorted[sorted.length - 1];
  }
  if (!(high > low)) {
    const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.01 : 0.5;
    low -= pad;
    high += pad;
  }
  const width = (high - low) / bins;
  const counts = [new Float64Array(bins), new Float64Array(bins)];
  const totals = [0, 0];
  for (let i = 0; i < scores.length; i++) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((scores[i] - low) / width)));
    const cls = labels[i] === 1 ? 1 : 0;
    counts[cls][bin]++;
    totals[cls]++;
  }
  const rows = [];
  for (let b = 0; b < bins; b++) {
    rows.push({
      start: low + b * width,
      end: low + (b + 1) * width,
      normal: totals[0] > 0 ? counts[0][b] / totals[0] : 0,
      attack: totals[1] > 0 ? counts[1][b] / totals[1] : 0,
    });
  }
  return rows;
}

function histogramChart(set: CurveSet, labels: ArrayLike<number>, index: number): Chart {
  const values: Spec[] = [];
  for (const row of scoreHistogram(set.scores, labels)) {
    values.push({ start: row.start, end: row.end, class: 'normal', share: row.normal });
    values.push({ start: row.start, end: row.end, class: 'attack', share: row.attack });
  }
  const threshold = set.evaluation.threshold;
  const lowest = values[0].start as number;
  const highest = values[values.length - 1].end as number;
  const layers: Spec[] = [
    {
      data: { values },
      mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: { field: 'start', type: 'quantitative', bin: 'binned', title: `${set.name} score` },
        x2: { field: 'end' },
        y: { field: 'share', type: 'quantitative', stack: null, title: 'share of class' },
        color: {
          field: 'class',
          type: 'nominal',
          title: null,
          scale: { domain: ['normal', 'attack'], range: ['#4c78a8', '#e45756'] },
          legend: { orient: 'top' },
        },
      },
    },
  ];
  if (threshold >= lowest && threshold <= highest) {
    layers.push({
      data: { values: [{ threshold }] },
      mark: { type: 'rule', color: '#222', strokeDash: [5, 3], strokeWidth: 1.5 },
      encoding: { x: { field: 'threshold', type: 'quantitative' } },
    });
  }
  const shown = threshold >= lowest && threshold <= highest;
  return {
    id: `histogram-${index}`,
    title: `Scores of ${set.name}`,
    caption:
      `Share of each class per bin; the outer ${percent(HISTOGRAM_TAIL)} of scores on each side ` +
      'is counted in the edge bins. ' +
      (shown
        ? `Dashed line: threshold ${fixed(threshold)}.`
        : `The threshold (${fixed(threshold)}) lies outside the plotted range.`),
    spec: { width: 320, height: 170, layer: layers },
  };
}

function confusionChart(evaluation: EvaluationResult): Chart {
  const m = evaluation.confusionMatrix;
  const cells = [
    { actual: 'normal', predicted: 'normal', count: m.tn, name: 'TN' },
    { actual: 'normal', predicted: 'attack', count: m.fp, name: 'FP' },
    { actual: 'attack', predicted: 'normal', count: m.fn, name: 'FN' },
    { actual: 'attack', predicted: 'attack', count: m.tp, name: 'TP' },
  ];
  const largest = Math.max(1, ...cells.map((c) => c.count));
  const values = cells.map((c) => ({
    ...c,
    text: `${c.name} ${c.count.toLocaleString('en-US')}`,
    dark: c.count > largest / 2,
  }));
  const order = ['normal', 'attack'];
  const encoding = {
    x: {
      field: 'predicted',
      type: 'ordinal',
      sort: order,
      title: 'predicted',
      axis: { labelAngle: 0 },
    },
    y: { field: 'actual', type: 'ordinal', sort: order, title: 'actual' },
  };
  return {
    id: 'confusion',
    title: 'Confusion matrix of the fusion',
    caption: `At threshold ${fixed(evaluation.threshold)}: a row is flagged when its score is at or above it.`,
    spec: {
      width: 260,
      height: 200,
      data: { values },
      encoding,
      layer: [
        {
          mark: { type: 'rect', stroke: '#fff' },
          encoding: {
            color: {
              field: 'count',
              type: 'quantitative',
              scale: { scheme: 'blues', domainMin: 0 },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 14 },
          encoding: {
            text: { field: 'text', type: 'nominal' },
            color: { condition: { test: 'datum.dark', value: '#fff' }, value: '#111' },
          },
        },
      ],
    },
  };
}

function attentionChart(attention: NonNullable<ReportData['attention']>): Chart {
  const values = attention.detectorNames.map((name, i) => ({
    detector: name,
    mean: attention.mean[i],
  }));
  return {
    id: 'attention',
    title: 'Mean attention per detector',
    caption:
      'Average attention the fusion gives each detector token over the evaluated rows; ' +
      'a uniform split would give each the same bar.',
    spec: {
      width: 420,
      height: { step: 24 },
      data: { values },
      mark: { type: 'bar', color: '#72b7b2' },
      encoding: {
        y: { field: 'detector', type: 'nominal', sort: '-x', title: null },
        x: {
          field: 'mean',
          type: 'quantitative',
          title: 'mean attention',
          scale: { domainMin: 0 },
        },
      },
    },
  };
}

const SEEN = 'seen in training';
const UNSEEN = 'never in training';

function trainingLabel(row: AttackTypeRecall): string {
  if (row.seenInTraining === undefined) return 'unknown';
  return row.seenInTraining ? SEEN : UNSEEN;
}

function attackChart(rows: AttackTypeRecall[]): Chart {
  const values = rows.map((r) => ({
    type: r.type,
    recall: r.recall,
    count: r.count,
    training: trainingLabel(r),
  }));
  const marked = rows.some((r) => r.seenInTraining !== undefined);
  const palette: [string, string][] = [
    [SEEN, '#e45756'],
    [UNSEEN, '#7b5ea7'],
    ['unknown', '#9aa0a6'],
  ];
  const present = palette.filter(([label]) => values.some((v) => v.training === label));
  const color = marked
    ? {
        field: 'training',
        type: 'nominal',
        title: null,
        scale: {
          domain: present.map(([label]) => label),
          range: present.map(([, colour]) => colour),
        },
        legend: { orient: 'top' },
      }
    : { value: '#e45756' };
  return {
    id: 'attack-types',
    title: 'Recall per attack type',
    caption:
      'Share of the rows of each attack type that the fusion flags, at its threshold' +
      (marked ? '; types never seen in training are told apart.' : '.'),
    spec: {
      width: 420,
      height: { step: 16 },
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'type', type: 'nominal', sort: '-x', title: null },
        x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] } },
        color,
      },
    },
  };
}

/** Compiles each vega-lite chart and renders it to an SVG string with no DOM. */
async function renderCharts(charts: Chart[]): Promise<string[]> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const out: string[] = [];
  for (const chart of charts) {
    const liteSpec = { ...chart.spec, config: CHART_CONFIG, background: 'white' };
    const { spec } = vegaLite.compile(
      liteSpec as unknown as Parameters<typeof vegaLite.compile>[0],
    );
    const view = new vega.View(vega.parse(spec), { renderer: 'none' });
    try {
      out.push(await view.toSVG());
    } finally {
      view.finalize();
    }
  }
  return out;
}

function metricsTable(data: ReportData): string {
  const rows = [data.fusion, ...data.detectors].map((set) => {
    const e = set.evaluation;
    const cells = [e.rocAuc, e.prAuc, e.precision, e.recall, e.f1, e.accuracy]
      .map((v) => `<td>${fixed(v)}</td>`)
      .join('');
    const cls = set === data.fusion ? ' class="fused"' : '';
    return `<tr${cls}><th scope="row">${escapeHtml(set.name)}</th>${cells}<td>${fixed(e.threshold)}</td></tr>`;
  });
  return (
    '<table class="numbers" id="metrics-table"><thead><tr><th>model</th><th>ROC-AUC</th>' +
    '<th>PR-AUC</th><th>precision</th><th>recall</th><th>F1</th><th>accuracy</th>' +
    `<th>threshold</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function attackTable(rows: AttackTypeRecall[]): string {
  const marked = rows.some((r) => r.seenInTraining !== undefined);
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.type)}</th><td>${r.count}</td><td>${r.detected}</td>` +
        `<td>${fixed(r.recall, 3)}</td>` +
        (marked
          ? `<td>${r.seenInTraining === undefined ? '?' : r.seenInTraining ? 'yes' : 'no'}</td>`
          : '') +
        '</tr>',
    )
    .join('');
  let summary = '';
  const unseen = rows.filter((r) => r.seenInTraining === false);
  if (unseen.length > 0) {
    const count = unseen.reduce((sum, r) => sum + r.count, 0);
    const detected = unseen.reduce((sum, r) => sum + r.detected, 0);
    summary =
      `<tfoot><tr><th scope="row">never in training</th><td>${count}</td><td>${detected}</td>` +
      `<td>${fixed(detected / count, 3)}</td><td></td></tr></tfoot>`;
  }
  return (
    '<table class="numbers" id="attack-table"><thead><tr><th>attack type</th><th>rows</th>' +
    `<th>detected</th><th>recall</th>${marked ? '<th>in training</th>' : ''}</tr></thead>` +
    `<tbody>${body}</tbody>${summary}</table>`
  );
}

function timingsTable(timings: Record<string, number>): string {
  const body = Object.entries(timings)
    .map(
      ([stage, s]) =>
        `<tr><th scope="row">${escapeHtml(stage)}</th><td>${s.toFixed(2)} s</td></tr>`,
    )
    .join('');
  return `<table class="numbers" id="timings-table"><tbody>${body}</tbody></table>`;
}

function figure(chart: Chart, svg: string): string {
  return (
    `<figure class="chart" data-chart="${escapeHtml(chart.id)}">` +
    `<figcaption><strong>${escapeHtml(chart.title)}</strong> ${escapeHtml(chart.caption)}</figcaption>` +
    `${svg}</figure>`
  );
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2127;
  margin: 0 auto; padding: 24px; max-width: 1180px; background: #fafbfc; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #e1e4e8; padding-bottom: 4px; }
.meta { color: #57606a; margin: 0 0 16px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure.chart { margin: 0; padding: 12px; background: #fff; border: 1px solid #e1e4e8;
  border-radius: 6px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #57606a; max-width: 520px; margin-bottom: 6px; }
figcaption strong { display: block; color: #1d2127; font-size: 14px; }
table.numbers { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
table.numbers th, table.numbers td { border: 1px solid #e1e4e8; padding: 4px 10px; text-align: right; }
table.numbers th[scope=row] { text-align: left; font-weight: 500; }
table.numbers thead th { background: #f3f4f6; }
tr.fused { background: #fff8e5; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
`;

/**
 * Renders the report as one self-contained HTML document. It holds no script and no external
 * reference (its content security policy forbids any fetch), so it opens offline and can be
 * mailed or archived as a single file.
 *
 * @throws ValidationError when `data` is inconsistent: labels of a single class, a score
 *   array whose length differs from the labels, non-finite scores, duplicate model names,
 *   attention means that do not match their names, or a malformed attack-type row.
 */
export async function renderReport(data: ReportData): Promise<string> {
  checkReportData(data);

  const charts: Chart[] = [curveChart(data, 'roc'), curveChart(data, 'pr')];
  charts.push(confusionChart(data.fusion.evaluation));
  const histograms = [data.fusion, ...data.detectors].map((set, i) =>
    histogramChart(set, data.labels, i),
  );
  charts.push(...histograms);
  const attention = data.attention ? attentionChart(data.attention) : undefined;
  if (attention) charts.push(attention);
  const attacks =
    data.attackTypes && data.attackTypes.length > 0 ? attackChart(data.attackTypes) : undefined;
  if (attacks) charts.push(attacks);

  const svgs = await renderCharts(charts);
  const byId = new Map(charts.map((chart, i) => [chart.id, figure(chart, svgs[i])]));

  const d = data.dataset;
  const f = data.fusion.evaluation;
  const facts: [string, string][] = [
    ['data set', escapeHtml(d.name)],
    ['rows evaluated', d.rows.toLocaleString('en-US')],
    ['features', d.features.toLocaleString('en-US')],
    [
      'attacks',
      `${d.positives.toLocaleString('en-US')} (${percent(d.rows > 0 ? d.positives / d.rows : 0)})`,
    ],
    ['fusion threshold', fixed(f.threshold)],
  ];
  if (data.generatedAt) facts.push(['generated', escapeHtml(data.generatedAt)]);

  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(data.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(data.title)}</h1>`,
    `<p class="meta">Fusion on ${escapeHtml(d.name)}: ROC-AUC ${fixed(f.rocAuc)}, ` +
      `PR-AUC ${fixed(f.prAuc)}, F1 ${fixed(f.f1)} at threshold ${fixed(f.threshold)}.</p>`,
    '<dl class="facts">',
    ...facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`),
    '</dl>',
    '<h2>Models</h2>',
    metricsTable(data),
    '<h2>Ranking quality</h2>',
    `<div class="grid">${byId.get('roc')}${byId.get('pr')}</div>`,
    '<h2>At the chosen threshold</h2>',
    `<div class="grid">${byId.get('confusion')}</div>`,
    '<h2>Score distributions by class</h2>',
    `<div class="grid">${histograms.map((h) => byId.get(h.id)).join('')}</div>`,
  ];
  if (attention) {
    parts.push('<h2>Attention</h2>', `<div class="grid">${byId.get('attention')}</div>`);
  }
  if (attacks && data.attackTypes) {
    parts.push(
      '<h2>Attack types</h2>',
      `<div class="grid">${byId.get('attack-types')}${attackTable(data.attackTypes)}</div>`,
    );
  }
  if (data.timings && Object.keys(data.timings).length > 0) {
    parts.push('<h2>Timings</h2>', timingsTable(data.timings));
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}

/** What {@link reportData} reads from a pipeline evaluation (`DetectionPipeline.evaluate`). */
export interface EvaluationForReport {
  rows: number;
  positives: number;
  fusion: EvaluationResult;
  detectors: Record<string, EvaluationResult>;
  attackTypes?: AttackTypeRecall[];
  attention?: { detectorNames: string[]; mean: number[] };
  labels: ArrayLike<number>;
  scores: { fusion: ArrayLike<number>; detectors: Record<string, ArrayLike<number>> };
}

/** Context of a report that an evaluation does not know. */
export interface ReportContext {
  /** Heading. Default `'Decoders evaluation: <dataset>'`. */
  title?: string;
  /** Name of the evaluated data, e.g. a file name. Required. */
  dataset: string;
  /** Features the model saw after preprocessing. Default 0 (unknown). */
  features?: number;
  /** Seconds per stage. Default none. */
  timings?: Record<string, number>;
  /** Time stamp shown in the report. Default: now. */
  generatedAt?: string;
}

/**
 * Assembles {@link ReportData} from a pipeline evaluation, so every caller (the CLI, the demo,
 * the examples) builds the same report.
 */
export function reportData(evaluation: EvaluationForReport, context: ReportContext): ReportData {
  if (evaluation === null || typeof evaluation !== 'object' || !evaluation.scores) {
    throw new ValidationError('evaluation must be the result of DetectionPipeline.evaluate()');
  }
  if (context === null || typeof context !== 'object' || typeof context.dataset !== 'string') {
    throw new ValidationError('report context needs dataset: the name of the evaluated data');
  }
  const detectors = Object.entries(evaluation.detectors).map(([name, result]) => {
    const scores = evaluation.scores.detectors[name];
    if (scores === undefined) {
      throw new ValidationError(`evaluation has a result for '${name}' but no scores for it`);
    }
    return { name, scores, evaluation: result };
  });
  return {
    title: context.title ?? `Decoders evaluation: ${context.dataset}`,
    dataset: {
      name: context.dataset,
      rows: evaluation.rows,
      features: context.features ?? 0,
      positives: evaluation.positives,
    },
    labels: evaluation.labels,
    fusion: { name: 'fusion', scores: evaluation.scores.fusion, evaluation: evaluation.fusion },
    detectors,
    attention: evaluation.attention,
    attackTypes: evaluation.attackTypes,
    timings: context.timings,
    generatedAt: context.generatedAt ?? new Date().toISOString(),
  };
}

/**
 * Renders the report and writes it to `path` (UTF-8), creating missing parent folders.
 * Node only.
 */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  if (typeof path !== 'string' || path === '') {
    throw new ValidationError('report path must be a non-empty file path, e.g. out/report.html');
  }
  const html = await renderReport(data);
  const [{ mkdir, writeFile }, { dirname }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
  ]);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html, 'utf8');
}
