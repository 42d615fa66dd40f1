"""Data-parallel training on CPU: 2 processes (torchrun + Accelerator(cpu=True), gloo) vs 1 process.

`accelerate launch --cpu --num_processes 2` starts only ONE process on a machine without MPI, so the verified CPU form
`torchrun --nproc_per_node 2 script.py` is used (run as `python -m torch.distributed.run` with this interpreter).
Both runs train STAR on MovieLens-100K for 2 epochs with the same seed and global batch; with 2 processes each one takes
rows rank::2 of every batch and DDP averages the gradients. They are not bit-identical (other summation order; STAR's
partitioned-norm statistics are per process), so the test AUCs must agree within TOL = 0.01 (observed: ~0.001-0.003).
"""
import json, os, socket, subprocess, sys, textwrap
from pathlib import Path
import pytest

TOL = 0.01
SCRIPT = textwrap.dedent('''
    import json, sys, warnings
    import torch
    torch.set_num_threads(1)
    from llm4msr_nb.core import seed_everything
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.backbones import make_backbone
    from llm4msr_nb.train import Trainer, TrainConfig
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        splits = prepare(load_dataset('movielens-100k'))
    seed_everything(0)
    t = Trainer(make_backbone('star', splits), splits, TrainConfig(epochs=2, batch_size=1024, cpu=True), lr=2e-3, seed=0, quiet=True)
    h = t.fit()
    acc = t.accelerator
    ev = t.evaluate('test').set_index('scenario')
    out = {'world': acc.num_processes, 'rank': acc.process_index, 'auc': ev['auc'].to_dict(),
           'first_weight': float(t.model.embedding.table.weight[1, 0])}
    with open(f"{sys.argv[1]}.{acc.process_index}.json", 'w') as f: json.dump(out, f)
''')

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _run(cmd, tmp, env):
    r = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{' '.join(cmd)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"

def test_two_processes_match_one(tmp_path):
    script = tmp_path/'train_mp.py'; script.write_text(SCRIPT)
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
    _run([sys.executable, str(script), str(tmp_path/'one')], tmp_path, env)
    _run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1',
          '--master_port', str(_free_port()), str(script), str(tmp_path/'two')], tmp_path, env)
    one = json.loads((tmp_path/'one.0.json').read_text())
    two = [json.loads((tmp_path/f'two.{r}.json').read_text()) for r in (0, 1)]
    assert one['world'] == 1 and [t['world'] for t in two] == [2, 2] and [t['rank'] for t in two] == [0, 1]
    assert two[0]['first_weight'] == two[1]['first_weight']          # replicas hold the same weights
    assert two[0]['auc'] == two[1]['auc']                            # and therefore report the same metrics
    diff = abs(one['auc']['overall'] - two[0]['auc']['overall'])
    print(f"overall test AUC: 1 process {one['auc']['overall']:.4f}, 2 processes {two[0]['auc']['overall']:.4f}, |diff| {diff:.4f}")
    assert one['auc']['overall'] > 0.7
    assert diff < TOL, f'1-process and 2-process AUC differ by {diff:.4f} (> {TOL})'
    for s, a in one['auc'].items(): assert abs(a - two[0]['auc'][s]) < 2 * TOL, (s, a, two[0]['auc'][s])
