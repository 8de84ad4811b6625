"""Printed statements of the paper that do not hold, with shrunk counterexamples.

Each :class:`Claim` is a statement as printed, a test that decides whether a concrete
example violates it (exactly, through :mod:`slth_theory.invariants`) and the encoding of
such an example. :func:`slth_theory.testing.search_counterexample` lets hypothesis find
and shrink one; the shrunk examples found that way are shipped in
``slth_theory/data/shrunk_counterexamples.json`` and read by :func:`shrunk_counterexample`
(no hypothesis needed), so the claims report can cite the smallest network that breaks a
statement and replay it: :meth:`Counterexample.replay` re-decides the violation from the
stored numbers (a witness, no estimation).

==================================  =======================================================
name                                statement (as printed)
==================================  =======================================================
``section3.homogeneity-with-biases``  "networks of depth L are L-homogeneous: f(x | s theta)
                                    = s^L f(x | theta)" read for networks whose biases are
                                    all non-zero (Section 3.1 says it then "no longer holds")
``lemma4.main``                     Lemma 4 as printed in Section 4
``lemma4.appendix``                 Lemma 4 as restated in appendix B.3, Eq. (B.3)
==================================  =======================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slth_theory.invariants import (
    InvariantViolation,
    assert_lemma4,
    assert_uniformly_homogeneous,
    lemma4_tolerances,
)
from slth_theory.model.network import Network

__all__ = ["CLAIMS", "Claim", "Counterexample", "shrunk_counterexample"]

DATA_NAME = "shrunk_counterexamples.json"


def _net_to_json(net: Network) -> dict[str, Any]:
    return {"widths": net.widths, "output_activation": net.output_activation,
            "weights": [w.tolist() for w in net.weights],
            "biases": [b.tolist() for b in net.biases]}


def _net_from_json(d: dict[str, Any]) -> Network:
    widths = [int(v) for v in d["widths"]]
    ws = [np.asarray(w, dtype=np.float64).reshape(widths[i + 1], widths[i])
          for i, w in enumerate(d["weights"])]
    bs = [np.asarray(b, dtype=np.float64).reshape(widths[i + 1])
          for i, b in enumerate(d["biases"])]
    return Network(ws, bs, str(d["output_activation"]))


@dataclass(frozen=True)
class Counterexample:
    """A concrete example that violates a printed statement.

    Attributes
    ----------
    name : str
        The claim (a key of :data:`CLAIMS`).
    statement, where : str
        The statement as printed and where it is printed.
    example : dict
        ``network`` (a :class:`~slth_theory.model.network.Network`) and the other values
        the claim quantifies over (``s``, ``x``, ``eps``, ``signs``, ...).
    message : str
        The violation, as :mod:`slth_theory.invariants` words it.
    search : dict
        How it was found (hypothesis version, example budget).
    """

    name: str
    statement: str
    where: str
    example: dict[str, Any]
    message: str
    search: dict[str, Any] = field(default_factory=dict)

    @property
    def network(self) -> Network:
        return self.example["network"]

    @property
    def depth(self) -> int:
        return self.network.depth

    @property
    def width(self) -> int:
        """Largest width of the network (inputs and outputs included)."""
        return max(self.network.widths)

    def replay(self) -> str:
        """Re-decide the violation from the stored numbers; return its message.

        Raises
        ------
        AssertionError
            If the stored example no longer violates the statement.
        """
        msg = CLAIMS[self.name].violation(self.example)
        if msg is None:
            raise AssertionError(f"{self.name}: the stored example no longer violates "
                                 f"the statement")
        return msg

    def to_json(self) -> dict[str, Any]:
        claim = CLAIMS[self.name]
        return {"name": self.name, "statement": self.statement, "where": self.where,
                "example": claim.encode(self.example), "message": self.message,
                "search": dict(self.search)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Counterexample:
        name = str(d["name"])
        if name not in CLAIMS:
            raise ValueError(f"unknown claim {name!r}; known: {sorted(CLAIMS)}")
        return cls(name, str(d["statement"]), str(d["where"]),
                   CLAIMS[name].decode(d["example"]), str(d["message"]),
                   dict(d.get("search", {})))

    def __repr__(self) -> str:
        return (f"Counterexample({self.name!r}, widths={self.network.widths}, "
                f"{self.message!r})")


@dataclass(frozen=True)
class Claim:
    """A printed statement and how to decide a concrete example against it."""

    name: str
    statement: str
    where: str
    violation: Callable[[dict[str, Any]], str | None]
    encode: Callable[[dict[str, Any]], dict[str, Any]]
    decode: Callable[[dict[str, Any]], dict[str, Any]]

    def violated(self, example: dict[str, Any]) -> bool:
        """True if ``example`` violates the statement (for ``hypothesis.find``)."""
        return self.violation(example) is not None

    def counterexample(self, example: dict[str, Any], search: dict | None = None
                       ) -> Counterexample:
        msg = self.violation(example)
        if msg is None:
            raise ValueError(f"{self.name}: the example does not violate the statement")
        return Counterexample(self.name, self.statement, self.where, dict(example), msg,
                              dict(search or {}))


# ------------------------------------------------------- Section 3.1 with biases


def _homogeneity_violation(ex: dict[str, Any]) -> str | None:
    try:
        assert_uniformly_homogeneous(ex["network"], ex["s"], ex["x"])
    except InvariantViolation as err:
        return str(err)
    return None


def _homogeneity_encode(ex):
    return {"network": _net_to_json(ex["network"]), "s": float(ex["s"]),
            "x": np.asarray(ex["x"], dtype=float).tolist()}


def _homogeneity_decode(d):
    return {"network": _net_from_json(d["network"]), "s": float(d["s"]),
            "x": np.asarray(d["x"], dtype=np.float64)}


# ------------------------------------------------------- Lemma 4 as printed


def lemma4_approximation(ex: dict[str, Any]) -> Network:
    """The approximation of a Lemma 4 example: every non-zero parameter of layer ``l`` of
    the target moved by exactly ``eps_l`` in the stored direction."""
    from slth_theory.theory.lemma4_attack import perturb

    tols = lemma4_tolerances(ex["network"], ex["eps"], ex["version"])
    return perturb(ex["network"], tols, signs=ex["signs"])


def _lemma4_violation(ex: dict[str, Any]) -> str | None:
    try:
        assert_lemma4(ex["network"], lemma4_approximation(ex), ex["eps"], ex["x"],
                      version=ex["version"])
    except InvariantViolation as err:
        return str(err)
    return None


def _lemma4_encode(ex):
    return {"network": _net_to_json(ex["network"]), "eps": float(ex["eps"]),
            "version": ex["version"], "x": np.asarray(ex["x"], dtype=float).tolist(),
            "signs": [[np.asarray(sw, float).tolist(), np.asarray(sb, float).tolist()]
                      for sw, sb in ex["signs"]]}


def _lemma4_decode(d):
    net = _net_from_json(d["network"])
    signs = [(np.asarray(sw, dtype=np.float64).reshape(w.shape),
              np.asarray(sb, dtype=np.float64).reshape(b.shape))
             for (sw, sb), w, b in zip(d["signs"], net.weights, net.biases, strict=True)]
    return {"network": net, "eps": float(d["eps"]), "version": str(d["version"]),
            "x": np.asarray(d["x"], dtype=np.float64), "signs": signs}


_L4 = ("if every parameter of layer l of f_eps is within eps_l of f's, then "
       "sup_x ||f(x) - f_eps(x)||_2 <= eps, with eps_l = eps / (L {count} (1 + sup ||x^({idx})"
       "||_1) prod_{{k=l+1}}^L (||W^(l)||_max + eps/L))")

#: The printed statements that do not hold, by name.
CLAIMS: dict[str, Claim] = {c.name: c for c in (
    Claim("section3.homogeneity-with-biases",
          "every ReLU network is positively homogeneous in its parameters, f(x | s theta) = "
          "s^L f(x | theta) for s > 0 -- here for networks whose biases are all non-zero",
          "Section 3.1 (true for zero biases; the paper notes it fails with biases)",
          _homogeneity_violation, _homogeneity_encode, _homogeneity_decode),
    Claim("lemma4.main", _L4.format(count="sqrt(n_l k_l,max)", idx="l"),
          "Lemma 4, Section 4", _lemma4_violation, _lemma4_encode, _lemma4_decode),
    Claim("lemma4.appendix", _L4.format(count="sqrt(m_l)", idx="l-1"),
          "Lemma 4, appendix B.3, Eq. (B.3)", _lemma4_violation, _lemma4_encode,
          _lemma4_decode),
)}


def shrunk_counterexample(name: str) -> Counterexample:
    """The shipped shrunk counterexample to the printed statement ``name``.

    Parameters
    ----------
    name : str
        One of :data:`CLAIMS`.

    Returns
    -------
    Counterexample
        Its :meth:`~Counterexample.replay` re-decides the violation from the stored numbers.

    Notes
    -----
    Found by :func:`slth_theory.testing.search_counterexample` (hypothesis, derandomized,
    default example budget) and stored by :func:`write_shrunk_counterexamples`.
    """
    from slth_theory.data import read_json

    if name not in CLAIMS:
        raise ValueError(f"name must be one of {sorted(CLAIMS)}; got {name!r}")
    stored = {d["name"]: d for d in read_json(DATA_NAME)["counterexamples"]}
    if name not in stored:
        raise ValueError(f"no stored counterexample for {name!r}")
    return Counterexample.from_json(stored[name])
