"""A result that misses what was asked warns (``warnings.warn``), besides reporting it."""

import warnings

import numpy as np
import pytest

from slth_theory import construct, random_target
from slth_theory.cli.main import main
from slth_theory.model.network import Network
from slth_theory.numerics.supnorm import sup_diff_upper


def test_construct_warns_when_parameters_miss_their_tolerance():
    target = random_target([2, 3, 1], 0)
    with pytest.warns(UserWarning, match="miss their tolerance") as rec:
        con = construct(target, param_eps=1e-6, pool=2)
    assert con.failures
    assert f"{len(con.failures)} subset sums miss" in str(rec[0].message)
    assert "target of 13 parameters" in str(rec[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a construction that meets its tolerances is silent
        assert not construct(target, eps=0.05).failures


def test_sup_diff_upper_warns_when_the_budget_runs_out():
    rng = np.random.default_rng(0)
    f = Network([rng.standard_normal((40, 2)), rng.standard_normal((1, 40))],
                [rng.standard_normal(40), np.zeros(1)], "identity")
    g = Network([np.zeros((1, 2))], [np.zeros(1)], "identity")
    with pytest.warns(UserWarning, match="budget of 5000 evaluations ran out"):
        res = sup_diff_upper(f, g, rtol=1e-9, max_evals=5000)
    assert not res.converged and res.upper >= res.lower


def test_command_line_prints_a_warning_as_one_line(tmp_path, capsys):
    assert main(["random-target", "--arch", "2,3,1", "--seed", "0",
                 "--out", str(tmp_path / "t.npz")]) == 0
    code = main(["construct", "--target", str(tmp_path / "t.npz"), "--param-eps", "1e-6",
                 "--pool", "2", "--quiet", "--out", str(tmp_path / "k.npz")])
    _, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if "warning" in ln]
    # two notes (pools below Theorem 5's, parameters missed), one line each
    assert code == 1 and len(lines) == 2
    assert all(ln.startswith("slth construct: warning: ") for ln in lines)
    assert any("missed their tolerance" in ln for ln in lines)
