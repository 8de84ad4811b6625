"""The .npz format: bit-exact round trips; every malformed file rejected naming the array."""

import json

import numpy as np
import pytest
from hypothesis import given, settings

from slth_theory import Network, Ticket, initialize, load, save
from slth_theory.testing import networks, tickets


def _arrays_equal(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@settings(max_examples=25)
@given(net=networks())
def test_network_round_trip_bit_exact(tmp_path_factory, net):
    p = tmp_path_factory.mktemp("rt") / "n.npz"
    save(net, p)
    back = load(p)
    assert isinstance(back, Network) and not isinstance(back, Ticket)
    assert back.output_activation == net.output_activation
    for a, b in zip(net.weights + net.biases, back.weights + back.biases, strict=True):
        assert _arrays_equal(a, b)
    assert back.meta["scheme"] == net.meta["scheme"] and back.meta["seed"] == net.meta["seed"]


@settings(max_examples=25)
@given(t=tickets())
def test_ticket_round_trip_bit_exact(tmp_path_factory, t):
    p = tmp_path_factory.mktemp("rt") / "t.npz"
    save(t, p)
    back = load(p)
    assert isinstance(back, Ticket)
    assert back.output_scale == t.output_scale
    for a, b in zip(t.weight_masks + t.bias_masks, back.weight_masks + back.bias_masks,
                    strict=True):
        assert _arrays_equal(a, b)
    for a, b in zip(t.mother.weights, back.mother.weights, strict=True):
        assert _arrays_equal(a, b)
    assert back.meta == t.meta and "kind" not in back.mother.meta


def _ticket_arrays():
    net = initialize([2, 3, 1], "he-normal", bias="nonzero", rng=0)
    t = Ticket.full(net, 2.0)
    arrays = {}
    for i in range(2):
        arrays[f"weight_{i}"] = net.weights[i]
        arrays[f"bias_{i}"] = net.biases[i]
        arrays[f"weight_mask_{i}"] = t.weight_masks[i]
        arrays[f"bias_mask_{i}"] = t.bias_masks[i]
    arrays["output_scale"] = np.array(2.0)
    arrays["output_activation"] = np.array("relu")
    arrays["meta"] = np.array(json.dumps({"scheme": "he-normal"}))
    return arrays


def _mutations():
    def drop(k):
        return lambda a: a.pop(k)

    def setv(k, v):
        return lambda a: a.__setitem__(k, v)

    return [
        (drop("weight_1"), "weight_1"),
        (drop("bias_0"), "bias_0"),
        (setv("weight_0", np.zeros((3, 2), np.float32)), "weight_0"),
        (setv("weight_0", np.zeros(6)), "weight_0"),
        (setv("bias_0", np.array([0.0, np.nan, 1.0])), "bias_0"),
        (setv("weight_1", np.array([[0.0, np.inf, 1.0]])), "weight_1"),
        (setv("bias_1", np.zeros(2)), "bias_1"),
        (setv("weight_1", np.zeros((1, 4))), "weight_1"),
        (setv("weight_2", np.zeros((1, 1))), "bias_2"),
        (drop("output_activation"), "output_activation"),
        (setv("output_activation", np.array("tanh")), "output_activation"),
        (setv("output_activation", np.array([1.0])), "output_activation"),
        (setv("meta", np.array("{not json")), "meta"),
        (setv("meta", np.array("[1, 2]")), "meta"),
        (setv("weight_mask_0", np.ones((3, 2), np.int8)), "weight_mask_0"),
        (setv("bias_mask_1", np.ones(2, bool)), "bias_mask_1"),
        (drop("bias_mask_0"), "bias_mask_0"),
        (drop("output_scale"), "output_scale"),
        (setv("output_scale", np.array(-1.0)), "output_scale"),
        (setv("output_scale", np.array([1.0, 2.0])), "output_scale"),
        (setv("output_scale", np.array(np.nan)), "output_scale"),
        (setv("extra_thing", np.zeros(1)), "extra_thing"),
    ]


@pytest.mark.parametrize("mutate,name", _mutations())
def test_malformed_file_names_the_array(tmp_path, mutate, name):
    arrays = _ticket_arrays()
    mutate(arrays)
    p = tmp_path / "bad.npz"
    np.savez(p, **arrays)
    with pytest.raises(ValueError, match=name):
        load(p)


def test_valid_fixture_loads(tmp_path):
    p = tmp_path / "ok.npz"
    np.savez(p, **_ticket_arrays())
    assert isinstance(load(p), Ticket)


def test_not_an_npz(tmp_path):
    p = tmp_path / "x.npz"
    p.write_text("hello")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load(p)


def test_pickled_object_array_rejected(tmp_path):
    arrays = _ticket_arrays()
    arrays["meta"] = np.array([{"a": 1}], dtype=object)
    p = tmp_path / "obj.npz"
    np.savez(p, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        load(p)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "nope.npz")


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(initialize([1, 1], rng=0), tmp_path / "no" / "x.npz")


def test_compact_ticket_round_trip(tmp_path):
    net = initialize([3, 100, 100, 2], "theorem5-uniform", weight_scale=0.5, rng=9)
    rng = np.random.default_rng(0)
    t = Ticket(net, [rng.random(w.shape) < 0.05 for w in net.weights],
               [rng.random(b.shape) < 0.5 for b in net.biases], 7.0, {"source": "test"})
    full, small = tmp_path / "full.npz", tmp_path / "small.npz"
    save(t, full)
    save(t, small, compact=True)
    assert small.stat().st_size < full.stat().st_size / 10
    back = load(small)
    assert isinstance(back, Ticket) and back.output_scale == 7.0
    assert back.meta == {"source": "test"} and back.mother.meta["mother"]["stored"]
    assert "source" not in back.mother.meta
    for a, b in zip(t.mother.weights + t.weight_masks, back.mother.weights + back.weight_masks,
                    strict=True):
        assert _arrays_equal(a, b)


def test_compact_needs_regenerable_mother(tmp_path):
    net = initialize([2, 3, 1], "he-normal", rng=1)
    net.weights[0][0, 0] += 1.0  # no longer what its meta regenerates
    with pytest.raises(ValueError, match="bit for bit"):
        save(Ticket.full(net), tmp_path / "x.npz", compact=True)
    with pytest.raises(ValueError, match="only for tickets"):
        save(net, tmp_path / "y.npz", compact=True)


def test_compact_digest_mismatch_rejected(tmp_path):
    net = initialize([2, 3, 1], "he-normal", rng=1)
    p = tmp_path / "c.npz"
    save(Ticket.full(net), p, compact=True)
    with np.load(p) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["seed"] = 2  # regenerates another mother
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(p, **arrays)
    with pytest.raises(ValueError, match="sha256"):
        load(p)
