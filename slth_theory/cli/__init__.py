"""The ``slth`` command line: :mod:`slth_theory.cli.main` and one module per command."""
