"""Lemma 3 (Section 3.2, appendix B.2): second moment of the signal norm, per layer, by
Monte Carlo against the printed formula; its hypotheses on the laws (exact enumeration of
small discrete laws and Monte Carlo); the remark on He scaling, also at small widths and
large depths; the looks-linear formula and the marginal law of looks-linear weights.

The expensive part (:func:`measure`) is separate from the verdicts (:func:`rows_from`), so
the mutation tests replace the paper's formulas in :data:`PAPER` and re-derive the
verdicts from one set of measurements.

Tolerances: every Monte Carlo comparison uses ``N_SE = 5`` standard errors. A run makes
at most :data:`MAX_COMPARISONS` such comparisons, so under the normal approximation the
chance that any of them fails although the compared values are equal is at most
``MAX_COMPARISONS * 2 Phi(-5) < 1e-4``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.engine.codec import register_type
from slth_theory.numerics.stats import Comparison, compare, format_estimate
from slth_theory.theory import lemma3 as M
from slth_theory.theory import lemma3_laws as LAWS
from slth_theory.theory import lemma3_mc as MC
from slth_theory.verify.report import (
    CheckOutput,
    ClaimInfo,
    ClaimRow,
    register_check,
    report_progress,
)

N_SE = 5.0
MAX_COMPARISONS = 150
# "E||f||^2 ~ ||x0||^2 + 1" counts as holding approximately when the exact value is within
# this relative distance of the claimed one
HE_REL_TOL = 0.10
_EXACT_RTOL = 1e-12
APPROX_OK = ("holds", "holds approximately")

ARCHS = {
    "A": [10, 100, 100, 100, 100, 100],
    "B": [3, 50, 20, 80, 1],
    "C": [5] + [30] * 8,
    "D": [20, 8, 64, 4],
}
LL_ARCHS = {
    "growing": [4, 16, 32, 64],
    "constant": [8, 32, 32, 32, 32],
    "shrinking": [8, 64, 32, 16, 8],
}
# small widths, large depths (the remark's "even for high depth L")
DEEP = {"normal": [4] + [3] * 5, "uniform": [4] + [4] * 5}


def _paper_closed_form(widths, w_var, b_var, x2: float) -> float:
    return M.lemma3_closed_form(widths, w_var, b_var, x2)


def _paper_looks_linear(widths, x2: float) -> float:
    """Section 3.2: ``||x0||^2 + sum_l sigma_b,l^2 n_l / 2`` (library transcription)."""
    return float(M.looks_linear_second_moments(widths, x2)[0][-1])


#: The paper's formulas and values, injectable.
PAPER: dict[str, Any] = {
    "formula": _paper_closed_form,
    "he_value": lambda x2: x2 + 1.0,
    "looks_linear": _paper_looks_linear,
    "marginal_var": lambda n_l: 2.0 / n_l,
    "marginal_kurtosis": 3.0,
    # the hypothesis of Lemma 3: weight and bias laws symmetric around 0 (independent)
    "hypothesis": lambda w, b, tied: LAWS.is_symmetric(w) and LAWS.is_symmetric(b)
    and not tied,
    # the remark: bias term ~ 1 "even for high depth L" (widths, family) -> claimed term
    "deep_bias_term": lambda widths, family: 1.0,
}


@dataclass(frozen=True)
class Config:
    arch: str
    scheme: str
    bias: str
    mode: str | None = None
    weight_scale: float | None = None
    headline: bool = False

    @property
    def label(self) -> str:
        mode = f" {self.mode}" if self.mode else ""
        ws = f" s={self.weight_scale:g}" if self.weight_scale else ""
        return f"{self.arch} {self.scheme}{mode}{ws} {self.bias}-bias"


def configs(family: str) -> list[Config]:
    """The Monte Carlo configurations of one weight family (``'normal'``/``'uniform'``)."""
    return [
        Config("A", f"he-{family}", "nonzero", "fan_out", headline=True),
        Config("A", f"he-{family}", "nonzero", "fan_in"),
        Config("A", f"he-{family}", "zero", "fan_in"),
        Config("B", f"glorot-{family}", "zero"),
        Config("B", f"glorot-{family}", "nonzero"),
        Config("C", f"he-{family}", "zero", "fan_out"),
        Config("C", f"he-{family}", "nonzero", "fan_out"),
        Config("D", f"theorem5-{family}", "nonzero", weight_scale=0.8),
    ]


def _n_networks(cfg: Config, level: str) -> int:
    if level == "quick":
        return 2500 if cfg.arch == "A" else 5000
    if cfg.arch == "A":   # the non-zero-bias configs feed the He-remark rows
        return 100_000 if cfg.bias == "nonzero" else 40_000
    return 80_000


def _x0(widths: list[int], seed: int, arch: str) -> np.ndarray:
    rng = np.random.default_rng([seed, 3, ord(arch)])
    return rng.uniform(-1.0, 1.0, widths[0])


# ----------------------------------------------------------------------- measuring


def _run_family(family: str, level: str, seed: int, done: list[float], total: float):
    results = []
    for k, cfg in enumerate(configs(family)):
        widths = ARCHS[cfg.arch]
        law = M.layer_law(widths, cfg.scheme, bias=cfg.bias, mode=cfg.mode,
                          weight_scale=cfg.weight_scale)
        x0 = _x0(widths, seed, cfg.arch)
        n = _n_networks(cfg, level)
        cost = n * sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))

        def tick(m, cost=cost, n=n):
            done[0] += cost * m / n
            report_progress(done[0], total)

        est = MC.monte_carlo_second_moments(widths, law, x0, n, rng=[seed, 3, k,
                                           0 if family == "normal" else 1], progress=tick)
        results.append({"config": cfg, "family": family, "estimate": est, "law": law,
                        "x2": float(x0 @ x0), "widths": widths})
    return results


def _discrete_mc(widths: list[int], values: np.ndarray, probs: np.ndarray, n: int,
                 seed) -> tuple[float, float, float]:
    """Monte Carlo ``E||x^(L)||^2`` for i.i.d. weights ``s * X`` (``X`` discrete, variance
    ``v``) with He fan_out scale ``s^2 v = 2 / n_l`` and zero biases, input ``x0 = 1``.

    Returns (estimate, standard error, formula value ``||x0||^2``)."""
    rng = np.random.default_rng(seed)
    var = float(probs @ values ** 2 - (probs @ values) ** 2)
    x0 = np.ones(widths[0])
    out = np.empty(n)
    chunk = 100
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        x = np.broadcast_to(x0, (m, widths[0]))
        for a, b in zip(widths[:-1], widths[1:], strict=True):
            s = np.sqrt(2.0 / b / var)
            w = s * rng.choice(values, size=(m, b, a), p=probs)
            x = np.maximum(np.einsum("mba,ma->mb", w, x), 0.0)
        out[start:start + m] = np.sum(x * x, axis=1)
    return float(out.mean()), float(out.std(ddof=1) / np.sqrt(n)), float(x0 @ x0)


def measure(level: str, seed: int) -> dict[str, Any]:
    """All Monte Carlo estimates of the Lemma 3 rows (the expensive part)."""
    total = 0.0
    for fam in ("normal", "uniform"):
        for cfg in configs(fam):
            w = ARCHS[cfg.arch]
            total += _n_networks(cfg, level) * sum(a * b for a, b in zip(w[:-1], w[1:],
                                                                          strict=True))
    total /= 0.85
    done = [0.0]
    meas: dict[str, Any] = {"normal": _run_family("normal", level, seed, done, total),
                            "uniform": _run_family("uniform", level, seed, done, total)}
    n_ll = 400 if level == "quick" else 8000
    ll = []
    for k, (name, widths) in enumerate(LL_ARCHS.items()):
        x0 = _x0(widths, seed, name[0])
        est = MC.looks_linear_monte_carlo(widths, x0, n_ll, rng=[seed, 5, k])
        ll.append({"name": name, "widths": widths, "x2": float(x0 @ x0), "estimate": est,
                   "n": n_ll})
        done[0] += total * 0.1 / len(LL_ARCHS)
        report_progress(done[0], total)
    meas["looks_linear"] = ll
    meas["marginal"] = _marginal(level, seed)
    n_deep = 20_000 if level == "quick" else 400_000
    deep = {}
    for k, (fam, widths) in enumerate(DEEP.items()):
        law = M.layer_law(widths, f"he-{fam}", bias="nonzero", mode="fan_out")
        x0 = _x0(widths, seed, "E")
        est = MC.monte_carlo_second_moments(widths, law, x0, n_deep, rng=[seed, 7, k])
        deep[fam] = {"widths": widths, "x2": float(x0 @ x0), "estimate": est}
    meas["deep"] = deep
    n_law = 2000 if level == "quick" else 20_000
    wide = [10, 100, 100, 100]
    meas["laws_mc"] = {
        name: _discrete_mc(wide, np.array([float(v) for v, _ in law]),
                           np.array([float(p) for _, p in law]), n_law, [seed, 8, k])
        for k, (name, law) in enumerate(LAWS.LAWS.items()) if name != "shifted"}
    meas["laws_mc_widths"] = wide
    return meas


def _marginal(level: str, seed: int) -> dict[str, Any]:
    from slth_theory.model.schemes import initialize, looks_linear_block_shapes

    widths = [8, 32, 32, 32]
    shapes = looks_linear_block_shapes(widths)
    n = 300 if level == "quick" else 3000
    layer = 1
    p, q = shapes[layer]
    m2, k4 = [], []
    for child in np.random.SeedSequence([seed, 6]).spawn(n):
        w = initialize(widths, "looks-linear", bias="zero", rng=child).weights[layer]
        w0 = w[:p, :q]
        m2.append(np.mean(w0 ** 2))
        k4.append(np.mean(w0 ** 4) * max(p, q) ** 2)
    k4 = np.asarray(k4)
    return {"widths": widths, "layer": layer, "p": p, "q": q, "n": n,
            "mean_square": np.asarray(m2), "kurtosis": float(k4.mean()),
            "kurtosis_se": float(k4.std(ddof=1) / np.sqrt(n))}


# ----------------------------------------------------------------------- verdicts


def _paper_per_layer(formula, widths, w_var, b_var, x2) -> np.ndarray:
    L = len(widths) - 1
    return np.array([x2] + [formula(widths[:l + 1], w_var[:l], b_var[:l], x2)
                            for l in range(1, L + 1)])


def _family_row(family: str, results: list[dict], formula) -> ClaimRow:
    comps = []
    for r in results:
        law = r["law"]
        paper = _paper_per_layer(formula, r["widths"], law.w_var, law.b_var, r["x2"])
        r["paper"] = paper
        r["comparisons"] = r["estimate"].compare(paper, N_SE)
        comps += [(r["config"], c) for c in r["comparisons"]]
    worst_cfg, worst = max(comps, key=lambda t: abs(t[1].z))
    head = next(r for r in results if r["config"].headline)
    hc = head["comparisons"][-1]
    ok = all(c.ok for _, c in comps)
    return ClaimRow(
        f"lemma3.formula.{family}",
        "E||f(x0)||^2 = ||x0||^2 prod n_l s_w,l^2/2 + s_b,L^2 n_L/2 + sum_{l<L} s_b,l^2 "
        "n_l/2 prod_{k>l} n_k s_w,k^2/2 (symmetric independent weights/biases)",
        f"{head['config'].label}, output layer: {hc.describe(5)}, rel. SE "
        f"{hc.rel_stderr:.1e}; {len(results)} configs x every layer ({len(comps)} "
        f"comparisons): max |z| = {abs(worst.z):.2f} ({worst_cfg.label}, {worst.label})",
        "holds" if ok else "wrong",
        f"tolerance {N_SE:g} SE per comparison" if ok else
        f"Monte Carlo differs from the formula by {worst.z:+.1f} SE at {worst_cfg.label}",
        estimate=hc.estimate, stderr=hc.stderr, z=hc.z,
    )


def _closed_form_row(seed: int, formula) -> ClaimRow:
    rng = np.random.default_rng([seed, 31])
    worst = 0.0
    for _ in range(200):
        L = int(rng.integers(1, 9))
        widths = [int(v) for v in rng.integers(1, 200, size=L + 1)]
        wv = rng.uniform(0, 0.1, L)
        bv = rng.uniform(0, 1, L)
        x2 = float(rng.uniform(0, 10))
        a = M.lemma3_second_moments(widths, wv, bv, x2)[-1]
        b = formula(widths, wv, bv, x2)
        worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
    ok = worst < 1e-12
    return ClaimRow(
        "lemma3.closed_form",
        "unrolling E||x^(l)||^2 = n_l/2 (s_w,l^2 E||x^(l-1)||^2 + s_b,l^2) gives the printed "
        "closed form",
        f"printed closed form vs recursion, 200 random architectures: max rel. diff "
        f"{worst:.1e}", "holds" if ok else "wrong",
        "exact algebra (float64 rounding)", estimate=worst)


def he_verdict(mc_vs_paper_ok: bool, mc_vs_exact_ok: bool, exact: float, claimed: float,
               rel_tol: float = HE_REL_TOL) -> str:
    """Verdict on ``E||f(x0)||^2 ~ claimed``.

    ``holds`` if the exact value (Lemma 3) equals ``claimed`` and the Monte Carlo agrees;
    ``holds approximately`` if the exact value is within ``rel_tol`` of ``claimed`` and the
    Monte Carlo agrees with the exact value; ``wrong`` otherwise.
    """
    if abs(exact - claimed) <= _EXACT_RTOL * abs(claimed) and mc_vs_paper_ok:
        return "holds"
    if abs(exact - claimed) <= rel_tol * abs(claimed) and mc_vs_exact_ok:
        return "holds approximately"
    return "wrong"


def he_fan_in_verdict(mc_vs_paper_ok: bool, mc_vs_exact_ok: bool, ratio_ok: bool,
                      fan_out_verdict: str) -> str:
    """Verdict on the He remark read with He's fan_in rule ``2/n_(l-1)``.

    ``holds`` if the Monte Carlo agrees with the claimed value; ``holds under a condition
    the text omits`` (``n_L = n_0``) if it agrees with the exact fan_in value, that value is
    exactly ``n_L/n_0`` times the fan_out one (``ratio_ok``) and the fan_out reading holds
    at least approximately; ``wrong`` otherwise.
    """
    if mc_vs_paper_ok:
        return "holds"
    if mc_vs_exact_ok and ratio_ok and fan_out_verdict in APPROX_OK:
        return "holds under a condition the text omits"
    return "wrong"


def _find(results, arch, scheme, mode, bias):
    for r in results:
        c = r["config"]
        if (c.arch, c.scheme, c.mode, c.bias) == (arch, scheme, mode, bias):
            return r
    raise KeyError((arch, scheme, mode, bias))


def _he_rows(meas: dict[str, Any], p: dict[str, Any]) -> list[ClaimRow]:
    normal, uniform = meas["normal"], meas["uniform"]
    A = ARCHS["A"]
    r_out = _find(normal, "A", "he-normal", "fan_out", "nonzero")
    r_in = _find(normal, "A", "he-normal", "fan_in", "nonzero")
    r_uni = _find(uniform, "A", "he-uniform", "fan_out", "nonzero")
    x2 = r_out["x2"]
    out_ = M.he_claim(A, x2, "fan_out")
    in_ = M.he_claim(A, x2, "fan_in")
    uni = M.he_claim(A, x2, "fan_out", "uniform", "scale")
    claimed = float(p["he_value"](x2))

    def mc(r):
        est = r["estimate"]
        return est.mean[-1], est.stderr[-1]

    def vs(r, value):
        m, se = mc(r)
        return compare(m, se, value, N_SE)

    v_out = he_verdict(vs(r_out, claimed).ok, vs(r_out, out_["total"]).ok, out_["total"],
                       claimed)
    v_uni = he_verdict(vs(r_uni, claimed).ok, vs(r_uni, uni["total"]).ok, uni["total"],
                       claimed)
    ratio_ok = abs(in_["total"] - A[-1] / A[0] * out_["total"]) <= 1e-12 * in_["total"]
    v_in = he_fan_in_verdict(vs(r_in, claimed).ok, vs(r_in, in_["total"]).ok, ratio_ok,
                             v_out)
    paper = ("s_w,l^2 ~ 2/n_l (He) and s_b,l = prod_{m<=l} s_w,m give "
             "E||f(x0)||^2 ~ ||x0||^2 + 1")
    c_out, c_in, c_uni = vs(r_out, out_["total"]), vs(r_in, in_["total"]), \
        vs(r_uni, uni["total"])
    return [
        ClaimRow(
            "lemma3.he_claim", paper,
            f"s_w,l^2 = 2/n_l (fan_out), normal: exactly ||x0||^2 + sum_l prod_(m<l) 2/n_m = "
            f"||x0||^2 + {out_['bias_term']:.6f} for {A}; MC (||x0||^2 = {x2:.4f}): "
            f"{c_out.describe(5)}", v_out,
            f"deviation: bias term {out_['bias_term']:.4f} instead of 1 "
            f"(+{100 * (out_['bias_term'] - 1):.2f}%), vanishes as the widths grow "
            f"(sum_l prod_(m<l) 2/n_m -> 1); '~' = within {100 * HE_REL_TOL:g}%",
            repaired="E||f(x0)||^2 = ||x0||^2 + sum_{l=1}^{L} prod_{m<l} 2/n_m, which is < "
            "||x0||^2 + 1/(1 - 2/min n_l)",
            estimate=c_out.estimate, stderr=c_out.stderr, z=c_out.z),
        ClaimRow(
            "lemma3.he_claim.fan_in", paper + " (as usually realized by He initialization)",
            f"He's forward rule s_w,l^2 = 2/n_(l-1) (PyTorch default): exactly (n_L/n_0) x "
            f"the fan_out value = {in_['input_gain']:g} ||x0||^2 + {in_['bias_term']:.4f} for "
            f"{A}; MC: {c_in.describe(5)}", v_in,
            "condition: n_L = n_0 (or He's fan_out rule 2/n_l, which the text writes); "
            f"MC vs ||x0||^2 + 1: z = {vs(r_in, claimed).z:+.1f}",
            repaired="with sigma_w,l^2 = 2/n_(l-1): E||f(x0)||^2 = (n_L/n_0)(||x0||^2 + "
            "sum_l prod_(m<l) 2/n_m)",
            estimate=c_in.estimate, stderr=c_in.stderr, z=c_in.z),
        ClaimRow(
            "lemma3.he_claim.uniform",
            "uniform proposal w ~ U[-s_w,l, s_w,l], b ~ U[-prod s_w, prod s_w] with He "
            "variance 2/n_l: E||f||^2 ~ ||x0||^2 + 1",
            f"s is a half-width: Var b = (prod s)^2/3 = 3^(l-1) prod Var w, so exactly "
            f"||x0||^2 + sum_l prod_(m<l) 6/n_m = ||x0||^2 + {uni['bias_term']:.6f} for "
            f"{A}; MC: {c_uni.describe(5)}", v_uni,
            f"deviation: bias term {uni['bias_term']:.4f} (+{100 * (uni['bias_term'] - 1):.2f}"
            "%), vanishes as the widths grow; see lemma3.he_claim.depth.uniform for small "
            "widths",
            repaired="E||f(x0)||^2 = ||x0||^2 + sum_{l=1}^{L} prod_{m<l} 6/n_m",
            estimate=c_uni.estimate, stderr=c_uni.stderr, z=c_uni.z),
    ]


@functools.lru_cache(maxsize=4096)
def deep_bias_term(n: int, depth: int, family: str) -> float:
    """Exact bias term of the He remark for widths ``[n0] + [n] * depth`` (Lemma 3)."""
    rule = "std" if family == "normal" else "scale"
    return M.he_claim([n] * (depth + 1), 0.0, "fan_out", family, rule)["bias_term"]


def deep_verdict(claimed, family: str, mc_ok: bool, rel_tol: float = HE_REL_TOL
                 ) -> tuple[str, str, str, dict]:
    """The remark "~ ||x0||^2 + 1 even for high depth L" at widths 2..64, depths 1..60.

    ``holds`` if the exact bias term is within ``rel_tol`` of ``claimed`` everywhere;
    ``holds under a condition the text omits`` if it is beyond some width threshold (the
    condition); ``wrong`` if not even at width 64 or if the Monte Carlo contradicts the
    exact value (``mc_ok`` False).
    """
    base = 2 if family == "normal" else 6
    widths = list(range(2, 101))
    depths = (1, 2, 5, 10, 20, 40, 60)
    table = {n: [deep_bias_term(n, L, family) for L in depths] for n in widths}
    good = {n: all(abs(b - claimed([n] * (L + 1), family)) <= rel_tol * abs(
        claimed([n] * (L + 1), family)) for b, L in zip(table[n], depths, strict=True))
        for n in widths}
    info = {"table": table, "depths": depths}
    if not mc_ok:
        return "wrong", "the Monte Carlo contradicts the exact value", "", info
    if all(good.values()):
        return "holds", "within tolerance at every width and depth", "", info
    ok_from = [n for n in widths if all(good[m] for m in widths if m >= n)]
    if not ok_from:
        return "wrong", "the bias term is far from the claim even at width 100", "", info
    n_star = ok_from[0]
    cond = (f"condition: every n_l >= {n_star} (bias term < 1/(1 - {base}/n_min) <= "
            f"{1 + rel_tol:g}); bounded in depth only if every n_l > {base}; at n_l = {base} "
            f"it equals L, below it grows like ({base}/n)^L")
    rep = (f"E||f(x0)||^2 = ||x0||^2 + sum_l prod_(m<l) {base}/n_m: at most ||x0||^2 + "
           f"1/(1 - {base}/min n_l) for every depth when all n_l > {base}")
    return "holds under a condition the text omits", cond, rep, info


def _deep_rows(meas: dict[str, Any], p: dict[str, Any]) -> list[ClaimRow]:
    rows = []
    for fam, d in meas["deep"].items():
        widths, x2, est = d["widths"], d["x2"], d["estimate"]
        rule = "std" if fam == "normal" else "scale"
        exact = M.he_claim(widths, x2, "fan_out", fam, rule)
        c = compare(est.mean[-1], est.stderr[-1], exact["total"], N_SE)
        v, det, rep, info = deep_verdict(p["deep_bias_term"], fam, c.ok)
        t = info["table"]
        n_small = 2 if fam == "normal" else 4
        rows.append(ClaimRow(
            f"lemma3.he_claim.depth.{fam}",
            f"He fan_out {fam} proposal: E||f||^2 ~ ||x0||^2 + 1 'even for high depth L'",
            f"exact bias term at width {n_small}: depth 10 {t[n_small][3]:.4g}, depth 60 "
            f"{t[n_small][-1]:.4g}; width 3: depth 60 {t[3][-1]:.4g}; width 100: depth 60 "
            f"{t[100][-1]:.4g}; MC at {widths[:3]}... (depth {len(widths) - 1}): "
            f"{c.describe(4)}", v, det, repaired=rep,
            estimate=c.estimate, stderr=c.stderr, z=c.z))
    return rows


def hypothesis_verdict(table: list[dict], hypothesis) -> tuple[str, str]:
    """``holds`` if the formula is exact for every law pair the hypothesis admits;
    ``wrong`` (with the counterexample) otherwise."""
    for r in table:
        if hypothesis(LAWS.LAWS[r["weights"]], LAWS.LAWS[r["biases"]], r["tied"]) and \
                r["exact"] != r["formula"]:
            return "wrong", (f"weights {r['weights']}, biases {r['biases']}"
                             f"{' (tied)' if r['tied'] else ''}: exact {r['exact']} != "
                             f"formula {r['formula']}")
    return "holds", ""


def _hypothesis_row(meas: dict[str, Any], p: dict[str, Any]) -> ClaimRow:
    table = LAWS.hypothesis_table((2, 2, 1), (1, Fraction(1, 2)))
    v, det = hypothesis_verdict(table, p["hypothesis"])
    sym = [r for r in table if r["symmetric"] and not r["tied"]]
    zm = [r for r in table if r["zero_mean"] and not r["symmetric"] and not r["tied"]]
    nz = [r for r in table if not r["zero_mean"]]
    tied = [r for r in table if r["tied"] and r["symmetric"]]

    def span(rs):
        q = [float(r["exact"] / r["formula"]) for r in rs]
        return f"{min(q):.3f}-{max(q):.3f}"

    mc = meas["laws_mc"]
    mc_txt = "; ".join(f"{k}: {m:.4f} +/- {se:.1g} (formula {f:g})" for k, (m, se, f)
                       in mc.items())
    sk = mc["skewed zero-mean"]
    mc_sym_ok = all(abs(m - f) <= N_SE * se for k, (m, se, f) in mc.items()
                    if k != "skewed zero-mean")
    if v == "holds" and not mc_sym_ok:
        v, det = "wrong", "Monte Carlo with symmetric laws contradicts the formula"
    return ClaimRow(
        "lemma3.hypotheses",
        "the formula needs weights and biases drawn independently from laws symmetric "
        "around 0",
        f"exact enumeration, net [2, 2, 1], x0 = (1, 1/2), laws {', '.join(LAWS.LAWS)}: "
        f"exact/formula = 1 for all {len(sym)} symmetric pairs; {span(zm)} for zero-mean "
        f"asymmetric ({len(zm)} pairs); {span(nz)} with a non-zero mean; {span(tied)} with "
        f"tied (dependent) weights. MC, net {meas['laws_mc_widths']}, He scale, no bias: "
        f"{mc_txt}", v,
        det or ("each hypothesis is needed: zero mean without symmetry breaks E phi(h)^2 = "
                "E h^2/2; dependence breaks the variance; the zero-mean asymmetric law is "
                f"{100 * (sk[0] / sk[2] - 1):+.1f}% off in the wide net (skewness of h "
                "shrinks like 1/sqrt(width) per layer but accumulates with depth)"),
        repaired="" if v == "holds" else "assume laws symmetric around 0",
        estimate=float(zm[0]["exact"] / zm[0]["formula"]) if zm else None)


def looks_linear_verdict(mc_vs_paper_ok: bool, mc_vs_exact_ok: bool, condition_met: bool,
                         paper_exact_under_condition: bool) -> str:
    """Verdict on the looks-linear formula for one architecture.

    ``condition_met``: widths never shrink (``n_1 >= 2 n_0``, ``n_l >= n_(l-1)``);
    ``paper_exact_under_condition``: the printed formula equals the exact value on random
    architectures that meet the condition. ``holds`` if the Monte Carlo agrees with the
    printed formula; ``holds under a condition the text omits`` if it does not, the
    architecture violates the condition, the formula is exact under it and the Monte Carlo
    agrees with the exact value; ``wrong`` otherwise.
    """
    if mc_vs_paper_ok and (paper_exact_under_condition or not condition_met):
        return "holds"
    if not condition_met and paper_exact_under_condition and mc_vs_exact_ok:
        return "holds under a condition the text omits"
    return "wrong"


def _ll_condition(widths) -> bool:
    return widths[1] >= 2 * widths[0] and all(b >= a for a, b in zip(widths[1:-1],
                                                                     widths[2:], strict=True))


def _ll_paper_exact_under_condition(formula, seed: int) -> bool:
    rng = np.random.default_rng([seed, 51])
    for _ in range(50):
        L = int(rng.integers(1, 6))
        n0 = int(rng.integers(1, 9))
        w = [n0, 2 * int(rng.integers(n0, 3 * n0 + 1))]
        for _ in range(L - 1):
            w.append(w[-1] + 2 * int(rng.integers(0, 8)))
        x2 = float(rng.uniform(0, n0))
        exact = float(M.looks_linear_second_moments(w, x2)[1][-1])
        if abs(formula(w, x2) - exact) > 1e-12 * abs(exact):
            return False
    return True


def _looks_linear_rows(meas: dict[str, Any], p: dict[str, Any], seed: int) -> list[ClaimRow]:
    cond_exact = _ll_paper_exact_under_condition(p["looks_linear"], seed)
    rows = []
    for d in meas["looks_linear"]:
        name, widths, x2, est = d["name"], d["widths"], d["x2"], d["estimate"]
        exact = M.looks_linear_second_moments(widths, x2)[1]
        paper_val = float(p["looks_linear"](widths, x2))
        cp = compare(est.mean[-1], est.stderr[-1], paper_val, N_SE)
        ce = [compare(est.mean[i], est.stderr[i], exact[i], N_SE)
              for i in range(1, len(widths))]
        met = _ll_condition(widths)
        v = looks_linear_verdict(cp.ok, all(c.ok for c in ce), met, cond_exact)
        if v == "holds":
            det = "widths never shrink: the printed formula is exact; MC max |z| over " \
                  f"layers {max(abs(c.z) for c in ce):.2f}"
            rep = ""
        elif v.startswith("holds under"):
            det = ("condition: n_1 >= 2 n_0 and n_l >= n_(l-1) (widths never shrink); here "
                   f"the printed value {paper_val:.4f} is {paper_val / exact[-1]:.2f}x the "
                   f"exact {exact[-1]:.4f} (MC z = {ce[-1].z:+.2f} vs exact)")
            rep = ("E||x^(l)||^2 = min(1, p_l/q_l) E||x^(l-1)||^2 + p_l s_b,l^2 with W0^(l) "
                   "of shape p_l x q_l (= the printed formula when widths never shrink)")
        else:
            det = (f"MC z = {cp.z:+.2f} vs the printed formula"
                   + ("" if cond_exact else "; the printed formula differs from the exact "
                      "value even when widths never shrink"))
            rep = ""
        rows.append(ClaimRow(
            f"looks_linear.{name}",
            "looks-linear, b0 ~ N(0, s_b,l^2): E||f(x0)||^2 = ||x0||^2 + sum_l s_b,l^2 n_l/2",
            f"{widths}: printed formula {paper_val:.4f}, exact {exact[-1]:.4f}; MC "
            f"{format_estimate(est.mean[-1], est.stderr[-1])} (z={cp.z:+.2f} vs printed, "
            f"{d['n']} nets)", v, det, repaired=rep,
            estimate=cp.estimate, stderr=cp.stderr, z=cp.z))
    return rows


def marginal_verdict(var_ok: bool, kurt_vs_paper_ok: bool, kurt_vs_exact_ok: bool) -> str:
    """Entries of a looks-linear block "distributed as N(0, 2/n_l)".

    ``wrong`` if the variance is not the claimed one; ``holds`` if the kurtosis agrees with
    the claimed (normal) one; ``holds approximately`` if it agrees instead with the exact
    kurtosis of an entry of a Haar orthogonal matrix, ``3p/(p+2)`` (-> 3 as p grows).
    """
    if not var_ok:
        return "wrong"
    if kurt_vs_paper_ok:
        return "holds"
    if kurt_vs_exact_ok:
        return "holds approximately"
    return "wrong"


def _marginal_row(meas: dict[str, Any], p: dict[str, Any]) -> ClaimRow:
    m = meas["marginal"]
    pp, qq, widths, layer = m["p"], m["q"], m["widths"], m["layer"]
    n_l = widths[layer + 1]
    var_ok = bool(np.allclose(m["mean_square"], p["marginal_var"](n_l), rtol=1e-12))
    kurt, se = m["kurtosis"], m["kurtosis_se"]
    big = max(pp, qq)
    exact_k = 3.0 * big / (big + 2.0)
    c_exact = compare(kurt, se, exact_k, N_SE)
    c_paper = compare(kurt, se, p["marginal_kurtosis"], N_SE)
    v = marginal_verdict(var_ok, c_paper.ok, c_exact.ok)
    return ClaimRow(
        "looks_linear.marginal",
        "each entry of a looks-linear W is distributed as N(0, 2/n_l), as for He",
        f"{widths}, hidden block {pp}x{qq}: mean square of W0 entries = 2/n_l = "
        f"{2.0 / n_l:g} exactly in every net ({'yes' if var_ok else 'NO'}); kurtosis "
        f"E w^4/(E w^2)^2 = {format_estimate(kurt, se)} ({m['n']} nets): z = {c_paper.z:+.1f}"
        f" vs normal {p['marginal_kurtosis']:g}, z = {c_exact.z:+.2f} vs 3p/(p+2) = "
        f"{exact_k:.4f}", v,
        f"deviation: the marginal is a scaled Beta (entry of a Haar orthogonal matrix), excess"
        f" kurtosis -6/(max(p,q)+2) = {exact_k - 3:.3f}; vanishes as the widths grow; the "
        "variance is exact" if v == "holds approximately" else
        ("variance differs from the claim" if not var_ok else ""),
        repaired="each entry has mean 0 and variance exactly 2/n_l; it is approximately "
        "normal for wide layers (kurtosis 3p/(p+2))" if v != "holds" else "",
        estimate=kurt, stderr=se, z=c_paper.z)


def rows_from(meas: dict[str, Any], seed: int, paper: dict[str, Any] | None = None
              ) -> list[ClaimRow]:
    """The Lemma 3 rows from :func:`measure`'s estimates, for ``paper``."""
    p = dict(PAPER, **(paper or {}))
    rows = [_family_row("normal", meas["normal"], p["formula"]),
            _family_row("uniform", meas["uniform"], p["formula"]),
            _closed_form_row(seed, p["formula"]), _hypothesis_row(meas, p)]
    rows += _he_rows(meas, p)
    rows += _deep_rows(meas, p)
    rows += _looks_linear_rows(meas, p, seed)
    rows.append(_marginal_row(meas, p))
    return rows


def run(level: str, seed: int) -> CheckOutput:
    meas = measure(level, seed)
    rows = rows_from(meas, seed)
    results = []
    for fam in ("normal", "uniform"):
        for r in meas[fam]:
            law = r["law"]
            exact = M.lemma3_second_moments(r["widths"], law.w_var, law.b_var, r["x2"])
            results.append({"config": r["config"], "family": fam, "estimate": r["estimate"],
                            "exact": exact, "comparisons": r["estimate"].compare(exact, N_SE)})
    ll = [{"name": d["name"], "widths": d["widths"], "estimate": d["estimate"],
           "paper": M.looks_linear_second_moments(d["widths"], d["x2"])[0],
           "exact": M.looks_linear_second_moments(d["widths"], d["x2"])[1]}
          for d in meas["looks_linear"]]
    return CheckOutput(rows, {"results": results, "looks_linear": ll})


def plot(data: dict[str, Any], outdir: Path) -> list[Path]:
    from slth_theory.theory.lemma3_plots import save_figures

    return save_figures(data, outdir)


CLAIMS = [
    ClaimInfo("lemma3.formula.normal", "Lemma 3's formula, normal weights and biases",
              "Monte Carlo (Numba, independent streams per network) of E||x^(l)||^2 at every "
              "layer of 8 configurations vs the printed closed form per prefix; 5 SE",
              "slth verify --only lemma3 --full"),
    ClaimInfo("lemma3.formula.uniform", "Lemma 3's formula, uniform weights and biases",
              "as lemma3.formula.normal", "slth verify --only lemma3 --full"),
    ClaimInfo("lemma3.closed_form", "the printed closed form equals the per-layer recursion",
              "exact algebra on 200 random architectures", "slth verify --only lemma3"),
    ClaimInfo("lemma3.hypotheses", "which hypotheses on the laws the formula needs",
              "exact rational enumeration of every parameter value of a [2, 2, 1] net for "
              "symmetric, zero-mean asymmetric, shifted and tied laws; Monte Carlo of a "
              "[10, 100, 100, 100] net with the same discrete laws",
              "python -c \"from slth_theory.theory.lemma3_laws import *; "
              "print(hypothesis_table((1, 2, 1), (1,)))\""),
    ClaimInfo("lemma3.he_claim", "the remark E||f||^2 ~ ||x0||^2 + 1 (He fan_out, normal)",
              "exact value from Lemma 3 and Monte Carlo (5 SE); '~' = within 10%",
              "slth verify --only lemma3 --full"),
    ClaimInfo("lemma3.he_claim.fan_in", "the remark with He's fan_in rule",
              "exact value (n_L/n_0 times the fan_out one) and Monte Carlo",
              "slth verify --only lemma3"),
    ClaimInfo("lemma3.he_claim.uniform", "the remark for the uniform proposal",
              "exact value and Monte Carlo", "slth verify --only lemma3"),
    ClaimInfo("lemma3.he_claim.depth.normal", "the remark at small widths and large depths",
              "exact bias term for widths 2-100 and depths 1-60; Monte Carlo at width 3, "
              "depth 12", "slth verify --only lemma3 --explain lemma3.he_claim.depth.normal"),
    ClaimInfo("lemma3.he_claim.depth.uniform", "the remark at small widths, uniform proposal",
              "exact bias term for widths 2-100 and depths 1-60; Monte Carlo at width 4, "
              "depth 8", "slth verify --only lemma3"),
    ClaimInfo("looks_linear.growing", "looks-linear formula, growing widths",
              "Monte Carlo of orthogonal looks-linear nets vs the printed and exact values",
              "slth verify --only lemma3"),
    ClaimInfo("looks_linear.constant", "looks-linear formula, constant widths",
              "as looks_linear.growing", "slth verify --only lemma3"),
    ClaimInfo("looks_linear.shrinking", "looks-linear formula, shrinking widths",
              "as looks_linear.growing; the condition is confirmed by the printed formula "
              "being exact on 50 random architectures whose widths never shrink",
              "slth verify --only lemma3"),
    ClaimInfo("looks_linear.marginal", "marginal law of looks-linear weights",
              "exact variance per network; kurtosis by Monte Carlo vs 3 (normal) and vs "
              "3p/(p+2) (Haar)", "slth verify --only lemma3"),
]

# stored as figure data (decoded only if registered)
register_type(Config)
register_type(MC.MomentEstimate)
register_type(Comparison)
register_check("lemma3", run, plot=plot, order=30, cost=6.0, claims=CLAIMS)
