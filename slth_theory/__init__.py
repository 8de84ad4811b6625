"""slth-theory: strong lottery tickets in ReLU networks with non-zero biases.

Checks, constructions and pruning for Fischer & Burkholz, "Towards strong pruning for
lottery tickets with non-zero biases". The curated API:

* model: :class:`Network`, :class:`Ticket`, :func:`parse_widths`, :func:`initialize`,
  :func:`load`, :func:`save`;
* theory: :func:`homogeneity_transform`, :func:`distribute_output_scale` (Lemma 2),
  :func:`width_bound` (Theorem 5);
* construction: :func:`random_target`, :func:`construct`, :func:`certify` (Theorem 5);
* pruning: :func:`edge_popup`, :class:`EdgePopupSettings`, :func:`make_dataset`;
* the claims report: :func:`run_checks`.

Heavier parts (Numba kernels) are imported on first use of their names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slth_theory import _numba_cache
from slth_theory._version import __version__

_numba_cache.install()

# st.from_type(Network) / st.from_type(Ticket) when hypothesis was imported first
from slth_theory import _hypothesis_plugin  # noqa: E402
from slth_theory import registry as _registry  # noqa: E402,F401  (the paper's sweeps)
from slth_theory.model.io import load, save  # noqa: E402
from slth_theory.model.network import Network, parse_widths  # noqa: E402
from slth_theory.model.schemes import initialize  # noqa: E402
from slth_theory.model.ticket import Ticket  # noqa: E402
from slth_theory.theory.lemma2 import (  # noqa: E402
    distribute_output_scale,
    homogeneity_transform,
)

_hypothesis_plugin.register_if_hypothesis_loaded()

_LAZY = {
    "width_bound": "slth_theory.theory.theorem5",
    "random_target": "slth_theory.construction.build",
    "construct": "slth_theory.construction.build",
    "certify": "slth_theory.construction.certificate",
    "edge_popup": "slth_theory.pruning.edge_popup",
    "EdgePopupSettings": ("slth_theory.pruning.edge_popup", "Settings"),
    "make_dataset": "slth_theory.pruning.datasets",
    "run_checks": "slth_theory.verify.report",
}

if TYPE_CHECKING:  # pragma: no cover
    from slth_theory.construction.build import construct, random_target
    from slth_theory.construction.certificate import certify
    from slth_theory.pruning.datasets import make_dataset
    from slth_theory.pruning.edge_popup import Settings as EdgePopupSettings
    from slth_theory.pruning.edge_popup import edge_popup
    from slth_theory.theory.theorem5 import width_bound
    from slth_theory.verify.report import run_checks

__all__ = [
    "EdgePopupSettings",
    "Network",
    "Ticket",
    "__version__",
    "certify",
    "construct",
    "distribute_output_scale",
    "edge_popup",
    "homogeneity_transform",
    "initialize",
    "load",
    "make_dataset",
    "parse_widths",
    "random_target",
    "run_checks",
    "save",
    "width_bound",
]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'slth_theory' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
