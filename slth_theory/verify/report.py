"""Claim rows, the registry of checks, and running them.

A *check* is a function ``run(level, seed) -> CheckOutput`` registered under a name with
:func:`register_check`, together with a :class:`ClaimInfo` for every row it produces (what
the row checks, how, and the command reproducing it; ``slth verify --explain ID`` prints
it). The toolkit's own checks are the modules of :mod:`slth_theory.verify.checks`, which
register themselves when imported; checks of other packages register through the entry
point group ``slth_theory.checks`` (the entry point names a module to import). Adding a
claim is one module: see ``docs/tutorials/add-a-claim.md``.

Each row states what the paper says, what was measured (estimate +/- standard error where
statistical), a verdict from :data:`VERDICTS` (documented in ``docs/guide/verdicts.md``)
and, where one exists, the repaired statement.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from slth_theory.engine.codec import decode_data, encode_data, register_type
from slth_theory.engine.figures import register_figure
from slth_theory.model.network import Network

#: The verdict vocabulary, in order of severity (see ``docs/guide/verdicts.md``).
VERDICTS = ("holds", "holds approximately", "holds under a condition the text omits", "typo",
            "wrong", "not reproduced")
#: Verdicts that make ``slth verify`` exit with status 1.
EXIT_1_VERDICTS = ("wrong",)
LEVELS = ("quick", "full")
ENTRY_POINT_GROUP = "slth_theory.checks"


@dataclass
class ClaimRow:
    """One claim of the paper, side by side with the measurement.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``'lemma3.formula'``.
    paper : str
        What the paper states.
    measured : str
        What was measured, with ``+/- standard error`` where statistical.
    verdict : str
        One of :data:`VERDICTS`.
    detail : str
        The evidence behind the verdict: the one-symbol change (``typo``), the omitted
        condition, the size of the approximation and when it vanishes (``holds
        approximately``), the counterexample (``wrong``) or the setting (``not
        reproduced``).
    repaired : str
        A true version of the statement, where one exists ("" otherwise).
    estimate, stderr, z : float, optional
        Numbers behind ``measured`` for statistical rows.
    """

    id: str
    paper: str
    measured: str
    verdict: str
    detail: str = ""
    repaired: str = ""
    estimate: float | None = None
    stderr: float | None = None
    z: float | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckOutput:
    """Rows of one check, the data its figures are drawn from, and its counterexamples.

    ``counterexamples`` maps a row id to named networks (``{"target": net, "approx":
    net}``); ``slth verify --save-counterexamples DIR`` writes each as
    ``DIR/<row id>.<name>.npz`` (readable with :func:`slth_theory.load`).
    """

    rows: list[ClaimRow]
    data: dict[str, Any] = field(default_factory=dict)
    counterexamples: dict[str, dict[str, Network]] = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimInfo:
    """What ``slth verify --explain ID`` prints about one row.

    Attributes
    ----------
    id : str
        The row id the check produces.
    statement : str
        What the row checks (the statement of the paper, in a few words).
    method : str
        How it is checked (exact computation, construction, Monte Carlo with its tolerance).
    reproduce : str
        A command that reproduces the row or its counterexample.
    """

    id: str
    statement: str
    method: str
    reproduce: str


@dataclass
class Check:
    """A named group of claims: ``run(level, seed) -> CheckOutput``, an optional
    ``plot(data, outdir) -> list[Path]`` and a :class:`ClaimInfo` per row."""

    name: str
    run: Callable[[str, int], CheckOutput]
    plot: Callable[[dict[str, Any], Path], list[Path]] | None = None
    order: int = 100
    cost: float = 1.0  # relative share of a run's time, for the progress bar
    claims: tuple[ClaimInfo, ...] = ()


_PROGRESS: Callable[[float], None] | None = None
_REGISTRY: dict[str, Check] = {}
_DISCOVERED = False


def register_check(name: str, run: Callable[[str, int], CheckOutput], *,
                   claims: Sequence[ClaimInfo], plot: Callable[[dict[str, Any], Path],
                                                                list[Path]] | None = None,
                   order: int = 100, cost: float = 1.0) -> Check:
    """Register a check of the claims report (call it at import time of your module).

    Parameters
    ----------
    name : str
        The check's name (``slth verify --only NAME``); letters, digits, ``-_.``.
    run : callable
        ``run(level, seed) -> CheckOutput`` with ``level`` in ``('quick', 'full')``; it must
        derive all randomness from ``seed``.
    claims : sequence of ClaimInfo
        One entry per row id ``run`` produces (``--explain`` reads them without running).
    plot : callable, optional
        ``plot(data, outdir) -> list of paths`` drawing figures from ``CheckOutput.data``.
    order : int
        Position in the report (the toolkit's checks use 10-60).
    cost : float
        Relative share of a run's time (progress bar only).

    Returns
    -------
    Check

    Raises
    ------
    ValueError
        For an invalid name, no claims, duplicate row ids, or a name already registered by
        a different function.
    """
    import re

    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"name must be letters, digits, '-', '_' or '.'; got {name!r}")
    claims = tuple(claims)
    if not claims or not all(isinstance(c, ClaimInfo) for c in claims):
        raise ValueError("claims must be a non-empty sequence of ClaimInfo")
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate row ids in claims of {name!r}")
    old = _REGISTRY.get(name)
    if old is not None and getattr(old.run, "__qualname__", None) != getattr(
            run, "__qualname__", None):
        raise ValueError(f"check {name!r} registered twice")
    check = Check(name, run, plot, order, cost, claims)
    _REGISTRY[name] = check
    return check


def unregister_check(name: str) -> None:
    """Remove a check registered with :func:`register_check` (e.g. at the end of an
    interactive session or a test); unknown names raise ``ValueError``."""
    if name not in _REGISTRY:
        raise ValueError(f"no check {name!r} is registered")
    del _REGISTRY[name]


def report_progress(done: float, total: float) -> None:
    """Called by a running check to report progress within itself (``done`` of
    ``total``, any units); moves the ``slth verify`` progress bar. A no-op outside
    :func:`run_checks`."""
    if _PROGRESS is not None and total > 0:
        _PROGRESS(min(1.0, max(0.0, done / total)))


def _discover() -> dict[str, Check]:
    """The registered checks in report order (importing the toolkit's check modules and
    the entry points of group :data:`ENTRY_POINT_GROUP` once)."""
    global _DISCOVERED
    if not _DISCOVERED:
        from importlib.metadata import entry_points

        from slth_theory.verify import checks as pkg

        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{info.name}")
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            importlib.import_module(ep.value.split(":")[0])
        _DISCOVERED = True
    return dict(sorted(_REGISTRY.items(), key=lambda kv: (kv[1].order, kv[0])))


def names() -> list[str]:
    """Names of the registered checks, in report order."""
    return list(_discover())


def get_check(name: str) -> Check:
    """Look up a check; the error lists the valid names."""
    found = _discover()
    if name not in found:
        raise ValueError(f"unknown check {name!r}; choose from: {', '.join(found)}")
    return found[name]


def explain(row_id: str) -> tuple[str, ClaimInfo]:
    """``(check name, ClaimInfo)`` of a row id, without running anything."""
    for check in _discover().values():
        for info in check.claims:
            if info.id == row_id:
                return check.name, info
    known = sorted(i.id for c in _discover().values() for i in c.claims)
    raise ValueError(f"unknown row id {row_id!r}; known ids: {', '.join(known)}")


def exit_status(rows: Sequence[ClaimRow]) -> int:
    """1 if a row's verdict is in :data:`EXIT_1_VERDICTS`, else 0."""
    return int(any(r.verdict in EXIT_1_VERDICTS for r in rows))


def _encode_counterexamples(cex: dict[str, dict[str, Network]]) -> dict[str, Any]:
    return {rid: {name: {"weights": list(n.weights), "biases": list(n.biases),
                         "output_activation": n.output_activation}
                  for name, n in nets.items()} for rid, nets in cex.items()}


def decode_counterexamples(data: dict[str, Any] | None) -> dict[str, dict[str, Network]]:
    """Inverse of the plain form counterexamples travel in through the sweep engine."""
    out: dict[str, dict[str, Network]] = {}
    for rid, nets in (data or {}).items():
        out[rid] = {}
        for name, d in nets.items():
            d = decode_data(d)
            out[rid][name] = Network([w for w in d["weights"]], [b for b in d["biases"]],
                                     d["output_activation"], {"claim": rid})
    return out


def save_counterexamples(cex: dict[str, dict[str, Network]], outdir: Path) -> list[Path]:
    """Write each counterexample network as ``outdir/<row id>.<name>.npz``."""
    from slth_theory.model.io import save

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for rid, nets in sorted(cex.items()):
        for name, net in sorted(nets.items()):
            paths.append(save(net, outdir / f"{rid}.{name}.npz"))
    return paths


def _unique(names: list[str]) -> list[str]:
    """``names`` without repeats, first occurrence kept (``--only a --only a`` runs once)."""
    return list(dict.fromkeys(names))


def run_checks(level: str = "quick", seed: int = 0, only: list[str] | None = None,
               figures: Path | None = None, on_done: Callable[[str], None] | None = None,
               on_progress: Callable[[float], None] | None = None,
               errors: list[tuple[str, BaseException]] | None = None,
               on_start: Callable[[str], None] | None = None,
               counterexamples: dict[str, dict[str, Network]] | None = None
               ) -> list[ClaimRow]:
    """Run checks and return all rows in report order.

    Parameters
    ----------
    level : {'quick', 'full'}
    seed : int
        Root seed; each check derives its own streams from it.
    only : list of str, optional
        Names of checks to run (default: all).
    figures : Path, optional
        If given, each check's ``plot`` writes its figures there.
    on_done : callable, optional
        Called with each check's name when it finishes.
    on_progress : callable, optional
        Called with the finished fraction (0..1) of the whole run, weighted by
        ``Check.cost``, whenever a check reports progress or finishes.
    on_start : callable, optional
        Called with each check's name before it runs.
    errors : list, optional
        If given, a check that raises is recorded here as ``(name, exception)`` and the
        remaining checks still run; otherwise the exception propagates.
    counterexamples : dict, optional
        If given, filled with every check's :attr:`CheckOutput.counterexamples`.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    selected = [get_check(n) for n in _unique(only)] if only else list(_discover().values())
    global _PROGRESS
    rows: list[ClaimRow] = []
    total = sum(c.cost for c in selected) or 1.0
    base = 0.0
    for check in selected:
        if on_start is not None:
            on_start(check.name)
        if on_progress is not None:
            def _hook(frac: float, base: float = base, cost: float = check.cost) -> None:
                on_progress((base + cost * frac) / total)
            _PROGRESS = _hook
        try:
            out = check.run(level, seed)
            if figures is not None and check.plot is not None:
                check.plot(out.data, Path(figures))
        except Exception as exc:
            if errors is None:
                raise
            errors.append((check.name, exc))
            out = CheckOutput([])
        finally:
            _PROGRESS = None
        rows.extend(out.rows)
        if counterexamples is not None:
            counterexamples.update(out.counterexamples)
        base += check.cost
        if on_progress is not None:
            on_progress(base / total)
        if on_done:
            on_done(check.name)
    return rows


# -- running the checks through the sweep engine ---------------------------------------------

#: In-process hooks (``start``, ``progress``) of :func:`run_checks_sweep` for the serial
#: path; worker processes import this module afresh and see none.
_LOCAL_HOOKS: dict[str, Callable] = {}


# Types that checks store as figure data (decoded only if registered).
register_type(Network)


def run_check_sweep(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Sweep ``verify``: run check ``config["check"]`` at ``config["level"]`` with ``seed``.

    Returns ``{"rows": [ClaimRow.to_dict(), ...], "data": encode_data(figure data) or
    None, "error": None}``; a check that raises gives ``rows = []`` and ``error =
    {"type", "message", "traceback"}`` instead (so the other checks still run; such a
    run is not kept in a results store, see :func:`run_checks_sweep`).
    """
    import traceback

    global _PROGRESS
    check = get_check(config["check"])
    start, progress = _LOCAL_HOOKS.get("start"), _LOCAL_HOOKS.get("progress")
    if start is not None:
        start(check.name)
    _PROGRESS = progress
    try:
        out = check.run(config["level"], seed)
        data = encode_data(out.data) if check.plot is not None else None
        return {"rows": [r.to_dict() for r in out.rows], "data": data, "error": None,
                "counterexamples": encode_data(_encode_counterexamples(out.counterexamples))}
    except Exception as exc:
        return {"rows": [], "data": None,
                "error": {"type": type(exc).__name__, "message": str(exc),
                          "traceback": "".join(traceback.format_exception(exc))}}
    finally:
        _PROGRESS = None


class CheckCrashed(Exception):
    """A check that raised (possibly in another process): type name, message, traceback."""

    def __init__(self, type_name: str, message: str, traceback_text: str = ""):
        super().__init__(message)
        self.type_name, self.message, self.traceback_text = type_name, message, traceback_text


def run_checks_sweep(level: str = "quick", seed: int = 0, only: list[str] | None = None,
                     figures: Path | None = None,
                     on_progress: Callable[[float], None] | None = None,
                     errors: list[tuple[str, BaseException]] | None = None,
                     on_start: Callable[[str], None] | None = None,
                     counterexamples: dict[str, dict[str, Network]] | None = None,
                     **run_options: Any) -> list[ClaimRow]:
    """:func:`run_checks` through the sweep engine: each check is one run of sweep
    ``verify`` (config ``{"check": name, "level": level}``, seed ``seed``).

    The rows (and the figure data, as plain JSON) come back from the run, possibly from
    another process or a results store; the figures are drawn here from them. Checks run
    in parallel with ``workers=N``; with ``store=...`` a finished check is not run again.
    A check that raises is recorded in ``errors`` as ``(name, CheckCrashed)`` (the others
    still run) and is never stored. ``run_options`` go to
    :func:`slth_theory.engine.sweep.run_sweep` (``workers``, ``store``, ``scheduler``,
    ``dask_local``, ``recompute``, ``synchronous``, ``connect_timeout``); its progress bar
    is off, ``on_progress`` reports the cost-weighted finished fraction instead (within a
    check too when the checks run in this process). ``counterexamples``, if given, is
    filled as in :func:`run_checks`.

    Returns
    -------
    list of ClaimRow
        All rows in report order, identical to :func:`run_checks` for the same seed.
    """
    from slth_theory.engine.sweep import run_sweep
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    selected = [get_check(n) for n in _unique(only)] if only else list(_discover().values())
    total = sum(c.cost for c in selected) or 1.0
    cost = {c.name: c.cost for c in selected}
    state = {"done": 0.0}

    def finished(rec: dict) -> None:
        state["done"] += cost[rec["config"]["check"]]
        if on_progress is not None:
            on_progress(state["done"] / total)

    def partial(frac: float) -> None:
        if on_progress is not None and "current" in state:
            on_progress((state["done"] + state["current"] * frac) / total)

    def started(name: str) -> None:
        state["current"] = cost[name]
        if on_start is not None:
            on_start(name)

    serial = (run_options.get("workers", 1) == 1 and run_options.get("scheduler") is None
              and run_options.get("dask_local") is None)
    configs = [{"check": c.name, "level": level} for c in selected]
    if serial:
        _LOCAL_HOOKS.update(start=started, progress=partial)
    try:
        records = run_sweep("verify", configs, seeds=[int(seed)] * len(configs),
                            quiet=True, on_result=finished,
                            store_if=lambda res: res.get("error") is None, **run_options)
    finally:
        _LOCAL_HOOKS.clear()
    rows: list[ClaimRow] = []
    for check, rec in zip(selected, records, strict=True):
        res = rec["results"]
        if not isinstance(res, dict):
            raise ValueError(f"the stored result of check {check.name!r} is malformed (not an "
                             "object)")
        err = res.get("error")
        # stored results are data: malformed ones are one ValueError (exit 2), not a crash
        data = (_stored(check.name, decode_data, res.get("data"))
                if err is None and figures is not None and check.plot is not None else None)
        check_rows = _stored(check.name, lambda rs: [ClaimRow(**r) for r in rs],
                             res.get("rows", [])) if err is None else []
        try:
            if err is not None:
                raise _stored(check.name, lambda e: CheckCrashed(
                    str(e["type"]), str(e["message"]), str(e.get("traceback", ""))), err)
            if data is not None:
                check.plot(data, Path(figures))
        except Exception as exc:
            if errors is None:
                raise
            errors.append((check.name, exc))
            continue  # as run_checks: a check whose run or plot raised gives no rows
        rows.extend(check_rows)
        if counterexamples is not None:
            counterexamples.update(_stored(check.name, decode_counterexamples,
                                           res.get("counterexamples")))
    return rows


def _stored(name: str, build: Callable[[Any], Any], value: Any) -> Any:
    """``build(value)`` for a value read from a run record; any failure is a ValueError."""
    try:
        return build(value)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise ValueError(f"the stored result of check {name!r} is malformed "
                         f"({type(exc).__name__}: {exc})") from None


def verify_grid() -> list[tuple[dict[str, Any], int]]:
    """Every claims-report check that draws figures, at level ``full``, root seed 0."""
    return [({"check": n, "level": "full"}, 0) for n in names() if get_check(n).plot is not None]


def write_verify_figures(records: list[dict], out: Path, formats=("png",)) -> list[Path]:
    """Each check's own figures (PNG, names chosen by the check) from its stored run."""
    files: list[Path] = []
    for rec in records:
        res, name = rec["results"], rec["config"]["check"]
        if res.get("error") is not None:
            raise ValueError(f"check {name!r} crashed: {res['error']['message']}")
        data = _stored(name, decode_data, res.get("data"))
        files += [Path(p) for p in (get_check(name).plot(data, out) or [])]
    return files


register_figure("verify", sweep="verify", grid=verify_grid, write=write_verify_figures,
                description="claims report figures (Lemmas 1, 3, 4), slth verify --full")
