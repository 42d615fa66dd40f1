"""Side by side: this project's SharedBottom, MMoE, PLE and STAR against Scenario-Wise-Rec's models of the same names.

What it compares. Scenario-Wise-Rec (https://github.com/Xiaopengli1/Scenario-Wise-Rec) is a public multi-scenario
benchmark. This script imports its models at run time from a local checkout that YOU point it at (`--their-repo`); none of
its code is vendored here. Both sides get exactly the same inputs:

* the same data: `prepare(load_dataset(DATASET))` of this project (default MovieLens-1M, per-user chronological
  80/10/10 split, 5 genre scenarios, label = rating >= 4, 8 categorical fields user_id, item_id, age, gender,
  occupation, zip3, genre, year with train-fit vocabularies, index 0 = out-of-vocabulary);
* the same batches: batch 4,096 in the order `llm4msr_nb.train.Trainer` uses (a `torch.Generator` seeded with
  `seed * 1_000_003 + epoch` shuffles the train split every epoch), evaluation in fixed batches of 65,536;
* the same loop, written once below: Adam (lr 1e-3, no weight decay), at most `--epochs` epochs, early stopping on
  overall validation AUC with patience 1 (training stops after the first epoch that does not improve it) and the best
  epoch's weights restored, then overall test AUC with `llm4msr_nb.train.scenario_metrics`;
* the same seeds (model initialisation and shuffling), one torch thread, CPU.

So only the model differs. The loss is BCE with logits for ours (our models return logits) and BCE on probabilities for
theirs (their forward ends in a sigmoid, and their own `CTRTrainer` uses `nn.BCELoss`).

Feature mapping. Each of our 8 fields becomes one of their `SparseFeature(name, vocab_size=field_dim, embed_dim=16)`,
fed as `{name: LongTensor[B]}`, plus `domain_indicator` = our scenario index (their models read it from the input dict
and do not embed it). Input width is 8 x 16 = 128 on both sides. Fresh feature objects are built for every model,
because their `SparseFeature` caches its embedding table on the object.

Hyper-parameters: theirs are set to our defaults wherever their constructors allow it:

  model         ours (llm4msr_nb.backbones defaults)              theirs (constructor arguments passed here)
  SharedBottom  bottom (128, 64), tower (32,)                     bottom_params dims [128, 64], tower_params dims [32]
  MMoE          4 experts (64,), tower (32,)                      n_expert 4, expert_params dims [64], tower dims [32]
  PLE           1 level, 2 shared + 2 specific experts of 64,     n_level 1, n_expert_shared 2, n_expert_specific 2,
                tower (32,)                                       expert_params dims [64], tower_params dims [32]
  STAR          star FCN (128, 64) -> 1, aux MLP (32,)            fcn_dims [128, 64], aux_dims [32]

Settings that differ and cannot be aligned through their constructors (the numbers measure the models as published):

* Their `MLP` puts BatchNorm1d after every hidden Linear (experts, towers, gates, bottom, STAR's auxiliary net); ours
  has no batch norm there. Their gates are Linear -> BatchNorm -> softmax; ours Linear -> softmax.
* Their embeddings start from N(0, 1e-4) per field table; ours from N(0, 0.01) in one offset table. Their Linears use
  torch defaults, their STAR kaiming-uniform weights and U(0, 1) biases; ours are initialised as in backbones.py.
* Their STAR normalises the input with statistics of the whole batch (not per scenario) and also in evaluation (no
  running statistics), so its test scores depend on the evaluation batch (65,536 rows here); ours uses per-scenario
  partitioned normalisation with running statistics. Their STAR applies BatchNorm + ReLU after every star layer,
  the output layer included, before adding the auxiliary logit; their auxiliary net sees the embedding only, ours
  also a scenario embedding.
* Their multi-scenario models run every scenario's tower (and PLE's every scenario's experts) on every row and pick
  by mask; ours runs each row through its own scenario's parameters only. Same function, different arithmetic cost:
  that is what the samples/s ratio shows.
* Their published run scripts use weight decay 1e-5, a StepLR schedule (step 2, gamma 0.85), early-stopping patience 4
  and 3 age scenarios with `age` as a dense feature; here both sides use this project's settings listed above.
* Training batches of fewer than 2 rows are skipped on both sides (their BatchNorm cannot train on one row).

Timing: training samples/s = training rows / seconds spent in the training loop (forward, backward, Adam step; no
validation), summed over all epochs and seeds of a side; the table shows ours / theirs (> 1: ours trains faster).
Runs of the two sides are interleaved (per seed: theirs, then ours) so that load from other processes hits both alike.

Run (from the repository root, with this project's environment):

    git clone https://github.com/Xiaopengli1/Scenario-Wise-Rec /path/to/Scenario-Wise-Rec
    python benchmarks/side_by_side.py --their-repo /path/to/Scenario-Wise-Rec
    # our models with options of chapter 04 (batch norm, the embedding's initial scale), theirs as published:
    python benchmarks/side_by_side.py --their-repo /path/to/Scenario-Wise-Rec --models sharedbottom,mmoe,ple \
        --ours '{"sharedbottom": {"norm": true, "emb_std": 0.0001}, "mmoe": {"norm": true, "emb_std": 0.0001}, "ple": {"norm": true, "emb_std": 0.0001}}'
    # smoke run on a small slice:
    python benchmarks/side_by_side.py --their-repo /path/to/Scenario-Wise-Rec --dataset movielens-100k --epochs 1 --seeds 1

The Markdown table and the machine line go to stdout, progress to stderr. The only numbers to quote are those this script
prints on your machine; nothing here records or claims results.
"""
from __future__ import annotations
import argparse, copy, json, os, platform, sys, time, warnings
from pathlib import Path

THEIR_PACKAGE = 'scenario_wise_rec'
THEIR_MODELS = Path(THEIR_PACKAGE)/'models'/'multi_domain'/'__init__.py'
MODELS = {'sharedbottom': 'SharedBottom', 'mmoe': 'MMoE', 'ple': 'PLE', 'star': 'STAR'}


def ours_settings(text: str, names) -> dict:
    "The --ours JSON, checked as a study's backbone settings are (chapter 06b): unknown models, settings or kinds of value fail in one line."
    from llm4msr_nb.core import UserError
    from llm4msr_nb.study import StudyConfig
    try: ours = json.loads(text)
    except json.JSONDecodeError as e: fail(f'--ours is not JSON: {e}')
    if not isinstance(ours, dict): fail('--ours must be a JSON object: {"model": {"setting": value}}')
    if extra := sorted(set(ours) - set(names)): fail(f'--ours names model(s) not compared here: {extra}')
    try: return StudyConfig(backbone=ours).backbone
    except UserError as e: fail(f'--ours: {e}')


def fail(msg: str, code: int = 2):
    "One line to stderr, then exit."
    print(f'side_by_side: {msg}', file=sys.stderr)
    sys.exit(code)


def import_theirs(repo: str):
    "Put the checkout `repo` first on sys.path and import their models and feature class; one clear line and status 2 if absent."
    root = Path(repo).expanduser().resolve()
    if root.name == THEIR_PACKAGE and (root.parent/THEIR_MODELS).is_file(): root = root.parent   # pointed at the package folder
    if not root.is_dir():
        fail(f'--their-repo {repo}: no such folder; clone https://github.com/Xiaopengli1/Scenario-Wise-Rec and pass its path')
    if not (root/THEIR_MODELS).is_file():
        fail(f'--their-repo {repo}: not a Scenario-Wise-Rec checkout (no {THEIR_MODELS}); '
             'clone https://github.com/Xiaopengli1/Scenario-Wise-Rec and pass its path')
    sys.path.insert(0, str(root))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            from scenario_wise_rec.models.multi_domain import SharedBottom, MMOE, PLE, Star
            from scenario_wise_rec.basic.features import SparseFeature
    except Exception as e:
        fail(f'--their-repo {repo}: importing {THEIR_PACKAGE} failed ({type(e).__name__}: {e})')
    return {'sharedbottom': SharedBottom, 'mmoe': MMOE, 'ple': PLE, 'star': Star}, SparseFeature


def their_model(name, classes, SparseFeature, splits, emb_dim=16):
    "Their model `name` on our fields, sized like ours (see the docstring)."
    feats = [SparseFeature(f, vocab_size=d, embed_dim=emb_dim) for f, d in zip(splits.fields, splits.field_dims)]  # fresh: they cache tables
    S, C = splits.n_scenarios, classes[name]
    if name == 'sharedbottom': return C(feats, S, bottom_params={'dims': [128, 64]}, tower_params={'dims': [32]})
    if name == 'mmoe': return C(feats, S, n_expert=4, expert_params={'dims': [64]}, tower_params={'dims': [32]})
    if name == 'ple': return C(feats, S, n_level=1, n_expert_specific=2, n_expert_shared=2, expert_params={'dims': [64]},
                               tower_params={'dims': [32]})
    if name == 'star': return C(feats, S, fcn_dims=[128, 64], aux_dims=[32])
    raise KeyError(name)


class Side:
    "How one side turns a batch into a loss and into click probabilities."
    def __init__(self, model, fields, theirs: bool):
        self.model, self.fields, self.theirs = model, list(fields), theirs

    def _out(self, b):
        if not self.theirs: return self.model(b)                                  # logits
        x = {f: b['x'][:, i] for i, f in enumerate(self.fields)}
        x['domain_indicator'] = b['scenario']
        return self.model(x)                                                      # probabilities

    def loss(self, b):
        import torch.nn.functional as F
        out = self._out(b).float()
        return F.binary_cross_entropy(out, b['label']) if self.theirs else F.binary_cross_entropy_with_logits(out, b['label'])

    def proba(self, b):
        import torch
        out = self._out(b).float()
        return out if self.theirs else torch.sigmoid(out)


def evaluate(side, ts, scenarios, eval_batch):
    "Overall and per-scenario AUC/logloss of a split (eval mode, fixed batches)."
    import numpy as np, torch
    from llm4msr_nb.train import scenario_metrics
    side.model.eval()
    with torch.inference_mode():
        p = torch.cat([side.proba(b) for b in ts.batches(eval_batch)]).numpy() if len(ts) else np.zeros(0, np.float32)
    side.model.train()
    return scenario_metrics(ts.label.numpy(), p, ts.scenario.numpy(), scenarios).set_index('scenario')


def fit_and_test(side, tr, va, te, scenarios, a, seed):
    "The one training loop both sides use; returns (overall test AUC, training rows, training seconds, epochs run, best epoch)."
    import torch
    opt = torch.optim.Adam(side.model.parameters(), lr=a.lr)
    best_auc, best_epoch, best_state, bad, rows, secs, epochs = -float('inf'), None, None, 0, 0, 0.0, 0
    for epoch in range(a.epochs):
        side.model.train()
        g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)             # Trainer's per-epoch shuffle
        t0, loss = time.perf_counter(), None
        for b in tr.batches(a.batch_size, shuffle=True, generator=g):
            if len(b['label']) < 2: continue
            loss = side.loss(b)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            rows += len(b['label'])
        secs += time.perf_counter() - t0; epochs += 1
        if loss is not None and not torch.isfinite(loss): raise FloatingPointError(f'training loss became {loss.item()} in epoch {epoch + 1}')
        auc = float(evaluate(side, va, scenarios, a.eval_batch_size).loc['overall', 'auc'])
        print(f'    epoch {epoch + 1}: valid AUC {auc:.4f}', file=sys.stderr)
        if auc > best_auc:
            best_auc, best_epoch, bad = auc, epoch + 1, 0
            best_state = copy.deepcopy(side.model.state_dict())
        else:
            bad += 1
            if bad >= a.patience: break
    if best_state is not None: side.model.load_state_dict(best_state)
    test_auc = float(evaluate(side, te, scenarios, a.eval_batch_size).loc['overall', 'auc'])
    return test_auc, rows, secs, epochs, best_epoch


def subsample(ts, n, seed=0):
    "A fixed random subset of at most `n` rows of a TensorSplit (original order kept)."
    import torch
    from llm4msr_nb.data import TensorSplit
    if n is None or len(ts) <= n: return ts
    idx = torch.randperm(len(ts), generator=torch.Generator().manual_seed(seed))[:n].sort().values
    return TensorSplit(ts.x[idx], ts.scenario[idx], ts.user[idx], ts.label[idx])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--their-repo', required=True, metavar='PATH', help='local checkout of Scenario-Wise-Rec (the folder holding scenario_wise_rec/)')
    ap.add_argument('--dataset', default='movielens-1m', help="this project's dataset name (default movielens-1m)")
    ap.add_argument('--epochs', type=int, default=5, help='at most this many epochs (default 5)')
    ap.add_argument('--seeds', default='1,2', help='comma-separated seeds (default 1,2)')
    ap.add_argument('--batch-size', type=int, default=4096)
    ap.add_argument('--eval-batch-size', type=int, default=65536)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--patience', type=int, default=1, help='stop after this many epochs without a validation-AUC gain (default 1)')
    ap.add_argument('--limit-rows', type=int, default=None, metavar='N', help='smoke run: a fixed random N rows of each split')
    ap.add_argument('--models', default=','.join(MODELS), help='comma-separated, from ' + ','.join(MODELS))
    ap.add_argument('--ours', default='{}', metavar='JSON', help='constructor settings of our models, per model, e.g. \'{"mmoe": {"norm": true}}\' (default: none)')
    ap.add_argument('--json', default=None, metavar='FILE', help='also write every run (model, side, seed, AUC, epochs, rows, seconds) and the settings to FILE')
    a = ap.parse_args(argv)
    names = [m.strip().lower() for m in a.models.split(',') if m.strip()]
    if bad := [m for m in names if m not in MODELS]: fail(f'unknown model(s) {bad}; choose from {",".join(MODELS)}')
    try: seeds = [int(s) for s in a.seeds.split(',') if s.strip()]
    except ValueError: fail(f'--seeds must be comma-separated integers, got {a.seeds!r}')
    if not seeds or a.epochs < 1 or a.batch_size < 2 or a.patience < 1: fail('need at least one seed, --epochs >= 1, --batch-size >= 2, --patience >= 1')

    ours = ours_settings(a.ours, names)
    classes, SparseFeature = import_theirs(a.their_repo)    # before the slow data load, so a bad path fails at once
    import numpy as np, torch
    torch.set_num_threads(1)
    from llm4msr_nb.core import seed_everything
    from llm4msr_nb.data import load_dataset, prepare
    from llm4msr_nb.backbones import make_backbone

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        splits = prepare(load_dataset(a.dataset))
    tr, va, te = (subsample(splits.tensors(s), a.limit_rows) for s in ('train', 'valid', 'test'))
    print(f'{splits.data.name}: train {len(tr):,} / valid {len(va):,} / test {len(te):,} rows, '
          f'{splits.n_scenarios} scenarios {splits.scenarios}, fields {splits.fields}', file=sys.stderr)

    res, runs = {}, []   # (model, side) -> list of (auc, rows, secs); every run as a record
    for name in names:
        for seed in seeds:
            for side_name in ('theirs', 'ours'):
                seed_everything(seed)
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    model = their_model(name, classes, SparseFeature, splits) if side_name == 'theirs' else make_backbone(name, splits, **ours.get(name, {}))
                side = Side(model, splits.fields, side_name == 'theirs')
                print(f'{MODELS[name]} seed {seed} {side_name}:', file=sys.stderr)
                auc, rows, secs, epochs, best = fit_and_test(side, tr, va, te, splits.scenarios, a, seed)
                print(f'    test AUC {auc:.4f}; {epochs} epoch(s), best {best}; {rows / secs:,.0f} train samples/s', file=sys.stderr)
                res.setdefault((name, side_name), []).append((auc, rows, secs))
                runs.append(dict(model=MODELS[name], side=side_name, seed=seed, auc=auc, epochs=epochs, best_epoch=best, rows=rows, seconds=secs))

    lim = f', limit {a.limit_rows:,} rows per split' if a.limit_rows else ''
    print(f'\n{splits.data.name} (split {splits.info["split"]!r}, {splits.n_scenarios} scenarios{lim}); batch {a.batch_size}, '
          f'Adam lr {a.lr:g}, <= {a.epochs} epoch(s), patience {a.patience}, seeds {",".join(map(str, seeds))}; '
          + (f'our settings {json.dumps(ours)}; ' if ours else '') +
          f'overall test AUC, mean over seeds\n')
    print('| model | AUC theirs | AUC ours | ours − theirs | train samples/s ours/theirs |')
    print('|---|---:|---:|---:|---:|')
    for name in names:
        t, o = res[(name, 'theirs')], res[(name, 'ours')]
        at, ao = float(np.mean([r[0] for r in t])), float(np.mean([r[0] for r in o]))
        sps = lambda rs: sum(r[1] for r in rs) / sum(r[2] for r in rs)
        print(f'| {MODELS[name]} | {at:.4f} | {ao:.4f} | {ao - at:+.4f} | {sps(o) / sps(t):.2f}x |')
    print(f'\nMachine: {platform.platform()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}, '
          f'torch {torch.__version__}, {torch.get_num_threads()} torch thread')
    if a.json:
        from llm4msr_nb.study import machine
        out = dict(dataset=splits.data.name, split=splits.info['split'], scenarios=list(splits.scenarios), limit_rows=a.limit_rows,
                   batch_size=a.batch_size, lr=a.lr, epochs=a.epochs, ours=ours, patience=a.patience, seeds=seeds, machine=machine(),
                   load_average=round(os.getloadavg()[0], 1), date=time.strftime('%Y-%m-%d'), runs=runs)
        Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
