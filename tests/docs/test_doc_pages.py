"""Every code block of README.md and docs/**/*.md runs (one test item per page).

Conventions: :mod:`doc_blocks` (and docs/conventions.md). A page's ``<!-- slow -->`` blocks run
only in the second item of that page, ``test_page_slow``, which is marked slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from doc_blocks import EXECUTED, ROOT, Block, console_commands, pages, parse, run_page

PAGES = pages()
SLOW_PAGES = [p for p in PAGES
              if any(b.slow and b.lang in EXECUTED
                     for b in parse((ROOT / p).read_text(encoding="utf-8"), p))]


def _run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, include_slow: bool) -> None:
    monkeypatch.chdir(tmp_path)  # fresh working directory per page, never the checkout
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_page(page, tmp_path, include_slow)


@pytest.mark.parametrize("page", PAGES, ids=[str(p) for p in PAGES])
def test_page(page, tmp_path, monkeypatch):
    _run(page, tmp_path, monkeypatch, include_slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("page", SLOW_PAGES, ids=[str(p) for p in SLOW_PAGES])
def test_page_slow(page, tmp_path, monkeypatch):
    _run(page, tmp_path, monkeypatch, include_slow=True)


@pytest.mark.parametrize("page", PAGES, ids=[str(p) for p in PAGES])
def test_console_blocks_parse(page):
    """Console blocks have commands; markers name an executed block (not a text fence)."""
    for block in parse((ROOT / page).read_text(encoding="utf-8"), page):
        if block.lang == "console":
            console_commands(block)
        elif block.exit or block.check_output or block.slow:
            if block.lang not in EXECUTED:
                pytest.fail(f"{page}:{block.line}: a marker precedes a {block.lang!r} block, "
                            "which is never executed")


# ---------------------------------------------------------------- the collector itself

PAGE = """\
# t

<!-- slow -->
<!-- exit: 3 -->

```console
$ echo a \\
  b
a b
$ true
```

<!-- check-output -->
```python
x = 1
```

text between
<!-- exit: 1 -->
not a block
```text
$ not run
```
"""


def test_parse_markers_and_continuations():
    blocks = parse(PAGE)
    assert [(b.lang, b.line, b.slow, b.exit, b.check_output) for b in blocks] == [
        ("console", 6, True, 3, False), ("python", 14, False, 0, True),
        ("text", 21, False, 0, False)]
    cmds = console_commands(blocks[0])
    assert [c.text for c in cmds] == ["echo a \\\n  b", "true"]
    assert cmds[0].expected == ["a b"] and cmds[1].expected == []


def test_console_checks_exit_and_output(tmp_path):
    ok = Block(Path("p.md"), 1, "console", "$ echo hi\nhi\n", check_output=True)
    from doc_blocks import run_console

    run_console(ok, tmp_path)
    with pytest.raises(AssertionError, match="output differs"):
        run_console(Block(Path("p.md"), 1, "console", "$ echo hi\nho\n", check_output=True),
                    tmp_path)
    with pytest.raises(AssertionError, match="exit status 1, expected 0"):
        run_console(Block(Path("p.md"), 1, "console", "$ false\n"), tmp_path)
    run_console(Block(Path("p.md"), 1, "console", "$ exit 4\n", exit=4), tmp_path)
    # output is not compared without the marker
    run_console(Block(Path("p.md"), 1, "console", "$ echo hi\nsomething else\n"), tmp_path)


def test_console_block_without_command_is_an_error():
    with pytest.raises(ValueError, match="no '\\$ ' command"):
        console_commands(Block(Path("p.md"), 1, "console", "\n"))
    with pytest.raises(ValueError, match="output before its first"):
        console_commands(Block(Path("p.md"), 1, "console", "just output\n$ true\n"))


def test_python_blocks_share_a_namespace_and_the_directory(tmp_path, monkeypatch):
    page = tmp_path / "src" / "page.md"
    page.parent.mkdir()
    page.write_text("```python\nopen('f.txt', 'w').write('1')\nv = 41\n```\n"
                    "```console\n$ test -f f.txt\n```\n```python\nassert v + 1 == 42\n```\n")
    import doc_blocks

    monkeypatch.setattr(doc_blocks, "ROOT", page.parent)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert doc_blocks.run_page(Path("page.md"), work, include_slow=False) == 3
    page.write_text("```python\nassert False, 'boom'\n```\n")
    with pytest.raises(AssertionError, match="boom"):
        doc_blocks.run_page(Path("page.md"), work, include_slow=False)
