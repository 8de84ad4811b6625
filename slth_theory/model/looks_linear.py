"""Looks-linear orthogonal initialization with biases (Section 3.2).

A looks-linear network computes, at initialization, ``[W0; -W0]``-structured layers whose
ReLUs pass ``phi(z) - phi(-z) = z``: layer 1 is ``[[W0], [-W0]]``, hidden layers are
``[[W0, -W0], [-W0, W0]]`` with biases ``[b0, -b0]``, and an identity output reads out
``[W0, -W0]``. The blocks ``W0`` are Haar-distributed semi-orthogonal matrices.
The registered scheme ``looks-linear`` (:mod:`slth_theory.model.schemes`) draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def looks_linear_block_shapes(widths: Sequence[int], output_activation: str = "relu",
                              check: bool = True) -> list[tuple[int, int]]:
    """Shapes ``(p, q)`` of the orthogonal blocks ``W0^(l)`` of a looks-linear network.

    Layer 1: ``(n1/2, n0)``; hidden layers: ``(n_l/2, n_{l-1}/2)``; with an identity
    output, the last layer is the readout ``[W0, -W0]`` with ``W0`` of shape
    ``(n_L, n_{L-1}/2)``. Widths that must be even and are not raise ``ValueError``.
    """
    widths = list(widths)
    L = len(widths) - 1
    shapes = []
    for layer in range(1, L + 1):
        readout = output_activation == "identity" and layer == L
        n_out, n_in = widths[layer], widths[layer - 1]
        if check and not readout and n_out % 2:
            raise ValueError(
                f"looks-linear needs an even width n_{layer} (the layer holds pairs "
                f"[phi(z), phi(-z)]); got n_{layer}={n_out}"
            )
        q = n_in if layer == 1 else n_in // 2
        p = n_out if readout else n_out // 2
        shapes.append((p, q))
    return shapes


def haar_semi_orthogonal(p: int, q: int, rng=None) -> np.ndarray:
    """A Haar-distributed ``p x q`` matrix with orthonormal columns (p >= q) or rows.

    QR of a Gaussian matrix with the signs of ``diag(R)`` folded in (Mezzadri 2007).
    """
    rng = np.random.default_rng(rng)
    tall = p >= q
    g = rng.standard_normal((p, q) if tall else (q, p))
    qm, r = np.linalg.qr(g)
    qm = qm * np.where(np.diag(r) < 0, -1.0, 1.0)
    return qm if tall else qm.T


def looks_linear_layers(
    widths: Sequence[int],
    output_activation: str,
    b0s: list[np.ndarray] | None,
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Build looks-linear weights and biases (Section 3.2).

    Construction (``z`` is the linear signal a layer carries):

    * layer 1, ``W0`` of shape ``(n1/2, n0)``: ``W = [[W0], [-W0]]``, ``b = [b0, -b0]``,
      so ``x^(1) = [phi(z), phi(-z)]`` with ``z = W0 x^(0) + b0`` (any input width);
    * hidden layer ``l``, ``W0`` of shape ``(n_l/2, n_{l-1}/2)``:
      ``W = [[W0, -W0], [-W0, W0]]``, ``b = [b0, -b0]``; since
      ``phi(z) - phi(-z) = z``, ``x^(l) = [phi(z'), phi(-z')]`` with ``z' = W0 z + b0``;
    * identity output: the readout ``W = [W0, -W0]``, ``b = b0``, ``f = W0 z + b0``
      (any output width).

    ``W0`` is Haar semi-orthogonal with unit singular values (no extra scale). Since
    ``||[phi(z), phi(-z)]|| = ||z||``, a zero-bias network whose blocks have
    ``p >= q`` everywhere ("widths never shrink": ``n1/2 >= n0``,
    ``n_l >= n_{l-1}``) maps every input to an output of the same norm; a block with
    ``p < q`` is an orthogonal projection and can only shrink the norm. Entries of
    ``W0`` have marginal variance ``1/max(p, q)`` (``2/n_l`` for hidden layers, as the
    paper states).
    """
    L = len(widths) - 1
    shapes = looks_linear_block_shapes(widths, output_activation)
    W0s = [haar_semi_orthogonal(p, q, rng) for p, q in shapes]
    weights, biases = [], []
    for layer in range(1, L + 1):
        W0 = W0s[layer - 1]
        b0 = np.zeros(W0.shape[0]) if b0s is None else b0s[layer - 1]
        readout = output_activation == "identity" and layer == L
        if layer == 1 and readout:
            W, b = W0, b0
        elif layer == 1:
            W, b = np.vstack([W0, -W0]), np.concatenate([b0, -b0])
        elif readout:
            W, b = np.hstack([W0, -W0]), b0
        else:
            W = np.block([[W0, -W0], [-W0, W0]])
            b = np.concatenate([b0, -b0])
        weights.append(np.ascontiguousarray(W))
        biases.append(np.ascontiguousarray(b, dtype=np.float64))
    return weights, biases
