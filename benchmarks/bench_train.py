"""Training throughput (samples/s) of every backbone through `Trainer`, against a bare plain-PyTorch embedding+MLP loop.

ML-1M train split (per-user chronological 80/10/10, 5 genre scenarios, 8 fields), batch 4096, one epoch each (the Trainer's own
`samples_per_s`, which times the training loop only, not the validation pass). The bare loop is the "how fast can this machine go"
reference: one offset embedding table + MLP(128, 64) + Adam on index batches, no scenario logic, no checks.

    .venv/bin/python benchmarks/bench_train.py [--epochs 1] [--threads 1] [--backbones sharedbottom,mmoe,ple,star]

Threads default to 1: these models are small, and on a 2-core machine shared with other jobs two intra-op threads spin-wait on
each other whenever a core is busy (measured here under load ~5: every number 2-25x lower with 2 threads than with 1).
"""
import argparse, os, time, warnings
import torch
import torch.nn.functional as F
from torch import nn

def bare_loop(ts, field_dims, batch_size, epochs, emb_dim=16, hidden=(128, 64)):
    "A plain embedding+MLP CTR loop on index batches; returns samples/s over the timed epochs."
    torch.manual_seed(0)
    offsets = torch.tensor([0, *torch.tensor(field_dims).cumsum(0)[:-1].tolist()])
    emb = nn.Embedding(sum(field_dims), emb_dim)
    layers, d = [], len(field_dims) * emb_dim
    for h in hidden: layers += [nn.Linear(d, h), nn.ReLU()]; d = h
    mlp = nn.Sequential(*layers, nn.Linear(d, 1))
    opt = torch.optim.Adam([*emb.parameters(), *mlp.parameters()], lr=1e-3)
    n, rows, secs = len(ts), 0, 0.0
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(epoch))
        t = time.perf_counter()
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            x, y = ts.x[idx], ts.label[idx]
            loss = F.binary_cross_entropy_with_logits(mlp(emb(x + offsets).flatten(1)).squeeze(-1), y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            rows += len(idx)
        secs += time.perf_counter() - t
    return rows / secs

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--batch-size', type=int, default=4096)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--backbones', default='sharedbottom,mmoe,ple,star')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from llm4msr_nb.core import seed_everything
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.backbones import make_backbone
    from llm4msr_nb.train import Trainer, TrainConfig
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        splits = prepare(load_dataset('movielens-1m'))
    ts = splits.tensors('train')
    print(f'ML-1M train: {len(ts):,} rows, {splits.n_scenarios} scenarios {splits.scenarios}, fields {splits.fields}; '
          f'batch {a.batch_size}, {a.epochs} epoch(s), torch threads {torch.get_num_threads()}')
    bare = bare_loop(ts, splits.field_dims, a.batch_size, a.epochs)
    print(f'{"bare embedding+MLP loop":>24}: {bare:>10,.0f} samples/s')
    rows = []
    for name in a.backbones.split(','):
        seed_everything(0)
        t = Trainer(make_backbone(name, splits), splits, TrainConfig(epochs=a.epochs, batch_size=a.batch_size, patience=99, quiet=True, cpu=True))
        sps = t.fit().samples_per_s.mean()
        rows.append((name, sps))
        print(f'{name:>24}: {sps:>10,.0f} samples/s   {sps / bare:.2f}x bare   goal >= 110k: {"ok" if sps >= 110e3 else "MISSED"}   '
              f'within 2x of bare: {"ok" if sps * 2 >= bare else "MISSED"}')
    return rows, bare

if __name__ == '__main__': main()
