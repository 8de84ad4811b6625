"""slth_theory.numerics.stats: z-scores, standard errors, formatting, the assertion helper."""

import math

import numpy as np
import pytest

from slth_theory.numerics import stats


def test_zscore_cases():
    assert stats.zscore(1.2, 0.1, 1.0) == pytest.approx(2.0)
    assert stats.zscore(1.0, 0.0, 1.0) == 0.0
    assert stats.zscore(1.1, 0.0, 1.0) == math.inf
    with pytest.raises(ValueError):
        stats.zscore(1.0, -1.0, 1.0)


def test_mean_stderr_and_from_sums_agree():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(1000, 3))
    m, se = stats.mean_stderr(x)
    m2, se2 = stats.mean_stderr_from_sums(x.sum(0), (x * x).sum(0), 1000)
    np.testing.assert_allclose(m, m2, rtol=1e-12)
    np.testing.assert_allclose(se, se2, rtol=1e-9)
    with pytest.raises(ValueError):
        stats.mean_stderr(x[:1])


def test_compare_and_assert():
    c = stats.compare(10.3, 0.1, 10.0, n_se=4)
    assert c.z == pytest.approx(3.0) and c.ok and c.rel_error == pytest.approx(0.03)
    assert "z=+3.00" in c.describe()
    with pytest.raises(AssertionError, match="exceeds the tolerance of 2 SE"):
        stats.assert_close_se(10.3, 0.1, 10.0, n_se=2, label="x")
    assert stats.assert_close_se(10.1, 0.1, 10.0).ok


def test_format_estimate():
    assert stats.format_estimate(1.23456, 0.0123) == "1.235 +/- 0.012"
    assert stats.format_estimate(38.1734, 0.4) == "38.17 +/- 0.40"
    assert stats.format_estimate(2.5) == "2.5"
