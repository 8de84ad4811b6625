"""The claims report behind ``slth verify``: one row per claim of the paper."""

from slth_theory.verify.report import (
    VERDICTS,
    Check,
    CheckOutput,
    ClaimRow,
    get_check,
    names,
    run_checks,
)

__all__ = ["VERDICTS", "Check", "CheckOutput", "ClaimRow", "get_check", "names", "run_checks"]
