"""Unit tests of the memory guards (slth_theory.engine.limits)."""

from __future__ import annotations

import pytest

from slth_theory.engine import limits


def test_parse_size_units():
    assert limits.parse_size("512") == 512
    assert limits.parse_size("1k") == 1024
    assert limits.parse_size("1.5G") == 3 << 29
    assert limits.parse_size("2GiB") == 2 << 30
    assert limits.parse_size(" 3 mb ") == 3 << 20
    for bad in ("", "x", "-1G", "0", "1Q", "nan", "inf"):
        with pytest.raises(ValueError):
            limits.parse_size(bad)


def test_format_bytes():
    assert limits.format_bytes(512) == "512 B"
    assert limits.format_bytes(3 << 29) == "1.5 GiB"


def test_check_memory_refuses_with_the_override_hint(monkeypatch):
    monkeypatch.delenv(limits.ENV, raising=False)
    limits.check_memory(10, "a tiny thing", limit=100)
    with pytest.raises(limits.MemoryLimitError, match="needs about 1 KiB.*--max-memory"):
        limits.check_memory(1024, "the network", limit=100)
    with pytest.raises(limits.MemoryLimitError, match="unbounded"):
        limits.check_memory(float("inf"), "the network", limit=100)


def test_override_sets_both_limits_and_is_restored(monkeypatch):
    monkeypatch.delenv(limits.ENV, raising=False)
    with limits.override_memory_limit("3M"):
        assert limits.memory_limit() == 3 << 20
        assert limits.file_memory_limit() == 3 << 20
        with pytest.raises(limits.MemoryLimitError, match="--max-memory/SLTH_MAX_MEMORY"):
            limits.check_memory(4 << 20, "x")
    assert limits.ENV not in __import__("os").environ
    monkeypatch.setenv(limits.ENV, "lots")
    with pytest.raises(ValueError, match="SLTH_MAX_MEMORY"):
        limits.memory_limit()


def test_default_file_limit_is_at_most_one_gib(monkeypatch):
    monkeypatch.delenv(limits.ENV, raising=False)
    assert limits.file_memory_limit() <= limits.FILE_LIMIT_DEFAULT
    avail = limits.available_memory()
    assert avail is None or avail > 0


def test_network_bytes():
    assert limits.network_bytes([2, 3, 1]) == 8 * ((2 + 1) * 3 + (3 + 1) * 1)
