"""The NSL-KDD rows written by bench/export-nsl.ts, in the order the reference pipeline trains on
them, for the bench's Python scripts (reference_seeds.py, torch_seeds.py).

export-nsl.ts writes rows sorted by CSV row number; the reference trains on X_train_normal and
X_val in the order its train_test_split returns them (recomputed here from the CSV with the
published split seed), and its DataLoader's shuffle permutes positions, so the order decides
which rows share a batch.
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

SPLIT_SEED = 42  # the seed of the published split (reference/results/*.splits.csv.gz)


def load_rows(out_dir, pipeline, reference):
    """(train, validation) float32 matrices in the reference's order; `pipeline` is the imported
    reference module (for its CFG and encode_target)."""
    cols = json.load(open(f"{out_dir}/nsl.json"))["cols"]
    train = np.fromfile(f"{out_dir}/nsl.train.f32", dtype=np.float32).reshape(-1, cols)
    val = np.fromfile(f"{out_dir}/nsl.validation.f32", dtype=np.float32).reshape(-1, cols)
    df = pd.read_csv(f"{os.path.dirname(reference.rstrip('/'))}/data/nsl_kdd_train20.csv",
                     low_memory=False)
    y = pipeline.encode_target(df["is_attack"], None)
    idx = np.arange(len(df))
    tr_full, _, y_full, _ = train_test_split(idx, y, test_size=pipeline.CFG["test_size"],
                                             random_state=SPLIT_SEED, stratify=y)
    tr, va, y_tr, _ = train_test_split(tr_full, y_full, test_size=pipeline.CFG["val_size"],
                                       random_state=SPLIT_SEED, stratify=y_full)
    tr_norm = tr[y_tr == 0]
    assert len(tr_norm) == len(train) and len(va) == len(val), "rows differ from the export"
    return train[np.argsort(np.argsort(tr_norm))], val[np.argsort(np.argsort(va))]


def load_test(out_dir):
    """(test rows, test labels) as export-nsl.ts --test wrote them (order does not matter)."""
    cols = json.load(open(f"{out_dir}/nsl.json"))["cols"]
    test = np.fromfile(f"{out_dir}/nsl.test.f32", dtype=np.float32).reshape(-1, cols)
    labels = np.fromfile(f"{out_dir}/nsl.test.labels.u8", dtype=np.uint8)
    assert len(labels) == len(test)
    return test, labels
