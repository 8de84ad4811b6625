"""The SQLite results store: schema, refusal of foreign files, concurrency, export."""

import csv
import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from slth_theory.engine.store import ResultsStore, check_store_file


def _rec(i, sweep="s", **kw):
    r = {"key": f"k{i:04d}", "sweep": sweep, "config_key": f"c{i}", "index": i, "root_seed": 0,
         "seed": 2**62 + i, "config": {"a": i, "name": "x"},
         "results": {"v": i / 3, "nan": float("nan"), "list": [1, 2]}, "duration_s": 0.5,
         "host": "h", "pid": 1, "version": "v", "finished_utc": "t"}
    r.update(kw)
    return r


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_roundtrip_ignore_and_replace(tmp_path):
    p = tmp_path / "sub" / "s.sqlite"
    with ResultsStore(p) as db:
        assert db.put(_rec(0)) and db.put(_rec(1))
        assert not db.put(_rec(0, results={"v": 99}))  # kept, not duplicated
        assert db.get("k0000")["results"]["v"] == 0 / 3
        assert db.put(_rec(0, results={"v": 99}), replace=True)
        assert db.get("k0000")["results"]["v"] == 99
        assert len(db) == 2 and db.keys("s") == {"k0000", "k0001"} and db.keys("t") == set()
        r1 = db.get("k0001")
        assert r1["seed"] == 2**62 + 1 and r1["config"] == {"a": 1, "name": "x"}
        assert r1["results"]["v"] == 1 / 3  # bit-exact float round trip
        assert db.integrity_check() == "ok"
        assert db.get("nope") is None
    assert check_store_file(p) is True
    con = sqlite3.connect(p)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_plan_status_missing(tmp_path):
    with ResultsStore(tmp_path / "s.sqlite") as db:
        db.add_plan([{"key": f"k{i:04d}", "sweep": "s", "index": i, "root_seed": 0,
                      "seed": i, "config": {"a": i}} for i in range(5)])
        db.put(_rec(1))
        db.put(_rec(3))
        db.put(_rec(0, sweep="other", key="o0"))
        st = {r["sweep"]: r for r in db.status()}
        assert (st["s"]["planned"], st["s"]["done"], st["s"]["missing"]) == (5, 2, 3)
        assert (st["other"]["planned"], st["other"]["done"]) == (0, 1)
        assert [m["index"] for m in db.missing("s")] == [0, 2, 4]


def test_export_csv_json(tmp_path):
    with ResultsStore(tmp_path / "s.sqlite") as db:
        for i in range(3):
            db.put(_rec(i))
        assert db.export_csv(tmp_path / "o.csv") == 3
        assert db.export_json(tmp_path / "o.json") == 3
    rows = list(csv.DictReader(open(tmp_path / "o.csv")))
    assert [int(r["index"]) for r in rows] == [0, 1, 2]
    assert float(rows[2]["result.v"]) == 2 / 3
    assert rows[0]["config.name"] == "x" and rows[0]["result.list"] == "[1,2]"
    data = json.loads((tmp_path / "o.json").read_text())
    assert data[1]["results"]["v"] == 1 / 3 and data[1]["results"]["nan"] is None


def test_refuses_non_sqlite_untouched(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("my precious notes\n" * 10)
    before = _sha(p)
    for f in (lambda: ResultsStore(p), lambda: ResultsStore(p, readonly=True),
              lambda: check_store_file(p)):
        with pytest.raises(ValueError, match="not an SQLite file"):
            f()
    assert _sha(p) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["notes.db"]


def test_refuses_foreign_sqlite_untouched(tmp_path):
    p = tmp_path / "other.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    before = _sha(p)
    with pytest.raises(ValueError, match="not an slth sweep store"):
        ResultsStore(p)
    assert _sha(p) == before


def test_directory_missing_and_empty(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        ResultsStore(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        ResultsStore(tmp_path / "none.sqlite", readonly=True)
    assert not (tmp_path / "none.sqlite").exists()
    empty = tmp_path / "empty.sqlite"
    empty.touch()  # a 0-byte file is what SQLite itself creates first: becomes a store
    with ResultsStore(empty) as db:
        db.put(_rec(0))
    assert check_store_file(empty)


_WRITER = textwrap.dedent("""
    import sys
    from slth_theory.engine.store import ResultsStore
    path, start, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with ResultsStore(path, timeout=60) as db:
        for i in range(start, start + n):
            db.put({"key": f"k{i:05d}", "sweep": "s", "config_key": "c", "index": i,
                    "root_seed": 0, "seed": i, "config": {"i": i}, "results": {"v": i * 0.1},
                    "duration_s": 0.0, "host": "h", "pid": 0, "version": "v",
                    "finished_utc": "t"})
""")


def test_two_processes_write_at_once(tmp_path):
    p = tmp_path / "s.sqlite"
    ResultsStore(p).close()
    # overlapping key ranges: 0..299 and 150..449 -> 450 distinct runs
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(p), str(s), "300"])
             for s in (0, 150)]
    assert [q.wait(timeout=120) for q in procs] == [0, 0]
    with ResultsStore(p, readonly=True) as db:
        assert db.integrity_check() == "ok"
        recs = db.records()
    assert len(recs) == 450
    assert sorted(r["index"] for r in recs) == list(range(450))
    assert all(r["results"]["v"] == r["index"] * 0.1 for r in recs)
