"Run every chapter's tests through nbdev (one pytest test per notebook, honouring `tst_flags`)."
import os
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb

NBS = sorted(p for p in (Path(__file__).parent.parent/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
FLAGS = get_config().tst_flags.split()
# LLM4MSR_TEST_FLAGS="slow" runs the cells flagged slow too (real SmolLM2, full-data runs)
FORCE = os.environ.get('LLM4MSR_TEST_FLAGS', '').split()

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    ok, secs = run_nb(nb, skip_flags=FLAGS, force_flags=FORCE, basepath=nb.parent.parent)
    assert ok, f'{nb.name} failed (see the traceback above)'
