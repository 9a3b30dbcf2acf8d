/** Isolation Forest benchmark suite: default options, as scikit-learn's defaults. */
import { IsolationForest } from '../src/index.js';
import { type BenchSuite, bestOf } from './common.js';

export const isolationForestBench: BenchSuite = {
  name: 'Isolation Forest',
  settings: '100 trees, maxSamples auto',
  repeats: 2,
  ours(x, repeats = 1) {
    let forest = new IsolationForest({ seed: 0 });
    const fit = bestOf(repeats, () => {
      forest = new IsolationForest({ seed: 0 }).fit(x);
    });
    const score = bestOf(repeats, () => forest.scoreSamples(x));
    return { fit, score };
  },
  python: [
    '    from sklearn.ensemble import IsolationForest',
    '    model = IsolationForest(random_state=0)',
    '    start = time.perf_counter(); model.fit(X); fit = time.perf_counter() - start',
    '    start = time.perf_counter(); model.score_samples(X); score = time.perf_counter() - start',
    '    return fit, score',
  ].join('\n'),
};
