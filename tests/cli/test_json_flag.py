"""``--json`` is the same flag on every command (JSON on stdout); files use ``--json-out``."""

import argparse
import json

from slth_theory.cli.main import build_parser, main


def _leaf_parsers(parser, prefix=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaf_parsers(sub, prefix + (name,))


def test_every_command_has_the_same_json_flag():
    leaves = dict(_leaf_parsers(build_parser()))
    assert len(leaves) >= 15
    for cmd, parser in leaves.items():
        by_flag = {o: a for a in parser._actions for o in a.option_strings}
        assert "--json" in by_flag, f"slth {' '.join(cmd)} has no --json"
        act = by_flag["--json"]
        assert isinstance(act, argparse._StoreTrueAction), (
            f"slth {' '.join(cmd)}: --json must be a flag, not take a value")
        if "--json-out" in by_flag:
            assert by_flag["--json-out"].nargs is None and by_flag["--json-out"].metavar == "FILE"


def test_json_goes_to_stdout_only(capsys):
    for argv in (["schemes", "--json"], ["sweep", "list", "--json"],
                 ["verify", "--list", "--json"], ["figures", "--list", "--json"]):
        assert main(argv) == 0
        out, _ = capsys.readouterr()
        assert isinstance(json.loads(out), list), argv
