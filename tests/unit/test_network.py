"""Network model: batched forward pass against the per-neuron loop reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slth_theory import Network, initialize, parse_widths
from slth_theory.model.network import forward_reference
from slth_theory.testing import inputs_for, networks


@given(data=st.data())
def test_forward_matches_loop_reference(data):
    net = data.draw(networks(max_depth=3, max_width=6))
    x = data.draw(inputs_for(net, max_batch=5))
    np.testing.assert_allclose(net.forward(x), forward_reference(net, x), rtol=1e-12, atol=1e-14)


def test_return_activations_and_single_input():
    net = initialize([3, 5, 4, 2], "he-normal", bias="nonzero", rng=0)
    x = np.random.default_rng(0).uniform(-1, 1, (7, 3))
    out, acts = net.forward(x, return_activations=True)
    assert [a.shape for a in acts] == [(7, 3), (7, 5), (7, 4), (7, 2)]
    assert np.array_equal(acts[0], x) and np.array_equal(acts[-1], out)
    assert all(np.all(a >= 0) for a in acts[1:])  # relu everywhere incl. output
    single = net.forward(x[2])
    np.testing.assert_array_equal(single, out[2])


def test_identity_output_can_be_negative():
    net = initialize([1, 4, 1], "he-normal", bias="nonzero", output_activation="identity", rng=2)
    y = net.forward(np.linspace(-1, 1, 101)[:, None])
    assert y.min() < 0  # seed 2 has a negative readout path; a relu output could not
    relu_net = initialize([1, 4, 1], "he-normal", bias="nonzero", rng=2)
    assert relu_net.forward(np.linspace(-1, 1, 101)[:, None]).min() >= 0


def test_widths_and_counts():
    net = initialize([2, 100, 100, 1], rng=0)
    assert net.widths == [2, 100, 100, 1] and net.depth == 3
    assert net.n_weights == 2 * 100 + 100 * 100 + 100
    assert net.n_biases == 201 and net.n_params == net.n_weights + 201
    assert all(w.dtype == np.float64 for w in net.weights)


@pytest.mark.parametrize("arch,msg", [("2", "at least two"), ("2,0,1", ">= 1"), ("a,b", "integers"),
                                      ([2, -1], ">= 1")])
def test_parse_widths_errors(arch, msg):
    with pytest.raises(ValueError, match=msg):
        parse_widths(arch)


def test_shape_validation():
    with pytest.raises(ValueError, match="bias_0"):
        Network([np.zeros((3, 2))], [np.zeros(2)])
    with pytest.raises(ValueError, match="weight_1"):
        Network([np.zeros((3, 2)), np.zeros((1, 4))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match="output_activation"):
        Network([np.zeros((3, 2))], [np.zeros(3)], "tanh")
    net = initialize([2, 3, 1], rng=0)
    with pytest.raises(ValueError, match=r"shape \(batch, 2\)"):
        net.forward(np.zeros((4, 3)))
