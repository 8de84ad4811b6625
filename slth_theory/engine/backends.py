"""Where sweep runs execute: in-process (serial), local processes (joblib/loky), Dask.

Every backend runs the same :func:`execute_task` on each task and yields the finished
records as they complete (any order); :func:`slth_theory.engine.sweep.run_sweep` writes each to
the store and puts them back in grid order. Because a run's output depends only on its
config and its seed (see :mod:`slth_theory.engine.sweep`), every backend and worker count gives
the same numbers bit for bit.

Thread limits
-------------
A worker process running numba-parallel or BLAS code would by default start one thread
per core, so N processes would start N x cores threads. Each worker therefore gets
``threads = max(1, cores // N)`` (``cores`` = CPUs this process may use):

* loky (``workers=N``): the variables of :data:`THREAD_VARS` (``OMP_NUM_THREADS``,
  ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``NUMBA_NUM_THREADS``, ...) are set to
  ``threads`` in the environment the worker processes start with (loky ``env=``), so
  BLAS and Numba read them when first imported;
* ``dask_local=N``: the same variables through the nanny's ``env=`` (one thread per
  worker process: ``threads_per_worker=1``);
* ``scheduler=...`` (a cluster we did not start): :func:`execute_task` calls
  ``numba.set_num_threads(threads)`` (``threads`` = 1 unless ``SLTH_WORKER_THREADS``
  is set) and exports the variables for libraries not yet loaded; start such workers
  with ``--nthreads 1`` and ``OMP_NUM_THREADS=1`` to limit BLAS as well;
* serial: nothing is limited (one process may use every core).

In every case :func:`execute_task` also calls ``numba.set_num_threads`` when Numba is
already imported in the worker, so the limit holds even in a reused process.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from slth_theory.engine.codec import canonical_json

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS",
               "NUMEXPR_NUM_THREADS")


class SweepRunError(RuntimeError):
    """A run of a sweep raised an exception (the finished runs stay in the store)."""


def available_cores() -> int:
    """CPUs this process may use (affinity-aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def threads_per_worker(workers: int) -> int:
    """``max(1, cores // workers)``: processes x threads never exceeds the cores."""
    return max(1, available_cores() // max(1, workers))


def worker_env(threads: int) -> dict[str, str]:
    """Environment variables limiting BLAS/OpenMP/Numba pools to ``threads``."""
    return {v: str(int(threads)) for v in THREAD_VARS}


_LIMITED: int | None = None


def _limit_threads(threads: int | None) -> None:
    global _LIMITED
    if threads is None or _LIMITED == threads:
        return
    import sys
    for k, v in worker_env(threads).items():
        os.environ[k] = v  # for libraries imported later in this process
    if "numba" in sys.modules:
        import numba
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    _LIMITED = threads


_VERSION: str | None = None


def code_version() -> str:
    """``slth-theory <version>`` plus ``+g<commit>[.dirty]`` when run from a git checkout."""
    global _VERSION
    if _VERSION is None:
        import subprocess
        from pathlib import Path

        from slth_theory._version import __version__
        v = f"slth-theory {__version__}"
        pkg = Path(__file__).resolve().parent
        try:
            head = subprocess.run(["git", "-C", str(pkg), "rev-parse", "--short=12", "HEAD"],
                                  capture_output=True, text=True, timeout=10)
            if head.returncode == 0 and head.stdout.strip():
                dirty = subprocess.run(["git", "-C", str(pkg), "diff", "--quiet", "HEAD",
                                        "--", "."], capture_output=True, timeout=10)
                v += f"+g{head.stdout.strip()}" + (".dirty" if dirty.returncode == 1 else "")
        except (OSError, subprocess.SubprocessError):
            pass
        _VERSION = v
    return _VERSION


def canonical_results(results: Any, where: str) -> str:
    """Results as canonical JSON text (sorted keys; NaN/inf kept as JSON extensions)."""
    if not isinstance(results, dict):
        raise SweepRunError(f"{where} returned {type(results).__name__}, expected a dict")
    try:
        return canonical_json(results, allow_nonfinite=True)
    except ValueError as exc:
        raise SweepRunError(f"{where}: {exc}") from None


def execute_task(task: dict) -> dict:
    """Run one task in the current process and return its finished record.

    ``task`` holds ``fn`` (the sweep function), ``sweep``, ``key``, ``config_key``,
    ``index``, ``root_seed``, ``seed``, ``config`` and ``threads``. The record holds the
    same fields (minus ``fn``/``threads``) plus ``results`` (canonical JSON text),
    ``duration_s``, ``host``, ``pid``, ``version`` and ``finished_utc``.
    """
    _limit_threads(task.get("threads"))
    where = f"run #{task['index']} of sweep {task['sweep']!r} (key {task['key']})"
    t0 = time.perf_counter()
    try:
        out = task["fn"](dict(task["config"]), int(task["seed"]))
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        msg = " ".join(str(exc).split())
        raise SweepRunError(f"{where} failed: {type(exc).__name__}: {msg}") from exc
    dt = time.perf_counter() - t0
    rec = {k: task[k] for k in ("sweep", "key", "config_key", "index", "root_seed", "seed",
                                "config")}
    rec.update(results=canonical_results(out, where), duration_s=dt, host=socket.gethostname(),
               pid=os.getpid(), version=code_version(),
               finished_utc=datetime.now(UTC).isoformat(timespec="milliseconds"))
    return rec


class Backend:
    """Base class: ``run(tasks)`` yields finished records; ``close()`` releases workers."""

    name = "serial"
    workers = 1
    threads: int | None = None

    def run(self, tasks: Sequence[dict]) -> Iterator[dict]:  # pragma: no cover - abstract
        raise NotImplementedError

    def abort(self) -> None:
        """Stop everything in flight (Ctrl-C or a failed run)."""

    def close(self) -> None:
        """Release workers/cluster."""

    def describe(self) -> str:
        return self.name

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialBackend(Backend):
    """Runs every task in this process, in grid order."""

    def run(self, tasks: Sequence[dict]) -> Iterator[dict]:
        for t in tasks:
            yield execute_task(t)


def ignore_sigint() -> None:
    """Worker initializer: ignore SIGINT, so a terminal's Ctrl-C (sent to the whole
    process group) is handled by the driving process alone, which stops the workers."""
    import signal
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # pragma: no cover - not the main thread
        pass


_TRACKER_FILTER = "ignore::UserWarning:joblib.externals.loky.backend.resource_tracker"


def _quiet_loky_tracker() -> None:
    """Silence loky's resource tracker about semaphores of workers killed on Ctrl-C.

    The tracker is a separate process started with this process's environment; when
    workers are killed it reports their semaphores as "leaked" and then cleans them up,
    which is noise after a deliberate stop. Only that module's UserWarnings are ignored.
    """
    cur = os.environ.get("PYTHONWARNINGS", "")
    if _TRACKER_FILTER not in cur:
        os.environ["PYTHONWARNINGS"] = f"{cur},{_TRACKER_FILTER}" if cur else _TRACKER_FILTER


class LokyBackend(Backend):
    """``workers`` local processes through joblib's loky executor."""

    name = "loky"

    def __init__(self, workers: int):
        self.workers = int(workers)
        self.threads = threads_per_worker(self.workers)
        self._ex = None

    def describe(self) -> str:
        return f"loky, {self.workers} processes x {self.threads} threads"

    def run(self, tasks: Sequence[dict]) -> Iterator[dict]:
        from concurrent.futures import FIRST_COMPLETED, wait

        from joblib.externals.loky import get_reusable_executor
        _quiet_loky_tracker()
        self._ex = get_reusable_executor(max_workers=self.workers,
                                         env=worker_env(self.threads), timeout=30,
                                         initializer=ignore_sigint)
        # a bounded window of submitted tasks: little memory for huge grids, little to
        # throw away on Ctrl-C
        window = 4 * self.workers
        todo = iter(tasks)
        pending: set = set()
        while True:
            while len(pending) < window:
                t = next(todo, None)
                if t is None:
                    break
                pending.add(self._ex.submit(execute_task, dict(t, threads=self.threads)))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            failed = None
            for fut in done:  # keep every finished run before raising a failure
                if fut.exception() is None:
                    yield fut.result()
                elif failed is None:
                    failed = fut
            if failed is not None:
                failed.result()

    def abort(self) -> None:
        # No Future.cancel(): loky's manager thread fails on futures cancelled behind its
        # back and leaves the workers alive. shutdown(kill_workers=True) ends them all; a
        # race inside loky can make its manager thread print a traceback while it stops,
        # which is noise for a user pressing Ctrl-C, so it is silenced while we wait.
        if self._ex is None:
            return
        old = threading.excepthook

        def quiet(args):
            if args.thread is None or "ExecutorManager" not in args.thread.name:
                old(args)

        threading.excepthook = quiet
        try:
            self._ex.shutdown(wait=True, kill_workers=True)
        finally:
            threading.excepthook = old
            self._ex = None


def _need_dask():
    try:
        import distributed
    except ImportError:
        raise ValueError("--scheduler/--dask-local need the optional Dask extra: "
                         "pip install 'slth-theory[dask]'") from None
    return distributed


class DaskBackend(Backend):
    """An existing Dask cluster (``scheduler``) or a local one started here (``local``)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, local: int | None = None,
                 connect_timeout: float = 10.0):
        distributed = _need_dask()
        self._cluster = None
        self.client = None
        self._futures: list = []
        if local is not None:
            self.workers = int(local)
            self.threads = threads_per_worker(self.workers)
            for name in ("distributed", "tornado", "asyncio"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            self._start_local(distributed)
            self.where = f"local Dask cluster, {self.workers} processes x {self.threads} threads"
        else:
            if not isinstance(scheduler, str) or "://" not in scheduler:
                raise ValueError(f"--scheduler must look like tcp://HOST:PORT; got {scheduler!r}")
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
            try:
                self.client = distributed.Client(scheduler, timeout=connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"cannot reach the Dask scheduler {scheduler} within "
                                 f"{connect_timeout:g} s ({type(exc).__name__})") from None
            self.threads = int(os.environ.get("SLTH_WORKER_THREADS", "1"))
            info = self.client.scheduler_info()
            self.workers = max(1, len(info.get("workers", {})))
            self.where = f"Dask scheduler {scheduler} ({self.workers} workers)"

    def _start_local(self, distributed) -> None:
        # Ctrl-C in a terminal signals the whole process group, workers included. The
        # preload makes each worker ignore SIGINT once it is up, so that only this process
        # reacts (and shuts the cluster down) instead of every worker printing a traceback.
        self._cluster = distributed.LocalCluster(
            n_workers=self.workers, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.CRITICAL,
            env=worker_env(self.threads), preload=["slth_theory.engine._dask_worker"])
        try:
            self.client = distributed.Client(self._cluster)
        except BaseException:
            self.close()
            raise

    def describe(self) -> str:
        return self.where

    def run(self, tasks: Sequence[dict]) -> Iterator[dict]:
        from distributed import as_completed
        payload = [dict(t, threads=self.threads) for t in tasks]
        self._futures = self.client.map(execute_task, payload,
                                        key=[f"slth-{t['sweep']}-{t['key']}" for t in tasks],
                                        retries=0)
        # with_results: results stream back in batches instead of one round trip each
        for _fut, rec in as_completed(self._futures, with_results=True):
            yield rec
        self._futures = []

    def abort(self) -> None:
        if self._futures:
            try:
                self.client.cancel(self._futures)
            except Exception:  # noqa: BLE001 - best effort while stopping
                pass
            self._futures = []

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.close()
                self.client = None
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None


def make_backend(workers: int | None = 1, scheduler: str | None = None,
                 dask_local: int | None = None, connect_timeout: float = 10.0) -> Backend:
    """Validate the execution options and build (connect) the backend.

    ``scheduler`` and ``dask_local`` exclude each other; ``workers`` (None = all cores)
    applies only to local processes; ``workers=1`` runs in this process.
    """
    if scheduler is not None and dask_local is not None:
        raise ValueError("give either a scheduler or dask_local, not both")
    if dask_local is not None:
        if isinstance(dask_local, bool) or not isinstance(dask_local, int) or dask_local < 1:
            raise ValueError(f"dask_local must be an integer >= 1; got {dask_local!r}")
        return DaskBackend(local=dask_local, connect_timeout=connect_timeout)
    if scheduler is not None:
        return DaskBackend(scheduler=scheduler, connect_timeout=connect_timeout)
    if workers is None:
        workers = available_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1; got {workers!r}")
    return SerialBackend() if workers == 1 else LokyBackend(workers)
