"""The two synthetic benchmarks of Section 6, generated from a seed with a fixed split.

* ``shifted-relu`` (Section 6.1): ``x ~ U[-1, 1]``, ``y = max(0, x + 0.5) + n`` with
  ``n ~ N(0, 0.01^2)``; regression, one input, one output.
* ``onion`` (Section 6.2, "the ellipse"/"onion slice"): ``x1, x2 ~ U[-1, 1]``,
  ``v = 0.5 (x1 - 0.3)^2 + 1.2 (x2 + 0.5)^2``, class ``0..3`` by the cuts
  ``(0.2, 0.5, 0.7)``; each label is flipped with probability 0.01 to a neighbouring
  class (class 0 -> 1, class 3 -> 2, a middle class to either neighbour with equal
  probability).

Both draw ``N = 10^4`` samples (the paper's ``N``) and split them into a training set
and a test set: the first ``round((1 - test_fraction) N)`` samples of a seeded random
permutation train, the rest test. Default ``test_fraction = 0.2``: 8000 training and
2000 test samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slth_theory.engine.limits import check_memory

TASKS = ("shifted-relu", "onion")
ONION_CUTS = (0.2, 0.5, 0.7)
ONION_FLIP = 0.01
SHIFT = 0.5
NOISE_STD = 0.01
N_SAMPLES = 10_000
TEST_FRACTION = 0.2


@dataclass
class Dataset:
    """A generated task with its train/test split.

    Attributes
    ----------
    task : str
        ``'shifted-relu'`` or ``'onion'``.
    kind : {'regression', 'classification'}
    x_train, x_test : ndarray, shape (n, n0), float64
    y_train, y_test : ndarray
        Regression: shape (n, 1) float64. Classification: shape (n,) int64 labels.
    n_outputs : int
        Network output width (1 for regression, the number of classes otherwise).
    """

    task: str
    kind: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_outputs: int

    @property
    def n_inputs(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def loss(self) -> str:
        """``'mse'`` for regression, ``'ce'`` (softmax cross-entropy) for classification."""
        return "mse" if self.kind == "regression" else "ce"


def shifted_relu(n: int = N_SAMPLES, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of the shifted ReLU task (Section 6.1).

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    rng : seed or Generator

    Returns
    -------
    x : ndarray, shape (n, 1)
    y : ndarray, shape (n, 1)
        ``max(0, x + 0.5) + N(0, 0.01^2)``.
    """
    n = _check_n(n)
    gen = np.random.default_rng(rng)
    x = gen.uniform(-1.0, 1.0, size=(n, 1))
    y = np.maximum(x + SHIFT, 0.0) + gen.normal(0.0, NOISE_STD, size=(n, 1))
    return x, y


def onion_value(x: np.ndarray) -> np.ndarray:
    """``0.5 (x1 - 0.3)^2 + 1.2 (x2 + 0.5)^2`` for rows of ``x`` (Section 6.2)."""
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * (x[:, 0] - 0.3) ** 2 + 1.2 * (x[:, 1] + 0.5) ** 2


def onion(n: int = N_SAMPLES, rng=None, flip: float = ONION_FLIP) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Samples of the onion-slice task (Section 6.2).

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    rng : seed or Generator
    flip : float
        Probability in [0, 1] of moving a label to a neighbouring class.

    Returns
    -------
    x : ndarray, shape (n, 2)
    y : ndarray, shape (n,), int64 in {0, 1, 2, 3}
    """
    n = _check_n(n)
    if not 0.0 <= flip <= 1.0:
        raise ValueError(f"flip must be in [0, 1]; got {flip}")
    gen = np.random.default_rng(rng)
    x = gen.uniform(-1.0, 1.0, size=(n, 2))
    clean = np.searchsorted(np.asarray(ONION_CUTS), onion_value(x), side="right")
    flipped = gen.random(n) < flip
    direction = np.where(gen.random(n) < 0.5, -1, 1)
    n_cls = len(ONION_CUTS) + 1
    direction = np.where(clean == 0, 1, np.where(clean == n_cls - 1, -1, direction))
    y = np.where(flipped, clean + direction, clean).astype(np.int64)
    return x, y


#: generous bytes per sample: inputs, targets and the split copies (float64)
_BYTES_PER_SAMPLE = 8 * 16


def make_dataset(task: str, n: int = N_SAMPLES, test_fraction: float = TEST_FRACTION,
                 rng=None) -> Dataset:
    """Generate a task and split it into train and test sets.

    Parameters
    ----------
    task : {'shifted-relu', 'onion'}
    n : int
        Total number of samples (paper: 10^4).
    test_fraction : float
        Fraction in (0, 1) of the samples held out for testing (default 0.2).
    rng : seed or Generator
        Draws the samples and the split permutation.

    Returns
    -------
    Dataset

    Notes
    -----
    Section 6.1 and 6.2. The paper does not state a split; see the module docstring.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction}")
    n = _check_n(n)
    check_memory(_BYTES_PER_SAMPLE * n, f"a data set of {n} samples")
    n_train = int(round((1.0 - test_fraction) * n))
    if n_train < 1 or n_train >= n:
        raise ValueError(f"n={n} with test_fraction={test_fraction} leaves an empty split")
    gen = np.random.default_rng(rng)
    if task == "shifted-relu":
        x, y = shifted_relu(n, gen)
        kind, n_out = "regression", 1
    else:
        x, y = onion(n, gen)
        kind, n_out = "classification", len(ONION_CUTS) + 1
    perm = gen.permutation(n)
    tr, te = perm[:n_train], perm[n_train:]
    return Dataset(task, kind, x[tr], y[tr], x[te], y[te], n_out)


def _check_n(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be an integer >= 1; got {n!r}")
    return int(n)
