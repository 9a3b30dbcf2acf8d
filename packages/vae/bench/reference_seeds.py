"""Test ROC-AUC of the reference's vae_recon_mu on NSL-KDD for several seeds (called by
bench/seed-spread.ts, which exports the rows first with bench/export-nsl.ts --test).

For each seed: sets the reference's module-level SEED (train_vae calls seed_everything(SEED)),
trains with the reference's own train_vae (imported from pipeline.py, not copied; CFG as
published: 50 epochs at most, patience 8) on the exported training normals, early-stopped on the
exported validation rows, and scores the exported test rows with vae_recon_mae(sample_z=False).
Rows are put back into the reference's own order (nsl_rows.py), so seed 42 sees the batches of
the published run. Prints one JSON line per seed on stdout (log on stderr):
  {"seed", "threads", "rocAuc", "epochs", "bestEpoch", "bestValidationLoss", "seconds"}

  /usr/bin/python3 bench/reference_seeds.py DIR SEEDS [THREADS=1] [REFERENCE=../shared/reference]
    DIR     where export-nsl.ts --test wrote nsl.{train,validation,test}.f32, nsl.test.labels.u8
            and nsl.json
    SEEDS   comma list, e.g. 0,1,2,3,4,42
    THREADS torch.set_num_threads (the training is not reproducible across thread counts)
"""
import json
import os
import sys
import time

from torch_reference import open_reference

out_dir, seeds = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
pipeline, reference = open_reference(threads, sys.argv[4] if len(sys.argv) > 4 else None)

from nsl_rows import load_rows, load_test  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

train, val = load_rows(out_dir, pipeline, reference)
test, test_labels = load_test(out_dir)

pipeline.log = lambda msg: print(msg, file=sys.stderr, flush=True)
max_epochs = os.environ.get("REFERENCE_MAX_EPOCHS")  # smoke tests only
if max_epochs is not None:
    pipeline.CFG["vae"]["max_epochs"] = int(max_epochs)
for seed in seeds:
    pipeline.SEED = seed
    start = time.perf_counter()
    vae, info = pipeline.train_vae(train, val, verbose=True)
    scores = pipeline.vae_recon_mae(vae, test, sample_z=False)
    print(json.dumps({"seed": seed, "threads": threads,
                      "rocAuc": float(roc_auc_score(test_labels, scores)),
                      "epochs": info["epochs_run"], "bestEpoch": info["best_epoch"],
                      "bestValidationLoss": float(info["best_val_loss"]),
                      "seconds": time.perf_counter() - start}), flush=True)
