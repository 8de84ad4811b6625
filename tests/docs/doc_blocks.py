"""Parse and run the code blocks of README.md and docs/**/*.md.

The conventions (also stated in docs/conventions.md, section "Code blocks in these pages"):

- ```` ```python ```` blocks run in order, one namespace per page, in a fresh temporary
  working directory per page (shared by that page's shell blocks).
- ```` ```console ```` blocks: each line starting with ``$ `` is a shell command run in that
  directory (a command line ending in ``\\`` continues on the next line); the other lines are
  the expected output of the command before them, compared only when the block is preceded by
  ``<!-- check-output -->``. Every command of the block must exit 0, or N when the block is
  preceded by ``<!-- exit: N -->``.
- ``<!-- slow -->`` before a block: it runs only under ``pytest -m slow``.
- ``<!-- requires: torch -->`` (module names, comma-separated) before a block: if one of
  them cannot be imported (an optional extra not installed), that block and every later
  block of the page are skipped.
- Every other fence (``text``, ``toml``, ``bash``, MyST directives ...) is not executed.

Several markers may precede one block (blank lines between them are allowed); any other line
between a marker and the block cancels the marker.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXECUTED = ("python", "console")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_MARKER = re.compile(r"^[ \t]*<!--[ \t]*(?P<body>slow|check-output|exit:[ \t]*(?P<code>\d+)"
                     r"|requires:[ \t]*(?P<mods>[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*))"
                     r"[ \t]*-->[ \t]*$")


@dataclass
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    exit: int = 0
    slow: bool = False
    check_output: bool = False
    requires: tuple[str, ...] = ()


@dataclass
class Command:
    """One ``$ `` command of a console block and the output lines written under it."""

    text: str
    expected: list[str] = field(default_factory=list)


def pages() -> list[Path]:
    """README.md and every Markdown page under docs/, repository-relative, sorted."""
    found = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
    return [p.relative_to(ROOT) for p in found if "_build" not in p.parts]


def parse(text: str, page: Path = Path("<text>")) -> list[Block]:
    """Every fenced block of a Markdown text with the markers that precede it."""
    lines = text.splitlines()
    blocks: list[Block] = []
    pending: dict = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _MARKER.match(line)
        if m:
            body = m.group("body")
            if body == "slow":
                pending["slow"] = True
            elif body == "check-output":
                pending["check_output"] = True
            elif m.group("mods"):
                pending["requires"] = tuple(x.strip() for x in m.group("mods").split(","))
            else:
                pending["exit"] = int(m.group("code"))
            i += 1
            continue
        f = _FENCE.match(line)
        if not f:
            if line.strip():
                pending = {}
            i += 1
            continue
        fence, indent = f.group("fence"), len(f.group("indent"))
        info = f.group("info").strip()
        lang = info.split()[0] if info else ""
        body_lines = []
        j = i + 1
        while j < len(lines):
            close = lines[j].strip()
            if close and set(close) == {fence[0]} and len(close) >= len(fence):
                break
            body_lines.append(lines[j][indent:] if lines[j][:indent].strip() == "" else
                              lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise ValueError(f"{page}:{i + 1}: code block is never closed")
        blocks.append(Block(page, i + 1, lang, "\n".join(body_lines) + "\n", **pending))
        pending = {}
        i = j + 1
    return blocks


def console_commands(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block, continuation lines joined."""
    cmds: list[Command] = []
    continuing = False
    for n, line in enumerate(block.code.splitlines()):
        if continuing:
            cmds[-1].text += "\n" + line
            continuing = line.endswith("\\")
        elif line.startswith("$ "):
            cmds.append(Command(line[2:]))
            continuing = line.endswith("\\")
        elif not cmds:
            if line.strip():
                raise ValueError(f"{block.page}:{block.line + 1 + n}: console block has output "
                                 "before its first '$ ' command")
        else:
            cmds[-1].expected.append(line)
    if not cmds:
        raise ValueError(f"{block.page}:{block.line}: console block has no '$ ' command")
    return cmds


def _normalise(lines: list[str]) -> list[str]:
    out = [ln.rstrip() for ln in lines]
    while out and not out[-1]:
        out.pop()
    return out


def shell_env() -> dict[str, str]:
    """The environment of shell commands: a user's (no test-suite plugins or paths), with
    this interpreter's scripts first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("SLTH_PLUGINS", "PYTHONPATH")}
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_console(block: Block, cwd: Path, timeout: float = 600) -> None:
    """Run each command of a console block in ``cwd``; AssertionError on a mismatch."""
    for cmd in console_commands(block):
        r = subprocess.run(["bash", "-c", cmd.text], cwd=cwd, env=shell_env(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        where = f"{block.page}:{block.line}: $ {cmd.text}"
        assert r.returncode == block.exit, (
            f"{where}\nexit status {r.returncode}, expected {block.exit}; output:\n{r.stdout}")
        if block.check_output:
            got, want = _normalise(r.stdout.splitlines()), _normalise(cmd.expected)
            assert got == want, (f"{where}\noutput differs from the page.\n--- page\n"
                                 + "\n".join(want) + "\n--- actual\n" + "\n".join(got))


def run_python(block: Block, namespace: dict) -> None:
    """Execute a python block in the page's namespace (tracebacks show the page's lines)."""
    filename = f"{block.page}:{block.line}"
    linecache.cache[filename] = (len(block.code), None, block.code.splitlines(True), filename)
    exec(compile(block.code, filename, "exec"), namespace)


def run_page(page: Path, cwd: Path, include_slow: bool) -> int:
    """Run the executed blocks of ``page`` in ``cwd``; returns how many ran."""
    blocks = parse((ROOT / page).read_text(encoding="utf-8"), page)
    namespace: dict = {"__name__": "__docs__"}
    ran = 0
    for block in blocks:
        if block.lang not in EXECUTED or (block.slow and not include_slow):
            continue
        if any(importlib.util.find_spec(m) is None for m in block.requires):
            break  # this block and the rest of the page need an optional extra
        if block.lang == "python":
            run_python(block, namespace)
        else:
            run_console(block, cwd)
        ran += 1
    return ran
