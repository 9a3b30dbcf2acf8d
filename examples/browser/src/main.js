/**
 * The page's script: loads a saved Decoders model (gzip JSON bytes) from a file or from the
 * server, parses pasted CSV with the browser-safe parser and shows each row's fused score, its
 * verdict and the detectors the fusion attended to most.
 */
import { DetectionPipeline } from '@decoders/pipeline';
import { parseCsv } from '@decoders/preprocess';

const status = document.getElementById('status');
const scoreButton = document.getElementById('score');
const results = document.getElementById('results');
let pipeline = null;

function say(text, isError = false) {
  status.textContent = text;
  status.className = isError ? 'error' : '';
}

async function useModel(bytes, name) {
  say(`loading ${name}...`);
  try {
    // the CPU backend needs no extra files; the WebAssembly one would need its .wasm served
    pipeline = await DetectionPipeline.fromBuffer(bytes, { backend: 'cpu' });
    scoreButton.disabled = false;
    say(
      `model ${name} loaded: ${pipeline.schema.inputColumns.length} input columns, ` +
        `detectors ${pipeline.detectorNames.join(', ')}, threshold ${pipeline.threshold.toFixed(4)}`,
    );
    document.body.dataset.model = 'ready';
  } catch (error) {
    pipeline = null;
    scoreButton.disabled = true;
    say(`could not load ${name}: ${error.message}`, true);
  }
}

document.getElementById('model-file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (file) await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
});

document.getElementById('load-url').addEventListener('click', async () => {
  const response = await fetch('model.decoders');
  if (!response.ok) {
    say(`model.decoders: HTTP ${response.status}`, true);
    return;
  }
  await useModel(new Uint8Array(await response.arrayBuffer()), 'model.decoders');
});

function cell(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

scoreButton.addEventListener('click', () => {
  results.replaceChildren();
  try {
    const table = parseCsv(document.getElementById('csv').value);
    const scores = pipeline.score(table);
    const grid = document.createElement('table');
    grid.id = 'scores';
    const head = document.createElement('tr');
    for (const title of ['row', 'score', 'verdict', 'most attended', 'worst reconstructed']) {
      head.append(cell('th', title));
    }
    grid.append(head);
    scores.forEach((row, i) => {
      const tr = document.createElement('tr');
      tr.className = row.isAnomaly ? 'anomaly' : '';
      const attended = Object.entries(row.attention)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([name, weight]) => `${name} ${(100 * weight).toFixed(0)} %`)
        .join(', ');
      tr.append(
        cell('td', String(i)),
        cell('td', row.score.toFixed(4), { 'data-score': String(row.score) }),
        cell('td', row.isAnomaly ? 'attack' : 'normal'),
        cell('td', attended),
        cell('td', row.topFeatures.map((f) => f.column).join(', ')),
      );
      grid.append(tr);
    });
    results.append(grid);
    const flagged = scores.filter((r) => r.isAnomaly).length;
    say(`scored ${scores.length} rows: ${flagged} flagged as attacks`);
  } catch (error) {
    say(`could not score the rows: ${error.message}`, true);
  }
});
