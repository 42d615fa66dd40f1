"""A study trained by two worker processes equals the same study trained in one process, digit for digit; a study asking for
other CPU kernels than the running process has runs in a fresh process started on them."""
import warnings
import pandas as pd
import torch
from types import SimpleNamespace
from llm4msr_nb.study import StudyConfig, study_splits
from llm4msr_nb.train import TrainConfig
from llm4msr_nb.experiments import run_study


def test_two_workers_match_one(tmp_path):
    cfg = StudyConfig(dataset='movielens-100k', backbones=('sharedbottom',), variants=('base', 'llm4msr'), seeds=(1, 2),
                      train=TrainConfig(lrs=(1e-3, 3e-3), epochs=1, batch_size=4096))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore'); splits = study_splits(cfg.effective())
    g = torch.Generator().manual_seed(0)
    stand_in = SimpleNamespace(scenario=torch.randn(splits.n_scenarios, 64, generator=g), user=torch.randn(splits.n_users, 64, generator=g))
    quiet = lambda *a: None
    one = run_study(cfg, out=tmp_path/'one', knowledge=stand_in, log=quiet, workers=1)
    two = run_study(cfg, out=tmp_path/'two', knowledge=stand_in, log=quiet, workers=2)
    assert (tmp_path/'one'/'results.csv').read_bytes() == (tmp_path/'two'/'results.csv').read_bytes()
    pd.testing.assert_frame_equal(one.predictions(), two.predictions(), check_exact=True)   # scored on one thread either way
    assert two.info()['workers'] == 2
    timeless = lambda d: {k: v for k, v in d.items() if k not in ('seconds', 'samples_per_s', 'history')}
    for c in one.cells():   # the same records and training histories, apart from how long each step took
        a, b = one.record(c), two.record(c)
        assert timeless(a) == timeless(b) and [timeless(h) for h in a['history']] == [timeless(h) for h in b['history']]


def test_kernels_run_in_their_own_process(tmp_path):
    from llm4msr_nb.core import cpu_kernels
    here = cpu_kernels()['kernels']; other = 'native' if here == 'portable' else 'portable'
    if other == 'portable' and not torch.backends.mkl.is_available(): return   # the portable kernels exist on x86-64 builds with MKL
    cfg = StudyConfig(dataset='movielens-100k', backbones=('sharedbottom',), variants=('base',), seeds=(1,), kernels=other,
                      train=TrainConfig(epochs=1))
    study = run_study(cfg, out=tmp_path/'k', log=lambda *a: None)
    assert study.finished and study.info()['kernels']['kernels'] == other and cpu_kernels()['kernels'] == here
    again = run_study(cfg, out=tmp_path/'k', log=lambda *a: None)       # finished: opened as it is
    assert again.results().equals(study.results())
