"""Fixtures of the fuzz suite: good files to start from and the generated hostile corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fuzz_corpus  # noqa: E402
from fuzz_harness import run_inprocess  # noqa: E402


@pytest.fixture(scope="session")
def good(tmp_path_factory) -> dict[str, Path]:
    """A target, a network, a ticket (full and compact), a store with runs, a fig1 CSV."""
    from slth_theory.construction.build import random_target
    from slth_theory.model.io import save
    from slth_theory.model.schemes import initialize
    from slth_theory.model.ticket import Ticket
    from slth_theory.pruning.figure1 import CSV_FIELDS

    d = tmp_path_factory.mktemp("good")
    out = {"dir": d}
    out["target"] = save(random_target([2, 3, 1], 0), d / "target.npz")
    net = initialize([2, 4, 1], "theorem5-uniform", rng=3)
    out["network"] = save(net, d / "network.npz")
    ticket = Ticket(net, [np.ones(w.shape, bool) for w in net.weights],
                    [np.ones(b.shape, bool) for b in net.biases], 1.0, {})
    out["ticket"] = save(ticket, d / "ticket.npz")
    out["compact"] = save(ticket, d / "compact.npz", compact=True)
    res = run_inprocess(["sweep", "run", "demo", "--param", "width=3,4", "--store",
                         d / "store.sqlite", "--workers", "1", "--quiet"], d)
    assert res.code == 0, res.describe()
    out["store"] = d / "store.sqlite"
    row = {f: "" for f in CSV_FIELDS}
    row.update(task="shifted-relu", density="0.5", method="edge-popup", scheme="he-normal",
               bias="zero", rep="0", seed="1", epochs="1", anneal_epochs="0", width="4",
               depth="2", train_loss="0.1", test_loss="0.2", final_density="0.5",
               density_with_biases="0.5", output_scale="1.0", seconds_per_epoch="0.01",
               seconds="0.1", anneal_mode="extra", bias_ranking="separate",
               train_accuracy="nan", test_accuracy="nan")
    csv_path = d / "fig1_in.csv"
    csv_path.write_text(",".join(CSV_FIELDS) + "\n" + ",".join(row[f] for f in CSV_FIELDS)
                        + "\n")
    out["csv"] = csv_path
    grid = d / "grid.json"
    grid.write_text('[{"width": 3}]')
    out["grid"] = grid
    return out


@pytest.fixture(scope="session")
def npz_files(tmp_path_factory) -> dict[str, Path]:
    return fuzz_corpus.npz_corpus(tmp_path_factory.mktemp("npz"))


@pytest.fixture(scope="session")
def bomb(tmp_path_factory) -> Path:
    """A real 5 GiB-in-5-MB deflate bomb (valid CRC), built in a fraction of a second."""
    return fuzz_corpus.npz_bomb(tmp_path_factory.mktemp("bomb") / "bomb.npz", 5 << 30)


@pytest.fixture(scope="session")
def text_files(tmp_path_factory) -> dict[str, Path]:
    return fuzz_corpus.text_corpus(tmp_path_factory.mktemp("text"))


@pytest.fixture
def stores(tmp_path, good) -> dict[str, Path]:
    """Fresh damaged stores (function scope: a test may try to write them)."""
    return fuzz_corpus.store_corpus(tmp_path / "stores", good["store"])
