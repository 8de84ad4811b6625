"""The paper's sweeps and figures, registered with the generic engine.

Registration is by name only (``module:function``), so importing this module is cheap:
the modules that compute a sweep or draw a figure are imported when first used. Imported
by :mod:`slth_theory` itself, so ``run_sweep("fig1", ...)`` and ``slth figures`` see them.

=====================  ====================================================================
sweep                  function
=====================  ====================================================================
``fig1``               :func:`slth_theory.pruning.figure1.run_one` (Figure 1, Section 6)
``plant``              :func:`slth_theory.pruning.planting.run_one` (planted tickets)
``calibrate``          :func:`slth_theory.construction.calibration.run_one` (C of Theorem 5)
``calibrate-reality``  :func:`slth_theory.construction.calibration.reality_one`
``verify``             :func:`slth_theory.verify.report.run_check_sweep` (claims report)
=====================  ====================================================================

Figures are registered by the modules that own them (``register_figure`` at import);
this module lists those modules for ``slth figures``.
"""

from __future__ import annotations

from slth_theory.engine.figures import register_figure_module
from slth_theory.engine.sweep import register_lazy

SWEEPS = {
    "fig1": "slth_theory.pruning.figure1:run_one",
    "plant": "slth_theory.pruning.planting:run_one",
    "calibrate": "slth_theory.construction.calibration:run_one",
    "calibrate-reality": "slth_theory.construction.calibration:reality_one",
    "verify": "slth_theory.verify.report:run_check_sweep",
}
FIGURE_MODULES = (
    "slth_theory.pruning.figure1",
    "slth_theory.pruning.planting",
    "slth_theory.construction.calibration",
    "slth_theory.verify.report",
)

for _name, _target in SWEEPS.items():
    register_lazy(_name, _target)
for _module in FIGURE_MODULES:
    register_figure_module(_module)
