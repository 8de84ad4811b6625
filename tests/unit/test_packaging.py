"""Package metadata: MIT LICENSE, classifiers, URLs, the docs extra, CITATION.cff."""

import tomllib
from pathlib import Path

import pytest

import slth_theory

ROOT = Path(__file__).resolve().parents[2]
PAPER = "Towards strong pruning for lottery tickets with non-zero biases"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_license_is_mit_everywhere():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    proj = _project()
    assert "License :: OSI Approved :: MIT License" in proj["classifiers"]
    assert proj["license"] == {"text": "MIT"}


def test_classifiers_urls_and_extras():
    proj = _project()
    cls = proj["classifiers"]
    assert "Typing :: Typed" in cls and "Programming Language :: Python :: 3.11" in cls
    assert any(c.startswith("Topic :: Scientific/Engineering") for c in cls)
    assert "https://github.com/RelationalML/NonZeroBiases" in proj["urls"].values()
    extras = proj["optional-dependencies"]
    assert {"test", "dask", "docs", "torch"} <= set(extras)
    assert any(d.startswith("sphinx") for d in extras["docs"])
    assert any(d.startswith("myst-parser") for d in extras["docs"])
    assert (Path(slth_theory.__file__).parent / "py.typed").exists()


def test_citation_cff_cites_the_toolkit_and_the_paper():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["title"].startswith("slth-theory") and cff["license"] == "MIT"
    assert str(cff["version"]) == slth_theory.__version__.split("+")[0]
    pref = cff["preferred-citation"]
    assert pref["title"] == PAPER and pref["type"] == "article"
    assert [a["family-names"] for a in pref["authors"]] == ["Fischer", "Burkholz"]
    assert any(r["title"] == PAPER for r in cff["references"])
