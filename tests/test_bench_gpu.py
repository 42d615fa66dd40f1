"""The GPU benchmark script runs end to end in its smoke mode (tiny shapes, ML-100K, on the CPU): bundle, then every part."""
import json, subprocess, sys
from pathlib import Path
from llm4msr_nb.efficiency import bench_gpu_text

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT/'benchmarks'/'bench_gpu.py')


def test_bench_gpu_smoke(tmp_path):
    subprocess.run([sys.executable, SCRIPT, 'bundle', str(tmp_path/'bundle'), '--smoke'], check=True, cwd=ROOT, timeout=600)
    # a part's own limit (420 s) is sized for a GPU; a slow or busy CPU gets room, the test still ends
    r = subprocess.run([sys.executable, SCRIPT, 'run', str(tmp_path/'bundle'), str(tmp_path/'out'), '--smoke', '--device', 'cpu', '--workers', '2',
                        '--part-timeout', '1500'], cwd=ROOT, timeout=3600, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads((tmp_path/'out'/'bench_gpu.json').read_text())
    assert list(d['parts']) == ['train', 'serve', 'reason', 'encode', 'study']
    assert not {p: x['error'] for p, x in d['parts'].items() if 'error' in x}
    assert all(x['met'] is None for x in d['parts'].values())          # a smoke run judges nothing
    assert d['parts']['reason']['users'] == 16 and d['parts']['study']['seconds']['total'] > 0
    assert bench_gpu_text(d).startswith('On CPU (torch ') and 'smoke run' in bench_gpu_text(d)
    bad = subprocess.run([sys.executable, SCRIPT, 'run', str(tmp_path/'out'), str(tmp_path/'x')], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and 'holds no bundle' in bad.stderr
