"""The Lemma 4 rows of `slth verify`: verdicts, fields and the figure hook."""

import matplotlib

from slth_theory.verify.checks import lemma4

matplotlib.use("Agg")


def test_quick_rows_verdicts_and_plot(tmp_path):
    out = lemma4.run("quick", 0)
    rows = {r.id: r for r in out.rows}
    assert set(rows) == {f"lemma4.{v}" for v in ("main", "main-k", "appendix", "appendix-k",
                                                  "corrected")}
    for v in ("main", "main-k", "appendix", "appendix-k"):
        assert rows[f"lemma4.{v}"].verdict == "fails"
        assert "replayed counterexample" in rows[f"lemma4.{v}"].detail
    assert rows["lemma4.corrected"].verdict == "holds"
    assert rows["lemma4.corrected"].estimate <= 1 + 1e-9
    again = lemma4.run("quick", 0)
    assert [r.estimate for r in again.rows] == [r.estimate for r in out.rows]
    paths = lemma4.plot(out.data, tmp_path)
    assert paths and paths[0].exists()
