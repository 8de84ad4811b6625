"""Dask worker preload for ``--dask-local``: ignore SIGINT in the worker processes.

A terminal's Ctrl-C reaches every process of the foreground group. The sweep's driving
process handles it (keeps finished runs, stops the cluster); the workers it started
should not also die with a traceback each, so they ignore SIGINT from the moment this
preload runs (start-up of the worker process, before it takes any task).
"""

from __future__ import annotations


def dask_setup(worker=None) -> None:
    """Called by Dask in each worker process at start-up."""
    from slth_theory.engine.backends import ignore_sigint
    ignore_sigint()
