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

Beyond the paper:

* ``digits``: scikit-learn's bundled 8x8 digits (1797 images, 10 classes), pixels scaled
  to ``[0, 1]``, split the same way (optional extra ``sklearn``).
* :func:`load_npz`: your own data, arrays ``x_train, y_train, x_test, y_test`` in one
  ``.npz`` file; classification if ``y`` has an integer dtype, regression otherwise
  (or as the ``loss`` argument says).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from slth_theory.engine.limits import check_memory

SYNTHETIC_TASKS = ("shifted-relu", "onion")
TASKS = (*SYNTHETIC_TASKS, "digits")
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
MAX_NPZ_BYTES = 2**30  # uncompressed size limit of a data file's arrays (1 GiB)
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
        ``'shifted-relu'``, ``'onion'``, ``'digits'`` or ``'file:<name>'``.
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
    ``digits`` uses all 1797 images if ``n >= 1797``, else a random subset of ``n``.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}")
    if task == "digits":
        return _digits(n, test_fraction, rng)
    n = _check_n(n)
    check_memory(_BYTES_PER_SAMPLE * n, f"a data set of {n} samples")
    n_train = _split(n, test_fraction)
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


def _split(n: int, test_fraction: float) -> int:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction}")
    n_train = int(round((1.0 - test_fraction) * n))
    if n_train < 1 or n_train >= n:
        raise ValueError(f"n={n} with test_fraction={test_fraction} leaves an empty split")
    return n_train


def _digits(n: int, test_fraction: float, rng) -> Dataset:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ValueError("the digits task needs scikit-learn: pip install "
                         "'slth-theory[sklearn]'") from None
    n = _check_n(n)
    d = load_digits()
    x = np.asarray(d.data, dtype=np.float64) / 16.0
    y = np.asarray(d.target, dtype=np.int64)
    gen = np.random.default_rng(rng)
    perm = gen.permutation(x.shape[0])[:min(n, x.shape[0])]
    n_train = _split(perm.size, test_fraction)
    tr, te = perm[:n_train], perm[n_train:]
    return Dataset("digits", "classification", x[tr], y[tr], x[te], y[te], 10)


def load_npz(path: str | Path, loss: str | None = None,
             max_bytes: int = MAX_NPZ_BYTES) -> Dataset:
    """Your own data set from a ``.npz`` file with ``x_train, y_train, x_test, y_test``.

    Parameters
    ----------
    path : path
        The file (never unpickled: object arrays are refused).
    loss : {'mse', 'ce'}, optional
        Regression (``mse``) or classification (``ce``). Default: classification if the
        ``y`` arrays have an integer (or boolean) dtype, regression otherwise.
    max_bytes : int
        Largest total uncompressed size of the four arrays, checked before loading.

    Returns
    -------
    Dataset
        ``task = 'file:<stem>'``. Regression targets become shape ``(n, m)``;
        classification labels must be integers ``0..K-1`` (``K >= 2`` outputs, ``K`` =
        largest label + 1).

    Raises
    ------
    ValueError
        One line naming the problem: unreadable file, missing array, size, shapes,
        non-numeric or non-finite values, bad labels.
    """
    path = Path(path)
    if loss is not None and loss not in ("mse", "ce"):
        raise ValueError(f"loss must be 'mse' or 'ce'; got {loss!r}")
    try:
        with zipfile.ZipFile(path) as zf:
            sizes = {i.filename: i.file_size for i in zf.infolist()}
    except FileNotFoundError:
        raise ValueError(f"data file {str(path)!r} does not exist") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"data file {str(path)!r} is not a readable .npz archive "
                         f"({exc})") from None
    missing = [k for k in NPZ_ARRAYS if k + ".npy" not in sizes]
    if missing:
        raise ValueError(f"data file {str(path)!r} lacks array(s) {', '.join(missing)} "
                         f"(needs {', '.join(NPZ_ARRAYS)})")
    total = sum(sizes[k + ".npy"] for k in NPZ_ARRAYS)
    if total > max_bytes:
        raise ValueError(f"data file {str(path)!r} holds {total} bytes of arrays, more than "
                         f"the limit {max_bytes}")
    arrs = {}
    try:
        with np.load(path, allow_pickle=False) as z:
            for k in NPZ_ARRAYS:
                arrs[k] = z[k]
    except ValueError as exc:  # object arrays need pickle: refused
        raise ValueError(f"data file {str(path)!r}: cannot load its arrays without "
                         f"unpickling ({exc})") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"data file {str(path)!r} cannot be read ({exc})") from None
    return dataset_from_arrays(arrs["x_train"], arrs["y_train"], arrs["x_test"],
                               arrs["y_test"], loss=loss, name=f"file:{path.stem}",
                               where=f"data file {str(path)!r}")


def dataset_from_arrays(x_train, y_train, x_test, y_test, loss: str | None = None,
                        name: str = "arrays", where: str = "data") -> Dataset:
    """A :class:`Dataset` from four arrays, validated as :func:`load_npz` describes."""
    arrs = {"x_train": np.asarray(x_train), "y_train": np.asarray(y_train),
            "x_test": np.asarray(x_test), "y_test": np.asarray(y_test)}
    for k, a in arrs.items():
        if a.dtype.kind not in "biuf":
            raise ValueError(f"{where}: {k} must be numeric; got dtype {a.dtype}")
        if a.size == 0:
            raise ValueError(f"{where}: {k} is empty (shape {a.shape})")
    for k in ("x_train", "x_test"):
        if arrs[k].ndim != 2:
            raise ValueError(f"{where}: {k} must be 2-D (samples, features); got shape "
                             f"{arrs[k].shape}")
    if arrs["x_train"].shape[1] != arrs["x_test"].shape[1]:
        raise ValueError(f"{where}: x_train has {arrs['x_train'].shape[1]} features but "
                         f"x_test has {arrs['x_test'].shape[1]}")
    for part in ("train", "test"):
        x, y = arrs["x_" + part], arrs["y_" + part]
        if y.ndim not in (1, 2) or y.shape[0] != x.shape[0]:
            raise ValueError(f"{where}: y_{part} must have shape ({x.shape[0]},) or "
                             f"({x.shape[0]}, m) to match x_{part}; got {y.shape}")
    for k, a in arrs.items():
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            bad = int(np.sum(~np.isfinite(a)))
            raise ValueError(f"{where}: {k} has {bad} NaN or infinite value(s)")
    integer_y = all(arrs[k].dtype.kind in "biu" for k in ("y_train", "y_test"))
    loss = loss or ("ce" if integer_y else "mse")
    xtr = arrs["x_train"].astype(np.float64)
    xte = arrs["x_test"].astype(np.float64)
    if loss == "mse":
        ytr = arrs["y_train"].astype(np.float64).reshape(xtr.shape[0], -1)
        yte = arrs["y_test"].astype(np.float64).reshape(xte.shape[0], -1)
        if ytr.shape[1] != yte.shape[1]:
            raise ValueError(f"{where}: y_train has {ytr.shape[1]} outputs but y_test "
                             f"{yte.shape[1]}")
        return Dataset(name, "regression", xtr, ytr, xte, yte, int(ytr.shape[1]))
    labels = {}
    for k in ("y_train", "y_test"):
        a = arrs[k]
        if a.ndim != 1:
            raise ValueError(f"{where}: {k} must be 1-D class labels for classification; got "
                             f"shape {a.shape}")
        if a.dtype.kind == "f" and not np.all(a == np.round(a)):
            raise ValueError(f"{where}: {k} has non-integer labels (classification needs "
                             f"integers 0..K-1)")
        if np.any(a < 0):
            raise ValueError(f"{where}: {k} has negative labels (need integers 0..K-1)")
        labels[k] = a.astype(np.int64)
    k_cls = int(max(labels["y_train"].max(), labels["y_test"].max())) + 1
    if k_cls < 2:
        raise ValueError(f"{where}: classification needs at least 2 classes; the labels "
                         f"are all 0")
    if k_cls > 100_000:
        raise ValueError(f"{where}: largest label {k_cls - 1} is implausibly large")
    return Dataset(name, "classification", xtr, labels["y_train"], xte, labels["y_test"],
                   k_cls)
