"""Validation-loss curves of the reference PyTorch PatchTransformerVAE (its train_vae, imported
from pipeline.py, not copied) on the NSL-KDD rows written by bench/export-nsl.ts, for several
seeds and initialisations, to tell seed noise from systematic differences in how fast training
progresses (part of the parity check with bench/torch-parity.ts and bench/torch_parity.py; the
test ROC-AUC per seed is bench/seed-spread.ts). Early stopping is off: every run goes EPOCHS.

  npx tsx bench/export-nsl.ts /tmp/vae-parity
  /usr/bin/python3 bench/torch_seeds.py DIR SEEDS EPOCHS INIT [THREADS=1] [REFERENCE=../shared/reference]
    DIR     where export-nsl.ts wrote nsl.{train,validation}.f32 and nsl.json
    SEEDS   comma list, e.g. 42,0,1
    EPOCHS  max epochs (the reference uses 50)
    INIT    torch  - the reference model as is (TransformerEncoder deep-copies its layer, so
                     every layer starts with the same weights; in_proj_weight [3d, d] is
                     Glorot-uniform as one matrix: bound sqrt(6 / 4d))
            ours   - the initialisation of @decoders/vae: independent layers, Q, K and V each
                     Glorot-uniform as [d, d] (bound sqrt(6 / 2d)), everything else as torch
            clone  - only the independent layers of 'ours' (in_proj as torch)
            qkv    - only the larger Q/K/V bound of 'ours' (layers cloned as torch)
Rows are put in the reference's own order (nsl_rows.py), so seed 42 with INIT=torch reproduces the reference run up to
thread-count rounding (in practice it does not: see README, Benchmarks).  Prints one JSON line
per seed: train and validation loss per epoch, seconds.
"""
import json
import math
import sys

from torch_reference import open_reference

out_dir, seeds, epochs, init = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 1
pipeline, reference = open_reference(threads, sys.argv[6] if len(sys.argv) > 6 else None)

import torch  # noqa: E402
from nsl_rows import load_rows  # noqa: E402

train, val = load_rows(out_dir, pipeline, reference)

Base = pipeline.PatchTransformerVAE


class Variant(Base):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if init == "torch":
            return
        d = self.patch_proj.out_features
        with torch.no_grad():
            for i, layer in enumerate(self.encoder_tf.layers):
                if init in ("ours", "qkv"):
                    bound = math.sqrt(6 / (2 * d))
                    if i == 0 or init == "ours":
                        layer.self_attn.in_proj_weight.uniform_(-bound, bound)
                    else:  # keep the clone: copy layer 0's redrawn in_proj
                        layer.self_attn.in_proj_weight.copy_(
                            self.encoder_tf.layers[0].self_attn.in_proj_weight)
                elif init == "clone" and i > 0:
                    b = math.sqrt(6 / (4 * d))
                    layer.self_attn.in_proj_weight.uniform_(-b, b)
                if init in ("ours", "clone") and i > 0:
                    for lin in (layer.linear1, layer.linear2, layer.self_attn.out_proj):
                        b = 1 / math.sqrt(lin.in_features)
                        lin.weight.uniform_(-b, b)
                        if lin is not layer.self_attn.out_proj:
                            lin.bias.uniform_(-b, b)


pipeline.PatchTransformerVAE = Variant
pipeline.log = lambda msg: print(msg, file=sys.stderr, flush=True)
for seed in [int(s) for s in seeds.split(",")]:
    pipeline.SEED = seed
    pipeline.CFG["vae"]["max_epochs"] = epochs
    pipeline.CFG["vae"]["patience"] = 10 ** 6
    _, info = pipeline.train_vae(train, val, verbose=True)
    h = info["history"]
    print(json.dumps({"seed": seed, "init": init, "threads": threads,
                      "train": [round(e["train_loss"], 1) for e in h],
                      "val": [round(e["val_loss"], 1) for e in h],
                      "seconds": round(sum(e["seconds"] for e in h), 1)}), flush=True)
