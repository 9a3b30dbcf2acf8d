"""scikit-learn reference for the One-Class SVM benchmark and test fixture.

  python3 one-class-svm-reference.py bench MATRIX.bin ROWS COLS NU
      fits sklearn.svm.OneClassSVM (rbf, gamma='scale') on the float64 little-endian
      matrix written by bench/one-class-svm.ts and prints one JSON line with fit and
      score times (wall and CPU seconds), the support-vector count and the scores'
      checksum terms, so the TypeScript bench can compare in the same run.

  python3 one-class-svm-reference.py fixture GOLDEN.json
      prints the extra kernel cases (linear, poly, sigmoid) that test/fixtures/
      one_class_svm.json holds under "kernels", computed on the golden file's rows.
"""
import json
import sys
import time

import numpy as np
from sklearn.svm import OneClassSVM


def bench(path, rows, cols, nu):
    x = np.fromfile(path, dtype="<f8").reshape(rows, cols)
    model = OneClassSVM(nu=nu)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    scores = model.score_samples(x)
    score_wall, score_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({
        "fit_wall": fit_wall, "fit_cpu": fit_cpu,
        "score_wall": score_wall, "score_cpu": score_cpu,
        "n_support": int(model.support_.shape[0]),
        "offset": float(model.offset_[0]),
        "scores_head": [float(v) for v in scores[:5]],
    }))


def fixture(golden_path):
    golden = json.load(open(golden_path))
    x_fit = np.array(golden["X_fit"])
    x_test = np.array(golden["X_test"])
    cases = []
    # The linear case is shifted away from the origin: on centred data the linear model
    # degenerates (w -> 0, offset about 1e-5) and libsvm itself does not settle.
    for shift, params in [
        (3.0, {"kernel": "linear", "nu": 0.1}),
        (0.0, {"kernel": "poly", "nu": 0.2, "degree": 2, "gamma": "scale", "coef0": 1.0}),
        (0.0, {"kernel": "sigmoid", "nu": 0.3, "gamma": 0.02, "coef0": 0.0}),
        (0.0, {"kernel": "rbf", "nu": 0.2, "gamma": "scale", "shrinking": False}),
    ]:
        model = OneClassSVM(**params).fit(x_fit + shift)
        cases.append({
            "params": params,
            "shift": shift,
            "offset": float(model.offset_[0]),
            "n_support": int(model.support_.shape[0]),
            "decision_function_test": model.decision_function(x_test + shift).tolist(),
            "predict_test": model.predict(x_test + shift).tolist(),
        })
    print(json.dumps({"generator": "bench/one-class-svm-reference.py fixture",
                      "sklearn_version": __import__("sklearn").__version__,
                      "cases": cases}))


if __name__ == "__main__":
    if sys.argv[1] == "bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        fixture(sys.argv[2])
