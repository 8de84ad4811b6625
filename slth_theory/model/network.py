"""Fully connected ReLU networks with biases: the model every other module works on.

A network of depth ``L`` and architecture ``[n0, n1, ..., nL]`` maps an input
``x^(0)`` to ``x^(l) = phi(h^(l))``, ``h^(l) = W^(l) x^(l-1) + b^(l)`` (Section 1.2 of
the paper). Hidden activations are ReLU; the output activation is ``relu`` (as in
the paper) or ``identity`` (regression outputs and logits).

Storage convention: ``weights[l-1]`` is ``W^(l)`` with shape ``(n_l, n_{l-1})``
(rows are output neurons; the paper writes the transposed shape) and
``biases[l-1]`` is ``b^(l)`` with shape ``(n_l,)``, all float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

OUTPUT_ACTIVATIONS = ("relu", "identity")


def parse_widths(widths: Sequence[int] | str) -> list[int]:
    """Validate an architecture ``[n0, n1, ..., nL]``.

    Parameters
    ----------
    widths : sequence of int or str
        Layer widths, input first; a string such as ``"2,100,100,1"`` is accepted.

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        If fewer than two widths are given or any width is below 1.
    """
    if isinstance(widths, str):
        parts = [p.strip() for p in widths.split(",") if p.strip()]
        try:
            widths = [int(p) for p in parts]
        except ValueError:
            raise ValueError(
                f"arch must be comma-separated integers like 2,100,1; got {widths!r}"
            ) from None
    out = []
    for w in widths:
        if isinstance(w, bool) or int(w) != w:
            raise ValueError(f"arch widths must be integers; got {w!r}")
        out.append(int(w))
    if len(out) < 2:
        raise ValueError(f"arch needs at least two widths [n0, n1]; got {out}")
    if min(out) < 1:
        raise ValueError(f"arch widths must be >= 1; got {out}")
    return out


def relu(x: np.ndarray) -> np.ndarray:
    """ReLU ``phi(x) = max(x, 0)``."""
    return np.maximum(x, 0.0)


@dataclass
class Network:
    """A fully connected ReLU network with biases.

    Parameters
    ----------
    weights : list of ndarray
        ``weights[l]`` has shape ``(n_{l+1}, n_l)``, float64.
    biases : list of ndarray
        ``biases[l]`` has shape ``(n_{l+1},)``, float64.
    output_activation : {'relu', 'identity'}
        Activation of the last layer; hidden layers always use ReLU.
    meta : dict
        Free-form provenance (scheme, seed, library version); saved with the network.

    Notes
    -----
    Section 1.2 of the paper: ``x^(l) = phi(W^(l) x^(l-1) + b^(l))``.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    output_activation: str = "relu"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.output_activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(
                f"output_activation must be one of {OUTPUT_ACTIVATIONS}; "
                f"got {self.output_activation!r}"
            )
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError(
                f"weights and biases must be non-empty lists of equal length; got "
                f"{len(self.weights)} weights and {len(self.biases)} biases"
            )
        self.weights = [np.asarray(w, dtype=np.float64) for w in self.weights]
        self.biases = [np.asarray(b, dtype=np.float64) for b in self.biases]
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if w.ndim != 2:
                raise ValueError(f"weight_{i} must be 2-D (n_out, n_in); got shape {w.shape}")
            if b.shape != (w.shape[0],):
                raise ValueError(
                    f"bias_{i} must have shape ({w.shape[0]},) to match weight_{i}; "
                    f"got {b.shape}"
                )
            if i > 0 and w.shape[1] != self.weights[i - 1].shape[0]:
                raise ValueError(
                    f"weight_{i} has {w.shape[1]} inputs but layer {i} has "
                    f"{self.weights[i - 1].shape[0]} neurons"
                )

    # ------------------------------------------------------------------ shape
    @property
    def widths(self) -> list[int]:
        """Architecture ``[n0, n1, ..., nL]``."""
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    @property
    def depth(self) -> int:
        """Number of layers ``L`` (weight matrices)."""
        return len(self.weights)

    @property
    def n_weights(self) -> int:
        """Number of weight entries."""
        return int(sum(w.size for w in self.weights))

    @property
    def n_biases(self) -> int:
        """Number of bias entries."""
        return int(sum(b.size for b in self.biases))

    @property
    def n_params(self) -> int:
        """Number of weights plus biases."""
        return self.n_weights + self.n_biases

    # ---------------------------------------------------------------- forward
    def forward(self, x: np.ndarray, return_activations: bool = False):
        """Evaluate the network on a batch of inputs.

        Parameters
        ----------
        x : ndarray, shape (batch, n0) or (n0,)
            Inputs.
        return_activations : bool
            If True, also return ``[x^(0), x^(1), ..., x^(L)]`` (post-activation).

        Returns
        -------
        out : ndarray, shape (batch, nL) or (nL,)
        activations : list of ndarray, only if ``return_activations``
        """
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        xb = x[None, :] if single else x
        if xb.ndim != 2 or xb.shape[1] != self.widths[0]:
            raise ValueError(
                f"x must have shape (batch, {self.widths[0]}) or ({self.widths[0]},); "
                f"got {x.shape}"
            )
        acts = [xb]
        h = xb
        last = self.depth - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.T + b
            if i < last or self.output_activation == "relu":
                h = np.maximum(h, 0.0)
            acts.append(h)
        out = h[0] if single else h
        if return_activations:
            if single:
                acts = [a[0] for a in acts]
            return out, acts
        return out

    __call__ = forward

    # ------------------------------------------------------------ comparison
    def __repr__(self) -> str:
        prov = "".join(f", {k}={self.meta[k]!r}" for k in ("scheme", "seed")
                       if self.meta.get(k) is not None)
        return (f"Network(widths={self.widths}, output_activation={self.output_activation!r}, "
                f"n_params={self.n_params}{prov})")

    def __eq__(self, other: object) -> bool:
        """Same architecture, output activation and every parameter exactly (``meta`` is
        provenance and not compared); ``NotImplemented`` for other types."""
        if not isinstance(other, Network):
            return NotImplemented
        return (self.output_activation == other.output_activation
                and self.widths == other.widths
                and all(np.array_equal(a, b) for a, b in
                        zip(self.weights + self.biases, other.weights + other.biases,
                            strict=True)))

    __hash__ = None  # mutable arrays: not hashable

    def copy(self) -> Network:
        """Deep copy."""
        return Network(
            [w.copy() for w in self.weights],
            [b.copy() for b in self.biases],
            self.output_activation,
            dict(self.meta),
        )


def forward_reference(net: Network, x: np.ndarray) -> np.ndarray:
    """Plain per-sample, per-neuron loop evaluation (slow reference for tests/benchmarks).

    Parameters
    ----------
    net : Network
    x : ndarray, shape (batch, n0)

    Returns
    -------
    ndarray, shape (batch, nL)
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty((x.shape[0], net.widths[-1]))
    for s in range(x.shape[0]):
        a = list(x[s])
        for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            new = []
            for r in range(w.shape[0]):
                h = float(b[r])
                for c in range(w.shape[1]):
                    h += float(w[r, c]) * a[c]
                if i < net.depth - 1 or net.output_activation == "relu":
                    h = max(h, 0.0)
                new.append(h)
            a = new
        out[s] = a
    return out
