"""Targets from plain arrays and .npz files (no optional dependency needed).

References: the layer formulas written out here, ``x @ W.T + b`` (PyTorch layout) and
``x @ coefs + intercepts`` (scikit-learn layout), never ``Network.forward`` itself.
"""

import numpy as np
import pytest

from slth_theory.model.interop import (
    from_arrays,
    from_named_arrays,
    live_subnetwork,
    load_npz_arrays,
)
from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket


def _relu_net_reference(x, weights, biases, layout, relu_out=False):
    h = x
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = (h @ w.T if layout == "out_in" else h @ w) + b
        if i < len(weights) - 1 or relu_out:
            h = np.maximum(h, 0.0)
    return h


def _random_layers(rng, widths, layout):
    ws = [rng.normal(size=(widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    if layout == "in_out":
        ws = [w.T.copy() for w in ws]
    bs = [rng.normal(size=widths[i + 1]) for i in range(len(widths) - 1)]
    return ws, bs


@pytest.mark.parametrize("layout", ["out_in", "in_out"])
@pytest.mark.parametrize("act", ["identity", "relu"])
def test_from_arrays_matches_the_layer_formula(layout, act):
    rng = np.random.default_rng(1)
    ws, bs = _random_layers(rng, [5, 7, 3, 2], layout)
    net = from_arrays(ws, bs, act, layout=layout)
    assert net.widths == [5, 7, 3, 2]
    x = rng.uniform(-1, 1, (50, 5))
    ref = _relu_net_reference(x, ws, bs, layout, relu_out=act == "relu")
    np.testing.assert_allclose(net.forward(x), ref, rtol=1e-13, atol=1e-13)


def test_from_arrays_copies_and_converts_float32():
    w = np.ones((2, 3), np.float32)
    net = from_arrays([w], [np.zeros(2, np.float32)])
    w[0, 0] = 5
    assert net.weights[0].dtype == np.float64 and net.weights[0][0, 0] == 1.0


def test_from_arrays_missing_biases_are_zero():
    net = from_arrays([np.eye(2), np.ones((1, 2))], [None, np.array([0.5])])
    np.testing.assert_array_equal(net.biases[0], [0.0, 0.0])
    net = from_arrays([np.eye(2)], None)
    np.testing.assert_array_equal(net.biases[0], [0.0, 0.0])


@pytest.mark.parametrize("weights, biases, match", [
    ([np.ones(3)], [np.ones(1)], "layer 0: weight must be a non-empty 2-D"),
    ([np.ones((2, 3)), np.ones((1, 3))], [np.ones(2), np.ones(1)], "layer 1: weight has 3 inp"),
    ([np.ones((2, 3))], [np.ones(3)], r"layer 0: bias must have shape \(2,\)"),
    ([np.full((2, 3), np.nan)], [np.ones(2)], "layer 0: non-finite"),
    ([np.ones((2, 3))], [np.ones(2), np.ones(2)], "1 weight arrays but 2 bias"),
    ([], [], "at least one layer"),
])
def test_from_arrays_rejects_bad_layers(weights, biases, match):
    with pytest.raises(ValueError, match=match):
        from_arrays(weights, biases)


def test_from_arrays_rejects_bad_options():
    with pytest.raises(ValueError, match="layout"):
        from_arrays([np.eye(2)], layout="rows")
    with pytest.raises(ValueError, match="output_activation"):
        from_arrays([np.eye(2)], output_activation="tanh")


@pytest.mark.parametrize("convention", ["state-dict", "ours", "sklearn"])
def test_named_arrays_conventions(convention):
    rng = np.random.default_rng(2)
    ws, bs = _random_layers(rng, [4, 6, 3], "out_in")
    if convention == "state-dict":
        arrays = {"body.0.weight": ws[0], "body.0.bias": bs[0], "head.weight": ws[1],
                  "head.bias": bs[1]}
    elif convention == "ours":
        arrays = {"bias_1": bs[1], "weight_0": ws[0], "weight_1": ws[1], "bias_0": bs[0]}
    else:
        arrays = {"coefs_0": ws[0].T, "coefs_1": ws[1].T, "intercepts_0": bs[0],
                  "intercepts_1": bs[1]}
    net = from_named_arrays(arrays)
    x = rng.uniform(-1, 1, (20, 4))
    np.testing.assert_allclose(net.forward(x), _relu_net_reference(x, ws, bs, "out_in"),
                               rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("arrays, match", [
    ({"weight_0": np.eye(2), "weight_2": np.eye(2)}, "'weight_1' is missing"),
    ({"weight_0": np.eye(2), "bias_3": np.ones(2)}, "'bias_3' has no matching 'weight_3'"),
    ({"weight_0": np.eye(2), "coefs_1": np.eye(2)}, "unexpected array 'coefs_1'"),
    ({"0.bias": np.ones(2)}, "has no matching '0.weight'"),
    ({"running_mean": np.ones(2)}, "unexpected array 'running_mean'"),
    ({}, "no arrays"),
])
def test_named_arrays_rejects(arrays, match):
    with pytest.raises(ValueError, match=match):
        from_named_arrays(arrays)


def test_npz_roundtrip_with_activation_and_meta(tmp_path):
    rng = np.random.default_rng(3)
    ws, bs = _random_layers(rng, [3, 4, 2], "in_out")
    path = tmp_path / "m.npz"
    np.savez(path, coefs_0=ws[0].astype(np.float32), coefs_1=ws[1], intercepts_0=bs[0],
             intercepts_1=bs[1], output_activation=np.array("relu"),
             meta=np.array('{"trained_on": "toy"}'))
    net = load_npz_arrays(path)
    assert net.output_activation == "relu" and net.meta["trained_on"] == "toy"
    x = rng.uniform(-1, 1, (10, 3))
    ref = _relu_net_reference(x, [ws[0].astype(np.float32).astype(np.float64), ws[1]], bs,
                              "in_out", relu_out=True)
    np.testing.assert_allclose(net.forward(x), ref, rtol=1e-13, atol=1e-13)
    with pytest.raises(ValueError, match="says output_activation='relu'"):
        load_npz_arrays(path, output_activation="identity")


def test_npz_refuses_pickled_arrays_and_non_npz(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, weight_0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        load_npz_arrays(path)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_npz_arrays(bad)
    with pytest.raises(FileNotFoundError):
        load_npz_arrays(tmp_path / "missing.npz")
    strings = tmp_path / "s.npz"
    np.savez(strings, weight_0=np.array(["a", "b"]))
    with pytest.raises(ValueError, match="'weight_0' must be numeric"):
        load_npz_arrays(strings)


def test_live_subnetwork_hand_made_case():
    rng = np.random.default_rng(4)
    widths = [3, 12, 9, 2]
    mother = Network([rng.uniform(0.1, 1, (widths[i + 1], widths[i])) for i in range(3)],
                     [rng.uniform(0.1, 1, widths[i + 1]) for i in range(3)], "identity")
    wm = [np.ones(w.shape, bool) for w in mother.weights]
    bm = [np.ones(b.shape, bool) for b in mother.biases]
    wm[0][[1, 4, 5]] = False        # layer-1 neurons 1, 4, 5: no incoming weight ...
    bm[0][[1, 4]] = False           # ... 1 and 4 no bias either: dead; 5 lives on its bias
    wm[1][:, [7, 8]] = False        # layer-1 neurons 7 and 8 are never read
    wm[2][:, [0, 2]] = False        # layer-2 neurons 0 and 2 are never read ...
    wm[1][3] = False                # ... and layer-2 neuron 3 has no incoming weight
    bm[1][3] = False
    ticket = Ticket(mother, wm, bm, output_scale=2.5)
    live = live_subnetwork(ticket)
    assert live.widths == [3, 12 - 4, 9 - 3, 2]
    x = rng.uniform(-1, 1, (200, 3))
    np.testing.assert_allclose(2.5 * live.forward(x), ticket.forward(x), rtol=1e-13,
                               atol=1e-13)


@pytest.mark.parametrize("seed", range(5))
def test_live_subnetwork_same_function_random_masks(seed):
    rng = np.random.default_rng(seed)
    widths = [4, 30, 6, 25, 3]
    mother = Network([rng.normal(size=(widths[i + 1], widths[i])) for i in range(4)],
                     [rng.normal(size=widths[i + 1]) for i in range(4)], "relu")
    ticket = Ticket(mother, [rng.random(w.shape) < 0.12 for w in mother.weights],
                    [rng.random(b.shape) < 0.2 for b in mother.biases], output_scale=0.7)
    live = live_subnetwork(ticket)
    x = rng.uniform(-1, 1, (300, 4))
    np.testing.assert_allclose(0.7 * live.forward(x), ticket.forward(x), rtol=1e-13,
                               atol=1e-13)
    assert all(a <= b for a, b in zip(live.widths, widths, strict=True))


def test_live_subnetwork_all_dead_layer_keeps_width_one():
    mother = Network([np.ones((3, 2)), np.ones((4, 3)), np.ones((1, 4))],
                     [np.zeros(3), np.zeros(4), np.array([2.0])], "identity")
    ticket = Ticket(mother, [np.ones((3, 2), bool), np.zeros((4, 3), bool),
                             np.ones((1, 4), bool)],
                    [np.ones(3, bool), np.ones(4, bool), np.ones(1, bool)])
    live = live_subnetwork(ticket)
    assert live.widths == [2, 1, 1, 1]
    x = np.random.default_rng(5).uniform(-1, 1, (5, 2))
    np.testing.assert_array_equal(live.forward(x), ticket.forward(x))


def test_ticket_file_is_not_a_target(tmp_path):
    mother = Network([np.ones((2, 2))], [np.zeros(2)], "identity")
    from slth_theory.model.io import save
    path = save(Ticket.full(mother), tmp_path / "t.npz")
    with pytest.raises(ValueError, match="holds a ticket"):
        load_npz_arrays(path)


def test_missing_extras_are_named(monkeypatch):
    import sys

    from slth_theory.model.interop import from_sklearn, from_torch, to_torch
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.neural_network", None)
    net = Network([np.eye(2)], [np.zeros(2)], "identity")
    with pytest.raises(ImportError, match=r"pip install 'slth-theory\[torch\]'"):
        to_torch(net)
    with pytest.raises(ImportError, match=r"slth-theory\[torch\]"):
        from_torch({"0.weight": np.eye(2)})
    with pytest.raises(ImportError, match=r"pip install 'slth-theory\[sklearn\]'"):
        from_sklearn(object())


def test_npz_sizes_checked_from_headers_before_loading(tmp_path):
    path = tmp_path / "big.npz"
    np.savez_compressed(path, weight_0=np.zeros((2000, 1000)), bias_0=np.zeros(2000))
    assert path.stat().st_size < 100_000  # compressed: the file says nothing of the size
    with pytest.raises(ValueError, match=r"2,002,000 array elements \(largest 'weight_0'"):
        load_npz_arrays(path, max_elements=1_000_000)
    assert load_npz_arrays(path, max_elements=2_002_000).widths == [1000, 2000]


def test_npz_member_that_is_not_an_array_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "odd.npz"
    np.savez(path, weight_0=np.eye(2))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="member 'notes.txt' is not a .npy array"):
        load_npz_arrays(path)
