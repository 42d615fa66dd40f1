"""Benchmark: one epoch over MovieLens-1M train (per-user split) at batch 4096, shuffled, from preloaded tensors.
Usage: .venv/bin/python benchmarks/bench_data.py [--batch-size 4096] [--device cpu] [--epochs 3]
Prints rows/s per epoch (not a test)."""
import argparse, time
import torch
from llm4msr_nb.core import get_device
from llm4msr_nb.data import load_dataset, prepare

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--batch-size', type=int, default=4096)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--epochs', type=int, default=3)
    a = ap.parse_args()
    t0 = time.time(); data = load_dataset('movielens-1m'); t1 = time.time(); splits = prepare(data); t2 = time.time()
    dev = get_device(a.device)
    train = splits.tensors('train').to(dev)
    print(f'load_dataset {t1 - t0:.2f} s, prepare {t2 - t1:.2f} s; train rows {len(train):,}, fields {train.x.shape[1]}, device {dev}')
    g = torch.Generator().manual_seed(0)
    for ep in range(a.epochs):
        if dev.type == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter(); n = 0; chk = 0
        for b in train.batches(a.batch_size, shuffle=True, generator=g):
            n += len(b['label']); chk += int(b['x'].shape[0])
        if dev.type == 'cuda': torch.cuda.synchronize()
        dt = time.perf_counter() - t
        print(f'epoch {ep}: {n:,} rows in {dt:.3f} s = {n / dt / 1e6:.2f} M rows/s (batch {a.batch_size})')

if __name__ == '__main__': main()
