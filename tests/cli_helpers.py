"""Helpers shared by the command-line tests."""

from slth_theory.cli.main import main


def exit_code(argv: list[str]) -> int:
    """Exit code of ``slth argv`` run in this process (argparse errors exit via SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code
