"""The shared argparse value parsers of ``slth_theory.cli.options``."""

import argparse

import pytest

from slth_theory.cli import options


@pytest.mark.parametrize("parse, text, ok", [
    ("positive_int_list", "40,30", [40, 30]), ("positive_int_list", "7", [7]),
    ("positive_int_list", "0", None), ("positive_int_list", "a,2", None),
    ("positive_int_list", ",", None), ("nonneg_float", "0", 0.0), ("nonneg_float", "2.5", 2.5),
    ("nonneg_float", "-1", None), ("nonneg_float", "inf", None), ("nonneg_float", "nan", None),
])
def test_shared_option_parsers(parse, text, ok):
    if ok is None:
        with pytest.raises(argparse.ArgumentTypeError):
            getattr(options, parse)(text)
    else:
        assert getattr(options, parse)(text) == ok
