"""Subcommands of ``slth``: each module defines NAME, HELP, add_arguments and run."""
