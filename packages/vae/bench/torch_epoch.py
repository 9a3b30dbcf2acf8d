"""Seconds per training epoch of the reference PyTorch PatchTransformerVAE.

Reads a float32 matrix written by speed.ts, trains the model class of
/work/shared/reference/pipeline.py (imported, not copied) with the reference's
AdamW settings for a fixed number of epochs and prints one JSON line.
Usage: torch_epoch.py MATRIX.f32 ROWS COLS EPOCHS THREADS REFERENCE_DIR
"""
import json
import sys
import time

from torch_reference import open_reference

path, rows, cols, epochs, threads, reference = sys.argv[1:7]
rows, cols, epochs, threads = int(rows), int(cols), int(epochs), int(threads)
pipeline, _ = open_reference(threads, reference)
PatchTransformerVAE, vae_loss = pipeline.PatchTransformerVAE, pipeline.vae_loss

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.manual_seed(0)
x = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(rows, cols))
model = PatchTransformerVAE(cols)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=1024,
                                     shuffle=True)
seconds = []
cpu_seconds = []
for _ in range(epochs):
    t0 = time.perf_counter()
    c0 = time.process_time()
    model.train()
    for (xb,) in loader:
        opt.zero_grad(set_to_none=True)
        recon, mu, logvar = model(xb)
        loss, _, _ = vae_loss(recon, xb, mu, logvar, 0.5)
        loss.backward()
        opt.step()
    seconds.append(time.perf_counter() - t0)
    cpu_seconds.append(time.process_time() - c0)
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds,
                  "threads": torch.get_num_threads(),
                  "torch": torch.__version__}))
