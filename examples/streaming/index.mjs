/**
 * Scoring a CSV far larger than memory needs, through Node streams: iterateCsv reads chunks of
 * rows, the pipeline scores each chunk column by column, and a write stream takes the scores
 * with backpressure. Resident memory (RSS) is printed as it goes: it levels off after the
 * first chunks instead of growing with the file.
 *
 *   node index.mjs [--rows 300000] [--chunk 5000] [--model out/model.decoders]
 *                  [--fit-rows 4000] [--input out/big.csv] [--output out/scores.csv]
 *
 * Without --model, a quick model is fitted on a sample of the embedded NSL-KDD training file
 * and saved; without --input, a large CSV is made by repeating the NSL-KDD test rows.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DetectionPipeline } from '@decoders/pipeline';
import { iterateCsv, readCsv } from '@decoders/preprocess';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', 'data', 'nsl-kdd');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '300000' },
    chunk: { type: 'string', default: '5000' },
    model: { type: 'string' },
    'fit-rows': { type: 'string', default: '4000' },
    input: { type: 'string' },
    output: { type: 'string', default: join('out', 'scores.csv') },
    seed: { type: 'string', default: '1' },
  },
});
const rows = Number(values.rows);
const chunkSize = Number(values.chunk);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Writes one line, waiting when the stream's buffer is full (backpressure). */
async function writeLine(stream, line) {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

async function closeStream(stream) {
  stream.end();
  await once(stream, 'finish');
}

/** Makes a CSV of `count` rows by cycling through the NSL-KDD test rows, line by line. */
async function makeBigCsv(path, count) {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  let written = 0;
  let header = true;
  while (written < count) {
    const lines = createInterface({ input: createReadStream(join(dataDir, 'nsl_kdd_test.csv')) });
    for await (const line of lines) {
      if (header) {
        await writeLine(out, line);
        header = false;
        continue;
      }
      if (line.startsWith('duration,') || line === '') continue;
      await writeLine(out, line);
      if (++written === count) break;
    }
    lines.close();
  }
  await closeStream(out);
}

async function fitSmallModel(path, fitRows, seed) {
  const table = await readCsv(join(dataDir, 'nsl_kdd_train20.csv'));
  const take = Int32Array.from({ length: Math.min(fitRows, table.rowCount) }, (_, i) =>
    Math.floor((i * table.rowCount) / Math.min(fitRows, table.rowCount)),
  );
  const pipeline = new DetectionPipeline({ preset: 'quick', seed });
  await pipeline.fit(table.selectRows(take), { target: 'is_attack', drop: ['attack_type'] });
  await mkdir(dirname(path), { recursive: true });
  await pipeline.save(path);
  return pipeline;
}

const started = performance.now();
const modelPath = values.model ?? join('out', 'model.decoders');
let pipeline;
if (values.model && existsSync(values.model)) {
  pipeline = await DetectionPipeline.load(values.model);
  console.log(`loaded ${values.model}`);
} else {
  console.log(`fitting a quick model on ${values['fit-rows']} NSL-KDD training rows...`);
  pipeline = await fitSmallModel(modelPath, Number(values['fit-rows']), Number(values.seed));
  console.log(`saved ${modelPath}`);
}

const input = values.input ?? join('out', 'big.csv');
if (!values.input) {
  await makeBigCsv(input, rows);
  console.log(`wrote ${rows} rows to ${input}`);
}

await mkdir(dirname(values.output), { recursive: true });
const out = createWriteStream(values.output);
let header = null;
let scored = 0;
let anomalies = 0;
let peak = 0;
const samples = [];
const scoringStarted = performance.now();
console.log('\n    rows scored      RSS     heap');
for await (const chunk of iterateCsv(input, { chunkSize })) {
  const result = pipeline.scoreColumns(chunk);
  const names = Object.keys(result.detectors);
  if (header === null) {
    header = ['row', 'score', 'is_anomaly', ...names];
    await writeLine(out, header.join(','));
  }
  for (let i = 0; i < result.score.length; i++) {
    const cells = [scored + i, result.score[i], result.isAnomaly[i]];
    for (const name of names) cells.push(result.detectors[name][i]);
    await writeLine(out, cells.join(','));
    anomalies += result.isAnomaly[i];
  }
  scored += result.score.length;

  const { rss, heapUsed } = process.memoryUsage();
  peak = Math.max(peak, rss);
  samples.push(rss);
  if (samples.length % 10 === 1) {
    console.log(
      `${String(scored).padStart(15)}  ${mb(rss).padStart(7)}  ${mb(heapUsed).padStart(7)}`,
    );
  }
}
await closeStream(out);

const seconds = (performance.now() - scoringStarted) / 1000;
const half = samples.slice(Math.floor(samples.length / 2));
console.log(
  `\nscored ${scored} rows in ${seconds.toFixed(1)} s (${Math.round(scored / seconds)} rows/s), ` +
    `${anomalies} flagged; scores in ${values.output}`,
);
console.log(
  `RSS: peak ${mb(peak)}; second half of the run between ${mb(Math.min(...half))} and ` +
    `${mb(Math.max(...half))}, so memory does not grow with the file`,
);
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
