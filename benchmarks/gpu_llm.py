"""The LLM stage on a GPU with the real SmolLM2 in bf16: encode and reason throughput, and reason-mode knowledge for ML-1M.

Two steps, because the GPU machine has neither the data nor the registry:
  here:     python benchmarks/gpu_llm.py make-prompts data/gpu/prompts.json [--user-max-tokens 256]
  on a GPU: python benchmarks/gpu_llm.py run data/gpu/prompts.json OUTDIR [--batch-size 1024] [--limit N] [--device cuda]
`run` writes OUTDIR/knowledge_reason.safetensors (+ .json), OUTDIR/knowledge_encode.safetensors (+ .json) — `Knowledge`
files aligned with the prompts' scenarios and user ids — and OUTDIR/timings.json. Load them with `Knowledge.load` and pass
them to `run_study(..., knowledge=...)`.
"""
import sys, json, time, argparse
from pathlib import Path
import torch

def make_prompts(path, user_max_tokens):
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.prompts import scenario_prompts, user_prompts
    from llm4msr_nb.llm import FrozenLLM
    splits = prepare(load_dataset('movielens-1m'))
    tok = FrozenLLM().tokenizer
    d = dict(dataset='movielens-1m', split_key=splits.info['key'], scenarios=list(splits.scenarios), user_ids=list(splits.user_ids),
             scenario_prompts=scenario_prompts(splits), user_prompts=user_prompts(splits, tok, user_max_tokens),
             user_max_tokens=user_max_tokens)
    Path(path).write_text(json.dumps(d))
    print(f"{len(d['user_prompts'])} user prompts, {len(d['scenario_prompts'])} scenario prompts -> {path}")

def timed(f):
    if torch.cuda.is_available(): torch.cuda.synchronize()
    t = time.perf_counter(); r = f()
    if torch.cuda.is_available(): torch.cuda.synchronize()
    return r, time.perf_counter() - t

def run(path, out, batch_size, limit, device, user_new, scen_new):
    from llm4msr_nb.llm import FrozenLLM
    from llm4msr_nb.knowledge import Knowledge
    d = json.loads(Path(path).read_text()); out = Path(out); out.mkdir(parents=True, exist_ok=True)
    up, sp = d['user_prompts'][:limit], d['scenario_prompts']
    llm, t_load = timed(lambda: FrozenLLM(None, dtype='bfloat16' if device == 'cuda' else 'float32', device=device))
    _, t_model = timed(lambda: llm.model)
    llm.encode(up[:64], batch_size=64)                                              # warm-up
    ue, t_enc = timed(lambda: llm.encode(up, batch_size=batch_size))
    (sr, sa), t_sr = timed(lambda: llm.reason(sp, max_new_tokens=scen_new, batch_size=len(sp)))
    (ur, ua), t_ur = timed(lambda: llm.reason(up, max_new_tokens=user_new, batch_size=batch_size))
    n_tok = sum(len(i) for i in llm.tokenizer(up, add_special_tokens=False)['input_ids'])
    info = dict(model=llm.name, fingerprint=llm.fingerprint, dtype=str(llm.dtype), device=str(llm.device), layer=-1, pooling='mean',
                scenario_mode='reason', scenario_max_new_tokens=scen_new, user_max_tokens=d['user_max_tokens'], split_key=d['split_key'],
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
    ids, sc = d['user_ids'][:len(up)], d['scenarios']
    Knowledge(sr.float(), ur.float(), {**info, 'user_mode': 'reason', 'user_max_new_tokens': user_new}, sa, sc, ids).save(out/'knowledge_reason.safetensors')
    Knowledge(sr.float(), ue.float(), {**info, 'user_mode': 'encode'}, sa, sc, ids).save(out/'knowledge_encode.safetensors')
    (out/'user_answers.jsonl').write_text('\n'.join(json.dumps({'user_id': u, 'answer': a}) for u, a in zip(ids, ua)) + '\n')
    t = dict(n_users=len(up), user_prompt_tokens=n_tok, load_s=t_load, model_s=t_model, encode_s=t_enc, encode_prompts_per_s=len(up) / t_enc,
             encode_tokens_per_s=n_tok / t_enc, reason_s=t_ur, reason_prompts_per_s=len(up) / t_ur, user_max_new_tokens=user_new,
             scenario_reason_s=t_sr, batch_size=batch_size, **info)
    (out/'timings.json').write_text(json.dumps(t, indent=1)); print(json.dumps(t, indent=1))
    print('scenario answer:', sa[0][:300]); print('user answer:', ua[1][:300])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); sub = p.add_subparsers(dest='cmd', required=True)
    m = sub.add_parser('make-prompts'); m.add_argument('path'); m.add_argument('--user-max-tokens', type=int, default=256)
    r = sub.add_parser('run'); r.add_argument('path'); r.add_argument('out'); r.add_argument('--batch-size', type=int, default=1024)
    r.add_argument('--limit', type=int, default=None); r.add_argument('--device', default='cuda')
    r.add_argument('--user-new-tokens', type=int, default=48); r.add_argument('--scenario-new-tokens', type=int, default=96)
    a = p.parse_args()
    if a.cmd == 'make-prompts': make_prompts(a.path, a.user_max_tokens)
    else: run(a.path, a.out, a.batch_size, a.limit, a.device, a.user_new_tokens, a.scenario_new_tokens)
