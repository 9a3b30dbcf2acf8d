/** Local Outlier Factor benchmark suite: 20 neighbours, novelty mode, scoring the fitted rows again. */
import { LocalOutlierFactor } from '../src/index.js';
import { type BenchSuite, bestOf } from './common.js';

export const localOutlierFactorBench: BenchSuite = {
  name: 'Local Outlier Factor',
  settings: '20 neighbours, novelty, euclidean',
  repeats: 1,
  ours(x, repeats = 1) {
    let lof = new LocalOutlierFactor({ novelty: true });
    const fit = bestOf(repeats, () => {
      lof = new LocalOutlierFactor({ novelty: true }).fit(x);
    });
    const score = bestOf(repeats, () => lof.scoreSamples(x));
    return { fit, score };
  },
  python: [
    '    from sklearn.neighbors import LocalOutlierFactor',
    '    model = LocalOutlierFactor(n_neighbors=20, novelty=True)',
    '    start = time.perf_counter(); model.fit(X); fit = time.perf_counter() - start',
    '    start = time.perf_counter(); model.score_samples(X); score = time.perf_counter() - start',
    '    return fit, score',
  ].join('\n'),
};
