"""Serving latency of LLM4MSR vs its backbone, and training step time of diag vs lowrank meta layers, on ML-1M shapes.

Inference: `model(batch)` under inference_mode at batch 4096 (median of --repeats calls after warm-up; the three models timed in
turn, --rounds times, and each model's median over the rounds kept, so that a slow spell hits all three alike), for the plain backbone, LLM4MSR
unfolded (knowledge adapters + meta networks per batch) and LLM4MSR folded (meta-layer parameters gathered from precomputed
tables). Goal: folded <= 1.3x the backbone. Training: one Adam step (forward, backward, update) at batch 4096 for the backbone and
LLM4MSR with `diag` and `lowrank` meta layers. Knowledge is a stand-in of SmolLM2's width (576): its values do not change the cost.

    .venv/bin/python benchmarks/bench_meta.py [--backbones sharedbottom,mmoe,ple,star] [--batch 4096] [--threads 1]
                                              [--device cpu|cuda] [--synthetic] [--json out.json]

--synthetic uses random rows in ML-1M's shapes (no data needed: for a GPU machine without the datasets); otherwise real ML-1M
test rows. Threads default to 1 (a busy 2-core box; see bench_train.py).
"""
import argparse, json, os, statistics, time, warnings
from pathlib import Path
from types import SimpleNamespace
import torch
import torch.nn.functional as F

ML1M = SimpleNamespace(field_dims=[6041, 3668, 8, 3, 22, 679, 19, 82], n_scenarios=5, n_users=6041)   # prepare(load_dataset('movielens-1m'))

def train_step_ms(model, batch, steps=10, warmup=2):
    "Median milliseconds of one forward + backward + Adam step."
    opt = torch.optim.Adam(model.parameters(), lr=1e-3); model.train(); dev = batch['x'].device; ts = []
    for i in range(warmup + steps):
        if dev.type == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter()
        loss = F.binary_cross_entropy_with_logits(model(batch), batch['label'])
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if dev.type == 'cuda': torch.cuda.synchronize()
        if i >= warmup: ts.append(time.perf_counter() - t)
    return 1e3 * statistics.median(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--backbones', default='sharedbottom,mmoe,ple,star')
    ap.add_argument('--batch', type=int, default=4096)
    ap.add_argument('--repeats', type=int, default=20)
    ap.add_argument('--rounds', type=int, default=7)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--synthetic', action='store_true')
    ap.add_argument('--json', default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from llm4msr_nb.efficiency import model_zoo, time_forward, make_batch, synthetic_batch
    from llm4msr_nb.meta import LLM4MSR, MetaConfig
    from llm4msr_nb.backbones import make_backbone
    if a.synthetic: shapes = ML1M; batch = synthetic_batch(ML1M.field_dims, ML1M.n_scenarios, a.batch, a.device)
    else:
        from llm4msr_nb.data import load_dataset, prepare
        with warnings.catch_warnings():
            warnings.simplefilter('ignore'); shapes = prepare(load_dataset('movielens-1m'))
        batch = make_batch(shapes, a.batch, device=a.device)
    n_users = shapes.field_dims[0]
    g = torch.Generator().manual_seed(0)
    k = SimpleNamespace(scenario=torch.randn(shapes.n_scenarios, 576, generator=g), user=torch.randn(n_users, 576, generator=g))
    dev = torch.cuda.get_device_name(0) if a.device.startswith('cuda') else f'CPU, {torch.get_num_threads()} thread(s)'
    print(f"ML-1M shapes ({'synthetic rows' if a.synthetic else 'real test rows'}), field_dims {shapes.field_dims}, "
          f'batch {a.batch}, {dev}, torch {torch.__version__}')
    from llm4msr_nb.study import machine
    out = {'device': dev, 'machine': machine(), 'date': time.strftime('%Y-%m-%d'), 'rows': 'synthetic' if a.synthetic else 'ML-1M test',
           'batch': a.batch, 'repeats': a.repeats, 'rounds': a.rounds, 'load_average': [round(os.getloadavg()[0], 1)], 'inference': [], 'training': []}
    print(f"\ninference, ms per batch of {a.batch} (median of {a.rounds} interleaved rounds of {a.repeats} calls each):")
    print(f"{'backbone':>13} {'backbone':>9} {'unfolded':>9} {'folded':>9} {'unfolded/bb':>12} {'folded/bb':>10}")
    for name in a.backbones.split(','):
        zoo = {key: m.to(a.device) for key, m in model_zoo(name, shapes, k).items()}
        runs = [{key: time_forward(m, batch, a.repeats, warmup=3) for key, m in zoo.items()} for _ in range(a.rounds)]   # interleaved
        ms = {key: 1e3 * statistics.median(r[key] for r in runs) for key in zoo}
        r = dict(backbone=name, **{f'{k_}_ms': v for k_, v in ms.items()},
                 unfolded_ratio=ms['llm4msr'] / ms['backbone'], folded_ratio=ms['llm4msr folded'] / ms['backbone'])
        out['inference'].append(r)
        print(f"{name:>13} {ms['backbone']:9.2f} {ms['llm4msr']:9.2f} {ms['llm4msr folded']:9.2f} {r['unfolded_ratio']:11.2f}x "
              f"{r['folded_ratio']:9.2f}x{'' if r['folded_ratio'] <= 1.3 else '  (over the 1.3x goal)'}")
    print(f"\ntraining, ms per Adam step at batch {a.batch} (median of {a.steps}):")
    print(f"{'backbone':>13} {'base':>9} {'diag':>9} {'lowrank':>9} {'diag/base':>10} {'lowrank/base':>13}")
    for name in a.backbones.split(','):
        torch.manual_seed(0)
        ms = {'base': train_step_ms(make_backbone(name, shapes).to(a.device), batch, a.steps)}
        for layer in ('diag', 'lowrank'):
            torch.manual_seed(0)
            ms[layer] = train_step_ms(LLM4MSR(make_backbone(name, shapes), k, MetaConfig(layer=layer)).to(a.device), batch, a.steps)
        out['training'].append(dict(backbone=name, **{f'{k_}_ms': v for k_, v in ms.items()}))
        print(f"{name:>13} {ms['base']:9.2f} {ms['diag']:9.2f} {ms['lowrank']:9.2f} {ms['diag'] / ms['base']:9.2f}x {ms['lowrank'] / ms['base']:12.2f}x")
    out['load_average'].append(round(os.getloadavg()[0], 1))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        with open(a.json, 'w') as f: json.dump(out, f, indent=1)

if __name__ == '__main__': main()
