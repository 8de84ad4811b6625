"""Every hostile or malformed file of the corpus gives one line and exit status 2 (or a
correct result): nothing is unpickled or imported, nothing hangs, no input is overwritten,
no store is written to when damaged, memory stays bounded."""

from __future__ import annotations

import errno
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pytest
from fuzz_harness import check_error, check_outcome, run_inprocess

# (file kinds whose reading must fail, what the one line must mention)
BAD_NPZ = {
    "pickle": "no pickled objects", "not_npy": "not a top-level .npy",
    "subdir": "not a top-level .npy", "header_lies": "declares shape",
    "bad_npy_magic": "no valid .npy header", "structured": "no pickled objects",
    "corrupt_deflate": "cannot be read", "truncated": "not a zip archive",
    "empty": "not a zip archive", "not_zip": "not a zip archive",
    "empty_zip": "missing array", "deep_meta": "nested too deeply",
    "meta_not_json": "not valid JSON", "nan_weights": "non-finite",
    "activation_int": "string scalar", "shape_mismatch": "columns",
    "int_weights": "must be float64", "compact_huge_arch": "--max-memory",
    "compact_wrong_masks": "mother arch", "compact_bad_meta": "regenerable mother",
    "directory": "directory", "fifo": "FIFO", "dev_zero": "character device",
    "link_to_fifo": "FIFO",
}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", sorted(BAD_NPZ))
def test_npz_readers_refuse_bad_files_in_one_line(kind, npz_files, tmp_path):
    path = npz_files[kind]
    for argv in (["info", path], ["width", "--target", path, "--eps", "0.1"]):
        check_error(run_inprocess(argv, tmp_path, time_limit=20), BAD_NPZ[kind])
    check_error(run_inprocess(["construct", "--target", path, "--eps", "0.5", "--out",
                               tmp_path / "o.npz", "--quiet"], tmp_path, 20))
    assert not (Path(npz_files["good"]).parent / "PWNED").exists()  # nothing unpickled
    assert not (tmp_path / "o.npz").exists()


def test_huge_but_finite_weights_are_handled(npz_files, tmp_path):
    for argv in (["info", npz_files["huge_weights"]],
                 ["width", "--target", npz_files["huge_weights"], "--eps", "0.1"]):
        check_outcome(run_inprocess(argv, tmp_path, time_limit=20))


def test_good_files_still_load(good, tmp_path):
    for key in ("target", "network", "ticket", "compact"):
        o = run_inprocess(["info", good[key], "--json"], tmp_path)
        check_outcome(o, allowed=(0,))


def test_decompression_bomb_is_refused_with_bounded_memory(bomb, tmp_path):
    """5 MB on disk, 5 GiB declared: refused before inflating; peak memory measured."""
    probe = ("import resource, sys\nfrom slth_theory.cli.main import main\n"
             "code = main(sys.argv[1:])\n"
             "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
             "file=sys.stderr)\nsys.exit(code)\n")
    script = tmp_path / "probe.py"
    script.write_text(probe)
    import subprocess
    proc = subprocess.run([sys.executable, str(script), "info", str(bomb)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "declares 5 GiB" in proc.stderr and "--max-memory" in proc.stderr
    peak_kib = int(proc.stderr.split("PEAK_KIB")[1].split()[0])
    assert peak_kib < 1 << 20, f"peak {peak_kib} KiB"  # < 1 GiB (measured: ~0.15 GiB)
    assert bomb.stat().st_size < 6 << 20


# -- stores ---------------------------------------------------------------------------------

STORE_MSG = {
    "not_sqlite": "not an SQLite file", "damaged": "not a readable SQLite",
    "truncated": "not a readable SQLite", "missing_table": "table 'planned' is missing",
    "missing_column": "lacks column", "other_schema": "not an slth sweep store",
    "wrong_version": "schema version", "fifo": "FIFO", "directory": "directory",
}


@pytest.mark.parametrize("kind", sorted(STORE_MSG))
def test_bad_stores_are_refused_untouched(kind, stores, tmp_path):
    path = stores[kind]
    before = _sha(path) if path.is_file() else None
    for argv in (["sweep", "status", path],
                 ["sweep", "export", path, "--csv", tmp_path / "o.csv"],
                 ["sweep", "run", "demo", "--param", "width=3", "--workers", "1",
                  "--store", path, "--quiet"],
                 ["figures", "--store", path, "--only", "demo", "--out", tmp_path / "f",
                  "--workers", "1", "--quiet"]):
        check_error(run_inprocess(argv, tmp_path, time_limit=30), STORE_MSG[kind])
    if before is not None:
        assert _sha(path) == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def test_a_store_with_a_damaged_page_is_never_written(stores, tmp_path):
    path = stores["damaged_last_page"]
    before = _sha(path)
    o = run_inprocess(["sweep", "run", "demo", "--param", "width=7", "--workers", "1",
                       "--store", path, "--quiet"], tmp_path, time_limit=30)
    check_error(o, "damaged")
    assert _sha(path) == before


def test_damaged_rows_are_one_line(stores, tmp_path):
    o = run_inprocess(["sweep", "export", stores["bad_results_json"], "--json-out",
                       tmp_path / "o.json"], tmp_path)
    check_error(o, "damaged config")


def test_status_and_export_leave_no_files_and_read_read_only_stores(good, tmp_path):
    store = tmp_path / "s.sqlite"
    store.write_bytes(good["store"].read_bytes())
    before = _sha(store)
    os.chmod(store, 0o444)
    for argv in (["sweep", "status", store, "--json"],
                 ["sweep", "export", store, "--csv", tmp_path / "e.csv"]):
        check_outcome(run_inprocess(argv, tmp_path), allowed=(0,))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "s.sqlite"]
    assert _sha(store) == before


def test_hostile_figure_data_in_a_store_is_not_imported(good, tmp_path):
    """The reported attack: a stored type name made `verify --figures` import a module."""
    from slth_theory.engine.store import ResultsStore
    from slth_theory.engine.sweep import plan

    store = tmp_path / "v.sqlite"
    marker = tmp_path / "PWNED"
    cfg = {"check": "lemma4", "level": "quick"}
    row = plan("verify", [cfg], seeds=[0])[0]
    bad = {"__slth__": "dataclass", "type": "this:s", "fields": {"args": [str(marker)]}}
    with ResultsStore(store) as db:
        db.put(dict(row, results={"rows": [], "data": bad, "error": None}, duration_s=0.0,
                    host="h", pid=1, version="v", finished_utc="t"))
    sys.modules.pop("this", None)
    o = run_inprocess(["verify", "--only", "lemma4", "--store", store, "--figures",
                       tmp_path / "figs", "--quiet"], tmp_path)
    check_error(o, "unknown type 'this:s'")
    assert "this" not in sys.modules and not marker.exists()
    assert "Namespaces are one honking great idea" not in o.out + o.err


# -- text inputs ----------------------------------------------------------------------------

GRID_MSG = {
    "grid_deep": "nested too deeply", "grid_deep_object": "nested too deeply",
    "grid_not_json": "not valid JSON", "grid_scalars": "expected a list of objects",
    "grid_empty_axis": "no values", "grid_inf": "not finite", "grid_nan": "not finite",
    "grid_huge_width": "--max-memory", "grid_not_utf8": "not UTF-8",
}


@pytest.mark.parametrize("kind", sorted(GRID_MSG))
def test_bad_grid_files(kind, text_files, tmp_path):
    o = run_inprocess(["sweep", "run", "demo", "--grid", text_files[kind], "--store",
                       tmp_path / "s.sqlite", "--workers", "1", "--quiet"], tmp_path)
    check_error(o, GRID_MSG[kind])
    assert not (tmp_path / "s.sqlite").exists()


@pytest.mark.parametrize("kind", ["foreign", "empty", "header_only", "binary"])
def test_bad_result_csvs(kind, text_files, tmp_path):
    o = run_inprocess(["reproduce", "fig1", "--plot-only", text_files[kind], "--out",
                       tmp_path / "out", "--quiet"], tmp_path)
    if kind == "header_only":  # a valid file without runs: an empty figure is fine
        check_outcome(o)
    else:
        check_error(o, "CSV" if kind != "binary" else "UTF-8")


def test_special_files_as_text_inputs(npz_files, tmp_path):
    for special in (npz_files["fifo"], npz_files["dev_zero"]):
        check_error(run_inprocess(["sweep", "run", "demo", "--grid", special, "--store",
                                   tmp_path / "s.sqlite", "--quiet"], tmp_path, 20),
                    "not a regular file")
        check_error(run_inprocess(["reproduce", "fig1", "--plot-only", special, "--out",
                                   tmp_path / "o"], tmp_path, 20), "not a regular file")


# -- outputs never replace inputs -----------------------------------------------------------

def test_outputs_equal_to_inputs_are_refused(good, tmp_path):
    target = tmp_path / "t.npz"
    target.write_bytes(good["target"].read_bytes())
    (tmp_path / "sym.npz").symlink_to(target)
    os.link(target, tmp_path / "hard.npz")
    store = tmp_path / "s.sqlite"
    store.write_bytes(good["store"].read_bytes())
    csv_in = tmp_path / "fig1.csv"
    csv_in.write_bytes(good["csv"].read_bytes())
    t_sha, s_sha, c_sha = _sha(target), _sha(store), _sha(csv_in)
    for out in (target, tmp_path / "sym.npz", tmp_path / "hard.npz",
                tmp_path / "x" / ".." / "t.npz"):
        (tmp_path / "x").mkdir(exist_ok=True)
        check_error(run_inprocess(["construct", "--target", target, "--eps", "0.5", "--out",
                                   out, "--quiet"], tmp_path), "refusing to overwrite")
    for argv in (["sweep", "export", store, "--csv", store],
                 ["sweep", "export", store, "--json-out", store],
                 ["sweep", "export", store, "--json-out", tmp_path / "." / "s.sqlite"],
                 ["verify", "--store", store, "--json-out", store, "--only", "lemma1"],
                 ["reproduce", "fig1", "--plot-only", csv_in, "--out", tmp_path]):
        check_error(run_inprocess(argv, tmp_path), "input")
    assert _sha(target) == t_sha and _sha(store) == s_sha and _sha(csv_in) == c_sha


# -- write failures: one line, nothing half-written -----------------------------------------

WRITERS = [
    ("init", ["init", "--arch", "2,3,1", "--out", "{d}/o.npz"], "o.npz"),
    ("random-target", ["random-target", "--arch", "2,3,1", "--out", "{d}/o.npz"], "o.npz"),
    ("export-csv", ["sweep", "export", "{store}", "--csv", "{d}/o.csv"], "o.csv"),
    ("export-json", ["sweep", "export", "{store}", "--json-out", "{d}/o.json"], "o.json"),
    ("plot-only", ["reproduce", "fig1", "--plot-only", "{csv}", "--out", "{d}"], "fig1.csv"),
]


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES],
                         ids=["ENOSPC", "EROFS", "EACCES"])
@pytest.mark.parametrize("name,argv,out", WRITERS, ids=[w[0] for w in WRITERS])
def test_write_failures_are_one_line_and_leave_nothing(name, argv, out, err, good, tmp_path,
                                                       monkeypatch):
    d = tmp_path / "out"
    d.mkdir()
    argv = [a.format(d=d, store=good["store"], csv=good["csv"]) for a in argv]
    real = os.replace

    def failing_replace(src, dst, *a, **k):  # the disk fills up / turns read-only at the end
        raise OSError(err, os.strerror(err), str(src))

    monkeypatch.setattr(os, "replace", failing_replace)
    o = run_inprocess(argv, tmp_path)
    monkeypatch.setattr(os, "replace", real)
    line = check_error(o, os.strerror(err))
    assert out in line
    assert not [p.name for p in d.iterdir() if ".tmp" in p.name], list(d.iterdir())
    assert not (d / out).exists()


def test_unwritable_folder_is_one_line(tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    o = run_inprocess(["init", "--arch", "2,3,1", "--out", tmp_path / "o.npz"], tmp_path)
    check_error(o, "Permission denied", "o.npz")
