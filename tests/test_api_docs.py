"""The documentation site (mkdocs.yml) builds offline in strict mode, and its API
reference is made from the docstrings: each public name has a page that carries the
first sentence of that name's docstring as the code says it now."""

from __future__ import annotations

import html
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import edusim
from edusim.metrics.registry import metric
from edusim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]

API_PAGES = {
    "model": (edusim.EduModel, edusim.run_scenario),
    "loading": (edusim.load_run, edusim.load_experiment),
    "experiment": (edusim.evaluate, edusim.compare, edusim.run_experiment),
    "scenario": (load_scenario,),
    "metrics": (metric,),
}
"""API page -> the objects whose docstrings it must show."""


def _first_sentence(obj: object) -> str:
    """The docstring's first sentence as a reader sees it (Markdown's backticks become
    code tags on the page)."""
    text = " ".join(inspect.getdoc(obj).replace("`", "").split())
    return re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]


def _page_text(path: Path) -> str:
    """The page's text: scripts dropped, tags removed, whitespace collapsed."""
    markup = path.read_text(encoding="utf-8")
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocstrings_handlers.python", reason="needs the [docs] extra")
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return folder


def test_the_site_has_every_document_and_the_api_pages(site):
    for document in sorted((ROOT / "docs").glob("*.md")):
        name = document.stem
        page = site / ("index.html" if name == "index" else f"{name}/index.html")
        assert page.is_file(), document.name
    for name in API_PAGES:
        assert (site / "api" / name / "index.html").is_file(), name


@pytest.mark.parametrize("page", sorted(API_PAGES))
def test_api_pages_carry_the_docstrings(site, page):
    text = _page_text(site / "api" / page / "index.html")
    for obj in API_PAGES[page]:
        sentence = _first_sentence(obj)
        assert sentence in text, f"{obj.__qualname__}: {sentence!r}"
