"""The README findings table generator (slth_theory.verify.findings)."""

import pytest

from slth_theory.verify.findings import (
    END,
    START,
    findings_markdown,
    parse_findings,
    replace_findings,
)

ROWS = [
    {"id": "lemma1.optimum", "verdict": "holds", "measured": "w = 0.75", "detail": "hidden",
     "paper": "p"},
    {"id": "lemma4.main", "verdict": "fails", "measured": "error 17.2 eps | worst",
     "detail": "counterexample:\n  a 2-layer net"},
    {"id": "lemma4.corrected", "verdict": "holds approximately", "measured": "1.0",
     "detail": "ratio 1", "repaired": True},
]


def test_table_by_hand():
    assert findings_markdown(ROWS) == (
        "| claim | verdict | measured | detail |\n"
        "|---|---|---|---|\n"
        "| `lemma1.optimum` | holds | w = 0.75 |  |\n"
        "| `lemma4.main` | fails | error 17.2 eps \\| worst | counterexample: a 2-layer net |\n"
        "| `lemma4.corrected` | holds approximately (repaired) | 1.0 | ratio 1 |\n")


def test_round_trip_of_ids_and_verdicts():
    text = f"intro\n{START}\nold table\n{END}\nrest\n"
    new = replace_findings(text, findings_markdown(ROWS))
    assert new.startswith("intro\n" + START + "\n| claim") and new.endswith(END + "\nrest\n")
    assert parse_findings(new) == [("lemma1.optimum", "holds"), ("lemma4.main", "fails"),
                                   ("lemma4.corrected", "holds approximately (repaired)")]
    # a changed verdict is seen
    changed = [dict(r) for r in ROWS]
    changed[1]["verdict"] = "holds"
    assert parse_findings(replace_findings(text, findings_markdown(changed))) != \
        parse_findings(new)


def test_claim_rows_are_accepted():
    from slth_theory.verify.report import ClaimRow

    row = ClaimRow(id="x.y", paper="p", measured="m", verdict="holds")
    assert "| `x.y` | holds | m |  |" in findings_markdown([row])


@pytest.mark.parametrize("text", ["no markers", f"{END}\n{START}", f"{START}\n{START}\n{END}"])
def test_markers_are_required_once_in_order(text):
    with pytest.raises(ValueError, match="findings:start"):
        replace_findings(text, "t")


def test_row_without_verdict_is_refused():
    with pytest.raises(ValueError, match="verdict"):
        findings_markdown([{"id": "a", "verdict": ""}])
