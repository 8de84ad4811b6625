"""Statistical comparisons for Monte Carlo checks: estimates, standard errors, z-scores.

Every statistical claim in this project is reported the same way: an estimate, its
standard error, the value it is compared with, and the z-score
``(estimate - expected) / stderr``. A check passes when ``|z| <= n_se``; the tolerance
is stated in standard errors, never as a bare relative error.

Use :func:`mean_stderr` (or :func:`mean_stderr_from_sums` for chunked sums) to get an
estimate, :func:`compare` to get a :class:`Comparison`, and :func:`assert_close_se` in
tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

DEFAULT_N_SE = 5.0


@dataclass(frozen=True)
class Comparison:
    """A Monte Carlo estimate compared with an expected value.

    Attributes
    ----------
    estimate, stderr, expected : float
    z : float
        ``(estimate - expected) / stderr``; ``0`` when both the difference and the
        standard error are 0, ``+-inf`` when only the standard error is 0.
    n_se : float
        Tolerance in standard errors.
    label : str
    """

    estimate: float
    stderr: float
    expected: float
    z: float
    n_se: float = DEFAULT_N_SE
    label: str = ""

    @property
    def ok(self) -> bool:
        """True when ``|z| <= n_se``."""
        return bool(abs(self.z) <= self.n_se)

    @property
    def rel_error(self) -> float:
        """``(estimate - expected) / expected`` (nan if expected is 0)."""
        return (self.estimate - self.expected) / self.expected if self.expected else np.nan

    @property
    def rel_stderr(self) -> float:
        """``stderr / |expected|`` (nan if expected is 0)."""
        return self.stderr / abs(self.expected) if self.expected else np.nan

    def describe(self, digits: int = 4) -> str:
        """``'1.234 +/- 0.005 vs 1.230 (z=+0.80)'``."""
        return (f"{format_estimate(self.estimate, self.stderr, digits)} vs "
                f"{self.expected:.{digits}g} (z={self.z:+.2f})")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def zscore(estimate: float, stderr: float, expected: float) -> float:
    """``(estimate - expected) / stderr`` with the zero-stderr cases made explicit."""
    diff = float(estimate) - float(expected)
    stderr = float(stderr)
    if stderr < 0 or not np.isfinite(stderr):
        raise ValueError(f"stderr must be finite and >= 0; got {stderr}")
    if stderr == 0:
        return 0.0 if diff == 0 else float(np.copysign(np.inf, diff))
    return diff / stderr


def mean_stderr(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and its standard error ``std(ddof=1) / sqrt(n)`` along ``axis``.

    Raises
    ------
    ValueError
        With fewer than 2 samples along ``axis``.
    """
    samples = np.asarray(samples, dtype=np.float64)
    n = samples.shape[axis]
    if n < 2:
        raise ValueError(f"need at least 2 samples for a standard error; got {n}")
    return samples.mean(axis=axis), samples.std(axis=axis, ddof=1) / np.sqrt(n)


def mean_stderr_from_sums(total: np.ndarray, total_sq: np.ndarray, n: int
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error from ``sum x`` and ``sum x^2`` over ``n`` samples.

    The variance ``(sum x^2 - (sum x)^2 / n) / (n - 1)`` is clipped at 0 against
    rounding. Adequate when the coefficient of variation is not tiny (Monte Carlo
    second moments: it is O(1)).
    """
    if n < 2:
        raise ValueError(f"need at least 2 samples for a standard error; got {n}")
    total = np.asarray(total, dtype=np.float64)
    total_sq = np.asarray(total_sq, dtype=np.float64)
    mean = total / n
    var = np.maximum(total_sq - total * mean, 0.0) / (n - 1)
    return mean, np.sqrt(var / n)


def compare(estimate: float, stderr: float, expected: float, n_se: float = DEFAULT_N_SE,
            label: str = "") -> Comparison:
    """Build a :class:`Comparison` (tolerance ``n_se`` standard errors)."""
    if not n_se > 0:
        raise ValueError(f"n_se must be > 0; got {n_se}")
    return Comparison(float(estimate), float(stderr), float(expected),
                      zscore(estimate, stderr, expected), float(n_se), label)


def assert_close_se(estimate: float, stderr: float, expected: float,
                    n_se: float = DEFAULT_N_SE, label: str = "") -> Comparison:
    """Assert ``|estimate - expected| <= n_se * stderr``; the message reports all numbers.

    Returns the :class:`Comparison` so tests can make further assertions (e.g. that the
    standard error is small enough for the check to have power).
    """
    c = compare(estimate, stderr, expected, n_se, label)
    if not c.ok:
        raise AssertionError(
            f"{label or 'estimate'}: {c.describe(6)} exceeds the tolerance of {n_se:g} SE"
        )
    return c


def format_estimate(estimate: float, stderr: float | None = None, digits: int = 4) -> str:
    """``'1.2345 +/- 0.0012'``: the estimate to the precision its standard error allows.

    Without a standard error, ``digits`` significant digits.
    """
    if stderr is None or not np.isfinite(stderr) or stderr <= 0:
        return f"{estimate:.{digits}g}"
    # two significant digits of the standard error fix the decimals
    decimals = max(0, 1 - int(np.floor(np.log10(stderr))))
    if abs(estimate) >= 1e6 or (abs(estimate) < 1e-3 and estimate != 0):
        return f"{estimate:.{digits}e} +/- {stderr:.1e}"
    return f"{estimate:.{decimals}f} +/- {stderr:.{decimals}f}"
