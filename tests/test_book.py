"Whole-book checks, strict for every notebook (chapter 11 fails on some notebooks and only reports the others)."
from llm4msr_nb.book.site import math_problems


def test_every_formula_typesets():
    "Every `$...$` / `$$...$$` formula in every notebook's Markdown converts to MathML as written."
    bad = math_problems()
    assert not bad, 'formulas that would not typeset:\n' + '\n'.join(f'  {nb}: {formula}  <- {why}' for nb, formula, why in bad)


def _rendered_cells():
    "(notebook, cell id, source, stored Markdown) of every `echo: false` code cell that ends in `say(...)` or `render(...)`: prose whose numbers come from evidence."
    import ast, json
    from pathlib import Path
    for nb in sorted((Path(__file__).resolve().parent.parent/'nbs').glob('*.ipynb')):
        for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] != 'code' or not src.startswith('#| echo: false'): continue
            body = ast.parse(src).body
            if not (body and isinstance(body[-1], ast.Expr) and isinstance(body[-1].value, ast.Call) and getattr(body[-1].value.func, 'id', '') in ('say', 'render')):
                continue
            stored = [''.join(o['data']['text/markdown']) for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]
            yield nb.name, c.get('id'), src, stored


def test_prose_matches_evidence():
    "Every sentence a chapter renders from evidence (`say`) is stored as the committed evidence renders it today."
    import ast, os
    from llm4msr_nb.book import findings
    cells, stale = list(_rendered_cells()), []
    assert cells, 'no rendered prose found'
    here = os.getcwd()
    for nb, cid, src, stored in cells:
        ns = dict(vars(findings)); tree = ast.parse(src)
        os.chdir(os.path.join(os.path.dirname(__file__), '..', 'nbs'))
        try:
            exec(compile(ast.Module(tree.body[:-1], []), nb, 'exec'), ns)
            now = eval(compile(ast.Expression(tree.body[-1].value), nb, 'eval'), ns).data
        finally: os.chdir(here)
        if stored != [now]: stale.append(f'{nb} cell {cid}: stored {stored[:1]!r:.200} but the evidence says {now!r:.200}')
    assert not stale, 'rendered prose out of date (re-execute these cells):\n' + '\n'.join(stale)


def test_evidence_chapters_type_no_measured_number():
    "The chapters that report studies and benchmarks (04, 06, 07, 07a, 08, 09 and the README's index) state AUC-like numbers only through rendered evidence."
    import json, re
    from pathlib import Path
    nbs = Path(__file__).resolve().parent.parent/'nbs'
    typed = [(nb, c.get('id'), m.group(0)) for nb in ('index.ipynb', '04_backbones.ipynb', '06_train.ipynb', '07_experiments.ipynb', '07a_findings.ipynb', '08_interpret.ipynb', '09_efficiency.ipynb')
             for c in json.loads((nbs/nb).read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'markdown'
             for m in re.finditer(r'[^\s]*\d\.\d{3,}[^\s]*', ''.join(c['source'])) if 'arxiv' not in m.group(0).lower()]   # a citation is a source
    assert not typed, 'numbers typed into prose (render them from evidence with `say`/`render`): ' + ', '.join(map(str, typed))
