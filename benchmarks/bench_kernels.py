"""What the portable CPU kernels cost (chapter 00): training and LLM-stage throughput on the 'native' kernels and on the 'portable'
ones (`ATEN_CPU_CAPABILITY=avx2`, `MKL_CBWR=COMPATIBLE`), each measured in a fresh process started on them, rounds interleaved.

Training: ML-1M's train split, batch 4,096, one thread, the Trainer's own samples/s (median over `--epochs` epochs) of SharedBottom
and STAR, plain and LLM4MSR (knowledge: random vectors of SmolLM2's width; the speed depends on shapes, not values). LLM stage:
SmolLM2-135M encoding 64 of ML-1M's 96-token user prompts, fp32 and int8 (the default on a CPU), tokens/s.

    .venv/bin/python benchmarks/bench_kernels.py [--rounds 2] [--epochs 2] [--json FILE]
"""
import argparse, json, os, statistics, subprocess, sys, time
from pathlib import Path

CHILD = r'''
import json, sys, time, warnings, torch
warnings.simplefilter('ignore'); torch.set_num_threads(1)
from types import SimpleNamespace
from llm4msr_nb.core import cpu_kernels
from llm4msr_nb.data import load_dataset, prepare
from llm4msr_nb.meta import build_model
from llm4msr_nb.train import Trainer, TrainConfig
from llm4msr_nb.llm import FrozenLLM
from llm4msr_nb.prompts import user_prompts
epochs = int(sys.argv[1]); out = {'kernels': cpu_kernels()}
splits = prepare(load_dataset('movielens-1m'))
g = torch.Generator().manual_seed(0)
k = SimpleNamespace(scenario=torch.randn(splits.n_scenarios, 576, generator=g), user=torch.randn(splits.n_users, 576, generator=g), info={})
for b in ('sharedbottom', 'star'):
    for v in ('base', 'llm4msr'):
        t = Trainer(build_model(b, v, splits, k if v != 'base' else None, seed=0), splits,
                    TrainConfig(epochs=epochs, patience=99, cpu=True), quiet=True)
        out[f'train {b}/{v}'] = float(t.fit().samples_per_s.median())
for q in (None, 'int8'):
    llm = FrozenLLM(quantize=q); prompts = user_prompts(splits, llm.tokenizer, 96)[1:65]
    tokens = sum(len(t) for t in llm.tokenizer(prompts, add_special_tokens=False)['input_ids'])
    llm.encode(prompts[:16], batch_size=16)                                  # warm-up
    t = time.perf_counter(); llm.encode(prompts, batch_size=16); out[f"encode {q or 'fp32'}"] = tokens / (time.perf_counter() - t)
print('RESULT ' + json.dumps(out))
'''

def measure(kernels: str, epochs: int) -> dict:
    "One round on `kernels`, in a fresh process started on them."
    from llm4msr_nb.core import kernel_env
    r = subprocess.run([sys.executable, '-c', CHILD, str(epochs)], env=kernel_env(kernels), capture_output=True, text=True)
    line = [l for l in r.stdout.splitlines() if l.startswith('RESULT ')]
    if r.returncode or not line: sys.exit(f'bench_kernels: the {kernels} round failed:\n{r.stderr[-2000:]}')
    got = json.loads(line[0][7:])
    if got['kernels']['kernels'] != kernels: sys.exit(f"bench_kernels: asked for {kernels} kernels, the process ran on {got['kernels']}")
    return got

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rounds', type=int, default=2, help='rounds per setting, interleaved (native, portable, native, ...)')
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--json', default=None, metavar='FILE', help='also write the machine, settings and every number to FILE')
    a = ap.parse_args()
    load = [round(os.getloadavg()[0], 1)]
    runs = {'native': [], 'portable': []}
    for i in range(a.rounds):
        for k in runs:
            runs[k].append(measure(k, a.epochs)); print(f'round {i + 1}, {k}: done', flush=True)
    metrics = [m for m in runs['native'][0] if m != 'kernels']
    rows = [dict(what=m, native=statistics.median(r[m] for r in runs['native']), portable=statistics.median(r[m] for r in runs['portable']))
            for m in metrics]
    for r in rows:
        r['slowdown'] = r['native'] / r['portable']
        print(f"{r['what']:>26}: native {r['native']:>10,.0f}/s  portable {r['portable']:>10,.0f}/s  {r['slowdown']:.2f}x slower")
    if a.json:
        from llm4msr_nb.study import machine
        out = dict(machine=machine(), date=time.strftime('%Y-%m-%d'), load_average=load + [round(os.getloadavg()[0], 1)], rounds=a.rounds,
                   epochs=a.epochs, kernels={k: v[0]['kernels'] for k, v in runs.items()}, rows=rows)
        Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(out, indent=1))
    return rows

if __name__ == '__main__': main()
