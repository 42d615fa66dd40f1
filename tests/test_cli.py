"""The `llm4msr` command as a user runs it, in a subprocess: a study of your own CSV end to end, and mistakes that fail fast."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import pandas as pd

EXE = str(Path(sys.executable).parent/'llm4msr')

def llm4msr(*args, cwd=None, env=None):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)

def clicks(n_users=80, n_items=60, rows=4000, seed=0) -> pd.DataFrame:
    "A small interaction table in a shop's own column names: users who like some items more than others, three numbered tabs."
    rng = np.random.default_rng(seed)
    u, i = rng.integers(0, n_users, rows), rng.integers(0, n_items, rows)
    taste = rng.normal(size=(n_users, 4)) @ rng.normal(size=(4, n_items))
    return pd.DataFrame({'uid': [f'u{x:03d}' for x in u], 'iid': [f'item-{x}' for x in i], 'tab': rng.choice([2, 10, 1], rows),
                         'clicked': (taste[u, i] + rng.normal(size=rows) > 0).astype(int), 'ts': rng.integers(0, 10**6, rows)})

def test_own_csv_end_to_end(tmp_path):
    clicks().to_csv(tmp_path/'clicks.csv', index=False)
    pd.DataFrame({'iid': [f'item-{i}' for i in range(60)], 'title': [f'Gadget {i}' for i in range(60)]}).to_csv(tmp_path/'items.csv', index=False)
    pd.DataFrame({'uid': [f'u{u:03d}' for u in range(80)], 'plan': ['free', 'paid'] * 40}).to_parquet(tmp_path/'users.parquet')
    r = llm4msr('run', '--data', tmp_path/'clicks.csv', '--columns.user', 'uid', '--columns.item', 'iid', '--columns.scenario', 'tab',
                '--items', tmp_path/'items.csv', '--users', tmp_path/'users.parquet', '--scenario-desc', '{"1": "the home feed"}',
                '--columns.label', 'clicked', '--columns.time', 'ts', '--backbones', 'sharedbottom,star', '--variants', 'base,llm4msr',
                '--seeds', '1', '--train.epochs', '2', '--train.lrs', '0.01', '--train.batch-size', '512',
                '--knowledge.user-max-tokens', '32', '--knowledge.scenario-max-new-tokens', '8', '--out', tmp_path/'study')
    assert r.returncode == 0, r.stderr[-3000:]
    out = tmp_path/'study'
    res = pd.read_csv(out/'results.csv', dtype={'scenario': str})
    assert list(dict.fromkeys(res.scenario)) == ['1', '2', '10', 'overall']          # numeric scenario names in numeric order
    assert set(res.dataset) == {'clicks'} and len(res) == 2 * 2 * 4
    assert res.query("scenario == 'overall' and variant == 'base'").auc.min() > 0.55  # it learnt the users' tastes
    assert (out/'results.md').exists() and (out/'figures'/'auc_by_scenario.png').exists()
    from llm4msr_nb.study import Study
    from llm4msr_nb.prompts import user_prompts, scenario_prompts
    from llm4msr_nb.llm import FrozenLLM
    splits = Study(out).splits()                                                  # the tables reached the prompts
    assert 'Gadget' in ' '.join(user_prompts(splits, FrozenLLM.tiny().tokenizer, 64)) and 'the home feed' in scenario_prompts(splits)[0]
    assert 'plan' in splits.data.users.columns
    cols = ['--columns.user', 'uid', '--columns.item', 'iid', '--columns.scenario', 'tab', '--columns.label', 'clicked', '--columns.time', 'ts']
    again = llm4msr('run', '--data', tmp_path/'clicks.csv', *cols, '--out', out)       # same folder, another configuration: refused
    assert again.returncode == 1 and 'another configuration' in again.stderr and 'Traceback' not in again.stderr

def test_config_mistakes_fail_before_any_work(tmp_path):
    "Each mistake is one line, status 2, and nothing is loaded: no output folder, not even a cache folder (timings: see the CLI chapter)."
    env = {**os.environ, 'LLM4MSR_CACHE': str(tmp_path/'cache')}
    for args, msg in [(['--train', '{"epochz": 3}'], 'train.epochz: unknown field'),
                      (['--meta', '{"rnak": 8}'], 'meta.rnak: unknown field'),
                      (['--knowledge', '{"layr": 15}'], 'knowledge.layr: unknown field'),
                      (['--knowledge.pooling', 'max'], "knowledge.pooling"),
                      (['--train.lrs', '-1'], 'train.lrs = (-1.0,)'),
                      (['--train.lrs', 'inf'], 'train.lrs = (inf,): must be one or more positive, finite learning rates'),
                      (['--dataset', 'amazon', '--data-path', str(Path(__file__).parent.parent/'data/fixtures/amazon2018'), '--scenarios', 'Books,NoSuchCategory'],
                       'its categories are Beauty, Clothing_Shoes_and_Jewelry'),
                      (['--scenarios', 'decade'], "movielens-1m's scenarios are defined by 'genre' or 'age'"),
                      (['--items', 'titles.csv'], 'items: they describe your own data')]:
        r = llm4msr('run', *args, '--out', tmp_path/'never', env=env)
        assert r.returncode == 2, (args, r.stderr)
        assert msg in r.stderr and 'Traceback' not in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        assert not (tmp_path/'never').exists() and not (tmp_path/'cache').exists()

def test_force_never_deletes_a_users_folder(tmp_path):
    (tmp_path/'notes.txt').write_text('mine')
    r = llm4msr('run', '--quick', '--out', tmp_path, '--force')
    assert r.returncode == 1 and 'not a study of llm4msr_nb' in r.stderr
    assert (tmp_path/'notes.txt').read_text() == 'mine'

def test_nothing_ignored_nothing_trusted_after_it_changed(tmp_path):
    "Settings no cell reads are named; files are stored absolute; checks come before --force clears; changed inputs are refused."
    clicks().to_csv(tmp_path/'clicks.csv', index=False)
    own = ['--columns.user', 'uid', '--columns.item', 'iid', '--columns.scenario', 'tab', '--columns.label', 'clicked', '--columns.time', 'ts',
           '--backbones', 'sharedbottom', '--variants', 'base', '--seeds', '1', '--train.epochs', '1', '--train.lrs', '0.01', '--workers', '1']
    r = llm4msr('run', '--data', 'clicks.csv', *own, '--meta.dropout', '0.2', '--out', 'study', cwd=tmp_path)   # a relative file
    assert r.returncode == 0, r.stderr[-3000:]
    warned = [l for l in r.stderr.splitlines() if l.startswith('llm4msr: warning: meta.dropout')]
    assert warned == ['llm4msr: warning: meta.dropout: no variant of this study (base) uses meta layers, so this changes nothing'], r.stderr
    out = tmp_path/'study'
    assert json.loads((out/'config.json').read_text())['study']['data'] == str(tmp_path/'clicks.csv')
    assert llm4msr('report', out, cwd='/').returncode == 0                                            # opened from anywhere
    results = (out/'results.csv').read_bytes()
    for args, msg in [(['--drop-fields', 'age'], "drop_fields: ['age'] are not fields"),
                      (['--variants', 'llm4msr', '--knowledge.source', 'file', '--knowledge.file', 'gone.safetensors'], "knowledge.file = 'gone.safetensors': no such file")]:
        r = llm4msr('run', '--data', 'clicks.csv', *own, *args, '--out', 'study', '--force', cwd=tmp_path)
        assert r.returncode == 1 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        assert (out/'results.csv').read_bytes() == results                                             # checked before anything was cleared
    (tmp_path/'link').symlink_to(tmp_path/'nowhere')
    r = llm4msr('run', '--data', 'clicks.csv', *own, '--out', 'link', cwd=tmp_path)
    assert r.returncode == 1 and 'link is a link to' in r.stderr and 'which does not exist' in r.stderr, r.stderr
    flipped = pd.read_csv(tmp_path/'clicks.csv'); flipped['clicked'] = 1 - flipped['clicked']; flipped.to_csv(tmp_path/'clicks.csv', index=False)
    for args in (['run', '--data', 'clicks.csv', *own, '--meta.dropout', '0.2', '--out', 'study'], ['report', 'study']):
        r = llm4msr(*args, cwd=tmp_path)
        assert r.returncode == 1 and 'the data differ from the data this study started with' in r.stderr, (args, r.stderr)
    assert (out/'results.csv').read_bytes() == results


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try: fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError: continue
        if int(fields[1]) == pid: kids.append(int(stat.parent.name))
    return kids

def _running(pid: int) -> bool:
    "A live process (a zombie, ended and waiting to be reaped by whoever adopted it, is not)."
    try: return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError: return False

def test_killed_run_takes_its_workers_with_it(tmp_path):
    import signal, time
    p = subprocess.Popen([EXE, 'run', '--dataset', 'movielens-100k', '--backbones', 'sharedbottom,mmoe', '--variants', 'base', '--seeds', '1',
                          '--train.epochs', '40', '--train.patience', '40', '--workers', '2', '--out', str(tmp_path/'s')],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            workers = [k for k in _children(p.pid) if b'spawn_main' in Path(f'/proc/{k}/cmdline').read_bytes()]
            if len(workers) >= 2 or p.poll() is not None: break
            time.sleep(0.5)
        assert len(workers) >= 2, 'the run never started its workers'
    finally: p.send_signal(signal.SIGKILL); p.wait()
    for _ in range(40):
        if not (alive := [k for k in workers if _running(k)]): break
        time.sleep(0.5)
    for k in alive: os.kill(k, signal.SIGKILL)
    assert not alive, f'workers {alive} outlived their parent'
