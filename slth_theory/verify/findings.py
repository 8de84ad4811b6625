"""The findings tables, generated from the rows of ``slth verify --json``.

``docs/findings.md`` holds the full table (claim, verdict, measured, detail) and README.md
a compact one (claim, verdict, first clause of the measurement).
``slth verify --full --markdown`` prints the full one; :func:`findings_markdown` builds it from rows
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
COMPACT_HEADER = ("claim", "verdict", "measured (first clause)")
#: Longest ``measured`` cell of the compact (README) table.
COMPACT_WIDTH = 72

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


def _first_clause(text: str, width: int = COMPACT_WIDTH) -> str:
    """The text up to its first ``;``, cut at a word boundary to ``width`` characters."""
    head = text.split(";")[0].strip()
    if len(head) <= width:
        return head + (" ..." if head != text.strip() else "")
    cut = head[:width].rsplit(" ", 1)[0]
    return cut + " ..."


def findings_markdown(rows: Iterable[Any], compact: bool = False) -> str:
    """The findings table (Markdown) for claim rows.

    Parameters
    ----------
    rows : iterable of dict or ClaimRow
        Each with ``id``, ``verdict``, ``measured`` and ``detail``; a true ``repaired``
        field (if present) is shown after the verdict as ``(repaired)``.
    compact : bool
        The README's short form: claim, verdict and the first clause of the measurement
        (at most :data:`COMPACT_WIDTH` characters); the full table is ``docs/findings.md``.

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
    header = COMPACT_HEADER if compact else HEADER
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for raw in rows:
        row = _row_dict(raw)
        for key in ("id", "verdict"):
            if not row.get(key):
                raise ValueError(f"a findings row needs a non-empty {key!r}; got {dict(row)!r}")
        verdict = _cell(row["verdict"])
        if row.get("repaired"):
            verdict += " (repaired)"
        if compact:
            lines.append(f"| `{_cell(row['id'])}` | {verdict} | "
                         f"{_cell(_first_clause(str(row.get('measured', ''))))} |")
            continue
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
