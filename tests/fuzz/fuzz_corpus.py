"""A corpus of hostile and malformed input files, generated (never committed).

Every builder writes into a folder and returns ``{name: path}``;
``tests/fuzz/test_malformed_files.py`` runs the commands that read each kind.
The decompression bomb is a real deflate stream (valid CRC): :func:`npz_bomb` assembles
it from one compressed block repeated, so a 5 GiB bomb takes milliseconds to build.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

# -- CRC-32 of a run of zero bytes, without touching them (zlib's crc32_combine) ----------

_POLY = 0xEDB88320


def _gf2_times(mat: list[int], vec: int) -> int:
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_zeros(n: int, crc: int = 0) -> int:
    """``zlib.crc32(bytes(n), crc)`` in O(log n)."""
    if n == 0:
        return crc
    # operator for one zero bit, then squared to bytes
    odd = [_POLY] + [1 << i for i in range(31)]
    even = _gf2_square(odd)  # 2 zero bits
    odd = _gf2_square(even)  # 4 zero bits
    crc ^= 0xFFFFFFFF
    while True:
        even = _gf2_square(odd)  # first pass: 8 bits = 1 byte
        if n & 1:
            crc = _gf2_times(even, crc)
        n >>= 1
        if not n:
            break
        odd = _gf2_square(even)
        if n & 1:
            crc = _gf2_times(odd, crc)
        n >>= 1
        if not n:
            break
    return crc ^ 0xFFFFFFFF


def _deflated_zeros(header: bytes, n_zero: int) -> tuple[bytes, int]:
    """Raw deflate stream of ``header + bytes(n_zero)`` and its CRC-32."""
    block = 1 << 24
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [co.compress(header) + co.flush(zlib.Z_FULL_FLUSH)]
    reps, rest = divmod(n_zero, block)
    if reps:
        chunk = bytes(block)
        first = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
        second = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
        parts.append(first)
        if reps > 1:
            # after a full flush the compressor's state repeats: so does its output
            parts.append(second * (reps - 1))
    parts.append(co.compress(bytes(rest)) + co.flush())
    crc = crc32_zeros(n_zero, zlib.crc32(header))
    return b"".join(parts), crc


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _zip_raw_member(zf: zipfile.ZipFile, name: str, data: bytes, crc: int, size: int) -> None:
    """Append an already deflated member (``data``) declaring ``size`` and ``crc``."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size
    info.compress_size = len(data)
    info.CRC = crc
    zip64 = size > 0xFFFFFFFF or len(data) > 0xFFFFFFFF
    fp = zf.fp
    info.header_offset = fp.tell()
    fp.write(info.FileHeader(zip64))
    fp.write(data)
    zf.filelist.append(info)
    zf.NameToInfo[name] = info
    zf.start_dir = fp.tell()
    zf._didModify = True


def npz_bomb(path: Path, nbytes: int = 5 << 30) -> Path:
    """A network ``.npz`` whose ``weight_0`` (float64 zeros, ``nbytes``) deflates to ~1/1000."""
    rows = nbytes // 16
    header = _npy_header((rows, 2))
    data, crc = _deflated_zeros(header, rows * 16)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        _zip_raw_member(zf, "weight_0.npy", data, crc, len(header) + rows * 16)
        zf.writestr("bias_0.npy", _npy(np.zeros(1)))
        zf.writestr("output_activation.npy", _npy(np.array("identity")))
    return path


def _net_arrays() -> dict[str, np.ndarray]:
    return {"weight_0": np.ones((3, 2)), "bias_0": np.zeros(3), "weight_1": np.ones((1, 3)),
            "bias_1": np.zeros(1), "output_activation": np.array("identity"),
            "meta": np.array(json.dumps({"kind": "network"}))}


def _write_npz(path: Path, members: dict[str, bytes], compress: bool = False) -> Path:
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", mode) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _members(arrays: dict[str, np.ndarray]) -> dict[str, bytes]:
    return {f"{k}.npy": _npy(v) for k, v in arrays.items()}


class _Pwn:
    """Unpickling this would create the file named in ``marker``."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def npz_corpus(d: Path) -> dict[str, Path]:
    """Malformed or hostile ``.npz`` files (name -> path); none may run code or hang."""
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    good = _members(_net_arrays())
    out["good"] = _write_npz(d / "good.npz", good)
    # a pickled object whose unpickling would create a file
    marker = str(d / "PWNED")
    obj = np.empty(1, dtype=object)
    obj[0] = _Pwn(marker)
    out["pickle"] = _write_npz(d / "pickle.npz", dict(good, **{"meta.npy": _npy(obj)}))
    # a member that is not .npy (a raw pickle), one in a sub-folder
    out["not_npy"] = _write_npz(d / "not_npy.npz", dict(good, **{
        "evil.pkl": pickle.dumps(_Pwn(marker))}))
    out["subdir"] = _write_npz(d / "subdir.npz", dict(good, **{"x/weight_2.npy":
                                                                 _npy(np.ones((1, 1)))}))
    # header declaring a huge shape over a few bytes of data
    huge = _npy_header((1 << 31, 1 << 10)) + bytes(64)
    out["header_lies"] = _write_npz(d / "header_lies.npz", dict(good, **{"weight_0.npy": huge}))
    out["bad_npy_magic"] = _write_npz(d / "bad_magic.npz", dict(good, **{
        "weight_0.npy": b"NOTNUMPY" + bytes(100)}))
    out["structured"] = _write_npz(d / "structured.npz", dict(good, **{
        "weight_0.npy": _npy(np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))}))
    # corrupt deflate stream: flip bytes inside the compressed data of a member
    comp = d / "corrupt_deflate.npz"
    _write_npz(comp, _members(dict(_net_arrays(), weight_0=np.arange(4000.0).reshape(2000, 2),
                                   bias_0=np.zeros(2000), weight_1=np.ones((1, 2000)))),
               compress=True)
    raw = bytearray(comp.read_bytes())
    with zipfile.ZipFile(comp) as zf:
        info = zf.getinfo("weight_0.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    for i in range(start, start + 40):
        raw[i] ^= 0x5A
    comp.write_bytes(bytes(raw))
    out["corrupt_deflate"] = comp
    out["truncated"] = d / "truncated.npz"
    out["truncated"].write_bytes(out["good"].read_bytes()[:-40])
    out["empty"] = d / "empty.npz"
    out["empty"].write_bytes(b"")
    out["not_zip"] = d / "not_zip.npz"
    out["not_zip"].write_bytes(b"hello, this is not a zip file\n" * 10)
    out["empty_zip"] = _write_npz(d / "empty_zip.npz", {})
    # deep meta JSON, non-finite and huge parameters, wrong kinds
    out["deep_meta"] = _write_npz(d / "deep_meta.npz", dict(good, **{
        "meta.npy": _npy(np.array("[" * 100_000 + "]" * 100_000))}))
    out["meta_not_json"] = _write_npz(d / "meta_not_json.npz", dict(good, **{
        "meta.npy": _npy(np.array("{not json"))}))
    out["nan_weights"] = _write_npz(d / "nan_weights.npz", _members(dict(
        _net_arrays(), weight_0=np.full((3, 2), np.nan))))
    out["huge_weights"] = _write_npz(d / "huge_weights.npz", _members(dict(
        _net_arrays(), weight_0=np.full((3, 2), 1e300), weight_1=np.full((1, 3), 1e300),
        bias_0=np.full(3, -1e300))))
    out["activation_int"] = _write_npz(d / "activation_int.npz", _members(dict(
        _net_arrays(), output_activation=np.array(3))))
    out["shape_mismatch"] = _write_npz(d / "shape_mismatch.npz", _members(dict(
        _net_arrays(), weight_1=np.ones((1, 5)))))
    out["int_weights"] = _write_npz(d / "int_weights.npz", _members(dict(
        _net_arrays(), weight_0=np.ones((3, 2), dtype=np.int64))))
    # a 3 KB compact ticket whose meta.arch would regenerate a huge mother
    arch = [2, 100_000, 100_000, 1]
    meta = {"kind": "ticket", "scheme": "theorem5-uniform", "seed": 0, "bias": "nonzero",
            "mother": {"stored": "regenerate", "arch": arch, "sha256": "0" * 64}}
    masks = {}
    for i in range(len(arch) - 1):
        masks[f"weight_mask_{i}"] = np.zeros((1, 1), dtype=bool)
        masks[f"bias_mask_{i}"] = np.zeros(1, dtype=bool)
    out["compact_huge_arch"] = _write_npz(d / "compact_huge_arch.npz", _members(dict(
        output_scale=np.array(1.0), output_activation=np.array("identity"),
        meta=np.array(json.dumps(meta)))))
    out["compact_wrong_masks"] = _write_npz(d / "compact_wrong_masks.npz", _members(dict(
        masks, output_scale=np.array(1.0), output_activation=np.array("identity"),
        meta=np.array(json.dumps(meta)))))
    meta_bad = dict(meta, mother={"stored": "regenerate", "arch": "x" * 10, "sha256": 5})
    out["compact_bad_meta"] = _write_npz(d / "compact_bad_meta.npz", _members(dict(
        masks, output_scale=np.array(1.0), output_activation=np.array("identity"),
        meta=np.array(json.dumps(meta_bad)))))
    # special files
    out["directory"] = d / "a_directory.npz"
    out["directory"].mkdir(exist_ok=True)
    fifo = d / "fifo.npz"
    if hasattr(os, "mkfifo") and not fifo.exists():
        os.mkfifo(fifo)
    out["fifo"] = fifo
    out["dev_zero"] = Path("/dev/zero")
    link = d / "link_to_fifo.npz"
    if not link.exists():
        link.symlink_to(fifo.resolve())
    out["link_to_fifo"] = link
    return out


def bomb_corpus(d: Path, nbytes: int) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    return npz_bomb(d / f"bomb_{nbytes >> 20}MiB.npz", nbytes)


# -- results stores -----------------------------------------------------------------------

def store_corpus(d: Path, good_store: Path) -> dict[str, Path]:
    """Damaged or hostile stores, derived from a real one (``good_store``)."""
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    src = good_store.read_bytes()

    def copy(name: str) -> Path:
        p = d / name
        p.write_bytes(src)
        return p

    out["not_sqlite"] = d / "not_sqlite.sqlite"
    out["not_sqlite"].write_bytes(b"just text\n" * 100)
    # damaged: valid header, garbage in every page after the first
    dmg = bytearray(src)
    page = struct.unpack(">H", dmg[16:18])[0] or 65536
    for i in range(page, len(dmg)):
        dmg[i] = (dmg[i] * 7 + 13) & 0xFF
    out["damaged"] = d / "damaged.sqlite"
    out["damaged"].write_bytes(bytes(dmg))
    tail = bytearray(src)
    for i in range(len(tail) - page, len(tail)):
        tail[i] = 0xFF
    out["damaged_last_page"] = d / "damaged_last_page.sqlite"
    out["damaged_last_page"].write_bytes(bytes(tail))
    out["truncated"] = d / "truncated.sqlite"
    out["truncated"].write_bytes(src[: len(src) // 2 + 100])
    out["missing_table"] = copy("missing_table.sqlite")
    with sqlite3.connect(out["missing_table"]) as con:
        con.execute("DROP TABLE planned")
    con.close()
    out["missing_column"] = copy("missing_column.sqlite")
    with sqlite3.connect(out["missing_column"]) as con:
        con.execute("ALTER TABLE runs DROP COLUMN host")
    con.close()
    out["other_schema"] = d / "other_schema.sqlite"
    with sqlite3.connect(out["other_schema"]) as con:
        con.execute("CREATE TABLE t (a)")
    con.close()
    out["wrong_version"] = copy("wrong_version.sqlite")
    with sqlite3.connect(out["wrong_version"]) as con:
        con.execute("UPDATE slth_meta SET v = '99' WHERE k = 'schema_version'")
    con.close()
    out["bad_results_json"] = copy("bad_results_json.sqlite")
    with sqlite3.connect(out["bad_results_json"]) as con:
        con.execute("UPDATE runs SET results = '{not json', config = '[' || config")
    con.close()
    fifo = d / "fifo.sqlite"
    if hasattr(os, "mkfifo") and not fifo.exists():
        os.mkfifo(fifo)
    out["fifo"] = fifo
    out["directory"] = d / "dir.sqlite"
    out["directory"].mkdir(exist_ok=True)
    for p in out.values():
        if p.exists() and p.is_file():
            for suffix in ("-wal", "-shm"):
                Path(f"{p}{suffix}").unlink(missing_ok=True)
    return out


def hostile_results(kind: str, marker: str) -> dict:
    """Stored figure data naming code: a dataclass type the codec must refuse."""
    names = {"this": "this:s", "os_system": "os:system", "builtins_open": "builtins:open",
             "marker": "pathlib:Path"}
    return {"__slth__": "dataclass", "type": names[kind], "fields": {"args": [marker]}}


# -- text inputs ---------------------------------------------------------------------------

def text_corpus(d: Path) -> dict[str, Path]:
    """Malformed JSON grids and CSVs."""
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    files = {
        "grid_deep.json": "[" * 100_000 + "]" * 100_000,
        "grid_deep_object.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "grid_not_json.json": "{width: [1, 2]",
        "grid_scalars.json": "[1, 2, 3]",
        "grid_empty_axis.json": '{"width": []}',
        "grid_inf.json": '[{"width": 1e999}]',
        "grid_nan.json": '[{"width": NaN}]',
        "grid_huge_width.json": '[{"width": 40000}]',
        "grid_not_utf8.json": None,
        "foreign.csv": "a,b\n1,2\n",
        "empty.csv": "",
        "header_only.csv": "task,density\n",
        "binary.csv": None,
    }
    for name, text in files.items():
        p = d / name
        if text is None:
            p.write_bytes(b"\xff\xfe\x00garbage\x80\x81" * 50)
        else:
            p.write_text(text)
        out[name.rsplit(".", 1)[0]] = p
    return out
