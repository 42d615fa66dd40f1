"""The `llm4msr` command as a user runs it, in a subprocess: a study of your own CSV end to end, and mistakes that fail fast."""
import os, subprocess, sys
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
    again = llm4msr('run', '--data', tmp_path/'clicks.csv', '--out', out)       # same folder, another configuration: refused
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
