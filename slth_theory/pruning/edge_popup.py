"""Edge-popup with bias scores, sparsity annealing and output rescaling (Sections 5, 6).

Edge-popup (Ramanujan et al. 2020) keeps a network's weights and biases frozen at their
initial values and learns one real score per parameter. The forward pass uses, per
layer, only the parameters whose ``|score|`` is among the top fraction ``rho`` (the
*density*, fraction kept); the scores receive the straight-through gradient
``dL/ds = dL/dw_eff * w`` (the mask's derivative is taken as 1).

Every choice the paper leaves open, or that the authors' published code
(RelationalML/NonZeroBiases, folder ``Edge Pop Up/``) makes differently, is one field of
:class:`Settings`; :data:`PRESETS` bundles them as ``paper`` (the paper's text read
literally) and ``official`` (the authors' code). ``docs/guide/edge-popup.md`` puts
paper, authors' code and toolkit side by side with file and line references.

* **Bias scores.** A network with non-zero biases gets one score per bias
  (``score_zero_biases=True`` also scores zero biases, as the authors' layers do).
  ``separate`` ranking keeps the top ``rho`` fraction of weights and, independently, of
  biases in every layer; ``joint`` ranks weights and biases of a layer together and
  keeps the top ``rho`` fraction of the union (the authors' ``SupermaskLinear``).
* **Kept count.** A layer with ``n`` candidates keeps ``n - floor((1 - rho) n)``
  parameters, exactly as edge-popup's ``GetSubnet`` (so at least one).
* **Score initialisation.** Weight scores ``U[-1/sqrt(n_in), 1/sqrt(n_in)]``
  (``kaiming_uniform_(a=sqrt(5))``); bias scores the same range (``narrow``) or
  ``U[-sqrt(6/n_in), sqrt(6/n_in)]`` (``wide``, the authors' code).
* **Optimiser.** SGD with momentum 0.9, weight decay 5e-4 on the scores (PyTorch
  semantics: ``g += wd s; buf = mu buf + g; s -= lr buf``), batches of 32 from a fresh
  permutation every epoch; learning rate per epoch from :func:`scheduled_lr` (cosine,
  optional linear warm-up, optionally restarted at every annealing level).
* **Annealing schedules** (``anneal_mode``): ``extra`` trains ``e_a + e`` epochs, the
  density ``rho^(min(i, e_a)/e_a)`` in epoch ``i``; ``within`` trains ``e`` epochs with the
  same formula; ``nested`` trains ``e`` epochs at each of ``e_a`` levels
  ``rho^(a/e_a)``, ``a = 1..e_a`` (the authors' loops), ``e_a e`` epochs in total.
* **Rescaling (edge-popup-scaled, Section 5).** After every epoch, ``lambda > 0`` is fit
  for the current ticket and folded into the working parameters with
  :func:`slth_theory.theory.lemma2.distribute_output_scale` (Lemma 2); the accumulated
  ``Lambda`` is the ticket's ``output_scale``, and the ticket keeps the unmodified
  initial parameters. ``lambda_fit='exact'`` solves ``min_lambda L(y, lambda x^(L))`` on
  the whole training set exactly (closed form for MSE; for cross-entropy the root of the
  monotone derivative by bisection to the last bit, no tolerance);
  ``'sgd-last-batch'`` takes 20 plain SGD steps (step 0.1) from ``lambda = 1`` on the
  epoch's last mini-batch (the authors' ``rescaling``). By Lemma 2 the score gradient of
  the rescaled network is ``Lambda`` times the gradient of the unscaled one, so without
  ``lr_over_lambda`` the step size acts on the loss of the rescaled ticket; with it (the
  authors' ``args.lr = args.lr/scale``) the learning rate is divided by ``Lambda``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket
from slth_theory.pruning.datasets import Dataset
from slth_theory.theory.lemma2 import distribute_output_scale

METHODS = ("edge-popup", "edge-popup-scaled")
BIAS_RANKINGS = ("separate", "joint")
ANNEAL_MODES = ("extra", "within", "nested")
LOSSES = ("mse", "ce")
SCORE_INITS = ("kaiming-uniform",)
BIAS_SCORE_INITS = ("narrow", "wide")
LAMBDA_FITS = ("exact", "sgd-last-batch")
LOG_LAMBDA_BOUND = 20.0  # per-epoch search interval for log(lambda) under cross-entropy
SGD_LAMBDA_STEPS = 20  # the authors' rescaling(): 20 steps of SGD(lr=0.1) from scale 1
SGD_LAMBDA_LR = 0.1

#: The two presets. ``paper``: the paper's text (Section 6) read literally; ``official``:
#: the choices of the authors' code (``Edge Pop Up/tabular_main.py``, ``fc.py``,
#: ``resnet_new.py``, ``initializers.py``, ``ticket_training.py``). Besides these
#: :class:`Settings` fields a preset sets two things of the network: ``bias_factor``
#: (bias scale multiplier, ``bfac``) and ``depth_convention`` (``weight-layers``: depth =
#: number of weight layers; ``authors``: depth = number of layer widths including input
#: and output, so depth 5 has 4 weight layers, ``fc.py``'s ``make_architecture``).
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "anneal_mode": "extra", "bias_ranking": "separate", "bias_score_init": "narrow",
        "score_zero_biases": False, "warmup": 0, "lr_restarts": False,
        "lr_over_lambda": False, "lambda_fit": "exact", "lr_epoch_base": 0,
        "bias_factor": 1.0, "depth_convention": "weight-layers",
    },
    "official": {
        "anneal_mode": "nested", "bias_ranking": "joint", "bias_score_init": "wide",
        "score_zero_biases": True, "warmup": 5, "lr_restarts": True,
        "lr_over_lambda": True, "lambda_fit": "sgd-last-batch", "lr_epoch_base": 1,
        "bias_factor": 0.05, "depth_convention": "authors",
    },
}
DEPTH_CONVENTIONS = ("weight-layers", "authors")


@dataclass
class Settings:
    """Edge-popup hyper-parameters (plain values; defaults are the ``paper`` preset).

    Attributes
    ----------
    density : float
        Target fraction kept ``rho`` in (0, 1].
    method : {'edge-popup', 'edge-popup-scaled'}
    epochs : int
        ``e`` (>= 1): epochs after annealing (``extra``), in total (``within``) or per
        annealing level (``nested``).
    anneal_epochs : int
        ``e_a`` (>= 0; 0 = no annealing): annealing epochs, or levels for ``nested``.
    anneal_mode : {'extra', 'within', 'nested'}
        The schedule (CLI ``--schedule``), see the module docstring.
    bias_ranking : {'separate', 'joint'}
    lr, momentum, weight_decay : float
    batch_size : int
    score_init : {'kaiming-uniform'}
        Weight scores.
    bias_score_init : {'narrow', 'wide'}
        Bias scores ``U[+-1/sqrt(n_in)]`` or ``U[+-sqrt(6/n_in)]`` (authors).
    score_zero_biases : bool
        Give zero biases scores too (they then take part in the ranking and count
        towards the kept budget, as in the authors' layers).
    warmup : int
        Linear warm-up epochs ``lr0 (i + 1) / warmup`` before the cosine (authors: 5).
    lr_restarts : bool
        Restart the cosine (and warm-up) at every annealing level (``nested`` only).
    lr_over_lambda : bool
        Divide the learning rate by the accumulated output scale ``Lambda``.
    lambda_fit : {'exact', 'sgd-last-batch'}
    lr_epoch_base : {0, 1}
        Index of an epoch's first position in the learning-rate formula: 0 (the cosine
        starts at ``lr0``) or 1 (the authors' loops count epochs from 1).
    layer_densities : tuple of float, optional
        One target density per layer instead of ``density`` for all (each annealed the
        same way); ``density`` then only labels the run. Used to seek a planted ticket
        with its own per-layer counts (:mod:`slth_theory.pruning.planting`).
    """

    density: float
    method: str = "edge-popup"
    epochs: int = 10
    anneal_epochs: int = 0
    anneal_mode: str = "extra"
    bias_ranking: str = "separate"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    batch_size: int = 32
    score_init: str = "kaiming-uniform"
    bias_score_init: str = "narrow"
    score_zero_biases: bool = False
    warmup: int = 0
    lr_restarts: bool = False
    lr_over_lambda: bool = False
    lambda_fit: str = "exact"
    lr_epoch_base: int = 0
    layer_densities: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        d = float(self.density)
        if not (0.0 < d <= 1.0):
            raise ValueError(f"density must be in (0, 1] (fraction kept); got {self.density}")
        self.density = d
        _choice("method", self.method, METHODS)
        _choice("anneal_mode", self.anneal_mode, ANNEAL_MODES)
        _choice("bias_ranking", self.bias_ranking, BIAS_RANKINGS)
        _choice("score_init", self.score_init, SCORE_INITS)
        _choice("bias_score_init", self.bias_score_init, BIAS_SCORE_INITS)
        _choice("lambda_fit", self.lambda_fit, LAMBDA_FITS)
        for name, lo in (("epochs", 1), ("anneal_epochs", 0), ("batch_size", 1),
                         ("warmup", 0), ("lr_epoch_base", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}; got {v!r}")
            setattr(self, name, int(v))
        if self.layer_densities is not None:
            self.layer_densities = tuple(_check_density(v, "layer_densities entry")
                                         for v in self.layer_densities)
            if not self.layer_densities:
                raise ValueError("layer_densities must hold one density per layer")
        if self.lr_epoch_base > 1:
            raise ValueError(f"lr_epoch_base must be 0 or 1; got {self.lr_epoch_base}")
        for name in ("lr", "momentum", "weight_decay"):
            v = float(getattr(self, name))
            if not math.isfinite(v) or v < 0 or (name == "lr" and v == 0):
                raise ValueError(f"{name} must be finite and {'> 0' if name == 'lr' else '>= 0'}"
                                 f"; got {v}")
        self.score_zero_biases = bool(self.score_zero_biases)
        self.lr_restarts = bool(self.lr_restarts)
        self.lr_over_lambda = bool(self.lr_over_lambda)
        if self.lr_restarts and self.anneal_mode != "nested":
            raise ValueError("lr_restarts needs anneal_mode='nested' (a cosine per annealing "
                             f"level); got anneal_mode={self.anneal_mode!r} (turn the restarts "
                             "off)")
        cycle = self.cycle_epochs
        if self.warmup >= cycle:
            raise ValueError(f"warmup must be smaller than the {cycle} epochs of one cosine "
                             f"cycle; got {self.warmup} (lower the warm-up)")

    @classmethod
    def from_preset(cls, preset: str, density: float, **overrides: Any) -> Settings:
        """Settings of ``preset`` (:data:`PRESETS`), then ``overrides`` (None = keep)."""
        _choice("preset", preset, tuple(PRESETS))
        own = {f.name for f in fields(cls)}
        unknown = set(overrides) - own
        if unknown:
            raise ValueError(f"unknown Settings fields {sorted(unknown)}")
        vals = {k: v for k, v in PRESETS[preset].items() if k in own}
        vals.update({k: v for k, v in overrides.items() if v is not None})
        return cls(density, **vals)

    @property
    def schedule(self) -> str:
        """Alias of ``anneal_mode`` (the CLI's ``--schedule``)."""
        return self.anneal_mode

    @property
    def n_levels(self) -> int:
        """Annealing levels of the ``nested`` schedule (``max(e_a, 1)``)."""
        return max(self.anneal_epochs, 1)

    @property
    def total_epochs(self) -> int:
        """Epochs trained: ``e_a + e`` (extra), ``e`` (within), ``max(e_a, 1) e`` (nested)."""
        if self.anneal_mode == "extra":
            return self.epochs + self.anneal_epochs
        if self.anneal_mode == "nested":
            return self.n_levels * self.epochs
        return self.epochs

    @property
    def cycle_epochs(self) -> int:
        """Length of one cosine cycle: ``e`` with ``lr_restarts``, else all epochs."""
        return self.epochs if self.lr_restarts else self.total_epochs

    def epoch_densities(self) -> list[float]:
        """Density used in each epoch (0-based list), see :func:`anneal_density`."""
        if self.anneal_mode == "nested":
            return [anneal_density(self.density, e // self.epochs + 1, self.anneal_epochs)
                    for e in range(self.total_epochs)]
        return [anneal_density(self.density, i, self.anneal_epochs)
                for i in range(1, self.total_epochs + 1)]

    def target_layer_densities(self, n_layers: int) -> list[float]:
        """Per-layer target densities (``layer_densities`` or ``density`` everywhere)."""
        if self.layer_densities is None:
            return [self.density] * n_layers
        if len(self.layer_densities) != n_layers:
            raise ValueError(f"layer_densities has {len(self.layer_densities)} entries for a "
                             f"network of {n_layers} layers")
        return list(self.layer_densities)

    def epoch_layer_densities(self, n_layers: int) -> list[list[float]]:
        """Per epoch, the density of every layer (each target annealed as
        :meth:`epoch_densities` anneals ``density``)."""
        targets = self.target_layer_densities(n_layers)
        out = []
        for e in range(self.total_epochs):
            i = e // self.epochs + 1 if self.anneal_mode == "nested" else e + 1
            out.append([anneal_density(d, i, self.anneal_epochs) for d in targets])
        return out

    def epoch_lrs(self) -> list[float]:
        """Scheduled learning rate of each epoch (before any ``lr_over_lambda`` factor)."""
        cycle = self.cycle_epochs
        return [scheduled_lr(self.lr, e % cycle + self.lr_epoch_base, cycle, self.warmup)
                for e in range(self.total_epochs)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")


def preset_values(preset: str) -> dict[str, Any]:
    """A copy of preset ``preset``'s values (:data:`PRESETS`); ValueError if unknown."""
    _choice("preset", preset, tuple(PRESETS))
    return dict(PRESETS[preset])


def weight_layers(depth: int, convention: str = "weight-layers") -> int:
    """Number of weight layers of a network of ``depth`` under ``convention``.

    ``weight-layers``: ``depth``; ``authors``: ``depth - 1`` (``fc.py`` builds
    ``arch = ones(depth) * width`` with the first and last entry replaced by the input and
    output widths, so ``depth`` counts layer widths).
    """
    _choice("depth_convention", convention, DEPTH_CONVENTIONS)
    n = int(depth) - (1 if convention == "authors" else 0)
    if n < 1:
        raise ValueError(f"depth {depth} leaves no weight layer under convention "
                         f"{convention!r}")
    return n


# --------------------------------------------------------------------- schedules
def anneal_density(density: float, epoch: int, anneal_epochs: int) -> float:
    """Kept fraction in 1-based ``epoch`` (or level): ``rho^(min(epoch, e_a)/e_a)``.

    ``anneal_epochs = 0`` means no annealing (always ``rho``). Section 6.
    """
    if epoch < 1:
        raise ValueError(f"epoch is 1-based; got {epoch}")
    if anneal_epochs <= 0:
        return float(density)
    return float(density ** (min(epoch, anneal_epochs) / anneal_epochs))


def scheduled_lr(lr0: float, epoch: int, cycle: int, warmup: int = 0) -> float:
    """The authors' ``cosine_lr``: warm-up ``lr0 (epoch + 1) / warmup`` for
    ``epoch < warmup``, then ``0.5 lr0 (1 + cos(pi (epoch - warmup) / (cycle - warmup)))``.

    ``epoch`` is counted as the schedule counts it (0-based, or from 1 as the authors'
    loops pass it; then the last epoch of a cycle has learning rate 0).

    Raises
    ------
    ValueError
        If ``lr0`` is not finite and > 0, ``warmup`` not in ``[0, cycle)``, or ``epoch``
        not an integer in ``[0, cycle]``.
    """
    lr = float(lr0)
    if not (math.isfinite(lr) and lr > 0.0):
        raise ValueError(f"lr0 must be finite and > 0; got {lr0!r}")
    if not _is_int(cycle) or cycle < 1 or not _is_int(warmup) or not 0 <= warmup < cycle:
        raise ValueError(f"need integers cycle >= 1 and 0 <= warmup < cycle; got cycle="
                         f"{cycle!r}, warmup={warmup!r}")
    if not _is_int(epoch) or not 0 <= epoch <= cycle:
        raise ValueError(f"epoch must be an integer in [0, {cycle}]; got {epoch!r}")
    if epoch < warmup:
        return lr * (epoch + 1) / warmup
    return 0.5 * lr * (1.0 + math.cos(math.pi * (epoch - warmup) / (cycle - warmup)))


def _is_int(v: object) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _check_density(density: float, name: str = "density") -> float:
    try:
        d = float(density)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in (0, 1] (fraction kept); "
                         f"got {density!r}") from None
    if not (0.0 < d <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must be in (0, 1] (fraction kept); got {density!r}")
    return d


# ------------------------------------------------------------------------ masks
def n_keep(n: int, density: float) -> int:
    """Number kept out of ``n`` at ``density``: ``n - floor((1 - density) n)`` (>= 1).

    Notes
    -----
    Edge-popup's ``GetSubnet``: ``j = int((1 - k) * n)`` smallest scores are dropped.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 0 or ``density`` is not in (0, 1].
    """
    if not _is_int(n) or n < 0:
        raise ValueError(f"n must be an integer >= 0; got {n!r}")
    d = _check_density(density)
    return int(n - math.floor((1.0 - d) * n))


def topk_mask(abs_scores: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` largest entries of ``abs_scores`` (exactly ``k``).

    Raises
    ------
    ValueError
        If ``k`` is not an integer in ``[0, abs_scores.size]``.
    """
    flat = np.asarray(abs_scores).ravel()
    n = flat.size
    if not _is_int(k) or not 0 <= k <= n:
        raise ValueError(f"k must be an integer in [0, {n}] (the number of scores); got {k!r}")
    out = np.zeros(n, dtype=bool)
    if k >= n:
        out[:] = True
    elif k > 0:
        out[np.argpartition(flat, n - k)[n - k:]] = True
    return out.reshape(np.shape(abs_scores))


def layer_masks(w_scores: list[np.ndarray], b_scores: list[np.ndarray] | None,
                density: float | Sequence[float], ranking: str = "separate"
                ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-layer top-``|score|`` masks.

    Parameters
    ----------
    w_scores : list of ndarray
        Weight scores, one array per layer.
    b_scores : list of ndarray or None
        Bias scores (None: zero-bias network, bias masks all False).
    density : float or sequence of float
        Fraction kept in (0, 1], one for every layer or one per layer.
    ranking : {'separate', 'joint'}

    Returns
    -------
    weight_masks, bias_masks : lists of bool ndarray

    Raises
    ------
    ValueError
        If ``density`` is not in (0, 1] or ``ranking`` is unknown.
    """
    _choice("ranking", ranking, BIAS_RANKINGS)
    if np.ndim(density) == 0:
        dens = [_check_density(density)] * len(w_scores)
    else:
        dens = [_check_density(d) for d in density]
        if len(dens) != len(w_scores):
            raise ValueError(f"density needs one value per layer ({len(w_scores)}); got "
                             f"{len(dens)}")
    wm, bm = [], []
    for i, sw in enumerate(w_scores):
        density = dens[i]
        if b_scores is None:
            wm.append(topk_mask(np.abs(sw), n_keep(sw.size, density)))
            bm.append(np.zeros(sw.shape[0], dtype=bool))
        elif ranking == "separate":
            sb = b_scores[i]
            wm.append(topk_mask(np.abs(sw), n_keep(sw.size, density)))
            bm.append(topk_mask(np.abs(sb), n_keep(sb.size, density)))
        else:
            sb = b_scores[i]
            both = np.concatenate([np.abs(sw).ravel(), np.abs(sb)])
            m = topk_mask(both, n_keep(both.size, density))
            wm.append(m[: sw.size].reshape(sw.shape))
            bm.append(m[sw.size:])
    return wm, bm


def init_scores(net: Network, rng=None, bias_scores: bool = True,
                bias_score_init: str = "narrow"
                ) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Initial scores: weights ``U[-1/sqrt(n_in), 1/sqrt(n_in)]`` per layer, biases the
    same range (``narrow``) or ``U[-sqrt(6/n_in), sqrt(6/n_in)]`` (``wide``).

    Weight scores of all layers are drawn first, then bias scores (if any).

    Parameters
    ----------
    net : Network
    rng : int, SeedSequence or Generator, optional
    bias_scores : bool
        Draw bias scores (else None).
    bias_score_init : {'narrow', 'wide'}

    Notes
    -----
    ``kaiming_uniform_(a=sqrt(5))`` gives the weight range; the authors' bias scores
    (``resnet_new.py``, ``SupermaskLinear.__init__``) use ``bound = sqrt(6 / fan_in)``.
    """
    _choice("bias_score_init", bias_score_init, BIAS_SCORE_INITS)
    gen = np.random.default_rng(rng)
    sw = []
    for w in net.weights:
        bound = 1.0 / math.sqrt(w.shape[1])
        sw.append(gen.uniform(-bound, bound, size=w.shape))
    if not bias_scores:
        return sw, None
    if bias_score_init == "narrow":
        sb = [gen.uniform(-1.0 / math.sqrt(w.shape[1]), 1.0 / math.sqrt(w.shape[1]),
                          size=w.shape[0]) for w in net.weights]
    else:
        sb = [gen.uniform(-math.sqrt(6.0 / w.shape[1]), math.sqrt(6.0 / w.shape[1]),
                          size=w.shape[0]) for w in net.weights]
    return sw, sb


def has_nonzero_biases(net: Network) -> bool:
    return any(np.any(b != 0) for b in net.biases)


def has_bias_scores(net: Network, settings: Settings) -> bool:
    """Whether a run of ``settings`` on ``net`` learns bias scores."""
    return settings.score_zero_biases or has_nonzero_biases(net)


# ------------------------------------------------------------- losses and grads
def loss_value(out: np.ndarray, y: np.ndarray, loss: str) -> float:
    """Mean loss: MSE over all output entries, or softmax cross-entropy per sample."""
    if loss == "mse":
        return float(np.mean((out - y) ** 2))
    if loss == "ce":
        z = out - out.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        return float(np.mean(lse - z[np.arange(z.shape[0]), y]))
    raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")


def loss_grad(out: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
    """Mean loss and its gradient with respect to the network output."""
    if loss == "mse":
        diff = out - y
        return float(np.mean(diff * diff)), (2.0 / diff.size) * diff
    z = out - out.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(z.shape[0])
    val = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
    g = e / s
    g[rows, y] -= 1.0
    return val, g / z.shape[0]


def score_gradients(weights: list[np.ndarray], biases: list[np.ndarray],
                    w_scores: list[np.ndarray], b_scores: list[np.ndarray] | None,
                    weight_masks: list[np.ndarray], bias_masks: list[np.ndarray],
                    x: np.ndarray, y: np.ndarray, loss: str,
                    output_activation: str = "identity"
                    ) -> tuple[float, list[np.ndarray], list[np.ndarray] | None]:
    """Loss and straight-through score gradients for one batch (hand-written backward).

    Parameters
    ----------
    weights, biases : lists of ndarray
        Working (frozen, possibly rescaled) parameters.
    w_scores, b_scores : lists of ndarray (b_scores None: no bias scores)
        Current scores; only their signs enter (see Returns).
    weight_masks, bias_masks : lists of bool ndarray
        Masks computed from the scores' magnitudes.
    x : ndarray, shape (B, n0)
    y : ndarray
        Targets, shape (B, nL) for MSE or int labels (B,) for CE.
    loss : {'mse', 'ce'}
    output_activation : {'identity', 'relu'}

    Returns
    -------
    loss : float
    grad_w : list of ndarray
        ``dL/ds_w = (dL/dW_eff) * W * sign(s_w)``.
    grad_b : list of ndarray or None (no bias scores)
        ``dL/ds_b = (dL/db_eff) * b * sign(s_b)``.

    Notes
    -----
    Ramanujan et al. (2020), Section 3: the mask is a function of ``|s|`` whose
    derivative is taken as 1 (straight-through), so the chain rule through ``|s|``
    contributes ``sign(s)`` -- exactly what their code (``GetSubnet.apply(scores.abs())``)
    differentiates. Without it, negative scores would move the wrong way.
    """
    L = len(weights)
    bias_scores = b_scores is not None
    w_eff = [w * m for w, m in zip(weights, weight_masks, strict=True)]
    b_eff = [b * m for b, m in zip(biases, bias_masks, strict=True)]
    acts = [x]
    pre = []
    a = x
    for i in range(L):
        h = a @ w_eff[i].T + b_eff[i]
        pre.append(h)
        if i < L - 1 or output_activation == "relu":
            a = np.maximum(h, 0.0)
        else:
            a = h
        acts.append(a)
    val, d = loss_grad(acts[-1], y, loss)
    gw: list[np.ndarray] = [None] * L  # type: ignore[list-item]
    gb: list[np.ndarray] = [None] * L  # type: ignore[list-item]
    for i in range(L - 1, -1, -1):
        if i < L - 1 or output_activation == "relu":
            d = d * (pre[i] > 0)
        gw[i] = (d.T @ acts[i]) * weights[i] * np.sign(w_scores[i])
        gb[i] = (d.sum(axis=0) * biases[i] * np.sign(b_scores[i]) if bias_scores
                 else d.sum(axis=0) * biases[i])
        if i > 0:
            d = d @ w_eff[i]
    return val, gw, (gb if bias_scores else None)


# -------------------------------------------------------------- output scaling
def fit_output_scale(out: np.ndarray, y: np.ndarray, loss: str) -> float | None:
    """Best output scale ``lambda > 0`` for outputs ``out`` (Section 5), exactly.

    Parameters
    ----------
    out : ndarray, shape (N, nL)
        Network outputs ``x^(L)`` on the training set.
    y : ndarray
        Targets (MSE) or int labels (CE).
    loss : {'mse', 'ce'}

    Returns
    -------
    float or None
        ``lambda_mse = sum(y out) / sum(out out)`` for MSE; for CE the minimiser of
        ``CE(y, lambda out)`` over ``log lambda`` in ``[-20, 20]``, found as the root of
        the derivative ``mean_i (sum_j p_ij out_ij - out_i,y_i)``, which is
        non-decreasing in ``lambda`` (the loss is convex in ``lambda``), by bisection
        until the interval cannot shrink in floating point (no tolerance, so the result
        is a deterministic function of ``out`` and ``y``); a root outside the interval
        gives the nearer end. None if no positive scale improves on a degenerate output
        (all zero for MSE or ``lambda_mse <= 0``; constant logits).

    Notes
    -----
    Section 5, the formula for ``lambda_mse`` and ``min_{lambda>0} L(y, lambda x^(L))``.
    """
    if loss == "mse":
        den = float(np.sum(out * out))
        if den <= 0.0:
            return None
        lam = float(np.sum(y * out)) / den
        return lam if lam > 0 and math.isfinite(lam) else None
    if loss != "ce":
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    if np.all(np.ptp(out, axis=1) == 0):
        return None
    rows = np.arange(out.shape[0])
    oy = out[rows, y]

    def slope(t: float) -> float:
        z = math.exp(t) * out
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return float(np.mean((p * out).sum(axis=1) - oy))

    lo, hi = -LOG_LAMBDA_BOUND, LOG_LAMBDA_BOUND
    if slope(lo) >= 0:
        return math.exp(lo)
    if slope(hi) <= 0:
        return math.exp(hi)
    while True:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return math.exp(0.5 * (lo + hi))


def fit_output_scale_sgd(out: np.ndarray, y: np.ndarray, loss: str,
                         steps: int = SGD_LAMBDA_STEPS, lr: float = SGD_LAMBDA_LR
                         ) -> float | None:
    """The authors' ``lambda``: ``steps`` plain SGD steps on ``L(y, lambda out)`` from 1.

    Parameters
    ----------
    out : ndarray, shape (B, nL)
        Outputs on one mini-batch (the authors use the epoch's last one).
    y : ndarray
        Targets (MSE, mean over all entries as ``nn.MSELoss``) or int labels (CE, mean
        over the batch as ``nn.CrossEntropyLoss``).
    loss : {'mse', 'ce'}
    steps : int
    lr : float

    Returns
    -------
    float or None
        The final ``lambda``; None if it is not finite and > 0 (the authors' code would
        then take a root of a negative number).

    Notes
    -----
    ``ticket_training.py``, ``rescaling()`` (lines 14-44): ``scale = ones(1)``,
    ``SGD([scale], lr=0.1)``, 20 steps of ``criterion(scale * output, target)``.
    """
    lam = 1.0
    if loss == "mse":
        n = out.size
        s_oo = float(np.sum(out * out))
        s_yo = float(np.sum(y * out))
        for _ in range(int(steps)):
            lam -= lr * 2.0 * (lam * s_oo - s_yo) / n
    elif loss == "ce":
        rows = np.arange(out.shape[0])
        oy = out[rows, y]
        for _ in range(int(steps)):
            z = lam * out
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            lam -= lr * float(np.mean((p * out).sum(axis=1) - oy))
    else:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    return lam if math.isfinite(lam) and lam > 0 else None


# ------------------------------------------------------------------ evaluation
def evaluate(model: Network | Ticket, x: np.ndarray, y: np.ndarray, loss: str
             ) -> dict[str, float]:
    """Loss and, for CE, accuracy with ties counted as misses.

    Parameters
    ----------
    model : Network or Ticket
    x, y : ndarray
    loss : {'mse', 'ce'}

    Returns
    -------
    dict
        ``loss`` (MSE or mean cross-entropy); ``constant`` (1.0 if the output is the same
        for every input, a degenerate ticket, else 0.0); for CE also ``accuracy`` (a point
        counts as correct only if its label's logit is *strictly* larger than every other
        logit) and ``ties`` (number of points whose largest logit is shared by two or more
        classes; all of them count as misses).
    """
    out = model.forward(x)
    res = {"loss": loss_value(out, y, loss),
           "constant": float(bool(np.all(np.ptp(out, axis=0) == 0)))}
    if loss == "ce":
        mx = out.max(axis=1, keepdims=True)
        top = out == mx
        tie = top.sum(axis=1) > 1
        hit = top[np.arange(out.shape[0]), y] & ~tie
        res["accuracy"] = float(np.mean(hit))
        res["ties"] = float(np.sum(tie))
    return res


# -------------------------------------------------------------------- training
@dataclass
class Plan:
    """The random parts of a run: initial scores and per-epoch batch permutations."""

    w_scores: list[np.ndarray]
    b_scores: list[np.ndarray] | None
    permutations: list[np.ndarray]


def make_plan(net: Network, n_train: int, settings: Settings, rng=None) -> Plan:
    """Draw initial scores, then one permutation of the training set per epoch.

    ``rng``: int, SeedSequence or Generator (SPEC 7).
    """
    gen = np.random.default_rng(rng)
    sw, sb = init_scores(net, gen, bias_scores=has_bias_scores(net, settings),
                         bias_score_init=settings.bias_score_init)
    perms = [gen.permutation(n_train) for _ in range(settings.total_epochs)]
    return Plan(sw, sb, perms)


@dataclass
class Result:
    """Outcome of :func:`edge_popup`.

    Attributes
    ----------
    ticket : Ticket
        Masks at the target density over the unmodified initial parameters, with the
        accumulated output scale (1 for plain edge-popup).
    history : list of dict
        Per epoch: ``epoch``, ``density``, ``lr`` (as used, after ``lr_over_lambda``),
        ``train_loss`` (mean over batches), ``lambda`` (scale fitted after the epoch, 1 if
        none), ``output_scale``, ``seconds``.
    seconds_per_epoch : float
        Median wall time of an epoch (training, lambda fit and rescaling).
    batch_losses : ndarray
        Training loss of every step (all epochs, in order).
    """

    ticket: Ticket
    history: list[dict[str, float]] = field(default_factory=list)
    seconds_per_epoch: float = float("nan")
    batch_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _masked(net_w, net_b, wm, bm, output_activation) -> Network:
    return Network([w * m for w, m in zip(net_w, wm, strict=True)],
                   [b * m for b, m in zip(net_b, bm, strict=True)], output_activation)


def edge_popup(net: Network, data: Dataset, settings: Settings, rng=None,
               plan: Plan | None = None, engine: str = "numba",
               on_epoch: Callable[[dict[str, float]], None] | None = None) -> Result:
    """Prune ``net`` with edge-popup (or edge-popup-scaled) on ``data``'s training set.

    Parameters
    ----------
    net : Network
        Mother network; its parameters are never modified.
    data : Dataset
    settings : Settings
    rng : int, SeedSequence or Generator, optional
        Draws the initial scores and the batch order (ignored if ``plan`` is given).
    plan : Plan, optional
        Explicit initial scores and permutations (for reference comparisons).
    engine : {'numba', 'numpy'}
        ``numba``: fused per-batch kernel (:mod:`slth_theory.pruning._edge_popup_kernels`);
        ``numpy``: the plain NumPy reference (:func:`score_gradients`, :func:`layer_masks`).
    on_epoch : callable, optional
        Called with each epoch's history row.

    Returns
    -------
    Result

    Raises
    ------
    TrainingDiverged
        (a ``ValueError``) as soon as a batch gives a non-finite loss or score, in either
        engine, e.g. with a far too large learning rate.

    Notes
    -----
    Ramanujan et al. (2020) edge-popup; Section 5 (rescaling with Lemma 2) and Section 6
    (annealing ``rho^(i/e_a)``, optimiser) of the paper.
    """
    _choice("engine", engine, ("numba", "numpy"))
    loss = data.loss
    if net.widths[0] != data.n_inputs or net.widths[-1] != data.n_outputs:
        raise ValueError(f"network widths {net.widths} do not fit the task {data.task!r} "
                         f"({data.n_inputs} inputs, {data.n_outputs} outputs)")
    x, y = data.x_train, data.y_train
    n_train = x.shape[0]
    if plan is None:
        plan = make_plan(net, n_train, settings, rng)
    if len(plan.permutations) < settings.total_epochs or any(
            np.sort(p).tolist() != list(range(n_train)) for p in plan.permutations):
        raise ValueError(f"plan must hold {settings.total_epochs} permutations of the "
                         f"{n_train} training samples")
    if len(plan.w_scores) != net.depth or any(
            s.shape != w.shape for s, w in zip(plan.w_scores, net.weights, strict=False)):
        raise ValueError("plan.w_scores must match the network's weight shapes")
    if (plan.b_scores is not None) != has_bias_scores(net, settings):
        raise ValueError("plan.b_scores must be given exactly when the network has non-zero "
                         "biases or settings.score_zero_biases is set")
    bias_scores = plan.b_scores is not None
    sw = [s.copy() for s in plan.w_scores]
    sb = [s.copy() for s in plan.b_scores] if bias_scores else None
    total = settings.total_epochs
    scaled = settings.method == "edge-popup-scaled"
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]
    log_scale = 0.0
    history: list[dict[str, float]] = []
    trainer = None
    if engine == "numba":
        from slth_theory.pruning._edge_popup_kernels import FusedTrainer
        trainer = FusedTrainer(weights, biases, sw, sb, loss, net.output_activation,
                               settings.bias_ranking, settings.momentum,
                               settings.weight_decay)
    else:
        buf_w = [np.zeros_like(s) for s in sw]
        buf_b = [np.zeros_like(s) for s in sb] if bias_scores else None
    densities = settings.epoch_densities()
    layer_dens = settings.epoch_layer_densities(net.depth)
    final_dens = settings.target_layer_densities(net.depth)
    lrs = settings.epoch_lrs()
    bs = settings.batch_size
    all_losses = []
    for e in range(total):
        t0 = time.perf_counter()
        rho = densities[e]
        rhos = layer_dens[e] if settings.layer_densities is not None else rho
        lr = lrs[e] / math.exp(log_scale) if settings.lr_over_lambda else lrs[e]
        perm = plan.permutations[e]
        if trainer is not None:
            try:
                batch_losses = trainer.run_epoch(x, y, perm, bs, rhos, lr)
            except FloatingPointError as exc:
                raise TrainingDiverged(_diverged(e, lr, str(exc))) from None
            sw, sb = trainer.scores()
        else:
            batch_losses = []
            for b, start in enumerate(range(0, n_train, bs)):
                idx = perm[start:start + bs]
                with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                    wm, bm = layer_masks(sw, sb, rhos, settings.bias_ranking)
                    val, gw, gb = score_gradients(weights, biases, sw, sb, wm, bm, x[idx],
                                                  y[idx], loss, net.output_activation)
                    batch_losses.append(val)
                    _sgd(sw, gw, buf_w, lr, settings.momentum, settings.weight_decay)
                    if bias_scores:
                        _sgd(sb, gb, buf_b, lr, settings.momentum, settings.weight_decay)
                if not (math.isfinite(val) and _all_finite(sw) and _all_finite(sb or [])):
                    raise TrainingDiverged(_diverged(
                        e, lr, f"non-finite loss or score in batch {b + 1}"))
        all_losses.append(np.asarray(batch_losses, dtype=np.float64))
        lam = 1.0
        if scaled:
            wm, bm = layer_masks(sw, sb, rhos, settings.bias_ranking)
            cur = _masked(weights, biases, wm, bm, net.output_activation)
            if settings.lambda_fit == "exact":
                fitted = fit_output_scale(cur.forward(x), y, loss)
            else:  # the authors': SGD on the epoch's last mini-batch
                last = perm[((n_train - 1) // bs) * bs:]
                fitted = fit_output_scale_sgd(cur.forward(x[last]), y[last], loss)
            if fitted is not None:
                lam = fitted
                log_scale += math.log(lam)
                # Lemma 2 / Section 5, always applied to the *initial* parameters with
                # the accumulated scale (no drift from repeated multiplications).
                work = distribute_output_scale(net, 1.0, log_lam=log_scale)
                weights, biases = work.weights, work.biases
                if trainer is not None:
                    trainer.set_params(weights, biases)
        row = {"epoch": e + 1, "density": rho, "lr": lr,
               "train_loss": float(np.mean(batch_losses)), "lambda": lam,
               "output_scale": math.exp(log_scale), "seconds": time.perf_counter() - t0}
        history.append(row)
        if on_epoch is not None:
            on_epoch(row)
    wm, bm = layer_masks(sw, sb, final_dens if settings.layer_densities is not None
                         else settings.density, settings.bias_ranking)
    if scaled and layer_dens[-1] != final_dens:
        # 'within' annealing that never reached rho: refit lambda for the final cut.
        cur = _masked(weights, biases, wm, bm, net.output_activation)
        fitted = fit_output_scale(cur.forward(x), y, loss)
        if fitted is not None:
            log_scale += math.log(fitted)
    meta = {"method": settings.method, "task": data.task, **{
        f"ep_{k}": v for k, v in settings.as_dict().items()}}
    ticket = Ticket(net, wm, bm, math.exp(log_scale), meta)
    # median: robust to the one-off Numba compilation in the first epoch of a process
    spe = float(np.median([r["seconds"] for r in history]))
    return Result(ticket, history, spe, np.concatenate(all_losses))


class TrainingDiverged(ValueError):
    """Edge-popup stopped: the loss or a score became non-finite (both engines)."""


def _all_finite(arrays: list[np.ndarray]) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)


def _diverged(epoch: int, lr: float, what: str) -> str:
    return (f"edge-popup diverged in epoch {epoch + 1}: {what} (learning rate {lr:g}; a "
            "smaller learning rate keeps the scores finite)")


def _sgd(params: list[np.ndarray], grads: list[np.ndarray], bufs: list[np.ndarray],
         lr: float, momentum: float, weight_decay: float) -> None:
    """PyTorch SGD step in place: ``g += wd p; buf = mu buf + g; p -= lr buf``.

    With a zero initial buffer, ``mu * 0 + g`` equals PyTorch's first-step ``buf = g``.
    """
    for p, g, buf in zip(params, grads, bufs, strict=True):
        g = g + weight_decay * p
        buf *= momentum
        buf += g
        p -= lr * buf
