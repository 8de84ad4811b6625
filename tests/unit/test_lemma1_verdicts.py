"""The verdicts of `slth verify`'s Lemma 1 rows are computed from the paper's numbers
(PAPER_VALUE, PAPER_W), not written in: every branch of the pure verdict functions."""

import pytest

from slth_theory.theory import lemma1 as L1


def test_paper_constants_are_the_texts_numbers():
    assert L1.PAPER_VALUE == 1 / 16 and L1.PAPER_W == 3 / 4 and L1.PAPER_C == 1 / 2


def test_value_verdict_holds_when_the_paper_value_is_the_integral():
    verdict, detail = L1.value_verdict(0.125, 0.125)
    assert verdict == "holds" and "1/8 is the integral" in detail


def test_value_verdict_typo_when_the_paper_value_is_the_mse():
    verdict, detail = L1.value_verdict(1 / 16, 0.125)
    assert verdict == "typo in text"
    assert detail == "1/16 is the mean squared error; the integral it is written as is 1/8"


@pytest.mark.parametrize("paper", [0.1, 1 / 32, 0.25, 0.0625 * (1 + 1e-6)])
def test_value_verdict_fails_otherwise(paper):
    assert L1.value_verdict(paper, 0.125)[0] == "fails"


def test_value_verdict_on_the_papers_numbers():
    opt = L1.optimum(L1.PAPER_C)
    assert opt["integral"] == 0.125 and opt["mse"] == 1 / 16
    assert L1.value_verdict(L1.PAPER_VALUE, opt["integral"])[0] == "typo in text"


def test_optimum_verdict_branches():
    assert L1.optimum_verdict(0.75, 0.75, 0.750002) == "holds"
    # GD fit too far from the exact minimiser
    assert L1.optimum_verdict(0.75, 0.75, 0.76) == "fails"
    assert L1.optimum_verdict(0.75, 0.75, 0.7508, fit_tol=1e-3) == "holds"
    # the paper's w is not the exact minimiser (even if GD found the paper's w)
    assert L1.optimum_verdict(0.75, 0.7, 0.7) == "fails"
    assert L1.optimum_verdict(0.8, 0.75, 0.75) == "fails"
    assert L1.optimum_verdict(L1.PAPER_W, L1.optimum(L1.PAPER_C)["w_plus"], 0.75) == "holds"


def test_lemma1_rows_use_the_verdict_functions(monkeypatch):
    """With a different paper value the row's verdict changes: it is computed."""
    from slth_theory.verify.checks import lemma1 as check

    monkeypatch.setattr(L1, "confirm", _tiny_confirm)
    rows = {r.id: r for r in check.run("quick", 0).rows}
    assert rows["lemma1.value"].verdict == "typo in text"
    assert rows["lemma1.optimum"].verdict == "holds"
    monkeypatch.setattr(L1, "PAPER_VALUE", 0.125)
    monkeypatch.setattr(L1, "PAPER_W", 0.5)
    rows = {r.id: r for r in check.run("quick", 0).rows}
    assert rows["lemma1.value"].verdict == "holds"
    assert rows["lemma1.optimum"].verdict == "fails"


_CACHE = {}
_CONFIRM = L1.confirm


def _tiny_confirm(c, depths, widths, steps, seed):
    key = (c, steps)
    if key not in _CACHE:
        _CACHE[key] = _CONFIRM(c, depths=(1,), widths=(2,), steps=steps, seed=seed)
    return _CACHE[key]
