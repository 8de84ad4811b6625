"""One ``.npz`` file format for networks and tickets.

Arrays in the file (``L`` = depth):

============================  ============================================================
``weight_0 .. weight_{L-1}``  float64, shape ``(n_{l+1}, n_l)``
``bias_0 .. bias_{L-1}``      float64, shape ``(n_{l+1},)``
``weight_mask_l``             bool, same shape as ``weight_l`` (tickets only)
``bias_mask_l``               bool, same shape as ``bias_l`` (tickets only)
``output_scale``              float64 scalar ``lambda > 0`` (tickets only)
``output_activation``         string scalar, ``'relu'`` or ``'identity'``
``meta``                      string scalar holding a JSON object (see below)
============================  ============================================================

A file with masks is a ticket; without, a network. ``meta`` holds the network's ``meta``
(for a ticket: the mother's) with ``kind`` (``"network"`` or ``"ticket"``) added, and for a
ticket the ticket's own ``meta`` under the key ``ticket``; :func:`load` restores both, so
``meta`` survives a round trip. A *compact* ticket
(``save(ticket, path, compact=True)``) has no ``weight_l``/``bias_l``: its ``meta`` holds
``mother = {"stored": "regenerate", "arch": [...], "sha256": ...}`` and the mother is
re-drawn from the recorded scheme and seed on load, then checked against the digest.
Files are read by :func:`slth_theory.engine.files.read_npz`: regular files only, every
member's declared size and ``.npy`` header checked before reading, no object arrays
(nothing is unpickled), at most :func:`~slth_theory.engine.limits.file_memory_limit`
bytes (a compact ticket's mother counts too). Every array is then checked for dtype,
shape and finiteness and an error names the offending array. Files are written
atomically (:func:`~slth_theory.engine.files.atomic_output`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory._version import __version__
from slth_theory.engine.files import atomic_output, loads_json, read_npz
from slth_theory.engine.limits import check_file_memory, describe_widths, network_bytes
from slth_theory.model.network import OUTPUT_ACTIVATIONS, Network
from slth_theory.model.schemes import regenerate
from slth_theory.model.ticket import Ticket

_NAME = re.compile(r"^(weight|bias|weight_mask|bias_mask)_(\d+)$")


def _meta_json(meta: dict[str, Any]) -> str:
    meta = dict(meta)
    meta.setdefault("version", __version__)
    try:
        return json.dumps(meta, sort_keys=True)
    except TypeError as exc:
        raise ValueError(f"meta must be JSON-serialisable: {exc}") from None


def _network_arrays(net: Network) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        arrays[f"weight_{i}"] = np.ascontiguousarray(w, dtype=np.float64)
        arrays[f"bias_{i}"] = np.ascontiguousarray(b, dtype=np.float64)
    arrays["output_activation"] = np.array(net.output_activation)
    return arrays


def mother_digest(net: Network) -> str:
    """SHA-256 of a network's parameters (shapes, dtypes and bytes), in layer order."""
    h = hashlib.sha256()
    for w, b in zip(net.weights, net.biases, strict=True):
        for a in (w, b):
            a = np.ascontiguousarray(a, dtype=np.float64)
            h.update(repr(a.shape).encode())
            h.update(a.tobytes())
    h.update(net.output_activation.encode())
    return h.hexdigest()


def save(obj: Network | Ticket, path: str | os.PathLike, *, compact: bool = False) -> Path:
    """Save a network or a ticket to ``path`` (``.npz``).

    Parameters
    ----------
    obj : Network or Ticket
    path : path-like
        Destination, written exactly as given (no suffix is added: name it ``.npz``).
    compact : bool
        Tickets only: store the masks (compressed) and the mother's provenance
        (scheme, seed, scales) instead of its parameters, plus a SHA-256 of the
        parameters. :func:`load` regenerates the mother and refuses the file if the
        digest differs. Checked before writing: a mother that its ``meta`` does not
        regenerate bit for bit raises ``ValueError``.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    if compact and not isinstance(obj, Ticket):
        raise ValueError("compact=True is only for tickets (a network is its parameters)")
    if isinstance(obj, Ticket):
        if compact:
            digest = mother_digest(obj.mother)
            try:
                again = regenerate(obj.mother.meta, obj.mother.widths,
                                   obj.mother.output_activation)
            except ValueError as exc:
                raise ValueError(f"compact: the mother cannot be regenerated ({exc})") from None
            if mother_digest(again) != digest:
                raise ValueError("compact: the mother's meta does not regenerate it bit for "
                                 "bit; save without compact")
            arrays = {"output_activation": np.array(obj.mother.output_activation)}
        else:
            arrays = _network_arrays(obj.mother)
        for i, (wm, bm) in enumerate(zip(obj.weight_masks, obj.bias_masks, strict=True)):
            arrays[f"weight_mask_{i}"] = np.asarray(wm, dtype=bool)
            arrays[f"bias_mask_{i}"] = np.asarray(bm, dtype=bool)
        arrays["output_scale"] = np.array(float(obj.output_scale))
        meta = dict(obj.mother.meta)
        meta["ticket"] = dict(obj.meta)
        meta["kind"] = "ticket"
        if compact:
            meta["mother"] = {"stored": "regenerate", "arch": obj.mother.widths,
                              "sha256": digest}
    elif isinstance(obj, Network):
        arrays = _network_arrays(obj)
        meta = dict(obj.meta)
        meta["kind"] = "network"
    else:
        raise TypeError(f"save expects a Network or a Ticket; got {type(obj).__name__}")
    arrays["meta"] = np.array(_meta_json(meta))
    with atomic_output(path, "wb", what="output") as fh:
        (np.savez_compressed if compact else np.savez)(fh, **arrays)
    return path


def _scalar_str(data, name: str) -> str:
    arr = data[name]
    if arr.shape != () or arr.dtype.kind != "U":
        raise ValueError(f"array {name!r} must be a string scalar; got dtype {arr.dtype}, "
                         f"shape {arr.shape}")
    return str(arr[()])


def load(path: str | os.PathLike) -> Network | Ticket:
    """Load a network or ticket written by :func:`save`, validating every array.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    Network or Ticket
        A ticket if the file holds masks, else a network.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        If ``path`` does not exist or is a directory.
    ValueError
        If the file is not a valid ``.npz`` of this format (the message names the array),
        is not a regular file, or declares more data than
        :func:`slth_theory.engine.limits.file_memory_limit` allows (see
        :func:`slth_theory.engine.files.read_npz`: sizes are checked before reading).
    """
    data = read_npz(path)
    return from_arrays(data, source=str(path))


def from_arrays(data: dict[str, np.ndarray], source: str = "<arrays>") -> Network | Ticket:
    """Build and validate a network or ticket from the arrays of the file format."""
    groups: dict[str, dict[int, np.ndarray]] = {
        "weight": {}, "bias": {}, "weight_mask": {}, "bias_mask": {}
    }
    for key in data:
        m = _NAME.match(key)
        if m:
            groups[m.group(1)][int(m.group(2))] = data[key]
        elif key not in ("output_scale", "output_activation", "meta"):
            raise ValueError(f"{source}: unexpected array {key!r}")
    meta = _parse_meta(data, source)
    meta.pop("kind", None)  # a Ticket or a Network says what it is
    act = _parse_activation(data, source)
    has_masks = bool(groups["weight_mask"] or groups["bias_mask"] or "output_scale" in data)
    ticket_meta = meta.pop("ticket", {}) if has_masks else {}
    if not isinstance(ticket_meta, dict):
        raise ValueError(f"{source}: array 'meta' holds a 'ticket' entry that is not a JSON "
                         "object")
    if not groups["weight"] and not groups["bias"] and isinstance(meta.get("mother"), dict):
        net = _regenerate_mother(meta, act, source, groups)
    else:
        net = _network_from_groups(groups, act, meta, source)
    depth = net.depth
    ref_shapes = {"weight": [w.shape for w in net.weights], "bias": [b.shape for b in net.biases]}
    if not has_masks:
        return net
    masks = {}
    for kind, ref in (("weight_mask", "weight"), ("bias_mask", "bias")):
        for i in range(depth):
            name = f"{kind}_{i}"
            if i not in groups[kind]:
                raise ValueError(f"{source}: missing array {name!r}")
            arr = groups[kind][i]
            if arr.dtype != np.bool_:
                raise ValueError(f"{source}: array {name!r} must be bool; got {arr.dtype}")
            if arr.shape != ref_shapes[ref][i]:
                raise ValueError(f"{source}: array {name!r} has shape {arr.shape}; expected "
                                 f"{ref_shapes[ref][i]}")
            masks[name] = arr
        extra = sorted(set(groups[kind]) - set(range(depth)))
        if extra:
            raise ValueError(f"{source}: array '{kind}_{extra[0]}' has no matching weight")
    if "output_scale" not in data:
        raise ValueError(f"{source}: missing array 'output_scale'")
    scale = data["output_scale"]
    if scale.shape != () or scale.dtype.kind != "f":
        raise ValueError(f"{source}: array 'output_scale' must be a float scalar; got "
                         f"dtype {scale.dtype}, shape {scale.shape}")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"{source}: array 'output_scale' must be finite and > 0; got "
                         f"{float(scale)}")
    return Ticket(
        net,
        [masks[f"weight_mask_{i}"] for i in range(depth)],
        [masks[f"bias_mask_{i}"] for i in range(depth)],
        float(scale),
        ticket_meta,
    )


def _parse_meta(data: dict[str, np.ndarray], source: str) -> dict[str, Any]:
    if "meta" not in data:
        return {}
    meta = loads_json(_scalar_str(data, "meta"), f"{source}: array 'meta'")
    if not isinstance(meta, dict):
        raise ValueError(f"{source}: array 'meta' must hold a JSON object")
    return meta


def _parse_activation(data: dict[str, np.ndarray], source: str) -> str:
    if "output_activation" not in data:
        raise ValueError(f"{source}: missing array 'output_activation'")
    act = _scalar_str(data, "output_activation")
    if act not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"{source}: array 'output_activation' must be one of "
                         f"{OUTPUT_ACTIVATIONS}; got {act!r}")
    return act


def _regenerate_mother(meta: dict[str, Any], act: str, source: str,
                       groups: dict[str, dict[int, np.ndarray]]) -> Network:
    """The mother of a compact ticket, re-drawn from its provenance and digest-checked.

    Before anything is drawn, ``meta.mother.arch`` must be a list of positive integers
    matching the shapes of the masks stored in the file, and the mother it describes must
    fit :func:`~slth_theory.engine.limits.file_memory_limit` (a 3 KB file must not make
    the reader draw gigabytes).
    """
    info = meta["mother"]
    try:
        widths = [int(w) for w in info["arch"]]
        digest = str(info["sha256"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{source}: array 'meta' does not describe a regenerable mother "
                         f"({type(exc).__name__}: {exc})") from None
    if len(widths) < 2 or min(widths) < 1 or not isinstance(info["arch"], list):
        raise ValueError(f"{source}: array 'meta': mother arch must be a list of at least "
                         f"two widths >= 1; got {str(info['arch'])[:80]}")
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        for kind, shape in (("weight_mask", (n_out, n_in)), ("bias_mask", (n_out,))):
            mask = groups[kind].get(i)
            if mask is not None and mask.shape != shape:
                raise ValueError(f"{source}: array '{kind}_{i}' has shape {mask.shape}; the "
                                 f"mother arch in 'meta' needs {shape}")
    check_file_memory(network_bytes(widths, copies=2), f"{source}: regenerating the "
                      f"compact ticket's mother (arch {describe_widths(widths)})")
    try:
        net = regenerate(meta, widths, act)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: array 'meta' does not describe a regenerable mother "
                         f"({exc})") from None
    if mother_digest(net) != digest:
        raise ValueError(f"{source}: the mother regenerated from array 'meta' does not match "
                         "its recorded sha256 (different library version?)")
    net.meta = meta
    return net


def _network_from_groups(groups: dict[str, dict[int, np.ndarray]], act: str,
                         meta: dict[str, Any], source: str) -> Network:
    depth = 1 + max(list(groups["weight"]) + list(groups["bias"]), default=-1)
    if not groups["weight"]:
        raise ValueError(f"{source}: no array 'weight_0' (not a network file)")
    for kind in ("weight", "bias"):
        for i in range(depth):
            if i not in groups[kind]:
                raise ValueError(f"{source}: missing array '{kind}_{i}'")
        extra = sorted(set(groups[kind]) - set(range(depth)))
        if extra:
            raise ValueError(f"{source}: array '{kind}_{extra[0]}' has no matching weight")
    for i in range(depth):
        for kind, ndim in (("weight", 2), ("bias", 1)):
            arr = groups[kind][i]
            name = f"{kind}_{i}"
            if arr.dtype != np.float64:
                raise ValueError(f"{source}: array {name!r} must be float64; got {arr.dtype}")
            if arr.ndim != ndim:
                raise ValueError(f"{source}: array {name!r} must be {ndim}-D; got shape "
                                 f"{arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{source}: array {name!r} has non-finite entries")
        w, b = groups["weight"][i], groups["bias"][i]
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"{source}: array 'bias_{i}' has shape {b.shape}; expected "
                             f"({w.shape[0]},) to match 'weight_{i}'")
        if i > 0 and w.shape[1] != groups["weight"][i - 1].shape[0]:
            raise ValueError(f"{source}: array 'weight_{i}' has {w.shape[1]} columns; expected "
                             f"{groups['weight'][i - 1].shape[0]} (rows of 'weight_{i - 1}')")
        if w.size == 0:
            raise ValueError(f"{source}: array 'weight_{i}' is empty")
    return Network(
        [groups["weight"][i] for i in range(depth)],
        [groups["bias"][i] for i in range(depth)],
        act,
        meta,
    )
