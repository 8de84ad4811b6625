"""Sweeps: named pure functions of (config, seed), run over a grid, resumable.

A *sweep* is a registered function ``fn(config: dict, seed: int) -> dict`` whose config
and results are plain JSON values (dict/list/str/int/float/bool/None; NumPy scalars and
arrays are converted). It must be pure: the same config and seed give the same results
on any machine, process or thread count (draw randomness only from
``np.random.default_rng(seed)`` or ``SeedSequence(seed).spawn(n)``).

Registering
-----------
>>> @register_sweep("mysweep")                               # doctest: +SKIP
... def run_one(config, seed): ...

or ``register_sweep("mysweep", run_one)``. Sweeps living in modules that should not be
imported up front are registered lazily by target, ``register_lazy(name,
"package.module:function")`` (the function is imported on first :func:`get_sweep`) or
``register_lazy(name, "package.module")`` (the module is imported and must call
:func:`register_sweep` itself). Lazy entries: :data:`LAZY_SWEEPS`.

Keys and seeds
--------------
* ``config_key = run_key(sweep, config)``: the first 32 hex digits of the SHA-256 of the
  canonical JSON ``{"config": config, "sweep": sweep}`` (keys sorted, no spaces, floats in
  Python's shortest round-trip form; ``1`` and ``1.0`` are different configs).
* the seed of the run at position ``i`` of a grid with root seed ``r``:
  ``SeedSequence(r, spawn_key=(i,))`` -- identical to ``SeedSequence(r).spawn(i + 1)[i]``
  -- turned into an int by ``generate_state(1, np.uint64)[0] >> 1`` (63 bits, so it fits
  SQLite's signed INTEGER). :func:`derive_seed` does exactly this, so one run can be
  recomputed alone: ``fn(config, derive_seed(r, i))``.
* the store's run key ``run_key(sweep, config, seed)`` also hashes the seed: the same
  config under another root seed or grid position is another run, never skipped as done.
  The code version is recorded beside each run, not hashed: changing code does not
  invalidate a store (use ``recompute=True`` or a fresh store after changes that alter
  results).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.engine.backends import Backend, SweepRunError, code_version, make_backend
from slth_theory.engine.codec import canonical_json, to_plain
from slth_theory.engine.limits import check_memory
from slth_theory.engine.store import ResultsStore, check_store_file

__all__ = [
    "LAZY_SWEEPS", "SweepInterrupted", "SweepRunError", "SweepSpec", "canonical_json",
    "derive_seed", "get_sweep", "grid_product", "plan", "register_lazy", "register_sweep",
    "run_key", "run_sweep", "sweep_names", "to_plain",
]

SweepFn = Callable[[dict, int], dict]

#: Sweeps defined elsewhere, resolved on first use (``module:function`` or ``module``);
#: filled by :func:`register_lazy` (the paper's sweeps: :mod:`slth_theory.registry`).
LAZY_SWEEPS: dict[str, str] = {}

_SWEEPS: dict[str, SweepSpec] = {}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
MAX_SEED = 2**63 - 1


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; ``str()`` is the one-line message on how to resume."""


@dataclass(frozen=True)
class SweepSpec:
    """A registered sweep: its name, function, description and optional default grid."""

    name: str
    fn: SweepFn
    description: str = ""
    default_grid: Callable[[], list[dict]] | None = None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"sweep name must be letters, digits, '_', '.', '-'; got {name!r}")
    return name


def register_sweep(name: str, fn: SweepFn | None = None, *, description: str = "",
                   default_grid: Callable[[], list[dict]] | None = None):
    """Register ``fn(config, seed) -> dict`` as sweep ``name``; usable as a decorator.

    Registering the same name again with a different function raises ``ValueError``
    (re-registering the same module/qualname, e.g. after a reload, replaces it).
    Returns ``fn`` unchanged, so it stays picklable by reference for worker processes.
    """
    _check_name(name)

    def deco(f: SweepFn) -> SweepFn:
        if not callable(f):
            raise ValueError(f"sweep {name!r}: fn must be callable")
        old = _SWEEPS.get(name)
        if old is not None and old.fn is not f and (
                getattr(old.fn, "__module__", None), getattr(old.fn, "__qualname__", None)) != (
                getattr(f, "__module__", None), getattr(f, "__qualname__", None)):
            raise ValueError(f"sweep {name!r} is already registered to "
                             f"{old.fn.__module__}.{old.fn.__qualname__}")
        doc = description or (f.__doc__ or "").strip().split("\n")[0]
        _SWEEPS[name] = SweepSpec(name, f, doc, default_grid)
        return f

    return deco if fn is None else deco(fn)


def register_lazy(name: str, target: str) -> None:
    """Register sweep ``name`` as ``"module:function"`` or ``"module"``, imported on use."""
    _check_name(name)
    if not isinstance(target, str) or not target or target.count(":") > 1:
        raise ValueError(f"lazy target must be 'module' or 'module:function'; got {target!r}")
    LAZY_SWEEPS[name] = target


def sweep_names() -> list[str]:
    """Every registered or lazily registered sweep name."""
    return sorted(set(_SWEEPS) | set(LAZY_SWEEPS))


def get_sweep(name: str) -> SweepSpec:
    """The sweep ``name``, importing it if it is registered lazily.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid choices), or the module providing a
        lazily registered sweep cannot be imported or does not define it.
    """
    if name in _SWEEPS:
        return _SWEEPS[name]
    if name not in LAZY_SWEEPS:
        raise ValueError(f"unknown sweep {name!r}; choose from {', '.join(sweep_names())}")
    target = LAZY_SWEEPS[name]
    mod_name, _, fn_name = target.partition(":")
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name and (mod_name == exc.name or mod_name.startswith(exc.name + ".")):
            raise ValueError(f"sweep {name!r} is provided by module {mod_name!r}, which is not "
                             f"available in this installation") from None
        raise
    if fn_name:
        fn = getattr(mod, fn_name, None)
        if fn is None or not callable(fn):
            raise ValueError(f"sweep {name!r}: {mod_name} has no function {fn_name!r}")
        if name not in _SWEEPS:
            register_sweep(name, fn, default_grid=getattr(fn, "default_grid", None))
    if name not in _SWEEPS:
        raise ValueError(f"sweep {name!r}: importing {mod_name} did not register it")
    return _SWEEPS[name]


# -- canonical values, keys, seeds ---------------------------------------------------------

def run_key(sweep_name: str, config: dict, seed: int | None = None) -> str:
    """Stable key of a config of a sweep (and, with ``seed``, of one run).

    The first 32 hex digits of SHA-256 of ``canonical_json({"config": config, "sweep":
    sweep_name})``, with ``"seed": seed`` added when a seed is given. See the module
    docstring for why the run key includes the seed and not the code version.
    """
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict; got {type(config).__name__}")
    doc: dict[str, Any] = {"config": config, "sweep": sweep_name}
    if seed is not None:
        doc["seed"] = int(seed)
    return hashlib.sha256(canonical_json(doc).encode()).hexdigest()[:32]


def derive_seed(root_seed: int, index: int) -> int:
    """The integer seed of the run at grid position ``index`` under ``root_seed``.

    ``SeedSequence(root_seed, spawn_key=(index,))`` (= ``SeedSequence(root_seed).spawn(
    index + 1)[index]``), ``generate_state(1, np.uint64)[0] >> 1``: a 63-bit integer.
    """
    ss = np.random.SeedSequence(int(root_seed), spawn_key=(int(index),))
    return int(ss.generate_state(1, np.uint64)[0]) >> 1


def _check_root_seed(root_seed: Any) -> int:
    if isinstance(root_seed, bool) or not isinstance(root_seed, (int, np.integer)) \
            or not 0 <= int(root_seed) <= MAX_SEED:
        raise ValueError(f"root_seed must be an integer in [0, 2**63-1]; got {root_seed!r}")
    return int(root_seed)


def grid_product(**axes: Iterable) -> list[dict]:
    """The Cartesian product of named value lists, last axis fastest.

    ``grid_product(width=[10, 20], bias=["zero", "nonzero"])`` gives 4 configs.
    """
    grid: list[dict] = [{}]
    for k, vals in axes.items():
        vals = list(vals)
        if not vals:
            raise ValueError(f"grid axis {k!r} has no values")
        grid = [dict(g, **{k: v}) for g in grid for v in vals]
    return grid


def plan(name: str, configs: Iterable[dict], root_seed: int = 0,
         seeds: Sequence[int] | None = None) -> list[dict]:
    """The runs of a grid: per position ``index``, ``key``, ``config_key``, ``seed``...

    Validates every config (a dict of JSON values) before anything runs. ``seeds``
    (optional, one integer in ``[0, 2**63-1]`` per config) replaces the position-keyed
    seeds :func:`derive_seed` ``(root_seed, i)``; see :func:`run_sweep`.
    """
    _check_name(name)
    root_seed = _check_root_seed(root_seed)
    configs = list(configs)
    if seeds is not None:
        seeds = list(seeds)
        if len(seeds) != len(configs):
            raise ValueError(f"seeds has {len(seeds)} entries for {len(configs)} configs")
        for i, sd in enumerate(seeds):
            if isinstance(sd, bool) or not isinstance(sd, (int, np.integer)) \
                    or not 0 <= int(sd) <= MAX_SEED:
                raise ValueError(f"seeds[{i}] must be an integer in [0, 2**63-1]; got {sd!r}")
    rows = []
    for i, cfg in enumerate(configs):
        if not isinstance(cfg, dict):
            raise ValueError(f"config #{i} of sweep {name!r} must be a dict; got "
                             f"{type(cfg).__name__}")
        plain = to_plain(cfg, f"config #{i} of sweep {name!r}")
        seed = derive_seed(root_seed, i) if seeds is None else int(seeds[i])
        rows.append({"sweep": name, "index": i, "root_seed": root_seed, "seed": seed,
                     "config": plain, "config_key": run_key(name, plain),
                     "key": run_key(name, plain, seed)})
    return rows


# -- running ---------------------------------------------------------------------------------

def _progress_bar(total: int, initial: int, desc: str, quiet: bool):
    from tqdm.auto import tqdm

    from slth_theory.engine.progress import show_progress
    return tqdm(total=total, initial=initial, desc=desc, unit="run",
                disable=not show_progress(quiet), file=sys.stderr, dynamic_ncols=True,
                leave=False, smoothing=0.1)


def _decode(rec: dict) -> dict:
    out = dict(rec)
    if isinstance(out["results"], str):
        out["results"] = json.loads(out["results"])
    return out


def _check_sweep_memory(name: str, fn: Callable, runs: list[dict], workers: int | None,
                        scheduler: str | None, dask_local: int | None,
                        backend: Backend | None) -> None:
    """Refuse a grid whose runs need more memory than this machine has, before running.

    A sweep function may carry ``fn.memory(config) -> bytes`` (an estimate of one run's
    peak memory); local runs execute ``workers`` at a time, so the largest estimate times
    the number of local processes must fit :func:`~slth_theory.engine.limits.memory_limit`.
    Runs on a Dask scheduler (other machines) are not checked here.
    """
    estimate = getattr(fn, "memory", None)
    if estimate is None or scheduler is not None or backend is not None:
        return
    worst, at = 0.0, 0
    for r in runs:
        b = float(estimate(r["config"]))
        if b > worst:
            worst, at = b, r["index"]
    n_local = dask_local or workers or os.cpu_count() or 1
    n_local = max(1, min(int(n_local), len(runs)))
    what = f"config #{at} of sweep {name!r}" + (f" ({n_local} at a time)" if n_local > 1 else "")
    check_memory(worst * n_local, what)


def run_sweep(name: str, configs: Iterable[dict], root_seed: int = 0,
              store: str | Path | ResultsStore | None = None, workers: int | None = 1,
              scheduler: str | None = None, dask_local: int | None = None,
              recompute: bool = False, quiet: bool = False,
              connect_timeout: float = 10.0, backend: Backend | None = None,
              info: dict | None = None, synchronous: str = "FULL",
              seeds: Sequence[int] | None = None,
              on_result: Callable[[dict], None] | None = None,
              store_if: Callable[[dict], bool] | None = None) -> list[dict]:
    """Run sweep ``name`` over ``configs`` and return one record per config, in grid order.

    Parameters
    ----------
    name : str
        A registered sweep (see :func:`get_sweep`).
    configs : iterable of dict
        The grid; position ``i`` gets seed :func:`derive_seed` ``(root_seed, i)``.
    root_seed : int
        Root of the grid's seed tree, in ``[0, 2**63-1]``.
    store : path, ResultsStore or None
        Results store. Runs it already holds are not run again (unless ``recompute``);
        each finished run is committed in its own transaction. None: keep results in
        memory only (nothing resumable).
    workers : int or None
        Local processes (1 = in this process, None = all cores) through joblib/loky.
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a running Dask scheduler.
    dask_local : int, optional
        Start a local Dask cluster of this many worker processes.
    recompute : bool
        Run every config again and overwrite the stored rows.
    quiet : bool
        No progress bar (it is also off when stderr is not a terminal).
    connect_timeout : float
        Seconds to wait for a Dask scheduler.
    backend : Backend, optional
        An already built backend (overrides ``workers``/``scheduler``/``dask_local``).
    info : dict, optional
        Filled with ``runs``, ``from_store``, ``computed``, ``seconds`` and ``backend``.
    seeds : sequence of int, optional
        Explicit seeds, one per config, instead of the position-keyed
        ``derive_seed(root_seed, i)``: for grids whose runs must share random streams on
        purpose (common random numbers, e.g. every config of one repetition on the same
        data), or to reproduce numbers computed before with another seeding. Seeds are
        part of the run keys as usual.
    synchronous : {'FULL', 'NORMAL'}
        SQLite durability of each commit when ``store`` is a path (see
        :class:`~slth_theory.engine.store.ResultsStore`): ``FULL`` survives power loss, ``NORMAL``
        survives process crashes and kills only, and commits ~20x faster.
    on_result : callable, optional
        Called with each record (results decoded) as it becomes available: first the
        records read from the store (grid order), then each computed run as it finishes
        (completion order). For a caller's own progress display.
    store_if : callable, optional
        ``store_if(results) -> bool``: a computed run whose decoded results give False is
        returned but not written to the store (e.g. a run that caught its own exception
        and reports it, so that the next invocation tries it again).

    Returns
    -------
    list of dict
        Records with ``sweep, key, config_key, index, root_seed, seed, config, results,
        duration_s, host, pid, version, finished_utc``. Results are decoded from the same
        canonical JSON that is stored, so fresh and stored records are identical.

    Raises
    ------
    ValueError
        Bad input (unknown sweep, config not serialisable, bad store file, unreachable
        scheduler): raised before the store is opened for writing.
    SweepRunError
        A run raised; the runs finished before it are kept.
    SweepInterrupted
        Ctrl-C; finished runs are kept, the message says how to resume.
    """
    spec = get_sweep(name)
    runs = plan(name, configs, root_seed, seeds)
    validate = getattr(spec.fn, "validate", None)
    if validate is not None:  # a sweep may check its configs before anything runs
        for r in runs:
            try:
                validate(r["config"])
            except ValueError as exc:
                raise ValueError(f"config #{r['index']} of sweep {name!r}: {exc}") from None
    _check_sweep_memory(name, spec.fn, runs, workers, scheduler, dask_local, backend)
    # the same run (config and seed) at several positions, possible with explicit seeds,
    # is run and stored once and returned at each of its positions
    positions: dict[str, list[int]] = {}
    for r in runs:
        positions.setdefault(r["key"], []).append(r["index"])
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"synchronous must be 'FULL' or 'NORMAL'; got {synchronous!r}")
    if store is not None and not isinstance(store, ResultsStore):
        check_store_file(store)  # refuse a bad file before connecting anything
    own_backend = backend is None
    if backend is None:
        try:
            backend = make_backend(workers, scheduler, dask_local, connect_timeout)
        except KeyboardInterrupt:
            raise SweepInterrupted(f"sweep {name!r} interrupted while starting its workers; "
                                   f"nothing ran yet") from None
    own_store = store is not None and not isinstance(store, ResultsStore)
    db: ResultsStore | None = None
    done: dict[int, dict] = {}
    bar = None
    try:
        if store is not None:
            db = ResultsStore(store, synchronous=synchronous) if own_store else store
            db.add_plan(runs)
            if not recompute:
                have = db.keys(name)
                for r in runs:
                    if r["key"] in have:
                        rec = db.get(r["key"])
                        rec["index"], rec["root_seed"] = r["index"], r["root_seed"]
                        done[r["index"]] = rec
                if on_result is not None:
                    for i in sorted(done):
                        if positions[runs[i]["key"]][0] == i:
                            on_result(done[i])
        todo = [dict(r, fn=spec.fn) for r in runs
                if r["index"] not in done and positions[r["key"]][0] == r["index"]]
        n_unique = len(positions)
        n_stored = n_unique - len(todo)
        if info is not None:
            info.update(runs=n_unique, from_store=n_stored, computed=0,
                        backend=backend.describe(),
                        store=None if db is None else str(db.path))
        t0 = time.perf_counter()
        bar = _progress_bar(n_unique, n_stored, f"{name} [{backend.describe()}]", quiet)
        try:
            if todo:
                for rec in backend.run(todo):
                    dec = _decode(rec)
                    if db is not None and (store_if is None or store_if(dec["results"])):
                        db.put(rec, replace=recompute)
                    for i in positions[rec["key"]]:
                        done[i] = dict(dec, index=i)
                    n_stored += 1
                    bar.update(1)
                    if on_result is not None:
                        on_result(dec)
                    if info is not None:
                        info["computed"] += 1
                        info["seconds"] = time.perf_counter() - t0
        except KeyboardInterrupt:
            backend.abort()
            if db is not None:
                msg = (f"sweep {name!r} interrupted: {n_stored} of {n_unique} runs are in "
                       f"{db.path}; run the same command again to resume")
            else:
                msg = (f"sweep {name!r} interrupted after {n_stored} of {n_unique} runs; "
                       f"nothing was kept (no store given)")
            raise SweepInterrupted(msg) from None
        except BaseException:
            backend.abort()
            raise
        if info is not None:
            info["seconds"] = time.perf_counter() - t0
    finally:
        if bar is not None:
            bar.close()
        if own_backend:
            backend.close()
        if own_store and db is not None:
            db.close()
    return [done[i] for i in range(len(runs))]


def version() -> str:
    """The code version recorded with each run (see :func:`backends.code_version`)."""
    return code_version()
