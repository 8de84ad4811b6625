"""Edge-popup with bias scores, sparsity annealing and output rescaling (Sections 5, 6).

Edge-popup (Ramanujan et al. 2020) keeps a network's weights and biases frozen at their
initial values and learns one real score per parameter. The forward pass uses, per
layer, only the parameters whose ``|score|`` is among the top fraction ``rho`` (the
*density*, fraction kept); the scores receive the straight-through gradient
``dL/ds = dL/dw_eff * w`` (the mask's derivative is taken as 1).

Choices (documented in README.md, "Edge-popup with non-zero biases"):

* **Bias scores.** A network with non-zero biases gets one score per bias. ``separate``
  ranking keeps the top ``rho`` fraction of weights and, independently, of biases in
  every layer; ``joint`` ranks weights and biases of a layer together and keeps the top
  ``rho`` fraction of the union. A zero-bias network has no bias scores and its ticket's
  bias masks are all ``False`` (the biases are zero, so the function is unaffected).
* **Kept count.** A layer with ``n`` candidates keeps ``n - floor((1 - rho) n)``
  parameters, exactly as edge-popup's ``GetSubnet`` (so at least one).
* **Score initialisation.** ``kaiming-uniform`` as in the edge-popup code
  (``kaiming_uniform_(a=sqrt(5))``): ``U[-1/sqrt(n_in), 1/sqrt(n_in)]`` for the weights
  *and* the biases of a layer (so weight and bias scores are on one scale for ``joint``).
* **Optimiser.** SGD with momentum 0.9, weight decay 5e-4 on the scores (PyTorch
  semantics: ``g += wd s; buf = mu buf + g; s -= lr buf``), learning rate
  ``0.5 lr0 (1 + cos(pi e / E))`` in epoch ``e = 0..E-1`` of ``E`` epochs in total
  (edge-popup's ``cosine_lr``), batches of 32 from a fresh permutation every epoch.
* **Annealing.** In epoch ``i = 1, 2, ...`` the density is ``rho^(min(i, e_a)/e_a)``.
  ``anneal_mode='extra'`` (default) trains ``e_a + e`` epochs: ``e_a`` annealing epochs
  and then ``e`` epochs at ``rho``. ``anneal_mode='within'`` trains ``e`` epochs in total,
  the first ``e_a`` of them annealing (if ``e_a > e`` the target is never reached
  during training; the ticket is still cut at ``rho`` from the final scores).
* **Rescaling (edge-popup-scaled, Section 5).** After every epoch, ``lambda > 0`` is fit
  on the training set for the current ticket (closed form for MSE, a 1-D minimisation
  over ``log lambda`` for cross-entropy) and folded into the working parameters with
  :func:`slth_theory.theory.lemma2.distribute_output_scale` (Lemma 2); the accumulated
  ``Lambda`` is the ticket's ``output_scale``, and the ticket keeps the unmodified
  initial parameters. Scores are *not* changed by a rescale, and the learning rate is
  *not* adjusted: by Lemma 2, ``w' df(theta')/dw' = Lambda w df(theta)/dw``, so the
  straight-through score gradient of the rescaled network is exactly the score gradient
  of the loss of the rescaled ticket ``Lambda f(x | theta m)``. The step size ``lr`` thus
  acts on the objective the ticket is judged by, at the output scale of the targets --
  unlike plain edge-popup on a network whose pruned output has shrunk by orders of
  magnitude, where the same ``lr`` barely moves the scores.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket
from slth_theory.pruning.datasets import Dataset
from slth_theory.theory.lemma2 import distribute_output_scale

METHODS = ("edge-popup", "edge-popup-scaled")
BIAS_RANKINGS = ("separate", "joint")
ANNEAL_MODES = ("extra", "within")
LOSSES = ("mse", "ce")
SCORE_INITS = ("kaiming-uniform",)
LOG_LAMBDA_BOUND = 20.0  # per-epoch search interval for log(lambda) under cross-entropy


@dataclass
class Settings:
    """Edge-popup hyper-parameters (plain values; defaults are the paper's Section 6).

    Attributes
    ----------
    density : float
        Target fraction kept ``rho`` in (0, 1].
    method : {'edge-popup', 'edge-popup-scaled'}
    epochs : int
        ``e`` (>= 1).
    anneal_epochs : int
        ``e_a`` (>= 0; 0 = no annealing).
    anneal_mode : {'extra', 'within'}
    bias_ranking : {'separate', 'joint'}
    lr, momentum, weight_decay : float
    batch_size : int
    score_init : {'kaiming-uniform'}
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

    def __post_init__(self) -> None:
        d = float(self.density)
        if not (0.0 < d <= 1.0):
            raise ValueError(f"density must be in (0, 1] (fraction kept); got {self.density}")
        self.density = d
        _choice("method", self.method, METHODS)
        _choice("anneal_mode", self.anneal_mode, ANNEAL_MODES)
        _choice("bias_ranking", self.bias_ranking, BIAS_RANKINGS)
        _choice("score_init", self.score_init, SCORE_INITS)
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1; got {self.epochs}")
        if int(self.anneal_epochs) != self.anneal_epochs or self.anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be an integer >= 0; got {self.anneal_epochs}")
        if int(self.batch_size) != self.batch_size or self.batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1; got {self.batch_size}")
        for name in ("lr", "momentum", "weight_decay"):
            v = float(getattr(self, name))
            if not math.isfinite(v) or v < 0 or (name == "lr" and v == 0):
                raise ValueError(f"{name} must be finite and {'> 0' if name == 'lr' else '>= 0'}"
                                 f"; got {v}")
        self.epochs, self.anneal_epochs = int(self.epochs), int(self.anneal_epochs)
        self.batch_size = int(self.batch_size)

    @property
    def total_epochs(self) -> int:
        """Epochs trained: ``e_a + e`` (``extra``) or ``e`` (``within``)."""
        if self.anneal_mode == "extra":
            return self.epochs + self.anneal_epochs
        return self.epochs

    def epoch_densities(self) -> list[float]:
        """Density used in each epoch, see :func:`anneal_density`."""
        return [anneal_density(self.density, i, self.anneal_epochs)
                for i in range(1, self.total_epochs + 1)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")


# --------------------------------------------------------------------- schedules
def anneal_density(density: float, epoch: int, anneal_epochs: int) -> float:
    """Kept fraction in 1-based ``epoch``: ``rho^(min(epoch, e_a) / e_a)`` (Section 6).

    ``anneal_epochs = 0`` means no annealing (always ``rho``).
    """
    if epoch < 1:
        raise ValueError(f"epoch is 1-based; got {epoch}")
    if anneal_epochs <= 0:
        return float(density)
    return float(density ** (min(epoch, anneal_epochs) / anneal_epochs))


def cosine_lr(lr0: float, epoch: int, total_epochs: int) -> float:
    """Cosine learning rate ``0.5 lr0 (1 + cos(pi epoch / total))``, ``epoch`` 0-based.

    Raises
    ------
    ValueError
        If ``lr0`` is not finite and > 0, ``total_epochs`` is not an integer >= 1, or
        ``epoch`` is not an integer in ``[0, total_epochs - 1]``.

    Notes
    -----
    Edge-popup's ``cosine_lr`` schedule (Ramanujan et al. 2020), Section 6 optimiser.
    """
    if not _is_int(total_epochs) or total_epochs < 1:
        raise ValueError(f"total_epochs must be an integer >= 1; got {total_epochs!r}")
    if not _is_int(epoch) or not 0 <= epoch < total_epochs:
        raise ValueError(f"epoch must be an integer in [0, {total_epochs - 1}] (0-based); "
                         f"got {epoch!r}")
    lr = float(lr0)
    if not (math.isfinite(lr) and lr > 0.0):
        raise ValueError(f"lr0 must be finite and > 0; got {lr0!r}")
    return 0.5 * lr * (1.0 + math.cos(math.pi * epoch / total_epochs))


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
                density: float, ranking: str = "separate"
                ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-layer top-``|score|`` masks.

    Parameters
    ----------
    w_scores : list of ndarray
        Weight scores, one array per layer.
    b_scores : list of ndarray or None
        Bias scores (None: zero-bias network, bias masks all False).
    density : float
        Fraction kept in (0, 1].
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
    density = _check_density(density)
    wm, bm = [], []
    for i, sw in enumerate(w_scores):
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


def init_scores(net: Network, rng=None, bias_scores: bool = True
                ) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Kaiming-uniform scores ``U[-1/sqrt(n_in), 1/sqrt(n_in)]`` per layer.

    Weight scores of all layers are drawn first, then bias scores (if any).
    """
    gen = np.random.default_rng(rng)
    sw = []
    for w in net.weights:
        bound = 1.0 / math.sqrt(w.shape[1])
        sw.append(gen.uniform(-bound, bound, size=w.shape))
    if not bias_scores:
        return sw, None
    sb = [gen.uniform(-1.0 / math.sqrt(w.shape[1]), 1.0 / math.sqrt(w.shape[1]),
                      size=w.shape[0]) for w in net.weights]
    return sw, sb


def has_nonzero_biases(net: Network) -> bool:
    return any(np.any(b != 0) for b in net.biases)


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
    """Best output scale ``lambda > 0`` for outputs ``out`` (Section 5).

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
        ``CE(y, lambda out)`` over ``log lambda`` in ``[-20, 20]`` (bounded Brent; the
        loss is convex in ``lambda``). None if no positive scale improves on a
        degenerate output (all zero for MSE or ``lambda_mse <= 0``; constant logits).

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
    res = minimize_scalar(lambda t: loss_value(math.exp(t) * out, y, "ce"),
                          bounds=(-LOG_LAMBDA_BOUND, LOG_LAMBDA_BOUND), method="bounded",
                          options={"xatol": 1e-6})
    return float(math.exp(res.x))


# ------------------------------------------------------------------ evaluation
def evaluate(model: Network | Ticket, x: np.ndarray, y: np.ndarray, loss: str
             ) -> dict[str, float]:
    """Loss (MSE or CE) and, for CE, accuracy of a network or ticket on ``(x, y)``."""
    out = model.forward(x)
    res = {"loss": loss_value(out, y, loss)}
    if loss == "ce":
        res["accuracy"] = float(np.mean(np.argmax(out, axis=1) == y))
    return res


# -------------------------------------------------------------------- training
@dataclass
class Plan:
    """The random parts of a run: initial scores and per-epoch batch permutations."""

    w_scores: list[np.ndarray]
    b_scores: list[np.ndarray] | None
    permutations: list[np.ndarray]


def make_plan(net: Network, n_train: int, settings: Settings, rng=None) -> Plan:
    """Draw initial scores, then one permutation of the training set per epoch."""
    gen = np.random.default_rng(rng)
    sw, sb = init_scores(net, gen, bias_scores=has_nonzero_biases(net))
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
        Per epoch: ``epoch``, ``density``, ``lr``, ``train_loss`` (mean over batches),
        ``lambda`` (scale fitted after the epoch, 1 if none), ``output_scale``,
        ``seconds``.
    seconds_per_epoch : float
        Median wall time of an epoch (training, lambda fit and rescaling).
    batch_losses : ndarray
        Training loss of every step (all epochs, in order).
    """

    ticket: Ticket
    history: list[dict[str, float]] = field(default_factory=list)
    seconds_per_epoch: float = float("nan")
    batch_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))


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
    rng : seed or Generator
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
    if (plan.b_scores is not None) != has_nonzero_biases(net):
        raise ValueError("plan.b_scores must be given exactly when the network has non-zero "
                         "biases")
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
    bs = settings.batch_size
    all_losses = []
    for e in range(total):
        t0 = time.perf_counter()
        rho = densities[e]
        lr = cosine_lr(settings.lr, e, total)
        perm = plan.permutations[e]
        if trainer is not None:
            try:
                batch_losses = trainer.run_epoch(x, y, perm, bs, rho, lr)
            except FloatingPointError as exc:
                raise TrainingDiverged(_diverged(e, lr, str(exc))) from None
            sw, sb = trainer.scores()
        else:
            batch_losses = []
            for b, start in enumerate(range(0, n_train, bs)):
                idx = perm[start:start + bs]
                with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                    wm, bm = layer_masks(sw, sb, rho, settings.bias_ranking)
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
            wm, bm = layer_masks(sw, sb, rho, settings.bias_ranking)
            cur = Network([w * m for w, m in zip(weights, wm, strict=True)],
                          [b * m for b, m in zip(biases, bm, strict=True)],
                          net.output_activation)
            fitted = fit_output_scale(cur.forward(x), y, loss)
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
    wm, bm = layer_masks(sw, sb, settings.density, settings.bias_ranking)
    if scaled and densities[-1] != settings.density:
        # 'within' annealing that never reached rho: refit lambda for the final cut.
        cur = Network([w * m for w, m in zip(weights, wm, strict=True)],
                      [b * m for b, m in zip(biases, bm, strict=True)],
                      net.output_activation)
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
