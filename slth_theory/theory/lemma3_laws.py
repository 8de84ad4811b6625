"""Lemma 3's hypotheses on the weight and bias laws, decided exactly on small discrete laws.

Lemma 3 assumes weights and biases drawn independently from laws *symmetric around 0*.
Its proof uses (i) zero mean and independence (``E h^2 = s_w^2 ||x||^2 + s_b^2``) and
(ii) symmetry of the pre-activation (``E phi(h)^2 = E h^2 / 2``). Here the output second
moment of a small network is computed *exactly* (rational arithmetic, enumeration of every
parameter value) for discrete laws that have or lack each property, and compared with the
formula evaluated with the laws' variances.

A law is a tuple of ``(value, probability)`` pairs of :class:`fractions.Fraction`.

Notes
-----
Lemma 3 (Section 3.2) and its proof in appendix B.2.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

Law = tuple[tuple[Fraction, Fraction], ...]


def law(*pairs: tuple[object, object]) -> Law:
    """A discrete law from ``(value, probability)`` pairs (probabilities must sum to 1)."""
    out = tuple((Fraction(v), Fraction(p)) for v, p in pairs)
    if sum(p for _, p in out) != 1 or any(p < 0 for _, p in out):
        raise ValueError(f"probabilities must be >= 0 and sum to 1; got {pairs}")
    return out


def mean(d: Law) -> Fraction:
    return sum((v * p for v, p in d), Fraction(0))


def variance(d: Law) -> Fraction:
    m = mean(d)
    return sum(((v - m) ** 2 * p for v, p in d), Fraction(0))


def is_symmetric(d: Law) -> bool:
    """``P(X = v) = P(X = -v)`` for every ``v``."""
    prob: dict[Fraction, Fraction] = {}
    for v, p in d:
        prob[v] = prob.get(v, Fraction(0)) + p
    return all(prob.get(-v, Fraction(0)) == p for v, p in prob.items())


#: The laws used to test the hypotheses: name -> law.
LAWS: dict[str, Law] = {
    "rademacher": law((-1, "1/2"), (1, "1/2")),
    "three-point": law((-2, "1/8"), (0, "3/4"), (2, "1/8")),
    "skewed zero-mean": law((-2, "1/3"), (1, "2/3")),
    "shifted": law((0, "1/2"), (2, "1/2")),
}


def _relu(v: Fraction) -> Fraction:
    return v if v > 0 else Fraction(0)


def exact_second_moment(widths: Sequence[int], w_law: Law, b_law: Law,
                        x0: Sequence[object], tied: bool = False) -> Fraction:
    """``E ||x^(L)||_2^2`` exactly, for i.i.d. weights ``~ w_law`` and biases ``~ b_law``.

    Parameters
    ----------
    widths : sequence of int
        ``[n_0, ..., n_L]``; ReLU after every layer (as in the proof). Keep it small: the
        cost is the number of parameter combinations of one layer times the support of the
        previous layer's distribution.
    w_law, b_law : Law
    x0 : sequence
        The input (converted to Fractions).
    tied : bool
        If True, all weights of a neuron share one draw (violates independence).

    Returns
    -------
    Fraction
    """
    if len(widths) < 2:
        raise ValueError("widths needs at least two entries")
    dist: dict[tuple[Fraction, ...], Fraction] = {tuple(Fraction(v) for v in x0): Fraction(1)}
    if len(x0) != widths[0]:
        raise ValueError(f"x0 must have {widths[0]} entries; got {len(x0)}")
    for n_prev, n in zip(widths[:-1], widths[1:], strict=True):
        k = 1 if tied else n_prev
        # distribution of one neuron's (weights, bias) is the same for every neuron;
        # neurons are independent given the previous layer
        neuron = list(itertools.product(w_law, repeat=k))
        new: dict[tuple[Fraction, ...], Fraction] = {}
        for x, px in dist.items():
            # law of one neuron's output given x
            single: dict[Fraction, Fraction] = {}
            for ws in neuron:
                pw = Fraction(1)
                for _, p in ws:
                    pw *= p
                wx = (sum((w * xv for (w, _), xv in zip(ws, x, strict=True)), Fraction(0))
                      if not tied else ws[0][0] * sum(x, Fraction(0)))
                for b, pb in b_law:
                    y = _relu(wx + b)
                    single[y] = single.get(y, Fraction(0)) + pw * pb
            for combo in itertools.product(single.items(), repeat=n):
                p = px
                for _, q in combo:
                    p *= q
                key = tuple(v for v, _ in combo)
                new[key] = new.get(key, Fraction(0)) + p
        dist = new
    return sum((p * sum((v * v for v in x), Fraction(0)) for x, p in dist.items()), Fraction(0))


def formula_second_moment(widths: Sequence[int], w_var: Fraction, b_var: Fraction,
                          x0: Sequence[object]) -> Fraction:
    """Lemma 3's value ``m_L`` from ``m_l = n_l/2 (s_w^2 m_(l-1) + s_b^2)``, exactly."""
    m = sum((Fraction(v) ** 2 for v in x0), Fraction(0))
    for n in widths[1:]:
        m = Fraction(n, 2) * (w_var * m + b_var)
    return m


def hypothesis_table(widths: Sequence[int] = (1, 2, 1), x0: Sequence[object] = (1,)
                     ) -> list[dict]:
    """Exact second moment vs the formula for every pair of test laws (and tied weights).

    Returns
    -------
    list of dict
        ``weights``, ``biases`` (law names), ``tied``, ``exact``, ``formula`` (Fractions),
        ``symmetric`` (both laws symmetric), ``zero_mean`` (both laws zero-mean).
    """
    rows = []
    for wn, wl in LAWS.items():
        for bn, bl in LAWS.items():
            for tied in (False, True):
                if tied and (wn != bn or widths[0] < 2 and len(x0) < 2):
                    continue
                ex = exact_second_moment(widths, wl, bl, x0, tied=tied)
                fo = formula_second_moment(widths, variance(wl), variance(bl), x0)
                rows.append({"weights": wn, "biases": bn, "tied": tied, "exact": ex,
                             "formula": fo,
                             "symmetric": is_symmetric(wl) and is_symmetric(bl),
                             "zero_mean": mean(wl) == 0 and mean(bl) == 0})
    return rows
