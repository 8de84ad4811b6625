"""The one JSON codec of the toolkit: plain values, canonical text, tagged data.

Three levels, each the inverse-friendly extension of the one before:

* :func:`to_plain` -- NumPy scalars/arrays and tuples to plain JSON values (dicts with
  string keys, lists, str, int, float, bool, None); anything else is refused.
* :func:`canonical_json` / :func:`dumps` -- JSON text: canonical (sorted keys, no spaces;
  used for run keys and stored results) or readable (indented; used by ``--json``).
* :func:`encode_data` / :func:`decode_data` -- richer values (arrays with dtype and shape,
  tuples, dicts with non-string keys, registered dataclasses) as ``{"__slth__": kind}``
  objects that decode back to equal objects.

Data never names code: a stored dataclass is decoded only if its type was registered with
:func:`register_type` by the toolkit (or the user) in this process; an unknown name is a
``ValueError``. Nothing is imported or called by name.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np

__all__ = ["canonical_json", "decode_data", "dumps", "encode_data", "register_type",
           "registered_types", "to_plain"]

_TAG = "__slth__"
_TYPES: dict[str, type] = {}


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def register_type(cls: type) -> type:
    """Allow dataclass ``cls`` in :func:`decode_data`; usable as a class decorator."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"cls must be a dataclass type, got {cls!r}")
    _TYPES[_type_name(cls)] = cls
    return cls


def registered_types() -> list[str]:
    """Names (``module:qualname``) of the dataclasses :func:`decode_data` accepts."""
    return sorted(_TYPES)


def to_plain(obj: Any, where: str = "config", allow_nonfinite: bool = False) -> Any:
    """``obj`` as plain JSON values (dict with str keys, list, str, int, float, bool, None).

    NumPy scalars and arrays and tuples are converted; anything else raises ``ValueError``
    naming the offending entry. Non-finite floats are refused unless ``allow_nonfinite``.
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        if not allow_nonfinite and not math.isfinite(v):
            raise ValueError(f"{where} is not JSON-serialisable: {v!r} is not finite")
        return v
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise ValueError(f"{where} is not JSON-serialisable: key {k!r} is not a string")
            out[k] = to_plain(v, f"{where}[{k!r}]", allow_nonfinite)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_plain(v, f"{where}[{i}]", allow_nonfinite) for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return to_plain(obj.tolist(), where, allow_nonfinite)
    raise ValueError(f"{where} is not JSON-serialisable: it holds a {type(obj).__name__}")


def canonical_json(obj: Any, allow_nonfinite: bool = False) -> str:
    """Canonical JSON text of ``obj``: sorted keys, no spaces, shortest float repr.

    Non-finite floats are refused unless ``allow_nonfinite`` (then written as the JSON
    extensions ``NaN``/``Infinity``, which :func:`json.loads` reads back).
    """
    return json.dumps(to_plain(obj, allow_nonfinite=allow_nonfinite), sort_keys=True,
                      separators=(",", ":"), allow_nan=allow_nonfinite)


def _finite_or_none(o: Any) -> Any:
    if isinstance(o, dict):
        return {str(k): _finite_or_none(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite_or_none(v) for v in o]
    if isinstance(o, np.ndarray):
        return _finite_or_none(o.tolist())
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, (float, np.floating)):
        v = float(o)
        return v if math.isfinite(v) else None
    if hasattr(o, "__fspath__"):
        return str(o)
    return o


def dumps(obj: Any, indent: int | None = 2, sort_keys: bool = False) -> str:
    """Readable, strict JSON text: NumPy values and paths converted, NaN/inf as ``null``."""
    return json.dumps(_finite_or_none(obj), indent=indent, sort_keys=sort_keys,
                      allow_nan=False)


def encode_data(obj: Any, where: str = "data") -> Any:
    """``obj`` as plain JSON values that :func:`decode_data` turns back into equal objects.

    Plain values pass through; NumPy arrays and scalars, tuples, dicts with non-string
    keys and registered dataclass instances become ``{"__slth__": kind, ...}`` objects.
    Floats survive exactly (JSON keeps their shortest round-trip form). Anything else
    raises ``ValueError`` naming the entry.
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.generic):
        if isinstance(obj, (np.complexfloating, np.object_, np.void)):
            raise ValueError(f"{where}: a {type(obj).__name__} cannot be stored")
        return {_TAG: "np", "dtype": obj.dtype.str, "value": obj.item()}
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise ValueError(f"{where}: arrays of dtype {obj.dtype} cannot be stored")
        return {_TAG: "ndarray", "dtype": obj.dtype.str, "shape": list(obj.shape),
                "data": obj.ravel().tolist()}
    if isinstance(obj, tuple):
        return {_TAG: "tuple", "items": [encode_data(v, f"{where}[{i}]")
                                         for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode_data(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and _TAG not in obj:
            return {k: encode_data(v, f"{where}[{k!r}]") for k, v in obj.items()}
        return {_TAG: "dict", "items": [[encode_data(k, f"{where} key"),
                                         encode_data(v, f"{where}[{k!r}]")]
                                        for k, v in obj.items()]}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        name = _type_name(type(obj))
        if name not in _TYPES:
            raise ValueError(f"{where}: dataclass {name} is not registered "
                             "(slth_theory.engine.codec.register_type)")
        return {_TAG: "dataclass", "type": name,
                "fields": {f.name: encode_data(getattr(obj, f.name), f"{where}.{f.name}")
                           for f in dataclasses.fields(obj)}}
    raise ValueError(f"{where}: a {type(obj).__name__} cannot be stored")


_NUMERIC_KINDS = "biuf"


def _dtype(text: Any) -> np.dtype:
    try:
        dt = np.dtype(str(text))
    except TypeError:
        raise ValueError(f"stored dtype {text!r} is not a NumPy dtype") from None
    if dt.kind not in _NUMERIC_KINDS:
        raise ValueError(f"stored dtype {text!r} is not numeric")
    return dt


def decode_data(obj: Any) -> Any:
    """Inverse of :func:`encode_data`; only registered dataclasses are rebuilt.

    Raises
    ------
    ValueError
        ``obj`` names a type that is not registered, an unknown kind, a non-numeric dtype,
        or is malformed in any other way (missing keys, wrong types, values out of range,
        nesting too deep). Nothing is imported or called by name.
    """
    try:
        return _decode(obj)
    except (KeyError, TypeError, AttributeError, IndexError, OverflowError,
            RecursionError) as exc:
        raise ValueError(f"stored data is malformed ({type(exc).__name__}: {exc})") from None


def _decode(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    kind = obj.get(_TAG)
    if kind is None:
        return {k: _decode(v) for k, v in obj.items()}
    if kind == "np":
        return _dtype(obj["dtype"]).type(obj["value"])
    if kind == "ndarray":
        shape = [int(s) for s in obj["shape"]]
        if any(s < 0 for s in shape) or math.prod(shape) != len(obj["data"]):
            raise ValueError(f"stored array: shape {shape} does not match its data")
        return np.array(obj["data"], dtype=_dtype(obj["dtype"])).reshape(shape)
    if kind == "tuple":
        return tuple(_decode(v) for v in obj["items"])
    if kind == "dict":
        return {_decode(k): _decode(v) for k, v in obj["items"]}
    if kind == "dataclass":
        name = obj.get("type")
        cls = _TYPES.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"stored data names an unknown type {name!r}; "
                             f"allowed: {', '.join(registered_types()) or '(none)'}")
        vals = {k: _decode(v) for k, v in obj["fields"].items()}
        fields = {f.name: f.init for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in vals if k not in fields)
        if unknown:
            raise ValueError(f"stored {name}: unknown field {unknown[0]!r}")
        inst = cls(**{k: v for k, v in vals.items() if fields[k]})
        for k, v in vals.items():
            if not fields[k]:
                object.__setattr__(inst, k, v)
        return inst
    raise ValueError(f"unknown stored data kind {kind!r}")
