"""The documentation site: every page reachable from index.md, every command documented,
and the Sphinx build passes with warnings as errors (needs the ``docs`` extra)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
from doc_blocks import ROOT, parse

DOCS = ROOT / "docs"


def _docname(path) -> str:
    return path.relative_to(DOCS).with_suffix("").as_posix()


def _toctree_entries(page: str) -> list[str]:
    """Entries of the toctree directives of one page (``{toctree}`` fences)."""
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    out = []
    for block in parse(text):
        if block.lang != "{toctree}":
            continue
        for line in block.code.splitlines():
            line = line.strip()
            if not line or line.startswith(":"):
                continue
            m = re.match(r"^.*<(.+)>$", line)  # "Title <target>"
            out.append(m.group(1) if m else line)
    return out


def _glob(pattern: str) -> re.Pattern:
    """Sphinx's toctree glob: ``*`` and ``?`` do not cross ``/``."""
    body = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c)
                   for c in pattern)
    return re.compile(body + r"\Z")


def _reachable() -> set[str]:
    all_docs = {_docname(p) for p in DOCS.rglob("*.md") if "_build" not in p.parts}
    seen, todo = {"index"}, ["index"]
    while todo:
        page = todo.pop()
        base = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
        for entry in _toctree_entries(page):
            target = entry.lstrip("/") if entry.startswith("/") else base + entry
            found = ({d for d in all_docs if _glob(target).match(d)}
                     if any(c in target for c in "*?") else {target} & all_docs)
            for d in sorted(found - seen):
                seen.add(d)
                todo.append(d)
    return seen


def test_every_page_is_reachable_from_index():
    all_docs = {_docname(p) for p in DOCS.rglob("*.md") if "_build" not in p.parts}
    assert "index" in all_docs
    missing = sorted(all_docs - _reachable())
    assert not missing, f"pages in no toctree reachable from docs/index.md: {missing}"


def test_every_command_has_its_option_list_in_cli_page():
    from slth_theory.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    heads = {line.split("}", 1)[1].strip()
             for line in text.splitlines() if line.startswith("```{slth-help}")}
    missing = sorted(set(sub.choices) - heads)
    assert not missing, f"docs/cli.md has no ```{{slth-help}} block for: {missing}"


@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None
                    or importlib.util.find_spec("myst_parser") is None,
                    reason="the docs extra is not installed (pip install -e '.[docs]')")
def test_sphinx_build_has_no_warnings(tmp_path):
    out = tmp_path / "html"
    r = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                        "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"sphinx-build failed:\n{r.stdout}\n{r.stderr}"
    for page in DOCS.rglob("*.md"):
        assert (out / page.relative_to(DOCS).with_suffix(".html")).exists(), page
