"""Sphinx directives that generate parts of the slth-theory docs from the code.

``slth-help``
    The ``--help`` text of one ``slth`` command (argument: ``verify``, ``sweep run``, or
    nothing for ``slth`` itself), straight from the argparse parser of the installed code,
    so the option lists in cli.md can never drift from the program.
``slth-automodules``
    (inside ``eval-rst``) an ``automodule`` with members for every public module of a
    subpackage, so a new module is documented without editing api.md.
``slth-curated-api``
    a bullet list linking every name of ``slth_theory.__all__`` to where it is defined.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

HELP_COLUMNS = "90"


def _subparser(parser, words):
    for word in words:
        action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        if word not in action.choices:
            raise ValueError(f"slth has no command {' '.join(words)!r}")
        parser = action.choices[word]
    return parser


class SlthHelp(SphinxDirective):
    optional_arguments = 2
    has_content = False

    def run(self):
        from slth_theory.cli.main import build_parser

        old = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = HELP_COLUMNS
        try:
            text = _subparser(build_parser(), self.arguments).format_help()
        finally:
            if old is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = old
        node = nodes.literal_block(text, text)
        node["language"] = "text"
        return [node]


class SlthAutomodules(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        pkg = importlib.import_module(self.arguments[0])
        names = [pkg.__name__]
        if hasattr(pkg, "__path__"):
            names += [f"{pkg.__name__}.{m.name}" for m in sorted(pkgutil.iter_modules(pkg.__path__),
                                                                 key=lambda m: m.name)
                      if not m.name.startswith("_") and not m.ispkg]
        lines = []
        for name in names:
            lines += [f".. automodule:: {name}", "   :members:", "   :ignore-module-all:", ""]
        container = nodes.section()
        self.state.nested_parse(StringList(lines, source=self.arguments[0]),
                                self.content_offset, container)
        return container.children


class SlthCuratedApi(SphinxDirective):
    has_content = False

    def run(self):
        import slth_theory

        lines = []
        for name in slth_theory.__all__:
            if name.startswith("_"):
                continue
            obj = getattr(slth_theory, name)
            lines.append(f"* :py:obj:`{name} <{obj.__module__}.{obj.__qualname__}>`")
        container = nodes.container()
        self.state.nested_parse(StringList(lines), self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("slth-help", SlthHelp)
    app.add_directive("slth-automodules", SlthAutomodules)
    app.add_directive("slth-curated-api", SlthCuratedApi)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
