"""PyTorch replica of the reference attention fusion (shared/reference/pipeline.py), used by
the fusion bench as the speed baseline and to check quality across seeds.

Modes (JSON on stdout):
  timing --scores-bin F --labels-bin F --rows N --tokens M --epochs E
                                          seconds per training epoch and scoring rows/s
                                          (meta-features included) on the bench's arrays:
                                          float64 scores [N, M] and uint8 labels [N]
  quality --scores FILE --seeds 0,1,2     test PR-AUC of the fusion trained as the reference's
                                          variant b (PR-AUC early stopping) on a scores file
"""
import argparse
import csv
import gzip
import json
import sys
import time

import numpy as np
import torch
from torch import nn

TOKENS = ["iforest", "ocsvm", "lof", "vae_recon_mu"]


class Fusion(nn.Module):
    def __init__(self, d_in=3, d_model=32, n_heads=4, dropout=0.1, n_id_tokens=0):
        super().__init__()
        self.proj = nn.Linear(d_in, d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True)
        self.pool = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, d_model),
                                  nn.ReLU(), nn.Dropout(dropout))
        self.head = nn.Linear(d_model, 1)
        self.token_id = (nn.Parameter(torch.zeros(n_id_tokens, d_model))
                         if n_id_tokens else None)

    def forward(self, x):
        h = self.proj(x)
        if self.token_id is not None:
            h = h + self.token_id
        a, _ = self.attn(h, h, h)
        return self.head(self.pool(a.mean(dim=1))).squeeze(1)


def meta_features(ref, s):
    mu = ref.mean(axis=0, keepdims=True)
    sd = ref.std(axis=0, keepdims=True) + 1e-8
    srt = np.sort(ref, axis=0)
    rank = np.empty_like(s)
    for j in range(s.shape[1]):
        rank[:, j] = np.searchsorted(srt[:, j], s[:, j], side="right") / srt.shape[0]
    return np.stack([s, (s - mu) / sd, rank], axis=-1).astype(np.float32)


def predict(model, f, batch=1024):
    model.eval()
    with torch.no_grad():
        out = [model(torch.tensor(f[i:i + batch])).numpy() for i in range(0, len(f), batch)]
    return 1 / (1 + np.exp(-np.concatenate(out).astype(np.float64)))


def average_precision(y, p):
    order = np.argsort(-p, kind="mergesort")
    y, p = y[order], p[order]
    distinct = np.r_[np.where(np.diff(p))[0], len(p) - 1]
    tp = np.cumsum(y)[distinct]
    fp = distinct + 1 - tp
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0, recall]) * precision))


def train(f, y, fv, yv, seed, epochs=50, patience=8, id_emb=False, pos_weight=None, batch=512):
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = Fusion(n_id_tokens=f.shape[1] if id_emb else 0)
    pw = torch.tensor(pos_weight) if pos_weight else None
    crit = nn.BCEWithLogitsLoss(pos_weight=pw)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.tensor(f), torch.tensor(y.astype(np.float32))
    best, state, wait, epoch_times = -1.0, None, 0, []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            crit(model(xt[idx]), yt[idx]).backward()
            opt.step()
        epoch_times.append(time.perf_counter() - start)
        if fv is None:
            continue
        ap = average_precision(yv, predict(model, fv))
        if ap > best + 1e-6:
            best, wait = ap, 0
            state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            wait += 1
            if wait >= patience:
                break
    if state is not None:
        model.load_state_dict(state)
    return model, epoch_times


def read_scores(path):
    with gzip.open(path, "rt") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for split in ("train", "val", "test"):
        part = [r for r in rows if r["split"] == split]
        out[split] = (np.array([[float(r[t]) for t in TOKENS] for r in part]),
                      np.array([int(r["y"]) for r in part]))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["timing", "quality"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tokens", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--scores")
    parser.add_argument("--scores-bin")
    parser.add_argument("--labels-bin")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--id-embedding", action="store_true")
    parser.add_argument("--pos-weight", type=float, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.mode == "timing":
        s = np.fromfile(args.scores_bin, dtype="<f8").reshape(args.rows, args.tokens)
        y = np.fromfile(args.labels_bin, dtype=np.uint8).astype(np.int64)
        f = meta_features(s, s)
        model, times = train(f, y, None, None, 0, epochs=args.epochs, batch=args.batch)
        start = time.perf_counter()
        predict(model, meta_features(s, s), 8192)
        score_s = time.perf_counter() - start
        json.dump({"epochSeconds": float(np.median(times)), "scoreRowsPerSecond":
                   args.rows / score_s, "torch": torch.__version__}, sys.stdout)
        return
    data = read_scores(args.scores)
    ref = data["train"][0]
    f, fv, ft = (meta_features(ref, data[k][0]) for k in ("train", "val", "test"))
    results = []
    for seed in (int(s) for s in args.seeds.split(",")):
        model, _ = train(f, data["train"][1], fv, data["val"][1], seed,
                         id_emb=args.id_embedding, pos_weight=args.pos_weight,
                         batch=args.batch)
        results.append(average_precision(data["test"][1], predict(model, ft)))
    json.dump({"testPrAuc": results, "mean": float(np.mean(results))}, sys.stdout)


if __name__ == "__main__":
    main()
