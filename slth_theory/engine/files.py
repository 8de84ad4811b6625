"""Safe file handling shared by every command: read regular files only, never overwrite an
input, write outputs atomically, read ``.npz`` archives within a memory budget.

Guarantees (see ``docs/guide/safety.md``):

* :func:`regular_file` / :func:`open_regular` accept regular files only (a FIFO, a device
  such as ``/dev/zero``, a socket or a directory is refused with a one-line error, and a
  FIFO is never opened in blocking mode, so nothing hangs).
* :func:`refuse_same_file` refuses an output that is one of the inputs, also through
  symbolic or hard links (same device and inode) or a different spelling of the path.
* :func:`atomic_output` / :func:`atomic_path` write into a temporary file in the output's
  folder and rename it into place only when the writer finished without an exception;
  on any failure (full disk, Ctrl-C, a bug) the temporary file is removed and an existing
  output is left as it was.
* :func:`read_npz` checks every zip member's declared uncompressed size and every ``.npy``
  header's declared dtype and shape before a byte of array data is read, refuses object
  arrays (no unpickling) and anything that is not ``.npy``, and reads within
  :func:`slth_theory.engine.limits.file_memory_limit`.
* :func:`read_json_file` / :func:`read_text_file` read bounded, decoded text; JSON nested
  deeper than Python can parse is a ``ValueError``, not a ``RecursionError``.

Every failure is an ``OSError`` subclass with the file name or a ``ValueError`` naming the
file, so the CLI prints one line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from slth_theory.engine.limits import check_memory, file_memory_limit, format_bytes

__all__ = ["atomic_output", "atomic_path", "open_regular", "read_json_file", "read_npz",
           "read_text_file", "refuse_same_file", "regular_file", "save_figure", "write_text"]

PathLike = str | os.PathLike

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _not_regular(path: PathLike, mode: int, what: str) -> OSError | ValueError:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, f"{what} {str(path)!r} is a directory, "
                                 "expected a file")
    return ValueError(f"{what} {str(path)!r} is {_kind(mode)}, not a regular file")


def regular_file(path: PathLike, what: str = "file") -> Path:
    """``path`` as a :class:`~pathlib.Path` if it names an existing regular file.

    Symbolic links are followed. Raises ``FileNotFoundError`` (missing),
    ``IsADirectoryError`` (a directory) or ``ValueError`` (a FIFO, device or socket),
    each naming ``what`` and the path.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{what} {str(p)!r} does not exist") from None
    except NotADirectoryError:
        raise FileNotFoundError(errno.ENOENT, f"{what} {str(p)!r} does not exist") from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(p, st.st_mode, what)
    return p


def open_regular(path: PathLike, what: str = "file") -> IO[bytes]:
    """Open ``path`` for binary reading if it is a regular file (checked on the open file).

    The file is opened with ``O_NONBLOCK`` (a FIFO does not block the open) and checked
    with ``fstat`` before anything is read, so swapping the file for a FIFO between a
    check and the open cannot make the reader hang.
    """
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{what} {str(p)!r} does not exist") from None
    except IsADirectoryError:
        raise IsADirectoryError(errno.EISDIR, f"{what} {str(p)!r} is a directory, "
                                "expected a file") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(p, st.st_mode, what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text_file(path: PathLike, what: str = "file", max_bytes: int | None = None) -> str:
    """UTF-8 text of a regular file of at most ``max_bytes`` (default: the file limit)."""
    limit = file_memory_limit() if max_bytes is None else int(max_bytes)
    with open_regular(path, what) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise ValueError(f"{what} {str(path)!r} has {format_bytes(size)}, more than the "
                             f"{format_bytes(limit)} allowed (raise it with --max-memory)")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{what} {str(path)!r} is larger than {format_bytes(limit)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} {str(path)!r} is not UTF-8 text ({exc.reason} at byte "
                         f"{exc.start})") from None


def loads_json(text: str, what: str) -> Any:
    """``json.loads`` whose failures (bad syntax, nesting too deep) are ``ValueError``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"{what} is JSON nested too deeply to read") from None


def read_json_file(path: PathLike, what: str = "file", max_bytes: int | None = None) -> Any:
    """The JSON value in a regular file; every failure is one ``ValueError``/``OSError``."""
    return loads_json(read_text_file(path, what, max_bytes), f"{what} {str(path)!r}")


# -- inputs and outputs ------------------------------------------------------------------

def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_same_file(inputs: Iterable[PathLike | None], output: PathLike | None,
                     what: str = "output") -> None:
    """Raise ``ValueError`` if ``output`` is one of ``inputs`` (``None`` entries skipped).

    Two paths are the same file if they resolve to the same real path or (both existing)
    to the same device and inode, so symbolic links, hard links, ``./x`` and ``../d/x`` are
    all caught. An SQLite store's ``-wal``/``-shm`` companions count as the store.
    """
    if output is None or str(output) in ("", "-"):
        return
    out = Path(output)
    for src in inputs:
        if src is None or str(src) in ("", "-"):
            continue
        src = Path(src)
        for cand in (src, Path(f"{src}-wal"), Path(f"{src}-shm"), Path(f"{src}-journal")):
            if cand is not src and not cand.exists():
                continue
            if _same(cand, out):
                raise ValueError(f"{what} {str(out)!r} is the input {str(src)!r}; "
                                 "refusing to overwrite an input (choose another path)")


def _check_output(path: Path, what: str) -> os.stat_result | None:
    parent = path.parent
    if not parent.exists():
        raise FileNotFoundError(errno.ENOENT, f"{what}: directory {str(parent)!r} does not "
                                "exist")
    if not parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{what}: {str(parent)!r} is not a directory")
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"{what} {str(path)!r} is a directory")
    return st


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: PathLike, what: str = "output") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block succeeds.

    The temporary name keeps ``path``'s suffix (``.x.npz.1a2b.tmp.npz``), so writers that
    infer a format from the extension (``savefig``, ``np.savez``) behave the same. The
    block writes the file itself. On success the file gets the permissions of the file it
    replaces (or ``0666 & ~umask``), is flushed to disk and renamed over ``path``
    atomically; on any exception the temporary file is removed and ``path`` is untouched.

    An existing ``path`` that is a character device or a FIFO (``/dev/null``,
    ``/dev/stdout``, a named pipe) is not replaced: the complete temporary file is copied
    into it (a FIFO without a reader is an error, not a hang). Sockets and block devices
    are refused.
    """
    path = Path(path)
    st = _check_output(path, what)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _via_copy(path, st.st_mode, what) as tmp_path:
            yield tmp_path
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                                   dir=path.parent)
    except OSError as exc:
        raise _write_error(exc, path, what) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        mode = (st.st_mode & 0o7777) if st is not None else (0o666 & ~_umask())
        os.chmod(tmp_path, mode)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, tmp, str(path)):
            raise _write_error(exc, path, what) from None
        raise


@contextlib.contextmanager
def _via_copy(path: Path, mode: int, what: str) -> Iterator[Path]:
    """Write to a private temporary file, then copy it into the device or FIFO ``path``."""
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise _not_regular(path, mode, what)
    folder = Path(tempfile.mkdtemp(prefix="slth-"))
    tmp_path = folder / f"out{path.suffix}"
    try:
        yield tmp_path
        try:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise OSError(errno.ENXIO, f"cannot write {what} {str(path)!r}: no process "
                              "is reading this FIFO") from None
            raise _write_error(exc, path, what) from None
        try:
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            with open(tmp_path, "rb") as src, os.fdopen(fd, "wb", closefd=False) as dst:
                shutil.copyfileobj(src, dst)
        except OSError as exc:
            raise _write_error(exc, path, what) from None
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_error(exc: OSError, path: Path, what: str) -> OSError:
    """``exc`` (from writing a temporary file) re-worded to name the output ``path``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OSError(exc.errno, f"cannot write {what} {str(path)!r}: {reason}")


@contextlib.contextmanager
def atomic_output(path: PathLike, mode: str = "wb", what: str = "output",
                  **open_kwargs: Any) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; rename it into place on success.

    ``mode`` is ``'wb'`` or ``'w'`` (``open_kwargs`` such as ``newline=''`` or
    ``encoding`` go to :func:`open`). See :func:`atomic_path` for the guarantees.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb'; got {mode!r}")
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    with atomic_path(path, what) as tmp, open(tmp, mode, **open_kwargs) as fh:
        yield fh


def save_figure(fig: Any, path: PathLike, what: str = "figure", **savefig_kwargs: Any) -> Path:
    """``fig.savefig`` into ``path`` atomically (format from the suffix, else PNG)."""
    path = Path(path)
    savefig_kwargs.setdefault("format", path.suffix[1:] or "png")
    with atomic_path(path, what) as tmp:
        fig.savefig(tmp, **savefig_kwargs)
    return path


def write_text(path: PathLike, text: str, what: str = "output") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic_output(path, "w", what) as fh:
        fh.write(text)
    return Path(path)


# -- .npz archives -----------------------------------------------------------------------

_ALLOWED_KINDS = "biufU"  # bool, integers, floats, unicode strings: never objects


def _member_error(path: PathLike, name: str, msg: str) -> ValueError:
    return ValueError(f"{str(path)!r} is not a readable .npz file: member {name!r} {msg}")


def _npy_header(fh: IO[bytes], path: PathLike, name: str) -> tuple[tuple[int, ...], np.dtype,
                                                                     bool, int]:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, EOFError, SyntaxError, TypeError) as exc:
        raise _member_error(path, name, f"has no valid .npy header ({exc})") from None
    return shape, dtype, fortran, fh.tell()


def read_npz(path: PathLike, what: str = "file", max_bytes: int | None = None
             ) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, read only after every size was checked.

    Before any array data is read: the file must be a regular file and a zip archive of
    ``.npy`` members only, not encrypted, stored or deflated; each member's ``.npy`` header
    must declare a dtype of kind bool, integer, float or unicode (never an object, so
    nothing is unpickled), and a shape whose byte count plus header equals the member's
    declared uncompressed size; the sum of those sizes must fit ``max_bytes`` (default
    :func:`~slth_theory.engine.limits.file_memory_limit`). Reading then stops at the
    declared size (a member that inflates to more fails its size and CRC check).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        Missing path, or a directory.
    ValueError
        Anything else wrong with the file, naming the file and member.
    """
    limit = file_memory_limit() if max_bytes is None else int(max_bytes)
    with open_regular(path, what) as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                UnicodeDecodeError) as exc:
            raise ValueError(f"{what} {str(path)!r} is not a readable .npz file (not a zip "
                             f"archive: {exc})") from None
        with zf:
            infos = zf.infolist()
            if len(infos) > 10_000:
                raise ValueError(f"{what} {str(path)!r} has {len(infos)} members; an .npz of "
                                 "this toolkit has a few dozen")
            plans = []
            total = 0
            seen: set[str] = set()
            for info in infos:
                name = info.filename
                if name in seen:
                    raise _member_error(path, name, "appears twice")
                seen.add(name)
                if not name.endswith(".npy") or "/" in name or name.startswith("."):
                    raise _member_error(path, name, "is not a top-level .npy array")
                if info.flag_bits & 0x1:
                    raise _member_error(path, name, "is encrypted")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise _member_error(path, name, f"uses compression method "
                                        f"{info.compress_type} (only stored or deflated)")
                if info.file_size > limit or total + info.file_size > limit:
                    raise ValueError(
                        f"{what} {str(path)!r}: member {name!r} declares "
                        f"{format_bytes(info.file_size)} uncompressed; the file may use at "
                        f"most {format_bytes(limit)} (raise it with --max-memory if you "
                        "trust the file)")
                total += info.file_size
                try:
                    with zf.open(info) as member:
                        shape, dtype, fortran, hlen = _npy_header(member, path, name)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                    raise _member_error(path, name, f"cannot be read ({exc})") from None
                if dtype.hasobject or dtype.kind not in _ALLOWED_KINDS or dtype.fields:
                    raise _member_error(path, name, f"has dtype {dtype.str!r}; only bool, "
                                        "integer, float and string arrays are read (no "
                                        "pickled objects)")
                try:
                    count = 1
                    for s in shape:
                        if not isinstance(s, int) or s < 0:
                            raise ValueError
                        count *= s
                except (ValueError, TypeError):
                    raise _member_error(path, name, f"declares an invalid shape {shape!r}") \
                        from None
                nbytes = count * dtype.itemsize
                if nbytes + hlen != info.file_size:
                    raise _member_error(path, name, f"declares shape {shape} of {dtype.str} "
                                        f"({format_bytes(nbytes)}) but holds "
                                        f"{format_bytes(info.file_size - hlen)} of data")
                plans.append((info, name[:-4]))
            check_memory(total, f"reading {str(path)!r}", limit=limit, from_file=True)
            out: dict[str, np.ndarray] = {}
            for info, key in plans:
                try:
                    with zf.open(info) as member:
                        out[key] = np.lib.format.read_array(member, allow_pickle=False)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                    raise _member_error(path, info.filename, f"cannot be read ({exc})") \
                        from None
            return out
