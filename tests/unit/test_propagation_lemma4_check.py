"""The Lemma 4 rows of `slth verify`: verdicts, fields and the figure hook."""

import matplotlib

from slth_theory.theory import lemma4_families as FAM
from slth_theory.theory.lemma4 import PAPER_VERSIONS, tolerances
from slth_theory.verify.checks import lemma4

matplotlib.use("Agg")


def test_quick_rows_verdicts_and_plot(tmp_path):
    out = lemma4.run("quick", 0)
    rows = {r.id: r for r in out.rows}
    assert set(rows) == {f"lemma4.{v}" for v in PAPER_VERSIONS} | {
        "lemma4.corrected", "lemma4.corrected_dense", "lemma4.m_l_definition", "lemma4.order"}
    for v in PAPER_VERSIONS:
        assert rows[f"lemma4.{v}"].verdict == "wrong"
        assert "stored search counterexample replayed" in rows[f"lemma4.{v}"].detail
        assert rows[f"lemma4.{v}"].repaired
        assert set(out.counterexamples[f"lemma4.{v}"]) == {"target", "approx"}
    assert rows["lemma4.corrected"].verdict == "holds"
    assert rows["lemma4.corrected"].estimate <= 1 + 1e-9
    again = lemma4.run("quick", 0)
    assert [r.estimate for r in again.rows] == [r.estimate for r in out.rows]
    paths = lemma4.plot(out.data, tmp_path)
    assert paths and paths[0].exists()


def test_closed_form_ratios_match_the_formulas():
    """tiny_neuron: exact formula; ones_chain: the formula is a lower bound, and the
    corrected tolerances give exactly eps (the bound is attained)."""
    eps = 1e-2
    for n0 in (1, 8, 99):
        net = FAM.tiny_neuron(n0)
        for v in ("main", "main-k"):
            r = float(FAM.all_up_error_exact(net, tolerances(net, eps, v))) / eps
            assert abs(r - FAM.ratio_formula("tiny_neuron", v, n0)) < 1e-9
    for n, L in ((2, 2), (16, 3), (3, 8)):
        net = FAM.ones_chain(n, L)
        for v in PAPER_VERSIONS:
            r = float(FAM.all_up_error_exact(net, tolerances(net, eps, v))) / eps
            assert r >= FAM.ratio_formula("ones_chain", v, n, L, eps) * (1 - 1e-12)
            assert abs(FAM.all_up_error(net, tolerances(net, eps, v)) / eps - r) < 1e-6 * r
        r = float(FAM.all_up_error_exact(net, tolerances(net, eps, "corrected"))) / eps
        assert 1 - 1e-9 < r <= 1 + 1e-9
    # unbounded growth: width (depth 3) and depth (width 3)
    w = [FAM.ratio_formula("ones_chain", "appendix", n, 3) for n in (4, 64, 1024)]
    d = [FAM.ratio_formula("ones_chain", "main", 3, L) for L in (4, 12, 24)]
    assert w[0] < w[1] < w[2] and w[2] > 5e3 and d[0] < d[1] < d[2] and d[2] > 1e8
