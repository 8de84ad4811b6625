"""Targets from other libraries, tickets out to PyTorch.

Import a trained ReLU network as a :class:`~slth_theory.model.network.Network` (the target
of a Theorem 5 construction) from

* PyTorch: an ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers, or a *state dict*
  (``{"0.weight": ..., "0.bias": ..., "2.weight": ...}``) read from a file with
  ``torch.load(..., weights_only=True)`` (:func:`load_torch_state_dict`);
* scikit-learn: a fitted ``MLPRegressor`` or ``MLPClassifier`` with ``activation='relu'``
  (live objects only: a pickled or joblib file is never read);
* plain arrays: weights and biases in either layout (``(n_out, n_in)`` as PyTorch and this
  package store them, ``(n_in, n_out)`` as scikit-learn's ``coefs_``), or a ``.npz`` file of
  named arrays (:func:`load_npz_arrays`, read with ``allow_pickle=False``);

and export a network or a ticket to an ``nn.Sequential`` whose forward pass equals
``Ticket.forward`` up to float64 rounding (:func:`to_torch`).

PyTorch and scikit-learn are optional (extras ``torch`` and ``sklearn``); they are imported
only by the functions that need them, which raise ``ImportError`` naming the extra.

Safety: nothing read from a file is unpickled, imported or called. State dicts are loaded
with ``weights_only=True`` (PyTorch's restricted unpickler, which builds tensors and
containers only); ``.npz`` files with ``allow_pickle=False``.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from slth_theory.model.network import OUTPUT_ACTIVATIONS, Network
from slth_theory.model.ticket import Ticket

_EXTRA = {"torch": "torch", "sklearn": "sklearn"}
#: Most array elements a file import reads (checked from the headers, before any array is
#: loaded): 5e8 float64 values are 4 GB.
MAX_IMPORT_ELEMENTS = 500_000_000
_SD_KEY = re.compile(r"^(?P<prefix>.*)\.(?P<kind>weight|bias)$")
_OURS_KEY = re.compile(r"^(?P<kind>weight|bias)_(?P<idx>\d+)$")
_SKL_KEY = re.compile(r"^(?P<kind>coefs|intercepts)_(?P<idx>\d+)$")


def _require(module: str):
    """Import an optional dependency or raise ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = _EXTRA[module.split(".")[0]]
        raise ImportError(
            f"this needs {module.split('.')[0]!r}, which is not installed; install the "
            f"optional extra: pip install 'slth-theory[{extra}]'"
        ) from None


def _check_activation(output_activation: str) -> str:
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"output_activation must be one of {OUTPUT_ACTIVATIONS}; got "
                         f"{output_activation!r}")
    return output_activation


# ------------------------------------------------------------------------- arrays
def from_arrays(weights: Sequence[Any], biases: Sequence[Any] | None = None,
                output_activation: str = "identity", *, layout: str = "out_in",
                meta: dict[str, Any] | None = None) -> Network:
    """A network from plain weight and bias arrays, validated layer by layer.

    Parameters
    ----------
    weights : sequence of array-like
        One 2-D array per layer. ``layout='out_in'``: shape ``(n_out, n_in)`` (PyTorch's
        ``Linear.weight``, this package's convention); ``layout='in_out'``: shape
        ``(n_in, n_out)`` (scikit-learn's ``coefs_``, Keras), transposed here.
    biases : sequence of array-like or None
        One 1-D array of length ``n_out`` per layer; ``None`` entries (or ``biases=None``)
        mean zero biases.
    output_activation : {'identity', 'relu'}
        Activation after the last layer; hidden layers are ReLU.
    layout : {'out_in', 'in_out'}
    meta : dict, optional
        Provenance, stored with the network (must be JSON-serialisable to be saved).

    Returns
    -------
    Network
        float64 copies of the arrays.

    Raises
    ------
    ValueError
        Naming the layer: wrong dimension, non-finite entries, widths that do not chain,
        bias of the wrong length.
    """
    _check_activation(output_activation)
    if layout not in ("out_in", "in_out"):
        raise ValueError(f"layout must be 'out_in' or 'in_out'; got {layout!r}")
    weights = list(weights)
    if not weights:
        raise ValueError("weights must hold at least one layer")
    biases = [None] * len(weights) if biases is None else list(biases)
    if len(biases) != len(weights):
        raise ValueError(f"got {len(weights)} weight arrays but {len(biases)} bias arrays")
    ws, bs = [], []
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        w = np.array(w, dtype=np.float64)
        if w.ndim != 2 or w.size == 0:
            raise ValueError(f"layer {i}: weight must be a non-empty 2-D array; got shape "
                             f"{w.shape}")
        if layout == "in_out":
            w = np.ascontiguousarray(w.T)
        b = np.zeros(w.shape[0]) if b is None else np.array(b, dtype=np.float64)
        if b.shape != (w.shape[0],):
            raise ValueError(f"layer {i}: bias must have shape ({w.shape[0]},) for a weight "
                             f"with {w.shape[0]} outputs; got {b.shape}")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"layer {i}: non-finite weight or bias entries")
        if ws and w.shape[1] != ws[-1].shape[0]:
            raise ValueError(f"layer {i}: weight has {w.shape[1]} inputs but layer {i - 1} "
                             f"has {ws[-1].shape[0]} outputs")
        ws.append(w)
        bs.append(b)
    return Network(ws, bs, output_activation, dict(meta or {}))


def from_named_arrays(arrays: Mapping[str, Any], output_activation: str = "identity", *,
                      meta: dict[str, Any] | None = None) -> Network:
    """A network from a mapping of named arrays (a state dict or the arrays of a ``.npz``).

    Three naming conventions are recognised (all keys must follow one of them):

    * ``<prefix>.weight`` / ``<prefix>.bias``: a PyTorch state dict, ``(n_out, n_in)``,
      layers in the mapping's order; a missing ``.bias`` means zero biases;
    * ``weight_<l>`` / ``bias_<l>``: this package's file format, ``(n_out, n_in)``;
    * ``coefs_<l>`` / ``intercepts_<l>``: scikit-learn's attributes, ``(n_in, n_out)``.

    Hidden layers are ReLU; ``output_activation`` is the activation after the last layer
    (a state dict does not record activations).

    Raises
    ------
    ValueError
        Unknown or mixed key names (the message names the key), or the checks of
        :func:`from_arrays`.
    """
    keys = list(arrays)
    if not keys:
        raise ValueError("no arrays given")
    if all(_SD_KEY.match(k) for k in keys):
        prefixes: list[str] = []
        found: dict[tuple[str, str], Any] = {}
        for k in keys:
            m = _SD_KEY.match(k)
            assert m is not None
            if m["prefix"] not in prefixes:
                prefixes.append(m["prefix"])
            found[(m["prefix"], m["kind"])] = arrays[k]
        for p in prefixes:
            if (p, "weight") not in found:
                raise ValueError(f"array {p + '.bias'!r} has no matching {p + '.weight'!r}")
        return from_arrays([found[(p, "weight")] for p in prefixes],
                           [found.get((p, "bias")) for p in prefixes], output_activation,
                           layout="out_in", meta=meta)
    for pattern, wname, bname, layout in ((_OURS_KEY, "weight", "bias", "out_in"),
                                          (_SKL_KEY, "coefs", "intercepts", "in_out")):
        if any(pattern.match(k) for k in keys):
            bad = [k for k in keys if not pattern.match(k)]
            if bad:
                raise ValueError(f"unexpected array {bad[0]!r} among {wname}_<l>/{bname}_<l> "
                                 "arrays")
            idx: dict[str, dict[int, Any]] = {wname: {}, bname: {}}
            for k in keys:
                m = pattern.match(k)
                assert m is not None
                idx[m["kind"]][int(m["idx"])] = arrays[k]
            depth = max(idx[wname], default=-1) + 1
            for i in range(depth):
                if i not in idx[wname]:
                    raise ValueError(f"array '{wname}_{i}' is missing")
            for i in sorted(set(idx[bname]) - set(range(depth))):
                raise ValueError(f"array '{bname}_{i}' has no matching '{wname}_{i}'")
            return from_arrays([idx[wname][i] for i in range(depth)],
                               [idx[bname].get(i) for i in range(depth)], output_activation,
                               layout=layout, meta=meta)
    bad = next(k for k in keys if not _SD_KEY.match(k))
    raise ValueError(f"unexpected array {bad!r}: expected names '<layer>.weight'/'<layer>.bias' "
                     "(PyTorch state dict), 'weight_<l>'/'bias_<l>' or "
                     "'coefs_<l>'/'intercepts_<l>' (scikit-learn)")


def _npz_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array of a ``.npz`` from its ``.npy`` headers (no data read)."""
    readers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    raise ValueError(f"member {info.filename!r} is not a .npy array")
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version not in readers:
                        raise ValueError(f"member {info.filename!r} has .npy format version "
                                         f"{version}")
                    shape, _, dtype = readers[version](fh)
                out[info.filename[:-4]] = (tuple(shape), dtype)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable .npz file ({exc})") from None
    return out


def _check_size(counts: dict[str, int], max_elements: int, source: str) -> None:
    total = sum(counts.values())
    if total > max_elements:
        big = max(counts, key=lambda k: counts[k])
        raise ValueError(f"{source} holds {total:,} array elements (largest {big!r}: "
                         f"{counts[big]:,}), more than max_elements = {max_elements:,}")


def load_npz_arrays(path: str | os.PathLike, output_activation: str | None = None, *,
                    max_elements: int = MAX_IMPORT_ELEMENTS) -> Network:
    """A target from a ``.npz`` file of named arrays (see :func:`from_named_arrays`).

    Read with ``allow_pickle=False``. Optional scalar string arrays ``output_activation``
    and ``meta`` (as in this package's own files) are honoured; ``output_activation``
    given here must agree with the file's if both are present (default ``'identity'``).
    Integer and float32 arrays are converted to float64. The ``.npy`` headers are read
    first: object (pickled) arrays, members that are not arrays, and files holding more than
    ``max_elements`` elements in all are refused before any array is loaded.
    """
    if output_activation is not None:
        _check_activation(output_activation)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file {str(path)!r} does not exist or is not a file")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{str(path)!r} is not a readable .npz file (not a zip archive)")
    try:
        headers = _npz_headers(path)
    except ValueError as exc:
        raise ValueError(f"{str(path)!r}: {exc}") from None
    for name, (_shape, dtype) in headers.items():
        if dtype.hasobject:
            raise ValueError(f"{str(path)!r} holds an array that needs pickle ({name!r}, dtype "
                             "object); it is not loaded")
    _check_size({k: int(np.prod(v[0], dtype=np.int64)) for k, v in headers.items()},
                max_elements, repr(str(path)))
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except ValueError as exc:
        raise ValueError(f"{str(path)!r} holds an array that needs pickle ({exc})") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable .npz file ({exc})") from None
    meta: dict[str, Any] = {}
    file_act = None
    if "output_activation" in data:
        arr = data.pop("output_activation")
        if arr.shape != () or arr.dtype.kind != "U":
            raise ValueError(f"{str(path)!r}: array 'output_activation' must be a string scalar")
        file_act = str(arr[()])
    if "meta" in data:
        arr = data.pop("meta")
        try:
            meta = json.loads(str(arr[()])) if arr.shape == () and arr.dtype.kind == "U" else None
        except json.JSONDecodeError:
            meta = None
        if not isinstance(meta, dict):
            raise ValueError(f"{str(path)!r}: array 'meta' must be a string holding a JSON object")
    if file_act is not None and output_activation is not None and file_act != output_activation:
        raise ValueError(f"{str(path)!r} says output_activation={file_act!r}, but "
                         f"{output_activation!r} was asked for")
    act = output_activation or file_act or "identity"
    if "output_scale" in data or any(k.startswith(("weight_mask_", "bias_mask_")) for k in data):
        raise ValueError(f"{str(path)!r} holds a ticket (masks and an output scale), not a "
                         "network; load it with slth_theory.model.io.load")
    for k, v in data.items():
        if v.dtype.kind not in "fiu":
            raise ValueError(f"{str(path)!r}: array {k!r} must be numeric; got dtype {v.dtype}")
    meta.setdefault("imported_from", {"format": "npz", "file": path.name})
    try:
        return from_named_arrays(data, act, meta=meta)
    except ValueError as exc:
        raise ValueError(f"{str(path)!r}: {exc}") from None


# ------------------------------------------------------------------------- PyTorch
def _tensor_to_numpy(t, torch) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().to(torch.float64).numpy().copy()
    return np.asarray(t, dtype=np.float64)


def _flatten_sequential(module, torch) -> list:
    out = []
    for child in module.children() if isinstance(module, torch.nn.Sequential) else [module]:
        if isinstance(child, torch.nn.Sequential):
            out += _flatten_sequential(child, torch)
        else:
            out.append(child)
    return out


def from_torch(model, *, output_activation: str | None = None, arch=None) -> Network:
    """A target from PyTorch: an ``nn.Sequential`` of ``Linear``/``ReLU``, or a state dict.

    Parameters
    ----------
    model : torch.nn.Sequential or mapping of str to tensor
        A module: its layers, flattened through nested ``Sequential`` containers, must read
        ``Linear (ReLU Linear)* [ReLU]``; ``nn.Identity``, ``nn.Dropout`` (the identity in
        evaluation mode, the function imported here) and a leading ``nn.Flatten`` are
        skipped. A state dict: keys ``<layer>.weight`` and ``<layer>.bias`` only (see
        :func:`from_named_arrays`); ReLU between consecutive layers is assumed.
    output_activation : {'identity', 'relu'}, optional
        For a module, inferred (a trailing ``ReLU`` means ``'relu'``) and, if given, checked;
        for a state dict, default ``'identity'``.
    arch : torch.nn.Module or sequence of int, optional
        With a state dict: a module to load it into (``load_state_dict(strict=True)`` on a
        deep copy, then imported as a module), or the widths ``[n0, ..., nL]`` the state
        dict must have.

    Returns
    -------
    Network
        Parameters converted to float64.

    Raises
    ------
    ValueError
        Any other layer type (named), two ``Linear`` layers without a ``ReLU`` between
        them, a ``ReLU`` before the first ``Linear``, keys that are not weights/biases.
    ImportError
        Without PyTorch (extra ``torch``).
    """
    torch = _require("torch")
    if output_activation is not None:
        _check_activation(output_activation)
    if isinstance(model, Mapping):
        if isinstance(arch, torch.nn.Module):
            import copy
            module = copy.deepcopy(arch)
            try:
                module.load_state_dict(dict(model), strict=True)
            except RuntimeError as exc:
                raise ValueError("state dict does not fit the given architecture: "
                                 + " ".join(str(exc).split())) from None
            return from_torch(module, output_activation=output_activation)
        arrays = {}
        for k, v in model.items():
            if not isinstance(k, str):
                raise ValueError(f"state dict keys must be strings; got {k!r}")
            if not (isinstance(v, torch.Tensor) or isinstance(v, np.ndarray)):
                raise ValueError(f"state dict entry {k!r} is not a tensor "
                                 f"({type(v).__name__})")
            arrays[k] = _tensor_to_numpy(v, torch)
        for k in arrays:
            if not _SD_KEY.match(k):
                raise ValueError(f"state dict entry {k!r} is not a Linear layer's weight or "
                                 "bias (only Linear/ReLU networks can be imported)")
        net = from_named_arrays(arrays, output_activation or "identity",
                                meta={"imported_from": {"format": "torch-state-dict"}})
        if arch is not None:
            from slth_theory.model.network import parse_widths
            want = parse_widths(arch)
            if net.widths != want:
                raise ValueError(f"state dict has architecture {net.widths}; expected {want}")
        return net
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"expected an nn.Sequential or a state dict; got {type(model).__name__}")
    if arch is not None:
        raise ValueError("arch is only used with a state dict")
    layers = _flatten_sequential(model, torch)
    ws, bs = [], []
    last = None  # "linear" or "relu"
    for pos, layer in enumerate(layers):
        name = f"layer {pos} ({type(layer).__name__})"
        if isinstance(layer, torch.nn.Linear):
            if last == "linear":
                raise ValueError(f"{name}: two Linear layers without a ReLU between them")
            ws.append(_tensor_to_numpy(layer.weight, torch))
            bs.append(None if layer.bias is None else _tensor_to_numpy(layer.bias, torch))
            last = "linear"
        elif isinstance(layer, torch.nn.ReLU):
            if last != "linear":
                raise ValueError(f"{name}: a ReLU must follow a Linear layer")
            last = "relu"
        elif isinstance(layer, (torch.nn.Identity, torch.nn.Dropout)):
            continue
        elif isinstance(layer, torch.nn.Flatten) and not ws:
            if layer.start_dim != 1 or layer.end_dim != -1:
                raise ValueError(f"{name}: only Flatten(start_dim=1, end_dim=-1) is supported")
            continue
        else:
            raise ValueError(f"{name}: unsupported layer; only Linear and ReLU (plus Identity, "
                             "Dropout and a leading Flatten) can be imported")
    if not ws:
        raise ValueError("the module has no Linear layer")
    act = "relu" if last == "relu" else "identity"
    if output_activation is not None and output_activation != act:
        raise ValueError(f"the module ends with {'a ReLU' if act == 'relu' else 'a Linear'} "
                         f"(output_activation={act!r}) but {output_activation!r} was asked for")
    return from_arrays(ws, bs, act, meta={"imported_from": {"format": "torch-module"}})


def load_torch_state_dict(path: str | os.PathLike, *,
                          max_elements: int = MAX_IMPORT_ELEMENTS) -> dict[str, Any]:
    """Read a state dict saved with ``torch.save(model.state_dict(), path)``.

    Uses ``torch.load(path, map_location='cpu', weights_only=True)``: PyTorch's restricted
    unpickler, which builds tensors and plain containers and refuses everything else, so
    a file holding a whole pickled module (or any other object) is refused instead of run.
    The tensors are memory-mapped (``mmap=True``) and their total size is checked against
    ``max_elements`` before anything is copied.

    Raises
    ------
    ValueError
        The file is not a flat mapping of names to tensors, or needs full unpickling.
    """
    torch = _require("torch")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file {str(path)!r} does not exist or is not a file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # UnpicklingError, RuntimeError (not a zip), EOFError, ...
        raise ValueError(
            f"{str(path)!r} is not a plain state dict readable with weights_only=True "
            f"(save model.state_dict(), not the model): {' '.join(str(exc).split())[:200]}"
        ) from None
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                               for k, v in obj.items()):
        raise ValueError(f"{str(path)!r} holds a {type(obj).__name__}, not a state dict "
                         "(a mapping of names to tensors)")
    _check_size({k: int(v.numel()) for k, v in obj.items()}, max_elements, repr(str(path)))
    return dict(obj)


def to_torch(obj: Network | Ticket, *, dtype=None, compact: bool = True):
    """An ``nn.Sequential`` of ``Linear``/``ReLU`` computing the same function.

    Parameters
    ----------
    obj : Network or Ticket
        A ticket is exported as ``lambda * f(x | theta * mask)``: the pruned mother with
        ``lambda`` folded into the last ``Linear`` (``lambda > 0``, so a final ReLU
        commutes with it).
    dtype : torch.dtype, optional
        Default ``torch.float64``, for which the forward pass equals
        ``obj.forward`` up to float64 rounding.
    compact : bool
        Tickets only: drop hidden neurons that cannot influence the output (no kept
        incoming weight or bias, or no kept outgoing weight); exact, since such a neuron
        outputs ``phi(0) = 0`` or is never read. ``False`` keeps the mother's widths with
        pruned entries set to zero.

    Returns
    -------
    torch.nn.Sequential
        In evaluation mode, parameters with ``requires_grad=False``.
    """
    torch = _require("torch")
    dtype = torch.float64 if dtype is None else dtype
    if isinstance(obj, Ticket):
        net = live_subnetwork(obj) if compact else obj.pruned_network()
        scale = obj.output_scale
    elif isinstance(obj, Network):
        net, scale = obj, 1.0
    else:
        raise TypeError(f"to_torch expects a Network or a Ticket; got {type(obj).__name__}")
    layers = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=dtype)
        if i == net.depth - 1 and scale != 1.0:
            w, b = w * scale, b * scale
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            lin.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
        lin.requires_grad_(False)
        layers.append(lin)
        if i < net.depth - 1 or net.output_activation == "relu":
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def live_subnetwork(ticket: Ticket) -> Network:
    """The ticket's pruned network without the hidden neurons that cannot reach the output.

    Parameters
    ----------
    ticket : Ticket

    Returns
    -------
    Network
        ``f(. | theta * mask)`` restricted to the live neurons (without the output scale):
        the same function as ``ticket.pruned_network()``.

    Notes
    -----
    A hidden neuron is dropped when it has no kept non-zero incoming weight and no kept
    non-zero bias (it outputs ``phi(0) = 0``) or no kept non-zero outgoing weight to a live
    neuron (nobody reads it); repeated until nothing changes. Works from the masks and
    copies only the live block of each layer, never the whole dense mother. A layer with no
    live neuron keeps one silent neuron (weights and bias zero), since widths are >= 1.
    """
    mother = ticket.mother
    L = mother.depth
    kept = [m & (w != 0) for w, m in zip(mother.weights, ticket.weight_masks, strict=True)]
    kept_b = [m & (b != 0) for b, m in zip(mother.biases, ticket.bias_masks, strict=True)]
    alive = [np.ones(mother.widths[0], bool)]
    alive += [np.any(kept[i], axis=1) | kept_b[i] for i in range(L - 1)]
    alive.append(np.ones(mother.widths[-1], bool))
    changed = True
    while changed:
        changed = False
        for i in range(1, L):  # hidden layer i: rows of kept[i - 1], columns of kept[i]
            fed = np.any(kept[i - 1][:, alive[i - 1]], axis=1) | kept_b[i - 1]
            read = np.any(kept[i][alive[i + 1]], axis=0)
            new = alive[i] & fed & read
            if not np.array_equal(new, alive[i]):
                alive[i], changed = new, True
    ws, bs = [], []
    for i in range(L):
        rows, cols = np.nonzero(alive[i + 1])[0], np.nonzero(alive[i])[0]
        silent = rows.size == 0
        if silent:
            rows = np.array([0])
        w = np.where(kept[i][np.ix_(rows, cols)], mother.weights[i][np.ix_(rows, cols)], 0.0)
        b = np.where(kept_b[i][rows], mother.biases[i][rows], 0.0)
        if cols.size == 0:  # the previous layer kept one silent neuron
            w = np.zeros((rows.size, 1))
        if silent:
            w[:], b[:] = 0.0, 0.0
        ws.append(w)
        bs.append(b)
    return Network(ws, bs, mother.output_activation, dict(mother.meta))


# ---------------------------------------------------------------------- scikit-learn
def from_sklearn(estimator) -> Network:
    """A target from a fitted scikit-learn ``MLPRegressor`` or ``MLPClassifier``.

    Parameters
    ----------
    estimator : MLPRegressor or MLPClassifier
        Fitted, with ``activation='relu'`` (other hidden activations are refused).

    Returns
    -------
    Network
        Output activation ``'identity'``. For a regressor the network's output is
        ``predict``'s. For a classifier it is the *logits* (the last layer before
        scikit-learn's ``softmax`` or ``logistic`` output function): the predicted class
        is ``classes[argmax]`` (softmax, three or more classes), ``classes[int(logit > 0)]``
        (binary, one logistic output) or the set of labels with ``logit > 0`` (multilabel);
        ``meta['sklearn']`` records ``estimator``, ``out_activation`` and ``classes``.

    Raises
    ------
    ValueError
        Not fitted, or ``activation`` is not ``'relu'``.
    TypeError
        Not an MLP estimator.
    ImportError
        Without scikit-learn (extra ``sklearn``).
    """
    nn = _require("sklearn.neural_network")
    if not isinstance(estimator, (nn.MLPRegressor, nn.MLPClassifier)):
        raise TypeError(f"expected a scikit-learn MLPRegressor or MLPClassifier; got "
                        f"{type(estimator).__name__}")
    if estimator.activation != "relu":
        raise ValueError(f"only activation='relu' MLPs can be imported (the toolkit's networks "
                         f"are ReLU networks); this one has activation={estimator.activation!r}")
    if not hasattr(estimator, "coefs_"):
        raise ValueError(f"the {type(estimator).__name__} is not fitted (call fit first)")
    info: dict[str, Any] = {"estimator": type(estimator).__name__,
                            "out_activation": str(estimator.out_activation_)}
    if hasattr(estimator, "classes_"):
        info["classes"] = np.asarray(estimator.classes_).tolist()
    return from_arrays(estimator.coefs_, estimator.intercepts_, "identity", layout="in_out",
                       meta={"imported_from": {"format": "sklearn"}, "sklearn": info})
