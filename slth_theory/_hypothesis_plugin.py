"""``st.from_type(Network)`` and ``st.from_type(Ticket)`` without an import of
:mod:`slth_theory.testing`.

Whichever of hypothesis and the toolkit is imported second registers the two types: the
package's hypothesis entry point (``[project.entry-points.hypothesis]`` in
``pyproject.toml``) calls :func:`_hypothesis_setup_hook` when hypothesis is imported, and
:mod:`slth_theory` (the package) calls :func:`register_if_hypothesis_loaded` when it is
imported. Neither imports the other side (importing hypothesis stays as fast as without
the toolkit). The strategies are deferred: :mod:`slth_theory.testing` is imported on the
first draw.
"""

from __future__ import annotations

import sys


def _networks():
    from slth_theory.testing import networks

    return networks()


def _tickets():
    from slth_theory.testing import tickets

    return tickets()


def register_types() -> None:
    """Register :func:`slth_theory.testing.networks` and :func:`~slth_theory.testing.tickets`
    for ``st.from_type`` (idempotent)."""
    from hypothesis import strategies as st

    from slth_theory.model.network import Network
    from slth_theory.model.ticket import Ticket

    st.register_type_strategy(Network, st.deferred(_networks))
    st.register_type_strategy(Ticket, st.deferred(_tickets))


def register_if_hypothesis_loaded() -> None:
    """Register the types if hypothesis is already imported (called by the model)."""
    if "hypothesis.strategies" in sys.modules:
        register_types()


def _hypothesis_setup_hook() -> None:
    """The hypothesis entry point: register the types if the toolkit is already imported."""
    if "slth_theory" in sys.modules:
        register_types()
