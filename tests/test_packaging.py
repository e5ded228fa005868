"""Package metadata: one license everywhere, citation and changelog present, the version
from git tags with a fallback."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_license_is_one_spdx_expression_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["license"] == project["license"]
    assert citation["cff-version"] == "1.2.0"
    assert citation["authors"] and citation["title"].startswith("edusim")


def test_the_version_comes_from_git_tags_with_a_fallback():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert any(r.startswith("setuptools-scm") for r in PYPROJECT["build-system"]["requires"])
    assert PYPROJECT["tool"]["setuptools_scm"]["fallback_version"]


def test_the_changelog_has_an_unreleased_section():
    assert "## Unreleased" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


URL_KEYS = ("Homepage", "Documentation", "Source", "Issues", "Changelog")


def test_project_urls_are_complete_and_agree_with_the_citation():
    urls = PYPROJECT["project"].get("urls", {})
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    if not urls:  # not published yet: no address anywhere rather than an invented one
        assert "url" not in citation and "repository-code" not in citation
        return
    assert sorted(urls) == sorted(URL_KEYS)
    assert all(value.startswith("https://") for value in urls.values())
    assert citation.get("url") == urls["Homepage"]
    assert citation.get("repository-code") == urls["Source"]
