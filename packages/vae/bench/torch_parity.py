"""Parity check of our VaeNetwork against the reference PyTorch PatchTransformerVAE (part 2 of 2).

Reads what bench/torch-parity.ts wrote (initial weights, batch, noise, our forward pass, our
gradients and our weights after each AdamW step), loads the weights into the reference model
class (imported from the shared reference's pipeline.py), and compares:
  forward   mu, logvar, recon, loss (dropout off, the same noise)
  grad      the gradient of every weight
  adamw     torch.optim.AdamW fed OUR gradients, vs our weights after each step
            (the optimiser alone)
  steps     torch trained on its own gradients for the same steps (forward+backward+optimiser)
Each torch quantity is also computed in float64 to show what float32 rounding alone gives.

  /usr/bin/python3 bench/torch_parity.py [outDir=/tmp/vae-parity] [reference=../shared/reference]
"""
import json
import sys

from torch_reference import open_reference

out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vae-parity"
pipeline, _ = open_reference(1, sys.argv[2] if len(sys.argv) > 2 else None)
PatchTransformerVAE, vae_loss = pipeline.PatchTransformerVAE, pipeline.vae_loss

import numpy as np  # noqa: E402
import torch  # noqa: E402

manifest = json.load(open(f"{out_dir}/manifest.json"))
cfg = manifest["config"]


def load(case, key):
    entries = manifest["cases"][case]["files"][key]
    flat = np.fromfile(f"{out_dir}/{case}.{key}.bin", dtype=np.float32)
    return {e["name"]: flat[e["offset"]:e["offset"] + e["size"]].reshape(e["shape"]) for e in entries}


def torch_name_map(n_layers):
    """our name -> (torch name, how): how is 'T' (transpose), 'id', ('in', k, 'T'|'id') for
    the k-th third of in_proj, or ('rows', 'T'|'id') for the decoder output (first F rows)."""
    m = {"patch.weight": ("patch_proj.weight", "T"), "patch.bias": ("patch_proj.bias", "id")}
    for i in range(n_layers):
        t, o = f"encoder_tf.layers.{i}", f"block{i}"
        for k, part in enumerate(("query", "key", "value")):
            m[f"{o}.attention.{part}.weight"] = (f"{t}.self_attn.in_proj_weight", ("in", k, "T"))
            m[f"{o}.attention.{part}.bias"] = (f"{t}.self_attn.in_proj_bias", ("in", k, "id"))
        m[f"{o}.attention.out.weight"] = (f"{t}.self_attn.out_proj.weight", "T")
        m[f"{o}.attention.out.bias"] = (f"{t}.self_attn.out_proj.bias", "id")
        for ours, theirs in (("norm1", "norm1"), ("norm2", "norm2")):
            m[f"{o}.{ours}.gamma"] = (f"{t}.{theirs}.weight", "id")
            m[f"{o}.{ours}.beta"] = (f"{t}.{theirs}.bias", "id")
        for ours, theirs in (("ff1", "linear1"), ("ff2", "linear2")):
            m[f"{o}.{ours}.weight"] = (f"{t}.{theirs}.weight", "T")
            m[f"{o}.{ours}.bias"] = (f"{t}.{theirs}.bias", "id")
    m.update({
        "pool.norm.gamma": ("pool.0.weight", "id"), "pool.norm.beta": ("pool.0.bias", "id"),
        "pool.dense.weight": ("pool.1.weight", "T"), "pool.dense.bias": ("pool.1.bias", "id"),
        "mu.weight": ("mu.weight", "T"), "mu.bias": ("mu.bias", "id"),
        "logVar.weight": ("logvar.weight", "T"), "logVar.bias": ("logvar.bias", "id"),
        "decoder.hidden.weight": ("decoder.0.weight", "T"),
        "decoder.hidden.bias": ("decoder.0.bias", "id"),
        "decoder.output.weight": ("decoder.3.weight", ("rows", "T")),
        "decoder.output.bias": ("decoder.3.bias", ("rows", "id")),
    })
    return m


def to_torch_layout(value, how, d):
    """Our array -> the slice of the torch parameter it occupies, in torch's layout."""
    if how == "T":
        return value.T
    if how == "id":
        return value
    kind = how[0]
    inner = how[-1]
    return value.T if inner == "T" else value


def torch_slice(tensor, how, d, feat):
    """The part of a torch tensor that one of our parameters corresponds to."""
    if isinstance(how, tuple) and how[0] == "in":
        return tensor[how[1] * d:(how[1] + 1) * d]
    if isinstance(how, tuple) and how[0] == "rows":
        return tensor[:feat]
    return tensor


def build(case, dtype):
    feat = manifest["cases"][case]["features"]
    torch.manual_seed(123)  # padded decoder rows get arbitrary values; they are trimmed
    model = PatchTransformerVAE(feat, cfg["patchSize"], cfg["dModel"], cfg["nHeads"],
                                cfg["nLayers"], cfg["latentDim"], cfg["dropout"]).to(dtype)
    params = dict(model.named_parameters())
    names = torch_name_map(cfg["nLayers"])
    init = load(case, "init")
    assert set(init) == set(names), set(init) ^ set(names)
    covered = {}
    with torch.no_grad():
        for ours, value in init.items():
            tname, how = names[ours]
            target = torch_slice(params[tname], how, cfg["dModel"], feat)
            src = torch.from_numpy(np.ascontiguousarray(to_torch_layout(value, how, cfg["dModel"])))
            assert target.shape == src.shape, (ours, target.shape, src.shape)
            target.copy_(src.to(dtype))
            covered[tname] = covered.get(tname, 0) + src.numel()
    for tname, p in params.items():
        expected = p.numel() if tname not in ("decoder.3.weight", "decoder.3.bias") \
            else p[:feat].numel()
        assert covered.get(tname) == expected, (tname, covered.get(tname), expected)
    return model, names, feat


def ours_from_torch(tensor_by_name, names, feat):
    """Torch tensors (grads or weights) -> dict in our names and layouts (numpy float64)."""
    out = {}
    for ours, (tname, how) in names.items():
        t = torch_slice(tensor_by_name[tname], how, cfg["dModel"], feat).detach().double().numpy()
        inner = how if isinstance(how, str) else how[-1]
        out[ours] = t.T if inner == "T" else t
    return out


def forward(model, x, eps, beta):
    mu, logvar = model.encode(x)
    z = mu + eps * torch.exp(0.5 * logvar)
    recon = model.decode(z)
    loss, rl, kl = vae_loss(recon, x, mu, logvar, beta)
    return dict(mu=mu, logvar=logvar, recon=recon, loss=loss, recon_loss=rl, kl=kl)


def diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    err = np.abs(a - b).max()
    scale = np.abs(b).max()
    return err, err / scale if scale > 0 else float("nan"), scale


def fmt(err, rel, scale):
    return f"maxabs {err:9.3e}  rel {rel:9.3e}  (|ref|max {scale:9.3e})"


report = {}
beta = manifest["beta"]
for case in manifest["cases"]:
    print(f"\n=== case {case}: {manifest['cases'][case]['batch']} rows x "
          f"{manifest['cases'][case]['features']} features, backend {manifest['backend']} ===")
    inp = load(case, "input")
    ours_fwd = load(case, "forward")
    models = {}
    results = {}
    for label, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        model, names, feat = build(case, dtype)
        model.eval()  # dropout off; grad enabled so TransformerEncoder takes the normal path
        x = torch.from_numpy(inp["x"]).to(dtype)
        eps = torch.from_numpy(inp["eps"]).to(dtype)
        model.zero_grad()
        f = forward(model, x, eps, beta)
        f["loss"].backward()
        grads = ours_from_torch({n: p.grad for n, p in model.named_parameters()}, names, feat)
        results[label] = dict(fwd={k: v.detach().double().numpy() for k, v in f.items()},
                              grads=grads)
        models[label] = (model, names, feat, x, eps)

    rep = report.setdefault(case, {})
    print("-- forward (ours f32 vs torch f32 | torch f32 vs torch f64)")
    for key in ("mu", "logvar", "recon", "recon_loss", "kl", "loss"):
        a = diff(ours_fwd[key], results["f64"]["fwd"][key])
        b = diff(results["f32"]["fwd"][key], results["f64"]["fwd"][key])
        c = diff(ours_fwd[key], results["f32"]["fwd"][key])
        rep[f"fwd.{key}"] = dict(ours_vs_t32=c[1], ours_vs_t64=a[1], t32_vs_t64=b[1])
        print(f"  {key:10s} ours-t32 rel {c[1]:9.2e} | ours-t64 rel {a[1]:9.2e} | "
              f"t32-t64 rel {b[1]:9.2e}  (|ref| {a[2]:.4g})")
    if key == "loss":
        print(f"  loss: ours {float(ours_fwd['loss']):.8g}  torch32 "
              f"{float(results['f32']['fwd']['loss']):.8g}  torch64 "
              f"{float(results['f64']['fwd']['loss']):.8g}")

    # The reference's validation pass: eval mode under no_grad, where torch 1.13's
    # TransformerEncoder takes its fused fast path (torch._transformer_encoder_layer_fwd).
    model, names, feat = build(case, torch.float32)
    model.eval()
    with torch.no_grad():
        f = forward(model, torch.from_numpy(inp["x"]), torch.from_numpy(inp["eps"]), beta)
    for key in ("mu", "logvar", "loss"):
        c = diff(ours_fwd[key], f[key].double().numpy())
        rep[f"fwd_fastpath.{key}"] = c[1]
        print(f"  eval/no_grad fast path {key:7s} ours-t32 rel {c[1]:9.2e}")

    print("-- gradients: rel = max|a-b| / max|b| per parameter (b = torch f64)")
    ours_g = load(case, "grad1")
    worst = []
    for name in ours_g:
        a = diff(ours_g[name], results["f64"]["grads"][name])
        b = diff(results["f32"]["grads"][name], results["f64"]["grads"][name])
        c = diff(ours_g[name], results["f32"]["grads"][name])
        # cosine between our gradient and torch's
        ga, gb = ours_g[name].ravel().astype(np.float64), results["f64"]["grads"][name].ravel()
        cos = float(ga @ gb / (np.linalg.norm(ga) * np.linalg.norm(gb) + 1e-300))
        rep[f"grad.{name}"] = dict(ours_vs_t32=c[1], ours_vs_t64=a[1], t32_vs_t64=b[1], cos=cos,
                                   scale=a[2])
        worst.append((a[1] / max(b[1], 1e-7), name))
        print(f"  {name:30s} ours-t64 {a[1]:9.2e} | t32-t64 {b[1]:9.2e} | ours-t32 {c[1]:9.2e}"
              f" | cos {cos:.7f} | |g|max {a[2]:.3e}")
    null = [n for n in ours_g if rep[f"grad.{n}"]["scale"] < 1e-12]
    print(f"  analytically zero gradients (|g| < 1e-12 in float64, rounding noise only): {null}")
    worst = [w for w in worst if w[1] not in null]
    worst.sort(reverse=True)
    print("  worst ratio (ours-t64)/(t32-t64):", ", ".join(f"{n} {r:.1f}" for r, n in worst[:5]))

    # --- AdamW alone: torch's optimiser fed our gradients, from our initial weights ----------
    model, names, feat, x, eps = models["f32"]
    model, names, feat = build(case, torch.float32)
    params = dict(model.named_parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=manifest["lr"],
                            weight_decay=manifest["weightDecay"])
    print("-- AdamW alone (torch.optim.AdamW on our gradients) vs our weights after each step")
    for step in range(1, manifest["steps"] + 1):
        g = load(case, f"grad{step}")
        opt.zero_grad(set_to_none=True)
        for p in params.values():
            p.grad = torch.zeros_like(p)
        for ours, value in g.items():
            tname, how = names[ours]
            torch_slice(params[tname].grad, how, cfg["dModel"], feat).copy_(
                torch.from_numpy(np.ascontiguousarray(value.T if (how if isinstance(how, str)
                                                                  else how[-1]) == "T" else value)))
        opt.step()
        ours_w = load(case, f"step{step}")
        init = load(case, "init") if step == 1 else load(case, f"step{step - 1}")
        tw = ours_from_torch(params, names, feat)
        errs = []
        for n in ours_w:
            upd_t = tw[n] - init[n]
            upd_o = ours_w[n].astype(np.float64) - init[n]
            e = diff(upd_o, upd_t)
            errs.append((e[1], n, e[0], diff(ours_w[n], tw[n])[0]))
        errs.sort(reverse=True)
        rep[f"adamw.step{step}"] = dict(worst_update_rel=errs[0][0], name=errs[0][1],
                                        worst_weight_abs=max(e[3] for e in errs))
        print(f"  step {step}: worst update rel diff {errs[0][0]:.2e} ({errs[0][1]}), "
              f"worst weight abs diff {max(e[3] for e in errs):.2e}")

    # --- full steps: torch computes its own gradients -----------------------------------------
    print("-- full steps (torch forward/backward/AdamW) vs ours: losses and weights")
    print("   (Adam turns rounding noise in near-zero gradients into +-lr steps, so the")
    print("    float32-vs-float64 torch difference is the yardstick)")
    init = load(case, "init")
    ours_w = load(case, f"step{manifest['steps']}")
    weights = {}
    for label, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        model, names, feat = build(case, dtype)
        model.eval()
        x = torch.from_numpy(inp["x"]).to(dtype)
        eps = torch.from_numpy(inp["eps"]).to(dtype)
        opt = torch.optim.AdamW(model.parameters(), lr=manifest["lr"],
                                weight_decay=manifest["weightDecay"])
        losses = []
        for step in range(1, manifest["steps"] + 1):
            opt.zero_grad(set_to_none=True)
            f = forward(model, x, eps, beta)
            f["loss"].backward()
            losses.append(f["loss"].item())
            opt.step()
        weights[label] = ours_from_torch(dict(model.named_parameters()), names, feat)
        rep[f"steps.{label}.losses"] = losses
        print(f"  torch {label} losses {['%.8g' % l for l in losses]}")
    print(f"  ours      losses {['%.8g' % l for l in manifest['cases'][case]['losses']]}")
    rep["steps.ours.losses"] = manifest["cases"][case]["losses"]

    def update_stats(a, b):
        """a, b: weights dicts; stats of a-b over all params except the null-gradient ones."""
        absd = [np.abs(a[n] - b[n]) for n in a if n not in null]
        flat = np.concatenate([d.ravel() for d in absd])
        upd = np.concatenate([np.abs(b[n] - init[n]).ravel() for n in a if n not in null])
        return dict(max_abs=float(flat.max()), mean_abs=float(flat.mean()),
                    frac_over_half_lr=float((flat > 0.5 * manifest["lr"]).mean()),
                    mean_update=float(upd.mean()))

    ours64 = {n: v.astype(np.float64) for n, v in ours_w.items()}
    for label, (a, b) in {"ours-t32": (ours64, weights["f32"]),
                          "ours-t64": (ours64, weights["f64"]),
                          "t32-t64": (weights["f32"], weights["f64"])}.items():
        st = update_stats(a, b)
        rep[f"steps.weights.{label}"] = st
        print(f"  weights after {manifest['steps']} steps {label:8s}: max |diff| "
              f"{st['max_abs']:.2e}, mean |diff| {st['mean_abs']:.2e}, share of weights off by "
              f"> lr/2 {st['frac_over_half_lr']:.2e} (mean |update| {st['mean_update']:.2e})")

json.dump(report, open(f"{out_dir}/report.json", "w"), indent=1)
print(f"\nwrote {out_dir}/report.json")
