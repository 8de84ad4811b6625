"""Generic run engine: sweeps, the results store, execution backends, figures, progress.

Nothing here knows the paper; the paper's parts register their sweeps and figures with it.
"""
