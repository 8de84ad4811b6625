"""Stored data never names code: the codec decodes registered types only, and every
malformed value is one ValueError (Lemma-free engine test)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np
import pytest

from slth_theory.engine.codec import decode_data, encode_data, register_type


@register_type
@dataclass
class _Point:
    x: float
    tags: list = field(default_factory=list)
    cache: int = field(default=0, init=False)


def test_registered_dataclass_round_trips():
    p = _Point(1.5, ["a"])
    p.cache = 7
    q = decode_data(encode_data({"p": p, "arr": np.arange(3.0), "t": (1, 2)}))
    assert q["p"] == p and q["p"].cache == 7
    assert q["arr"].tolist() == [0, 1, 2] and q["t"] == (1, 2)


@pytest.mark.parametrize("name", ["this:s", "os:system", "builtins:open", "pathlib:Path",
                                  "subprocess:Popen", "_Point", None, 5])
def test_unregistered_type_names_are_refused_without_importing(name):
    sys.modules.pop("this", None)
    with pytest.raises(ValueError, match="unknown type"):
        decode_data({"__slth__": "dataclass", "type": name, "fields": {"args": ["x"]}})
    assert "this" not in sys.modules  # the Zen of Python was not imported (and printed)


@pytest.mark.parametrize("obj", [
    {"__slth__": "np", "dtype": "<i1", "value": 10 ** 30},
    {"__slth__": "np", "dtype": "|O", "value": 1},
    {"__slth__": "np", "dtype": "not a dtype", "value": 1},
    {"__slth__": "ndarray", "dtype": "<f8", "shape": [2], "data": 5},
    {"__slth__": "ndarray", "dtype": "<f8", "shape": [10 ** 10, 10 ** 10], "data": [1.0]},
    {"__slth__": "ndarray", "dtype": "<f8", "shape": [-1], "data": []},
    {"__slth__": "dict", "items": [[[1], 2]]},
    {"__slth__": "tuple"},
    {"__slth__": "nope"},
    {"__slth__": ["x"]},
    {"__slth__": "dataclass", "type": f"{__name__}:_Point"},
    {"__slth__": "dataclass", "type": f"{__name__}:_Point", "fields": {"__class__": 1}},
    {"__slth__": "dataclass", "type": f"{__name__}:_Point", "fields": {"y": 1}},
    {"__slth__": "dataclass", "type": f"{__name__}:_Point", "fields": []},
])
def test_malformed_stored_data_is_one_value_error(obj):
    with pytest.raises(ValueError):
        decode_data(obj)


def test_deep_nesting_is_a_value_error():
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    with pytest.raises(ValueError, match="malformed"):
        decode_data(deep)
