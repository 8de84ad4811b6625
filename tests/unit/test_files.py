"""Unit tests of the shared file helpers (slth_theory.engine.files)."""

from __future__ import annotations

import errno
import os
import zipfile

import numpy as np
import pytest

from slth_theory.engine import files
from slth_theory.engine.limits import MemoryLimitError, override_memory_limit

# -- regular files ---------------------------------------------------------------------------

def test_regular_file_accepts_a_file_and_a_link_to_it(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    link = tmp_path / "link.txt"
    link.symlink_to(f)
    assert files.regular_file(f) == f
    assert files.regular_file(link) == link


def test_regular_file_refuses_missing_directory_fifo_device(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        files.regular_file(tmp_path / "nope", "target")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        files.regular_file(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        files.regular_file(fifo)
    with pytest.raises(ValueError, match="character device"):
        files.regular_file("/dev/zero")


def test_open_regular_never_blocks_on_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for p in (fifo, link):  # no writer: a blocking open would hang here
        with pytest.raises(ValueError, match="not a regular file"):
            files.open_regular(p)
    with pytest.raises(ValueError, match="character device"):
        files.open_regular("/dev/zero")


def test_read_text_file_size_limit_and_encoding(tmp_path):
    p = tmp_path / "t.json"
    p.write_text("[1, 2]")
    assert files.read_json_file(p) == [1, 2]
    with pytest.raises(ValueError, match="more than"):
        files.read_text_file(p, max_bytes=3)
    p.write_bytes(b"\xff\xfe\x80")
    with pytest.raises(ValueError, match="not UTF-8"):
        files.read_text_file(p)


def test_read_json_file_deep_nesting_is_a_value_error(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        files.read_json_file(p, "--grid")
    p.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        files.read_json_file(p, "--grid")


# -- inputs are never outputs ----------------------------------------------------------------

def test_refuse_same_file_catches_links_and_spellings(tmp_path):
    a = tmp_path / "a.npz"
    a.write_bytes(b"data")
    sym = tmp_path / "sym.npz"
    sym.symlink_to(a)
    hard = tmp_path / "hard.npz"
    os.link(a, hard)
    (tmp_path / "sub").mkdir()
    odd = tmp_path / "sub" / ".." / "a.npz"
    for out in (a, sym, hard, odd):
        with pytest.raises(ValueError, match="refusing to overwrite an input"):
            files.refuse_same_file([None, a], out)
    files.refuse_same_file([a], tmp_path / "b.npz")  # a different file is fine
    files.refuse_same_file([a], "-")
    files.refuse_same_file([a], None)


def test_refuse_same_file_counts_a_stores_wal_as_the_store(tmp_path):
    store = tmp_path / "s.sqlite"
    store.write_bytes(b"x")
    wal = tmp_path / "s.sqlite-wal"
    wal.write_bytes(b"y")
    with pytest.raises(ValueError, match="input"):
        files.refuse_same_file([store], wal)


# -- atomic outputs --------------------------------------------------------------------------

def _leftovers(d):
    return sorted(p.name for p in d.iterdir() if ".tmp" in p.name)


def test_atomic_output_replaces_only_on_success(tmp_path):
    out = tmp_path / "o.txt"
    out.write_text("old")
    os.chmod(out, 0o640)
    with pytest.raises(RuntimeError):
        with files.atomic_output(out, "w") as fh:
            fh.write("half")
            raise RuntimeError("writer failed")
    assert out.read_text() == "old"
    assert _leftovers(tmp_path) == []
    with files.atomic_output(out, "w") as fh:
        fh.write("new")
    assert out.read_text() == "new"
    assert (out.stat().st_mode & 0o777) == 0o640  # permissions of the file it replaced
    assert _leftovers(tmp_path) == []


def test_atomic_output_new_file_gets_umask_permissions(tmp_path):
    out = tmp_path / "n.txt"
    old = os.umask(0o022)
    try:
        files.write_text(out, "x")
    finally:
        os.umask(old)
    assert (out.stat().st_mode & 0o777) == 0o644


def test_atomic_output_on_keyboard_interrupt_leaves_nothing(tmp_path):
    out = tmp_path / "o.npz"
    with pytest.raises(KeyboardInterrupt):
        with files.atomic_output(out) as fh:
            fh.write(b"partial")
            raise KeyboardInterrupt
    assert not out.exists() and _leftovers(tmp_path) == []


def test_atomic_output_full_disk_is_one_oserror_naming_the_output(tmp_path, monkeypatch):
    out = tmp_path / "o.bin"
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        with files.atomic_output(out) as fh:
            fh.write(b"x" * 100)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert info.value.errno == errno.ENOSPC
    assert "o.bin" in str(info.value)
    assert not out.exists() and _leftovers(tmp_path) == []


def test_atomic_path_keeps_the_suffix_and_checks_the_folder(tmp_path):
    with files.atomic_path(tmp_path / "f.png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_bytes(b"png")
    assert (tmp_path / "f.png").read_bytes() == b"png"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with files.atomic_path(tmp_path / "nodir" / "f.png"):
            pass
    with pytest.raises(IsADirectoryError):
        with files.atomic_path(tmp_path):
            pass


def test_atomic_path_writes_devices_directly(tmp_path):
    with files.atomic_output("/dev/null", "w") as fh:
        fh.write("discarded")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


# -- npz reading -----------------------------------------------------------------------------

def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def test_read_npz_round_trip(tmp_path):
    p = _npz(tmp_path / "a.npz", w=np.arange(6.0).reshape(2, 3), m=np.ones(3, bool),
             s=np.array("relu"), i=np.arange(3))
    out = files.read_npz(p)
    assert out["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and out["s"][()] == "relu"
    np.savez_compressed(tmp_path / "c.npz", w=np.zeros((100, 100)))
    assert files.read_npz(tmp_path / "c.npz")["w"].shape == (100, 100)


def test_read_npz_refuses_object_arrays_without_unpickling(tmp_path):
    marker = tmp_path / "PWNED"

    class Pwn:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    obj = np.empty(1, dtype=object)
    obj[0] = Pwn()
    np.savez(tmp_path / "p.npz", meta=obj)
    with pytest.raises(ValueError, match="no pickled objects"):
        files.read_npz(tmp_path / "p.npz")
    assert not marker.exists()


def test_read_npz_checks_declared_sizes_before_reading(tmp_path):
    p = _npz(tmp_path / "big.npz", w=np.zeros((512, 512)))  # 2 MiB
    with pytest.raises(ValueError, match="declares 2 MiB"):
        files.read_npz(p, max_bytes=1 << 20)
    with override_memory_limit("1M"), pytest.raises(ValueError, match="--max-memory"):
        files.read_npz(p)
    assert files.read_npz(p, max_bytes=4 << 20)["w"].shape == (512, 512)


def test_read_npz_refuses_members_that_are_not_npy(tmp_path):
    p = tmp_path / "z.npz"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("evil.pkl", b"cos\nsystem\n")
    with pytest.raises(ValueError, match="not a top-level .npy"):
        files.read_npz(p)


def test_read_npz_refuses_special_files(tmp_path):
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        files.read_npz(fifo)
    with pytest.raises(ValueError, match="character device"):
        files.read_npz("/dev/zero")


def test_memory_limit_error_is_a_value_error():
    assert issubclass(MemoryLimitError, ValueError)


def test_npz_into_dev_null_and_fifo_without_reader(tmp_path):
    with files.atomic_output("/dev/null") as fh:  # zip writers seek: a device cannot
        np.savez(fh, a=np.arange(3))
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="no process is reading"):
        files.write_text(fifo, "x")
    assert not list(tmp_path.glob("*.tmp*"))
