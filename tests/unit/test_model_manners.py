"""Library manners of the model: short reprs, safe ==, meta kept through save/load."""

import numpy as np
import pytest

from slth_theory import Network, Ticket, initialize, load, save


@pytest.fixture
def net():
    return initialize([2, 30, 30, 1], "he-uniform", bias="nonzero", rng=0)


def test_reprs_are_one_short_line(net):
    r = repr(net)
    assert r == ("Network(widths=[2, 30, 30, 1], output_activation='relu', n_params=1051, "
                 "scheme='he-uniform', seed=0)")
    t = Ticket.full(net, 2.5)
    assert repr(t) == ("Ticket(widths=[2, 30, 30, 1], density=1, density_with_biases=1, "
                       "output_scale=2.5)")
    big = initialize([784, 500, 10], "he-normal", rng=1)
    assert "\n" not in repr(big) and len(repr(big)) < 120 and "array" not in repr(big)
    hand = Network([np.ones((1, 2))], [np.zeros(1)])
    assert repr(hand) == "Network(widths=[2, 1], output_activation='relu', n_params=3)"


def test_network_equality_compares_every_array_exactly(net):
    same = net.copy()
    same.meta = {}  # provenance is not compared
    assert net == same and not (net != same)
    for attr in ("weights", "biases"):
        for layer in range(net.depth):
            other = net.copy()
            arr = getattr(other, attr)[layer]
            arr.flat[-1] = np.nextafter(arr.flat[-1], np.inf)  # one ulp, one entry
            assert net != other, (attr, layer)
    ident = Network(net.weights, net.biases, "identity")
    assert net != ident
    assert net != initialize([2, 30, 1], "he-uniform", bias="nonzero", rng=0)  # other depth
    assert net != initialize([2, 30, 31, 1], "he-uniform", bias="nonzero", rng=0)


def test_equality_with_other_types_is_false_not_an_error(net):
    assert (net == "network") is False and (net != 3) is True
    assert net.__eq__(object()) is NotImplemented
    t = Ticket.full(net)
    assert t.__eq__(net) is NotImplemented and (t == net) is False and t != [1]
    with pytest.raises(TypeError):
        hash(net)


def test_ticket_equality(net):
    t = Ticket.full(net, 2.0)
    assert t == Ticket.full(net.copy(), 2.0)
    assert t != Ticket.full(net, np.nextafter(2.0, 3.0))
    wm = [m.copy() for m in t.weight_masks]
    wm[1][0, 0] = False
    assert t != Ticket(net, wm, t.bias_masks, 2.0)
    bm = [m.copy() for m in t.bias_masks]
    bm[-1][0] = False
    assert t != Ticket(net, t.weight_masks, bm, 2.0)
    other = net.copy()
    other.biases[0][0] += 1.0
    assert t != Ticket.full(other, 2.0)


@pytest.mark.parametrize("compact", [False, True])
def test_ticket_meta_survives_save_and_load(net, tmp_path, compact):
    meta = {"method": "hand", "seed": 99, "nested": {"a": [1, 2.5, None]}}
    t = Ticket(net, [np.random.default_rng(0).random(w.shape) < 0.3 for w in net.weights],
               [np.ones(b.shape, bool) for b in net.biases], 3.0, dict(meta))
    save(t, tmp_path / "t.npz", compact=compact)
    back = load(tmp_path / "t.npz")
    assert back.meta == meta  # the ticket's own meta, exactly
    assert back == t
    # the mother's provenance is not mixed with the ticket's (seed 99 is the ticket's)
    assert back.mother.meta["seed"] == 0 and "method" not in back.mother.meta


def test_network_meta_survives_save_and_load(net, tmp_path):
    save(net, tmp_path / "n.npz")
    back = load(tmp_path / "n.npz")
    assert back == net and back.meta == net.meta


def test_save_replaces_the_file_atomically(net, tmp_path, monkeypatch):
    path = tmp_path / "n.npz"
    save(net, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        save(initialize([2, 3, 1], "he-normal", rng=1), path)
    assert path.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.npz"]  # no temporary left
