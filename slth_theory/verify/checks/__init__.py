"""Checks of the claims report; each module defines CHECKS (list of Check)."""
