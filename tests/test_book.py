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


# --- every number in prose has a source -------------------------------------------------------------------------------
import re as _re

_MEASURE = (r'%|percent\b|×|x\b|times\b|-?fold\b|(?:[kKMGT]i?)?B\b|bytes?\b|bits?\b|[mµnu]?s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|h\b|hours?\b|'
            r'days?\b|weeks?\b|months?\b|(?:GPU|CPU|core)[- ](?:hours?|days?|seconds?|minutes?)\b|[kKMG]\b|thousand\b|million\b|billion\b|'
            r'[\w-]+/s\b|[A-Za-z]+ per (?:second|minute|hour)\b|params?\b|parameters?\b|pp\b|percentage points?\b|cores?\b|GPUs?\b')
_APPROX = r'(?:~|≈|±|\babout|\baround|\broughly|\bnearly|\balmost|\bapproximately|\bunder|\bover|\bbelow|\babove|\bwithin|\bup to|\bat most|\bat least|\bless than|\bmore than|\bfewer than)\s*$'
_SPELLED = r'\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|hundreds? of|thousands? of|millions? of|dozens? of)'
_CITED = _re.compile(r'arxiv|https?://|doi\.org|\bdoi:|\bet al\.|\([A-Z][A-Za-z-]+(?: (?:and|&) [A-Z][A-Za-z-]+)?,? (?:19|20)\d\d[a-z]?\)|'
                     r"\bthe paper (?:reports|gives|states|lists|measured|needed|used)|\bthe paper's (?:table|figure|section|appendix)", _re.I)
_NUMBER = _re.compile(r'(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<tail>[A-Za-z]*)')
_REFERENCE = _re.compile(r'\b(?:chapters?|ch\.|sections?|§|figures?|fig\.|tables?|steps?|parts?|appendix|notebooks?)\s*$', _re.I)
_SMALL = 12   # the counting words: "3 scenarios", "5 epochs", "step 2", "(1) ... (4)" -- English's own number words end at twelve


def _prose(md):
    "Markdown `md` as the reader's sentences, without what is not prose: code blocks and spans, `$` math, HTML tags, link targets, Quarto attributes."
    for pat, by in ((r'```.*?```', ' '), (r'\$\$.*?\$\$', ' $…$ '), (r'(?<![\\$])\$[^$\n]+?\$', '$…$'), (r'`[^`]+?`', '`…`'), (r'<[^>\n]+>', ' '),
                    (r'\{[#.][^}\n]*\}', ' ')): md = _re.sub(pat, by, md, flags=_re.S)
    md = _re.sub(r'\]\([^)\s]*\)', ']', md)
    lines = []   # a paragraph is one line; a heading, list item or table row starts its own
    for line in md.splitlines():
        if not line.strip(): lines.append('')
        elif _re.match(r'\s*(?:#|[-*+] |\||\(?\d+[.)] |:::|>)', line) or not lines: lines.append(line)
        else: lines[-1] += ' ' + line.strip()
    for line in lines:
        line = _re.sub(r'^\s*(?:#+\s*|>\s*)?(?:[-*+]\s+)?(?:\(?\d+[.)])*\s', ' ', line)     # heading / list numbering
        yield from _re.split(r'(?<=[.!?;])\s+(?=[A-Z(\[*_"])', line)


def _facts(sent, chapters):
    "(number, unit, start, end) of each number in sentence `sent` that a reader would take as a fact (see `test_no_number_typed_without_a_source`)."
    for m in _NUMBER.finditer(sent):
        num, tail, before, after = m.group('num'), m.group('tail'), sent[:m.start()], sent[m.end():]
        word = (_re.search(r'\S*$', before).group(0) + m.group(0) + _re.match(r'\S*', after).group(0)).strip('.,;:()[]*"\'')
        if _re.search(r'[/_\\]|\.[A-Za-z]{1,6}$', word): continue                                      # a file name or path
        if _re.search(r'[A-Za-z]\S*-$|[A-Za-z]$', before): continue                                    # part of a name: ML-1M, AVX-512, x86-64, SmolLM2
        if num + tail in chapters and (num.startswith('0') or tail or before.endswith('[') or
                                       _REFERENCE.search(_re.sub(r'(?:\d\d[a-z]?(?:,| and| or|–)?\s*)+$', '', before))): continue   # chapter 06b, chapters 04 and 10, [13 Test fixtures]
        if _REFERENCE.search(before) and not tail: continue                                           # section 3.2, figure 2
        if _re.fullmatch(r'\d{4}', num) and 1990 <= int(num) <= 2030 and not tail and not _re.match(r'[\s-]?(?:' + _MEASURE + ')', after): continue   # a year
        if _re.match(r'\.\d', after) or _re.search(r'\b(?:v|version|Python|CUDA|PyTorch|CC BY(?:-[A-Z]+)*)\s?$', before, _re.I): continue   # a version
        unit = tail or next((u.group(1) for u in [_re.match(r'[\s-]?(' + _MEASURE + ')', after)] if u), '')     # 2 MB, 3x, 128-bit, 2-core
        if _re.fullmatch(r'\d+', num) and int(num) <= _SMALL and not unit and not _re.search(_APPROX, before, _re.I): continue
        yield num, unit, m.start(), m.end()
    for m in _re.finditer(_SPELLED + r'[\s-]+(?:' + _MEASURE + ')', sent, _re.I): yield m.group(0), None, m.start(), m.end()


def _shown(seen, num, unit):
    "Whether the notebook's code or outputs `seen` show `num` (with its `unit`, or as a fraction for a percentage)."
    if unit is None: return False   # a spelled-out amount ("two days") is never code
    forms = {num, num.replace(',', ''), num.replace(',', '_')}   # 24,752 / 24752 / 24_752
    if unit in ('%', 'percent'): forms |= {repr(round(float(num.replace(',', '')) / 100, 6))}; unit = ''
    return any(_re.search(r'(?<![\w.])' + _re.escape(f) + (r'[\s_-]?' + _re.escape(unit) if unit else '') + r'(?![\w]|\.\d)', seen) for f in forms)


def _unsourced_numbers():
    "(notebook, cell id, number, context) of every number typed into a notebook's Markdown without a source."
    import json
    from pathlib import Path
    nbs = sorted((Path(__file__).resolve().parent.parent/'nbs').glob('*.ipynb'))
    chapters = {p.name.split('_')[0] for p in nbs}
    for nb in nbs:
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        seen = '\n'.join([''.join(c['source']) for c in cells if c['cell_type'] == 'code'] +
                         [''.join(o.get('text', '')) + ''.join(''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/'))
                          for c in cells if c['cell_type'] == 'code' for o in c.get('outputs', [])])
        for c in cells:
            if c['cell_type'] != 'markdown': continue
            for sent in _prose(''.join(c['source'])):
                if _CITED.search(sent): continue
                for num, unit, a, b in _facts(sent, chapters):
                    if not _shown(seen, num, unit): yield nb.name, c.get('id'), num + (unit or ''), '...' + sent[max(0, a - 50):b + 30].strip() + '...'


def test_no_number_typed_without_a_source():
    """Every number in every notebook's Markdown that a reader would take as a fact -- a timing, a speed, an AUC, a size, a count
    of rows or users, a percentage, a ratio, a parameter count, spelled out with a unit ("two days") too -- has a source the reader
    can see: it is rendered from committed evidence (a `say`/`render` cell's output, not Markdown), or the same notebook's code or
    stored outputs show it (a setting such as `chunk_size=16`, a count the cell above printed; with its unit where it has one, so a
    "2 MB" needs a "2 MB" there, and a percentage may show as its fraction), or its sentence cites it (an arXiv id, a URL, a DOI,
    "(Caruana, 1997)", "et al.", "the paper reports"). An amount spelled out with a unit ("two days") is never shown by code:
    give its digits where code shows them, or cite it.
    Exempt, as not facts about measurements: numbers inside `$...$` math, `code spans` and code blocks (what one types, not what
    one measured); references to chapters, sections, figures and tables ("chapter 03", "06b", "section 3.2", "[13 Test
    fixtures]"); years (1990-2030, with no unit after them); version strings ("3.11.2", "Python 3.11", "v2"); file names and
    paths; numbers that are part of a name ("MovieLens-1M", "AVX-512", "x86-64", "SmolLM2"); heading and list numbering; and bare
    integers up to 12 -- the counting words ("3 scenarios", "step 2", "(1) ... (4)"), small enough to check by counting what the
    page shows -- unless they carry a unit, a multiplier or an approximation ("2 MB", "3x", "2-core", "about 4")."""
    bad = list(_unsourced_numbers())
    assert not bad, ('numbers typed into prose without a source (render them with `say`/`render`, show them in code, cite them, '
                     'or say it without the number):\n' + '\n'.join(f'  {nb} cell {cid}: {num!r} in {ctx!r}' for nb, cid, num, ctx in bad))


def test_number_rule_catches_typed_facts():
    "The rule above flags the typed facts it exists for, and leaves the exempt kinds alone."
    flagged = lambda s: [n + (u or '') for n, u, *_ in _facts(s, {'03', '06b'})]
    for typed in ('It needs ~300 MB.', 'The folder holds 2 MB.', 'It has 45 times the parameters.', 'for 24,752 users',
                  'about 0.99 raw cosine', 'in under 2 days', 'it took two days'):
        assert flagged(typed), typed
    for exempt in ('See chapter 03 and 06b.', 'MovieLens-1M on AVX-512', 'the 3 scenarios', 'in 2024', 'Python 3.11'):
        assert not flagged(exempt), (exempt, flagged(exempt))
    assert not _shown('size = 2 * 2**20', '2', 'MB') and _shown('print("2 MB")', '2', 'MB') and _shown('rate = 0.05', '5', '%')
