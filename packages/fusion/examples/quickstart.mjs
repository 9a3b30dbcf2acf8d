// Fuse three detectors' scores on synthetic data: run `node examples/quickstart.mjs` in
// packages/fusion after `pnpm build`.
import { Random } from '@decoders/core';
import { AttentionFusion, fusionFromJSON, initBackend, RankFusion } from '@decoders/fusion';

// Scores [rows, detectors], higher = more anomalous. Attacks (5%) push up the first two
// detectors; the third only sees half of them.
function makeScores(n, random) {
  const scores = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const attack = random.next() < 0.05 ? 1 : 0;
    const seen = attack && random.next() < 0.5;
    scores.push([random.normal(attack * 2), random.normal(attack * 1.5), random.normal(seen * 3)]);
    labels.push(attack);
  }
  return { scores, labels };
}
const random = new Random(1);
const train = makeScores(3000, random);
const validation = makeScores(1000, random);
const test = makeScores(1000, random);
const detectorNames = ['iforest', 'ocsvm', 'lof'];

const fusion = new AttentionFusion({ seed: 0 });
const history = await fusion.fit(train.scores, train.labels, {
  validationScores: validation.scores,
  validationLabels: validation.labels,
  detectorNames,
});
console.log(`trained ${history.epochs} epochs, kept epoch ${history.bestEpoch}`);

const flags = fusion.predict(test.scores);
const first = flags.indexOf(1);
const [why] = fusion.explain([test.scores[first]]);
const top = why.attention.indexOf(Math.max(...why.attention));
console.log(
  `row ${first} flagged mainly by ${detectorNames[top]} (rank ${why.ranks[top].toFixed(3)})`,
);

// Save, load and score again: identical probabilities.
const saved = JSON.stringify(fusion.toJSON());
await initBackend();
const loaded = fusionFromJSON(saved);
console.log(
  'same after reload:',
  loaded.predictProba(test.scores)[0] === fusion.predictProba(test.scores)[0],
);

// Without labels: combine the detectors' ranks.
const ranks = new RankFusion({ method: 'max', contamination: 0.05 });
await ranks.fit(train.scores, undefined, { detectorNames });
console.log(
  'rank fusion flags',
  ranks.predict(test.scores).reduce((a, b) => a + b, 0),
  'rows',
);
fusion.dispose();
loaded.dispose();
