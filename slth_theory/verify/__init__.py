"""The claims report behind ``slth verify``: one row per claim of the paper.

:func:`register_check` adds a check (see ``docs/tutorials/add-a-claim.md``); the verdicts
are :data:`VERDICTS` (``docs/guide/verdicts.md``).
"""

from slth_theory.verify.report import (
    EXIT_1_VERDICTS,
    VERDICTS,
    Check,
    CheckOutput,
    ClaimInfo,
    ClaimRow,
    explain,
    get_check,
    names,
    register_check,
    run_checks,
    unregister_check,
)

__all__ = ["EXIT_1_VERDICTS", "VERDICTS", "Check", "CheckOutput", "ClaimInfo", "ClaimRow",
           "explain", "get_check", "names", "register_check", "run_checks", "unregister_check"]
