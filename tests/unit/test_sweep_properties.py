"""Properties of canonical configs, run keys and the store's JSON round trip (hypothesis)."""

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from slth_theory.engine import sweep as sw
from slth_theory.engine.store import ResultsStore

_scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=8)
_configs = st.dictionaries(st.text(max_size=6), _json, max_size=5)


def _bits(o):
    """Structure with every float replaced by its IEEE-754 bit pattern (so -0.0 != 0.0)."""
    if isinstance(o, float):
        return ("f", struct.pack("<d", o))
    if isinstance(o, dict):
        return {k: _bits(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_bits(v) for v in o]
    return o


@settings(max_examples=30, deadline=None, derandomize=True)
@given(_configs, st.randoms(use_true_random=False))
def test_key_ignores_key_order(cfg, rnd):
    items = list(cfg.items())
    rnd.shuffle(items)
    assert sw.run_key("s", dict(items)) == sw.run_key("s", cfg)
    assert sw.to_plain(sw.to_plain(cfg)) == sw.to_plain(cfg)
    assert sw.canonical_json(dict(items)) == sw.canonical_json(cfg)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_configs, st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6))
def test_store_round_trip_is_bit_exact(tmp_path_factory, cfg, floats):
    path = tmp_path_factory.mktemp("p") / "s.sqlite"
    results = {"values": floats, "nested": cfg}
    rec = {"key": "k", "sweep": "s", "config_key": "c", "index": 0, "root_seed": 0,
           "seed": 2**63 - 1, "config": sw.to_plain(cfg), "results": results,
           "duration_s": 0.0, "host": "h", "pid": 0, "version": "v", "finished_utc": "t"}
    with ResultsStore(path) as db:
        db.put(rec)
        back = db.get("k")
    assert _bits(back["config"]) == _bits(sw.to_plain(cfg))
    assert back["seed"] == 2**63 - 1
    got = back["results"]["values"]
    assert len(got) == len(floats)
    for a, b in zip(got, floats, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
