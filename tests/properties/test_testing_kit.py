"""The testing kit's strategies: what they draw, from_type, shrinking, falsification."""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from slth_theory.counterexamples import CLAIMS, shrunk_counterexample
from slth_theory.invariants import assert_kept_fraction
from slth_theory.model.network import Network
from slth_theory.model.ticket import Ticket
from slth_theory.pruning.datasets import Dataset
from slth_theory.pruning.edge_popup import n_keep
from slth_theory.testing import (
    datasets,
    load_profile,
    networks,
    profile,
    search_counterexample,
    subset_sum_instances,
    targets,
    tickets,
)


@given(net=st.from_type(Network), ticket=st.from_type(Ticket))
def test_from_type_draws_both_types(net, ticket):
    assert isinstance(net, Network) and isinstance(ticket, Ticket)


@pytest.mark.parametrize("first", ["hypothesis", "slth_theory.model.ticket"])
def test_from_type_without_importing_testing(first):
    # either import order: the entry point (hypothesis second) or the model (toolkit second)
    other = "slth_theory.model.ticket" if first == "hypothesis" else "hypothesis"
    code = (f"import {first}, {other}, sys\n"
            "from hypothesis import strategies as st\n"
            "from slth_theory.model.network import Network\n"
            "from slth_theory.model.ticket import Ticket\n"
            "assert 'slth_theory.testing' not in sys.modules\n"
            "print(type(st.from_type(Network).example()).__name__,"
            " type(st.from_type(Ticket).example()).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Network", "Ticket"]


@given(networks(widths=[3, 2, 1], scheme="he-normal", bias="zero",
                output_activation="identity"))
def test_network_shortcuts_fix_what_they_name(net):
    assert net.widths == [3, 2, 1] and net.meta["scheme"] == "he-normal"
    assert net.output_activation == "identity"
    assert all(np.all(b == 0) for b in net.biases)


@given(networks(depth=2, width=st.integers(1, 3), bias="nonzero", elements=True))
def test_element_networks_respect_depth_width_and_nonzero_biases(net):
    assert net.depth == 2 and max(net.widths) <= 3
    assert all(np.all(b != 0) for b in net.biases)
    assert all(np.all(np.abs(w) <= 2) for w in net.weights)


@given(tickets(networks(elements=True), density=st.floats(0.01, 1.0)))
def test_tickets_with_density_keep_exact_counts(t):
    assert_kept_fraction(t, t.meta["density"])


@given(tickets(networks(widths=[2, 3, 1], elements=True), density=0.5))
def test_tickets_at_half_density(t):
    assert_kept_fraction(t, 0.5)
    assert [int(m.sum()) for m in t.weight_masks] == [n_keep(6, 0.5), n_keep(3, 0.5)]


def test_drawn_masks_shrink_toward_pruning():
    t = find(tickets(networks(widths=[2, 2], elements=True)),
             lambda t: t.n_kept_weights >= 1, settings=settings(database=None))
    assert t.n_kept_weights == 1 and t.n_kept_biases == 0
    assert t.output_scale == 1.0


_BIG = networks(widths=[80, 80, 1], scheme="he-normal")


@settings(max_examples=3, phases=[Phase.generate], database=None)
@given(tickets(_BIG, masks="seeded", density=0.1))
def test_seeded_masks_for_large_mothers(t):
    assert_kept_fraction(t, 0.1)


def test_drawn_masks_refuse_large_mothers():
    @settings(max_examples=1, phases=[Phase.generate], database=None)
    @given(tickets(_BIG))
    def draw_one(t):
        pass

    with pytest.raises(ValueError, match="masks='seeded'"):
        draw_one()


@given(targets())
def test_targets_are_small_and_bounded(net):
    assert net.depth <= 2 and max(net.widths) <= 3
    assert all(np.all(np.abs(a) <= 1) for a in (*net.weights, *net.biases))


@given(subset_sum_instances(n=4, tol=0.1))
def test_subset_sum_instances(inst):
    assert inst.values.shape == (4,) and inst.tol == 0.1 and np.all(np.abs(inst.values) <= 1)


@settings(max_examples=5)
@given(datasets(task="onion"))
def test_datasets(d):
    assert isinstance(d, Dataset) and d.task == "onion" and d.n_inputs == 2


def test_homogeneity_with_biases_shrinks_to_depth_2_width_2():
    """Done-when of the testing kit: the default budget finds and shrinks the counterexample
    to "every network with non-zero biases is positively homogeneous"."""
    c = search_counterexample("section3.homogeneity-with-biases")
    assert c.search["max_examples"] == 100  # hypothesis' default budget
    assert c.depth <= 2 and c.width <= 2, c
    assert c.depth == 2  # depth 1 is homogeneous even with a bias
    c.replay()


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_shipped_counterexamples_replay_and_are_small(name):
    c = shrunk_counterexample(name)
    msg = c.replay()  # decided again from the stored numbers
    assert c.name == name and msg == c.message
    assert c.depth <= 2 and c.width <= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_searches_find_small_counterexamples(name):
    c, shipped = search_counterexample(name), shrunk_counterexample(name)
    c.replay()
    assert c.depth <= 2 and c.width <= 2 and shipped.depth <= 2 and shipped.width <= 2


def test_profiles_load_with_one_call_and_leave_ours_alone():
    try:
        got = load_profile("ci")
        assert got.derandomize and got.database is None and got.max_examples == 100
        assert settings.default.max_examples == 100
        assert profile("dev").max_examples == 20 and profile("thorough").max_examples == 2000
        assert settings.get_profile("ci").max_examples == 40  # tests/conftest.py's own
        with pytest.raises(ValueError, match="profile must be one of"):
            profile("nightly")
    finally:  # the profile tests/conftest.py loaded
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
