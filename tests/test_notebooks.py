"""Run every chapter's tests through nbdev (one pytest test per notebook, honouring `tst_flags`), and check that no chapter
opens a file outside the repository, the temporary folder, the package caches and the Python installation (such a chapter
would read what only its author's machine has)."""
import os, sys, site, tempfile
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
FLAGS = get_config().tst_flags.split()
# LLM4MSR_TEST_FLAGS="slow" runs the cells flagged slow too (real SmolLM2, full-data runs)
FORCE = os.environ.get('LLM4MSR_TEST_FLAGS', '').split()

def _allowed() -> tuple[str, ...]:
    "Folders a chapter may open files in: the repository, temp, caches, the Python installation, the system's own."
    home = Path.home()
    dirs = [ROOT, tempfile.gettempdir(), sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(), site.getusersitepackages(),
            home/'.cache', home/'.config', home/'.local', home/'.ipython', home/'.jupyter', home/'.matplotlib',
            *(os.environ[v] for v in ('LLM4MSR_CACHE', 'LLM4MSR_ASSETS', 'HF_HOME', 'MPLCONFIGDIR') if os.environ.get(v)),
            '/usr', '/lib', '/lib64', '/etc', '/proc', '/sys', '/dev', '/opt', '/run']
    return tuple(os.path.realpath(d) + os.sep for d in dirs)

ALLOWED, OPENED = _allowed(), []

def _audit(event, args):
    if event == 'open' and OPENED is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0])) + os.sep
        if not path.startswith(ALLOWED): OPENED.append(path[:-1])

sys.addaudithook(_audit)

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    OPENED.clear()
    ok, secs = run_nb(nb, skip_flags=FLAGS, force_flags=FORCE, basepath=nb.parent.parent)
    assert ok, f'{nb.name} failed (see the traceback above)'
    outside = sorted(set(OPENED))
    assert not outside, f'{nb.name} opened files outside the repository: ' + ', '.join(outside[:5])
