"""SQLite results store for sweeps: one row per finished run, crash-safe, exportable.

A store is one SQLite file (standard library :mod:`sqlite3`) in WAL mode. Every finished
run is written in its own transaction, so a crash or ``kill -9`` at any moment loses at
most the runs in flight and never leaves a half-written row or a corrupt file. Several
processes may write one store at once (WAL: one writer at a time, waiting on a busy
timeout; readers never block).

Tables
------
``slth_meta(k, v)``
    ``schema = slth-sweep-store``, ``schema_version = 1``: how a file is recognised.
``runs``
    One row per finished run: ``key`` (primary key, see :func:`slth_theory.engine.sweep.run_key`),
    ``sweep``, ``config_key``, ``idx`` (position in the grid), ``root_seed``, ``seed``,
    ``config`` and ``results`` (canonical JSON text), ``duration_s``, ``host``, ``pid``,
    ``version`` (code version of the worker), ``finished_utc``.
``planned``
    The runs a sweep was asked to do (``key``, ``sweep``, ``idx``, ``root_seed``,
    ``seed``, ``config``), written once when a sweep starts, so that ``slth sweep status``
    can report what is still missing after an interruption.

A file that exists but is not SQLite, or is SQLite with tables of another schema, is
refused with a one-line :class:`ValueError` and never opened for writing. A missing
file, an empty (0-byte) file, or an SQLite file without any table becomes a new store.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from slth_theory.engine.codec import canonical_json, dumps

SCHEMA = "slth-sweep-store"
SCHEMA_VERSION = "1"
_MAGIC = b"SQLite format 3\x00"

_DDL = """
CREATE TABLE IF NOT EXISTS slth_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    sweep TEXT NOT NULL,
    config_key TEXT NOT NULL,
    idx INTEGER NOT NULL,
    root_seed INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,
    results TEXT NOT NULL,
    duration_s REAL NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    version TEXT NOT NULL,
    finished_utc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep, root_seed, idx);
CREATE TABLE IF NOT EXISTS planned (
    key TEXT PRIMARY KEY,
    sweep TEXT NOT NULL,
    idx INTEGER NOT NULL,
    root_seed INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    config TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS planned_sweep ON planned (sweep);
"""

_RUN_COLS = ("key", "sweep", "config_key", "idx", "root_seed", "seed", "config", "results",
             "duration_s", "host", "pid", "version", "finished_utc")


def _ro_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def check_store_file(path: str | Path) -> bool:
    """Validate ``path`` as a store without modifying it.

    Returns
    -------
    bool
        True if it is an existing slth store, False if it does not exist yet (or is an
        empty file, or an SQLite database without tables) and may be created.

    Raises
    ------
    ValueError
        The path is a directory, not an SQLite file, or an SQLite database of another
        schema (the file is left untouched).
    """
    p = Path(path)
    if not p.exists():
        return False
    if p.is_dir():
        raise ValueError(f"store {str(p)!r} is a directory, expected an SQLite file")
    size = p.stat().st_size
    if size == 0:
        return False
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head != _MAGIC:
        raise ValueError(f"store {str(p)!r} is not an SQLite file (refusing to touch it)")
    try:
        # immutable=1 reads the main file only: no lock, no -wal/-shm file is created, so a
        # file we refuse is left exactly as it was. While another process is writing it,
        # that read may fail or miss tables still in the WAL: then ask SQLite properly.
        try:
            tables, meta = _read_schema(_ro_uri(p) + "&immutable=1")
        except sqlite3.DatabaseError:
            tables, meta = _read_schema(_ro_uri(p))
        if not tables or ("slth_meta" in tables and not meta):
            tables, meta = _read_schema(_ro_uri(p))
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"store {str(p)!r} is not a readable SQLite database: {exc}") from None
    if not tables:
        return False
    if "slth_meta" not in tables:
        raise ValueError(f"store {str(p)!r} is an SQLite database but not an slth "
                         f"sweep store (tables: {', '.join(sorted(tables))})")
    if meta.get("schema") != SCHEMA:
        raise ValueError(f"store {str(p)!r} is an SQLite database but not an slth sweep store")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"store {str(p)!r} has schema version {meta.get('schema_version')!r}; "
                         f"this slth-theory reads version {SCHEMA_VERSION}")
    return True


def _read_schema(uri: str) -> tuple[set[str], dict[str, str]]:
    con = sqlite3.connect(uri, uri=True, timeout=30.0)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        meta = dict(con.execute("SELECT k, v FROM slth_meta")) if "slth_meta" in tables else {}
    finally:
        con.close()
    return tables, meta


def _dumps(obj: Any) -> str:
    return canonical_json(obj, allow_nonfinite=True)


class ResultsStore:
    """An slth sweep store in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The file (created with its parent folders if missing, unless ``readonly``).
    readonly : bool
        Open for reading only (``status``, ``export``); the file must be a store.
    timeout : float
        Seconds to wait for another writer's lock before failing.
    synchronous : {'FULL', 'NORMAL'}
        SQLite ``synchronous`` pragma. ``FULL`` (default) also survives power loss for
        committed runs; ``NORMAL`` survives process crashes only but commits faster.

    Notes
    -----
    Writes use ``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout instead
    of deadlocking; ``put`` with ``replace=False`` is ``INSERT OR IGNORE``, so the same run
    finished by two sweeps at once is stored once.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 60.0,
                 synchronous: str = "FULL"):
        self.path = Path(path)
        exists = check_store_file(self.path)
        self.readonly = readonly
        if readonly:
            if not exists:
                raise ValueError(f"store {str(self.path)!r} does not exist or holds no runs")
            self._con = sqlite3.connect(_ro_uri(self.path), uri=True, timeout=timeout,
                                        isolation_level=None)
            return
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL'; got {synchronous!r}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        try:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute(f"PRAGMA synchronous={synchronous}")
            if not exists:
                with self._transaction():
                    self._create()
        except Exception:
            self._con.close()
            raise

    # -- internals ---------------------------------------------------------------------
    def _create(self) -> None:
        for stmt in _DDL.strip().split(";"):
            if stmt.strip():
                self._con.execute(stmt)
        self._con.execute("INSERT OR IGNORE INTO slth_meta VALUES ('schema', ?)", (SCHEMA,))
        self._con.execute("INSERT OR IGNORE INTO slth_meta VALUES ('schema_version', ?)",
                          (SCHEMA_VERSION,))

    class _Tx:
        def __init__(self, con: sqlite3.Connection):
            self.con = con

        def __enter__(self):
            self.con.execute("BEGIN IMMEDIATE")
            return self.con

        def __exit__(self, et, ev, tb):
            self.con.execute("COMMIT" if et is None else "ROLLBACK")
            return False

    def _transaction(self) -> ResultsStore._Tx:
        if self.readonly:
            raise ValueError(f"store {str(self.path)!r} is open read-only")
        return ResultsStore._Tx(self._con)

    # -- context manager ---------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        if getattr(self, "_con", None) is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------
    def add_plan(self, rows: Iterable[dict]) -> None:
        """Record the planned runs of a sweep (one transaction; existing plans kept).

        Each row has ``key, sweep, index, root_seed, seed, config``.
        """
        data = [(r["key"], r["sweep"], int(r["index"]), int(r["root_seed"]), int(r["seed"]),
                 _dumps(r["config"])) for r in rows]
        with self._transaction() as con:
            con.executemany("INSERT OR IGNORE INTO planned VALUES (?, ?, ?, ?, ?, ?)", data)

    def put(self, record: dict, replace: bool = False) -> bool:
        """Write one finished run in its own transaction; True if a row was written.

        ``record`` holds the fields of :data:`_RUN_COLS` (``index`` for ``idx``; ``config``
        and ``results`` as dicts or canonical JSON text). With ``replace=False`` a run
        already in the store is kept (``INSERT OR IGNORE``).
        """
        row = _record_to_row(record)
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._transaction() as con:
            cur = con.execute(f"{verb} INTO runs VALUES ({', '.join('?' * len(row))})", row)
            return cur.rowcount > 0

    # -- reading -----------------------------------------------------------------------
    def keys(self, sweep: str | None = None) -> set[str]:
        """Keys of the finished runs (of one sweep, or all)."""
        if sweep is None:
            return {r[0] for r in self._con.execute("SELECT key FROM runs")}
        return {r[0] for r in self._con.execute("SELECT key FROM runs WHERE sweep = ?",
                                                 (sweep,))}

    def get(self, key: str) -> dict | None:
        """The record of one run, or None."""
        cur = self._con.execute("SELECT * FROM runs WHERE key = ?", (key,))
        row = cur.fetchone()
        return None if row is None else _row_to_record(row)

    def records(self, sweep: str | None = None) -> list[dict]:
        """All finished runs (of one sweep), ordered by sweep, root seed, grid position."""
        q = "SELECT * FROM runs"
        args: tuple = ()
        if sweep is not None:
            q += " WHERE sweep = ?"
            args = (sweep,)
        q += " ORDER BY sweep, root_seed, idx, key"
        return [_row_to_record(r) for r in self._con.execute(q, args)]

    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def status(self) -> list[dict]:
        """Per sweep: planned, done, missing (planned but not done), total run time."""
        done = {r[0]: (r[1], r[2], r[3]) for r in self._con.execute(
            "SELECT sweep, COUNT(*), SUM(duration_s), GROUP_CONCAT(DISTINCT version) "
            "FROM runs GROUP BY sweep")}
        planned = {r[0]: (r[1], r[2]) for r in self._con.execute(
            "SELECT p.sweep, COUNT(*), SUM(r.key IS NULL) FROM planned p "
            "LEFT JOIN runs r ON r.key = p.key GROUP BY p.sweep")}
        out = []
        for sweep in sorted(set(done) | set(planned)):
            n_done, secs, versions = done.get(sweep, (0, 0.0, None))
            n_plan, n_missing = planned.get(sweep, (0, 0))
            out.append({"sweep": sweep, "planned": int(n_plan), "done": int(n_done),
                        "missing": int(n_missing or 0), "run_seconds": float(secs or 0.0),
                        "versions": sorted(versions.split(",")) if versions else []})
        return out

    def missing(self, sweep: str | None = None) -> list[dict]:
        """Planned runs not yet finished."""
        q = ("SELECT p.key, p.sweep, p.idx, p.root_seed, p.seed, p.config FROM planned p "
             "LEFT JOIN runs r ON r.key = p.key WHERE r.key IS NULL")
        args: tuple = ()
        if sweep is not None:
            q += " AND p.sweep = ?"
            args = (sweep,)
        return [{"key": k, "sweep": s, "index": i, "root_seed": rs, "seed": sd,
                 "config": json.loads(c)} for k, s, i, rs, sd, c in
                self._con.execute(q + " ORDER BY p.sweep, p.root_seed, p.idx", args)]

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` ('ok' when the file is sound)."""
        return "; ".join(r[0] for r in self._con.execute("PRAGMA integrity_check"))

    # -- export ------------------------------------------------------------------------
    def export_json(self, path: str | Path, sweep: str | None = None) -> int:
        """Write all records as a JSON list (non-finite floats as null); number written."""
        recs = self.records(sweep)
        with _replace_into(path) as tmp:
            tmp.write_text(dumps(recs, indent=1, sort_keys=True) + "\n")
        return len(recs)

    def export_csv(self, path: str | Path, sweep: str | None = None) -> int:
        """Write one CSV row per run; number written.

        Columns: the run fields, then ``config.<name>`` and ``result.<name>`` for every
        top-level config and result entry (nested values as JSON text).
        """
        recs = self.records(sweep)
        base = ["sweep", "key", "config_key", "index", "root_seed", "seed", "duration_s",
                "host", "pid", "version", "finished_utc"]
        ckeys = sorted({k for r in recs for k in r["config"]})
        rkeys = sorted({k for r in recs for k in r["results"]})
        with _replace_into(path) as tmp, open(tmp, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(base + [f"config.{k}" for k in ckeys] + [f"result.{k}" for k in rkeys])
            for r in recs:
                w.writerow([r[c] for c in base]
                           + [_cell(r["config"].get(k)) for k in ckeys]
                           + [_cell(r["results"].get(k)) for k in rkeys])
        return len(recs)


@contextlib.contextmanager
def _replace_into(path: str | Path):
    """A temporary path beside ``path``, renamed onto it when the block succeeds."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return canonical_json(v, allow_nonfinite=True)
    if isinstance(v, float):
        return repr(v)
    return v


def _record_to_row(r: dict) -> tuple:
    cfg = r["config"] if isinstance(r["config"], str) else _dumps(r["config"])
    res = r["results"] if isinstance(r["results"], str) else _dumps(r["results"])
    return (r["key"], r["sweep"], r["config_key"], int(r["index"]), int(r["root_seed"]),
            int(r["seed"]), cfg, res, float(r["duration_s"]), str(r["host"]), int(r["pid"]),
            str(r["version"]), str(r["finished_utc"]))


def _row_to_record(row: tuple) -> dict:
    d = dict(zip(_RUN_COLS, row, strict=True))
    d["index"] = d.pop("idx")
    d["config"] = json.loads(d["config"])
    d["results"] = json.loads(d["results"])
    return d
