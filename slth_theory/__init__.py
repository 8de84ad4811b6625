"""slth-theory: strong lottery tickets in ReLU networks with non-zero biases.

Checks, constructions and pruning for Fischer & Burkholz, "Towards strong pruning for
lottery tickets with non-zero biases".
"""

from ._version import __version__
from .init import initialize
from .io import load, save
from .network import Network, parse_widths
from .scaling import distribute_output_scale, homogeneity_transform
from .ticket import Ticket

__all__ = [
    "Network",
    "Ticket",
    "__version__",
    "distribute_output_scale",
    "homogeneity_transform",
    "initialize",
    "load",
    "parse_widths",
    "save",
]
