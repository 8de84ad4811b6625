"""The findings table of README.md, generated from the rows of ``slth verify --json``.

``slth verify --full --markdown`` prints it; :func:`findings_markdown` builds it from rows
(dicts with ``id``, ``verdict``, ``measured``, ``detail`` and optionally ``repaired``, as
``slth verify --json`` prints them, or :class:`~slth_theory.verify.report.ClaimRow`
objects). :func:`replace_findings` puts a table between the README's markers
``<!-- findings:start -->`` and ``<!-- findings:end -->``; :func:`parse_findings` reads the
``(id, verdict)`` pairs back, so a test can compare a committed table with a fresh run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

START = "<!-- findings:start -->"
END = "<!-- findings:end -->"
HEADER = ("claim", "verdict", "measured", "detail")

#: Verdicts whose detail is left out of the table (the statement holds as written).
QUIET_VERDICTS = frozenset({"holds"})


def _row_dict(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if hasattr(row, "to_dict"):
        return row.to_dict()
    raise TypeError(f"a findings row must be a dict or have to_dict(); got {type(row).__name__}")


def _cell(text: Any) -> str:
    """One Markdown table cell: a single line, pipes escaped."""
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def findings_markdown(rows: Iterable[Any]) -> str:
    """The README's findings table (Markdown) for claim rows.

    Parameters
    ----------
    rows : iterable of dict or ClaimRow
        Each with ``id``, ``verdict``, ``measured`` and ``detail``; a true ``repaired``
        field (if present) is shown after the verdict as ``(repaired)``.

    Returns
    -------
    str
        A Markdown table, one line per row in the given order, ending with a newline.
        The detail is shown only for verdicts not in :data:`QUIET_VERDICTS`.

    Raises
    ------
    ValueError
        If a row lacks ``id`` or ``verdict``.
    """
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for raw in rows:
        row = _row_dict(raw)
        for key in ("id", "verdict"):
            if not row.get(key):
                raise ValueError(f"a findings row needs a non-empty {key!r}; got {dict(row)!r}")
        verdict = _cell(row["verdict"])
        if row.get("repaired"):
            verdict += " (repaired)"
        detail = "" if row["verdict"] in QUIET_VERDICTS else _cell(row.get("detail", ""))
        lines.append(f"| `{_cell(row['id'])}` | {verdict} | {_cell(row.get('measured', ''))} "
                     f"| {detail} |")
    return "\n".join(lines) + "\n"


def _span(text: str) -> tuple[int, int]:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < 0 or end < start or text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"the text must hold {START} once, followed by {END} once")
    return start + len(START), end


def replace_findings(text: str, table: str) -> str:
    """``text`` with everything between the findings markers replaced by ``table``."""
    a, b = _span(text)
    return text[:a] + "\n" + table.strip("\n") + "\n" + text[b:]


def parse_findings(text: str) -> list[tuple[str, str]]:
    """``(id, verdict)`` of every row of the table between the findings markers.

    The inverse of :func:`findings_markdown` for these two columns (``(repaired)`` kept
    as part of the verdict).
    """
    a, b = _span(text)
    out = []
    for line in text[a:b].splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*((?:[^|\\]|\\.)*?)\s*\|", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out
