"""Strong lottery tickets: masks over a mother network's unmodified parameters.

A ticket is the mother network's *unmodified* initial parameters ``theta``, a boolean
mask for every weight and every bias, and one positive output scale ``lambda``. Its
function is ``lambda * f(x | theta * mask)`` (Theorem 5 and Section 5 of the paper).

Densities are always the *fraction kept* (the paper's ``rho``): ``density`` counts
weights only, as the paper defines ``rho``; ``density_with_biases`` counts weights
and biases together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slth_theory.model.network import Network


def _as_mask(m, name: str) -> np.ndarray:
    """A boolean mask; integer or float arrays are accepted only if every entry is 0 or 1."""
    arr = np.asarray(m)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iuf" or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name} must be boolean (or 0/1); got dtype {arr.dtype}")
        arr = arr.astype(bool)
    return arr


@dataclass
class Ticket:
    """A pruned subnetwork of a mother network, with an output scale.

    Parameters
    ----------
    mother : Network
        The mother network with its unmodified initial parameters.
    weight_masks, bias_masks : list of ndarray of bool
        ``True`` = kept. Same shapes as the mother's weights and biases.
    output_scale : float
        ``lambda > 0``; the ticket computes ``lambda * f(x | theta * mask)``.
    meta : dict
        Provenance (how the ticket was found, seed, ...).

    Notes
    -----
    Theorem 5: ``||f - lambda f_eps||_inf <= eps`` with ``f_eps`` a pruned mother.
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
        self.weight_masks = [_as_mask(m, f"weight_mask_{i}")
                             for i, m in enumerate(self.weight_masks)]
        self.bias_masks = [_as_mask(m, f"bias_mask_{i}") for i, m in enumerate(self.bias_masks)]
        for i in range(L):
            if self.weight_masks[i].shape != self.mother.weights[i].shape:
                raise ValueError(
                    f"weight_mask_{i} has shape {self.weight_masks[i].shape}; "
                    f"expected {self.mother.weights[i].shape}"
                )
            if self.bias_masks[i].shape != self.mother.biases[i].shape:
                raise ValueError(
                    f"bias_mask_{i} has shape {self.bias_masks[i].shape}; "
                    f"expected {self.mother.biases[i].shape}"
                )
        scale = float(self.output_scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"output_scale must be finite and > 0; got {self.output_scale!r}")
        self.output_scale = scale

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
        return int(sum(m.sum() for m in self.weight_masks))

    @property
    def n_kept_biases(self) -> int:
        return int(sum(m.sum() for m in self.bias_masks))

    @property
    def density(self) -> float:
        """Fraction of weights kept (the paper's ``rho``; biases not counted)."""
        return self.n_kept_weights / self.mother.n_weights

    @property
    def density_with_biases(self) -> float:
        """Fraction of weights and biases kept, counted together."""
        return (self.n_kept_weights + self.n_kept_biases) / self.mother.n_params

    def pruned_network(self) -> Network:
        """``f(. | theta * mask)`` as a plain network (without the output scale)."""
        return Network(
            [w * m for w, m in zip(self.mother.weights, self.weight_masks, strict=True)],
            [b * m for b, m in zip(self.mother.biases, self.bias_masks, strict=True)],
            self.mother.output_activation,
            dict(self.mother.meta),
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``lambda * f(x | theta * mask)``."""
        return self.output_scale * self.pruned_network().forward(x)

    __call__ = forward

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

    __hash__ = None  # mutable arrays: not hashable
