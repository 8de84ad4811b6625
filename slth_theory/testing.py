"""Hypothesis strategies, profiles and counterexample searches for lottery-ticket claims.

Install with the ``strategies`` extra (``pip install "slth-theory[strategies]"``: hypothesis
only). Then::

    import numpy as np
    from hypothesis import given, strategies as st
    from slth_theory.model.network import Network
    from slth_theory.testing import inputs_for, load_profile

    load_profile("dev")

    @given(net=st.from_type(Network), data=st.data())
    def test_relu_output_is_nonnegative(net, data):
        x = data.draw(inputs_for(net))
        if net.output_activation == "relu":
            assert np.all(net.forward(x) >= 0)

Two ways to draw parameters (both shrink; choose by what a failure should look like):

* from a **scheme** (default; ``networks(scheme="he-normal")``): the weights of a registered
  initialisation drawn from a hypothesis-chosen seed. Realistic magnitudes and
  correlations, any size; a failure shrinks to a small architecture and seed ``0``, but a
  weight is never simpler than "what seed 0 draws". Use it for statements about
  initialised networks (Lemma 3, schemes, pruning at initialisation).
* **element by element** (``networks(elements=True)``): every weight and bias is a
  hypothesis float in ``[-2, 2]`` that shrinks toward ``0`` and small integers
  (:func:`parameter_values`). A failure shrinks to a network like
  ``W = [[0]], b = [1]``. Use it for statements that must hold for *every* network
  (Lemmas 2 and 4, certificates) and for falsification; keep networks small (hypothesis
  draws each parameter).

``st.from_type(Network)`` and ``st.from_type(Ticket)`` use :func:`networks` and
:func:`tickets` (registered when this module is imported, and by the hypothesis entry
point of the package, so no import is needed once the package is installed).

Profiles for your test runs (:func:`load_profile`): ``ci`` (deterministic: derandomized,
no example database, 100 examples), ``dev`` (quick: 20 examples), ``thorough`` (2000
examples). They are registered under the names ``slth-ci``, ``slth-dev`` and
``slth-thorough`` and do not touch any profile of your own.

Falsification: :func:`search_counterexample` runs hypothesis against a printed statement of
the paper that does not hold (:data:`slth_theory.counterexamples.CLAIMS`) and returns the
shrunk counterexample; the stored ones are :func:`shrunk_counterexample`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from slth_theory import _hypothesis_plugin as _plugin
from slth_theory.counterexamples import (
    CLAIMS,
    Counterexample,
    shrunk_counterexample,
)
from slth_theory.model import schemes as _schemes
from slth_theory.model.network import OUTPUT_ACTIVATIONS, Network
from slth_theory.model.ticket import Ticket

__all__ = [
    "PROFILES",
    "SubsetSumInstance",
    "architectures",
    "datasets",
    "inputs",
    "inputs_for",
    "layer_scales",
    "load_profile",
    "networks",
    "output_activations",
    "parameter_values",
    "profile",
    "scheme_names",
    "schemes",
    "search_counterexample",
    "shrunk_counterexample",
    "subset_sum_instances",
    "targets",
    "tickets",
    "write_shrunk_counterexamples",
]

output_activations = st.sampled_from(OUTPUT_ACTIVATIONS)

#: Largest number of mask entries ``tickets(masks="drawn")`` draws one by one.
MAX_DRAWN_MASK = 4096


def _strategy(value, default: st.SearchStrategy) -> st.SearchStrategy:
    """``None`` -> ``default``; a strategy as is; anything else -> ``st.just``."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


# ---------------------------------------------------------------- parameters


def parameter_values(max_magnitude: float = 2.0, *, nonzero: bool = False
                     ) -> st.SearchStrategy[float]:
    """Floats in ``[-max_magnitude, max_magnitude]`` that shrink toward 0, then small integers.

    Parameters
    ----------
    max_magnitude : float
        > 0.
    nonzero : bool
        Exclude 0 (``|v| >= 2**-10``); such values shrink toward ``1.0``.
    """
    m = float(max_magnitude)
    if not np.isfinite(m) or m <= 0:
        raise ValueError(f"max_magnitude must be finite and > 0; got {max_magnitude!r}")
    if not nonzero:
        # exact zeros as often as any other value: sparse layers and dead neurons are
        # where many statements are decided
        return st.one_of(st.just(0.0), st.floats(-m, m, allow_nan=False, allow_subnormal=False))
    tiny = min(2.0 ** -10, m)
    pos = st.floats(tiny, m, allow_subnormal=False)
    return st.one_of(pos, pos.map(lambda v: -v))


def scheme_names(bias: str | None = None) -> st.SearchStrategy[str]:
    """Any registered scheme name (that allows ``bias``, if given)."""
    names = [n for n in _schemes.names()
             if bias is None or bias in _schemes.get(n).bias_modes]
    if not names:
        raise ValueError(f"no registered scheme allows bias {bias!r}")
    return st.sampled_from(names)


@st.composite
def architectures(draw, min_depth: int = 1, max_depth: int = 4, min_width: int = 1,
                  max_width: int = 8, even_hidden: bool = False) -> list[int]:
    """Architectures ``[n0, ..., nL]``; ``even_hidden`` makes ``n1..nL`` even (what
    looks-linear with a relu output needs)."""
    depth = draw(st.integers(min_depth, max_depth))
    widths = [draw(st.integers(min_width, max_width)) for _ in range(depth + 1)]
    if even_hidden:
        widths = [widths[0]] + [max(2, w + (w % 2)) for w in widths[1:]]
    return widths


@st.composite
def schemes(draw, scheme=None, bias=None) -> dict:
    """Keyword arguments for :func:`slth_theory.model.schemes.initialize` (scheme, bias,
    mode, bias_factor, and for ``theorem5-*`` sometimes a weight scale)."""
    wanted = None if bias is None else draw(_strategy(bias, st.nothing()))
    name = draw(_strategy(scheme, scheme_names(wanted)))
    sch = _schemes.get(name)
    b = draw(st.sampled_from(sch.bias_modes)) if wanted is None else wanted
    if b not in sch.bias_modes:
        raise ValueError(f"scheme {name!r} allows bias {sch.bias_modes}; got {b!r}")
    kw = {"scheme": name, "bias": b, "mode": draw(st.sampled_from(sch.modes)),
          "bias_factor": draw(st.floats(0.25, 4.0))}
    if sch.rule == "theorem5" and draw(st.booleans()):
        kw["weight_scale"] = draw(st.floats(0.05, 2.0))
    return kw


# ---------------------------------------------------------------- networks


def _matrix(draw, values: st.SearchStrategy, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape))
    return np.array(draw(st.lists(values, min_size=n, max_size=n)),
                    dtype=np.float64).reshape(shape)


@st.composite
def networks(draw, widths=None, depth=None, width=None, scheme=None, bias=None,
             output_activation=None, *, elements=False, max_depth: int = 3,
             max_width: int = 4) -> Network:
    """ReLU networks with biases, small by default.

    Parameters
    ----------
    widths : list of int or strategy, optional
        The architecture ``[n0, ..., nL]`` (then ``depth`` and ``width`` must be None).
    depth : int or strategy, optional
        Number of layers ``L`` (default ``1..max_depth``).
    width : int or strategy, optional
        Every width ``n0..nL`` is drawn from it (default ``1..max_width``).
    scheme : str or strategy, optional
        Draw the parameters from this registered scheme with a hypothesis-chosen seed
        (default: any scheme). Not with ``elements``.
    bias : {'zero', 'nonzero'} or strategy, optional
        Zero biases, or non-zero ones (with ``elements``: every bias ``!= 0``).
    output_activation : {'relu', 'identity'} or strategy, optional
    elements : bool or strategy of float
        Draw every weight and bias one by one (``True``: :func:`parameter_values`), so a
        failure shrinks to zeros and small integers. Layers are drawn one after the
        other (width, weights, biases) so hypothesis can delete a whole layer.
    max_depth, max_width : int
        Bounds of the default ``depth`` and ``width``.

    Returns
    -------
    Network
    """
    if widths is not None and (depth is not None or width is not None):
        raise ValueError("give either widths or depth/width, not both")
    act = draw(_strategy(output_activation, output_activations))
    depth_st = _strategy(depth, st.integers(1, max_depth))
    width_st = _strategy(width, st.integers(1, max_width))
    if elements is not False and elements is not None:
        if scheme is not None:
            raise ValueError("give either scheme or elements, not both")
        vals = parameter_values() if elements is True else elements
        b_mode = draw(_strategy(bias, st.just(None)))
        b_vals = {None: vals, "nonzero": parameter_values(nonzero=True),
                  "zero": st.just(0.0)}[b_mode]
        arch = None if widths is None else list(draw(_strategy(widths, st.nothing())))
        L = len(arch) - 1 if arch is not None else draw(depth_st)
        n_in = arch[0] if arch is not None else draw(width_st)
        ws, bs = [], []
        for i in range(L):
            n_out = arch[i + 1] if arch is not None else draw(width_st)
            ws.append(_matrix(draw, vals, (n_out, n_in)))
            bs.append(_matrix(draw, b_vals, (n_out,)))
            n_in = n_out
        return Network(ws, bs, act, {"source": "hypothesis elements"})
    kw = draw(schemes(scheme, bias))
    if widths is not None:
        arch = list(draw(_strategy(widths, st.nothing())))
    else:
        L = draw(depth_st)
        arch = [draw(width_st) for _ in range(L + 1)]
    if kw["scheme"] == "looks-linear":
        arch = [arch[0]] + [max(2, w + (w % 2)) for w in arch[1:]]
    seed = draw(st.integers(0, 2**32 - 1))
    return _schemes.initialize(arch, output_activation=act, rng=seed, **kw)


def targets(depth=None, width=None, output_activation=None, *, max_magnitude: float = 1.0,
            max_depth: int = 2, max_width: int = 3) -> st.SearchStrategy[Network]:
    """Target networks for Theorem 5 and Lemma 4: parameters element by element in
    ``[-max_magnitude, max_magnitude]``, exact zeros included, shrinking toward zero.

    Theorem 5 assumes parameters bounded by 1 (the construction rescales others with
    Lemma 2), hence the default magnitude.
    """
    return networks(depth=depth, width=width, output_activation=output_activation,
                    elements=parameter_values(max_magnitude), max_depth=max_depth,
                    max_width=max_width)


def inputs(n0: int, max_batch: int = 16, *, corners: bool = False
           ) -> st.SearchStrategy[np.ndarray]:
    """Batches of inputs in ``[-1, 1]^n0`` (the paper's domain), shape ``(batch, n0)``.

    ``corners=True`` draws only vertices of the cube (entries ``+-1``), where the suprema
    of the Lemma 4 and Theorem 5 statements are often attained.
    """
    el = (st.sampled_from([1.0, -1.0]) if corners
          else st.floats(-1.0, 1.0, allow_nan=False, width=64))
    return st.integers(1, max_batch).flatmap(
        lambda b: hnp.arrays(np.float64, (b, n0), elements=el))


def inputs_for(net: Network | Ticket, max_batch: int = 16, *, corners: bool = False
               ) -> st.SearchStrategy[np.ndarray]:
    """Inputs in ``[-1, 1]^n0`` for ``net`` (a network or a ticket)."""
    return inputs(net.widths[0], max_batch, corners=corners)


def layer_scales(depth: int, low: float = 0.05, high: float = 20.0) -> st.SearchStrategy:
    """Positive per-layer factors ``sigma_l`` (for Lemma 2), as an array of ``depth``."""
    return hnp.arrays(np.float64, depth, elements=st.floats(low, high))


# ---------------------------------------------------------------- tickets


def _bool_array(draw, shape) -> np.ndarray:
    # a list of booleans shrinks entry by entry toward False (hnp.arrays shrinks toward a
    # constant fill value)
    n = int(np.prod(shape))
    return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                    dtype=bool).reshape(shape)


def _exact_mask(draw, shape, k: int, drawn: bool, gen) -> np.ndarray:
    n = int(np.prod(shape))
    flat = np.zeros(n, bool)
    if drawn:
        idx = draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=k, max_size=k,
                            unique=True)) if n else []
    else:
        idx = gen.choice(n, size=k, replace=False)
    flat[np.asarray(idx, dtype=np.int64)] = True
    return flat.reshape(shape)


@st.composite
def tickets(draw, network=None, density=None, *, output_scale=None, masks: str = "drawn"
            ) -> Ticket:
    """Tickets: masks over a mother network and an output scale.

    Parameters
    ----------
    network : Network or strategy, optional
        The mother (default :func:`networks`).
    density : float or strategy, optional
        ``None``: every mask entry is drawn on its own. A density ``rho`` in ``(0, 1]``:
        every weight matrix and every bias vector keeps exactly ``n - int((1 - rho) n)``
        entries (edge-popup's count), hypothesis chooses which.
    output_scale : float or strategy, optional
        ``lambda > 0`` (default ``[1/8, 8]``, shrinking toward 1).
    masks : {'drawn', 'seeded'}
        ``'drawn'``: hypothesis draws the masks entry by entry (they shrink toward pruning
        more, and toward the first entries), at most :data:`MAX_DRAWN_MASK` entries.
        ``'seeded'``: masks from a hypothesis-chosen seed (any size; shrinks only to seed
        0), for mothers too large to draw.
    """
    if masks not in ("drawn", "seeded"):
        raise ValueError(f"masks must be 'drawn' or 'seeded'; got {masks!r}")
    net = draw(_strategy(network, networks()))
    rho = draw(_strategy(density, st.just(None)))
    drawn = masks == "drawn"
    if drawn and net.n_params > MAX_DRAWN_MASK:
        raise ValueError(f"the mother has {net.n_params} parameters; masks='drawn' draws at "
                         f"most {MAX_DRAWN_MASK} (use masks='seeded')")
    gen = None if drawn else np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shapes = [a.shape for w, b in zip(net.weights, net.biases, strict=True) for a in (w, b)]
    if rho is None:
        ms = [_bool_array(draw, s) if drawn else gen.random(s) < 0.5 for s in shapes]
    else:
        from slth_theory.pruning.edge_popup import n_keep

        ms = [_exact_mask(draw, s, n_keep(int(np.prod(s)), rho), drawn, gen) for s in shapes]
    scale = draw(_strategy(output_scale, st.floats(0.125, 8.0)))
    meta = {"source": "hypothesis", "masks": masks}
    if rho is not None:
        meta["density"] = rho
    return Ticket(net, ms[0::2], ms[1::2], scale, meta)


# ---------------------------------------------------------------- other inputs


@dataclass(frozen=True)
class SubsetSumInstance:
    """A subset-sum problem: approximate ``target`` by a sum of a subset of ``values``
    within ``tol``."""

    values: np.ndarray
    target: float
    tol: float


@st.composite
def subset_sum_instances(draw, n=None, tol=None, *, max_n: int = 10) -> SubsetSumInstance:
    """Subset-sum instances (Theorem 5's subproblem): ``n`` values in ``[-1, 1]``
    (shrinking toward 0), a target in ``[-3, 3]`` and a tolerance (default ``[0, 0.5]``)."""
    k = draw(_strategy(n, st.integers(0, max_n)))
    vals = np.array(draw(st.lists(parameter_values(1.0), min_size=k, max_size=k)),
                    dtype=np.float64)
    target = draw(st.floats(-3.0, 3.0, allow_nan=False))
    t = draw(_strategy(tol, st.floats(0.0, 0.5, allow_nan=False)))
    return SubsetSumInstance(vals, float(target), float(t))


@st.composite
def datasets(draw, task=None, n=None):
    """The Section 6 data sets (:func:`slth_theory.pruning.datasets.make_dataset`) with a
    hypothesis-chosen task, size (default 10..200 samples) and seed."""
    from slth_theory.pruning.datasets import TASKS, make_dataset

    name = draw(_strategy(task, st.sampled_from(TASKS)))
    size = draw(_strategy(n, st.integers(10, 200)))
    seed = draw(st.integers(0, 2**32 - 1))
    return make_dataset(name, size, rng=seed)


# ---------------------------------------------------------------- profiles

#: The user profiles (settings keyword arguments), registered as ``slth-<name>``.
PROFILES: dict[str, dict] = {
    "ci": {"derandomize": True, "database": None, "max_examples": 100, "deadline": None,
           "print_blob": True, "suppress_health_check": [HealthCheck.too_slow]},
    "dev": {"max_examples": 20, "deadline": None},
    "thorough": {"max_examples": 2000, "deadline": None,
                 "suppress_health_check": [HealthCheck.too_slow]},
}


def profile(name: str) -> settings:
    """The settings of profile ``name`` (``ci``, ``dev`` or ``thorough``), e.g. as a
    decorator ``@profile("ci")`` on one test."""
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}; got {name!r}")
    key = f"slth-{name}"
    settings.register_profile(key, **PROFILES[name])
    return settings.get_profile(key)


def load_profile(name: str) -> settings:
    """Make profile ``name`` (``ci``, ``dev`` or ``thorough``) the default of this run.

    ``ci``: deterministic (derandomized, no example database) with 100 examples and no
    deadline; ``dev``: 20 random examples, quick; ``thorough``: 2000 random examples.
    Call it once, e.g. in your ``conftest.py``.
    """
    profile(name)
    settings.load_profile(f"slth-{name}")
    return settings.default


# ---------------------------------------------------------------- falsification


def search_counterexample(name: str, *, max_examples: int | None = None) -> Counterexample:
    """Search for and shrink a counterexample to the printed statement ``name``.

    Runs ``hypothesis.find`` (derandomized, no example database: the same result on every
    run of the same hypothesis version) with the claim's strategy and its violation test
    (:data:`slth_theory.counterexamples.CLAIMS`).

    Parameters
    ----------
    name : str
        One of :data:`~slth_theory.counterexamples.CLAIMS`.
    max_examples : int, optional
        Example budget. Default: hypothesis' default of 100 for the homogeneity claim,
        1000 for the Lemma 4 claims (whose counterexamples need an exact zero weight or a
        small parameter at the right place). The search stops at the first counterexample
        and shrinks it, so a larger budget costs time only when none is found early.

    Notes
    -----
    Derandomized hypothesis is deterministic for a given hypothesis version *and* set of
    imported modules: it also draws literal constants found in the local modules loaded
    in the process (your test files, for instance), so a search run under pytest may
    take another path than the same search run alone. The shipped counterexamples were
    written by ``python -m slth_theory.testing --write-counterexamples FILE``.

    Returns
    -------
    Counterexample

    Raises
    ------
    hypothesis.errors.NoSuchExample
        If no counterexample was found within the budget.
    """
    if name not in CLAIMS:
        raise ValueError(f"name must be one of {sorted(CLAIMS)}; got {name!r}")
    claim = CLAIMS[name]
    strat = _CLAIM_STRATEGIES[name]()
    if max_examples is None:
        max_examples = _SEARCH_BUDGET[name]
    found = find(strat, claim.violated,
                 settings=settings(derandomize=True, database=None, max_examples=max_examples,
                                   deadline=None))
    import hypothesis

    return claim.counterexample(found, {"hypothesis": hypothesis.__version__,
                                        "max_examples": max_examples, "derandomize": True})


def write_shrunk_counterexamples(path) -> list[Counterexample]:
    """Search every claim of :data:`~slth_theory.counterexamples.CLAIMS` again and write the
    shrunk counterexamples as JSON to ``path`` (the format of the shipped
    ``shrunk_counterexamples.json``; written to a temporary file renamed into place)."""
    import json
    import os
    import tempfile
    from pathlib import Path

    found = [search_counterexample(name) for name in CLAIMS]
    path = Path(path)
    text = json.dumps({"counterexamples": [c.to_json() for c in found]}, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return found


@st.composite
def _homogeneity_case(draw):
    net = draw(networks(bias="nonzero", elements=True))
    s = draw(st.floats(0.25, 4.0))
    x = draw(inputs_for(net, max_batch=1))
    return {"network": net, "s": s, "x": x[0]}


@st.composite
def _lemma4_case(draw, version: str, max_depth: int, max_width: int):
    net = draw(networks(elements=True, output_activation=st.sampled_from(["identity", "relu"]),
                        max_depth=max_depth, max_width=max_width))
    eps = draw(st.floats(1e-3, 1.0))
    sign = st.sampled_from([1.0, -1.0])
    signs = [(draw(hnp.arrays(np.float64, w.shape, elements=sign)),
              draw(hnp.arrays(np.float64, b.shape, elements=sign)))
             for w, b in zip(net.weights, net.biases, strict=True)]
    x = draw(inputs_for(net, max_batch=1, corners=True))
    return {"network": net, "eps": eps, "signs": signs, "x": x[0], "version": version}


_SEARCH_BUDGET = {"section3.homogeneity-with-biases": 100, "lemma4.main": 1000,
                  "lemma4.appendix": 1000}

_CLAIM_STRATEGIES = {
    "section3.homogeneity-with-biases": _homogeneity_case,
    # bounds chosen so that the default budget finds a smallest counterexample: depth 1 for
    # the main text's x^(l) (one neuron), depth 2 for the appendix's ||W^(l)|| index
    "lemma4.main": lambda: _lemma4_case("main", 2, 2),
    "lemma4.appendix": lambda: _lemma4_case("appendix", 3, 3),
}


# ---------------------------------------------------------------- type registration

_plugin.register_types()


def _main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m slth_theory.testing",
                                description="Search the printed statements that fail and "
                                "write their shrunk counterexamples.")
    p.add_argument("--write-counterexamples", metavar="FILE", required=True)
    args = p.parse_args(argv)
    for c in write_shrunk_counterexamples(args.write_counterexamples):
        print(f"{c.name}: widths {c.network.widths}: {c.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
