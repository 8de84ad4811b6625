"""Strong lottery tickets: masks over a mother network's unmodified parameters.

A ticket is the mother network's *unmodified* initial parameters ``theta``, a boolean
mask for every weight and every bias, and one positive output scale ``lambda``. Its
function is ``lambda * f(x | theta * mask)`` (Theorem 5 and Section 5 of the paper).

Densities are always the *fraction kept* (the paper's ``rho``): ``density`` counts
weights only, as the paper defines ``rho``; ``density_with_biases`` counts weights
and biases together.

A ticket is immutable: its fields cannot be reassigned, its masks are read-only copies,
and the mother's weight and bias arrays are made read-only when the ticket is built (a
ticket is defined over the *unmodified* parameters; ``mother.copy()`` gives a writable
network). It evaluates through its :class:`CompactForm` -- the kept parameters only, dead
neurons removed, very sparse layers as CSR matrices -- built on first use and cached, so
a forward pass never copies the masked mother. The cache is rebuilt if an array of the
mother is replaced (``mother.weights[i] = ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from slth_theory.model.network import Network

__all__ = ["CompactForm", "Ticket", "compact_form"]

#: Layers denser than this fraction of kept non-zero weights are stored dense.
SPARSE_DENSITY = 0.05
#: Layers with at most this many entries are always stored dense.
DENSE_SIZE = 10_000


def _as_mask(m, name: str) -> np.ndarray:
    """A read-only boolean copy; integer or float arrays are accepted only if every entry
    is 0 or 1."""
    arr = np.asarray(m)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iuf" or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name} must be boolean (or 0/1); got dtype {arr.dtype}")
    arr = np.array(arr, dtype=bool)  # a copy: the ticket owns its masks
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class CompactForm:
    """``scale * f(x)`` of a ticket over its kept parameters, without dead neurons.

    Attributes
    ----------
    weights : tuple of ndarray or scipy.sparse.csr_matrix
        Layer ``l`` maps the kept neurons of layer ``l-1`` to those of layer ``l``.
    biases : tuple of ndarray
    output_activation : str
    scale : float
    kept : tuple of ndarray
        Indices of the mother's neurons kept in layers ``0..L`` (all inputs and outputs).

    Notes
    -----
    A hidden neuron is dropped when it has no kept non-zero incoming weight and no kept
    non-zero bias (it outputs ``phi(0) = 0``) or no kept non-zero outgoing weight; the
    function is unchanged.
    """

    weights: tuple
    biases: tuple
    output_activation: str
    scale: float
    kept: tuple

    @property
    def n_in(self) -> int:
        return int(self.weights[0].shape[1])

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``scale * f(x)`` on a batch ``x`` of shape ``(batch, n0)``."""
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = (w @ h.T).T + b if sp.issparse(w) else h @ w.T + b
            if i < last or self.output_activation == "relu":
                h = np.maximum(h, 0.0)
        return self.scale * h


def compact_form(mother: Network, weight_masks, bias_masks, output_scale: float
                 ) -> CompactForm:
    """Build the :class:`CompactForm` of masks over ``mother`` (no dense masked copy of a
    large layer is ever formed: large layers go through their kept entries' indices)."""
    L = mother.depth
    mats = []
    for w, m in zip(mother.weights, weight_masks, strict=True):
        if w.size <= DENSE_SIZE:
            mats.append(np.where(m, w, 0.0))
        else:
            r, c = np.nonzero(m & (w != 0))
            mats.append(sp.csr_matrix((w[r, c], (r, c)), shape=w.shape))
    bs = [np.where(m, b, 0.0) for b, m in zip(mother.biases, bias_masks, strict=True)]

    def rows_alive(a):
        return np.diff(a.indptr) > 0 if sp.issparse(a) else np.any(a != 0, axis=1)

    def cols_alive(a):
        if sp.issparse(a):
            out = np.zeros(a.shape[1], bool)
            out[a.indices] = True
            return out
        return np.any(a != 0, axis=0)

    keep = [np.arange(mother.widths[0])]
    for i in range(L - 1):
        alive = (rows_alive(mats[i]) | (bs[i] != 0)) & cols_alive(mats[i + 1])
        keep.append(np.nonzero(alive)[0])
    keep.append(np.arange(mother.widths[-1]))
    new_w, new_b = [], []
    for i in range(L):
        rows, cols = keep[i + 1], keep[i]
        if sp.issparse(mats[i]):
            w = mats[i][rows][:, cols]
            if w.shape[0] * w.shape[1] <= DENSE_SIZE or \
                    w.nnz >= SPARSE_DENSITY * w.shape[0] * w.shape[1]:
                w = w.toarray()
        else:
            w = np.ascontiguousarray(mats[i][np.ix_(rows, cols)])
        new_w.append(w)
        new_b.append(bs[i][rows])
    return CompactForm(tuple(new_w), tuple(new_b), mother.output_activation,
                       float(output_scale), tuple(keep))


def _freeze(a: np.ndarray) -> None:
    if a.flags.writeable:
        a.setflags(write=False)


@dataclass(frozen=True, eq=False)
class Ticket:
    """A pruned subnetwork of a mother network, with an output scale.

    Parameters
    ----------
    mother : Network
        The mother network with its unmodified initial parameters (its arrays are made
        read-only).
    weight_masks, bias_masks : list of ndarray of bool
        ``True`` = kept. Same shapes as the mother's weights and biases (copied).
    output_scale : float
        ``lambda > 0``; the ticket computes ``lambda * f(x | theta * mask)``.
    meta : dict
        Provenance (how the ticket was found, seed, ...).

    Notes
    -----
    Theorem 5: ``||f - lambda f_eps||_inf <= eps`` with ``f_eps`` a pruned mother.
    Immutable (see the module docstring); ``dataclasses.replace(ticket, output_scale=2.0)``
    makes a changed copy.
    """

    mother: Network
    weight_masks: list[np.ndarray]
    bias_masks: list[np.ndarray]
    output_scale: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        L = self.mother.depth
        if len(self.weight_masks) != L or len(self.bias_masks) != L:
            raise ValueError(
                f"a ticket over a depth-{L} mother needs {L} weight masks and {L} bias masks; "
                f"got {len(self.weight_masks)} and {len(self.bias_masks)}"
            )
        wm = [_as_mask(m, f"weight_mask_{i}") for i, m in enumerate(self.weight_masks)]
        bm = [_as_mask(m, f"bias_mask_{i}") for i, m in enumerate(self.bias_masks)]
        for i in range(L):
            if wm[i].shape != self.mother.weights[i].shape:
                raise ValueError(
                    f"weight_mask_{i} has shape {wm[i].shape}; "
                    f"expected {self.mother.weights[i].shape}"
                )
            if bm[i].shape != self.mother.biases[i].shape:
                raise ValueError(
                    f"bias_mask_{i} has shape {bm[i].shape}; "
                    f"expected {self.mother.biases[i].shape}"
                )
        scale = float(self.output_scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"output_scale must be finite and > 0; got {self.output_scale!r}")
        for a in (*self.mother.weights, *self.mother.biases):
            _freeze(a)
        object.__setattr__(self, "weight_masks", wm)
        object.__setattr__(self, "bias_masks", bm)
        object.__setattr__(self, "output_scale", scale)
        object.__setattr__(self, "_cache", None)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None  # rebuilt on first use; never shipped with the ticket
        return state

    def __repr__(self) -> str:
        return (f"Ticket(widths={self.widths}, density={self.density:.4g}, "
                f"density_with_biases={self.density_with_biases:.4g}, "
                f"output_scale={self.output_scale:.6g})")

    def __eq__(self, other: object) -> bool:
        """Same mother (every parameter exactly), masks and output scale (``meta`` is
        provenance and not compared); ``NotImplemented`` for other types."""
        if not isinstance(other, Ticket):
            return NotImplemented
        return (self.output_scale == other.output_scale and self.mother == other.mother
                and all(np.array_equal(a, b) for a, b in
                        zip(self.weight_masks + self.bias_masks,
                            other.weight_masks + other.bias_masks, strict=True)))

    __hash__ = None  # compared by value: not hashable

    @classmethod
    def full(cls, mother: Network, output_scale: float = 1.0) -> Ticket:
        """The ticket that keeps every parameter."""
        return cls(
            mother,
            [np.ones(w.shape, bool) for w in mother.weights],
            [np.ones(b.shape, bool) for b in mother.biases],
            output_scale,
        )

    @property
    def output_activation(self) -> str:
        return self.mother.output_activation

    @property
    def widths(self) -> list[int]:
        return self.mother.widths

    @property
    def n_kept_weights(self) -> int:
        return int(sum(np.count_nonzero(m) for m in self.weight_masks))

    @property
    def n_kept_biases(self) -> int:
        return int(sum(np.count_nonzero(m) for m in self.bias_masks))

    @property
    def density(self) -> float:
        """Fraction of weights kept (the paper's ``rho``; biases not counted)."""
        return self.n_kept_weights / self.mother.n_weights

    @property
    def density_with_biases(self) -> float:
        """Fraction of weights and biases kept, counted together."""
        return (self.n_kept_weights + self.n_kept_biases) / self.mother.n_params

    def _key(self) -> tuple:
        m = self.mother
        return (id(m.weights), id(m.biases), m.output_activation,
                *(id(a) for a in m.weights), *(id(a) for a in m.biases))

    def compact(self) -> CompactForm:
        """The cached :class:`CompactForm` (``lambda * f(x | theta * mask)``)."""
        cache = self.__dict__.get("_cache")
        key = self._key()
        if cache is None or cache[0] != key:
            form = compact_form(self.mother, self.weight_masks, self.bias_masks,
                                self.output_scale)
            cache = (key, form)
            object.__setattr__(self, "_cache", cache)
        return cache[1]

    def pruned_network(self) -> Network:
        """``f(. | theta * mask)`` as a plain dense network (without the output scale)."""
        return Network(
            [w * m for w, m in zip(self.mother.weights, self.weight_masks, strict=True)],
            [b * m for b, m in zip(self.mother.biases, self.bias_masks, strict=True)],
            self.mother.output_activation,
            dict(self.mother.meta),
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``lambda * f(x | theta * mask)`` for ``x`` of shape ``(batch, n0)`` or ``(n0,)``."""
        x = np.asarray(x, dtype=np.float64)
        n0 = self.widths[0]
        single = x.ndim == 1
        xb = x[None, :] if single else x
        if xb.ndim != 2 or xb.shape[1] != n0:
            raise ValueError(f"x must have shape (batch, {n0}) or ({n0},); got {x.shape}")
        out = self.compact().forward(xb)
        return out[0] if single else out

    __call__ = forward
