"""Sharded knowledge extraction: two CPU processes (torchrun, gloo) each compute a share of the chunks of one store;
the merged vectors must equal a single-process run with the same tiny model.

`torchrun --nproc_per_node 2` is the verified CPU multi-process launcher here; `accelerate launch --cpu --num_processes 2`
expects MPI and starts one process on this machine. `llm4msr_nb.llm` only reads WORLD_SIZE and uses accelerate's PartialState."""
import os, socket, sys, subprocess, textwrap, warnings
from pathlib import Path
import torch

PROMPTS = [f'User {i} liked {"comedies " * (i % 5)}and {"thrillers " * (i % 3)}in {i % 4 + 1} scenarios.' for i in range(40)]

SCRIPT = textwrap.dedent("""
    import os, sys, warnings, json
    warnings.simplefilter('ignore')
    import llm4msr_nb.store as K
    from llm4msr_nb.llm import FrozenLLM
    prompts = json.loads(open(sys.argv[1]).read())
    v, _, info = K.knowledge_vectors(FrozenLLM.tiny(), prompts, chunk_size=8, root=K.Path(sys.argv[2]), name='shard')
    out = K.Path(sys.argv[3])/f"rank-{os.environ['RANK']}.txt"       # a file per rank: the two processes' prints can interleave
    out.write_text(f"{info['world_size']} {info['computed_chunks']} {info['n_chunks']}")
""")

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_sharded_equals_single(tmp_path):
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    from llm4msr_nb.llm import FrozenLLM
    from llm4msr_nb.store import knowledge_vectors
    import json
    (tmp_path/'prompts.json').write_text(json.dumps(PROMPTS)); (tmp_path/'run.py').write_text(SCRIPT)
    torchrun = Path(sys.executable).parent/'torchrun'
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
    r = subprocess.run([str(torchrun), '--nproc_per_node', '2', '--master_port', str(_free_port()), str(tmp_path/'run.py'),
                        str(tmp_path/'prompts.json'), str(tmp_path/'sharded'), str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    results = [p.read_text().split() for p in sorted(tmp_path.glob('rank-*.txt'))]
    assert len(results) == 2, r.stdout[-3000:]
    assert all(w == '2' for w, _, _ in results)                                   # two processes, world size 2
    assert sum(int(c) for _, c, _ in results) == int(results[0][2]) == 5          # each chunk computed exactly once
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        llm = FrozenLLM.tiny()
        merged, _, info_m = knowledge_vectors(llm, PROMPTS, chunk_size=8, root=tmp_path/'sharded', name='shard')
        single, _, _ = knowledge_vectors(llm, PROMPTS, chunk_size=8, root=tmp_path/'single', name='shard')
    assert info_m['computed_chunks'] == 0                                         # the merged store is complete
    assert torch.allclose(merged, single, atol=1e-5), (merged - single).abs().max()
