"""Training throughput (samples/s) of every backbone through `Trainer`, against a bare plain-PyTorch embedding+MLP loop.

ML-1M train split (per-user chronological 80/10/10, 5 genre scenarios, 8 fields), batch 4096: the median over `--epochs`
epochs (default 3) of the Trainer's own `samples_per_s`, which times the training loop only, not the validation pass. The bare
loop is the "how fast can this machine go" reference: one offset embedding table + MLP(128, 64) + Adam on index batches, no scenario logic, no checks.

    .venv/bin/python benchmarks/bench_train.py [--epochs 3] [--threads 1] [--backbones sharedbottom,mmoe,...] [--device cuda]
                                               [--dataset movielens-100k] [--levers] [--json FILE]

Every backbone of chapter 04 by default; `--json` also writes the machine, date, load and every number to FILE.

Threads default to 1: these models are small, and on a 2-core machine shared with other jobs two intra-op threads spin-wait on
each other whenever a core is busy (measured here under load ~5: every number 2-25x lower with 2 threads than with 1).
"""
import argparse, json, os, statistics, sys, time, warnings
from pathlib import Path
import torch
import torch.nn.functional as F
from torch import nn

def bare_loop(ts, field_dims, batch_size, epochs, emb_dim=16, hidden=(128, 64), device='cpu'):
    "A plain embedding+MLP CTR loop on index batches (on `device`); returns the median samples/s of its epochs."
    torch.manual_seed(0); ts = ts.to(device)
    offsets = torch.tensor([0, *torch.tensor(field_dims).cumsum(0)[:-1].tolist()], device=device)
    emb = nn.Embedding(sum(field_dims), emb_dim)
    layers, d = [], len(field_dims) * emb_dim
    for h in hidden: layers += [nn.Linear(d, h), nn.ReLU()]; d = h
    emb, mlp = emb.to(device), nn.Sequential(*layers, nn.Linear(d, 1)).to(device)
    opt = torch.optim.Adam([*emb.parameters(), *mlp.parameters()], lr=1e-3)
    n, rates = len(ts), []
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(epoch)).to(device)
        sync(device); t = time.perf_counter()
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            x, y = ts.x[idx], ts.label[idx]
            loss = F.binary_cross_entropy_with_logits(mlp(emb(x + offsets).flatten(1)).squeeze(-1), y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        sync(device); rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates)

def lever_rows(splits, epochs, batch_size, device):
    "SharedBottom's samples/s with the Trainer's step levers switched on one by one (each row keeps the ones above it)."
    from llm4msr_nb.core import seed_everything
    from llm4msr_nb.backbones import make_backbone
    from llm4msr_nb.train import Trainer, TrainConfig
    adam, rows = torch.optim.Adam, []
    plain_adam = lambda params, **kw: adam(params, **{**kw, 'fused': None})   # torch's default: foreach on a GPU, the loop on a CPU
    for lever, precision, checked, fused in [('per-batch input checks, plain Adam, float32', 'no', False, False),
                                             ('+ inputs checked once per split', 'no', True, False),
                                             ('+ fused Adam', 'no', True, True), ('+ bf16 autocast', 'bf16', True, True)]:
        if device == 'cpu' and (fused or precision == 'bf16'): continue   # GPU levers: on a CPU the Trainer uses neither
        seed_everything(0)
        t = Trainer(make_backbone('sharedbottom', splits), splits, TrainConfig(epochs=epochs, batch_size=batch_size, patience=99, num_threads=None,
                                                                             cpu=device == 'cpu', mixed_precision=precision), quiet=True)
        t.prechecked = checked
        torch.optim.Adam = adam if fused else plain_adam
        try: sps = float(t.fit().samples_per_s.median())
        finally: torch.optim.Adam = adam
        rows.append(dict(lever=lever, samples_per_s=sps)); print(f'{lever:>48}: {sps:>10,.0f} samples/s')
    return rows

def sync(device):
    if device == 'cuda': torch.cuda.synchronize()

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch-size', type=int, default=4096)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu', choices=['cpu', 'cuda'], help='cuda: data on the GPU, bf16 autocast, fused Adam (the Trainer\'s GPU path)')
    ap.add_argument('--dataset', default='movielens-1m', choices=['movielens-1m', 'movielens-100k'])
    ap.add_argument('--backbones', default=None, help='comma-separated (default: all of chapter 04)')
    ap.add_argument('--levers', action='store_true', help="also SharedBottom with the Trainer's step levers switched on one by one")
    ap.add_argument('--json', default=None, metavar='FILE', help='also write the machine, settings and every number to FILE')
    a = ap.parse_args()
    from llm4msr_nb.backbones import BACKBONES
    names = a.backbones.split(',') if a.backbones else list(BACKBONES)
    if bad := [n for n in names if n not in BACKBONES]: sys.exit(f'bench_train: unknown backbone(s) {bad}; choose from {",".join(BACKBONES)}')
    torch.set_num_threads(a.threads)
    from llm4msr_nb.core import seed_everything
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.backbones import make_backbone
    from llm4msr_nb.train import Trainer, TrainConfig
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        splits = prepare(load_dataset(a.dataset))
    ts = splits.tensors('train')
    print(f'{a.dataset} train on {a.device}: {len(ts):,} rows, {splits.n_scenarios} scenarios {splits.scenarios}, fields {splits.fields}; '
          f'batch {a.batch_size}, {a.epochs} epoch(s), torch threads {torch.get_num_threads()}')
    load = [round(os.getloadavg()[0], 1)]   # at the start and at the end: how far from a quiet machine
    bare = bare_loop(ts, splits.field_dims, a.batch_size, a.epochs, device=a.device)
    print(f'{"bare embedding+MLP loop":>24}: {bare:>10,.0f} samples/s')
    rows = []
    for name in names:
        seed_everything(0)
        t = Trainer(make_backbone(name, splits), splits, TrainConfig(epochs=a.epochs, batch_size=a.batch_size, patience=99, num_threads=None, cpu=a.device == 'cpu'),
                    quiet=True)
        sps = t.fit().samples_per_s.median()
        rows.append(dict(backbone=name, samples_per_s=float(sps), vs_bare=float(sps / bare)))
        print(f'{name:>24}: {sps:>10,.0f} samples/s   {sps / bare:.2f}x the bare loop')
    levers = lever_rows(splits, a.epochs, a.batch_size, a.device) if a.levers else None
    if a.json:
        from llm4msr_nb.study import machine
        out = dict(machine=machine(), device=a.device, dataset=a.dataset, date=time.strftime('%Y-%m-%d'), load_average=load + [round(os.getloadavg()[0], 1)],
                   threads=torch.get_num_threads(), batch_size=a.batch_size, epochs=a.epochs, rows=len(ts), bare=float(bare), backbones=rows,
                   **({'levers': levers} if levers else {}))
        Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(out, indent=1))
    return rows, bare

if __name__ == '__main__': main()
