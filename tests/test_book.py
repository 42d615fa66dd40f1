"Whole-book checks, strict for every notebook (chapter 11 fails on some notebooks and only reports the others)."
from llm4msr_nb.book import math_problems


def test_every_formula_typesets():
    "Every `$...$` / `$$...$$` formula in every notebook's Markdown converts to MathML as written."
    bad = math_problems()
    assert not bad, 'formulas that would not typeset:\n' + '\n'.join(f'  {nb}: {formula}  <- {why}' for nb, formula, why in bad)
