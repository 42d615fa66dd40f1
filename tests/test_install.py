"""A plain install (`pip install .`, no dev extra) in a clean virtual environment: every module imports and the command runs."""
import subprocess, sys, venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def run(*args, **kw):
    r = subprocess.run([*map(str, args)], capture_output=True, text=True, **kw)
    assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
    return r

def test_plain_install(tmp_path):
    venv.create(tmp_path/'env', with_pip=True)
    py = tmp_path/'env'/'bin'/'python'
    run(py, '-m', 'pip', 'install', '-q', 'torch==2.13.0')          # the set-up path's pin (a CPU build on this machine's disk)
    run(py, '-m', 'pip', 'install', '-q', ROOT)
    lib = ROOT/'llm4msr_nb'
    modules = sorted('.'.join(p.relative_to(lib).with_suffix('').parts) for p in lib.rglob('*.py') if not p.stem.startswith('_'))
    code = 'import importlib; [importlib.import_module(f"llm4msr_nb.{m}") for m in %r]' % modules
    run(py, '-c', code, cwd=tmp_path)                                 # not from the checkout: the installed package
    assert 'run' in run(tmp_path/'env'/'bin'/'llm4msr', '--help', cwd=tmp_path).stdout
    dev = subprocess.run([py, '-c', 'import fastcore'], capture_output=True, text=True)
    assert dev.returncode != 0                                        # the dev tools really are absent
    r = subprocess.run([py, '-c', 'from llm4msr_nb.book.site import build_docs; build_docs(root=%r)' % str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "building the book needs nbformat: pip install 'llm4msr_nb[dev]'" in r.stderr
