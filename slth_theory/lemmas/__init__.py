"""Closed forms and numerical confirmations of the paper's lemmas (one module each)."""
