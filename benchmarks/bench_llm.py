"""Throughput of knowledge extraction with the real SmolLM2: prompts/s and tokens/s for `encode` (and `reason`), per speed option,
with each option's effect on the vectors (mean cosine to the default fp32 / last-layer vectors of the same prompts).

    .venv/bin/python benchmarks/bench_llm.py                       # CPU: 64 ML-1M user prompts, budget 128 tokens
    .venv/bin/python benchmarks/bench_llm.py --n 6040 --batch 64   # GPU: all users (bf16 picked automatically)
    .venv/bin/python benchmarks/bench_llm.py --reason 16           # also time `reason` on 16 prompts
"""
import argparse, os, time, warnings
os.environ.setdefault('HF_HUB_OFFLINE', '1')
warnings.filterwarnings('ignore')
import torch
from llm4msr_nb.data import load_dataset, prepare
from llm4msr_nb.prompts import user_prompts
from llm4msr_nb.llm import FrozenLLM

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dataset', default='movielens-1m')
    ap.add_argument('--n', type=int, default=64, help='number of user prompts')
    ap.add_argument('--max-tokens', type=int, default=128)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--configs', default='fp32,int8,layer15,int8+layer15,budget64',
                    help='comma list from: fp32 (default), int8, layerK, int8+layerK, budgetT')
    ap.add_argument('--reason', type=int, default=0, help='also time reason() on this many prompts')
    ap.add_argument('--new-tokens', type=int, default=48)
    ap.add_argument('--device', default='auto')
    a = ap.parse_args()
    splits = prepare(load_dataset(a.dataset))
    base = FrozenLLM(device=a.device)
    ids = splits.user_ids[1:a.n + 1]
    prompts = user_prompts(splits, base.tokenizer, a.max_tokens, user_ids=ids)
    print(f'{base!r}; torch threads {torch.get_num_threads()}; {len(prompts)} prompts, budget {a.max_tokens}')
    ref, rows = None, []
    for cfg in a.configs.split(','):
        layer, ps, llm = -1, prompts, base
        for part in cfg.split('+'):
            if part.startswith('layer'): layer = int(part[5:])
            if part.startswith('budget'): ps = user_prompts(splits, base.tokenizer, int(part[6:]), user_ids=ids)
            if part == 'int8': llm = FrozenLLM(device=a.device, quantize='int8')
        llm.encode(ps[:2], layer=layer)  # warm-up (loads the model)
        ntok = sum(len(t) for t in llm.tokenizer(ps, add_special_tokens=False)['input_ids'])
        if llm.device.type == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter(); v = llm.encode(ps, layer=layer, batch_size=a.batch)
        if llm.device.type == 'cuda': torch.cuda.synchronize()
        dt = time.perf_counter() - t
        ref = v if ref is None else ref
        cos = torch.nn.functional.cosine_similarity(v, ref, dim=1).mean().item()
        rows.append((cfg, len(ps) / dt, ntok / dt, cos, dt))
        print(f'encode {cfg:>16}: {len(ps) / dt:8.1f} prompts/s {ntok / dt:9.0f} tokens/s  cosine to first {cos:.3f}  '
              f'({dt:.1f} s; 6,040 users -> {6040 / (len(ps) / dt) / 60:.1f} min)', flush=True)
    if a.reason:
        ps = prompts[:a.reason]
        base.reason(ps[:1], max_new_tokens=2)
        t = time.perf_counter(); _, ans = base.reason(ps, max_new_tokens=a.new_tokens, batch_size=max(1, min(a.batch, len(ps))))
        dt = time.perf_counter() - t
        print(f'reason {len(ps)} prompts x {a.new_tokens} new tokens: {len(ps) / dt:.2f} prompts/s, '
              f'{len(ps) * a.new_tokens / dt:.1f} generated tokens/s ({dt:.1f} s)\nexample answer: {ans[0][:300]!r}')

if __name__ == '__main__': main()
